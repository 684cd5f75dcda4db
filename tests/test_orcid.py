"""The ORCID iD column end to end over the sandbox: export, edit, plan, apply.

Esploro may keep a researcher's ORCID iD in the user record's `user_identifier[]`, in the
researcher profile's `researcher.user_identifier[]`, or in both (evidence README: a production
integration reads both and writes new ones to the top-level list, `segment_type` Internal).
The `researchers` template's one "ORCID iD" column names both places; these tests pick one
seeded researcher per situation (`seed.orcid_situation`) and check where the iD ends up.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sheetsync
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox, seed
from tests.conftest import Api, start_sandbox
from tests.plans import edit

ORCID = "ORCID iD"
NEW = "0000-0002-1825-0097"
SITUATIONS = ("none", "researcher", "top-level", "both-equal", "both-different")


@pytest.fixture
def server() -> Iterator[Sandbox]:
    sandbox = start_sandbox(researchers=60, assets=5)
    yield sandbox
    sandbox.stop()


def _orcids(items: list[dict[str, Any]] | None) -> list[dict[str, Any]]:
    return [i for i in items or [] if (i.get("id_type") or {}).get("value") == "ORCID"]


def _where(record: dict[str, Any]) -> tuple[list[str], list[str]]:
    """The ORCID iDs in the user record's list and in the profile's list."""
    top = [i["value"] for i in _orcids(record.get("user_identifier"))]
    profile = [i["value"] for i in _orcids(record["researcher"].get("user_identifier"))]
    return top, profile


def _by_situation(api: Api) -> dict[str, dict[str, Any]]:
    """One seeded researcher per ORCID situation, fetched."""
    found: dict[str, dict[str, Any]] = {}
    for record_id in api.researcher_ids(100):
        record = api.get(f"/esploro/v1/researchers/{record_id}").json()
        found.setdefault(seed.orcid_situation(record), record)
    assert set(found) == set(SITUATIONS), found.keys()
    return found


def _loop(
    server: Sandbox, tmp_path: Path, changes: dict[tuple[str, str], Any], ids: list[str]
) -> tuple[sheetsync.Plan, Any, Path]:
    """Export `ids`, make `changes`, plan, apply (clears allowed); the plan, result, workbook."""
    with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY, rate=1000) as client:
        workbook = tmp_path / "people.xlsx"
        sheetsync.export(client, "researchers", workbook, ids=ids)
        edit(workbook, changes)
        plan = sheetsync.plan(client, workbook)
        result = sheetsync.apply(
            client, plan, journal=tmp_path / "journal.jsonl", allow_clears=True
        )
    return plan, result, workbook


def _cell(workbook: Path, record_id: str, header: str) -> Any:
    from openpyxl import load_workbook

    sheet = load_workbook(workbook).worksheets[0]
    headers = [c.value for c in sheet[1]]
    row = next(r for r in sheet.iter_rows(min_row=2) if str(r[0].value) == record_id)
    return row[headers.index(header)].value


def test_the_template_has_one_orcid_column_naming_both_places() -> None:
    template = sheetsync.load_template("researchers")
    column = template.column(ORCID)
    assert [p.text for p in column.path.places] == [
        "/user_identifier[id_type/value=ORCID]/value",
        "/researcher/user_identifier[id_type/value=ORCID]/value",
    ]
    assert not column.readonly and column.new_item == {"segment_type": "Internal"}
    assert [c.header for c in template.columns].count(ORCID) == 1
    assert not any("ORCID" in c.header and c is not column for c in template.columns)


def test_an_edit_lands_where_the_orcid_already_is(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    records = _by_situation(api)
    writable = ("none", "researcher", "top-level", "both-equal")
    ids = {s: records[s]["primary_id"] for s in writable}
    before = {s: _where(records[s]) for s in writable}
    changes = {(ids[s], ORCID): NEW for s in writable}
    plan, result, _ = _loop(server, tmp_path, changes, list(ids.values()))
    assert {r.record_id: str(r.status) for r in plan.records} == {i: "change" for i in ids.values()}
    assert result.ok, result.results
    assert all(not r.warnings for r in result.results), [r.warnings for r in result.results]
    after = {s: api.get(f"/esploro/v1/researchers/{ids[s]}").json() for s in writable}
    # none: a new identifier in the user record's list, Internal, typed ORCID
    (added,) = _orcids(after["none"]["user_identifier"])
    assert added["value"] == NEW and added["segment_type"] == "Internal"
    assert added["id_type"]["value"] == "ORCID"
    assert _where(after["none"]) == ([NEW], [])
    # only in the profile: changed there, and the user record gets none
    assert _where(after["researcher"]) == ([], [NEW])
    # only in the user record: changed there
    assert _where(after["top-level"]) == ([NEW], [])
    # in both, equal: both changed, still equal
    assert _where(after["both-equal"]) == ([NEW], [NEW])
    # the changed identifiers keep their other fields (segment type, status, note)
    old = _orcids(records["researcher"]["researcher"]["user_identifier"])[0]
    new = _orcids(after["researcher"]["researcher"]["user_identifier"])[0]
    assert {k: v for k, v in new.items() if k != "value"} == {
        k: v for k, v in old.items() if k != "value"
    }
    assert before["researcher"][1] != [NEW]


def test_export_shows_the_orcid_from_wherever_it_is(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    records = _by_situation(api)
    ids = [records[s]["primary_id"] for s in SITUATIONS]
    with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY, rate=1000) as client:
        workbook = tmp_path / "people.xlsx"
        sheetsync.export(client, "researchers", workbook, ids=ids)
    for situation in SITUATIONS:
        record = records[situation]
        top, profile = _where(record)
        shown = _cell(workbook, record["primary_id"], ORCID)
        expected = (top or profile or [None])[0]
        assert shown == expected, situation


def test_two_different_orcids_are_refused_naming_cell_and_record(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    records = _by_situation(api)
    different = records["both-different"]
    other = records["top-level"]
    top, profile = _where(different)
    changes = {
        (different["primary_id"], ORCID): NEW,
        (other["primary_id"], "Display title"): "Professor of Tidal Flats",
    }
    plan, result, _ = _loop(
        server, tmp_path, changes, [different["primary_id"], other["primary_id"]]
    )
    planned = {r.record_id: r for r in plan.records}
    refused = planned[different["primary_id"]]
    assert refused.status == "invalid" and refused.fetched
    (message,) = refused.problems
    assert message.startswith("Researchers!")
    assert f"(ORCID iD), record {different['primary_id']}: " in message
    assert "this researcher has 2 different 'ORCID iD' values in Esploro" in message
    assert f"({top[0]} in the user record, {profile[0]} in the researcher profile)" in message
    assert "correct them in Esploro first" in message
    # the rest of the plan is planned and applied as usual
    assert planned[other["primary_id"]].status == "change"
    statuses = {r.record_id: str(r.status) for r in result.results}
    assert statuses[other["primary_id"]] == "updated"
    stored = api.get(f"/esploro/v1/researchers/{different['primary_id']}").json()
    assert _where(stored) == (top, profile)


def test_clearing_removes_the_orcid_from_both_places(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    both = _by_situation(api)["both-equal"]
    _, result, _ = _loop(
        server, tmp_path, {(both["primary_id"], ORCID): None}, [both["primary_id"]]
    )
    assert result.ok
    stored = api.get(f"/esploro/v1/researchers/{both['primary_id']}").json()
    assert _where(stored) == ([], [])
    assert seed.orcid_situation(stored) == "none"
