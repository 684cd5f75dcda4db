"""The soak (bench/soak.py) in small: a real `sheetsync apply` subprocess, SIGKILLed three
times under injected faults, with a colleague's saves; every record ends as intended or
untouched, and the journal says which."""

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


@pytest.fixture
def server() -> Any:
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
    server: Sandbox, tmp_path: Path
) -> None:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        plan_path = soak.prepare(client, tmp_path, RECORDS)
        plan = read_plan(plan_path)
        ids = soak.planned_ids(plan)
        befores = soak.read_befores(client, ids)
    assert len(ids) == RECORDS
    intendeds = soak.intended_records(plan, befores)

    # The colleague saves two records after planning, before apply starts: those must end
    # stale and exactly as the colleague left them.
    edits: list[dict[str, Any]] = []
    chosen = [ids[5], ids[23]]
    colleague = threading.Thread(
        target=lambda: edits.extend(
            soak.colleague_edit(server.base_url, i, n) for n, i in enumerate(chosen)
        )
    )
    colleague.start()
    colleague.join(timeout=30)
    assert len(edits) == 2

    server.faults.fail_rate, server.faults.drop_rate, server.faults.latency_ms = 0.05, 0.05, 30
    command = soak.apply_command(plan_path, 1000.0, workers=2)
    env, log = soak.apply_env(server.base_url), tmp_path / "apply.log"
    kills = sum(_kill_mid_run(command, env, journal_path(plan_path), log) for _ in range(KILLS))
    assert kills == KILLS, log.read_text(encoding="utf-8")
    _, code = soak.run_to_the_end(command, env, plan_path, plan, log, max_runs=10)
    assert code == 3, log.read_text(encoding="utf-8")[-3000:]  # 3: the two stale records

    server.faults.fail_rate = server.faults.drop_rate = server.faults.latency_ms = 0
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        finals = soak.read_befores(client, ids)
    events = soak.journal_events(plan_path, plan)
    verdicts = soak.verify(finals, befores, intendeds, soak.last_colleague_edits(edits), events)
    assert verdicts.count(soak.OTHER) == 0, verdicts.by_class
    assert verdicts.count(soak.STALE_PUT) == 0, verdicts.by_class
    assert sorted(verdicts.by_class[soak.UNTOUCHED]) == sorted(chosen)
    assert {events[i] for i in chosen} == {"stale"}
    for edit in edits:
        record_id = edit["record_id"]
        assert finals[record_id]["last_name"] == edit["patch"]["last_name"]
        assert finals[record_id]["researcher"] == befores[record_id]["researcher"]
    assert {events[i] for i in ids if i not in chosen} == {"done"}
    assert all(finals[i] == intendeds[i] for i in ids if i not in chosen)
    assert not verdicts.disagreements
