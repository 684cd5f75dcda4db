"""`snapshot`: the selected records exactly as Esploro sent them, to rehearse on.

A snapshot is what `sheetsync sandbox --load` serves, so that a correction can be rehearsed on
an institution's own records before production is touched. It keeps each record's JSON text
byte for byte as received (re-encoding would change number formats, escapes and spacing, and
the rehearsal would no longer be about the records production holds), plus the code tables and
organisation units the records use, which the sandbox validates writes against.

The file is JSON lines, streamed as records arrive (only the IDs to fetch are held):

    {"format": "sheetsync-snapshot", "version": 1, "base_url": ..., "entity": ..., ...}
    {"code_table": "UserGroups", "raw": "<the table's JSON text as received>"}
    {"organizations": [{...}, ...]}
    {"id": "1234", "raw": "<the record's JSON text as received>"}

It holds real people's data, so it is the owner's alone (0600), and written atomically: an
interrupted snapshot leaves no half file. The same pacing, retries and quota floor as an export
apply, because the same client does the reading.
"""

from __future__ import annotations

import datetime
import json
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sheetsync._version import __version__
from sheetsync.errors import (
    DailyQuotaError,
    EsploroApiError,
    NothingToExport,
    QuotaFloorReached,
    RateLimitError,
    ServerError,
)
from sheetsync.esploro.client import EsploroClient, RawItem
from sheetsync.esploro.entities import ENTITIES, Entity, Selection, entity_of
from sheetsync.files import PRIVATE, replace_atomically
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.report.words import missing_ids_sentence, snapshot_missing_code_table
from sheetsync.template import Template, load_template

SNAPSHOT_FORMAT = "sheetsync-snapshot"
SNAPSHOT_VERSION = 1
_NOT_ABOUT_THE_TABLE = (DailyQuotaError, RateLimitError, ServerError, QuotaFloorReached)


@dataclass(frozen=True)
class SnapshotSummary:
    path: Path
    entity: str
    records: int
    code_tables: tuple[str, ...]  # the tables written, by name
    organizations: int  # organisation units written
    api_calls: int
    remaining_quota: int | None
    seconds: float
    missing_ids: tuple[str, ...] = ()  # asked for by ID, not in Esploro: skipped
    warnings: tuple[str, ...] = ()  # e.g. a code table Esploro would not give


def template_or_entity(name: str | Path | Template) -> tuple[Entity, Template | None]:
    """An entity name ("researchers") or a template (name, path or loaded), as its entity and
    the template if there is one (its code tables are taken along)."""
    if isinstance(name, Template):
        return entity_of(name.entity), name
    if str(name) in ENTITIES:
        return entity_of(str(name)), None
    template = load_template(name)
    return entity_of(template.entity), template


def take_snapshot(
    client: EsploroClient,
    entity: Entity,
    output: Path,
    selection: Selection,
    *,
    template: Template | None = None,
    progress: Progress | None = None,
) -> SnapshotSummary:
    """Write the selected records to `output` as received, with their code tables and the
    organisation units; nothing is left at `output` unless the whole snapshot was written."""
    started = time.monotonic()
    entity.check_selection(selection)
    names = sorted({*entity.code_tables, *_template_tables(template)})
    tables, warnings = _code_tables(client, names)
    units = _organizations(client, warnings)
    header = {
        "format": SNAPSHOT_FORMAT,
        "version": SNAPSHOT_VERSION,
        "base_url": client.base_url,
        "entity": entity.name,
        "template": template.name if template is not None else None,
        "selection": selection.describe(),
        "taken_at": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "sheetsync_version": __version__,
    }
    written = _Written()
    selected = entity.select_raw(client, selection, progress or NO_PROGRESS)

    def write(temporary: Path) -> None:
        with temporary.open("w", encoding="utf-8", newline="\n") as stream:
            _line(stream, header)
            for name, text in tables:
                _line(stream, {"code_table": name, "raw": text})
            if units is not None:
                _line(stream, {"organizations": units})
            written.records(stream, selected)
        if not written.count:
            what = missing_ids_sentence(tuple(written.missing)) if written.missing else "nothing"
            raise NothingToExport(f"no records to snapshot for {selection.describe()}: {what}")

    replace_atomically(output, write, mode=PRIVATE)
    return SnapshotSummary(
        path=output,
        entity=entity.name,
        records=written.count,
        code_tables=tuple(name for name, _ in tables),
        organizations=len(units or ()),
        api_calls=client.calls,
        remaining_quota=client.remaining_quota,
        seconds=time.monotonic() - started,
        missing_ids=tuple(written.missing),
        warnings=tuple(warnings),
    )


class _Written:
    """The records written so far, and the IDs asked for that Esploro lacks."""

    def __init__(self) -> None:
        self.count = 0
        self.missing: list[str] = []

    def records(self, stream: IO[str], selected: Iterator[tuple[str, RawItem | None]]) -> None:
        for record_id, item in selected:
            if item is None:
                self.missing.append(record_id)
                continue
            _line(stream, {"id": record_id, "raw": item.text})
            self.count += 1


def _line(stream: IO[str], value: Any) -> None:
    stream.write(json.dumps(value, ensure_ascii=False) + "\n")


def _template_tables(template: Template | None) -> Iterable[str]:
    if template is None:
        return ()
    return (column.code_table for column in template.columns if column.code_table)


def _code_tables(
    client: EsploroClient, names: Iterable[str]
) -> tuple[list[tuple[str, str]], list[str]]:
    """Each table's text as received, and a warning per table Esploro would not give (the
    snapshot is still worth having; the sandbox then builds the table from the records)."""
    tables: list[tuple[str, str]] = []
    warnings: list[str] = []
    for name in names:
        try:
            _, text = client.get_text(f"researchconf/code-tables/{name}")
        except _NOT_ABOUT_THE_TABLE:
            raise
        except EsploroApiError as exc:
            reason = f"HTTP {exc.status} {exc.error_code}".strip()
            warnings.append(snapshot_missing_code_table(name, reason))
            continue
        tables.append((name, text))
    return tables, warnings


def _organizations(client: EsploroClient, warnings: list[str]) -> list[dict[str, Any]] | None:
    """The institution's organisation units (records name them by code), or None with a
    warning when the key may not read them."""
    try:
        return client.organizations()
    except _NOT_ABOUT_THE_TABLE:
        raise
    except EsploroApiError as exc:
        warnings.append(f"organisation units not read (HTTP {exc.status} {exc.error_code})")
        return None
