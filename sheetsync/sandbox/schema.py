"""What the server does to a record on write: swap-all, read-only keys, code tables.

This is the behaviour that destroys data in careless scripts, so the sandbox reproduces it
faithfully (docs/sandbox.md):

* Researchers are serialised in a fixed schema order, as Alma's JAXB binding does. A field the
  PUT body leaves out is reset to its default (empty string, empty list or null); a field the
  schema does not know is dropped; `user_role` alone is kept when absent.
* Assets keep what they are sent; a field left out is gone. The `*WithDesc` objects are derived
  from their plain code fields and recomputed on every write.
* Every code-table value is validated and its `desc` recomputed; the `desc` sent is ignored.
* The record's key (`primary_id`, `originalRepository.assetId`) comes from the URL, never the body.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterator
from typing import Any

from sheetsync.sandbox import errors
from sheetsync.sandbox.codetables import ASSET_CODE_FIELDS, CODE_TABLES, RESEARCHER_CODE_FIELDS

Record = dict[str, Any]
Default = Callable[[], Any]


def _empty_str() -> str:
    return ""


def _none() -> None:
    return None


def _empty_list() -> list[Any]:
    return []


def _false() -> bool:
    return False


def _contact_info() -> dict[str, Any]:
    return {"address": [], "email": [], "phone": []}


_RESEARCHER_TOP: tuple[tuple[str, Default], ...] = (
    ("record_type", _none),
    ("primary_id", _empty_str),
    ("first_name", _empty_str),
    ("middle_name", _empty_str),
    ("last_name", _empty_str),
    ("full_name", _empty_str),
    ("user_title", _empty_str),
    ("job_category", _none),
    ("job_description", _empty_str),
    ("gender", _none),
    ("user_group", _none),
    ("campus_code", _none),
    ("web_site_url", _empty_str),
    ("preferred_language", _none),
    ("expiry_date", _empty_str),
    ("purge_date", _empty_str),
    ("account_type", _none),
    ("external_id", _empty_str),
    ("password", _empty_str),
    ("force_password_change", _empty_str),
    ("status", _none),
    ("status_date", _empty_str),
    ("contact_info", _contact_info),
    ("pref_first_name", _empty_str),
    ("pref_middle_name", _empty_str),
    ("pref_last_name", _empty_str),
    ("pref_name_suffix", _empty_str),
    ("is_researcher", _false),
    ("researcher", _none),
    ("user_identifier", _empty_list),
    ("user_role", _empty_list),
    ("user_block", _empty_list),
    ("user_note", _empty_list),
    ("user_statistic", _empty_list),
    ("proxy_for_user", _empty_list),
    ("source_link_id", _empty_str),
    ("linking_id", _empty_str),
)

_RESEARCHER_SUB: tuple[tuple[str, Default], ...] = (
    ("researcher_first_name", _empty_str),
    ("researcher_middle_name", _empty_str),
    ("researcher_last_name", _empty_str),
    ("researcher_name_suffix", _empty_str),
    ("researcher_title", _none),
    ("display_title", _empty_str),
    ("position", _none),
    ("portal_profile", _none),
    ("auto_capture", _false),
    ("research_center", _false),
    ("update_ORCID_profile", _false),
    ("profile_identifier_url", _empty_str),
    ("researcher_keyword", _empty_list),
    ("researcher_research_topic", _empty_list),
    ("researcher_language", _empty_list),
    ("researcher_name_variant", _empty_list),
    ("researcher_alternate_email", _empty_list),
    ("researcher_description", _empty_list),
    ("researcher_webpage", _empty_list),
    ("researcher_education", _empty_list),
    ("researcher_honor", _empty_list),
    ("researcher_organization_affiliation", _empty_list),
    ("researcher_previous_organization_affiliation", _empty_list),
    ("researcher_external_organization_affiliation", _empty_list),
    ("researcher_previous_external_organization_affiliation", _empty_list),
    ("user_identifier", _empty_list),
)

_CONTACT_INFO: tuple[tuple[str, Default], ...] = (
    ("address", _empty_list),
    ("email", _empty_list),
    ("phone", _empty_list),
)

# Asset fields that `POST ?op=patch` may write (docs/sandbox.md).
_PATCHABLE_PREFIXES = ("date.", "identifier.")
_PATCHABLE_FIELDS = frozenset({"grants.note", "fundingreferenceList", "links"})


def _swap_all(body: Record, schema: tuple[tuple[str, Default], ...], where: str) -> Record:
    """The record a swap-all PUT stores: schema order, defaults for what is missing."""
    record: Record = {}
    for key, default in schema:
        value = body.get(key)
        if value is None:
            value = default()
        elif isinstance(default(), list) and not isinstance(value, list):
            raise _bad_body(f"field '{where}{key}' must be a list")
        record[key] = value
    return record


def _bad_body(message: str) -> errors.ApiError:
    return errors.ApiError(400, errors.INVALID_BODY, message)


def normalize_researcher(body: Any, primary_id: str, stored: Record | None) -> Record:
    """The researcher a PUT of `body` to `/researchers/{primary_id}` leaves in the store."""
    if not isinstance(body, dict):
        raise _bad_body("the request body must be a JSON object (a user record)")
    record = _swap_all(body, _RESEARCHER_TOP, "")
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
        record["researcher"] = _swap_all(researcher, _RESEARCHER_SUB, "researcher.")
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
    """Validate one `{"value", "desc"}` object in place and recompute its `desc`."""
    if not isinstance(code_object, dict):
        raise _bad_body(f"field '{where}' must be an object with a 'value'")
    value = code_object.get("value")
    if value in (None, ""):
        return
    code_object["desc"] = _description(value, table, where)


def _description(code: Any, table: str, where: str) -> str:
    """The code table's description of `code`; an unknown code is a 400 naming the field."""
    description = CODE_TABLES[table].get(str(code))
    if description is None:
        raise errors.ApiError(
            400,
            errors.INVALID_CODE_VALUE,
            f"Invalid value '{code}' for field '{where}': not in code table {table}.",
        )
    return description


def normalize_asset(body: Any, asset_id: str) -> Record:
    """The asset a PUT of `body` to `/assets/{asset_id}` leaves in the store.

    The body is the record itself or the GET wrapper `{"records": [record]}` [guess: both
    accepted, the real API's expectation is not documented].
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


def patch_asset(stored: Record, body: Any, action: str) -> Record:
    """`POST /assets/{id}?op=patch&action=replace|add` on `stored`; returns the new record.

    `replace` overwrites scalars and whole lists; `add` fills empty scalars and appends to
    lists. Only dates, identifiers, `grants.note`, `fundingreferenceList` and `links` may be
    patched; anything else is refused, naming the field.
    """
    if action not in ("replace", "add"):
        raise errors.ApiError(
            400, errors.INVALID_PARAMETER, f"action must be 'replace' or 'add', not '{action}'"
        )
    changes = _unwrap_single_record(body)
    for field in changes:
        if not (field.startswith(_PATCHABLE_PREFIXES) or field in _PATCHABLE_FIELDS):
            raise errors.ApiError(
                400,
                errors.FIELD_NOT_PATCHABLE,
                f"Field '{field}' cannot be updated with op=patch.",
            )
    record = copy.deepcopy(stored)
    for field, value in changes.items():
        current = record.get(field)
        if action == "replace":
            record[field] = value
        elif isinstance(current, list):
            record[field] = current + (value if isinstance(value, list) else [value])
        elif current in (None, ""):
            record[field] = value
    return _derive_asset_descriptions(record)


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
