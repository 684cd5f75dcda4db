"""An apply's results as a workbook, like Salesforce Data Loader's success and error files.

One sheet, `Results`, has a row per record: ID, status, fields written, verification
warnings, errorCode, errorMessage, trackingId. When some records were not updated (stale, in
conflict, invalid, failed, not attempted, clears held back), the same workbook is also a fresh
export of exactly those records that carries the person's work forward: each row holds the
live record with the person's intended values on top (highlighted), a column saying why the
record was not updated, and, beside each cell Esploro changed meanwhile, a read-only column of
what it holds now. Its hidden baseline is the live record, so planning it as it is finds
exactly the edits that remain, nothing else; the helper columns are recorded in the workbook's
metadata and ignored when it is read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from sheetsync.applying.journal import Journal, JournalEvent
from sheetsync.applying.run import ApplyResult, ApplyStatus, RecordResult
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection
from sheetsync.exporting import Table, export_records
from sheetsync.planning.edits import same
from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan
from sheetsync.report.words import WHY_HEADER, differs_words, now_header, why_not_updated
from sheetsync.template import Template, load_template
from sheetsync.workbook import HelperColumns, RowExtras
from sheetsync.workbook.tables import write_tables

RESULTS_SHEET = "Results"
RESULTS_HEADER = (
    "Record ID",
    "Name",
    "Status",
    "Fields written",
    "Verification warnings",
    "errorCode",
    "errorMessage",
    "trackingId",
)
# Cells whose value the person still wants: a write not made, a conflict, a refused value.
_CARRIED = (Outcome.WRITE, Outcome.CONFLICT, Outcome.INVALID)
# Outcomes where Esploro may hold, for a cell, something other than what the person started from.
_CHANGED_MEANWHILE = (ApplyStatus.CONFLICT, ApplyStatus.STALE)


def results_table(result: ApplyResult, names: Mapping[str, str] | None = None) -> Table:
    """The Results sheet: one row per record of the run, its name (the plan's) beside its ID so
    a person knows whose record it is without looking it up."""
    names = names or {}
    rows = [
        (
            r.record_id,
            names.get(r.record_id, ""),
            r.status,
            "; ".join(r.fields),
            "; ".join(r.warnings),
            r.error_code,
            r.error_message,
            r.tracking_id,
        )
        for r in result.results
    ]
    return RESULTS_SHEET, RESULTS_HEADER, rows


def write_results(client: EsploroClient, plan: Plan, result: ApplyResult, path: Path) -> int:
    """Write the results workbook; returns how many records it holds to edit again."""
    table = results_table(result, {r.record_id: r.display_name for r in plan.records})
    again = tuple(dict.fromkeys(r.record_id for r in result.results if not r.settled))
    if not again:
        write_tables(path, [table])
        return 0
    template = load_template(plan.template_source)
    carry = _CarryForward(plan, result, template)
    export_records(
        client,
        template,
        path,
        Selection(ids=again),
        tables=[table],
        helpers=carry.helpers(),
        extras=carry.row,
    )
    return len(again)


def retry_would_do(plan: Plan, result: ApplyResult) -> frozenset[str]:
    """The records the same apply run again may well update: not attempted, or failed for a
    passing reason (no answer, an unknown outcome, a server error or a rate limit), as the
    journal recorded it. A write Esploro refused (a 4xx) needs a person, not a retry."""
    last = Journal(result.journal, plan.checksum).last_events()
    retry = set()
    for record in result.results:
        if record.status == ApplyStatus.NOT_ATTEMPTED:
            retry.add(record.record_id)
        elif record.status == ApplyStatus.FAILED:
            entry = last.get(record.record_id)
            status = entry.data.get("status") if entry is not None else None
            passing = status is None or int(status) >= 500 or int(status) == 429
            if entry is None or entry.event != JournalEvent.FAILED or passing:
                retry.add(record.record_id)
    return frozenset(retry)


class _CarryForward:
    """What each results row shows beyond the live record, from the plan and the outcome."""

    def __init__(self, plan: Plan, result: ApplyResult, template: Template) -> None:
        self.planned = {r.record_id: r for r in plan.records}
        self.outcomes = {r.record_id: r for r in result.results if not r.settled}
        self.headers = tuple(c.header for c in template.columns)

    def helpers(self) -> HelperColumns:
        """The why column, and an "in Esploro now" column beside each column that a record in
        conflict or stale carries a value for."""
        beside = {
            edit.column
            for record_id, outcome in self.outcomes.items()
            if outcome.status in _CHANGED_MEANWHILE
            for edit in self._carried(record_id)
        }
        ordered = [h for h in self.headers if h in beside]
        return HelperColumns(why=WHY_HEADER, beside={h: now_header(h) for h in ordered})

    def _carried(self, record_id: str) -> list[CellEdit]:
        planned = self.planned.get(record_id)
        if planned is None:
            return []
        return [e for e in planned.edits if e.outcome in _CARRIED and e.column in self.headers]

    def row(self, record_id: str, texts: Sequence[str | None]) -> RowExtras | None:
        outcome = self.outcomes.get(record_id)
        if outcome is None:
            return None
        live = dict(zip(self.headers, texts, strict=True))
        carried = self._carried(record_id)
        changed = [
            e
            for e in carried
            if outcome.status in _CHANGED_MEANWHILE
            and not same(live[e.column], e.baseline)
            and not same(live[e.column], e.edited)
        ]
        why = why_not_updated(
            outcome.status,
            _details(outcome, self.planned.get(record_id), changed, live),
        )
        return RowExtras(
            intended={e.column: e.edited for e in carried if not same(live[e.column], e.edited)},
            now=frozenset(e.column for e in changed),
            why=why,
        )


def _details(
    outcome: RecordResult,
    planned: RecordPlan | None,
    changed: list[CellEdit],
    live: dict[str, str | None],
) -> tuple[str, ...]:
    """What a record's why says after its status: each cell Esploro holds differently, with
    both values; a refused record's problems; otherwise the outcome's own message."""
    if changed:
        return tuple(differs_words(e.column, live[e.column], e.edited) for e in changed)
    if outcome.status in (ApplyStatus.INVALID, ApplyStatus.CONFLICT) and planned is not None:
        return planned.problems
    message = " ".join(filter(None, (outcome.error_code, outcome.error_message)))
    return tuple(filter(None, (message, *outcome.warnings)))
