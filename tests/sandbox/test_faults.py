"""The per-second threshold, the quota and the fault injector on their own."""

from __future__ import annotations

import time

from sheetsync.sandbox.faults import DailyQuota, FaultInjector, PerSecondThreshold


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
