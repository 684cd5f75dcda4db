"""Per-cell checks of an edited value against its column's rules (pure).

Only cells the person changed are checked: an export's own values are what Esploro holds, and
refusing them would block edits to other fields. A failed check names the rule, so the message
can say what to type instead.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection

from sheetsync.template import Column

_DATE_FORMATS = (
    (re.compile(r"^\d{4}-\d{2}-\d{2}Z?$"), "%Y-%m-%d"),
    (re.compile(r"^\d{8}$"), "%Y%m%d"),
    (re.compile(r"^\d{6}$"), "%Y%m"),
    (re.compile(r"^\d{4}$"), "%Y"),
)
_BOOLEANS = frozenset({"true", "false"})


def split_values(column: Column, text: str) -> list[str]:
    """A multi-value cell's values: split on the separator (spaces around it forgiven)."""
    if not column.join:
        return [text]
    separator = column.join.strip() or column.join
    return [part.strip() for part in text.split(separator) if part.strip()]


def _is_date(text: str) -> bool:
    for shape, fmt in _DATE_FORMATS:
        if shape.match(text):
            try:
                datetime.datetime.strptime(text.rstrip("Z"), fmt)
            except ValueError:
                return False
            return True
    return False


def _check_value(column: Column, value: str, codes: Collection[str] | None) -> str | None:
    if column.type == "integer" and not re.fullmatch(r"-?\d+", value):
        return f"'{value}' is not a whole number"
    if column.type == "boolean" and value.lower() not in _BOOLEANS:
        return f"'{value}' is not true or false"
    if column.type == "date" and not _is_date(value):
        return f"'{value}' is not a date (YYYY-MM-DD, YYYYMMDD, YYYYMM or YYYY)"
    if column.type == "code" and codes is not None and value not in codes:
        return f"'{value}' is not in code table {column.code_table}"
    if column.pattern is not None and not column.pattern.search(value):
        # In words: a regular expression is no message for a person (`pattern_rule` keeps
        # it, for the reports to show as a note).
        return (
            f"'{value}' is not written the way column '{column.header}' needs"
            " (its header note gives an example)"
        )
    return None


def pattern_rule(column: Column, text: str | None) -> str:
    """The template's pattern, as a note beside a message, when a value of `text` breaks it."""
    if column.pattern is None or text is None:
        return ""
    if all(column.pattern.search(value) for value in split_values(column, text)):
        return ""
    return f"the template's pattern for this column: {column.pattern.pattern}"


def check_cell(column: Column, text: str | None, codes: Collection[str] | None) -> str | None:
    """Why `text` cannot go into `column`, or None when it can. `codes`: the code table's
    values, when the column has one."""
    if text is None:
        return f"column '{column.header}' is required" if column.required else None
    if column.max_length is not None and len(text) > column.max_length:
        return f"{len(text):,} characters; column '{column.header}' allows {column.max_length:,}"
    for value in split_values(column, text):
        problem = _check_value(column, value, codes)
        if problem is not None:
            return problem
    return None
