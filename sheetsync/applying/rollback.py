"""`rollback`: restore what an apply wrote, from its journal, without overwriting anyone.

Each record the journal says apply wrote (and did not roll back yet) is read again; only if it
is still exactly what sheetsync wrote is its before-image written back. A record changed since
is reported and left alone: a colleague's later save is never undone. Like apply, rollback is
journaled (`rollback-begin`, `rollback-done`) and can be run again after a crash.
"""

from __future__ import annotations

from typing import Any

from sheetsync.applying.journal import Journal, JournalEvent, JournalLocation, open_journal
from sheetsync.applying.run import ApplyResult, ApplyStatus, RecordResult, check_target
from sheetsync.errors import EsploroApiError, EsploroConnectionError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Entity, entity_of
from sheetsync.planning.model import Plan
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.records import fingerprint

Record = dict[str, Any]


def rollback_plan(
    client: EsploroClient,
    plan: Plan,
    *,
    journal: JournalLocation,
    progress: Progress = NO_PROGRESS,
) -> ApplyResult:
    """Restore the before-image of every record the journal says apply wrote, each only if the
    record still is what sheetsync wrote; otherwise it is reported, never overwritten."""
    check_target(client, plan)
    opened = open_journal(journal, plan.checksum)
    undo = _Undo(client, entity_of(plan.entity), opened)
    written = _written(opened)
    progress.start(len(written))
    results = []
    for record_id, (before, after_fingerprint) in written.items():
        results.append(undo.record(record_id, before, after_fingerprint))
        progress.advance(1)
    return ApplyResult(tuple(results), opened.path)


def _written(journal: Journal) -> dict[str, tuple[Record, str]]:
    """Per record apply wrote (and did not roll back yet): its before-image, its after-print."""
    befores: dict[str, Record] = {}
    written: dict[str, tuple[Record, str]] = {}
    for entry in journal.entries():
        if entry.event == JournalEvent.BEGIN:
            befores[entry.record_id] = dict(entry.data["before"])
        elif entry.event == JournalEvent.DONE and entry.record_id in befores:
            after = str(entry.data["after_fingerprint"])
            written[entry.record_id] = (befores[entry.record_id], after)
        elif entry.event in (JournalEvent.ROLLBACK_DONE, JournalEvent.ROLLBACK_SKIPPED):
            written.pop(entry.record_id, None)
    return written


class _Undo:
    """One rollback run: the client, the entity's adapter and the journal."""

    def __init__(self, client: EsploroClient, entity: Entity, journal: Journal) -> None:
        self.client = client
        self.entity = entity
        self.journal = journal

    def record(self, record_id: str, before: Record, after: str) -> RecordResult:
        try:
            live = self.entity.get(self.client, record_id)
            now = fingerprint(live)
            if now == fingerprint(before):  # an earlier rollback's write landed
                self.journal.append(JournalEvent.ROLLBACK_DONE, record_id, settled=True)
                return RecordResult(record_id, ApplyStatus.ROLLED_BACK)
            if now != after:
                reason = "changed since sheetsync wrote it: not overwritten"
                self.journal.append(JournalEvent.ROLLBACK_SKIPPED, record_id, reason=reason)
                return RecordResult(record_id, ApplyStatus.SKIPPED, error_message=reason)
            self.journal.append(JournalEvent.ROLLBACK_BEGIN, record_id)
            self.entity.restore(self.client, record_id, before)
        except EsploroApiError as exc:
            return RecordResult(
                record_id,
                ApplyStatus.FAILED,
                (),
                (),
                exc.detail.error_code,
                exc.detail.error_message,
                exc.detail.tracking_id,
            )
        except EsploroConnectionError as exc:
            message = f"{exc}; run rollback again"
            return RecordResult(record_id, ApplyStatus.FAILED, error_message=message)
        self.journal.append(JournalEvent.ROLLBACK_DONE, record_id)
        return RecordResult(record_id, ApplyStatus.ROLLED_BACK)
