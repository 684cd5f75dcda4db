"""The demo runs the whole loop and leaves real, consistent files behind."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from sheetsync.cli.demo import DEMO_ORCID, run_demo
from sheetsync.planning.file import read_plan
from sheetsync.workbook.reader import read_export


def test_demo_exports_edits_plans_applies_and_leaves_the_files(tmp_path: Path) -> None:
    out = io.StringIO()
    outcome = run_demo(Console(file=out, width=160), tmp_path / "demo")
    text = out.getvalue()
    assert sorted(outcome.statuses.values()) == ["updated"] * 4
    plan = read_plan(Path(outcome.plan))
    assert {r.record_id for r in plan.records} == set(outcome.statuses)
    edited = {e.column: e.edited for r in plan.records for e in r.edits}
    assert edited["ORCID iD"] == DEMO_ORCID and edited["Web pages"] is None
    assert plan.checksum in Path(outcome.report).read_text()
    assert len(read_export(Path(outcome.workbook)).baseline) == 25
    assert Path(outcome.results).stat().st_size > 0
    for step in ("1. Export", "2. Edit", "3. Plan", "4. Apply", "5. Look"):
        assert step in text


def test_demo_runs_again_in_the_same_folder(tmp_path: Path) -> None:
    first = run_demo(Console(file=io.StringIO()), tmp_path)
    second = run_demo(Console(file=io.StringIO()), tmp_path)
    assert first.statuses.keys() == second.statuses.keys()
    assert set(second.statuses.values()) == {"updated"}


def test_demo_json_output_is_machine_readable(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sheetsync", "demo", "--dir", str(tmp_path), "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert set(json.loads(result.stdout)["statuses"].values()) == {"updated"}
