"""Terminal rendering for the commands: progress bars and summaries (rich).

Kept apart from `cli.py` so commands stay a few lines each, and apart from the library so that
library functions only report progress through a small protocol and never draw anything.
"""

from __future__ import annotations

import math
from types import TracebackType

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
from rich.table import Table
from rich.text import Text

from sheetsync.applying.run import ApplyResult
from sheetsync.esploro.check import CheckReport
from sheetsync.exporting import ExportSummary
from sheetsync.template import Template


class RateColumn(ProgressColumn):
    """Records per second, once there is enough to measure."""

    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text("" if speed is None else f"{speed:,.1f}/s", style="progress.data.speed")


class RecordProgress:
    """A rich progress bar behind the library's `start(total)` / `advance(n)` protocol."""

    def __init__(self, console: Console, description: str) -> None:
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
        notable = [f"{n} {s}" for s, n in sorted(self._tallies.items()) if s != "updated"]
        if self._task is not None:
            done = self._tallies.get("updated", 0)
            text = f"{self._description}: {done} updated" + "".join(f", {n}" for n in notable)
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


def export_summary(console: Console, summary: ExportSummary) -> None:
    quota = "unknown" if summary.remaining_quota is None else f"{summary.remaining_quota:,}"
    console.print(
        f"[bold green]Exported[/] {summary.records:,} records x {summary.columns} columns "
        f"to [bold]{summary.path}[/] in {summary.seconds:.1f} s "
        f"({summary.api_calls:,} API calls; daily quota left: {quota})."
    )
    if summary.oversized_cells:
        console.print(
            f"[yellow]{summary.oversized_cells} cells exceed Excel's 32,767-character limit:[/] "
            "they are marked orange and read-only, and can never be written back from this sheet."
        )
    console.print(
        "Edit the cells in Excel or LibreOffice. (The plan and apply steps that write edits back "
        "are being built: for now nothing in the workbook goes back to Esploro.)"
    )


def templates_table(templates: list[Template]) -> Table:
    table = Table(title="Built-in templates", title_justify="left")
    for heading in ("name", "entity", "write", "columns", "description"):
        table.add_column(heading)
    for template in templates:
        table.add_row(
            template.name,
            template.entity,
            template.write_mode,
            str(len(template.columns)),
            template.description,
        )
    return table


def template_table(template: Template) -> Table:
    table = Table(title=f"{template.name} ({template.source})", title_justify="left")
    for heading in ("header", "path", "type", "rules"):
        table.add_column(heading, overflow="fold")  # a path is useless cut short
    for column in template.columns:
        rules = [
            name
            for name, on in (
                ("id", column is template.id_column),
                ("read-only", column.readonly),
                ("required", column.required),
            )
            if on
        ]
        if column.code_table:
            rules.append(f"code table {column.code_table}")
        if column.join:
            rules.append(f'joined by "{column.join}"')
        if column.pattern is not None:
            rules.append(f"pattern {column.pattern.pattern}")
        if column.max_length:
            rules.append(f"max {column.max_length}")
        table.add_row(column.header, str(column.path), column.type, ", ".join(rules))
    return table


def check_report(console: Console, report: CheckReport) -> None:
    def verdict(ok: bool, error: str | None) -> str:
        return "[green]yes[/]" if ok else f"[red]no[/] ({error})"

    quota = "unknown" if report.remaining_quota is None else f"{report.remaining_quota:,}"
    console.print(f"base URL         {report.base_url}")
    console.print(f"API key from     {report.key_source}")
    console.print(
        f"read researchers {verdict(report.can_read_researchers, report.researchers_error)}"
    )
    console.print(f"read assets      {verdict(report.can_read_assets, report.assets_error)}")
    console.print(f"daily quota left {quota}")
    latency = "no answer" if math.isnan(report.latency_ms) else f"{report.latency_ms:.0f} ms"
    console.print(f"round trip       {latency}")


def apply_summary(console: Console, result: ApplyResult) -> None:
    """Counts by status, then every record that did not end as planned, with its errorCode and
    trackingId (what Ex Libris support asks for)."""
    counts: dict[str, int] = {}
    for record in result.results:
        counts[record.status] = counts.get(record.status, 0) + 1
    console.print("Applied: " + ", ".join(f"{n} {status}" for status, n in sorted(counts.items())))
    table = Table(title="Records not updated as planned", title_justify="left")
    for heading in ("record", "status", "errorCode", "trackingId", "why"):
        table.add_column(heading, overflow="fold")
    for record in result.results:
        if record.status not in ("updated", "no-op", "rolled back") or record.warnings:
            why = record.error_message or "; ".join(record.warnings)
            table.add_row(
                record.record_id, record.status, record.error_code, record.tracking_id, Text(why)
            )
    if table.row_count:
        console.print(table)
    if result.stopped:
        console.print(f"[red]Stopped:[/] {result.stopped}", highlight=False)
    console.print(f"Journal: {result.journal}")
