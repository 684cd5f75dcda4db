"""Workbook writers side by side: the export's rows written by each candidate library.

    python bench/writer.py [--rows 20000] [--rounds 2]

The rows are ROWS research assets from the sandbox's seed (`sheetsync.sandbox.seed`), turned into
cell texts as `sheetsync.exporting` does for the built-in `assets` template (its real width).
Every candidate writes what an export writes: the data sheet (header with notes, text cells,
grey read-only columns, frozen panes, autofilter, widths, landscape print setup, dropdowns from
a hidden `_lists` sheet) and the hidden baseline sheet (ID, fingerprint, oversized, the texts),
as far as the library can; what it cannot is said in the table. Candidates:

  * openpyxl write-only: the export writer up to issue 14 (the baseline of the ratios);
  * XlsxWriter constant_memory: the same workbook with XlsxWriter;
  * sheetsync ExportWriter: the export writer in this checkout, baseline checksum included;
  * PyExcelerate and rustpy-xlsxwriter: data and baseline sheets with the features they have.

A candidate whose library is not installed is skipped, saying so (`pip install XlsxWriter
pyexcelerate rustpy-xlsxwriter`). Rounds are interleaved and the median is reported, with the
ratio against openpyxl in the same process: on 2 shared cores absolute times are noisy. Each
candidate is also asked to write the text `=1+1` and a literal `_x000D_`, and the file read back
with python-calamine: "text safe" says whether both came back as the same text, not a formula.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import tempfile
import time
import uuid
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from python_calamine import CalamineWorkbook

from sheetsync.esploro.entities import entity_of
from sheetsync.fieldpath import read_value
from sheetsync.records import fingerprint, record_id
from sheetsync.sandbox.seed import generate_assets, generate_researchers
from sheetsync.template import Template, load_template
from sheetsync.workbook import BASELINE_HEADER, ExportInfo, ExportWriter, column_note
from sheetsync.workbook.cells import cell_text, ooxml_escape

Row = tuple[str, str, list[str | None]]  # record ID, fingerprint, cell texts
CODES = [(f"code{n}", f"Description {n}") for n in range(40)]  # one dropdown list


@dataclass
class Job:
    template: Template
    rows: list[Row]
    sheet: str


def make_rows(count: int) -> Job:
    template = load_template("assets")
    researchers = list(generate_researchers(1, 300))
    rows: list[Row] = []
    for record, _updated in generate_assets(1, count, researchers):
        texts = [cell_text(read_value(record, c.path), c.join) for c in template.columns]
        rows.append((record_id(record, template.id_path), fingerprint(record), texts))
    return Job(template, rows, entity_of(template.entity).sheet_title)


def baseline_row(row: Row) -> list[str | None]:
    return [row[0], row[1], "", *row[2]]


# ---------------------------------------------------------------------------------- openpyxl


def write_openpyxl(path: Path, job: Job) -> str:
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    book = Workbook(write_only=True)
    top = Alignment(vertical="top")
    grey = PatternFill("solid", fgColor="E7E6E6")
    book.add_named_style(NamedStyle("h", font=Font(bold=True), number_format="@"))
    book.add_named_style(NamedStyle("e", protection=Protection(locked=False), number_format="@"))
    book.add_named_style(NamedStyle("r", fill=grey, alignment=top, number_format="@"))
    data, lists, meta = (book.create_sheet(n) for n in (job.sheet, "_lists", "_sheetsync"))
    lists.sheet_state = meta.sheet_state = "hidden"

    def cell(sheet: Any, text: str | None, style: str | None = None) -> Any:
        made = WriteOnlyCell(sheet, value=None if text is None else ooxml_escape(text))
        if text is not None:
            made.data_type = "s"
        if style:
            made.style = style
        return made

    for code, desc in CODES:
        lists.append([cell(lists, code), cell(lists, desc)])
    data.freeze_panes = "B2"
    setup: Any = data
    setup.page_setup.orientation = "landscape"
    setup.page_setup.fitToWidth, setup.page_setup.fitToHeight = 1, 0
    setup.sheet_properties.pageSetUpPr.fitToPage = True
    data.print_title_rows = "1:1"
    columns = job.template.columns
    for index, column in enumerate(columns, start=1):
        data.column_dimensions[get_column_letter(index)].width = column.width or 22
    header = []
    for column in columns:
        made = cell(data, column.header, "h")
        made.comment = Comment(column_note(column, job.template), "sheetsync")
        header.append(made)
    data.append(header)
    meta.append([cell(meta, t) for t in [*BASELINE_HEADER, *(c.header for c in columns)]])
    styles = ["r" if c.readonly else "e" for c in columns]
    for row in job.rows:
        data.append([cell(data, t, s) for t, s in zip(row[2], styles, strict=True)])
        meta.append([cell(meta, t) for t in baseline_row(row)])
    data.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{len(job.rows) + 1}"
    validation = DataValidation(type="list", formula1="'_lists'!$A$1:$A$40")
    validation.add(f"F2:F{len(job.rows) + 1}")
    data.data_validations.append(validation)
    book.save(path)
    return "all"


# -------------------------------------------------------------------------------- XlsxWriter


def write_xlsxwriter(path: Path, job: Job) -> str:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    text = {"num_format": "@", "valign": "top"}
    header_format = book.add_format({**text, "bold": True})
    editable = book.add_format({**text, "locked": False})
    grey = book.add_format({**text, "pattern": 1, "bg_color": "#E7E6E6"})
    data, lists, meta = (book.add_worksheet(n) for n in (job.sheet, "_lists", "_sheetsync"))
    lists.hide()
    meta.hide()
    for number, (code, desc) in enumerate(CODES):
        lists.write_string(number, 0, code)
        lists.write_string(number, 1, desc)
    data.freeze_panes(1, 1)
    data.set_landscape()
    data.fit_to_pages(1, 0)
    data.repeat_rows(0)
    columns = job.template.columns
    for index, column in enumerate(columns):
        data.set_column(index, index, column.width or 22)
        data.write_string(0, index, column.header, header_format)
        data.write_comment(0, index, column_note(column, job.template), {"author": "sheetsync"})
    for index, title in enumerate([*BASELINE_HEADER, *(c.header for c in columns)]):
        meta.write_string(0, index, title)
    formats = [grey if c.readonly else editable for c in columns]
    for number, row in enumerate(job.rows, start=1):
        for index, (value, cell_format) in enumerate(zip(row[2], formats, strict=True)):
            if value is None:
                data.write_blank(number, index, None, cell_format)
            else:
                data.write_string(number, index, value, cell_format)
        for index, value in enumerate(baseline_row(row)):
            if value is not None:
                meta.write_string(number, index, value)
    data.autofilter(0, 0, len(job.rows), len(columns) - 1)
    data.data_validation(
        1, 5, len(job.rows), 5, {"validate": "list", "source": "=_lists!$A$1:$A$40"}
    )
    book.close()
    return "all"


# ------------------------------------------------------------------------ sheetsync (checkout)


def write_sheetsync(path: Path, job: Job) -> str:
    template = job.template
    info = ExportInfo(
        str(uuid.uuid4()), template.name, template.sha256, template.source, template.entity,
        "http://127.0.0.1:8780", "bench", "now", "bench", id_header=template.id_column.header,
    )  # fmt: skip
    with ExportWriter(path, template, info, {"codes": CODES}, data_sheet=job.sheet) as writer:
        for key, fp, texts in job.rows:
            writer.add(key, fp, texts)
    return "all, + checksum"


# ------------------------------------------------------------------------------ PyExcelerate


def write_pyexcelerate(path: Path, job: Job) -> str:
    from pyexcelerate import Color, Fill, Format, Style, Workbook

    book = Workbook()
    columns = job.template.columns
    data = [[c.header for c in columns], *(row[2] for row in job.rows)]
    sheet = book.new_sheet(job.sheet, data=data)
    grey = Style(fill=Fill(background=Color(231, 230, 230)), format=Format("@"))
    for index, column in enumerate(columns, start=1):
        if column.readonly:
            sheet.set_col_style(index, grey)
    meta = [[*BASELINE_HEADER, *(c.header for c in columns)], *map(baseline_row, job.rows)]
    book.new_sheet("_sheetsync", data=meta)
    book.new_sheet("_lists", data=[list(pair) for pair in CODES])
    book.save(str(path))
    return "no notes, dropdowns, hidden sheets, print setup"


# ------------------------------------------------------------------------- rustpy-xlsxwriter


def write_rustpy(path: Path, job: Job) -> str:
    from rustpy_xlsxwriter import FastExcel

    columns = job.template.columns
    headers = [c.header for c in columns]
    baseline_headers = [*BASELINE_HEADER, *headers]
    data = ({h: t for h, t in zip(headers, row[2], strict=True)} for row in job.rows)
    meta = (dict(zip(baseline_headers, baseline_row(row), strict=True)) for row in job.rows)
    notes = {c.header: column_note(c, job.template) for c in columns}
    (
        FastExcel(str(path))
        .freeze(row=1, col=1)
        .sheet(
            job.sheet,
            data,
            column_widths=[c.width or 22 for c in columns],
            autofilter=True,
            notes=notes,
            page_setup={"landscape": True, "fit_to_pages": (1, 0), "repeat_rows": (0, 0)},
        )
        .sheet("_sheetsync", meta, sheet_view={"hidden": True})
        .save()
    )
    return "no fills, dropdowns or _lists sheet (not tried)"


Writer = Callable[[Path, Job], str]
CANDIDATES: list[tuple[str, str | None, Writer]] = [
    ("openpyxl write-only", "openpyxl", write_openpyxl),
    ("XlsxWriter constant_memory", "xlsxwriter", write_xlsxwriter),
    ("sheetsync ExportWriter", None, write_sheetsync),
    ("PyExcelerate", "pyexcelerate", write_pyexcelerate),
    ("rustpy-xlsxwriter", "rustpy_xlsxwriter", write_rustpy),
]

TRICKY = ["=1+1", "Line_x000D_Feed", "  ", "bell\x07"]


def text_safe(write: Writer, folder: Path, job: Job) -> str:
    """Whether tricky texts come back from the file exactly, as text (never a formula)."""
    template = job.template
    rows: list[Row] = []
    for n, tricky in enumerate(TRICKY):
        texts: list[str | None] = [str(10**15 + n), *[tricky] * (len(template.columns) - 1)]
        rows.append((str(10**15 + n), "f" * 64, texts))
    path = folder / f"tricky-{write.__name__}.xlsx"
    try:
        write(path, Job(template, rows, job.sheet))
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(job.sheet).to_python()
        with zipfile.ZipFile(path) as package:
            formulas = any(b"<f>" in package.read(n) for n in package.namelist() if "sheet" in n)
    except Exception as exc:
        return f"failed: {type(exc).__name__}"
    wrong = [t for t, row in zip(TRICKY, sheet[1:], strict=False) if str(row[1]) != t]
    if formulas or wrong:
        return "NO: " + ", ".join(repr(t) for t in wrong) + (" formula" if formulas else "")
    return "yes"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    started = time.perf_counter()
    job = make_rows(args.rows)
    width = len(job.template.columns)
    cells_per_row = width + width + len(BASELINE_HEADER)  # data row + baseline row
    print(
        f"{args.rows:,} asset rows x {width} columns (+ baseline row of {width + 3}), "
        f"built from the seed in {time.perf_counter() - started:.1f} s"
    )
    present: list[tuple[str, Writer, str]] = []
    for name, module, write in CANDIDATES:
        if module is not None and importlib.util.find_spec(module) is None:
            print(f"  skipped {name}: `{module}` is not installed")
            continue
        version = _version(module)
        present.append((name, write, version))
    times: dict[str, list[float]] = {name: [] for name, _, _ in present}
    features: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        for round_number in range(args.rounds):
            for name, write, _ in present:
                path = folder / f"{round_number}-{write.__name__}.xlsx"
                began = time.perf_counter()
                features[name] = write(path, job)
                times[name].append(time.perf_counter() - began)
                path.unlink()
        safety = {name: text_safe(write, folder, job) for name, write, _ in present}
    _report(present, times, features, safety, args.rows, cells_per_row)


def _version(module: str | None) -> str:
    from importlib.metadata import PackageNotFoundError, version

    names = {
        None: "esploro-sheetsync",
        "xlsxwriter": "XlsxWriter",
        "rustpy_xlsxwriter": "rustpy-xlsxwriter",
    }
    try:
        return version(names.get(module, module or ""))
    except PackageNotFoundError:
        return "?"


def _report(
    present: Sequence[tuple[str, Writer, str]],
    times: dict[str, list[float]],
    features: dict[str, str],
    safety: dict[str, str],
    rows: int,
    cells_per_row: int,
) -> None:
    base = statistics.median(times["openpyxl write-only"]) if "openpyxl write-only" in times else 0
    print(
        f"{'writer':28} {'version':9} {'seconds':>8} {'rows/s':>8} {'cells/s':>9} "
        f"{'vs openpyxl':>11}  text safe  features written"
    )
    for name, _, version in present:
        seconds = statistics.median(times[name])
        ratio = f"{base / seconds:10.2f}x" if base else "         -"
        print(
            f"{name:28} {version:9} {seconds:8.2f} {rows / seconds:8,.0f} "
            f"{rows * cells_per_row / seconds:9,.0f} {ratio}  {safety[name]:9}  {features[name]}"
        )
    print(
        "rounds (s): "
        + "; ".join(f"{n}: " + ", ".join(f"{t:.2f}" for t in times[n]) for n, _, _ in present)
    )
    print(f"cells/s counts both sheets: {cells_per_row} cell positions a row, empty ones too")


if __name__ == "__main__":
    main()
