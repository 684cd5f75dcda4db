"""Normalisation: what Excel or LibreOffice did on their own is never an edit."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from sheetsync.planning.edits import comparable, edited_text, same


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
