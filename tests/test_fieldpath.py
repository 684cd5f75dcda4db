"""fieldpath: parse, read and write template paths inside real and generated records.

The property tests build records with awkward keys (dots, `/`, `~`), walk them to pick a path
that addresses something real (`[*]`, `[N]` and match selectors included), and check that a
write puts back exactly what a read took out, and that a new value changes nothing else. The
`[lowest order]` selector has its own property tests over creator lists in any order.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from sheetsync.errors import PathError
from sheetsync.fieldpath import (
    AllItems,
    FieldPath,
    Index,
    Lowest,
    Match,
    Step,
    compile_reader,
    escape_key,
    parse_path,
    read_value,
    write_value,
)
from sheetsync.sandbox import seed

CAPTURED = Path(__file__).parents[1] / "sheetsync" / "sandbox" / "data" / "captured_asset.json"
ORCID = "/researcher/user_identifier[id_type/value=ORCID]/value"
KEYWORDS = "/researcher/researcher_keyword[*]/value"


def dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False)


def read(record: Any, text: str) -> Any:
    return read_value(record, parse_path(text))


def write(record: Any, text: str, value: Any) -> dict[str, Any]:
    return write_value(record, parse_path(text), value)


@pytest.fixture(scope="module")
def asset() -> dict[str, Any]:
    record: dict[str, Any] = json.loads(CAPTURED.read_text(encoding="utf-8"))["records"][0]
    return record


@pytest.fixture(scope="module")
def researcher() -> dict[str, Any]:
    """A seeded researcher whose ORCID iD is in the profile's list only, beside one other
    identifier (`seed.orcid_situation` says where a record keeps its ORCID iD)."""
    return next(
        record
        for record in seed.generate_researchers(1, 100)
        if seed.orcid_situation(record) == "researcher"
        and len(record["researcher"]["user_identifier"]) == 2
    )


# ------------------------------------------------------------------------ generated records

KEYS = st.text(alphabet="ab.c/~_- é", min_size=1, max_size=4).filter(lambda k: k.strip() != "")
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False, width=16)
    | st.text(alphabet="xy z.=/-]", max_size=4)
)
ITEM_KEYS = st.sampled_from(["value", "type", "id_type", "a.b", "x/y", "~n"])


def containers(inner: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """Objects, lists of objects sharing keys (so match selectors find items), plain lists."""
    items = st.dictionaries(ITEM_KEYS, inner, min_size=1, max_size=3)
    return (
        st.dictionaries(KEYS, inner, min_size=1, max_size=4)
        | st.lists(items | st.none(), min_size=1, max_size=4)
        | st.lists(inner, max_size=3)
    )


JSON = st.recursive(SCALARS, containers, max_leaves=24)
RECORDS = st.dictionaries(KEYS, containers(JSON), min_size=1, max_size=5)

Location = tuple[str | int, ...]


class Picked(NamedTuple):
    """A path picked by walking a record, and where it lands in that record."""

    text: str
    location: Location  # concrete keys and indexes; for a `[*]` path, the list itself
    terminal_match: bool  # the last step is a match selector (the item is the value)
    rewrites_match_key: bool  # a write after a match selector touches the matched field


def scalar_paths(node: Any, prefix: tuple[str, ...] = ()) -> Iterator[tuple[tuple[str, ...], Any]]:
    """Key paths (dicts only) to scalars a match selector can compare against."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield from scalar_paths(value, (*prefix, key))
    elif prefix and node is not None and not isinstance(node, list) and "]" not in str(node):
        yield prefix, node


def first_match(items: list[Any], keys: tuple[str, ...], wanted: str) -> int:
    """The test's own, independent idea of which item a match selector finds."""
    for position, item in enumerate(items):
        node = item
        for key in keys:
            node = node.get(key) if isinstance(node, dict) else None
        if node is not None and not isinstance(node, dict | list) and str(node) == wanted:
            return position
    raise AssertionError("the picked value must match some item")


@st.composite
def picked_paths(draw: st.DrawFn, record: dict[str, Any]) -> Picked:
    """Walk `record` from the root, choosing keys and list selectors as we go."""
    stop = st.integers(0, 3).map(lambda n: n == 0)
    node: Any = record
    text, location = "", []
    star = terminal_match = rewrites = False
    match_keys: tuple[str, ...] | None = None
    while True:
        deeper = sorted(k for k, v in node.items() if isinstance(v, dict | list) and v)
        key = draw(st.sampled_from(deeper if deeper and not draw(stop) else sorted(node)))
        text += "/" + escape_key(key)
        if match_keys is not None:
            rewrites = rewrites or match_keys[0] == key
            match_keys = None
        if not star:
            location.append(key)
        node = node[key]
        terminal_match = False
        if isinstance(node, list) and node:
            kinds = ["index", "match", "match"] + (["plain"] if star else ["star", "star"])
            kind = draw(st.sampled_from(kinds))
            if kind == "star":
                star = True
                text += "[*]"
                items = [item for item in node if isinstance(item, dict) and item]
                if not items or draw(stop):
                    break
                node = draw(st.sampled_from(items))
                continue
            if kind == "index":
                position = draw(st.integers(0, 0 if star else len(node) - 1))
                text += f"[{position}]"
            elif kind == "match":
                choices = [
                    (i, keys, value)
                    for i, item in enumerate(node)
                    for keys, value in scalar_paths(item)
                ]
                if not choices:
                    break
                _, keys, value = draw(st.sampled_from(choices))
                position = first_match(node, keys, str(value))
                text += f"[{'/'.join(map(escape_key, keys))}={value}]"
                match_keys, terminal_match = keys, True
            if kind != "plain":
                if not star:
                    location.append(position)
                node = node[position]
        if not (isinstance(node, dict) and node) or draw(stop):
            break
    return Picked(text, tuple(location), terminal_match, rewrites)


@st.composite
def records_with_paths(draw: st.DrawFn) -> tuple[dict[str, Any], Picked]:
    record = draw(RECORDS)
    return record, draw(picked_paths(record))


def leaves(node: Any, location: Location = ()) -> Iterator[Location]:
    """Every deepest place a path can address, in document order."""
    if isinstance(node, dict) and node:
        for key, value in node.items():
            yield from leaves(value, (*location, key))
    elif isinstance(node, list) and node and location and isinstance(location[-1], str):
        for position, item in enumerate(node):
            yield from leaves(item, (*location, position))
    else:
        yield location


def location_text(location: Location) -> str:
    text = ""
    for part in location:
        text += f"[{part}]" if isinstance(part, int) else "/" + escape_key(part)
    return text


def overlaps(a: Location, b: Location) -> bool:
    shorter = min(len(a), len(b))
    return a[:shorter] == b[:shorter]


SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(records_with_paths())
def test_writing_back_what_was_read_changes_nothing(case: tuple[dict[str, Any], Picked]) -> None:
    record, picked = case
    before = dumps(record)
    path = parse_path(picked.text)
    result = write_value(record, path, read_value(record, path))
    assert result == record
    assert dumps(result) == before  # same key order, same types
    assert dumps(record) == before  # the input is untouched


def new_value(draw: Callable[[st.SearchStrategy[Any]], Any], path: FieldPath) -> Any:
    if not path.is_multi:
        return draw(JSON.filter(lambda value: value is not None))
    if isinstance(path.steps[-1].selector, AllItems):
        return draw(st.lists(JSON, max_size=4))
    return draw(st.lists(SCALARS.filter(lambda value: value is not None), max_size=4))


@SETTINGS
@given(records_with_paths(), st.data())
def test_writing_a_new_value_changes_that_path_and_nothing_else(
    case: tuple[dict[str, Any], Picked], data: st.DataObject
) -> None:
    record, picked = case
    assume(not picked.terminal_match and not picked.rewrites_match_key)
    before = copy.deepcopy(record)
    path = parse_path(picked.text)
    value = new_value(data.draw, path)
    # an empty list through a [field=VALUE] clears: it removes the matched item (tested below)
    assume(not (value == [] and any(isinstance(s.selector, Match) for s in path.steps)))
    result = write_value(record, path, value)
    assert dumps(record) == dumps(before)
    assert read_value(result, path) == value
    untouched = [q for q in leaves(record) if not overlaps(q, picked.location)]
    for q in untouched:
        other = parse_path(location_text(q))
        assert dumps(read_value(result, other)) == dumps(read_value(record, other))
    assert [q for q in leaves(result) if not overlaps(q, picked.location)] == untouched


@given(records_with_paths(), records_with_paths())
def test_a_compiled_reader_reads_what_read_value_reads(
    case: tuple[dict[str, Any], Picked], other: tuple[dict[str, Any], Picked]
) -> None:
    """Export reads through compiled readers and plan through `read_value`: they must agree,
    on the record a path was picked from, on a record of another shape, and for places."""
    (record, picked), (elsewhere, other_picked) = case, other
    path = parse_path(picked.text)
    before = dumps(record)
    for each in (record, elsewhere):
        assert compile_reader(path)(each) == read_value(each, path)
    assert dumps(record) == before
    if path.is_multi or parse_path(other_picked.text).is_multi:
        return
    try:  # keys with spaces at their ends may name the same place once `|` trims them
        places = parse_path(f"{other_picked.text} | {picked.text}")
    except PathError:
        return
    for each in (record, elsewhere, {}):
        assert compile_reader(places)(each) == read_value(each, places)


SELECTORS = st.one_of(
    st.none(),
    st.just(AllItems()),
    st.integers(0, 10_000).map(Index),
    st.builds(
        Match,
        st.lists(KEYS, min_size=1, max_size=3).map(tuple),
        st.text(alphabet="ab ./-=~[é", max_size=6),
    ),
    st.builds(
        Lowest,
        st.lists(KEYS.filter(lambda k: not k[0].isspace()), min_size=1, max_size=3).map(tuple),
    ),
)


def step_text(step: Step) -> str:
    text = escape_key(step.key)
    if isinstance(step.selector, AllItems):
        return text + "[*]"
    if isinstance(step.selector, Index):
        return text + f"[{step.selector.index}]"
    if isinstance(step.selector, Match):
        keys = "/".join(map(escape_key, step.selector.keys))
        return text + f"[{keys}={step.selector.value}]"
    if isinstance(step.selector, Lowest):
        return text + f"[lowest {'/'.join(map(escape_key, step.selector.keys))}]"
    return text


@settings(max_examples=300)
@given(st.lists(st.builds(Step, KEYS, SELECTORS), min_size=1, max_size=5))
def test_path_text_round_trips(steps: list[Step]) -> None:
    assume(sum(isinstance(step.selector, AllItems) for step in steps) <= 1)
    text = "".join("/" + step_text(step) for step in steps)
    path = parse_path(text)
    assert path.steps == tuple(steps)
    assert str(path) == text
    assert parse_path(str(path)) == path
    assert hash(parse_path(str(path))) == hash(path)
    assert path.top_level_key == steps[0].key
    assert path.is_multi == any(isinstance(step.selector, AllItems) for step in steps)


# ------------------------------------------------------------------------ parsing by example


def test_escapes_and_dots() -> None:
    path = parse_path("/local.fields/a~1b~0c~01")
    assert [step.key for step in path.steps] == ["local.fields", "a/b~c~1"]
    assert path.top_level_key == "local.fields"
    assert escape_key("a/b~c") == "a~1b~0c"


def test_selectors_parse() -> None:
    path = parse_path("/relationships[relationtype=is part-of.x]/identifier.issn")
    assert path.steps[0] == Step("relationships", Match(("relationtype",), "is part-of.x"))
    assert parse_path("/a[id_type/value=x=y/z]").steps[0].selector == Match(
        ("id_type", "value"), "x=y/z"
    )
    assert parse_path("/creators[12]").steps[0].selector == Index(12)
    assert parse_path("/creators[lowest order]/givenname").steps[0].selector == Lowest(("order",))
    assert parse_path("/a[lowest x/n~1o]").steps[0].selector == Lowest(("x", "n/o"))
    assert parse_path("/a[lowest=x]").steps[0].selector == Match(("lowest",), "x")
    assert parse_path("/language[*]").is_multi
    assert not parse_path("/creators[0]/givenname").is_multi


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("/a[x", "invalid path '/a[x': unclosed '[' at position 2"),
        ("/a//b", "invalid path '/a//b': empty step: '//' at position 2"),
        ("/a/", "empty step: a trailing '/' at position 2"),
        ("//", "empty step: '//' at position 0"),
        ("/a[*]/b[*]", "more than one '[*]'"),
        ("/a[-1]", "bad index '[-1]' at position 2"),
        ("/a[01]", "bad index '[01]' at position 2"),
        ("/a[1.5]", "bad selector '[1.5]' at position 2"),
        ("/a[]", "bad selector '[]' at position 2"),
        ("a/b", "a path starts with '/' at position 0"),
        ("", "the path is empty"),
        ("/a]b", "']' is not allowed in a key name, at position 2"),
        ("/a=b", "'=' is not allowed in a key name, at position 2"),
        ("/a~2", "'~' must be followed by 0 or 1 (escape), at position 2"),
        ("/[0]", "a list selector needs a key before it, at position 1"),
        ("/a[0]b", "unexpected text after ']' at position 5"),
        ("/a[0][1]", "unexpected text after ']' at position 5"),
        ("/a[=x]", "empty field name in selector '[=x]'"),
        ("/a[b[0]=x]", "unexpected text after ']'"),
        ("/a[lowest order=1]", "'[lowest field]' selector compares numbers and has no '='"),
        ("/a[lowest ]", "empty field name in selector '[lowest ]' at position 2"),
        ("/a[lowest x//y]", "empty field name in selector '[lowest x//y]'"),
        ("/a[lowest  x]", "write one space between 'lowest' and the field"),
        ("/a[lowest]", "bad selector '[lowest]' at position 2"),
        ("/a[lowest x[0]]", "unexpected text after ']'"),
    ],
)
def test_malformed_paths_say_what_and_where(text: str, message: str) -> None:
    with pytest.raises(PathError) as caught:
        parse_path(text)
    assert message in str(caught.value)
    assert str(caught.value).startswith(f"invalid path {text!r}: ")


def test_field_path_constructor_validates_too() -> None:
    with pytest.raises(PathError):
        FieldPath("/a[")
    assert FieldPath("/a") == parse_path("/a")


# ------------------------------------------------------------------------ real records


def test_reads_from_the_captured_asset(asset: dict[str, Any]) -> None:
    assert read(asset, "/identifier.doi") == "10.1016/j.hybadv.2024.100277"
    assert read(asset, "/local.fields/local.note1") == "field 1 "
    assert read(asset, "/originalRepository/assetId") == "991291935000561"
    assert read(asset, "/relationships[relationtype=ispartof]/identifier.issn") == "2773-207X"
    assert read(asset, "/keywords[language=eng]/values[*]") == [
        "additioanl keywaord",
        "additioanl subjects",
        "katakunci",
    ]
    assert read(asset, "/language[*]") == ["eng", "jpn", "may"]
    assert read(asset, "/creators[1]/givenname") == "Ameeer"
    assert read(asset, "/creators[*]/identifier.orcid") == ["0000-0002-0681-7383"]
    assert read(asset, "/creators[*]/user.primaryId") == ["amirshomzy"]
    assert read(asset, "/links[0]/link.order") == 1
    assert read(asset, "/links[0]/link.title") is None
    assert read(asset, "/creators[9]/givenname") is None
    assert read(asset, "/relationships[relationtype=nothing]/identifier.issn") is None
    assert read(asset, "/nope[*]/value") == []


def test_reads_from_a_seeded_researcher(researcher: dict[str, Any]) -> None:
    orcid = read(researcher, ORCID)
    assert seed.is_valid_orcid(orcid)
    keywords = read(researcher, KEYWORDS)
    assert keywords == [k["value"] for k in researcher["researcher"]["researcher_keyword"]]
    assert (
        read(researcher, "/researcher/position/value")
        == researcher["researcher"]["position"]["value"]
    )
    assert read(researcher, "/user_identifier[id_type/value=ORCID]/value") is None


def test_read_never_hands_out_the_record_itself(asset: dict[str, Any]) -> None:
    languages = read(asset, "/language[*]")
    languages.append("xxx")
    read(asset, "/creators[0]")["givenname"] = "changed"
    assert asset["language"] == ["eng", "jpn", "may"]
    assert asset["creators"][0]["givenname"] == "Adib Bin"


def test_new_title_changes_only_the_title(asset: dict[str, Any]) -> None:
    before = dumps(asset)
    old = json.dumps(asset["title"], ensure_ascii=False)
    assert before.count(old) == 1
    result = write(asset, "/title", "A new title: with ünïcode")
    assert dumps(result) == before.replace(old, '"A new title: with ünïcode"')
    assert dumps(asset) == before


def test_every_captured_field_round_trips(asset: dict[str, Any]) -> None:
    before = dumps(asset)
    for location in leaves(asset):
        path = parse_path(location_text(location))
        assert dumps(write_value(asset, path, read_value(asset, path))) == before


# ------------------------------------------------------------------------ write semantics


def test_orcid_is_appended_as_a_matching_identifier(researcher: dict[str, Any]) -> None:
    cleared = write(researcher, ORCID, None)
    ids = cleared["researcher"]["user_identifier"]
    assert [i["id_type"]["value"] for i in ids] == [
        i["id_type"]["value"] for i in researcher["researcher"]["user_identifier"][1:]
    ]
    assert "ORCID" not in [i["id_type"]["value"] for i in ids]
    assert write(cleared, ORCID, None) == cleared
    added = write(cleared, ORCID, "0000-0002-1825-0097")
    assert added["researcher"]["user_identifier"][-1] == {
        "id_type": {"value": "ORCID"},
        "value": "0000-0002-1825-0097",
    }
    assert list(added["researcher"]["user_identifier"][-1]) == ["id_type", "value"]
    assert read(added, ORCID) == "0000-0002-1825-0097"


def test_changing_an_orcid_keeps_the_item_and_its_place(researcher: dict[str, Any]) -> None:
    result = write(researcher, ORCID, "0000-0002-1825-0097")
    before, after = (
        researcher["researcher"]["user_identifier"],
        result["researcher"]["user_identifier"],
    )
    assert len(after) == len(before)
    position = next(i for i, x in enumerate(before) if x["id_type"]["value"] == "ORCID")
    assert after[position] == {**before[position], "value": "0000-0002-1825-0097"}


def test_keywords_reuse_items_and_keep_their_other_keys() -> None:
    record = {"kw": [{"value": "a", "desc": "A"}, {"value": "b", "desc": "B"}, {"x": 1}]}
    result = write(record, "/kw[*]/value", ["b", "new", "a"])
    assert result["kw"] == [
        {"value": "b", "desc": "B"},
        {"value": "new"},
        {"x": 1},
        {"value": "a", "desc": "A"},
    ]
    assert write(record, "/kw[*]/value", ["a"])["kw"] == [{"value": "a", "desc": "A"}, {"x": 1}]
    assert write(record, "/kw[*]/value", [])["kw"] == [{"x": 1}]


def test_multi_write_builds_fresh_items_from_the_rest_of_the_path() -> None:
    result = write({}, "/researcher/ids[*]/id_type/value", ["ORCID"])
    assert result == {"researcher": {"ids": [{"id_type": {"value": "ORCID"}}]}}
    assert write({"a": None}, "/a[*]/v", []) == {"a": None}
    assert write({}, "/a[*]/v", None) == {}


def test_match_then_star_creates_the_group(asset: dict[str, Any]) -> None:
    result = write(asset, "/keywords[language=fre]/values[*]", ["mot"])
    assert result["keywords"][-1] == {"language": "fre", "values": ["mot"]}
    assert write(asset, "/keywords[language=fre]/values[*]", []) == asset


def test_list_of_scalars_is_replaced(asset: dict[str, Any]) -> None:
    result = write(asset, "/language[*]", ["ger"])
    assert result["language"] == ["ger"]
    assert list(result) == list(asset)


def test_index_appends_at_the_end_and_not_beyond() -> None:
    record = {"creators": [{"givenname": "A"}]}
    assert write(record, "/creators[1]/givenname", "B")["creators"][1] == {"givenname": "B"}
    assert write(record, "/creators[1]/givenname", None) == record
    with pytest.raises(PathError, match=r"cannot write '/creators\[2\]/givenname': index 2"):
        write(record, "/creators[2]/givenname", "C")
    assert write(record, "/creators[0]", None) == {"creators": [None]}


def test_none_sets_null_only_where_the_key_exists() -> None:
    record = {"a": {"b": 1}, "c": 2}
    assert dumps(write(record, "/a/b", None)) == '{"a": {"b": null}, "c": 2}'
    assert write(record, "/a/x", None) == record
    assert write(record, "/new/deep/key", None) == record
    assert dumps(write(record, "/a/x", 5)) == '{"a": {"b": 1, "x": 5}, "c": 2}'
    assert dumps(write(record, "/new/deep", 5)) == '{"a": {"b": 1}, "c": 2, "new": {"deep": 5}}'
    assert write({"a": None}, "/a/b", 1) == {"a": {"b": 1}}


def test_shape_conflicts_are_errors() -> None:
    with pytest.raises(PathError, match="'a' holds a str, not an object"):
        write({"a": "text"}, "/a/b", 1)
    with pytest.raises(PathError, match="'a' holds an object, not a list"):
        write({"a": {}}, "/a[0]", 1)
    with pytest.raises(PathError, match="needs a list of values, not str"):
        write({}, "/a[*]/v", "one")
    with pytest.raises(PathError, match="holds None"):
        write({}, "/a[*]/v", ["x", None])
    with pytest.raises(PathError, match="must itself match"):
        write({"a": [{"k": "x"}]}, "/a[k=x]", {"k": "y"})


def test_whole_item_through_match_selector() -> None:
    record = {"a": [{"k": "x", "v": 1}, {"k": "y"}]}
    assert write(record, "/a[k=x]", {"k": "x", "v": 2})["a"][0] == {"k": "x", "v": 2}
    assert write(record, "/a[k=x]", None)["a"] == [{"k": "y"}]
    assert write(record, "/a[k=z]", {"k": "z"})["a"][-1] == {"k": "z"}


def test_match_compares_the_string_form() -> None:
    record = {"a": [{"n": 1, "v": "one"}, {"n": True, "v": "yes"}, {"n": None, "v": "null"}]}
    assert read(record, "/a[n=1]/v") == "one"
    assert read(record, "/a[n=True]/v") == "yes"
    assert read(record, "/a[n=None]/v") is None


def test_none_below_a_match_with_more_selectors_is_written_through() -> None:
    record = {"a": [{"k": "x", "b": [{"c": 1}, {"c": 2}]}]}
    result = write(record, "/a[k=x]/b[0]/c", None)
    assert result == {"a": [{"k": "x", "b": [{"c": None}, {"c": 2}]}]}


# ------------------------------------------------------------------------ [lowest order]

FIRST = "/creators[lowest order]/givenname"

# Orders as Esploro writes them (strings, sometimes from "0"), JSON numbers, and values that
# are no number at all, which the selector must never pick.
ORDERS = st.one_of(
    st.integers(-3, 60).map(str),
    st.integers(-3, 60),
    st.integers(0, 60).map(lambda n: f" {n} "),
    st.sampled_from(["", "x", "1a", "one", "1e3", "∞"]),
    st.none(),
    st.booleans(),
)
CREATORS = st.lists(
    st.fixed_dictionaries(
        {"givenname": st.text(alphabet="ABCé ", max_size=4)},
        optional={"order": ORDERS, "familyname": st.text(alphabet="xyz", max_size=3)},
    ),
    max_size=8,
)


def number_of(value: Any) -> float | None:
    """The test's own, independent idea of what counts as an order number."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return float(value)
    try:
        return float(value) if value.strip().lstrip("+-").isdigit() else None
    except (AttributeError, ValueError):
        return None


def expected_first(creators: list[dict[str, Any]]) -> int | None:
    numbered = [(number_of(c.get("order")), i) for i, c in enumerate(creators)]
    candidates = [(n, i) for n, i in numbered if n is not None]
    return min(candidates)[1] if candidates else None


@settings(max_examples=300, deadline=None)
@given(CREATORS)
def test_lowest_order_reads_the_lowest_number_never_the_first_position(
    creators: list[dict[str, Any]],
) -> None:
    record = {"creators": creators}
    position = expected_first(creators)
    expected = None if position is None else creators[position]["givenname"]
    assert read(record, FIRST) == expected
    assert read(record, "/creators[lowest order]") == (
        None if position is None else creators[position]
    )
    assert compile_reader(parse_path(FIRST))(record) == expected  # export's reader, too


@settings(max_examples=300, deadline=None)
@given(CREATORS, st.text(alphabet="NEW", min_size=1, max_size=3))
def test_lowest_order_writes_that_item_and_nothing_else(
    creators: list[dict[str, Any]], name: str
) -> None:
    record = {"creators": creators}
    before = dumps(record)
    assert dumps(write(record, FIRST, read(record, FIRST))) == before  # a read written back
    position = expected_first(creators)
    if position is None:
        with pytest.raises(PathError, match="no item has a number at 'order'"):
            write(record, FIRST, name)
        assert write(record, FIRST, None) == record
        return
    result = write(record, FIRST, name)
    assert read(result, FIRST) == name
    expected = copy.deepcopy(creators)
    expected[position]["givenname"] = name
    assert result == {"creators": expected}
    assert dumps(record) == before


def test_lowest_order_on_real_shapes() -> None:
    def people(*orders: str) -> dict[str, Any]:
        return {"creators": [{"order": o, "givenname": f"G{o}"} for o in orders]}

    assert read(people("2", "3", "1"), FIRST) == "G1"
    assert read(people("6", "1", "2", "3", "4", "5"), FIRST) == "G1"
    assert read(people("1", "0", "2"), FIRST) == "G0"  # numbered from "0"
    assert read(people("9", "10", "11"), FIRST) == "G9"  # compared as numbers, not as text
    record = people("2", "3", "1")
    written = write(record, FIRST, "Ada")
    assert [c["givenname"] for c in written["creators"]] == ["G2", "G3", "Ada"]
    assert dumps(write(record, "/creators[lowest order]/familyname", "Lovelace")) == dumps(
        {
            "creators": [
                {"order": "2", "givenname": "G2"},
                {"order": "3", "givenname": "G3"},
                {"order": "1", "givenname": "G1", "familyname": "Lovelace"},
            ]
        }
    )
    assert write(record, FIRST, None)["creators"][2] == {"order": "1", "givenname": None}


def test_lowest_order_ties_missing_orders_and_links() -> None:
    tied = {
        "creators": [{"order": "3", "g": "a"}, {"order": "1", "g": "b"}, {"order": 1, "g": "c"}]
    }
    assert read(tied, "/creators[lowest order]/g") == "b"  # the first in the list among equals
    assert write(tied, "/creators[lowest order]/g", "z")["creators"][1] == {"order": "1", "g": "z"}
    unnumbered = {"creators": [{"g": "a"}, {"order": None, "g": "b"}, {"order": "", "g": "c"}]}
    assert read(unnumbered, "/creators[lowest order]/g") is None
    with pytest.raises(PathError, match=r"cannot write '/creators\[lowest order\]/g'"):
        write(unnumbered, "/creators[lowest order]/g", "z")
    mixed = {"creators": [{"g": "a"}, {"order": "x", "g": "b"}, {"order": "4", "g": "c"}]}
    assert read(mixed, "/creators[lowest order]/g") == "c"
    assert read({}, FIRST) is None and write({}, FIRST, None) == {}
    with pytest.raises(PathError, match="no item has a number"):
        write({}, FIRST, "x")
    links = {"links": [{"link.order": 2, "link.url": "b"}, {"link.order": 1, "link.url": "a"}]}
    assert read(links, "/links[lowest link.order]/link.url") == "a"
    nested = {"a": [{"k": {"n": "2"}, "v": 1}, {"k": {"n": "-1"}, "v": 2}]}
    assert read(nested, "/a[lowest k/n]/v") == 2


def test_lowest_order_on_seeded_assets() -> None:
    researchers = list(seed.generate_researchers(5, 40))
    assets = [record for record, _ in seed.generate_assets(5, 300, researchers)]
    unsorted = zero_based = 0
    for asset in assets:
        orders = [int(c["order"]) for c in asset["creators"]]
        first = asset["creators"][orders.index(min(orders))]
        assert read(asset, FIRST) == first["givenname"]
        unsorted += orders != sorted(orders)
        zero_based += min(orders) == 0
    assert unsorted and zero_based


# ------------------------------------------------------------------ several places, new_item

BOTH = "/user_identifier[id_type/value=ORCID]/value | " + ORCID
NEW_ORCID = "0000-0002-1825-0097"


def _ids(orcid_top: str | None, orcid_profile: str | None) -> dict[str, Any]:
    def items(value: str | None) -> list[dict[str, Any]]:
        scopus = {"id_type": {"value": "SCOPUS"}, "value": "123"}
        orcid = {"id_type": {"value": "ORCID"}, "value": value, "segment_type": "External"}
        return [scopus, orcid] if value else [scopus]

    return {
        "user_identifier": items(orcid_top),
        "researcher": {"user_identifier": items(orcid_profile)},
    }


def _orcids(record: dict[str, Any]) -> tuple[str | None, str | None]:
    top = read(record, "/user_identifier[id_type/value=ORCID]/value")
    return top, read(record, ORCID)


def test_a_path_of_several_places_parses_each() -> None:
    path = parse_path(BOTH)
    assert path.has_places and not parse_path(ORCID).has_places
    assert [p.text for p in path.places] == ["/user_identifier[id_type/value=ORCID]/value", ORCID]
    assert path.steps == path.places[0].steps and path.top_level_keys == (
        "user_identifier",
        "researcher",
    )
    assert parse_path("/a[x=a|b]/c").places == (parse_path("/a[x=a|b]/c"),)  # '|' inside [...]
    for bad, problem in [
        ("/a|b", "starts with '/'"),
        ("/a | /a", "named twice"),
        ("/a[*] | /b", "cannot have"),
    ]:
        with pytest.raises(PathError, match=problem):
            parse_path(bad)


@pytest.mark.parametrize(
    ("top", "profile", "shown"),
    [(None, None, None), (None, "P", "P"), ("T", None, "T"), ("T", "T", "T"), ("T", "P", "T")],
)
def test_reading_several_places_gives_the_first_that_holds_a_value(
    top: str | None, profile: str | None, shown: str | None
) -> None:
    assert read(_ids(top, profile), BOTH) == shown


@pytest.mark.parametrize(
    ("top", "profile", "after"),
    [
        (None, None, (NEW_ORCID, None)),  # none: the first place
        (None, "P", (None, NEW_ORCID)),  # where it already is
        ("T", None, (NEW_ORCID, None)),
        ("T", "T", (NEW_ORCID, NEW_ORCID)),  # both, kept equal
    ],
)
def test_writing_several_places_writes_where_the_value_is(
    top: str | None, profile: str | None, after: tuple[str | None, str | None]
) -> None:
    record = _ids(top, profile)
    assert _orcids(write(record, BOTH, NEW_ORCID)) == after
    cleared = write(record, BOTH, None)
    assert _orcids(cleared) == (None, None)
    assert cleared["user_identifier"][0]["id_type"]["value"] == "SCOPUS"  # the rest stays


def test_places_holding_different_values_are_never_written() -> None:
    record = _ids("T", "P")
    for value in (NEW_ORCID, None):
        with pytest.raises(PathError, match="its places hold different values"):
            write(record, BOTH, value)


def test_new_item_fields_go_into_an_added_item_only() -> None:
    extra = {"segment_type": "Internal"}
    added = write_value(_ids(None, None), parse_path(BOTH), NEW_ORCID, new_item=extra)
    assert added["user_identifier"][-1] == {
        "id_type": {"value": "ORCID"}, "value": NEW_ORCID, "segment_type": "Internal"
    }  # fmt: skip
    changed = write_value(_ids("T", None), parse_path(BOTH), NEW_ORCID, new_item=extra)
    assert changed["user_identifier"][-1]["segment_type"] == "External"  # an existing item


def test_clearing_a_matched_group_list_removes_the_group() -> None:
    path = "/k[language=eng]/values[*]"
    record = {"k": [{"language": "eng", "values": ["a"]}, {"language": "und", "values": ["a"]}]}
    assert write(record, path, []) == {"k": [{"language": "und", "values": ["a"]}]}
    assert write(record, path, None) == {"k": [{"language": "und", "values": ["a"]}]}
    assert write({"k": []}, path, ["x", "y"]) == {"k": [{"language": "eng", "values": ["x", "y"]}]}
    assert write({}, path, []) == {}
