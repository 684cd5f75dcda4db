"""Per-field fingerprints: what apply names when it merges a colleague's change."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from sheetsync.esploro.entities import ASSETS, RESEARCHERS
from sheetsync.records import (
    FIELD_FINGERPRINT_LENGTH,
    field_fingerprints,
    field_of,
    fields_changed,
    fingerprint,
    within,
)

RESEARCHER: dict[str, Any] = {
    "primary_id": "0001",
    "last_name": "Lovelace",
    "user_title": {"value": "DR", "desc": "Doctor"},
    "researcher": {
        "display_title": "Reader",
        "researcher_keyword": ["Engines"],
        "portal_profile": {"value": "true"},
    },
    "user_identifier": [{"id_type": {"value": "ORCID"}, "value": "0000-0002-1825-0097"}],
    "contact_info": {},
    "link": "https://example.org/researchers/0001",
}


def _short(value: Any) -> str:
    canonical = json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:FIELD_FINGERPRINT_LENGTH]


def test_objects_are_split_one_level_and_derived_fields_are_left_out() -> None:
    fields = field_fingerprints(RESEARCHER, RESEARCHERS.is_ignored)
    assert fields == {
        "contact_info": _short({}),  # an empty object is one field
        "last_name": _short("Lovelace"),
        "primary_id": _short("0001"),
        "researcher/display_title": _short("Reader"),
        "researcher/portal_profile": _short({"value": "true"}),  # no deeper than two levels
        "researcher/researcher_keyword": _short(["Engines"]),
        "user_identifier": _short(RESEARCHER["user_identifier"]),
        "user_title/value": _short("DR"),  # its `desc` is derived; so is the `link`
    }
    assert list(fields) == sorted(fields) and FIELD_FINGERPRINT_LENGTH == 16
    assert set(field_fingerprints(RESEARCHER)) > set(fields)  # nothing ignored unless asked


def test_key_order_does_not_matter_and_volatile_fields_never_count() -> None:
    asset = {"identifier.pmid": "36834803", "asset.views": 3, "local.fields": {"b": 1, "a": 2}}
    shuffled = {"local.fields": {"a": 2, "b": 1}, "asset.views": 99, "identifier.pmid": "36834803"}
    fields = field_fingerprints(asset, ASSETS.is_ignored)
    assert fields == field_fingerprints(shuffled, ASSETS.is_ignored)
    assert set(fields) == {"identifier.pmid", "local.fields/a", "local.fields/b"}
    assert fingerprint(asset) == fingerprint(shuffled)


def test_a_key_with_a_slash_or_a_tilde_is_escaped_as_in_a_json_pointer() -> None:
    assert set(field_fingerprints({"a/b": 1, "c~": {"d/e": 2}})) == {"a~1b", "c~0/d~1e"}


def test_fields_changed_names_changed_added_and_removed_fields() -> None:
    before = field_fingerprints(RESEARCHER, RESEARCHERS.is_ignored)
    researcher = {**RESEARCHER["researcher"], "researcher_keyword": ["Engines", "Looms"]}
    del researcher["portal_profile"]
    after_record = {
        **RESEARCHER,
        "researcher": researcher,
        "first_name": "Ada",
        "user_title": {"value": "DR", "desc": "Doctor of Philosophy"},  # derived: not named
    }
    after = field_fingerprints(after_record, RESEARCHERS.is_ignored)
    assert fields_changed(before, after) == (
        "first_name",
        "researcher/portal_profile",
        "researcher/researcher_keyword",
    )
    assert fields_changed(before, before) == ()


def test_field_of_a_pointer_stops_at_two_keys_or_at_a_list_index() -> None:
    assert field_of("/researcher/researcher_keyword/0") == "researcher/researcher_keyword"
    assert field_of("/researcher/display_title") == "researcher/display_title"
    assert field_of("/researcher") == "researcher"
    assert field_of("/identifier.doi") == "identifier.doi"
    assert field_of("/user_identifier/1/value") == "user_identifier"
    assert field_of("/user_identifier/-") == "user_identifier"
    assert within("researcher/display_title", "researcher")
    assert within("researcher/display_title", "researcher/display_title")
    assert not within("researcher", "researcher/display_title")
    assert not within("researcher_x", "researcher")
