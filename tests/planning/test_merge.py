"""The three-way merge and the proposed record, on records built by hand (no server, no
workbook); test_build.py covers the same rules end to end against the sandbox."""

from __future__ import annotations

from typing import Any

import pytest

from sheetsync.errors import PlanError
from sheetsync.planning.edits import CellChange, RecordEdits
from sheetsync.planning.merge import json_value, merge_edits, propose
from sheetsync.planning.model import Outcome, RecordPlan, Status
from sheetsync.template import Template, parse_template

SHEET = "Researchers"
TEMPLATE = b"""
format = 1
name = "merge-test"
entity = "researchers"
write_mode = "put"
id_path = "/primary_id"

[[columns]]
header = "Primary ID"
path = "/primary_id"
readonly = true

[[columns]]
header = "Display title"
path = "/researcher/display_title"

[[columns]]
header = "Keywords"
path = "/researcher/researcher_keyword[*]/value"
join = "; "

[[columns]]
header = "Sixth keyword"
path = "/researcher/researcher_keyword[5]/value"

[[columns]]
header = "Order"
path = "/researcher/order"
type = "integer"
"""


@pytest.fixture(scope="module")
def template() -> Template:
    return parse_template(TEMPLATE, source="merge-test.toml")


def live(title: str | None = "Lecturer", keywords: tuple[str, ...] = ("tides",)) -> dict[str, Any]:
    return {
        "primary_id": "0001",
        "last_name": "Smith",
        "researcher": {
            "display_title": title,
            "researcher_keyword": [{"value": k} for k in keywords],
            "order": 1,
        },
    }


def edits(*changes: tuple[str, str | None, str | None]) -> RecordEdits:
    """(header, baseline, edited) per edited cell, in row 2."""
    cells = tuple(
        CellChange(header, f"{chr(ord('B') + n)}2", baseline, edited)
        for n, (header, baseline, edited) in enumerate(changes)
    )
    return RecordEdits("0001", 2, cells)


@pytest.mark.parametrize(
    ("live_title", "outcome"),
    [
        ("Lecturer", Outcome.WRITE),  # only the workbook changed it
        ("Reader", Outcome.SAME_AS_LIVE),  # Esploro already has the edited value
        ("Professor", Outcome.CONFLICT),  # both changed it, differently
    ],
)
def test_the_three_way_rule(template: Template, live_title: str, outcome: Outcome) -> None:
    merged = merge_edits(
        edits(("Display title", "Lecturer", "Reader")), template, live(live_title), SHEET
    )
    (cell,) = merged.edits
    assert cell.outcome == outcome and cell.live == live_title
    assert (cell.column, cell.path, cell.cell, cell.sheet) == (
        "Display title",
        "/researcher/display_title",
        "B2",
        SHEET,
    )
    assert bool(merged.conflicts) == (outcome == Outcome.CONFLICT)
    if outcome == Outcome.CONFLICT:
        assert merged.conflicts == (cell.message,)
        assert "Researchers!B2 (Display title)" in cell.message
        assert "'Lecturer'" in cell.message and "'Professor'" in cell.message


def test_line_endings_and_empty_texts_compare_equal(template: Template) -> None:
    merged = merge_edits(edits(("Display title", "a\r\nb", "c")), template, live("a\nb"), SHEET)
    assert merged.edits[0].outcome == Outcome.WRITE
    merged = merge_edits(edits(("Display title", "", "c")), template, live(None), SHEET)
    assert merged.edits[0].outcome == Outcome.WRITE


def _base(merged_edits: tuple[Any, ...]) -> RecordPlan:
    return RecordPlan("0001", Status.CONFLICT, merged_edits, 2, "f" * 64)


def test_the_proposal_is_live_with_the_writes_and_clears_apart(template: Template) -> None:
    record = live(keywords=("tides", "estuaries"))
    changes = edits(("Display title", "Lecturer", "Reader"), ("Keywords", "tides; estuaries", None))
    proposed = propose(_base(merge_edits(changes, template, record, SHEET).edits), template, record)
    assert proposed.status == Status.CHANGE
    assert proposed.patch == (
        {"op": "replace", "path": "/researcher/display_title", "value": "Reader"},
    )
    assert proposed.clear_patch and all(
        op["path"].startswith("/researcher/researcher_keyword") for op in proposed.clear_patch
    )
    assert proposed.partial_body is None  # a PUT template sends the whole record
    assert record["researcher"]["display_title"] == "Lecturer"  # the live record is untouched


def test_a_record_whose_edits_are_all_live_is_a_no_op(template: Template) -> None:
    record = live("Reader")
    changes = edits(("Display title", "Lecturer", "Reader"))
    proposed = propose(_base(merge_edits(changes, template, record, SHEET).edits), template, record)
    assert proposed.status == Status.NO_OP and proposed.patch == () == proposed.clear_patch


def test_a_write_the_record_cannot_take_names_the_cell(template: Template) -> None:
    record = live(keywords=("tides",))  # no sixth keyword to set
    changes = edits(("Sixth keyword", None, "estuaries"))
    merged = merge_edits(changes, template, record, SHEET)
    with pytest.raises(PlanError, match=r"Researchers!B2 \(Sixth keyword\), record 0001"):
        propose(_base(merged.edits), template, record)


def test_json_values_are_typed_like_the_live_values_they_replace(template: Template) -> None:
    title = template.column("Display title")
    order = template.column("Order")
    keywords = template.column("Keywords")
    assert json_value(title, "1", "0") == "1"  # a string stays a string
    assert json_value(title, "2", 1) == 2 and json_value(title, "2.5", 1.0) == 2.5
    assert json_value(title, "TRUE", False) is True
    assert json_value(order, "3", None) == 3 and json_value(order, "three", None) == "three"
    assert json_value(keywords, "a; b", ["x"]) == ["a", "b"]
    assert json_value(keywords, None, ["x"]) == [] and json_value(title, None, "x") is None


def test_a_day_typed_without_z_takes_the_z_of_the_live_date() -> None:
    dates = parse_template(
        TEMPLATE + b'\n[[columns]]\nheader = "Start"\npath = "/start"\ntype = "date"\n',
        source="merge-test.toml",
    ).column("Start")
    assert json_value(dates, "2023-01-02", "2022-06-18Z") == "2023-01-02Z"
    assert json_value(dates, "2023-01-02Z", "2022-06-18Z") == "2023-01-02Z"
    assert json_value(dates, "2023-01-02", "2022-06-18") == "2023-01-02"  # no Z live: none
    assert json_value(dates, "2023-01-02", None) == "2023-01-02"
    assert json_value(dates, "20230102", "2022-06-18Z") == "20230102"  # not a plain day
