"""Asset records: the captured asset's shape and types, creators, contributors, identifiers,
and what real assets do that the capture alone does not show (shared/evidence/README.md)."""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

from sheetsync import sandbox
from sheetsync.sandbox.codetables import (
    ASSET_CODE_FIELDS,
    ASSET_VALUE_LISTS,
    CODE_TABLES,
    file_and_link_types,
)
from sheetsync.sandbox.seed import generate_assets
from tests.sandbox.seed.conftest import ORG_NAMES, SEED, Record, creators, orcid_of

CAPTURED = Path(sandbox.__file__).parent / "data" / "captured_asset.json"

BOOK_TYPES = ("publication.book", "publication.bookChapter")


def test_asset_code_fields_come_from_their_tables(assets: list[Record]) -> None:
    for asset in assets:
        for plain, with_desc, table in ASSET_CODE_FIELDS:
            assert (plain in asset) == (with_desc in asset), plain
            if plain in asset:
                code = asset[plain]
                assert asset[with_desc] == {
                    "value": code,
                    "desc": ASSET_VALUE_LISTS[table][code],
                }
        assert "resourcetype.esploro" in asset
    licences = Counter(a.get("license") for a in assets)
    assert None in licences and len(licences) == len(ASSET_VALUE_LISTS["license"]) + 1
    types = {a["resourcetype.esploro"] for a in assets}
    assert types == set(ASSET_VALUE_LISTS["resourcetype.esploro"])


def test_no_invented_asset_code_tables_are_served() -> None:
    """The evidence never names the table behind `license` or `resourcetype.esploro`."""
    assert not set(ASSET_VALUE_LISTS) & set(CODE_TABLES)
    assert "AssetLicenses" not in CODE_TABLES and "AssetResourceTypes" not in CODE_TABLES


def test_asset_keys_follow_the_captured_order(assets: list[Record]) -> None:
    captured = json.loads(CAPTURED.read_text(encoding="utf-8"))["records"][0]
    position = {key: index for index, key in enumerate(captured)}
    for asset in assets:
        shared = [key for key in asset if key in position]
        assert shared == sorted(shared, key=position.__getitem__)
        # top-level ISBN of books, date.created, and the portal's view and download counters
        extra = {"identifier.isbn", "date.created", "asset.views", "asset.downloads"}
        assert set(asset) - set(captured) <= extra
        assert list(asset)[-2:] == ["asset.views", "asset.downloads"]


def test_asset_value_types_follow_the_capture(assets: list[Record]) -> None:
    for asset in assets:
        assert asset["portal_visibility"] == "true" and asset["profile_visibility"] == "true"
        assert asset["openaccess"] in ("yes", "no", "unknown")  # YesNoUnknown
        assert asset["peerreview"] in ("yes", "no")
        assert asset["language"] and all(re.fullmatch(r"[a-z]{3}", c) for c in asset["language"])
        links = asset.get("links", [])
        assert 1 <= len(links) <= 2 if "links" in asset else True
        for order, link in enumerate(links, 1):
            assert link["link.order"] == order  # an integer, unlike "order" of creators
            assert link["link.supplemental"] is False or link["link.supplemental"] is True
            assert link["linkTypeWithDesc"]["value"] == link["link.type"]
            assert link["link.type"] in file_and_link_types("link")  # AssetFileAndLinkTypes
        for relation in asset.get("relationships", []):
            assert all(isinstance(relation[k], str) for k in ("volume", "spage", "epage"))
        for key in ("subject.esploro", "asset.affiliation", "identifier.isbn"):
            assert all(isinstance(v, str) for v in asset.get(key, []))
        assert len(asset.get("subject.esploro", [])) <= 3
    assert any("links" in a for a in assets) and any("links" not in a for a in assets)
    assert any(len(a.get("links", [])) == 2 for a in assets)
    access = Counter(a["openaccess"] for a in assets)
    assert 0 < access["unknown"] < access["no"] < access["yes"]


def test_view_and_download_counters(assets: list[Record]) -> None:
    for asset in assets:
        views, downloads = asset["asset.views"], asset["asset.downloads"]
        assert type(views) is int and type(downloads) is int
        assert 0 <= downloads <= views
    views = [a["asset.views"] for a in assets]
    assert 0 in views and max(views) > 1000 and len(set(views)) > 200


def test_dates_mix_all_three_precisions(
    assets_with_dates: list[tuple[Record, str]],
) -> None:
    precisions = Counter(
        len(asset["date.published"])
        for asset, _ in assets_with_dates
        if RANGE_DASH not in asset["date.published"]
    )
    assert set(precisions) == {4, 6, 8}
    for asset, updated in assets_with_dates:
        published = asset["date.published"]
        assert re.fullmatch(r"\d{4}(\d{2}(\d{2})?)?", published) or is_range(published)
        if "date.accepted" in asset:
            assert re.fullmatch(r"\d{8}", asset["date.accepted"])
            assert asset["date.accepted"][:4] <= asset["date.published"][:4]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", updated)
        assert "2022-01-01" <= updated <= "2026-11-20"
    years = {updated[:4] for _, updated in assets_with_dates}
    assert years == {"2022", "2023", "2024", "2025", "2026"}


RANGE_DASH = "\u2013"  # an en dash, as in the Knowledge Center article's date.created


def is_range(text: str) -> bool:
    match = re.fullmatch(r"(\d{8})\u2013(\d{8})", text)
    return match is not None and match[1] <= match[2]


def test_some_dates_are_ranges(assets: list[Record]) -> None:
    created = [a["date.created"] for a in assets if "date.created" in a]
    ranges = [c for c in created if RANGE_DASH in c]
    assert all(is_range(c) or re.fullmatch(r"\d{8}", c) for c in created)
    assert 0.1 * len(assets) < len(ranges) < 0.2 * len(assets)
    published = [a["date.published"] for a in assets if RANGE_DASH in a["date.published"]]
    assert published and all(map(is_range, published)) and len(published) < 0.05 * len(assets)


def test_creator_counts_reach_forty(assets: list[Record]) -> None:
    counts = [len(a["creators"]) for a in assets]
    assert min(counts) == 1 and max(counts) == 40
    assert sum(c <= 8 for c in counts) > 0.8 * len(counts)


def test_creators_are_well_formed(assets: list[Record]) -> None:
    for asset in assets:
        orders = [c["order"] for c in asset["creators"]]
        assert all(isinstance(order, str) for order in orders)  # a string, unlike link.order
        first = min(map(int, orders))
        assert first in (0, 1)
        assert sorted(orders, key=int) == [str(n) for n in range(first, first + len(orders))]
        for c in asset["creators"]:
            assert isinstance(c["isDisplayInPublicProfile"], bool)
            names = (c["givenname"], c.get("middlename", ""), c["familyname"])
            assert c["creatorname"] == " ".join(p for p in names if p)
            for affiliation in c.get("affiliationWithDesc", []):
                assert affiliation["desc"] == ORG_NAMES[affiliation["value"]]
        assert len({c["almaUserId"] for c in asset["creators"] if "almaUserId" in c}) == sum(
            "almaUserId" in c for c in asset["creators"]
        )


def test_internal_creators_match_their_researchers(
    researchers: list[Record], assets: list[Record]
) -> None:
    by_id = {r["primary_id"]: r for r in researchers}
    internal = [c for c in creators(assets) if "almaUserId" in c]
    for creator in internal:
        person = by_id[creator["almaUserId"]]
        assert creator["givenname"] == person["first_name"]
        assert creator["familyname"] == person["last_name"]
        assert creator.get("middlename", "") == person["middle_name"]
        if "identifier.orcid" in creator:
            assert creator["identifier.orcid"] == orcid_of(person)
    every = list(creators(assets))
    assert 0.15 * len(every) < len(internal) < 0.6 * len(every)
    with_internal = sum(any("almaUserId" in c for c in a["creators"]) for a in assets)
    assert 0.8 * len(assets) < with_internal < len(assets)
    assert len({c["almaUserId"] for c in internal}) > 0.7 * len(researchers)


def test_asset_affiliation_names_org_units(assets: list[Record]) -> None:
    names = set(ORG_NAMES.values())
    for asset in assets:
        assert set(asset.get("asset.affiliation", [])) <= names
        has_internal = any("almaUserId" in c for c in asset["creators"])
        assert ("asset.affiliation" in asset) == has_internal


def test_without_researchers_every_creator_is_external() -> None:
    for asset, _ in generate_assets(SEED, 50, []):
        assert all("almaUserId" not in c for c in asset["creators"])
        assert all("almaUserId" not in c for c in asset.get("contributors", []))


def test_contributors(researchers: list[Record], assets: list[Record]) -> None:
    ids = {r["primary_id"] for r in researchers}
    groups = [a["contributors"] for a in assets if "contributors" in a]
    assert groups and all(1 <= len(g) <= 3 for g in groups)
    items = [c for g in groups for c in g]
    assert any(c.get("role") == "Institution" and "organization" in c for c in items)
    people = [c for c in items if "contributorname" in c]
    assert people and all(c["role"] and c["familyname"] for c in people)
    assert all(c["almaUserId"] in ids for c in people if "almaUserId" in c)


def test_keyword_groups_and_subjects(assets: list[Record]) -> None:
    group_counts = Counter(len(a.get("keywords", [])) for a in assets)
    assert set(group_counts) == {0, 1, 2}
    for asset in assets:
        languages = [group["language"] for group in asset.get("keywords", [])]
        assert all(lang in ("eng", "und") for lang in languages)
        assert len(set(languages)) == len(languages)
        assert all(1 <= len(group["values"]) <= 8 for group in asset.get("keywords", []))
    value_counts = Counter(len(g["values"]) for a in assets for g in a.get("keywords", []))
    assert min(value_counts) == 1 and max(value_counts) == 8


def test_identifiers_for_biomedicine_and_books(assets: list[Record]) -> None:
    pmids = [a["identifier.pmid"] for a in assets if "identifier.pmid" in a]
    assert pmids and all(re.fullmatch(r"\d{8}", p) for p in pmids)
    pmcids = [a["identifier.pmcid"] for a in assets if "identifier.pmcid" in a]
    assert pmcids and all(re.fullmatch(r"PMC\d{7} ?", p) for p in pmcids)
    books = [a for a in assets if a["resourcetype.esploro"] in BOOK_TYPES]
    assert books and all(isbn13_is_valid(isbn) for b in books for isbn in b["identifier.isbn"])
    assert all("identifier.isbn" not in a for a in assets if a not in books)


def isbn13_is_valid(isbn: str) -> bool:
    if len(isbn) != 13 or not isbn.isdigit():
        return False
    return sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(isbn)) % 10 == 0


def test_local_fields_hold_all_fifteen_notes(assets: list[Record]) -> None:
    fields = [a["local.fields"] for a in assets if "local.fields" in a]
    assert fields
    for notes in fields:
        assert list(notes) == [f"local.note{n}" for n in range(1, 16)]
        assert any(notes.values())


def test_creators_are_not_always_sorted_or_numbered_from_one(assets: list[Record]) -> None:
    """Real GETs answer orders "2","3","1" and "6","1","2",...; some number from "0"."""
    orders = [[int(c["order"]) for c in a["creators"]] for a in assets if len(a["creators"]) > 1]
    unsorted = [o for o in orders if o != sorted(o)]
    assert 0.2 * len(orders) < len(unsorted) < 0.5 * len(orders)
    assert any(o[1:] + o[:1] == sorted(o) for o in unsorted)  # the first moved to the end
    assert any(o[-1:] + o[:-1] == sorted(o) for o in unsorted)  # the last moved to the front
    zero = [o for o in orders if min(o) == 0]
    assert 0.03 * len(orders) < len(zero) < 0.15 * len(orders)
    assert any(o != sorted(o) for o in zero)


def test_creators_point_at_email_like_researcher_ids(
    researchers: list[Record], assets: list[Record]
) -> None:
    email_ids = {r["primary_id"] for r in researchers if "@" in r["primary_id"]}
    linked = {c["almaUserId"] for c in creators(assets) if "almaUserId" in c}
    assert email_ids and email_ids & linked
