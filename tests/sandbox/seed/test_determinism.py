"""The seed's contract as a whole: the same `(seed, count)` gives the same data, quickly."""

from __future__ import annotations

import json

import pytest

from sheetsync.sandbox.seed import generate_assets, generate_researchers
from tests.sandbox.seed.conftest import ASSETS, RESEARCHERS, SEED, Record


def test_same_seed_gives_identical_output(
    researchers: list[Record], assets_with_dates: list[tuple[Record, str]]
) -> None:
    again = list(generate_researchers(SEED, RESEARCHERS))
    assert json.dumps(again) == json.dumps(researchers)  # key order included
    assets_again = list(generate_assets(SEED, ASSETS, again))
    assert json.dumps(assets_again) == json.dumps(assets_with_dates)


def test_different_seeds_give_different_data(researchers: list[Record]) -> None:
    other = list(generate_researchers(SEED + 1, RESEARCHERS))
    assert {r["primary_id"] for r in other}.isdisjoint({r["primary_id"] for r in researchers})
    assert [r["full_name"] for r in other] != [r["full_name"] for r in researchers]
    mine = [a["title"] for a, _ in generate_assets(SEED, 50, researchers)]
    theirs = [a["title"] for a, _ in generate_assets(SEED + 1, 50, other)]
    assert mine != theirs


def test_a_smaller_count_is_a_prefix_of_a_larger_one(researchers: list[Record]) -> None:
    assert list(generate_researchers(SEED, 20)) == researchers[:20]


def test_zero_count_yields_nothing_and_negative_count_is_refused() -> None:
    assert list(generate_researchers(SEED, 0)) == []
    assert list(generate_assets(SEED, 0, [])) == []
    with pytest.raises(ValueError):
        list(generate_researchers(SEED, -1))
    with pytest.raises(ValueError):
        list(generate_assets(SEED, -1, []))
