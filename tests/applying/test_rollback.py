"""Rollback as a person runs it: `--only`, a second rollback, and apply after a rollback, each
through the real command, with summaries that say exactly what happened."""

from __future__ import annotations

import json
import signal
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.applying.journal import Journal, JournalEvent, journal_path
from sheetsync.applying.run import proposed_record
from sheetsync.planning.file import read_plan
from sheetsync.records import fingerprint
from sheetsync.sandbox import Sandbox
from tests.applying.support import retitled_plan
from tests.cli.runner import one_error_line, run, start
from tests.conftest import Api, start_sandbox
from tests.plans import edit

TITLE = "Display title"


@pytest.fixture
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=8, assets=2)
    yield box
    box.stop()


def _applied(server: Sandbox, tmp_path: Path) -> tuple[Path, list[str]]:
    """Three researchers retitled, planned and applied through the CLI."""
    plan, ids = retitled_plan(server.base_url, tmp_path, 3, "Applied title")
    url = server.base_url
    done = run(tmp_path, "apply", str(plan), "--yes", base_url=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Applied: 3 updated" in done.stdout
    return plan, ids


def _title(server: Sandbox, record_id: str) -> str:
    record = Api(server.base_url).get(f"/esploro/v1/researchers/{record_id}").json()
    return str(record["researcher"]["display_title"])


def _colleague_retitles(server: Sandbox, record_id: str) -> None:
    patch = {"researcher": {"display_title": "A colleague's title"}}
    url = f"{server.base_url}/_sandbox/researchers/{record_id}"
    assert requests.patch(url, json=patch, timeout=5).ok


def _summary(stdout: str) -> str:
    """The one summary line (`Applied: ...` or `Rollback: ...`)."""
    lines = [line for line in stdout.splitlines() if line.startswith(("Applied:", "Rollback:"))]
    assert len(lines) == 1, stdout
    return lines[0].strip()


def test_a_second_rollback_says_there_is_nothing_to_roll_back(
    server: Sandbox, tmp_path: Path
) -> None:
    plan, _ = _applied(server, tmp_path)
    first = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
    assert first.returncode == 0, first.stdout + first.stderr
    assert _summary(first.stdout) == "Rollback: 3 rolled back"
    second = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
    assert second.returncode == 0, second.stdout + second.stderr
    assert _summary(second.stdout).startswith("Rollback: nothing to roll back")
    assert "Applied:" not in second.stdout


def test_apply_after_a_rollback_counts_the_skipped_record_as_skipped(
    server: Sandbox, tmp_path: Path
) -> None:
    plan, ids = _applied(server, tmp_path)
    _colleague_retitles(server, ids[2])
    undone = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
    assert undone.returncode == 3, undone.stdout + undone.stderr
    assert _summary(undone.stdout) == "Rollback: 2 rolled back, 1 skipped"
    assert "Records not rolled back" in undone.stdout

    again = run(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
    assert again.returncode == 3, again.stdout + again.stderr
    assert _summary(again.stdout) == "Applied: 2 rolled back, 1 skipped"
    assert "left alone by the rollback" in again.stdout
    assert _title(server, ids[0]) != "Applied title 0"  # nothing was written again
    assert _title(server, ids[2]) == "A colleague's title"


def test_rollback_only_restores_the_records_named(server: Sandbox, tmp_path: Path) -> None:
    plan, ids = _applied(server, tmp_path)
    url = server.base_url
    done = run(tmp_path, "rollback", str(plan), "--yes", "--only", ids[1], base_url=url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert _summary(done.stdout) == "Rollback: 1 rolled back"
    assert [_title(server, i) for i in (ids[0], ids[2])] == ["Applied title 0", "Applied title 2"]
    assert _title(server, ids[1]) != "Applied title 1"

    done = run(
        tmp_path, "rollback", str(plan), "--yes", "--only", f"{ids[0]},{ids[1]}", base_url=url
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert _summary(done.stdout) == "Rollback: 1 nothing to roll back, 1 rolled back"
    assert _title(server, ids[0]) != "Applied title 0"
    assert _title(server, ids[2]) == "Applied title 2"


def test_rollback_only_names_ids_not_in_the_plan(server: Sandbox, tmp_path: Path) -> None:
    plan, ids = _applied(server, tmp_path)
    done = run(
        tmp_path,
        "rollback",
        str(plan),
        "--yes",
        "--only",
        f"{ids[0]},999999",
        base_url=server.base_url,
    )
    assert done.returncode == 1
    assert one_error_line(done) == "error: not in the plan: 999999"
    assert _title(server, ids[0]) == "Applied title 0"  # refused before anything was written


def _journal_events(plan: Path) -> list[tuple[str, str]]:
    loaded = read_plan(plan)
    return [(e.event, e.record_id) for e in Journal(journal_path(plan), loaded.checksum).entries()]


def _title_or_none(server: Sandbox, record_id: str) -> str | None:
    record = Api(server.base_url).get(f"/esploro/v1/researchers/{record_id}").json()
    return record["researcher"].get("display_title")


def _applied_remembering(
    server: Sandbox, tmp_path: Path, count: int
) -> tuple[Path, list[str], dict[str, str | None]]:
    """`count` researchers retitled and applied; the plan, their IDs, their titles before."""
    plan, ids = retitled_plan(server.base_url, tmp_path, count, "Applied title")
    before = {i: _title_or_none(server, i) for i in ids}
    done = run(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    return plan, ids, before


def test_rollback_restores_on_workers_in_the_plans_order(tmp_path: Path) -> None:
    """Twelve records restored on four threads at 150 ms a request: every one back as it was,
    reported in the plan's order, each journaled begin then done exactly once."""
    with start_sandbox(researchers=12, assets=2) as server:
        plan, ids, before = _applied_remembering(server, tmp_path, 12)
        Api(server.base_url).set_faults(latency_ms=150)
        undone = run(
            tmp_path, "rollback", str(plan), "--yes", "--workers", "4", "--json",
            base_url=server.base_url,
        )  # fmt: skip
        assert undone.returncode == 0, undone.stdout + undone.stderr
        results = json.loads(undone.stdout)["results"]
        order = [r.record_id for r in read_plan(plan).records]
        assert [r["record_id"] for r in results] == order
        assert {r["status"] for r in results} == {"rolled back"}
        assert {i: _title_or_none(server, i) for i in ids} == before
        events = [(e, i) for e, i in _journal_events(plan) if e.startswith("rollback")]
        for record_id in ids:
            mine = [e for e, i in events if i == record_id]
            assert mine == ["rollback-begin", "rollback-done"], (record_id, mine)


def test_ctrl_c_during_a_rollback_finishes_what_is_in_flight_and_running_it_again_ends_it(
    tmp_path: Path,
) -> None:
    with start_sandbox(researchers=24, assets=2) as server:
        plan, ids, before = _applied_remembering(server, tmp_path, 24)
        Api(server.base_url).set_faults(latency_ms=400)
        args = ("rollback", str(plan), "--yes", "--workers", "2")
        process = start(tmp_path, *args, base_url=server.base_url)
        time.sleep(3.0)
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=60)
        assert process.returncode == 1, out + err
        assert "Traceback" not in err
        assert f"To resume: sheetsync rollback {plan}" in out.replace("\n", " ")
        events = _journal_events(plan)
        begun = {i for e, i in events if e == "rollback-begin"}
        finished = {i for e, i in events if e == "rollback-done"}
        assert begun and begun == finished  # nothing left in flight
        assert len(finished) < len(ids)  # stopped early: the rest were not attempted

        Api(server.base_url).set_faults(latency_ms=0)
        again = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
        assert again.returncode == 0, again.stdout + again.stderr
        assert {i: _title_or_none(server, i) for i in ids} == before


def test_the_quota_floor_stops_a_rollback_and_says_how_to_resume(tmp_path: Path) -> None:
    with start_sandbox(researchers=6, assets=2, daily_limit=10_000) as server:
        plan, ids = retitled_plan(server.base_url, tmp_path, 6, "Applied title")
        done = run(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
        assert done.returncode == 0, done.stdout + done.stderr
        answer = Api(server.base_url).get("/esploro/v1/researchers")
        remaining = int(answer.headers["X-Exl-Api-Remaining"])
        floor = remaining - 5  # room for the check, then a record or two
        stopped = run(
            tmp_path, "rollback", str(plan), "--yes", "--workers", "1",
            "--quota-floor", str(floor), base_url=server.base_url,
        )  # fmt: skip
        assert stopped.returncode == 1, stopped.stdout + stopped.stderr
        assert "quota" in stopped.stdout.lower()
        assert "To resume: sheetsync rollback" in stopped.stdout
        events = _journal_events(plan)
        restored = {i for e, i in events if e == "rollback-done"}
        assert len(restored) < len(ids)
        again = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "Rollback: " in again.stdout


def _lose_answer(plan: Path, record_id: str) -> None:
    """As if apply was killed after sending this record's write and before its answer: the
    journal keeps the `begin` and loses what followed it for this record."""
    path = journal_path(plan)
    kept = []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        entry = json.loads(line)
        if entry["record_id"] != record_id or entry["event"] == "begin":
            kept.append(line)
    path.write_text("".join(kept), encoding="utf-8")


def _begin_unsent(plan: Path, record_id: str, server: Sandbox) -> None:
    """As if apply was killed after journaling this record's `begin` and before the write
    reached Esploro."""
    loaded = read_plan(plan)
    live = Api(server.base_url).get(f"/esploro/v1/researchers/{record_id}").json()
    planned = next(r for r in loaded.records if r.record_id == record_id)
    intended = proposed_record(live, planned, allow_clears=False)
    Journal(journal_path(plan), loaded.checksum).append(
        JournalEvent.BEGIN, record_id, before=live, intended_fingerprint=fingerprint(intended)
    )


def test_a_write_whose_answer_never_came_is_rolled_back_too(tmp_path: Path) -> None:
    """Apply killed mid-write leaves a `begin` without an answer. Rollback reads the record:
    a write that landed is undone with the rest; one that never reached Esploro is nothing to
    undo, and says so; one changed since by a colleague is left alone."""
    with start_sandbox(researchers=8, assets=2) as server:
        plan, ids = retitled_plan(server.base_url, tmp_path, 5, "Applied title")
        before = {i: _title_or_none(server, i) for i in ids}
        done = run(tmp_path, "apply", str(plan), "--yes", "--limit", "3", base_url=server.base_url)
        assert done.returncode == 0, done.stdout + done.stderr
        order = [r.record_id for r in read_plan(plan).records if r.record_id in ids]
        landed, colleague, unsent = order[1], order[2], order[3]
        _lose_answer(plan, landed)
        _lose_answer(plan, colleague)
        _colleague_retitles(server, colleague)
        _begin_unsent(plan, unsent, server)

        undone = run(tmp_path, "rollback", str(plan), "--yes", "--json", base_url=server.base_url)
        assert undone.returncode == 3, undone.stdout + undone.stderr
        status = {r["record_id"]: r for r in json.loads(undone.stdout)["results"]}
        assert status[order[0]]["status"] == "rolled back"
        assert status[landed]["status"] == "rolled back"
        assert status[colleague]["status"] == "skipped"
        assert status[unsent]["status"] == "nothing to roll back"
        assert "does not show that write" in status[unsent]["error_message"]
        assert order[4] not in status  # never begun
        assert _title_or_none(server, landed) == before[landed]
        assert _title_or_none(server, colleague) == "A colleague's title"
        assert _title_or_none(server, unsent) == before[unsent]

        again = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
        assert again.returncode == 0, again.stdout + again.stderr
        assert "nothing to roll back" in again.stdout


def test_an_asset_restore_whose_answer_was_lost_is_recognised_the_next_time(
    tmp_path: Path,
) -> None:
    """An asset's DOI added where it had none cannot be put back (op=patch never clears), so a
    restored asset never matches its before-image. When the restore's answer is lost, the next
    rollback still knows its own write by the fingerprint it journaled, instead of calling the
    record "changed since sheetsync wrote it"."""
    with start_sandbox(researchers=2, assets=30) as server:
        api = Api(server.base_url)
        assets = {i: _asset(api, i) for i in api.asset_ids(30)}
        asset_id = next(
            i for i, a in assets.items() if "identifier.doi" not in a and a.get("date.published")
        )
        book = tmp_path / "assets.xlsx"
        args = ("export", "assets", "--ids", asset_id, "-o", str(book))
        assert run(tmp_path, *args, base_url=server.base_url).returncode == 0
        edit(
            book, {(asset_id, "DOI"): "10.5555/lost.1", (asset_id, "Publication date"): "20250101"}
        )
        assert run(tmp_path, "plan", str(book), base_url=server.base_url).returncode == 2
        plan = tmp_path / "assets.plan.json"
        done = run(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
        assert done.returncode == 0, done.stdout + done.stderr

        api.set_faults(drop_rate=1.0)  # the restore lands; its answer never comes
        lost = run(tmp_path, "rollback", str(plan), "--yes", "--json", base_url=server.base_url)
        assert json.loads(lost.stdout)["results"][0]["status"] == "failed", lost.stdout
        api.set_faults(drop_rate=0.0)
        again = run(tmp_path, "rollback", str(plan), "--yes", "--json", base_url=server.base_url)
        (result,) = json.loads(again.stdout)["results"]
        assert result["status"] == "cannot be restored through the API", result
        assert "identifier.doi" in result["error_message"]
        assert _journal_events(plan)[-1] == ("rollback-done", asset_id)
        now = _asset(api, asset_id)
        assert now["date.published"] == assets[asset_id]["date.published"]
        assert now["identifier.doi"] == "10.5555/lost.1"


def _asset(api: Api, asset_id: str) -> dict[str, Any]:
    answer = api.get(f"/esploro/v1/assets/{asset_id}").json()
    return dict(answer["records"][0])
