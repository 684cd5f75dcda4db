"""The Esploro REST client: the only module that imports requests.

Plain dicts in and out. The API key travels only in the `Authorization: apikey ...` header, so
it never appears in a URL, a log line or an exception; as a second line of defence every message
built from a server's answer has the key blanked out. Every error from Esploro becomes an
`EsploroApiError` carrying the HTTP status, errorCode, errorMessage and trackingId, parsed from a
JSON or XML error body (XML without entity expansion); a body that is neither still gives a
clear message with the status.

Why the machinery below exists (docs/sandbox.md tags each fact with its evidence):

* The per-second threshold is shared by the whole institution, and blind immediate retries make
  it worse. So one `RateLimiter` per client spaces every thread's requests evenly, halves its
  pace on a 429 `PER_SECOND_THRESHOLD` and recovers gradually.
* A failed GET is safe to repeat; a failed write is not (it may have happened), so only GETs
  are retried after a 5xx or a lost connection. A 429 means "not processed", so any method may
  retry it. A 429 `DAILY_THRESHOLD` will not go away today and is never retried.
* Every answer reports the calls left today (`X-Exl-Api-Remaining`). A bulk job must stop
  *before* it eats the quota other integrations of the institution depend on: `quota_floor`.
"""

from __future__ import annotations

import datetime
import email.utils
import json
import logging
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any, TypeVar
from urllib.parse import quote

import requests
import requests.adapters
import requests.auth

from sheetsync.errors import (
    COPY_OF_HEADER,
    REMAINING_HEADER,
    SANDBOX_HEADER,
    ConfigError,
    ErrorDetail,
    EsploroConnectionError,
    EsploroError,
    InvalidResponseError,
    QuotaFloorReached,
    RateLimitError,
    RecordIdError,
    ServerError,
)
from sheetsync.esploro.errors import body_excerpt, error_class, parse_error
from sheetsync.esploro.pacing import RateLimiter
from sheetsync.esploro.settings import API_PATH, Settings, normalise_base_url
from sheetsync.esploro.trace import Trace

PAGE_SIZE = 100  # the API's maximum `limit`
PAGE_WINDOW = 16  # pages fetched ahead of the consumer (at most; see `_page_window`)
# A sandbox serving a snapshot (`sandbox --load`) names the Esploro the snapshot was taken of,
# so a workbook rehearsed on it can be planned against that Esploro.


RETRY_AFTER_MAX = 300.0  # seconds: honour Retry-After, but never sleep for an hour on one header

log = logging.getLogger(__name__)
T = TypeVar("T")
R = TypeVar("R")


# -- errors --------------------------------------------------------------------------------


# -- the client ----------------------------------------------------------------------------


class _ApiKeyAuth(requests.auth.AuthBase):
    """Sets `Authorization: apikey ...` on each request.

    As the session's `auth` it also stops requests from replacing the header with ~/.netrc
    credentials, and requests drops it on a redirect to another host.
    """

    def __init__(self, api_key: str) -> None:
        self._header = f"apikey {api_key}"

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = self._header
        return request

    def __repr__(self) -> str:
        return "<apikey auth>"


class _Redactor:
    """Blanks the key out of any text built from a server's answer (some gateways echo)."""

    def __init__(self, secret: str) -> None:
        self._secret = secret

    def __call__(self, text: str) -> str:
        # a toy key of a letter or two would blank out ordinary words; real keys are long
        if len(self._secret) < 6:
            return text
        return text.replace(self._secret, "***")

    def __repr__(self) -> str:
        return "<redactor>"


@dataclass(frozen=True)
class _Attempt:
    """One request on the wire: its answer, or why there was none."""

    sent_at: float
    response: requests.Response | None = None
    failure: str = ""


@dataclass(frozen=True)
class RawBody:
    """A request body sent as it is, with its own content type (the asset patch's XML);
    a plain `body` is sent as JSON."""

    content: bytes
    content_type: str


@dataclass(frozen=True)
class RawItem:
    """A JSON object of an answer, decoded, and its text exactly as it stood in the answer
    (a snapshot keeps the bytes Esploro sent, not a re-encoding of them)."""

    value: dict[str, Any]
    text: str


_DECODER = json.JSONDecoder()
_JSON_SPACE = re.compile(r"[ \t\n\r]*")


def _skip_space(text: str, at: int) -> int:
    match = _JSON_SPACE.match(text, at)
    return match.end() if match else at


def raw_items(text: str, list_key: str) -> list[RawItem]:
    """The objects under the top-level `list_key` of a JSON object's text (a lone object counts
    as a list of one), each with its exact text sliced out of `text`. `text` must be valid JSON."""
    at = _skip_space(text, 0)
    if text[at : at + 1] != "{":
        return []
    at = _skip_space(text, at + 1)
    while text[at : at + 1] == '"':
        key, at = json.decoder.scanstring(text, at + 1)  # type: ignore[attr-defined]
        at = _skip_space(text, _skip_space(text, at) + 1)  # past the colon
        if key == list_key and text[at] == "[":
            return _array_items(text, at)
        value, end = _DECODER.raw_decode(text, at)
        if key == list_key:
            return [RawItem(value, text[at:end])] if isinstance(value, dict) else []
        at = end
        at = _skip_space(text, at)
        if text[at : at + 1] == ",":
            at = _skip_space(text, at + 1)
    return []


def _array_items(text: str, at: int) -> list[RawItem]:
    """The objects of the JSON array starting at `text[at]`, each with its exact text."""
    items: list[RawItem] = []
    at = _skip_space(text, at + 1)
    while text[at : at + 1] not in ("]", ""):
        value, end = _DECODER.raw_decode(text, at)
        if isinstance(value, dict):
            items.append(RawItem(value, text[at:end]))
        at = _skip_space(text, end)
        if text[at : at + 1] == ",":
            at = _skip_space(text, at + 1)
    return items


def _validate_key(api_key: str) -> None:
    if not api_key:
        raise ConfigError("an API key is required")
    if any(ch.isspace() or ord(ch) < 32 or ord(ch) == 127 for ch in api_key):
        # requests would reject the header with a message that quotes the key
        raise ConfigError("the API key contains whitespace or control characters")


def _validate_options(
    rate: float, workers: int, quota_floor: int, timeout: float, retries: Sequence[int]
) -> None:
    if rate <= 0:
        raise ConfigError("rate must be positive")
    if workers < 1:
        raise ConfigError("workers must be at least 1")
    if quota_floor < 0:
        raise ConfigError("quota_floor must not be negative")
    if timeout <= 0:
        raise ConfigError("timeout must be positive")
    if min(retries) < 0:
        raise ConfigError("retry counts must not be negative")


def path_segment(value: str) -> str:
    """A record ID as one URL path segment."""
    text = str(value)
    if not text:
        raise RecordIdError("a record ID must not be empty")
    return quote(text, safe="")


def as_list(value: Any) -> list[dict[str, Any]]:
    """A JSON list of records; absent on an empty page, and possibly a lone object."""
    if value is None:
        return []
    if isinstance(value, dict):
        return [value]
    return [item for item in value if isinstance(item, dict)]


def _count(value: Any) -> int:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return 0


_UNSENDABLE = (
    requests.exceptions.InvalidURL,
    requests.exceptions.InvalidSchema,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidHeader,
)


def _payload(body: Any) -> dict[str, Any]:
    """The keyword arguments that put `body` on the wire: JSON, or raw bytes as typed."""
    if isinstance(body, RawBody):
        return {"data": body.content, "headers": {"Content-Type": body.content_type}}
    return {"json": body}


def _failure_reason(exc: requests.RequestException, timeout: float) -> str:
    """What went wrong on the wire, in words, without the request (which holds the key)."""
    if isinstance(exc, requests.ConnectTimeout):
        return f"could not connect within {timeout:g} s"
    if isinstance(exc, requests.ReadTimeout):
        return f"no answer within {timeout:g} s"
    text = str(exc)
    errno = re.search(r"\[Errno -?\d+\] ([^'\")\]]+)", text)
    if errno:
        return errno.group(1).strip()
    tls = re.search(r"\[SSL[^\]]*\][^'\")]*", text)
    if tls:
        return f"TLS error: {tls.group(0).strip()}"
    if "RemoteDisconnected" in text or "Connection aborted" in text:
        return "the connection closed without an answer"
    if isinstance(exc, requests.exceptions.ChunkedEncodingError):
        return "the answer broke off part way"
    return type(exc).__name__


def _retry_after(response: requests.Response) -> float | None:
    """`Retry-After` in seconds (a number or an HTTP date), or None."""
    value = response.headers.get("Retry-After", "").strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        seconds = (when - datetime.datetime.now(datetime.UTC)).total_seconds()
    return min(max(0.0, seconds), RETRY_AFTER_MAX)


class EsploroClient:
    """A session with one Esploro (or sandbox) base URL and one API key. Thread-safe.

    Every request, from any thread, goes through one rate limiter, one retry policy and one
    quota guard; `calls` and `remaining_quota` report what was spent.
    """

    def __init__(
        self,
        base_url: str,
        api_key: str,
        *,
        rate: float = 10.0,
        workers: int = 8,
        quota_floor: int = 1000,
        timeout: float = 60.0,
        max_retries: int = 4,
        max_throttle_retries: int = 8,
        backoff_base: float = 0.2,
        backoff_max: float = 30.0,
        trace: Trace | None = None,
    ) -> None:
        _validate_key(api_key)
        _validate_options(rate, workers, quota_floor, timeout, (max_retries, max_throttle_retries))
        self.base_url = normalise_base_url(base_url)
        self.rate = rate
        self.workers = workers
        self.quota_floor = quota_floor
        self.timeout = timeout
        self.max_retries = max_retries
        self.max_throttle_retries = max_throttle_retries
        self.backoff_base = backoff_base
        self.backoff_max = backoff_max
        self.limiter = RateLimiter(rate)
        self._redact = _Redactor(api_key)
        self._session = self._make_session(api_key, workers)
        self._lock = threading.Lock()
        self._calls = 0
        self._in_flight = 0
        self._remaining: int | None = None
        self._sandbox = False
        self._random = random.Random()
        self._local = threading.local()
        self.key_source = "given to the client"  # where the key came from, never the key
        self.warnings: tuple[str, ...] = ()  # what looked wrong in the settings
        self.trace = trace  # every exchange written down for a bug report (`--trace`)
        self.copy_of = ""  # the Esploro a sandbox's loaded records are a copy of, if it says
        if trace is not None:
            trace.set_redactor(self._redact)

    @classmethod
    def from_settings(cls, settings: Settings, **options: Any) -> EsploroClient:
        """A client for resolved settings (see `sheetsync.esploro.settings.resolve_settings`);
        `key_source` and `warnings` say where the key came from and what looked wrong."""
        client = cls(
            settings.base_url,
            settings.api_key,
            rate=settings.rate,
            workers=settings.workers,
            quota_floor=settings.quota_floor,
            **options,
        )
        client.key_source = settings.key_source
        client.warnings = settings.warnings
        return client

    @staticmethod
    def _make_session(api_key: str, workers: int) -> requests.Session:
        session = requests.Session()
        session.auth = _ApiKeyAuth(api_key)
        session.headers.update({"Accept": "application/json", "User-Agent": "sheetsync"})
        # a pooled connection per thread (two iterators may run at once), and no silent
        # retries below ours
        adapter = requests.adapters.HTTPAdapter(
            pool_connections=2, pool_maxsize=max(10, workers * 2), max_retries=0
        )
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    def __repr__(self) -> str:
        return f"EsploroClient({self.base_url!r}, rate={self.rate:g}, workers={self.workers})"

    def redact(self, text: str) -> str:
        """`text` with this client's API key blanked out (for logs written outside the client)."""
        return self._redact(text)

    def close(self) -> None:
        self._session.close()
        if self.trace is not None:
            self.trace.close()

    def __enter__(self) -> EsploroClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- counters ----------------------------------------------------------------------

    @property
    def calls(self) -> int:
        """Requests put on the wire so far, retries included."""
        with self._lock:
            return self._calls

    @property
    def remaining_quota(self) -> int | None:
        """Calls left today per `X-Exl-Api-Remaining` (the lowest recent count), or None."""
        with self._lock:
            return self._remaining

    @property
    def is_sandbox(self) -> bool:
        """Whether an answer said it came from a `sheetsync sandbox` (`X-Sheetsync-Sandbox`).
        False until something answered: apply's canary runs unless this is True."""
        with self._lock:
            return self._sandbox

    @property
    def last_round_trip_ms(self) -> float | None:
        """This thread's last request: milliseconds from sending to the whole answer.

        Excludes rate-limiter waits and backoff, so `check` can report the server's latency.
        None when this thread's last request got no HTTP answer.
        """
        value: float | None = getattr(self._local, "round_trip_ms", None)
        return value

    # -- one request, with the limiter, the quota guard and retries ---------------------

    def request(
        self,
        method: str,
        path: str,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        *,
        raw: RawBody | None = None,
    ) -> Any:
        """Send one request to `API_PATH + path`; return the decoded JSON (None if empty).

        `body` goes as JSON; `raw` (instead) as its bytes with its content type, for the one
        write Esploro documents in XML. Either way the answer is asked for as JSON.
        """
        if body is not None and raw is not None:
            raise ValueError("give a JSON body or a raw body, not both")
        self._local.round_trip_ms = None
        response = self._send(method.upper(), path, params, raw if raw is not None else body)
        return self._decode(method.upper(), path, response)

    def _send(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> requests.Response:
        failures = throttles = 0
        while True:
            attempt = self._attempt(method, path, params, body)
            response = attempt.response
            if response is None:
                if method != "GET" or failures >= self.max_retries:
                    raise self._connection_error(method, path, attempt.failure, failures + 1)
                failures += 1
                self._pause(method, path, attempt.failure, self._backoff(failures))
                continue
            if response.status_code < 300:
                self.limiter.speed_up()
                return response
            detail = self._error_detail(response)
            kind = error_class(detail, self._header_remaining(response))
            attempts = failures + throttles + 1
            if kind is RateLimitError and throttles < self.max_throttle_retries:
                throttles += 1
                self._throttled(method, path, attempt.sent_at, response, throttles)
                continue
            if kind is ServerError and method == "GET" and failures < self.max_retries:
                failures += 1
                delay = max(self._backoff(failures), _retry_after(response) or 0.0)
                self._pause(method, path, f"HTTP {response.status_code}", delay)
                continue
            raise kind(method, self.display(path), detail, attempts)

    def _attempt(
        self, method: str, path: str, params: Mapping[str, Any] | None, body: Any
    ) -> _Attempt:
        """Put one request on the wire. Raises only for the quota floor or a bad request."""
        sent_at = self.limiter.acquire()
        self._reserve(method, path)
        url = f"{self.base_url}{API_PATH}{path}"
        failure = unsendable = ""
        started = time.perf_counter()
        payload = _payload(body)
        response: requests.Response | None = None
        try:
            response = self._session.request(
                method, url, params=params, timeout=self.timeout, allow_redirects=False, **payload
            )
        except _UNSENDABLE as exc:  # a malformed URL or header: retrying cannot help
            unsendable = type(exc).__name__
        except requests.RequestException as exc:  # refused, reset, timed out, cut off, TLS
            failure = self._redact(_failure_reason(exc, self.timeout))
        finally:
            self._release()
        self._trace(method, url, params, payload, response, failure or unsendable)
        # raised here, outside the except blocks, so no requests exception (whose request
        # holds the key) is chained as __context__
        if unsendable:
            raise EsploroError(
                f"{method} {self.display(path)}: cannot send a request to {self.base_url} "
                f"({unsendable}); check the base URL"
            )
        if failure or response is None:
            return _Attempt(sent_at, failure=failure)
        self._local.round_trip_ms = (time.perf_counter() - started) * 1000.0
        self._note_remaining(response)
        if response.headers.get(SANDBOX_HEADER, "").strip() == "1":
            with self._lock:
                self._sandbox = True
        self._note_copy_of(response)
        return _Attempt(sent_at, response=response)

    def _trace(
        self,
        method: str,
        url: str,
        params: Mapping[str, Any] | None,
        payload: Mapping[str, Any],
        response: requests.Response | None,
        failure: str,
    ) -> None:
        """Hand one exchange to the trace, if there is one: plain values, the key left out."""
        if self.trace is None:
            return
        if response is None:
            sent = requests.Request(method, url, params=params).prepare()
            body = payload.get("data")
            if "json" in payload and payload["json"] is not None:
                body = json.dumps(payload["json"]).encode("utf-8")
            self.trace.exchange(method, sent.url or url, {}, body, None, {}, None, failure)
            return
        request = response.request
        self.trace.exchange(
            method,
            request.url or url,
            dict(request.headers),
            request.body,
            response.status_code,
            dict(response.headers),
            response.content,
        )

    def _note_copy_of(self, response: requests.Response) -> None:
        copy_of = response.headers.get(COPY_OF_HEADER, "").strip()
        if copy_of:
            self.copy_of = normalise_base_url(copy_of)

    def _reserve(self, method: str, path: str) -> None:
        """Count a request about to be sent, unless the quota floor forbids it."""
        with self._lock:
            remaining, in_flight = self._remaining, self._in_flight
            if remaining is not None and remaining - in_flight <= self.quota_floor:
                refused = True
            else:
                refused = False
                self._calls += 1
                self._in_flight += 1
        if refused:
            assert remaining is not None
            raise QuotaFloorReached(
                method, self.display(path), remaining, self.quota_floor, in_flight
            )

    def _release(self) -> None:
        with self._lock:
            self._in_flight -= 1

    @staticmethod
    def _header_remaining(response: requests.Response) -> int | None:
        value = response.headers.get(REMAINING_HEADER, "").strip()
        return int(value) if value.isdigit() else None

    def _note_remaining(self, response: requests.Response) -> None:
        """Keep the lowest count seen: concurrent answers arrive out of order.

        A slightly higher count than the last is a stale answer overtaken by a newer one, so it
        is ignored; a much higher one is the daily reset and is taken. Keeping the minimum is
        what lets the quota floor promise that no request beyond it is ever sent.
        """
        remaining = self._header_remaining(response)
        if remaining is None:
            return
        with self._lock:
            last = self._remaining
            stale = last is not None and last < remaining <= last + self.workers * 4 + 8
            if not stale:
                self._remaining = remaining

    def _throttled(
        self, method: str, path: str, sent_at: float, response: requests.Response, n: int
    ) -> None:
        """A 429 per-second refusal: slow everyone down, then wait this request's turn."""
        self.limiter.slow_down(sent_at)
        retry_after = _retry_after(response)
        if retry_after is not None:
            self.limiter.hold(retry_after)
            self._pause(method, path, "HTTP 429 with Retry-After", retry_after)
        else:
            self._pause(method, path, "HTTP 429", self._backoff(n))

    def _backoff(self, n: int) -> float:
        """Exponential backoff with jitter for the n-th retry (1-based)."""
        with self._lock:
            jitter = self._random.uniform(0.5, 1.5)
        return min(self.backoff_max, self.backoff_base * 2.0 ** (n - 1) * jitter)

    def _pause(self, method: str, path: str, reason: str, delay: float) -> None:
        log.debug("%s %s: %s; retrying in %.2f s", method, self.display(path), reason, delay)
        time.sleep(delay)

    def _error_detail(self, response: requests.Response) -> ErrorDetail:
        if 300 <= response.status_code < 400:
            location = self._redact(response.headers.get("Location", "(no Location)"))
            message = f"the server redirected to {location}; use that address as the base URL"
            return ErrorDetail(response.status_code, "", message, "")
        detail = parse_error(
            response.status_code, response.headers.get("Content-Type", ""), response.content
        )
        return ErrorDetail(
            detail.status,
            self._redact(detail.error_code),
            self._redact(detail.error_message),
            self._redact(detail.tracking_id),
        )

    def _connection_error(
        self, method: str, path: str, failure: str, attempts: int
    ) -> EsploroConnectionError:
        where = f"{method} {self.display(path)}: no answer from {self.base_url} ({failure})"
        if method != "GET":
            return EsploroConnectionError(
                f"{where}. The write may or may not have happened; it was not retried: "
                "GET the record to find out."
            )
        tries = f" after {attempts} attempts" if attempts > 1 else ""
        return EsploroConnectionError(f"{where}{tries}")

    def _decode(self, method: str, path: str, response: requests.Response) -> Any:
        if not response.content:
            return None
        try:
            return json.loads(response.content)
        except ValueError:
            content_type = response.headers.get("Content-Type", "") or "no content type"
            text = response.content.decode("utf-8", errors="replace")
            excerpt = self._redact(body_excerpt(text))
            message = f"the answer is not JSON ({content_type}): {excerpt}"
        raise InvalidResponseError(
            method, self.display(path), ErrorDetail(response.status_code, "", message, "")
        )

    @staticmethod
    def display(path: str) -> str:
        """A path short enough for a message (a batch GET names up to 100 IDs)."""
        return path if len(path) <= 120 else f"{path[:100]}… ({path.count(',') + 1} IDs)"

    def get_object(self, path: str, params: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """GET `path`; the answer must be a JSON object."""
        return self.expect_object("GET", path, self.request("GET", path, params))

    def get_text(
        self, path: str, params: Mapping[str, Any] | None = None
    ) -> tuple[dict[str, Any], str]:
        """GET `path`: the answer's JSON object and its text exactly as received (UTF-8)."""
        self._local.round_trip_ms = None
        response = self._send("GET", path, params, None)
        value = self.expect_object("GET", path, self._decode("GET", path, response))
        try:
            return value, response.content.decode("utf-8")
        except UnicodeDecodeError:
            message = "the answer is not UTF-8, so its bytes cannot be kept as text"
        raise InvalidResponseError(
            "GET", self.display(path), ErrorDetail(response.status_code, "", message, "")
        )

    def expect_object(self, method: str, path: str, value: Any) -> dict[str, Any]:
        """`value` if it is a JSON object; otherwise an InvalidResponseError naming the request."""
        if isinstance(value, dict):
            return value
        message = f"expected a JSON object, got {type(value).__name__}"
        raise InvalidResponseError(method, self.display(path), ErrorDetail(200, "", message, ""))

    # -- concurrency -------------------------------------------------------------------

    def ordered(
        self, work: Callable[[T], R], items: Iterable[T], window: int | None = None
    ) -> Iterator[R]:
        """`work` over `items` on `workers` threads, results in input order, streaming.

        At most `window` (by default `workers * 4`) items are in flight or waiting to be
        consumed, so a million IDs never become a million futures; the limiter, not the pool,
        sets the pace.
        """
        window = window or self.workers * 4
        pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="esploro")
        pending: deque[Future[R]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(work, item))
                if len(pending) >= window:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            pool.shutdown(wait=True, cancel_futures=True)

    @staticmethod
    def reporting(
        work: Callable[[T], R], size: Callable[[R], int], progress: Callable[[int], object] | None
    ) -> Callable[[T], R]:
        """`work`, then `progress(size(result))`, serialised so the callback never races."""
        if progress is None:
            return work
        lock = threading.Lock()

        def run(item: T) -> R:
            result = work(item)
            with lock:
                progress(size(result))
            return result

        return run

    def pages(
        self, path: str, params: Mapping[str, Any], list_key: str, total_key: str, limit: int | None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a paged list: the first page gives the total, the rest run in parallel."""
        if limit is not None and limit <= 0:
            return
        first_size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit)
        first = self.get_object(path, {**params, "limit": first_size, "offset": 0})
        total = _count(first.get(total_key))
        wanted = total if limit is None else min(total, limit)
        yield from as_list(first.get(list_key))[:wanted]

        def page(offset: int) -> list[dict[str, Any]]:
            size = min(PAGE_SIZE, wanted - offset)
            answer = self.get_object(path, {**params, "limit": size, "offset": offset})
            return as_list(answer.get(list_key))

        for items in self.ordered(page, range(first_size, wanted, PAGE_SIZE), self._page_window()):
            yield from items

    def _page_window(self) -> int:
        """Pages in flight or waiting to be consumed: enough to keep every worker busy while
        the consumer catches up, few enough that memory stays bounded whatever `workers` is
        (a page holds a hundred whole records)."""
        return min(self.workers * 4, max(self.workers, PAGE_WINDOW))

    def raw_pages(
        self, path: str, params: Mapping[str, Any], list_key: str, total_key: str, limit: int | None
    ) -> Iterator[RawItem]:
        """`pages`, each item with its exact text as received (for a snapshot)."""
        if limit is not None and limit <= 0:
            return
        first_size = PAGE_SIZE if limit is None else min(PAGE_SIZE, limit)
        first, text = self.get_text(path, {**params, "limit": first_size, "offset": 0})
        total = _count(first.get(total_key))
        wanted = total if limit is None else min(total, limit)
        yield from raw_items(text, list_key)[:wanted]

        def page(offset: int) -> list[RawItem]:
            size = min(PAGE_SIZE, wanted - offset)
            _, text = self.get_text(path, {**params, "limit": size, "offset": offset})
            return raw_items(text, list_key)

        for items in self.ordered(page, range(first_size, wanted, PAGE_SIZE)):
            yield from items

    # -- configuration -----------------------------------------------------------------

    def code_table(self, name: str) -> dict[str, Any]:
        """A code table: `{"name", "description", "row": [{"code", "description", ...}]}`."""
        return self.get_object(f"researchconf/code-tables/{path_segment(name)}")

    def organizations(self) -> list[dict[str, Any]]:
        """Every internal organisation unit; pages only if the first answer says there are more."""
        path = "organizations/internal"
        first = self.get_object(path)
        units = as_list(first.get("research_organization"))
        total = _count(first.get("total_record_count"))
        while len(units) < total:
            page = self.get_object(path, {"limit": PAGE_SIZE, "offset": len(units)})
            more = as_list(page.get("research_organization"))
            if not more:
                break
            units.extend(more)
        return units
