"""The bad-input catalogue: broken workbooks, templates, plans and journals through the real CLI.

Every case runs `python -m sheetsync ...` as a subprocess against one shared sandbox and must
end in one `error:` line on stderr naming the place, a non-zero exit code, no traceback, and
no write request to the sandbox. Cells the plan refuses (invalid values, unknown IDs) are not
errors: `plan` exits 3 and names the place in its report instead.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from sheetsync.applying.journal import Journal, journal_path
from sheetsync.errors import EXIT_USAGE
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import write_plan
from sheetsync.planning.model import compute_checksum
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from sheetsync.workbook.reader import _sheet_part
from sheetsync.workbook.writer import META_SHEET
from tests.conftest import Api, start_sandbox
from tests.esploro.support import asset_ids
from tests.plans import edit

TITLE = "Display title"
SHEET = "Researchers"


@dataclass
class Env:
    server: Sandbox
    other: Sandbox
    root: Path
    people: Path  # a researchers export
    people_b: Path  # a second export of the same researchers
    assets: Path  # an assets export
    plan: Path  # a plan with one change (record `ids[0]`)
    other_plan: Path  # a plan made against `other`
    ids: list[str]
    asset_ids: list[str]


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    writes: int

    @property
    def error_line(self) -> str:
        lines = [
            line
            for line in self.stderr.strip().splitlines()
            if line.strip() and not line[:1].isspace() and "━" not in line
            and not "\u2800" <= line[0] <= "\u28ff"  # a progress line's spinner, bar not drawn
        ]  # fmt: skip
        assert len(lines) == 1, f"not one error line: {self.stderr!r}"
        return lines[0]


def _export(server: Sandbox, path: Path, template: str = "researchers", **kw: Any) -> Path:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        export_records(client, load_template(template), path, Selection(**kw))
    return path


def _plan(server: Sandbox, workbook: Path, out: Path) -> Path:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        write_plan(build_plan(client, workbook), out)
    return out


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Env]:
    server = start_sandbox(researchers=8, assets=10)  # 10: one asset ID has 18 digits
    other = start_sandbox(researchers=8, assets=2)
    root = tmp_path_factory.mktemp("bad")
    api = Api(server.base_url)
    ids = api.researcher_ids(8)
    people = _export(server, root / "people.xlsx")
    people_b = _export(server, root / "people-b.xlsx")
    assets = _export(server, root / "assets.xlsx", "assets", updated_since="1900-01-01")
    planned = edit(people, {(ids[0], TITLE): "Reader in Bad Inputs"}, root / "edited.xlsx")
    plan = _plan(server, planned, root / "edited.plan.json")
    other_book = _export(other, root / "other.xlsx")
    other_id = Api(other.base_url).researcher_ids(1)[0]
    edit(other_book, {(other_id, TITLE): "Elsewhere"})
    other_plan = _plan(other, other_book, root / "other.plan.json")
    yield Env(
        server,
        other,
        root,
        people,
        people_b,
        assets,
        plan,
        other_plan,
        ids,
        asset_ids(Api(server.base_url), 100),
    )
    server.stop()
    other.stop()


def cli(env: Env, *args: str, base_url: str | None = None) -> Run:
    requests.delete(f"{env.server.base_url}/_sandbox/stats", timeout=5)
    environ = {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "ESPLORO_BASE_URL": base_url or env.server.base_url,
        "COLUMNS": "200",
    }
    done = subprocess.run(
        [sys.executable, "-m", "sheetsync", *args],
        env=environ,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=env.root,
    )
    writes = int(Api(env.server.base_url).stats()["writes"])
    return Run(done.returncode, done.stdout, done.stderr, writes)


def assert_error(run: Run, place: str, code: int = 1) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.code == code, (run.code, run.stdout, run.stderr)
    line = run.error_line
    assert line.startswith("error:"), line
    assert place in line, (place, line)
    assert run.writes == 0


def assert_refused(run: Run, place: str) -> None:
    assert "Traceback" not in run.stdout + run.stderr, run.stderr
    assert run.code == 3, (run.code, run.stdout, run.stderr)
    assert place in run.stdout, (place, run.stdout)
    assert run.writes == 0


# --- helpers that break files ----------------------------------------------------------------


def rezip(source: Path, target: Path, parts: dict[str, bytes | None]) -> Path:
    """Copy a zip package, replacing (or, for None, dropping) the named members."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for item in old.infolist():
            if item.filename in parts:
                data = parts[item.filename]
                if data is not None:
                    new.writestr(item.filename, data)
            else:
                new.writestr(item, old.read(item.filename))
    return target


def part_of(path: Path, sheet: str) -> str:
    with zipfile.ZipFile(path) as package:
        found = _sheet_part(package, sheet)
    assert found is not None
    return found


def copy(env: Env, tmp_path: Path, name: str = "book.xlsx", source: Path | None = None) -> Path:
    target = tmp_path / name
    shutil.copyfile(source or env.people, target)
    return target


def with_sheet(path: Path, change: Callable[[Any], None], sheet: str | None = None) -> Path:
    """Change one sheet (default: the data sheet) with openpyxl and save, as Excel would."""
    book = load_workbook(path)
    change(book[sheet] if sheet else book.worksheets[0])
    book.save(path)
    return path


def row_of(sheet: Any, record_id: str) -> int:
    return next(r[0].row for r in sheet.iter_rows(min_row=2) if str(r[0].value) == record_id)


def header_col(sheet: Any, header: str) -> int:
    return next(c.column for c in sheet[1] if c.value == header)


# --- workbooks that are not (sheetsync) workbooks ----------------------------------------------


def test_truncated_xlsx(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "cut.xlsx"
    path.write_bytes(env.people.read_bytes()[:1000])
    assert_error(cli(env, "plan", str(path)), str(path))


def test_not_a_zip(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "plain.xlsx"
    path.write_bytes(b"\x00\x01 this is not a workbook at all\n" * 20)
    assert_error(cli(env, "plan", str(path)), f"{path}: not an Excel workbook")


def test_csv_renamed_to_xlsx(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "people.csv.xlsx"
    path.write_text(f"Primary ID,Display title\n{env.ids[0]},Professor\n", encoding="utf-8")
    assert_error(cli(env, "plan", str(path)), f"{path}: not an Excel workbook")


def test_empty_file(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    assert_error(cli(env, "plan", str(path)), str(path))


def test_zip_that_is_not_a_workbook(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as package:
        package.writestr("readme.txt", "hello")
    assert_error(cli(env, "plan", str(path)), str(path))


def test_a_cell_at_column_xfd(env: Env, tmp_path: Path) -> None:
    path = with_sheet(copy(env, tmp_path), lambda s: s.cell(row=1, column=16384, value="Mine"))
    run = cli(env, "plan", str(path))
    # a header of the person's own, far out: noticed and ignored, nothing planned
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == 0 and run.writes == 0, (run.code, run.stderr)
    assert "'Mine' is not from the export" in run.stdout


def test_a_dimension_of_a_million_rows_and_all_columns(env: Env, tmp_path: Path) -> None:
    part = part_of(env.people, SHEET)
    with zipfile.ZipFile(env.people) as package:
        xml = package.read(part).decode("utf-8")
    patched = xml.replace("<sheetViews>", '<dimension ref="A1:XFD1048576"/><sheetViews>', 1)
    assert patched != xml
    path = rezip(env.people, tmp_path / "wide.xlsx", {part: patched.encode("utf-8")})
    run = cli(env, "plan", str(path))
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == 0 and run.writes == 0, (run.code, run.stderr)


# --- the hidden `_sheetsync` sheet -------------------------------------------------------------


def test_missing_meta_sheet(env: Env, tmp_path: Path) -> None:
    path = copy(env, tmp_path)
    book = load_workbook(path)
    del book[META_SHEET]
    book.save(path)
    assert_error(cli(env, "plan", str(path)), f"{path}: no '{META_SHEET}' sheet")


def test_tampered_meta_cell(env: Env, tmp_path: Path) -> None:
    def tamper(sheet: Any) -> None:
        sheet.cell(row=3, column=4).value = "tampered"

    path = with_sheet(copy(env, tmp_path), tamper, META_SHEET)
    assert_error(cli(env, "plan", str(path)), f"{path}: the hidden '{META_SHEET}' sheet is damaged")


def test_baseline_from_another_export(env: Env, tmp_path: Path) -> None:
    path = copy(env, tmp_path)
    book, other = load_workbook(path), load_workbook(env.people_b)
    mine, theirs = book[META_SHEET], other[META_SHEET]
    for row in theirs.iter_rows():
        for cell in row:
            mine.cell(row=cell.row, column=cell.column).value = cell.value
    book.save(path)
    assert_error(cli(env, "plan", str(path)), f"{path}: the hidden '{META_SHEET}' sheet is damaged")


def test_meta_sheet_part_swapped_with_another_exports(env: Env, tmp_path: Path) -> None:
    part = part_of(env.people, META_SHEET)
    assert part == part_of(env.people_b, META_SHEET)
    with zipfile.ZipFile(env.people_b) as package:
        theirs = package.read(part)
    path = rezip(env.people, tmp_path / "swapped.xlsx", {part: theirs})
    assert_error(cli(env, "plan", str(path)), f"{path}: the hidden '{META_SHEET}' sheet is damaged")


def test_meta_sheet_from_a_future_format(env: Env, tmp_path: Path) -> None:
    path = with_sheet(copy(env, tmp_path), lambda s: setattr(s["B1"], "value", "99"), META_SHEET)
    assert_error(cli(env, "plan", str(path)), f"{path}: made by sheetsync workbook format 99")


def test_missing_meta_row(env: Env, tmp_path: Path) -> None:
    def drop_last(sheet: Any) -> None:
        sheet.delete_rows(sheet.max_row)

    path = with_sheet(copy(env, tmp_path), drop_last, META_SHEET)
    assert_error(cli(env, "plan", str(path)), "last row is not the #meta row")


# --- the data sheet's shape --------------------------------------------------------------------


def test_duplicate_ids(env: Env, tmp_path: Path) -> None:
    def duplicate(sheet: Any) -> None:
        first = row_of(sheet, env.ids[1])
        sheet.cell(row=row_of(sheet, env.ids[2]), column=1).value = env.ids[1]
        sheet.cell(row=first, column=header_col(sheet, TITLE)).value = "Twice"

    path = with_sheet(copy(env, tmp_path), duplicate)
    assert_refused(cli(env, "plan", str(path)), env.ids[1])


def test_formula_in_an_editable_cell(env: Env, tmp_path: Path) -> None:
    def formula(sheet: Any) -> None:
        sheet.cell(
            row=row_of(sheet, env.ids[1]), column=header_col(sheet, TITLE)
        ).value = '=UPPER("x")'

    path = with_sheet(copy(env, tmp_path), formula)
    col = load_workbook(path).worksheets[0]
    ref = f"{col.cell(row=1, column=header_col(col, TITLE)).column_letter}"
    assert_refused(cli(env, "plan", str(path)), f"{ref}{row_of(col, env.ids[1])}")


def test_merged_cells_across_the_data(env: Env, tmp_path: Path) -> None:
    path = with_sheet(copy(env, tmp_path), lambda s: s.merge_cells("C2:E3"))
    assert_error(cli(env, "plan", str(path)), f"{path}: sheet '{SHEET}' has merged cells (C2:E3)")


def test_extra_header_row_above_the_header(env: Env, tmp_path: Path) -> None:
    path = with_sheet(copy(env, tmp_path), lambda s: s.insert_rows(1))
    assert_error(cli(env, "plan", str(path)), f"{path}: no sheet has the ID column 'Primary ID'")


def test_header_row_deleted(env: Env, tmp_path: Path) -> None:
    path = with_sheet(copy(env, tmp_path), lambda s: s.delete_rows(1))
    assert_error(cli(env, "plan", str(path)), f"{path}: no sheet has the ID column 'Primary ID'")


def test_id_column_deleted(env: Env, tmp_path: Path) -> None:
    path = with_sheet(copy(env, tmp_path), lambda s: s.delete_cols(1))
    assert_error(cli(env, "plan", str(path)), f"{path}: no sheet has the ID column 'Primary ID'")


def test_two_columns_with_the_same_header(env: Env, tmp_path: Path) -> None:
    def twice(sheet: Any) -> None:
        sheet.cell(row=1, column=header_col(sheet, "Middle name")).value = "First name"

    path = with_sheet(copy(env, tmp_path), twice)
    assert_error(
        cli(env, "plan", str(path)), f"{path}: sheet '{SHEET}' has the column 'First name'"
    )


# --- cells the plan refuses --------------------------------------------------------------------


def refused_cell(env: Env, tmp_path: Path, header: str, value: Any, source: Path | None = None,
                 record: str | None = None) -> None:  # fmt: skip
    target = record or (env.asset_ids[0] if source else env.ids[1])
    path = copy(env, tmp_path, source=source)
    edit(path, {(target, header): value})
    sheet = load_workbook(path).worksheets[0]
    ref = f"{sheet.cell(row=1, column=header_col(sheet, header)).column_letter}"
    assert_refused(cli(env, "plan", str(path)), f"{ref}{row_of(sheet, target)}")


def test_a_40000_character_cell(env: Env, tmp_path: Path) -> None:
    refused_cell(env, tmp_path, TITLE, "x" * 40_000)


def test_wrong_type_in_a_date_column(env: Env, tmp_path: Path) -> None:
    refused_cell(env, tmp_path, "Publication date", "yesterday", env.assets)


def test_invalid_code_value(env: Env, tmp_path: Path) -> None:
    refused_cell(env, tmp_path, "Position", "NOT_A_POSITION_CODE")


def test_pattern_failure_orcid(env: Env, tmp_path: Path) -> None:
    # A pasted https://orcid.org/ is normalised away now (issue 13); a bad check character is not.
    refused_cell(env, tmp_path, "ORCID iD", "0000-0002-1825-0098")


def test_too_long_for_max_length(env: Env, tmp_path: Path) -> None:
    refused_cell(env, tmp_path, "Last name", "L" * 256)


def test_read_only_column_edited(env: Env, tmp_path: Path) -> None:
    path = copy(env, tmp_path)
    edit(path, {(env.ids[1], "Full name"): "Someone Else"})
    run = cli(env, "plan", str(path))
    assert_refused(run, env.ids[1])
    said = " ".join(run.stdout.split())  # the terminal wraps long lines
    assert "Full name: invalid" in said
    assert "row 3, column B (Full name): the column is read-only" in said


def number_id(env: Env, tmp_path: Path, record: str) -> Run:
    """The asset's ID typed over as a number (Excel's "convert to number"), DOI edited."""
    path = copy(env, tmp_path, source=env.assets)

    def number(sheet: Any) -> None:
        row = row_of(sheet, record)
        sheet.cell(row=row, column=1).value = float(record)
        sheet.cell(row=row, column=header_col(sheet, "DOI")).value = "10.1234/number-id"

    with_sheet(path, number)
    return cli(env, "plan", str(path))


def test_id_turned_into_a_number_that_is_exact(env: Env, tmp_path: Path) -> None:
    record = next(i for i in env.asset_ids if len(i) <= 15)
    run = number_id(env, tmp_path, record)
    # a 15-digit ID survives as a float exactly: it is matched and the edit planned
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == 2 and run.writes == 0 and record in run.stdout, (run.code, run.stderr)


def test_id_turned_into_a_number_that_lost_digits(env: Env, tmp_path: Path) -> None:
    record = next(i for i in env.asset_ids if len(i) > 17)
    assert str(int(float(record))) != record
    assert_refused(number_id(env, tmp_path, record), "Asset ID")


def test_new_row_without_an_id(env: Env, tmp_path: Path) -> None:
    def add(sheet: Any) -> None:
        sheet.cell(row=sheet.max_row + 1, column=header_col(sheet, TITLE)).value = "New person"

    path = with_sheet(copy(env, tmp_path), add)
    run = cli(env, "plan", str(path))
    assert_refused(run, "a new row without an ID")
    assert re.search(rf"{SHEET}\s*│\s*{len(env.ids) + 2}\s*│", run.stdout), run.stdout


def test_id_not_in_the_export(env: Env, tmp_path: Path) -> None:
    def add(sheet: Any) -> None:
        sheet.cell(row=sheet.max_row + 1, column=1).value = "NOSUCHID42"

    path = with_sheet(copy(env, tmp_path), add)
    assert_refused(cli(env, "plan", str(path)), "NOSUCHID42")


# --- plan files ---------------------------------------------------------------------------------


def plan_copy(env: Env, tmp_path: Path) -> tuple[Path, dict[str, Any]]:
    path = tmp_path / "my.plan.json"
    shutil.copyfile(env.plan, path)
    return path, json.loads(path.read_text(encoding="utf-8"))


def test_plan_edited_by_hand(env: Env, tmp_path: Path) -> None:
    path, document = plan_copy(env, tmp_path)
    document["records"][0]["patch"][0]["value"] = "Sneaky"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert_error(cli(env, "apply", str(path), "--yes"), f"{path}: its checksum does not match")


def test_plan_without_checksum(env: Env, tmp_path: Path) -> None:
    path, document = plan_copy(env, tmp_path)
    del document["checksum"]
    path.write_text(json.dumps(document), encoding="utf-8")
    assert_error(cli(env, "apply", str(path), "--yes"), f"{path}: its checksum does not match")


def test_plan_that_is_not_json(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "my.plan.json"
    path.write_text("{this is: not json\n", encoding="utf-8")
    assert_error(cli(env, "apply", str(path), "--yes"), f"{path}: not a readable plan file")


def test_plan_from_a_future_format(env: Env, tmp_path: Path) -> None:
    path, document = plan_copy(env, tmp_path)
    document["format_version"] = 99
    document["checksum"] = compute_checksum(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    assert_error(cli(env, "apply", str(path), "--yes"), f"{path}: plan format 99")


def test_plan_for_another_base_url(env: Env, tmp_path: Path) -> None:
    path = tmp_path / "other.plan.json"
    shutil.copyfile(env.other_plan, path)
    assert_error(cli(env, "apply", str(path), "--yes"), f"the plan is for {env.other.base_url}")


def test_plan_with_only_its_base_url_changed(env: Env, tmp_path: Path) -> None:
    path, document = plan_copy(env, tmp_path)
    document["base_url"] = env.other.base_url
    document["checksum"] = compute_checksum(document)
    path.write_text(json.dumps(document), encoding="utf-8")
    assert_error(cli(env, "apply", str(path), "--yes"), f"the plan is for {env.other.base_url}")


def test_apply_expect_with_the_wrong_checksum(env: Env, tmp_path: Path) -> None:
    path, _ = plan_copy(env, tmp_path)
    run = cli(env, "apply", str(path), "--yes", "--expect", "0" * 64)
    assert_error(run, "0" * 64)


def test_rollback_of_a_plan_edited_by_hand(env: Env, tmp_path: Path) -> None:
    path, document = plan_copy(env, tmp_path)
    document["base_url"] = "https://example.invalid"
    path.write_text(json.dumps(document), encoding="utf-8")
    assert_error(cli(env, "rollback", str(path), "--yes"), f"{path}: its checksum does not match")


# --- journals -----------------------------------------------------------------------------------


def journal_of(env: Env, tmp_path: Path, checksum: str | None = None) -> tuple[Path, Path, str]:
    """A copy of the plan and a journal of two settled records beside it."""
    path, document = plan_copy(env, tmp_path)
    journal = journal_path(path)
    writer = Journal(journal, checksum or document["checksum"])
    writer.append("stale", env.ids[5])
    writer.append("stale", env.ids[6])
    return path, journal, document["checksum"]


def test_journal_cut_in_the_middle_of_its_last_line_is_repaired(env: Env, tmp_path: Path) -> None:
    api = Api(env.server.base_url)
    record = env.ids[3]
    workbook = edit(env.people, {(record, TITLE): "Survivor of a crash"}, tmp_path / "cut.xlsx")
    path = _plan(env.server, workbook, tmp_path / "cut.plan.json")
    journal = journal_path(path)
    Journal(journal, json.loads(path.read_text())["checksum"]).append("stale", env.ids[6])
    with open(journal, "ab") as stream:
        stream.write(b'{"journal":1,"plan":"ab')
    run = cli(env, "apply", str(path), "--yes")
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == 0, (run.stdout, run.stderr)
    assert run.writes == 1
    assert journal.read_bytes().endswith(b"\n")
    body = api.get(f"/esploro/v1/researchers/{record}").json()
    assert body["researcher"]["display_title"] == "Survivor of a crash"


def test_journal_with_a_damaged_line_in_the_middle(env: Env, tmp_path: Path) -> None:
    path, journal, _ = journal_of(env, tmp_path)
    lines = journal.read_bytes().split(b"\n")
    lines[0] = lines[0][:20]
    journal.write_bytes(b"\n".join(lines))
    assert_error(cli(env, "apply", str(path), "--yes"), f"{journal}, line 1: damaged")


def test_journal_from_another_plan(env: Env, tmp_path: Path) -> None:
    path, journal, _ = journal_of(env, tmp_path, checksum="f" * 64)
    assert_error(cli(env, "apply", str(path), "--yes"), f"{journal}, line 1: belongs to another")


def test_rollback_with_a_damaged_journal(env: Env, tmp_path: Path) -> None:
    path, journal, _ = journal_of(env, tmp_path)
    lines = journal.read_bytes().split(b"\n")
    lines[1] = b"garbage"
    journal.write_bytes(b"\n".join([*lines, b'{"x":1}', b""]))
    assert_error(cli(env, "rollback", str(path), "--yes"), f"{journal}, line 2: damaged")


# --- templates ----------------------------------------------------------------------------------

GOOD_TEMPLATE = """\
format = 1
name = "mini"
description = "a small template"
entity = "researchers"
write_mode = "put"
id_path = "/primary_id"

[[columns]]
header = "Primary ID"
path = "/primary_id"
readonly = true

[[columns]]
header = "Display title"
path = "/researcher/display_title"
type = "text"
"""


def template_file(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "mine.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_good_template_shows(env: Env, tmp_path: Path) -> None:
    run = cli(env, "templates", "show", str(template_file(tmp_path, GOOD_TEMPLATE)))
    assert run.code == 0, run.stderr


def test_template_syntax_error(env: Env, tmp_path: Path) -> None:
    path = template_file(tmp_path, GOOD_TEMPLATE.replace('name = "mini"', 'name = "mini'))
    assert_error(cli(env, "templates", "show", str(path)), f"{path}, line 2")


def test_template_unknown_column_type(env: Env, tmp_path: Path) -> None:
    path = template_file(tmp_path, GOOD_TEMPLATE.replace('type = "text"', 'type = "colour"'))
    run = cli(env, "templates", "show", str(path))
    assert_error(run, f"{path}, line 16")
    assert "colour" in run.error_line


def test_template_without_id_path(env: Env, tmp_path: Path) -> None:
    path = template_file(tmp_path, GOOD_TEMPLATE.replace('id_path = "/primary_id"\n', ""))
    run = cli(env, "templates", "show", str(path))
    assert_error(run, str(path))
    assert "id_path" in run.error_line


def test_export_with_a_broken_template(env: Env, tmp_path: Path) -> None:
    path = template_file(tmp_path, GOOD_TEMPLATE.replace('entity = "researchers"', "entity = "))
    run = cli(env, "export", str(path), "-o", str(tmp_path / "out.xlsx"))
    assert_error(run, f"{path}, line 4")
    assert not (tmp_path / "out.xlsx").exists()


# --- export options -----------------------------------------------------------------------------


def test_export_ids_and_ids_file_together(env: Env, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text(env.ids[0] + "\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    run = cli(
        env, "export", "researchers", "-o", str(out), "--ids", env.ids[0], "--ids-file",
        str(ids_file),
    )  # fmt: skip
    assert "Traceback" not in run.stdout + run.stderr
    assert run.code == EXIT_USAGE and "--ids" in run.stderr and run.writes == 0
    assert not out.exists()


def test_export_unknown_template(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    assert_error(cli(env, "export", "reserchers", "-o", str(out)), "reserchers")
    assert not out.exists()


def test_export_assets_with_a_query(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    assert_error(cli(env, "export", "assets", "-o", str(out), "--query", "x~y"), "--query")
    assert not out.exists()


def test_export_assets_without_a_filter(env: Env, tmp_path: Path) -> None:
    """The assets API lists nothing unfiltered; "everything" is said explicitly."""
    out = tmp_path / "out.xlsx"
    run = cli(env, "export", "assets", "-o", str(out))
    assert_error(run, "every asset: --updated-since 1900-01-01")
    assert run.writes == 0 and not out.exists()


def test_export_open_access_neither_yes_nor_no(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    run = cli(env, "export", "assets", "-o", str(out), "--open-access", "maybe")
    assert_error(run, "--open-access 'maybe' must be yes or no")


def test_export_researchers_with_an_asset_filter(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    run = cli(env, "export", "researchers", "-o", str(out), "--doi", "10.1234/x")
    assert_error(run, "--doi: for assets only")


def test_export_updated_since_not_a_date(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    run = cli(env, "export", "assets", "-o", str(out), "--updated-since", "notadate")
    assert_error(run, "--updated-since 'notadate'")
    assert not out.exists()


def test_export_ids_file_that_is_not_text(env: Env, tmp_path: Path) -> None:
    ids_file = tmp_path / "ids.txt"
    ids_file.write_bytes(b"\xff\xfe\x00\xd8 binary")
    out = tmp_path / "out.xlsx"
    assert_error(cli(env, "export", "researchers", "-o", str(out), "--ids-file", str(ids_file)),
                 str(ids_file))  # fmt: skip


def test_export_unknown_ids(env: Env, tmp_path: Path) -> None:
    out = tmp_path / "out.xlsx"
    run = cli(env, "export", "researchers", "-o", str(out), "--ids", "NOSUCHID1,NOSUCHID2")
    assert_error(run, "NOSUCHID1")
    assert not out.exists()
