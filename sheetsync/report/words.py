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
    "CARRY_FORWARD",
    "CLEAR",
    "CLEARS_HELD",
    "CLEARS_NOTE",
    "HELD_NOTE",
    "MERGED_SINCE_PLAN",
    "NOTHING_TO_CHANGE",
    "NOT_CHANGED_BY_ESPLORO",
    "NOT_FETCHED",
    "NOT_RESTORABLE",
    "NO_CHECKSUM",
    "PLAIN_CLEARS_NOTE",
    "STALE_AFTER_UNKNOWN",
    "STALE_BEYOND_CELLS",
    "STALE_NEXT",
    "STALE_WHILE_UNANSWERED",
    "STATUS_LABELS",
    "STATUS_ORDER",
    "WHY_HEADER",
    "apply_question",
    "calls_sentence",
    "check_rate",
    "conflict_message",
    "counted",
    "differs_words",
    "existing_output",
    "export_again",
    "human_duration",
    "ignored_field",
    "is_held",
    "merged_since_plan",
    "missing_code_table",
    "missing_ids_sentence",
    "next_step_held",
    "next_step_replan",
    "next_step_retry",
    "normalised_words",
    "not_found_message",
    "now_header",
    "outcome_words",
    "quoted",
    "read_only_edit",
    "remaining_sentence",
    "safe_url",
    "stale_since_plan",
    "unrestorable_message",
    "why_not_updated",
    "write_words",
]

# Placeholders for what a cell's text cannot show by itself.
BLANK = "(blank)"  # no value, or an empty text: every report spells both so
CLEAR = "(clear)"
NOT_FETCHED = "(not fetched)"  # an invalid record costs no call, so has no live values
NO_CHECKSUM = "(none: this plan was never sealed with a checksum)"


CLEARS_NOTE = "applied only with `apply --allow-clears`"
PLAIN_CLEARS_NOTE = CLEARS_NOTE.replace("`", "")  # where backticks would not read as code
HELD_NOTE = "held back: apply writes nothing of this record"
# An apply's outcome for a record whose clears wait for `apply --allow-clears` of the same plan.
CLEARS_HELD = "clears held back"
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


def normalised_words(notes: tuple[str, ...]) -> str:
    """How a typed value was normalised before planning, on one line ("" when it was not)."""
    return f"normalised: {'; '.join(notes)}" if notes else ""


def conflict_message(
    sheet: str, cell: str, header: str, baseline: str | None, live: str | None, edited: str | None
) -> str:
    """Why a cell is in conflict: where it is, its three values (`quoted`: trailing spaces
    show, a blank is `BLANK`), and how to settle it either way."""
    return (
        f"{sheet}!{cell} ({header}): changed in Esploro since the export: Esploro now has "
        f"{quoted(live)}; you wrote {quoted(edited)} (exported {quoted(baseline)}). To keep "
        f"Esploro's, type it in the cell; to keep yours, {CARRY_FORWARD}"
    )


def quoted(text: str | None) -> str:
    """A value in a sentence: quoted (repr), so trailing spaces show; empty as `BLANK`, never
    as None or ''."""
    return BLANK if text is None or text == "" else repr(text)


def differs_words(column: str, now: str | None, yours: str | None) -> str:
    """A cell where Esploro holds something other than what the person wrote."""
    return f"{column}: Esploro now has {quoted(now)}; you wrote {quoted(yours)}"


# The results workbook (`apply --results`): records not updated, the person's values carried
# forward, with a column saying why and one beside each cell Esploro changed meanwhile.
WHY_HEADER = "Why not updated"


def now_header(header: str) -> str:
    """The read-only column beside `header` that shows what Esploro holds now."""
    return f"{header} (in Esploro now)"


def why_not_updated(status: str, details: tuple[str, ...]) -> str:
    """A results row's why: the apply's outcome, then what it is about."""
    return f"{status}: {'; '.join(details)}" if details else status


def next_step_retry(count: int, command: str) -> str:
    """After an apply: records that failed for a passing reason (no answer, a server error,
    not attempted) need only the same apply again."""
    noun = "record" if count == 1 else "records"
    return (
        f"{count} {noun} failed for a passing reason (no answer, a server error, or not "
        f"attempted): run {command} again; records already done are skipped"
    )


def next_step_replan(count: int, results: str | None) -> str:
    """After an apply: records that need a person's decision (stale, in conflict, invalid,
    refused) continue from the results workbook, which carries their edits forward."""
    noun = "record needs" if count == 1 else "records need"
    if results is None:
        return (
            f"{count} {noun} your decision: run apply again with --results FILE for a "
            "workbook that carries your edits forward, then edit and plan it"
        )
    return (
        f"{count} {noun} your decision: {results} carries your edits forward (the "
        f"'{WHY_HEADER}' column says why); correct it, then run sheetsync plan {results}"
    )


def next_step_held(count: int, command: str) -> str:
    """After an apply without --allow-clears: the same plan applies the held clears later."""
    noun = "record has" if count == 1 else "records have"
    return f"{count} {noun} clears held back: run {command} --allow-clears to apply them"


# How a write can end that no HTTP status says: answered 200, yet the field is as it was. An
# asset patch with `identifier.*` in a JSON body is the known case (asset-patch-bodies notes).
NOT_CHANGED_BY_ESPLORO = "not changed by Esploro"
# A rollback that cannot undo a write through the API: op=patch cannot empty a field.
NOT_RESTORABLE = "cannot be restored through the API"


def ignored_field(column: str, path: str, sent: str | None, kept: str | None) -> str:
    """A field Esploro answered for without changing: what was sent, what it still holds."""
    return (
        f"{column} ({path}): Esploro answered without changing it (sent {quoted(sent)}, "
        f"still {quoted(kept)})"
    )


# What a person does with a record apply did not write because of a change in Esploro.
CARRY_FORWARD = "plan the workbook `apply --results FILE` writes, which carries your values forward"
STALE_NEXT = f"nothing was written: to write yours over it, {CARRY_FORWARD}"

# Apply's stale check compares only the fields a plan writes. A record changed elsewhere since
# the plan is written over its fresh state, keeping that change, and says so (a warning).
MERGED_SINCE_PLAN = "merged with changes made since plan"
STALE_BEYOND_CELLS = (
    "changed in Esploro since the plan was made, and the plan writes fields whose planned "
    f"values it cannot compare; {STALE_NEXT}"
)
STALE_AFTER_UNKNOWN = f"changed in Esploro after a write whose outcome was unknown; {STALE_NEXT}"
STALE_WHILE_UNANSWERED = f"changed in Esploro while the write was unanswered; {STALE_NEXT}"

# (column, the text the plan saw, the text Esploro has now, the text the person wrote)
StaleCell = tuple[str, str | None, str | None, str | None]


# apply's canary: the first write on a production Esploro, and a field it did not change coming
# back otherwise (`sheetsync.applying.canary`).
CANARY_STOPPED = (
    "stopped after the first write: Esploro altered fields the plan did not change "
    "(the canary; `apply --no-canary` skips it)"
)
CANARY_KINDS = {
    "dropped": "dropped",
    "added": "added by Esploro",
    "retyped": "retyped",
    "reordered": "list items reordered",
    "changed": "changed",
}


def canary_difference(path: str, kind: str, sent: str, stored: str) -> str:
    """One field the canary write came back with altered: where, how, sent and stored."""
    return f"{path}: {CANARY_KINDS[kind]} (sent {sent}, stored {stored})"


def stale_since_plan(cells: tuple[StaleCell, ...]) -> str:
    """Why a record is stale: fields the plan writes hold something other than it saw, each
    with what Esploro has now, what the person wrote and what the plan saw."""
    named = "; ".join(
        f"{differs_words(column, now, yours)} (it had {quoted(planned)} at plan time)"
        for column, planned, now, yours in cells
    )
    return f"changed in Esploro since the plan was made: {named}; {STALE_NEXT}"


def merged_since_plan(fields: tuple[str, ...] = ()) -> str:
    """A record written over changes made since the plan to fields it does not write, named
    as the plan's per-field fingerprints name them (`last_name, researcher/researcher_keyword`,
    `identifier.pmid`); unnamed when none of those changed (a derived field did, or a part of
    a field the plan writes that its cells do not show) or the plan kept none."""
    named = ", ".join(fields) if fields else "fields this plan does not write"
    return f"{MERGED_SINCE_PLAN}: {named}"


# How apply finds a record that a rollback of the same plan reached (it never writes it again),
# and how rollback ends a record it was asked for that it has nothing to restore in.
ROLLED_BACK_EARLIER = "rolled back earlier: plan again to apply this change anew"
LEFT_BY_ROLLBACK = (
    "left alone by the rollback (changed since sheetsync wrote it): plan again to change it"
)
ROLLBACK_UNFINISHED = "a rollback of it was begun and not finished: run rollback again"
NOTHING_TO_ROLL_BACK = "nothing to roll back"
NOTHING_TO_ROLL_BACK_NOTE = "apply did not write it, or it is rolled back already"
NEVER_LANDED_NOTE = (
    "apply was stopped while writing it, before any answer, and Esploro does not show that "
    "write: nothing to undo"
)
NOTHING_APPLIED = "nothing: the plan selects no records"
NOTHING_ROLLED_BACK = (
    "nothing to roll back: the journal holds no record that apply wrote and that is not "
    "rolled back yet"
)


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


def export_again(template: str = "TEMPLATE") -> str:
    """How to start over from a fresh export: into a new file, since export never replaces one
    (the old workbook may hold edits not yet planned). `template` is a template's source: a
    path as given, or "builtin:NAME", which the command takes as NAME."""
    name = template.removeprefix("builtin:")
    return f"export again to a new file: sheetsync export {name} ... -o NEW.xlsx"


def existing_output(path: object) -> str:
    """An export refused because its output file exists: it may hold a person's edits."""
    return (
        f"{path} already exists and may hold edits: export to a new file name with -o, "
        "or give --force to replace it"
    )


def read_only_edit(sheet: str, row: int, letter: str, header: str) -> str:
    """An edited cell in a read-only column: the export is unprotected, so plan is the guard."""
    return (
        f"sheet '{sheet}', row {row}, column {letter} ({header}): the column is read-only, so "
        "this edit is not sent; put back the exported value, or change it in Esploro"
    )


def snapshot_missing_code_table(table: str, reason: str) -> str:
    """A snapshot warning: a code table Esploro would not give is left out of the snapshot."""
    return (
        f"code table {table} could not be read ({reason}): left out of the snapshot; a sandbox "
        "loading it accepts the codes the records hold"
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


def counted(count: int, noun: str, plural: str = "") -> str:
    """`1 change`, `2 changes`, `1,200 records`: a count with its noun in the right number
    (`plural` for nouns that do not just take an s)."""
    return f"{count:,} {noun if count == 1 else plural or noun + 's'}"


def apply_question(changes: int, base_url: str) -> str:
    """What `apply` asks before it writes."""
    return f"Apply {counted(changes, 'change')} to {safe_url(base_url)}?"


def remaining_sentence(remaining: int) -> str:
    """After `apply --limit`: how many records are still to change, and how to go on."""
    verb = "is" if remaining == 1 else "are"
    return f"{counted(remaining, 'record')} to change {verb} left by --limit; to go on: "


NOTHING_TO_CHANGE = "Nothing to change, so there is nothing to apply."


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
