"""Per-cell rules: type, pattern, length, required, code table, multi-value cells."""

from __future__ import annotations

import re

import pytest

from sheetsync.fieldpath import parse_path
from sheetsync.planning.validate import check_cell, pattern_rule, split_values
from sheetsync.template import Column


def column(**kw: object) -> Column:
    return Column(header="C", path=parse_path(kw.pop("path", "/c")), **kw)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "col, text, problem",
    [
        (column(type="integer"), "12", None),
        (column(type="integer"), "1.5", "whole number"),
        (column(type="boolean"), "TRUE", None),
        (column(type="boolean"), "maybe", "true or false"),
        (column(type="date"), "2015-09-01Z", None),
        (column(type="date"), "202402", None),
        (column(type="date"), "2015-02-30", "not a date"),
        (column(type="date"), "01/02/2015", "not a date"),
        (column(pattern=re.compile(r"^10\.\d{4,9}/\S+$")), "10.1016/j.x", None),
        (
            column(pattern=re.compile(r"^10\.\d{4,9}/\S+$")),
            "doi:10.1/x",
            "not written the way column 'C' needs",
        ),
        (column(max_length=5), "123456", "allows 5"),
        (column(required=True), None, "required"),
        (column(), None, None),
    ],
)
def test_rules(col: Column, text: str | None, problem: str | None) -> None:
    result = check_cell(col, text, None)
    assert (result is None) if problem is None else (problem in (result or ""))


def test_code_tables_and_multi_value_cells_check_every_value() -> None:
    topics = column(type="code", code_table="ResearchTopics", join="; ", path="/t[*]/value")
    assert check_cell(topics, "AI; CLIMATE", {"AI", "CLIMATE"}) is None
    assert "ALCHEMY" in (check_cell(topics, "AI;ALCHEMY", {"AI", "CLIMATE"}) or "")
    assert split_values(topics, " AI ;CLIMATE;; ") == ["AI", "CLIMATE"]


def test_a_pattern_is_never_the_message_only_its_note() -> None:
    """Issue 12 item 11: the message is in words; the regular expression follows as a note."""
    doi = column(pattern=re.compile(r"^10\.\d{4,9}/\S+$"))
    message = check_cell(doi, "doi:10.1/x", None) or ""
    assert "10\\." not in message and "^" not in message and "$" not in message
    assert (
        message
        == "'doi:10.1/x' is not written the way column 'C' needs (its header note gives an example)"
    )
    assert (
        pattern_rule(doi, "doi:10.1/x")
        == r"the template's pattern for this column: ^10\.\d{4,9}/\S+$"
    )
    assert pattern_rule(doi, "10.1016/j.x") == ""
