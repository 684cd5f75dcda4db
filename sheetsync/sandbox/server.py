"""The sandbox's HTTP layer: what happens to a request before and after its route.

Order for an Esploro API request, mirroring the real gateway:
  per-second threshold (429) → daily quota (429) → API key (UNAUTHORIZED) → injected failure
  (500/503) → route → latency → the response, or for a committed write under `--drop-rate`,
  a closed connection and no response at all.

Each response goes out in a single write with TCP_NODELAY, so small keep-alive exchanges never
wait on Nagle's algorithm. The API key is never logged: request lines are redacted.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import sys
import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.utils import formatdate
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from sheetsync.errors import COPY_OF_HEADER, SANDBOX_HEADER
from sheetsync.sandbox import errors, loading, schema
from sheetsync.sandbox.errors import ApiError
from sheetsync.sandbox.faults import DailyQuota, FaultInjector, PerSecondThreshold, count_view
from sheetsync.sandbox.routes import (
    API_PREFIX,
    ApiSettings,
    Reply,
    Request,
    handle,
    resource_of,
    today,
)
from sheetsync.sandbox.stats import DROPPED, WRITE_METHODS, RequestStats
from sheetsync.sandbox.store import Store

CONTROL_PREFIX = "/_sandbox/"
_APIKEY_IN_TEXT = re.compile(r"(apikey[=\s]+)[^&\s\"]+", re.IGNORECASE)
_AUTH_SCHEME = "apikey "
# The captured real responses are indented by two spaces; rendering ours the same way makes the
# captured asset's GET byte-identical to the capture.
RECORD_INDENT = 2


def redact(text: str) -> str:
    """`text` with any API key value replaced by `***`."""
    return _APIKEY_IN_TEXT.sub(r"\1***", text)


@dataclass
class ServerState:
    """Everything a request handler shares with every other."""

    store: Store
    keys: Mapping[str, str]  # key -> "rw" | "ro"
    per_second: PerSecondThreshold
    quota: DailyQuota
    faults: FaultInjector
    stats: RequestStats
    tracking: errors.TrackingIds
    log_requests: bool = False
    settings: ApiSettings = field(default_factory=ApiSettings)
    # off for loaded records (real people's data) served beyond loopback: unauthenticated
    control_routes: bool = True
    copy_of: str = ""  # the Esploro the loaded records were captured from (X-Sheetsync-Copy-Of)
    identify: bool = True  # False: pretend to be production (no X-Sheetsync-Sandbox header)

    def api_headers(self) -> list[str]:
        """The headers of every API answer: calls left today, whether this is a sandbox, and
        the Esploro its loaded records were captured from."""
        headers = [f"X-Exl-Api-Remaining: {self.quota.remaining}"]
        headers += [f"{SANDBOX_HEADER}: 1"] if self.identify else []
        headers += [f"{COPY_OF_HEADER}: {self.copy_of}"] if self.copy_of else []
        return headers


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that vanished mid-request (killed, timed out) is normal, not a server error;
        anything else is still printed."""
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)

    def __init__(self, address: tuple[str, int], state: ServerState) -> None:
        self.state = state
        if ":" in address[0]:  # an IPv6 literal such as ::1
            self.address_family = socket.AF_INET6
        super().__init__(address, SandboxRequestHandler)


def _wants_json(params: Mapping[str, str], accept: str) -> bool:
    """JSON with `format=json` or an Accept naming JSON; otherwise the API speaks XML."""
    fmt = params.get("format", "").lower()
    if fmt:
        return fmt == "json"
    return "json" in accept.lower()


class SandboxRequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "sheetsync-sandbox"
    server: SandboxHTTPServer
    _repeated: frozenset[str] = frozenset()  # query parameters of this request given twice

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def do_GET(self) -> None:
        self._dispatch()

    def do_PUT(self) -> None:
        self._dispatch()

    def do_POST(self) -> None:
        self._dispatch()

    def do_DELETE(self) -> None:
        self._dispatch()

    def do_PATCH(self) -> None:
        self._dispatch()

    # -- plumbing --------------------------------------------------------------------

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.state.log_requests:
            sys.stderr.write(redact(f"{self.address_string()} - {format % args}") + "\n")

    def _read_body(self) -> bytes:
        text = self.headers.get("Content-Length") or "0"
        if not text.isdigit():
            self.close_connection = True  # the rest of the stream cannot be framed
            raise ApiError(400, errors.INVALID_BODY, f"Content-Length '{text}' is not a number.")
        length = int(text)
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, status: int, body: bytes, content_type: str, extra: list[str]) -> None:
        lines = [
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}",
            f"Server: {self.server_version}",
            f"Date: {formatdate(usegmt=True)}",
            f"Content-Length: {len(body)}",
            *extra,
        ]
        if body:
            lines.append(f"Content-Type: {content_type}")
        if self.close_connection:
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head + body)
        self.log_request(status)

    def _send_json(self, status: int, payload: Any, extra: list[str], indent: int | None) -> None:
        body = b"" if payload is None else loading.render(payload, indent)
        self._send(status, body, "application/json;charset=UTF-8", extra)

    def _send_error(self, error: ApiError, as_json: bool, extra: list[str]) -> None:
        tracking_id = self.server.state.tracking.next()
        if as_json:
            body = errors.json_error_body(error, tracking_id)
            self._send(error.status, body, "application/json;charset=UTF-8", extra)
        else:  # the gateway's XML UNAUTHORIZED has no trackingId (errors/unauthorized-no-...)
            untracked = error.code == errors.UNAUTHORIZED
            body = errors.xml_error_body(error, None if untracked else tracking_id)
            self._send(error.status, body, "application/xml;charset=UTF-8", extra)

    def _drop(self) -> None:
        """Close the connection without a response: the write happened, the answer is lost."""
        self.close_connection = True
        with contextlib.suppress(OSError):  # the client may have gone already
            self.connection.shutdown(socket.SHUT_RDWR)
        self.log_request("dropped")

    def _dispatch(self) -> None:
        url = urlsplit(self.path)
        query = parse_qs(url.query, keep_blank_values=True)
        params = {k: v[-1] for k, v in query.items()}
        self._repeated = frozenset(k for k, v in query.items() if len(v) > 1)
        try:
            body = self._read_body()
            if url.path.startswith(CONTROL_PREFIX) and not self.server.state.control_routes:
                raise ApiError(404, errors.NOT_FOUND, "The sandbox control routes are off here.")
            if url.path.startswith(CONTROL_PREFIX):
                self._control(url.path, params, body)
            elif url.path.startswith(API_PREFIX):
                self._api(url.path, params, body)
            else:
                raise ApiError(404, errors.NOT_FOUND, "Esploro paths start with /esploro/v1/.")
        except ApiError as error:
            self._send_error(error, True, [])

    # -- the Esploro API ---------------------------------------------------------------

    def _api(self, path: str, params: dict[str, str], body: bytes) -> None:
        """Counted in the stats BEFORE the answer leaves: a client that has its answer and then
        reads or resets the stats must find this request already there."""
        state = self.server.state
        segments = tuple(unquote(part) for part in path[len(API_PREFIX) :].split("/") if part)
        resource = resource_of(segments)
        as_json = _wants_json(params, self.headers.get("Accept", ""))
        try:
            reply = self._authorised_reply(segments, params, body, as_json)
        except ApiError as error:
            state.faults.delay()
            state.stats.record(self.command, resource, error.status)
            self._send_error(error, as_json, state.api_headers())
            return
        state.faults.delay()
        if self.command in WRITE_METHODS and state.faults.should_drop():
            state.stats.record(self.command, resource, DROPPED)
            self._drop()
            return
        state.stats.record(self.command, resource, reply.status)
        self._send_json(reply.status, reply.payload, state.api_headers(), RECORD_INDENT)

    def _authorised_reply(
        self, segments: tuple[str, ...], params: dict[str, str], body: bytes, as_json: bool
    ) -> Reply:
        state = self.server.state
        if not state.per_second.allow():
            raise ApiError(
                429, errors.PER_SECOND_THRESHOLD, "HTTP requests are more than allowed per second"
            )
        allowed, _ = state.quota.take()
        if not allowed:
            raise ApiError(
                429, errors.DAILY_THRESHOLD, "Daily API request threshold has been reached"
            )
        access = state.keys.get(self._api_key(params) or "")
        if access is None:
            raise ApiError(401, errors.UNAUTHORIZED, errors.UNAUTHORIZED_MESSAGE)
        if self.command in WRITE_METHODS and access != "rw":
            raise ApiError(400, errors.UNAUTHORIZED, errors.UNAUTHORIZED_MESSAGE)
        failure = state.faults.should_fail()
        if failure is not None:
            raise ApiError(failure, errors.INTERNAL_ERROR, "Internal server error (injected).")
        if not as_json and self.command != "DELETE":
            raise ApiError(
                406,
                errors.NOT_ACCEPTABLE,
                "The sandbox serves records as JSON only: send Accept: application/json.",
            )
        params.pop("apikey", None)
        host, port = self.server.server_address[:2]
        base_url = f"http://{self.headers.get('Host') or f'{host!s}:{port}'}"
        request = Request(
            self.command,
            segments,
            params,
            body,
            base_url,
            content_type=self.headers.get("Content-Type", ""),
            repeated=self._repeated - {"apikey"},
            settings=state.settings,
        )
        return self._route(request)

    def _route(self, request: Request) -> Reply:
        try:
            return handle(self.server.state.store, request)
        except ApiError:
            raise
        except Exception as exc:  # a sandbox bug must still answer, never hang the client
            traceback.print_exc(file=sys.stderr)
            raise ApiError(
                500, errors.INTERNAL_ERROR, f"Sandbox error: {type(exc).__name__}"
            ) from exc

    def _api_key(self, params: Mapping[str, str]) -> str | None:
        header = self.headers.get("Authorization", "")
        if header.lower().startswith(_AUTH_SCHEME):
            return header[len(_AUTH_SCHEME) :].strip()
        return params.get("apikey")

    # -- /_sandbox/: the colleague in the Esploro UI, and the counters -------------------

    def _control(self, path: str, params: Mapping[str, str], body: bytes) -> None:
        state = self.server.state
        parts = tuple(unquote(p) for p in path[len(CONTROL_PREFIX) :].split("/") if p)
        if parts == ("stats",) and self.command == "GET":
            self._send_json(200, state.stats.snapshot(), [], None)
        elif parts == ("stats",) and self.command == "DELETE":
            state.stats.reset()
            self._send(204, b"", "", [])
        elif parts == ("faults",) and self.command in ("GET", "PATCH"):
            self._send_json(200, self._faults(body if self.command == "PATCH" else b"{}"), [], None)
        elif parts in ((), ("health",)) and self.command == "GET":
            self._send_json(200, {"status": "ok", **state.store.counts()}, [], None)
        elif len(parts) == 2 and parts[0] in ("researchers", "assets") and self.command == "PATCH":
            self._send_json(200, self._merge_patch(parts[0], parts[1], body), [], RECORD_INDENT)
        elif len(parts) == 3 and parts[::2] == ("assets", "view") and self.command == "POST":
            self._send_json(200, self._view(parts[1], params.get("download") == "1"), [], None)
        else:
            raise ApiError(
                404, errors.NOT_FOUND, f"{self.command} {path} is not a sandbox control."
            )

    def _faults(self, body: bytes) -> dict[str, float]:
        """Read or change the injected faults while the sandbox runs (soaks switch them on
        after setting up): `{"fail_rate": 0.05, "drop_rate": 0.02, "latency_ms": 20, ...}`."""
        faults = self.server.state.faults
        names = ("fail_rate", "drop_rate", "latency_ms", "jitter_ms")
        try:
            changes = json.loads(body.decode("utf-8") or "{}")
            if not isinstance(changes, dict) or set(changes) - set(names):
                raise ValueError(f"known faults: {', '.join(names)}")
            values = {name: float(value) for name, value in changes.items()}
        except (UnicodeDecodeError, ValueError, TypeError) as exc:
            raise ApiError(400, errors.INVALID_BODY, f"Faults: {exc}") from exc
        for name in ("fail_rate", "drop_rate"):
            if not 0.0 <= values.get(name, 0.0) <= 1.0:
                raise ApiError(400, errors.INVALID_BODY, f"Faults: {name} must be 0..1")
        for name, value in values.items():
            setattr(faults, name, max(0.0, value))
        return {name: float(getattr(faults, name)) for name in names}

    def _view(self, asset_id: str, download: bool) -> dict[str, Any]:
        """Someone viewed (or downloaded) the asset in the portal: its counters go up."""
        store = self.server.state.store
        verbatim = store.is_verbatim(asset_id)
        if verbatim is None:
            raise ApiError(404, errors.NOT_FOUND, f"No asset with ID {asset_id}.")
        if verbatim:
            raise ApiError(
                409, errors.VERBATIM_RECORD, f"Asset {asset_id} is served verbatim: never bumped."
            )
        record = count_view(store, asset_id, download) or {}
        return {key: record.get(key) for key in ("asset.views", "asset.downloads")}

    def _merge_patch(self, kind: str, record_id: str, body: bytes) -> Any:
        """Apply an RFC 7386 merge patch as a colleague's save in the UI would."""
        try:
            patch = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ApiError(400, errors.INVALID_BODY, f"Merge patch is not JSON: {exc}") from exc
        store = self.server.state.store
        if kind == "researchers":
            record = store.update_researcher(
                record_id,
                lambda old: schema.normalize_researcher(
                    schema.merge_patch(old, patch), record_id, old
                ),
            )
        else:
            record = store.update_asset(
                record_id,
                lambda old: schema.normalize_asset(schema.merge_patch(old, patch), record_id),
                today(),
            )
        if record is None:
            raise ApiError(404, errors.NOT_FOUND, f"No {kind[:-1]} with ID {record_id}.")
        return record
