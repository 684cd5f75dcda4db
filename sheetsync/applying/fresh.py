"""Fresh records for apply and rollback: read as many to a GET as the entity allows (100
assets; researchers one each), just before they are written.

Apply writes a record onto the record as it is now, never as it was at plan time, so each is
read again before its write. An asset write (op=patch) costs one request and its read 1/100th
of one, so the ceiling at 25 requests/s goes from 12.5 to 25 / (1 + 1/100) ≈ 24.75 records/s.
The records are read in the order they are written, a batch at a time; the next batch is read
in the background once half of the one in use is taken, so the writes never wait for it.

The window. A record read in a batch is written a few seconds later (at 25 writes/s, 2 to 6 s: a
batch of 100 is read while the one before is half written), where a record read alone is written
~0.2 s later. A batch holds no more records than the client's rate writes in half of
`MAX_AGE_SECONDS`, and a record whose batch was read longer ago than that is read again alone. A
change made in Esploro before the batch read is seen: the stale check is the same as for a
record read alone. A change made inside the window, between the batch read and the write, is not
seen by the stale check, as with a single read: Esploro offers no conditional write. It is safe
where it touches a field the plan does not write: an asset is written by op=patch of the plan's
own top-level fields only, so the rest of the record, as Esploro holds it at the write, is kept.
A change to a field the plan writes, made inside those seconds, is overwritten, as it would be
inside the single read's fraction of a second. A write whose answer is lost is settled by a read
of the record alone (`_Run.live`), never from a batch. Each record is taken from its batch once:
a second read of it in the same run is a GET of its own.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Entity

Record = dict[str, Any]
MAX_AGE_SECONDS = 10.0  # a batch read longer ago than this is no longer fresh


@dataclass
class _Read:
    """One batch read: when it was sent, and the records not taken yet (None: missing)."""

    sent_at: float
    records: dict[str, Record | None]


class FreshReader:
    """The records of `ids` (in the order they will be written), each read fresh, in batches
    of the entity's `read_batch_size`; an ID not in `ids` is read alone. Thread-safe."""

    def __init__(
        self,
        entity: Entity,
        client: EsploroClient,
        ids: Sequence[str] = (),
        *,
        max_age: float | None = None,
    ) -> None:
        self.entity = entity
        self.client = client
        self.max_age = MAX_AGE_SECONDS if max_age is None else max_age
        # no more than the rate writes in half the age: a batch is then used up while fresh
        size = min(entity.read_batch_size, max(1, int(client.rate * self.max_age / 2)))
        unique = list(dict.fromkeys(ids)) if size > 1 else []
        self._batches = [unique[n : n + size] for n in range(0, len(unique), size)]
        self._batch_of = {i: n for n, batch in enumerate(self._batches) for i in batch}
        self._reads: dict[int, Future[_Read]] = {}
        self._taken: dict[int, int] = {}
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None

    def get(self, record_id: str) -> Record:
        """The record as Esploro holds it now: from its batch when that was read less than
        `max_age` ago and the record is there; otherwise (missing, a failed batch read, taken
        already) read alone, which raises what `Entity.get` raises."""
        read = self._read_of(record_id)
        if read is None or time.monotonic() - read.sent_at > self.max_age:
            return self.entity.get(self.client, record_id)
        with self._lock:
            record = read.records.pop(record_id, None)
        return record if record is not None else self.entity.get(self.client, record_id)

    def _read_of(self, record_id: str) -> _Read | None:
        """The batch read holding `record_id` (started now if not yet), the next one started
        once half of this one is taken; None if it is in no batch or its read failed."""
        n = self._batch_of.get(record_id)
        if n is None:
            return None
        with self._lock:
            future = self._start(n)
            self._taken[n] = self._taken.get(n, 0) + 1
            if self._taken[n] * 2 >= len(self._batches[n]):
                self._start(n + 1)
            if self._taken[n] == len(self._batches[n]):
                del self._reads[n]  # every record taken: the batch is let go
        try:
            return future.result()
        except SheetsyncError:  # each record is read alone instead, and fails on its own
            return None

    def _start(self, n: int) -> Future[_Read]:
        """The read of batch `n`, sent in the background the first time it is asked for."""
        future = self._reads.get(n)
        if future is None and n < len(self._batches) and n not in self._taken:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="sheetsync-fresh")
            future = self._reads[n] = self._pool.submit(self._read, self._batches[n])
        if future is None:  # past the end, or let go: never asked for by a record
            future = Future[_Read]()
            future.set_result(_Read(0.0, {}))
        return future

    def _read(self, ids: list[str]) -> _Read:
        sent_at = time.monotonic()
        records = self.entity.read_batch(self.client, ids)
        return _Read(sent_at, dict(zip(ids, records, strict=True)))

    def close(self) -> None:
        """Wait for a read in flight; drop those not started."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> FreshReader:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
