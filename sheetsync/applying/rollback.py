"""`rollback`: restore what an apply wrote, from its journal, without overwriting anyone.

Each record the journal says apply wrote (and did not roll back yet) is read again; only if it
is still exactly what sheetsync wrote is its before-image written back, through the entity's
own write: a researcher's whole record PUT back, an asset's written fields patched back with
op=patch. op=patch cannot empty a field, so a field that was empty before the apply cannot be
restored through the API: the record says so ("cannot be restored through the API"), never
passes for rolled back. A record changed since is reported and left alone: a colleague's later
save is never undone. Like apply, rollback is journaled (`rollback-begin`, `rollback-done`) and
can be run again after a crash. The records are read again in batches where the entity
allows (100 assets to a GET), just before they are restored (`fresh.py`, with its window), and
restored on the client's worker threads, as apply writes (`workers.py`): one at a time, a
rollback ran at half apply's pace, waiting out each request's latency.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sheetsync.applying.fresh import FreshReader
from sheetsync.applying.journal import Journal, JournalEvent, JournalLocation, open_journal
from sheetsync.applying.run import (
    ApplyResult,
    ApplyStatus,
    RecordResult,
    check_target,
    write_landed,
)
from sheetsync.applying.workers import Stop, on_workers
from sheetsync.errors import (
    ApplyError,
    EsploroApiError,
    EsploroConnectionError,
    QuotaFloorReached,
)
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Entity, Restored, entity_of
from sheetsync.fieldpath import parse_path, read_value
from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.records import fingerprint
from sheetsync.report.words import (
    NEVER_LANDED_NOTE,
    NOTHING_TO_ROLL_BACK_NOTE,
    unrestorable_message,
)

Record = dict[str, Any]


def rollback_plan(
    client: EsploroClient,
    plan: Plan,
    *,
    journal: JournalLocation,
    only: Collection[str] | None = None,
    progress: Progress = NO_PROGRESS,
) -> ApplyResult:
    """Restore the before-image of every record the journal says apply wrote (of those in
    `only`, if given), each only if the record still is what sheetsync wrote; otherwise it is
    reported, never overwritten."""
    check_target(client, plan)
    planned = {record.record_id: record for record in plan.records}
    _check_only(planned, only)
    opened = open_journal(journal, plan.checksum)
    written = _written(opened)
    chosen = [i for i in written if only is None or i in only]
    entity = entity_of(plan.entity)
    progress.start(len(chosen))
    with FreshReader(entity, client, chosen) as reader:
        undo = _Undo(client, entity, opened, reader)
        results, interrupted = on_workers(
            lambda record_id: undo.record(planned[record_id], written[record_id]),
            chosen,
            workers=client.workers,
            stop=undo.stop,
            progress=progress,
            not_attempted=lambda record_id, reason: RecordResult(
                record_id, ApplyStatus.NOT_ATTEMPTED, error_message=reason
            ),
        )
    results += [_nothing_to_undo(i) for i in planned if only and i in only and i not in written]
    return ApplyResult(tuple(results), opened.path, interrupted, undo.stop.reason)


def _check_only(planned: Mapping[str, RecordPlan], only: Collection[str] | None) -> None:
    """Refuse `--only` IDs the plan does not hold, naming them, before anything is written."""
    unknown = sorted(set(only or ()) - set(planned))
    if unknown:
        raise ApplyError(f"not in the plan: {', '.join(unknown)}")


def _nothing_to_undo(record_id: str) -> RecordResult:
    """A record named in `--only` that the journal holds no unreversed write of."""
    return RecordResult(
        record_id, ApplyStatus.NOTHING_TO_UNDO, error_message=NOTHING_TO_ROLL_BACK_NOTE
    )


_WRITTEN = (JournalEvent.DONE, JournalEvent.IGNORED)  # answered: the record may have changed


@dataclass(frozen=True)
class Written:
    """What rollback knows of one record apply wrote: the before-image to restore; the record
    as sheetsync left it (its fingerprint), if a write was answered; and the journal's `begin`
    of a write never answered (the run was killed while it was in flight), if there is one."""

    before: Record
    after: str | None = None
    unanswered: Mapping[str, Any] | None = None
    # the journal's `rollback-begin`, if a rollback began writing the before-image back
    restoring: Mapping[str, Any] | None = None


def _written(journal: Journal) -> dict[str, Written]:
    """Per record apply wrote, or may have written (and did not roll back yet). A record
    written twice (its clears held back, then applied) keeps the first write's before-image
    when the second was made onto the first's result: rolling back undoes both."""
    found: dict[str, Written] = {}
    for entry in journal.entries():
        record_id, known = entry.record_id, found.get(entry.record_id)
        if entry.event == JournalEvent.BEGIN:
            before = dict(entry.data["before"])
            if known is None or known.after is None or fingerprint(before) != known.after:
                known = Written(before)
            found[record_id] = replace(known, unanswered=entry.data)
        elif known is None:
            continue
        elif entry.event in _WRITTEN:
            after = str(entry.data["after_fingerprint"])
            found[record_id] = replace(known, after=after, unanswered=None)
        elif entry.event in (JournalEvent.ROLLBACK_DONE, JournalEvent.ROLLBACK_SKIPPED):
            del found[record_id]
        elif entry.event == JournalEvent.ROLLBACK_BEGIN:
            found[record_id] = replace(known, restoring=entry.data)
        elif known.unanswered is not None:  # failed, stale: answered, nothing written
            found[record_id] = replace(known, unanswered=None)
    return {i: w for i, w in found.items() if w.after is not None or w.unanswered is not None}


class _Undo:
    """One rollback run: the client, the entity's adapter, the journal, the fresh reads."""

    def __init__(
        self, client: EsploroClient, entity: Entity, journal: Journal, reader: FreshReader
    ) -> None:
        self.client = client
        self.entity = entity
        self.journal = journal
        self.reader = reader
        self.stop = Stop()  # the quota floor stops the whole run

    def record(self, planned: RecordPlan, written: Written) -> RecordResult:
        """Restore one record if it is still what sheetsync wrote (on a worker thread)."""
        record_id, before = planned.record_id, written.before
        try:
            live = self.reader.get(record_id)
            now = fingerprint(live)
            earlier = self._settled_earlier(planned, written, now)
            if earlier is not None:
                return earlier
            after = written.after
            if written.unanswered is not None:
                landed = write_landed(live, planned, written.unanswered)
                if landed:
                    after = now  # the write in flight when apply was killed: undo it
                elif landed is False and after is None:
                    return self._never_landed(record_id)
            if now != after:
                reason = "changed since sheetsync wrote it: not overwritten"
                self.journal.append(JournalEvent.ROLLBACK_SKIPPED, record_id, reason=reason)
                return RecordResult(record_id, ApplyStatus.SKIPPED, error_message=reason)
            fields = _written_fields(planned)
            expected = fingerprint(self.entity.restored_image(live, before, fields))
            self.journal.append(
                JournalEvent.ROLLBACK_BEGIN, record_id, expected_fingerprint=expected
            )
            restored = self.entity.restore(self.client, record_id, before, fields)
        except QuotaFloorReached as exc:
            self.stop(str(exc))
            return RecordResult(record_id, ApplyStatus.NOT_ATTEMPTED, error_message=str(exc))
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
        return self._done(planned, before, restored)

    def _settled_earlier(
        self, planned: RecordPlan, written: Written, now: str
    ) -> RecordResult | None:
        """The record is as a rollback leaves it (its fingerprint `now`): an earlier rollback's
        write landed, though its answer may have been lost; or apply's write never did. None
        if it still has to be looked at."""
        record_id, before = planned.record_id, written.before
        if now == fingerprint(before):
            if written.after is None and written.restoring is None:  # no write landed
                return self._never_landed(record_id)
            self.journal.append(JournalEvent.ROLLBACK_DONE, record_id, settled=True)
            return RecordResult(record_id, ApplyStatus.ROLLED_BACK)
        if written.restoring and now == written.restoring.get("expected_fingerprint"):
            # a field op=patch could not put back keeps it from matching the before-image
            kept = self.entity.unrestorable(before, _written_fields(planned))
            return self._done(planned, before, Restored(None, kept))
        return None

    def _never_landed(self, record_id: str) -> RecordResult:
        """A write whose answer never came and which Esploro does not show: nothing to undo.
        Journaled as rolled back, so an apply run again leaves the record as the rollback did."""
        self.journal.append(JournalEvent.ROLLBACK_DONE, record_id, settled=True, never_landed=True)
        return RecordResult(record_id, ApplyStatus.NOTHING_TO_UNDO, error_message=NEVER_LANDED_NOTE)

    def _done(self, planned: RecordPlan, before: Record, restored: Restored) -> RecordResult:
        """Journal the restore; a field the API could not put back is this record's outcome."""
        record_id = planned.record_id
        kept = _not_restored(planned, before, restored)
        unrestorable = list(restored.unrestorable)
        self.journal.append(JournalEvent.ROLLBACK_DONE, record_id, unrestorable=unrestorable)
        if not restored.unrestorable:
            return RecordResult(record_id, ApplyStatus.ROLLED_BACK, warnings=kept)
        message = unrestorable_message(restored.unrestorable)
        return RecordResult(
            record_id, ApplyStatus.NOT_RESTORED, warnings=kept, error_message=message
        )


def _written_fields(planned: RecordPlan) -> tuple[str, ...]:
    """The top-level fields apply wrote: the op=patch body's, or those the edits start at."""
    if planned.partial_body is not None:
        return tuple(planned.partial_body)
    return tuple(dict.fromkeys(_key(e) for e in _writes(planned)))


def _not_restored(planned: RecordPlan, before: Record, restored: Restored) -> tuple[str, ...]:
    """Edited fields the restore's answer does not hold as they were before (warnings)."""
    if restored.record is None:
        return ()
    skipped = set(restored.unrestorable)
    return tuple(
        f"{edit.column} ({edit.path}): Esploro answered the restore without putting it back"
        for edit in _writes(planned)
        if _key(edit) not in skipped and _differs(edit, restored.record, before)
    )


def _writes(planned: RecordPlan) -> list[CellEdit]:
    return [e for e in planned.edits if e.outcome == Outcome.WRITE]


def _key(edit: CellEdit) -> str:
    return parse_path(edit.path).top_level_key


def _differs(edit: CellEdit, one: Record, other: Record) -> bool:
    path = parse_path(edit.path)
    return bool(read_value(one, path) != read_value(other, path))
