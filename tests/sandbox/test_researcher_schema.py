"""The sandbox's researcher schema against the XSDs, and what a PUT does to every field.

A PUT keeps every field it is sent, modelled or not, and resets each modelled field it is not
sent: so a client that drops a field always sees the loss, and the sandbox never hides it.
"""

from __future__ import annotations

import copy
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any

import pytest

from sheetsync.sandbox import Sandbox, schema, seed
from sheetsync.sandbox.codetables import RESEARCHER_CODE_FIELDS
from sheetsync.sandbox.errors import ApiError
from tests.conftest import Api, error_of, start_sandbox
from tests.sandbox.seed.xsd import (
    EVIDENCE,
    README_FIELDS,
    XS,
    researcher_code_paths,
    researcher_fields,
)

EMPTY_CODE = {"value": "", "desc": ""}
MULTILINGUAL = ("display_title_multilingual", "researcher_keyword_multilingual")

Record = dict[str, Any]


def sub_keys() -> list[str]:
    return [key for key, _ in schema._RESEARCHER_SUB]


# ------------------------------------------------------------------------ against the XSDs


def test_the_schema_models_every_xsd_element_in_xsd_order() -> None:
    xsd = [field.key for field in researcher_fields() if field.key not in README_FIELDS]
    keys = sub_keys()
    assert set(keys) == {*xsd, *README_FIELDS, *MULTILINGUAL}
    assert [key for key in keys if key in xsd] == xsd  # the XSD's declaration order
    # where researcher-xml-excerpt.txt shows it: between auto_capture and research_center
    assert keys.index("auto_capture") + 1 == keys.index("update_ORCID_profile")
    assert keys.index("update_ORCID_profile") + 1 == keys.index("research_center")


def test_every_xsd_code_field_is_validated_against_its_table() -> None:
    fields = dict(RESEARCHER_CODE_FIELDS)
    for path, table in researcher_code_paths().items():
        assert fields.get(path) == table, path


def test_user_record_code_fields_use_the_tables_rest_user_xsd_names() -> None:
    """Each top-level code field's table, as rest_user.xsd names it (in its appinfo, or in
    its documentation: "Possible codes are listed in the 'UserTitles' code table")."""
    root = ET.parse(EVIDENCE / "rest_user.xsd").getroot()
    user = next(t for t in root.iter(f"{XS}complexType") if t.get("name") == "user")
    elements = {e.attrib["name"]: e for e in user.iter(f"{XS}element") if "name" in e.attrib}
    for (first, *rest), table in RESEARCHER_CODE_FIELDS:
        if rest:
            continue
        element = elements[first]
        named = element.find(f"{XS}annotation/{XS}appinfo/{XS}codeTable")
        documentation = element.findtext(f"{XS}annotation/{XS}documentation") or ""
        assert (named is not None and named.text == table) or f"'{table}'" in documentation, first
    email_types = ET.tostring(root, encoding="unicode")
    assert "'UserEmailTypes'" in email_types  # contact_info.email[*].email_type[*]


# ------------------------------------------------------------------------ normalize (pure)


@pytest.fixture(scope="module")
def records() -> list[Record]:
    return list(seed.generate_researchers(11, 120))


def test_every_seeded_researcher_round_trips(records: list[Record]) -> None:
    multilingual = list(seed.generate_researchers(11, 40, multilingual=True))
    for record in records + multilingual:
        stored = schema.normalize_researcher(copy.deepcopy(record), record["primary_id"], None)
        assert json.dumps(stored) == json.dumps(record)


def test_unmodelled_fields_are_kept_at_every_level(records: list[Record]) -> None:
    record = copy.deepcopy(records[0])
    record["requests"] = None
    record["contact_info"]["fax"] = [{"number": "1"}]
    record["researcher"]["position_title_multilingual"] = [{"language": "eng", "value": "x"}]
    record["researcher"]["researcher_keyword"].append({"value": "k", "weight": 3})
    stored = schema.normalize_researcher(copy.deepcopy(record), record["primary_id"], None)
    assert stored == record
    assert list(stored)[-1] == "requests"  # after the modelled fields
    assert list(stored["contact_info"])[-1] == "fax"
    assert list(stored["researcher"])[-1] == "position_title_multilingual"


def test_a_missing_unmodelled_field_is_gone(records: list[Record]) -> None:
    record = copy.deepcopy(records[0])
    stored = {**record, "extra": 1}
    again = schema.normalize_researcher(copy.deepcopy(record), record["primary_id"], stored)
    assert "extra" not in again


RESETS = {
    "researcher_suffix": "",
    "profile_image_url": "",
    "researcher_title": EMPTY_CODE,
    "position": EMPTY_CODE,
    "portal_profile": {"value": "true", "desc": "Yes"},  # XSD: Default: Yes
    "auto_capture": "true",  # XSD: Default: Yes
    "research_center": "true",  # XSD: Default: Yes
    "previous_affiliated": False,  # XSD: Default: false
    "default_publication_language": {"value": "en", "desc": "English"},  # XSD: Default: en
    "update_ORCID_profile": False,
    "researcher_association": [],
    "researcher_engagement_type": [],
    "user_identifier": [],
}


@pytest.mark.parametrize(("key", "default"), RESETS.items())
def test_a_missing_researcher_field_is_reset(
    records: list[Record], key: str, default: object
) -> None:
    record = copy.deepcopy(records[3])
    del record["researcher"][key]
    stored = schema.normalize_researcher(record, record["primary_id"], records[3])
    assert stored["researcher"][key] == default
    assert list(stored["researcher"]) == list(records[3]["researcher"])


def test_multilingual_fields_stay_absent_unless_sent(records: list[Record]) -> None:
    plain = schema.normalize_researcher(copy.deepcopy(records[0]), "1", None)
    assert not set(MULTILINGUAL) & set(plain["researcher"])
    body = copy.deepcopy(records[0])
    body["researcher"]["researcher_keyword_multilingual"] = [{"language": "eng", "values": ["a"]}]
    body["researcher"]["display_title_multilingual"] = None
    stored = schema.normalize_researcher(body, "1", None)["researcher"]
    keys = list(stored)
    assert keys.index("researcher_keyword_multilingual") == keys.index("researcher_keyword") + 1
    assert stored["display_title_multilingual"] is None  # sent as null: kept as sent
    with pytest.raises(ApiError, match=r"researcher\.researcher_keyword_multilingual"):
        schema.normalize_researcher(
            {"researcher": {"researcher_keyword_multilingual": {"language": "eng"}}}, "1", None
        )


@pytest.mark.parametrize(
    ("path", "value", "where"),
    [
        (("researcher", "portal_profile"), {"value": "Yes"}, "researcher.portal_profile"),
        (("researcher", "position"), {"value": "LECTURER"}, "researcher.position"),
        (("researcher", "researcher_title"), {"value": "Prof."}, "researcher.researcher_title"),
        (
            ("researcher", "default_publication_language"),
            {"value": "eng"},
            "researcher.default_publication_language",
        ),
        (("user_title",), {"value": "Dr"}, "user_title"),
        (("preferred_language",), {"value": "English"}, "preferred_language"),
    ],
)
def test_unknown_codes_are_refused_naming_the_field(
    records: list[Record], path: tuple[str, ...], value: object, where: str
) -> None:
    record = copy.deepcopy(records[0])
    node = record
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ApiError) as caught:
        schema.normalize_researcher(record, "1", None)
    assert caught.value.status == 400 and where in caught.value.message


def test_codes_in_lists_are_validated(records: list[Record]) -> None:
    cases = {
        "researcher_language": [{"value": "eng"}, {"value": "english"}],
        "researcher_engagement_type": [{"researcher_engagement": {"value": "TV"}}],
        "researcher_research_topic": [{"value": "1004068"}, {"value": "Web Analytics"}],
    }
    for key, items in cases.items():
        record = copy.deepcopy(records[0])
        record["researcher"][key] = items
        with pytest.raises(ApiError, match=f"researcher.{key}\\["):
            schema.normalize_researcher(record, "1", None)


def test_desc_is_recomputed_even_for_an_empty_code(records: list[Record]) -> None:
    record = copy.deepcopy(records[0])
    record["researcher"]["position"] = {"value": "", "desc": "Professor"}
    record["researcher"]["portal_profile"] = {"value": "false"}
    record["researcher"]["researcher_language"] = [{"value": "abk", "desc": "?"}]
    stored = schema.normalize_researcher(record, "1", None)["researcher"]
    assert stored["position"] == EMPTY_CODE
    assert stored["portal_profile"] == {"value": "false", "desc": "No"}
    assert stored["researcher_language"] == [{"value": "abk", "desc": "Abkhazian"}]


# ------------------------------------------------------------------------ over HTTP


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    """Enough researchers for every ORCID situation and some e-mail-like primary IDs."""
    sandbox = start_sandbox(researchers=150, assets=10)
    yield sandbox
    sandbox.stop()


@pytest.fixture(scope="module")
def http(server: Sandbox) -> Api:
    return Api(server.base_url)


def all_researchers(http: Api) -> list[Record]:
    ids = http.researcher_ids(100) + [
        u["primary_id"]
        for u in http.get("/esploro/v1/researchers?limit=100&offset=100").json()["user"]
    ]
    return [http.get(f"/esploro/v1/researchers/{i}").json() for i in ids]


def test_http_records_carry_every_orcid_situation_and_email_ids(http: Api) -> None:
    people = all_researchers(http)
    situations = {seed.orcid_situation(r) for r in people}
    assert situations == {"none", "researcher", "top-level", "both-equal", "both-different"}
    emails = [r for r in people if "@" in r["primary_id"]]
    assert emails
    for record in emails:
        primary_id = record["primary_id"]
        put = http.put(f"/esploro/v1/researchers/{primary_id}", record)
        assert put.status_code == 200 and put.json() == record
        page = http.get("/esploro/v1/researchers", params={"q": f"primary_id~{primary_id}"})
        assert primary_id in [u["primary_id"] for u in page.json()["user"]]


def test_http_put_keeps_what_it_is_sent_and_resets_what_it_is_not(http: Api) -> None:
    record = next(r for r in all_researchers(http) if seed.orcid_situation(r) == "both-different")
    primary_id = record["primary_id"]
    url = f"/esploro/v1/researchers/{primary_id}"
    body = copy.deepcopy(record)
    body["shoe_size"] = 42
    body["researcher"]["researcher_orcid_sync"] = {"enabled": True}
    del body["researcher"]["researcher_suffix"]
    del body["researcher"]["portal_profile"]
    del body["user_identifier"]  # the user record's ORCID iD goes with it
    stored = http.put(url, body).json()
    assert http.get(url).json() == stored
    assert stored["shoe_size"] == 42
    assert stored["researcher"]["researcher_orcid_sync"] == {"enabled": True}
    assert stored["researcher"]["researcher_suffix"] == ""
    assert stored["researcher"]["portal_profile"] == {"value": "true", "desc": "Yes"}
    assert stored["user_identifier"] == [] and seed.orcid_situation(stored) == "researcher"
    without = {k: v for k, v in stored.items() if k != "shoe_size"}
    assert "shoe_size" not in http.put(url, without).json()  # dropped by the client: gone


def test_http_put_of_a_multilingual_record(http: Api) -> None:
    primary_id = http.researcher_ids(1)[0]
    url = f"/esploro/v1/researchers/{primary_id}"
    record = http.get(url).json()
    multilingual = next(seed.generate_researchers(7, 1, multilingual=True))["researcher"]
    body = {**record, "researcher": {**multilingual}}
    stored = http.put(url, body).json()
    assert stored["researcher"] == multilingual
    assert http.get(url).text == json.dumps(stored, ensure_ascii=False, indent=2)
    dropped = copy.deepcopy(stored)
    del dropped["researcher"]["researcher_keyword_multilingual"]
    again = http.put(url, dropped).json()["researcher"]
    assert "researcher_keyword_multilingual" not in again  # gone, visibly: not reset to []
    assert again["display_title_multilingual"] == multilingual["display_title_multilingual"]


def test_http_refuses_a_portal_profile_description(http: Api) -> None:
    """A client that writes Esploro's Yes/No text instead of the true/false code is refused."""
    primary_id = http.researcher_ids(1)[0]
    url = f"/esploro/v1/researchers/{primary_id}"
    record = http.get(url).json()
    body = copy.deepcopy(record)
    body["researcher"]["portal_profile"] = {"value": "No", "desc": "No"}
    response = http.put(url, body)
    assert response.status_code == 400
    message = error_of(response)["errorMessage"]
    assert "researcher.portal_profile" in message and "EsploroPortalField" in message
    assert http.get(url).json() == record
