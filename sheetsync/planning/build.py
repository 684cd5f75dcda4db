"""`plan`: what `apply` would change, worked out against live data. Writes nothing to Esploro.

For each record with edits, three values per field: baseline (the export), edited (the
workbook), live (fetched now). Only live changed: keep live. Only edited changed: write edited.
Both changed to different values: a conflict, and nothing is written for that record. Both
changed to the same value: nothing to do. The proposed record is the LIVE record with the
edited fields set, so a field nobody edited is carried over byte for byte; the plan keeps the
JSON Patch from live to proposed (`sheetsync.patching`).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sheetsync._version import __version__
from sheetsync.errors import PathError, PlanError, TemplateError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import entity_of
from sheetsync.fieldpath import read_value, write_value
from sheetsync.patching import make_patch
from sheetsync.planning.edits import CellChange, RecordEdits, find_edits, same
from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan, RowProblem, Status
from sheetsync.planning.validate import check_cell, split_values
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.records import fingerprint, record_id
from sheetsync.report.words import conflict_message
from sheetsync.template import Column, Template, load_template
from sheetsync.workbook.cells import cell_text, is_oversized, text_digest
from sheetsync.workbook.reader import EditedWorkbook, read_export

Record = dict[str, Any]


@dataclass(frozen=True)
class _Merged:
    edits: tuple[CellEdit, ...]
    conflicts: tuple[str, ...]


def build_plan(
    client: EsploroClient,
    workbook: Path,
    *,
    only: Collection[str] | None = None,
    progress: Progress = NO_PROGRESS,
) -> Plan:
    """Read an edited export, fetch the records it changes, and return the plan (unsaved)."""
    book = read_export(workbook)
    template = _template_of(book)
    if client.base_url.rstrip("/") != str(book.meta.get("base_url", "")).rstrip("/"):
        raise PlanError(
            f"{workbook} was exported from {book.meta.get('base_url')}, but this run is "
            f"connected to {client.base_url}; plan against the Esploro it came from"
        )
    edits, row_problems = find_edits(book, template)
    if only is not None:
        edits = [e for e in edits if e.record_id in set(only)]
    codes = _code_tables(client, template, edits)
    checked = [_validated(e, template, codes, book.data_sheet) for e in edits]
    to_fetch = [e.record_id for e in checked if _plannable(e)]
    progress.start(len(to_fetch))
    live = dict(zip(to_fetch, _fetch(client, template, to_fetch, progress.advance), strict=True))
    records = tuple(_plan_record(e, template, live.get(e.record_id), book) for e in checked)
    return Plan(
        workbook=str(workbook),
        workbook_sha256=book.sha256,
        export_id=str(book.meta.get("export_id", "")),
        data_sheet=book.data_sheet,
        template_name=template.name,
        template_sha256=template.sha256,
        template_source=template.source,
        entity=template.entity,
        write_mode=template.write_mode,
        id_path=str(template.id_path),
        base_url=client.base_url,
        created_at=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        sheetsync_version=__version__,
        records=records,
        row_problems=tuple(row_problems),
        notices=_notices(book),
    ).with_checksum()


def _template_of(book: EditedWorkbook) -> Template:
    """The template the export was made with, unchanged since: same source, same bytes."""
    source = str(book.meta.get("template_source") or book.meta.get("template_name"))
    try:
        template = load_template(source)
    except TemplateError as exc:
        raise PlanError(f"{book.path}: its template cannot be loaded: {exc}") from None
    if template.sha256 != book.meta.get("template_sha256"):
        raise PlanError(
            f"{book.path}: the template '{source}' has changed since this workbook was exported; "
            "export again with the current template"
        )
    return template


def _notices(book: EditedWorkbook) -> tuple[str, ...]:
    notices = [
        f"column '{h}' is not in the sheet: nothing is planned for it" for h in book.missing_headers
    ]
    notices += [f"column '{h}' is not from the export: it is ignored" for h in book.extra_headers]
    return tuple(notices)


def _code_tables(
    client: EsploroClient, template: Template, edits: Iterable[RecordEdits]
) -> dict[str, frozenset[str]]:
    """The code tables of the columns that have edits (one call per table, only if needed)."""
    headers = {c.header for e in edits for c in e.changes}
    names = {c.code_table for c in template.columns if c.code_table and c.header in headers}
    return {
        name: frozenset(str(row.get("code")) for row in client.code_table(name).get("row", []))
        for name in sorted(names)
    }


def _validated(
    edits: RecordEdits, template: Template, codes: Mapping[str, frozenset[str]], sheet: str
) -> RecordEdits:
    changes = []
    for change in edits.changes:
        if not change.problem:
            column = template.column(change.header)
            problem = check_cell(column, change.edited, codes.get(column.code_table or ""))
            if problem:
                change = CellChange(
                    change.header,
                    change.cell,
                    change.baseline,
                    change.edited,
                    f"{sheet}!{change.cell} ({change.header}): {problem}",
                )
        changes.append(change)
    return RecordEdits(edits.record_id, edits.row, tuple(changes), edits.problems)


def _plannable(edits: RecordEdits) -> bool:
    return not edits.problems and not any(c.problem for c in edits.changes)


def _fetch(
    client: EsploroClient,
    template: Template,
    ids: list[str],
    progress: Callable[[int], object] | None,
) -> Iterable[Record]:
    if not ids:
        return []
    return entity_of(template.entity).fetch(client, ids, progress)


def _live_text(live: Record, column: Column) -> str | None:
    text = cell_text(read_value(live, column.path), column.join)
    return text_digest(text) if text is not None and is_oversized(text) else text


def _merge(edits: RecordEdits, template: Template, live: Record, sheet: str) -> _Merged:
    """The three-way merge, field by field."""
    result, conflicts = [], []
    for change in edits.changes:
        column = template.column(change.header)
        live_text = _live_text(live, column)
        outcome: Outcome
        if same(live_text, change.baseline):
            outcome, message = "write", ""
        elif same(live_text, change.edited):
            outcome, message = "same-as-live", "already so in Esploro"
        else:
            outcome = "conflict"
            message = conflict_message(
                sheet, change.cell, change.header, change.baseline, live_text, change.edited
            )
            conflicts.append(message)
        result.append(
            CellEdit(
                change.header,
                str(column.path),
                change.cell,
                sheet,
                change.baseline,
                change.edited,
                live_text,
                outcome,
                message,
            )
        )
    return _Merged(tuple(result), tuple(conflicts))


def _plan_record(
    edits: RecordEdits, template: Template, live: Record | None, book: EditedWorkbook
) -> RecordPlan:
    sheet = book.data_sheet
    if live is None:
        invalid = tuple(
            CellEdit(
                c.header,
                str(template.column(c.header).path),
                c.cell,
                sheet,
                c.baseline,
                c.edited,
                None,
                "invalid" if c.problem else "write",
                c.problem,
            )
            for c in edits.changes
        )
        return RecordPlan(edits.record_id, "invalid", invalid, edits.row, messages=edits.problems)
    if record_id(live, template.id_path) != edits.record_id:
        raise PlanError(f"Esploro returned another record for ID {edits.record_id}")
    merged = _merge(edits, template, live, sheet)
    base = RecordPlan(edits.record_id, "conflict", merged.edits, edits.row, fingerprint(live))
    if merged.conflicts:
        return base
    return _proposal(base, template, live)


def _proposal(base: RecordPlan, template: Template, live: Record) -> RecordPlan:
    """The proposed record: live, with the writes set; clears kept apart."""
    writes = [e for e in base.edits if e.outcome == "write"]
    without_clears = live
    for edit in (e for e in writes if not e.is_clear):
        column = template.column(edit.column)
        value = json_value(column, edit.edited, read_value(live, column.path))
        without_clears = _set(without_clears, column, value, base.record_id, edit)
    with_clears = without_clears
    for edit in (e for e in writes if e.is_clear):
        column = template.column(edit.column)
        cleared: list[Any] | None = [] if column.path.is_multi else None
        with_clears = _set(with_clears, column, cleared, base.record_id, edit)
    patch = make_patch(live, without_clears)
    clear_patch = make_patch(without_clears, with_clears)
    partial = None
    if template.write_mode == "patch":
        keys = {template.column(e.column).path.top_level_key for e in writes if not e.is_clear}
        partial = {key: without_clears[key] for key in sorted(keys) if key in without_clears}
    status: Status = "change" if patch or clear_patch else "no-op"
    return RecordPlan(
        base.record_id,
        status,
        base.edits,
        base.row,
        base.live_fingerprint,
        patch,
        clear_patch,
        partial,
    )


def _set(record: Record, column: Column, value: Any, record_id: str, edit: CellEdit) -> Record:
    """`record` with `value` written at the column's path; a write the record's shape does not
    allow (a `[5]` on a shorter list) is refused naming the cell and the record."""
    try:
        return write_value(record, column.path, value)
    except PathError as exc:
        raise PlanError(
            f"{edit.sheet}!{edit.cell} ({edit.column}), record {record_id}: {exc}; "
            "undo that edit (or edit the record in Esploro) and plan again"
        ) from None


def json_value(column: Column, text: str | None, live_value: Any) -> Any:
    """The JSON value an edited cell text stands for, typed like the live value it replaces
    (Esploro's types are inconsistent and must round-trip: "1" stays a string, 1 an integer)."""
    if text is None:
        return [] if column.path.is_multi else None
    if column.path.is_multi:
        sample = next((v for v in live_value or [] if v is not None), None)
        return [_scalar(column, part, sample) for part in split_values(column, text)]
    return _scalar(column, text, live_value)


def _scalar(column: Column, text: str, like: Any) -> Any:
    if isinstance(like, bool) or (column.type == "boolean" and not isinstance(like, str)):
        return text.strip().lower() == "true"
    if isinstance(like, int) or column.type == "integer":
        try:
            return int(text)
        except ValueError:
            return text
    if isinstance(like, float):
        try:
            return float(text)
        except ValueError:
            return text
    return text


__all__ = [
    "PlanError",
    "RowProblem",
    "build_plan",
    "json_value",
]
