"""Running the real `sheetsync` command in a subprocess, as a person at a terminal would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sheetsync.sandbox import READ_WRITE_KEY

SHEETSYNC = [sys.executable, "-m", "sheetsync"]


def environment(tmp_path: Path, **env: str) -> dict[str, str]:
    """A person's environment for one test: the sandbox's key, configuration and state kept
    in `tmp_path`, a wide terminal."""
    return {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "XDG_CONFIG_HOME": str(tmp_path / "config"),
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "COLUMNS": "200",
        **env,
    }


def run(
    tmp_path: Path, *args: str, base_url: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    connection = ["--base-url", base_url] if base_url else []
    return subprocess.run(
        [*SHEETSYNC, *args, *connection],
        capture_output=True,
        text=True,
        timeout=120,
        env=environment(tmp_path, **env),
        cwd=tmp_path,
        stdin=subprocess.DEVNULL,
    )


def start(tmp_path: Path, *args: str, base_url: str | None = None) -> subprocess.Popen[str]:
    """`run`, but left running (to be signalled, or raced against another), output piped."""
    connection = ["--base-url", base_url] if base_url else []
    return subprocess.Popen(
        [*SHEETSYNC, *args, *connection],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=environment(tmp_path),
        cwd=tmp_path,
    )


def one_error_line(done: subprocess.CompletedProcess[str]) -> str:
    """The run's stderr, which must be exactly one `error:` line and no traceback."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1, done.stderr
    return errors[0]
