"""The options several commands share, declared once: connection settings and `--json`.

Typer has no option groups, so each command lists these parameters itself; declaring them here
keeps their names, help and limits identical everywhere, and `Connection` carries them to
`sheetsync.connect` in one piece.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from sheetsync import api
from sheetsync.cli import output
from sheetsync.esploro.client import EsploroClient

CONNECTION = "Connection"

Region = Annotated[
    str | None,
    typer.Option(
        help="Esploro region: na, eu, ap, aps, ca, cn. \\[default: na]", rich_help_panel=CONNECTION
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
        help="Talk to a local `sheetsync sandbox` with its read/write key: the newest one "
        "running (whatever its port), else port 8780.",
        rich_help_panel=CONNECTION,
    ),
]
Rate = Annotated[
    float | None,
    typer.Option(
        help="Requests per second, for the whole run. \\[default: 10]",
        min=0.1,
        rich_help_panel=CONNECTION,
    ),
]
Workers = Annotated[
    int | None,
    typer.Option(
        help="Concurrent requests. \\[default: 8]", min=1, max=64, rich_help_panel=CONNECTION
    ),
]
QuotaFloor = Annotated[
    int | None,
    typer.Option(
        help="Stop before the daily API quota falls under this. \\[default: 1000]",
        min=0,
        rich_help_panel=CONNECTION,
    ),
]
TracePath = Annotated[
    Path | None,
    typer.Option(
        "--trace",
        help="Write every request and answer to this file as JSON lines, for a bug report "
        "(the key left out; the file is yours alone).",
        dir_okay=False,
        rich_help_panel=CONNECTION,
    ),
]
AsJson = Annotated[bool, typer.Option("--json", help="Print the outcome as JSON for scripts.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


@dataclass(frozen=True)
class Connection:
    """The connection options of one command, as given (None: not given)."""

    region: str | None = None
    base_url: str | None = None
    profile: str | None = None
    sandbox: bool = False
    rate: float | None = None
    workers: int | None = None
    quota_floor: int | None = None
    trace: Path | None = None  # `--trace FILE`

    def given(self) -> list[str]:
        """The options that choose the Esploro, as the person gave them (never a key: no
        option holds one), to repeat in a command printed for them to run next."""
        given = ["--sandbox"] if self.sandbox else []
        for option, value in (
            ("--base-url", self.base_url),
            ("--profile", self.profile),
            ("--region", self.region),
        ):
            if value is not None:
                given += [option, value]
        return given

    def open(self) -> EsploroClient:
        """A client for these options (`sheetsync.connect`); settings warnings are printed,
        and the key is remembered so an internal-error log can blank it out."""
        client = api.connect(
            region=self.region,
            base_url=self.base_url,
            profile=self.profile,
            sandbox=self.sandbox,
            rate=self.rate,
            workers=self.workers,
            quota_floor=self.quota_floor,
            trace=self.trace,
        )
        output.remember_redactor(client.redact)
        for warning in client.warnings:
            output.warning(warning)
        return client
