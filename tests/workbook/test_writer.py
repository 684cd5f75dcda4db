"""The export writer alone: it streams, never half-writes, and checksums the baseline."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
import tracemalloc
import zipfile
import zlib
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import pytest
import xlsxwriter.workbook
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sheetsync.errors import ExportError
from sheetsync.esploro.entities import entity_of
from sheetsync.records import fingerprint
from sheetsync.template import load_template
from sheetsync.workbook import META_SHEET, ExportInfo, ExportWriter, column_note
from sheetsync.workbook.cells import cell_text
from sheetsync.workbook.reader import read_export
from sheetsync.workbook.writer import ZIP_LEVEL, StreamingBook, write_text
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


# Characters the row path must treat with care, and plain ones, so short texts hit every case.
_CAREFUL = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("_x0Dd5F &<>\"'\t\n\r\x00\x07\x1b\u00a0\u2028\ufffe\ud800é")),
        st.characters(categories=("L", "N", "P", "S", "Z", "Cc", "Cs")),
    ),
    max_size=12,
)
_STYLES = ("plain", "read-only", None)
_LONE = re.compile(r"[\ud800-\udfff]")  # no file holds one: `cell_text` spells them out


def _sheet_xml(cells_by_row: list[list[tuple[str | None, str | None]]], *, row_path: bool) -> bytes:
    """The data sheet's XML for these rows, written through the row path or cell by cell
    through XlsxWriter's own methods, under the same header."""
    book = StreamingBook()
    sheet = book.add_worksheet("S")
    write_text(sheet, 0, 0, "header", book.styles["header"])
    for number, cells in enumerate(cells_by_row, start=1):
        styled = [(text, book.styles[name] if name else None) for text, name in cells]
        if row_path:
            sheet.append_row(number, styled)
        else:
            for col, (text, cell_format) in enumerate(styled):
                write_text(sheet, number, col, text, cell_format)
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "s.xlsx"
        book.save_to(path)
        return zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.tuples(st.none() | _CAREFUL, st.sampled_from(_STYLES)), max_size=6),
        max_size=4,
    )
)
def test_the_row_path_writes_exactly_the_xml_xlsxwriter_writes(
    rows: list[list[tuple[str | None, str | None]]],
) -> None:
    """The export's rows skip XlsxWriter's per-cell methods for speed; the file must not be
    able to tell. (A text shaped like `<r>...</r>` is the one XlsxWriter is handed differently,
    as a rich string: `test_tricky_texts_come_back_exactly_as_text_never_a_formula` reads it.)"""
    rows = [[c for c in row if not (c[0] or "").startswith("<r>")] for row in rows]
    assert _sheet_xml(rows, row_path=True) == _sheet_xml(rows, row_path=False)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_CAREFUL.filter(lambda t: not _LONE.search(t)), min_size=1, max_size=8))
def test_any_text_comes_back_exactly_through_the_row_path(texts: list[str]) -> None:
    with tempfile.TemporaryDirectory() as temp:
        path = Path(temp) / "any.xlsx"
        rows = _tricky_export(path, texts)
        assert _data_texts(path) == rows


def test_rows_go_in_order_and_a_sheet_never_drops_rows_beyond_excels_last(tmp_path: Path) -> None:
    book = StreamingBook()
    sheet = book.add_worksheet("S")
    sheet.append_row(0, [("a", None)])
    sheet.append_row(5, [("b", None)])
    with pytest.raises(ValueError, match="in order"):
        sheet.append_row(5, [("c", None)])
    with pytest.raises(ExportError, match="do not fit in one worksheet"):
        sheet.append_row(1_048_576, [("d", None)])
    book.discard()


def test_metadata_longer_than_a_cell_is_split_and_read_back_whole(tmp_path: Path) -> None:
    """Descriptions of a large code table (thousands of organisation units) make the `#meta`
    JSON longer than Excel's 32,767-character cell, which a writer would truncate: a workbook
    plan could no longer read."""
    path = tmp_path / "out.xlsx"
    labels = {f"UNIT-{n:05}": f"Department of Something Quite Long Number {n}" for n in range(3000)}
    header = TEMPLATE.columns[2].header
    info = replace(_info(), id_header=TEMPLATE.id_column.header, labels={header: labels})
    with ExportWriter(path, TEMPLATE, info, {}, data_sheet=SHEET_TITLE) as writer:
        writer.add("1", "f", _row(1))
    assert len(json.dumps(labels)) > 3 * 32_767
    assert read_export(path).meta["labels"][header] == labels


def test_a_lone_surrogate_from_the_api_exports_and_reads_back_unchanged(tmp_path: Path) -> None:
    """JSON can carry half a UTF-16 pair; no workbook can. Its cell and baseline both hold the
    spelling `_xD800_`, so the checksum holds and plan sees no edit."""
    record = {"name": "broken \ud800 text"}
    text = cell_text(record["name"], None)
    assert text == "broken _xD800_ text"
    assert len(fingerprint(record)) == 64
    path = tmp_path / "out.xlsx"
    rows = _tricky_export(path, [str(text)])
    readout = read_export(path)
    assert [list(r.texts.values()) for r in readout.baseline.values()] == rows


def test_the_package_is_deflated_at_the_quick_level(tmp_path: Path) -> None:
    """Compression is the one cost left after the last record arrives (docs/performance.md)."""
    path = tmp_path / "out.xlsx"
    with ExportWriter(path, TEMPLATE, _info(), {}, data_sheet=SHEET_TITLE) as writer:
        for n in range(200):
            writer.add(str(n), "f" * 64, _row(n))
    with zipfile.ZipFile(path) as package:
        info = package.getinfo("xl/worksheets/sheet1.xml")
        data = package.read(info)
    quick = zlib.compressobj(ZIP_LEVEL, zlib.DEFLATED, -15)
    assert info.compress_size == len(quick.compress(data) + quick.flush())
    assert xlsxwriter.workbook.ZipFile is zipfile.ZipFile  # put back after the save
