"""The sandbox's seed data: deterministic, well-formed, and as awkward as real Esploro data.

Every realism requirement is an assertion over generated records, so a vocabulary change that
quietly drops (say) the formula-like keywords fails here rather than in an export test.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.sandbox import seed
from sheetsync.sandbox.codetables import (
    ASSET_CODE_FIELDS,
    CODE_TABLES,
    ORG_UNITS,
    RESEARCHER_CODE_FIELDS,
)
from sheetsync.sandbox.seed import (
    generate_assets,
    generate_researchers,
    is_valid_issn,
    is_valid_orcid,
    issn_checksum,
    orcid_checksum,
)

SEED = 1
RESEARCHERS = 500
ASSETS = 2000
CAPTURED_ASSET_ID = "991291935000561"
CAPTURED = Path(seed.__file__).parent / "data" / "captured_asset.json"

ORCID_SHAPE = re.compile(r"^(0000-000[123]|0009-000\d)-\d{4}-\d{3}[\dX]$")
ALMA_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}Z$")
FORMULA_START = ("=", "+", "-", "@")
BOOK_TYPES = ("publication.book", "publication.bookChapter")
ORG_NAMES = {unit.code: unit.name for unit in ORG_UNITS}

Record = dict[str, Any]


@pytest.fixture(scope="module")
def researchers() -> list[Record]:
    return list(generate_researchers(SEED, RESEARCHERS))


@pytest.fixture(scope="module")
def assets_with_dates(researchers: list[Record]) -> list[tuple[Record, str]]:
    return list(generate_assets(SEED, ASSETS, researchers))


@pytest.fixture(scope="module")
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
    for item in profile(record)["user_identifier"]:
        if item["id_type"]["value"] == "ORCID":
            value: str = item["value"]
            return value
    return None


# --- determinism and speed -------------------------------------------------------------------


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


def test_default_sized_generation_is_fast() -> None:
    start = time.perf_counter()
    people = list(generate_researchers(99, RESEARCHERS))
    list(generate_assets(99, ASSETS, people))
    assert time.perf_counter() - start < 2.0


# --- identifiers -----------------------------------------------------------------------------


def test_researcher_ids_are_unique_alma_shaped_digits(researchers: list[Record]) -> None:
    ids = [r["primary_id"] for r in researchers]
    assert len(set(ids)) == len(ids)
    assert all(isinstance(i, str) and i.isdigit() and 15 <= len(i) <= 18 for i in ids)
    assert sum(i.endswith("0000561") for i in ids) >= 0.8 * len(ids)
    assert len({len(i) for i in ids}) >= 3  # the lengths vary, as real ones do


def test_asset_ids_are_unique_and_never_the_captured_one(
    assets: list[Record], researchers: list[Record]
) -> None:
    ids = [a["originalRepository"]["assetId"] for a in assets]
    assert len(set(ids)) == len(ids)
    assert CAPTURED_ASSET_ID not in ids
    for asset_id in ids:
        assert asset_id.isdigit() and 15 <= len(asset_id) <= 18
        assert asset_id.startswith("99") and asset_id.endswith("0000561")
    assert {len(i) for i in ids} == {15, 16, 17, 18}
    assert set(ids).isdisjoint(r["primary_id"] for r in researchers)


def test_dois_are_unique_and_most_assets_have_one(assets: list[Record]) -> None:
    dois = [a["identifier.doi"] for a in assets if "identifier.doi" in a]
    assert len(set(dois)) == len(dois)
    assert len(dois) >= 0.7 * len(assets)
    assert all(re.fullmatch(r"10\.\d{4,9}/\S+", doi) for doi in dois)


def test_profile_slugs_are_unique_ascii(researchers: list[Record]) -> None:
    slugs = [profile(r)["profile_identifier_url"] for r in researchers]
    assert len(set(slugs)) == len(slugs)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug) for slug in slugs)


# --- researcher shape ------------------------------------------------------------------------

TOP_KEYS = [
    "record_type",
    "primary_id",
    "first_name",
    "middle_name",
    "last_name",
    "full_name",
    "user_title",
    "job_category",
    "job_description",
    "gender",
    "user_group",
    "campus_code",
    "web_site_url",
    "preferred_language",
    "expiry_date",
    "purge_date",
    "account_type",
    "external_id",
    "password",
    "force_password_change",
    "status",
    "status_date",
    "contact_info",
    "pref_first_name",
    "pref_middle_name",
    "pref_last_name",
    "pref_name_suffix",
    "is_researcher",
    "researcher",
    "user_identifier",
    "user_role",
    "user_block",
    "user_note",
    "user_statistic",
    "proxy_for_user",
    "source_link_id",
    "linking_id",
]
RESEARCHER_KEYS = [
    "researcher_first_name",
    "researcher_middle_name",
    "researcher_last_name",
    "researcher_name_suffix",
    "researcher_title",
    "display_title",
    "position",
    "portal_profile",
    "auto_capture",
    "research_center",
    "update_ORCID_profile",
    "profile_identifier_url",
    "researcher_keyword",
    "researcher_research_topic",
    "researcher_language",
    "researcher_name_variant",
    "researcher_alternate_email",
    "researcher_description",
    "researcher_webpage",
    "researcher_education",
    "researcher_honor",
    "researcher_organization_affiliation",
    "researcher_previous_organization_affiliation",
    "researcher_external_organization_affiliation",
    "researcher_previous_external_organization_affiliation",
    "user_identifier",
]
ITEM_KEYS = {
    ("contact_info", "address"): [
        "line1",
        "city",
        "postal_code",
        "country",
        "preferred",
        "segment_type",
        "address_type",
    ],
    ("contact_info", "email"): [
        "email_address",
        "description",
        "preferred",
        "segment_type",
        "email_type",
    ],
    ("user_identifier",): ["id_type", "value", "note", "status", "segment_type"],
    ("user_role",): ["status", "scope", "role_type", "parameter"],
    ("researcher", "researcher_name_variant"): [
        "first_name",
        "middle_name",
        "last_name",
        "name_suffix",
    ],
    ("researcher", "researcher_webpage"): ["url", "type", "title", "description"],
    ("researcher", "researcher_education"): [
        "organization_code",
        "degree",
        "field_of_study",
        "from_year",
        "to_year",
        "additional_details",
    ],
    ("researcher", "researcher_honor"): ["organization_code", "title", "time_period"],
    ("researcher", "researcher_organization_affiliation"): [
        "organization_code",
        "organization_name",
        "start_date",
        "end_date",
        "position",
        "title",
        "positionOrder",
    ],
    ("researcher", "researcher_previous_organization_affiliation"): [
        "organization_code",
        "organization_name",
        "start_date",
        "end_date",
        "position",
        "title",
        "positionOrder",
    ],
    ("researcher", "user_identifier"): ["value", "id_type"],
}


def test_researchers_have_every_key_in_api_order(researchers: list[Record]) -> None:
    for record in researchers:
        assert list(record) == TOP_KEYS
        assert list(record["contact_info"]) == ["address", "email", "phone"]
        assert list(profile(record)) == RESEARCHER_KEYS
        for path, keys in ITEM_KEYS.items():
            node: Any = record
            for key in path:
                node = node[key]
            assert all(list(item) == keys for item in node), path


def test_researcher_fixed_values_and_types(researchers: list[Record]) -> None:
    for r in researchers:
        assert r["is_researcher"] is True
        assert r["full_name"] == " ".join(
            p for p in (r["first_name"], r["middle_name"], r["last_name"]) if p
        )
        assert r["preferred_language"] == {"value": "en", "desc": "English"}
        assert r["external_id"] == "SIS"
        assert r["job_category"] is None and r["gender"] is None and r["campus_code"] is None
        for key in ("expiry_date", "purge_date", "status_date"):
            assert ALMA_DATE.fullmatch(r[key]), key
        assert r["user_block"] == r["user_note"] == r["user_statistic"] == []
        assert r["proxy_for_user"] == [] and r["contact_info"]["phone"] == []
        assert profile(r)["research_center"] is False
        assert isinstance(profile(r)["update_ORCID_profile"], bool)
        assert 1 <= len(r["user_role"]) <= 2
    statuses = Counter(r["status"]["value"] for r in researchers)
    assert statuses["ACTIVE"] > 0.8 * len(researchers) and statuses["INACTIVE"] > 0


def test_contact_info(researchers: list[Record]) -> None:
    for r in researchers:
        info = r["contact_info"]
        assert len(info["address"]) <= 1 and 1 <= len(info["email"]) <= 2
        assert sum(e["preferred"] for e in info["email"]) == 1
        assert all(
            "@" in e["email_address"] and e["email_address"].isascii() for e in info["email"]
        )
        for address in info["address"]:
            assert address["country"]["value"] == "CAN"
            assert address["address_type"] == [{"value": "work", "desc": "Work"}]
    assert any(len(r["contact_info"]["email"]) == 2 for r in researchers)
    assert any(r["contact_info"]["address"] for r in researchers)
    assert any(not r["contact_info"]["address"] for r in researchers)


def walk(node: Any, path: tuple[str, ...]) -> Iterator[Any]:
    """Every value at `path` ("*" walks a list), like schema.py walks code fields."""
    if not path:
        yield node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        for item in node:
            yield from walk(item, rest)
    elif isinstance(node, dict) and node.get(head) is not None:
        yield from walk(node[head], rest)


def code_objects(node: Any, path: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Every {"value", "desc"} object in a record, with its path (list indexes as "*")."""
    if isinstance(node, dict):
        if set(node) == {"value", "desc"}:
            yield path, node
            return
        for key, value in node.items():
            yield from code_objects(value, (*path, key))
    elif isinstance(node, list):
        for item in node:
            yield from code_objects(item, (*path, "*"))


FIXED_CODE_PATHS = {
    ("preferred_language",),
    ("contact_info", "address", "*", "country"),
    ("contact_info", "address", "*", "address_type", "*"),
    ("user_role", "*", "status"),
    ("user_role", "*", "scope"),
    ("user_role", "*", "role_type"),
}


def test_every_researcher_code_comes_from_its_table(researchers: list[Record]) -> None:
    for path, table in RESEARCHER_CODE_FIELDS:
        seen = 0
        for record in researchers:
            for code in walk(record, path):
                assert code["desc"] == CODE_TABLES[table][code["value"]], (path, code)
                seen += 1
        assert seen > 0, f"{path} never generated"
    known = {path for path, _ in RESEARCHER_CODE_FIELDS} | FIXED_CODE_PATHS
    for record in researchers:
        stray = {path for path, _ in code_objects(record)} - known
        assert not stray, f"code objects outside the code tables: {stray}"


def test_plain_code_strings_come_from_tables(researchers: list[Record]) -> None:
    webpage_types = CODE_TABLES["WebpageTypes"]
    for r in researchers:
        assert all(page["type"] in webpage_types for page in profile(r)["researcher_webpage"])


def test_affiliations_use_org_units(researchers: list[Record]) -> None:
    for r in researchers:
        current = profile(r)["researcher_organization_affiliation"]
        previous = profile(r)["researcher_previous_organization_affiliation"]
        assert 1 <= len(current) <= 2 and len(previous) <= 1
        assert [a["positionOrder"] for a in current] == list(range(1, len(current) + 1))
        for item in current + previous:
            assert item["organization_name"] == ORG_NAMES[item["organization_code"]]
            assert ALMA_DATE.fullmatch(item["start_date"])
            assert item["end_date"] == "" or ALMA_DATE.fullmatch(item["end_date"])
            assert isinstance(item["title"], str) and item["title"]
        assert all(ALMA_DATE.fullmatch(item["end_date"]) for item in previous)
        assert profile(r)["researcher_external_organization_affiliation"] == []
        assert profile(r)["researcher_previous_external_organization_affiliation"] == []
    ends = Counter(
        a["end_date"] == ""
        for r in researchers
        for a in profile(r)["researcher_organization_affiliation"]
    )
    assert ends[True] > ends[False] > 0
    assert any(profile(r)["researcher_previous_organization_affiliation"] for r in researchers)


def test_profile_list_sizes(researchers: list[Record]) -> None:
    limits = {
        "researcher_research_topic": (0, 4),
        "researcher_language": (1, 3),
        "researcher_name_variant": (0, 2),
        "researcher_alternate_email": (0, 1),
        "researcher_description": (0, 1),
        "researcher_webpage": (0, 3),
        "researcher_education": (0, 2),
        "researcher_honor": (0, 2),
        "user_identifier": (1, 4),
    }
    for key, (low, high) in limits.items():
        sizes = Counter(len(profile(r)[key]) for r in researchers)
        assert min(sizes) == low and max(sizes) == high, (key, sizes)
    for r in researchers:
        topics = [t["value"] for t in profile(r)["researcher_research_topic"]]
        assert len(set(topics)) == len(topics)
        languages = [item["value"] for item in profile(r)["researcher_language"]]
        assert len(set(languages)) == len(languages)
        assert all(re.fullmatch(r"[a-z]{3}", code) for code in languages)
        for degree in profile(r)["researcher_education"]:
            assert re.fullmatch(r"\d{4}", degree["from_year"]) and degree["to_year"].isdigit()
            assert int(degree["from_year"]) < int(degree["to_year"])


def test_keyword_counts_span_zero_to_thirty(researchers: list[Record]) -> None:
    counts = [len(profile(r)["researcher_keyword"]) for r in researchers]
    assert min(counts) == 0 and max(counts) == 30
    assert sum(c == 0 for c in counts) >= 10 and sum(c >= 25 for c in counts) >= 10
    for r in researchers:
        values = [k["value"] for k in profile(r)["researcher_keyword"]]
        assert len(set(values)) == len(values)


def test_optional_profile_fields_vary(researchers: list[Record]) -> None:
    profiles = [profile(r) for r in researchers]
    assert any(p["researcher_title"] is None for p in profiles)
    assert any(p["position"] is None for p in profiles)
    assert any(p["display_title"] == "" for p in profiles)
    assert any(" of " in p["display_title"] for p in profiles)
    assert {p["researcher_name_suffix"] for p in profiles} >= {"", "Jr.", "III"}
    assert any(r["middle_name"] for r in researchers)
    assert sum(r["middle_name"] == "" for r in researchers) > 0.5 * len(researchers)
    differs = [
        r
        for r in researchers
        if (profile(r)["researcher_first_name"], profile(r)["researcher_last_name"])
        != (r["first_name"], r["last_name"])
    ]
    assert 0 < len(differs) < 0.3 * len(researchers)
    bios = [d["description"] for p in profiles for d in p["researcher_description"]]
    assert any("\n" in bio for bio in bios) and any("\n" not in bio for bio in bios)
    assert all(bio.count(". ") + bio.count(".\n") >= 1 for bio in bios)  # several sentences


def test_auto_capture_is_sometimes_a_string(researchers: list[Record]) -> None:
    values = [profile(r)["auto_capture"] for r in researchers]
    strings = [v for v in values if isinstance(v, str)]
    assert all(isinstance(v, bool) or v in ("true", "false") for v in values)
    assert 0.04 * len(values) <= len(strings) <= 0.16 * len(values)
    assert {"true", "false"} <= set(strings)


def test_researcher_identifiers(researchers: list[Record]) -> None:
    with_orcid = 0
    for r in researchers:
        items = profile(r)["user_identifier"]
        kinds = [item["id_type"]["value"] for item in items]
        assert len(set(kinds)) == len(kinds)
        values = dict(zip(kinds, (item["value"] for item in items), strict=True))
        with_orcid += "ORCID" in values
        if "SCOPUS" in values:
            assert re.fullmatch(r"\d{10,11}", values["SCOPUS"])
        if "RESEARCHER_ID" in values:
            assert re.fullmatch(r"[A-Z]{1,3}-\d{4}-(20[0-2]\d)", values["RESEARCHER_ID"])
        if "ISNI" in values:
            isni = values["ISNI"]
            assert re.fullmatch(r"\d{15}[\dX]", isni) and orcid_checksum(isni[:15]) == isni[-1]
    assert 0.78 * len(researchers) <= with_orcid <= 0.92 * len(researchers)
    orcids = [o for o in map(orcid_of, researchers) if o]
    assert len(set(orcids)) == len(orcids)


# --- names -----------------------------------------------------------------------------------


def all_names(researchers: list[Record], assets: list[Record]) -> list[str]:
    names = [r["full_name"] for r in researchers]
    return names + [c["creatorname"] for c in creators(assets)]


def is_cjk(char: str) -> bool:
    name = unicodedata.name(char, "")
    return name.startswith(("CJK UNIFIED", "HANGUL"))


def test_names_come_from_many_cultures(researchers: list[Record], assets: list[Record]) -> None:
    last_names = [r["last_name"] for r in researchers]
    assert len(set(last_names)) >= 120
    names = all_names(researchers, assets)
    latin_accented = {
        c for name in names for c in name if not c.isascii() and "LATIN" in unicodedata.name(c, "")
    }
    assert len(latin_accented) >= 40  # é, ö, ł, ø, ñ, ç, ễ, ð, ...
    assert any(any(is_cjk(c) for c in name) for name in names)
    assert sum(not name.isascii() for name in last_names) >= 0.15 * len(last_names)


def test_names_with_apostrophes_hyphens_and_particles(
    researchers: list[Record], assets: list[Record]
) -> None:
    families = [r["last_name"] for r in researchers] + [c["familyname"] for c in creators(assets)]
    assert sum("'" in name for name in families) >= 10
    assert sum("-" in name for name in families) >= 10
    particle = re.compile(r"^(van|von|de|del|da|dos|zu|di|la|le)( |$)")
    assert sum(bool(particle.match(name)) for name in families) >= 10
    assert any(" " in name and particle.match(name) for name in families)  # "van der Berg"


# --- ORCID and ISSN --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "orcid", ["0000-0002-1825-0097", "0000-0002-0681-7383", "0000-0002-1694-233X"]
)
def test_known_orcids_validate(orcid: str) -> None:
    assert is_valid_orcid(orcid)


@pytest.mark.parametrize(
    "orcid",
    [
        "0000-0002-1825-0098",
        "0000-0002-1825-009",
        "0000000218250097",
        "0000-0002-1825-009x",
        "000a-0002-1825-0097",
        "0000-0002-1825-00970",
        "",
    ],
)
def test_malformed_orcids_do_not_validate(orcid: str) -> None:
    assert not is_valid_orcid(orcid)


def test_orcid_checksum_rejects_a_bad_base() -> None:
    with pytest.raises(ValueError):
        orcid_checksum("12345")
    assert orcid_checksum("0000-0002-1694-233") == "X"


@given(st.text(alphabet="0123456789", min_size=15, max_size=15), st.data())
def test_orcid_checksum_catches_every_single_digit_change(base: str, data: st.DataObject) -> None:
    full = base + orcid_checksum(base)
    orcid = "-".join(full[i : i + 4] for i in range(0, 16, 4))
    assert is_valid_orcid(orcid)
    position = data.draw(st.integers(0, 15))
    replacement = data.draw(st.sampled_from("0123456789X"))
    changed = full[:position] + replacement + full[position + 1 :]
    if changed != full:
        mangled = "-".join(changed[i : i + 4] for i in range(0, 16, 4))
        assert not is_valid_orcid(mangled)


def test_generated_orcids_are_valid_and_in_issued_blocks(
    researchers: list[Record], assets: list[Record]
) -> None:
    orcids = [o for o in map(orcid_of, researchers) if o]
    orcids += [c["identifier.orcid"] for c in creators(assets) if "identifier.orcid" in c]
    assert len(orcids) > 500
    assert all(is_valid_orcid(o) and ORCID_SHAPE.fullmatch(o) for o in orcids)
    assert any(o.endswith("X") for o in orcids)
    assert any(o.startswith("0009-") for o in orcids)


@pytest.mark.parametrize("issn", ["2773-207X", "0302-9743", "0028-0836", "1476-4687"])
def test_known_issns_validate(issn: str) -> None:
    assert is_valid_issn(issn)


@pytest.mark.parametrize("issn", ["2773-2070", "27732070", "2773-207x", "0302-974", ""])
def test_malformed_issns_do_not_validate(issn: str) -> None:
    assert not is_valid_issn(issn)


@given(st.text(alphabet="0123456789", min_size=7, max_size=7), st.integers(0, 6), st.data())
def test_issn_checksum_catches_single_digit_changes(
    base: str, position: int, data: st.DataObject
) -> None:
    issn = f"{base[:4]}-{base[4:]}{issn_checksum(base)}"
    assert is_valid_issn(issn)
    digit = data.draw(st.sampled_from([d for d in "0123456789" if d != base[position]]))
    changed = base[:position] + digit + base[position + 1 :]
    assert not is_valid_issn(f"{changed[:4]}-{changed[4:]}{issn[-1]}")


def test_generated_issns_are_valid(assets: list[Record]) -> None:
    relations = [rel for a in assets for rel in a.get("relationships", [])]
    assert len(relations) > 500
    for relation in relations:
        assert relation["relationtype"] == "ispartof"
        assert relation["relation.category"] == "INTERNAL"
        assert is_valid_issn(relation["identifier.issn"])
        assert "identifier.eissn" not in relation or is_valid_issn(relation["identifier.eissn"])
        assert int(relation["spage"]) < int(relation["epage"])
    assert len({r["identifier.issn"] for r in relations}) >= 20


# --- asset shape -----------------------------------------------------------------------------


def test_asset_code_fields_come_from_their_tables(assets: list[Record]) -> None:
    for asset in assets:
        for plain, with_desc, table in ASSET_CODE_FIELDS:
            assert (plain in asset) == (with_desc in asset), plain
            if plain in asset:
                code = asset[plain]
                assert asset[with_desc] == {"value": code, "desc": CODE_TABLES[table][code]}
        assert "resourcetype.esploro" in asset
    licences = Counter(a.get("license") for a in assets)
    assert None in licences and len(licences) == len(CODE_TABLES["AssetLicenses"]) + 1
    types = {a["resourcetype.esploro"] for a in assets}
    assert types == set(CODE_TABLES["AssetResourceTypes"])


def test_asset_keys_follow_the_captured_order(assets: list[Record]) -> None:
    captured = json.loads(CAPTURED.read_text(encoding="utf-8"))["records"][0]
    position = {key: index for index, key in enumerate(captured)}
    for asset in assets:
        shared = [key for key in asset if key in position]
        assert shared == sorted(shared, key=position.__getitem__)
        assert set(asset) - set(captured) <= {"identifier.isbn"}  # top-level ISBN of books


def test_asset_value_types_follow_the_capture(assets: list[Record]) -> None:
    for asset in assets:
        assert asset["portal_visibility"] == "true" and asset["profile_visibility"] == "true"
        assert asset["openaccess"] in ("yes", "no") and asset["peerreview"] in ("yes", "no")
        assert asset["language"] and all(re.fullmatch(r"[a-z]{3}", c) for c in asset["language"])
        links = asset.get("links", [])
        assert 1 <= len(links) <= 2 if "links" in asset else True
        for order, link in enumerate(links, 1):
            assert link["link.order"] == order  # an integer, unlike "order" of creators
            assert link["link.supplemental"] is False or link["link.supplemental"] is True
            assert link["linkTypeWithDesc"]["value"] == link["link.type"]
        for relation in asset.get("relationships", []):
            assert all(isinstance(relation[k], str) for k in ("volume", "spage", "epage"))
        for key in ("subject.esploro", "asset.affiliation", "identifier.isbn"):
            assert all(isinstance(v, str) for v in asset.get(key, []))
        assert len(asset.get("subject.esploro", [])) <= 3
    assert any("links" in a for a in assets) and any("links" not in a for a in assets)
    assert any(len(a.get("links", [])) == 2 for a in assets)


def test_dates_mix_all_three_precisions(
    assets_with_dates: list[tuple[Record, str]],
) -> None:
    precisions = Counter(len(asset["date.published"]) for asset, _ in assets_with_dates)
    assert set(precisions) == {4, 6, 8}
    for asset, updated in assets_with_dates:
        assert re.fullmatch(r"\d{4}(\d{2}(\d{2})?)?", asset["date.published"])
        if "date.accepted" in asset:
            assert re.fullmatch(r"\d{8}", asset["date.accepted"])
            assert asset["date.accepted"][:4] <= asset["date.published"][:4]
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", updated)
        assert "2022-01-01" <= updated <= "2026-11-20"
    years = {updated[:4] for _, updated in assets_with_dates}
    assert years == {"2022", "2023", "2024", "2025", "2026"}


def test_creator_counts_reach_forty(assets: list[Record]) -> None:
    counts = [len(a["creators"]) for a in assets]
    assert min(counts) == 1 and max(counts) == 40
    assert sum(c <= 8 for c in counts) > 0.8 * len(counts)


def test_creators_are_well_formed(assets: list[Record]) -> None:
    for asset in assets:
        orders = [c["order"] for c in asset["creators"]]
        assert orders == [str(n) for n in range(1, len(orders) + 1)]
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


# --- realistic text --------------------------------------------------------------------------


def test_title_lengths_vary(assets: list[Record]) -> None:
    lengths = [len(a["title"]) for a in assets]
    assert max(lengths) <= 500
    assert sum(n >= 450 for n in lengths) >= 5
    assert sum(40 <= n <= 200 for n in lengths) >= 0.75 * len(lengths)
    assert sum(n < 40 for n in lengths) >= 10
    subtitles = [a["title.subtitle"] for a in assets if "title.subtitle" in a]
    assert 0 < len(subtitles) < len(assets)


def test_titles_carry_typography_and_greek(assets: list[Record]) -> None:
    titles = [a["title"] for a in assets]
    assert sum("\u201c" in t and "\u201d" in t for t in titles) >= 10
    assert sum("\u2013" in t for t in titles) >= 10
    greek = [t for t in titles if any("GREEK" in unicodedata.name(c, "") for c in t)]
    assert len(greek) >= 5


def test_formula_like_values_are_rare_but_present(
    researchers: list[Record], assets: list[Record]
) -> None:
    titles = [a["title"] for a in assets]
    keywords = researcher_keywords(researchers) + asset_keywords(assets)
    formula_titles = [t for t in titles if t.startswith(FORMULA_START)]
    formula_keywords = [k for k in keywords if k.startswith(FORMULA_START)]
    assert 5 <= len(formula_titles) <= 0.03 * len(titles)
    assert 5 <= len(formula_keywords) <= 0.03 * len(keywords)
    assert {k[0] for k in formula_keywords} == set(FORMULA_START)
    assert len({t[0] for t in formula_titles}) >= 3


def test_excel_escape_text_and_stray_spaces_survive(
    researchers: list[Record], assets: list[Record]
) -> None:
    keywords = researcher_keywords(researchers) + asset_keywords(assets)
    notes = [v for a in assets for v in a.get("local.fields", {}).values()]
    assert sum("_x000D_" in v for v in keywords + notes) >= 5
    padded = [v for v in keywords + notes if v and v != v.strip()]
    assert len(padded) >= 10
    assert any(v.startswith(" ") for v in padded) and any(v.endswith(" ") for v in padded)
    pmcids = [a["identifier.pmcid"] for a in assets if "identifier.pmcid" in a]
    assert any(p.endswith(" ") for p in pmcids)


def test_local_fields_hold_all_fifteen_notes(assets: list[Record]) -> None:
    fields = [a["local.fields"] for a in assets if "local.fields" in a]
    assert fields
    for notes in fields:
        assert list(notes) == [f"local.note{n}" for n in range(1, 16)]
        assert any(notes.values())


def test_abstracts_break_lines_in_every_style(assets: list[Record]) -> None:
    abstracts = [d for a in assets for d in a.get("description.abstract", [])]
    assert 0.7 * len(assets) < len(abstracts) < len(assets)
    assert all(d["language"] == "eng" for d in abstracts)
    texts = [d["value"] for d in abstracts]
    assert all(t.count(".") >= 3 for t in texts)  # several sentences
    broken = [t for t in texts if "\n" in t]
    assert 0.35 * len(texts) <= len(broken) <= 0.65 * len(texts)
    crlf = [t for t in broken if "\r\n" in t]
    paragraphs = [t for t in broken if "\n\n" in t]
    plain = [t for t in broken if "\r" not in t and "\n\n" not in t]
    assert len(plain) > len(crlf) > 0 and len(plain) > len(paragraphs) > 0


def test_keywords_read_like_academic_vocabulary(
    researchers: list[Record], assets: list[Record]
) -> None:
    keywords = Counter(k.strip() for k in researcher_keywords(researchers) + asset_keywords(assets))
    assert len(keywords) >= 200
    lowered = {k.lower() for k in keywords}
    assert {"machine learning", "coastal erosion", "post-colonial literature"} <= lowered
    assert all(1 <= len(k) <= 60 for k in keywords)
