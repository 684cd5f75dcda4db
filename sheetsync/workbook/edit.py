"""Setting cells of an export by record ID and header, as a person typing in Excel would.

The demo uses it to play the person; it saves with openpyxl like any spreadsheet program, so
the plan that follows reads a workbook that went through a real editor's save.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from sheetsync.workbook.writer import META_SHEET


def set_cells(path: Path, changes: Mapping[tuple[str, str], Any]) -> None:
    """Set each (record ID, column header) cell of the data sheet to its value (None: blank)."""
    book = load_workbook(path)
    sheet = next(s for s in book.worksheets if s.sheet_state == "visible" and s.title != META_SHEET)
    headers = [cell.value for cell in sheet[1]]
    rows = {str(row[0].value): row for row in sheet.iter_rows(min_row=2)}
    for (record_id, header), value in changes.items():
        rows[record_id][headers.index(header)].value = value
    book.save(path)
