"""Swap-all, code tables, op=patch and merge patch, as pure functions."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.sandbox import schema
from sheetsync.sandbox.app import captured_asset
from sheetsync.sandbox.errors import ApiError

json_scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=8)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)
json_objects = st.dictionaries(st.text(max_size=4), json_values, max_size=5)


def _without_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_nulls(v) for k, v in value.items() if v is not None}
    return value


@given(json_objects, json_objects)
def test_merge_patch_result_holds_every_non_null_patch_value(target: dict, patch: dict) -> None:
    result = schema.merge_patch(target, patch)
    for key, value in patch.items():
        if value is None:
            assert key not in result
        elif not isinstance(value, dict):
            assert result[key] == value
    for key in set(target) - set(patch):
        assert result[key] == target[key]


@given(json_objects, json_objects)
def test_merge_patch_is_idempotent_and_leaves_its_inputs_alone(target: dict, patch: dict) -> None:
    target_before, patch_before = copy.deepcopy(target), copy.deepcopy(patch)
    once = schema.merge_patch(target, patch)
    assert schema.merge_patch(once, patch) == once
    assert target == target_before and patch == patch_before


@given(json_objects)
def test_merge_patch_with_itself_as_patch_gives_itself_without_nulls(document: dict) -> None:
    assert schema.merge_patch({}, document) == _without_nulls(document)


def test_merge_patch_rfc7386_appendix_a_examples() -> None:
    cases = [
        ({"a": "b"}, {"a": "c"}, {"a": "c"}),
        ({"a": "b"}, {"b": "c"}, {"a": "b", "b": "c"}),
        ({"a": "b"}, {"a": None}, {}),
        ({"a": [{"b": "c"}]}, {"a": [1]}, {"a": [1]}),
        (["a", "b"], ["c", "d"], ["c", "d"]),
        ({"a": "foo"}, None, None),
        ({"e": None}, {"a": 1}, {"e": None, "a": 1}),
        ([1, 2], {"a": "b", "c": None}, {"a": "b"}),
        ({}, {"a": {"bb": {"ccc": None}}}, {"a": {"bb": {}}}),
    ]
    for target, patch, expected in cases:
        assert schema.merge_patch(target, patch) == expected


def test_normalize_researcher_on_nothing_gives_every_default() -> None:
    record = schema.normalize_researcher({}, "12345", None)
    assert record["primary_id"] == "12345"
    assert record["researcher"] is None
    assert record["user_role"] == []
    defaults = {
        "contact_info": {"address": [], "email": [], "phone": []},
        "campus_code": {"value": None, "desc": ""},
        "preferred_language": {"value": "en", "desc": "English"},
        "status": {"value": "ACTIVE", "desc": "Active"},
    }
    assert all(
        value in ("", [], None, False, "12345", {"value": "", "desc": ""}) or value == defaults[key]
        for key, value in record.items()
    )


@pytest.mark.parametrize(
    "body, field",
    [
        ([], "body"),
        ({"user_identifier": "ORCID"}, "user_identifier"),
        ({"researcher": "yes"}, "researcher"),
        ({"contact_info": []}, "contact_info"),
        ({"researcher": {"researcher_keyword": {"value": "x"}}}, "researcher.researcher_keyword"),
        ({"user_group": "FACULTY"}, "user_group"),
    ],
)
def test_normalize_researcher_refuses_wrong_shapes_naming_the_field(body: Any, field: str) -> None:
    with pytest.raises(ApiError) as caught:
        schema.normalize_researcher(body, "1", None)
    assert caught.value.status == 400
    assert field in caught.value.message


def test_code_objects_in_lists_are_validated_with_their_index() -> None:
    topics = [{"value": "1004068"}, {"value": "ALCHEMY"}]
    body = {"researcher": {"researcher_research_topic": topics}}
    with pytest.raises(ApiError) as caught:
        schema.normalize_researcher(body, "1", None)
    assert "researcher.researcher_research_topic[1]" in caught.value.message


def test_captured_asset_normalizes_to_itself_byte_for_byte() -> None:
    record = captured_asset()
    normalized = schema.normalize_asset(copy.deepcopy(record), "991291935000561")
    assert json.dumps(normalized) == json.dumps(record)


def test_with_desc_follows_its_plain_field_when_the_body_lacks_it() -> None:
    body = {"title": "t", "license": "INC", "peerreview": "yes"}
    record = schema.normalize_asset(body, "1")
    assert list(record) == [
        "title",
        "license",
        "licenseWithDesc",
        "peerreview",
        "originalRepository",
    ]
    assert record["licenseWithDesc"] == {"value": "INC", "desc": "In Copyright"}


def test_with_desc_without_its_plain_field_is_dropped() -> None:
    record = schema.normalize_asset({"licenseWithDesc": {"value": "INC"}}, "1")
    assert "licenseWithDesc" not in record
