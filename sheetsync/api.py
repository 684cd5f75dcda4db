"""The loop as Python functions: connect, export, plan, apply, rollback, check.

This is the public API that `sheetsync/__init__.py` presents and the command line calls; each
function is one step of the loop, takes the connection first and everything else by keyword,
and returns a frozen result value. Nothing here prints: progress goes to an optional
`progress` object (`sheetsync.progress.Progress`), outcomes are returned, and every failure
sheetsync means is a `SheetsyncError`.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Collection, Iterable
from pathlib import Path
from typing import overload

from sheetsync.applying.journal import JournalLocation
from sheetsync.applying.lock import Held, plan_lock, taken_over_notice
from sheetsync.applying.results import write_results
from sheetsync.applying.rollback import rollback_plan
from sheetsync.applying.run import ApplyOptions, ApplyResult, apply_plan
from sheetsync.esploro.check import CheckReport, run_check
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection, entity_of
from sheetsync.esploro.preflight import (
    DEFAULT_SAMPLE,
    PreflightOptions,
    PreflightReport,
    QuotaNeed,
    run_preflight,
)
from sheetsync.esploro.settings import resolve_settings
from sheetsync.esploro.trace import Trace
from sheetsync.exporting import ExportSummary, export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan
from sheetsync.planning.model import Plan
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.snapshot import SnapshotSummary, take_snapshot, template_or_entity
from sheetsync.template import Template, load_template
from sheetsync.workbook.reader import read_export

PathLike = str | os.PathLike[str]


def connect(
    *,
    base_url: str | None = None,
    region: str | None = None,
    profile: str | None = None,
    api_key: str | None = None,
    sandbox: bool = False,
    rate: float | None = None,
    workers: int | None = None,
    quota_floor: int | None = None,
    config_path: PathLike | None = None,
    trace: PathLike | None = None,
) -> EsploroClient:
    """A client for one Esploro (or sandbox), its key found as the command line finds it.

    Arguments win over the environment (`ESPLORO_API_KEY`, `ESPLORO_REGION`,
    `ESPLORO_BASE_URL`, `SHEETSYNC_PROFILE`), which wins over a config profile and the OS
    keyring. `sandbox=True` talks to a local `sheetsync sandbox` with its read/write key.
    The client's `warnings` say what looked wrong (a key file others can read, plain http).
    `trace` names a file to write every request and answer to (JSON lines, no key, 0600).
    Use it as a context manager, or `close()` it.
    """
    settings = resolve_settings(
        api_key=api_key,
        region=region,
        base_url=base_url,
        profile=profile,
        sandbox=sandbox,
        rate=rate,
        workers=workers,
        quota_floor=quota_floor,
        config_path=Path(config_path) if config_path is not None else None,
    )
    if trace is None:
        return EsploroClient.from_settings(settings)
    written = Trace(Path(trace))
    try:
        return EsploroClient.from_settings(settings, trace=written)
    except BaseException:
        written.close()
        raise


def export(
    client: EsploroClient,
    template: str | PathLike | Template,
    output: PathLike,
    *,
    query: str = "",
    updated_since: str | None = None,
    updated_until: str | None = None,
    doi: str | None = None,
    researcher: str | None = None,
    org_unit: str | None = None,
    open_access: str | None = None,
    ids: Iterable[str] | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
    protect: bool = False,
    overwrite: bool = False,
    where: Iterable[str] = (),
) -> ExportSummary:
    """Export records into a workbook to edit, one row per record, one column per field.

    `template` is a built-in name (`"researchers"`), a path to a `.toml`, or a loaded
    `Template`. Select researchers with `query` (the API's `q`); assets with the assets API's
    filters, at least one: `updated_since` / `updated_until` (YYYY-MM-DD; every asset:
    `updated_since="1900-01-01"`), `doi`, `researcher` (a primary ID), `org_unit` (an
    organisation code), `open_access` ("yes" or "no"). `ids` selects either; `limit` caps any
    of them. IDs Esploro does not have are skipped and listed in the summary's
    `missing_ids`. Nothing is written at `output` unless the whole workbook was. An existing
    `output` is refused (`ExportError`, before any record is fetched) unless `overwrite=True`:
    it may hold edits not yet planned. The sheet is unprotected, so it sorts and loses rows like
    any other; `protect=True` locks the ID and read-only columns (plan refuses their edits
    either way), at the cost of sorting and deleting rows. `where` are conditions on the
    template's columns, all of which a record must meet to be written (`"Keywords is empty"`,
    `"ORCID iD is not empty"`, `"Position = lecturer"`, `"Display title ~ emeritus"`;
    `sheetsync.conditions`); the summary's `fetched` says how many records they were checked
    on.
    """
    chosen = _template(template)
    selection = Selection(
        query=query,
        updated_since=updated_since,
        ids=tuple(ids) if ids is not None else None,
        limit=limit,
        updated_until=updated_until,
        doi=doi,
        researcher=researcher,
        org_unit=org_unit,
        open_access=open_access,
    )
    return export_records(
        client,
        chosen,
        Path(output),
        selection,
        progress=progress,
        protect=protect,
        overwrite=overwrite,
        where=tuple(where),
    )


def snapshot(
    client: EsploroClient,
    template_or_entity_name: str | PathLike | Template,
    output: PathLike,
    *,
    query: str = "",
    updated_since: str | None = None,
    updated_until: str | None = None,
    doi: str | None = None,
    researcher: str | None = None,
    org_unit: str | None = None,
    open_access: str | None = None,
    ids: Iterable[str] | None = None,
    limit: int | None = None,
    progress: Progress | None = None,
) -> SnapshotSummary:
    """Write the selected records exactly as Esploro sends them (JSON lines, owner-only), with
    the code tables and organisation units they use, for `sheetsync sandbox --load`.

    `template_or_entity_name` is an entity ("researchers", "assets") or a template (its code
    tables are taken too); the selection options are `export`'s. A read-only key is enough.
    """
    entity, template = template_or_entity(
        template_or_entity_name
        if isinstance(template_or_entity_name, (str, Template))
        else Path(template_or_entity_name)
    )
    selection = Selection(
        query=query,
        updated_since=updated_since,
        ids=tuple(ids) if ids is not None else None,
        limit=limit,
        updated_until=updated_until,
        doi=doi,
        researcher=researcher,
        org_unit=org_unit,
        open_access=open_access,
    )
    return take_snapshot(
        client, entity, Path(output), selection, template=template, progress=progress
    )


def plan(
    client: EsploroClient,
    workbook: PathLike,
    *,
    only: Collection[str] | None = None,
    progress: Progress | None = None,
    template: str | PathLike | Template | None = None,
    id_column: str | None = None,
) -> Plan:
    """Work out what `apply` would change: the workbook's edits against its export and the
    live records (three-way merge), validated. Reads from Esploro, writes nothing; save the
    plan with `sheetsync.write_plan(plan, path)`.

    A plain sheet or CSV that sheetsync did not export (an ID column and some of a template's
    columns) needs `template`; its ID column is the template's ID header, or `id_column`.
    Its base is the live records: blank cells change nothing, and edits made in Esploro since
    the file was made cannot be detected (the plan's notices say so)."""
    return build_plan(
        client,
        Path(workbook),
        only=only,
        progress=progress or NO_PROGRESS,
        template=_template(template) if template is not None else None,
        id_column=id_column,
    )


def apply(
    client: EsploroClient,
    plan: Plan | PathLike,
    *,
    journal: JournalLocation,
    allow_clears: bool = False,
    limit: int | None = None,
    only: Collection[str] | None = None,
    expect: str | None = None,
    progress: Progress | None = None,
    canary: bool = True,
) -> ApplyResult:
    """Execute a plan (a `Plan`, or the path of a saved one): per record, re-fetch, skip it if
    it changed since planning, write, verify, journal.

    `journal` is where the run is journaled (a path, or a `Journal`); calling `apply` again
    with the same journal resumes, and `rollback` reads it. Clears (blanked cells) are
    written only with `allow_clears`; `expect` refuses a plan whose checksum is not the one
    reviewed. One apply or rollback of a plan runs at a time: another, of the same journal,
    is refused (`PlanLocked`) while this one runs.
    reviewed. On a production Esploro (not a sandbox) the first write goes alone and, with
    `canary`, a field the plan did not change coming back altered stops the run there
    (`ApplyResult.canary` says what came back).
    """
    options = ApplyOptions(
        allow_clears=allow_clears,
        limit=limit,
        only=frozenset(only) if only is not None else None,
        expect=expect,
        canary=canary,
    )
    with plan_lock(journal, "apply") as held:
        result = apply_plan(
            client,
            _plan(plan),
            journal=journal,
            options=options,
            progress=progress or NO_PROGRESS,
        )
    return _noted(result, held)


def rollback(
    client: EsploroClient,
    plan: Plan | PathLike,
    *,
    journal: JournalLocation,
    only: Collection[str] | None = None,
    progress: Progress | None = None,
) -> ApplyResult:
    """Undo an apply: restore each written record's before-image from `journal`, only where
    the record is still what sheetsync wrote (otherwise it is reported, never overwritten).
    `only` restricts it to those record IDs (each must be in the plan)."""
    with plan_lock(journal, "rollback") as held:
        result = rollback_plan(
            client,
            _plan(plan),
            journal=journal,
            only=frozenset(only) if only is not None else None,
            progress=progress or NO_PROGRESS,
        )
    return _noted(result, held)


@overload
def check(client: EsploroClient) -> CheckReport: ...


@overload
def check(
    client: EsploroClient,
    template: str | PathLike | Template,
    *,
    records: int | None = None,
    for_file: PathLike | None = None,
    sample: int = DEFAULT_SAMPLE,
    write_test: bool = False,
    quota_floor: int | None = None,
) -> PreflightReport: ...


def check(
    client: EsploroClient,
    template: str | PathLike | Template | None = None,
    *,
    records: int | None = None,
    for_file: PathLike | None = None,
    sample: int = DEFAULT_SAMPLE,
    write_test: bool = False,
    quota_floor: int | None = None,
) -> CheckReport | PreflightReport:
    """Without a template: whether the key reads researchers and assets, the daily quota left,
    the round trip. With one, the preflight before a first write: a `PreflightReport` of rows
    (pass, warn or fail, and why) on the base URL, the key, the quota a run of `records`
    records (or of the workbook or plan `for_file`) needs, the template's code tables and
    paths against a `sample` of live records, and facts about the institution's data. Reads
    only; `write_test` also asks whether the key may write, without writing a record.
    `quota_floor` is the run's (default: the client's)."""
    if template is None:
        return run_check(client, client.key_source)
    chosen = _template(template)
    need = _quota_need(chosen, records, Path(for_file) if for_file is not None else None)
    options = PreflightOptions(
        need=need, sample=sample, write_test=write_test, quota_floor=quota_floor
    )
    return run_preflight(client, chosen, options)


def _quota_need(template: Template, records: int | None, for_file: Path | None) -> QuotaNeed | None:
    """What the run the preflight is for would cost: applying a plan file, planning and
    applying a workbook's rows, or the whole loop for `records` records."""
    entity = entity_of(template.entity)
    if for_file is not None and for_file.suffix.lower() == ".json":
        changes = sum(1 for r in read_plan(for_file).records if r.status == "change")
        return QuotaNeed(entity.loop_calls(changes).apply, f"applying {changes} changes")
    if for_file is not None:
        rows = len(read_export(for_file).rows)
        calls = entity.loop_calls(rows)
        return QuotaNeed(calls.plan + calls.apply, f"planning and applying {rows} rows")
    if records is not None:
        calls = entity.loop_calls(records)
        what = f"an export, plan and apply of {records} records"
        return QuotaNeed(calls.export + calls.plan + calls.apply, what)
    return None


def results(
    client: EsploroClient, plan: Plan | PathLike, result: ApplyResult, output: PathLike
) -> int:
    """Write an apply's results workbook; returns how many records it holds to edit again.
    It is also an export of those records as Esploro holds them now, with the plan's values
    carried forward on top (and why each was not updated), so planning it as it is gives
    exactly the edits that are left."""
    return write_results(client, _plan(plan), result, Path(output))


def _noted(result: ApplyResult, held: Held) -> ApplyResult:
    """The result, with a note if the run took over a lock its last holder left behind."""
    notice = taken_over_notice(held)
    if not notice:
        return result
    return dataclasses.replace(result, notices=(*result.notices, notice))


def _template(template: str | PathLike | Template) -> Template:
    return template if isinstance(template, Template) else load_template(template)


def _plan(plan: Plan | PathLike) -> Plan:
    return plan if isinstance(plan, Plan) else read_plan(Path(plan))


__all__ = [
    "apply",
    "check",
    "connect",
    "export",
    "load_template",
    "plan",
    "results",
    "rollback",
    "snapshot",
]
