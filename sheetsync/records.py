"""Record identity: which record a row is, and whether a record has changed since.

The fingerprint is the SHA-256 of the record's canonical JSON (sorted keys, no whitespace)
without its volatile fields: any change to any other field, however deep, changes it, and key
order (which the server may vary) does not. Volatile fields are those the server changes on its
own, with no one editing the record: an asset's `asset.views` and `asset.downloads` go up each
time someone looks at it in the portal. Each entity adapter lists its own
(`sheetsync.esploro.entities`, `Entity.volatile_fields`); a test holds them to
`VOLATILE_FIELDS`, the union, which the fingerprint leaves out so that export, plan and apply
fingerprint alike without knowing the entity. A viewed asset is therefore not a changed one.
Export stores the fingerprint as the baseline; plan keeps the live one; the apply journal holds
the intended and stored ones, which settling a write and rollback compare.

Plan also keeps a short fingerprint per field (`field_fingerprints`), so that apply can name
the fields a colleague changed since the plan. A field is a top-level key, or, for a key that
holds an object, each key of that object (`researcher/researcher_keyword`: a researcher's
profile is almost all under `researcher`): two levels at most, so the map stays small. Its
names are JSON Pointers without the leading `/` (`~1` a `/` in a key, `~0` a `~`), so an
asset's dotted key stays as it is (`identifier.pmid`). `field_of` gives the field a JSON
Pointer falls in, which is what apply compares the plan's writes with.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from sheetsync.errors import RecordIdError
from sheetsync.fieldpath import FieldPath, escape_key, read_value

# Top-level fields the server changes by itself (portal view and download counters), in any
# entity. Every adapter's `volatile_fields` is a subset (tests/esploro/test_entities.py).
VOLATILE_FIELDS: frozenset[str] = frozenset({"asset.views", "asset.downloads"})


def comparable(
    record: Mapping[str, Any], volatile: Collection[str] = VOLATILE_FIELDS
) -> dict[str, Any]:
    """The record without its volatile top-level fields: what "changed" is judged on."""
    return {key: value for key, value in record.items() if key not in volatile}


def fingerprint(record: Mapping[str, Any], volatile: Collection[str] = VOLATILE_FIELDS) -> str:
    return _digest(comparable(record, volatile))


FIELD_FINGERPRINT_LENGTH = 16  # hex characters of a field's SHA-256 kept in a plan


def _digest(value: Any) -> str:
    """The SHA-256 of `value`'s canonical JSON (sorted keys, no whitespace), in hex."""
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    # surrogatepass: a lone surrogate (JSON may escape one) must not crash the export
    return hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()


def _never(pointer: str) -> bool:
    return False


def field_fingerprints(
    record: Mapping[str, Any],
    ignore: Callable[[str], bool] = _never,
    volatile: Collection[str] = VOLATILE_FIELDS,
) -> dict[str, str]:
    """Each field of the record (a top-level key; for a non-empty object, each of its keys),
    sorted, to the first `FIELD_FINGERPRINT_LENGTH` hex characters of the SHA-256 of its value's
    canonical JSON. Volatile fields are left out, as `fingerprint` leaves them out, and so are
    those `ignore` (given the field's JSON Pointer, `/link`, `/user_title/desc`) says to."""
    fields: dict[str, str] = {}
    for key, value in comparable(record, volatile).items():
        name = escape_key(key)
        if ignore("/" + name):
            continue
        inner = value.items() if isinstance(value, dict) and value else ()
        for sub, sub_value in inner:
            field = f"{name}/{escape_key(sub)}"
            if not ignore("/" + field):
                fields[field] = _short(sub_value)
        if not inner:
            fields[name] = _short(value)
    return dict(sorted(fields.items()))


def _short(value: Any) -> str:
    return _digest(value)[:FIELD_FINGERPRINT_LENGTH]


def fields_changed(before: Mapping[str, str], after: Mapping[str, str]) -> tuple[str, ...]:
    """The fields whose fingerprints differ between two `field_fingerprints` maps, those in
    only one of them included, sorted."""
    keys = sorted(set(before) | set(after))
    return tuple(key for key in keys if before.get(key) != after.get(key))


def field_of(pointer: str) -> str:
    """The field (as `field_fingerprints` names it) a JSON Pointer falls in: its first two
    keys, or fewer when a list index comes first (`/researcher/researcher_keyword/0` ->
    `researcher/researcher_keyword`, `/identifier.doi/0` -> `identifier.doi`, `/researcher` ->
    `researcher`). A field contains another when it is the same or a prefix (`within`)."""
    keys = pointer.split("/")[1:3]
    if len(keys) == 2 and (keys[1].isdigit() or keys[1] == "-"):
        keys = keys[:1]
    return "/".join(keys)


def within(field: str, region: str) -> bool:
    """Whether `field` is `region` or inside it (`researcher/display_title` is inside
    `researcher`; `researcher` is not inside `researcher/display_title`)."""
    return field == region or field.startswith(region + "/")


def record_id(record: Mapping[str, Any], id_path: FieldPath) -> str:
    value = read_value(record, id_path)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        raise RecordIdError(f"record has no ID at {id_path}: found {value!r}")
    return str(value)
