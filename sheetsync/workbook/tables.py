"""A workbook of plain text tables: what apply's results are when there is nothing to re-plan."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sheetsync.workbook.writer import append_table, new_workbook, save_atomically

TableRows = Sequence[Sequence[str | None]]


def write_tables(path: Path, tables: Sequence[tuple[str, Sequence[str], TableRows]]) -> None:
    """Write `tables` (title, header, rows) as sheets of string cells, atomically."""
    book = new_workbook()
    for title, header, rows in tables:
        append_table(book, title, header, rows)
    save_atomically(book, path)
