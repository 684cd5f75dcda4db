"""Selection by condition: `export --where 'Keywords is empty'`, on the cells an export writes.

A librarian selects records by what is wrong with them, in the words of the workbook: a
condition names a template column by its header (ignoring case and surrounding spaces) and is
checked against the text that column's cell would show, so it means what it looks like:

    HEADER = VALUE        the cell is VALUE, ignoring case (or one of a list column's values,
                          or, in a column that shows descriptions, the code behind it)
    HEADER != VALUE       not so
    HEADER ~ TEXT         the cell contains TEXT, ignoring case
    HEADER !~ TEXT        it does not
    HEADER is empty       the cell is blank
    HEADER is not empty   it is not

A VALUE may be quoted ('...' or "...") to keep spaces at its ends. Headers hold spaces, commas
and brackets ("Title (Dr, Prof, ...)"), so a condition is read by finding the header it starts
with, not by splitting on spaces. Pure: nothing here reads a record or talks to Esploro.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass

from sheetsync.errors import ConditionError

EQUALS, NOT_EQUALS, CONTAINS, NOT_CONTAINS = "=", "!=", "~", "!~"
IS_EMPTY, IS_NOT_EMPTY = "is empty", "is not empty"
_VALUED = (NOT_EQUALS, NOT_CONTAINS, EQUALS, CONTAINS)  # two-character operators first
_EMPTINESS = re.compile(r"is\s+(not\s+)?empty", re.IGNORECASE)
_ANY_OPERATOR = re.compile(r"\s+is\s+(?:not\s+)?empty\s*$|!=|!~|=|~", re.IGNORECASE)
FORMS = (
    "COLUMN = VALUE, COLUMN != VALUE, COLUMN ~ TEXT, COLUMN !~ TEXT, COLUMN is empty, "
    "COLUMN is not empty"
)


@dataclass(frozen=True)
class Condition:
    header: str  # the template's own spelling
    operator: str  # one of =, !=, ~, !~, "is empty", "is not empty"
    value: str = ""  # empty for the two emptiness tests

    def __str__(self) -> str:
        if self.operator in (IS_EMPTY, IS_NOT_EMPTY):
            return f"{self.header} {self.operator}"
        return f"{self.header} {self.operator} {_quoted(self.value)}"

    def holds(
        self, text: str | None, *, items: Sequence[str] = (), code: str | None = None
    ) -> bool:
        """Whether a cell meets the condition: `text` as the cell shows it (None: blank),
        `items` a list column's values, `code` the code behind a shown description."""
        if self.operator in (IS_EMPTY, IS_NOT_EMPTY):
            return (text is None or text == "") == (self.operator == IS_EMPTY)
        wanted = self.value.casefold()
        if self.operator in (EQUALS, NOT_EQUALS):
            forms = [t for t in (text, code, *items) if t is not None]
            return any(t.casefold() == wanted for t in forms) == (self.operator == EQUALS)
        found = any(wanted in t.casefold() for t in (text, code) if t)
        return found == (self.operator == CONTAINS)


def parse(text: str, headers: Sequence[str]) -> Condition:
    """The condition `text` states over the columns `headers`; ConditionError (a usage error,
    naming the column and listing the headers) when it states none."""
    stripped = text.strip()
    for header in sorted((h.strip() for h in headers), key=len, reverse=True):
        if header and stripped[: len(header)].casefold() == header.casefold():
            rest = stripped[len(header) :]
            condition = _after_header(header, rest)
            if condition is not None:
                return condition
    raise _refusal(text, stripped, headers)


def _after_header(header: str, rest: str) -> Condition | None:
    """The condition when `rest` (what follows the header) is an operator and its value."""
    if rest[:1] not in ("", " ", "\t", *(op[0] for op in _VALUED)):
        return None  # the header was only the start of a longer word
    tail = rest.strip()
    emptiness = _EMPTINESS.fullmatch(tail)
    if emptiness:
        return Condition(header, IS_NOT_EMPTY if emptiness.group(1) else IS_EMPTY)
    for operator in _VALUED:
        if tail.startswith(operator):
            value = _unquoted(tail[len(operator) :].strip())
            if value == "":
                raise _one_line(
                    f"--where '{header} {operator}': give a value after '{operator}' (for a "
                    f"blank cell: '{header} is empty')"
                )
            return Condition(header, operator, value)
    raise _one_line(
        f"--where '{header}{rest}': after the column '{header}', write one of =, !=, ~, !~, "
        f"is empty, is not empty (forms: {FORMS})"
    )


def _refusal(text: str, stripped: str, headers: Sequence[str]) -> ConditionError:
    """Why no header starts `text`: no operator at all, or a column the template lacks."""
    found = _ANY_OPERATOR.search(stripped)
    listed = ", ".join(headers)
    if found is None or not stripped[: found.start()].strip():
        return _one_line(
            f"--where '{text}' is not a condition; write one of: {FORMS}; columns: {listed}"
        )
    column = stripped[: found.start()].strip()
    close = difflib.get_close_matches(column, list(headers), n=1, cutoff=0.6)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return _one_line(f"--where '{text}': no column '{column}'{hint}; the columns are {listed}")


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    return value


def _quoted(value: str) -> str:
    """`value` as a condition writes it: quoted when unquoting or stripping would change it."""
    if value != value.strip() or _unquoted(value) != value:
        quote = "'" if "'" not in value[-1:] + value[:1] else '"'
        return f"{quote}{value}{quote}"
    return value


def parse_all(texts: Sequence[str], headers: Sequence[str]) -> tuple[Condition, ...]:
    """Every `--where`, parsed before anything is fetched (all must hold)."""
    return tuple(parse(text, headers) for text in texts)


def _one_line(message: str) -> ConditionError:
    """A usage error is one line, even when the condition typed holds a line break (pasted
    from a cell): the break is shown as `\\n`."""
    return ConditionError(message.replace("\r", "\\r").replace("\n", "\\n"))


__all__ = ["Condition", "parse", "parse_all"]
