"""Researcher records: the API's keys in its order, values from the code tables, varied lists."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sheetsync.sandbox.codetables import CODE_TABLES, RESEARCHER_CODE_FIELDS
from sheetsync.sandbox.seed import orcid_checksum
from tests.sandbox.seed.conftest import ORG_NAMES, Record, orcid_of, profile

ALMA_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}Z$")

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
