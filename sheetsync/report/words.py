"""The words for what a plan does with a record or a cell, in one place.

A reviewer meets a plan's outcomes in four places: the terminal report, the HTML report, the
comments of the annotated workbook and the conflict messages the planner writes into the plan.
They must read the same words in each ("in conflict", "held back", what a clear needs), so the
words live here, once, and a rewording is one edit. Plain text only (no rich, no HTML, no
openpyxl; of sheetsync, only the plan model's `Status` and `Outcome`) so that the planner and
every report may import it; each report puts its own styling around these.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING
from urllib.parse import urlsplit, urlunsplit

from sheetsync.planning.model import Outcome, Status

if TYPE_CHECKING:
    from sheetsync.planning.model import CellEdit, PlanSummary

__all__ = [
    "ALREADY_LIVE",
    "BLANK",
    "CLEAR",
    "CLEARS_NOTE",
    "HELD_NOTE",
    "MERGED_SINCE_PLAN",
    "NOT_CHANGED_BY_ESPLORO",
    "NOT_FETCHED",
    "NOT_RESTORABLE",
    "NO_CHECKSUM",
    "PLAIN_CLEARS_NOTE",
    "STALE_AFTER_UNKNOWN",
    "STALE_BEYOND_CELLS",
    "STALE_WHILE_UNANSWERED",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "calls_sentence",
    "check_rate",
    "conflict_message",
    "human_duration",
    "ignored_field",
    "is_held",
    "merged_since_plan",
    "missing_code_table",
    "missing_ids_sentence",
    "not_found_message",
    "outcome_words",
    "safe_url",
    "stale_since_plan",
    "unrestorable_message",
    "write_words",
]

# Placeholders for what a cell's text cannot show by itself.
BLANK = "(blank)"
CLEAR = "(clear)"
NOT_FETCHED = "(not fetched)"  # an invalid record costs no call, so has no live values
NO_CHECKSUM = "(none: this plan was never sealed with a checksum)"

CLEARS_NOTE = "applied only with `apply --allow-clears`"
PLAIN_CLEARS_NOTE = CLEARS_NOTE.replace("`", "")  # where backticks would not read as code
HELD_NOTE = "held back: apply writes nothing of this record"
ALREADY_LIVE = "already live"

# Records are listed by what happens to them: written, refused, then left alone.
STATUS_ORDER: tuple[Status, ...] = (Status.CHANGE, Status.CONFLICT, Status.INVALID, Status.NO_OP)
STATUS_LABELS: dict[Status, str] = {
    Status.CHANGE: "to change",
    Status.NO_OP: "no-op",
    Status.CONFLICT: "in conflict",
    Status.INVALID: "invalid",
}


def is_held(edit: CellEdit, status: Status) -> bool:
    """A write in a record that is not to change: apply writes nothing of such a record."""
    return edit.outcome == Outcome.WRITE and status != Status.CHANGE


def write_words(*, is_clear: bool, note: str = CLEARS_NOTE) -> str:
    """A write, in words; a clear says what it takes to apply it."""
    return f"clear, {note}" if is_clear else "write"


def outcome_words(edit: CellEdit, *, held: bool) -> str:
    """What happens to this cell, on one line, with the reason when it is refused."""
    if edit.outcome == Outcome.WRITE:
        words = write_words(is_clear=edit.is_clear, note=PLAIN_CLEARS_NOTE)
        return f"{words} ({HELD_NOTE})" if held else words
    if edit.outcome == Outcome.SAME_AS_LIVE:
        return f"nothing to do: {ALREADY_LIVE}"
    return f"{edit.outcome}: {edit.message}" if edit.message else str(edit.outcome)


def conflict_message(
    sheet: str, cell: str, header: str, baseline: str | None, live: str | None, edited: str | None
) -> str:
    """Why a cell is in conflict: where it is and its three values, quoted (repr) so that a
    blank, an empty text and trailing spaces can be told apart."""
    return (
        f"{sheet}!{cell} ({header}): changed in Esploro since the export "
        f"(exported {baseline!r}, now {live!r}, yours {edited!r})"
    )


# How a write can end that no HTTP status says: answered 200, yet the field is as it was. An
# asset patch with `identifier.*` in a JSON body is the known case (asset-patch-bodies notes).
NOT_CHANGED_BY_ESPLORO = "not changed by Esploro"
# A rollback that cannot undo a write through the API: op=patch cannot empty a field.
NOT_RESTORABLE = "cannot be restored through the API"


def ignored_field(column: str, path: str, sent: str | None, kept: str | None) -> str:
    """A field Esploro answered for without changing: what was sent, what it still holds."""
    return (
        f"{column} ({path}): Esploro answered without changing it (sent {sent!r}, still {kept!r})"
    )


# Apply's stale check compares only the fields a plan writes. A record changed elsewhere since
# the plan is written over its fresh state, keeping that change, and says so (a warning).
MERGED_SINCE_PLAN = "merged with changes made since plan"
STALE_BEYOND_CELLS = (
    "changed in Esploro since the plan was made, and the plan writes fields whose planned "
    "values it cannot compare"
)
STALE_AFTER_UNKNOWN = "changed in Esploro after a write whose outcome was unknown"
STALE_WHILE_UNANSWERED = "changed in Esploro while the write was unanswered"


def stale_since_plan(columns: tuple[str, ...]) -> str:
    """Why a record is stale: fields the plan writes hold something other than it saw."""
    return f"changed in Esploro since the plan was made: {', '.join(columns)}"


def merged_since_plan(fields: tuple[str, ...] = ()) -> str:
    """A record written over changes made since the plan to fields it does not write, named
    as the plan's per-field fingerprints name them (`last_name, researcher/researcher_keyword`,
    `identifier.pmid`); unnamed when none of those changed (a derived field did, or a part of
    a field the plan writes that its cells do not show) or the plan kept none."""
    named = ", ".join(fields) if fields else "fields this plan does not write"
    return f"{MERGED_SINCE_PLAN}: {named}"


def unrestorable_message(fields: tuple[str, ...]) -> str:
    """Why a rollback left these fields as apply wrote them, and what the person can do."""
    return (
        f"{', '.join(fields)} {NOT_RESTORABLE}: empty before the apply, and op=patch cannot "
        "empty a field; clear it in Esploro"
    )


def not_found_message(sheet: str, row: int | None, header: str, record_id: str) -> str:
    """A row whose record Esploro no longer has (deleted, or an ID typed in the export)."""
    where = f"{sheet}, row {row}" if row is not None else sheet
    return f"{where} ({header} {record_id}): not found in Esploro; nothing is planned for it"


def no_baseline_notice(matching: int) -> str:
    """The plan-level notice of plain input (a sheet or CSV sheetsync did not export)."""
    rows = "1 record" if matching == 1 else f"{matching:,} records"
    return (
        "this file was not exported by sheetsync, so it has no baseline: each cell was compared "
        "with the record as it is in Esploro now, and edits made in Esploro since the file was "
        "made cannot be detected (a cell that differs is written over them); blank cells "
        f"change nothing; {rows} already as in Esploro"
    )


def unknown_columns_notice(headers: tuple[str, ...], template: str, known: list[str]) -> str:
    """Columns of plain input that are not the template's: listed, with the closest header."""
    named = []
    for header in headers:
        close = difflib.get_close_matches(header, known, n=1, cutoff=0.6)
        named.append(f"'{header}'" + (f" (did you mean '{close[0]}'?)" if close else ""))
    noun = "column" if len(headers) == 1 else "columns"
    return (
        f"{noun} {', '.join(named)} not in template '{template}': ignored; the template's "
        f"columns are {', '.join(known)}"
    )


def missing_ids_sentence(ids: tuple[str, ...], shown: int = 20) -> str:
    """The IDs an export asked for that Esploro does not have (listed, then skipped)."""
    more = f" and {len(ids) - shown:,} more" if len(ids) > shown else ""
    listed = ", ".join(ids[:shown]) + more
    noun = "ID" if len(ids) == 1 else "IDs"
    return f"{len(ids):,} {noun} not found in Esploro, skipped: {listed}"


def where_sentence(matched: int, fetched: int, conditions: tuple[str, ...]) -> str:
    """How many fetched records an export's `--where` conditions kept."""
    noun = "record" if fetched == 1 else "records"
    wanted = " and ".join(f"'{c}'" for c in conditions)
    return f"{matched:,} of {fetched:,} {noun} fetched met --where {wanted}"


def missing_code_table(table: str, columns: tuple[str, ...], reason: str) -> str:
    """An export warning: a code table Esploro would not give, so a column has no dropdown."""
    named = ", ".join(f"'{c}'" for c in columns)
    return f"code table {table} could not be read ({reason}): {named} has no dropdown list"


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


def check_rate(rate: float) -> None:
    """Refuse a rate no duration can be worded from (zero, negative, NaN)."""
    if not rate > 0:
        raise ValueError(f"rate must be a positive number of requests per second, not {rate!r}")


def calls_sentence(summary: PlanSummary) -> str:
    """How many calls `apply` will send and how long that takes at the configured rate."""
    if summary.calls_needed == 0:
        return "apply has nothing to send"
    return (
        f"apply will send {summary.calls_needed:,} API calls (a GET and a write per record), "
        f"{human_duration(summary.seconds_at_rate)} at {summary.rate:g} requests/s"
    )


def safe_url(url: str) -> str:
    """The base URL without user info, query or fragment: a URL is where a careless
    configuration might carry a key, and a report must never show one."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
        if parts.port is not None:  # raises ValueError for a port out of range
            host = f"{host}:{parts.port}"
    except ValueError:
        return "(unreadable URL)"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
