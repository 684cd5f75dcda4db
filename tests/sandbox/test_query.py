"""The q language and the words it matches."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.sandbox.errors import ApiError
from sheetsync.sandbox.query import Condition, fold_words, parse_query, researcher_terms


def test_fold_words_ignores_case_accents_and_punctuation() -> None:
    assert fold_words("Ó Súilleabháin, Zoë-Nuñez") == ["o", "suilleabhain", "zoe", "nunez"]
    assert fold_words("O'Brien") == ["o", "brien"]


@given(st.text())
def test_folded_words_fold_to_themselves(text: str) -> None:
    for word in fold_words(text):
        assert fold_words(word) == [word]


def test_parse_query_splits_conditions_on_and() -> None:
    assert parse_query("last_name~Smith AND ALL~machine learning") == [
        Condition("last_name", ("smith",)),
        Condition("ALL", ("machine", "learning")),
    ]


@pytest.mark.parametrize("q", ["smith", "colour~red", "last_name~ ", "last_name~a AND"])
def test_parse_query_refuses_malformed_queries(q: str) -> None:
    with pytest.raises(ApiError) as caught:
        parse_query(q)
    assert caught.value.status == 400


def test_researcher_terms_index_every_field_and_all() -> None:
    record = {
        "primary_id": "123",
        "last_name": "Nuñez",
        "researcher": {"researcher_keyword": [{"value": "Coastal erosion"}]},
    }
    terms = researcher_terms(record)
    assert ("last_name", "nunez") in terms
    assert ("keyword", "erosion") in terms
    assert ("ALL", "123") in terms and ("ALL", "coastal") in terms
