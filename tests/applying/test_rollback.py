"""Rollback as a person runs it: `--only`, a second rollback, and apply after a rollback, each
through the real command, with summaries that say exactly what happened."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sheetsync.sandbox import Sandbox
from tests.applying.support import retitled_plan
from tests.cli.runner import one_error_line, run
from tests.conftest import Api, start_sandbox

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
