"""apply's canary: on production the first write goes alone, and a field the plan did not
change coming back altered stops the run before the second record."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import requests
from hypothesis import given
from hypothesis import strategies as st

from sheetsync.applying.canary import compare_write
from sheetsync.applying.journal import journal_path
from sheetsync.applying.rollback import rollback_plan
from sheetsync.applying.run import ApplyOptions, ApplyResult, apply_plan
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import ASSETS, RESEARCHERS, Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.planning.model import RecordPlan, Status
from sheetsync.report.words import CANARY_STOPPED
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from tests.conftest import Api, start_sandbox
from tests.plans import edit

TITLE = "Display title"


def _plan(server: Sandbox, tmp_path: Path, template: str, header: str, values: list[str]) -> Path:
    """Export the template's records, change `header` in the first len(values) rows, plan."""
    api = Api(server.base_url)
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        workbook = tmp_path / f"{template}.xlsx"
        if template == "assets":
            selection = Selection(ids=tuple(api.asset_ids(len(values))))
        else:
            selection = Selection(ids=tuple(api.researcher_ids(len(values))))
        export_records(client, load_template(template), workbook, selection)
        edit(workbook, {(i, header): v for i, v in zip(selection.ids or (), values, strict=True)})
        plan = build_plan(client, workbook)
    assert sum(r.status == Status.CHANGE for r in plan.records) == len(values)
    plan_path = tmp_path / f"{template}.plan.json"
    write_plan(plan, plan_path)
    requests.delete(f"{server.base_url}/_sandbox/stats", timeout=5)
    return plan_path


def _apply(server: Sandbox, plan_path: Path, **options: Any) -> ApplyResult:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        return apply_plan(
            client,
            read_plan(plan_path),
            journal=journal_path(plan_path),
            options=ApplyOptions(**options),
        )


def _writes(server: Sandbox) -> int:
    stats: dict[str, Any] = requests.get(f"{server.base_url}/_sandbox/stats", timeout=5).json()
    return int(stats["writes"])


def _titles(n: int) -> list[str]:
    return [f"Canary title {i}" for i in range(n)]


def test_a_server_dropping_a_field_stops_a_researchers_run_after_one_put(tmp_path: Path) -> None:
    server = start_sandbox(
        researchers=8, assets=2, pretend_production=True, drop_on_write=("job_description",)
    )
    try:
        plan_path = _plan(server, tmp_path, "researchers", TITLE, _titles(4))
        result = _apply(server, plan_path)
        assert _writes(server) == 1
        assert result.stopped == CANARY_STOPPED and not result.ok
        assert result.canary is not None and result.canary.tripped
        (difference,) = result.canary.differences
        assert difference.startswith("/job_description: dropped (sent ")
        statuses = sorted(r.status for r in result.results)
        assert statuses == ["not attempted"] * 3 + ["updated"]
        # the journal holds what rollback needs: the one record written gets its field back
        with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
            undone = rollback_plan(client, read_plan(plan_path), journal=journal_path(plan_path))
            assert [r.status for r in undone.results if r.status == "rolled back"] == [
                "rolled back"
            ]
    finally:
        server.stop()


def test_a_server_retyping_an_asset_field_stops_an_op_patch_run_after_one_write(
    tmp_path: Path,
) -> None:
    server = start_sandbox(
        researchers=4, assets=4, pretend_production=True, retype_on_write=("identifier.pmid",)
    )
    try:
        dois = [f"10.1234/canary.{i}" for i in range(3)]
        plan_path = _plan(server, tmp_path, "assets", "DOI", dois)
        result = _apply(server, plan_path)
        assert _writes(server) == 1
        assert result.canary is not None
        assert [d.split(":")[0] for d in result.canary.differences] == ["/identifier.pmid"]
        assert "retyped" in result.canary.differences[0]
    finally:
        server.stop()


def test_a_well_behaved_production_server_passes_the_canary(tmp_path: Path) -> None:
    server = start_sandbox(researchers=8, assets=2, pretend_production=True)
    try:
        plan_path = _plan(server, tmp_path, "researchers", TITLE, _titles(4))
        result = _apply(server, plan_path)
        assert result.ok and _writes(server) == 4
        assert result.canary is not None and not result.canary.tripped
    finally:
        server.stop()


def test_no_canary_writes_every_record(tmp_path: Path) -> None:
    server = start_sandbox(
        researchers=8, assets=2, pretend_production=True, drop_on_write=("job_description",)
    )
    try:
        plan_path = _plan(server, tmp_path, "researchers", TITLE, _titles(4))
        result = _apply(server, plan_path, canary=False)
        assert _writes(server) == 4 and result.canary is None and not result.stopped
    finally:
        server.stop()


def test_a_sandbox_that_says_so_skips_the_canary(tmp_path: Path) -> None:
    server = start_sandbox(researchers=8, assets=2, drop_on_write=("job_description",))
    try:
        plan_path = _plan(server, tmp_path, "researchers", TITLE, _titles(4))
        result = _apply(server, plan_path)
        assert _writes(server) == 4 and result.canary is None and not result.stopped
    finally:
        server.stop()


def _record(patch: list[dict[str, Any]], partial: dict[str, Any] | None = None) -> RecordPlan:
    return RecordPlan(
        record_id="r1",
        row=2,
        status=Status.CHANGE,
        edits=(),
        patch=tuple(patch),
        partial_body=partial,
    )


def test_the_comparison_ignores_key_order_derived_fields_and_the_plans_own_changes() -> None:
    sent = {"a": "1", "b": {"x": 1, "y": 2}, "researcher": {"position": {"value": "p"}}}
    stored = {
        "b": {"y": 2, "x": 1},
        "a": "changed by the plan",
        "researcher": {"position": {"value": "p", "desc": "Derived"}},
        "link": "https://example.org/derived",
    }
    record = _record([{"op": "replace", "path": "/a", "value": "changed by the plan"}])
    assert not compare_write(RESEARCHERS, record, sent, stored, clears=False).tripped


def test_the_comparison_names_each_kind_of_alteration() -> None:
    sent = {
        "kept": "x",
        "gone": "y",
        "number": "12",
        "items": [1, 2, 3],
        "nested": {"flag": True},
        "asset.views": 3,
    }
    stored = {
        "kept": "x",
        "number": 12,
        "items": [3, 2, 1],
        "nested": {"flag": False},
        "new": "default",
        "asset.views": 9,
    }
    found = compare_write(ASSETS, _record([]), sent, stored, clears=False).differences
    assert sorted(found) == [
        '/gone: dropped (sent "y", stored nothing)',
        "/items: list items reordered (sent [1, 2, 3], stored [3, 2, 1])",
        "/nested/flag: changed (sent true, stored false)",
        '/new: added by Esploro (sent nothing, stored "default")',
        '/number: retyped (sent "12", stored 12)',
    ]


def test_a_patch_mode_write_owns_the_top_level_keys_it_sends() -> None:
    sent = {"identifier.isbn": ["1", "2"], "title": "T"}
    stored = {"identifier.isbn": ["2", "1"], "title": "T"}
    record = _record([], partial={"identifier.isbn": ["1", "2"]})
    assert not compare_write(ASSETS, record, sent, stored, clears=False).tripped


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=12,
)
_RECORDS = st.dictionaries(st.sampled_from(["a", "b", "c/d", "e~f"]), _JSON, min_size=1)


@given(_RECORDS)
def test_a_record_stored_as_sent_never_trips_the_canary(sent: dict[str, Any]) -> None:
    stored = dict(reversed(list(sent.items())))  # key order is no difference
    assert not compare_write(ASSETS, _record([]), sent, stored, clears=False).tripped


@given(_RECORDS, st.data())
def test_a_dropped_field_always_trips_it_unless_the_plan_wrote_it(
    sent: dict[str, Any], data: st.DataObject
) -> None:
    gone = data.draw(st.sampled_from(sorted(sent)))
    stored = {key: value for key, value in sent.items() if key != gone}
    pointer = "/" + gone.replace("~", "~0").replace("/", "~1")
    found = compare_write(ASSETS, _record([]), sent, stored, clears=False).differences
    assert [d.split(": ")[0] for d in found] == [pointer]
    planned = _record([{"op": "remove", "path": pointer}])
    assert not compare_write(ASSETS, planned, sent, stored, clears=False).tripped
