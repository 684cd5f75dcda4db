"""Researchers: Alma user records with an Esploro research profile, and `generate_researchers`.

`_ResearcherFactory` builds the Alma user part and keeps IDs, slugs and e-mail addresses
unique; `_ResearcherProfileBuilder` builds the `researcher` sub-object. Records follow the API's
shape key for key, in its order, so a round trip through the sandbox compares field by field.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any, NamedTuple

from sheetsync.sandbox.codetables import CODE_TABLES, ORG_UNITS
from sheetsync.sandbox.seed.codes import ORG_NAMES, _code
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
    GENERAL_TERMS,
    TOPIC_CODES,
    TOPICS,
    _article,
)

# fmt: off
USER_GROUPS = ("FACULTY", "PHD", "POSTDOC", "STAFF", "EMERITUS", "AFFILIATE")
USER_GROUP_WEIGHTS = (45, 15, 12, 10, 6, 12)
GROUP_POSITIONS: dict[str, tuple[str, ...]] = {
    "FACULTY": ("PROFESSOR", "ASSOCIATE_PROFESSOR", "ASSOCIATE_PROFESSOR", "ASSISTANT_PROFESSOR",
                "LECTURER", "SENIOR_LECTURER", "DEAN", "HEAD_OF_DEPARTMENT"),
    "PHD": ("PHD_CANDIDATE",),
    "POSTDOC": ("POSTDOCTORAL_FELLOW", "RESEARCH_FELLOW"),
    "STAFF": ("LIBRARIAN", "RESEARCH_FELLOW"),
    "EMERITUS": ("PROFESSOR_EMERITUS",),
    "AFFILIATE": ("RESEARCH_FELLOW", "LECTURER"),
}
PROFESSORIAL = frozenset(("PROFESSOR", "ASSOCIATE_PROFESSOR", "PROFESSOR_EMERITUS", "DEAN"))
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
LANGUAGES = ("eng", "fra", "deu", "spa", "por", "ita", "nld", "zho", "jpn", "kor", "ara",
             "hin", "vie", "tur", "pol", "isl", "dan", "swe", "fin", "ell", "yor", "mri")

WEBPAGE_TITLES: dict[str, tuple[str, ...]] = {
    "homepage": ("Personal homepage", "Faculty profile"),
    "lab": ("{last} Lab", "Research group website"),
    "blog": ("Research blog", "Field notes"),
    "linkedin": ("LinkedIn",),
    "other": ("Code on GitHub", "Google Scholar profile", "Publications list"),
}
WEBPAGE_URLS: dict[str, str] = {
    "homepage": "https://www.esploro.edu/people/{slug}",
    "lab": "https://{slug}-lab.esploro.edu/",
    "blog": "https://{slug}.wordpress.com",
    "linkedin": "https://www.linkedin.com/in/{slug}",
    "other": "https://github.com/{compact}",
}
DEGREES = (("BA", "BSc", "BEng", "LLB", "BMus"), ("MA", "MSc", "MPhil", "LLM", "MEd"),
           ("PhD", "DPhil", "MD", "EdD"))
EXTERNAL_ORGS = (
    "41___UNIVERSITY_OF_TORONTO", "41___MCGILL_UNIVERSITY", "41___UNIVERSITE_LAVAL",
    "41___MONASH_UNIVERSITY_(MELBOURNE)", "41___UNIVERSITY_OF_CAPE_TOWN",
    "41___UNIVERSIDAD_DE_BUENOS_AIRES", "41___ETH_ZURICH", "41___UNIVERSITY_OF_TOKYO",
    "41___KU_LEUVEN", "41___UNIVERSITY_OF_ICELAND", "41___JAGIELLONIAN_UNIVERSITY",
    "41___INDIAN_INSTITUTE_OF_SCIENCE", "41___UNIVERSITY_OF_IBADAN", "41___SORBONNE_UNIVERSITE",
)
EXTERNAL_ORG_NAMES = (
    "the University of Toronto", "McGill University", "Université Laval", "Monash University",
    "the University of Cape Town", "ETH Zürich", "the University of Tokyo", "KU Leuven",
    "Uniwersytet Jagielloński", "Universidade de São Paulo", "the University of Ibadan",
)
HONOR_ORGS = ("RSC", "NSERC", "SSHRC", "CIHR", "ERC", "IEEE", "ACLS", "ROYAL_SOCIETY")
HONOR_TITLES = (
    "Fellow of the Royal Society of Canada", "Early Career Researcher Award",
    "Best Paper Award", "Killam Research Fellowship", "Teaching Excellence Award",
    "Canada Research Chair (Tier 2)", "Distinguished Lecturer", "Outstanding Reviewer Award",
)
WEBPAGE_DESCRIPTIONS = (
    "Publications, teaching and contact details", "News and open positions in the group",
    "Preprints, slides and datasets", "Occasional writing about research and teaching",
)
AFFILIATION_STARTS = ("01-01", "07-01", "09-01", "08-15")
EARLIER_POSITIONS = ("POSTDOCTORAL_FELLOW", "RESEARCH_FELLOW", "LECTURER", "ASSISTANT_PROFESSOR",
                     "PHD_CANDIDATE")
POST_TITLES = (
    "Graduate Research Assistant", "Visiting Scholar", "Programme Director",
    "Director of Graduate Studies", "Associate Dean (Research)", "Canada Research Chair",
)
ACTIVE_WEIGHT = 0.92
# fmt: on


class Profile(NamedTuple):
    """What the parts of one researcher record must agree on."""

    person: Person
    group: str
    position: str | None
    topic: str
    slug: str
    email: str


class _ResearcherFactory:
    """Builds researcher records one at a time, remembering what must stay unique."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(f"sheetsync-seed/researchers/{seed}")
        self.ids: set[str] = set()
        self.slugs: set[str] = set()
        self.emails: set[str] = set()
        self.profiles = _ResearcherProfileBuilder(self.rng, set())

    def make(self) -> dict[str, Any]:
        profile = self._profile()
        record = self._user(profile)
        record["is_researcher"] = True
        record["researcher"] = self.profiles.build(profile)
        record["user_identifier"] = self._user_identifiers(profile)
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
        return Profile(person, group, position, rng.choice(TOPIC_CODES), slug, email)

    def _primary_id(self) -> str:
        """Mostly Alma-shaped ("...0000561"), never starting "99" like an asset ID."""
        rng = self.rng
        length = ID_LENGTHS[_weighted(rng, RESEARCHER_ID_LENGTH_WEIGHTS)]
        suffix = INSTITUTION_SUFFIX if rng.random() < 0.9 else ""
        return str(rng.randint(10, 98)) + _digits(rng, length - 2 - len(suffix)) + suffix

    def _user(self, profile: Profile) -> dict[str, Any]:
        """The Alma user part, up to `pref_name_suffix`; `make` appends the rest in order."""
        rng, person = self.rng, profile.person
        expiry = rng.randint(2026, 2034)
        status = "ACTIVE" if rng.random() < ACTIVE_WEIGHT else "INACTIVE"
        return {
            "record_type": _code(
                "UserRecordTypes", "STAFF" if profile.group == "STAFF" else "PUBLIC"
            ),
            "primary_id": _unique(self.ids, self._primary_id),
            "first_name": person.first,
            "middle_name": person.middle,
            "last_name": person.last,
            "full_name": _full_name(person.first, person.middle, person.last),
            "user_title": "",
            "job_category": None,
            "job_description": _job_description(rng, profile),
            "gender": None,
            "user_group": _code("UserGroups", profile.group),
            "campus_code": None,
            "web_site_url": "",
            "preferred_language": {"value": "en", "desc": "English"},
            "expiry_date": f"{expiry}-12-31Z",
            "purge_date": f"{expiry + 1}-12-31Z",
            "account_type": _code(
                "AccountTypes", "EXTERNAL" if rng.random() < 0.85 else "INTERNAL"
            ),
            "external_id": "SIS",
            "password": "",
            "force_password_change": "",
            "status": _code("UserStatuses", status),
            "status_date": _alma_date(rng, 2012, 2025),
            "contact_info": self._contact_info(profile),
            "pref_first_name": "",
            "pref_middle_name": "",
            "pref_last_name": "",
            "pref_name_suffix": "",
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

    def _user_identifiers(self, profile: Profile) -> list[dict[str, Any]]:
        """1-2 Alma identifiers of different types (not the researcher ones: those are ORCIDs)."""
        rng = self.rng
        kinds = rng.sample(tuple(CODE_TABLES["UserIdentifierTypes"]), 1 + (rng.random() < 0.4))
        return [
            {
                "id_type": _code("UserIdentifierTypes", kind),
                "value": _user_identifier_value(rng, kind, profile.person),
                "note": "",
                "status": "ACTIVE",
                "segment_type": "External",
            }
            for kind in kinds
        ]


def _user_identifier_value(rng: random.Random, kind: str, person: Person) -> str:
    """A university number, a library barcode or a login-style institution ID."""
    if kind == "UNIV_ID":
        return _digits(rng, 8)
    if kind == "BARCODE":
        return "3902" + _digits(rng, 10)
    return _slug(person.last, "")[:8] + _digits(rng, 3)


def _job_description(rng: random.Random, profile: Profile) -> str:
    if profile.position is None or rng.random() < 0.6:
        return ""
    return CODE_TABLES["ResearcherPositions"][profile.position]


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
        "email_type": [_code("EmailTypes", kind)],
    }


class _ResearcherProfileBuilder:
    """The `researcher` sub-object: the research profile Esploro adds to an Alma user."""

    def __init__(self, rng: random.Random, orcids: set[str]) -> None:
        self.rng = rng
        self.orcids = orcids

    def build(self, profile: Profile) -> dict[str, Any]:
        rng, person = self.rng, profile.person
        research_name = self._research_name(person)
        topics = self._topic_codes(profile.topic)
        auto_capture: bool | str = rng.random() < 0.6
        if rng.random() < 0.1:  # real records carry this boolean as a string now and then
            auto_capture = str(auto_capture).lower()
        has_orcid = rng.random() < 0.85
        return {
            "researcher_first_name": research_name.first,
            "researcher_middle_name": research_name.middle,
            "researcher_last_name": research_name.last,
            "researcher_name_suffix": person.suffix,
            "researcher_title": self._title(profile.position),
            "display_title": self._display_title(profile),
            "position": _code("ResearcherPositions", profile.position)
            if profile.position
            else None,
            "portal_profile": _code(
                "ResearcherPortalProfiles", rng.choice(("PUBLIC", "PUBLIC", "PRIVATE", "AUTO"))
            ),
            "auto_capture": auto_capture,
            "research_center": False,
            "update_ORCID_profile": has_orcid and rng.random() < 0.5,
            "profile_identifier_url": profile.slug,
            **self._lists(profile, topics),
            "user_identifier": self._identifiers(has_orcid),
        }

    def _lists(self, profile: Profile, topics: list[str]) -> dict[str, Any]:
        rng = self.rng
        current = self._affiliations(profile)
        return {
            "researcher_keyword": [{"value": v} for v in self._keywords(profile.topic, topics)],
            "researcher_research_topic": [_code("ResearchTopics", t) for t in topics],
            "researcher_language": [{"value": v} for v in self._languages()],
            "researcher_name_variant": self._name_variants(profile.person),
            "researcher_alternate_email": self._alternate_emails(profile.person),
            "researcher_description": [{"description": self._bio(profile, current)}]
            if rng.random() < 0.55
            else [],
            "researcher_webpage": self._webpages(profile),
            "researcher_education": self._education(profile.topic),
            "researcher_honor": self._honors(),
            "researcher_organization_affiliation": current,
            "researcher_previous_organization_affiliation": self._previous(profile, current),
            "researcher_external_organization_affiliation": [],
            "researcher_previous_external_organization_affiliation": [],
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

    def _title(self, position: str | None) -> dict[str, str] | None:
        rng = self.rng
        if rng.random() < 0.15:
            return None
        if position in PROFESSORIAL and rng.random() < 0.8:
            code = "PROF"
        elif position in ("PHD_CANDIDATE", "LIBRARIAN", None) or rng.random() < 0.1:
            code = rng.choice(PLAIN_TITLES) if rng.random() < 0.97 else "REV"
        else:
            code = "DR"
        return _code("ResearcherTitles", code)

    def _display_title(self, profile: Profile) -> str:
        """'Associate Professor of Inorganic Chemistry', sometimes with the unit, or ''."""
        rng = self.rng
        if profile.position is None or rng.random() < 0.2:
            return ""
        role = CODE_TABLES["ResearcherPositions"][profile.position]
        if rng.random() < 0.3:
            return f"{role}, {ORG_NAMES[TOPICS[profile.topic].orgs[0]]}"
        return f"{role} of {rng.choice(TOPICS[profile.topic].fields)}"

    def _topic_codes(self, primary: str) -> list[str]:
        count = _weighted(self.rng, (20, 35, 25, 12, 8))
        if count == 0:
            return []
        others = [code for code in TOPIC_CODES if code != primary]
        return [primary, *self.rng.sample(others, count - 1)]

    def _keywords(self, primary: str, topics: list[str]) -> list[str]:
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
        secondary = [term for code in topics for term in TOPICS[code].terms]
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

    def _bio(self, profile: Profile, affiliations: list[dict[str, Any]]) -> str:
        """A few sentences; about 40% broken over lines the way people paste them in."""
        rng = self.rng
        role = CODE_TABLES["ResearcherPositions"].get(profile.position or "", "Researcher")
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
        rng = self.rng
        kinds = rng.sample(tuple(CODE_TABLES["WebpageTypes"]), _weighted(rng, (45, 30, 17, 8)))
        last = _latin(profile.person.last)
        return [
            {
                "url": WEBPAGE_URLS[kind].format(
                    slug=profile.slug, compact=profile.slug.replace("-", "")
                ),
                "type": kind,
                "title": rng.choice(WEBPAGE_TITLES[kind]).format(last=last),
                "description": rng.choice(WEBPAGE_DESCRIPTIONS) if rng.random() < 0.4 else "",
            }
            for kind in kinds
        ]

    def _education(self, topic: str) -> list[dict[str, str]]:
        """Degrees in order (bachelor before master before doctorate), years running on."""
        rng = self.rng
        levels = sorted(rng.sample(range(len(DEGREES)), _weighted(rng, (40, 35, 25))))
        year = rng.randint(1975, 2012)
        items = []
        for level in levels:
            years = (3, 2, 4)[level] + rng.randint(0, 1)
            items.append(
                {
                    "organization_code": rng.choice(EXTERNAL_ORGS),
                    "degree": rng.choice(DEGREES[level]),
                    "field_of_study": rng.choice(TOPICS[topic].fields),
                    "from_year": str(year),
                    "to_year": str(year + years),
                    "additional_details": "",
                }
            )
            year += years + rng.randint(0, 2)
        return items

    def _honors(self) -> list[dict[str, str]]:
        rng = self.rng
        return [
            {
                "organization_code": rng.choice(HONOR_ORGS),
                "title": rng.choice(HONOR_TITLES),
                "time_period": str(rng.randint(1995, 2025)),
            }
            for _ in range(_weighted(rng, (65, 25, 10)))
        ]

    def _affiliations(self, profile: Profile) -> list[dict[str, Any]]:
        """1-2 current units from the researcher's domain, the first one their main post."""
        rng = self.rng
        orgs = TOPICS[profile.topic].orgs
        codes = rng.sample(orgs, min(len(orgs), 1 + (rng.random() < 0.25)))
        start = f"{rng.randint(1995, 2024)}-{rng.choice(AFFILIATION_STARTS)}Z"
        items = []
        for order, code in enumerate(codes, 1):
            position = profile.position or "RESEARCH_FELLOW"
            if order > 1:
                position = rng.choice(GROUP_POSITIONS[profile.group])
            end = "" if rng.random() < 0.9 else f"{rng.randint(2026, 2030)}-06-30Z"
            items.append(_affiliation(code, start, end, position, self._post(position), order))
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
        return [_affiliation(code, start, end, position, self._post(position), 1)]

    def _post(self, position: str) -> str:
        """The free-text title of a post: usually the position's name, sometimes more."""
        if self.rng.random() < 0.7:
            return CODE_TABLES["ResearcherPositions"][position]
        return self.rng.choice(POST_TITLES)

    def _identifiers(self, has_orcid: bool) -> list[dict[str, Any]]:
        """1-4 author identifiers, ORCID first when there is one (~85% of people)."""
        rng = self.rng
        others = [kind for kind in CODE_TABLES["ResearcherIdentifierTypes"] if kind != "ORCID"]
        extra = max(_weighted(rng, (45, 35, 15, 5)), 0 if has_orcid else 1)
        kinds = (["ORCID"] if has_orcid else []) + rng.sample(others, extra)
        return [
            {
                "value": self._identifier_value(kind),
                "id_type": _code("ResearcherIdentifierTypes", kind),
            }
            for kind in kinds
        ]

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


def _affiliation(
    code: str, start: str, end: str, position: str, title: str, order: int
) -> dict[str, Any]:
    return {
        "organization_code": code,
        "organization_name": ORG_NAMES[code],
        "start_date": start,
        "end_date": end,
        "position": _code("ResearcherPositions", position),
        "title": title,
        "positionOrder": order,
    }


def generate_researchers(seed: int, count: int) -> Iterator[dict[str, Any]]:
    """Yield `count` researcher records (Alma users with a research profile) for `seed`.

    The records follow the Alma/Esploro user shape key for key, in the API's order, so that
    a round trip through the sandbox can be compared field by field.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    factory = _ResearcherFactory(seed)
    for _ in range(count):
        yield factory.make()
