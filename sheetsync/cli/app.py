"""The `sheetsync` command line: Typer commands only.

Each command parses its options, calls one library function, renders the outcome and exits
with a code that means something: 0 success, 1 an error the user can act on, 2 bad usage.
"""

from __future__ import annotations

import dataclasses
import io
import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Annotated

import platformdirs
import typer
from rich.console import Console

from sheetsync._version import __version__
from sheetsync.applying.results import write_results
from sheetsync.applying.run import ApplyOptions, ApplyResult, apply_plan, rollback_plan
from sheetsync.cli import output as ui
from sheetsync.cli.demo import run_demo
from sheetsync.errors import (
    ApplyError,
    ConfigError,
    EsploroError,
    ExportError,
    JournalError,
    PlanError,
    PlanFileError,
    TemplateError,
    WorkbookError,
)
from sheetsync.esploro.check import run_check
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection
from sheetsync.esploro.settings import resolve_settings
from sheetsync.exporting import export_records, read_id_list
from sheetsync.planning.build import build_plan
from sheetsync.planning.model import Plan, default_plan_path, read_plan, write_plan
from sheetsync.report.terminal import render_plan, write_html_report
from sheetsync.sandbox import DEFAULT_PORT, Sandbox, SandboxConfig
from sheetsync.sandbox.store import StoreError
from sheetsync.template import builtin_templates, load_template
from sheetsync.workbook.annotate import annotate_workbook

app = typer.Typer(
    name="sheetsync",
    help=(
        "Declarative, spreadsheet-driven bulk editing for Ex Libris Esploro: export records to "
        "a workbook, edit cells, plan, review, apply, roll back."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)
console = Console()
errors = Console(stderr=True, soft_wrap=True)  # an error stays on one line, whatever the width

EXIT_ERROR = 1
EXIT_CHANGES = 2  # plan: changes planned (Terraform's -detailed-exitcode)
EXIT_PROBLEMS = 3  # plan: conflicts or invalid cells present; valid records are still planned

CONNECTION = "Connection"
Region = Annotated[
    str | None,
    typer.Option(
        help="Esploro region: na, eu, ap, ca, cn. [default: na]", rich_help_panel=CONNECTION
    ),
]
BaseUrl = Annotated[
    str | None,
    typer.Option(help="Explicit API base URL (overrides --region).", rich_help_panel=CONNECTION),
]
Profile = Annotated[
    str | None, typer.Option(help="Named profile in the config file.", rich_help_panel=CONNECTION)
]
UseSandbox = Annotated[
    bool,
    typer.Option(
        "--sandbox",
        help="Talk to a local `sheetsync sandbox` with its read/write key.",
        rich_help_panel=CONNECTION,
    ),
]
Rate = Annotated[
    float | None,
    typer.Option(
        help="Requests per second, for the whole run. [default: 10]",
        min=0.1,
        rich_help_panel=CONNECTION,
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        help="Concurrent requests. [default: 8]", min=1, max=64, rich_help_panel=CONNECTION
    ),
]
QuotaFloor = Annotated[
    int | None,
    typer.Option(
        help="Stop before the daily API quota falls under this. [default: 1000]",
        min=0,
        rich_help_panel=CONNECTION,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the outcome as JSON for scripts.")]


@contextmanager
def _errors_exit() -> Iterator[None]:
    """Expected failures end in one clear line on stderr and exit code 1, never a traceback."""
    try:
        yield
    except (
        ConfigError,
        TemplateError,
        ExportError,
        EsploroError,
        WorkbookError,
        PlanError,
        PlanFileError,
        ApplyError,
        JournalError,
    ) as exc:
        errors.print(f"[red]error:[/] {exc}", markup=True, highlight=False)
        raise typer.Exit(EXIT_ERROR) from None
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        errors.print(f"[red]error:[/]{where}: {exc.strerror or exc}", highlight=False)
        raise typer.Exit(EXIT_ERROR) from None


def _client(
    region: str | None,
    base_url: str | None,
    profile: str | None,
    sandbox: bool,
    rate: float | None,
    workers: int | None,
    quota_floor: int | None,
) -> tuple[EsploroClient, str]:
    settings = resolve_settings(
        region=region,
        base_url=base_url,
        profile=profile,
        sandbox=sandbox,
        rate=rate,
        workers=workers,
        quota_floor=quota_floor,
    )
    for warning in settings.warnings:
        errors.print(f"[yellow]warning:[/] {warning}", highlight=False)
    return EsploroClient.from_settings(settings), settings.key_source


def default_sandbox_db() -> Path:
    """Where `sheetsync sandbox` keeps its records unless told otherwise."""
    return platformdirs.user_data_path("sheetsync") / "sandbox.sqlite3"


def _parse_keys(specs: list[str]) -> dict[str, str]:
    keys: dict[str, str] = {}
    for spec in specs:
        value, sep, access = spec.rpartition("=")
        if not sep or not value or access not in ("rw", "ro"):
            raise typer.BadParameter(f"'{spec}' is not VALUE=rw or VALUE=ro", param_hint="--key")
        keys[value] = access
    return keys


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@app.command()
def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.", min=0, max=65535)] = (
        DEFAULT_PORT
    ),
    db: Annotated[
        Path | None,
        typer.Option(help="SQLite file; records persist across restarts. [default: user data dir]"),
    ] = None,
    memory: Annotated[
        bool, typer.Option("--memory", help="Keep records in memory only (gone on stop).")
    ] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Delete the database first and seed it anew.")
    ] = False,
    researchers: Annotated[
        int, typer.Option(help="Researchers to seed a new db with.", min=0)
    ] = 500,
    assets: Annotated[int, typer.Option(help="Assets to seed a new db with.", min=0)] = 2000,
    seed: Annotated[int, typer.Option(help="Seed for data and fault injection.")] = 1,
    rate_limit: Annotated[
        float,
        typer.Option(help="Requests per second before HTTP 429 PER_SECOND_THRESHOLD.", min=0.1),
    ] = 25.0,
    daily_limit: Annotated[
        int, typer.Option(help="API calls allowed before 429 DAILY_THRESHOLD.", min=0)
    ] = 100_000,
    latency_ms: Annotated[float, typer.Option(help="Added to every response.", min=0)] = 0.0,
    jitter_ms: Annotated[
        float, typer.Option(help="Random extra latency, up to this.", min=0)
    ] = 0.0,
    fail_rate: Annotated[
        float, typer.Option(help="Share of API requests answered 500/503.", min=0, max=1)
    ] = 0.0,
    drop_rate: Annotated[
        float,
        typer.Option(
            help="Share of writes committed, then answered by closing the connection.", min=0, max=1
        ),
    ] = 0.0,
    key: Annotated[
        list[str] | None,
        typer.Option(help="API key VALUE=rw|ro (repeatable). Default: sandbox-rw, sandbox-ro."),
    ] = None,
    log: Annotated[bool, typer.Option(help="Print one line per request (keys redacted).")] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the start-up facts as one JSON line.")
    ] = False,
) -> None:
    """Run an Esploro-compatible server on loopback, to rehearse against. Ctrl-C stops it."""
    db_path = None if memory else (db or default_sandbox_db())
    if db_path is not None:
        db_path.parent.mkdir(parents=True, exist_ok=True)
        if reset:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{db_path}{suffix}").unlink(missing_ok=True)
    try:
        config = SandboxConfig(
            host=host,
            port=port,
            db=db_path,
            researchers=researchers,
            assets=assets,
            seed=seed,
            rate_limit=rate_limit,
            daily_limit=daily_limit,
            latency_ms=latency_ms,
            jitter_ms=jitter_ms,
            fail_rate=fail_rate,
            drop_rate=drop_rate,
            keys=_parse_keys(key) if key else SandboxConfig().keys,
            log_requests=log,
        )
        server = Sandbox(config)
    except (StoreError, ValueError) as exc:
        errors.print(f"[red]error:[/] {exc}")
        raise typer.Exit(EXIT_ERROR) from exc
    except OSError as exc:
        errors.print(
            f"[red]error:[/] cannot listen on {host}:{port} ({exc.strerror}); "
            "choose another --port (0 picks a free one)"
        )
        raise typer.Exit(EXIT_ERROR) from exc
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    try:
        _announce(server, db_path, as_json)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    if not as_json:
        console.print("Sandbox stopped.")


def _announce(server: Sandbox, db_path: Path | None, as_json: bool) -> None:
    counts = server.store.counts()
    config = server.config
    if as_json:
        facts = {
            "base_url": server.base_url,
            "api": f"{server.base_url}/esploro/v1/",
            "keys": dict(config.keys),
            "db": str(db_path) if db_path else None,
            "seeded_now": server.seeded_now,
            **counts,
        }
        sys.stdout.write(json.dumps(facts) + "\n")
        sys.stdout.flush()
        return
    keys = ", ".join(
        f"{k} ({'read/write' if a == 'rw' else 'read-only'})" for k, a in config.keys.items()
    )
    where = str(db_path) if db_path else "in memory"
    origin = f"seeded now with --seed {config.seed}" if server.seeded_now else "existing database"
    console.print(f"[bold green]Esploro sandbox[/] ready at [bold]{server.base_url}[/]")
    console.print(f"  API       {server.base_url}/esploro/v1/")
    console.print(f"  keys      {keys}")
    console.print(
        f"  database  {where} ({counts['researchers']} researchers, "
        f"{counts['assets']} assets; {origin})"
    )
    console.print(
        f"  limits    {config.rate_limit:g} req/s, {config.daily_limit} calls/day; latency "
        f"{config.latency_ms:g}+{config.jitter_ms:g} ms; fail {config.fail_rate:.0%}, "
        f"drop {config.drop_rate:.0%}"
    )
    console.print(f"  stats     {server.base_url}/_sandbox/stats")
    console.print("Press Ctrl-C to stop.", style="dim")


@app.command()
def export(
    template: Annotated[
        str, typer.Argument(help="Built-in template name or path to a .toml file.")
    ],
    output: Annotated[Path, typer.Option("--output", "-o", help="The workbook to write (.xlsx).")],
    query: Annotated[
        str,
        typer.Option(help="Researchers: the API's q, e.g. 'last_name~Smith AND ALL~chemistry'."),
    ] = "",
    updated_since: Annotated[
        str | None, typer.Option(help="Assets: only those updated on or after YYYY-MM-DD.")
    ] = None,
    ids: Annotated[str | None, typer.Option(help="Comma-separated record IDs.")] = None,
    ids_file: Annotated[
        Path | None,
        typer.Option(help="A file of record IDs, one per line.", exists=True, dir_okay=False),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(help="Export at most this many records.", min=1)
    ] = None,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    rate: Rate = None,
    workers: Workers = None,
    quota_floor: QuotaFloor = None,
    as_json: AsJson = False,
) -> None:
    """Export records into a workbook to edit: one row per record, one column per template field."""
    if ids is not None and ids_file is not None:
        raise typer.BadParameter("give --ids or --ids-file, not both", param_hint="--ids")
    with _errors_exit():
        chosen = read_id_list(ids) if ids is not None else None
        if ids_file is not None:
            try:
                chosen = read_id_list(ids_file.read_text(encoding="utf-8-sig"))
            except UnicodeDecodeError as exc:
                raise ExportError(
                    f"{ids_file}: not a text file of IDs (UTF-8): {exc.reason} at byte {exc.start}"
                ) from None
        selection = Selection(query, updated_since, chosen, limit)
        loaded = load_template(template)
        client, _ = _client(region, base_url, profile, sandbox, rate, workers, quota_floor)
        with client, ui.RecordProgress(errors, f"Fetching {loaded.entity}") as progress:
            summary = export_records(client, loaded, output, selection, progress)
    if as_json:
        payload = {**dataclasses.asdict(summary), "path": str(summary.path)}
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
    else:
        ui.export_summary(console, summary)


@app.command()
def plan(
    workbook: Annotated[
        Path, typer.Argument(help="The edited export workbook.", exists=True, dir_okay=False)
    ],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="The plan file. [default: WORKBOOK.plan.json]"),
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
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="List every record.")] = False,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    rate: Rate = None,
    workers: Workers = None,
    quota_floor: QuotaFloor = None,
    as_json: AsJson = False,
) -> None:
    """Work out what apply would change, against live data. Nothing is written to Esploro.

    Exit codes: 0 nothing to change, 2 changes planned, 3 conflicts or invalid cells present
    (valid records are still planned), 1 error.
    """
    plan_path = output or default_plan_path(workbook)
    with _errors_exit():
        client, _ = _client(region, base_url, profile, sandbox, rate, workers, quota_floor)
        with client, ui.RecordProgress(errors, "Fetching live records") as progress:
            result = build_plan(
                client, workbook, only=read_id_list(only) if only else None, progress=progress
            )
        pace = client.limiter.max_rate
        write_plan(result, plan_path)
        if html is not None:
            write_html_report(result, html, rate=pace)
        if annotated is not None:
            annotate_workbook(workbook, annotated, result)
    _show_plan(result, plan_path, pace, verbose, as_json)
    raise typer.Exit(_plan_exit_code(result))


def _plan_exit_code(result: Plan) -> int:
    if result.row_problems or any(r.status in ("conflict", "invalid") for r in result.records):
        return EXIT_PROBLEMS
    return EXIT_CHANGES if any(r.status == "change" for r in result.records) else 0


def _show_plan(result: Plan, plan_path: Path, pace: float, verbose: bool, as_json: bool) -> None:
    if as_json:
        payload = {
            "plan": str(plan_path),
            "checksum": result.checksum,
            "summary": dataclasses.asdict(result.summary(pace)),
            "row_problems": [dataclasses.asdict(p) for p in result.row_problems],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    render_plan(console, result, rate=pace, verbose=verbose)
    console.print(
        f"Plan written to [bold]{plan_path}[/]. Nothing was written to Esploro. After review: "
        f"[bold]sheetsync apply {plan_path} --expect {result.checksum}[/]"
    )


@app.command()
def apply(
    plan_file: Annotated[
        Path,
        typer.Argument(help="The plan file `sheetsync plan` wrote.", exists=True, dir_okay=False),
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    expect: Annotated[
        str | None,
        typer.Option(help="Refuse unless the plan's checksum is this (the one reviewed)."),
    ] = None,
    allow_clears: Annotated[
        bool, typer.Option("--allow-clears", help="Also apply the planned clears (blanked cells).")
    ] = False,
    limit: Annotated[
        int | None, typer.Option(help="Apply at most this many changes.", min=1)
    ] = None,
    only: Annotated[str | None, typer.Option(help="Apply only these record IDs.")] = None,
    results: Annotated[
        Path | None,
        typer.Option(
            help="Write a results workbook; records not updated can be re-planned from it."
        ),
    ] = None,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    rate: Rate = None,
    workers: Workers = None,
    quota_floor: QuotaFloor = None,
    as_json: AsJson = False,
) -> None:
    """Execute a reviewed plan: re-fetch, stale check, full-record write, verify, journal.

    Running it again resumes where it stopped. Exit codes: 0 every record updated or a no-op,
    3 some were stale, in conflict, invalid or failed, 1 an error or a stopped run.
    """
    options = ApplyOptions(
        allow_clears, limit, frozenset(read_id_list(only)) if only else None, expect
    )
    with _errors_exit():
        loaded = read_plan(plan_file)
        client, _ = _client(region, base_url, profile, sandbox, rate, workers, quota_floor)
        if not as_json:
            render_plan(console, loaded, rate=client.limiter.max_rate)
        changes = sum(1 for r in loaded.records if r.status == "change")
        question = f"Apply {changes} changes to {loaded.base_url}?" if changes else None
        _confirm(question, "apply", yes)
        with client:
            with ui.RecordProgress(errors, "Applying") as progress:
                result = apply_plan(client, loaded, plan_file, options, progress)
            if results is not None:
                again = write_results(client, loaded, result, results)
                if not as_json:
                    console.print(f"Results: [bold]{results}[/] ({again} records to edit again)")
    _show_apply(result, loaded, plan_file, as_json)
    if result.stopped or result.interrupted:
        raise typer.Exit(EXIT_ERROR)
    raise typer.Exit(0 if result.ok else EXIT_PROBLEMS)


@app.command()
def rollback(
    plan_file: Annotated[
        Path, typer.Argument(help="The plan that was applied.", exists=True, dir_okay=False)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    rate: Rate = None,
    workers: Workers = None,
    quota_floor: QuotaFloor = None,
    as_json: AsJson = False,
) -> None:
    """Undo an apply: restore each written record's before-image from the journal, only if the
    record is still what sheetsync wrote (otherwise it is reported, not overwritten)."""
    with _errors_exit():
        loaded = read_plan(plan_file)
        client, _ = _client(region, base_url, profile, sandbox, rate, workers, quota_floor)
        _confirm(f"Roll back what this plan wrote to {loaded.base_url}?", "rollback", yes)
        with client, ui.RecordProgress(errors, "Rolling back") as progress:
            result = rollback_plan(client, loaded, plan_file, progress)
    _show_apply(result, loaded, plan_file, as_json)
    ok = all(r.status == "rolled back" for r in result.results)
    raise typer.Exit(0 if ok else EXIT_PROBLEMS)


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


def _show_apply(result: ApplyResult, loaded: Plan, plan_file: Path, as_json: bool) -> None:
    if as_json:
        payload = {
            "ok": result.ok,
            "interrupted": result.interrupted,
            "stopped": result.stopped,
            "journal": str(result.journal),
            "results": [dataclasses.asdict(r) for r in result.results],
        }
        sys.stdout.write(json.dumps(payload, indent=2) + "\n")
        return
    ui.apply_summary(console, result)
    if result.interrupted or result.stopped:
        console.print(
            f"To resume: [bold]sheetsync apply {plan_file} --expect {loaded.checksum}[/] "
            "(records already done are skipped)"
        )


templates_app = typer.Typer(help="List the built-in templates, or show one.", no_args_is_help=False)
app.add_typer(templates_app, name="templates")


@templates_app.callback(invoke_without_command=True)
def templates_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the built-in templates, one line each."""
    if ctx.invoked_subcommand is not None:
        return
    with _errors_exit():
        found = builtin_templates()
    if as_json:
        rows = [
            {
                "name": t.name,
                "entity": t.entity,
                "write_mode": t.write_mode,
                "columns": len(t.columns),
                "description": t.description,
            }
            for t in found
        ]
        sys.stdout.write(json.dumps(rows, indent=2) + "\n")
    else:
        console.print(ui.templates_table(found))


@templates_app.command("show")
def templates_show(
    name: Annotated[str, typer.Argument(help="Built-in template name or path to a .toml file.")],
) -> None:
    """Show one template's columns: header, path, type and rules."""
    with _errors_exit():
        console.print(ui.template_table(load_template(name)))


@app.command()
def check(
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    as_json: AsJson = False,
) -> None:
    """Check the connection: base URL, key rights, remaining daily quota, round-trip time."""
    with _errors_exit():
        client, key_source = _client(region, base_url, profile, sandbox, None, None, 0)
        with client:
            report = run_check(client, key_source)
    if as_json:
        sys.stdout.write(json.dumps(dataclasses.asdict(report), indent=2) + "\n")
    else:
        ui.check_report(console, report)
    if not (report.can_read_researchers and report.can_read_assets):
        raise typer.Exit(EXIT_ERROR)


@app.command()
def demo(
    directory: Annotated[
        Path, typer.Option("--dir", help="Where to leave the workbook, plan, report and results.")
    ] = Path("sheetsync-demo"),
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what the demo did as JSON, not the tour.")
    ] = False,
) -> None:
    """Run the whole loop on an in-process sandbox: export, edit, plan, apply, results."""
    with _errors_exit():
        if as_json:
            outcome = run_demo(Console(file=io.StringIO()), directory)
            sys.stdout.write(json.dumps(dataclasses.asdict(outcome), indent=2) + "\n")
        else:
            run_demo(console, directory)


@app.command()
def version() -> None:
    """Print the sheetsync version."""
    console.print(__version__)


def main() -> None:
    app()
