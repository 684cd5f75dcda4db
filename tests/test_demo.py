"""The interim demo tour: it really shows the swap-all damage, then a clean full-record PUT."""

from __future__ import annotations

import io
import json
import subprocess
import sys

from rich.console import Console

from sheetsync.demo import changed_fields, run_tour, wiped_fields


def test_tour_shows_partial_put_wipes_fields_and_full_put_changes_one() -> None:
    out = io.StringIO()
    outcome = run_tour(Console(file=out, width=200))
    text = out.getvalue()
    assert "researcher.researcher_keyword" in outcome.wiped_fields
    assert "researcher.user_identifier" in outcome.wiped_fields
    assert "user_role" not in outcome.wiped_fields  # kept when absent, as Alma does
    assert outcome.repaired_differences == ["researcher.display_title"]
    assert f"{len(outcome.wiped_fields)} fields wiped" in text
    assert outcome.requests >= 6


def test_demo_json_output_is_machine_readable() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "sheetsync", "demo", "--json"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert outcome["repaired_differences"] == ["researcher.display_title"]


def test_changed_and_wiped_fields() -> None:
    before = {"a": 1, "b": [1], "researcher": {"k": [1], "t": "x"}, "link": "u1"}
    after = {"a": 1, "b": [], "researcher": {"k": [1], "t": "y"}, "link": "u2"}
    assert changed_fields(before, after) == ["b", "researcher.t"]
    assert wiped_fields(before, after) == ["b"]
