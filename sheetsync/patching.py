"""JSON Patch (RFC 6902) between records: the one module that imports jsonpatch (pure).

Plan records what it will change as a patch from the live record to the proposed one, because a
patch can be applied later to the record as it is *then*: apply fetches the record again just
before writing and applies the same patch to that, so a field nobody edited is written back
exactly as Esploro holds it at that moment (design rule 1).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import jsonpatch

Record = dict[str, Any]
Operation = dict[str, Any]


def make_patch(source: Mapping[str, Any], target: Mapping[str, Any]) -> tuple[Operation, ...]:
    """The operations that turn `source` into `target`."""
    return tuple(jsonpatch.make_patch(source, target).patch)


def patched(record: Mapping[str, Any], *patches: Sequence[Operation]) -> Record:
    """`record` with each patch applied in turn; `record` itself is never modified."""
    result: Record = copy.deepcopy(dict(record))
    for patch in patches:
        if patch:
            result = jsonpatch.apply_patch(result, list(patch), in_place=True)
    return result


def changed_paths(intended: Mapping[str, Any], stored: Mapping[str, Any]) -> list[str]:
    """The JSON Pointers at which `stored` differs from `intended`, sorted, each once."""
    operations: Iterable[Operation] = jsonpatch.make_patch(intended, stored).patch
    return sorted({str(op["path"]) for op in operations})
