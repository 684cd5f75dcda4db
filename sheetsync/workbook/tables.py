"""A workbook of plain text tables: what apply's results are when there is nothing to re-plan."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sheetsync.workbook.writer import StreamingBook, save_atomically, write_table

TableRows = Sequence[Sequence[str | None]]


def write_tables(path: Path, tables: Sequence[tuple[str, Sequence[str], TableRows]]) -> None:
    """Write `tables` (title, header, rows) as sheets of string cells, atomically."""
    book = StreamingBook()
    try:
        for title, header, rows in tables:
            write_table(book, title, header, rows)
        save_atomically(book, path)
    finally:
        book.discard()
