"""Running the real `sheetsync` command in a subprocess, as a person at a terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sheetsync.sandbox import READ_WRITE_KEY

SHEETSYNC = [sys.executable, "-m", "sheetsync"]


def run(
    tmp_path: Path, *args: str, base_url: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    environment = {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "COLUMNS": "200",
        **env,
    }
    connection = ["--base-url", base_url] if base_url else []
    return subprocess.run(
        [*SHEETSYNC, *args, *connection],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment,
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The run's stderr, which must be exactly one `error:` line and no traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    return errors[0]
