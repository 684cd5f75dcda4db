"""EsploroClient against a real sandbox (and tiny stdlib servers) over loopback HTTP.

Nothing is mocked: every error class comes from a real HTTP answer, and the sandbox's
`/_sandbox/stats` proves how many requests the client actually sent.
"""

from __future__ import annotations

import json
import logging
import socket
import time
import traceback
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetsync.errors import (
    AuthorizationError,
    ConfigError,
    DailyQuotaError,
    EsploroApiError,
    EsploroConnectionError,
    EsploroError,
    InvalidResponseError,
    QuotaFloorReached,
    RateLimitError,
    ServerError,
)
from sheetsync.esploro.client import EsploroClient, raw_items
from sheetsync.esploro.entities import ASSETS, RESEARCHERS
from sheetsync.esploro.errors import parse_error
from sheetsync.esploro.settings import region_base_url
from sheetsync.sandbox import READ_ONLY_KEY, READ_WRITE_KEY, Sandbox
from tests.conftest import Api, start_sandbox
from tests.esploro.support import EVERY_ASSET, Reply, asset_ids, count, make_client, tiny_server

SECRET = "sk-test-7f3a9c-DO-NOT-LEAK"


def closed_port() -> int:
    """A loopback port nobody listens on: connecting to it is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def esploro_error_json(code: str, message: str) -> bytes:
    error = {"errorCode": code, "errorMessage": message, "trackingId": "E01-TEST"}
    return json.dumps(
        {"errorsExist": True, "errorList": {"error": [error]}, "result": None}
    ).encode()


HTML_502 = (
    b"<html><head><title>502 Bad Gateway</title></head>"
    b"<body><center><h1>502 Bad Gateway</h1></center><hr>nginx</body></html>"
)


# -- errors, one class each, from real answers -------------------------------------------


def test_unknown_key_is_an_authorization_error_naming_the_tracking_id(sandbox: Sandbox) -> None:
    client = make_client(sandbox.base_url, "no-such-key")
    with client, pytest.raises(AuthorizationError) as caught:
        RESEARCHERS.list_page(client, limit=1)
    error = caught.value
    assert (error.status, error.error_code) == (401, "UNAUTHORIZED")
    assert error.tracking_id.startswith("E01-")
    text = str(error)
    for part in ("401", "UNAUTHORIZED", error.error_message, error.tracking_id):
        assert part in text
    assert "API-key not defined" in error.error_message


def test_read_only_key_put_is_an_authorization_error_sent_once(sandbox: Sandbox) -> None:
    api = Api(sandbox.base_url)
    primary_id = api.researcher_ids(1)[0]
    with make_client(sandbox.base_url, READ_ONLY_KEY) as client:
        record = RESEARCHERS.get(client, primary_id)
        with pytest.raises(AuthorizationError) as caught:
            RESEARCHERS.write(client, primary_id, record, partial=None, mode="put")
    assert (caught.value.status, caught.value.error_code) == (400, "UNAUTHORIZED")
    assert count(api.stats(), "PUT", "researchers") == 1


def test_get_5xx_is_retried_then_a_server_error() -> None:
    with start_sandbox(fail_rate=1.0) as server:
        with make_client(server.base_url, max_retries=3) as client:
            with pytest.raises(ServerError) as caught:
                RESEARCHERS.list_page(client)
            assert client.calls == 4
        stats = Api(server.base_url).stats()
    assert count(stats, "GET", "researchers") == 4
    assert caught.value.status in (500, 503)
    assert caught.value.attempts == 4
    assert "gave up after 4 attempts" in str(caught.value)


def test_put_under_5xx_is_sent_exactly_once() -> None:
    with start_sandbox(fail_rate=1.0) as server:
        with make_client(server.base_url) as client, pytest.raises(ServerError):
            RESEARCHERS.write(client, "anyone", {"primary_id": "anyone"}, partial=None, mode="put")
        stats = Api(server.base_url).stats()
    assert count(stats, "PUT", "researchers") == 1
    assert stats["total"] == 1


def test_dropped_write_is_a_connection_error_sent_once() -> None:
    with start_sandbox(drop_rate=1.0) as server:
        primary_id = Api(server.base_url).researcher_ids(1)[0]
        asset_id = asset_ids(Api(server.base_url), 1)[0]
        with make_client(server.base_url) as client:
            record = RESEARCHERS.get(client, primary_id)
            with pytest.raises(EsploroConnectionError) as caught:
                RESEARCHERS.write(client, primary_id, record, partial=None, mode="put")
            with pytest.raises(EsploroConnectionError):
                ASSETS.patch(client, asset_id, {"identifier.doi": "10.1234/x"})
        stats = Api(server.base_url).stats()
    assert count(stats, "PUT", "researchers") == 1
    assert count(stats, "PUT", "researchers", "dropped") == 1
    assert count(stats, "POST", "assets") == 1
    assert "may or may not have happened" in str(caught.value)


def test_daily_quota_is_never_retried() -> None:
    with start_sandbox(daily_limit=3) as server:
        api = Api(server.base_url)
        for _ in range(3):  # someone else spends today's quota
            assert api.get("/esploro/v1/researchers?limit=1").status_code == 200
        api.session.delete(f"{server.base_url}/_sandbox/stats", timeout=10)
        with make_client(server.base_url, quota_floor=0) as client:
            with pytest.raises(DailyQuotaError) as caught:
                RESEARCHERS.list_page(client)
            assert client.calls == 1
        stats = api.stats()
    assert stats["total"] == 1
    assert stats["by_status"] == {"429": 1}
    assert caught.value.error_code == "DAILY_THRESHOLD"


def test_quota_floor_stops_before_sending() -> None:
    with start_sandbox(daily_limit=20) as server:
        with make_client(server.base_url, quota_floor=15) as client:
            sent = 0
            with pytest.raises(QuotaFloorReached) as caught:
                for _ in range(10):
                    RESEARCHERS.list_page(client, limit=1)
                    sent += 1
            assert (sent, client.calls, client.remaining_quota) == (5, 5, 15)
        stats = Api(server.base_url).stats()
    assert stats["total"] == 5
    message = str(caught.value)
    assert "15" in message and "--quota-floor" in message
    assert (caught.value.remaining, caught.value.floor) == (15, 15)


def test_quota_floor_holds_under_concurrency() -> None:
    with start_sandbox(daily_limit=60, latency_ms=5, jitter_ms=20) as server:
        ids = Api(server.base_url, READ_ONLY_KEY).researcher_ids(40)  # spends 1
        with make_client(server.base_url, quota_floor=30, workers=8) as client:
            RESEARCHERS.list_page(client, limit=1)  # learn the remaining quota first
            with pytest.raises(QuotaFloorReached):
                list(RESEARCHERS.fetch(client, ids))
        stats = Api(server.base_url).stats()
    assert stats["total"] <= 60 - 30  # never a request beyond the floor
    assert stats["by_status"].keys() == {"200"}


def test_connection_refused_is_a_connection_error() -> None:
    base_url = f"http://127.0.0.1:{closed_port()}"
    with make_client(base_url, max_retries=1) as client:
        with pytest.raises(EsploroConnectionError) as caught:
            RESEARCHERS.list_page(client)
        assert client.calls == 2
    assert "refused" in str(caught.value).lower()
    assert "after 2 attempts" in str(caught.value)


def test_timeout_retries_gets_and_never_writes() -> None:
    with (
        start_sandbox(latency_ms=400) as server,
        make_client(server.base_url, timeout=0.1, max_retries=1) as client,
    ):
        with pytest.raises(EsploroConnectionError) as get_error:
            RESEARCHERS.list_page(client)
        assert client.calls == 2
        with pytest.raises(EsploroConnectionError) as put_error:
            RESEARCHERS.write(client, "someone", {}, partial=None, mode="put")
        assert client.calls == 3
    assert "no answer within 0.1 s" in str(get_error.value)
    assert "not retried" in str(put_error.value)


def test_gateway_html_gives_a_clear_message() -> None:
    def answer(n: int, handler: BaseHTTPRequestHandler) -> Reply:
        return 502, {"Content-Type": "text/html"}, HTML_502

    with (
        tiny_server(answer) as server,
        make_client(server.base_url, max_retries=0) as client,
        pytest.raises(ServerError) as caught,
    ):
        RESEARCHERS.list_page(client)
    text = str(caught.value)
    assert "HTTP 502" in text
    assert "502 Bad Gateway" in text
    assert "not an Esploro error (text/html)" in text


def test_empty_error_body_and_non_json_success() -> None:
    def answer(n: int, handler: BaseHTTPRequestHandler) -> Reply:
        if handler.command == "PUT":
            return 500, {}, b""
        return 200, {"Content-Type": "text/html"}, HTML_502

    with tiny_server(answer) as server, make_client(server.base_url) as client:
        with pytest.raises(ServerError, match="HTTP 500: the server answered with an empty body"):
            RESEARCHERS.write(client, "x", {}, partial=None, mode="put")
        with pytest.raises(InvalidResponseError, match=r"not JSON.*502 Bad Gateway"):
            RESEARCHERS.list_page(client)


def test_xml_error_bodies_parse_and_entities_are_never_expanded(api: Api) -> None:
    response = api.get("/esploro/v1/researchers", key="nope", accept="application/xml")
    assert response.headers["Content-Type"].startswith("application/xml")
    detail = parse_error(response.status_code, response.headers["Content-Type"], response.content)
    assert (detail.status, detail.error_code) == (401, "UNAUTHORIZED")
    assert detail.tracking_id == ""  # the gateway's XML UNAUTHORIZED carries none (evidence)
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]><x>&b;</x>'
    )
    detail = parse_error(500, "application/xml", bomb)
    assert detail.error_code == ""
    assert "aaaaaaaaaa" not in detail.error_message
    assert "HTTP" not in detail.error_message  # a clear sentence, the status is beside it


def test_redirect_is_not_followed(sandbox: Sandbox) -> None:
    target = f"{sandbox.base_url}/esploro/v1/researchers"

    def answer(n: int, handler: BaseHTTPRequestHandler) -> Reply:
        return 301, {"Location": target}, b""

    with (
        tiny_server(answer) as server,
        make_client(server.base_url) as client,
        pytest.raises(EsploroApiError, match=r"redirected to .*base URL"),
    ):
        RESEARCHERS.list_page(client)
    assert Api(sandbox.base_url).stats()["total"] == 0


# -- the rate limiter ----------------------------------------------------------------------


def test_paced_client_gets_no_429_from_eight_threads() -> None:
    with start_sandbox(rate_limit=10) as server:
        with make_client(server.base_url, rate=10.0) as client:
            started = time.monotonic()
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(lambda _: RESEARCHERS.list_page(client, limit=1), range(40)))
            elapsed = time.monotonic() - started
            assert client.calls == 40
        stats = Api(server.base_url).stats()
    assert stats["by_status"] == {"200": 40}
    assert elapsed >= 3.8  # 40 requests at 10/s, evenly spaced, not a burst


def test_too_fast_client_backs_off_and_finishes() -> None:
    with start_sandbox(rate_limit=10) as server:
        with make_client(server.base_url, rate=50.0, backoff_base=0.2) as client:
            with ThreadPoolExecutor(8) as pool:
                pages = list(pool.map(lambda _: RESEARCHERS.list_page(client, limit=1), range(40)))
            assert client.limiter.rate < 50.0
        stats = Api(server.base_url).stats()
    assert len(pages) == 40 and all(page["user"] for page in pages)
    assert stats["by_status"]["200"] == 40
    assert stats["by_status"].get("429", 0) <= 20


def test_rate_limit_error_after_throttle_retries() -> None:
    def answer(n: int, handler: BaseHTTPRequestHandler) -> Reply:
        body = esploro_error_json("PER_SECOND_THRESHOLD", "HTTP requests are more than allowed")
        return 429, {"Content-Type": "application/json"}, body

    with tiny_server(answer) as server:
        client = make_client(server.base_url, max_throttle_retries=2)
        with client, pytest.raises(RateLimitError) as caught:
            RESEARCHERS.write(
                client, "x", {}, partial=None, mode="put"
            )  # a 429 was not processed: writes retry too
        assert len(server.arrivals) == 3
    assert caught.value.error_code == "PER_SECOND_THRESHOLD"


def test_retry_after_is_honoured() -> None:
    def answer(n: int, handler: BaseHTTPRequestHandler) -> Reply:
        if n == 1:
            body = esploro_error_json("PER_SECOND_THRESHOLD", "slow down")
            return 429, {"Content-Type": "application/json", "Retry-After": "1"}, body
        return 200, {"Content-Type": "application/json"}, b'{"total_record_count": 0}'

    with tiny_server(answer) as server, make_client(server.base_url) as client:
        assert RESEARCHERS.list_page(client) == {"total_record_count": 0}
        first, second = server.arrivals
        assert client.calls == 2
    assert second - first >= 1.0


# -- resources, paging, batching, order ----------------------------------------------------


def test_counters_and_repr(sandbox: Sandbox) -> None:
    with make_client(sandbox.base_url, key=READ_WRITE_KEY) as client:
        assert (client.calls, client.remaining_quota) == (0, None)
        RESEARCHERS.list_page(client)
        assert client.calls == 1
        assert isinstance(client.remaining_quota, int)
        assert READ_WRITE_KEY not in repr(client)
    assert region_base_url("eu") == "https://api-eu.hosted.exlibrisgroup.com"
    with pytest.raises(ConfigError, match="whitespace"):
        EsploroClient(sandbox.base_url, "two words")


# -- the key never leaks -------------------------------------------------------------------


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    stack: list[BaseException | None] = [exc]
    while stack:
        current = stack.pop()
        if current is None or id(current) in seen:
            continue
        seen.add(id(current))
        yield current
        stack += [current.__cause__, current.__context__]


def assert_key_absent(exc: BaseException) -> None:
    for link in _chain(exc):
        assert SECRET not in str(link)
        assert SECRET not in repr(link)
        for value in vars(link).values():
            assert SECRET not in repr(value)
    assert SECRET not in "".join(traceback.format_exception(exc))


def _echo_key(n: int, handler: BaseHTTPRequestHandler) -> Reply:
    """A careless gateway that echoes the request headers in its error page."""
    echoed = f"<html><title>Oops {handler.headers.get('Authorization')}</title></html>"
    return 500, {"Content-Type": "text/html"}, echoed.encode()


def _not_json(n: int, handler: BaseHTTPRequestHandler) -> Reply:
    return 200, {"Content-Type": "application/json"}, f"{{broken {SECRET}".encode()


def _html_502(n: int, handler: BaseHTTPRequestHandler) -> Reply:
    return 502, {"Content-Type": "text/html"}, HTML_502


def _provoke(case: str) -> BaseException:
    """Run one failing call for `case`; return what it raised."""
    rw = {"keys": {SECRET: "rw"}}
    sandbox_cases: dict[str, tuple[dict[str, Any], dict[str, Any], str]] = {
        "401 unknown key": ({"keys": {"other": "rw"}}, {}, "get"),
        "400 read-only key": ({"keys": {SECRET: "ro"}}, {}, "put"),
        "400 not found": (rw, {}, "missing"),
        "429 per second": ({**rw, "rate_limit": 1}, {"max_throttle_retries": 0}, "burst"),
        "429 daily": ({**rw, "daily_limit": 0}, {"quota_floor": 0}, "get"),
        "5xx": ({**rw, "fail_rate": 1.0}, {"max_retries": 1}, "get"),
        "5xx put": ({**rw, "fail_rate": 1.0}, {}, "put"),
        "timeout": ({**rw, "latency_ms": 300}, {"timeout": 0.05, "max_retries": 1}, "get"),
        "dropped put": ({**rw, "drop_rate": 1.0}, {}, "put"),
        "quota floor": ({**rw, "daily_limit": 3}, {"quota_floor": 2}, "burst"),
    }
    server_cases = {"echoing gateway": _echo_key, "bad json": _not_json, "html 502": _html_502}
    if case in sandbox_cases:
        sandbox_options, client_options, action = sandbox_cases[case]
        with start_sandbox(**sandbox_options) as server:
            return _run(server.base_url, client_options, action)
    if case in server_cases:
        with tiny_server(server_cases[case]) as server:
            return _run(server.base_url, {"max_retries": 1}, "get")
    assert case == "connection refused"
    return _run(f"http://127.0.0.1:{closed_port()}", {"max_retries": 1}, "get")


def _run(base_url: str, options: dict[str, Any], action: str) -> BaseException:
    with make_client(base_url, SECRET, **options) as client:
        try:
            if action == "get":
                RESEARCHERS.list_page(client)
            elif action == "put":
                RESEARCHERS.write(
                    client, "someone", {"primary_id": "someone"}, partial=None, mode="put"
                )
            elif action == "missing":
                RESEARCHERS.get(client, "nobody")
            else:
                for _ in range(6):
                    RESEARCHERS.list_page(client, limit=1)
        except EsploroError as exc:
            return exc
    raise AssertionError(f"{action} against {base_url} did not fail")


LEAK_CASES = [
    "connection refused",
    "401 unknown key",
    "400 read-only key",
    "400 not found",
    "429 per second",
    "429 daily",
    "5xx",
    "5xx put",
    "timeout",
    "dropped put",
    "quota floor",
    "echoing gateway",
    "bad json",
    "html 502",
]


@pytest.mark.parametrize("case", LEAK_CASES)
def test_key_never_appears_in_errors_or_logs(case: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    exc = _provoke(case)
    assert_key_absent(exc)
    assert exc.__cause__ is None and exc.__context__ is None
    assert SECRET not in caplog.text
    for record in caplog.records:
        assert SECRET not in record.getMessage()


def test_a_raw_body_goes_as_it_is_with_its_type_and_the_answer_is_asked_for_as_json() -> None:
    from sheetsync.esploro.client import RawBody
    from tests.esploro.support import Seen, recording_server

    def answer(request: Seen) -> tuple[int, Any]:
        return 200, {"ok": True}

    xml = '<?xml version="1.0"?><r>é &amp; ü</r>'.encode()
    with recording_server(answer) as (base_url, seen), make_client(base_url) as client:
        assert client.request("POST", "x", {"op": "patch"}, raw=RawBody(xml, "application/xml"))
        client.request("POST", "y", body={"a": 1})
        with pytest.raises(ValueError, match="not both"):
            client.request("POST", "z", body={"a": 1}, raw=RawBody(b"", "text/plain"))
    raw, plain = seen
    assert (raw.body, raw.headers["content-type"]) == (xml, "application/xml")
    assert raw.headers["accept"] == "application/json" and raw.query == {"op": ["patch"]}
    assert (json.loads(plain.body), plain.headers["content-type"]) == ({"a": 1}, "application/json")


# -- answers' exact text (a snapshot keeps the bytes Esploro sent) ------------------------

_JSON_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=8)
)
_JSON_VALUES = st.recursive(
    _JSON_SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(st.dictionaries(st.text(max_size=6), _JSON_VALUES, max_size=4), max_size=4),
    before=st.dictionaries(
        st.text(max_size=6).filter(lambda k: k != "records"), _JSON_VALUES, max_size=2
    ),
    indent=st.sampled_from([None, 0, 2, 4]),
    ascii_only=st.booleans(),
)
def test_raw_items_slices_each_record_exactly_out_of_any_json_text(
    records: list[dict[str, Any]], before: dict[str, Any], indent: int | None, ascii_only: bool
) -> None:
    text = json.dumps({**before, "records": records}, indent=indent, ensure_ascii=ascii_only)
    items = raw_items(text, "records")
    assert [item.value for item in items] == records
    position = 0
    for item in items:  # each text is the record's own slice of the answer, in order
        position = text.index(item.text, position) + len(item.text)
        assert json.loads(item.text) == item.value


def test_raw_items_takes_a_lone_object_as_a_list_of_one_and_ignores_other_keys() -> None:
    (only,) = raw_items('{"user": {"primary_id": "1"}, "records": 3}', "user")
    assert only.text == '{"primary_id": "1"}'
    assert raw_items('{"total_record_count": 0}', "user") == []
    assert raw_items('{"records": [1, "x", {"a": 1}]}', "records")[0].text == '{"a": 1}'


def test_pages_come_in_order_with_a_bounded_window_fetched_ahead() -> None:
    """Export's pipeline: pages are fetched concurrently ahead of the consumer, handed over in
    the API's order, and a consumer that stops reading stops the fetching after a few pages."""
    server = start_sandbox(assets=3_000)
    try:
        expected: list[str] = []
        while len(expected) % 100 == 0:  # a plain sequential paging loop, to compare with
            params = {**EVERY_ASSET, "limit": "100", "offset": str(len(expected))}
            page = Api(server.base_url).get("/esploro/v1/assets", params=params).json()
            records = page.get("records", [])
            expected += [record["originalRepository"]["assetId"] for record in records]
            if not records:
                break
        with make_client(server.base_url, workers=8) as client:
            pages = client.pages("assets", EVERY_ASSET, "records", "totalRecordCount", None)
            first = [next(pages) for _ in range(101)]  # the first page, and one of the next
            time.sleep(0.5)  # the workers fetch ahead as far as the window lets them
            ahead = client.calls
            got = [*first, *pages]
            assert 2 <= ahead <= 1 + 16  # the first page, then min(4 x 8 workers, 16) pages
            assert client.calls == -(-len(expected) // 100)
        assert len(expected) > 3_000
        assert [record["originalRepository"]["assetId"] for record in got] == expected
    finally:
        server.stop()
