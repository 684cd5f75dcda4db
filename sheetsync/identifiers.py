"""Scholarly identifiers a person types: checked, and brought to their written form (pure).

A column whose template says `identifier = "orcid"` (or doi, issn, isbn, pmid) has each value
it is edited to passed through `check_identifier`: prefixes people paste (https://orcid.org/,
doi:, ISSN) are removed, the value is written in its standard form, and a check character that
does not add up makes the cell invalid, in words ("ORCID iD 0000-0002-1825-0098: the last
character should be 7"). Every change made is returned as a note, for the plan to list.

The check characters are python-stdnum's (ISO 7064 MOD 11-2 for ORCID iDs, the ISSN and ISBN
modules), never written here: this module is its one importer (ruff banned-api). Tried beside
it, idutils (BSD-3, Invenio) also detects and normalises these identifiers, but its
`normalize_orcid` turns `orcid.org/0000-0002-1825-0097` and `ORCID: 0000-...` into garbage
instead of refusing them, `normalize_pid(..., "isbn")` turns every ISBN-10 into an ISBN-13
(another identifier than the one typed), a `PMID: 1234` raises AttributeError, and importing
it takes about 0.3 s (it compiles hundreds of patterns and pulls in isbnlib2 with its web
clients) against stdnum's 0.04 s with no dependencies. python-stdnum (LGPL-2.1+, maintained
since 2010, releases every few months) validates and computes check digits, and raises one
exception class per kind of failure, which is what a message in words needs. DOIs and PMIDs
have no check character: for them only the form is checked, with the prefixes below.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, get_args

from stdnum import isbn, issn
from stdnum.exceptions import InvalidChecksum, ValidationError
from stdnum.iso7064 import mod_11_2

__all__ = ["IDENTIFIER_KINDS", "Checked", "IdentifierKind", "check_identifier"]

IdentifierKind = Literal["orcid", "doi", "issn", "isbn", "pmid"]
IDENTIFIER_KINDS: tuple[str, ...] = get_args(IdentifierKind)

_ORCID_PREFIX = re.compile(r"^(?:(?:https?://)?(?:www\.)?orcid\.org/|orcid(?:\s*id)?\s*:\s*)", re.I)
_DOI_PREFIX = re.compile(r"^(?:(?:https?://)?(?:dx\.)?doi\.org/|doi\s*:\s*)", re.I)
_ISSN_PREFIX = re.compile(r"^e?issn\s*:?\s*", re.I)
_ISBN_PREFIX = re.compile(r"^e?isbn(?:-?1[03])?\s*:?\s*", re.I)
_PMID_PREFIX = re.compile(
    r"^(?:pmid\s*:?\s*|(?:https?://)?(?:www\.)?(?:pubmed\.ncbi\.nlm\.nih\.gov|"
    r"ncbi\.nlm\.nih\.gov/pubmed)/)",
    re.I,
)
_ORCID_SHAPE = re.compile(r"^\d{15}[\dX]$")
_DOI_SHAPE = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
_PMID_SHAPE = re.compile(r"^\d{1,9}$")
_DASHES = re.compile(r"[\s\-\u2010-\u2015]")  # hyphens, dashes and spaces between groups


@dataclass(frozen=True)
class Checked:
    """One identifier after the check: its written form, what was changed to reach it (in
    words), and why it is refused ("" when it is not)."""

    value: str
    notes: tuple[str, ...] = ()
    problem: str = ""


def check_identifier(kind: IdentifierKind, text: str) -> Checked:
    """`text` checked and normalised as an identifier of `kind`."""
    return _CHECKERS[kind](text.strip())


def _without(prefix: re.Pattern[str], text: str) -> tuple[str, list[str]]:
    found = prefix.match(text)
    if not found or found.end() == len(text):
        return text, []
    return text[found.end() :].strip(), [f"removed the prefix '{found.group(0).strip()}'"]


def _written(typed: str, value: str, notes: list[str], what: str) -> Checked:
    if value != typed:
        notes.append(f"written as {value}, the standard form of {what}")
    return Checked(value, tuple(notes))


def _orcid(text: str) -> Checked:
    typed, notes = _without(_ORCID_PREFIX, text)
    compact = _DASHES.sub("", typed).upper()
    if not _ORCID_SHAPE.match(compact):
        return Checked(
            text,
            problem=f"ORCID iD '{text}': an ORCID iD is 16 characters in four groups of four, "
            "like 0000-0002-1825-0097 (the last may be X)",
        )
    value = "-".join(compact[i : i + 4] for i in range(0, 16, 4))
    expected = mod_11_2.calc_check_digit(compact[:-1])
    if expected != compact[-1]:
        return Checked(value, problem=f"ORCID iD {value}: the last character should be {expected}")
    return _written(typed, value, notes, "an ORCID iD")


def _doi(text: str) -> Checked:
    value, notes = _without(_DOI_PREFIX, text)
    if not _DOI_SHAPE.match(value):
        return Checked(
            text,
            problem=f"DOI '{text}': a DOI starts with 10., the registrant's number, a slash and "
            "the item's own part, without spaces, like 10.1016/j.hybadv.2024.100277",
        )
    return Checked(value, tuple(notes))


def _issn(text: str) -> Checked:
    typed, notes = _without(_ISSN_PREFIX, text)
    shape = "an ISSN is eight characters, two groups of four, like 2773-207X (the last may be X)"
    compact = issn.compact(typed)
    if len(compact) != 8 or not compact[:7].isdigit():
        return Checked(text, problem=f"ISSN '{text}': {shape}")
    value = issn.format(compact)
    expected = issn.calc_check_digit(compact[:7])
    if expected != compact[-1]:
        return Checked(value, problem=f"ISSN {value}: the last character should be {expected}")
    return _written(typed, value, notes, "an ISSN")


def _isbn(text: str) -> Checked:
    """An ISBN-10 or ISBN-13, kept as typed (hyphens or not: both are how ISBNs are written,
    and an ISBN-10 is not turned into an ISBN-13); only a lower-case x becomes X."""
    typed, notes = _without(_ISBN_PREFIX, text)
    compact = isbn.compact(typed)
    try:
        isbn.validate(compact)
    except InvalidChecksum:
        good = _valid_last(compact, isbn.is_valid)
        return Checked(typed, problem=f"ISBN {typed}: the last character should be {good}")
    except ValidationError:
        return Checked(
            text,
            problem=f"ISBN '{text}': an ISBN is 10 or 13 digits (an ISBN-10 may end in X), "
            "like 978-0-306-40615-7",
        )
    return _written(typed, typed.upper(), notes, "an ISBN")


def _valid_last(compact: str, is_valid: Callable[[str], bool]) -> str:
    """The last character that makes `compact` valid, asked of the library (stdnum keeps the
    ISBN-10 calculation private, so each candidate is tried)."""
    return next((c for c in "0123456789X" if is_valid(compact[:-1] + c)), "?")


def _pmid(text: str) -> Checked:
    value, notes = _without(_PMID_PREFIX, text)
    value = value.rstrip("/")
    if not _PMID_SHAPE.match(value):
        return Checked(
            text, problem=f"PMID '{text}': a PubMed ID is digits only (up to 9), like 36834803"
        )
    return Checked(value, tuple(notes))


_CHECKERS: dict[str, Callable[[str], Checked]] = {
    "orcid": _orcid,
    "doi": _doi,
    "issn": _issn,
    "isbn": _isbn,
    "pmid": _pmid,
}
