"""The client's pacing: one schedule of evenly spaced requests shared by every thread.

Esploro's per-second threshold is shared by the whole institution, and blind immediate retries
make it worse (docs/sandbox.md), so a client slows down on a 429 and recovers gently.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class RateLimiter:
    """One schedule for every thread of a client: requests leave evenly spaced, never in bursts.

    A next-slot scheduler: each caller reserves the next free slot under a lock and sleeps until
    it outside the lock. On a 429 the pace halves (once per congestion event: a 429 for a
    request sent before the last slow-down is the same event) and then climbs back by a
    fiftieth of the configured rate per success, so a shared institutional limit is probed
    gently instead of hammered.
    """

    def __init__(
        self,
        rate: float,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.max_rate = rate
        self._rate = rate
        self._min_rate = rate / 20
        self._clock = clock
        self._sleep = sleep
        self._next = clock()
        self._slowed_at = float("-inf")
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        """The pace in force now, in requests per second."""
        with self._lock:
            return self._rate

    def acquire(self) -> float:
        """Wait for this caller's slot; returns the time it was granted (for `slow_down`)."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next)
            self._next = slot + 1.0 / self._rate
        if slot > now:
            self._sleep(slot - now)
        return slot

    def slow_down(self, sent_at: float) -> None:
        """A 429 for a request granted at `sent_at`: halve the pace, once per congestion event."""
        with self._lock:
            if sent_at <= self._slowed_at:
                return
            self._rate = max(self._min_rate, self._rate / 2)
            self._slowed_at = self._clock()
            log.debug("rate limiter slowed to %.2f requests/s", self._rate)

    def speed_up(self) -> None:
        """A success: creep back toward the configured rate."""
        with self._lock:
            self._rate = min(self.max_rate, self._rate + self.max_rate / 50)

    def hold(self, seconds: float) -> None:
        """Let nobody send for `seconds` (a Retry-After applies to the whole institution)."""
        with self._lock:
            self._next = max(self._next, self._clock() + seconds)
