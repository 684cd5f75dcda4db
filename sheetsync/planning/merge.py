"""The three-way merge of one record, and the proposed record it leads to.

Each edited cell has three texts: the baseline (what the export wrote), the edited one (what
the workbook holds now) and the live one (what the record fetched at plan time gives, in the
same cell form). Texts are compared as `edits.same` does: line endings folded, empty is blank.
The rule, cell by cell, checked in this order:

    live == baseline                 only the workbook changed it: write the edited value
    live == edited                   Esploro already has it: nothing to do ("same-as-live")
    baseline, edited, live differ    both changed it, differently: a conflict

A field only Esploro changed is never an edit (the workbook still holds the baseline), so the
live value is kept. A record with a conflict is not written at all.

Two refusals need the live record, so they are made here rather than in `validate.py`, and
make the cell (and so the record) invalid without stopping the rest of the plan:

- a column whose path names several places (the ORCID iD, kept in the user record or the
  researcher profile or both) is never written while those places hold different values: only
  a person can tell which is right, in Esploro;
- a column with a `twin` (a plain field whose multilingual counterpart an institution may use
  instead) is never written where the record leaves the field empty and uses the twin: the
  value would be written where Esploro does not show it. Otherwise the proposed
record is the LIVE record with the edited fields set, so a field nobody edited is carried over
byte for byte; the plan keeps the JSON Patch from live to proposed (`sheetsync.patching`), and
the clears (cells emptied) in a patch of their own that apply sends only when allowed.

Nothing here talks to Esploro or reads a workbook: `build.py` does that and calls these.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sheetsync.errors import PathError, PlanError
from sheetsync.fieldpath import place_values, read_value, write_value
from sheetsync.patching import make_patch
from sheetsync.planning.edits import RecordEdits, same
from sheetsync.planning.model import CellEdit, Outcome, RecordPlan, Status
from sheetsync.planning.validate import split_values
from sheetsync.report.words import conflict_message, export_again
from sheetsync.template import Column, Template
from sheetsync.workbook.cells import cell_text, is_oversized, text_digest

Record = dict[str, Any]

__all__ = ["Merged", "json_value", "merge_edits", "propose", "refusal"]

_PLAIN_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Merged:
    """A record's cells after the merge: the message of each one in conflict, and of each one
    refused because of what the live record holds (`refusal`)."""

    edits: tuple[CellEdit, ...]
    conflicts: tuple[str, ...]
    refused: tuple[str, ...] = ()


def merge_edits(edits: RecordEdits, template: Template, live: Record, sheet: str) -> Merged:
    """The three-way merge, field by field."""
    result, conflicts, refused = [], [], []
    for change in edits.changes:
        column = template.column(change.header)
        live_text = _live_text(live, column)
        place = f"{sheet}!{change.cell} ({change.header}), record {edits.record_id}"
        problem = refusal(template, column, live, change.edited)
        if problem:
            outcome, message = Outcome.INVALID, f"{place}: {problem}"
            refused.append(message)
        elif same(live_text, change.baseline):
            outcome, message = Outcome.WRITE, ""
        elif same(live_text, change.edited):
            outcome, message = Outcome.SAME_AS_LIVE, "already so in Esploro"
        else:
            outcome = Outcome.CONFLICT
            message = conflict_message(
                sheet, change.cell, change.header, change.baseline, live_text, change.edited
            )
            conflicts.append(message)
        result.append(
            CellEdit(
                change.header,
                str(column.path),
                change.cell,
                sheet,
                change.baseline,
                change.edited,
                live_text,
                outcome,
                message,
                change.notes,
                change.rule,
            )
        )
    return Merged(tuple(result), tuple(conflicts), tuple(refused))


def refusal(template: Template, column: Column, live: Record, edited: str | None) -> str:
    """Why an edit of `column` cannot be written to this live record, or "" when it can."""
    noun = template.entity.removesuffix("s")
    if column.path.has_places:
        held = [
            (column.place_name(i), text)
            for i, (_, value) in enumerate(place_values(live, column.path))
            if (text := cell_text(value, column.join)) is not None
        ]
        if len({text for _, text in held}) > 1:
            where = ", ".join(f"{text} in {name}" for name, text in held)
            return (
                f"this {noun} has {len(held)} different '{column.header}' values in Esploro "
                f"({where}): correct them in Esploro first, then {export_again(template.source)}; "
                "nothing is written to this record"
            )
    if column.twin is not None:
        plain = read_value(live, column.path)
        twin = read_value(live, column.twin)
        if _empty(plain) and not _empty(twin) and not (edited is None and _empty(plain)):
            return (
                f"this {noun} keeps this value in {column.twin.text} instead, and "
                f"{column.path.text} is empty, so Esploro would not show what is typed here: "
                f"edit {column.twin.text} instead (a template with a column for it, such as "
                "the built-in researchers-multilingual); nothing is written to this record"
            )
    return ""


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _live_text(live: Record, column: Column) -> str | None:
    """The live value as the export would have written it in the cell (a digest if too long)."""
    text = cell_text(read_value(live, column.path), column.join)
    return text_digest(text) if text is not None and is_oversized(text) else text


def propose(base: RecordPlan, template: Template, live: Record) -> RecordPlan:
    """The proposed record: live, with the writes set; clears kept apart."""
    writes = [e for e in base.edits if e.outcome == Outcome.WRITE]
    without_clears = live
    for edit in (e for e in writes if not e.is_clear):
        column = template.column(edit.column)
        value = json_value(column, edit.edited, read_value(live, column.path))
        without_clears = _set(without_clears, column, value, base.record_id, edit)
    with_clears = without_clears
    for edit in (e for e in writes if e.is_clear):
        column = template.column(edit.column)
        cleared: list[Any] | None = [] if column.path.is_multi else None
        with_clears = _set(with_clears, column, cleared, base.record_id, edit)
    patch = make_patch(live, without_clears)
    clear_patch = make_patch(without_clears, with_clears)
    partial = None
    if template.write_mode == "patch":
        keys = {
            key
            for e in writes
            if not e.is_clear
            for key in template.column(e.column).path.top_level_keys
        }
        partial = {key: without_clears[key] for key in sorted(keys) if key in without_clears}
    status = Status.CHANGE if patch or clear_patch else Status.NO_OP
    return RecordPlan(
        base.record_id,
        status,
        base.edits,
        base.row,
        base.live_fingerprint,
        patch,
        clear_patch,
        partial,
    )


def _set(record: Record, column: Column, value: Any, record_id: str, edit: CellEdit) -> Record:
    """`record` with `value` written at the column's path; a write the record's shape does not
    allow (a `[5]` on a shorter list) is refused naming the cell and the record."""
    try:
        return write_value(record, column.path, value, new_item=column.new_item)
    except PathError as exc:
        raise PlanError(
            f"{edit.sheet}!{edit.cell} ({edit.column}), record {record_id}: {exc}; "
            "undo that edit (or edit the record in Esploro) and plan again"
        ) from None


def json_value(column: Column, text: str | None, live_value: Any) -> Any:
    """The JSON value an edited cell text stands for, typed like the live value it replaces
    (Esploro's types are inconsistent and must round-trip: "1" stays a string, 1 an integer)."""
    if text is None:
        return [] if column.path.is_multi else None
    if column.path.is_multi:
        sample = next((v for v in live_value or [] if v is not None), None)
        return [_scalar(column, part, sample) for part in split_values(column, text)]
    return _scalar(column, text, live_value)


def _scalar(column: Column, text: str, like: Any) -> Any:
    if column.type == "date" and isinstance(like, str) and like.endswith("Z"):
        # Esploro writes researcher dates as "2022-06-18Z": a day typed without the Z is
        # written in that form, so the stored value reads back as what was sent.
        return text + "Z" if _PLAIN_DAY.match(text) else text
    if isinstance(like, bool) or (column.type == "boolean" and not isinstance(like, str)):
        return text.strip().lower() == "true"
    if isinstance(like, int) or column.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text
