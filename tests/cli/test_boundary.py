"""The command line's one error boundary (`sheetsync/cli/app.py`), run as a real process.

Every failure ends in one line and an exit code that means one thing: 1 an error the user can
act on, 64 a mistyped command or option, 70 a bug (with its traceback in a log file).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sheetsync.errors import EXIT_ERROR, EXIT_INTERNAL, EXIT_USAGE
from sheetsync.sandbox import Sandbox
from tests.cli.runner import one_error_line, run
from tests.conftest import Api
from tests.plans import edit


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "w.xlsx", "--no-such-option"),
        ("export", "researchers"),  # -o is required
        ("no-such-command",),
        ("apply", "p.json", "--limit", "zero"),
    ],
)
def test_a_usage_error_exits_64_never_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "w.xlsx").write_bytes(b"x")
    (tmp_path / "p.json").write_text("{}")
    done = run(tmp_path, *args)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert "Traceback" not in done.stderr


def test_annotating_the_planned_workbook_itself_is_one_line_and_writes_nothing(
    tmp_path: Path, server: Sandbox
) -> None:
    book = tmp_path / "people.xlsx"
    exported = run(tmp_path, "export", "researchers", "-o", str(book), base_url=server.base_url)
    assert exported.returncode == 0, exported.stderr
    before = book.read_bytes()
    done = run(tmp_path, "plan", str(book), "--annotated", str(book), base_url=server.base_url)
    assert done.returncode == EXIT_ERROR
    line = one_error_line(done)
    assert "--annotated" in line and "another file" in line
    assert book.read_bytes() == before
    assert not (tmp_path / "people.plan.json").exists()


def test_an_index_beyond_the_records_list_is_one_line_naming_cell_and_record(
    tmp_path: Path, server: Sandbox
) -> None:
    template = tmp_path / "sixth-keyword.toml"
    template.write_text(
        "format = 1\n"
        'entity = "researchers"\nwrite_mode = "put"\nid_path = "/primary_id"\n'
        '[[columns]]\nheader = "Primary ID"\npath = "/primary_id"\nreadonly = true\n'
        '[[columns]]\nheader = "Sixth keyword"\npath = "/researcher/researcher_keyword[5]/value"\n',
        encoding="utf-8",
    )
    api = Api(server.base_url)
    short = next(
        i
        for i in api.researcher_ids(12)
        if len(api.get(f"/esploro/v1/researchers/{i}").json()["researcher"]["researcher_keyword"])
        < 5
    )
    book = tmp_path / "kw.xlsx"
    exported = run(
        tmp_path, "export", str(template), "-o", str(book), "--ids", short, base_url=server.base_url
    )
    assert exported.returncode == 0, exported.stderr
    edit(book, {(short, "Sixth keyword"): "Coastal erosion"})
    done = run(tmp_path, "plan", str(book), base_url=server.base_url)
    assert done.returncode == EXIT_ERROR
    line = one_error_line(done)
    assert short in line and "Sixth keyword" in line and "B2" in line


def test_an_unexpected_exception_is_an_internal_error_with_a_log(tmp_path: Path) -> None:
    """A bug (here: `templates` made to raise KeyError) is one line, exit 70, and a log file
    holding the traceback, never the key."""
    code = (
        "import sys; import sheetsync.template as t\n"
        "def broken(): raise KeyError('unexpected [bold]state[/]')\n"
        "t.builtin_templates = broken\n"
        "import sheetsync.cli.tools as tools; tools.builtin_templates = broken\n"
        "sys.argv = ['sheetsync', 'templates']\n"
        "from sheetsync.cli import main; main()\n"
    )
    environment = {
        **os.environ,
        "XDG_STATE_HOME": str(tmp_path / "state"),
        "ESPLORO_API_KEY": "secret-key-ABCDEF-123",
    }
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=environment, timeout=60
    )
    assert done.returncode == EXIT_INTERNAL
    line = one_error_line(done)
    assert line.startswith("error: internal error: KeyError:")
    assert "unexpected [bold]state[/]" in line
    (log,) = (tmp_path / "state" / "sheetsync" / "log").glob("internal-error-*.log")
    assert line.endswith(f"details in {log}")
    text = log.read_text(encoding="utf-8")
    assert "Traceback" in text and "def broken" not in line and "KeyError" in text
    assert "secret-key-ABCDEF-123" not in text
    assert oct(log.stat().st_mode & 0o777) == oct(0o600)


def test_no_key_and_unknown_profile_messages_keep_their_brackets(tmp_path: Path) -> None:
    environment = {"ESPLORO_API_KEY": "", "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    done = run(tmp_path, "check", **environment)
    assert done.returncode == EXIT_ERROR
    assert 'api_key = "<key>" under [profiles.NAME] in' in done.stderr
    assert "--api-key" not in done.stderr
    done = run(tmp_path, "check", "--profile", "nope", **environment)
    assert done.returncode == EXIT_ERROR
    line = one_error_line(done)
    assert "Create one with [profiles.NAME] in the config file." in line
