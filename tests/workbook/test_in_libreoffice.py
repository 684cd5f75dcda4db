"""The export in a real LibreOffice, as a librarian uses it: sorted, rows deleted, a column
inserted, cells edited, saved as xlsx, then planned; and printed.

LibreOffice is driven through UNO by `person_in_libreoffice.py` under the system Python (the
only one that can `import uno`), against a headless soffice this module starts on a private
pipe with its own user profile, and stops afterwards. Skipped, with the reason, where soffice
or python3-uno is missing.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook

from sheetsync.planning.file import default_plan_path
from sheetsync.sandbox import Sandbox
from sheetsync.workbook.reader import read_export
from tests.cli.runner import run
from tests.conftest import start_sandbox

UNO_PYTHON = "/usr/bin/python3"
DRIVER = Path(__file__).with_name("person_in_libreoffice.py")
TEMPLATES = Path(__file__).parents[2] / "templates"


def _why_no_office() -> str:
    if shutil.which("soffice") is None:
        return "LibreOffice (soffice) is not installed"
    if not Path(UNO_PYTHON).exists():
        return f"{UNO_PYTHON} is missing: UNO imports only under the system Python"
    probe = subprocess.run([UNO_PYTHON, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0:
        return f"{UNO_PYTHON} cannot import uno (install python3-uno)"
    return ""


NO_OFFICE = _why_no_office()
pytestmark = pytest.mark.skipif(bool(NO_OFFICE), reason=NO_OFFICE)


def _soffice(profile: Path, *args: str) -> list[str]:
    return [
        "soffice",
        f"-env:UserInstallation=file://{profile}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nologo",
        *args,
    ]


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A headless LibreOffice listening on a pipe of its own; yields the pipe's name."""
    pipe = f"sheetsync-test-{os.getpid()}-{secrets.token_hex(4)}"
    profile = tmp_path_factory.mktemp("lo-profile")
    process = subprocess.Popen(
        _soffice(profile, "--nodefault", f"--accept=pipe,name={pipe};urp;"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: stopped as a whole, by its ID
    )
    yield pipe
    for sig in (signal.SIGTERM, signal.SIGKILL):
        try:
            os.killpg(process.pid, sig)
            process.wait(timeout=20)
            break
        except (ProcessLookupError, subprocess.TimeoutExpired):
            continue


@pytest.fixture(scope="module")
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=60, assets=3)
    yield box
    box.stop()


def person(office: str, source: Path, target: Path, steps: dict[str, Any]) -> dict[str, Any]:
    """Do `steps` on `source` in LibreOffice and save the result as `target`."""
    steps_file = target.with_suffix(".steps.json")
    steps_file.write_text(json.dumps(steps), encoding="utf-8")
    done = subprocess.run(
        [UNO_PYTHON, str(DRIVER), office, str(source), str(target), str(steps_file)],
        capture_output=True,
        text=True,
        timeout=240,
        env={k: v for k, v in os.environ.items() if not k.startswith("PYTHON")},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    outcome: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return outcome


def export(tmp_path: Path, server: Sandbox, name: str, *options: str) -> Path:
    path = tmp_path / name
    done = run(
        tmp_path, "export", "researchers", "-o", str(path), *options, base_url=server.base_url
    )
    assert done.returncode == 0, done.stderr
    return path


def planned(tmp_path: Path, server: Sandbox, workbook: Path) -> dict[str, Any]:
    """`sheetsync plan` on the saved workbook, as a person runs it; the plan file it wrote."""
    done = run(tmp_path, "plan", str(workbook), base_url=server.base_url)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stdout + done.stderr  # 2: the plan has changes
    document: dict[str, Any] = json.loads(default_plan_path(workbook).read_text("utf-8"))
    return document


def _spreadsheet_work(ids: list[str]) -> dict[str, Any]:
    return {
        "sort_by": "Last name",
        "delete_row_of": ids[20],
        "insert_column_before": "Position",
        "edits": [
            [ids[5], "Display title", "Professor of Sorting"],
            [ids[40], "First name", "Anneliese"],
        ],
    }


def _edits_in(plan: dict[str, Any]) -> dict[tuple[str, str], Any]:
    return {
        (record["record_id"], edit["column"]): (record["status"], edit["edited"])
        for record in plan["records"]
        for edit in record["edits"]
    }


def test_the_default_export_sorts_loses_rows_and_gains_columns_and_plans_the_two_edits(
    office: str, server: Sandbox, tmp_path: Path
) -> None:
    book = export(tmp_path, server, "researchers.xlsx")
    ids = list(read_export(book).baseline)
    saved = tmp_path / "worked.xlsx"
    outcome = person(office, book, saved, {**_spreadsheet_work(ids), "expect_sorted": True})
    assert outcome["protected"] is False
    assert not [
        step for step, done in outcome.items() if isinstance(done, dict) and done["refused"]
    ]
    assert outcome["order_after"] != outcome["order_before"]  # the sort reordered the rows
    assert sorted(outcome["order_after"]) == sorted(ids)
    assert ids[20] not in outcome["order_saved"] and len(outcome["order_saved"]) == len(ids) - 1
    position = outcome["headers_saved"].index("Position")
    assert outcome["headers_saved"][position - 1] == ""  # the inserted column
    plan = planned(tmp_path, server, saved)
    assert _edits_in(plan) == {
        (ids[5], "Display title"): ("change", "Professor of Sorting"),
        (ids[40], "First name"): ("change", "Anneliese"),
    }
    assert plan["row_problems"] == []  # the deleted row is simply not in the plan


def test_a_protected_export_refuses_ordinary_spreadsheet_work(
    office: str, server: Sandbox, tmp_path: Path
) -> None:
    """Why the default changed: with --protect, LibreOffice ignores the sort and refuses to
    delete a row or insert a column. Editable cells still take edits, and plan them."""
    book = export(tmp_path, server, "protected.xlsx", "--protect")
    ids = list(read_export(book).baseline)
    saved = tmp_path / "worked.xlsx"
    outcome = person(office, book, saved, _spreadsheet_work(ids))
    assert outcome["protected"] is True
    assert outcome["sort"]["refused"] or outcome["order_after"] == outcome["order_before"]
    assert outcome["delete_row"]["refused"] and ids[20] in outcome["order_saved"]
    assert outcome["insert_column"]["refused"] and "" not in outcome["headers_saved"]
    assert len(_edits_in(planned(tmp_path, server, saved))) == 2


def test_a_read_only_cell_edited_in_the_unprotected_export_is_refused_by_plan(
    office: str, server: Sandbox, tmp_path: Path
) -> None:
    book = export(tmp_path, server, "researchers.xlsx")
    ids = list(read_export(book).baseline)
    saved = tmp_path / "worked.xlsx"
    work = {"edits": [[ids[3], "Full name", "Someone Else"]]}
    assert not person(office, book, saved, work)[f"edit {ids[3]} Full name"]["refused"]
    done = run(tmp_path, "plan", str(saved), base_url=server.base_url)
    row = 5  # the header is row 1, ids[0] row 2, so ids[3] row 5
    expected = f"sheet 'Researchers', row {row}, column B (Full name): the column is read-only"
    assert expected in " ".join(done.stdout.split()), done.stdout
    assert done.returncode == 3, done.stdout + done.stderr


# -- printing ------------------------------------------------------------------------------


def _sixteen_columns(tmp_path: Path) -> Path:
    """The researchers template cut to its first 16 columns."""
    text = (TEMPLATES / "researchers.toml").read_text(encoding="utf-8")
    head, *columns = text.split("[[columns]]")
    path = tmp_path / "sixteen.toml"
    path.write_text("[[columns]]".join([head, *columns[:16]]), encoding="utf-8")
    return path


def _pdf_pages(pdf: bytes) -> int:
    """Page objects in a PDF, looking into compressed object streams too."""
    texts = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)endstream", pdf, re.S):
        try:
            texts.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", t)) for t in texts)


def test_a_sixty_by_sixteen_export_prints_landscape_one_page_wide(
    server: Sandbox, tmp_path: Path
) -> None:
    template = _sixteen_columns(tmp_path)
    book = tmp_path / "print.xlsx"
    done = run(tmp_path, "export", str(template), "-o", str(book), base_url=server.base_url)
    assert done.returncode == 0, done.stderr
    sheet = load_workbook(book)["Researchers"]
    assert (sheet.max_row, sheet.max_column) == (61, 16)
    converted = subprocess.run(
        [
            *_soffice(tmp_path / "pdf-profile"),
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(book),
        ],
        capture_output=True,
        timeout=240,
        check=False,
    )
    assert converted.returncode == 0, converted.stderr
    pages = _pdf_pages((tmp_path / "print.pdf").read_bytes())
    assert 1 <= pages <= 3, pages  # portrait, unfitted, it was 16 pages of 3 columns each
