"""Everything sheetsync prints to a terminal but progress bars: plans and command summaries.

The plan a person approves (`render_plan`) and the summaries of `export`, `templates`, `check`
and `apply` live together so that one rule holds for all of them. Every value they show came
from someone else: a spreadsheet a person typed into, a template, a server's error message, a
path. So a value reaches the terminal as rich `Text`, styled by position, never inside a markup
string, where `[bold]` would vanish into a style, `[/]` would raise, and the reader would not
see what is really there. Only constant words may be markup. The words themselves come from
`sheetsync.report.words`, shared with the HTML report and the annotated workbook.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheetsync.planning.model import CellEdit, Outcome, Plan, PlanSummary, RecordPlan, Status
from sheetsync.report.visible import visible
from sheetsync.report.words import (
    ALREADY_LIVE,
    BLANK,
    CLEAR,
    CLEARS_NOTE,
    HELD_NOTE,
    NO_CHECKSUM,
    NOT_FETCHED,
    NOTHING_APPLIED,
    NOTHING_ROLLED_BACK,
    STATUS_LABELS,
    STATUS_ORDER,
    calls_sentence,
    check_rate,
    counted,
    is_held,
    missing_ids_sentence,
    normalised_words,
    safe_url,
    where_sentence,
)

if TYPE_CHECKING:  # types only: rendering needs none of their modules
    from sheetsync.applying.run import ApplyResult, ApplyStatus, RecordResult
    from sheetsync.esploro.check import CheckReport
    from sheetsync.esploro.preflight import PreflightReport
    from sheetsync.exporting import ExportSummary
    from sheetsync.template import Column, Template

__all__ = [
    "apply_summary",
    "check_report",
    "export_summary",
    "render_plan",
    "rollback_summary",
    "template_table",
    "templates_table",
]

COMPACT_WIDTH = 60  # characters of a value shown in the compact terminal view

_STATUS_STYLES: dict[Status, str] = {
    Status.CHANGE: "green",
    Status.NO_OP: "dim",
    Status.CONFLICT: "bold red",
    Status.INVALID: "dark_orange",
}
# A refused cell is styled as a record of the same name would be.
_REFUSED_STYLES: dict[Outcome, str] = {
    Outcome.CONFLICT: _STATUS_STYLES[Status.CONFLICT],
    Outcome.INVALID: _STATUS_STYLES[Status.INVALID],
}


# -------------------------------------------------------------------------------------- plan


def render_plan(
    console: Console, plan: Plan, *, rate: float, verbose: bool = False, limit: int = 20
) -> None:
    """Print a plan: counts first, then the checksum, the records, row problems and notices.

    Compact by default so that a 20,000-record plan stays readable: at most `limit` records
    per status and row problems, values cut to about 60 characters. `verbose` shows all.
    """
    check_rate(rate)
    if limit < 0:
        raise ValueError(f"limit must be zero or more, not {limit}")
    shown = None if verbose else limit
    summary = plan.summary(rate)
    plan = plan.as_shown()  # codes as the sheet shows them
    console.print(_heading(plan))
    console.print(_summary_grid(summary))
    console.print(_checksum_line(plan))
    if plan.records:
        console.print(_records_table(plan, shown, COMPACT_WIDTH if shown is not None else None))
    if plan.row_problems:
        console.print(_row_problems_table(plan, shown))
    for notice in plan.notices:
        console.print(Text.assemble(("notice: ", "yellow"), notice))


def _heading(plan: Plan) -> Text:
    return Text.assemble(
        ("Plan for ", "bold"),
        (plan.workbook, "bold"),
        f"\nsheet {plan.data_sheet}, template {plan.template_name} ({plan.template_source})",
        f"\n{plan.write_mode.upper()} {plan.entity} at {safe_url(plan.base_url)}",
    )


def _summary_grid(summary: PlanSummary) -> Table:
    """The counts, in the order a reviewer asks about them."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    counts = summary.records
    records = Text()
    for index, status in enumerate(STATUS_ORDER):
        if index:
            records.append(", ")
        records.append(f"{counts.get(status, 0):,} {STATUS_LABELS[status]}", _STATUS_STYLES[status])
    grid.add_row("Records", records)
    by_column = summary.changed_cells_by_column
    grid.add_row("Changed cells", Text(f"{sum(by_column.values()):,}"))
    for column, count in by_column.items():
        grid.add_row("", Text.assemble(column, f" {count:,}"))
    grid.add_row("Clears", Text(f"{summary.clears:,} ({CLEARS_NOTE})"))
    grid.add_row(
        "Refused cells",
        Text(f"{summary.conflicts:,} in conflict, {summary.invalid_cells:,} invalid"),
    )
    grid.add_row("Row problems", Text(f"{summary.row_problems:,}"))
    grid.add_row("API calls", Text(calls_sentence(summary)))
    return grid


def _checksum_line(plan: Plan) -> Text:
    return Text.assemble(("Plan checksum ", "bold"), (plan.checksum or NO_CHECKSUM, "bold cyan"))


def _records_table(plan: Plan, shown: int | None, width: int | None) -> Table:
    """One table, one section per status; each section cut to `shown` records."""
    table = Table(title="Records", title_justify="left")
    table.add_column("record", no_wrap=True)  # an ID broken mid-number misleads
    for heading in ("status", "row", "edits"):
        table.add_column(heading, overflow="fold")
    first = True
    for status in STATUS_ORDER:
        records = plan.by_status(status)
        if not records:
            continue
        if not first:
            table.add_section()
        first = False
        visible = records if shown is None else records[:shown]
        for record in visible:
            table.add_row(
                _record_cell(record.record_id, record.display_name),
                Text(status, _STATUS_STYLES[status]),
                Text("" if record.row is None else str(record.row)),
                _record_text(record, width),
            )
        hidden = len(records) - len(visible)
        if hidden:
            noun = "record" if hidden == 1 else "records"
            more = f"... and {hidden:,} more {status} {noun} (use --verbose)"
            table.add_row("", "", "", Text(more, "italic"))
    return table


def _record_cell(record_id: str, name: str) -> Text:
    """The ID whole, and under it the record's display name, cut to the ID's width (at least
    20 characters) so that a long title does not take the table's room."""
    if not name:
        return Text(record_id)
    shown = Text(" ".join(name.split()), "dim")
    shown.truncate(max(cell_len(record_id), 20), overflow="ellipsis")  # wide scripts count twice
    return Text.assemble(record_id, "\n", shown)


def _record_text(record: RecordPlan, width: int | None) -> Text:
    lines = [
        _edit_text(edit, width, held=is_held(edit, record.status), fetched=record.fetched)
        for edit in record.edits
    ]
    lines += [Text(_shorten(message, _message_width(width)), "red") for message in record.messages]
    return Text("\n").join(lines) if lines else Text("no edits", "dim")


def _edit_text(edit: CellEdit, width: int | None, *, held: bool, fetched: bool) -> Text:
    """`column: live -> new`, or why not. An unfetched record has no live values to show."""
    live = _shorten(edit.live, width) if fetched else NOT_FETCHED
    text = Text(f"{edit.column}: ", "bold")
    if edit.outcome == Outcome.WRITE:
        text.append(live)
        text.append(" -> ")
        if edit.is_clear:
            text.append(CLEAR, "yellow")
            text.append(f" ({CLEARS_NOTE})", "dim")
        else:
            text.append(_shorten(edit.edited, width), "green")
        if held:
            text.append(f" ({HELD_NOTE})", "dim")
    elif edit.outcome == Outcome.SAME_AS_LIVE:
        text.append(_shorten(edit.edited, width), "dim")
        text.append(f" ({ALREADY_LIVE})", "dim")
    elif edit.outcome == Outcome.INVALID and edit.message:
        # the message names the cell and the value typed, in words: the three values would
        # only repeat it (an invalid record is not fetched, so it has no live value anyway)
        text.append(f"{edit.outcome}: ", _REFUSED_STYLES[edit.outcome])
        text.append(edit.message, _REFUSED_STYLES[edit.outcome])
    else:
        style = _REFUSED_STYLES[edit.outcome]
        text.append(f"{edit.outcome}: ", style)
        text.append(f"baseline {_shorten(edit.baseline, width)}, ")
        text.append(f"edited {_shorten(edit.edited, width)}, ")
        text.append(f"live {live}")
        if edit.message:
            text.append(f" - {_shorten(edit.message, _message_width(width))}", style)
    if edit.normalised:
        text.append(f"\n    {normalised_words(edit.normalised)}", "cyan")
    return text


def _message_width(width: int | None) -> int | None:
    """Messages explain; they get more room than values before they are cut."""
    return None if width is None else 3 * width


def _shorten(value: str | None, width: int | None) -> str:
    """A cell's text on one line, cut to `width` with an ellipsis (None: in full)."""
    if not value:  # no value and an empty text read the same: both BLANK
        return BLANK
    if width is None:
        return visible(value)
    flat = visible(value, one_line=True)
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _row_problems_table(plan: Plan, shown: int | None) -> Table:
    table = Table(title="Row problems (nothing is planned from these rows)", title_justify="left")
    for heading in ("sheet", "row", "column", "message"):
        table.add_column(heading, overflow="fold")
    problems = plan.row_problems if shown is None else plan.row_problems[:shown]
    for problem in problems:
        table.add_row(
            Text(problem.sheet), Text(str(problem.row)), Text(problem.column), Text(problem.message)
        )
    hidden = len(plan.row_problems) - len(problems)
    if hidden:
        table.add_row("", "", "", Text(f"... and {hidden:,} more (use --verbose)", "italic"))
    return table


# ---------------------------------------------------------------------------------- commands


def export_summary(console: Console, summary: ExportSummary) -> None:
    """What an export wrote, what it cost, and any cells that can never be written back."""
    quota = "unknown" if summary.remaining_quota is None else f"{summary.remaining_quota:,}"
    console.print(
        Text.assemble(
            ("Exported", "bold green"),
            f" {counted(summary.records, 'record')} x {counted(summary.columns, 'column')} to ",
            (str(summary.path), "bold"),
            f" in {summary.seconds:.1f} s ({counted(summary.api_calls, 'API call')}; "
            f"daily quota left: {quota}).",
        )
    )
    if summary.fetched is not None:
        console.print(Text(where_sentence(summary.records, summary.fetched, summary.where)))
    if summary.missing_ids:
        console.print(Text(missing_ids_sentence(summary.missing_ids), "yellow"))
    for warning in summary.warnings:
        console.print(Text.assemble(("Warning:", "yellow"), f" {warning}"))
    if summary.oversized_cells:
        exceed = "exceeds" if summary.oversized_cells == 1 else "exceed"
        limit = (
            f"{counted(summary.oversized_cells, 'cell')} {exceed} Excel's 32,767-character limit:"
        )
        console.print(
            Text.assemble(
                (limit, "yellow"),
                " they are marked orange and read-only, and can never be written back from "
                "this sheet.",
            )
        )
    console.print(
        Text.assemble(
            "Edit the cells in Excel or LibreOffice, then see what would change: ",
            (f"sheetsync plan {summary.path}", "bold"),
        )
    )


def templates_table(templates: list[Template]) -> Table:
    """One row per template: what it edits, how it writes, how many columns it has."""
    table = Table(title="Built-in templates", title_justify="left")
    for heading in ("name", "entity", "write", "columns", "description"):
        table.add_column(heading)
    for template in templates:
        table.add_row(
            Text(template.name),
            Text(template.entity),
            Text(template.write_mode),
            Text(str(len(template.columns))),
            Text(template.description),
        )
    return table


def template_table(template: Template) -> Table:
    """One row per column of `template`: its header, path, type and the rules an edit meets."""
    title = Text(f"{template.name} ({template.source})")
    table = Table(title=title, title_justify="left")
    for heading in ("header", "path", "type", "rules"):
        table.add_column(heading, overflow="fold")  # a path is useless cut short
    for column in template.columns:
        table.add_row(
            Text(column.header),
            Text(str(column.path)),
            Text(column.type),
            Text(", ".join(_rules(template, column))),
        )
    return table


def _rules(template: Template, column: Column) -> list[str]:
    flags = (
        ("id", column is template.id_column),
        ("read-only", column.readonly),
        ("required", column.required),
    )
    rules = [name for name, on in flags if on]
    if column.code_table:
        rules.append(f"code table {column.code_table}")
    if column.join:
        rules.append(f'joined by "{column.join}"')
    if column.pattern is not None:
        rules.append(f"pattern {column.pattern.pattern}")
    if column.max_length:
        rules.append(f"max {column.max_length}")
    if column.identifier:
        rules.append(f"checked as {column.identifier.upper()}")
    if column.multiline:
        rules.append("keeps line breaks")
    if not column.trim:
        rules.append("not trimmed")
    return rules


def check_report(console: Console, report: CheckReport) -> None:
    """What `sheetsync check` found: a line per question, answers aligned."""
    quota = "unknown" if report.remaining_quota is None else f"{report.remaining_quota:,}"
    latency = "no answer" if math.isnan(report.latency_ms) else f"{report.latency_ms:.0f} ms"
    lines = (
        ("base URL", Text(safe_url(report.base_url))),
        ("API key from", Text(report.key_source)),
        ("read researchers", _verdict(report.can_read_researchers, report.researchers_error)),
        ("read assets", _verdict(report.can_read_assets, report.assets_error)),
        ("daily quota left", Text(quota)),
        ("round trip", Text(latency)),
    )
    for label, answer in lines:
        console.print(Text.assemble(f"{label:<16} ", answer))


VERDICT_STYLES = {"pass": "green", "warn": "yellow", "fail": "bold red"}


def preflight_table(console: Console, report: PreflightReport) -> None:
    """What `sheetsync check --template` found: one row per check, its verdict and why."""
    table = Table(
        title=Text(f"Preflight of template {report.template} at {safe_url(report.base_url)}"),
        title_justify="left",
    )
    for heading in ("check", "result", "reason"):
        table.add_column(heading, overflow="fold")
    for row in report.rows:
        verdict = Text(row.verdict, VERDICT_STYLES.get(row.verdict, ""))
        table.add_row(Text(row.name), verdict, Text(row.reason))
    console.print(table)
    failed = sum(1 for row in report.rows if row.verdict == "fail")
    warned = sum(1 for row in report.rows if row.verdict == "warn")
    console.print(
        Text(
            f"{failed} failed, {warned} to read, {len(report.rows) - failed - warned} passed; "
            f"{report.calls_used} API calls, nothing written"
        )
    )


def _verdict(ok: bool, error: str | None) -> Text:
    return Text("yes", "green") if ok else Text.assemble(("no", "red"), f" ({error})")


def _results_table(
    console: Console, title: str, records: list[RecordResult], names: Mapping[str, str]
) -> None:
    """One row per record: its status, errorCode and trackingId (when Esploro gave any: empty
    columns would only squeeze the reason), and why in words."""
    if not records:
        return
    table = Table(title=title, title_justify="left")
    table.add_column("record", no_wrap=True)
    answered = any(r.error_code or r.tracking_id for r in records)
    headings = ("status", "errorCode", "trackingId", "why") if answered else ("status", "why")
    for heading in headings:
        table.add_column(heading, overflow="fold")
    for record in records:
        why = "; ".join(filter(None, (record.error_message, *record.warnings)))
        values: tuple[str, ...] = (record.status, record.error_code, record.tracking_id, why)
        if not answered:
            values = (record.status, why)
        name = names.get(record.record_id, "")
        table.add_row(_record_cell(record.record_id, name), *(Text(value) for value in values))
    console.print(table)


def _tally(result: ApplyResult) -> str:
    """`2 rolled back, 1 skipped`: how many records ended each way, every record counted."""
    counts: dict[ApplyStatus, int] = {}
    for record in result.results:
        counts[record.status] = counts.get(record.status, 0) + 1
    return ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))


def apply_summary(
    console: Console, result: ApplyResult, names: Mapping[str, str] | None = None
) -> None:
    """Counts by status, then every record that did not end as planned, with its errorCode and
    trackingId (what Ex Libris support asks for). `names`: record ID -> display name (the
    plan's), shown under each ID."""
    _run_summary(console, result, names, _APPLY_WORDS)


def rollback_summary(
    console: Console, result: ApplyResult, names: Mapping[str, str] | None = None
) -> None:
    """A rollback's counts by status (or that there was nothing to roll back), then every
    record it did not restore, and why. `names` as for `apply_summary`."""
    _run_summary(console, result, names, _ROLLBACK_WORDS)


# (the counts' label, what it says of no records, the two tables' titles)
_APPLY_WORDS = (
    "Applied",
    NOTHING_APPLIED,
    "Records not updated as planned",
    "Updated, with something to know",
)
_ROLLBACK_WORDS = (
    "Rollback",
    NOTHING_ROLLED_BACK,
    "Records not rolled back",
    "Rolled back, with something to know",
)


def _run_summary(
    console: Console,
    result: ApplyResult,
    names: Mapping[str, str] | None,
    words: tuple[str, str, str, str],
) -> None:
    label, nothing, unsettled_title, noted_title = words
    console.print(Text(f"{label}: {_tally(result) or nothing}"))
    # A stopped run's records not attempted are counted above, and the footer says why and how
    # to resume: thousands of rows each saying "interrupted" would hide the ones that matter.
    stopped = result.interrupted or bool(result.stopped)
    unsettled = [
        r
        for r in result.results
        if not r.settled and not (stopped and r.status == "not attempted")  # ApplyStatus's
    ]
    _results_table(console, unsettled_title, unsettled, names or {})
    noted = [r for r in result.results if r.settled and r.warnings]
    _results_table(console, noted_title, noted, names or {})
    _run_footer(console, result)


def _run_footer(console: Console, result: ApplyResult) -> None:
    """Why the run stopped, notices about the run, and where its journal is."""
    if result.stopped:
        console.print(Text.assemble(("Stopped:", "red"), f" {result.stopped}"))
    for notice in result.notices:
        console.print(Text.assemble(("notice: ", "yellow"), notice))
    console.print(Text(f"Journal: {result.journal}"))
