"""Researcher records: the XSD's keys in the API's order, values from the code tables, the
shapes real records have (empty code objects, strings for booleans), ORCID iDs in two places."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from typing import Any

from sheetsync.sandbox.codetables import CODE_TABLES, RESEARCHER_CODE_FIELDS
from sheetsync.sandbox.seed import generate_researchers, is_valid_orcid, orcid_checksum
from sheetsync.sandbox.seed import orcid_situation as situation
from tests.sandbox.seed.conftest import ORG_NAMES, SEED, Record, profile
from tests.sandbox.seed.xsd import item_keys, researcher_fields

ALMA_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}Z$")
EMPTY_CODE = {"value": "", "desc": ""}

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
# rest_researcher.xsd's elements in declaration order (lists flattened), with
# profile_identifier_url and update_ORCID_profile where schema.py puts them.
RESEARCHER_KEYS = [
    "researcher_first_name",
    "researcher_middle_name",
    "researcher_last_name",
    "researcher_suffix",
    "researcher_title",
    "profile_image_url",
    "photo_url",
    "profile_identifier_url",
    "display_title",
    "position",
    "portal_profile",
    "auto_capture",
    "update_ORCID_profile",
    "research_center",
    "previous_affiliated",
    "default_publication_language",
    "researcher_alternate_email",
    "researcher_organization_affiliation",
    "researcher_previous_organization_affiliation",
    "researcher_external_organization_affiliation",
    "researcher_previous_external_organization_affiliation",
    "researcher_name_variant",
    "researcher_engagement_type",
    "researcher_research_topic",
    "researcher_keyword",
    "researcher_association",
    "researcher_language",
    "researcher_honor",
    "researcher_education",
    "researcher_description",
    "researcher_webpage",
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
}
WEBPAGE_TYPES = {"Homepage", "CV", "Pubpage", "Unknown", "Profile", "Lab"}  # the XSD's list


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


def test_every_xsd_element_is_in_every_profile(researchers: list[Record]) -> None:
    """rest_researcher.xsd itself: each element a key, each list item's keys in its order."""
    fields = {field.key: field for field in researcher_fields()}
    assert set(fields) == set(RESEARCHER_KEYS)
    seen: Counter[str] = Counter()
    for record in researchers:
        for key, value in profile(record).items():
            field = fields[key]
            if not field.is_list:
                if field.is_code:
                    assert list(value) == ["value", "desc"], key
                continue
            assert isinstance(value, list), key
            allowed = item_keys(field.element) if field.element is not None else ()
            for item in value:
                keys = list(item)
                assert keys == [k for k in allowed if k in item], (key, keys)
                seen[key] += 1
    assert set(seen) == {field.key for field in fields.values() if field.is_list}, seen


def test_researcher_fixed_values_and_types(researchers: list[Record]) -> None:
    for r in researchers:
        p = profile(r)
        assert r["is_researcher"] is True
        assert r["full_name"] == " ".join(
            part for part in (r["first_name"], r["middle_name"], r["last_name"]) if part
        )
        assert r["preferred_language"]["value"] in CODE_TABLES["UserPreferredLanguage"]
        assert r["external_id"] == "SIS"
        assert r["job_category"] == EMPTY_CODE and r["gender"] == EMPTY_CODE  # alma-user.json
        assert r["campus_code"] == {"value": None, "desc": ""}
        for key in ("expiry_date", "purge_date", "status_date"):
            assert ALMA_DATE.fullmatch(r[key]), key
        assert r["user_block"] == r["user_note"] == r["user_statistic"] == []
        assert r["proxy_for_user"] == [] and r["contact_info"]["phone"] == []
        assert 1 <= len(r["user_role"]) <= 2
        assert r["pref_name_suffix"] in ("", "Jr.", "III", "Sr.", "II")
        # string20Length in the XSD: strings, never JSON booleans
        assert p["auto_capture"] in ("true", "false") and p["research_center"] in ("true", "false")
        assert isinstance(p["update_ORCID_profile"], bool)
        assert isinstance(p["previous_affiliated"], bool)  # xs:boolean
        assert p["profile_identifier_url"] and isinstance(p["photo_url"], str)
        assert p["profile_image_url"] == "" or p["profile_image_url"].startswith("https://")
    statuses = Counter(r["status"]["value"] for r in researchers)
    assert statuses["ACTIVE"] > 0.8 * len(researchers) and statuses["INACTIVE"] > 0
    strings = Counter(profile(r)["auto_capture"] for r in researchers)
    assert set(strings) == {"true", "false"}
    assert any(profile(r)["previous_affiliated"] for r in researchers)


def test_unset_code_fields_are_empty_code_objects(researchers: list[Record]) -> None:
    """alma-user.json: an unset code field is {"value": "", "desc": ""}, never null."""
    for key in ("researcher_title", "position", "default_publication_language"):
        values = [profile(r)[key] for r in researchers]
        assert None not in values, key
        assert EMPTY_CODE in values, key
        assert any(v != EMPTY_CODE for v in values), key
    titles = [r["user_title"] for r in researchers]
    assert titles.count(EMPTY_CODE) > 0.7 * len(titles) and any(t != EMPTY_CODE for t in titles)


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


# Code fields whose code table the sandbox does not hold: stored as sent.
FIXED_CODE_PATHS = {
    ("job_category",),
    ("gender",),
    ("campus_code",),
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
                if code == EMPTY_CODE:
                    continue
                assert code["desc"] == CODE_TABLES[table][code["value"]], (path, code)
                seen += 1
        assert seen > 0, f"{path} never generated"
    known = {path for path, _ in RESEARCHER_CODE_FIELDS} | FIXED_CODE_PATHS
    for record in researchers:
        stray = {path for path, _ in code_objects(record)} - known
        assert not stray, f"code objects outside the code tables: {stray}"


def test_real_code_shapes(researchers: list[Record]) -> None:
    """Lowercase positions, true/false portal codes described Yes/No, numeric topic labels."""
    positions = {profile(r)["position"]["value"] for r in researchers} - {""}
    assert positions and all(p == p.lower() for p in positions)
    portal = Counter(tuple(profile(r)["portal_profile"].values()) for r in researchers)
    assert set(portal) == {("true", "Yes"), ("false", "No")}
    topics = {t["value"] for r in researchers for t in profile(r)["researcher_research_topic"]}
    assert all(re.fullmatch(r"\d{7}", t) for t in topics)
    assert {"1004068", "0201000"} <= topics  # the excerpt's label and a leading zero
    languages = {v["value"] for r in researchers for v in profile(r)["researcher_language"]}
    assert "eng" in languages and all(re.fullmatch(r"[a-z]{3}", v) for v in languages)


def test_webpage_types_are_the_xsd_values(researchers: list[Record]) -> None:
    types = {page["type"] for r in researchers for page in profile(r)["researcher_webpage"]}
    assert types == WEBPAGE_TYPES
    for r in researchers:
        urls = [page["url"] for page in profile(r)["researcher_webpage"]]
        assert len(set(urls)) == len(urls) and all(" | " not in url for url in urls)


def test_affiliations_use_org_units(researchers: list[Record]) -> None:
    for r in researchers:
        current = profile(r)["researcher_organization_affiliation"]
        previous = profile(r)["researcher_previous_organization_affiliation"]
        assert 1 <= len(current) <= 2 and len(previous) <= 1
        # positionOrder is a string (string255Length), unlike the years of an education
        assert [a["positionOrder"] for a in current] == [str(n) for n in range(1, len(current) + 1)]
        for item in current + previous:
            assert item["organization_name"] == ORG_NAMES[item["organization_code"]]
            assert ALMA_DATE.fullmatch(item["start_date"])
            assert item["end_date"] == "" or ALMA_DATE.fullmatch(item["end_date"])
            assert isinstance(item["title"], str) and item["title"]
        assert all(ALMA_DATE.fullmatch(item["end_date"]) for item in previous)
        external = profile(r)["researcher_external_organization_affiliation"]
        earlier = profile(r)["researcher_previous_external_organization_affiliation"]
        for item in external + earlier:
            assert item["organization_code"] not in ORG_NAMES
            assert item["organization_code"].startswith("41___") and item["organization_name"]
        assert all(item["end_date"] for item in earlier)
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
        "researcher_association": (0, 2),
        "researcher_engagement_type": (0, 2),
        "researcher_external_organization_affiliation": (0, 1),
        "researcher_previous_external_organization_affiliation": (0, 1),
        "user_identifier": (0, 4),
    }
    for key, (low, high) in limits.items():
        sizes = Counter(len(profile(r)[key]) for r in researchers)
        assert min(sizes) == low and max(sizes) == high, (key, sizes)
    for r in researchers:
        topics = [t["value"] for t in profile(r)["researcher_research_topic"]]
        assert len(set(topics)) == len(topics)
        languages = [item["value"] for item in profile(r)["researcher_language"]]
        assert len(set(languages)) == len(languages)


def test_education_years_are_integers(researchers: list[Record]) -> None:
    degrees = [d for r in researchers for d in profile(r)["researcher_education"]]
    for degree in degrees:
        assert type(degree["from_year"]) is int and type(degree["to_year"]) is int  # xs:int
        assert 1975 <= degree["from_year"] < degree["to_year"]
        assert isinstance(degree["suppress_from_public_portal"], bool)
        assert degree["organization_name"]
    assert any(d["organization_code"] == "" for d in degrees)  # a school named only in text
    assert any(d["suppress_from_public_portal"] for d in degrees)
    ends = [e for r in researchers for e in profile(r)["researcher_engagement_type"]]
    assert any("engagement_end_date" in e for e in ends)
    assert any("engagement_end_date" not in e for e in ends)


def test_keyword_counts_span_zero_to_thirty(researchers: list[Record]) -> None:
    counts = [len(profile(r)["researcher_keyword"]) for r in researchers]
    assert min(counts) == 0 and max(counts) == 30
    assert sum(c == 0 for c in counts) >= 10 and sum(c >= 25 for c in counts) >= 10
    for r in researchers:
        values = [k["value"] for k in profile(r)["researcher_keyword"]]
        assert len(set(values)) == len(values)


def test_published_names_and_optional_fields_vary(researchers: list[Record]) -> None:
    profiles = [profile(r) for r in researchers]
    assert any(p["display_title"] == "" for p in profiles)
    assert any(" of " in p["display_title"] for p in profiles)
    assert {p["researcher_suffix"] for p in profiles} >= {"", "Jr.", "III"}
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
    assert any(p["profile_image_url"] for p in profiles) and any(p["photo_url"] for p in profiles)


def test_researcher_identifiers(researchers: list[Record]) -> None:
    for r in researchers:
        items = profile(r)["user_identifier"]
        kinds = [item["id_type"]["value"] for item in items]
        assert len(set(kinds)) == len(kinds)
        values = dict(zip(kinds, (item["value"] for item in items), strict=True))
        if "SCOPUS" in values:
            assert re.fullmatch(r"\d{10,11}", values["SCOPUS"])
        if "RESEARCHER_ID" in values:
            assert re.fullmatch(r"[A-Z]{1,3}-\d{4}-(20[0-2]\d)", values["RESEARCHER_ID"])
        if "ISNI" in values:
            isni = values["ISNI"]
            assert re.fullmatch(r"\d{15}[\dX]", isni) and orcid_checksum(isni[:15]) == isni[-1]
        top = [i["id_type"]["value"] for i in r["user_identifier"]]
        assert 1 <= len([k for k in top if k != "ORCID"]) <= 2 and top.count("ORCID") <= 1


def orcids(items: list[Record]) -> list[str]:
    return [i["value"] for i in items if i["id_type"]["value"] == "ORCID"]


def test_orcid_ids_sit_in_either_list_or_both(researchers: list[Record]) -> None:
    """The user record's list, the profile's list, both agreeing, and a few disagreeing."""
    situations = Counter(situation(r) for r in researchers)
    assert set(situations) == {"none", "researcher", "top-level", "both-equal", "both-different"}
    assert (
        0.78 * len(researchers) <= len(researchers) - situations["none"] <= 0.92 * len(researchers)
    )
    assert 0 < situations["both-different"] < 0.12 * len(researchers)
    assert situations["researcher"] > situations["top-level"] > situations["both-different"]
    every = []
    for r in researchers:
        top, own = orcids(r["user_identifier"]), orcids(profile(r)["user_identifier"])
        assert len(top) <= 1 and len(own) <= 1
        if own:
            assert profile(r)["user_identifier"][0]["id_type"]["value"] == "ORCID"
        expected = {
            "none": (not top and not own),
            "researcher": (not top and own),
            "top-level": (top and not own),
            "both-equal": (top and top == own),
            "both-different": (top and own and top != own),
        }
        assert expected[situation(r)], (situation(r), top, own)
        every += [*top, *(o for o in own if o not in top)]
        for item in r["user_identifier"] + profile(r)["user_identifier"]:
            if item["id_type"]["value"] == "ORCID":
                assert item["segment_type"] == "Internal" and is_valid_orcid(item["value"])
    assert len(set(every)) == len(every)  # one researcher's second iD is nobody else's


def test_orcid_situation_reads_any_record() -> None:
    orcid = {"id_type": {"value": "ORCID"}, "value": "0000-0002-1825-0097"}
    other = {"id_type": {"value": "ORCID"}, "value": "0000-0002-1694-233X"}
    assert situation({}) == "none"
    assert situation({"researcher": None, "user_identifier": [orcid]}) == "top-level"
    assert situation({"researcher": {"user_identifier": [orcid]}}) == "researcher"
    both = {"user_identifier": [orcid], "researcher": {"user_identifier": [orcid]}}
    assert situation(both) == "both-equal"
    differ = {"user_identifier": [other], "researcher": {"user_identifier": [orcid]}}
    assert situation(differ) == "both-different"


def test_multilingual_researchers_move_title_and_keywords(researchers: list[Record]) -> None:
    """The same people, their display title and keywords in the *_multilingual fields."""
    multilingual = list(generate_researchers(SEED, 80, multilingual=True))
    assert multilingual == list(generate_researchers(SEED, 80, multilingual=True))
    for plain, record in zip(researchers[:80], multilingual, strict=True):
        p, m = profile(plain), profile(record)
        assert m["display_title"] == "" and m["researcher_keyword"] == []
        keys = list(m)
        assert keys.index("display_title_multilingual") == keys.index("display_title") + 1
        assert keys.index("researcher_keyword_multilingual") == keys.index("researcher_keyword") + 1
        titles = m["display_title_multilingual"]
        assert [t["value"] for t in titles[:1]] == (
            [p["display_title"]] if p["display_title"] else []
        )
        assert all(list(t) == ["language", "value"] for t in titles)
        groups = m["researcher_keyword_multilingual"]
        words = [k["value"] for k in p["researcher_keyword"]]
        assert [g["values"] for g in groups[:1]] == ([words] if words else [])
        assert all(list(g) == ["language", "values"] and g["values"] == words for g in groups)
        rest = {k: v for k, v in m.items() if not k.endswith("_multilingual")}
        assert {
            **rest,
            "display_title": p["display_title"],
            "researcher_keyword": p["researcher_keyword"],
        } == p
        assert {k: v for k, v in record.items() if k != "researcher"} == {
            k: v for k, v in plain.items() if k != "researcher"
        }
    assert any(len(profile(r)["researcher_keyword_multilingual"]) == 2 for r in multilingual)
    assert any(len(profile(r)["display_title_multilingual"]) == 2 for r in multilingual)
