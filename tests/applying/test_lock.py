"""One apply or rollback per plan at a time: real `sheetsync` processes against a slow sandbox."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sheetsync.applying.journal import journal_path
from sheetsync.applying.lock import Holder, holder_path, lock_path, plan_lock, read_holder
from sheetsync.errors import ApplyError
from sheetsync.sandbox import Sandbox
from tests.applying.support import retitled_plan
from tests.cli.runner import one_error_line, run, start
from tests.conftest import Api, start_sandbox

TITLE = "Display title"
SLOW_MS = 500.0  # per request: an apply of two records takes seconds, long enough to overlap


@pytest.fixture
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=6, assets=2)
    yield box
    box.stop()


def _planned(server: Sandbox, tmp_path: Path) -> tuple[Path, list[str]]:
    """Two researchers retitled and planned: the plan path and the two IDs."""
    return retitled_plan(server.base_url, tmp_path, 2, "Locked title")


def _holding(process: subprocess.Popen[str], plan: Path) -> Holder:
    """Wait until `process` holds the plan's lock (its sidecar names it)."""
    sidecar = holder_path(lock_path(journal_path(plan)))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        holder = read_holder(sidecar)
        if holder is not None and holder.pid == process.pid:
            return holder
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    raise AssertionError("the apply never took the lock")


def _puts(server: Sandbox) -> int:
    stats = requests.get(f"{server.base_url}/_sandbox/stats", timeout=10).json()
    return int(stats["by_method"].get("PUT", 0))


def _reset_stats(server: Sandbox) -> None:
    requests.delete(f"{server.base_url}/_sandbox/stats", timeout=5)


def test_two_applies_of_one_plan_at_once_write_once(server: Sandbox, tmp_path: Path) -> None:
    plan, ids = _planned(server, tmp_path)
    _reset_stats(server)
    server.faults.latency_ms = SLOW_MS
    both = [
        start(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url) for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120) for p in both]
    codes = sorted(p.returncode for p in both)
    assert codes == [0, 1], outputs
    winner, loser = (0, 1) if both[0].returncode == 0 else (1, 0)
    line = one_error_line(subprocess.CompletedProcess([], 1, *outputs[loser]))
    assert f"process {both[winner].pid} on host " in line and "(apply, since " in line, line
    assert "wait for it to finish" in line
    assert _puts(server) == 2  # one PUT per record: only the winner wrote
    api = Api(server.base_url)
    titles = [
        api.get(f"/esploro/v1/researchers/{i}").json()["researcher"]["display_title"] for i in ids
    ]
    assert titles == ["Locked title 0", "Locked title 1"]
    assert not holder_path(lock_path(journal_path(plan))).exists()  # released cleanly


def test_a_lock_left_by_a_killed_apply_is_taken_over(server: Sandbox, tmp_path: Path) -> None:
    plan, ids = _planned(server, tmp_path)
    server.faults.latency_ms = SLOW_MS
    first = start(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
    _holding(first, plan)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    assert read_holder(holder_path(lock_path(journal_path(plan)))) is not None  # left behind
    server.faults.latency_ms = 0.0
    done = run(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"took over the lock left by process {first.pid} on host " in done.stdout
    api = Api(server.base_url)
    titles = [
        api.get(f"/esploro/v1/researchers/{i}").json()["researcher"]["display_title"] for i in ids
    ]
    assert titles == ["Locked title 0", "Locked title 1"]


def test_rollback_while_apply_runs_is_refused(server: Sandbox, tmp_path: Path) -> None:
    plan, _ = _planned(server, tmp_path)
    server.faults.latency_ms = SLOW_MS
    applying = start(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
    holder = _holding(applying, plan)
    done = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
    applying.communicate(timeout=120)
    assert done.returncode == 1
    line = one_error_line(done)
    assert line.startswith("error: cannot rollback: ")
    assert f"process {applying.pid} on host {holder.host} (apply, since " in line
    assert applying.returncode == 0


def test_the_lock_refuses_a_second_holder_in_one_process_and_frees_on_exit(
    tmp_path: Path,
) -> None:
    journal = tmp_path / "people.plan.journal.jsonl"
    with plan_lock(journal, "apply") as held:
        assert held.taken_over is None
        refused = rf"process {os.getpid()} on host .*\(apply, since "
        with pytest.raises(ApplyError, match=refused), plan_lock(journal, "rollback"):
            pass
    with plan_lock(journal, "rollback") as again:
        assert again.taken_over is None  # released cleanly: nothing was left behind
