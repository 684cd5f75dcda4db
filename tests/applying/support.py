"""What several apply tests do alike: plan retitled researchers through the CLI, press Ctrl-C
in a real `sheetsync apply` process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sheetsync.applying.journal import Journal, journal_path
from sheetsync.planning.file import read_plan
from sheetsync.sandbox import READ_WRITE_KEY
from tests.cli.runner import run
from tests.conftest import Api
from tests.plans import edit


def ctrl_c_during_apply(base_url: str, plan_path: Path, after: float) -> set[str]:
    """Run `sheetsync apply PLAN --yes --workers 4` against `base_url`, send SIGINT (Ctrl-C)
    `after` seconds in, and check it stops as promised: exit 1, no traceback, the resume
    command printed, and every record it began journaled as finished. Returns the IDs of the
    records it finished."""
    env = {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "ESPLORO_BASE_URL": base_url,
        "COLUMNS": "200",
    }
    command = [sys.executable, "-m", "sheetsync", "apply", str(plan_path), "--yes"]
    process = subprocess.Popen(
        [*command, "--workers", "4"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    time.sleep(after)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    assert process.returncode == 1, err
    assert "To resume: sheetsync apply" in out and "Traceback" not in err
    plan = read_plan(plan_path)
    events = Journal(journal_path(plan_path), plan.checksum).entries()
    begun = {e.record_id for e in events if e.event == "begin"}
    finished = {e.record_id for e in events if e.event in ("done", "failed", "stale")}
    assert begun and begun <= finished  # nothing left in flight
    return finished


def retitled_plan(base_url: str, tmp_path: Path, count: int, title: str) -> tuple[Path, list[str]]:
    """Through the CLI, as a person would: export `count` researchers, set each one's
    Display title to `title` and its number, plan. The plan path and the IDs."""
    ids = Api(base_url).researcher_ids(count)
    book = tmp_path / "people.xlsx"
    args = ("export", "researchers", "-o", str(book), "--ids", ",".join(ids))
    done = run(tmp_path, *args, base_url=base_url)
    assert done.returncode == 0, done.stderr
    edit(book, {(i, "Display title"): f"{title} {n}" for n, i in enumerate(ids)})
    done = run(tmp_path, "plan", str(book), base_url=base_url)
    assert done.returncode == 2, done.stdout + done.stderr
    return tmp_path / "people.plan.json", ids
