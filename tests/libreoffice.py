"""Converting a workbook with a real headless LibreOffice, as a person's "Save as" would."""

from __future__ import annotations

import subprocess
from pathlib import Path


def convert(path: Path, to: str, outdir: Path, profile: Path, timeout: float = 240) -> Path:
    """`soffice --convert-to TO` of `path` into `outdir`, with its own user profile (so
    parallel runs never share one); returns the converted file. Fails the test with
    LibreOffice's own words if it refuses."""
    done = subprocess.run(
        [
            "soffice",
            "--headless",
            f"-env:UserInstallation={profile.as_uri()}",
            "--convert-to",
            to,
            "--outdir",
            str(outdir),
            str(path),
        ],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return outdir / f"{path.stem}.{to.split(':', 1)[0]}"
