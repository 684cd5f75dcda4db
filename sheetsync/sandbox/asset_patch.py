"""`POST /esploro/v1/assets/{id}?op=patch`: the only way the Assets API writes an asset.

The OpenAPI file has no PUT and no DELETE for assets; this partial update is all there is. The
evidence shows three body shapes, and the sandbox reads each into one form (dotted asset keys to
values, as a GET returns them) before checking and applying it:

* the Knowledge Center's XML (kc-update-asset-by-api.txt): `<ns3:records xmlns:ns3=
  "http://rest_esploro"><record><identifier.doi>…`, with `<links><link><link.url>…` and
  `<fundingreferenceList><fundingreference>…` lists. Parsed with defusedxml: a body is input
  from a client, and entity expansion is never wanted;
* flat JSON with the dotted keys a GET returns: `{"records": [{"date.published": …}]}`
  (asset-patch-bodies.third-party.md, kc-update-asset-link-to-grant.txt);
* the Knowledge Center's nested JSON: `{"record": {"identifier": {"doi": …}, "date": {…},
  "links": [{"url": …}]}}`.

Only the fields the article lists may be patched (dates, its 28 identifiers, local fields, the
grant note, related grants, links, files); anything else is refused, naming the field, so a
client learns at once that it tried to write what Esploro would not. `identifier.*` sent in JSON
are dropped without a word unless the sandbox accepts them: the third party says identifiers
patch only from XML, and a silent no-op is the stricter thing for a client to survive.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import Element

import defusedxml.ElementTree as SafeET
from defusedxml import DefusedXmlException

from sheetsync.sandbox import errors

Record = dict[str, Any]
Changes = dict[str, Any]
ACTIONS = ("add", "replace")
JSON_IDENTIFIER_POLICIES = ("ignore", "accept")

# The 28 identifiers of the Knowledge Center article's sample body, in its order.
IDENTIFIER_FIELDS: tuple[str, ...] = tuple(
    f"identifier.{name}"
    for name in (
        "doi", "pmid", "pmcid", "uri", "handle", "ismn", "isbn", "eissn", "issn", "other",
        "govtnum", "wos", "scopus", "arxiv", "ark", "sici", "rno",
        *(f"additional{n:02d}" for n in range(1, 10)),
        "pqdt", "eisbn",
    )
)  # fmt: skip
_DATE_FIELD = re.compile(r"date\.[A-Za-z]+\Z")
_LOCAL_NOTE = re.compile(r"local\.note([1-9]|[1-4][0-9]|50)\Z")  # the dictionary's 1..50
TEXT_FIELDS = frozenset({"grants.note"})
# A stored link's keys, in the order real (captured) links carry them.
LINK_KEYS: tuple[str, ...] = (
    "link.url", "link.type", "link.description", "link.title", "link.rights",
    "link.supplemental", "link.license", "link.ownership", "link.order",
    "link.display_in_viewer", "link.rightsreason", "link.embargoend",
)  # fmt: skip
FUNDING_KEYS = frozenset(
    {
        "fundername", "funderidentifier.isni", "funderidentifier.grid",
        "funderidentifier.crossref", "funderidentifier.other", "awardnumber", "awarduri",
        "awardtitle", "grantURL",
    }
)  # fmt: skip
EXTRACT_KEYS = frozenset(
    {
        "link.title", "link.url", "link.description", "link.type", "link.rights",
        "link.rightsreason", "link.embargoend", "link.license", "link.supplemental",
    }
)  # fmt: skip
LIST_ITEMS = {"links": "link", "fundingreferenceList": "fundingreference"}
RECORDS_TAG = "{http://rest_esploro}records"
_NESTED_GROUPS = ("identifier", "date", "grants")
# What the captured links say about their codes; the sandbox has no link code tables.
_LINK_DESCS = {
    "published": "Published (Version of record)",
    "accepted": "Accepted",
    "submitted": "Submitted",
    "owner.external": "External",
    "owner.institutional": "Institutional",
}


def _bad_body(message: str) -> errors.ApiError:
    return errors.ApiError(400, errors.INVALID_BODY, message)


def _not_patchable(field: str, why: str = "") -> errors.ApiError:
    return errors.ApiError(
        400,
        errors.FIELD_NOT_PATCHABLE,
        f"Field '{field}' cannot be updated with op=patch{why}.",
    )


# -- reading the three body shapes -------------------------------------------------------


@dataclass(frozen=True)
class PatchBody:
    changes: Changes
    from_xml: bool


def read_changes(body: bytes, content_type: str, json_identifiers: str) -> Changes:
    """The checked changes a patch body asks for; `identifier.*` from JSON dropped if told."""
    parsed = read_body(body, content_type)
    check_changes(parsed.changes, parsed.from_xml)
    if parsed.from_xml or json_identifiers == "accept":
        return parsed.changes
    return {k: v for k, v in parsed.changes.items() if k not in IDENTIFIER_FIELDS}


def read_body(body: bytes, content_type: str) -> PatchBody:
    """The body as dotted keys to values, by its Content-Type: XML or one of two JSON shapes."""
    media = content_type.split(";")[0].strip().lower()
    if media.endswith(("/xml", "+xml")):
        return PatchBody(_xml_changes(body), from_xml=True)
    if media.endswith(("/json", "+json")):
        return PatchBody(_json_changes(body), from_xml=False)
    raise _bad_body(
        f"Content-Type '{content_type or 'none'}': a patch body is application/xml or "
        "application/json."
    )


def _xml_changes(body: bytes) -> Changes:
    try:
        root = SafeET.fromstring(body)
    except (SafeET.ParseError, DefusedXmlException, ValueError) as exc:
        raise _bad_body(f"The XML body cannot be read: {exc}") from exc
    if root.tag != RECORDS_TAG:
        raise _bad_body(
            f'The XML body must be <ns3:records xmlns:ns3="http://rest_esploro">, not <{root.tag}>.'
        )
    records = list(root)
    if len(records) != 1 or records[0].tag != "record":
        raise _bad_body("<ns3:records> must hold exactly one <record>.")
    changes: Changes = {}
    repeated: set[str] = set()
    for element in records[0]:
        name, value = element.tag, _xml_field(element)
        if name not in changes:
            changes[name] = value
        elif name in LIST_ITEMS:
            changes[name] = [*changes[name], *value]
        else:  # a repeated element is a list of plain values, as an asset's ISBNs
            if name not in repeated:
                changes[name] = [changes[name]]
                repeated.add(name)
            changes[name].append(value)
    return changes


def _xml_field(element: Element) -> Any:
    """One child of `<record>`: text, a list of items, or (local fields) an object."""
    name = element.tag
    item = LIST_ITEMS.get(name)
    if item is not None:
        return [_xml_object(child, item, name) for child in element]
    if name in ("local.fields", "temporary"):
        return _xml_object(element, name, "record")
    if len(element):
        raise _bad_body(f"<{name}> must hold text, not elements.")
    return element.text or ""


def _xml_object(element: Element, tag: str, parent: str) -> dict[str, Any]:
    if element.tag != tag:
        raise _bad_body(f"<{parent}> holds <{tag}> elements, not <{element.tag}>.")
    fields: dict[str, Any] = {}
    for leaf in element:
        if len(leaf):
            raise _bad_body(f"<{tag}><{leaf.tag}> must hold text, not elements.")
        fields[leaf.tag] = leaf.text or ""
    return fields


def _json_changes(body: bytes) -> Changes:
    try:
        document = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _bad_body(f"The request body is not valid JSON: {exc}") from exc
    shape = '{"records": [{...}]} or {"record": {...}}'
    if not isinstance(document, dict):
        raise _bad_body(f"A JSON patch body is {shape}.")
    extra = set(document) - {"records", "record", "totalRecordCount", "total_record_count"}
    if extra or ("records" in document) == ("record" in document):
        raise _bad_body(f"A JSON patch body is {shape}.")
    if "records" in document:  # the flat shape: dotted keys, as a GET returns them
        records = document["records"]
        if not isinstance(records, list) or len(records) != 1 or not isinstance(records[0], dict):
            raise _bad_body("'records' must hold exactly one asset object.")
        return dict(records[0])
    if not isinstance(document["record"], dict):
        raise _bad_body("'record' must be an object.")
    return _unnested(document["record"])


def _unnested(record: Mapping[str, Any]) -> Changes:
    """The Knowledge Center's nested JSON as dotted keys: `identifier.doi`, `link.url`, ..."""
    changes: Changes = {}
    for key, value in record.items():
        if key in _NESTED_GROUPS and isinstance(value, dict):
            changes.update({f"{key}.{inner}": v for inner, v in value.items()})
        elif key == "local" and isinstance(value, dict):
            for inner, v in value.items():
                notes = _prefixed(v, "local.") if inner == "fields" else v
                changes[f"local.{inner}"] = notes
        elif key == "links" and isinstance(value, list):
            changes[key] = [_prefixed(item, "link.") for item in value]
        else:
            changes[key] = value
    return changes


def _prefixed(item: Any, prefix: str) -> Any:
    if not isinstance(item, dict):
        return item
    return {k if k.startswith(prefix) else f"{prefix}{k}": v for k, v in item.items()}


# -- what may be patched ------------------------------------------------------------------


def check_changes(changes: Mapping[str, Any], from_xml: bool) -> None:
    """Refuse, naming the field, anything the Knowledge Center article does not list."""
    for name, value in changes.items():
        if name in IDENTIFIER_FIELDS:
            _check_texts(name, value)
        elif name in TEXT_FIELDS or _DATE_FIELD.match(name):
            _check_text(name, value)
        elif name == "local.fields":
            _check_notes(value)
        elif name == "links":
            _check_items(name, value, frozenset(LINK_KEYS), required="link.url")
        elif name == "fundingreferenceList":
            _check_items(name, value, FUNDING_KEYS, required=None)
        elif name == "temporary":
            _check_temporary(value, from_xml)
        else:
            raise _not_patchable(name)


def _check_text(name: str, value: Any) -> None:
    if value is not None and not isinstance(value, str):
        raise _bad_body(f"Field '{name}' must be text.")


def _check_texts(name: str, value: Any) -> None:
    for item in value if isinstance(value, list) else [value]:
        _check_text(name, item)


def _check_notes(value: Any) -> None:
    if not isinstance(value, dict):
        raise _bad_body("Field 'local.fields' must be an object of local.note1..local.note50.")
    for note, text in value.items():
        if not _LOCAL_NOTE.match(str(note)):
            raise _not_patchable(f"local.fields.{note}")
        _check_text(f"local.fields.{note}", text)


def _check_items(name: str, value: Any, keys: frozenset[str], required: str | None) -> None:
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise _bad_body(f"Field '{name}' must be a list of objects.")
    for index, item in enumerate(value):
        for key, inner in item.items():
            if key not in keys:
                raise _not_patchable(f"{name}[{index}].{key}")
            if isinstance(inner, dict | list):
                raise _bad_body(f"Field '{name}[{index}].{key}' must be a plain value.")
        if required is not None and not item.get(required):
            raise _bad_body(f"Field '{name}[{index}]' needs '{required}'.")


def _check_temporary(value: Any, from_xml: bool) -> None:
    if from_xml:  # asset-patch-bodies.third-party.md: "not a valid ... field in XML requests"
        raise _not_patchable("temporary", " from an XML body (files patch from JSON only)")
    if not isinstance(value, dict) or set(value) - {"linksToExtract"}:
        raise _bad_body("Field 'temporary' must be {\"linksToExtract\": [...]}.")
    links = value.get("linksToExtract") or []
    _check_items("temporary.linksToExtract", links, EXTRACT_KEYS, required="link.url")


# -- applying add and replace ------------------------------------------------------------


def apply_patch(
    stored: Record, changes: Mapping[str, Any], action: str, *, clear_empty: bool = False
) -> Record:
    """The asset after `action` (add or replace) of `changes`; `stored` is left alone.

    `add` fills an empty simple field and appends to a list; `replace` overwrites a simple
    field and swaps a whole list (kc-update-asset-by-api.txt). Whether `replace` with an empty
    value clears a simple field no evidence says: by the stricter choice it changes nothing
    (a client must not count on clearing), unless `clear_empty` (`--patch-empty clear`).
    """
    record = copy.deepcopy(stored)
    for name, value in changes.items():
        if name == "local.fields":
            _patch_notes(record, value, action)
        elif name == "links":
            _patch_list(record, name, _stored_links(value, _first_order(record, action)), action)
        elif name == "temporary":
            files = _extracted_files(value.get("linksToExtract") or [], record, action)
            _patch_list(record, "files", files, action)
        elif name == "fundingreferenceList" or isinstance(value, list):
            _patch_list(record, name, copy.deepcopy(value), action)
        elif isinstance(record.get(name), list):  # one value for a list field (an ISBN)
            _patch_list(record, name, [] if _is_empty(value) else [value], action)
        else:
            _patch_simple(record, name, value, action, clear_empty)
    return record


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


def _patch_simple(record: Record, name: str, value: Any, action: str, clear_empty: bool) -> None:
    if action == "add":
        if _is_empty(record.get(name)) and not _is_empty(value):
            _put(record, name, value)
    elif _is_empty(value):
        if clear_empty:
            record.pop(name, None)  # a GET leaves an empty field out [guess]
    else:
        _put(record, name, value)


def _patch_list(record: Record, name: str, items: list[Any], action: str) -> None:
    current = record.get(name)
    existing = [] if _is_empty(current) else current if isinstance(current, list) else [current]
    new = [*existing, *items] if action == "add" else items
    if new:
        _put(record, name, new)
    else:
        record.pop(name, None)


def _patch_notes(record: Record, notes: Mapping[str, Any], action: str) -> None:
    """Each local note is a simple field of its own inside `local.fields`."""
    fields = dict(record.get("local.fields") or {})
    for note, text in notes.items():
        if action == "replace" or _is_empty(fields.get(note)):
            fields[note] = text or ""
    _put(record, "local.fields", fields)


def _put(record: Record, name: str, value: Any) -> None:
    """Set `name`; a new dotted key goes after the last key of its family (`identifier.`)."""
    if name in record or "." not in name:
        record[name] = value
        return
    family = name.split(".")[0] + "."
    keys = list(record)
    last = max((i for i, key in enumerate(keys) if key.startswith(family)), default=None)
    if last is None:
        record[name] = value
        return
    items = list(record.items())
    items.insert(last + 1, (name, value))
    record.clear()
    record.update(items)


def _first_order(record: Record, action: str) -> int:
    """The `link.order` a new link gets when the body gives none: after the last one."""
    if action == "replace":
        return 1
    orders = [_as_int(link.get("link.order")) for link in record.get("links") or []]
    return max([0, *(order for order in orders if order is not None)]) + 1


def _as_int(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return str(value).strip().lower() in ("true", "yes", "1")


def _stored_links(links: list[dict[str, Any]], first_order: int) -> list[dict[str, Any]]:
    """Links as a GET shows them: every key, derived `*WithDesc`, booleans, integer order."""
    stored = []
    for offset, link in enumerate(links):
        fields: dict[str, Any] = {key: link.get(key) for key in LINK_KEYS}
        for key in ("link.supplemental", "link.display_in_viewer"):
            fields[key] = _as_bool(fields[key]) if fields[key] is not None else False
        order = _as_int(fields["link.order"])
        fields["link.order"] = first_order + offset if order is None else order
        stored.append(
            {
                "linkTypeWithDesc": _with_desc(fields["link.type"]),
                "linkLicenseCodeWithDesc": _with_desc(fields["link.license"]),
                "linkOwnershipWithDesc": _with_desc(fields["link.ownership"]),
                **fields,
            }
        )
    return stored


def _with_desc(code: Any) -> dict[str, Any] | None:
    if _is_empty(code):
        return None
    return {"value": code, "desc": _LINK_DESCS.get(str(code), str(code))}


def _extracted_files(
    links: list[dict[str, Any]], record: Record, action: str
) -> list[dict[str, Any]]:
    """`temporary.linksToExtract` as the file entries Esploro would make of them [guess]: the
    sandbox fetches nothing, it records the file the link names."""
    start = 0 if action == "replace" else len(record.get("files") or [])
    files = []
    for offset, link in enumerate(links):
        url = str(link["link.url"])
        entry = {
            "file.name": link.get("link.title") or url.rstrip("/").rsplit("/", 1)[-1],
            "file.type": link.get("link.type"),
            "file.description": link.get("link.description"),
            "file.rights": link.get("link.rights"),
            "file.license.code": link.get("link.license"),
            "file.order": str(start + offset),
            "file.supplemental": "yes" if _as_bool(link.get("link.supplemental")) else "no",
            "file.embargo_expiry_date": _yyyymmdd(link.get("link.embargoend")),
        }
        files.append({key: value for key, value in entry.items() if value is not None})
    return files


def _yyyymmdd(text: Any) -> str:
    """An embargo end as files carry it (YYYYMMDD) from MM/DD/YYYY, YYYY-MM-DD or YYYYMMDD."""
    value = str(text or "").strip()
    if match := re.fullmatch(r"(\d{2})/(\d{2})/(\d{4})", value):
        return f"{match[3]}{match[1]}{match[2]}"
    return value.replace("-", "") if re.fullmatch(r"\d{4}-?\d{2}-?\d{2}", value) else ""
