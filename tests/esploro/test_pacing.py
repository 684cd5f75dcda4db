"""The shared request schedule, on a fake clock: even spacing, halving on 429, gentle recovery."""

from __future__ import annotations

from itertools import pairwise

import pytest

from sheetsync.esploro.pacing import RateLimiter


def test_limiter_spaces_requests_evenly_and_halves_once_per_event() -> None:
    now = [100.0]

    def sleep(seconds: float) -> None:
        now[0] += seconds

    limiter = RateLimiter(10.0, clock=lambda: now[0], sleep=sleep)
    slots = [limiter.acquire() for _ in range(5)]
    assert [round(b - a, 6) for a, b in pairwise(slots)] == [0.1] * 4
    first, second = limiter.acquire(), limiter.acquire()
    limiter.slow_down(first)
    limiter.slow_down(second)  # sent before the slow-down: the same congestion event
    assert limiter.rate == 5.0
    limiter.slow_down(limiter.acquire())
    assert limiter.rate == 2.5
    for _ in range(200):
        limiter.speed_up()
    assert limiter.rate == 10.0


def test_hold_delays_everyone_and_a_bad_rate_is_refused() -> None:
    now = [0.0]
    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=lambda s: now.__setitem__(0, now[0] + s))
    limiter.hold(2.0)
    assert limiter.acquire() == 2.0
    assert limiter.acquire() == 2.25
    with pytest.raises(ValueError):
        RateLimiter(0)
