"""The gateway's limits and the sandbox's injected faults.

* `PerSecondThreshold`: the institution-wide per-second threshold. A token bucket holding
  one second's worth of requests, so a client that paces itself at the limit is never refused,
  and a burst beyond it gets HTTP 429 `PER_SECOND_THRESHOLD`. It is the gateway's side of the
  limit; the client's own pacing is `sheetsync.esploro.pacing`.
* `DailyQuota`: calls left today, reported in `X-Exl-Api-Remaining` on every response.
* `FaultInjector`: seeded coin flips for `--fail-rate`, `--drop-rate`, latency and jitter, so
  a failing run can be replayed with the same `--seed`.
* `WriteFaults`: a server that drops or retypes a named field whenever it stores a write
  (`--fault-drop-on-write`, `--fault-retype-on-write`), what apply's canary must catch.
* `count_view` and `PortalViews`: people viewing assets in the portal, which changes the
  records' view counters under a client's feet (`POST /_sandbox/assets/{id}/view`,
  `--views-per-second`).
"""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from typing import Any

from sheetsync.sandbox.store import Record, Store


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


@dataclass(frozen=True)
class WriteFaults:
    """Fields a misbehaving server drops or retypes on every write it stores. A field is named
    by its keys from the record's top, joined by "/" (`researcher/researcher_suffix`,
    `identifier.pmid`); a list on the way applies to each of its items."""

    drop: tuple[str, ...] = ()
    retype: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.drop or self.retype)

    def apply(self, record: Record) -> Record:
        """`record` as the faulty server stores it (changed in place, and returned)."""
        for name in self.drop:
            _at_field(record, name.split("/"), lambda parent, key: parent.pop(key))
        for name in self.retype:
            _at_field(record, name.split("/"), _retype_in)
        return record


def _at_field(node: Any, keys: list[str], change: Any) -> None:
    if isinstance(node, list):
        for item in node:
            _at_field(item, keys, change)
        return
    if not isinstance(node, dict) or keys[0] not in node:
        return
    if len(keys) == 1:
        change(node, keys[0])
    else:
        _at_field(node[keys[0]], keys[1:], change)


def _retype_in(parent: dict[str, Any], key: str) -> None:
    parent[key] = retyped(parent[key])


def retyped(value: Any) -> Any:
    """The same value in another JSON type: digits become a number, other text a one-item
    list, a number or boolean text, a list its first item, an object its JSON text."""
    if isinstance(value, str):
        return int(value) if value.isdigit() else [value]
    if isinstance(value, bool | int | float):
        return json.dumps(value)
    if isinstance(value, list):
        return value[0] if value else ""
    if isinstance(value, dict):
        return json.dumps(value, sort_keys=True)
    return ""


VIEWS = "asset.views"
DOWNLOADS = "asset.downloads"


def _plus_one(value: Any) -> Any:
    """A counter one higher, in the type it already has (a string stays a string)."""
    if isinstance(value, int) and not isinstance(value, bool):
        return value + 1
    if isinstance(value, str) and value.strip().isdigit():
        return str(int(value) + 1)
    return 1  # absent (or unreadable): created [guess: as an integer]


def count_view(store: Store, asset_id: str, download: bool) -> Record | None:
    """Someone looked at the asset in the portal (and downloaded it): its counters go up.

    Real assets carry `asset.views` and `asset.downloads`, which change with no one editing the
    record (evidence README): a client comparing whole records must not call that a conflict.
    The update date stays: a view is not an edit. None if there is no such asset.
    """

    def bump(record: Record) -> Record:
        record[VIEWS] = _plus_one(record.get(VIEWS))
        if download:
            record[DOWNLOADS] = _plus_one(record.get(DOWNLOADS))
        return record

    return store.update_asset(asset_id, bump, None)


class PortalViews:
    """`views_per_second`: random assets viewed in the portal, on a thread of their own.

    Never a record loaded verbatim (the captured asset stays byte-identical to its capture).
    """

    def __init__(self, store: Store, per_second: float, seed: int | None) -> None:
        self._store = store
        self._per_second = per_second
        self._random = random.Random(seed)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._per_second <= 0 or self._thread is not None:
            return
        asset_ids = self._store.asset_ids(include_verbatim=False)
        if not asset_ids:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._run, args=(asset_ids,), name="sandbox-views", daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _run(self, asset_ids: list[str]) -> None:
        """One view every 1/N seconds on a fixed schedule, so a slow write never lowers N."""
        started, n = time.monotonic(), 0
        while not self._stop.wait(max(0.0, started + n / self._per_second - time.monotonic())):
            count_view(self._store, self._random.choice(asset_ids), download=False)
            n += 1
