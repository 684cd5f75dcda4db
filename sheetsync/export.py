"""`export`: pull records into a templated workbook, with the baseline plan will diff against.

Records stream from the client into the workbook writer one at a time; the only thing held
for the whole run is the list of IDs to fetch. Nothing is written at the output path unless
the whole workbook was.
"""

from __future__ import annotations

import datetime
import time
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync import __version__
from sheetsync.api import EsploroClient
from sheetsync.cells import cell_text
from sheetsync.fieldpath import read_value
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.records import fingerprint, record_id
from sheetsync.template import Template
from sheetsync.workbook import CodeList, ExportInfo, ExportWriter

Q_SYNTAX_HINT = (
    "check the q syntax: field~words, conditions joined with ' AND ', e.g. "
    "'last_name~Smith AND ALL~chemistry' (Ex Libris has changed this syntax before)"
)


Table = tuple[str, Sequence[str], Sequence[Sequence[str | None]]]  # title, header, rows


class ExportError(Exception):
    """The export cannot go ahead; the message says why and what to do."""


class NothingToExport(ExportError):
    """The selection matched no records; no workbook was written."""


@dataclass(frozen=True)
class Selection:
    """Which records to export. IDs win over a query; `limit` caps either."""

    query: str = ""  # researchers: the API's q
    updated_since: str | None = None  # assets: the API's update_date_from (YYYY-MM-DD)
    ids: tuple[str, ...] | None = None
    limit: int | None = None

    def describe(self) -> str:
        if self.ids is not None:
            text = f"{len(self.ids)} IDs"
        elif self.query:
            text = f"q={self.query}"
        elif self.updated_since:
            text = f"update_date_from={self.updated_since}"
        else:
            text = "all records"
        return text + (f", limit {self.limit}" if self.limit else "")


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


def _check_selection(template: Template, selection: Selection) -> None:
    if selection.query and template.entity != "researchers":
        raise ExportError(
            "--query applies to researchers only; the assets API selects by last update: "
            "use --updated-since YYYY-MM-DD, or --ids"
        )
    if selection.updated_since and template.entity != "assets":
        raise ExportError("--updated-since applies to assets only; for researchers use --query")
    if selection.updated_since:
        try:
            datetime.date.fromisoformat(selection.updated_since)
        except ValueError as exc:
            raise ExportError(
                f"--updated-since '{selection.updated_since}' is not a date YYYY-MM-DD"
            ) from exc


def _code_lists(client: EsploroClient, template: Template) -> dict[str, CodeList]:
    tables = sorted({c.code_table for c in template.columns if c.code_table})
    lists: dict[str, CodeList] = {}
    for name in tables:
        rows = client.code_table(name).get("row", [])
        lists[name] = [(str(r.get("code", "")), str(r.get("description", ""))) for r in rows]
    return lists


def _records(
    client: EsploroClient, template: Template, selection: Selection, progress: Progress
) -> Iterator[dict[str, Any]]:
    """The selected records, streaming; raises NothingToExport before yielding if there are none."""
    ids = selection.ids
    if ids is None and template.entity == "researchers":
        ids = tuple(client.iter_researcher_ids(selection.query, selection.limit))
    if ids is not None:
        ids = ids[: selection.limit] if selection.limit else ids
        if not ids:
            hint = f"; {Q_SYNTAX_HINT}" if selection.query else ""
            raise NothingToExport(f"no records matched {selection.describe()}{hint}")
        progress.start(len(ids))
        fetch = (
            client.fetch_researchers if template.entity == "researchers" else client.fetch_assets
        )
        yield from fetch(list(ids), progress=progress.advance)
        return
    progress.start(None)
    assets = iter(client.iter_assets(selection.updated_since, selection.limit))
    first = next(assets, None)
    if first is None:
        raise NothingToExport(f"no assets matched {selection.describe()}")
    for record in _chain_one(first, assets):
        progress.advance(1)
        yield record


def _chain_one(first: dict[str, Any], rest: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    yield first
    yield from rest


def export_records(
    client: EsploroClient,
    template: Template,
    output: Path,
    selection: Selection,
    progress: Progress | None = None,
    tables: Sequence[Table] = (),
) -> ExportSummary:
    """Export the selected records to `output` and return what was done. `tables` are extra
    plain sheets to include (apply's results use this)."""
    started = time.monotonic()
    _check_selection(template, selection)
    code_lists = _code_lists(client, template)
    records = _records(client, template, selection, progress or NO_PROGRESS)
    first = next(records, None)  # raises NothingToExport before any file is created
    info = ExportInfo(
        export_id=str(uuid.uuid4()),
        template_name=template.name,
        template_sha256=template.sha256,
        template_source=template.source,
        entity=template.entity,
        base_url=client.base_url,
        selection=selection.describe(),
        exported_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sheetsync_version=__version__,
        id_header=template.id_column.header,
        columns=[{"header": c.header, "path": str(c.path)} for c in template.columns],
    )
    with ExportWriter(output, template, info, code_lists) as writer:
        for title, header, rows in tables:
            writer.add_table(title, header, rows)
        for record in _chain_one(first, records) if first is not None else ():
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
