"""`sheetsync apply` against a server that behaves like production and alters a field on write:
the canary stops after one write, lists what came back, and names the rollback command."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import requests

from sheetsync.errors import EXIT_ERROR, EXIT_OK, SANDBOX_HEADER
from sheetsync.sandbox import Sandbox
from tests.cli.runner import SHEETSYNC, one_error_line, run
from tests.conftest import Api, start_sandbox
from tests.plans import edit


def _planned(tmp_path: Path, server: Sandbox) -> Path:
    book = tmp_path / "people.xlsx"
    exported = run(
        tmp_path, "export", "researchers", "-o", str(book), "--limit", "3", base_url=server.base_url
    )
    assert exported.returncode == 0, exported.stderr
    ids = Api(server.base_url).researcher_ids(3)
    edit(book, {(record_id, "Display title"): f"Canary {record_id}" for record_id in ids})
    planned = run(tmp_path, "plan", str(book), base_url=server.base_url)
    assert planned.returncode == 2, planned.stderr
    requests.delete(f"{server.base_url}/_sandbox/stats", timeout=5)
    return tmp_path / "people.plan.json"


def _writes(server: Sandbox) -> int:
    return int(requests.get(f"{server.base_url}/_sandbox/stats", timeout=5).json()["writes"])


def test_the_canary_stops_apply_and_names_the_rollback(tmp_path: Path) -> None:
    server = start_sandbox(
        researchers=6, assets=1, pretend_production=True, drop_on_write=("job_description",)
    )
    try:
        plan = _planned(tmp_path, server)
        done = run(tmp_path, "apply", str(plan), "--yes", base_url=server.base_url)
        assert done.returncode == EXIT_ERROR, done.stderr
        assert _writes(server) == 1
        flat = " ".join(done.stdout.split())
        assert "came back altered:" in flat and "/job_description: dropped" in flat
        # resuming would only stop again: the error names rollback or --no-canary instead
        assert "To resume" not in flat
        line = one_error_line(done)
        assert f"Undo it with: sheetsync rollback {plan} --base-url {server.base_url}" in line
        assert f"go on with: sheetsync apply {plan} --no-canary --base-url" in line
        undone = run(tmp_path, "rollback", str(plan), "--yes", base_url=server.base_url)
        assert undone.returncode == EXIT_OK, undone.stdout + undone.stderr
    finally:
        server.stop()


def test_no_canary_applies_every_record(tmp_path: Path) -> None:
    server = start_sandbox(
        researchers=6, assets=1, pretend_production=True, drop_on_write=("job_description",)
    )
    try:
        plan = _planned(tmp_path, server)
        done = run(tmp_path, "apply", str(plan), "--yes", "--no-canary", base_url=server.base_url)
        assert done.returncode == EXIT_OK, done.stdout + done.stderr
        assert _writes(server) == 3
    finally:
        server.stop()


def test_the_sandbox_command_takes_the_canary_options() -> None:
    command = [*SHEETSYNC, "sandbox", "--port", "0", "--memory", "--json", "--researchers", "2"]
    options = ["--pretend-production", "--fault-drop-on-write", "job_description"]
    options += ["--fault-retype-on-write", "researcher/positionOrder"]
    process = subprocess.Popen(
        [*command, *options], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        facts = json.loads(process.stdout.readline())
        assert facts["pretend_production"] is True
        assert facts["drop_on_write"] == ["job_description"]
        assert facts["retype_on_write"] == ["researcher/positionOrder"]
        answer = Api(facts["base_url"]).get("/esploro/v1/researchers")
        assert answer.status_code == 200 and SANDBOX_HEADER not in answer.headers
    finally:
        process.terminate()
        process.wait(10)
