"""Cell text: escaping survives a real write and read, and values format as the API has them."""

from __future__ import annotations

import zipfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from python_calamine import CalamineWorkbook

from sheetsync.workbook.cells import (
    EXCEL_CELL_LIMIT,
    cell_text,
    is_oversized,
    ooxml_escape,
    oversized_placeholder,
    text_digest,
    xlsx_text,
)

TRICKY = [
    "Line_x000D_Feed artefacts",
    "_x005F_x000D_",
    "a\r\nb",
    "a\rb\n\nc",
    "=SUM(A1:A9)",
    "+/- 5% tolerance",
    "-omics integration",
    "@risk modelling",
    "tab\there",
    "bell\x07 and nul\x00",
    "lone \ud800 surrogate",
    "PMC9963672 ",
    "β-catenin “quoted” – dash",  # noqa: RUF001 - real titles have typographic punctuation
    "x_x0041_y_X00E9_z",
    "",
]


def _round_trip(texts: list[str], path: Path) -> list[str]:
    """Write `texts` as export string cells, read them back as calamine does."""
    from openpyxl.cell import WriteOnlyCell

    book = Workbook(write_only=True)
    sheet = book.create_sheet("data")
    for text in texts:
        cell = WriteOnlyCell(sheet, value=ooxml_escape(text))
        cell.data_type = "s"
        sheet.append(["#", cell])  # the marker keeps a row with an empty text from vanishing
    book.save(path)
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("data").to_python()
    return [str(row[1]) if len(row) > 1 else "" for row in rows]


def test_tricky_texts_survive_a_write_and_read(tmp_path: Path) -> None:
    back = _round_trip(TRICKY, tmp_path / "t.xlsx")
    expected = [t.encode("utf-16", "surrogatepass").decode("utf-16", "replace") for t in TRICKY]
    assert back[:10] == TRICKY[:10]
    assert back[11:] == expected[11:]
    sheet = zipfile.ZipFile(tmp_path / "t.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in sheet  # no formula cells, whatever the text


# Texts built from fragments that form (and nearly form) OOXML escapes, plus any character.
FRAGMENTS = st.sampled_from(
    ["_", "x", "X", "0", "00", "5F", "D", "_x000D_", "_x005F_", "\r", "\n", "="]
)
TEXTS = st.lists(FRAGMENTS | st.characters(blacklist_categories=["Cs"]), max_size=24).map("".join)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(TEXTS, max_size=20))
def test_any_text_survives_a_write_and_read(tmp_path: Path, texts: list[str]) -> None:
    assert _round_trip(texts, tmp_path / "p.xlsx") == texts


def test_cell_text_formats_scalars_as_the_api_has_them() -> None:
    assert cell_text(None, None) is None
    assert cell_text("0012", None) == "0012"
    assert cell_text(True, None) == "true"
    assert cell_text("true", None) == "true"
    assert cell_text(1, None) == "1"
    assert cell_text(1.5, None) == "1.5"
    assert cell_text(["a", None, "b"], "; ") == "a; b"
    assert cell_text([], "; ") is None
    assert cell_text({"value": "x"}, None) == '{"value":"x"}'


def test_oversized_values_are_detected_and_described() -> None:
    text = "x" * (EXCEL_CELL_LIMIT + 1)
    assert is_oversized(text) and not is_oversized("x" * EXCEL_CELL_LIMIT)
    assert "32,768 characters" in oversized_placeholder(text)
    assert text_digest(text).startswith("sha256:") and len(text_digest(text)) == 71


def test_excel_counts_characters_beyond_u_ffff_twice() -> None:
    """Excel's limit is in UTF-16 units: a text of emoji under the limit in characters but
    over it in units is oversized (a writer would otherwise truncate it silently)."""
    emoji = "\U0001f600"
    assert is_oversized(emoji * (EXCEL_CELL_LIMIT // 2 + 1))
    assert not is_oversized(emoji * (EXCEL_CELL_LIMIT // 2))
    assert not is_oversized(None) and not is_oversized("")


def test_xlsx_text_hands_markup_shaped_text_over_as_plain_text() -> None:
    assert xlsx_text("=1+1") == "=1+1"
    assert (
        xlsx_text("<r>a & b</r>")
        == '<r><t xml:space="preserve">&lt;r&gt;a &amp; b&lt;/r&gt;</t></r>'
    )
