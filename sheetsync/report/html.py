"""The HTML report of a plan: one self-contained file to send to the colleagues who approve it.

It opens offline and from anywhere (a mail attachment, a shared drive): the style and the
status filter's script, kept as files in `static/` so they can be read and edited as CSS and
JavaScript, are inlined, and nothing is fetched. Every value in it came from a spreadsheet a
person typed into, so each goes through `html.escape`, and a Content-Security-Policy allows
only the report's own style and script, by their hashes, in case an escape were ever missed.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import html
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from sheetsync.files import SHARED, write_text_atomically
from sheetsync.planning.model import CellEdit, Plan, PlanSummary, RecordPlan
from sheetsync.report.visible import visible
from sheetsync.report.words import (
    BLANK,
    CLEAR,
    NO_CHECKSUM,
    NOT_FETCHED,
    PLAIN_CLEARS_NOTE,
    STATUS_LABELS,
    STATUS_ORDER,
    calls_sentence,
    check_rate,
    is_held,
    normalised_words,
    outcome_words,
    safe_url,
)

__all__ = ["html_report", "write_html_report"]


@functools.cache
def _static_text(name: str) -> str:
    """A file of `static/`, exactly as it is inlined (its CSP hash is taken over this text)."""
    return (resources.files("sheetsync.report") / "static" / name).read_text(encoding="utf-8")


def _csp_hash(source: str) -> str:
    """A CSP source expression allowing exactly this inline script or style."""
    digest = hashlib.sha256(source.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def _esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def html_report(plan: Plan, *, rate: float) -> str:
    """The whole report as one HTML document: inline CSS and JS, nothing fetched."""
    check_rate(rate)
    summary = plan.summary(rate)
    plan = plan.as_shown()  # codes as the sheet shows them
    css, js = _static_text("report.css"), _static_text("report.js")
    policy = (
        f"default-src 'none'; style-src {_csp_hash(css)}; script-src {_csp_hash(js)}; "
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
        f"<title>{_esc(title)}</title>\n<style>{css}</style>\n</head>\n<body>\n"
        f"{body}\n<script>{js}</script>\n</body>\n</html>\n"
    )


def write_html_report(plan: Plan, path: Path, *, rate: float) -> None:
    """Write the HTML report atomically: a reader never sees half a report, and a failure
    leaves any previous report in place. Shared mode: it is meant for colleagues."""
    write_text_atomically(path, html_report(plan, rate=rate), mode=SHARED)


def _html_header(plan: Plan) -> str:
    meta = (
        f"Sheet <b>{_esc(plan.data_sheet)}</b> · template <b>{_esc(plan.template_name)}</b> "
        f"({_esc(plan.template_source)}) · {_esc(plan.write_mode.upper())} {_esc(plan.entity)} "
        f"at {_esc(safe_url(plan.base_url))} · planned {_esc(plan.created_at)} "
        f"by sheetsync {_esc(plan.sheetsync_version)}"
    )
    return (
        f'<header>\n<h1>Plan for {_esc(plan.workbook)}</h1>\n<p class="meta">{meta}</p>\n</header>'
    )


def _html_checksum(plan: Plan) -> str:
    return (
        '<section class="checksum" aria-label="Plan checksum">\n'
        f'Plan checksum <code id="checksum">{_esc(plan.checksum or NO_CHECKSUM)}</code>\n'
        "<p>Approve this plan by its checksum: apply refuses a plan whose checksum differs."
        "</p>\n</section>"
    )


def _html_summary(summary: PlanSummary) -> str:
    items: list[tuple[str, str, int]] = [
        (status, STATUS_LABELS[status], summary.records.get(status, 0)) for status in STATUS_ORDER
    ]
    items += [
        ("clears", f"clears ({PLAIN_CLEARS_NOTE})", summary.clears),
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
        f"<p>{_esc(calls_sentence(summary))}.</p>\n{by_column}\n</section>"
    )


def _html_filter(plan: Plan) -> str:
    counts = {status: len(plan.by_status(status)) for status in STATUS_ORDER}
    choices = [("all", len(plan.records)), *counts.items()]
    buttons = "\n".join(
        f'<button type="button" data-filter="{_esc(status)}" '
        f'aria-pressed="{"true" if status == "all" else "false"}">'
        f"{_esc(status)} ({count:,})</button>"
        for status, count in choices
    )
    return (
        f'<nav class="filter" aria-label="Show records by status">\n{buttons}\n'
        f'<span id="shown">{_showing_all(len(plan.records))}</span>\n</nav>'
    )


def _showing_all(records: int) -> str:
    """What the filter line says before any filter (report.js says the same)."""
    return "Showing 1 record." if records == 1 else f"Showing all {records:,} records."


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
        for status in STATUS_ORDER
        for record in plan.by_status(status)
    )
    columns = "".join(f'<col class="{name}">' for name, _ in _RECORD_COLUMNS)
    headings = "".join(f"<th>{heading}</th>" for _, heading in _RECORD_COLUMNS)
    return (
        '<section id="records">\n<h2>Records</h2>\n'
        f"{_html_filter(plan)}\n"
        f'<table class="records {_id_width(plan)}">\n<colgroup>{columns}</colgroup>\n'
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
        f'<td class="rec id"{span}>{_html_id(record)}</td>'
        f'<td class="rec status"{span}>{status}</td><td class="rec"{span}>{_esc(row)}</td>'
    )
    lines = []
    for index, (cells, classes) in enumerate(rows):
        attribute = f' class="{_esc(classes)}"' if classes else ""
        lines.append(f"<tr{attribute}>{lead if index == 0 else ''}{cells}</tr>")
    body = "\n".join(lines)
    return f'<tbody class="record status-{status}" data-status="{status}">\n{body}\n</tbody>'


_ID_WIDTHS = (12, 16, 20, 24, 28, 32, 40, 48, 64)  # report.css has an ids-N rule for each


def _id_width(plan: Plan) -> str:
    """The class that makes the record column as wide as the plan's longest ID."""
    longest = max((len(r.record_id) for r in plan.records), default=0)
    return f"ids-{next((w for w in _ID_WIDTHS if w >= longest), _ID_WIDTHS[-1])}"


def _html_id(record: RecordPlan) -> str:
    """The record's ID, never broken (CSS: nowrap), and its display name below it."""
    name = f'<span class="name">{_esc(record.display_name)}</span>' if record.display_name else ""
    return f'<span class="id">{_esc(record.record_id)}</span>{name}'


def _html_edit(record: RecordPlan, edit: CellEdit, data_sheet: str) -> tuple[str, str]:
    """One edited cell's table cells (live before, edited after, the baseline, what happens
    to it) and the row's classes, which colour it by outcome."""
    cell = edit.cell if edit.sheet == data_sheet else f"{edit.sheet}!{edit.cell}"
    classes = f"edit outcome-{edit.outcome}" + (" clear" if edit.is_clear else "")
    after = f'<span class="blank">{CLEAR}</span>' if edit.is_clear else _html_value(edit.edited)
    live = _html_value(edit.live) if record.fetched else f'<span class="blank">{NOT_FETCHED}</span>'
    outcome = _esc(outcome_words(edit, held=is_held(edit, record.status))) + _html_notes(edit)
    cells = (
        f"<td>{_esc(edit.column)}</td><td>{_esc(cell)}</td>"
        f'<td>{live}</td><td class="after">{after}</td>'
        f"<td>{_html_value(edit.baseline)}</td><td>{outcome}</td>"
    )
    return cells, classes


def _html_notes(edit: CellEdit) -> str:
    """How the typed value was normalised, and the template rule behind a refusal, as notes
    under the outcome: the message itself is in words, the pattern only follows."""
    notes = ""
    if edit.normalised:
        notes += f'<div class="normalised">{_esc(normalised_words(edit.normalised))}</div>'
    if edit.rule:
        notes += (
            '<details class="rule"><summary>template rule</summary>'
            f"<code>{_esc(edit.rule)}</code></details>"
        )
    return notes


def _html_value(value: str | None) -> str:
    if not value:  # no value and an empty text read the same: both BLANK
        return f'<span class="blank">{BLANK}</span>'
    return f'<span class="value">{_esc(visible(value))}</span>'


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
