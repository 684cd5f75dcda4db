"""The loop as Python functions: connect, export, plan, apply, rollback, check.

This is the public API that `sheetsync/__init__.py` presents and the command line calls; each
function is one step of the loop, takes the connection first and everything else by keyword,
and returns a frozen result value. Nothing here prints: progress goes to an optional
`progress` object (`sheetsync.progress.Progress`), outcomes are returned, and every failure
sheetsync means is a `SheetsyncError`.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable
from pathlib import Path

from sheetsync.applying.journal import JournalLocation
from sheetsync.applying.results import write_results
from sheetsync.applying.rollback import rollback_plan
from sheetsync.applying.run import ApplyOptions, ApplyResult, apply_plan
from sheetsync.esploro.check import CheckReport, run_check
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection
from sheetsync.esploro.settings import resolve_settings
from sheetsync.exporting import ExportSummary, export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan
from sheetsync.planning.model import Plan
from sheetsync.progress import NO_PROGRESS, Progress
from sheetsync.template import Template, load_template

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
) -> EsploroClient:
    """A client for one Esploro (or sandbox), its key found as the command line finds it.

    Arguments win over the environment (`ESPLORO_API_KEY`, `ESPLORO_REGION`,
    `ESPLORO_BASE_URL`, `SHEETSYNC_PROFILE`), which wins over a config profile and the OS
    keyring. `sandbox=True` talks to a local `sheetsync sandbox` with its read/write key.
    The client's `warnings` say what looked wrong (a key file others can read, plain http).
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
    return EsploroClient.from_settings(settings)


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
    where: Iterable[str] = (),
) -> ExportSummary:
    """Export records into a workbook to edit, one row per record, one column per field.

    `template` is a built-in name (`"researchers"`), a path to a `.toml`, or a loaded
    `Template`. Select researchers with `query` (the API's `q`); assets with the assets API's
    filters, at least one: `updated_since` / `updated_until` (YYYY-MM-DD; every asset:
    `updated_since="1900-01-01"`), `doi`, `researcher` (a primary ID), `org_unit` (an
    organisation code), `open_access` ("yes" or "no"). `ids` selects either; `limit` caps any
    of them. IDs Esploro does not have are skipped and listed in the summary's
    `missing_ids`. `where` are conditions on the template's columns, all of which a record
    must meet to be written (`"Keywords is empty"`, `"ORCID iD is not empty"`,
    `"Position = lecturer"`, `"Display title ~ emeritus"`; `sheetsync.conditions`); the
    summary's `fetched` says how many records they were checked on. Nothing is written at
    `output` unless the whole workbook was.
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
        client, chosen, Path(output), selection, progress=progress, where=tuple(where)
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
) -> ApplyResult:
    """Execute a plan (a `Plan`, or the path of a saved one): per record, re-fetch, skip it if
    it changed since planning, write, verify, journal.

    `journal` is where the run is journaled (a path, or a `Journal`); calling `apply` again
    with the same journal resumes, and `rollback` reads it. Clears (blanked cells) are
    written only with `allow_clears`; `expect` refuses a plan whose checksum is not the one
    reviewed.
    """
    options = ApplyOptions(
        allow_clears=allow_clears,
        limit=limit,
        only=frozenset(only) if only is not None else None,
        expect=expect,
    )
    return apply_plan(
        client,
        _plan(plan),
        journal=journal,
        options=options,
        progress=progress or NO_PROGRESS,
    )


def rollback(
    client: EsploroClient,
    plan: Plan | PathLike,
    *,
    journal: JournalLocation,
    progress: Progress | None = None,
) -> ApplyResult:
    """Undo an apply: restore each written record's before-image from `journal`, only where
    the record is still what sheetsync wrote (otherwise it is reported, never overwritten)."""
    return rollback_plan(client, _plan(plan), journal=journal, progress=progress or NO_PROGRESS)


def check(client: EsploroClient) -> CheckReport:
    """Whether the key reads researchers and assets, the daily quota left, the round trip."""
    return run_check(client, client.key_source)


def results(
    client: EsploroClient, plan: Plan | PathLike, result: ApplyResult, output: PathLike
) -> int:
    """Write an apply's results workbook; returns how many records it holds to edit again
    (it is also an export of those records, so it can be planned as it is)."""
    return write_results(client, _plan(plan), result, Path(output))


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
]
