"""Connecting as a person does: `--sandbox` finds the sandbox they started, wherever it
listens, and the command printed after `plan` carries the connection options they gave."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sheetsync.esploro.settings import SANDBOX_BASE_URL
from tests.cli.runner import SHEETSYNC, run
from tests.conftest import Api
from tests.plans import edit


@contextmanager
def terminal_sandbox(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """`sheetsync sandbox --port 0` as a person starts it, with the state directory the CLI
    runs of `run(tmp_path, ...)` use; yields the process and its base URL."""
    env = {**os.environ, "XDG_STATE_HOME": str(tmp_path / "state")}
    options = ["--port", "0", "--memory", "--json", "--researchers", "6", "--assets", "2"]
    process = subprocess.Popen(
        [*SHEETSYNC, "sandbox", *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "no output"
        yield process, str(json.loads(line)["base_url"])
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def _records(tmp_path: Path) -> list[Path]:
    return sorted((tmp_path / "state" / "sheetsync" / "sandboxes").glob("*.json"))


def test_sandbox_alone_finds_a_sandbox_started_on_any_port(tmp_path: Path) -> None:
    with terminal_sandbox(tmp_path) as (process, base_url):
        assert base_url != SANDBOX_BASE_URL
        (record,) = _records(tmp_path)
        assert json.loads(record.read_text())["base_url"] == base_url
        done = run(tmp_path, "check", "--sandbox")
        assert done.returncode == 0, done.stdout + done.stderr
        assert f"base URL         {base_url}" in done.stdout
        assert "warning" not in done.stderr
        process.send_signal(signal.SIGINT)
        assert process.wait(10) == 0
    assert _records(tmp_path) == []  # a clean stop removes its record
    done = run(tmp_path, "check", "--sandbox")
    assert "warning: no running `sheetsync sandbox` found" in done.stderr or (
        done.returncode == 0  # only if something else serves on the default port
    )


def test_the_command_after_plan_repeats_the_connection_options(tmp_path: Path) -> None:
    with terminal_sandbox(tmp_path) as (_, base_url):
        book = tmp_path / "people.xlsx"
        (record_id,) = Api(base_url).researcher_ids(1)
        done = run(
            tmp_path, "export", "researchers", "-o", str(book), "--ids", record_id, "--sandbox"
        )
        assert done.returncode == 0, done.stderr
        edit(book, {(record_id, "Display title"): "Found by --sandbox"})
        done = run(tmp_path, "plan", "people.xlsx", "--sandbox")
        assert done.returncode == 2, done.stdout + done.stderr
        command = _after_review(done.stdout)
        assert command[:3] == ["sheetsync", "apply", "people.plan.json"]
        assert command[3] == "--expect" and command[5:] == ["--sandbox"]

        done = run(tmp_path, "plan", str(book), "-o", "again.plan.json", base_url=base_url)
        assert _after_review(done.stdout)[5:] == ["--base-url", base_url]
        profile = ("--profile", "lab", "--region", "eu")
        config = tmp_path / "config" / "sheetsync" / "config.toml"
        config.parent.mkdir(parents=True)
        config.write_text("[profiles.lab]\n", encoding="utf-8")
        done = run(tmp_path, "plan", str(book), "-o", "p.plan.json", *profile, base_url=base_url)
        assert _after_review(done.stdout)[5:] == ["--base-url", base_url, *profile]

        applied = run(tmp_path, *command[1:], "--yes")  # the first command, as printed, works
        assert applied.returncode == 0, applied.stdout + applied.stderr


def _after_review(stdout: str) -> list[str]:
    """The command printed after "After review: ", as words."""
    flat = " ".join(stdout.split())
    return shlex.split(flat.split("After review: ", 1)[1])
