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
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Collection, Mapping
from typing import Any

from sheetsync.errors import RecordIdError
from sheetsync.fieldpath import FieldPath, read_value

# Top-level fields the server changes by itself (portal view and download counters), in any
# entity. Every adapter's `volatile_fields` is a subset (tests/esploro/test_entities.py).
VOLATILE_FIELDS: frozenset[str] = frozenset({"asset.views", "asset.downloads"})


def comparable(
    record: Mapping[str, Any], volatile: Collection[str] = VOLATILE_FIELDS
) -> dict[str, Any]:
    """The record without its volatile top-level fields: what "changed" is judged on."""
    return {key: value for key, value in record.items() if key not in volatile}


def fingerprint(record: Mapping[str, Any], volatile: Collection[str] = VOLATILE_FIELDS) -> str:
    canonical = json.dumps(
        comparable(record, volatile), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def changed_fields(
    one: Mapping[str, Any], other: Mapping[str, Any], ignore: Callable[[str], bool]
) -> tuple[str, ...]:
    """The top-level fields whose values differ between two records, sorted, leaving out
    those `ignore` (given the field's JSON Pointer, `/asset.views`) says to."""
    keys = sorted(set(one) | set(other))
    return tuple(
        key
        for key in keys
        if one.get(key) != other.get(key) or (key in one) != (key in other)
        if not ignore("/" + key.replace("~", "~0").replace("/", "~1"))
    )


def record_id(record: Mapping[str, Any], id_path: FieldPath) -> str:
    value = read_value(record, id_path)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        raise RecordIdError(f"record has no ID at {id_path}: found {value!r}")
    return str(value)
