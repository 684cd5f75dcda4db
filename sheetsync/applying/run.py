"""`apply`: execute a reviewed plan, one record at a time, journaled, resumable.

Per record: GET live. If a field the plan writes is no longer what the plan saw (each written
cell's live text at plan time, `CellEdit.live`), the record is stale: not written, reported,
and the run goes on. A change anywhere else is no reason to skip it: the plan's patch is applied
to the record as it is now, so the other change is kept, and the result says "merged with
changes made since plan: " and the fields changed, from the per-field fingerprints the plan
kept (`sheetsync.records.field_fingerprints`: a top-level key, or a key inside it,
`researcher/researcher_keyword`), leaving out those the plan writes. The patch must stay within
the fields its written cells are in, at that same granularity (in patch write mode, the
top-level keys the partial body sends whole): a patch reaching beyond them could overwrite a
change the cells do not show, so the record is then stale. Volatile fields (an asset's view
counters, which the server moves on its own) never count as a change: the fingerprints leave
them out (`sheetsync.records`). The whole entity is then PUT (or the `op=patch` body sent),
after a `begin` line holding the before-image is fsynced to the journal. The answer (the record
as Esploro stored it) is compared with what was intended: an edited field Esploro left as it
was makes the record "not changed by Esploro", never "updated" (a JSON asset patch naming
`identifier.doi` is answered 200 and changes nothing); any other field the server dropped,
defaulted or changed is a verification warning, except a field Esploro derives from the one
written (a code's `desc`, anything in a `*WithDesc` object) and an empty value stored in another
empty form (a clear sent as null, stored as ""); an op=patch write is compared in the fields it
sent (the rest of the record may have moved since the read, by someone else's hand).

Clears (emptied cells) are written only with `--allow-clears`. A run without it journals a
record that has them as `held`, never as finished: its other cells are written, and the same
plan applied later with `--allow-clears` writes its clears, as a write of their own.

When the outcome of a write is unknown (the connection dropped after it was sent, or a 5xx),
the record is settled by reading it again and comparing the same fields, those the write
changes: as intended, done; as in the before-image, written again (onto the record as it is
then); anything else, stale. Volatile fields moving meanwhile change nothing. Running the
same apply again resumes the same way from the journal. Each record therefore ends exactly
as intended or untouched (in the fields it writes), and the journal says which.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from sheetsync.applying.canary import CanaryFinding, watch_first_write
from sheetsync.applying.fresh import FreshReader
from sheetsync.applying.journal import Entry, Journal, JournalEvent, JournalLocation, open_journal
from sheetsync.applying.workers import Stop, on_workers
from sheetsync.errors import (
    ApplyError,
    AuthorizationError,
    EsploroApiError,
    EsploroConnectionError,
    QuotaFloorReached,
    ServerError,
    SheetsyncError,
)
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Entity, entity_of
from sheetsync.fieldpath import FieldPath, escape_key, parse_path, read_value
from sheetsync.patching import changed_paths, patched
from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan, Status
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.records import field_fingerprints, field_of, fields_changed, fingerprint, within
from sheetsync.report.words import (
    CANARY_STOPPED,
    CLEARS_HELD,
    LEFT_BY_ROLLBACK,
    NOT_CHANGED_BY_ESPLORO,
    NOT_RESTORABLE,
    NOTHING_TO_ROLL_BACK,
    ROLLBACK_UNFINISHED,
    ROLLED_BACK_EARLIER,
    STALE_AFTER_UNKNOWN,
    STALE_BEYOND_CELLS,
    STALE_WHILE_UNANSWERED,
    ignored_field,
    merged_since_plan,
    stale_since_plan,
    unrestorable_message,
)
from sheetsync.template import load_template
from sheetsync.workbook.cells import cell_text, is_oversized, text_digest

Record = dict[str, Any]
WRITE_ATTEMPTS = 2  # a write whose answer was lost is tried once more, after settling


@dataclass(frozen=True)
class ApplyOptions:
    allow_clears: bool = False
    limit: int | None = None  # apply at most this many of the records to change
    only: frozenset[str] | None = None
    expect: str | None = None  # the checksum the reviewer approved
    canary: bool = True  # on production, the first write alone, then re-read (canary.py)


class ApplyStatus(StrEnum):
    """How a record ended in an apply or a rollback (the results workbook's `Status`)."""

    UPDATED = "updated"  # written and verified
    NO_OP = "no-op"  # nothing to write (planned so, or found so at apply time)
    STALE = "stale"  # changed in Esploro since the plan: not written
    CONFLICT = "conflict"  # planned in conflict: not written
    INVALID = "invalid"  # planned invalid: not written
    FAILED = "failed"  # Esploro refused the write, or did not answer
    NOT_ATTEMPTED = "not attempted"  # the run stopped first
    NOT_CHANGED = NOT_CHANGED_BY_ESPLORO  # answered, but a field sent was left as it was
    HELD = CLEARS_HELD  # its clears wait for `apply --allow-clears` (its other cells written)
    ROLLED_BACK = "rolled back"  # rollback restored it (or apply found it rolled back)
    SKIPPED = "skipped"  # rollback left it alone: changed since sheetsync wrote it
    NOT_RESTORED = NOT_RESTORABLE  # rollback: a field the API cannot put back (see message)
    NOTHING_TO_UNDO = NOTHING_TO_ROLL_BACK  # rollback --only: apply did not write it

    def __repr__(self) -> str:
        return repr(self.value)  # as before it was an enum: 'updated' in a result's repr


@dataclass(frozen=True)
class RecordResult:
    record_id: str
    status: ApplyStatus
    fields: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    error_code: str = ""
    error_message: str = ""
    tracking_id: str = ""

    @property
    def settled(self) -> bool:
        """Whether the record is as the run meant it to be: nothing to edit again."""
        return self.status in _SETTLED


_SETTLED = (
    ApplyStatus.UPDATED,
    ApplyStatus.NO_OP,
    ApplyStatus.ROLLED_BACK,
    ApplyStatus.NOTHING_TO_UNDO,
)


@dataclass(frozen=True)
class ApplyResult:
    results: tuple[RecordResult, ...]
    journal: Path
    interrupted: bool = False
    stopped: str = ""  # why the run stopped early (a refused write), if it did
    notices: tuple[str, ...] = ()  # about the run, not a record (a lock taken over)
    canary: CanaryFinding | None = None  # what the first write on production came back with
    remaining: int = 0  # records to change that `limit` left for a later run

    @property
    def ok(self) -> bool:
        """Exit 0 only when every planned record was updated or was a no-op."""
        done = not self.interrupted and not self.stopped
        return done and all(
            r.status in (ApplyStatus.UPDATED, ApplyStatus.NO_OP) for r in self.results
        )


def check_target(client: EsploroClient, plan: Plan, expect: str | None = None) -> None:
    """Refuse a plan other than the one reviewed, or one made against another Esploro."""
    if expect is not None and expect != plan.checksum:
        raise ApplyError(
            f"the plan's checksum is {plan.checksum}, not the {expect} you reviewed; "
            "review the plan again"
        )
    if client.base_url.rstrip("/") != plan.base_url.rstrip("/"):
        raise ApplyError(
            f"the plan is for {plan.base_url}, but this run is connected to {client.base_url}"
        )


class _Run:
    """One apply run: shared state for the worker threads."""

    def __init__(self, client: EsploroClient, plan: Plan, journal: Journal, options: ApplyOptions):
        self.client = client
        self.plan = plan
        self.journal = journal
        self.options = options
        self.stop = Stop()
        self.state: Mapping[str, Entry] = journal.last_events()
        self.entity = entity_of(plan.entity)
        # op=patch replaces and adds; it cannot clear. Patch mode never counts clears as sent.
        self.clears = options.allow_clears and plan.write_mode != "patch"
        self.joins = _template_joins(plan)
        self.canary: CanaryFinding | None = None
        # records whose other cells an earlier run wrote: this run writes their clears alone
        self.clears_only: set[str] = set()
        self.reader = FreshReader(self.entity, client)  # `apply_plan` gives it the records

    def canary_pending(self) -> bool:
        """Whether the canary still waits for its write: asked for, not on a sandbox."""
        return self.options.canary and not self.client.is_sandbox and self.canary is None

    def live(self, record_id: str) -> Record:
        """The record read alone, now: to settle a write whose answer was lost."""
        return self.entity.get(self.client, record_id)

    def fresh(self, record_id: str) -> Record:
        """The record read just before its write, in a batch where the entity allows (fresh.py)."""
        return self.reader.get(record_id)

    def reads(self, record: RecordPlan) -> bool:
        """Whether `apply` reads this record (an earlier run did not finish with it)."""
        last = self.state.get(record.record_id)
        if last is None:
            return True
        held_still = last.event == JournalEvent.HELD and not self.clears
        return not (_finished_earlier(last) or held_still)

    def write(self, record: RecordPlan, body: Record) -> Record:
        stored = self.entity.write(
            self.client,
            record.record_id,
            body,
            partial=record.partial_body,
            mode=self.plan.write_mode,
        )
        if self.canary_pending():  # records go alone until then: no other write races it
            self.canary = watch_first_write(
                self.entity, self.client, record, body, stored, clears=self.clears
            )
            if self.canary.tripped:
                self.halt(CANARY_STOPPED)
        return stored

    def apply_safely(self, record: RecordPlan) -> RecordResult:
        """`apply`, with every failure of one record kept to that record, except those that
        must stop the whole run: a refused write (a read-only key) and the quota floor."""
        try:
            return self.apply(record)
        except QuotaFloorReached as exc:
            self.halt(str(exc))
            return RecordResult(record.record_id, ApplyStatus.NOT_ATTEMPTED, error_message=str(exc))
        except EsploroApiError as exc:
            return self._failed(record, exc)
        except (EsploroConnectionError, ApplyError) as exc:  # ApplyError: a body not sendable
            self.journal.append(JournalEvent.FAILED, record.record_id, error_message=str(exc))
            return RecordResult(record.record_id, ApplyStatus.FAILED, error_message=str(exc))

    def halt(self, reason: str) -> None:
        self.stop(reason)

    @property
    def stopped(self) -> str:
        """Why the run stopped early; "" while it runs on."""
        return self.stop.reason

    def apply(self, record: RecordPlan) -> RecordResult:
        """Bring one record to its planned state, or leave it untouched and say why."""
        last = self.state.get(record.record_id)
        if last is not None and last.event in _FINISHED:
            return _from_journal(record, last)
        if last is not None and last.event == JournalEvent.HELD:
            return self._apply_held(record, last)
        if last is not None and last.event.startswith("rollback"):
            return _after_rollback(record.record_id, last)
        live = self.fresh(record.record_id)
        if last is not None and last.event == JournalEvent.BEGIN:
            settled = self._settle(record, last.data, live)
            if settled is not None:
                return settled
        else:
            reason = self._stale_reason(record, live)
            if reason:
                return self._stale(record, reason)
        return self._write(record, live, self._merged(record, live))

    def _stale_reason(self, record: RecordPlan, live: Record) -> str:
        """Why the record cannot be written as planned ("" if it can): a field the plan writes
        is no longer what the plan saw. Changes elsewhere are merged, not refused."""
        if fingerprint(live) == record.live_fingerprint:
            return ""
        changed, unknown = [], False
        for edit in self._written(record):
            same = self._as_planned(edit, live)
            unknown = unknown or same is None
            if same is False:
                changed.append(edit)
        if changed:
            return self._stale_words(changed, live)
        regions = self._regions(record)
        if unknown or not _patch_within(record, regions, self.clears):
            return STALE_BEYOND_CELLS
        return ""

    def _regions(self, record: RecordPlan) -> set[str]:
        """The fields (as `field_fingerprints` names them) this run's write covers: those its
        written cells are in; in patch write mode, their top-level keys, which the partial
        body sends whole."""
        patch_mode = self.plan.write_mode == "patch"
        return {
            _field_of_place(place, top_only=patch_mode)
            for edit in self._written(record)
            for place in parse_path(edit.path).places
        }

    def _merged(self, record: RecordPlan, live: Record) -> Warnings:
        """The note of a record written over changes made since the plan (not volatile ones),
        naming the fields changed that the plan does not write, when the plan kept per-field
        fingerprints and one of those changed."""
        if fingerprint(live) == record.live_fingerprint:
            return ()
        if record.live_field_fingerprints is None:
            return (merged_since_plan(),)
        now = field_fingerprints(live, self.entity.is_ignored)
        regions = self._regions(record)
        changed = fields_changed(record.live_field_fingerprints, now)
        others = tuple(f for f in changed if not any(within(f, r) for r in regions))
        return (merged_since_plan(others),)

    def _written(self, record: RecordPlan) -> list[CellEdit]:
        """The cells this run writes: the plan's writes, clears only when they are applied."""
        return [e for e in _sent(record) if self.clears or not e.is_clear]

    def _stale_words(self, changed: list[CellEdit], live: Record) -> str:
        """Why a record is stale, naming each changed field with its values (once a column)."""
        joins = self.joins or {}
        cells = {
            e.column: (e.column, e.live, _live_text(live, e, joins.get(e.column)), e.edited)
            for e in changed
        }
        return stale_since_plan(tuple(cells.values()))

    def _as_planned(self, edit: CellEdit, live: Record) -> bool | None:
        """Whether the edited field holds now what the plan saw; None: cannot tell (a list
        whose separator is unknown, the template having changed since the plan)."""
        path = parse_path(edit.path)
        joins = self.joins or {}
        if path.is_multi and edit.column not in joins:
            return None
        try:
            text = cell_text(read_value(live, path), joins.get(edit.column))
        except SheetsyncError:
            return None
        if text is not None and is_oversized(text):
            text = text_digest(text)
        return text == edit.live

    def _settle(
        self, record: RecordPlan, begun: Mapping[str, Any], live: Record
    ) -> RecordResult | None:
        """A write begun in an earlier run, outcome unknown. None: write it again."""
        if begun.get("clears_only"):
            self.clears_only.add(record.record_id)
        body = self._body(record, dict(begun.get("before", {})))  # what this run would send
        landed = write_landed(live, record, begun, bodies=[body])
        if landed:
            self.journal.append(
                JournalEvent.DONE,
                record.record_id,
                after_fingerprint=fingerprint(live),
                settled=True,
            )
            return RecordResult(record.record_id, ApplyStatus.UPDATED, _fields(record))
        if landed is False:
            return None
        return self._stale(record, STALE_AFTER_UNKNOWN)

    def _stale(self, record: RecordPlan, reason: str) -> RecordResult:
        self.journal.append(JournalEvent.STALE, record.record_id, reason=reason)
        return RecordResult(record.record_id, ApplyStatus.STALE, error_message=reason)

    def _write(self, record: RecordPlan, live: Record, merged: Warnings = ()) -> RecordResult:
        body = self._body(record, live)
        patch_mode = self.plan.write_mode == "patch"
        skipped = _skipped_clears(record, self.clears, patch_mode=patch_mode)
        if body == live and self._holds_clears(record):
            return self._hold(record, (), skipped)
        if body == live:
            self.journal.append(JournalEvent.NO_OP, record.record_id)
            return RecordResult(record.record_id, ApplyStatus.NO_OP, warnings=skipped)
        if self.stop.is_set():
            return RecordResult(
                record.record_id, ApplyStatus.NOT_ATTEMPTED, error_message=self.stopped
            )
        self._begin(record, live, body)
        sent = self._send(record, live, body)
        if isinstance(sent, RecordResult):
            return sent
        live, body, stored, again = sent
        verified = self._verified(record, live, body, stored, merged or again, skipped)
        if verified.status == ApplyStatus.UPDATED and self._holds_clears(record):
            return self._hold(record, verified.fields, verified.warnings)
        return verified

    def _begin(self, record: RecordPlan, live: Record, body: Record) -> None:
        second = {"clears_only": True} if record.record_id in self.clears_only else {}
        self.journal.append(
            JournalEvent.BEGIN,
            record.record_id,
            before=live,
            intended_fingerprint=fingerprint(body),
            **second,
        )

    def _body(self, record: RecordPlan, live: Record) -> Record:
        """What to send: the plan's patch (and clears, if allowed) on `live`; for a record
        whose other cells an earlier run wrote while holding its clears, the clears alone
        (the patch again could add a list item twice)."""
        if record.record_id in self.clears_only:
            return patched(live, record.clear_patch)
        return proposed_record(live, record, allow_clears=self.clears)

    def _holds_clears(self, record: RecordPlan) -> bool:
        """Whether this run leaves clears that a later `apply --allow-clears` can still write
        (op=patch never can: there they are only noted)."""
        return bool(record.clear_patch) and not self.clears and self.plan.write_mode != "patch"

    def _hold(
        self, record: RecordPlan, fields: tuple[str, ...], warnings: Warnings
    ) -> RecordResult:
        """Journal the record as held, never as finished, so `apply --allow-clears` of the
        same plan writes its clears (as a write of their own if its other cells were written)."""
        cleared = {e.column for e in record.edits if e.is_clear}
        fields = tuple(f for f in fields if f not in cleared)
        self.journal.append(
            JournalEvent.HELD, record.record_id, fields=list(fields), warnings=list(warnings)
        )
        return RecordResult(record.record_id, ApplyStatus.HELD, fields, warnings)

    def _apply_held(self, record: RecordPlan, held: Entry) -> RecordResult:
        """A record an earlier run held: held still without --allow-clears; with it, its
        clears are written now, if the cleared fields still hold what the plan saw."""
        if not self.clears:
            fields = tuple(str(f) for f in held.data.get("fields", []))
            warnings = tuple(str(w) for w in held.data.get("warnings", []))
            return RecordResult(record.record_id, ApplyStatus.HELD, fields, warnings)
        live = self.fresh(record.record_id)
        clears = [e for e in _sent(record) if e.is_clear]
        changed = [e for e in clears if self._as_planned(e, live) is not True]
        if changed:
            return self._stale(record, self._stale_words(changed, live))
        if held.data.get("fields"):
            self.clears_only.add(record.record_id)
        return self._write(record, live)

    def _send(
        self, record: RecordPlan, live: Record, body: Record
    ) -> tuple[Record, Record, Record, Warnings] | RecordResult:
        """The write: (the record it was built on, the body, the record as Esploro stored it,
        a merge note); a RecordResult when it ended otherwise (refused, unanswered, overtaken
        by someone else's change to a field it writes)."""
        merged: Warnings = ()
        for _ in range(WRITE_ATTEMPTS):
            try:
                return live, body, self.write(record, body), merged
            except (EsploroConnectionError, ServerError):
                # No answer, or a 5xx: the write may or may not have happened. Read to find out,
                # comparing the fields the write changes (volatile ones never count).
                try:
                    now = self.live(record.record_id)
                except (EsploroConnectionError, EsploroApiError):
                    return self._unknown(record)
                outcome = _outcome(now, live, body)
                if outcome == _INTENDED:
                    return live, body, body, merged
                if outcome == _OTHER:
                    return self._stale(record, STALE_WHILE_UNANSWERED)
                if fingerprint(now) != fingerprint(live):  # changed elsewhere: build on it
                    live, body = now, self._body(record, now)
                    merged = self._merged(record, now) or (merged_since_plan(),)
                    self._begin(record, live, body)
            except AuthorizationError as exc:
                self.halt(f"Esploro refused a write ({exc}); is the API key read-only?")
                return self._failed(record, exc)
            except EsploroApiError as exc:
                return self._failed(record, exc)
        return self._failed_unanswered(record)

    def _verified(
        self,
        record: RecordPlan,
        live: Record,
        body: Record,
        stored: Record,
        merged: Warnings,
        skipped: Warnings,
    ) -> RecordResult:
        """Compare what Esploro answered with what was sent. A field it left as it was makes
        the record "not changed by Esploro": a 200 is not proof that anything changed."""
        ignored = [e for e in _sent(record) if _was_ignored(e, live, body, stored)]
        ignored_keys = {parse_path(e.path).top_level_key for e in ignored}
        unsent = _unsent_keys(record, body, stored) if self.plan.write_mode == "patch" else set()
        warnings = _verification_warnings(self.entity, body, stored, ignored_keys | unsent)
        why = "; ".join(_ignored_words(e, body, stored) for e in ignored)
        event, reason = (
            (JournalEvent.IGNORED, {"reason": why}) if ignored else (JournalEvent.DONE, {})
        )
        self.journal.append(
            event,
            record.record_id,
            after_fingerprint=fingerprint(stored),
            warnings=list(merged + warnings),
            **reason,
        )
        status = ApplyStatus.NOT_CHANGED if ignored else ApplyStatus.UPDATED
        written = tuple(c for c in _fields(record) if c not in {e.column for e in ignored})
        return RecordResult(
            record.record_id, status, written, merged + warnings + skipped, error_message=why
        )

    def _failed(self, record: RecordPlan, exc: EsploroApiError) -> RecordResult:
        detail = exc.detail
        self.journal.append(
            JournalEvent.FAILED,
            record.record_id,
            status=detail.status,
            error_code=detail.error_code,
            error_message=detail.error_message,
            tracking_id=detail.tracking_id,
        )
        return RecordResult(
            record.record_id,
            ApplyStatus.FAILED,
            (),
            (),
            detail.error_code,
            detail.error_message,
            detail.tracking_id,
        )

    def _unknown(self, record: RecordPlan) -> RecordResult:
        """Neither the write nor the read after it was answered. Nothing is journaled: the
        `begin` line stays the record's last word, and the next run settles it."""
        message = "outcome unknown (Esploro did not answer); run apply again to settle it"
        return RecordResult(record.record_id, ApplyStatus.FAILED, error_message=message)

    def _failed_unanswered(self, record: RecordPlan) -> RecordResult:
        message = f"no answer to {WRITE_ATTEMPTS} writes, and the record is still as before"
        self.journal.append(JournalEvent.FAILED, record.record_id, error_message=message)
        return RecordResult(record.record_id, ApplyStatus.FAILED, error_message=message)


def write_landed(
    live: Record,
    record: RecordPlan,
    begun: Mapping[str, Any],
    bodies: Sequence[Record] | None = None,
) -> bool | None:
    """For a write journaled as begun whose answer never came (lost, or apply was killed while
    it was in flight): True if `live` shows it landed, False if the fields it changes are still
    as before it, None if neither (someone changed them since). `bodies`: what the write may
    have sent; by default either write, holding the clears or not (rollback cannot know)."""
    before = dict(begun.get("before", {}))
    if fingerprint(live) == begun.get("intended_fingerprint"):
        return True
    if bodies is None and begun.get("clears_only"):
        bodies = [patched(before, record.clear_patch)]
    elif bodies is None:
        bodies = [proposed_record(before, record, allow_clears=c) for c in (False, True)]
    outcomes = {_outcome(live, before, body) for body in bodies}
    if _INTENDED in outcomes:
        return True
    return False if _BEFORE in outcomes else None


def proposed_record(live: Record, record: RecordPlan, *, allow_clears: bool) -> Record:
    """What apply sends: the record fetched just before the write, with the plan's patch (and
    its clears, only when allowed). The live record is never modified."""
    return patched(live, record.patch, record.clear_patch if allow_clears else ())


Warnings = tuple[str, ...]

# How a record read after a write whose answer was lost compares, in the fields it changes.
_INTENDED, _BEFORE, _OTHER = "intended", "before", "other"
_ABSENT = object()


def _outcome(now: Record, before: Record, intended: Record) -> str:
    """Whether the fields a write changes (from `before` to `intended`) are now as intended,
    still as before, or neither. A list is compared whole, never item by item."""
    regions = sorted({_region(p) for p in changed_paths(before, intended)})
    seen = [_at(now, p) for p in regions]
    if seen == [_at(intended, p) for p in regions]:
        return _INTENDED
    if seen == [_at(before, p) for p in regions]:
        return _BEFORE
    return _OTHER


def _region(pointer: str) -> str:
    """The pointer up to the first list it enters: list items shift, so lists go whole."""
    parts = pointer.split("/")
    for n, part in enumerate(parts[1:], start=1):
        if part.isdigit() or part == "-":
            return "/".join(parts[:n])
    return pointer


def _at(record: Any, pointer: str) -> Any:
    """The value at a JSON Pointer, `_ABSENT` if there is none."""
    node = record
    for raw in pointer.split("/")[1:]:
        part = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
            node = node[int(part)]
        else:
            return _ABSENT
    return node


def _patch_within(record: RecordPlan, regions: set[str], clears: bool) -> bool:
    """Whether the plan's patch writes only within `regions`, the fields its written cells are
    in (the cells' plan-time texts are then all the stale check needs). A patch that adds a
    whole object (`/researcher`, where the plan saw none) is not within `researcher/...`."""
    operations = record.patch + (record.clear_patch if clears else ())
    return all(
        any(within(field_of(str(op.get("path", ""))), r) for r in regions) for op in operations
    )


def _field_of_place(place: FieldPath, *, top_only: bool) -> str:
    """The field a template path's place is in, as `field_fingerprints` names it: its first
    key, and its second when the first has no list selector (`/researcher/display_title` ->
    `researcher/display_title`, `/user_identifier[...]/value` -> `user_identifier`)."""
    first, *rest = place.steps
    keys = [first.key]
    if rest and first.selector is None and not top_only:
        keys.append(rest[0].key)
    return "/".join(escape_key(k) for k in keys)


def _template_joins(plan: Plan) -> dict[str, str | None] | None:
    """Each column's list separator, from the plan's template, if it is still the one the
    plan was made with; None if not (its list cells are then judged by the fingerprint)."""
    try:
        template = load_template(plan.template_source)
    except SheetsyncError:
        return None
    if template.sha256 != plan.template_sha256:
        return None
    return {column.header: column.join for column in template.columns}


def _fields(record: RecordPlan) -> tuple[str, ...]:
    return tuple(e.column for e in record.edits if e.outcome == Outcome.WRITE)


def _sent(record: RecordPlan) -> list[CellEdit]:
    """The cells the plan writes. A clear left unsent holds the live value in the body, so
    it can never look ignored."""
    return [e for e in record.edits if e.outcome == Outcome.WRITE]


def _was_ignored(edit: CellEdit, live: Record, body: Record, stored: Record) -> bool:
    """Whether Esploro kept the value before the write where the body held another one."""
    path = parse_path(edit.path)
    sent, kept = read_value(body, path), read_value(stored, path)
    return bool(sent != kept and kept == read_value(live, path))


def _ignored_words(edit: CellEdit, body: Record, stored: Record) -> str:
    path = parse_path(edit.path)
    sent = cell_text(read_value(body, path), None)
    return ignored_field(edit.column, edit.path, sent, cell_text(read_value(stored, path), None))


def _live_text(live: Record, edit: CellEdit, join: str | None) -> str | None:
    """The cell text of the edited field in `live`, for a message (None when unreadable)."""
    try:
        text = cell_text(read_value(live, parse_path(edit.path)), join)
    except SheetsyncError:
        return None
    return text_digest(text) if text is not None and is_oversized(text) else text


def _verification_warnings(
    entity: Entity, body: Record, stored: Record, ignored_keys: set[str]
) -> Warnings:
    """Where Esploro stored something other than what was sent, leaving out what is no news:
    a field it derives (a code's `desc` or `*WithDesc` twin, recomputed from the value written,
    at any depth), a volatile one, one already reported as left unchanged, and an empty value
    stored in another empty form (a clear sent as null and stored as "")."""
    return tuple(
        f"{path}: Esploro stored something other than what was sent"
        for path in changed_paths(body, stored)
        if not _derived_or_volatile(entity, path)
        and _top_key(path) not in ignored_keys
        and not (_is_empty(_at(body, path)) and _is_empty(_at(stored, path)))
    )


def _unsent_keys(record: RecordPlan, body: Record, stored: Record) -> set[str]:
    """The top-level fields an op=patch write did not send: someone else's change there (made
    between the read the body was built on and the write, seconds when reads are batched) is
    no sign that Esploro stored something other than what was sent."""
    return (set(body) | set(stored)) - set(record.partial_body or ())


def _derived_or_volatile(entity: Entity, pointer: str) -> bool:
    """Whether the field at `pointer`, or one it is inside, is one the server derives or moves
    on its own (`/licenseWithDesc/value` is inside the derived `/licenseWithDesc`)."""
    parts = pointer.split("/")
    return any(entity.is_ignored("/".join(parts[:n])) for n in range(2, len(parts) + 1))


def _is_empty(value: Any) -> bool:
    """An empty value in any of the forms Esploro uses for one (or no value at all)."""
    return value is _ABSENT or value is None or value in ("", [], {})


def _top_key(pointer: str) -> str:
    """The record key a JSON Pointer starts at (`/identifier.doi/0` -> `identifier.doi`)."""
    return pointer.split("/")[1].replace("~1", "/").replace("~0", "~") if "/" in pointer else ""


def _skipped_clears(record: RecordPlan, allowed: bool, *, patch_mode: bool) -> tuple[str, ...]:
    if allowed or not record.clear_patch:
        return ()
    columns = ", ".join(e.column for e in record.edits if e.is_clear)
    if patch_mode:
        return (f"clears not applied ({columns}): op=patch cannot clear a field",)
    return (f"clears not applied ({columns}): run apply with --allow-clears to apply them",)


# A record's last journal event that says apply is finished with it, and how it ended.
_FINISHED: dict[str, ApplyStatus] = {
    JournalEvent.DONE: ApplyStatus.UPDATED,
    JournalEvent.IGNORED: ApplyStatus.NOT_CHANGED,
    JournalEvent.NO_OP: ApplyStatus.NO_OP,
    JournalEvent.STALE: ApplyStatus.STALE,
}


def _from_journal(record: RecordPlan, last: Entry) -> RecordResult:
    status = _FINISHED[last.event]
    warnings = tuple(str(w) for w in last.data.get("warnings", []))
    return RecordResult(
        record.record_id,
        status,
        _fields(record) if status == ApplyStatus.UPDATED else (),
        warnings,
        error_message=str(last.data.get("reason", "")),
    )


def _after_rollback(record_id: str, last: Entry) -> RecordResult:
    """How apply finds a record a rollback of this plan reached: as that rollback left it.
    It is never written again from this plan (the person rolled it back on purpose)."""
    if last.event == JournalEvent.ROLLBACK_SKIPPED:
        return RecordResult(record_id, ApplyStatus.SKIPPED, error_message=LEFT_BY_ROLLBACK)
    if last.event == JournalEvent.ROLLBACK_BEGIN:
        return RecordResult(record_id, ApplyStatus.FAILED, error_message=ROLLBACK_UNFINISHED)
    unrestorable = tuple(str(f) for f in last.data.get("unrestorable", ()))
    if unrestorable:
        message = unrestorable_message(unrestorable)
        return RecordResult(record_id, ApplyStatus.NOT_RESTORED, error_message=message)
    return RecordResult(record_id, ApplyStatus.ROLLED_BACK, error_message=ROLLED_BACK_EARLIER)


def _selected(plan: Plan, options: ApplyOptions) -> list[RecordPlan]:
    records = [r for r in plan.records if options.only is None or r.record_id in options.only]
    if options.only is not None:
        unknown = set(options.only) - {r.record_id for r in records}
        if unknown:
            raise ApplyError(f"not in the plan: {', '.join(sorted(unknown))}")
    return records


# How a record that the plan does not change ends: as planned, with nothing sent.
_AS_PLANNED = {
    Status.NO_OP: ApplyStatus.NO_OP,
    Status.CONFLICT: ApplyStatus.CONFLICT,
    Status.INVALID: ApplyStatus.INVALID,
}


def apply_plan(
    client: EsploroClient,
    plan: Plan,
    *,
    journal: JournalLocation,
    options: ApplyOptions = ApplyOptions(),
    progress: Progress = NO_PROGRESS,
) -> ApplyResult:
    """Apply `plan`, journaling to `journal` (a path, or a `Journal` for this plan): the same
    journal resumes an interrupted run and is what rollback reads."""
    check_target(client, plan, options.expect)
    entity_of(plan.entity).check_write_mode(plan.write_mode)
    journal = open_journal(journal, plan.checksum)
    run = _Run(client, plan, journal, options)
    records = _selected(plan, options)
    results = [
        RecordResult(r.record_id, _AS_PLANNED[r.status], error_message="; ".join(r.problems))
        for r in records
        if r.status != Status.CHANGE
    ]
    to_change, remaining = _within_limit(records, run.state, options.limit)
    progress.start(len(to_change))
    to_read = [r.record_id for r in to_change if run.reads(r)]
    with FreshReader(run.entity, client, to_read) as run.reader:
        first, interrupted, alone = _alone_first(run, to_change, progress)
        rest, stopped_later = _run_all(run, to_change[alone:], client.workers, progress)
    results += first + rest
    interrupted = interrupted or stopped_later
    return ApplyResult(
        tuple(results),
        journal.path,
        interrupted,
        run.stopped,
        canary=run.canary,
        remaining=remaining,
    )


def _alone_first(
    run: _Run, records: list[RecordPlan], progress: Progress
) -> tuple[list[RecordResult], bool, int]:
    """The first record goes alone: if the key cannot write, one refused write is all it costs.
    On production (not a sandbox) records go on alone until one is written, the canary, so a
    server that alters what it was not asked to stops the run after that one write. Returns
    the results, whether Ctrl-C came, and how many records went alone."""
    results: list[RecordResult] = []
    interrupted, alone = False, 0
    while alone < len(records) and not interrupted and not run.stop.is_set():
        more, interrupted = _run_all(run, records[alone : alone + 1], 1, progress)
        results += more
        alone += 1
        if not run.canary_pending():
            break
    return results, interrupted, alone


def _within_limit(
    records: list[RecordPlan], state: Mapping[str, Entry], limit: int | None
) -> tuple[list[RecordPlan], int]:
    """The records to change this run, and how many `limit` leaves for a later one. Records
    an earlier run finished (or rolled back) cost no call and do not count against `limit`,
    so that `apply --limit 10`, run again, does the next ten."""
    to_change = [r for r in records if r.status == Status.CHANGE]
    if limit is None:
        return to_change, 0
    left = [r.record_id for r in to_change if not _finished_earlier(state.get(r.record_id))]
    skipped = set(left[limit:])  # beyond the limit: left for a later run
    return [r for r in to_change if r.record_id not in skipped], len(skipped)


def _finished_earlier(last: Entry | None) -> bool:
    return last is not None and (last.event in _FINISHED or last.event.startswith("rollback"))


def _run_all(
    run: _Run, records: list[RecordPlan], workers: int, progress: Progress
) -> tuple[list[RecordResult], bool]:
    """Apply records on `workers` threads (`workers.on_workers`)."""
    return on_workers(
        run.apply_safely,
        records,
        workers=workers,
        stop=run.stop,
        progress=progress,
        not_attempted=lambda record, reason: RecordResult(
            record.record_id, ApplyStatus.NOT_ATTEMPTED, error_message=reason
        ),
    )
