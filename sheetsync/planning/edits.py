"""Which cells the person changed: the edited data sheet against the export's baseline.

Rows are matched by ID, never by position, so sorting, filtering, hiding, deleting rows or moving
columns cannot create or lose an edit; a deleted row means "no change". Values are normalised
so that what Excel or LibreOffice did on their own never counts as an edit: CRLF against LF,
`1.0` against `1`, a date cell where text was exported, TRUE against `true`, an empty string
against an empty cell.

Rows that cannot be matched (no ID, an ID not in the baseline, an ID Excel turned into a number)
become `RowProblem`s; a duplicated ID makes its record invalid; a formula, an edit to a read-only
or oversized column makes that cell invalid. Nothing here talks to Esploro.
"""

from __future__ import annotations

import datetime
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sheetsync.planning.model import RowProblem
from sheetsync.report.words import export_again, read_only_edit
from sheetsync.template import Template
from sheetsync.workbook.reader import EditedWorkbook, SheetRow

EXCEL_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}(Z?)$")
_COMPACT_DATE = re.compile(r"^\d{8}$")
_OVERSIZED_MARK = "[sheetsync: this value has"


@dataclass(frozen=True)
class CellChange:
    header: str
    cell: str
    baseline: str | None
    edited: str | None
    problem: str = ""  # set when the cell cannot be planned (invalid)
    notes: tuple[str, ...] = ()  # how the typed text was normalised (`normalise.py`), in words
    rule: str = ""  # the template rule the text breaks (a pattern), shown as a note


@dataclass(frozen=True)
class RecordEdits:
    record_id: str
    row: int
    changes: tuple[CellChange, ...]
    problems: tuple[str, ...] = ()  # record-level: the whole record is invalid


def comparable(text: str | None) -> str | None:
    """What two texts are compared by: line endings folded, empty is None."""
    if text is None or text == "":
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def same(a: str | None, b: str | None) -> bool:
    return comparable(a) == comparable(b)


def edited_text(value: Any, baseline: str | None) -> str | None:
    """The text a cell now holds, in the form of its baseline when only the type changed."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        text = "true" if value else "false"
        return baseline if baseline is not None and baseline.lower() == text else text
    if isinstance(value, int | float):
        return _number_text(value, baseline)
    if isinstance(value, datetime.datetime | datetime.date):
        return _date_text(value, baseline)
    return str(value)


def _number_text(value: float, baseline: str | None) -> str:
    if baseline is not None:
        try:
            if float(baseline) == value:
                return baseline  # Excel retyped "1" as 1.0, or "1.50" as 1.5
        except ValueError:
            pass
    return str(int(value)) if float(value).is_integer() else repr(value)


def _date_text(value: datetime.date, baseline: str | None) -> str:
    day = value.date() if isinstance(value, datetime.datetime) else value
    if baseline is not None and _COMPACT_DATE.match(baseline):
        return day.strftime("%Y%m%d")
    suffix = ""
    if baseline is not None and (match := _ISO_DATE.match(baseline)):
        suffix = match.group(1)
    return day.isoformat() + suffix


def _row_id(row: SheetRow, book: EditedWorkbook, id_header: str) -> tuple[str | None, str]:
    """The row's record ID, or None and why it cannot be used."""
    value = row.values.get(id_header, "")
    cell = book.cell_ref(id_header, row.number)
    if value in ("", None):
        return None, "a new row without an ID: creating records is not supported yet"
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value)) if float(value).is_integer() else repr(value)
        exact = float(value).is_integer() and len(digits) <= EXCEL_EXACT_DIGITS
        if exact and digits in book.baseline:
            return digits, ""
        return None, (
            f"the ID in {cell} became the number {value!r} (Excel does this to long numbers) and "
            "may have lost digits; type it again as text, or copy the row from a new export "
            f"({export_again()})"
        )
    text = str(value).strip()
    if text not in book.baseline:
        return None, f"ID {text} is not in this export (rows cannot be added or pasted in)"
    return text, ""


def _cell_change(
    book: EditedWorkbook, template: Template, row: SheetRow, header: str, record_id: str
) -> CellChange | None:
    column = template.column(header)
    baseline = book.baseline[record_id]
    before = baseline.texts.get(header)
    raw = row.values[header]
    cell = book.cell_ref(header, row.number)
    place = f"{book.data_sheet}!{cell} ({header})"
    if cell in book.formula_cells:
        problem = f"{place}: a formula; type the value itself"
        return CellChange(header, cell, before, edited_text(raw, before), problem)
    if header in baseline.oversized:
        if isinstance(raw, str) and raw.startswith(_OVERSIZED_MARK):
            return None
        problem = f"{place}: this value was too long for a cell and cannot be edited here"
        return CellChange(header, cell, before, edited_text(raw, before), problem)
    after = _as_code(edited_text(raw, before), book.meta.get("labels", {}).get(header))
    if same(after, before):
        return None
    letter = cell.rstrip("0123456789")
    problem = read_only_edit(book.data_sheet, row.number, letter, header) if column.readonly else ""
    return CellChange(header, cell, before, after, problem)


def _as_code(text: str | None, labels: dict[str, str] | None) -> str | None:
    """A cell of a column that shows descriptions, read back as its code: a description or a
    code, in any case; anything else stays as typed, for validation to name."""
    if text is None or not labels:
        return text
    wanted = text.strip().casefold()
    for code, description in labels.items():
        if wanted in (code.casefold(), description.casefold()):
            return code
    return text


def _maybe_changed(
    book: EditedWorkbook, row: SheetRow, record_id: str, id_header: str
) -> list[str]:
    """The row's headers whose cells may hold an edit. A cell that holds its exported text
    exactly (or is empty where nothing was exported) is skipped without naming the cell:
    at 100,000 rows almost every cell is one, and `_cell_change` is what costs. Cells the fast
    test cannot judge (a formula, an oversized value, a column shown by its descriptions) go
    to `_cell_change` whatever they hold."""
    baseline = book.baseline[record_id]
    texts, values = baseline.texts, row.values
    labelled = book.meta.get("labels") or {}
    formulas = book.formula_cells
    judged_whole = not (labelled or formulas or baseline.oversized or book.missing_headers)
    if judged_whole and tuple(map(values.__getitem__, book.headers)) == baseline.cells:
        return []  # the row as exported, every cell: the common case, one comparison
    wanted = []
    for header in book.columns:
        if header == id_header:
            continue
        before, raw = texts.get(header), values[header]
        unchanged = raw == before if before is not None else raw in ("", None)
        if not unchanged or header in labelled or header in baseline.oversized or formulas:
            wanted.append(header)
    return wanted


def find_edits(
    book: EditedWorkbook, template: Template
) -> tuple[list[RecordEdits], list[RowProblem]]:
    """Every record with a changed cell, and every row that cannot be matched to a record."""
    id_header = template.id_column.header
    problems: list[RowProblem] = []
    rows_by_id: dict[str, list[SheetRow]] = defaultdict(list)
    for row in book.rows:
        record_id, why = _row_id(row, book, id_header)
        if record_id is None:
            problems.append(RowProblem(book.data_sheet, row.number, id_header, why))
        else:
            rows_by_id[record_id].append(row)
    edits: list[RecordEdits] = []
    for record_id, rows in rows_by_id.items():
        if len(rows) > 1:
            numbers = ", ".join(str(r.number) for r in rows)
            message = f"ID {record_id} is in rows {numbers} of '{book.data_sheet}'; keep one"
            edits.append(RecordEdits(record_id, rows[0].number, (), (message,)))
            continue
        row = rows[0]
        changes = [
            change
            for header in _maybe_changed(book, row, record_id, id_header)
            if (change := _cell_change(book, template, row, header, record_id)) is not None
        ]
        if changes:
            edits.append(RecordEdits(record_id, row.number, tuple(changes)))
    return edits, problems
