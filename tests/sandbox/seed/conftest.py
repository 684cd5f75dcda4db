"""Shared by the seed tests: one institution generated once, and ways to read its records.

Every realism requirement is an assertion over generated records, so a vocabulary change that
quietly drops (say) the formula-like keywords fails here rather than in an export test. The
fixtures are package-scoped: every test module reads the same 500 researchers and 2000 assets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from sheetsync.sandbox.codetables import ORG_UNITS
from sheetsync.sandbox.seed import generate_assets, generate_researchers

SEED = 1
RESEARCHERS = 500
ASSETS = 2000

ORG_NAMES = {unit.code: unit.name for unit in ORG_UNITS}

Record = dict[str, Any]


@pytest.fixture(scope="package")
def researchers() -> list[Record]:
    return list(generate_researchers(SEED, RESEARCHERS))


@pytest.fixture(scope="package")
def assets_with_dates(researchers: list[Record]) -> list[tuple[Record, str]]:
    return list(generate_assets(SEED, ASSETS, researchers))


@pytest.fixture(scope="package")
def assets(assets_with_dates: list[tuple[Record, str]]) -> list[Record]:
    return [asset for asset, _ in assets_with_dates]


def profile(record: Record) -> Record:
    result: Record = record["researcher"]
    return result


def researcher_keywords(researchers: list[Record]) -> list[str]:
    return [k["value"] for r in researchers for k in profile(r)["researcher_keyword"]]


def asset_keywords(assets: list[Record]) -> list[str]:
    return [v for a in assets for group in a.get("keywords", []) for v in group["values"]]


def creators(assets: list[Record]) -> Iterator[Record]:
    for asset in assets:
        yield from asset["creators"]


def orcid_of(record: Record) -> str | None:
    """The profile's ORCID iD, else the user record's (what an asset's creator carries)."""
    for item in [*profile(record)["user_identifier"], *record["user_identifier"]]:
        if item["id_type"]["value"] == "ORCID":
            value: str = item["value"]
            return value
    return None
