"""Reports of a plan: what `apply` would change, for the terminal and as an HTML file.

The person who approves a plan decides from these reports, so they lead with the numbers that
matter (how many records change, what is in conflict or refused, how long `apply` will take),
then the checksum they approve, then the detail. Every value shown comes from a spreadsheet a
person typed into, so nothing is ever interpreted: the terminal gets rich `Text` (never markup)
and the HTML gets `html.escape` on every value, plus a Content-Security-Policy that only lets
the report's own script run, in case an escape were ever missed.

The annotated workbook, the third report, lives in `sheetsync.workbook.annotate` because only
that package may import openpyxl.
"""

from __future__ import annotations

import base64
import hashlib
import html
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from rich.console import Console
from rich.table import Table
from rich.text import Text

from sheetsync.files import SHARED, write_text_atomically
from sheetsync.planning.model import CellEdit, Plan, PlanSummary, RecordPlan, Status

__all__ = ["html_report", "human_duration", "render_plan", "write_html_report"]

BLANK = "(blank)"
CLEAR = "(clear)"
NOT_FETCHED = "(not fetched)"  # an invalid record costs no call, so has no live values
COMPACT_WIDTH = 60  # characters of a value shown in the compact terminal view
CLEARS_NOTE = "applied only with `apply --allow-clears`"
_HTML_CLEARS_NOTE = CLEARS_NOTE.replace("`", "")
HELD_NOTE = "held back: apply writes nothing of this record"

# Records are listed by what happens to them: written, refused, then left alone.
_GROUPS: tuple[Status, ...] = ("change", "conflict", "invalid", "no-op")
_STATUS_LABELS: dict[Status, str] = {
    "change": "to change",
    "no-op": "no-op",
    "conflict": "in conflict",
    "invalid": "invalid",
}
_STATUS_STYLES: dict[Status, str] = {
    "change": "green",
    "no-op": "dim",
    "conflict": "bold red",
    "invalid": "dark_orange",
}


# ------------------------------------------------------------------------------ shared words


def human_duration(seconds: float) -> str:
    """A duration as a person plans around it ("about 3 min"), not to the second."""
    if seconds <= 0:
        return "no time"
    if seconds < 1:
        return "under a second"
    if seconds < 59.5:
        return f"about {round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 90:
        return f"about {minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"about {hours} h {rest} min" if rest else f"about {hours} h"


def _safe_url(url: str) -> str:
    """The base URL without user info, query or fragment: a URL is where a careless
    configuration might carry a key, and a report must never show one."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unreadable URL)"
    host = parts.hostname or ""
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def _calls_sentence(summary: PlanSummary) -> str:
    """How many calls `apply` will send and how long that takes at the configured rate."""
    if summary.calls_needed == 0:
        return "apply has nothing to send"
    return (
        f"apply will send {summary.calls_needed:,} API calls (a GET and a write per record), "
        f"{human_duration(summary.seconds_at_rate)} at {summary.rate:g} requests/s"
    )


def _check_rate(rate: float) -> None:
    if not rate > 0:
        raise ValueError(f"rate must be a positive number of requests per second, not {rate!r}")


# ---------------------------------------------------------------------------------- terminal


def render_plan(
    console: Console, plan: Plan, *, rate: float, verbose: bool = False, limit: int = 20
) -> None:
    """Print a plan: counts first, then the checksum, the records, row problems and notices.

    Compact by default so that a 20,000-record plan stays readable: at most `limit` records
    per status and row problems, values cut to about 60 characters. `verbose` shows all.
    """
    _check_rate(rate)
    if limit < 0:
        raise ValueError(f"limit must be zero or more, not {limit}")
    shown = None if verbose else limit
    summary = plan.summary(rate)
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
        f"\n{plan.write_mode.upper()} {plan.entity} at {_safe_url(plan.base_url)}",
    )


def _summary_grid(summary: PlanSummary) -> Table:
    """The counts, in the order a reviewer asks about them."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    counts = summary.records
    records = Text()
    for index, status in enumerate(_GROUPS):
        if index:
            records.append(", ")
        records.append(
            f"{counts.get(status, 0):,} {_STATUS_LABELS[status]}", _STATUS_STYLES[status]
        )
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
    grid.add_row("API calls", Text(_calls_sentence(summary)))
    return grid


def _checksum_line(plan: Plan) -> Text:
    checksum = plan.checksum or "(none: this plan was never sealed with a checksum)"
    return Text.assemble(("Plan checksum ", "bold"), (checksum, "bold cyan"))


def _records_table(plan: Plan, shown: int | None, width: int | None) -> Table:
    """One table, one section per status; each section cut to `shown` records."""
    table = Table(title="Records", title_justify="left")
    for heading in ("record", "status", "row", "edits"):
        table.add_column(heading, overflow="fold")
    first = True
    for status in _GROUPS:
        records = plan.by_status(status)
        if not records:
            continue
        if not first:
            table.add_section()
        first = False
        visible = records if shown is None else records[:shown]
        for record in visible:
            table.add_row(
                Text(record.record_id),
                Text(status, _STATUS_STYLES[status]),
                "" if record.row is None else str(record.row),
                _record_text(record, width),
            )
        hidden = len(records) - len(visible)
        if hidden:
            noun = "record" if hidden == 1 else "records"
            more = f"... and {hidden:,} more {status} {noun} (use --verbose)"
            table.add_row("", "", "", Text(more, "italic"))
    return table


def _record_text(record: RecordPlan, width: int | None) -> Text:
    lines = [
        _edit_text(edit, width, held=_held(record, edit), fetched=record.fetched)
        for edit in record.edits
    ]
    lines += [Text(_shorten(message, _message_width(width)), "red") for message in record.messages]
    return Text("\n").join(lines) if lines else Text("no edits", "dim")


def _edit_text(edit: CellEdit, width: int | None, *, held: bool, fetched: bool) -> Text:
    """`column: live -> new`, or why not. An unfetched record has no live values to show."""
    live = _shorten(edit.live, width) if fetched else NOT_FETCHED
    text = Text(f"{edit.column}: ", "bold")
    if edit.outcome == "write":
        text.append(live)
        text.append(" -> ")
        if edit.is_clear:
            text.append(CLEAR, "yellow")
            text.append(f" ({CLEARS_NOTE})", "dim")
        else:
            text.append(_shorten(edit.edited, width), "green")
        if held:
            text.append(f" ({HELD_NOTE})", "dim")
    elif edit.outcome == "same-as-live":
        text.append(_shorten(edit.edited, width), "dim")
        text.append(" (already live)", "dim")
    else:
        style = _STATUS_STYLES[edit.outcome]
        text.append(f"{edit.outcome}: ", style)
        text.append(f"baseline {_shorten(edit.baseline, width)}, ")
        text.append(f"edited {_shorten(edit.edited, width)}, ")
        text.append(f"live {live}")
        if edit.message:
            text.append(f" - {_shorten(edit.message, _message_width(width))}", style)
    return text


def _held(record: RecordPlan, edit: CellEdit) -> bool:
    """A write in a record that is not to change: apply writes nothing of such a record."""
    return edit.outcome == "write" and record.status != "change"


def _message_width(width: int | None) -> int | None:
    """Messages explain; they get more room than values before they are cut."""
    return None if width is None else 3 * width


def _shorten(value: str | None, width: int | None) -> str:
    """A cell's text on one line, cut to `width` with an ellipsis (None: in full)."""
    if value is None:
        return BLANK
    if value == "":
        return '""'
    if width is None:
        return value
    flat = " ⏎ ".join(value.splitlines())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def _row_problems_table(plan: Plan, shown: int | None) -> Table:
    table = Table(title="Row problems (nothing is planned from these rows)", title_justify="left")
    for heading in ("sheet", "row", "column", "message"):
        table.add_column(heading, overflow="fold")
    problems = plan.row_problems if shown is None else plan.row_problems[:shown]
    for problem in problems:
        table.add_row(
            Text(problem.sheet), str(problem.row), Text(problem.column), Text(problem.message)
        )
    hidden = len(plan.row_problems) - len(problems)
    if hidden:
        table.add_row("", "", "", Text(f"... and {hidden:,} more (use --verbose)", "italic"))
    return table


# -------------------------------------------------------------------------------------- HTML

_CSS = """
:root { --change: #c6efce; --same: #ededed; --conflict: #ffc7ce; --invalid: #f8cbad;
  --ink: #1f1f1f; --muted: #595959; --line: #d0d0d0; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink);
  margin: 0 auto; padding: 1.5rem; max-width: 1400px; }
h1 { font-size: 1.5rem; margin: 0 0 .25rem; } h2 { font-size: 1.15rem; margin: 1.5rem 0 .5rem; }
.meta { color: var(--muted); margin: 0; }
.checksum { border: 2px solid #2f5597; background: #ddebf7; padding: .75rem 1rem;
  margin: 1rem 0; border-radius: 6px; }
.checksum code { font-size: 1.05rem; font-weight: bold; word-break: break-all; }
.counts { display: flex; flex-wrap: wrap; gap: .5rem; padding: 0; margin: 0; list-style: none; }
.counts li { border: 1px solid var(--line); border-radius: 6px; padding: .4rem .8rem; }
.counts b { display: block; font-size: 1.4rem; }
.counts .change { background: var(--change); } .counts .conflict { background: var(--conflict); }
.counts .invalid { background: var(--invalid); } .counts .no-op { background: var(--same); }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .5rem; text-align: left;
  vertical-align: top; }
th { background: #f2f2f2; }
table.narrow { width: auto; }
table.records { table-layout: fixed; } table.records td { overflow-wrap: anywhere; }
col.record { width: 9%; } col.status { width: 7%; } col.row { width: 4%; }
col.field { width: 10%; } col.cell { width: 5%; } col.live { width: 18%; }
col.after { width: 19%; } col.baseline { width: 12%; } col.outcome { width: 16%; }
tbody.record { border-top: 2px solid #8c8c8c; }
td.id { font-family: ui-monospace, monospace; }
.value { white-space: pre-wrap; overflow-wrap: anywhere; font-family: ui-monospace, monospace; }
.blank { color: var(--muted); font-style: italic; }
tr.outcome-write > td:not(.rec) { background: var(--change); }
tr.outcome-same-as-live > td:not(.rec) { background: var(--same); color: var(--muted); }
tr.outcome-conflict > td:not(.rec) { background: var(--conflict); }
tr.outcome-invalid > td:not(.rec) { background: var(--invalid); }
tr.clear td.after { font-weight: bold; color: #833c0b; }
td.status { font-weight: bold; overflow-wrap: normal; }
.status-conflict td.status { color: #9c0006; } .status-invalid td.status { color: #833c0b; }
.status-change td.status { color: #006100; } .status-no-op td.status { color: var(--muted); }
.messages { margin: .25rem 0 0; padding-left: 1.2rem; color: #9c0006; }
.filter { position: sticky; top: 0; background: #fff; padding: .5rem 0; z-index: 1; }
.filter button { font: inherit; padding: .3rem .8rem; border: 1px solid #8c8c8c;
  border-radius: 4px; background: #fff; cursor: pointer; }
.filter button[aria-pressed="true"] { background: #2f5597; color: #fff; border-color: #2f5597; }
[hidden] { display: none !important; }
@media print { .filter { display: none; } }
"""

# Applies the status filter: buttons, and `#status=conflict` in the URL on load (so a link
# can open a filtered view, and a headless browser can test the filter without clicking).
_JS = """
"use strict";
(function () {
  var choices = ["all", "change", "no-op", "conflict", "invalid"];
  var records = Array.prototype.slice.call(document.querySelectorAll("tbody[data-status]"));
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-filter]"));
  var shown = document.getElementById("shown");
  function show(status) {
    var count = 0;
    records.forEach(function (record) {
      record.hidden = status !== "all" && record.getAttribute("data-status") !== status;
      if (!record.hidden) { count += 1; }
    });
    buttons.forEach(function (button) {
      var on = button.getAttribute("data-filter") === status;
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    shown.textContent = status === "all"
      ? "Showing all " + records.length + " records."
      : "Showing " + count + " of " + records.length + " records (" + status + ").";
  }
  function fromHash() {
    var match = /^#status=([a-z-]+)$/.exec(window.location.hash);
    show(match && choices.indexOf(match[1]) >= 0 ? match[1] : "all");
  }
  buttons.forEach(function (button) {
    button.addEventListener("click", function () {
      var status = button.getAttribute("data-filter");
      show(status);
      try { history.replaceState(null, "", "#status=" + status); } catch (e) { /* file: */ }
    });
  });
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
"""


def _csp_hash(source: str) -> str:
    """A CSP source expression allowing exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_report(plan: Plan, *, rate: float) -> str:
    """The whole report as one HTML document: inline CSS and JS, nothing fetched."""
    _check_rate(rate)
    summary = plan.summary(rate)
    policy = (
        f"default-src 'none'; style-src {_csp_hash(_CSS)}; script-src {_csp_hash(_JS)}; "
        "img-src data:; base-uri 'none'; form-action 'none'"
    )
    title = f"sheetsync plan: {plan.workbook} ({plan.template_name})"
    body = "\n".join(
        [
            _html_header(plan),
            _html_checksum(plan),
            _html_summary(summary),
            _html_records(plan),
            _html_row_problems(plan),
            _html_notices(plan.notices),
        ]
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{_esc(policy)}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{_esc(title)}</title>\n<style>{_CSS}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{_JS}</script>\n</body>\n</html>\n"
    )


def write_html_report(plan: Plan, path: Path, *, rate: float) -> None:
    """Write the HTML report atomically: a reader never sees half a report, and a failure
    leaves any previous report in place. Shared mode: it is meant for colleagues."""
    write_text_atomically(path, html_report(plan, rate=rate), mode=SHARED)


def _html_header(plan: Plan) -> str:
    meta = (
        f"Sheet <b>{_esc(plan.data_sheet)}</b> · template <b>{_esc(plan.template_name)}</b> "
        f"({_esc(plan.template_source)}) · {_esc(plan.write_mode.upper())} {_esc(plan.entity)} "
        f"at {_esc(_safe_url(plan.base_url))} · planned {_esc(plan.created_at)} "
        f"by sheetsync {_esc(plan.sheetsync_version)}"
    )
    return (
        f'<header>\n<h1>Plan for {_esc(plan.workbook)}</h1>\n<p class="meta">{meta}</p>\n</header>'
    )


def _html_checksum(plan: Plan) -> str:
    checksum = plan.checksum or "(none: this plan was never sealed with a checksum)"
    return (
        '<section class="checksum" aria-label="Plan checksum">\n'
        f'Plan checksum <code id="checksum">{_esc(checksum)}</code>\n'
        "<p>Approve this plan by its checksum: apply refuses a plan whose checksum differs."
        "</p>\n</section>"
    )


def _html_summary(summary: PlanSummary) -> str:
    items: list[tuple[str, str, int]] = [
        (status, _STATUS_LABELS[status], summary.records.get(status, 0)) for status in _GROUPS
    ]
    items += [
        ("clears", f"clears ({_HTML_CLEARS_NOTE})", summary.clears),
        ("conflict", "cells in conflict", summary.conflicts),
        ("invalid", "invalid cells", summary.invalid_cells),
        ("problems", "row problems", summary.row_problems),
    ]
    counts = "\n".join(
        f'<li class="{_esc(kind)}"><b>{count:,}</b>{_esc(label)}</li>'
        for kind, label, count in items
    )
    columns = "\n".join(
        f"<tr><td>{_esc(column)}</td><td>{count:,}</td></tr>"
        for column, count in summary.changed_cells_by_column.items()
    )
    by_column = (
        '<table class="narrow"><thead><tr><th>Column</th><th>Changed cells</th></tr></thead>\n'
        f"<tbody>\n{columns}\n</tbody></table>"
        if columns
        else "<p>No cell will be written.</p>"
    )
    return (
        '<section id="summary">\n<h2>Summary</h2>\n'
        f'<ul class="counts">\n{counts}\n</ul>\n'
        f"<p>{_esc(_calls_sentence(summary))}.</p>\n{by_column}\n</section>"
    )


def _html_filter(plan: Plan) -> str:
    counts = {status: len(plan.by_status(status)) for status in _GROUPS}
    choices = [("all", len(plan.records)), *counts.items()]
    buttons = "\n".join(
        f'<button type="button" data-filter="{_esc(status)}" '
        f'aria-pressed="{"true" if status == "all" else "false"}">'
        f"{_esc(status)} ({count:,})</button>"
        for status, count in choices
    )
    return (
        f'<nav class="filter" aria-label="Show records by status">\n{buttons}\n'
        f'<span id="shown">Showing all {len(plan.records):,} records.</span>\n</nav>'
    )


_RECORD_COLUMNS = (
    ("record", "Record"),
    ("status", "Status"),
    ("row", "Row"),
    ("field", "Field"),
    ("cell", "Cell"),
    ("live", "Before (live)"),
    ("after", "After (edited)"),
    ("baseline", "Baseline (export)"),
    ("outcome", "Outcome"),
)


def _html_records(plan: Plan) -> str:
    """One flat table, a `<tbody data-status>` per record and a row per edited cell: flat so
    that a 20,000-record report stays quick to lay out, and columns line up across records."""
    groups = "\n".join(
        _html_record(record, plan.data_sheet)
        for status in _GROUPS
        for record in plan.by_status(status)
    )
    columns = "".join(f'<col class="{name}">' for name, _ in _RECORD_COLUMNS)
    headings = "".join(f"<th>{heading}</th>" for _, heading in _RECORD_COLUMNS)
    return (
        '<section id="records">\n<h2>Records</h2>\n'
        f"{_html_filter(plan)}\n"
        f'<table class="records">\n<colgroup>{columns}</colgroup>\n'
        f"<thead><tr>{headings}</tr></thead>\n{groups}\n</table>\n</section>"
    )


def _html_record(record: RecordPlan, data_sheet: str) -> str:
    """A record's rows; the filter shows or hides the whole `<tbody>` by its data-status."""
    status = _esc(record.status)
    rows = [_html_edit(record, edit, data_sheet) for edit in record.edits]
    if not record.edits:
        rows.append(('<td colspan="6" class="blank">no edits</td>', ""))
    if record.messages:
        items = "".join(f"<li>{_esc(message)}</li>" for message in record.messages)
        rows.append((f'<td colspan="6"><ul class="messages">{items}</ul></td>', ""))
    row = "" if record.row is None else str(record.row)
    span = f' rowspan="{len(rows)}"' if len(rows) > 1 else ""
    lead = (
        f'<td class="rec id"{span}>{_esc(record.record_id)}</td>'
        f'<td class="rec status"{span}>{status}</td><td class="rec"{span}>{_esc(row)}</td>'
    )
    lines = []
    for index, (cells, classes) in enumerate(rows):
        attribute = f' class="{_esc(classes)}"' if classes else ""
        lines.append(f"<tr{attribute}>{lead if index == 0 else ''}{cells}</tr>")
    body = "\n".join(lines)
    return f'<tbody class="record status-{status}" data-status="{status}">\n{body}\n</tbody>'


def _html_edit(record: RecordPlan, edit: CellEdit, data_sheet: str) -> tuple[str, str]:
    """One edited cell's table cells (live before, edited after, the baseline, what happens
    to it) and the row's classes, which colour it by outcome."""
    cell = edit.cell if edit.sheet == data_sheet else f"{edit.sheet}!{edit.cell}"
    classes = f"edit outcome-{edit.outcome}" + (" clear" if edit.is_clear else "")
    after = f'<span class="blank">{CLEAR}</span>' if edit.is_clear else _html_value(edit.edited)
    live = _html_value(edit.live) if record.fetched else f'<span class="blank">{NOT_FETCHED}</span>'
    cells = (
        f"<td>{_esc(edit.column)}</td><td>{_esc(cell)}</td>"
        f'<td>{live}</td><td class="after">{after}</td>'
        f"<td>{_html_value(edit.baseline)}</td>"
        f"<td>{_esc(_outcome_words(edit, held=_held(record, edit)))}</td>"
    )
    return cells, classes


def _outcome_words(edit: CellEdit, *, held: bool) -> str:
    """What happens to this cell, in words, with the reason when it is refused."""
    if edit.outcome == "write":
        words = f"clear, {_HTML_CLEARS_NOTE}" if edit.is_clear else "write"
        return f"{words} ({HELD_NOTE})" if held else words
    if edit.outcome == "same-as-live":
        return "nothing to do: already live"
    return f"{edit.outcome}: {edit.message}" if edit.message else edit.outcome


def _html_value(value: str | None) -> str:
    if value is None:
        return f'<span class="blank">{BLANK}</span>'
    return f'<span class="value">{_esc(value)}</span>'


def _html_row_problems(plan: Plan) -> str:
    if not plan.row_problems:
        return ""
    rows = "\n".join(
        f"<tr><td>{_esc(p.sheet)}</td><td>{p.row}</td><td>{_esc(p.column)}</td>"
        f"<td>{_esc(p.message)}</td></tr>"
        for p in plan.row_problems
    )
    return (
        '<section id="row-problems">\n<h2>Row problems (nothing is planned from these rows)</h2>\n'
        "<table><thead><tr><th>Sheet</th><th>Row</th><th>Column</th><th>Message</th></tr>"
        f"</thead>\n<tbody>\n{rows}\n</tbody></table>\n</section>"
    )


def _html_notices(notices: Iterable[str]) -> str:
    items = "\n".join(f"<li>{_esc(notice)}</li>" for notice in notices)
    return (
        f'<section id="notices">\n<h2>Notices</h2>\n<ul>\n{items}\n</ul>\n</section>'
        if items
        else ""
    )
