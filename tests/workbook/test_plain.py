"""The plain-input reader: CSV, TSV and plain .xlsx files made elsewhere, read as they are."""

from __future__ import annotations

import codecs
import csv
import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from sheetsync.errors import WorkbookError
from sheetsync.template import load_template
from sheetsync.workbook.plain import choose_delimiter, has_baseline, read_plain

TEMPLATE = load_template("researchers")
ID = TEMPLATE.id_column.header  # "Primary ID"


def _write(path: Path, lines: list[str], encoding: str = "utf-8", bom: bool = False) -> Path:
    data = "\r\n".join(lines).encode(encoding) + b"\r\n"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def _cells(path: Path, id_column: str | None = None) -> dict[str, dict[str, object]]:
    book = read_plain(path, TEMPLATE, id_column)
    return {str(row.values[ID]): row.values for row in book.rows}


def test_windows_excel_csv_utf8_with_bom_and_semicolons(tmp_path: Path) -> None:
    """What Excel on Windows saves as "CSV UTF-8" where the decimal mark is a comma."""
    path = _write(
        tmp_path / "hr.csv",
        ["Primary ID;Display title;Title (Dr, Prof, ...)", "p1;Maître de conférences, HDR;Dr"],
        bom=True,
    )
    book = read_plain(path, TEMPLATE)
    assert book.warnings == () and book.has_baseline is False and book.baseline == {}
    assert book.data_sheet == "hr.csv" and book.headers == (
        ID,
        "Display title",
        "Title (Dr, Prof, ...)",
    )
    (row,) = book.rows
    assert row.number == 2
    assert row.values == {
        ID: "p1",
        "Display title": "Maître de conférences, HDR",
        "Title (Dr, Prof, ...)": "Dr",
    }
    assert book.cell_ref("Display title", 2) == "B2"


def test_windows_1252_is_read_with_a_warning(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "hr.csv", ["Primary ID;Last name", "p1;Müller Šárka Œuvre €"], "cp1252"
    )
    book = read_plain(path, TEMPLATE)
    assert _cells(path)["p1"]["Last name"] == "Müller Šárka Œuvre €"
    (warning,) = book.warnings
    assert "not UTF-8" in warning and "Windows-1252" in warning and "hr.csv" in warning


def test_utf16_tab_text_as_excel_saves_unicode_text(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_bytes(
        codecs.BOM_UTF16_LE + "Primary ID\tKeywords\r\np1\tÆsir; Þór\r\n".encode("utf-16-le")
    )
    assert _cells(path)["p1"]["Keywords"] == "Æsir; Þór"


def test_tsv_and_plain_utf8(tmp_path: Path) -> None:
    tsv = _write(tmp_path / "a.tsv", ["Primary ID\tDisplay title", "p1\tA, B; C"])
    assert _cells(tsv)["p1"]["Display title"] == "A, B; C"
    csv_path = _write(tmp_path / "a.csv", ["Primary ID,Display title", 'p1,"A; B, C"'])
    assert _cells(csv_path)["p1"]["Display title"] == "A; B, C"


def test_excels_sep_line_names_the_delimiter_and_is_not_a_row(tmp_path: Path) -> None:
    path = _write(tmp_path / "s.csv", ["sep=|", "Primary ID|Display title", "p1|A; B, C"])
    book = read_plain(path, TEMPLATE)
    assert [(r.number, r.values["Display title"]) for r in book.rows] == [(2, "A; B, C")]


def test_formula_looking_cells_stay_text(tmp_path: Path) -> None:
    texts = ["=1+2", "+44 20 7946 0000", "-5", "@home", '=HYPERLINK("http://x","y")']
    lines = ["Primary ID,Display title"] + [
        f'p{i},"{t.replace(chr(34), chr(34) * 2)}"' for i, t in enumerate(texts)
    ]
    cells = _cells(_write(tmp_path / "f.csv", lines))
    assert [cells[f"p{i}"]["Display title"] for i in range(len(texts))] == texts
    assert read_plain(tmp_path / "f.csv", TEMPLATE).formula_cells == frozenset()


def test_headers_match_ignoring_case_and_unknown_ones_are_listed(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.csv", ["primary id,ORCID ID,Keyword,Favourite colour", "p1,x,y,z"])
    book = read_plain(path, TEMPLATE)
    assert book.headers == (ID, "ORCID iD")
    assert book.extra_headers == ("Keyword", "Favourite colour")
    assert book.rows[0].values == {ID: "p1", "ORCID iD": "x"}


def test_id_column_by_another_header(tmp_path: Path) -> None:
    path = _write(tmp_path / "h.csv", ["Researcher ID,ORCID iD", "p1,x", ",", "p2,"])
    cells = _cells(path, id_column="researcher id")
    assert cells == {"p1": {ID: "p1", "ORCID iD": "x"}, "p2": {ID: "p2", "ORCID iD": ""}}
    book = read_plain(path, TEMPLATE, "Researcher ID")
    assert [r.number for r in book.rows] == [2, 4]  # the blank row is skipped, numbers kept


def test_plain_xlsx_is_told_from_an_export_and_read(tmp_path: Path) -> None:
    book = Workbook()
    sheet = book.active
    sheet.title = "ORCID harvest"
    sheet.append(["Researcher ID", "ORCID iD", "Notes"])
    sheet.append([123456789012345, "0000-0002-1825-0097", "=1+2"])
    path = tmp_path / "harvest.xlsx"
    book.save(path)
    assert has_baseline(path) is False
    read = read_plain(path, TEMPLATE, "Researcher ID")
    assert read.data_sheet == "ORCID harvest" and read.extra_headers == ("Notes",)
    assert read.rows[0].values == {ID: 123456789012345, "ORCID iD": "0000-0002-1825-0097"}
    assert has_baseline(_write(tmp_path / "x.csv", ["Primary ID"])) is False


def test_formula_in_a_plain_xlsx_is_found(tmp_path: Path) -> None:
    book = Workbook()
    book.active.append([ID, "Display title"])
    book.active.append(["p1", '=UPPER("a")'])
    path = tmp_path / "f.xlsx"
    book.save(path)
    assert read_plain(path, TEMPLATE).formula_cells == frozenset({"B2"})


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        (
            ["Researcher,Keywords", "p1,x"],
            "no 'Primary ID' column for the record IDs; add it, or name the ID column with "
            "--id-column",
        ),
        (["Primary ID,Keywords,keywords", "p1,x,y"], "the column 'Keywords' twice (B1 and C1)"),
        (["Primary ID;Keywords", "p1;a;b"], "row 2 has 3 values but row 1 has 2 headers"),
        (
            ["Primary ID,Colour", "p1,x"],
            "no column of template 'researchers' besides the IDs (not its: 'Colour')",
        ),
    ],
)
def test_files_that_cannot_be_planned_are_refused_saying_why(
    tmp_path: Path, lines: list[str], message: str
) -> None:
    with pytest.raises(WorkbookError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_plain(_write(tmp_path / "bad.csv", lines), TEMPLATE)


def test_binary_and_unknown_files_are_refused(tmp_path: Path) -> None:
    nul = tmp_path / "nul.csv"
    nul.write_bytes(b"Primary ID\x00,Keywords\r\n")
    with pytest.raises(WorkbookError, match="not a text file"):
        read_plain(nul, TEMPLATE)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(WorkbookError, match=r"\.xlsx workbooks and \.csv"):
        read_plain(old, TEMPLATE)


def test_the_delimiter_is_the_one_that_finds_the_headers() -> None:
    headers = [c.header for c in TEMPLATE.columns]
    assert choose_delimiter("Primary ID;Title (Dr, Prof, ...);Keywords", headers) == ";"
    assert choose_delimiter('Primary ID,"Title (Dr, Prof, ...)"', headers) == ","
    assert choose_delimiter("Primary ID\tDisplay title", headers) == "\t"
    assert choose_delimiter("Primary ID", headers) == ","


_CELL = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    rows=st.lists(
        st.tuples(st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True), _CELL, _CELL), max_size=6
    ),
    delimiter=st.sampled_from([",", ";", "\t"]),
    bom=st.booleans(),
)
def test_any_text_written_by_a_csv_writer_reads_back_exactly(
    tmp_path: Path, rows: list[tuple[str, str, str]], delimiter: str, bom: bool
) -> None:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([ID, "Display title", "Keywords"])
    writer.writerows(rows)
    path = tmp_path / "any.csv"
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + buffer.getvalue().encode("utf-8"))
    book = read_plain(path, TEMPLATE)
    assert [tuple(r.values.values()) for r in book.rows] == rows
    assert book.warnings == ()
