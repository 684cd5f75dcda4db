"""Atomic writes: whole or not at all, with the mode asked for."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sheetsync.files import PRIVATE, SHARED, write_text_atomically


def test_writes_whole_files_with_the_mode_asked_for(tmp_path: Path) -> None:
    private, shared = tmp_path / "plan.json", tmp_path / "report.html"
    write_text_atomically(private, "{}\n", mode=PRIVATE)
    write_text_atomically(shared, "<html>", mode=SHARED)
    assert private.read_text() == "{}\n" and shared.read_text() == "<html>"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(shared.stat().st_mode) == 0o666 & ~umask


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "plan.json"
    target.write_text("old")
    with pytest.raises(UnicodeEncodeError):
        write_text_atomically(target, "half \ud800 written", mode=PRIVATE)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["plan.json"]
