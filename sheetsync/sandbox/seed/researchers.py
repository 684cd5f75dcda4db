"""Researchers: Alma user records with an Esploro research profile, and `generate_researchers`.

`_ResearcherFactory` builds the Alma user part and keeps IDs, slugs and e-mail addresses
unique; `_ResearcherProfileBuilder` builds the `researcher` sub-object. Records follow the API's
shape key for key, in its order (rest_user.xsd, rest_researcher.xsd; `schema.py` holds the
same order), so a round trip through the sandbox compares field by field.

What real records do and careless clients trip over, all here: published names
(`researcher_first_name`, ...) that differ from the user record's names; unset code fields as
`{"value": "", "desc": ""}`; strings where one expects booleans (`auto_capture`) and integers
(`positionOrder`), integers where one expects strings (education years); primary IDs that look
like e-mail addresses; and ORCID iDs in the user record's `user_identifier[]`, in the profile's
`researcher.user_identifier[]`, in both, or in both with different values (`orcid_situation`).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, Literal, NamedTuple

from sheetsync.sandbox.codetables import CODE_TABLES, ORG_UNITS
from sheetsync.sandbox.seed.codes import ORG_NAMES, _code, _empty_code
from sheetsync.sandbox.seed.draws import _alma_date, _counter, _digits, _unique, _weighted
from sheetsync.sandbox.seed.identifiers import (
    ID_LENGTHS,
    INSTITUTION_SUFFIX,
    RESEARCHER_ID_LENGTH_WEIGHTS,
    _orcid,
    orcid_checksum,
)
from sheetsync.sandbox.seed.people import (
    Person,
    _full_name,
    _latin,
    _name_variant_candidates,
    _random_person,
    _slug,
)
from sheetsync.sandbox.seed.text import _keyword_values, _text_fill
from sheetsync.sandbox.seed.vocabulary import (
    BIO_OPENING,
    BIO_SENTENCES,
    EXTRA_TOPIC_LABELS,
    GENERAL_TERMS,
    TOPIC_CODES,
    TOPIC_LABELS,
    TOPIC_OF_LABEL,
    TOPICS,
    _article,
)

# fmt: off
USER_GROUPS = ("FACULTY", "PHD", "POSTDOC", "STAFF", "EMERITUS", "AFFILIATE")
USER_GROUP_WEIGHTS = (45, 15, 12, 10, 6, 12)
GROUP_POSITIONS: dict[str, tuple[str, ...]] = {
    "FACULTY": ("professor", "associate_professor", "associate_professor", "assistant_professor",
                "lecturer", "senior_lecturer", "dean", "head_of_department"),
    "PHD": ("phd_candidate",),
    "POSTDOC": ("postdoctoral_fellow", "research_fellow"),
    "STAFF": ("librarian", "research_fellow"),
    "EMERITUS": ("professor_emeritus",),
    "AFFILIATE": ("research_fellow", "lecturer"),
}
PROFESSORIAL = frozenset(("professor", "associate_professor", "professor_emeritus", "dean"))
PLAIN_TITLES = ("MR", "MS", "MX", "MRS")

CITIES = (
    ("Toronto", "M"), ("Montréal", "H"), ("Vancouver", "V"), ("Ottawa", "K"), ("Halifax", "B"),
    ("Winnipeg", "R"), ("Québec", "G"), ("Calgary", "T"), ("Saskatoon", "S"),
    ("St. John's", "A"),
)
STREETS = (
    "King Street West", "Rue Sainte-Catherine Ouest", "University Avenue",
    "Chemin de la Côte-des-Neiges", "Spring Garden Road", "Portage Avenue",
    "Boulevard René-Lévesque Est", "Water Street", "College Street", "Main Mall",
)
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"
WORK_DOMAIN = "esploro.edu"
PERSONAL_DOMAINS = ("gmail.com", "outlook.com", "proton.me", "yahoo.ca", "icloud.com")
# ResearchLanguagesNames codes: three-letter bibliographic codes ("fre", "ger", "chi").
LANGUAGES = ("eng", "fre", "ger", "spa", "por", "ita", "dut", "chi", "jpn", "kor", "ara",
             "hin", "vie", "tur", "pol", "ice", "dan", "swe", "fin", "gre", "yor", "mao")
PUBLICATION_LANGUAGES = ("fr", "de", "es", "pt", "it")
ALMA_IDENTIFIER_KINDS = ("UNIV_ID", "BARCODE", "INST_ID")
PROFILE_IDENTIFIER_KINDS = ("SCOPUS", "RESEARCHER_ID", "ISNI", "GOOGLE_SCHOLAR", "VIAF")

# Webpage types: rest_researcher.xsd's list (Homepage, CV, Pubpage, Unknown, Profile, Lab).
WEBPAGE_TITLES: dict[str, tuple[str, ...]] = {
    "Homepage": ("Personal homepage", "Faculty profile"),
    "Lab": ("{last} Lab", "Research group website"),
    "Pubpage": ("Publications list", "Google Scholar profile"),
    "Profile": ("LinkedIn",),
    "CV": ("Curriculum vitae", "CV"),
    "Unknown": ("Code on GitHub", "Research blog"),
}
WEBPAGE_URLS: dict[str, str] = {
    "Homepage": "https://www.esploro.edu/people/{slug}",
    "Lab": "https://{slug}-lab.esploro.edu/",
    "Pubpage": "https://www.esploro.edu/people/{slug}/publications",
    "Profile": "https://www.linkedin.com/in/{slug}",
    "CV": "https://www.esploro.edu/people/{slug}/cv.pdf",
    "Unknown": "https://github.com/{compact}",
}
DEGREES = (("BA", "BSc", "BEng", "LLB", "BMus"), ("MA", "MSc", "MPhil", "LLM", "MEd"),
           ("PhD", "DPhil", "MD", "EdD"))
EXTERNAL_ORGS: dict[str, str] = {
    "41___UNIVERSITY_OF_TORONTO": "University of Toronto",
    "41___MCGILL_UNIVERSITY": "McGill University",
    "41___UNIVERSITE_LAVAL": "Université Laval",
    "41___MONASH_UNIVERSITY_(MELBOURNE)": "Monash University",
    "41___UNIVERSITY_OF_CAPE_TOWN": "University of Cape Town",
    "41___UNIVERSIDAD_DE_BUENOS_AIRES": "Universidad de Buenos Aires",
    "41___ETH_ZURICH": "ETH Zürich",
    "41___UNIVERSITY_OF_TOKYO": "The University of Tokyo",
    "41___KU_LEUVEN": "KU Leuven",
    "41___UNIVERSITY_OF_ICELAND": "University of Iceland",
    "41___JAGIELLONIAN_UNIVERSITY": "Uniwersytet Jagielloński",
    "41___INDIAN_INSTITUTE_OF_SCIENCE": "Indian Institute of Science",
    "41___UNIVERSITY_OF_IBADAN": "University of Ibadan",
    "41___SORBONNE_UNIVERSITE": "Sorbonne Université",
}
# Some education entries name a place only in text, with an empty code (the excerpt's
# "Illinois Institute").
UNCODED_SCHOOLS = ("Illinois Institute", "Conservatoire de Montréal", "Kyoto Seika",
                   "Escuela Normal Superior")
EXTERNAL_ORG_NAMES = (
    "the University of Toronto", "McGill University", "Université Laval", "Monash University",
    "the University of Cape Town", "ETH Zürich", "the University of Tokyo", "KU Leuven",
    "Uniwersytet Jagielloński", "Universidade de São Paulo", "the University of Ibadan",
)
HONOR_ORGS: dict[str, str] = {
    "RSC": "Royal Society of Canada",
    "NSERC": "Natural Sciences and Engineering Research Council of Canada",
    "SSHRC": "Social Sciences and Humanities Research Council",
    "CIHR": "Canadian Institutes of Health Research",
    "ERC": "European Research Council",
    "IEEE": "IEEE",
    "ACLS": "American Council of Learned Societies",
    "ROYAL_SOCIETY": "The Royal Society",
}
HONOR_TITLES = (
    "Fellow of the Royal Society of Canada", "Early Career Researcher Award",
    "Best Paper Award", "Killam Research Fellowship", "Teaching Excellence Award",
    "Canada Research Chair (Tier 2)", "Distinguished Lecturer", "Outstanding Reviewer Award",
)
ASSOCIATIONS = (
    "Royal Society of Chemistry", "Canadian Association of Physicists",
    "Association for Computing Machinery", "American Historical Association",
    "Linguistic Society of America", "Canadian Public Health Association",
    "Ecological Society of America", "Society for Neuroscience", "Canadian Bar Association",
    "IEEE Power & Energy Society", "Comparative and International Education Society",
)
WEBPAGE_DESCRIPTIONS = (
    "Publications, teaching and contact details", "News and open positions in the group",
    "Preprints, slides and datasets", "Occasional writing about research and teaching",
)
AFFILIATION_STARTS = ("01-01", "07-01", "09-01", "08-15")
EARLIER_POSITIONS = ("postdoctoral_fellow", "research_fellow", "lecturer", "assistant_professor",
                     "phd_candidate")
POST_TITLES = (
    "Graduate Research Assistant", "Visiting Scholar", "Programme Director",
    "Director of Graduate Studies", "Associate Dean (Research)", "Canada Research Chair",
)
ACTIVE_WEIGHT = 0.92
EMAIL_ID_WEIGHT = 0.05  # primary IDs that are the person's work e-mail address
# Where a researcher's ORCID iD is, for those who have one (~85%).
ORCID_PLACES = ("researcher", "top-level", "both-equal", "both-different")
ORCID_PLACE_WEIGHTS = (45, 27, 21, 7)
SECOND_TITLE_LANGUAGES = ("fre", "ger", "spa")
# fmt: on

OrcidSituation = Literal["none", "researcher", "top-level", "both-equal", "both-different"]


class Profile(NamedTuple):
    """What the parts of one researcher record must agree on."""

    person: Person
    group: str
    position: str | None
    title: str | None  # a UserTitles code
    topic: str
    slug: str
    email: str
    orcid_place: str | None  # one of ORCID_PLACES, or None for no ORCID iD


class _ResearcherFactory:
    """Builds researcher records one at a time, remembering what must stay unique."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"sheetsync-seed/researchers/{seed}")
        self.ids: set[str] = set()
        self.slugs: set[str] = set()
        self.emails: set[str] = set()
        self.orcids: set[str] = set()
        self.profiles = _ResearcherProfileBuilder(self.rng, self.orcids)

    def make(self) -> dict[str, Any]:
        profile = self._profile()
        record = self._user(profile)
        record["is_researcher"] = True
        record["researcher"] = self.profiles.build(profile)
        record["user_identifier"] = self._user_identifiers(profile, record["researcher"])
        record["user_role"] = [_patron_role() for _ in range(1 + (self.rng.random() < 0.15))]
        record.update(user_block=[], user_note=[], user_statistic=[], proxy_for_user=[])
        record.update(source_link_id="", linking_id="")
        return record

    def _profile(self) -> Profile:
        """Draw the facts several parts of the record repeat (name, group, domain, slug)."""
        rng = self.rng
        person = _random_person(rng)
        group = USER_GROUPS[_weighted(rng, USER_GROUP_WEIGHTS)]
        position = rng.choice(GROUP_POSITIONS[group]) if rng.random() < 0.92 else None
        full = _full_name(person.first, person.middle, person.last)
        slug = _unique(self.slugs, _counter(_slug(full)))
        local = _slug(f"{person.first} {person.last}", ".")
        email = _unique(self.emails, _counter(local, "{base}{n}")) + "@" + WORK_DOMAIN
        orcid_place = None
        if rng.random() < 0.85:
            orcid_place = ORCID_PLACES[_weighted(rng, ORCID_PLACE_WEIGHTS)]
        title = _title(rng, position)
        return Profile(
            person, group, position, title, rng.choice(TOPIC_CODES), slug, email, orcid_place
        )

    def _primary_id(self, profile: Profile) -> str:
        """Mostly Alma-shaped ("...0000561"), never starting "99" like an asset ID; now and
        then the person's work e-mail address, as some institutions load them."""
        rng = self.rng
        if rng.random() < EMAIL_ID_WEIGHT:
            return profile.email
        length = ID_LENGTHS[_weighted(rng, RESEARCHER_ID_LENGTH_WEIGHTS)]
        suffix = INSTITUTION_SUFFIX if rng.random() < 0.9 else ""
        return str(rng.randint(10, 98)) + _digits(rng, length - 2 - len(suffix)) + suffix

    def _user(self, profile: Profile) -> dict[str, Any]:
        """The Alma user part, up to `pref_name_suffix`; `make` appends the rest in order."""
        rng, person = self.rng, profile.person
        expiry = rng.randint(2026, 2034)
        status = "ACTIVE" if rng.random() < ACTIVE_WEIGHT else "INACTIVE"
        primary_id = _unique(self.ids, lambda: self._primary_id(profile))
        title = profile.title if profile.title and rng.random() < 0.2 else None
        language = "en" if rng.random() < 0.9 else rng.choice(PUBLICATION_LANGUAGES)
        return {
            "record_type": _code(
                "AddNewUserOptions", "STAFF" if profile.group == "STAFF" else "PUBLIC"
            ),
            "primary_id": primary_id,
            "first_name": person.first,
            "middle_name": person.middle,
            "last_name": person.last,
            "full_name": _full_name(person.first, person.middle, person.last),
            "user_title": _code("UserTitles", title) if title else _empty_code(),
            "job_category": _empty_code(),
            "job_description": _job_description(rng, profile),
            "gender": _empty_code(),
            "user_group": _code("UserGroups", profile.group),
            "campus_code": {"value": None, "desc": ""},
            "web_site_url": "",
            "preferred_language": _code("UserPreferredLanguage", language),
            "expiry_date": f"{expiry}-12-31Z",
            "purge_date": f"{expiry + 1}-12-31Z",
            "account_type": _code(
                "UserUserType", "EXTERNAL" if rng.random() < 0.85 else "INTERNAL"
            ),
            "external_id": "SIS",
            "password": "",
            "force_password_change": "",
            "status": _code("ContentStructureStatus", status),
            "status_date": _alma_date(rng, 2012, 2025),
            "contact_info": self._contact_info(profile),
            "pref_first_name": "",
            "pref_middle_name": "",
            "pref_last_name": "",
            "pref_name_suffix": person.suffix,
        }

    def _contact_info(self, profile: Profile) -> dict[str, Any]:
        """0-1 work address, 1-2 e-mails with exactly one preferred, no phones."""
        rng = self.rng
        addresses = [_address(rng)] if rng.random() < 0.6 else []
        emails = [_email(profile.email, "work", preferred=True)]
        if rng.random() < 0.3:
            personal = f"{_slug(profile.person.last, '')}{rng.randint(1, 99)}"
            kind = rng.choice(("personal", "school"))
            emails.append(_email(f"{personal}@{rng.choice(PERSONAL_DOMAINS)}", kind, False))
        if rng.random() < 0.2:  # the preferred address is not always listed first
            emails.reverse()
        return {"address": addresses, "email": emails, "phone": []}

    def _user_identifiers(
        self, profile: Profile, researcher: dict[str, Any]
    ) -> list[dict[str, Any]]:
        """1-2 Alma identifiers of different types, then the ORCID iD when the user record
        holds one: the profile's own, or (`both-different`) another valid one."""
        rng = self.rng
        kinds = rng.sample(ALMA_IDENTIFIER_KINDS, 1 + (rng.random() < 0.4))
        items = [
            _identifier(kind, _user_identifier_value(rng, kind, profile.person), "External")
            for kind in kinds
        ]
        if profile.orcid_place in ("top-level", "both-different"):
            items.append(_identifier("ORCID", _unique(self.orcids, lambda: _orcid(rng))))
        elif profile.orcid_place == "both-equal":
            items.append(_identifier("ORCID", _orcids_in(researcher["user_identifier"])[0]))
        return items


def _title(rng: random.Random, position: str | None) -> str | None:
    """A UserTitles code suiting the position, or None (~15%)."""
    if rng.random() < 0.15:
        return None
    if position in PROFESSORIAL and rng.random() < 0.8:
        return "PROF"
    if position in ("phd_candidate", "librarian", None) or rng.random() < 0.1:
        return rng.choice(PLAIN_TITLES) if rng.random() < 0.97 else "REV"
    return "DR"


def _identifier(kind: str, value: str, segment: str = "Internal") -> dict[str, Any]:
    """A `user_identifier` item (rest_user.xsd's type, used by both lists). ORCID iDs are
    "Internal", as the Miami integration writes them."""
    return {
        "id_type": _code("UserIdentifierTypes", kind),
        "value": value,
        "note": "",
        "status": "ACTIVE",
        "segment_type": segment,
    }


def _orcids_in(items: list[dict[str, Any]]) -> list[str]:
    return [
        str(item.get("value"))
        for item in items
        if isinstance(item, dict) and (item.get("id_type") or {}).get("value") == "ORCID"
    ]


def orcid_situation(record: dict[str, Any]) -> OrcidSituation:
    """Where `record` keeps its ORCID iD: "none", "researcher" (the profile's list only),
    "top-level" (the user record's list only), "both-equal" or "both-different".

    Read from the record itself, so it holds for records fetched back from the sandbox too.
    """
    top = set(_orcids_in(record.get("user_identifier") or []))
    profile = set(_orcids_in((record.get("researcher") or {}).get("user_identifier") or []))
    if not top and not profile:
        return "none"
    if not top:
        return "researcher"
    if not profile:
        return "top-level"
    return "both-equal" if top == profile else "both-different"


def _user_identifier_value(rng: random.Random, kind: str, person: Person) -> str:
    """A university ID, a library barcode or a login-style institution ID."""
    if kind == "UNIV_ID":
        return _digits(rng, 8)
    if kind == "BARCODE":
        return "3902" + _digits(rng, 10)
    return _slug(person.last, "")[:8] + _digits(rng, 3)


def _job_description(rng: random.Random, profile: Profile) -> str:
    if profile.position is None or rng.random() < 0.6:
        return ""
    return CODE_TABLES["OrganizationPositions"][profile.position]


def _patron_role() -> dict[str, Any]:
    """The one role every researcher has; PUT keeps it when `user_role` is left out."""
    return {
        "status": {"value": "ACTIVE", "desc": "Active"},
        "scope": {"value": "01ESPLORO_INST", "desc": "Esploro University"},
        "role_type": {"value": "200", "desc": "Patron"},
        "parameter": [],
    }


def _address(rng: random.Random) -> dict[str, Any]:
    """A Canadian work address, with a postal code of the city's own first letter."""
    city, letter = rng.choice(CITIES)
    postal = (
        f"{letter}{rng.randint(0, 9)}{rng.choice(POSTAL_LETTERS)} "
        f"{rng.randint(0, 9)}{rng.choice(POSTAL_LETTERS)}{rng.randint(0, 9)}"
    )
    return {
        "line1": f"{rng.randint(1, 2999)} {rng.choice(STREETS)}",
        "city": city,
        "postal_code": postal,
        "country": {"value": "CAN", "desc": "Canada"},
        "preferred": True,
        "segment_type": "External",
        "address_type": [{"value": "work", "desc": "Work"}],
    }


def _email(address: str, kind: str, preferred: bool) -> dict[str, Any]:
    return {
        "email_address": address,
        "description": "",
        "preferred": preferred,
        "segment_type": "External",
        "email_type": [_code("UserEmailTypes", kind)],
    }


class _ResearcherProfileBuilder:
    """The `researcher` sub-object: the research profile Esploro adds to an Alma user."""

    def __init__(self, rng: random.Random, orcids: set[str]) -> None:
        self.rng = rng
        self.orcids = orcids

    def build(self, profile: Profile) -> dict[str, Any]:
        """Every rest_researcher.xsd element, in schema.py's order."""
        rng, person = self.rng, profile.person
        name = self._research_name(person)
        has_image = rng.random() < 0.3
        return {
            "researcher_first_name": name.first,
            "researcher_middle_name": name.middle,
            "researcher_last_name": name.last,
            "researcher_suffix": name.suffix,
            "researcher_title": _code("UserTitles", profile.title)
            if profile.title
            else _empty_code(),
            "profile_image_url": f"https://research.esploro.edu/profiles/{profile.slug}/image"
            if has_image
            else "",
            "photo_url": f"https://www.esploro.edu/people/{profile.slug}/photo.jpg"
            if rng.random() < 0.15
            else "",
            "profile_identifier_url": profile.slug,
            "display_title": self._display_title(profile),
            "position": _code("OrganizationPositions", profile.position)
            if profile.position
            else _empty_code(),
            "portal_profile": _code(
                "EsploroPortalField", "true" if rng.random() < 0.8 else "false"
            ),
            "auto_capture": "true" if rng.random() < 0.6 else "false",
            "update_ORCID_profile": profile.orcid_place is not None and rng.random() < 0.5,
            "research_center": "true" if rng.random() < 0.9 else "false",
            "previous_affiliated": rng.random() < 0.03,
            "default_publication_language": self._publication_language(),
            **self._lists(profile),
        }

    def _publication_language(self) -> dict[str, str]:
        roll = self.rng.random()
        if roll < 0.05:
            return _empty_code()
        language = "en" if roll < 0.9 else self.rng.choice(PUBLICATION_LANGUAGES)
        return _code("UserPreferredLanguage", language)

    def _lists(self, profile: Profile) -> dict[str, Any]:
        rng = self.rng
        current = self._affiliations(profile)
        labels = self._topic_labels(profile.topic)
        return {
            "researcher_alternate_email": self._alternate_emails(profile.person),
            "researcher_organization_affiliation": current,
            "researcher_previous_organization_affiliation": self._previous(profile, current),
            "researcher_external_organization_affiliation": self._external(0.1, current=True),
            "researcher_previous_external_organization_affiliation": self._external(
                0.15, current=False
            ),
            "researcher_name_variant": self._name_variants(profile.person),
            "researcher_engagement_type": self._engagements(),
            "researcher_research_topic": [_code("ResearchTopicsLabels", v) for v in labels],
            "researcher_keyword": [{"value": v} for v in self._keywords(profile.topic, labels)],
            "researcher_association": [
                {"value": v} for v in rng.sample(ASSOCIATIONS, _weighted(rng, (65, 25, 10)))
            ],
            "researcher_language": [_code("ResearchLanguagesNames", v) for v in self._languages()],
            "researcher_honor": self._honors(),
            "researcher_education": self._education(profile.topic),
            "researcher_description": [{"description": self._bio(profile, current)}]
            if rng.random() < 0.55
            else [],
            "researcher_webpage": self._webpages(profile),
            "user_identifier": self._identifiers(profile.orcid_place),
        }

    def _alternate_emails(self, person: Person) -> list[dict[str, str]]:
        if self.rng.random() >= 0.25:
            return []
        domain = self.rng.choice(PERSONAL_DOMAINS)
        return [{"email_address": f"{_slug(person.last, '')}.research@{domain}"}]

    def _research_name(self, person: Person) -> Person:
        """Usually the user's own name; sometimes the form they publish under."""
        if self.rng.random() < 0.85:
            return person
        variants = _name_variant_candidates(self.rng, person)
        return variants[0] if variants else person

    def _display_title(self, profile: Profile) -> str:
        """'Associate Professor of Inorganic Chemistry', sometimes with the unit, or ''."""
        rng = self.rng
        if profile.position is None or rng.random() < 0.2:
            return ""
        role = CODE_TABLES["OrganizationPositions"][profile.position]
        if rng.random() < 0.3:
            return f"{role}, {ORG_NAMES[TOPICS[profile.topic].orgs[0]]}"
        return f"{role} of {rng.choice(TOPICS[profile.topic].fields)}"

    def _topic_labels(self, primary: str) -> list[str]:
        """0-4 ResearchTopicsLabels codes, the researcher's own domain first."""
        count = _weighted(self.rng, (20, 35, 25, 12, 8))
        if count == 0:
            return []
        own = TOPIC_LABELS[primary]
        others = [label for label in (*TOPIC_LABELS.values(), *EXTRA_TOPIC_LABELS) if label != own]
        return [own, *self.rng.sample(others, count - 1)]

    def _keywords(self, primary: str, labels: list[str]) -> list[str]:
        """0..30 keywords: none for some people, 25 or more for a few, 30 for some."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.12:
            return []
        if roll < 0.16:
            count = 30
        elif roll < 0.22:
            count = rng.randint(25, 29)
        else:
            count = round(rng.triangular(1, 24, 5))
        domains = [TOPIC_OF_LABEL[label] for label in labels if label in TOPIC_OF_LABEL]
        secondary = [term for domain in domains for term in TOPICS[domain].terms]
        pool = [*TOPICS[primary].terms, *secondary, *GENERAL_TERMS]
        return _keyword_values(rng, pool, count)

    def _languages(self) -> list[str]:
        rng = self.rng
        count = 1 + _weighted(rng, (60, 30, 10))
        first = "eng" if rng.random() < 0.8 else rng.choice(LANGUAGES)
        others = rng.sample([code for code in LANGUAGES if code != first], count - 1)
        return [first, *others]

    def _name_variants(self, person: Person) -> list[dict[str, str]]:
        count = _weighted(self.rng, (60, 30, 10))
        variants = _name_variant_candidates(self.rng, person)[:count]
        return [
            {
                "first_name": v.first,
                "middle_name": v.middle,
                "last_name": v.last,
                "name_suffix": v.suffix,
            }
            for v in variants
        ]

    def _engagements(self) -> list[dict[str, Any]]:
        """0-2 engagement types (the XSD allows 5), some with an end date."""
        rng = self.rng
        codes = rng.sample(
            tuple(CODE_TABLES["ResearcherEngagementTypes"]), _weighted(rng, (70, 20, 10))
        )
        items: list[dict[str, Any]] = []
        for code in codes:
            item: dict[str, Any] = {
                "researcher_engagement": _code("ResearcherEngagementTypes", code)
            }
            if rng.random() < 0.3:
                item["engagement_end_date"] = f"{rng.randint(2025, 2030)}-12-31Z"
            items.append(item)
        return items

    def _bio(self, profile: Profile, affiliations: list[dict[str, Any]]) -> str:
        """A few sentences; about 40% broken over lines the way people paste them in."""
        rng = self.rng
        role = CODE_TABLES["OrganizationPositions"].get(profile.position or "", "Researcher")
        role = role if role.startswith("PhD") else role.lower()
        fill = _text_fill(rng, TOPICS[profile.topic])
        fill.update(
            full=_full_name(profile.person.first, profile.person.middle, profile.person.last),
            name=profile.person.last,
            role=role,
            role_art=_article(role),
            org=affiliations[0]["organization_name"],
            ext=rng.choice(EXTERNAL_ORG_NAMES),
        )
        templates = [BIO_OPENING, *rng.sample(BIO_SENTENCES, rng.randint(1, 3))]
        separator = "\n" if rng.random() < 0.4 else " "
        return separator.join(template.format_map(fill) for template in templates)

    def _webpages(self, profile: Profile) -> list[dict[str, str]]:
        """0-3 webpages; `type` is one of the XSD's values, a plain string (no code table)."""
        rng = self.rng
        kinds = rng.sample(tuple(WEBPAGE_URLS), _weighted(rng, (45, 30, 17, 8)))
        last = _latin(profile.person.last)
        return [
            {
                "url": WEBPAGE_URLS[kind].format(
                    slug=profile.slug, compact=profile.slug.replace("-", "")
                ),
                "title": rng.choice(WEBPAGE_TITLES[kind]).format(last=last),
                "description": rng.choice(WEBPAGE_DESCRIPTIONS) if rng.random() < 0.4 else "",
                "type": kind,
            }
            for kind in kinds
        ]

    def _education(self, topic: str) -> list[dict[str, Any]]:
        """Degrees in order (bachelor before master before doctorate), years running on.
        Years are integers (xs:int); a few schools have a name but no code."""
        rng = self.rng
        levels = sorted(rng.sample(range(len(DEGREES)), _weighted(rng, (40, 35, 25))))
        year = rng.randint(1975, 2012)
        items = []
        for level in levels:
            years = (3, 2, 4)[level] + rng.randint(0, 1)
            if rng.random() < 0.1:
                code, name = "", rng.choice(UNCODED_SCHOOLS)
            else:
                code = rng.choice(tuple(EXTERNAL_ORGS))
                name = EXTERNAL_ORGS[code]
            items.append(
                {
                    "organization_code": code,
                    "organization_name": name,
                    "degree": rng.choice(DEGREES[level]),
                    "from_year": year,
                    "to_year": year + years,
                    "field_of_study": rng.choice(TOPICS[topic].fields),
                    "additional_details": "",
                    "suppress_from_public_portal": rng.random() < 0.1,
                }
            )
            year += years + rng.randint(0, 2)
        return items

    def _honors(self) -> list[dict[str, str]]:
        rng = self.rng
        items = []
        for _ in range(_weighted(rng, (65, 25, 10))):
            code = rng.choice(tuple(HONOR_ORGS))
            items.append(
                {
                    "organization_code": code,
                    "organization_name": HONOR_ORGS[code],
                    "title": rng.choice(HONOR_TITLES),
                    "time_period": str(rng.randint(1995, 2025)),
                }
            )
        return items

    def _affiliations(self, profile: Profile) -> list[dict[str, Any]]:
        """1-2 current units from the researcher's domain, the first one their main post."""
        rng = self.rng
        orgs = TOPICS[profile.topic].orgs
        codes = rng.sample(orgs, min(len(orgs), 1 + (rng.random() < 0.25)))
        start = f"{rng.randint(1995, 2024)}-{rng.choice(AFFILIATION_STARTS)}Z"
        items = []
        for order, code in enumerate(codes, 1):
            position = profile.position or "research_fellow"
            if order > 1:
                position = rng.choice(GROUP_POSITIONS[profile.group])
            end = "" if rng.random() < 0.9 else f"{rng.randint(2026, 2030)}-06-30Z"
            post = self._post(position)
            items.append(_affiliation(code, ORG_NAMES[code], start, end, position, post, order))
        return items

    def _previous(self, profile: Profile, current: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """0-1 earlier post at this university, ending when the current one began."""
        rng = self.rng
        if rng.random() >= 0.3:
            return []
        taken = {item["organization_code"] for item in current}
        code = rng.choice([unit.code for unit in ORG_UNITS if unit.code not in taken])
        end_year = int(current[0]["start_date"][:4])
        start = f"{end_year - rng.randint(2, 10)}-{rng.choice(AFFILIATION_STARTS)}Z"
        position = rng.choice(EARLIER_POSITIONS)
        end = f"{end_year - rng.randint(0, 1)}-06-30Z"
        post = self._post(position)
        return [_affiliation(code, ORG_NAMES[code], start, end, position, post, 1)]

    def _external(self, share: float, current: bool) -> list[dict[str, Any]]:
        """0-1 affiliation with another institution (an adjunct post, an earlier job)."""
        rng = self.rng
        if rng.random() >= share:
            return []
        code = rng.choice(tuple(EXTERNAL_ORGS))
        first = rng.randint(1995, 2020)
        start = f"{first}-{rng.choice(AFFILIATION_STARTS)}Z"
        end = "" if current else f"{first + rng.randint(1, 6)}-06-30Z"
        position = rng.choice(EARLIER_POSITIONS)
        post = self._post(position)
        return [_affiliation(code, EXTERNAL_ORGS[code], start, end, position, post, 1)]

    def _post(self, position: str) -> str:
        """The free-text title of a post: usually the position's name, sometimes more."""
        if self.rng.random() < 0.7:
            return CODE_TABLES["OrganizationPositions"][position]
        return self.rng.choice(POST_TITLES)

    def _identifiers(self, orcid_place: str | None) -> list[dict[str, Any]]:
        """0-4 author identifiers, ORCID first when the profile holds one."""
        rng = self.rng
        in_profile = orcid_place in ("researcher", "both-equal", "both-different")
        extra = max(_weighted(rng, (45, 35, 15, 5)), 0 if orcid_place else 1)
        kinds = (["ORCID"] if in_profile else []) + rng.sample(PROFILE_IDENTIFIER_KINDS, extra)
        return [_identifier(kind, self._identifier_value(kind), _segment(kind)) for kind in kinds]

    def _identifier_value(self, kind: str) -> str:
        rng = self.rng
        if kind == "ORCID":
            return _unique(self.orcids, lambda: _orcid(rng))
        if kind == "SCOPUS":  # older ids have 10 digits ("7004212771"), newer 11 ("5719...")
            return "7" + _digits(rng, 9) if rng.random() < 0.3 else "5" + _digits(rng, 10)
        if kind == "RESEARCHER_ID":
            letters = "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=rng.choice((1, 3))))
            return f"{letters}-{_digits(rng, 4)}-{rng.randint(2008, 2024)}"
        if kind == "ISNI":
            base = "0000000" + str(rng.randint(1, 4)) + _digits(rng, 7)
            return base + orcid_checksum(base)
        if kind == "GOOGLE_SCHOLAR":
            alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"
            return "".join(rng.choices(alphabet, k=7)) + "AAAAJ"
        return _digits(rng, rng.randint(8, 10)).lstrip("0") or "1"  # VIAF


def _segment(kind: str) -> str:
    return "Internal" if kind == "ORCID" else "External"


def _affiliation(
    code: str, name: str, start: str, end: str, position: str, title: str, order: int
) -> dict[str, Any]:
    """An affiliation in the XSD's element order; `positionOrder` is a string there."""
    return {
        "organization_code": code,
        "organization_name": name,
        "start_date": start,
        "end_date": end,
        "position": _code("OrganizationPositions", position),
        "title": title,
        "positionOrder": str(order),
    }


def _multilingual(record: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The record as an institution with the multilingual researcher XSD holds it: the display
    title and keywords in `display_title_multilingual[]` and
    `researcher_keyword_multilingual[]{language, values[]}`, the plain fields left empty."""
    profile = record["researcher"]
    title: str = profile["display_title"]
    keywords = [item["value"] for item in profile["researcher_keyword"]]
    titles = [{"language": "eng", "value": title}] if title else []
    if titles and rng.random() < 0.2:
        titles.append({"language": rng.choice(SECOND_TITLE_LANGUAGES), "value": title})
    groups = [{"language": "eng", "values": keywords}] if keywords else []
    if groups and rng.random() < 0.3:  # a second group repeating the first, as assets do
        groups.append({"language": "und", "values": list(keywords)})
    rebuilt: dict[str, Any] = {}
    for key, value in profile.items():
        if key == "display_title":
            rebuilt.update(display_title="", display_title_multilingual=titles)
        elif key == "researcher_keyword":
            rebuilt.update(researcher_keyword=[], researcher_keyword_multilingual=groups)
        else:
            rebuilt[key] = value
    record["researcher"] = rebuilt
    return record


def generate_researchers(
    seed: int, count: int, multilingual: bool = False
) -> Iterator[dict[str, Any]]:
    """Yield `count` researcher records (Alma users with a research profile) for `seed`.

    The records follow the Alma/Esploro user shape key for key, in the API's order, so that
    a round trip through the sandbox can be compared field by field. `multilingual` gives the
    same people as an institution using the multilingual researcher fields would hold them.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    factory = _ResearcherFactory(seed)
    languages = random.Random(f"sheetsync-seed/researchers-multilingual/{seed}")
    for _ in range(count):
        record = factory.make()
        yield _multilingual(record, languages) if multilingual else record
