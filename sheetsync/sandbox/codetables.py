"""The sandbox's configuration data: code tables, a mapping table and organisation units.

Real Esploro validates every code-table value on write and fills in its `desc`; the sandbox
does the same from these tables (see `schema.py`). Every table is named as Ex Libris names it
in the evidence (`shared/evidence/`: `rest_user.xsd` and `rest_researcher.xsd` name the table
of each code field, `config/` holds a real mapping table); `TABLE_EVIDENCE` says, per table,
what the evidence shows and what is a guess. Codes the evidence shows keep their real form:
lowercase position codes (`lecturer`), `true`/`false` portal codes described Yes/No, numeric
research-topic labels (`1004068` "Web Analytics", `0201000` "Agriculture" with its leading zero).

Assets carry two coded fields whose code table the evidence never names (`license`,
`resourcetype.esploro`, the latter an XSD enumeration per the records dictionary). The sandbox
still checks them and derives their `*WithDesc` objects, from `ASSET_VALUE_LISTS`, but does not
serve those lists as code tables: it must not teach a client a table name Esploro may not have.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

CodeTable = dict[str, str]  # code -> description

CODE_TABLES: dict[str, CodeTable] = {
    # -- the Alma user record (rest_user.xsd names each field's table)
    "AddNewUserOptions": {"STAFF": "Staff", "PUBLIC": "Public", "CONTACT": "Contact"},
    "UserGroups": {
        "FACULTY": "Faculty",
        "STAFF": "Staff",
        "POSTDOC": "Postdoctoral Researcher",
        "PHD": "Doctoral Candidate",
        "EMERITUS": "Emeritus",
        "AFFILIATE": "Affiliate",
    },
    "ContentStructureStatus": {"ACTIVE": "Active", "INACTIVE": "Inactive"},
    "UserUserType": {"INTERNAL": "Internal", "EXTERNAL": "External"},
    "UserEmailTypes": {"work": "Work", "personal": "Personal", "school": "School"},
    "UserIdentifierTypes": {
        "UNIV_ID": "University ID",
        "BARCODE": "Barcode",
        "INST_ID": "Institution ID",
        "ORCID": "ORCID",
        "SCOPUS": "Scopus Author ID",
        "RESEARCHER_ID": "Web of Science ResearcherID",
        "ISNI": "ISNI",
        "GOOGLE_SCHOLAR": "Google Scholar ID",
        "VIAF": "VIAF",
    },
    "UserTitles": {
        "DR": "Dr.",
        "PROF": "Prof.",
        "MR": "Mr.",
        "MS": "Ms.",
        "MX": "Mx.",
        "MRS": "Mrs.",
        "REV": "Rev.",
    },
    "UserPreferredLanguage": {
        "en": "English",
        "fr": "French",
        "de": "German",
        "es": "Spanish",
        "pt": "Portuguese",
        "it": "Italian",
        "zh": "Chinese",
        "ja": "Japanese",
    },
    # -- the researcher part (rest_researcher.xsd)
    "OrganizationPositions": {
        "professor": "Professor",
        "associate_professor": "Associate Professor",
        "assistant_professor": "Assistant Professor",
        "lecturer": "Lecturer",
        "senior_lecturer": "Senior Lecturer",
        "research_fellow": "Research Fellow",
        "postdoctoral_fellow": "Postdoctoral Fellow",
        "phd_candidate": "PhD Candidate",
        "librarian": "Librarian",
        "professor_emeritus": "Professor Emeritus",
        "dean": "Dean",
        "head_of_department": "Head of Department",
    },
    "EsploroPortalField": {"true": "Yes", "false": "No"},
    "ResearchTopicsLabels": {
        "1004010": "Artificial Intelligence",
        "1004068": "Web Analytics",
        "0201000": "Agriculture",
        "0401020": "Climate Change Science",
        "1117000": "Public Health",
        "0912000": "Materials Engineering",
        "0105010": "Quantum Physics",
        "2004000": "Linguistics",
        "2103000": "Historical Studies",
        "1401000": "Economic Theory",
        "1109000": "Neurosciences",
        "1301000": "Education Systems",
        "0602000": "Ecology",
        "1801000": "Law",
        "1904020": "Music",
        "0906030": "Energy Systems",
        "0604000": "Genetics",
        "0405000": "Oceanography",
    },
    "ResearchLanguagesNames": {
        "abk": "Abkhazian",
        "eng": "English",
        "fre": "French",
        "ger": "German",
        "spa": "Spanish",
        "por": "Portuguese",
        "ita": "Italian",
        "dut": "Dutch",
        "chi": "Chinese",
        "jpn": "Japanese",
        "kor": "Korean",
        "ara": "Arabic",
        "hin": "Hindi",
        "vie": "Vietnamese",
        "tur": "Turkish",
        "pol": "Polish",
        "ice": "Icelandic",
        "dan": "Danish",
        "swe": "Swedish",
        "fin": "Finnish",
        "gre": "Greek, Modern (1453-)",
        "yor": "Yoruba",
        "mao": "Maori",
    },
    "ResearcherEngagementTypes": {
        "Media": "Media availability",
        "Consulting": "Consulting",
        "Mentoring": "Mentoring",
        "Speaking": "Public speaking",
        "Collaboration": "Open to collaboration",
    },
    # -- assets (config/mapping-table-AssetFileAndLinkTypes.json links its column 1 here)
    "AssetFileAndLinkTypesApplicability": {"link": "Link", "file": "File", "both": "Both"},
}

# What the evidence shows of each table; docs/sandbox.md repeats it. "name" means the table's
# name is in the evidence; codes and descriptions not listed are guesses.
TABLE_EVIDENCE: dict[str, str] = {
    "AddNewUserOptions": "name, codes Staff/Public/Contact: rest_user.xsd; STAFF 'Staff': "
    "alma-user.json",
    "UserGroups": "name: rest_user.xsd; codes guess",
    "ContentStructureStatus": "name: rest_user.xsd; ACTIVE 'Active': alma-user.json",
    "UserUserType": "name: rest_user.xsd; INTERNAL 'Internal': alma-user.json",
    "UserEmailTypes": "name: rest_user.xsd; work 'Work': alma-user.json",
    "UserIdentifierTypes": "name, UNIV_ID: rest_user.xsd; ORCID: README (Miami integration); "
    "other codes guess",
    "UserTitles": "name, PROF 'Prof.': rest_researcher.xsd",
    "UserPreferredLanguage": "name: rest_researcher.xsd; en 'English': alma-user.json, "
    "researcher-xml-excerpt.txt",
    "OrganizationPositions": "name, lecturer 'Lecturer': rest_researcher.xsd",
    "EsploroPortalField": "name, true 'Yes': rest_researcher.xsd; false 'No': "
    "researcher-xml-excerpt.txt",
    "ResearchTopicsLabels": "name, 0201000 'Agriculture': rest_researcher.xsd; 1004068 "
    "'Web Analytics': researcher-xml-excerpt.txt",
    "ResearchLanguagesNames": "name, abk 'Abkhazian': rest_researcher.xsd; three-letter "
    "bibliographic codes as the captured asset's 'may'",
    "ResearcherEngagementTypes": "name, Media 'Media availability': rest_researcher.xsd",
    "AssetFileAndLinkTypesApplicability": "name, codes link/file/both: "
    "config/mapping-table-AssetFileAndLinkTypes.json; descriptions guess",
}

# Where code-table values sit in a researcher record. A path is a tuple of keys; "*" walks
# every item of a list. The value at the end is a `{"value": ..., "desc": ...}` object.
# Code fields whose table the sandbox does not hold (job_category, gender, campus_code, an
# address's country and type, roles) are stored as sent.
RESEARCHER_CODE_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("record_type",), "AddNewUserOptions"),
    (("user_title",), "UserTitles"),
    (("user_group",), "UserGroups"),
    (("preferred_language",), "UserPreferredLanguage"),
    (("account_type",), "UserUserType"),
    (("status",), "ContentStructureStatus"),
    (("contact_info", "email", "*", "email_type", "*"), "UserEmailTypes"),
    (("user_identifier", "*", "id_type"), "UserIdentifierTypes"),
    (("researcher", "researcher_title"), "UserTitles"),
    (("researcher", "position"), "OrganizationPositions"),
    (("researcher", "portal_profile"), "EsploroPortalField"),
    (("researcher", "default_publication_language"), "UserPreferredLanguage"),
    *(
        (("researcher", affiliations, "*", "position"), "OrganizationPositions")
        for affiliations in (
            "researcher_organization_affiliation",
            "researcher_previous_organization_affiliation",
            "researcher_external_organization_affiliation",
            "researcher_previous_external_organization_affiliation",
        )
    ),
    (
        ("researcher", "researcher_engagement_type", "*", "researcher_engagement"),
        "ResearcherEngagementTypes",
    ),
    (("researcher", "researcher_research_topic", "*"), "ResearchTopicsLabels"),
    (("researcher", "researcher_language", "*"), "ResearchLanguagesNames"),
    (("researcher", "user_identifier", "*", "id_type"), "UserIdentifierTypes"),
)

# The values the sandbox accepts in the two coded asset fields, with their descriptions. Not
# code tables (see the module docstring): CCBY_V4.0 'CC BY V4.0', CCBY-NCSA_V4.0 'CC BY-NC-SA
# V4.0' and publication.journalArticle 'Journal article' are seen in the captured asset, the
# rest are guesses.
ASSET_VALUE_LISTS: dict[str, CodeTable] = {
    "license": {
        "CCBY_V4.0": "CC BY V4.0",
        "CCBY-SA_V4.0": "CC BY-SA V4.0",
        "CCBY-NC_V4.0": "CC BY-NC V4.0",
        "CCBY-ND_V4.0": "CC BY-ND V4.0",
        "CCBY-NCSA_V4.0": "CC BY-NC-SA V4.0",
        "CCBY-NCND_V4.0": "CC BY-NC-ND V4.0",
        "CC0_V1.0": "CC0 V1.0",
        "INC": "In Copyright",
        "A": "All rights reserved",
    },
    "resourcetype.esploro": {
        "publication.journalArticle": "Journal article",
        "publication.conferencePaper": "Conference paper",
        "publication.bookChapter": "Book chapter",
        "publication.book": "Book",
        "publication.report": "Report",
        "publication.review": "Review",
        "publication.preprint": "Preprint",
        "etd.doctoral": "Doctoral thesis",
        "etd.graduate": "Master's thesis",
        "dataset.dataset": "Dataset",
        "software.software": "Software",
        "conference.presentation": "Presentation",
        "other.other": "Other",
    },
}

# Plain code fields of an asset, the derived `*WithDesc` object the server computes from each
# (docs/sandbox.md), and the value list (`ASSET_VALUE_LISTS`) that checks it.
ASSET_CODE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("license", "licenseWithDesc", "license"),
    ("resourcetype.esploro", "resourceTypeEsploroWithDesc", "resourcetype.esploro"),
)


# Tables and organisation units loaded with `sandbox --load` (sandbox/loading.py): they win over
# the built-in ones while a request of that sandbox is handled (`loaded_tables`).
_LOADED_TABLES: ContextVar[Mapping[str, CodeTable]] = ContextVar(
    "loaded_code_tables", default=MappingProxyType({})
)
_LOADED_UNITS: ContextVar[list[dict[str, Any]] | None] = ContextVar(
    "loaded_organizations", default=None
)


@contextmanager
def loaded_tables(
    tables: Mapping[str, CodeTable], organizations: list[dict[str, Any]] | None
) -> Iterator[None]:
    """Serve and validate against loaded tables and units, for the current request only."""
    tables_token = _LOADED_TABLES.set(tables)
    units_token = _LOADED_UNITS.set(organizations)
    try:
        yield
    finally:
        _LOADED_TABLES.reset(tables_token)
        _LOADED_UNITS.reset(units_token)


def known_values(name: str) -> CodeTable:
    """The codes of a code table or of an asset value list; a KeyError for neither."""
    loaded = _LOADED_TABLES.get().get(name)
    if loaded is not None:
        return loaded
    table = CODE_TABLES.get(name)
    return table if table is not None else ASSET_VALUE_LISTS[name]


def is_code_table(name: str) -> bool:
    """True for a real (served) code table, False for an asset value list."""
    return name in CODE_TABLES or (name in _LOADED_TABLES.get() and name not in ASSET_VALUE_LISTS)


# `GET .../mapping-tables/AssetFileAndLinkTypes`, as config/mapping-table-AssetFileAndLinkTypes.json
# shows it: (column0 = file or link type code, column1 = applicability, column2 = asset types,
# update_date). The "Test123 " row, trailing space and all, is the real institution's.
_FILE_AND_LINK_TYPE_ROWS: tuple[tuple[str, str, str, str], ...] = (
    ("07940839-AssetLink", "link", "all", "2025-03-14Z"),
    ("07940839-AssetFile", "file", "all", "2025-03-14Z"),
    ("pdf", "both", "etd", "2025-02-20Z"),
    ("presentation", "both", "etd", "2025-02-20Z"),
    ("spreadsheet", "both", "etd", "2025-02-20Z"),
    ("text", "both", "etd", "2025-02-20Z"),
    ("video", "both", "etd,teaching", "2025-02-20Z"),
    ("webpage", "both", "etd,teaching", "2025-02-20Z"),
    ("data", "both", "etd", "2025-02-20Z"),
    ("other", "both", "etd", "2025-02-20Z"),
    ("illustrations", "both", "patent", "2025-02-20Z"),
    ("accepted", "both", "publication,postedContent,patent", "2025-02-20Z"),
    ("published", "both", "publication,postedContent,patent", "2025-02-20Z"),
    ("preprint", "both", "publication,postedContent", "2025-02-20Z"),
    ("submitted", "both", "publication,postedContent,patent", "2025-02-20Z"),
    ("correction", "both", "publication,postedContent,patent", "2025-02-20Z"),
    ("readme", "both", "dataset,software", "2025-02-20Z"),
    ("eventwebsite", "link", "conference,creativeWork", "2025-02-20Z"),
    ("hand_outs", "both", "conference,creativeWork,teaching", "2025-02-20Z"),
    ("slides", "both", "conference,creativeWork,teaching", "2025-02-20Z"),
    ("audio", "both", "etd,teaching", "2025-02-20Z"),
    ("code", "both", "etd", "2025-02-20Z"),
    ("image", "both", "etd", "2025-02-20Z"),
    ("Test123 ", "both", "dataset,etd,publication,teaching", "2025-02-20Z"),
    ("07940839-AssetBoth", "both", "all", "2025-03-14Z"),
)

_CONF_BASE = "https://api-na.hosted.exlibrisgroup.com/almaws/v1/conf"

MAPPING_TABLES: dict[str, dict[str, Any]] = {
    "AssetFileAndLinkTypes": {
        "code": "AssetFileAndLinkTypes",
        "name": "Asset File And Link Types",
        "description": "Asset File And Link Types",
        "sub_system": {"value": "RESEARCH", "desc": "Research"},
        "customized": True,
        "scope": {
            "institution_id": {"value": "TR_INTEGRATION_INST", "desc": "TR Integration"},
            "library_id": {"value": "", "desc": ""},
        },
        "header": [
            {"number": "0", "name": "code", "type": {"value": "TextField"}},
            {
                "number": "1",
                "type": {
                    "value": "code-tables",
                    "link": f"{_CONF_BASE}/code-tables/AssetFileAndLinkTypesApplicability",
                },
            },
            {"number": "2", "type": {"value": "TextField"}},
        ],
        "row": [
            {
                "column0": code,
                "column1": applicability,
                "column2": asset_types,
                "enabled": True,
                "managed_in_network": False,
                "updated_by": "esploro_impl",
                "update_date": updated,
            }
            for code, applicability, asset_types, updated in _FILE_AND_LINK_TYPE_ROWS
        ],
        "link": f"{_CONF_BASE}/mapping-tables/AssetFileAndLinkTypes",
    },
}


def file_and_link_types(applicable_to: str) -> frozenset[str]:
    """The AssetFileAndLinkTypes codes usable for a `link` or a `file` (column1 or `both`)."""
    rows = MAPPING_TABLES["AssetFileAndLinkTypes"]["row"]
    return frozenset(row["column0"] for row in rows if row["column1"] in (applicable_to, "both"))


def mapping_table_document(name: str) -> dict[str, Any] | None:
    """The body of `GET .../mapping-tables/{name}`, exactly as the evidence shows it."""
    table = MAPPING_TABLES.get(name)
    return None if table is None else copy.deepcopy(table)


@dataclass(frozen=True)
class OrgUnit:
    code: str
    name: str
    unit_type: str
    parent: str | None


ORG_UNITS: tuple[OrgUnit, ...] = (
    OrgUnit("UNIV", "Esploro University", "INSTITUTION", None),
    OrgUnit("FAC_SCI", "Faculty of Science", "FACULTY", "UNIV"),
    OrgUnit("FAC_ENG", "Faculty of Engineering", "FACULTY", "UNIV"),
    OrgUnit("FAC_ARTS", "Faculty of Arts & Humanities", "FACULTY", "UNIV"),
    OrgUnit("FAC_MED", "Faculty of Medicine and Health", "FACULTY", "UNIV"),
    OrgUnit("FAC_LAW", "Faculty of Law", "FACULTY", "UNIV"),
    OrgUnit("DEP_CHEM", "Department of Chemistry", "DEPARTMENT", "FAC_SCI"),
    OrgUnit("DEP_PHYS", "Department of Physics & Astronomy", "DEPARTMENT", "FAC_SCI"),
    OrgUnit("DEP_BIO", "School of Biological Sciences", "DEPARTMENT", "FAC_SCI"),
    OrgUnit("DEP_MATH", "Department of Mathematics and Statistics", "DEPARTMENT", "FAC_SCI"),
    OrgUnit("DEP_CS", "School of Computer Science", "DEPARTMENT", "FAC_ENG"),
    OrgUnit(
        "DEP_CIVIL", "Department of Civil & Environmental Engineering", "DEPARTMENT", "FAC_ENG"
    ),
    OrgUnit(
        "DEP_EEE", "Department of Electrical and Electronic Engineering", "DEPARTMENT", "FAC_ENG"
    ),
    OrgUnit("DEP_HIST", "Department of History", "DEPARTMENT", "FAC_ARTS"),
    OrgUnit("DEP_LING", "Department of Linguistics", "DEPARTMENT", "FAC_ARTS"),
    OrgUnit("DEP_MUS", "School of Music", "DEPARTMENT", "FAC_ARTS"),
    OrgUnit("DEP_PH", "School of Public Health", "DEPARTMENT", "FAC_MED"),
    OrgUnit("DEP_NEURO", "Institute of Neuroscience", "INSTITUTE", "FAC_MED"),
    OrgUnit("DEP_NURS", "School of Nursing & Midwifery", "DEPARTMENT", "FAC_MED"),
    OrgUnit("DEP_LAW", "Centre for Law, Technology and Society", "CENTRE", "FAC_LAW"),
    OrgUnit("CTR_CLIMATE", 'Grantham Centre for Climate "Resilience"', "CENTRE", "FAC_SCI"),
    OrgUnit("CTR_QUANT", "Quantum Information Hub", "CENTRE", "FAC_SCI"),
    OrgUnit("LIB", "University Library", "SERVICE", "UNIV"),
)

ORG_UNIT_TYPES: CodeTable = {
    "INSTITUTION": "Institution",
    "FACULTY": "Faculty",
    "DEPARTMENT": "Department",
    "INSTITUTE": "Institute",
    "CENTRE": "Research centre",
    "SERVICE": "Service unit",
}


def code_table_document(name: str) -> dict[str, Any] | None:
    """The body of `GET researchconf/code-tables/{name}`, shaped like Alma's conf API."""
    table = known_values(name) if is_code_table(name) else None
    if table is None:
        return None
    return {
        "name": name,
        "description": name,
        "row": [
            {"code": code, "description": desc, "default": False, "enabled": True}
            for code, desc in table.items()
        ],
    }


def organizations_document() -> dict[str, Any]:
    """The body of `GET organizations/internal` (list key `research_organization`)."""
    loaded = _LOADED_UNITS.get()
    if loaded is not None:
        return {"research_organization": loaded, "total_record_count": len(loaded)}
    units = [
        {
            "organization_code": unit.code,
            "organization_name": unit.name,
            "organization_type": {"value": unit.unit_type, "desc": ORG_UNIT_TYPES[unit.unit_type]},
            "parent_organization_code": unit.parent or "",
        }
        for unit in ORG_UNITS
    ]
    return {"research_organization": units, "total_record_count": len(units)}
