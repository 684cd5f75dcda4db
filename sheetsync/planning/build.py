"""`plan`: what `apply` would change, worked out against live data. Writes nothing to Esploro.

Reads the edited export and checks that it can be planned here: its template unchanged since
the export, the same Esploro. Then finds the edited cells (`edits.py`), checks them against
the template and the code tables they use (`validate.py`), fetches only the records with edits
that can be planned, merges each three ways (`merge.py`: baseline, edited, live) and assembles
the `Plan` with its provenance and checksum. A record with a refused cell or row is never
fetched: it costs no call. A cell the live record does not allow (an ORCID iD Esploro holds
twice, differently; a plain field whose multilingual twin is in use) makes its record invalid
after the fetch. A record Esploro no longer has is planned invalid, naming its row. Either
way the rest of the workbook is planned as usual.

A plain sheet or CSV made elsewhere (no baseline) is read by `workbook/plain.py` with the
template given; `plain.py` here fetches its rows' records first and makes them its baseline,
and from there it is planned as an export is, its fetched records standing in for the fetch.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sheetsync.errors import PlanError, TemplateError, WorkbookError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import entity_of
from sheetsync.planning.edits import RecordEdits, find_edits
from sheetsync.planning.merge import merge_edits, propose
from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan, RowProblem, Status
from sheetsync.planning.normalise import normalise_change
from sheetsync.planning.plain import code_labels, fetch_live, row_ids, with_live_base
from sheetsync.planning.validate import check_cell, pattern_rule
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.provenance import provenance
from sheetsync.records import field_fingerprints, fingerprint, record_id
from sheetsync.report.words import (
    export_again,
    no_baseline_notice,
    not_found_message,
    unknown_columns_notice,
)
from sheetsync.template import Template, load_template
from sheetsync.workbook import META_SHEET
from sheetsync.workbook.plain import TEXT_SUFFIXES, has_baseline, read_plain
from sheetsync.workbook.reader import EditedWorkbook, read_export

Record = dict[str, Any]


def build_plan(
    client: EsploroClient,
    workbook: Path,
    *,
    only: Collection[str] | None = None,
    progress: Progress = NO_PROGRESS,
    template: Template | None = None,
    id_column: str | None = None,
) -> Plan:
    """Read an edited export, fetch the records it changes, and return the plan (unsaved).
    A plain sheet or CSV (no baseline) needs `template`; its records are all fetched first,
    to be its base (`planning/plain.py`)."""
    prefetched: dict[str, Record | None] | None = None  # plain input: fetched to be its base
    if has_baseline(workbook):
        book = read_export(workbook)
        template = _template_of(book, template)
        exported_from = {str(book.meta.get(k, "")).rstrip("/") for k in ("base_url", "copy_of")}
        if client.base_url.rstrip("/") not in exported_from - {""}:
            raise PlanError(
                f"{workbook} was exported from {book.meta.get('base_url')}, but this run is "
                f"connected to {client.base_url}; plan against the Esploro it came from"
            )
        edits, row_problems = find_edits(book, template)
    else:
        book, template, prefetched, edits, row_problems = _plain_input(
            client, workbook, template, id_column, only, progress
        )
    if only is not None:
        _check_only(only, book, template)
        edits = [e for e in edits if e.record_id in set(only)]
    codes = _code_tables(client, template, edits)
    checked = [
        record
        for e in edits
        if (record := _validated(e, template, codes, book.data_sheet)).changes or e.problems
    ]
    to_fetch = [e.record_id for e in checked if _plannable(e)]
    live = _live(client, template, to_fetch, prefetched, progress)
    named_from = {**(prefetched or {}), **live}  # plain input: an invalid row's record too
    records = tuple(
        _named(_plan_record(e, template, live, book), template, named_from, book) for e in checked
    )
    made = provenance(template, client.base_url)
    return Plan(
        workbook=str(workbook),
        workbook_sha256=book.sha256,
        export_id=str(book.meta.get("export_id", "")),
        data_sheet=book.data_sheet,
        template_name=made.template_name,
        template_sha256=made.template_sha256,
        template_source=made.template_source,
        entity=made.entity,
        write_mode=template.write_mode,
        id_path=str(template.id_path),
        base_url=made.base_url,
        created_at=made.at,
        sheetsync_version=made.sheetsync_version,
        records=records,
        row_problems=tuple(row_problems),
        notices=_notices(book) if book.has_baseline else _plain_notices(book, template, edits),
        labels=_edit_labels(book.meta.get("labels") or {}, records),
    ).with_checksum()


def _edit_labels(
    labels: Mapping[str, Mapping[str, str]], records: Sequence[RecordPlan]
) -> dict[str, dict[str, str]]:
    """The descriptions of the codes the edits hold, by column: all the reports need of the
    code tables (a plan stays small whatever their size)."""
    used: dict[str, dict[str, str]] = {}
    for record in records:
        for edit in record.edits:
            known = labels.get(edit.column) or {}
            for text in (edit.baseline, edit.edited, edit.live):
                if text is not None and text in known:
                    used.setdefault(edit.column, {})[text] = str(known[text])
    return used


def _template_of(book: EditedWorkbook, given: Template | None = None) -> Template:
    """The template the export was made with, unchanged since: same source, same bytes."""
    source = str(book.meta.get("template_source") or book.meta.get("template_name"))
    if given is not None and given.sha256 != book.meta.get("template_sha256"):
        raise PlanError(
            f"{book.path} was exported with the template '{source}', not '{given.name}'; plan "
            "it without --template (an export carries its template)"
        )
    try:
        template = load_template(source)
    except TemplateError as exc:
        raise PlanError(f"{book.path}: its template cannot be loaded: {exc}") from None
    if template.sha256 != book.meta.get("template_sha256"):
        raise PlanError(
            f"{book.path}: the template '{source}' has changed since this workbook was exported; "
            f"{export_again(template.source)}"
        )
    return template


def _check_only(only: Collection[str], book: EditedWorkbook, template: Template) -> None:
    """`--only` IDs the export does not hold are named, not silently planned as nothing."""
    unknown = sorted(set(only) - book.baseline.keys())
    if unknown:
        noun = "ID is" if len(unknown) == 1 else "IDs are"
        raise PlanError(
            f"--only: {len(unknown)} {noun} not in {book.path} ({', '.join(unknown)}); "
            f"give IDs from its '{template.id_column.header}' column"
        )


def _plain_input(
    client: EsploroClient,
    workbook: Path,
    template: Template | None,
    id_column: str | None,
    only: Collection[str] | None,
    progress: Progress,
) -> tuple[EditedWorkbook, Template, dict[str, Record | None], list[RecordEdits], list[RowProblem]]:
    """A plain sheet or CSV read, its records fetched and made its base, its edits found."""
    if template is None:
        what = (
            "a text file"
            if workbook.suffix.lower() in TEXT_SUFFIXES
            else f"no '{META_SHEET}' sheet, so it was not made by `sheetsync export` (or that "
            "hidden sheet was deleted)"
        )
        raise WorkbookError(
            f"{workbook}: {what}; to plan a plain sheet or CSV, give --template NAME, the "
            "template whose column headers it uses"
        )
    book = read_plain(workbook, template, id_column)
    ids, id_problems = row_ids(book, template)
    wanted = [i for i in ids.values() if only is None or i in set(only)]
    live = fetch_live(client, template, wanted, progress)
    labels = code_labels(client, template, book.headers)
    based, missing = with_live_base(book, template, ids, live, labels)
    edits, row_problems = find_edits(based, template)
    return based, template, live, edits, id_problems + missing + row_problems


def _live(
    client: EsploroClient,
    template: Template,
    ids: list[str],
    prefetched: Mapping[str, Record | None] | None,
    progress: Progress,
) -> dict[str, Record | None]:
    """The live record of each ID: fetched now, or (plain input) already."""
    if prefetched is not None:
        return {record_id: prefetched.get(record_id) for record_id in ids}
    progress.start(len(ids))
    return dict(zip(ids, _fetch(client, template, ids, progress.advance), strict=True))


def _plain_notices(
    book: EditedWorkbook, template: Template, edits: Collection[RecordEdits]
) -> tuple[str, ...]:
    """What a reviewer of plain input must know: no baseline, what was guessed, what ignored."""
    matched = len({row.values[template.id_column.header] for row in book.rows})
    notices = [no_baseline_notice(matched - len(edits)), *book.warnings]
    if book.extra_headers:
        known = [c.header for c in template.columns]
        notices.append(unknown_columns_notice(book.extra_headers, template.name, known))
    return tuple(notices)


def _notices(book: EditedWorkbook) -> tuple[str, ...]:
    notices = [
        f"column '{h}' is not in the sheet: nothing is planned for it" for h in book.missing_headers
    ]
    notices += [f"column '{h}' is not from the export: it is ignored" for h in book.extra_headers]
    return tuple(notices)


def _code_tables(
    client: EsploroClient, template: Template, edits: Iterable[RecordEdits]
) -> dict[str, dict[str, str]]:
    """The code tables of the columns that have edits, code -> description (one call per
    table, only if needed): codes are checked, and found by their descriptions."""
    headers = {c.header for e in edits for c in e.changes}
    names = {c.code_table for c in template.columns if c.code_table and c.header in headers}
    return {
        name: {
            str(row.get("code")): str(row.get("description") or "")
            for row in client.code_table(name).get("row", [])
        }
        for name in sorted(names)
    }


def _validated(
    edits: RecordEdits, template: Template, codes: Mapping[str, dict[str, str]], sheet: str
) -> RecordEdits:
    """The record's changes normalised (`normalise.py`) and checked; a change that normalises
    to its exported text is dropped (a record left with none is then not planned)."""
    changes = []
    for typed in edits.changes:
        column = template.column(typed.header)
        table = codes.get(column.code_table or "")
        change = normalise_change(typed, column, table, sheet)
        if change is None:
            continue
        if not change.problem:
            problem = check_cell(column, change.edited, table)
            if problem:
                change = replace(
                    change,
                    problem=f"{sheet}!{change.cell} ({change.header}): {problem}",
                    rule=pattern_rule(column, change.edited),
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
) -> Iterable[Record | None]:
    if not ids:
        return []
    return entity_of(template.entity).fetch(client, ids, progress)


def _plan_record(
    edits: RecordEdits,
    template: Template,
    fetched: Mapping[str, Record | None],
    book: EditedWorkbook,
) -> RecordPlan:
    """One record's plan: merged with its live record, or invalid (a refused cell or row, or
    a record Esploro no longer has) without one."""
    sheet = book.data_sheet
    live = fetched.get(edits.record_id)
    if live is None:
        messages = edits.problems
        if edits.record_id in fetched:  # asked for, and Esploro does not have it
            header = template.id_column.header
            messages += (not_found_message(sheet, edits.row, header, edits.record_id),)
        invalid = tuple(
            CellEdit(
                c.header,
                str(template.column(c.header).path),
                c.cell,
                sheet,
                c.baseline,
                c.edited,
                None,
                Outcome.INVALID if c.problem else Outcome.WRITE,
                c.problem,
                c.notes,
                c.rule,
            )
            for c in edits.changes
        )
        return RecordPlan(edits.record_id, Status.INVALID, invalid, edits.row, messages=messages)
    if record_id(live, template.id_path) != edits.record_id:
        raise PlanError(f"Esploro returned another record for ID {edits.record_id}")
    merged = merge_edits(edits, template, live, sheet)
    base = RecordPlan(edits.record_id, Status.CONFLICT, merged.edits, edits.row, fingerprint(live))
    fields = field_fingerprints(live, entity_of(template.entity).is_ignored)
    if merged.refused:  # a cell the live record does not allow (disagreeing places, a twin)
        return replace(base, status=Status.INVALID, live_field_fingerprints=fields)
    if merged.conflicts:
        return replace(base, live_field_fingerprints=fields)
    return replace(propose(base, template, live), live_field_fingerprints=fields)


def _named(
    record: RecordPlan,
    template: Template,
    fetched: Mapping[str, Record | None],
    book: EditedWorkbook,
) -> RecordPlan:
    """`record` with its display name: from the live record, or, for one not fetched, from
    the exported texts of the template's columns at the adapter's name fields."""
    entity = entity_of(template.entity)
    live = fetched.get(record.record_id)
    if live is not None:
        return replace(record, display_name=entity.display_name(live))
    exported = book.baseline.get(record.record_id)
    if exported is None:
        return record
    texts = {str(c.path).lstrip("/"): exported.texts.get(c.header) for c in template.columns}
    return replace(record, display_name=entity.display_name(texts))


__all__ = ["build_plan"]
