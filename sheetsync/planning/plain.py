"""Plain input (a sheet or CSV that sheetsync did not export) planned with live as its base.

A plain file has no baseline: nothing records what its author saw. So each row's record is
fetched first, and the text the export would have written for it (`cell_text`, the code of a
column that shows descriptions, an oversized value's digest) becomes that row's baseline. Then
the planner runs unchanged: a cell equal to live is no edit, a different one is an edit, and
normalisation, validation, the merge, the plan file, apply and rollback are those of an export.
A blank cell takes the live text too, so plain input never clears a field.

What this cannot do is see a change made in Esploro between the list being made and the plan:
a cell that differs from live is written over it. The plan says so in a notice. (Between plan
and apply, the stale check works as for any plan: the live fingerprints are the plan's.)
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import replace
from typing import Any

from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import entity_of
from sheetsync.fieldpath import read_value
from sheetsync.planning.edits import EXCEL_EXACT_DIGITS
from sheetsync.planning.model import RowProblem
from sheetsync.progress import Progress
from sheetsync.records import fingerprint
from sheetsync.report.words import not_found_message
from sheetsync.template import Template
from sheetsync.workbook.cells import cell_text, is_oversized, oversized_placeholder, text_digest
from sheetsync.workbook.reader import BaselineRecord, EditedWorkbook, SheetRow

Record = dict[str, Any]

__all__ = ["code_labels", "fetch_live", "row_ids", "with_live_base"]


def row_ids(book: EditedWorkbook, template: Template) -> tuple[dict[int, str], list[RowProblem]]:
    """Row number -> the record ID it names; a row problem for each row naming none."""
    header = template.id_column.header
    ids: dict[int, str] = {}
    problems: list[RowProblem] = []
    for row in book.rows:
        record_id, why = _id_of(row.values.get(header), book.cell_ref(header, row.number))
        if record_id is None:
            problems.append(RowProblem(book.data_sheet, row.number, header, why))
        else:
            ids[row.number] = record_id
    return ids, problems


def _id_of(value: Any, cell: str) -> tuple[str | None, str]:
    if value is None or str(value).strip() == "":
        return None, "a row without an ID: plain input updates records, it cannot create them"
    if isinstance(value, int | float) and not isinstance(value, bool):
        digits = str(int(value)) if float(value).is_integer() else repr(value)
        if float(value).is_integer() and len(digits) <= EXCEL_EXACT_DIGITS:
            return digits, ""
        return None, (
            f"the ID in {cell} is the number {value!r} (Excel does this to long numbers) and "
            "may have lost digits; format the column as text and type the ID again"
        )
    return str(value).strip(), ""


def fetch_live(
    client: EsploroClient, template: Template, ids: Iterable[str], progress: Progress
) -> dict[str, Record | None]:
    """The live record of each ID (None: Esploro does not have it), each fetched once."""
    unique = list(dict.fromkeys(ids))
    progress.start(len(unique))
    if not unique:
        return {}
    found = entity_of(template.entity).fetch(client, unique, progress.advance)
    return dict(zip(unique, found, strict=True))


def code_labels(
    client: EsploroClient, template: Template, headers: Collection[str]
) -> dict[str, dict[str, str]]:
    """header -> code -> description for the columns that show descriptions, as an export
    stamps them: how a description typed in a plain file is read back as its code."""
    tables: dict[str, dict[str, str]] = {}
    labels: dict[str, dict[str, str]] = {}
    for column in template.columns:
        if column.header in headers and column.shows_description and column.code_table:
            if column.code_table not in tables:
                rows = client.code_table(column.code_table).get("row", [])
                tables[column.code_table] = {
                    str(r.get("code", "")): str(r.get("description", ""))
                    for r in rows
                    if r.get("description")
                }
            labels[column.header] = tables[column.code_table]
    return labels


def with_live_base(
    book: EditedWorkbook,
    template: Template,
    ids: Mapping[int, str],
    live: Mapping[str, Record | None],
    labels: Mapping[str, dict[str, str]],
) -> tuple[EditedWorkbook, list[RowProblem]]:
    """`book` with a baseline made of the live records, blank cells filled with the live text
    (no change), rows of IDs Esploro lacks or not fetched (`--only`) left out; and a row
    problem for each ID Esploro lacks."""
    header = template.id_column.header
    baseline: dict[str, BaselineRecord] = {}
    rows: list[SheetRow] = []
    problems: list[RowProblem] = []
    for row in book.rows:
        record_id = ids.get(row.number)
        if record_id is None or record_id not in live:
            continue
        record = live[record_id]
        if record is None:
            message = not_found_message(book.data_sheet, row.number, header, record_id)
            problems.append(RowProblem(book.data_sheet, row.number, header, message))
            continue
        base = baseline.setdefault(record_id, _baseline(record_id, record, template, book))
        values = {h: _filled(v, h, base, record, template) for h, v in row.values.items()}
        rows.append(SheetRow(row.number, {**values, header: record_id}))
    meta = {**book.meta, "labels": dict(labels)}
    return replace(book, baseline=baseline, rows=tuple(rows), meta=meta), problems


def _baseline(
    record_id: str, record: Record, template: Template, book: EditedWorkbook
) -> BaselineRecord:
    """What an export of `record` would have stamped in its baseline row."""
    texts: dict[str, str | None] = {}
    oversized: set[str] = set()
    for header in book.headers:
        column = template.column(header)
        text = cell_text(read_value(record, column.path), column.join)
        if is_oversized(text):
            assert text is not None
            oversized.add(header)
            text = text_digest(text)
        texts[header] = text
    return BaselineRecord(record_id, fingerprint(record), frozenset(oversized), texts)


def _filled(
    value: Any, header: str, base: BaselineRecord, record: Record, template: Template
) -> Any:
    """A blank cell as the live text (no change); any other cell as it is."""
    if value is not None and value != "":
        return value
    if header in base.oversized:  # the export's placeholder, which the planner leaves alone
        column = template.column(header)
        return oversized_placeholder(cell_text(read_value(record, column.path), column.join) or "")
    return base.texts.get(header) or ""
