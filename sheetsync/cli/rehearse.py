"""`snapshot`: production's records, exactly as received, to rehearse on with `sandbox --load`."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer

from sheetsync import api
from sheetsync.cli import output
from sheetsync.cli.app import app
from sheetsync.cli.loop import (
    Doi,
    Ids,
    IdsFile,
    OpenAccess,
    OrgUnit,
    Query,
    Researcher,
    UpdatedSince,
    UpdatedUntil,
    ids_from_options,
)
from sheetsync.cli.options import (
    AsJson,
    BaseUrl,
    Connection,
    Profile,
    QuotaFloor,
    Rate,
    Region,
    TracePath,
    UseSandbox,
    Workers,
)
from sheetsync.report.words import missing_ids_sentence
from sheetsync.snapshot import SnapshotSummary, template_or_entity


@app.command()
def snapshot(
    template: Annotated[
        str,
        typer.Argument(
            help="An entity (researchers, assets), a built-in template name or a .toml path.",
            metavar="TEMPLATE-OR-ENTITY",
        ),
    ],
    output_path: Annotated[
        Path, typer.Option("--output", "-o", help="The snapshot to write (.jsonl, yours alone).")
    ],
    query: Query = "",
    updated_since: UpdatedSince = None,
    updated_until: UpdatedUntil = None,
    doi: Doi = None,
    researcher: Researcher = None,
    org_unit: OrgUnit = None,
    open_access: OpenAccess = None,
    ids: Ids = None,
    ids_file: IdsFile = None,
    limit: Annotated[
        int | None, typer.Option(help="Take at most this many records.", min=1)
    ] = None,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    rate: Rate = None,
    workers: Workers = None,
    quota_floor: QuotaFloor = None,
    trace: TracePath = None,
    as_json: AsJson = False,
) -> None:
    """Save records exactly as Esploro sends them, to rehearse on: `sandbox --load FILE`.

    Selects as export does. Takes the code tables and organisation units along. A read-only
    key is enough; the file holds real people's data and is readable by you alone.
    """
    chosen = ids_from_options(ids, ids_file)
    entity, loaded = template_or_entity(template)
    connection = Connection(region, base_url, profile, sandbox, rate, workers, quota_floor, trace)
    with (
        connection.open() as client,
        output.RecordProgress(output.stderr, f"Fetching {entity.name}") as progress,
    ):
        summary = api.snapshot(
            client,
            loaded or entity.name,
            output_path,
            query=query,
            updated_since=updated_since,
            updated_until=updated_until,
            doi=doi,
            researcher=researcher,
            org_unit=org_unit,
            open_access=open_access,
            ids=chosen,
            limit=limit,
            progress=progress,
        )
    if as_json:
        output.emit_json({**dataclasses.asdict(summary), "path": str(summary.path)})
    else:
        _summary(summary)


def _summary(summary: SnapshotSummary) -> None:
    output.say(
        ("Snapshot ", "bold green"),
        (str(summary.path), "bold"),
        (f": {summary.records:,} {summary.entity} as received, ", ""),
        (f"{len(summary.code_tables)} code tables, {summary.organizations} organisation units", ""),
    )
    quota = "" if summary.remaining_quota is None else f", {summary.remaining_quota:,} left today"
    output.say((f"  {summary.api_calls:,} API calls{quota}; {summary.seconds:.1f} s", ""))
    if summary.missing_ids:
        output.warning(missing_ids_sentence(summary.missing_ids))
    for warning in summary.warnings:
        output.warning(warning)
    output.say((f"  rehearse on it: sheetsync sandbox --load {summary.path}", "dim"))
