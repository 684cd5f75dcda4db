"""What the commands print, and how: the two consoles, errors, JSON, progress bars.

Every value printed comes from Esploro or from a spreadsheet a person typed into, so nothing
is ever read as rich markup: both consoles have markup (and highlighting) off, and styled
lines are built from (text, style) parts, never from a markup string with data in it.
Errors and warnings go to stderr on one line each; JSON for scripts goes to stdout alone.

Library functions report progress through `start(total)` / `advance(n)` and never draw
anything; `RecordProgress` is the one place that turns those calls into a bar. Plans,
summaries and tables are rendered by `sheetsync.report.terminal`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    SpinnerColumn,
    Task,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text


class RateColumn(ProgressColumn):
    """Records per second, once there is enough to measure."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f}/s", style="progress.data.speed")


class RecordProgress:
    """A rich progress bar behind the library's `start(total)` / `advance(n)` protocol; `done`
    is the outcome it counts first ("updated", "rolled back"), the others after it."""

    def __init__(self, console: Console, description: str, done: str = "updated") -> None:
        self._progress = Progress(
            SpinnerColumn(),
            TextColumn("[progress.description]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            RateColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            transient=False,
        )
        self._description = description
        self._done = done
        self._task: TaskID | None = None
        self._tallies: dict[str, int] = {}

    def start(self, total: int | None) -> None:
        self._task = self._progress.add_task(self._description, total=total)

    def advance(self, count: int) -> None:
        if self._task is not None:
            self._progress.advance(self._task, count)

    def tally(self, status: str) -> None:
        """Count outcomes; the description shows those that need attention."""
        self._tallies[status] = self._tallies.get(status, 0) + 1
        notable = [f"{n} {s}" for s, n in sorted(self._tallies.items()) if s != self._done]
        if self._task is not None:
            done = self._tallies.get(self._done, 0)
            text = f"{self._description}: {done} {self._done}" + "".join(f", {n}" for n in notable)
            self._progress.update(self._task, description=text)

    def __enter__(self) -> RecordProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._progress.stop()


stdout = Console(markup=False, highlight=False)
# An error stays on one line, whatever the terminal's width.
stderr = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)
_REDACTORS: list[Callable[[str], str]] = []


def say(*parts: tuple[str, str]) -> None:
    """Print one line to stdout from (text, style) parts; the text is never markup."""
    stdout.print(Text.assemble(*parts))


def error(message: str) -> None:
    """`error: <message>` on stderr."""
    stderr.print(Text.assemble(("error:", "red"), " ", message))


def warning(message: str) -> None:
    """`warning: <message>` on stderr."""
    stderr.print(Text.assemble(("warning:", "yellow"), " ", message))


def emit_json(value: Any, *, indent: int | None = 2, flush: bool = False) -> None:
    """`value` as JSON on stdout, alone, for scripts."""
    sys.stdout.write(json.dumps(value, indent=indent) + "\n")
    if flush:
        sys.stdout.flush()


def remember_redactor(redact: Callable[[str], str]) -> None:
    """Keep a client's key-blanking function for anything written outside the client."""
    _REDACTORS.append(redact)


def redacted(text: str) -> str:
    """`text` with every key this run used blanked out."""
    for redact in _REDACTORS:
        text = redact(text)
    return text


__all__ = [
    "RateColumn",
    "RecordProgress",
    "emit_json",
    "error",
    "redacted",
    "remember_redactor",
    "say",
    "stderr",
    "stdout",
    "warning",
]
