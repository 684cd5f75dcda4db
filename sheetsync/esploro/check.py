"""`sheetsync check`: can this key read what an export needs, and how fast is the server?

A handful of small GETs, nothing written. Every failure is captured as text in the report,
never raised, so the report can say "researchers: yes, assets: no (UNAUTHORIZED, trackingId
...)" in one go: a key allowed one API area and not the other is a common misconfiguration.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from sheetsync.errors import EsploroConnectionError, EsploroError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import ASSETS, RESEARCHERS, Entity

# The probes, in order: one per entity an export reads, then the first again for a third timing.
PROBES = (RESEARCHERS, ASSETS, RESEARCHERS)


@dataclass(frozen=True)
class CheckReport:
    base_url: str
    key_source: str
    can_read_researchers: bool
    can_read_assets: bool
    researchers_error: str | None
    assets_error: str | None
    remaining_quota: int | None
    latency_ms: float  # median round trip of the probes that got an answer; NaN if none did
    calls_used: int

    @property
    def ok(self) -> bool:
        return self.can_read_researchers and self.can_read_assets


@dataclass
class _Probe:
    error: str | None
    round_trip_ms: float | None
    unreachable: bool


def _probe(client: EsploroClient, entity: Entity) -> _Probe:
    """The entity's smallest read: the error text if it failed, and the round trip if answered."""
    try:
        entity.probe(client)
    except EsploroConnectionError as exc:
        return _Probe(str(exc), None, True)
    except EsploroError as exc:  # API errors and the quota floor alike go into the report
        return _Probe(str(exc), client.last_round_trip_ms, False)
    return _Probe(None, client.last_round_trip_ms, False)


def run_check(client: EsploroClient, key_source: str) -> CheckReport:
    """Probe researchers and assets with `client`; report access, quota and latency."""
    calls_before = client.calls
    errors: dict[str, str | None] = {}
    timings: list[float] = []
    unreachable: str | None = None
    for entity in PROBES:
        if unreachable is not None:  # one dead host is enough: no more retries and waits
            errors.setdefault(entity.name, unreachable)
            continue
        probe = _probe(client, entity)
        errors.setdefault(entity.name, probe.error)
        if probe.round_trip_ms is not None:
            timings.append(probe.round_trip_ms)
        if probe.unreachable:
            unreachable = probe.error
    return CheckReport(
        base_url=client.base_url,
        key_source=key_source,
        can_read_researchers=errors[RESEARCHERS.name] is None,
        can_read_assets=errors[ASSETS.name] is None,
        researchers_error=errors[RESEARCHERS.name],
        assets_error=errors[ASSETS.name],
        remaining_quota=client.remaining_quota,
        latency_ms=statistics.median(timings) if timings else float("nan"),
        calls_used=client.calls - calls_before,
    )
