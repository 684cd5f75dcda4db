"""Records on worker threads, for apply and rollback alike.

Each record costs a read and a write whose time is mostly the API's latency (150 ms and more
from a distant institution), so one record at a time runs at a fraction of the rate the API
allows. Several threads hide the latency; the client's one rate limiter still sets the pace.
A run stops early for a reason any thread may find (a refused write, the quota floor, the
canary) or on Ctrl-C: the records in flight finish and are journaled, the rest are reported
as not attempted, and running the command again carries on from the journal.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from typing import TYPE_CHECKING, TypeVar

from sheetsync.progress import Progress

if TYPE_CHECKING:
    from sheetsync.applying.run import RecordResult

T = TypeVar("T")


class Stop:
    """Why a run stops early: the first reason given wins, and no record starts after it."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self._lock = threading.Lock()
        self.reason = ""

    def __call__(self, reason: str) -> None:
        with self._lock:
            if not self._event.is_set():
                self.reason = reason
                self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()


def on_workers(
    attempt: Callable[[T], RecordResult],
    items: Sequence[T],
    *,
    workers: int,
    stop: Stop,
    progress: Progress,
    not_attempted: Callable[[T, str], RecordResult],
) -> tuple[list[RecordResult], bool]:
    """`attempt` each item on `workers` threads, no more in flight than that; the results in
    the items' order, and whether Ctrl-C came. Once `stop` is set (by an attempt, or here on
    Ctrl-C) the items not started get `not_attempted(item, reason)`."""
    done: dict[int, RecordResult] = {}
    running: dict[Future[RecordResult], int] = {}
    upcoming = iter(range(len(items)))
    interrupted = False
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sheetsync") as pool:
        try:
            while True:
                while len(running) < workers and not stop.is_set():
                    index = next(upcoming, None)
                    if index is None:
                        break
                    running[pool.submit(attempt, items[index])] = index
                if not running:
                    break
                finished, _ = wait(running, return_when=FIRST_COMPLETED)
                for future in finished:
                    done[running.pop(future)] = result = future.result()
                    progress.tally(result.status)
                    progress.advance(1)
        except KeyboardInterrupt:
            interrupted = True
            stop("interrupted")
            for future, index in running.items():
                done[index] = future.result()
    reason = stop.reason or "interrupted"
    return [
        done[i] if i in done else not_attempted(items[i], reason) for i in range(len(items))
    ], interrupted
