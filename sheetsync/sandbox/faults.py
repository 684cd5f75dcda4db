"""The gateway's limits and the sandbox's injected faults.

* `PerSecondThreshold`: the institution-wide per-second threshold. A token bucket holding
  one second's worth of requests, so a client that paces itself at the limit is never refused,
  and a burst beyond it gets HTTP 429 `PER_SECOND_THRESHOLD`. It is the gateway's side of the
  limit; the client's own pacing is `sheetsync.esploro.pacing`.
* `DailyQuota`: calls left today, reported in `X-Exl-Api-Remaining` on every response.
* `FaultInjector`: seeded coin flips for `--fail-rate`, `--drop-rate`, latency and jitter, so
  a failing run can be replayed with the same `--seed`.
"""

from __future__ import annotations

import random
import threading
import time


class PerSecondThreshold:
    def __init__(self, per_second: float) -> None:
        self._rate = per_second
        self._tokens = per_second
        self._stamp = time.monotonic()
        self._lock = threading.Lock()

    def allow(self) -> bool:
        """Take one token if there is one; False means answer 429."""
        with self._lock:
            now = time.monotonic()
            self._tokens = min(self._rate, self._tokens + (now - self._stamp) * self._rate)
            self._stamp = now
            if self._tokens >= 1.0:
                self._tokens -= 1.0
                return True
            return False


class DailyQuota:
    def __init__(self, limit: int) -> None:
        self._limit = limit
        self._used = 0
        self._lock = threading.Lock()

    def take(self) -> tuple[bool, int]:
        """Count one call; returns (allowed, calls remaining after it)."""
        with self._lock:
            if self._used >= self._limit:
                return False, 0
            self._used += 1
            return True, self._limit - self._used

    @property
    def remaining(self) -> int:
        with self._lock:
            return max(0, self._limit - self._used)


class FaultInjector:
    def __init__(
        self,
        seed: int | None,
        fail_rate: float,
        drop_rate: float,
        latency_ms: float,
        jitter_ms: float,
    ) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self.fail_rate = fail_rate
        self.drop_rate = drop_rate
        self.latency_ms = latency_ms
        self.jitter_ms = jitter_ms

    def _roll(self) -> float:
        with self._lock:
            return self._random.random()

    def should_fail(self) -> int | None:
        """The status (500 or 503) to fail this request with, or None."""
        if self.fail_rate <= 0:
            return None
        roll = self._roll()
        if roll >= self.fail_rate:
            return None
        return 500 if roll < self.fail_rate / 2 else 503

    def should_drop(self) -> bool:
        """Whether to close the connection instead of answering this committed write."""
        return self.drop_rate > 0 and self._roll() < self.drop_rate

    def delay(self) -> None:
        """Sleep the configured latency plus up to `jitter_ms` (per request, not per server)."""
        delay_ms = self.latency_ms
        if self.jitter_ms > 0:
            delay_ms += self._roll() * self.jitter_ms
        if delay_ms > 0:
            time.sleep(delay_ms / 1000.0)
