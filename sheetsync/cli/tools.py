"""The commands around the loop: `templates`, `check`, `sandbox`, `demo`, `version`."""

from __future__ import annotations

import dataclasses
import io
import signal
from pathlib import Path
from types import FrameType
from typing import Annotated

import platformdirs
import typer
from rich.console import Console

from sheetsync import api
from sheetsync._version import __version__
from sheetsync.cli import output
from sheetsync.cli.app import app
from sheetsync.cli.demo import run_demo
from sheetsync.cli.options import (
    AsJson,
    BaseUrl,
    Connection,
    Profile,
    QuotaFloor,
    Region,
    TracePath,
    UseSandbox,
)
from sheetsync.errors import EXIT_ERROR, EXIT_PROBLEMS, SheetsyncError
from sheetsync.esploro.settings import (
    DEFAULT_QUOTA_FLOOR,
    forget_running_sandbox,
    record_running_sandbox,
)
from sheetsync.report.terminal import (
    check_report,
    preflight_table,
    template_table,
    templates_table,
)
from sheetsync.sandbox import DEFAULT_PORT, Sandbox, SandboxConfig
from sheetsync.template import Template, builtin_templates


class SandboxStartError(SheetsyncError):
    """The sandbox cannot start: its port is taken, or its database cannot be opened."""


templates_app = typer.Typer(help="List the built-in templates, or show one.", no_args_is_help=False)
app.add_typer(templates_app, name="templates")


@templates_app.callback(invoke_without_command=True)
def templates_list(ctx: typer.Context, as_json: AsJson = False) -> None:
    """List the built-in templates, one line each."""
    if ctx.invoked_subcommand is not None:
        return
    found = builtin_templates()
    if as_json:
        output.emit_json(
            [
                {
                    "name": t.name,
                    "entity": t.entity,
                    "write_mode": t.write_mode,
                    "columns": len(t.columns),
                    "description": t.description,
                }
                for t in found
            ]
        )
    else:
        output.stdout.print(templates_table(found))


@templates_app.command("show")
def templates_show(
    name: Annotated[
        str,
        typer.Argument(help="Built-in template name or path to a .toml file.", metavar="TEMPLATE"),
    ],
    as_json: AsJson = False,
) -> None:
    """Show one template's columns: header, path, type and rules."""
    template = api.load_template(name)
    if as_json:
        output.emit_json(_template_facts(template))
    else:
        output.stdout.print(template_table(template))


def _template_facts(template: Template) -> dict[str, object]:
    """A template as `templates show --json` prints it: what the table shows, one key each."""
    return {
        "name": template.name,
        "source": template.source,
        "entity": template.entity,
        "write_mode": template.write_mode,
        "description": template.description,
        "columns": [
            {
                "header": column.header,
                "path": str(column.path),
                "type": column.type,
                "id": column is template.id_column,
                "readonly": column.readonly,
                "required": column.required,
                "code_table": column.code_table,
                "join": column.join,
                "pattern": column.pattern.pattern if column.pattern is not None else None,
                "max_length": column.max_length,
                "note": column.note,
            }
            for column in template.columns
        ],
    }


@app.command()
def check(
    template: Annotated[
        str | None,
        typer.Option(
            "--template",
            "-t",
            help="Preflight for this template (built-in name or .toml): one table of checks "
            "before a first write.",
        ),
    ] = None,
    records: Annotated[
        int | None,
        typer.Option(help="With --template: compare the quota with a run of N records.", min=1),
    ] = None,
    for_file: Annotated[
        Path | None,
        typer.Option(
            "--for",
            help="With --template: compare the quota with planning and applying this workbook, "
            "or applying this plan file (.json).",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    sample: Annotated[
        int,
        typer.Option(help="With --template: live records read to check paths and codes.", min=1),
    ] = 50,
    write_test: Annotated[
        bool,
        typer.Option(
            "--write-test",
            help="With --template: also ask whether the key may write (writes no record).",
        ),
    ] = False,
    quota_floor: QuotaFloor = None,
    region: Region = None,
    base_url: BaseUrl = None,
    profile: Profile = None,
    sandbox: UseSandbox = False,
    trace: TracePath = None,
    as_json: AsJson = False,
) -> None:
    """Check the connection: base URL, key rights, remaining daily quota, round-trip time.

    With --template, the preflight before a first write: base URL, key, quota for the run, read
    (and with --write-test write) rights, the template's code tables and paths against a sample
    of live records, and facts about the institution's data; read-only. Exit codes: 0 every
    check passed or warns, 3 a check failed; without --template, 1 when a key cannot read.
    """
    if template is None and (records or for_file or write_test or quota_floor is not None):
        raise typer.BadParameter("needs --template", param_hint="--records/--for/--write-test")
    connection = Connection(region, base_url, profile, sandbox, quota_floor=0, trace=trace)
    if template is not None:
        floor = DEFAULT_QUOTA_FLOOR if quota_floor is None else quota_floor
        need = _Need(records, for_file, floor)
        _preflight(connection, template, need, sample, write_test, as_json)
        return
    with connection.open() as client:
        report = api.check(client)
    if as_json:
        output.emit_json(dataclasses.asdict(report))
    else:
        check_report(output.stdout, report)
    if not (report.can_read_researchers and report.can_read_assets):
        raise typer.Exit(EXIT_ERROR)


@dataclasses.dataclass(frozen=True)
class _Need:
    """What the run the preflight is for needs: its size, and the quota floor it keeps."""

    records: int | None
    for_file: Path | None
    quota_floor: int


def _preflight(
    connection: Connection, template: str, need: _Need, sample: int, write_test: bool, as_json: bool
) -> None:
    chosen = api.load_template(template)
    with connection.open() as client:
        report = api.check(
            client,
            chosen,
            records=need.records,
            for_file=need.for_file,
            sample=sample,
            write_test=write_test,
            quota_floor=need.quota_floor,
        )
    if as_json:
        output.emit_json(dataclasses.asdict(report))
    else:
        preflight_table(output.stdout, report)
    if not report.ok:
        raise typer.Exit(EXIT_PROBLEMS)


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
    if as_json:
        outcome = run_demo(Console(file=io.StringIO()), directory)
        output.emit_json(dataclasses.asdict(outcome))
    else:
        run_demo(output.stdout, directory)


@app.command()
def version() -> None:
    """Print the sheetsync version."""
    output.say((__version__, ""))


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
        typer.Option(
            help="SQLite file; records persist across restarts. \\[default: user data dir]"
        ),
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
    asset_put: Annotated[
        bool,
        typer.Option(
            "--asset-put",
            help="Accept a swap-all asset PUT (the real API has none): experiments only.",
        ),
    ] = False,
    json_identifiers: Annotated[
        str,
        typer.Option(
            help="identifier.* in a JSON op=patch body: ignore (as reported) or accept.",
            metavar="ignore|accept",
        ),
    ] = "ignore",
    patch_empty: Annotated[
        str,
        typer.Option(
            help="An empty value in an op=patch replace: ignore (the stricter guess) or clear.",
            metavar="ignore|clear",
        ),
    ] = "ignore",
    views_per_second: Annotated[
        float,
        typer.Option(help="Portal views bumping random assets' asset.views; 0 is off.", min=0),
    ] = 0.0,
    tracking_ids: Annotated[
        str,
        typer.Option(help="trackingId prefix of error bodies.", metavar="E01|E02|mixed"),
    ] = "E01",
    multilingual: Annotated[
        bool,
        typer.Option(
            "--multilingual",
            help="Seed a new db with multilingual display titles and keywords "
            "(display_title_multilingual, researcher_keyword_multilingual).",
        ),
    ] = False,
    pretend_production: Annotated[
        bool,
        typer.Option(
            "--pretend-production",
            help="Do not say 'sandbox' in answers (X-Sheetsync-Sandbox), so apply runs its "
            "canary as on production: tests only.",
        ),
    ] = False,
    fault_drop_on_write: Annotated[
        list[str] | None,
        typer.Option(
            help="Test fault: drop this field (keys joined by /, e.g. researcher/researcher_suffix"
            ") from every record written (repeatable).",
            metavar="FIELD",
        ),
    ] = None,
    fault_retype_on_write: Annotated[
        list[str] | None,
        typer.Option(
            help="Test fault: store this field in another JSON type (text digits as a number, "
            "...) on every write (repeatable).",
            metavar="FIELD",
        ),
    ] = None,
    load: Annotated[
        list[Path] | None,
        typer.Option(
            "--load",
            help="Serve exactly the records of this file (a snapshot, an API answer, a trace), "
            "as captured; repeatable. Implies an empty store and --memory unless --db.",
            exists=True,
            dir_okay=False,
        ),
    ] = None,
    seed_too: Annotated[
        bool, typer.Option("--seed-too", help="With --load: seed the store first all the same.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the start-up facts as one JSON line.")
    ] = False,
) -> None:
    """Run an Esploro-compatible server on loopback, to rehearse against. Ctrl-C stops it."""
    if json_identifiers not in ("ignore", "accept"):
        raise typer.BadParameter("must be ignore or accept", param_hint="--json-identifiers")
    if patch_empty not in ("ignore", "clear"):
        raise typer.BadParameter("must be ignore or clear", param_hint="--patch-empty")
    if tracking_ids not in ("E01", "E02", "mixed"):
        raise typer.BadParameter("must be E01, E02 or mixed", param_hint="--tracking-ids")
    if memory and (db is not None or reset):
        given = "--db" if db is not None else "--reset"
        raise typer.BadParameter(
            f"--memory keeps no database, so {given} would be ignored; give one or the other",
            param_hint="--memory",
        )
    db_path = None if memory or (load and db is None) else (db or default_sandbox_db())
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
            asset_put=asset_put,
            json_identifiers=json_identifiers,
            patch_empty=patch_empty,
            views_per_second=views_per_second,
            tracking_ids=tracking_ids,
            multilingual=multilingual,
            pretend_production=pretend_production,
            drop_on_write=tuple(fault_drop_on_write or ()),
            retype_on_write=tuple(fault_retype_on_write or ()),
            load=tuple(load or ()),
            seed_too=seed_too,
        )
        server = Sandbox(config)
    except OSError as exc:
        raise SandboxStartError(
            f"cannot listen on {host}:{port} ({exc.strerror}); "
            "choose another --port (0 picks a free one)"
        ) from None
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    record = record_running_sandbox(server.base_url)  # so that `--sandbox` finds this one
    try:
        _announce(server, db_path, as_json)
        for warning in server.load_warnings:
            output.warning(warning)
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
        forget_running_sandbox(record)
    if not as_json:
        output.say(("Sandbox stopped.", ""))


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
            "asset_put": config.asset_put,
            "json_identifiers": config.json_identifiers,
            "views_per_second": config.views_per_second,
            "tracking_ids": config.tracking_ids,
            "multilingual": config.multilingual,
            "pretend_production": config.pretend_production,
            "drop_on_write": list(config.drop_on_write),
            "retype_on_write": list(config.retype_on_write),
            "loaded": [str(path) for path in config.load],
        }
        output.emit_json(facts, indent=None, flush=True)
        return
    keys = ", ".join(
        f"{k} ({'read/write' if a == 'rw' else 'read-only'})" for k, a in config.keys.items()
    )
    where = str(db_path) if db_path else "in memory"
    origin = f"seeded now with --seed {config.seed}" if server.seeded_now else "existing database"
    if config.load:
        origin = "loaded now" + (
            f", seeded too with --seed {config.seed}" if config.seed_too else ""
        )
    output.say(("Esploro sandbox", "bold green"), (" ready at ", ""), (server.base_url, "bold"))
    output.say((f"  API       {server.base_url}/esploro/v1/", ""))
    output.say((f"  keys      {keys}", ""))
    output.say(
        (
            f"  database  {where} ({', '.join(f'{n} {kind}' for kind, n in counts.items())}; "
            f"{origin})",
            "",
        )
    )
    output.say(
        (
            f"  limits    {config.rate_limit:g} req/s, {config.daily_limit} calls/day; latency "
            f"{config.latency_ms:g}+{config.jitter_ms:g} ms; fail {config.fail_rate:.0%}, "
            f"drop {config.drop_rate:.0%}",
            "",
        )
    )
    experiments = [
        *(["asset PUT on (the real API has none)"] if config.asset_put else []),
        *(["identifiers accepted from JSON"] if config.json_identifiers == "accept" else []),
        *([f"{config.views_per_second:g} portal views/s"] if config.views_per_second else []),
        *([f"trackingIds {config.tracking_ids}"] if config.tracking_ids != "E01" else []),
        *(["pretending to be production"] if config.pretend_production else []),
        *([f"drops on write: {', '.join(config.drop_on_write)}"] if config.drop_on_write else []),
        *(
            [f"retypes on write: {', '.join(config.retype_on_write)}"]
            if config.retype_on_write
            else []
        ),
    ]
    if experiments:
        output.say((f"  options   {'; '.join(experiments)}", ""))
    if config.load:
        loaded = ", ".join(str(path) for path in config.load)
        output.say((f"  loaded    {loaded}: records served as captured", ""))
    output.say((f"  stats     {server.base_url}/_sandbox/stats", ""))
    output.say(("Press Ctrl-C to stop.", "dim"))
