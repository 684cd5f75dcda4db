"""What the server does to a record on write: swap-all, read-only keys, code tables.

This is the behaviour that destroys data in careless scripts, so the sandbox reproduces it
faithfully (docs/sandbox.md):

* Researchers are serialised in a fixed schema order (rest_user.xsd and rest_researcher.xsd), as
  Alma's JAXB binding does. A field the PUT body leaves out is reset to its default (empty
  string, empty list, an empty code object `{"value": "", "desc": ""}`, or the XSD's documented
  default); `user_role` alone is kept when absent. A field the schema does not model is kept as
  sent, after the modelled ones, so the sandbox never hides a field a client dropped.
* Assets keep what they are sent; a field left out is gone (only a colleague's edit in the UI,
  or the experimental `asset_put`, writes a whole asset: the API has no PUT for assets, and its
  `op=patch` lives in `asset_patch.py`). The `*WithDesc` objects are derived from their plain
  code fields and recomputed on every write.
* Every code-table value is validated and its `desc` recomputed; the `desc` sent is ignored.
* The record's key (`primary_id`, `originalRepository.assetId`) comes from the URL, never the body.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from sheetsync.sandbox import errors
from sheetsync.sandbox.codetables import (
    ASSET_CODE_FIELDS,
    RESEARCHER_CODE_FIELDS,
    is_code_table,
    known_values,
)

Record = dict[str, Any]
Default = Callable[[], Any]


def _empty_str() -> str:
    return ""


def _empty_list() -> list[Any]:
    return []


def _false() -> bool:
    return False


def _empty_code() -> dict[str, Any]:
    """An unset code field as Alma returns one (alma-user.json: `user_title`, `gender`)."""
    return {"value": "", "desc": ""}


def _campus_code() -> dict[str, Any]:
    """alma-user.json's unset `campus_code`: a null value beside an empty description."""
    return {"value": None, "desc": ""}


def _code_default(value: str, desc: str) -> Default:
    """A code field's documented default ("Default: Yes", "Default: en" in the XSDs)."""
    return lambda: {"value": value, "desc": desc}


def _text_default(value: str) -> Default:
    return lambda: value


def _contact_info() -> dict[str, Any]:
    return {"address": [], "email": [], "phone": []}


# The user record (rest_user.xsd; key order of alma-user.json where it shows them). Defaults
# documented in the XSD: status "Default is Active", preferred_language "Default: en",
# is_researcher "Default is false"; an unset code field is an empty code object.
_RESEARCHER_TOP: tuple[tuple[str, Default], ...] = (
    ("record_type", _empty_code),
    ("primary_id", _empty_str),
    ("first_name", _empty_str),
    ("middle_name", _empty_str),
    ("last_name", _empty_str),
    ("full_name", _empty_str),
    ("user_title", _empty_code),
    ("job_category", _empty_code),
    ("job_description", _empty_str),
    ("gender", _empty_code),
    ("user_group", _empty_code),
    ("campus_code", _campus_code),
    ("web_site_url", _empty_str),
    ("preferred_language", _code_default("en", "English")),
    ("expiry_date", _empty_str),
    ("purge_date", _empty_str),
    ("account_type", _empty_code),
    ("external_id", _empty_str),
    ("password", _empty_str),
    ("force_password_change", _empty_str),
    ("status", _code_default("ACTIVE", "Active")),
    ("status_date", _empty_str),
    ("contact_info", _contact_info),
    ("pref_first_name", _empty_str),
    ("pref_middle_name", _empty_str),
    ("pref_last_name", _empty_str),
    ("pref_name_suffix", _empty_str),
    ("is_researcher", _false),
    ("researcher", lambda: None),
    ("user_identifier", _empty_list),
    ("user_role", _empty_list),
    ("user_block", _empty_list),
    ("user_note", _empty_list),
    ("user_statistic", _empty_list),
    ("proxy_for_user", _empty_list),
    ("source_link_id", _empty_str),
    ("linking_id", _empty_str),
)

# The `researcher` object: every element of rest_researcher.xsd, in its declaration order, the
# XSD's wrapper lists (`researcher_keywords/researcher_keyword`) flattened to one JSON list as
# Alma's JSON does. `update_ORCID_profile` sits where researcher-xml-excerpt.txt shows it;
# `profile_identifier_url`'s place is a guess. Defaults documented in the XSD: portal_profile,
# auto_capture and research_center "Default: Yes", previous_affiliated "Default: false",
# default_publication_language "Default: en".
_RESEARCHER_SUB: tuple[tuple[str, Default], ...] = (
    ("researcher_first_name", _empty_str),
    ("researcher_middle_name", _empty_str),
    ("researcher_last_name", _empty_str),
    ("researcher_suffix", _empty_str),
    ("researcher_title", _empty_code),
    ("profile_image_url", _empty_str),
    ("photo_url", _empty_str),
    ("profile_identifier_url", _empty_str),
    ("display_title", _empty_str),
    ("display_title_multilingual", _empty_list),
    ("position", _empty_code),
    ("portal_profile", _code_default("true", "Yes")),
    ("auto_capture", _text_default("true")),
    ("update_ORCID_profile", _false),
    ("research_center", _text_default("true")),
    ("previous_affiliated", _false),
    ("default_publication_language", _code_default("en", "English")),
    ("researcher_alternate_email", _empty_list),
    ("researcher_organization_affiliation", _empty_list),
    ("researcher_previous_organization_affiliation", _empty_list),
    ("researcher_external_organization_affiliation", _empty_list),
    ("researcher_previous_external_organization_affiliation", _empty_list),
    ("researcher_name_variant", _empty_list),
    ("researcher_engagement_type", _empty_list),
    ("researcher_research_topic", _empty_list),
    ("researcher_keyword", _empty_list),
    ("researcher_keyword_multilingual", _empty_list),
    ("researcher_association", _empty_list),
    ("researcher_language", _empty_list),
    ("researcher_honor", _empty_list),
    ("researcher_education", _empty_list),
    ("researcher_description", _empty_list),
    ("researcher_webpage", _empty_list),
    ("user_identifier", _empty_list),
)

# The multilingual forms an institution with `esploro_researcher_load_multilingual_xsd_enabled`
# uses instead of the plain ones: placed beside them when present, but never added to a record
# that does not have them (whether Esploro adds them is a guess).
_OPTIONAL_RESEARCHER = frozenset({"display_title_multilingual", "researcher_keyword_multilingual"})

_CONTACT_INFO: tuple[tuple[str, Default], ...] = (
    ("address", _empty_list),
    ("email", _empty_list),
    ("phone", _empty_list),
)


def _swap_all(
    body: Record,
    schema: tuple[tuple[str, Default], ...],
    where: str,
    optional: frozenset[str] = frozenset(),
) -> Record:
    """The record a swap-all PUT stores: schema order, defaults for what is missing (the
    `optional` keys excepted: absent stays absent), then every unmodelled key as sent."""
    record: Record = {}
    for key, default in schema:
        if key in optional and key not in body:
            continue
        value = body.get(key)
        if value is None and key not in optional:
            value = default()
        elif value is not None and isinstance(default(), list) and not isinstance(value, list):
            raise _bad_body(f"field '{where}{key}' must be a list")
        record[key] = value
    modelled = {key for key, _ in schema}
    record.update((key, value) for key, value in body.items() if key not in modelled)
    return record


def _bad_body(message: str) -> errors.ApiError:
    return errors.ApiError(400, errors.INVALID_BODY, message)


def normalize_researcher(body: Any, primary_id: str, stored: Record | None) -> Record:
    """The researcher a PUT of `body` to `/researchers/{primary_id}` leaves in the store."""
    if not isinstance(body, dict):
        raise _bad_body("the request body must be a JSON object (a user record)")
    record = _swap_all(copy.deepcopy(body), _RESEARCHER_TOP, "")
    record["primary_id"] = primary_id
    if "user_role" not in body and stored is not None:
        record["user_role"] = copy.deepcopy(stored.get("user_role", []))
    contact = record["contact_info"]
    if not isinstance(contact, dict):
        raise _bad_body("field 'contact_info' must be an object")
    record["contact_info"] = _swap_all(contact, _CONTACT_INFO, "contact_info.")
    researcher = record["researcher"]
    if researcher is not None:
        if not isinstance(researcher, dict):
            raise _bad_body("field 'researcher' must be an object")
        record["researcher"] = _swap_all(
            researcher, _RESEARCHER_SUB, "researcher.", _OPTIONAL_RESEARCHER
        )
    for path, table in RESEARCHER_CODE_FIELDS:
        for where, code_object in _walk(record, path, ""):
            _apply_code_table(code_object, table, where)
    return record


def _walk(node: Any, path: tuple[str, ...], where: str) -> Iterator[tuple[str, Any]]:
    """Every value at `path` below `node`, with a readable location for error messages."""
    if not path:
        yield where, node
        return
    head, rest = path[0], path[1:]
    if head == "*":
        if isinstance(node, list):
            for index, item in enumerate(node):
                yield from _walk(item, rest, f"{where}[{index}]")
    elif isinstance(node, dict) and node.get(head) is not None:
        yield from _walk(node[head], rest, f"{where}.{head}" if where else head)


def _apply_code_table(code_object: Any, table: str, where: str) -> None:
    """Validate one `{"value", "desc"}` object in place and recompute its `desc` (an empty
    value has the empty description alma-user.json shows)."""
    if not isinstance(code_object, dict):
        raise _bad_body(f"field '{where}' must be an object with a 'value'")
    value = code_object.get("value")
    if value in (None, ""):
        code_object["desc"] = ""
        return
    code_object["desc"] = _description(value, table, where)


def _description(code: Any, table: str, where: str) -> str:
    """The code table's description of `code`; an unknown code is a 400 naming the field."""
    description = known_values(table).get(str(code))
    if description is None:
        known = f"code table {table}" if is_code_table(table) else "the values the sandbox knows"
        raise errors.ApiError(
            400,
            errors.INVALID_CODE_VALUE,
            f"Invalid value '{code}' for field '{where}': not in {known}.",
        )
    return description


def normalize_asset(body: Any, asset_id: str) -> Record:
    """The asset a whole-record write of `body` to `asset_id` leaves in the store.

    Used by a colleague's merge patch (`/_sandbox/`) and the experimental `asset_put`: the real
    API has no asset PUT. The body is the record itself or the GET wrapper `{"records": [record]}`.
    """
    record = _unwrap_single_record(body)
    repository = record.get("originalRepository")
    if not isinstance(repository, dict):
        repository = {}
    record["originalRepository"] = {**repository, "assetId": asset_id}
    return _derive_asset_descriptions(record)


def _unwrap_single_record(body: Any) -> Record:
    if isinstance(body, dict) and "records" in body:
        records = body["records"]
        if not isinstance(records, list) or len(records) != 1:
            raise _bad_body("'records' must hold exactly one asset record")
        body = records[0]
    if not isinstance(body, dict):
        raise _bad_body("the request body must be a JSON object (an asset record)")
    return copy.deepcopy(body)


def _derive_asset_descriptions(record: Record) -> Record:
    """Recompute each `*WithDesc` from its plain code field, keeping key positions."""
    derived: dict[str, Any] = {}
    for field, with_desc, table in ASSET_CODE_FIELDS:
        code = record.get(field)
        if code is None:
            continue
        derived[with_desc] = {"value": code, "desc": _description(code, table, field)}
    plain_to_derived = {field: with_desc for field, with_desc, _ in ASSET_CODE_FIELDS}
    result: Record = {}
    for key, value in record.items():
        if key in plain_to_derived.values():
            if key in derived:
                result[key] = derived.pop(key)
            continue
        result[key] = value
        partner = plain_to_derived.get(key)
        if partner is not None and partner in derived and partner not in record:
            result[partner] = derived.pop(partner)
    return result


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386 JSON Merge Patch, transcribed from the RFC's own pseudocode (section 2).

    Written here rather than imported: the PyPI package for it is untyped and unmaintained,
    and the algorithm is these few lines.
    """
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


def brief_researcher(record: Record) -> Record:
    """The brief form the researcher list returns (Alma's list view)."""
    return {
        "primary_id": record.get("primary_id", ""),
        "first_name": record.get("first_name", ""),
        "last_name": record.get("last_name", ""),
        "full_name": record.get("full_name", ""),
        "user_group": record.get("user_group"),
        "status": record.get("status"),
        "is_researcher": record.get("is_researcher", False),
    }
