"""`export`: pull records into a templated workbook, with the baseline plan will diff against.

Records stream from the client into the workbook writer one at a time; the only thing held
for the whole run is the list of IDs to fetch. Nothing is written at the output path unless
the whole workbook was.
"""

from __future__ import annotations

import itertools
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection, entity_of
from sheetsync.fieldpath import read_value
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.provenance import provenance
from sheetsync.records import fingerprint, record_id
from sheetsync.template import Template
from sheetsync.workbook import CodeList, ExportInfo, ExportWriter
from sheetsync.workbook.cells import cell_text

Table = tuple[str, Sequence[str], Sequence[Sequence[str | None]]]  # title, header, rows


@dataclass(frozen=True)
class ExportSummary:
    path: Path
    template: str
    records: int
    columns: int
    oversized_cells: int
    api_calls: int
    remaining_quota: int | None
    seconds: float


def read_id_list(text: str) -> tuple[str, ...]:
    """IDs from a file or option: one per line or comma-separated; blanks and #comments skipped;
    duplicates dropped, order kept."""
    ids: dict[str, None] = {}
    for line in text.splitlines():
        for part in line.split("#", 1)[0].split(","):
            if part.strip():
                ids[part.strip()] = None
    return tuple(ids)


def _code_lists(client: EsploroClient, template: Template) -> dict[str, CodeList]:
    tables = sorted({c.code_table for c in template.columns if c.code_table})
    lists: dict[str, CodeList] = {}
    for name in tables:
        rows = client.code_table(name).get("row", [])
        lists[name] = [(str(r.get("code", "")), str(r.get("description", ""))) for r in rows]
    return lists


def export_records(
    client: EsploroClient,
    template: Template,
    output: Path,
    selection: Selection,
    *,
    progress: Progress | None = None,
    tables: Sequence[Table] = (),
) -> ExportSummary:
    """Export the selected records to `output` and return what was done. `tables` are extra
    plain sheets to include (apply's results use this)."""
    started = time.monotonic()
    entity = entity_of(template.entity)
    entity.check_selection(selection)
    code_lists = _code_lists(client, template)
    records = entity.select(client, selection, progress or NO_PROGRESS)
    first = next(records, None)  # raises NothingToExport before any file is created
    made = provenance(template, client.base_url)
    info = ExportInfo(
        export_id=str(uuid.uuid4()),
        template_name=made.template_name,
        template_sha256=made.template_sha256,
        template_source=made.template_source,
        entity=made.entity,
        base_url=made.base_url,
        selection=selection.describe(),
        exported_at=made.at,
        sheetsync_version=made.sheetsync_version,
        id_header=template.id_column.header,
        columns=[{"header": c.header, "path": str(c.path)} for c in template.columns],
    )
    with ExportWriter(output, template, info, code_lists, data_sheet=entity.sheet_title) as writer:
        for title, header, rows in tables:
            writer.add_table(title, header, rows)
        for record in itertools.chain([first], records) if first is not None else ():
            texts = [cell_text(read_value(record, c.path), c.join) for c in template.columns]
            writer.add(record_id(record, template.id_path), fingerprint(record), texts)
    return ExportSummary(
        path=output,
        template=template.name,
        records=writer.rows,
        columns=len(template.columns),
        oversized_cells=writer.oversized_cells,
        api_calls=client.calls,
        remaining_quota=client.remaining_quota,
        seconds=time.monotonic() - started,
    )
