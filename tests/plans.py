"""Plan values built by hand, for tests of what renders or consumes a plan."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

from openpyxl import load_workbook

from sheetsync.planning.model import Plan, RecordPlan, RowProblem

SHEET = "Researchers"


def make_plan(
    records: list[RecordPlan],
    problems: tuple[RowProblem, ...] = (),
    notices: tuple[str, ...] = (),
    **fields: Any,
) -> Plan:
    """A plan of `records` as `sheetsync plan` would make it of a researchers export."""
    plan = Plan(
        workbook="people.xlsx",
        workbook_sha256="a" * 64,
        export_id="exp-2024-05-01",
        data_sheet=SHEET,
        template_name="researchers",
        template_sha256="b" * 64,
        template_source="builtin:researchers",
        entity="researchers",
        write_mode="put",
        id_path="/primary_id",
        base_url="https://api-eu.hosted.exlibrisgroup.com",
        created_at="2024-05-02T09:30:00+00:00",
        sheetsync_version="0.1.0",
        records=tuple(records),
        row_problems=problems,
        notices=notices,
    )
    return replace(plan, **fields).with_checksum()


def edit(path: Path, changes: dict[tuple[str, str], Any], out: Path | None = None) -> Path:
    """Set cells by (record ID, header), as a person typing in Excel would."""
    book = load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    rows = {str(row[0].value): row for row in sheet.iter_rows(min_row=2)}
    for (record_id, header), value in changes.items():
        rows[record_id][headers.index(header)].value = value
    book.save(out or path)
    return out or path
