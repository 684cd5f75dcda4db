"""Code tables and the mapping table: real names, the codes the evidence shows, real shapes."""

from __future__ import annotations

import json
import re

import pytest

from sheetsync.sandbox import codetables
from sheetsync.sandbox.codetables import (
    ASSET_VALUE_LISTS,
    CODE_TABLES,
    RESEARCHER_CODE_FIELDS,
    TABLE_EVIDENCE,
    code_table_document,
    file_and_link_types,
    known_values,
    mapping_table_document,
)
from tests.conftest import Api
from tests.sandbox.seed.xsd import EVIDENCE

MAPPING_TABLE = EVIDENCE / "config" / "mapping-table-AssetFileAndLinkTypes.json"


def evidence_text() -> str:
    files = [*EVIDENCE.glob("*.xsd"), *EVIDENCE.glob("*.txt"), *EVIDENCE.glob("*.md")]
    files += [*EVIDENCE.glob("config/*.json"), EVIDENCE / "alma-user.json"]
    return "\n".join(path.read_text(encoding="utf-8") for path in files)


def test_every_table_name_is_in_the_evidence_and_tagged() -> None:
    text = evidence_text()
    for name in CODE_TABLES:
        assert re.search(rf"\b{name}\b", text), f"{name} is not named by the evidence"
    assert set(TABLE_EVIDENCE) == set(CODE_TABLES)
    assert all(TABLE_EVIDENCE.values())


@pytest.mark.parametrize(
    ("table", "code", "description", "source"),
    [
        ("OrganizationPositions", "lecturer", "Lecturer", "rest_researcher.xsd"),
        ("EsploroPortalField", "true", "Yes", "rest_researcher.xsd"),
        ("EsploroPortalField", "false", "No", "researcher-xml-excerpt.txt"),
        ("ResearchTopicsLabels", "1004068", "Web Analytics", "researcher-xml-excerpt.txt"),
        ("ResearchTopicsLabels", "0201000", "Agriculture", "rest_researcher.xsd"),
        ("UserTitles", "PROF", "Prof.", "rest_researcher.xsd"),
        ("UserPreferredLanguage", "en", "English", "researcher-xml-excerpt.txt"),
        ("ResearchLanguagesNames", "abk", "Abkhazian", "rest_researcher.xsd"),
        ("ResearcherEngagementTypes", "Media", "Media availability", "rest_researcher.xsd"),
        ("AddNewUserOptions", "STAFF", "Staff", "alma-user.json"),
        ("ContentStructureStatus", "ACTIVE", "Active", "alma-user.json"),
        ("UserUserType", "INTERNAL", "Internal", "alma-user.json"),
        ("UserEmailTypes", "work", "Work", "alma-user.json"),
    ],
)
def test_codes_the_evidence_shows(table: str, code: str, description: str, source: str) -> None:
    assert CODE_TABLES[table][code] == description
    text = (EVIDENCE / source).read_text(encoding="utf-8")
    assert code in text and description in text


def test_code_shapes() -> None:
    assert all(code == code.lower() for code in CODE_TABLES["OrganizationPositions"])
    assert CODE_TABLES["EsploroPortalField"] == {"true": "Yes", "false": "No"}
    assert all(re.fullmatch(r"\d{7}", code) for code in CODE_TABLES["ResearchTopicsLabels"])
    assert all(re.fullmatch(r"[a-z]{3}", code) for code in CODE_TABLES["ResearchLanguagesNames"])
    assert {"UNIV_ID", "ORCID"} <= set(CODE_TABLES["UserIdentifierTypes"])  # rest_user.xsd, README


def test_researcher_code_fields_name_real_tables() -> None:
    assert {table for _, table in RESEARCHER_CODE_FIELDS} <= set(CODE_TABLES)


def test_asset_values_are_checked_but_not_served_as_tables() -> None:
    """The evidence never names a table for `license` or `resourcetype.esploro`."""
    for invented in ("AssetLicenses", "AssetResourceTypes", "ResearcherPositions",
                     "ResearcherTitles", "ResearcherPortalProfiles", "ResearchTopics",
                     "ResearcherIdentifierTypes", "WebpageTypes"):  # fmt: skip
        assert invented not in CODE_TABLES and code_table_document(invented) is None
    for name, values in ASSET_VALUE_LISTS.items():
        assert code_table_document(name) is None and known_values(name) == values
    assert ASSET_VALUE_LISTS["license"]["CCBY_V4.0"] == "CC BY V4.0"  # the captured asset
    with pytest.raises(KeyError):
        known_values("NoSuchTable")


def test_code_table_document_shape() -> None:
    document = code_table_document("EsploroPortalField")
    assert document == {
        "name": "EsploroPortalField",
        "description": "EsploroPortalField",
        "row": [
            {"code": "true", "description": "Yes", "default": False, "enabled": True},
            {"code": "false", "description": "No", "default": False, "enabled": True},
        ],
    }


def test_mapping_table_is_the_evidence_byte_for_byte() -> None:
    document = mapping_table_document("AssetFileAndLinkTypes")
    evidence = json.loads(MAPPING_TABLE.read_text(encoding="utf-8"))
    assert json.dumps(document) == json.dumps(evidence)  # key order included
    assert document is not None
    document["row"].clear()  # a copy: the next caller gets the whole table again
    assert mapping_table_document("AssetFileAndLinkTypes") == evidence
    assert mapping_table_document("NoSuchTable") is None
    applicability = {row["column1"] for row in evidence["row"]}
    assert applicability == set(CODE_TABLES["AssetFileAndLinkTypesApplicability"])


def test_file_and_link_types() -> None:
    links, files = file_and_link_types("link"), file_and_link_types("file")
    assert {"published", "accepted", "eventwebsite", "Test123 "} <= links
    assert "eventwebsite" not in files and "07940839-AssetFile" in files
    assert "07940839-AssetLink" not in files and "07940839-AssetBoth" in files & links


def test_every_code_table_is_served_in_the_conf_shape(api: Api) -> None:
    for name, table in codetables.CODE_TABLES.items():
        response = api.get(f"/esploro/v1/researchconf/code-tables/{name}")
        assert response.status_code == 200, name
        rows = response.json()["row"]
        assert [(row["code"], row["description"]) for row in rows] == list(table.items())
    for name in ASSET_VALUE_LISTS:
        assert api.get(f"/esploro/v1/researchconf/code-tables/{name}").status_code == 400
