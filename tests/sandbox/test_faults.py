"""The per-second threshold, the quota and the fault injector on their own."""

from __future__ import annotations

import time

from sheetsync.errors import SANDBOX_HEADER
from sheetsync.sandbox import READ_ONLY_KEY
from sheetsync.sandbox.faults import (
    DailyQuota,
    FaultInjector,
    PerSecondThreshold,
    WriteFaults,
    retyped,
)
from tests.conftest import Api, start_sandbox


def test_per_second_threshold_allows_one_second_of_burst_then_refills() -> None:
    threshold = PerSecondThreshold(5.0)
    assert [threshold.allow() for _ in range(7)] == [True] * 5 + [False] * 2
    time.sleep(0.45)
    assert threshold.allow() and threshold.allow()


def test_daily_quota_counts_down_to_zero() -> None:
    quota = DailyQuota(2)
    assert [quota.take() for _ in range(3)] == [(True, 1), (True, 0), (False, 0)]
    assert quota.remaining == 0


def test_fault_injector_is_reproducible_with_a_seed() -> None:
    def rolls(seed: int) -> list[object]:
        faults = FaultInjector(seed, 0.3, 0.3, 0, 0)
        return [(faults.should_fail(), faults.should_drop()) for _ in range(50)]

    assert rolls(3) == rolls(3)
    assert rolls(3) != rolls(4)


def test_fault_injector_with_zero_rates_never_faults() -> None:
    faults = FaultInjector(1, 0.0, 0.0, 0, 0)
    assert not any(faults.should_fail() or faults.should_drop() for _ in range(1000))


def test_write_faults_drop_and_retype_named_fields_through_lists() -> None:
    record = {
        "job_description": "Fellow",
        "researcher": {"affiliations": [{"code": "A", "order": "1"}, {"code": "B"}]},
        "identifier.pmid": "123",
    }
    faults = WriteFaults(drop=("job_description", "researcher/affiliations/code", "absent/x"))
    faults = WriteFaults(faults.drop, retype=("identifier.pmid", "researcher/affiliations/order"))
    assert faults.apply(record) == {
        "researcher": {"affiliations": [{"order": 1}, {}]},
        "identifier.pmid": 123,
    }
    assert not WriteFaults() and faults


def test_retyped_values_change_their_json_type() -> None:
    assert [retyped(v) for v in ("12", "x", 3, True, [1, 2], [], {"a": 1}, None)] == [
        12,
        ["x"],
        "3",
        "true",
        1,
        "",
        '{"a": 1}',
        "",
    ]


def test_the_sandbox_says_so_in_every_api_answer_unless_it_pretends() -> None:
    server = start_sandbox(researchers=2, assets=1)
    pretending = start_sandbox(researchers=2, assets=1, pretend_production=True)
    try:
        answered = Api(server.base_url).get("/esploro/v1/researchers")
        refused = Api(server.base_url, READ_ONLY_KEY).put("/esploro/v1/researchers/x", {})
        assert answered.headers[SANDBOX_HEADER] == "1" and refused.headers[SANDBOX_HEADER] == "1"
        plain = Api(pretending.base_url).get("/esploro/v1/researchers")
        assert plain.status_code == 200 and SANDBOX_HEADER not in plain.headers
    finally:
        server.stop()
        pretending.stop()


def test_a_sandbox_dropping_a_field_on_write_drops_it_from_the_stored_record() -> None:
    server = start_sandbox(researchers=2, assets=1, drop_on_write=("job_description",))
    try:
        api = Api(server.base_url)
        url = f"/esploro/v1/researchers/{api.researcher_ids(1)[0]}"
        record = api.get(url).json()
        assert record["job_description"]
        assert "job_description" not in api.put(url, record).json()
        assert "job_description" not in api.get(url).json()
    finally:
        server.stop()
