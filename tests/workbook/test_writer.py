"""The export writer alone: it streams, never half-writes, and checksums the baseline."""

from __future__ import annotations

import hashlib
import json
import shutil
import tracemalloc
import zipfile
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sheetsync.errors import ExportError
from sheetsync.esploro.entities import entity_of
from sheetsync.template import load_template
from sheetsync.workbook import META_SHEET, ExportInfo, ExportWriter, column_note
from sheetsync.workbook.reader import read_export
from tests.libreoffice import convert

TEMPLATE = load_template("researchers")
SHEET_TITLE = entity_of(TEMPLATE.entity).sheet_title


def _info() -> ExportInfo:
    t = TEMPLATE
    return ExportInfo("id-1", t.name, t.sha256, t.source, t.entity, "http://x", "all", "now", "0")


def _row(n: int) -> list[str | None]:
    return [None if j % 3 == 1 else f"value {n}.{j} " * 4 for j in range(len(TEMPLATE.columns))]


def _peak_bytes(rows: int, path: Path) -> int:
    tracemalloc.start()
    with ExportWriter(path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer:
        for n in range(rows):
            writer.add(str(10**15 + n), "f" * 64, _row(n))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_the_writer_streams_memory_does_not_grow_with_rows(tmp_path: Path) -> None:
    small = _peak_bytes(150, tmp_path / "small.xlsx")
    large = _peak_bytes(1500, tmp_path / "large.xlsx")
    assert large < small * 1.5 + 1_000_000, (small, large)


def test_a_failed_export_leaves_the_old_file_and_no_temporary_files(tmp_path: Path) -> None:
    target = tmp_path / "out.xlsx"
    target.write_bytes(b"the person's previous export")
    with (
        pytest.raises(RuntimeError),
        ExportWriter(target, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer,
    ):
        writer.add("1", "f", _row(1))
        raise RuntimeError("the connection died mid-export")
    assert target.read_bytes() == b"the person's previous export"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


def test_a_row_with_the_wrong_number_of_cells_is_refused(tmp_path: Path) -> None:
    with (
        pytest.raises(ValueError),
        ExportWriter(tmp_path / "x.xlsx", TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as w,
    ):
        w.add("1", "f", ["too few"])
    assert list(tmp_path.iterdir()) == []


def test_meta_checksum_covers_every_baseline_row(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    with ExportWriter(path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer:
        for n in range(3):
            writer.add(str(n), f"fp{n}", _row(n))
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(META_SHEET).to_python()
    meta = json.loads(rows[-1][1])
    digest = hashlib.sha256()
    for row in rows[2:-1]:  # read back independently: empty cells come back as ""
        digest.update(json.dumps([str(v) for v in row], ensure_ascii=False).encode())
    assert any(v == "" for row in rows[2:-1] for v in row)
    assert meta["baseline_sha256"] == digest.hexdigest() and meta["records"] == 3


def test_header_notes_say_path_type_and_rules() -> None:
    keywords = next(c for c in TEMPLATE.columns if c.join)
    note = column_note(keywords, TEMPLATE)
    assert f"Path: {keywords.path}" in note and f'"{keywords.join}"' in note
    assert "Do not change it" in column_note(TEMPLATE.id_column, TEMPLATE)


def test_the_data_sheet_prints_landscape_one_page_wide_with_the_header_on_every_page(
    tmp_path: Path,
) -> None:
    path = tmp_path / "out.xlsx"
    with ExportWriter(path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer:
        for n in range(60):
            writer.add(str(n), f"fp{n}", _row(n))
    sheet = load_workbook(path)[SHEET_TITLE]
    setup = sheet.page_setup
    fit_width = 1 if setup.fitToWidth is None else setup.fitToWidth  # 1: OOXML's default
    assert (setup.orientation, fit_width, setup.fitToHeight) == ("landscape", 1, 0)
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
    assert sheet.print_title_rows == "$1:$1"


def test_the_sheet_is_unprotected_unless_asked(tmp_path: Path) -> None:
    for protect in (False, True):
        path = tmp_path / f"protect-{protect}.xlsx"
        with ExportWriter(
            path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE, protect=protect
        ) as writer:
            writer.add("1", "f", _row(1))
        assert load_workbook(path)[SHEET_TITLE].protection.sheet is protect


def test_a_file_that_appears_during_an_export_is_not_replaced(tmp_path: Path) -> None:
    """`overwrite=False` is checked again at the end: the person may have saved a workbook
    under that name while the records were being fetched."""
    target = tmp_path / "out.xlsx"
    with (
        pytest.raises(ExportError, match="already exists"),
        ExportWriter(target, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE, overwrite=False) as w,
    ):
        w.add("1", "f", _row(1))
        target.write_bytes(b"saved meanwhile")
    assert target.read_bytes() == b"saved meanwhile"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.xlsx"]


# Texts a spreadsheet writer gets wrong: formulas, OOXML escapes, whitespace alone, control
# characters, a text shaped like XlsxWriter's own rich-string markup, characters beyond U+FFFF.
TRICKY = [
    "=1+1",
    "=SUM(A1:A9)",
    "Line_x000D_Feed",
    "_x005F_x000D_",
    "   ",
    "\t\n ",
    "a\r\nb",
    "bell\x07 nul\x00 esc\x1b",
    "<r>not markup</r>",
    "<r><t>x</t></r>",
    '&amp; <b> "quoted"',
    "beyond U+FFFF: \U0001d518 \U0001f600",
    " leading and trailing ",
]


# LibreOffice itself changes these on a re-save, whoever wrote the file: it writes a line end
# as "\n" alone, and a literal escape of an escape back unescaped (it reads `_x005F_x000D_`).
LIBREOFFICE_CHANGES = {"a\r\nb", "_x005F_x000D_"}


def _tricky_export(path: Path, texts: Sequence[str] = TRICKY) -> list[list[str | None]]:
    """An export whose every cell after the ID holds a tricky text; returns the rows' texts."""
    width = len(TEMPLATE.columns)
    rows = [[str(10**15 + n), *[text] * (width - 1)] for n, text in enumerate(texts)]
    info = replace(_info(), id_header=TEMPLATE.id_column.header)
    with ExportWriter(path, TEMPLATE, info, {}, data_sheet=SHEET_TITLE) as writer:
        for row in rows:
            writer.add(str(row[0]), "f" * 64, row)
    return [list(row) for row in rows]


def _data_texts(path: Path) -> list[list[str]]:
    sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(SHEET_TITLE)
    return [[str(v) for v in row] for row in sheet.to_python(skip_empty_area=False)[1:]]


def test_tricky_texts_come_back_exactly_as_text_never_a_formula(tmp_path: Path) -> None:
    path = tmp_path / "tricky.xlsx"
    rows = _tricky_export(path)
    assert _data_texts(path) == rows
    baseline = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(META_SHEET).to_python()
    assert [row[3:] for row in baseline[2:-1]] == rows
    with zipfile.ZipFile(path) as package:
        sheets = [n for n in package.namelist() if n.startswith("xl/worksheets/sheet")]
        assert not any(b"<f>" in package.read(n) for n in sheets)
    sheet = load_workbook(path)[SHEET_TITLE]
    assert {sheet.cell(r, 2).data_type for r in range(2, len(rows) + 2)} == {"s"}


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_tricky_texts_survive_a_libreoffice_resave(tmp_path: Path) -> None:
    """Opened and saved again by LibreOffice, every text still reads back as written, and the
    baseline still matches its checksum: a re-save creates no phantom edits."""
    path = tmp_path / "tricky.xlsx"
    rows = _tricky_export(path, [t for t in TRICKY if t not in LIBREOFFICE_CHANGES])
    resaved = convert(path, "xlsx", tmp_path / "lo", tmp_path / "profile")
    assert _data_texts(resaved) == rows
    readout = read_export(resaved)
    assert readout.formula_cells == frozenset()
    for row in rows:
        shown = next(r for r in readout.rows if r.values[TEMPLATE.id_column.header] == row[0])
        assert [str(shown.values[c.header]) for c in TEMPLATE.columns] == row
        assert list(readout.baseline[str(row[0])].texts.values()) == row


def test_the_export_id_is_stamped_in_the_document_properties(tmp_path: Path) -> None:
    path = tmp_path / "out.xlsx"
    with ExportWriter(path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer:
        writer.add("1", "f", _row(1))
    core = zipfile.ZipFile(path).read("docProps/core.xml").decode()
    assert "<dc:identifier>id-1</dc:identifier>" in core
    assert load_workbook(path).properties.identifier == "id-1"


def test_empty_cells_keep_their_column_format(tmp_path: Path) -> None:
    """An empty cell is still text-formatted, grey and locked in a read-only column, unlocked
    in an editable one: a person typing into it gets text, and the colour says what is safe."""
    path = tmp_path / "out.xlsx"
    with ExportWriter(path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer:
        writer.add("1", "f", ["1", *[None] * (len(TEMPLATE.columns) - 1)])
    sheet = load_workbook(path)[SHEET_TITLE]
    for index, column in enumerate(TEMPLATE.columns[1:], start=2):
        cell = sheet.cell(2, index)
        assert cell.value is None and cell.number_format == "@"
        assert cell.protection.locked == column.readonly
        assert cell.fill.fgColor.rgb.endswith("E7E6E6") == column.readonly
