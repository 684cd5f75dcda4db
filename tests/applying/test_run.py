"""Apply end to end over the sandbox: every record ends exactly as intended or untouched."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.applying.journal import Journal, JournalEvent, journal_path
from sheetsync.applying.rollback import rollback_plan
from sheetsync.applying.run import ApplyOptions, apply_plan, proposed_record
from sheetsync.errors import ApplyError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import ASSETS, Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.planning.model import Plan
from sheetsync.records import fingerprint
from sheetsync.report.words import STALE_BEYOND_CELLS
from sheetsync.sandbox import READ_ONLY_KEY, READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from tests.applying.support import ctrl_c_during_apply
from tests.conftest import Api, start_sandbox
from tests.plans import edit

TITLE = "Display title"


def _planned(
    server: Sandbox,
    tmp_path: Path,
    changes: dict[tuple[str, str], Any],
    colleague: dict[str, Any] | None = None,
) -> Path:
    """Export every researcher, make `changes`; a colleague merge-patches records meanwhile;
    plan and save the plan. Returns the plan path."""
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        workbook = tmp_path / "people.xlsx"
        export_records(client, load_template("researchers"), workbook, Selection())
        edit(workbook, changes)
        for record_id, patch in (colleague or {}).items():
            url = f"{server.base_url}/_sandbox/researchers/{record_id}"
            requests.patch(url, json=patch, timeout=5)
        plan = build_plan(client, workbook)
    plan_path = tmp_path / "people.plan.json"
    write_plan(plan, plan_path)
    return plan_path


def _apply(server: Sandbox, plan_path: Path, key: str = READ_WRITE_KEY, **options: Any):
    with EsploroClient(server.base_url, key, rate=1000.0) as client:
        return apply_plan(
            client,
            read_plan(plan_path),
            journal=journal_path(plan_path),
            options=ApplyOptions(**options),
        )


def _reset_stats(server: Sandbox) -> None:
    requests.delete(f"{server.base_url}/_sandbox/stats", timeout=5)


def _title(api: Api, record_id: str) -> str:
    return str(
        api.get(f"/esploro/v1/researchers/{record_id}").json()["researcher"]["display_title"]
    )


@pytest.fixture
def server() -> Iterator[Sandbox]:
    sandbox = start_sandbox(researchers=40, assets=5)
    yield sandbox
    sandbox.stop()


def test_every_status_and_the_records_end_as_intended(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    a, b, c, d, e, f = api.researcher_ids(6)
    before = {i: api.get(f"/esploro/v1/researchers/{i}").json() for i in (a, b, c, d, e, f)}
    theirs = {"researcher": {"display_title": "Theirs"}}
    plan_path = _planned(
        server,
        tmp_path,
        {
            (a, TITLE): "Professor of Things",
            (b, "Keywords"): "Tides; Estuaries",
            (c, TITLE): "Theirs",
            (d, "Position"): "ARCHMAGE",
            (e, TITLE): "Mine",
            (f, TITLE): "F",
        },
        colleague={c: theirs, e: theirs},  # between export and plan: a no-op and a conflict
    )
    requests.patch(f"{server.base_url}/_sandbox/researchers/{f}", json=theirs, timeout=5)
    plan = read_plan(plan_path)
    result = _apply(server, plan_path)
    statuses = {r.record_id: r.status for r in result.results}
    assert statuses == {
        a: "updated",
        b: "updated",
        c: "no-op",
        d: "invalid",
        e: "conflict",
        f: "stale",
    }
    for record_id in (a, b):
        planned = next(r for r in plan.records if r.record_id == record_id)
        expected = proposed_record(before[record_id], planned, allow_clears=False)
        assert api.get(f"/esploro/v1/researchers/{record_id}").json() == expected
    assert api.get(f"/esploro/v1/researchers/{d}").json() == before[d]
    assert _title(api, e) == "Theirs" and _title(api, f) == "Theirs"
    assert not result.ok


def test_100_changes_and_20_no_ops_cost_100_gets_and_100_puts(tmp_path: Path) -> None:
    with start_sandbox(researchers=130, assets=5) as server:
        api = Api(server.base_url)
        ids = api.researcher_ids(100) + [
            u["primary_id"]
            for u in api.get("/esploro/v1/researchers?limit=20&offset=100").json()["user"]
        ]
        changes = {(i, TITLE): f"Title {n}" for n, i in enumerate(ids[:100])}
        changes |= {(i, TITLE): "Same as theirs" for i in ids[100:]}
        plan_path = tmp_path / "people.plan.json"
        with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
            workbook = tmp_path / "people.xlsx"
            export_records(client, load_template("researchers"), workbook, Selection())
            edit(workbook, changes)
            for i in ids[100:]:  # a colleague already made those 20 edits: no-ops
                requests.patch(
                    f"{server.base_url}/_sandbox/researchers/{i}",
                    json={"researcher": {"display_title": "Same as theirs"}},
                    timeout=5,
                )
            write_plan(build_plan(client, workbook), plan_path)
        _reset_stats(server)
        result = _apply(server, plan_path)
        assert result.ok
        stats = api.stats()
        assert stats["by_method"] == {"GET": 100, "PUT": 100}


def test_a_record_changed_after_planning_is_stale_and_untouched(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Mine", (b, TITLE): "Also mine"})
    theirs = {"researcher": {"display_title": "Theirs"}}  # the field the plan writes
    requests.patch(f"{server.base_url}/_sandbox/researchers/{a}", json=theirs, timeout=5)
    result = _apply(server, plan_path)
    assert {r.record_id: r.status for r in result.results} == {a: "stale", b: "updated"}
    stale = next(r for r in result.results if r.record_id == a)
    assert stale.error_message.startswith(
        "changed in Esploro since the plan was made: Display title: Esploro now has 'Theirs'; "
        "you wrote 'Mine' (it had "
    )
    assert "apply --results" in stale.error_message and "None" not in stale.error_message
    assert _title(api, a) == "Theirs" and _title(api, b) == "Also mine"


def test_a_change_to_another_field_since_planning_is_merged_and_reported(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Mine", (b, TITLE): "Also mine"})
    theirs = {"researcher": {"researcher_keyword": ["Colleague keyword"]}, "last_name": "Later"}
    requests.patch(f"{server.base_url}/_sandbox/researchers/{a}", json=theirs, timeout=5)
    result = _apply(server, plan_path)
    assert result.ok
    merged = next(r for r in result.results if r.record_id == a)
    assert merged.status == "updated" and merged.fields == (TITLE,)
    assert merged.warnings == (  # named, down to the keyword list inside `researcher`
        "merged with changes made since plan: last_name, researcher/researcher_keyword",
    )
    assert next(r for r in result.results if r.record_id == b).warnings == ()
    stored = api.get(f"/esploro/v1/researchers/{a}").json()
    assert stored["researcher"]["display_title"] == "Mine"  # the planned edit
    assert stored["researcher"]["researcher_keyword"] == ["Colleague keyword"]  # and theirs
    assert stored["last_name"] == "Later"


def test_a_change_inside_researcher_is_merged_only_where_the_plan_does_not_write(
    server: Sandbox, tmp_path: Path
) -> None:
    """Most of a researcher's fields are under `researcher`: the plan's writes and a colleague's
    change are told apart one level inside it, not by the top-level key alone."""
    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Mine", (b, TITLE): "Also mine"})
    sandbox = f"{server.base_url}/_sandbox/researchers"
    position = {"researcher": {"position": {"value": "professor"}}}  # not written: merged
    requests.patch(f"{sandbox}/{a}", json=position, timeout=5).raise_for_status()
    title = {"researcher": {"display_title": "Theirs"}}  # written: stale
    requests.patch(f"{sandbox}/{b}", json=title, timeout=5).raise_for_status()
    result = {r.record_id: r for r in _apply(server, plan_path).results}
    assert (result[a].status, result[b].status) == ("updated", "stale")
    assert result[a].warnings == ("merged with changes made since plan: researcher/position",)
    stored = api.get(f"/esploro/v1/researchers/{a}").json()["researcher"]
    assert (stored["display_title"], stored["position"]["value"]) == ("Mine", "professor")
    assert _title(api, b) == "Theirs"


def test_a_patch_beyond_the_fields_its_cells_are_in_is_stale_when_the_record_changed(
    server: Sandbox, tmp_path: Path
) -> None:
    """The cells' plan-time texts vouch only for the fields they are in: a patch that also
    writes `researcher/researcher_keyword` (where the only cell is the display title) could
    overwrite a change no cell shows, so it is not merged."""
    api = Api(server.base_url)
    a = api.researcher_ids(1)[0]
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Mine"})
    plan = read_plan(plan_path)
    (planned,) = plan.records
    beyond = {"op": "add", "path": "/researcher/researcher_keyword", "value": ["Mine too"]}
    widened = replace(planned, patch=(*planned.patch, beyond))
    write_plan(replace(plan, records=(widened,)).with_checksum(), plan_path)
    theirs = {"researcher": {"researcher_keyword": ["Theirs"]}}
    url = f"{server.base_url}/_sandbox/researchers/{a}"
    requests.patch(url, json=theirs, timeout=5).raise_for_status()
    (only,) = _apply(server, plan_path).results
    assert only.status == "stale"
    assert only.error_message == STALE_BEYOND_CELLS
    stored = api.get(f"/esploro/v1/researchers/{a}").json()["researcher"]
    assert stored["researcher_keyword"] == ["Theirs"] and stored["display_title"] != "Mine"


def test_running_again_resumes_and_writes_nothing_twice(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(6)
    plan_path = _planned(server, tmp_path, {(i, TITLE): f"T{i}" for i in ids})
    assert _apply(server, plan_path, limit=2).results
    _reset_stats(server)
    result = _apply(server, plan_path)
    assert result.ok and api.stats()["by_method"].get("PUT", 0) == 4
    _reset_stats(server)
    assert _apply(server, plan_path).ok and api.stats()["total"] == 0


def _begin(plan_path: Path, record_id: str, live: dict[str, Any], plan: Plan) -> None:
    """What a run killed between its `begin` line and the write's answer leaves behind."""
    planned = next(r for r in plan.records if r.record_id == record_id)
    intended = proposed_record(live, planned, allow_clears=False)
    Journal(journal_path(plan_path), plan.checksum).append(
        JournalEvent.BEGIN, record_id, before=live, intended_fingerprint=fingerprint(intended)
    )


def test_resume_after_a_crash_in_each_phase(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    killed_before_put, killed_after_put, clean = api.researcher_ids(3)
    plan_path = _planned(
        server,
        tmp_path,
        {(i, TITLE): f"T{i}" for i in (killed_before_put, killed_after_put, clean)},
    )
    plan = read_plan(plan_path)
    for record_id in (killed_before_put, killed_after_put):
        _begin(plan_path, record_id, api.get(f"/esploro/v1/researchers/{record_id}").json(), plan)
    # the write for `killed_after_put` reached Esploro; its answer and `done` line never came
    live = api.get(f"/esploro/v1/researchers/{killed_after_put}").json()
    planned = next(r for r in plan.records if r.record_id == killed_after_put)
    api.put(
        f"/esploro/v1/researchers/{killed_after_put}",
        proposed_record(live, planned, allow_clears=False),
    )
    with open(journal_path(plan_path), "a", encoding="utf-8") as journal:
        journal.write('{"journal":1,"event":"do')  # killed in the middle of a journal line
    _reset_stats(server)
    result = _apply(server, plan_path)
    assert result.ok
    assert api.stats()["by_method"].get("PUT", 0) == 2  # not for the one already written
    for record_id in (killed_before_put, killed_after_put, clean):
        assert _title(api, record_id) == f"T{record_id}"


def test_dropped_answers_are_settled_with_one_write_each(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(5)
    plan_path = _planned(server, tmp_path, {(i, TITLE): f"T{i}" for i in ids})
    server.faults.drop_rate = 1.0  # every write is committed, then its answer is lost
    _reset_stats(server)
    result = _apply(server, plan_path)
    assert result.ok and {r.status for r in result.results} == {"updated"}
    assert api.stats()["by_status"]["dropped"] == 5
    assert api.stats()["by_method"]["PUT"] == 5  # settled by reading, never written twice
    server.faults.drop_rate = 0.0
    assert all(_title(api, i) == f"T{i}" for i in ids)


def test_a_read_only_key_stops_at_the_first_refused_write(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(10)
    plan_path = _planned(server, tmp_path, {(i, TITLE): f"T{i}" for i in ids})
    _reset_stats(server)
    result = _apply(server, plan_path, key=READ_ONLY_KEY)
    assert "read-only" in result.stopped and not result.ok
    assert api.stats()["by_method"].get("PUT", 0) == 1
    statuses = [r.status for r in result.results]
    assert statuses.count("failed") == 1 and statuses.count("not attempted") == 9
    failed = next(r for r in result.results if r.status == "failed")
    assert failed.error_code == "UNAUTHORIZED" and failed.tracking_id.startswith("E01-")


def test_expect_refuses_another_checksum_before_any_request(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    plan_path = _planned(server, tmp_path, {(api.researcher_ids(1)[0], TITLE): "X"})
    _reset_stats(server)
    with pytest.raises(ApplyError, match="review the plan again"):
        _apply(server, plan_path, expect="0" * 64)
    assert api.stats()["total"] == 0


def test_only_and_limit_choose_records(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    a, b, c = api.researcher_ids(3)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "A", (b, TITLE): "B", (c, TITLE): "C"})
    result = _apply(server, plan_path, only=frozenset({b}))
    assert [(r.record_id, r.status) for r in result.results] == [(b, "updated")]
    assert _title(api, a) != "A" and _title(api, b) == "B"
    with pytest.raises(ApplyError, match="not in the plan"):
        _apply(server, plan_path, only=frozenset({"nope"}))


def test_clears_wait_for_allow_clears(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    a = api.researcher_ids(1)[0]
    plan_path = _planned(server, tmp_path, {(a, TITLE): None})
    held = _apply(server, plan_path)
    assert held.results[0].status == "clears held back" and not held.ok
    assert "--allow-clears" in held.results[0].warnings[0]
    assert _title(api, a) != ""
    assert _apply(server, plan_path).results[0].status == "clears held back"  # still held
    assert _title(api, a) != ""
    # the same plan, the same journal: the later run applies the clears it held
    assert _apply(server, plan_path, allow_clears=True).results[0].status == "updated"
    assert _title(api, a) == ""
    assert _apply(server, plan_path, allow_clears=True).results[0].status == "updated"  # done


def test_edits_now_and_clears_later_are_two_writes_and_roll_back_to_the_first_image(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    a = _with_middle_name(api)
    before = api.get(f"/esploro/v1/researchers/{a}").json()
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Edited", (a, "Middle name"): None})
    _reset_stats(server)
    (first,) = _apply(server, plan_path).results
    assert first.status == "clears held back" and first.fields == (TITLE,)
    middle = api.get(f"/esploro/v1/researchers/{a}").json()["researcher"]["researcher_middle_name"]
    assert _title(api, a) == "Edited" and middle != ""
    (second,) = _apply(server, plan_path, allow_clears=True).results
    assert second.status == "updated" and second.warnings == ()
    now = api.get(f"/esploro/v1/researchers/{a}").json()
    assert now["researcher"]["display_title"] == "Edited"
    assert now["researcher"]["researcher_middle_name"] == ""
    assert api.stats()["by_method"]["PUT"] == 2  # the edits, then the clears
    events = [
        e.event for e in Journal(journal_path(plan_path), read_plan(plan_path).checksum).entries()
    ]
    assert events == ["begin", "done", "held", "begin", "done"]
    (undone,) = _rollback(server, plan_path).results
    assert undone.status == "rolled back"
    assert api.get(f"/esploro/v1/researchers/{a}").json() == before  # the first before-image


def test_a_held_clear_changed_in_esploro_meanwhile_is_stale(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    a = _with_middle_name(api)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Edited", (a, "Middle name"): None})
    assert _apply(server, plan_path).results[0].status == "clears held back"
    theirs = {"researcher": {"researcher_middle_name": "Theirs"}}
    requests.patch(f"{server.base_url}/_sandbox/researchers/{a}", json=theirs, timeout=5)
    (later,) = _apply(server, plan_path, allow_clears=True).results
    assert later.status == "stale" and "Middle name" in later.error_message
    now = api.get(f"/esploro/v1/researchers/{a}").json()["researcher"]
    assert now["researcher_middle_name"] == "Theirs" and now["display_title"] == "Edited"


def test_under_injected_faults_each_record_ends_as_intended_or_untouched(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(20)
    before = {i: api.get(f"/esploro/v1/researchers/{i}").json() for i in ids}
    plan_path = _planned(server, tmp_path, {(i, TITLE): f"T{i}" for i in ids})
    plan = read_plan(plan_path)
    intended = {
        r.record_id: proposed_record(before[r.record_id], r, allow_clears=False)
        for r in plan.records
    }
    for attempt in range(8):
        server.faults.fail_rate, server.faults.drop_rate = 0.25, 0.25
        result = _apply(server, plan_path)
        server.faults.fail_rate = server.faults.drop_rate = 0.0
        for record_id in ids:  # after every run: exactly as intended, or untouched
            now = api.get(f"/esploro/v1/researchers/{record_id}").json()
            assert now in (before[record_id], intended[record_id]), (attempt, record_id)
        if result.ok:
            break
    assert result.ok
    last = Journal(journal_path(plan_path), plan.checksum).last_events()
    assert {last[i].event for i in ids} == {"done"}
    assert all(api.get(f"/esploro/v1/researchers/{i}").json() == intended[i] for i in ids)


def test_cli_apply_confirms_reports_and_exits_by_outcome(server: Sandbox, tmp_path: Path) -> None:
    import json
    import os
    import subprocess
    import sys

    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "A", (b, "Position"): "ARCHMAGE"})
    env = {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "ESPLORO_BASE_URL": server.base_url,
        "COLUMNS": "160",
    }

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "sheetsync", "apply", str(plan_path), *args],
            capture_output=True,
            text=True,
            timeout=120,
            env=env,
            stdin=subprocess.DEVNULL,
        )

    refused = run()
    assert refused.returncode == 1 and "--yes" in refused.stderr and _title(api, a) != "A"
    wrong = run("--yes", "--expect", "0" * 64)
    assert wrong.returncode == 1 and "review the plan again" in wrong.stderr
    checksum = read_plan(plan_path).checksum
    done = run("--yes", "--expect", checksum, "--json")
    assert done.returncode == 3, done.stderr  # the invalid record keeps it from a clean 0
    outcome = json.loads(done.stdout)
    assert {r["record_id"]: r["status"] for r in outcome["results"]} == {a: "updated", b: "invalid"}
    assert _title(api, a) == "A"


def test_rollback_restores_what_it_wrote_and_skips_what_others_changed(
    server: Sandbox, tmp_path: Path
) -> None:
    from sheetsync.applying.rollback import rollback_plan

    api = Api(server.base_url)
    a, b, c = api.researcher_ids(3)
    before = {i: api.get(f"/esploro/v1/researchers/{i}").json() for i in (a, b, c)}
    plan_path = _planned(server, tmp_path, {(a, TITLE): "A", (b, TITLE): "B", (c, TITLE): "C"})
    assert _apply(server, plan_path).ok
    requests.patch(
        f"{server.base_url}/_sandbox/researchers/{b}", json={"last_name": "Later"}, timeout=5
    )
    plan = read_plan(plan_path)
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        result = rollback_plan(client, plan, journal=journal_path(plan_path))
        assert {r.record_id: r.status for r in result.results} == {
            a: "rolled back",
            b: "skipped",
            c: "rolled back",
        }
        assert api.get(f"/esploro/v1/researchers/{a}").json() == before[a]
        assert api.get(f"/esploro/v1/researchers/{b}").json()["last_name"] == "Later"
        _reset_stats(server)
        again = rollback_plan(
            client, plan, journal=journal_path(plan_path)
        )  # nothing left to roll back
        assert again.results == () and api.stats()["total"] == 0
    reapplied = _apply(server, plan_path)
    assert {r.record_id: r.status for r in reapplied.results}[a] == "rolled back"
    assert api.get(f"/esploro/v1/researchers/{a}").json() == before[a]


def test_rollback_resumes_after_a_crash_mid_rollback(server: Sandbox, tmp_path: Path) -> None:
    from sheetsync.applying.rollback import rollback_plan

    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    before = {i: api.get(f"/esploro/v1/researchers/{i}").json() for i in (a, b)}
    plan_path = _planned(server, tmp_path, {(a, TITLE): "A", (b, TITLE): "B"})
    assert _apply(server, plan_path).ok
    plan = read_plan(plan_path)
    journal = Journal(journal_path(plan_path), plan.checksum)
    journal.append(
        JournalEvent.ROLLBACK_BEGIN, a
    )  # killed after the rollback PUT of `a` was sent...
    api.put(f"/esploro/v1/researchers/{a}", before[a])  # ...which landed
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        _reset_stats(server)
        result = rollback_plan(client, plan, journal=journal_path(plan_path))
    assert {r.status for r in result.results} == {"rolled back"}
    assert api.stats()["by_method"].get("PUT", 0) == 1  # only `b` needed writing
    assert all(api.get(f"/esploro/v1/researchers/{i}").json() == before[i] for i in (a, b))


def test_the_results_workbook_lists_every_record_and_re_plans_the_rest(
    server: Sandbox, tmp_path: Path
) -> None:
    from python_calamine import CalamineWorkbook

    from sheetsync.applying.results import write_results

    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "A", (b, TITLE): "B"})
    requests.patch(
        f"{server.base_url}/_sandbox/researchers/{b}",
        json={"researcher": {"display_title": "Later"}},
        timeout=5,
    )
    out = tmp_path / "results.xlsx"
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        result = apply_plan(client, read_plan(plan_path), journal=journal_path(plan_path))
        assert write_results(client, read_plan(plan_path), result, out) == 1
        rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("Results").to_python()
        assert rows[0][:4] == ["Record ID", "Name", "Status", "Fields written"]
        assert {r[0]: r[2] for r in rows[1:]} == {a: "updated", b: "stale"}
        # each record's name beside its ID: the researcher's full name, as in the plan
        names = {r.record_id: r.display_name for r in read_plan(plan_path).records}
        assert all(names[r[0]] and r[1] == names[r[0]] for r in rows[1:])
        edit(out, {(b, TITLE): "B again"})
        again = build_plan(client, out)
    assert [(r.record_id, r.status) for r in again.records] == [(b, "change")]


def test_ctrl_c_lets_records_in_flight_finish_and_says_how_to_resume(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(30)
    before = {i: _title(api, i) for i in ids}
    plan_path = _planned(server, tmp_path, {(i, TITLE): f"T{i}" for i in ids})
    server.faults.latency_ms = 150
    ctrl_c_during_apply(server.base_url, plan_path, after=2.5)
    server.faults.latency_ms = 0
    for record_id in ids:
        assert _title(api, record_id) in (before[record_id], f"T{record_id}")
    assert _apply(server, plan_path).ok
    assert all(_title(api, i) == f"T{i}" for i in ids)


# -- assets: op=patch, in the Knowledge Center's XML ---------------------------------------

CAPTURED = "991291935000561"


def _asset_plan(
    server: Sandbox, tmp_path: Path, ids: tuple[str, ...], changes: dict[tuple[str, str], Any]
) -> Path:
    """Export `ids` with the built-in `assets` template, make `changes`, plan, save the plan."""
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        workbook = tmp_path / "assets.xlsx"
        export_records(client, load_template("assets"), workbook, Selection(ids=ids))
        edit(workbook, changes)
        plan_path = tmp_path / "assets.plan.json"
        write_plan(build_plan(client, workbook), plan_path)
    return plan_path


def _rollback(server: Sandbox, plan_path: Path) -> Any:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        return rollback_plan(client, read_plan(plan_path), journal=journal_path(plan_path))


def _asset(api: Api, asset_id: str) -> dict[str, Any]:
    record: dict[str, Any] = api.get(f"/esploro/v1/assets/{asset_id}").json()["records"][0]
    return record


def test_an_asset_doi_and_date_edit_applies_by_op_patch_and_rolls_back(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    before = _asset(api, CAPTURED)
    doi, published = "10.1016/j.hybadv.2024.100999", "20241205"
    plan_path = _asset_plan(
        server,
        tmp_path,
        (CAPTURED,),
        {(CAPTURED, "DOI"): doi, (CAPTURED, "Publication date"): published},
    )
    _reset_stats(server)
    (applied,) = _apply(server, plan_path).results
    assert applied.status == "updated" and not applied.warnings
    assert set(applied.fields) == {"DOI", "Publication date"}
    after = _asset(api, CAPTURED)
    assert (after["identifier.doi"], after["date.published"]) == (doi, published)
    assert {k: v for k, v in after.items() if k not in ("identifier.doi", "date.published")} == {
        k: v for k, v in before.items() if k not in ("identifier.doi", "date.published")
    }
    (undone,) = _rollback(server, plan_path).results
    assert undone.status == "rolled back" and not undone.warnings
    assert _asset(api, CAPTURED) == before
    stats = api.stats()
    assert "PUT" not in stats["by_method"]
    assert stats["by_method"] == {"GET": 4, "POST": 2}  # apply: GET, POST; rollback: GET, POST


def test_a_doi_sent_as_json_ends_not_changed_by_esploro(
    server: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Esploro answers a JSON `identifier.doi` with 200 and the DOI as it was (third-party
    notes; the default sandbox does the same). A 200 is not an update."""
    api = Api(server.base_url)
    old_doi = _asset(api, CAPTURED)["identifier.doi"]
    new_doi = "10.1016/j.hybadv.2024.100998"
    plan_path = _asset_plan(server, tmp_path, (CAPTURED,), {(CAPTURED, "DOI"): new_doi})
    monkeypatch.setattr(ASSETS, "body_format", "json")  # the test-only body format
    result = _apply(server, plan_path)
    (only,) = result.results
    assert only.status == "not changed by Esploro" and not result.ok
    assert only.error_message == (
        f"DOI (/identifier.doi): Esploro answered without changing it "
        f"(sent {new_doi!r}, still {old_doi!r})"
    )
    assert only.fields == ()
    assert _asset(api, CAPTURED)["identifier.doi"] == old_doi
    plan = read_plan(plan_path)
    events = [e.event for e in Journal(journal_path(plan_path), plan.checksum).entries()]
    assert events == ["begin", "not-changed"]
    (again,) = _apply(server, plan_path).results  # resumed from the journal: nothing sent
    assert (again.status, again.error_message) == (only.status, only.error_message)


def test_rollback_cannot_empty_a_field_that_was_empty_and_says_so(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    assert not _asset(api, CAPTURED).get("date.submitted")
    plan_path = _asset_plan(
        server,
        tmp_path,
        (CAPTURED,),
        {(CAPTURED, "Submitted date"): "20190302", (CAPTURED, "Accepted date"): "20190401"},
    )
    assert _apply(server, plan_path).ok
    (undone,) = _rollback(server, plan_path).results
    assert undone.status == "cannot be restored through the API"
    assert undone.error_message == (
        "date.submitted cannot be restored through the API: empty before the apply, and "
        "op=patch cannot empty a field; clear it in Esploro"
    )
    after = _asset(api, CAPTURED)
    assert after["date.accepted"] == "20200125"  # what could be restored, was
    assert after["date.submitted"] == "20190302"
    assert _rollback(server, plan_path).results == ()  # journaled: nothing left to do


def test_an_asset_plan_in_put_mode_is_refused_before_anything_is_sent(
    server: Sandbox, tmp_path: Path
) -> None:
    plan_path = _asset_plan(server, tmp_path, (CAPTURED,), {(CAPTURED, "DOI"): "10.1234/put"})
    put_plan = replace(read_plan(plan_path), write_mode="put").with_checksum()
    write_plan(put_plan, plan_path)
    _reset_stats(server)
    with pytest.raises(ApplyError, match="Esploro's API cannot replace an asset"):
        _apply(server, plan_path)
    assert Api(server.base_url).stats()["total"] == 0


def test_patch_mode_sends_only_the_partial_body_and_never_claims_a_clear(
    server: Sandbox, tmp_path: Path
) -> None:
    plan_path = _asset_plan(
        server,
        tmp_path,
        (CAPTURED,),
        {(CAPTURED, "DOI"): "10.1016/j.hybadv.2024.999999", (CAPTURED, "PubMed ID (PMID)"): None},
    )
    _reset_stats(server)
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        result = apply_plan(
            client,
            read_plan(plan_path),
            journal=journal_path(plan_path),
            options=ApplyOptions(allow_clears=True),
        )
    (only,) = result.results
    assert only.status == "updated" and "op=patch cannot clear" in only.warnings[-1]
    assert not [w for w in only.warnings if "stored something other" in w]
    assert Api(server.base_url).stats()["by_method"] == {"GET": 1, "POST": 1}
    record = _asset(Api(server.base_url), CAPTURED)
    assert record["identifier.doi"] == "10.1016/j.hybadv.2024.999999"
    assert record["identifier.pmid"] == "36834803"  # not cleared


# -- volatile fields: portal views move counters, which are nobody's edit -----------------------


def _seeded_asset(api: Api) -> str:
    """An asset the portal can view (the captured one is served verbatim, never bumped)."""
    return next(i for i in api.asset_ids() if i != CAPTURED)


def _view(server: Sandbox, asset_id: str, download: bool = False) -> None:
    query = "?download=1" if download else ""
    url = f"{server.base_url}/_sandbox/assets/{asset_id}/view{query}"
    requests.post(url, timeout=5).raise_for_status()


def test_a_viewed_asset_is_not_stale_and_its_doi_is_written(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    asset_id = _seeded_asset(api)
    doi = "10.1234/viewed.after.planning"
    plan_path = _asset_plan(server, tmp_path, (asset_id,), {(asset_id, "DOI"): doi})
    before = _asset(api, asset_id)
    _view(server, asset_id, download=True)
    _view(server, asset_id)
    viewed = _asset(api, asset_id)
    assert viewed["asset.views"] != before["asset.views"]
    _reset_stats(server)
    (only,) = _apply(server, plan_path).results
    assert only.status == "updated" and only.warnings == ()  # counters are no one's change
    assert api.stats()["by_method"] == {"GET": 1, "POST": 1}  # op=patch, no PUT
    after = _asset(api, asset_id)
    assert after["identifier.doi"] == doi
    assert after["asset.views"] == viewed["asset.views"]  # never written back


def test_a_colleague_change_to_another_asset_field_is_merged(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    asset_id = _seeded_asset(api)
    doi = "10.1234/merged"
    plan_path = _asset_plan(server, tmp_path, (asset_id,), {(asset_id, "DOI"): doi})
    url = f"{server.base_url}/_sandbox/assets/{asset_id}"
    theirs = {"publisher": "Colleague Press", "identifier.pmid": "40000001"}
    requests.patch(url, json=theirs, timeout=5).raise_for_status()
    _view(server, asset_id)
    (only,) = _apply(server, plan_path).results
    assert only.status == "updated"
    assert only.warnings == (  # dotted keys as they are; the view counters are no one's change
        "merged with changes made since plan: identifier.pmid, publisher",
    )
    after = _asset(api, asset_id)
    assert (after["identifier.doi"], after["publisher"]) == (doi, "Colleague Press")
    assert after["identifier.pmid"] == "40000001"


def test_views_during_an_unknown_outcome_settle_as_done(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    asset_id = _seeded_asset(api)
    doi = "10.1234/dropped.then.viewed"
    plan_path = _asset_plan(server, tmp_path, (asset_id,), {(asset_id, "DOI"): doi})
    plan = read_plan(plan_path)
    # A run killed after its write was sent: the `begin` line is its last word...
    _begin(plan_path, asset_id, _asset(api, asset_id), plan)
    planned = next(r for r in plan.records if r.record_id == asset_id)
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        ASSETS.write(client, asset_id, {}, partial=planned.partial_body, mode="patch")
    _view(server, asset_id, download=True)  # ...and the asset was viewed since
    _reset_stats(server)
    (only,) = _apply(server, plan_path).results
    assert only.status == "updated"
    assert api.stats()["by_method"] == {"GET": 1}  # settled by reading: not written again
    # Dropped answers, with counters moving between the write and the read that settles it.
    journal_path(plan_path).unlink()
    other = next(i for i in api.asset_ids() if i not in (CAPTURED, asset_id))
    plan_path = _asset_plan(server, tmp_path, (other,), {(other, "DOI"): "10.1234/dropped"})
    server.faults.drop_rate = 1.0
    original = ASSETS.write

    def write_then_view(*args: Any, **kwargs: Any) -> Any:
        try:
            return original(*args, **kwargs)
        finally:
            _view(server, other)

    import unittest.mock

    with unittest.mock.patch.object(ASSETS, "write", write_then_view):
        (dropped,) = _apply(server, plan_path).results
    server.faults.drop_rate = 0.0
    assert dropped.status == "updated"
    assert _asset(api, other)["identifier.doi"] == "10.1234/dropped"


def test_a_viewed_asset_can_be_rolled_back(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    asset_id = _seeded_asset(api)
    before = _asset(api, asset_id)
    plan_path = _asset_plan(server, tmp_path, (asset_id,), {(asset_id, "DOI"): "10.1234/undo"})
    assert _apply(server, plan_path).ok
    _view(server, asset_id, download=True)
    (undone,) = _rollback(server, plan_path).results
    assert undone.status == "rolled back"
    after = _asset(api, asset_id)
    assert after["identifier.doi"] == before["identifier.doi"]
    assert after["asset.views"] != before["asset.views"]  # the views stay counted


def _with_middle_name(api: Api) -> str:
    """A researcher whose researcher middle name is not empty."""
    for record_id in api.researcher_ids(40):
        record = api.get(f"/esploro/v1/researchers/{record_id}").json()
        if record["researcher"].get("researcher_middle_name"):
            return record_id
    raise AssertionError("the seed has no researcher with a middle name")


def test_a_clear_stored_as_empty_text_and_a_recomputed_desc_are_no_warnings(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    cleared = _with_middle_name(api)
    coded = next(i for i in api.researcher_ids(10) if i != cleared)
    position = api.get(f"/esploro/v1/researchers/{coded}").json()["researcher"]["position"]
    other = "librarian" if position["value"] != "librarian" else "research_fellow"
    changes = {(cleared, "Middle name"): None, (coded, "Position"): other}
    plan_path = _planned(server, tmp_path, changes)
    result = {r.record_id: r for r in _apply(server, plan_path, allow_clears=True).results}
    assert result[cleared].status == "updated" and result[cleared].warnings == ()
    assert result[coded].status == "updated" and result[coded].warnings == ()
    stored = api.get(f"/esploro/v1/researchers/{coded}").json()["researcher"]["position"]
    assert stored["value"] == other and stored["desc"] != position["desc"]  # recomputed
    middle = api.get(f"/esploro/v1/researchers/{cleared}").json()["researcher"]
    assert middle["researcher_middle_name"] == ""  # stored as "", sent as null


def test_a_real_difference_between_what_was_sent_and_what_was_stored_still_warns() -> None:
    from sheetsync.applying.run import _verification_warnings
    from sheetsync.esploro.entities import RESEARCHERS

    body = {"researcher": {"display_title": "Sent", "position": {"value": "a", "desc": "A"}}}
    stored = {"researcher": {"display_title": "Other", "position": {"value": "a", "desc": "B"}}}
    assert _verification_warnings(RESEARCHERS, body, stored, set()) == (
        "/researcher/display_title: Esploro stored something other than what was sent",
    )
    asset = {"licenseWithDesc": {"value": "CC-BY", "desc": ""}, "title": None}
    stored_asset = {"licenseWithDesc": {"value": "CC0", "desc": "x"}, "title": ""}
    assert _verification_warnings(ASSETS, asset, stored_asset, set()) == ()
    assert _verification_warnings(ASSETS, {"title": "T"}, {"title": ""}, set()) == (
        "/title: Esploro stored something other than what was sent",
    )


def test_cli_apply_holds_clears_then_applies_them_with_allow_clears(
    server: Sandbox, tmp_path: Path
) -> None:
    from tests.cli.runner import run

    api = Api(server.base_url)
    a = _with_middle_name(api)
    plan_path = _planned(server, tmp_path, {(a, TITLE): "Edited", (a, "Middle name"): None})
    held = run(tmp_path, "apply", str(plan_path), "--yes", base_url=server.base_url)
    assert held.returncode == 3, held.stderr
    assert "1 clears held back" in held.stdout and "--allow-clears" in held.stdout
    assert _title(api, a) == "Edited"
    done = run(
        tmp_path, "apply", str(plan_path), "--yes", "--allow-clears", base_url=server.base_url
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Applied: 1 updated" in done.stdout
    now = api.get(f"/esploro/v1/researchers/{a}").json()["researcher"]
    assert now["researcher_middle_name"] == "" and now["display_title"] == "Edited"
