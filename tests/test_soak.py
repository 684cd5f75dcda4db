"""The soak (bench/soak.py) in small, for researchers and for assets: a real `sheetsync apply`
subprocess, SIGKILLed three times under injected faults, with a colleague's saves (and, for
assets, portal views bumping `asset.views` all along); every record ends as intended, and the
journal says so. Assets are written by op=patch only: not one PUT."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from sheetsync.applying.journal import journal_path
from sheetsync.esploro.client import EsploroClient
from sheetsync.planning.file import read_plan
from sheetsync.records import comparable
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from tests.conftest import start_sandbox


def _load_soak() -> Any:
    path = Path(__file__).resolve().parents[1] / "bench" / "soak.py"
    spec = importlib.util.spec_from_file_location("bench_soak", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


soak = _load_soak()
RECORDS = 40
KILLS = 3


@pytest.fixture(params=soak.ENTITY_NAMES)
def entity(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def server(entity: str) -> Any:
    if entity == "assets":  # portal visitors bump random assets' views all the time
        server = start_sandbox(researchers=5, assets=60, views_per_second=20)
    else:
        server = start_sandbox(researchers=60, assets=5)
    yield server
    server.stop()


def _kill_mid_run(command: list[str], env: dict[str, str], journal: Path, log: Path) -> bool:
    """Start apply; SIGKILL it once its journal has grown (so the kill lands mid-run)."""
    size = journal.stat().st_size if journal.exists() else 0
    process = soak.start_apply(command, env, log)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and process.poll() is None:
        if journal.exists() and journal.stat().st_size > size:
            break
        time.sleep(0.02)
    time.sleep(0.15)
    return bool(soak.kill(process))


def test_kills_faults_and_a_colleague_leave_each_record_intended_or_untouched(
    server: Sandbox, tmp_path: Path, entity: str
) -> None:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        plan_path = soak.prepare(client, tmp_path, RECORDS, entity=entity)
        plan = read_plan(plan_path)
        ids = soak.planned_ids(plan)
        befores = soak.read_befores(client, ids, entity)
    assert len(ids) == RECORDS
    intendeds = soak.intended_records(plan, befores)

    # The colleague saves two records after planning, before apply starts, in a field the plan
    # does not write: apply merges them, keeping both the colleague's save and the edit.
    edits: list[dict[str, Any]] = []
    chosen = [ids[5], ids[23]]
    colleague = threading.Thread(
        target=lambda: edits.extend(
            soak.colleague_edit(server.base_url, i, n, entity) for n, i in enumerate(chosen)
        )
    )
    colleague.start()
    colleague.join(timeout=30)
    assert len(edits) == 2

    server.faults.fail_rate, server.faults.drop_rate, server.faults.latency_ms = 0.05, 0.05, 30
    requests_before = server.stats()["by_method"]
    command = soak.apply_command(plan_path, 1000.0, workers=2)
    env, log = soak.apply_env(server.base_url), tmp_path / "apply.log"
    kills = sum(_kill_mid_run(command, env, journal_path(plan_path), log) for _ in range(KILLS))
    assert kills == KILLS, log.read_text(encoding="utf-8")
    _, code = soak.run_to_the_end(command, env, plan_path, plan, log, max_runs=10)
    assert code == 0, log.read_text(encoding="utf-8")[-3000:]

    server.faults.fail_rate = server.faults.drop_rate = server.faults.latency_ms = 0
    by_method = server.stats()["by_method"]
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        finals = soak.read_befores(client, ids, entity)
    events = soak.journal_events(plan_path, plan)
    verdicts = soak.verify(finals, befores, intendeds, soak.last_colleague_edits(edits), events)
    assert verdicts.count(soak.OTHER) == 0, verdicts.by_class
    assert verdicts.count(soak.STALE_PUT) == 0, verdicts.by_class
    assert verdicts.count(soak.UNTOUCHED) == 0, verdicts.by_class
    field = soak.COLLEAGUE_FIELDS[entity]
    for edit in edits:  # the colleague's field as the colleague left it, the plan's as planned
        record_id = edit["record_id"]
        assert finals[record_id][field] == edit["patch"][field]
        for name in soak.planned_fields(befores[record_id], intendeds[record_id]):
            assert finals[record_id][name] == intendeds[record_id][name]
    assert {events[i] for i in ids} == {"done"}
    assert all(comparable(finals[i]) == comparable(intendeds[i]) for i in ids if i not in chosen)
    assert not verdicts.disagreements
    if entity == "assets":  # op=patch only (a POST), never a PUT; the views kept moving
        assert by_method.get("PUT", 0) == 0, by_method
        assert by_method.get("POST", 0) > requests_before.get("POST", 0), by_method
        assert soak.planned_fields(befores[ids[0]], intendeds[ids[0]]) == {
            "identifier.doi",
            "date.published",
        }
        moved = [i for i in ids if finals[i].get("asset.views") != befores[i].get("asset.views")]
        assert moved, "no planned asset was viewed during the run"
    else:
        assert by_method.get("PUT", 0) > 0, by_method

    # Then the whole apply rolled back the same way: faults on, SIGKILLed three times, run
    # again to the end. A write whose answer a kill lost is undone like the rest.
    server.faults.fail_rate, server.faults.drop_rate, server.faults.latency_ms = 0.05, 0.05, 30
    command = soak.apply_command(plan_path, 1000.0, workers=2, verb="rollback")
    log = tmp_path / "rollback.log"
    kills = sum(_kill_mid_run(command, env, journal_path(plan_path), log) for _ in range(KILLS))
    assert kills == KILLS, log.read_text(encoding="utf-8")
    _, code = soak.run_to_the_end(
        command, env, plan_path, plan, log, max_runs=10, finished=soak.ROLLBACK_FINISHED
    )
    assert code == 0, log.read_text(encoding="utf-8")[-3000:]
    server.faults.fail_rate = server.faults.drop_rate = server.faults.latency_ms = 0
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        restored = soak.read_befores(client, ids, entity)
    planned = {i: soak.planned_fields(befores[i], intendeds[i]) for i in ids}
    found = soak.verify_rollback(restored, finals, plan_path, plan, planned)
    assert found[soak.ROLLBACK_OTHER] == [], found
    back = len(found[soak.RESTORED]) + len(found[soak.UNRESTORABLE])
    assert back == RECORDS, found  # nobody saved after the apply: every record goes back
    if entity == "researchers":  # a PUT restores the whole before-image, empty fields too
        assert len(found[soak.RESTORED]) == RECORDS, found


def test_a_rollback_right_after_a_killed_apply_undoes_every_write_that_landed(
    server: Sandbox, tmp_path: Path, entity: str
) -> None:
    """Apply killed while writes are in flight (their answers never journaled), then rolled
    back instead of resumed: every write that landed is undone, the rest are left as they were."""
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        plan_path = soak.prepare(client, tmp_path, RECORDS, entity=entity)
        plan = read_plan(plan_path)
        ids = soak.planned_ids(plan)
        befores = soak.read_befores(client, ids, entity)
    intendeds = soak.intended_records(plan, befores)
    server.faults.latency_ms = 300  # each write in flight for a while: a kill catches some
    command = soak.apply_command(plan_path, 1000.0, workers=4)
    env, log = soak.apply_env(server.base_url), tmp_path / "apply.log"
    journal = journal_path(plan_path)
    unanswered: list[str] = []
    for _ in range(5):
        _kill_mid_run(command, env, journal, log)
        events = soak.journal_events(plan_path, plan)
        unanswered = [i for i in ids if events[i] == "begin"]
        if unanswered:
            break
    assert unanswered, "no kill landed while a write was in flight"
    server.faults.latency_ms = 0

    rollback = soak.apply_command(plan_path, 1000.0, verb="rollback")
    _, code = soak.run_to_the_end(
        rollback, env, plan_path, plan, tmp_path / "rollback.log", 3, soak.ROLLBACK_FINISHED
    )
    assert code == 0, (tmp_path / "rollback.log").read_text(encoding="utf-8")[-3000:]
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        finals = soak.read_befores(client, ids, entity)
    begun = soak.first_befores(plan_path, plan)
    applied = {i: intendeds[i] if i in begun else befores[i] for i in ids}
    planned = {i: soak.planned_fields(befores[i], intendeds[i]) for i in ids}
    found = soak.verify_rollback(finals, applied, plan_path, plan, planned)
    assert found[soak.ROLLBACK_OTHER] == [] and found[soak.LEFT_ALONE] == [], found
    assert set(unanswered) <= set(found[soak.RESTORED]) | set(found[soak.UNRESTORABLE])
    assert all(comparable(finals[i]) == comparable(befores[i]) for i in found[soak.RESTORED])
