"""Invisible characters made visible, the same marks in every report."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.report.visible import INVISIBLE, char_name, visible


@pytest.mark.parametrize(
    "text, shown, one_line",
    [
        ("Şebnem  ", "Şebnem··", "Şebnem··"),
        (
            "Senior Lecturer in History\n",
            "Senior Lecturer in History⏎\n",
            "Senior Lecturer in History⏎",
        ),
        ("first\r\nsecond", "first⏎\nsecond", "first ⏎ second"),
        ("  two words ", "··two words·", "··two words·"),
        ("a\u00a0b", "a[no-break space]b", "a[no-break space]b"),
        ("a\u200bb\ufeff", "a[zero-width space]b[zero-width no-break space]", None),
        ("\tx", "[tab]x", "[tab]x"),
        ("plain text", "plain text", "plain text"),
    ],
)
def test_invisible_characters_are_shown(text: str, shown: str, one_line: str | None) -> None:
    assert visible(text) == shown
    if one_line is not None:
        assert visible(text, one_line=True) == one_line


def test_invisible_characters_have_names_a_person_knows() -> None:
    assert [char_name(c) for c in " \n\t\u00a0\u200b"] == [
        "space", "line break", "tab", "no-break space", "zero-width space",
    ]  # fmt: skip
    assert char_name("\u2003") == "em space"


@given(st.text(alphabet="ab \n\t\u00a0\u200b", max_size=20))
def test_nothing_invisible_is_left_at_the_edges_or_anywhere_but_inner_spaces(text: str) -> None:
    shown = visible(text, one_line=True)
    assert not any(char in INVISIBLE and char != " " for char in shown)
    assert shown == shown.strip(" ") or shown.strip(" ") == ""
