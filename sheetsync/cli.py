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
from pathlib import Path
from types import FrameType
from typing import Annotated

import platformdirs
import typer
from rich.console import Console

from sheetsync import __version__
from sheetsync.demo import run_tour
from sheetsync.sandbox import DEFAULT_PORT, Sandbox, SandboxConfig
from sheetsync.sandbox.store import StoreError

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
            host=host, port=port, db=db_path, researchers=researchers, assets=assets, seed=seed,
            rate_limit=rate_limit, daily_limit=daily_limit, latency_ms=latency_ms,
            jitter_ms=jitter_ms, fail_rate=fail_rate, drop_rate=drop_rate,
            keys=_parse_keys(key) if key else SandboxConfig().keys, log_requests=log,
        )  # fmt: skip
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
def demo(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print what the tour did as JSON, not the tour.")
    ] = False,
) -> None:
    """Tour an in-process sandbox and see why sheetsync never PUTs a partial record."""
    if as_json:
        outcome = run_tour(Console(file=io.StringIO()))
        sys.stdout.write(json.dumps(dataclasses.asdict(outcome), indent=2) + "\n")
    else:
        run_tour(console)


@app.command()
def version() -> None:
    """Print the sheetsync version."""
    console.print(__version__)


def main() -> None:
    app()
