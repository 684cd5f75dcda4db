"""Assets: research outputs crediting the seeded researchers, and `generate_assets`.

`_AssetFactory` builds one asset at a time in the key order of the captured real asset,
keeping asset IDs, DOIs and ORCID iDs unique and giving each journal one pair of ISSNs for the
whole run. Creators are partly internal (taken from the researchers passed in, linked by
`almaUserId`, which is an e-mail address when the researcher's primary ID is one) and partly
external people.

As real assets are (shared/evidence/README.md): `creators[]` is not always sorted by its
string `order` (orders "2","3","1" or "6","1","2",...), some assets number creators from "0",
every asset carries `asset.views` and `asset.downloads` counters, `openaccess` may be
"unknown", and some `date.*` values are ranges ("20220612", an en dash, "20220825").
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable, Iterator, Sequence
from typing import Any, NamedTuple

from sheetsync.sandbox.codetables import ASSET_VALUE_LISTS
from sheetsync.sandbox.seed.codes import ORG_NAMES, ORG_PARENTS
from sheetsync.sandbox.seed.draws import _date_between, _digits, _unique, _weighted
from sheetsync.sandbox.seed.identifiers import (
    ASSET_ID_LENGTH_WEIGHTS,
    ASSET_PREFIX,
    CAPTURED_ASSET_ID,
    ID_LENGTHS,
    INSTITUTION_SUFFIX,
    _isbn13,
    _issn,
    _orcid,
)
from sheetsync.sandbox.seed.people import _full_name, _random_person
from sheetsync.sandbox.seed.text import _abstract, _keyword_values, _subtitle, _title
from sheetsync.sandbox.seed.vocabulary import (
    EN_DASH,
    GENERAL_TERMS,
    TOPIC_CODES,
    TOPIC_OF_LABEL,
    TOPICS,
    Topic,
)

UPDATE_DATE_FIRST = dt.date(2022, 1, 1)
UPDATE_DATE_LAST = dt.date(2026, 11, 20)

# fmt: off
RESOURCE_TYPES = (
    "publication.journalArticle", "publication.conferencePaper", "publication.bookChapter",
    "publication.book", "publication.report", "publication.review", "publication.preprint",
    "etd.doctoral", "etd.graduate", "dataset.dataset", "software.software",
    "conference.presentation", "other.other",
)
RESOURCE_TYPE_WEIGHTS = (50, 12, 8, 3, 4, 4, 5, 3, 2, 4, 2, 2, 1)
IN_JOURNAL = frozenset(("publication.journalArticle", "publication.review"))
IN_BOOK = frozenset(("publication.book", "publication.bookChapter"))
THESES = frozenset(("etd.doctoral", "etd.graduate"))

DOI_PREFIXES: dict[str, str] = {
    "Elsevier": "10.1016", "Springer Nature": "10.1007", "IEEE": "10.1109",
    "American Meteorological Society": "10.1175", "PLOS": "10.1371",
    "Royal Society of Chemistry": "10.1039", "Wiley": "10.1002",
    "American Chemical Society": "10.1021", "American Physical Society": "10.1103",
    "Verein Quantum": "10.22331", "Linguistic Society of America": "10.1353",
    "Oxford University Press": "10.1093", "Cambridge University Press": "10.1017",
    "Taylor & Francis": "10.1080", "Society for Neuroscience": "10.1523",
    "Inter-Research": "10.3354", "Frontiers Media": "10.3389", "Routledge": "10.4324",
    "Palgrave Macmillan": "10.1057", "University of Toronto Press": "10.3138",
    "MIT Press": "10.7551", "Zenodo": "10.5281", "Dryad": "10.5061", "Borealis": "10.5683",
    "arXiv": "10.48550", "OSF Preprints": "10.31219", "Esploro University": "10.70561",
    "ACM": "10.1145",
}
BOOK_PUBLISHERS = ("Routledge", "Palgrave Macmillan", "University of Toronto Press", "MIT Press",
                   "Springer Nature", "Oxford University Press", "Cambridge University Press")
DATA_REPOSITORIES = ("Zenodo", "Dryad", "Borealis")
PREPRINT_SERVERS = ("arXiv", "OSF Preprints")
CONFERENCE_SERIES = (
    ("Proceedings of the AAAI Conference on Artificial Intelligence", "ACM"),
    ("Lecture Notes in Computer Science", "Springer Nature"),
    ("IEEE International Conference on Communications", "IEEE"),
    ("Proceedings of the Annual Meeting of the Cognitive Science Society", "Esploro University"),
)
CONTRIBUTOR_ROLES = ("Editor", "Illustrator", "Translator", "Data curator", "Contributor")
CONTRIBUTING_ORGS = ("national group publ", "Canadian Institutes of Health Research",
                     "Ocean Frontier Institute", "Mitacs")
ASSET_LANGUAGES = ("fra", "deu", "spa", "por", "jpn", "may", "ita", "zho")
ASSET_LICENSES = tuple(ASSET_VALUE_LISTS["license"])
ASSET_LICENSE_WEIGHTS = tuple(30 if code == "CCBY_V4.0" else 6 for code in ASSET_LICENSES)
VENUE_PUBLISHERS: dict[str, tuple[str | None, ...]] = {
    "publication.conferencePaper": ("IEEE", "ACM", "Springer Nature"),
    "publication.book": BOOK_PUBLISHERS,
    "publication.bookChapter": BOOK_PUBLISHERS,
    "publication.report": ("Esploro University", "Esploro University", "OSF Preprints"),
    "publication.preprint": PREPRINT_SERVERS,
    "etd.doctoral": ("Esploro University",),
    "etd.graduate": ("Esploro University",),
    "dataset.dataset": DATA_REPOSITORIES,
    "software.software": ("Zenodo",),
    "conference.presentation": (None, None, "Esploro University"),
}
DOI_LIKELIHOOD: dict[str, float] = {
    "publication.journalArticle": 0.92, "publication.review": 0.92,
    "conference.presentation": 0.1, "other.other": 0.2,
}
BIOMEDICAL_TOPICS = frozenset(("PUBLIC_HEALTH", "NEUROSCIENCE", "GENOMICS"))
DoiSuffix = Callable[[random.Random, str, dt.date], str]
DOI_SUFFIXES: dict[str, DoiSuffix] = {
    "Elsevier": lambda rng, abbr, day: f"j.{abbr}.{day.year}.{_digits(rng, 6)}",
    "Springer Nature": lambda rng, abbr, day: (
        f"s{_digits(rng, 5)}-0{day.year % 100:02d}-{_digits(rng, 5)}-{rng.randint(0, 9)}"),
    "PLOS": lambda rng, abbr, day: f"journal.p{abbr}.{_digits(rng, 7)}",
    "Zenodo": lambda rng, abbr, day: f"zenodo.{_digits(rng, 7)}",
    "arXiv": lambda rng, abbr, day: f"arXiv.{day.year % 100:02d}{day.month:02d}.{_digits(rng, 5)}",
}
KEYWORD_COUNT_WEIGHTS = (8, 14, 18, 18, 14, 12, 9, 7)  # 1..8 values per keyword group
ISSUES = ("S1", "Supplement 2", "3-4", "Special Issue")
LOCAL_NOTES = (
    "Imported from Scopus 2023 ", "checked by RS team", "APC paid from institutional fund",
    "Legacy record_x000D_ migrated from DSpace", " embargo lifted", "etd project",
    "Duplicate? see related record", "REF2029 candidate",
)
LINK_TYPE_DESCS = {"published": "Published (Version of record)", "accepted": "Accepted"}
LINK_OWNER_DESCS = {"owner.external": "External", "owner.institutional": "Institutional"}
STOPWORDS = frozenset(("of", "the", "and", "in", "on", "for", "&"))
# How creators[] is ordered: sorted, first moved to the end ("2","3","1"), last moved to the
# front ("6","1","2",...), or shuffled; and how often numbering starts at "0".
CREATOR_ORDERINGS = ("sorted", "first-last", "last-first", "shuffled")
CREATOR_ORDERING_WEIGHTS = (65, 14, 14, 7)
ZERO_BASED_SHARE = 0.08
UNKNOWN_OPEN_ACCESS_SHARE = 0.08
CREATED_RANGE_SHARE = 0.15
PUBLISHED_RANGE_SHARE = 0.02
# fmt: on


class Author(NamedTuple):
    """What an asset needs from an internal researcher to credit them as a creator."""

    primary_id: str
    first: str
    middle: str
    last: str
    orcid: str | None
    org: str | None
    topic: str | None


def _author(record: dict[str, Any]) -> Author:
    """Read the creator-relevant parts of a researcher record, tolerating missing ones."""
    profile = record.get("researcher") or {}
    # the profile's ORCID iD first, else the user record's (where some researchers keep it)
    orcids = [
        item.get("value")
        for items in (profile.get("user_identifier"), record.get("user_identifier"))
        for item in items or []
        if (item.get("id_type") or {}).get("value") == "ORCID"
    ]
    affiliations = profile.get("researcher_organization_affiliation") or []
    topics = profile.get("researcher_research_topic") or []
    label = topics[0].get("value") if topics else None
    return Author(
        str(record["primary_id"]),
        record.get("first_name") or "",
        record.get("middle_name") or "",
        record.get("last_name") or "",
        orcids[0] if orcids else None,
        affiliations[0].get("organization_code") if affiliations else None,
        TOPIC_OF_LABEL.get(label) if isinstance(label, str) else None,
    )


def _creator_count(rng: random.Random) -> int:
    """Mostly small teams, a long tail, and about 1% consortium papers at the cap of 40."""
    roll = rng.random()
    if roll < 0.01:
        return 40
    if roll < 0.04:
        return rng.randint(16, 39)
    if roll < 0.12:
        return rng.randint(9, 15)
    return 1 + _weighted(rng, (12, 15, 16, 14, 11, 8, 6, 4))


def _journal_abbreviation(title: str) -> str:
    """'Journal of Cleaner Production' -> 'jcp', the shape of many DOI suffixes."""
    words = [word for word in title.lower().split() if word not in STOPWORDS]
    return "".join(word[0] for word in words if word[0].isalnum())


def _published_date(rng: random.Random) -> tuple[str, dt.date]:
    """A publication date as Esploro stores it (YYYYMMDD, YYYYMM or YYYY) and the day."""
    day = _date_between(rng, dt.date(1995, 1, 1), dt.date(2026, 10, 31))
    precision = _weighted(rng, (50, 30, 20))
    return day.strftime(("%Y%m%d", "%Y%m", "%Y")[precision]), day


def _date_range(first: dt.date, last: dt.date) -> str:
    """A date range as Esploro stores one: "20220612", an en dash, "20220825" (no spaces)."""
    return f"{first:%Y%m%d}{EN_DASH}{last:%Y%m%d}"


def _asset_code(field: str, code: str) -> dict[str, str]:
    """A `*WithDesc` object for a coded asset field (codetables.ASSET_VALUE_LISTS)."""
    return {"value": code, "desc": ASSET_VALUE_LISTS[field][code]}


def _accepted_date(rng: random.Random, published: dt.date) -> str | None:
    """About 30% record acceptance, weeks to months before publication, always YYYYMMDD."""
    if rng.random() >= 0.3:
        return None
    return (published - dt.timedelta(days=rng.randint(20, 300))).strftime("%Y%m%d")


def _link(url: str, kind: str, order: int, institutional: bool) -> dict[str, Any]:
    """A link in the captured shape, with its mixed types (integer order, boolean flags)."""
    owner = "owner.institutional" if institutional else "owner.external"
    return {
        "linkTypeWithDesc": {"value": kind, "desc": LINK_TYPE_DESCS[kind]},
        "linkLicenseCodeWithDesc": None,
        "linkOwnershipWithDesc": {"value": owner, "desc": LINK_OWNER_DESCS[owner]},
        "link.url": url,
        "link.type": kind,
        "link.description": "Author accepted manuscript" if institutional else None,
        "link.title": None,
        "link.rights": "institution" if institutional else "open",
        "link.supplemental": False,
        "link.license": None,
        "link.ownership": owner,
        "link.order": order,
        "link.display_in_viewer": institutional,
        "link.rightsreason": None,
        "link.embargoend": None,
    }


class Venue(NamedTuple):
    """Where an asset appeared: a journal or series (with ISSNs) or just a publisher."""

    title: str | None
    publisher: str | None
    issn: str | None
    eissn: str | None


class _AssetFactory:
    """Builds asset records one at a time, remembering what must stay unique."""

    def __init__(self, seed: int, researchers: Sequence[dict[str, Any]]) -> None:
        self.rng = random.Random(f"sheetsync-seed/assets/{seed}")
        self.authors = [_author(record) for record in researchers]
        self.ids: set[str] = {CAPTURED_ASSET_ID}
        self.dois: set[str] = set()
        self.orcids: set[str] = {a.orcid for a in self.authors if a.orcid}
        self.issns: dict[str, tuple[str, str]] = {}

    def make(self) -> tuple[dict[str, Any], str]:
        rng = self.rng
        asset_id = _unique(self.ids, self._asset_id)
        kind = RESOURCE_TYPES[_weighted(rng, RESOURCE_TYPE_WEIGHTS)]
        creators, internal = self._creators()
        topic_code = next((a.topic for a in internal if a.topic), rng.choice(TOPIC_CODES))
        topic = TOPICS[topic_code]
        venue = self._venue(kind, topic)
        published, day = _published_date(rng)
        if rng.random() < PUBLISHED_RANGE_SHARE:  # a conference paper "published" over days
            published = _date_range(day, day + dt.timedelta(days=rng.randint(1, 5)))
        record = {
            "creators": creators,
            "contributors": self._contributors(kind) or None,
            "title": _title(rng, topic),
            "publisher": venue.publisher,
            **self._access(kind),
            "language": self._languages(),
            "originalRepository": {"assetId": asset_id},
            **self._identifiers(kind, venue, day, topic_code),
            "title.subtitle": _subtitle(rng, topic),
            "date.published": published,
            "date.accepted": _accepted_date(rng, day),
            "date.created": self._created(day),
            "resourcetype.esploro": kind,
            **self._description(topic_code, kind, venue),
            "asset.affiliation": _affiliation_names(internal),
            "portal_visibility": "true",
            "profile_visibility": "true",
            "resourceTypeEsploroWithDesc": _asset_code("resourcetype.esploro", kind),
            **self._counters(published),
        }
        update = _date_between(rng, UPDATE_DATE_FIRST, UPDATE_DATE_LAST).isoformat()
        return {key: value for key, value in record.items() if value is not None}, update

    def _created(self, published: dt.date) -> str | None:
        """`date.created` for ~40%: a day or, for some, the range the work was made over."""
        rng = self.rng
        if rng.random() >= 0.4:
            return None
        start = published - dt.timedelta(days=rng.randint(60, 900))
        if rng.random() < CREATED_RANGE_SHARE / 0.4:
            return _date_range(start, start + dt.timedelta(days=rng.randint(7, 200)))
        return start.strftime("%Y%m%d")

    def _counters(self, published: str) -> dict[str, int]:
        """`asset.views` and `asset.downloads`: integers that grow with portal visits (the
        sandbox's routes bump them); older assets have had more of them."""
        rng = self.rng
        age = max(1, 2027 - int(published[:4]))
        views = 0
        if rng.random() < 0.9:
            views = min(int((rng.paretovariate(1.3) - 1) * age * 20), 250_000)
        return {"asset.views": views, "asset.downloads": rng.randint(0, views // 3)}

    def _asset_id(self) -> str:
        """'99' + digits + the institution suffix, 15-18 digits long, like real MMS IDs."""
        length = ID_LENGTHS[_weighted(self.rng, ASSET_ID_LENGTH_WEIGHTS)]
        middle = length - len(ASSET_PREFIX) - len(INSTITUTION_SUFFIX)
        return ASSET_PREFIX + _digits(self.rng, middle) + INSTITUTION_SUFFIX

    def _creators(self) -> tuple[list[dict[str, Any]], list[Author]]:
        """Creators in order; most assets credit at least one internal researcher."""
        rng = self.rng
        count = _creator_count(rng)
        internal: dict[int, Author] = {}
        if self.authors and rng.random() < 0.9:
            lead = rng.choice((0, 0, 0, count - 1, rng.randrange(count)))
            for slot in range(count):
                if slot == lead or rng.random() < 0.15:
                    internal[slot] = rng.choice(self.authors)
        seen: set[str] = set()
        creators = []
        first = 0 if rng.random() < ZERO_BASED_SHARE else 1
        for slot in range(count):
            author = internal.get(slot)
            if author is not None and author.primary_id not in seen:
                seen.add(author.primary_id)
                creators.append(self._internal_creator(slot + first, author))
            else:
                creators.append(self._external_creator(slot + first))
        return self._reordered(creators), list(dict.fromkeys(internal.values()))

    def _reordered(self, creators: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The list as the API returns it: often sorted by `order`, often not."""
        rng = self.rng
        ordering = CREATOR_ORDERINGS[_weighted(rng, CREATOR_ORDERING_WEIGHTS)]
        if len(creators) < 2 or ordering == "sorted":
            return creators
        if ordering == "first-last":
            return [*creators[1:], creators[0]]
        if ordering == "last-first":
            return [creators[-1], *creators[:-1]]
        shuffled = list(creators)
        while shuffled == creators:
            rng.shuffle(shuffled)
        return shuffled

    def _internal_creator(self, order: int, author: Author) -> dict[str, Any]:
        rng = self.rng
        creator: dict[str, Any] = {
            "order": str(order),
            "isDisplayInPublicProfile": rng.random() < 0.6,
        }
        if author.org and rng.random() < 0.3:
            creator["affiliationWithDesc"] = [
                {"value": author.org, "desc": ORG_NAMES[author.org], "order": "1"}
            ]
        creator["almaUserId"] = author.primary_id
        creator.update(_creator_names(author.first, author.middle, author.last))
        if author.orcid and rng.random() < 0.7:
            creator["identifier.orcid"] = author.orcid
        return creator

    def _external_creator(self, order: int) -> dict[str, Any]:
        rng = self.rng
        person = _random_person(rng)
        creator: dict[str, Any] = {
            "order": str(order),
            "isDisplayInPublicProfile": rng.random() < 0.1,
        }
        creator.update(_creator_names(person.first, person.middle, person.last))
        if rng.random() < 0.25:
            creator["identifier.orcid"] = _unique(self.orcids, lambda: _orcid(rng))
        return creator

    def _contributors(self, kind: str) -> list[dict[str, Any]]:
        """0-3 contributors: people with a role, or an organisation ("Institution")."""
        rng = self.rng
        items: list[dict[str, Any]] = []
        for order in range(1, 1 + _weighted(rng, (70, 18, 8, 4))):
            if rng.random() < 0.15:
                items.append(
                    {
                        "order": str(order),
                        "organization": rng.choice(CONTRIBUTING_ORGS),
                        "role": "Institution",
                    }
                )
                continue
            role = "Supervisor" if kind in THESES else rng.choice(CONTRIBUTOR_ROLES)
            item: dict[str, Any] = {
                "order": str(order),
                "role": role,
                "isDisplayInPublicProfile": rng.random() < 0.3,
            }
            if self.authors and (role == "Supervisor" or rng.random() < 0.3):
                author = rng.choice(self.authors)
                item["almaUserId"] = author.primary_id
                first, middle, last = author.first, author.middle, author.last
            else:
                first, middle, last, _, _ = _random_person(rng)
            names = _creator_names(first, middle, last)
            item["contributorname"] = names.pop("creatorname")
            items.append(item | names)
        return items

    def _venue(self, kind: str, topic: Topic) -> Venue:
        """Journal articles and reviews appear in a journal of their domain; others vary."""
        rng = self.rng
        if kind in IN_JOURNAL or (kind == "publication.conferencePaper" and rng.random() < 0.6):
            series = topic.journals if kind in IN_JOURNAL else CONFERENCE_SERIES
            title, publisher = rng.choice(series)
            issn, eissn = self._issns(title)
            return Venue(title, publisher, issn, eissn)
        if rng.random() < 0.05:  # real records lack a publisher now and then
            return Venue(None, None, None, None)
        choices = VENUE_PUBLISHERS.get(kind, (None,))
        return Venue(None, rng.choice(choices), None, None)

    def _issns(self, title: str) -> tuple[str, str]:
        """A print and an electronic ISSN per journal, fixed for the whole run."""
        if title not in self.issns:
            used = {issn for pair in self.issns.values() for issn in pair}
            print_issn = _unique(used, lambda: _issn(self.rng))
            self.issns[title] = (print_issn, _unique(used, lambda: _issn(self.rng)))
        return self.issns[title]

    def _access(self, kind: str) -> dict[str, Any]:
        """openaccess/peerreview flags and, for ~60%, a licence with its derived description."""
        rng = self.rng
        code = rng.choices(ASSET_LICENSES, ASSET_LICENSE_WEIGHTS)[0] if rng.random() < 0.6 else None
        is_open = bool(code and code.startswith("CC")) or rng.random() < 0.15
        reviewed = kind in IN_JOURNAL or kind == "publication.conferencePaper"
        openaccess = "yes" if is_open else "no"
        if rng.random() < UNKNOWN_OPEN_ACCESS_SHARE:
            openaccess = "unknown"
        access: dict[str, Any] = {
            "openaccess": openaccess,
            "peerreview": "yes" if reviewed and rng.random() < 0.9 else "no",
        }
        if code is not None:
            access.update(license=code, licenseWithDesc=_asset_code("license", code))
        return access

    def _languages(self) -> list[str]:
        rng = self.rng
        if rng.random() < 0.85:
            return ["eng"]
        others = rng.sample(ASSET_LANGUAGES, rng.randint(1, 2))
        return ["eng", *others] if rng.random() < 0.5 else others

    def _identifiers(self, kind: str, venue: Venue, day: dt.date, topic: str) -> dict[str, Any]:
        """DOI (most assets), PubMed ids for biomedical articles, ISBN for books, links."""
        rng = self.rng
        isbn = _isbn13(rng) if kind in IN_BOOK else None
        doi = self._doi(kind, venue, day, isbn)
        pmid = pmcid = None
        if kind in IN_JOURNAL and topic in BIOMEDICAL_TOPICS and rng.random() < 0.7:
            pmid = str(rng.randint(20_000_000, 39_999_999))
            if rng.random() < 0.4:  # the capture has "PMC9963672 ", trailing space and all
                pmcid = "PMC" + _digits(rng, 7) + (" " if rng.random() < 0.2 else "")
        links = []
        if doi and rng.random() < 0.5:
            links.append(_link(f"https://doi.org/{doi}", "published", 1, institutional=False))
        if rng.random() < 0.15:
            url = f"https://research.esploro.edu/files/{_digits(rng, 10)}.pdf"
            links.append(_link(url, "accepted", len(links) + 1, institutional=True))
        return {
            "identifier.doi": doi,
            "identifier.pmid": pmid,
            "identifier.pmcid": pmcid,
            "identifier.isbn": [isbn] if isbn else None,
            "links": links or None,
        }

    def _doi(self, kind: str, venue: Venue, day: dt.date, isbn: str | None) -> str | None:
        """A unique DOI under the publisher's prefix, or None for ~10-90% depending on kind."""
        rng = self.rng
        likely = DOI_LIKELIHOOD.get(kind, 0.6)
        if rng.random() >= likely:
            return None
        prefix = DOI_PREFIXES.get(venue.publisher or "", DOI_PREFIXES["Esploro University"])
        return _unique(self.dois, lambda: f"{prefix}/{self._doi_suffix(venue, day, isbn)}")

    def _doi_suffix(self, venue: Venue, day: dt.date, isbn: str | None) -> str:
        rng = self.rng
        if isbn:  # book DOIs are built on the ISBN, chapters add a number
            return f"{isbn}_{rng.randint(1, 24)}" if rng.random() < 0.5 else isbn
        abbr = _journal_abbreviation(venue.title or "Esploro University")
        suffix = DOI_SUFFIXES.get(venue.publisher or "", _default_doi_suffix)
        return suffix(rng, abbr, day)

    def _description(self, topic_code: str, kind: str, venue: Venue) -> dict[str, Any]:
        """Subjects, keywords, the journal relation, the abstract and local notes."""
        rng = self.rng
        topic = TOPICS[topic_code]
        fields = list(topic.fields)
        if rng.random() < 0.3:  # interdisciplinary work draws subjects from a second field
            fields = list(dict.fromkeys([*fields, *TOPICS[rng.choice(TOPIC_CODES)].fields]))
        subjects = rng.sample(fields, _weighted(rng, (30, 40, 20, 10)))
        return {
            "subject.esploro": subjects or None,
            "keywords": self._keywords(topic) or None,
            "relationships": [self._is_part_of(venue)]
            if venue.issn and rng.random() < 0.9
            else None,
            "description.abstract": [{"language": "eng", "value": _abstract(rng, topic)}]
            if rng.random() < 0.85
            else None,
            "local.fields": self._local_fields() if rng.random() < 0.2 else None,
        }

    def _keywords(self, topic: Topic) -> list[dict[str, Any]]:
        """0-2 keyword groups ("eng"/"und") of 1-8 values; the second often repeats the first."""
        rng = self.rng
        pool = [*topic.terms, *GENERAL_TERMS]
        groups: list[dict[str, Any]] = []
        language = "eng" if rng.random() < 0.85 else "und"
        for _ in range(_weighted(rng, (25, 60, 15))):
            if groups and rng.random() < 0.5:
                values = list(groups[0]["values"])
            else:
                values = _keyword_values(rng, pool, 1 + _weighted(rng, KEYWORD_COUNT_WEIGHTS))
            groups.append({"language": language, "values": values})
            language = "und" if language == "eng" else "eng"
        return groups

    def _is_part_of(self, venue: Venue) -> dict[str, Any]:
        """The "ispartof" journal relation, keys in the captured order."""
        rng = self.rng
        first_page = rng.randint(1, 2400)
        relation: dict[str, Any] = {"relationtype": "ispartof", "relationtitle": venue.title}
        if rng.random() < 0.85:
            relation["issue"] = (
                rng.choice(ISSUES) if rng.random() < 0.05 else str(rng.randint(1, 12))
            )
        relation["volume"] = str(rng.randint(1, 120))
        relation["relationTypeWithDesc"] = {
            "value": "c.esploro.relation.asset.ispartof",
            "desc": "is part of",
        }
        relation["relationCategoryCodeWithDesc"] = {"value": "INTERNAL", "desc": "Internal"}
        relation["epage"] = str(first_page + rng.randint(3, 40))
        relation["spage"] = str(first_page)
        if rng.random() < 0.5:
            relation["identifier.eissn"] = venue.eissn
        relation["identifier.issn"] = venue.issn
        relation["relation.category"] = "INTERNAL"
        return relation

    def _local_fields(self) -> dict[str, str]:
        """All fifteen local notes, as real records carry them, a few of them filled."""
        notes = dict.fromkeys((f"local.note{n}" for n in range(1, 16)), "")
        for key in self.rng.sample(list(notes), self.rng.randint(1, 4)):
            notes[key] = self.rng.choice(LOCAL_NOTES)
        return notes


def _default_doi_suffix(rng: random.Random, abbr: str, day: dt.date) -> str:
    return f"{abbr}.{day.year}.{_digits(rng, 5)}"


def _creator_names(first: str, middle: str, last: str) -> dict[str, str]:
    """The name keys of a creator: display name, family and given names, middle if any."""
    names = {"creatorname": _full_name(first, middle, last), "familyname": last, "givenname": first}
    if middle:
        names["middlename"] = middle
    return names


def _affiliation_names(internal: Sequence[Author]) -> list[str] | None:
    """`asset.affiliation`: names of the units the internal creators belong to."""
    if not internal:
        return None
    codes = [author.org for author in internal if author.org]
    parents = [ORG_PARENTS[code] for code in codes if ORG_PARENTS.get(code)]
    ordered = dict.fromkeys(["UNIV", *codes, *parents])
    return [ORG_NAMES[code] for code in ordered if code is not None]


def generate_assets(
    seed: int, count: int, researchers: Sequence[dict[str, Any]]
) -> Iterator[tuple[dict[str, Any], str]]:
    """Yield `count` (asset record, update date "YYYY-MM-DD") pairs for `seed`.

    Many creators are taken from `researchers` (linked by `almaUserId`, named and ORCID'd as
    in their profiles), the rest are external people. The captured real asset's ID is never
    used: the store loads that asset itself.
    """
    if count < 0:
        raise ValueError(f"count must not be negative, not {count}")
    factory = _AssetFactory(seed, researchers)
    for _ in range(count):
        yield factory.make()
