"""`export`: pull records into a templated workbook, with the baseline plan will diff against.

Records stream from the client into the workbook writer one at a time; the only thing held
for the whole run is the list of IDs to fetch. Nothing is written at the output path unless
the whole workbook was.

Two things an export reports rather than fails on, because the rest of the workbook is still
worth having: an ID asked for that Esploro does not have (listed in the summary, skipped), and
a code table Esploro will not give (its column is exported without a dropdown, with a warning).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from sheetsync.conditions import Condition, parse_all
from sheetsync.errors import (
    DailyQuotaError,
    EsploroApiError,
    NothingToExport,
    RateLimitError,
    ServerError,
)
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Record, Selected, Selection, entity_of
from sheetsync.fieldpath import compile_reader
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.provenance import provenance
from sheetsync.records import fingerprint, record_id
from sheetsync.report.words import missing_code_table, missing_ids_sentence
from sheetsync.template import Template
from sheetsync.workbook import (
    CodeList,
    ExportInfo,
    ExportWriter,
    HelperColumns,
    RowExtras,
    refuse_existing,
)
from sheetsync.workbook.cells import cell_text, scalar_text

Table = tuple[str, Sequence[str], Sequence[Sequence[str | None]]]  # title, header, rows
# A results row's extras from its record ID and exported texts (`sheetsync.applying.results`)
Extras = Callable[[str, Sequence[str | None]], RowExtras | None]


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
    missing_ids: tuple[str, ...] = ()  # asked for by ID, not in Esploro: skipped
    warnings: tuple[str, ...] = ()  # e.g. a code table Esploro would not give
    where: tuple[str, ...] = ()  # the --where conditions, all of which the records met
    fetched: int | None = None  # with --where: the records fetched, of which `records` matched


def read_id_list(text: str) -> tuple[str, ...]:
    """IDs from a file or option: one per line or comma-separated; blanks and #comments skipped;
    duplicates dropped, order kept."""
    ids: dict[str, None] = {}
    for line in text.splitlines():
        for part in line.split("#", 1)[0].split(","):
            if part.strip():
                ids[part.strip()] = None
    return tuple(ids)


# Errors that say nothing about one code table (the quota, the pace, a failing server): the
# export stops on these as on any other call, rather than carry on table by table.
_NOT_ABOUT_THE_TABLE = (DailyQuotaError, RateLimitError, ServerError)


def _labels(template: Template, code_lists: dict[str, CodeList]) -> dict[str, dict[str, str]]:
    """header -> code -> description, for the columns that show descriptions (a column whose
    code table could not be read shows its codes)."""
    return {
        column.header: {code: desc for code, desc in code_lists[column.code_table] if desc}
        for column in template.columns
        if column.shows_description and column.code_table in code_lists
    }


def _code_lists(client: EsploroClient, template: Template) -> tuple[dict[str, CodeList], list[str]]:
    """The code tables of the template's code columns, and a warning per table Esploro would
    not give: its columns are exported without a dropdown rather than the export refused."""
    tables = sorted({c.code_table for c in template.columns if c.code_table})
    lists: dict[str, CodeList] = {}
    warnings: list[str] = []
    # the tables are fetched at once (each a round trip), then judged in name order
    fetched = client.ordered(partial(_code_table, client), tables)
    for name, (rows, exc) in zip(tables, fetched, strict=True):
        if exc is not None:
            columns = tuple(c.header for c in template.columns if c.code_table == name)
            reason = f"HTTP {exc.status} {exc.error_code}".strip()
            warnings.append(missing_code_table(name, columns, reason))
            continue
        lists[name] = [(str(r.get("code", "")), str(r.get("description", ""))) for r in rows]
    return lists, warnings


def _code_table(client: EsploroClient, name: str) -> tuple[list[Any], EsploroApiError | None]:
    """A code table's rows, or the error that says Esploro would not give this table."""
    try:
        return client.code_table(name).get("row", []), None
    except _NOT_ABOUT_THE_TABLE:
        raise
    except EsploroApiError as exc:
        return [], exc


def row_texts(template: Template) -> Callable[[Record], list[str | None]]:
    """A record's cell texts, one per template column. Each column's path is compiled once
    (`compile_reader`), not parsed apart again for every record: export reads every record at
    the same paths, and per-row work is what keeps a fast API waiting."""
    columns = [(compile_reader(column.path), column.join) for column in template.columns]

    def texts(record: Record) -> list[str | None]:
        return [cell_text(read(record), join) for read, join in columns]

    return texts


class _Found:
    """The selected records that exist, streaming; the IDs that do not, collected on the way."""

    def __init__(self, selected: Iterator[Selected], selection: Selection) -> None:
        self._selected = selected
        self.missing: list[str] = []
        self.first = self._next()
        if self.first is None:  # raised before any file is created
            what = missing_ids_sentence(tuple(self.missing)) if self.missing else "nothing"
            raise NothingToExport(f"no records to export for {selection.describe()}: {what}")

    def _next(self) -> Record | None:
        for item in self._selected:
            if item.record is not None:
                return item.record
            self.missing.append(item.record_id)
        return None

    def __iter__(self) -> Iterator[Record]:
        record = self.first
        while record is not None:
            yield record
            record = self._next()


class _Matching:
    """The selected records that meet every `--where` condition, judged on the cell texts the
    workbook would show (a shown description, and the code behind it); counts those fetched."""

    def __init__(
        self,
        selected: Iterator[Selected],
        template: Template,
        conditions: Sequence[Condition],
        labels: dict[str, dict[str, str]],
    ) -> None:
        self._selected = selected
        self._columns = [(c, template.column(c.header)) for c in conditions]
        self._readers = [compile_reader(column.path) for _, column in self._columns]
        self._labels = labels
        self.fetched = 0

    def __iter__(self) -> Iterator[Selected]:
        for item in self._selected:
            if item.record is not None:
                self.fetched += 1
                if not self._meets(item.record):
                    continue
            yield item

    def _meets(self, record: Record) -> bool:
        for (condition, column), read in zip(self._columns, self._readers, strict=True):
            value = read(record)
            code = cell_text(value, column.join)
            items = (
                [scalar_text(v) for v in value if v is not None] if isinstance(value, list) else []
            )
            shown = self._labels.get(column.header, {}).get(code or "", code)
            if not condition.holds(shown, items=items, code=code):
                return False
        return True

    def found(self, selection: Selection) -> _Found:
        """The records to write; NothingToExport saying so when none met the conditions."""
        try:
            return _Found(iter(self), selection)
        except NothingToExport:
            if not self._columns or not self.fetched:
                raise
            wanted = " and ".join(f"'{c}'" for c, _ in self._columns)
            raise NothingToExport(
                f"none of the {self.fetched:,} records fetched ({selection.describe()}) meets "
                f"--where {wanted}; nothing was written"
            ) from None


def export_records(
    client: EsploroClient,
    template: Template,
    output: Path,
    selection: Selection,
    *,
    progress: Progress | None = None,
    tables: Sequence[Table] = (),
    helpers: HelperColumns | None = None,
    extras: Extras | None = None,
    protect: bool = False,
    overwrite: bool = True,
    where: Sequence[str] = (),
) -> ExportSummary:
    """Export the selected records to `output` and return what was done. `tables` are extra
    plain sheets to include; `helpers` read-only columns beside the data, `extras` what each
    row shows beyond its record (apply's results use these); `where` are conditions on the
    template's columns (`sheetsync.conditions`) every exported record meets. `protect` locks
    the sheet (read-only columns cannot be typed over, but sorting and deleting rows fail
    too). With `overwrite=False` (what `export` asks for) an existing `output` is refused
    before anything is fetched: it may hold edits. Apply's results replace their file, as asked."""
    started = time.monotonic()
    if not overwrite:
        refuse_existing(output)
    entity = entity_of(template.entity)
    entity.check_selection(selection)
    conditions = parse_all(where, [c.header for c in template.columns])
    code_lists, warnings = _code_lists(client, template)
    selected = entity.select(client, selection, progress or NO_PROGRESS)
    matching = _Matching(selected, template, conditions, _labels(template, code_lists))
    found = matching.found(selection)
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
        labels=_labels(template, code_lists),
        helper_headers=helpers.headers if helpers else [],
        copy_of=client.copy_of,
    )
    with ExportWriter(
        output,
        template,
        info,
        code_lists,
        data_sheet=entity.sheet_title,
        helpers=helpers,
        protect=protect,
        overwrite=overwrite,
    ) as writer:
        for title, header, rows in tables:
            writer.add_table(title, header, rows)
        texts_of = row_texts(template)
        for record in found:
            texts = texts_of(record)
            key = record_id(record, template.id_path)
            writer.add(key, fingerprint(record), texts, extras(key, texts) if extras else None)
    return ExportSummary(
        path=output,
        template=template.name,
        records=writer.rows,
        columns=len(template.columns),
        oversized_cells=writer.oversized_cells,
        api_calls=client.calls,
        remaining_quota=client.remaining_quota,
        seconds=time.monotonic() - started,
        missing_ids=tuple(found.missing),
        warnings=tuple(warnings),
        where=tuple(str(c) for c in conditions),
        fetched=matching.fetched if conditions else None,
    )
