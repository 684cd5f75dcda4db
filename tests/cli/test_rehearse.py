"""`sheetsync snapshot` and `sheetsync sandbox --load`, run as a person would."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path

import requests

from sheetsync.sandbox import Sandbox
from tests.cli.runner import one_error_line, run

SHEETSYNC = [sys.executable, "-m", "sheetsync"]


def test_snapshot_writes_an_owner_only_file_and_says_how_to_rehearse(
    server: Sandbox, tmp_path: Path
) -> None:
    done = run(
        tmp_path, "snapshot", "researchers", "-o", "people.jsonl", "--limit", "4",
        base_url=server.base_url, ESPLORO_API_KEY="sandbox-ro",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    path = tmp_path / "people.jsonl"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert "4 researchers as received" in done.stdout
    assert "sandbox --load people.jsonl" in done.stdout
    header = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert header["entity"] == "researchers" and header["base_url"] == server.base_url


def test_snapshot_json_and_the_export_selection_rules(server: Sandbox, tmp_path: Path) -> None:
    done = run(
        tmp_path, "snapshot", "assets", "-o", "a.jsonl", "--updated-since", "1900-01-01", "--json",
        base_url=server.base_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["records"] == 4  # three seeded and the captured one
    refused = run(tmp_path, "snapshot", "assets", "-o", "b.jsonl", base_url=server.base_url)
    assert refused.returncode == 1
    assert "--updated-since" in one_error_line(refused)
    assert not (tmp_path / "b.jsonl").exists()


def test_a_loaded_sandbox_on_every_interface_without_keys_is_refused(tmp_path: Path) -> None:
    capture = Path(__file__).parents[2] / "sheetsync" / "sandbox" / "data" / "captured_asset.json"
    done = run(tmp_path, "sandbox", "--load", str(capture), "--host", "0.0.0.0", "--port", "0")
    assert done.returncode == 1
    line = one_error_line(done)
    assert "--key" in line and "0.0.0.0" in line and "public knowledge" in line


def test_sandbox_load_serves_the_snapshot_byte_for_byte(server: Sandbox, tmp_path: Path) -> None:
    done = run(
        tmp_path, "snapshot", "researchers", "-o", "p.jsonl", "--limit", "3",
        base_url=server.base_url,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in (tmp_path / "p.jsonl").read_text().splitlines()]
    records = {line["id"]: line["raw"] for line in lines if "id" in line}
    process = subprocess.Popen(
        [*SHEETSYNC, "sandbox", "--load", "p.jsonl", "--port", "0", "--json"],
        cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        facts = json.loads(process.stdout.readline())
        assert facts["loaded"] == ["p.jsonl"] and facts["db"] is None
        assert facts["researchers"] == 3 and facts["assets"] == 0
        headers = {"Authorization": "apikey sandbox-ro", "Accept": "application/json"}
        for primary_id, raw in records.items():
            url = f"{facts['base_url']}/esploro/v1/researchers/{primary_id}?view=full"
            assert requests.get(url, headers=headers, timeout=10).content == raw.encode()
    finally:
        process.kill()
        process.wait(10)
