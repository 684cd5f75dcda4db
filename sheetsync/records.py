"""Record identity: which record a row is, and whether a record has changed since.

The fingerprint is the SHA-256 of the record's canonical JSON (sorted keys, no whitespace):
any change to any field, however deep, changes it, and key order (which the server may vary)
does not. Export stores it as the baseline; plan and apply compare live records against it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from sheetsync.errors import RecordIdError
from sheetsync.fieldpath import FieldPath, read_value


def fingerprint(record: Mapping[str, Any]) -> str:
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def record_id(record: Mapping[str, Any], id_path: FieldPath) -> str:
    value = read_value(record, id_path)
    if not isinstance(value, str | int) or isinstance(value, bool) or str(value) == "":
        raise RecordIdError(f"record has no ID at {id_path}: found {value!r}")
    return str(value)
