"""Normalisation: what Excel or LibreOffice did on their own is never an edit."""

from __future__ import annotations

import datetime
from pathlib import Path
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.planning.edits import _cell_change, comparable, edited_text, find_edits, same
from sheetsync.template import load_template
from sheetsync.workbook.reader import BaselineRecord, EditedWorkbook, SheetRow


@given(st.text())
def test_text_read_back_unchanged_is_never_an_edit(text: str) -> None:
    assert same(edited_text(text, text), text)


@given(st.text().map(lambda t: t.replace("\r", "")))
def test_line_endings_do_not_matter(text: str) -> None:
    assert same(text.replace("\n", "\r\n"), text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_numbers_excel_retyped_fold_back_to_their_text(number: int) -> None:
    assert edited_text(float(number), str(number)) == str(number)


def test_retyped_values_keep_their_baseline_form() -> None:
    assert edited_text(1.5, "1.50") == "1.50"
    assert edited_text(True, "TRUE") == "TRUE"
    assert edited_text(False, "false") == "false"
    assert edited_text(datetime.date(2015, 9, 1), "2015-09-01Z") == "2015-09-01Z"
    assert edited_text(datetime.datetime(2015, 9, 1), "20150901") == "20150901"
    assert edited_text(datetime.date(2016, 1, 2), "2015-09-01") == "2016-01-02"


def test_empty_string_and_empty_cell_are_the_same() -> None:
    assert edited_text("", "x") is None and edited_text(None, None) is None
    assert same("", None) and comparable("") is None


def test_a_real_change_is_a_change() -> None:
    assert not same(edited_text("Professor", "Lecturer"), "Lecturer")
    assert edited_text(2.0, "1") == "2"
    assert edited_text(2.5, None) == "2.5"


ASSETS = load_template("assets")
HEADERS = tuple(c.header for c in ASSETS.columns)
_VALUES = st.one_of(st.sampled_from(["", "a", "a\r\n", "1", "1.0", "x"]), st.floats(0, 2))


def _book(exported: list[str], value: dict[str, Any]) -> EditedWorkbook:
    cells = tuple(exported)
    record = BaselineRecord(
        "7",
        "f" * 64,
        frozenset(),
        {h: t or None for h, t in zip(HEADERS, cells, strict=True)},
        cells,
    )
    return EditedWorkbook(
        path=Path("x.xlsx"), sha256="", meta={}, headers=HEADERS, baseline={"7": record},
        data_sheet="Assets", columns={h: i for i, h in enumerate(HEADERS)}, extra_headers=(),
        missing_headers=(), rows=(SheetRow(2, {HEADERS[0]: "7", **value}),),
        formula_cells=frozenset(),
    )  # fmt: skip


@given(
    exported=st.lists(st.sampled_from(["", "a", "a\n", "1"]), min_size=36, max_size=36),
    typed=st.dictionaries(st.sampled_from(HEADERS[1:]), _VALUES),
)
def test_the_fast_unedited_tests_agree_with_judging_every_cell(
    exported: list[str], typed: dict[str, Any]
) -> None:
    """`find_edits` skips rows and cells that hold their exported text; what it finds is what
    judging every cell one by one finds."""
    values = dict(zip(HEADERS[1:], exported, strict=True)) | typed
    book = _book(["7", *exported], values)
    found, problems = find_edits(book, ASSETS)
    one_by_one = {
        change.header
        for header in HEADERS[1:]
        if (change := _cell_change(book, ASSETS, book.rows[0], header, "7")) is not None
    }
    assert not problems
    assert {c.header for e in found for c in e.changes} == one_by_one
