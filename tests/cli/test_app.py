"""The `sheetsync` command line, run as a real process."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.errors import EXIT_USAGE
from tests.conftest import Api

SHEETSYNC = [sys.executable, "-m", "sheetsync"]


@contextmanager
def running_sandbox(*options: str) -> Iterator[tuple[subprocess.Popen[str], dict[str, Any]]]:
    process = subprocess.Popen(
        [
            *SHEETSYNC,
            "sandbox",
            "--port",
            "0",
            "--json",
            "--researchers",
            "12",
            "--assets",
            "9",
            *options,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "no output"
        yield process, json.loads(line)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def test_sandbox_prints_its_facts_serves_and_stops_cleanly_on_ctrl_c(tmp_path: Path) -> None:
    with running_sandbox("--db", str(tmp_path / "s.sqlite3")) as (process, facts):
        assert facts["api"] == f"{facts['base_url']}/esploro/v1/"
        assert facts["keys"] == {"sandbox-rw": "rw", "sandbox-ro": "ro"}
        assert facts["researchers"] == 12 and facts["assets"] == 10
        assert facts["seeded_now"] is True
        api = Api(facts["base_url"], "sandbox-ro")
        assert api.get("/esploro/v1/researchers").json()["total_record_count"] == 12
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    with running_sandbox("--db", str(tmp_path / "s.sqlite3")) as (process, facts):
        assert facts["seeded_now"] is False
        process.send_signal(signal.SIGTERM)
        assert process.wait(10) == 0


def test_reset_seeds_the_database_anew(tmp_path: Path) -> None:
    db = str(tmp_path / "s.sqlite3")
    with running_sandbox("--db", db) as (process, facts):
        api = Api(facts["base_url"])
        primary_id = api.researcher_ids(1)[0]
        assert api.request("DELETE", f"/esploro/v1/researchers/{primary_id}").status_code == 204
        process.send_signal(signal.SIGINT)
        process.wait(10)
    with running_sandbox("--db", db, "--reset") as (process, facts):
        assert facts["seeded_now"] is True and facts["researchers"] == 12


def test_the_human_announcement_names_url_keys_and_database(tmp_path: Path) -> None:
    process = subprocess.Popen(
        [*SHEETSYNC, "sandbox", "--port", "0", "--memory", "--researchers", "3", "--assets", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    lines = [process.stdout.readline() for _ in range(3)]
    process.send_signal(signal.SIGINT)
    out, _ = process.communicate(timeout=10)
    text = "".join(lines) + out
    assert "http://127.0.0.1:" in text
    assert "sandbox-rw (read/write)" in text and "sandbox-ro (read-only)" in text
    assert "Sandbox stopped." in text
    assert process.returncode == 0


def test_a_port_in_use_is_a_clear_error(tmp_path: Path) -> None:
    with running_sandbox("--memory") as (_, facts):
        port = facts["base_url"].rsplit(":", 1)[1]
        result = subprocess.run(
            [*SHEETSYNC, "sandbox", "--port", port, "--memory", "--researchers", "1"],
            capture_output=True,
            text=True,
            timeout=30,
        )
    assert result.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "options, message",
    [
        (["--key", "nokind"], "VALUE=rw or VALUE=ro"),
        (["--key", "k=admin"], "VALUE=rw or VALUE=ro"),
        (["--fail-rate", "1.5"], "fail-rate"),
        (["--port", "70000"], "port"),
    ],
)
def test_bad_options_are_usage_errors(options: list[str], message: str) -> None:
    result = subprocess.run(
        [*SHEETSYNC, "sandbox", "--memory", *options], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == EXIT_USAGE  # 64: never 2, which plan uses for "changes planned"
    assert message in result.stderr
    assert "Traceback" not in result.stderr


def test_a_database_that_is_not_sqlite_is_a_clear_error(tmp_path: Path) -> None:
    bogus = tmp_path / "bogus.sqlite3"
    bogus.write_text("not a database\n" * 50)
    result = subprocess.run(
        [*SHEETSYNC, "sandbox", "--port", "0", "--db", str(bogus)],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 1
    assert "not a usable sandbox database" in result.stderr


def test_custom_keys_replace_the_defaults() -> None:
    with running_sandbox("--memory", "--key", "alpha=rw", "--key", "beta=ro") as (_, facts):
        assert facts["keys"] == {"alpha": "rw", "beta": "ro"}
        response = requests.get(
            f"{facts['base_url']}/esploro/v1/researchers",
            headers={"Authorization": "apikey sandbox-rw", "Accept": "application/json"},
            timeout=5,
        )
        assert response.status_code == 401


def test_every_command_has_help() -> None:
    for command in ([], ["sandbox"], ["version"]):
        result = subprocess.run(
            [*SHEETSYNC, *command, "--help"], capture_output=True, text=True, timeout=30
        )
        assert result.returncode == 0
        assert "Usage" in result.stdout
    sandbox_help = subprocess.run(
        [*SHEETSYNC, "sandbox", "--help"],
        capture_output=True,
        text=True,
        timeout=30,
        env={"COLUMNS": "200", "PATH": ""},
    ).stdout
    for option in (
        "--host",
        "--port",
        "--db",
        "--researchers",
        "--assets",
        "--seed",
        "--rate-limit",
        "--daily-limit",
        "--latency-ms",
        "--jitter-ms",
        "--fail-rate",
        "--drop-rate",
        "--key",
    ):
        assert option in sandbox_help


def test_the_default_database_lives_in_the_user_data_directory(tmp_path: Path) -> None:
    import os

    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [*SHEETSYNC, "sandbox", "--port", "0", "--json", "--researchers", "2", "--assets", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    assert process.stdout is not None
    facts = json.loads(process.stdout.readline())
    process.send_signal(signal.SIGINT)
    assert process.wait(10) == 0
    assert facts["db"] == str(tmp_path / "sheetsync" / "sandbox.sqlite3")
    assert Path(facts["db"]).exists()
