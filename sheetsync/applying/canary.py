"""apply's canary: on a production Esploro the first write goes alone, and the record is read
again for fields the plan did not change that came back otherwise.

A rehearsal on the sandbox shows what sheetsync does, never what a real Esploro does with a
write: the first contact with an institution's API is its first production run. A server that
drops a field it does not know, resets one to a default, stores a number as text or sorts a
list would do it to every record of the run. So the first written record is compared with what
was sent, outside the plan's own changes and outside the fields the entity adapter says the
server moves or derives (`Entity.is_ignored`); any difference stops the run before the second
record, and the journal already holds what rollback needs. Key order in objects is no
difference; the order of list items is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sheetsync.errors import EsploroError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Entity
from sheetsync.fieldpath import escape_key
from sheetsync.planning.model import RecordPlan
from sheetsync.report.words import canary_difference

SHOWN_CHARS = 60  # a value in a difference is cut to this


@dataclass(frozen=True)
class CanaryFinding:
    """What the canary write came back with: the record, and each field it found altered (in
    words; none: the write was as sent outside the plan's changes)."""

    record_id: str
    differences: tuple[str, ...]

    @property
    def tripped(self) -> bool:
        return bool(self.differences)


def watch_first_write(
    entity: Entity,
    client: EsploroClient,
    record: RecordPlan,
    sent: Mapping[str, Any],
    answer: Mapping[str, Any],
    *,
    clears: bool,
) -> CanaryFinding:
    """Read the record written again and compare it with the record as sent, outside the
    plan's changes (its patch, and its clears when applied) and the entity's ignored fields.
    Read again because the record sent was built on a GET: a write's answer may be shaped
    otherwise (what an asset op=patch answers on a real Esploro is unseen). If that read
    fails, the answer is compared instead."""
    try:
        stored: Mapping[str, Any] = entity.get(client, record.record_id)
    except EsploroError:
        stored = answer
    return compare_write(entity, record, sent, stored, clears=clears)


def compare_write(
    entity: Entity,
    record: RecordPlan,
    sent: Mapping[str, Any],
    stored: Mapping[str, Any],
    *,
    clears: bool,
) -> CanaryFinding:
    """The fields of `stored` that differ from `sent`, outside the plan's changes and the
    entity's ignored fields."""
    operations = record.patch + (record.clear_patch if clears else ())
    planned = [_region(str(op.get("path", ""))) for op in operations]
    if record.partial_body is not None:  # patch mode sends these top-level keys whole
        planned += ["/" + escape_key(key) for key in record.partial_body]
    found = [
        canary_difference(path, kind, _shown(before), _shown(after))
        for path, kind, before, after in _differences("", sent, stored)
        if not entity.is_ignored(path) and not any(_related(path, p) for p in planned)
    ]
    return CanaryFinding(record.record_id, tuple(found))


def _differences(path: str, sent: Any, stored: Any) -> Iterator[tuple[str, str, Any, Any]]:
    """(JSON Pointer, kind, sent, stored) for each place the two values differ."""
    if isinstance(sent, dict) and isinstance(stored, dict):
        for key in sent.keys() | stored.keys():
            where = f"{path}/{escape_key(key)}"
            if key not in stored:
                yield where, "dropped", sent[key], _Absent()
            elif key not in sent:
                yield where, "added", _Absent(), stored[key]
            else:
                yield from _differences(where, sent[key], stored[key])
    elif isinstance(sent, list) and isinstance(stored, list):
        if sent == stored:
            return
        if len(sent) == len(stored) and _sorted(sent) == _sorted(stored):
            yield path, "reordered", sent, stored
        elif len(sent) == len(stored):
            for index, (one, other) in enumerate(zip(sent, stored, strict=True)):
                yield from _differences(f"{path}/{index}", one, other)
        else:
            yield path, "changed", sent, stored
    elif type(sent) is not type(stored):
        yield path, "retyped", sent, stored
    elif sent != stored:
        yield path, "changed", sent, stored


class _Absent:
    def __repr__(self) -> str:
        return "nothing"


def _sorted(items: Iterable[Any]) -> list[str]:
    return sorted(json.dumps(item, sort_keys=True) for item in items)


def _region(pointer: str) -> str:
    """The pointer up to the first list it enters: a patch into a list can shift every item
    after it, so the plan owns the whole list."""
    parts = pointer.split("/")
    for n, part in enumerate(parts[1:], start=1):
        if part.isdigit() or part == "-":
            return "/".join(parts[:n])
    return pointer


def _related(path: str, planned: str) -> bool:
    """Whether `path` is inside what the plan changed at `planned`, or holds it."""
    return path == planned or path.startswith(planned + "/") or planned.startswith(path + "/")


def _shown(value: Any) -> str:
    """A value as JSON (its type visible: "12" is not 12), cut short."""
    if isinstance(value, _Absent):
        return "nothing"
    text = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= SHOWN_CHARS else text[: SHOWN_CHARS - 1] + "…"
