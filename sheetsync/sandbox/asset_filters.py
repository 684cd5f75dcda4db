"""What `GET /esploro/v1/assets` selects by, and where each filter looks in an asset.

The OpenAPI file says the list "must receive parameters from" eight filters; its `required`
flag on `doi` alone contradicts that, and the description is followed: any one will do, none is
an error. Several filters are ANDed [guess]. Where each looks (docs/sandbox.md):

* `doi`: `identifier.doi`, compared without case (DOIs are case-insensitive); commas list several.
* `user_primary_id`: a creator's or contributor's `user.primaryId` (the dictionary's
  esploroAuthor) or `almaUserId` (how the seeded assets link their researchers).
* `update_date_from`/`_to`: the date the asset was last written, kept beside the record.
* `embargo_expiry_date_from`/`_to`: a file's `file.embargo_expiry_date` (YYYYMMDD), the one
  embargo date the dictionary gives an asset.
* `open_access`: `openaccess`, `yes` or `no` (a real `unknown` matches neither).
* `org_code`: a creator's or contributor's `affiliationWithDesc[].value`, or a unit named in
  `asset.affiliation` (which holds names; the sandbox's own units map them to codes).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Collection, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sheetsync.sandbox import errors
from sheetsync.sandbox.codetables import ORG_UNITS

FILTERS: tuple[str, ...] = (
    "doi",
    "user_primary_id",
    "update_date_from",
    "update_date_to",
    "embargo_expiry_date_from",
    "embargo_expiry_date_to",
    "open_access",
    "org_code",
)
DATE_FILTERS = frozenset(name for name in FILTERS if name.endswith(("_from", "_to")))
SINGLE_VALUED = frozenset({"user_primary_id", "open_access"})  # no "delimited by comma"
OPEN_ACCESS_VALUES = ("yes", "no")
_API_DATE = re.compile(r"\d{4}-\d{2}-\d{2}\Z")
_ORG_CODES_BY_NAME = {unit.name: unit.code for unit in ORG_UNITS}


@dataclass(frozen=True)
class AssetFilter:
    """A parsed, checked selection; empty fields select everything."""

    dois: tuple[str, ...] = ()
    user_primary_id: str | None = None
    updated_from: str | None = None
    updated_to: str | None = None
    embargo_from: str | None = None
    embargo_to: str | None = None
    open_access: str | None = None
    org_codes: tuple[str, ...] = ()


def parse_filter(params: Mapping[str, str], repeated: Collection[str]) -> AssetFilter:
    """The filter a request asks for; the documented 4017xx/4027xx errors otherwise."""
    given = {name: params[name] for name in FILTERS if params.get(name, "") != ""}
    if not given:
        raise errors.asset_error(
            errors.GENERAL_ERROR,
            f"(sandbox: GET /assets needs at least one of {', '.join(FILTERS)}.)",
        )
    for name, value in given.items():
        if name in repeated or (name in SINGLE_VALUED and "," in value):
            raise errors.asset_error(errors.CONFLICTING_VALUES, f"(sandbox: {name}.)")
        if name in DATE_FILTERS:
            _check_date(name, value)
    open_access = given.get("open_access", "").lower() or None
    if open_access is not None and open_access not in OPEN_ACCESS_VALUES:
        raise errors.asset_error(
            errors.GENERAL_ERROR, f"(sandbox: open_access is yes or no, not '{open_access}'.)"
        )
    return AssetFilter(
        dois=_listed(given.get("doi", ""), fold=True),
        user_primary_id=given.get("user_primary_id"),
        updated_from=given.get("update_date_from"),
        updated_to=given.get("update_date_to"),
        embargo_from=given.get("embargo_expiry_date_from"),
        embargo_to=given.get("embargo_expiry_date_to"),
        open_access=open_access,
        org_codes=_listed(given.get("org_code", ""), fold=False),
    )


def _check_date(name: str, value: str) -> None:
    try:
        if not _API_DATE.match(value):
            raise ValueError(value)
        datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise errors.asset_error(errors.INVALID_DATE, f"(sandbox: {name}={value}.)") from exc


def _listed(text: str, fold: bool) -> tuple[str, ...]:
    items = (item.strip() for item in text.split(","))
    return tuple(item.casefold() if fold else item for item in items if item)


# -- what the store indexes --------------------------------------------------------------


def asset_terms(record: Mapping[str, Any]) -> set[tuple[str, str]]:
    """The (filter, value) pairs an asset is found by; dates as YYYY-MM-DD."""
    terms = {("doi", doi.strip().casefold()) for doi in _texts(record.get("identifier.doi"))}
    for person in _people(record):
        for key in ("user.primaryId", "almaUserId"):
            terms.update(("user", value) for value in _texts(person.get(key)) if value)
        for affiliation in _dicts(person.get("affiliationWithDesc")):
            terms.update(("org", value) for value in _texts(affiliation.get("value")) if value)
    for name in _texts(record.get("asset.affiliation")):
        code = _ORG_CODES_BY_NAME.get(name.strip())
        if code is not None:
            terms.add(("org", code))
    terms.update(("open_access", value.lower()) for value in _texts(record.get("openaccess")))
    for file in _dicts(record.get("files")):
        for value in _texts(file.get("file.embargo_expiry_date")):
            if re.fullmatch(r"\d{8}", value.strip()):
                day = value.strip()
                terms.add(("embargo", f"{day[:4]}-{day[4:6]}-{day[6:]}"))
    return terms


def _texts(value: Any) -> Iterator[str]:
    """The strings in a value that may be a string or a list of them."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, str):
            yield item


def _dicts(value: Any) -> Iterator[Mapping[str, Any]]:
    if isinstance(value, list):
        yield from (item for item in value if isinstance(item, dict))


def _people(record: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    yield from _dicts(record.get("creators"))
    yield from _dicts(record.get("contributors"))
