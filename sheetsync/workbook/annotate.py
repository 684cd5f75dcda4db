"""The annotated workbook: the person's own workbook, coloured by what the plan makes of it.

People review a plan best where they made the edits, so this copies their workbook and marks
each edited cell with a fill and a comment: green for a write, grey for a value that is
already live, red for a conflict, orange for an invalid cell or a row that matches no record.
The comment says why, with the baseline and live values beside it; where it says what the
reports say (a write, a clear, a blank) it takes their words, from `sheetsync.report.words`.

The person's file is never touched: it is read, and the copy goes to another path, written to
a temporary file beside it and renamed into place, so an interrupted run leaves no half file.
The copy is for review, not for editing on: openpyxl keeps values, styles, comments, dropdowns
and hidden sheets, but drops what it cannot read (images, charts) that a person may have added.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.cell import Cell, MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.utils.cell import coordinate_from_string
from openpyxl.utils.exceptions import CellCoordinatesException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.errors import WorkbookError
from sheetsync.files import SHARED, replace_atomically
from sheetsync.planning.model import CellEdit, Outcome, Plan, RowProblem, Status
from sheetsync.report.visible import visible
from sheetsync.report.words import BLANK, NOT_FETCHED, is_held, normalised_words, write_words

__all__ = ["FILLS", "annotate_workbook"]

AUTHOR = "sheetsync"

# Excel's own "good / bad" fills, so the colours read as they do in any spreadsheet.
FILLS: dict[str, str] = {
    "write": "C6EFCE",
    "same-as-live": "EDEDED",
    "conflict": "FFC7CE",
    "invalid": "F8CBAD",
    "row-problem": "F8CBAD",
}
# When two marks land on one cell, the more alarming colour wins; both comments are kept.
_RANK = {"same-as-live": 0, "write": 1, "invalid": 2, "row-problem": 2, "conflict": 3}


@dataclass
class _Mark:
    kind: str
    texts: list[str]


def annotate_workbook(source: Path, output: Path, plan: Plan) -> int:
    """Write a copy of `source` to `output` with every planned cell marked; returns how many
    cells were marked. Edits and problems on sheets the workbook lacks are skipped.

    `output` must be another file: annotating in place would change the workbook the plan
    was made from, and its hash with it.
    """
    if same_file(source, output):
        raise WorkbookError(
            f"--annotated {output} is the workbook being planned; the annotated copy must go "
            "to another file"
        )
    book = load_workbook(source)
    marks = _collect_marks(plan, book)
    for (sheet_name, coordinate), mark in marks.items():
        _apply_mark(_target_cell(book[sheet_name], coordinate), mark)
    _save_atomically(book, output)
    return len(marks)


def same_file(source: Path, output: Path) -> bool:
    """Whether `output` is `source` itself (or a link to it)."""
    if output.resolve() == source.resolve():
        return True
    with contextlib.suppress(OSError):
        return output.exists() and os.path.samefile(source, output)
    return False


def _collect_marks(plan: Plan, book: Workbook) -> dict[tuple[str, str], _Mark]:
    """Every cell to mark, keyed by (sheet, coordinate), on sheets the workbook has."""
    marks: dict[tuple[str, str], _Mark] = {}
    for record in plan.records:
        for edit in record.edits:
            coordinate = _coordinate(edit.cell)
            if edit.sheet in book.sheetnames and coordinate is not None:
                text = _edit_comment(edit, record.status, fetched=record.fetched)
                _add(marks, (edit.sheet, coordinate), edit.outcome, text)
    for problem in plan.row_problems:
        if problem.sheet in book.sheetnames and problem.row >= 1:
            coordinate = _problem_cell(book[problem.sheet], problem)
            text = f"sheetsync: row problem, nothing is planned from this row\n{problem.message}"
            _add(marks, (problem.sheet, coordinate), "row-problem", text)
    return marks


def _coordinate(cell: str) -> str | None:
    """Normalise "d17" to "D17"; None for anything that is not one cell's coordinate."""
    try:
        column, row = coordinate_from_string(cell.strip().upper())
    except (ValueError, CellCoordinatesException):
        return None
    return f"{column}{row}" if row >= 1 else None


def _problem_cell(sheet: Worksheet, problem: RowProblem) -> str:
    """The cell at the problem's row under the header equal to its column (ignoring case and
    surrounding spaces, as templates match headers), or the row's first cell if none is."""
    wanted = problem.column.strip().casefold()
    if wanted:
        for cell in sheet[1]:
            if isinstance(cell.value, str) and cell.value.strip().casefold() == wanted:
                return f"{cell.column_letter}{problem.row}"
    return f"A{problem.row}"


def _add(marks: dict[tuple[str, str], _Mark], key: tuple[str, str], kind: str, text: str) -> None:
    mark = marks.get(key)
    if mark is None:
        marks[key] = _Mark(kind, [text])
        return
    if _RANK[kind] > _RANK[mark.kind]:
        mark.kind = kind
    mark.texts.append(text)


def _edit_comment(edit: CellEdit, status: Status, *, fetched: bool = True) -> str:
    """What the plan does with this cell, and the values it decided from. A record the plan
    did not fetch has no live value: it says so rather than call the live value blank."""
    lines = [_headline(edit.outcome, edit)]
    if is_held(edit, status):
        lines.append(f"Held back: the record is {status}, and apply writes nothing of it.")
    if edit.message and edit.outcome in (Outcome.CONFLICT, Outcome.INVALID):
        lines.append(edit.message)
    if edit.normalised:
        lines.append(normalised_words(edit.normalised))
    lines += [
        f"baseline (export): {_shown(edit.baseline)}",
        f"edited: {_shown(edit.edited)}",
        f"live: {_shown(edit.live) if fetched else NOT_FETCHED}",
    ]
    return "\n".join(lines)


def _headline(outcome: Outcome, edit: CellEdit) -> str:
    if outcome == Outcome.WRITE:
        return f"sheetsync: {write_words(is_clear=edit.is_clear)}"
    if outcome == Outcome.SAME_AS_LIVE:
        return "sheetsync: nothing to do, the live record already has this value"
    return f"sheetsync: {outcome}, not written"


def _shown(value: str | None) -> str:
    if not value:  # no value and an empty text read the same: both BLANK
        return BLANK
    value = visible(value)
    return value if len(value) <= 500 else value[:499] + "…"


def _target_cell(sheet: Worksheet, coordinate: str) -> Cell:
    """The cell itself, or, inside cells the person merged, the merge's top-left cell: only
    that one can carry a comment, and it is the one Excel shows."""
    cell = sheet[coordinate]
    if isinstance(cell, MergedCell):
        merged = next(r for r in sheet.merged_cells.ranges if coordinate in r)
        cell = sheet.cell(merged.min_row, merged.min_col)
    assert isinstance(cell, Cell)  # a merge's top-left cell is an ordinary cell
    return cell


def _apply_mark(cell: Cell, mark: _Mark) -> None:
    """Fill the cell and replace its comment with ours, keeping any comment the person wrote."""
    colour = FILLS[mark.kind]
    cell.fill = PatternFill("solid", fgColor=colour, bgColor=colour)
    texts = list(mark.texts)
    if cell.comment is not None and cell.comment.author != AUTHOR:
        texts.append(
            f"(earlier comment by {cell.comment.author or 'someone'})\n{cell.comment.text}"
        )
    text = "\n\n".join(texts)
    lines = text.count("\n") + 1
    cell.comment = Comment(text, AUTHOR, width=360, height=min(40 + 16 * lines, 600))


def _save_atomically(book: Workbook, output: Path) -> None:
    """Save beside `output`, then rename into place; the copy is for sharing, so the umask
    decides its mode, as for any file the person makes."""
    replace_atomically(output, book.save, mode=SHARED)
