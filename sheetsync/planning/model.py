"""The plan: what `apply` would change, as a value and as a versioned JSON file.

A plan is built by `build.py` (each cell merged three ways by `merge.py`) and read by reports
and by `apply`. It holds, per record, the cell edits (baseline, edited, live), the live
fingerprint at plan time and one per field (`sheetsync.records.field_fingerprints`, so that
apply can name the fields changed since), the JSON Patch from the live record to the proposed
one, and a status; over the whole plan, a checksum that `apply --expect` compares with the one the
reviewer saw. Refusals that concern a row rather than a record (an ID not in the baseline, a
new row without an ID) are kept beside the records, naming sheet, row and column.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any

from sheetsync.template import EntityName, WriteMode

PLAN_FORMAT_VERSION = 2  # 2: RecordPlan.live_field_fingerprints


class Status(StrEnum):
    """What apply will do with a record. The values are what the plan file holds; being
    strings, they compare equal to that text and serialise as it."""

    CHANGE = "change"  # apply writes it
    NO_OP = "no-op"  # every edit is already live: nothing to write
    CONFLICT = "conflict"  # a cell changed in Esploro too, differently: nothing is written
    INVALID = "invalid"  # a cell or the row is refused; the record was not fetched

    def __repr__(self) -> str:
        return repr(self.value)  # as before it was an enum: 'change' in a plan's repr


class Outcome(StrEnum):
    """What the plan makes of one edited cell (the three-way rule, `sheetsync.planning.merge`)."""

    WRITE = "write"  # only the workbook changed it: write the edited value
    SAME_AS_LIVE = "same-as-live"  # Esploro already has the edited value
    CONFLICT = "conflict"  # both changed it, to different values
    INVALID = "invalid"  # the edited text is refused (code table, pattern, read-only, ...)

    def __repr__(self) -> str:
        return repr(self.value)  # as before it was an enum: 'write' in a plan's repr


STATUSES: tuple[Status, ...] = tuple(Status)  # the plan summary's order


@dataclass(frozen=True)
class CellEdit:
    """One cell the person changed, and what the plan makes of it."""

    column: str  # the template column's header
    path: str  # the template path it writes
    cell: str  # where it is in the person's workbook, e.g. "D17" on `sheet`
    sheet: str
    baseline: str | None  # the exported text
    edited: str | None  # the text now in the workbook (None: blank)
    live: str | None  # the text the live record gives at plan time
    outcome: Outcome
    message: str = ""  # why it is a conflict or invalid
    # How the typed text was normalised before planning ("trimmed 2 trailing spaces"): what
    # `edited` holds is the normalised text (`sheetsync.planning.normalise`).
    normalised: tuple[str, ...] = ()
    rule: str = ""  # the template rule behind an invalid cell (its pattern), as a note

    @property
    def is_clear(self) -> bool:
        """A blank cell whose baseline was not blank: applied only with --allow-clears."""
        return self.edited is None and self.baseline is not None


@dataclass(frozen=True)
class RecordPlan:
    record_id: str
    status: Status
    edits: tuple[CellEdit, ...]
    row: int | None = None  # the record's row in the person's workbook
    live_fingerprint: str | None = None
    patch: tuple[dict[str, Any], ...] = ()  # JSON Patch live -> proposed, without clears
    clear_patch: tuple[dict[str, Any], ...] = ()  # then these, only with --allow-clears
    partial_body: dict[str, Any] | None = None  # patch write mode: the op=patch record
    messages: tuple[str, ...] = ()  # record-level problems (a duplicated ID); cells carry theirs
    # field -> short fingerprint of its live value at plan time (`records.field_fingerprints`);
    # None for a record not fetched
    live_field_fingerprints: dict[str, str] | None = None
    # the record's name as a person knows it (`Entity.display_name`), for reports beside the
    # ID; "" in plans made before it was kept (still read: the field has a default)
    display_name: str = ""

    @property
    def fetched(self) -> bool:
        """Whether the live record was read; an invalid record's never is, it costs no call."""
        return self.live_fingerprint is not None

    @property
    def problems(self) -> tuple[str, ...]:
        """Every reason this record is not planned as is: its own, then its cells'."""
        refused = (Outcome.CONFLICT, Outcome.INVALID)
        cells = tuple(e.message for e in self.edits if e.outcome in refused)
        return self.messages + tuple(m for m in cells if m)


@dataclass(frozen=True)
class RowProblem:
    """A row that cannot be matched to a record: nothing is planned from it."""

    sheet: str
    row: int
    column: str
    message: str


@dataclass(frozen=True)
class PlanSummary:
    records: dict[Status, int]  # status -> count
    changed_cells_by_column: dict[str, int]
    clears: int
    conflicts: int
    invalid_cells: int
    row_problems: int
    calls_needed: int  # what apply will send: one GET and one write per record to change
    seconds_at_rate: float
    rate: float


@dataclass(frozen=True)
class Plan:
    workbook: str
    workbook_sha256: str
    export_id: str
    data_sheet: str
    template_name: str
    template_sha256: str
    template_source: str
    entity: EntityName
    write_mode: WriteMode
    id_path: str
    base_url: str
    created_at: str
    sheetsync_version: str
    records: tuple[RecordPlan, ...]
    row_problems: tuple[RowProblem, ...] = ()
    notices: tuple[str, ...] = ()  # columns missing from the sheet, columns of the person's own
    format_version: int = PLAN_FORMAT_VERSION
    checksum: str = ""
    # header -> code -> description, for the codes the edits hold in columns the sheet shows
    # by description ("Yes" for `true`): how reports show them (`as_shown`)
    labels: dict[str, dict[str, str]] = field(default_factory=dict)

    def as_shown(self) -> Plan:
        """The plan with each code in its edits as the sheet shows it: a person who chose "No"
        in the Portal profile column reads `Yes -> No` in the report, not `true -> false`.
        For reports only; never apply it."""
        if not self.labels:
            return self

        def shown(edit: CellEdit) -> CellEdit:
            labels = self.labels.get(edit.column)
            if not labels:
                return edit
            texts = (edit.baseline, edit.edited, edit.live)
            baseline, edited, live = (None if t is None else labels.get(t, t) for t in texts)
            return replace(edit, baseline=baseline, edited=edited, live=live)

        records = tuple(replace(r, edits=tuple(map(shown, r.edits))) for r in self.records)
        return replace(self, records=records)

    def by_status(self, status: Status | str) -> list[RecordPlan]:
        """The records of `status` (a `Status`, or its text: `plan.by_status("change")`)."""
        return [r for r in self.records if r.status == status]

    def summary(self, rate: float) -> PlanSummary:
        counts = Counter(r.status for r in self.records)
        writes = [e for r in self.records if r.status == Status.CHANGE for e in r.edits]
        columns = Counter(e.column for e in writes if e.outcome == Outcome.WRITE)
        to_change = counts[Status.CHANGE]
        return PlanSummary(
            records={status: counts[status] for status in STATUSES},
            changed_cells_by_column=dict(sorted(columns.items())),
            clears=sum(1 for e in writes if e.outcome == Outcome.WRITE and e.is_clear),
            conflicts=self._cells(Outcome.CONFLICT),
            invalid_cells=self._cells(Outcome.INVALID),
            row_problems=len(self.row_problems),
            calls_needed=2 * to_change,
            seconds_at_rate=2 * to_change / rate,
            rate=rate,
        )

    def _cells(self, outcome: Outcome) -> int:
        return sum(1 for r in self.records for e in r.edits if e.outcome == outcome)

    def to_json(self) -> dict[str, Any]:
        """The plan as JSON values; `Status` and `Outcome` stay enums, which `json` writes as
        their text."""
        return asdict(self)

    def with_checksum(self) -> Plan:
        return replace(self, checksum=compute_checksum(self.to_json()))


def compute_checksum(document: dict[str, Any]) -> str:
    """SHA-256 over the canonical JSON of everything in the plan but the checksum itself."""
    content = {k: v for k, v in document.items() if k != "checksum"}
    canonical = json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
