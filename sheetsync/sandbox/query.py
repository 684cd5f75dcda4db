"""The researcher search language: `q=field~words`, conditions joined by ` AND `.

"Contains these words" (docs/sandbox.md): every word must occur in the field. Words
are compared case- and accent-insensitively, so `last_name~nunez` finds "Nuñez". `ALL` searches
every indexed field. The store keeps one row per (record, field, word) so a query is an index
lookup, not a scan.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sheetsync.sandbox import errors

ALL_FIELDS = "ALL"
_WORD = re.compile(r"\w+")
_CONDITION_SEPARATOR = re.compile(r"\s+AND(?:\s+|$)")


@dataclass(frozen=True)
class Condition:
    field: str
    words: tuple[str, ...]


def fold_words(text: str) -> list[str]:
    """Split `text` into search words, without case or accents."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _WORD.findall(plain.casefold())


def _texts(node: Any) -> Iterator[str]:
    """Every string (and number) inside a JSON value."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, bool) or node is None:
        return
    elif isinstance(node, int | float):
        yield str(node)
    elif isinstance(node, list):
        for item in node:
            yield from _texts(item)
    elif isinstance(node, dict):
        for value in node.values():
            yield from _texts(value)


def _code_values(node: Any) -> Iterator[str]:
    if isinstance(node, dict) and isinstance(node.get("value"), str):
        yield node["value"]
        if isinstance(node.get("desc"), str):
            yield node["desc"]


def _researcher_fields(record: dict[str, Any]) -> dict[str, Iterable[str]]:
    researcher = record.get("researcher") or {}
    emails = [
        e.get("email_address", "") for e in (record.get("contact_info") or {}).get("email", [])
    ]
    affiliations = researcher.get("researcher_organization_affiliation") or []
    return {
        "primary_id": [record.get("primary_id") or ""],
        "first_name": [record.get("first_name") or ""],
        "last_name": [record.get("last_name") or ""],
        "full_name": [record.get("full_name") or ""],
        "email": emails,
        "user_group": _code_values(record.get("user_group")),
        "status": _code_values(record.get("status")),
        "keyword": _texts(researcher.get("researcher_keyword")),
        "research_topic": _texts(researcher.get("researcher_research_topic")),
        "position": _code_values(researcher.get("position")),
        "organization": [
            f"{a.get('organization_code', '')} {a.get('organization_name', '')}"
            for a in affiliations
        ],
        "identifier": [i.get("value", "") for i in researcher.get("user_identifier") or []]
        + [i.get("value", "") for i in record.get("user_identifier") or []],
    }


SEARCH_FIELDS: tuple[str, ...] = (*_researcher_fields({}).keys(), ALL_FIELDS)


def researcher_terms(record: dict[str, Any]) -> set[tuple[str, str]]:
    """The (field, word) pairs the store indexes for one researcher, `ALL` included."""
    terms: set[tuple[str, str]] = set()
    for field, texts in _researcher_fields(record).items():
        for text in texts:
            for word in fold_words(str(text)):
                terms.add((field, word))
                terms.add((ALL_FIELDS, word))
    return terms


def parse_query(q: str) -> list[Condition]:
    """Parse `field~words AND field~words`; a malformed query is a 400 naming the problem."""
    conditions: list[Condition] = []
    for part in _CONDITION_SEPARATOR.split(q.strip()):
        field, tilde, text = part.partition("~")
        field = field.strip()
        if not tilde or not field:
            raise errors.ApiError(
                400, errors.INVALID_PARAMETER, f"Invalid q '{q}': expected field~words."
            )
        if field not in SEARCH_FIELDS:
            raise errors.ApiError(
                400,
                errors.INVALID_PARAMETER,
                f"Invalid q field '{field}'. Searchable fields: {', '.join(SEARCH_FIELDS)}.",
            )
        words = tuple(fold_words(text))
        if not words:
            raise errors.ApiError(
                400, errors.INVALID_PARAMETER, f"Invalid q '{q}': no words to search for."
            )
        conditions.append(Condition(field, words))
    return conditions
