"""The words for what a plan does with a record or a cell, in one place.

A reviewer meets a plan's outcomes in four places: the terminal report, the HTML report, the
comments of the annotated workbook and the conflict messages the planner writes into the plan.
They must read the same words in each ("in conflict", "held back", what a clear needs), so the
words live here, once, and a rewording is one edit. Plain text only (no rich, no HTML, no
openpyxl; of sheetsync, only the plan model's `Status` and `Outcome`) so that the planner and
every report may import it; each report puts its own styling around these.
"""

from __future__ import annotations

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
    "NOT_FETCHED",
    "NO_CHECKSUM",
    "PLAIN_CLEARS_NOTE",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "calls_sentence",
    "check_rate",
    "conflict_message",
    "human_duration",
    "is_held",
    "outcome_words",
    "safe_url",
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
