"""Read and write one value inside a JSON record at a template path (pure: no I/O).

A path is `/`-separated keys from the record root, like a JSON Pointer, because Esploro asset
keys contain literal dots (`/identifier.doi`, `/local.fields/local.note1`): a dot is part of
a key's name, never nesting. `~1` stands for a `/` inside a key and `~0` for a `~`. A step may
end with one list selector:

- `[*]`: every item of the list (at most one per path; the path is then *multi*);
- `[N]`: the item at index N, counting from 0;
- `[a/b=VALUE]`: the first item whose value at relative path `a/b` is VALUE when written as a
  string (`str(value) == VALUE`; a null or missing value never matches). VALUE is taken
  literally up to the closing `]`: it may hold spaces, dots, dashes, `/` and `=`, but no `]`.
- `[lowest a/b]`: the item whose value at relative path `a/b`, compared as a number, is the
  lowest, wherever it stands in the list: `/creators[lowest order]/givenname` is the first
  creator even when Esploro lists creators in the order "2", "3", "1" or numbers them from
  "0". A number is a JSON number (not a boolean) or a string holding one (`"2"`, `" 10 "`,
  `"-1"`, `"2.5"`); `"10"` is higher than `"9"`. Items whose value there is missing, null or
  not a number are never picked; when several items share the lowest number, the one that
  comes first in the list is picked. The word `lowest` and one space start the selector, and
  it has no `=`, so it cannot be read as `[field=VALUE]` (a match selector's field therefore
  cannot start with `lowest` and a space).

Keys may not contain `[`, `]`, `=` or `|` (they would make the text ambiguous); such paths are
rejected with a `PathError` that says where.

A path may name several *places* for one value, separated by `|` (spaces around it are
ignored): `/user_identifier[id_type/value=ORCID]/value | /researcher/user_identifier[...]/value`
is one ORCID iD that Esploro may keep in either list, or in both. No place may have `[*]`.
Reading gives the first place's value that is not blank (None or ""); `place_values` gives
every place's. Writing writes to every place that holds a value, so places that agree keep
agreeing, or, when none does, to the first place; clearing clears every place that holds one.
Places holding different values are never written: `write_value` refuses, and the caller (the
plan) says which values disagree, because only a person can tell which one is right.

Writing returns a new record and never touches the input, because the caller compares the
result with the record it fetched and must be able to trust that nothing else moved. Write
rules (each chosen so that `write_value(r, p, read_value(r, p))` gives back `r` byte for byte):

- Existing keys keep their position; new keys go at the end (Esploro records round-trip exactly).
- Writing None to an absent key, an absent list item or through an absent or null
  intermediate changes nothing: there is nothing to clear. Writing None to an existing key
  sets it to JSON null.
- Otherwise absent or null intermediate objects are created as `{}` and missing lists as `[]`.
  An intermediate that holds something else (a string where an object is needed) is an error.
- `[N]` with N equal to the list's length appends an item; a larger N is an error.
- `[lowest a/b]` writes into the item it reads (None sets that item's field to null, as `[N]`
  does). With no item that has a number there, writing None changes nothing and any other
  value is an error: there is no first item to write to, and sheetsync will not invent one.
  Writing to the compared field itself (`[lowest order]/order`) may make another item lowest.
- `[a/b=VALUE]` with no matching item appends one built so that it matches, e.g. writing an
  ORCID to `/researcher/user_identifier[id_type/value=ORCID]/value` appends
  `{"id_type": {"value": "ORCID"}, "value": "0000-0002-1825-0097"}` (VALUE is stored as a
  string); `write_value(..., new_item={"segment_type": "Internal"})` adds those fields to such
  a new item too (after the others, never over them). Clearing through a match selector
  followed only by plain keys, or by plain keys and a final `[*]`, REMOVES the matched item from
  its list, so clearing an ORCID cell removes the identifier rather than leaving an ORCID entry
  without a value (and clearing `[language=eng]/values[*]` removes the English group); when
  nothing is there already nothing changes.
  Writing to the matched field itself (e.g. `[type=x]/type`) makes the item stop matching.
- `[*]` at the end (`/language[*]`): the list becomes the new values.
- `[*]` followed by more steps (`/researcher/researcher_keyword[*]/value`): the value is a list
  (None counts as `[]`), one entry per wanted item, in order. Each entry reuses the first
  not-yet-used existing item whose value at the rest of the path is identical, so the item's
  other keys (`desc`, `type`, ...) survive; otherwise a new item is built from the rest of the
  path (`{"value": v}`). Existing items that were shown (had a value there) but not reused are
  dropped. Items that had no value at the rest of the path were never shown in a cell, so they
  are kept where they are. An empty list where the list is absent or null changes nothing.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import partial
from typing import Any, TypeAlias

from sheetsync.errors import PathError

__all__ = [
    "AllItems",
    "FieldPath",
    "Index",
    "Lowest",
    "Match",
    "PathError",
    "Reader",
    "Selector",
    "Step",
    "compile_reader",
    "escape_key",
    "parse_path",
    "place_values",
    "read_value",
    "write_value",
]


@dataclass(frozen=True)
class AllItems:
    """`[*]`: every item of the list."""


@dataclass(frozen=True)
class Index:
    """`[N]`: the item at position `index` (0-based)."""

    index: int


@dataclass(frozen=True)
class Match:
    """`[a/b=VALUE]`: the first item whose value at `keys` is `value` as a string."""

    keys: tuple[str, ...]
    value: str


@dataclass(frozen=True)
class Lowest:
    """`[lowest a/b]`: the item whose value at `keys`, compared as a number, is lowest."""

    keys: tuple[str, ...]


Selector: TypeAlias = AllItems | Index | Match | Lowest


@dataclass(frozen=True)
class Step:
    """One key of a path and the list selector that may follow it."""

    key: str
    selector: Selector | None = None


@dataclass(frozen=True)
class FieldPath:
    """A parsed path. Equal and hashable by its text; `str(path)` gives the text back.

    `places` holds one path per place (see the module docstring); a plain path is its own
    only place. `steps` are the first place's."""

    text: str
    steps: tuple[Step, ...] = field(init=False, repr=False, compare=False)
    places: tuple[FieldPath, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        texts = _split_places(self.text)
        if len(texts) == 1:
            object.__setattr__(self, "steps", _parse_steps(self.text))
            object.__setattr__(self, "places", (self,))
            return
        places = tuple(FieldPath(text) for text in texts)
        for place in places:
            if place.is_multi:
                raise _fail(self.text, f"a place of several cannot have '[*]': {place.text!r}")
        if len(set(places)) != len(places):
            raise _fail(self.text, "the same place is named twice")
        object.__setattr__(self, "steps", places[0].steps)
        object.__setattr__(self, "places", places)

    def __str__(self) -> str:
        return self.text

    @property
    def is_multi(self) -> bool:
        """True when the path has `[*]`: it reads a list and is written with a list."""
        return any(isinstance(step.selector, AllItems) for step in self.steps)

    @property
    def has_places(self) -> bool:
        """True when the path names several places for its value."""
        return len(self.places) > 1

    @property
    def top_level_key(self) -> str:
        """The record key the path starts at: what a patch-mode write has to be allowed."""
        return self.steps[0].key

    @property
    def top_level_keys(self) -> tuple[str, ...]:
        """The record keys every place starts at."""
        return tuple(dict.fromkeys(place.top_level_key for place in self.places))


def parse_path(text: str) -> FieldPath:
    """Parse a path text; raises `PathError` naming the text, the problem and its position."""
    return FieldPath(text)


def escape_key(name: str) -> str:
    """A key name as a path step: `~` becomes `~0` and `/` becomes `~1` (as JSON Pointer)."""
    return name.replace("~", "~0").replace("/", "~1")


# ---------------------------------------------------------------------------------- parsing


def _fail(text: str, problem: str) -> PathError:
    return PathError(f"invalid path {text!r}: {problem}")


def _split_places(text: str) -> list[str]:
    """The places of a path text, split at `|` outside brackets, spaces around them removed;
    a plain path (no `|`) is returned whole, untouched."""
    if not isinstance(text, str) or "|" not in text:
        return [text]
    places: list[str] = []
    start, inside = 0, False
    for pos, char in enumerate(text):
        if char == "[":
            inside = True
        elif char == "]":
            inside = False
        elif char == "|" and not inside:
            places.append(text[start:pos])
            start = pos + 1
    places.append(text[start:])
    if len(places) == 1:
        return [text]
    stripped = [place.strip() for place in places]
    if not all(stripped):
        raise _fail(text, "an empty place: write a path on each side of '|'")
    return stripped


def _parse_steps(text: str) -> tuple[Step, ...]:
    """Split at `/` outside brackets, parse each step, and enforce the one-`[*]` rule."""
    if not isinstance(text, str):
        raise PathError(f"invalid path {text!r}: a path is a string, not {type(text).__name__}")
    if not text:
        raise PathError("invalid path '': the path is empty")
    if not text.startswith("/"):
        raise _fail(text, "a path starts with '/' at position 0")
    steps = tuple(_parse_step(text, raw, start) for start, raw in _split(text))
    stars = [i for i, step in enumerate(steps) if isinstance(step.selector, AllItems)]
    if len(stars) > 1:
        raise _fail(text, "more than one '[*]' (only one list per path can be expanded)")
    return steps


def _split(text: str) -> list[tuple[int, str]]:
    """(start position, raw text) of each step; a `/` inside `[...]` does not split."""
    parts: list[tuple[int, str]] = []
    start, opened = 1, -1
    for pos in range(1, len(text)):
        char = text[pos]
        if opened >= 0:
            if char == "]":
                opened = -1
        elif char == "[":
            opened = pos
        elif char == "/":
            parts.append((start, text[start:pos]))
            start = pos + 1
    if opened >= 0:
        raise _fail(text, f"unclosed '[' at position {opened}")
    parts.append((start, text[start:]))
    return parts


def _parse_step(text: str, raw: str, start: int) -> Step:
    """One step: `key` or `key[selector]`, with nothing after the `]`."""
    if not raw:
        where = "'//'" if start < len(text) else "a trailing '/'"
        raise _fail(text, f"empty step: {where} at position {start - 1}")
    bracket = raw.find("[")
    if bracket < 0:
        return Step(_decode_key(text, raw, start))
    close = raw.index("]", bracket)
    if close != len(raw) - 1:
        raise _fail(text, f"unexpected text after ']' at position {start + close + 1}")
    if bracket == 0:
        raise _fail(text, f"a list selector needs a key before it, at position {start}")
    key = _decode_key(text, raw[:bracket], start)
    return Step(key, _parse_selector(text, raw[bracket + 1 : close], start + bracket))


def _decode_key(text: str, raw: str, start: int) -> str:
    """Undo `~0`/`~1` escapes; reject characters that would make a key ambiguous."""
    for offset, char in enumerate(raw):
        if char in "[]=|":
            raise _fail(
                text, f"{char!r} is not allowed in a key name, at position {start + offset}"
            )
        if char == "~" and raw[offset + 1 : offset + 2] not in ("0", "1"):
            raise _fail(
                text, f"'~' must be followed by 0 or 1 (escape), at position {start + offset}"
            )
    return raw.replace("~1", "/").replace("~0", "~")


_LOWEST = "lowest "


def _selector_keys(text: str, inner: str, rel: str, at: int) -> tuple[str, ...]:
    """The relative field path of a `[lowest a/b]` selector, starting at position `at` + 1."""
    if "=" in rel:
        raise _fail(
            text,
            f"a '[lowest field]' selector compares numbers and has no '=': '[{inner}]' at "
            f"position {at - len(_LOWEST)}",
        )
    if rel[:1].isspace():
        raise _fail(
            text,
            f"write one space between 'lowest' and the field: '[{inner}]' at position "
            f"{at - len(_LOWEST)}",
        )
    parts = rel.split("/")
    if not all(parts):
        raise _fail(
            text, f"empty field name in selector '[{inner}]' at position {at - len(_LOWEST)}"
        )
    starts = [at + 1 + sum(len(p) + 1 for p in parts[:i]) for i in range(len(parts))]
    return tuple(map(partial(_decode_key, text), parts, starts))


def _parse_selector(text: str, inner: str, at: int) -> Selector:
    """The text between `[` (at position `at`) and `]`."""
    if inner == "*":
        return AllItems()
    if inner.startswith(_LOWEST):
        return Lowest(_selector_keys(text, inner, inner[len(_LOWEST) :], at + len(_LOWEST)))
    if "=" in inner:
        rel, value = inner.split("=", 1)
        parts = rel.split("/")
        if not all(parts):
            raise _fail(text, f"empty field name in selector '[{inner}]' at position {at}")
        starts = [at + 1 + sum(len(p) + 1 for p in parts[:i]) for i in range(len(parts))]
        return Match(tuple(map(partial(_decode_key, text), parts, starts)), value)
    if inner.isdigit() and inner.isascii() and (inner == "0" or not inner.startswith("0")):
        return Index(int(inner))
    if inner.lstrip("+-").isdigit():
        raise _fail(
            text,
            f"bad index '[{inner}]' at position {at}: an index is a whole number from 0, "
            "without sign or leading zeros",
        )
    raise _fail(
        text,
        f"bad selector '[{inner}]' at position {at}: expected [*], a non-negative index "
        "such as [0], [field=value] or [lowest field]",
    )


# ---------------------------------------------------------------------------------- reading


def read_value(record: Mapping[str, Any], path: FieldPath) -> Any:
    """The value at `path`, or None when any step is absent, null or does not match.

    For a multi path, the list of values found under each item (items lacking the rest of
    the path are skipped; a `[*]` at the end gives the whole list), or `[]` when the list is
    absent. Containers are copied, so the caller can never change the record through them.
    A path of several places gives the first place's value that is not blank (None or "").
    """
    if path.has_places:
        values = [value for _, value in place_values(record, path)]
        return next((value for value in values if not _blank(value)), values[0])
    steps = path.steps
    star = _star_index(steps)
    if star is None:
        return copy.deepcopy(_walk(record, steps))
    items = _walk(record, (*steps[:star], Step(steps[star].key)))
    if not isinstance(items, list):
        return []
    rest = steps[star + 1 :]
    if not rest:
        return copy.deepcopy(items)
    found = (_walk(item, rest) for item in items)
    return [copy.deepcopy(value) for value in found if value is not None]


# What `compile_reader` gives: the value at one path of any record, as `read_value` reads it.
Reader: TypeAlias = Callable[[Mapping[str, Any]], Any]


def compile_reader(path: FieldPath) -> Reader:
    """`read_value(record, path)` as a function of the record, worked out once for the path.

    Export reads every record at the same few dozen paths, so what `read_value` decides per
    call (places, where the `[*]` is, which steps are plain keys) is decided here once. The
    value it gives is the record's own, not a copy (copying was most of a read's cost): the
    caller must only read it, as building a cell's text does.
    """
    if path.has_places:
        return _first_not_blank([compile_reader(place) for place in path.places])
    steps = path.steps
    star = _star_index(steps)
    if star is None:
        return _walker(steps)
    to_list = _walker((*steps[:star], Step(steps[star].key)))
    rest = steps[star + 1 :]
    if not rest:
        return partial(_whole_list, to_list)
    return partial(_each_item, to_list, _walker(rest))


def _first_not_blank(places: list[Reader]) -> Reader:
    def read(record: Mapping[str, Any]) -> Any:
        values = [read_place(record) for read_place in places]
        return next((value for value in values if not _blank(value)), values[0])

    return read


def _whole_list(to_list: Reader, record: Mapping[str, Any]) -> Any:
    items = to_list(record)
    return items if isinstance(items, list) else []


def _each_item(to_list: Reader, rest: Reader, record: Mapping[str, Any]) -> Any:
    items = to_list(record)
    if not isinstance(items, list):
        return []
    return [value for value in map(rest, items) if value is not None]


def _walker(steps: Sequence[Step]) -> Reader:
    """`_walk` over `steps`; plain keys (most template paths) walked by a tight loop, and
    each selector's own relative path compiled too."""
    if any(step.selector is not None for step in steps):
        compiled = tuple((step.key, _chooser(step.selector)) for step in steps)
        return partial(_walk_compiled, compiled)
    return partial(_walk_keys, tuple(step.key for step in steps))


Chooser: TypeAlias = Callable[[Any], Any]  # a list's selected item, or None


def _walk_compiled(steps: tuple[tuple[str, Chooser | None], ...], node: Any) -> Any:
    for key, choose in steps:
        if type(node) is not dict and not isinstance(node, Mapping):
            return None
        node = node.get(key)
        if choose is not None:
            node = choose(node)
    return node


def _chooser(selector: Selector | None) -> Chooser | None:
    """`_select` for one selector, its relative path compiled once."""
    if selector is None:
        return None
    if isinstance(selector, Match):
        return partial(_choose_match, _walker([Step(key) for key in selector.keys]), selector.value)
    if isinstance(selector, Lowest):
        return partial(_choose_lowest, _walker([Step(key) for key in selector.keys]))
    return partial(_select, selector=selector)


def _choose_match(at: Reader, wanted: str, items: Any) -> Any:
    if not isinstance(items, list):
        return None
    for item in items:
        value = at(item)
        if value is not None and not isinstance(value, Mapping | list) and str(value) == wanted:
            return item
    return None


def _choose_lowest(at: Reader, items: Any) -> Any:
    if not isinstance(items, list):
        return None
    best: tuple[Decimal | int, Any] | None = None
    for item in items:
        number = _as_number(at(item))
        if number is not None and (best is None or number < best[0]):
            best = (number, item)
    return None if best is None else best[1]


def _walk_keys(keys: tuple[str, ...], node: Any) -> Any:
    for key in keys:
        if type(node) is not dict and not isinstance(node, Mapping):
            return None
        node = node.get(key)
    return node


def place_values(record: Mapping[str, Any], path: FieldPath) -> list[tuple[FieldPath, Any]]:
    """Each place of `path` with the value it holds in `record` (None when absent)."""
    return [(place, read_value(record, place)) for place in path.places]


def _blank(value: Any) -> bool:
    return value is None or value == ""


def _star_index(steps: Sequence[Step]) -> int | None:
    return next((i for i, s in enumerate(steps) if isinstance(s.selector, AllItems)), None)


def _walk(node: Any, steps: Sequence[Step]) -> Any:
    """Follow single-valued steps; None as soon as the record's shape does not fit."""
    for step in steps:
        if not isinstance(node, Mapping):
            return None
        node = node.get(step.key)
        if step.selector is not None:
            node = _select(node, step.selector)
    return node


def _select(items: Any, selector: Selector) -> Any:
    if not isinstance(items, list):
        return None
    if isinstance(selector, Index):
        return items[selector.index] if selector.index < len(items) else None
    if isinstance(selector, Match):
        position = _find_match(items, selector)
        return None if position is None else items[position]
    if isinstance(selector, Lowest):
        position = _find_lowest(items, selector)
        return None if position is None else items[position]
    return None


def _find_match(items: Sequence[Any], selector: Match) -> int | None:
    """Position of the first item whose value at the selector's keys is the wanted string."""
    steps = tuple(Step(key) for key in selector.keys)
    for position, item in enumerate(items):
        value = _walk(item, steps)
        scalar = value is not None and not isinstance(value, Mapping | list)
        if scalar and str(value) == selector.value:
            return position
    return None


_NUMBER = re.compile(r"[+-]?[0-9]+(\.[0-9]+)?")


def _as_number(value: Any) -> Decimal | int | None:
    """A JSON number, or a string holding one ("2", " 10 ", "-1", "2.5"), as a Decimal; a
    whole number as an int (they compare exactly with Decimals, and creators' `order` is
    read for every row of an export)."""
    if isinstance(value, str) and value.isascii() and value.isdigit():
        return int(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return Decimal(value) if math.isfinite(value) else None
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        return Decimal(value.strip())
    return None


def _find_lowest(items: Sequence[Any], selector: Lowest) -> int | None:
    """Position of the item with the lowest number at the selector's keys (the first in the
    list among equals), or None when no item has a number there."""
    steps = tuple(Step(key) for key in selector.keys)
    best: tuple[Decimal | int, int] | None = None
    for position, item in enumerate(items):
        number = _as_number(_walk(item, steps))
        if number is not None and (best is None or number < best[0]):
            best = (number, position)
    return None if best is None else best[1]


# ---------------------------------------------------------------------------------- writing


def write_value(
    record: Mapping[str, Any],
    path: FieldPath,
    value: Any,
    *,
    new_item: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """A deep copy of `record` with `value` written at `path` (rules in the module docstring).
    `new_item`: fields an item added by a `[field=VALUE]` selector gets besides its own.

    Raises `PathError` when the record's shape does not allow the write (an index past the
    end, a string where an object is needed, a non-list value for a multi path), or when the
    places of a path of several hold different values.
    """
    if path.has_places:
        return _write_places(record, path, value, new_item)
    if path.is_multi:
        value = _as_value_list(path, value)
    result = copy.deepcopy(dict(record))
    writer = _Writer(path, multi=path.is_multi, new_item=new_item)
    writer.write(result, path.steps, copy.deepcopy(value))
    return result


def _write_places(
    record: Mapping[str, Any], path: FieldPath, value: Any, new_item: Mapping[str, Any] | None
) -> dict[str, Any]:
    """Write to every place that holds a value (else the first), refusing disagreeing ones."""
    holding = [(p, v) for p, v in place_values(record, path) if not _blank(v)]
    if len({_canonical(v) for _, v in holding}) > 1:
        held = ", ".join(f"{v!r} at {p.text!r}" for p, v in holding)
        raise PathError(f"cannot write {path.text!r}: its places hold different values ({held})")
    targets = [p for p, _ in holding] or ([] if value is None else [path.places[0]])
    result = copy.deepcopy(dict(record))
    for place in targets:
        result = write_value(result, place, value, new_item=new_item)
    return result


def _canonical(value: Any) -> str:
    return repr(value) if isinstance(value, Mapping | list) else str(value)


def _as_value_list(path: FieldPath, value: Any) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise PathError(
            f"cannot write {path.text!r}: a '[*]' path needs a list of values, "
            f"not {type(value).__name__}"
        )
    if path.steps[-1].selector != AllItems() and any(item is None for item in value):
        raise PathError(f"cannot write {path.text!r}: the list of values holds None")
    return list(value)


@dataclass(frozen=True)
class _Writer:
    """Writes in place into a private deep copy of the record.

    `multi` says whether the value being written is the list for a `[*]` path, for which an
    empty list (not only None) asks for nothing to exist.
    """

    path: FieldPath
    multi: bool
    new_item: Mapping[str, Any] | None = None

    def error(self, problem: str) -> PathError:
        return PathError(f"cannot write {self.path.text!r}: {problem}")

    def clears(self, value: Any) -> bool:
        """True for a value that asks for nothing to be there, so nothing needs creating."""
        return value is None or (self.multi and value == [])

    def write(self, node: dict[str, Any], steps: Sequence[Step], value: Any) -> None:
        step, rest = steps[0], steps[1:]
        if step.selector is None and not rest:
            if value is not None or step.key in node:
                node[step.key] = value
            return
        fresh: dict[str, Any] | list[Any] = {} if step.selector is None else []
        child = node.get(step.key)
        if not isinstance(child, type(fresh)):
            if self.clears(value):
                return
            if child is not None:
                raise self.error(f"{step.key!r} holds {_kind(child)}, not {_kind(fresh)}")
            child = node[step.key] = fresh
        if isinstance(child, dict):
            self.write(child, rest, value)
        elif isinstance(step.selector, Index):
            self.write_index(child, step.selector.index, rest, value)
        elif isinstance(step.selector, Match):
            self.write_match(child, step.selector, rest, value)
        elif isinstance(step.selector, Lowest):
            self.write_lowest(child, step.selector, rest, value)
        else:
            self.write_all(child, rest, value)

    def write_item(self, items: list[Any], position: int, rest: Sequence[Step], value: Any) -> None:
        """Write the rest of the path into an existing item (a null item becomes `{}`)."""
        if not rest:
            items[position] = value
            return
        item = items[position]
        if not isinstance(item, dict):
            if self.clears(value):
                return
            if item is not None:
                raise self.error(f"item {position} holds {_kind(item)}, not an object")
            item = items[position] = {}
        self.write(item, rest, value)

    def write_index(self, items: list[Any], index: int, rest: Sequence[Step], value: Any) -> None:
        if index >= len(items) and self.clears(value):
            return
        if index > len(items):
            raise self.error(f"index {index} is past the end of a list of {len(items)} items")
        if index == len(items):
            items.append(None)
        self.write_item(items, index, rest, value)

    def write_lowest(
        self, items: list[Any], selector: Lowest, rest: Sequence[Step], value: Any
    ) -> None:
        position = _find_lowest(items, selector)
        if position is None:
            if self.clears(value):
                return
            field = "/".join(map(escape_key, selector.keys))
            raise self.error(f"no item has a number at '{field}', so none is the lowest")
        self.write_item(items, position, rest, value)

    def write_match(
        self, items: list[Any], selector: Match, rest: Sequence[Step], value: Any
    ) -> None:
        position = _find_match(items, selector)
        if position is None:
            if not self.clears(value):
                items.append(self.new_match_item(selector, rest, value))
            return
        if self.clears(value) and _plain_to_the_end(rest):
            shown = _walk(items[position], [Step(step.key) for step in rest])
            if shown is not None and shown != []:
                del items[position]
            return
        self.write_item(items, position, rest, value)
        if not rest and _find_match([value], selector) is None:
            raise self.error("the item written must itself match the selector")

    def new_match_item(self, selector: Match, rest: Sequence[Step], value: Any) -> Any:
        """An item that the selector finds: its matched field set, then the rest written."""
        if not rest:
            if _find_match([value], selector) is None:
                raise self.error("the item written must itself match the selector")
            return value
        item: dict[str, Any] = {}
        self.write(item, [Step(key) for key in selector.keys], selector.value)
        self.write(item, rest, value)
        for key, extra in (self.new_item or {}).items():
            item.setdefault(key, copy.deepcopy(extra))
        return item

    def write_all(self, items: list[Any], rest: Sequence[Step], values: list[Any]) -> None:
        """Replace the shown items by one per value, reusing identical ones (see module doc)."""
        if not rest:
            items[:] = values
            return
        single = _Writer(self.path, multi=False, new_item=self.new_item)
        shown = [i for i, item in enumerate(items) if _walk(item, rest) is not None]
        free = list(shown)
        wanted: list[Any] = []
        for value in values:
            reuse = next((i for i in free if _identical(_walk(items[i], rest), value)), None)
            if reuse is None:
                fresh: dict[str, Any] = {}
                single.write(fresh, rest, value)
                wanted.append(fresh)
            else:
                free.remove(reuse)
                wanted.append(items[reuse])
        items[:] = _merge(items, set(shown), wanted)


def _plain_to_the_end(rest: Sequence[Step]) -> bool:
    """Plain keys only, the last of which may end with `[*]`: what clearing removes whole."""
    last = len(rest) - 1
    return all(
        step.selector is None or (i == last and isinstance(step.selector, AllItems))
        for i, step in enumerate(rest)
    )


def _merge(items: list[Any], shown: set[int], wanted: list[Any]) -> list[Any]:
    """Put `wanted` into the slots of the shown items, in order; extras go at the end."""
    queue = iter(wanted)
    merged: list[Any] = []
    for position, item in enumerate(items):
        if position not in shown:
            merged.append(item)
            continue
        replacement = next(queue, _END)
        if replacement is not _END:
            merged.append(replacement)
    merged.extend(queue)
    return merged


_END = object()


def _kind(value: object) -> str:
    """How an error message names a JSON value's type."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _identical(left: Any, right: Any) -> bool:
    """Equal with the same JSON types all the way down (`1`, `1.0` and `True` differ)."""
    if type(left) is not type(right):
        return False
    if isinstance(left, dict):
        return list(left) == list(right) and all(_identical(left[k], right[k]) for k in left)
    if isinstance(left, list):
        return len(left) == len(right) and all(map(_identical, left, right))
    return bool(left == right)
