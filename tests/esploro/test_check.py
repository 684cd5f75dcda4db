"""`run_check` against a real sandbox: what a key can read, quota, latency; nothing written."""

from __future__ import annotations

import math
import socket

from sheetsync.esploro.check import CheckReport, run_check
from sheetsync.esploro.client import EsploroClient
from sheetsync.sandbox import READ_ONLY_KEY, READ_WRITE_KEY, Sandbox
from tests.conftest import Api
from tests.esploro.support import Seen, recording_server


def check(base_url: str, key: str, max_retries: int = 4) -> CheckReport:
    client = EsploroClient(base_url, key, rate=1000.0, backoff_base=0.01, max_retries=max_retries)
    with client:
        return run_check(client, "test key")


def test_read_write_key_reads_both(sandbox: Sandbox) -> None:
    report = check(sandbox.base_url, READ_WRITE_KEY)
    assert report.ok
    assert (report.can_read_researchers, report.can_read_assets) == (True, True)
    assert (report.researchers_error, report.assets_error) == (None, None)
    assert (report.base_url, report.key_source) == (sandbox.base_url, "test key")
    assert report.calls_used == 3
    assert isinstance(report.remaining_quota, int) and report.remaining_quota > 0
    assert 0 < report.latency_ms < 1000
    stats = Api(sandbox.base_url).stats()
    assert (stats["total"], stats["writes"]) == (3, 0)
    assert stats["by_method"] == {"GET": 3}


def test_assets_are_probed_with_the_apis_test_call_not_a_list() -> None:
    """`GET /assets` lists nothing without a filter; `GET /assets/test` is the API's own
    "does this key work" call (esploro-assets-openapi.json)."""

    def answer(request: Seen) -> tuple[int, object]:
        return 200, {"total_record_count": 0}

    with recording_server(answer) as (base_url, seen):
        report = check(base_url, READ_WRITE_KEY)
    assert report.ok
    assert [(r.method, r.path, r.query) for r in seen] == [
        ("GET", "/esploro/v1/researchers", {"limit": ["1"]}),
        ("GET", "/esploro/v1/assets/test", {}),
        ("GET", "/esploro/v1/researchers", {"limit": ["1"]}),
    ]


def test_read_only_key_reads_both(sandbox: Sandbox) -> None:
    assert check(sandbox.base_url, READ_ONLY_KEY).ok


def test_bogus_key_reads_nothing_and_says_why(sandbox: Sandbox) -> None:
    report = check(sandbox.base_url, "bogus-key")
    assert not report.ok
    assert (report.can_read_researchers, report.can_read_assets) == (False, False)
    for error in (report.researchers_error, report.assets_error):
        assert error is not None
        assert "UNAUTHORIZED" in error and "trackingId E01-" in error
        assert "bogus-key" not in error
    assert report.calls_used == 3
    assert math.isfinite(report.latency_ms)  # an error answer is still a round trip


def test_unreachable_host_is_reported_not_raised() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    report = check(f"http://127.0.0.1:{port}", READ_WRITE_KEY, max_retries=0)
    assert (report.can_read_researchers, report.can_read_assets) == (False, False)
    assert report.researchers_error is not None and "no answer" in report.researchers_error
    assert report.assets_error == report.researchers_error
    assert math.isnan(report.latency_ms)
    assert (report.calls_used, report.remaining_quota) == (1, None)
