"""The wheel ships what the package needs at run time: templates, the captured asset, and the
HTML report's style and script (package data that `sheetsync.report.html` inlines)."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_wheel_ships_templates_and_sandbox_data(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    (wheel,) = tmp_path.glob("esploro_sheetsync-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "sheetsync/templates/README.md" in names
    assert "sheetsync/sandbox/data/captured_asset.json" in names
    assert "sheetsync/report/static/report.css" in names
    assert "sheetsync/report/static/report.js" in names
    assert "sheetsync/cli/app.py" in names
    assert not [n for n in names if n.startswith(("tests/", "bench/"))]
