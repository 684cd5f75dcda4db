"""Request counters behind `GET /_sandbox/stats`.

Tests and benchmarks use them to prove what sheetsync sent: "exactly 100 PUTs and no GET for
rows without edits", "zero write requests for a refused workbook". Only Esploro API requests are
counted, never `/_sandbox/` ones, so reading the stats does not change them.
"""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

WRITE_METHODS = frozenset({"PUT", "POST", "DELETE", "PATCH"})
DROPPED = "dropped"  # the status recorded for a write answered by closing the connection


class RequestStats:
    def __init__(self) -> None:
        self._counts: Counter[tuple[str, str, str]] = Counter()
        self._lock = threading.Lock()

    def record(self, method: str, resource: str, status: int | str) -> None:
        with self._lock:
            self._counts[(method, resource, str(status))] += 1

    def reset(self) -> None:
        with self._lock:
            self._counts.clear()

    def snapshot(self) -> dict[str, Any]:
        """Totals by method, resource and status, plus every combination seen."""
        with self._lock:
            counts = dict(self._counts)
        by_method: Counter[str] = Counter()
        by_resource: Counter[str] = Counter()
        by_status: Counter[str] = Counter()
        for (method, resource, status), n in counts.items():
            by_method[method] += n
            by_resource[resource] += n
            by_status[status] += n
        return {
            "total": sum(counts.values()),
            "writes": sum(n for (method, _, _), n in counts.items() if method in WRITE_METHODS),
            "by_method": dict(sorted(by_method.items())),
            "by_resource": dict(sorted(by_resource.items())),
            "by_status": dict(sorted(by_status.items())),
            "requests": [
                {"method": m, "resource": r, "status": s, "count": n}
                for (m, r, s), n in sorted(counts.items())
            ],
        }
