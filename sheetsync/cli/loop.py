"""The loop's commands: `export`, `plan`, `apply`, `rollback`.

Each is a thin client of the Python API (`sheetsync.api`): options in, one API call, the
outcome rendered (or printed as JSON with `--json`), an exit code that means one thing.
"""

from __future__ import annotations

import dataclasses
import shlex
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from sheetsync import api
from sheetsync.applying.journal import journal_path
from sheetsync.applying.results import retry_would_do
from sheetsync.applying.run import ApplyResult, ApplyStatus, check_target
from sheetsync.cli import output
from sheetsync.cli.app import app
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
    Yes,
)
from sheetsync.errors import (
    EXIT_CHANGES,
    EXIT_ERROR,
    EXIT_OK,
    EXIT_PROBLEMS,
    ApplyError,
    CanaryStopped,
    ExportError,
    WorkbookError,
)
from sheetsync.exporting import read_id_list
from sheetsync.planning.file import default_plan_path, read_plan, write_plan
from sheetsync.planning.model import Plan
from sheetsync.report.html import write_html_report
from sheetsync.report.terminal import (
    apply_summary,
    export_summary,
    render_plan,
    rollback_summary,
)
from sheetsync.report.words import (
    NOTHING_TO_CHANGE,
    apply_question,
    counted,
    next_step_held,
    next_step_replan,
    next_step_retry,
    remaining_sentence,
)
from sheetsync.workbook.annotate import annotate_workbook, same_file
from sheetsync.workbook.plain import annotate_input

# The assets API's list filters (GET /assets refuses to list without one of them).
ASSET_FILTERS = "Asset filters (the assets API's; at least one, or --ids)"


def _asset_filter(help_text: str) -> Any:
    """An asset filter option, grouped under its own heading in `export --help`."""
    return typer.Option(help=f"Assets: {help_text}", rich_help_panel=ASSET_FILTERS)


UpdatedSince = Annotated[
    str | None,
    _asset_filter(
        "updated on or after YYYY-MM-DD. The assets API lists nothing without a filter: "
        "for every asset, give --updated-since 1900-01-01."
    ),
]
UpdatedUntil = Annotated[str | None, _asset_filter("updated on or before YYYY-MM-DD.")]
Doi = Annotated[str | None, _asset_filter("with this DOI (several: comma-separated).")]
Researcher = Annotated[str | None, _asset_filter("of the researcher with this primary ID.")]
OrgUnit = Annotated[
    str | None, _asset_filter("of this organisation unit code (several: comma-separated).")
]
OpenAccess = Annotated[str | None, _asset_filter("open access or not: yes or no.")]
Query = Annotated[
    str,
    typer.Option(help="Researchers: the API's q, e.g. 'last_name~Smith AND first_name~Anna'."),
]
Ids = Annotated[str | None, typer.Option(help="Comma-separated record IDs.")]
IdsFile = Annotated[
    Path | None,
    typer.Option(help="A file of record IDs, one per line.", exists=True, dir_okay=False),
]


@app.command()
def export(
    template: Annotated[
        str,
        typer.Argument(help="Built-in template name or path to a .toml file.", metavar="TEMPLATE"),
    ],
    output_path: Annotated[
        Path,
        typer.Option(
            "--output",
            "-o",
            help="The workbook to write (.xlsx); a new file, unless --force.",
        ),
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
        int | None, typer.Option(help="Export at most this many records.", min=1)
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace the --output file if it exists (its edits are lost)."
        ),
    ] = False,
    protect: Annotated[
        bool,
        typer.Option(
            "--protect",
            help="Protect the sheet so the ID and read-only columns cannot be typed over; "
            "sorting, deleting rows and inserting columns then fail in Excel and LibreOffice.",
        ),
    ] = False,
    where: Annotated[
        list[str] | None,
        typer.Option(
            help="Write only the fetched records whose cells meet this condition (repeatable, "
            "all must hold): 'Keywords is empty', 'ORCID iD is not empty', 'Position = "
            "lecturer', 'Display title ~ emeritus'; also != and !~. Case is ignored."
        ),
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
    """Export records into a workbook to edit: one row per record, one column per template field.

    Researchers: everyone, or --query, or --ids. Assets: by the assets API's filters (at least
    one; every asset: --updated-since 1900-01-01), or --ids. IDs Esploro does not have are
    listed and skipped. --where narrows what is written to the records whose cells meet it.
    """
    if ids is not None and ids_file is not None:
        raise typer.BadParameter("give --ids or --ids-file, not both", param_hint="--ids")
    _check_workbook_name(output_path, "--output", "export")
    _check_ids_alone(
        "--ids" if ids is not None else "--ids-file" if ids_file is not None else None,
        {"--query": query, "--updated-since": updated_since, "--updated-until": updated_until,
         "--doi": doi, "--researcher": researcher, "--org-unit": org_unit,
         "--open-access": open_access},
    )  # fmt: skip
    chosen = read_id_list(ids) if ids is not None else _ids_from(ids_file)
    loaded = api.load_template(template)
    connection = Connection(region, base_url, profile, sandbox, rate, workers, quota_floor, trace)
    with (
        connection.open() as client,
        output.RecordProgress(output.stderr, f"Fetching {loaded.entity}") as progress,
    ):
        summary = api.export(
            client,
            loaded,
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
            protect=protect,
            overwrite=force,
            where=where or (),
        )
    if as_json:
        output.emit_json({**dataclasses.asdict(summary), "path": str(summary.path)})
    else:
        export_summary(output.stdout, summary)


def _check_workbook_name(path: Path, option: str, command: str) -> None:
    """An option that names the Excel workbook a command writes: a name that says otherwise
    (x.csv) is a mistake, caught before anything is fetched."""
    if path.suffix.lower() != ".xlsx":
        raise typer.BadParameter(
            f"{path}: {command} writes an Excel workbook (.xlsx); give a file name ending in .xlsx",
            param_hint=option,
        )


def _check_ids_alone(ids_option: str | None, others: dict[str, str | None]) -> None:
    """IDs select records by themselves: a query or filter beside them would be ignored, so
    the mix is refused rather than half obeyed."""
    given = [option for option, value in others.items() if value]
    if ids_option and given:
        raise typer.BadParameter(
            f"{ids_option} selects records by ID, so {', '.join(given)} would be ignored; "
            f"give {ids_option} or {', '.join(given)}, not both",
            param_hint=ids_option,
        )


def _ids_from(ids_file: Path | None) -> tuple[str, ...] | None:
    if ids_file is None:
        return None
    try:
        return read_id_list(ids_file.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise ExportError(
            f"{ids_file}: not a text file of IDs (UTF-8): {exc.reason} at byte {exc.start}"
        ) from None


def ids_from_options(ids: str | None, ids_file: Path | None) -> tuple[str, ...] | None:
    """The IDs of `--ids` or `--ids-file` (not both), as export reads them."""
    if ids is not None and ids_file is not None:
        raise typer.BadParameter("give --ids or --ids-file, not both", param_hint="--ids")
    return read_id_list(ids) if ids is not None else _ids_from(ids_file)


@app.command()
def plan(
    workbook: Annotated[
        Path,
        typer.Argument(
            help="The edited export workbook, or a plain sheet or CSV (with --template).",
            exists=True,
            dir_okay=False,
            metavar="WORKBOOK",
        ),
    ],
    plan_path: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The plan file. \\[default: WORKBOOK.plan.json]"),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(help="Also write a self-contained HTML report.")
    ] = None,
    annotated: Annotated[
        Path | None, typer.Option(help="Also write a copy of the workbook with the edits coloured.")
    ] = None,
    only: Annotated[
        str | None, typer.Option(help="Plan only these record IDs (comma-separated).")
    ] = None,
    template: Annotated[
        str | None,
        typer.Option(
            help="Plain input (a sheet or .csv/.tsv not exported by sheetsync): the template "
            "whose column headers it uses."
        ),
    ] = None,
    id_column: Annotated[
        str | None,
        typer.Option(help="Plain input: its record-ID column's header, if not the template's."),
    ] = None,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every record.")] = False,
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
    """Work out what apply would change, against live data. Nothing is written to Esploro.

    A plain sheet or CSV made elsewhere (a column of record IDs and some of a template's
    columns) is planned with --template: its base is the live records, blank cells change
    nothing, and edits made in Esploro since the file was made cannot be detected.

    Exit codes: 0 nothing to change, 2 changes planned, 3 conflicts or invalid cells present
    (valid records are still planned), 1 error.
    """
    plan_path = plan_path or default_plan_path(workbook)
    if same_file(workbook, plan_path):
        raise WorkbookError(
            f"--output {plan_path} is the workbook being planned; the plan file must go to "
            "another file (default: WORKBOOK.plan.json)"
        )
    if annotated is not None:
        _check_workbook_name(annotated, "--annotated", "plan --annotated")
    if annotated is not None and same_file(workbook, annotated):
        raise WorkbookError(
            f"--annotated {annotated} is the workbook being planned; the annotated copy must go "
            "to another file"
        )
    plain_template = api.load_template(template) if template else None
    connection = Connection(region, base_url, profile, sandbox, rate, workers, quota_floor, trace)
    with connection.open() as client:
        with output.RecordProgress(output.stderr, "Fetching live records") as progress:
            chosen = read_id_list(only) if only else None
            result = api.plan(
                client,
                workbook,
                only=chosen,
                progress=progress,
                template=plain_template,
                id_column=id_column,
            )
        pace = client.limiter.max_rate
    write_plan(result, plan_path)
    if html is not None:
        write_html_report(result, html, rate=pace)
    if annotated is not None and plain_template is not None:
        annotate_input(workbook, annotated, result, plain_template, id_column)
    elif annotated is not None:
        annotate_workbook(workbook, annotated, result)
    _show_plan(result, plan_path, pace, verbose, as_json, connection)
    raise typer.Exit(plan_exit_code(result))


def plan_exit_code(result: Plan) -> int:
    """0 nothing to change, 2 changes planned, 3 conflicts, invalid cells or unmatched rows."""
    if result.row_problems or any(r.status in ("conflict", "invalid") for r in result.records):
        return EXIT_PROBLEMS
    return EXIT_CHANGES if any(r.status == "change" for r in result.records) else EXIT_OK


def _show_plan(
    result: Plan,
    plan_path: Path,
    pace: float,
    verbose: bool,
    as_json: bool,
    connection: Connection,
) -> None:
    if as_json:
        output.emit_json(
            {
                "plan": str(plan_path),
                "checksum": result.checksum,
                "summary": dataclasses.asdict(result.summary(pace)),
                "row_problems": [dataclasses.asdict(p) for p in result.row_problems],
                "notices": list(result.notices),
            }
        )
        return
    render_plan(output.stdout, result, rate=pace, verbose=verbose)
    if not result.by_status("change"):
        output.say(
            ("Plan written to ", ""), (str(plan_path), "bold"), (f". {NOTHING_TO_CHANGE}", "")
        )
        return
    output.say(
        ("Plan written to ", ""),
        (str(plan_path), "bold"),
        (". Nothing was written to Esploro. After review: ", ""),
        (_apply_command(plan_path, result.checksum, connection), "bold"),
    )


def _apply_command(plan_path: Path, checksum: str, connection: Connection) -> str:
    """The apply command to run after review, with the connection options the plan was made
    with, quoted for a POSIX shell."""
    words = ["sheetsync", "apply", str(plan_path), "--expect", checksum, *connection.given()]
    return shlex.join(words)


@app.command()
def apply(
    plan_file: Annotated[
        Path,
        typer.Argument(
            help="The plan file `sheetsync plan` wrote.",
            exists=True,
            dir_okay=False,
            metavar="PLAN.json",
        ),
    ],
    yes: Yes = False,
    expect: Annotated[
        str | None,
        typer.Option(help="Refuse unless the plan's checksum is this (the one reviewed)."),
    ] = None,
    allow_clears: Annotated[
        bool,
        typer.Option(
            "--allow-clears",
            help="Also apply the planned clears (blanked cells). Without it they are held "
            "back; the same plan applied again with it writes them.",
        ),
    ] = False,
    limit: Annotated[
        int | None,
        typer.Option(help="Apply at most this many changes; run again for the next ones.", min=1),
    ] = None,
    only: Annotated[str | None, typer.Option(help="Apply only these record IDs.")] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            help="Write a results workbook: the records not updated, with your values "
            "carried forward and why; edit it and plan it again."
        ),
    ] = None,
    no_canary: Annotated[
        bool,
        typer.Option(
            "--no-canary",
            help="On production, do not stop after the first write when Esploro alters fields "
            "the plan did not change.",
        ),
    ] = False,
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
    """Execute a reviewed plan: re-fetch, stale check, full-record write, verify, journal.

    Running it again resumes where it stopped. On a production Esploro (not a sandbox) the
    first write goes alone (the canary): if Esploro alters a field the plan did not change, the
    run stops there, lists the fields and the rollback command, and exits 1. Exit codes: 0 every
    record updated or a no-op, 3 some were stale, in conflict, invalid, failed or had clears
    held back, 1 an error or a stopped run.
    """
    if results is not None:
        _check_workbook_name(results, "--results", "apply --results")
    loaded = read_plan(plan_file)
    connection = Connection(region, base_url, profile, sandbox, rate, workers, quota_floor, trace)
    with connection.open() as client:
        check_target(client, loaded, expect)  # before the plan is shown as if it would apply
        if not as_json:
            render_plan(output.stdout, loaded, rate=client.limiter.max_rate)
        changes = sum(1 for r in loaded.records if r.status == "change")
        question = apply_question(changes, loaded.base_url) if changes else None
        _confirm(question, "apply", yes)
        with output.RecordProgress(output.stderr, "Applying") as progress:
            result = api.apply(
                client,
                loaded,
                journal=journal_path(plan_file),
                allow_clears=allow_clears,
                limit=limit,
                only=read_id_list(only) if only else None,
                expect=expect,
                progress=progress,
                canary=not no_canary,
            )
        if results is not None:
            again = api.results(client, loaded, result, results)
            if not as_json:
                output.say(
                    ("Results: ", ""),
                    (str(results), "bold"),
                    (f" ({counted(again, 'record')} to edit again)", ""),
                )
    _show_apply(result, loaded, plan_file, as_json, connection=connection)
    _stop_on_canary(result, plan_file, connection, as_json)
    if not as_json:
        _next_steps(result, loaded, plan_file, results, connection)
    if result.stopped or result.interrupted:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(EXIT_OK if result.ok else EXIT_PROBLEMS)


@app.command()
def rollback(
    plan_file: Annotated[
        Path,
        typer.Argument(
            help="The plan that was applied.", exists=True, dir_okay=False, metavar="PLAN.json"
        ),
    ],
    yes: Yes = False,
    only: Annotated[
        str | None, typer.Option(help="Roll back only these record IDs (comma-separated).")
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
    """Undo an apply: restore what it wrote, from the journal.

    Each record gets its before-image back only if it is still what sheetsync wrote; a record
    changed since is reported, never overwritten. Ctrl-C lets the records in flight finish;
    running it again carries on. Exit codes: 0 every record restored (or nothing to undo), 3
    some were changed since, failed or cannot be restored through the API, 1 an error or a
    stopped run.
    """
    loaded = read_plan(plan_file)
    connection = Connection(region, base_url, profile, sandbox, rate, workers, quota_floor, trace)
    with connection.open() as client:
        check_target(client, loaded)
        _confirm(f"Roll back what this plan wrote to {loaded.base_url}?", "rollback", yes)
        with output.RecordProgress(output.stderr, "Rolling back", done="rolled back") as progress:
            result = api.rollback(
                client,
                loaded,
                journal=journal_path(plan_file),
                only=read_id_list(only) if only else None,
                progress=progress,
            )
    resume = shlex.join(["sheetsync", "rollback", str(plan_file), *connection.given()])
    _show_apply(result, loaded, plan_file, as_json, summary=rollback_summary, resume=resume)
    if result.stopped or result.interrupted:
        raise typer.Exit(EXIT_ERROR)
    ok = all(r.status in _UNDONE for r in result.results)
    raise typer.Exit(EXIT_OK if ok else EXIT_PROBLEMS)


_UNDONE = (ApplyStatus.ROLLED_BACK, ApplyStatus.NOTHING_TO_UNDO)  # a rollback's exit 0


def _next_steps(
    result: ApplyResult,
    loaded: Plan,
    plan_file: Path,
    results: Path | None,
    connection: Connection,
) -> None:
    """Which way to continue fits the records not updated: the same apply again for those
    that failed for a passing reason, `--allow-clears` for held clears, the results workbook
    (planned again) for those that need a person's decision."""
    command = _apply_command(plan_file, loaded.checksum, connection)
    retry = retry_would_do(loaded, result)
    held = [r for r in result.results if r.status == ApplyStatus.HELD]
    rest = [
        r
        for r in result.results
        if not r.settled and r.record_id not in retry and r.status != ApplyStatus.HELD
    ]
    if retry and not (result.interrupted or result.stopped):  # those say how to resume
        output.say(("Next: ", "bold"), (next_step_retry(len(retry), command), ""))
    if held:
        output.say(("Next: ", "bold"), (next_step_held(len(held), command), ""))
    if rest:
        where = str(results) if results is not None else None
        output.say(("Next: ", "bold"), (next_step_replan(len(rest), where), ""))


def _confirm(question: str | None, command: str, yes: bool) -> None:
    """Ask before writing to Esploro (None: nothing to ask about). With no terminal to ask on,
    refuse unless --yes was given."""
    if yes or question is None:
        return
    if not sys.stdin.isatty():
        raise ApplyError(
            f"no terminal to confirm on: review the plan, then run {command} with --yes"
        )
    if not typer.confirm(question):
        raise typer.Exit(EXIT_ERROR)


def _stop_on_canary(
    result: ApplyResult, plan_file: Path, connection: Connection, as_json: bool
) -> None:
    """The canary write came back altered: list how (unless JSON said it), name the rollback."""
    canary = result.canary
    if canary is None or not canary.tripped:
        return
    if not as_json:
        output.say((f"The first write, record {canary.record_id}, came back altered:", "bold red"))
        for difference in canary.differences:
            output.say(("  ", ""), (difference, ""))
    rollback = shlex.join(["sheetsync", "rollback", str(plan_file), *connection.given()])
    resume = shlex.join(["sheetsync", "apply", str(plan_file), "--no-canary", *connection.given()])
    raise CanaryStopped(canary.record_id, len(canary.differences), rollback, resume)


def _show_apply(
    result: ApplyResult,
    loaded: Plan,
    plan_file: Path,
    as_json: bool,
    summary: Callable[[Console, ApplyResult, Mapping[str, str]], None] = apply_summary,
    connection: Connection | None = None,
    resume: str = "",
) -> None:
    """The run's table (or JSON), and how to go on: the rest of a `--limit`, or the command
    that resumes a stopped run (`resume`; by default the apply)."""
    if as_json:
        output.emit_json(
            {
                "ok": result.ok,
                "interrupted": result.interrupted,
                "stopped": result.stopped,
                "canary": dataclasses.asdict(result.canary) if result.canary else None,
                "remaining": result.remaining,
                "journal": str(result.journal),
                "results": [dataclasses.asdict(r) for r in result.results],
            }
        )
        return
    summary(output.stdout, result, {r.record_id: r.display_name for r in loaded.records})
    if result.remaining:
        output.say(
            (remaining_sentence(result.remaining), ""),
            (_apply_command(plan_file, loaded.checksum, connection or Connection()), "bold"),
            (" --limit N", "bold"),
        )
    tripped = result.canary is not None and result.canary.tripped  # its error says what next
    if (result.interrupted or result.stopped) and not tripped:
        output.say(
            ("To resume: ", ""),
            (
                resume or _apply_command(plan_file, loaded.checksum, connection or Connection()),
                "bold",
            ),
            (" (records already done are skipped)", ""),
        )
