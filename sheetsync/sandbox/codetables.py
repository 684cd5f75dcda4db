"""The sandbox's configuration data: code tables and internal organisation units.

Real Esploro validates every code-table value on write and fills in its `desc`; the sandbox
does the same from these tables (see `schema.py`). The tables hold every code the seed data
uses and every code the captured real asset (`data/captured_asset.json`) carries, with the
captured descriptions, so that the capture round-trips unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

CodeTable = dict[str, str]  # code -> description

CODE_TABLES: dict[str, CodeTable] = {
    "UserGroups": {
        "FACULTY": "Faculty",
        "STAFF": "Staff",
        "POSTDOC": "Postdoctoral Researcher",
        "PHD": "Doctoral Candidate",
        "EMERITUS": "Emeritus",
        "AFFILIATE": "Affiliate",
    },
    "UserStatuses": {"ACTIVE": "Active", "INACTIVE": "Inactive"},
    "UserRecordTypes": {"PUBLIC": "Public", "STAFF": "Staff"},
    "AccountTypes": {"EXTERNAL": "External", "INTERNAL": "Internal"},
    "EmailTypes": {"work": "Work", "personal": "Personal", "school": "School"},
    "UserIdentifierTypes": {
        "UNIV_ID": "University ID",
        "BARCODE": "Barcode",
        "INST_ID": "Institution ID",
    },
    "ResearcherIdentifierTypes": {
        "ORCID": "ORCID",
        "SCOPUS": "Scopus Author ID",
        "RESEARCHER_ID": "Web of Science ResearcherID",
        "ISNI": "ISNI",
        "GOOGLE_SCHOLAR": "Google Scholar ID",
        "VIAF": "VIAF",
    },
    "ResearcherTitles": {
        "DR": "Dr.",
        "PROF": "Prof.",
        "MR": "Mr.",
        "MS": "Ms.",
        "MX": "Mx.",
        "MRS": "Mrs.",
        "REV": "Rev.",
    },
    "ResearcherPositions": {
        "PROFESSOR": "Professor",
        "ASSOCIATE_PROFESSOR": "Associate Professor",
        "ASSISTANT_PROFESSOR": "Assistant Professor",
        "LECTURER": "Lecturer",
        "SENIOR_LECTURER": "Senior Lecturer",
        "RESEARCH_FELLOW": "Research Fellow",
        "POSTDOCTORAL_FELLOW": "Postdoctoral Fellow",
        "PHD_CANDIDATE": "PhD Candidate",
        "LIBRARIAN": "Librarian",
        "PROFESSOR_EMERITUS": "Professor Emeritus",
        "DEAN": "Dean",
        "HEAD_OF_DEPARTMENT": "Head of Department",
    },
    "ResearcherPortalProfiles": {
        "PUBLIC": "Public profile",
        "PRIVATE": "Private profile",
        "AUTO": "Automatic (by user group)",
    },
    "ResearchTopics": {
        "AI": "Artificial intelligence",
        "CLIMATE": "Climate science",
        "PUBLIC_HEALTH": "Public health",
        "MATERIALS": "Materials science",
        "QUANTUM": "Quantum information",
        "LINGUISTICS": "Linguistics",
        "HISTORY": "History",
        "ECONOMICS": "Economics",
        "NEUROSCIENCE": "Neuroscience",
        "EDUCATION": "Education research",
        "ECOLOGY": "Ecology and evolution",
        "LAW": "Law and society",
        "MUSIC": "Musicology",
        "ENERGY": "Energy systems",
        "GENOMICS": "Genomics",
        "MARINE": "Marine science",
    },
    "WebpageTypes": {
        "homepage": "Homepage",
        "lab": "Laboratory",
        "blog": "Blog",
        "linkedin": "LinkedIn",
        "other": "Other",
    },
    "AssetLicenses": {
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
    "AssetResourceTypes": {
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

# Where code-table values sit in a researcher record. A path is a tuple of keys; "*" walks
# every item of a list. The value at the end is a `{"value": ..., "desc": ...}` object.
RESEARCHER_CODE_FIELDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("record_type",), "UserRecordTypes"),
    (("account_type",), "AccountTypes"),
    (("user_group",), "UserGroups"),
    (("status",), "UserStatuses"),
    (("contact_info", "email", "*", "email_type", "*"), "EmailTypes"),
    (("user_identifier", "*", "id_type"), "UserIdentifierTypes"),
    (("researcher", "researcher_title"), "ResearcherTitles"),
    (("researcher", "position"), "ResearcherPositions"),
    (("researcher", "portal_profile"), "ResearcherPortalProfiles"),
    (("researcher", "researcher_research_topic", "*"), "ResearchTopics"),
    (("researcher", "researcher_organization_affiliation", "*", "position"), "ResearcherPositions"),
    (
        ("researcher", "researcher_previous_organization_affiliation", "*", "position"),
        "ResearcherPositions",
    ),
    (("researcher", "user_identifier", "*", "id_type"), "ResearcherIdentifierTypes"),
)

# Plain code fields of an asset and the derived `*WithDesc` object the server computes
# from each (docs/sandbox.md: "`*WithDesc` objects beside a plain code field are derived").
ASSET_CODE_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("license", "licenseWithDesc", "AssetLicenses"),
    ("resourcetype.esploro", "resourceTypeEsploroWithDesc", "AssetResourceTypes"),
)


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
    table = CODE_TABLES.get(name)
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
