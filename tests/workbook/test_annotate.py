"""The annotated workbook: a coloured, commented copy; the person's own file left untouched."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from sheetsync.errors import WorkbookError
from sheetsync.esploro.entities import entity_of
from sheetsync.planning.model import CellEdit, Outcome, RecordPlan, RowProblem, Status
from sheetsync.template import load_template
from sheetsync.workbook import ExportInfo, ExportWriter
from sheetsync.workbook.annotate import FILLS, annotate_workbook
from tests.plans import SHEET, make_plan

HEADERS = ["Primary ID", "Display title", "Position", "Keywords", "ORCID"]
ROWS: list[list[str | None]] = [
    ["0001234", "Lecturer", "LECTURER", "coral reefs", "0000-0002-1825-0097"],
    ["0001235", "Reader", "READER", "seagrass; kelp", None],
    ["0001236", "Lecturer", "LECTURER", "tides", None],
    ["0001237", "Senior Lecturer", "PROFF", "estuaries", None],
    ["0001238", "Professor", "PROFESSOR", "plankton", None],
]


def _edit(
    column: str,
    cell: str,
    baseline: str | None,
    edited: str | None,
    live: str | None,
    outcome: Outcome,
    message: str = "",
    sheet: str = SHEET,
) -> CellEdit:
    path = f"/researcher/{column.lower().replace(' ', '_')}"
    return CellEdit(column, path, cell, sheet, baseline, edited, live, outcome, message)


def _record(record_id: str, status: Status, row: int, *edits: CellEdit) -> RecordPlan:
    """As the planner makes them: an invalid record is never fetched, the others are."""
    fetched = "f" * 64 if status != Status.INVALID else None
    return RecordPlan(record_id, status, edits, row=row, live_fingerprint=fetched)


_plan = make_plan


PLAN = _plan(
    [
        _record(
            "0001234",
            Status.CHANGE,
            2,
            _edit(
                "Display title",
                "B2",
                "Lecturer",
                "Professor of Marine Ecology",
                "Lecturer",
                Outcome.WRITE,
            ),
            _edit("ORCID", "e2", "0000-0002-1825-0097", None, "0000-0002-1825-0097", Outcome.WRITE),
        ),
        _record(
            "0001235",
            Status.CHANGE,
            3,
            _edit("Keywords", "D3", "seagrass", "seagrass; kelp", "seagrass", Outcome.WRITE),
        ),
        _record(
            "0001236",
            Status.CONFLICT,
            4,
            _edit(
                "Display title",
                "B4",
                "Lecturer",
                "Senior Lecturer",
                "Associate Professor",
                Outcome.CONFLICT,
                "changed in Esploro since the export",
            ),
        ),
        _record(
            "0001237",
            Status.INVALID,
            5,
            _edit(
                "Position",
                "C5",
                "LECTURER",
                "PROFF",
                "LECTURER",
                Outcome.INVALID,
                "'PROFF' is not a code in ResearcherPositions",
            ),
            _edit("Keywords", "D5", "estuaries", "estuaries; deltas", "estuaries", Outcome.WRITE),
        ),
        _record(
            "0001238",
            Status.NO_OP,
            6,
            _edit("Display title", "B6", "Reader", "Professor", "Professor", Outcome.SAME_AS_LIVE),
            _edit("Display title", "B2", "x", "y", "x", Outcome.WRITE, sheet="No such sheet"),
        ),
    ],
    (
        RowProblem(SHEET, 7, " primary id ", "ID 9999999 is not in this export's baseline"),
        RowProblem(SHEET, 8, "My notes", "a new row without an ID: nothing is planned from it"),
    ),
)


def _export_like(path: Path) -> None:
    """A small workbook shaped like an export: header with notes, rows, hidden baseline."""
    book = Workbook()
    sheet = book.active
    assert isinstance(sheet, Worksheet)
    sheet.title = SHEET
    sheet.append(HEADERS)
    for row in ROWS:
        sheet.append(row)
    sheet.append([None, "New Researcher", None, None, None])  # row 7
    sheet.append([None, "Another", None, None, None])  # row 8
    sheet["A1"].comment = Comment("Path: /primary_id", "sheetsync")
    sheet["C5"].comment = Comment("Checked with HR: PROF?", "Ana")
    meta = book.create_sheet("_sheetsync")
    meta.append(["sheetsync", "1", "exp-1"])
    meta.sheet_state = "hidden"
    book.save(path)


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "people.xlsx"
    _export_like(path)
    return path


def _fill(sheet: Worksheet, coordinate: str) -> str:
    colour = sheet[coordinate].fill.fgColor.rgb
    assert isinstance(colour, str)
    return colour[-6:]


def _comment(sheet: Worksheet, coordinate: str) -> str:
    comment = sheet[coordinate].comment
    assert comment is not None, coordinate
    assert comment.author == "sheetsync"
    text: str = comment.text
    return text


def test_each_outcome_gets_its_fill_and_comment(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "people.annotated.xlsx"
    assert annotate_workbook(source, output, PLAN) == 9
    sheet = load_workbook(output)[SHEET]

    assert _fill(sheet, "B2") == FILLS["write"] == "C6EFCE"
    assert _comment(sheet, "B2").startswith("sheetsync: write")
    assert "baseline (export): Lecturer" in _comment(sheet, "B2")
    assert "live: Lecturer" in _comment(sheet, "B2")
    assert "edited: Professor of Marine Ecology" in _comment(sheet, "B2")

    assert _fill(sheet, "E2") == "C6EFCE"  # "e2" in the plan: coordinates are case-blind
    assert "clear, applied only with `apply --allow-clears`" in _comment(sheet, "E2")
    assert "edited: (blank)" in _comment(sheet, "E2")
    assert _fill(sheet, "D3") == "C6EFCE"

    assert _fill(sheet, "B4") == "FFC7CE"
    conflict = _comment(sheet, "B4")
    assert conflict.startswith("sheetsync: conflict, not written")
    assert "changed in Esploro since the export" in conflict
    assert "baseline (export): Lecturer" in conflict and "live: Associate Professor" in conflict

    assert _fill(sheet, "C5") == FILLS["invalid"]
    invalid = _comment(sheet, "C5")
    assert "sheetsync: invalid" in invalid and "'PROFF' is not a code" in invalid
    assert "(earlier comment by Ana)\nChecked with HR: PROF?" in invalid  # the person's note stays
    assert "live: (not fetched)" in invalid  # an invalid record is never fetched: no live value
    assert "live: (not fetched)" in _comment(sheet, "D5")

    assert _fill(sheet, "D5") == "C6EFCE"  # a write, but its record is invalid: held back
    assert "Held back: the record is invalid, and apply writes nothing of it." in _comment(
        sheet, "D5"
    )

    assert _fill(sheet, "B6") == FILLS["same-as-live"]
    assert "already has this value" in _comment(sheet, "B6")

    assert _fill(sheet, "A7") == FILLS["row-problem"]  # header matched ignoring case, spaces
    assert "ID 9999999 is not in this export's baseline" in _comment(sheet, "A7")
    assert _fill(sheet, "A8") == FILLS["row-problem"]  # no such header: first cell of the row
    assert "a new row without an ID" in _comment(sheet, "A8")

    for untouched in ("A2", "C2", "B3", "B5", "D6"):
        assert sheet[untouched].fill.fill_type is None and sheet[untouched].comment is None


def test_values_header_notes_and_hidden_sheets_are_kept(source: Path, tmp_path: Path) -> None:
    output = tmp_path / "out" / "annotated.xlsx"
    annotate_workbook(source, output, PLAN)
    book = load_workbook(output)
    sheet = book[SHEET]
    assert [[c.value for c in row] for row in sheet.iter_rows(min_row=2, max_row=6)] == ROWS
    assert sheet["A1"].comment is not None and sheet["A1"].comment.text == "Path: /primary_id"
    assert book["_sheetsync"].sheet_state == "hidden"
    assert sorted(p.name for p in output.parent.iterdir()) == ["annotated.xlsx"]


def test_a_cell_inside_merged_cells_marks_the_merge(source: Path, tmp_path: Path) -> None:
    book = load_workbook(source)
    book[SHEET].merge_cells("B2:C2")  # the person merged the title with the position
    book.save(source)
    plan = _plan(
        [
            _record(
                "0001234", Status.CHANGE, 2, _edit("Position", "C2", "a", "b", "a", Outcome.WRITE)
            )
        ]
    )
    output = tmp_path / "annotated.xlsx"
    assert annotate_workbook(source, output, plan) == 1
    sheet = load_workbook(output)[SHEET]
    assert _fill(sheet, "B2") == FILLS["write"] and "edited: b" in _comment(sheet, "B2")


def test_the_source_workbook_is_not_modified(source: Path, tmp_path: Path) -> None:
    before = source.read_bytes()
    annotate_workbook(source, tmp_path / "annotated.xlsx", PLAN)
    assert source.read_bytes() == before


def test_a_failed_save_leaves_the_old_output_and_no_temporary(
    source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    output = tmp_path / "annotated.xlsx"
    output.write_bytes(b"yesterday's annotated copy")

    def disk_full(self: Workbook, filename: str) -> None:
        Path(filename).write_bytes(b"half a zip")
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(Workbook, "save", disk_full)
    with pytest.raises(OSError, match="No space"):
        annotate_workbook(source, output, PLAN)
    assert output.read_bytes() == b"yesterday's annotated copy"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["annotated.xlsx", "people.xlsx"]


def test_the_copy_gets_the_usual_file_mode_not_mkstemps_0600(source: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        annotate_workbook(source, tmp_path / "annotated.xlsx", PLAN)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "annotated.xlsx").stat().st_mode) == 0o644


def test_the_output_may_not_be_the_source(source: Path, tmp_path: Path) -> None:
    before = source.read_bytes()
    with pytest.raises(WorkbookError, match="annotated copy must go to another file"):
        annotate_workbook(source, source, PLAN)
    with pytest.raises(WorkbookError, match="annotated copy must go to another file"):
        annotate_workbook(source, tmp_path / "." / "people.xlsx", PLAN)
    assert source.read_bytes() == before


def test_an_export_written_by_sheetsync_can_be_annotated(tmp_path: Path) -> None:
    """A real export, protected (`export --protect`), with dropdowns and header notes: all
    survive."""
    template = load_template("researchers")
    info = ExportInfo("exp-1", template.name, template.sha256, template.source,
                      template.entity, "https://example.org", "all", "now", "0.1.0")  # fmt: skip
    source = tmp_path / "export.xlsx"
    texts: list[str | None] = [f"v{n}" for n in range(len(template.columns))]
    table = next(c.code_table for c in template.columns if c.code_table and not c.readonly)
    positions = {table: [("lecturer", "Lecturer"), ("reader", "Reader")]}
    sheet_title = entity_of(template.entity).sheet_title
    with ExportWriter(
        source, template, info, positions, data_sheet=sheet_title, protect=True
    ) as writer:
        for n in range(3):
            writer.add(f"000{n}", "f" * 64, [f"000{n}", *texts[1:]])
    index = [c.header for c in template.columns].index("Display title")
    letter, text = get_column_letter(index + 1), f"v{index}"
    plan = _plan(
        [
            _record(
                "0001",
                Status.CHANGE,
                3,
                _edit("Display title", f"{letter}3", text, "Prof", text, Outcome.WRITE),
            )
        ]
    )
    output = tmp_path / "export.annotated.xlsx"
    assert annotate_workbook(source, output, plan) == 1
    sheet = load_workbook(output)[SHEET]
    assert _fill(sheet, f"{letter}3") == "C6EFCE"
    assert sheet.protection.sheet
    assert [v.sqref for v in sheet.data_validations.dataValidation]  # the dropdown is kept
    assert sheet["A1"].comment is not None and "Path: /primary_id" in sheet["A1"].comment.text
