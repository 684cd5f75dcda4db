"""The README's promises: its test command is what CI runs, and every command is documented."""

from __future__ import annotations

import re
from pathlib import Path

from sheetsync.cli import app

ROOT = Path(__file__).parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _setup_commands() -> list[str]:
    section = README.split("## Set up", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```bash\n(.+?)\n```", section)


def test_readme_gives_exactly_two_setup_commands() -> None:
    run_demo, run_tests = _setup_commands()
    assert run_demo.startswith("python3 -m venv .venv") and "sheetsync demo" in run_demo
    assert run_tests.startswith("python3 -m venv .venv") and "pytest" in run_tests


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_command = _setup_commands()[1].split("&& ")[-1]
    assert test_command in ci
    assert "pip install -q -e '.[test]'" in ci


def test_every_command_is_in_the_readme() -> None:
    names = [
        command.name or (command.callback.__name__ if command.callback else "")
        for command in app.registered_commands
    ]
    assert names
    for name in names:
        assert f"sheetsync {name}" in README, name
