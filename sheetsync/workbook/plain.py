"""Reading a plain sheet or CSV that sheetsync did not export: an HR extract, an ORCID harvest.

Such a file has one column of record IDs (the template's ID header, or the one `--id-column`
names) and any of the template's columns, matched by header, ignoring case. It has no baseline,
so it is read into the same `EditedWorkbook` as an export, with `has_baseline` False and an empty
baseline; the planner then takes the live records as the base (`planning/plain.py`).

Text files (.csv, .tsv, .txt) are decoded as UTF-8 (with or without a byte-order mark), UTF-16
with a byte-order mark (Excel's "Unicode Text"), or else Windows-1252 with a warning, since
that is what Excel on Windows saves as "CSV". The delimiter is the one of comma, semicolon and
tab that splits the header row into the most template headers (then: into the most fields).
The header row is the one line whose content is known in advance, which `csv.Sniffer` cannot
use: it guesses from how evenly characters repeat across lines, and is fooled by a comma or
semicolon inside titles, by quoted line breaks, and by a file of one column. A first line
`sep=;` (Excel's hint) names the delimiter outright and is not a row.

Every cell of a text file is text, never evaluated: `=1+2`, `+44 20 7946`, `-5`, `@home` reach
the plan as typed. A real formula in a plain .xlsx is found as in an export, and refused there.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl.utils import get_column_letter

from sheetsync.errors import WorkbookError
from sheetsync.filekinds import wrong_kind
from sheetsync.planning.model import Plan
from sheetsync.template import Template
from sheetsync.workbook.annotate import annotate_workbook
from sheetsync.workbook.reader import (
    EditedWorkbook,
    SheetRow,
    _formula_cells,
    _open,
    _ref,
    _text,
)
from sheetsync.workbook.tables import write_tables
from sheetsync.workbook.writer import LISTS_SHEET, META_SHEET

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
DELIMITERS = (",", ";", "\t")  # in this order when equally good: comma first
_SHEET_TITLE_UNSAFE = str.maketrans({c: "_" for c in "[]:*?/\\"})
_EXCEL_SHEET_TITLE = 31  # characters
_SEP_HINT = re.compile(r"sep=([,;\t|])")


def has_baseline(path: Path) -> bool:
    """Whether `path` is a sheetsync export (an .xlsx with the hidden `_sheetsync` sheet); a
    text file or a workbook made elsewhere is plain input."""
    if _is_text(path):
        return False
    return META_SHEET in _open(path).sheet_names


def read_plain(path: Path, template: Template, id_column: str | None = None) -> EditedWorkbook:
    """Read a plain sheet or text file of records by ID; raises WorkbookError when it cannot be
    planned at all (no ID column, no template column, a column twice, a ragged text row)."""
    data = path.read_bytes()
    formulas: frozenset[str] = frozenset()  # a text file holds no formulas, only text
    warning: str | None = None
    if _is_text(path):
        text, warning = decode_text(path, data)
        sheet, grid = sheet_title(path.name), _text_rows(path, text, template, id_column)
    else:
        sheet, grid = _workbook_grid(path, template, id_column)
        formulas = _formula_cells(path, sheet)
    columns, extra = _map_headers(grid[0] if grid else [], template, id_column, sheet, path)
    rows = tuple(
        SheetRow(number, {h: line[i] if i < len(line) else "" for h, i in columns.items()})
        for number, line in enumerate(grid[1:], start=2)
        if any(value not in ("", None) for value in line)
    )
    return EditedWorkbook(
        path=path,
        sha256=hashlib.sha256(data).hexdigest(),
        meta={"template_name": template.name, "id_header": template.id_column.header},
        headers=tuple(c.header for c in template.columns if c.header in columns),
        baseline={},
        data_sheet=sheet,
        columns=columns,
        extra_headers=extra,
        missing_headers=(),
        rows=rows,
        formula_cells=formulas,
        has_baseline=False,
        warnings=(warning,) if warning else (),
    )


def annotate_input(
    source: Path, output: Path, plan: Plan, template: Template, id_column: str | None = None
) -> int:
    """The annotated copy of plain input: a workbook's own copy, or for a text file its cells
    as one sheet of string cells (titled as the plan names it), marked as an export would be."""
    if not _is_text(source):
        return annotate_workbook(source, output, plan)
    text, _ = decode_text(source, source.read_bytes())
    grid = _text_rows(source, text, template, id_column)
    header, rows = (grid[0], grid[1:]) if grid else ([], [])
    with tempfile.TemporaryDirectory(prefix="sheetsync-") as folder:
        copy = Path(folder) / "input.xlsx"
        write_tables(copy, [(sheet_title(source.name), header, rows)])
        return annotate_workbook(copy, output, plan)


def sheet_title(name: str) -> str:
    """A file name as a worksheet title (what messages name, and the annotated copy's sheet)."""
    return name.translate(_SHEET_TITLE_UNSAFE)[:_EXCEL_SHEET_TITLE]


def _is_text(path: Path) -> bool:
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES:
        return not zipfile.is_zipfile(path)  # a workbook renamed .csv is still a workbook
    if suffix in WORKBOOK_SUFFIXES or zipfile.is_zipfile(path):
        return False
    mistaken = wrong_kind(path, "workbook")  # a plan or a template given to plan
    if mistaken:
        raise WorkbookError(f"{path}: {mistaken}")
    raise WorkbookError(
        f"{path}: sheetsync plans .xlsx workbooks and .csv, .tsv or .txt text files; save it "
        "as one of those"
    )


def decode_text(path: Path, data: bytes) -> tuple[str, str | None]:
    """The text of a file, and a warning when its encoding had to be guessed."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _decoded(path, data, "utf-16"), None
    if data.startswith(codecs.BOM_UTF8):
        return _decoded(path, data, "utf-8-sig"), None
    try:
        return _no_nul(path, data.decode("utf-8")), None
    except UnicodeDecodeError as exc:
        not_utf8 = exc.start
    text = _decoded(path, data, "cp1252")
    return text, (
        f"{path.name} is not UTF-8 (byte {not_utf8}): it was read as Windows-1252, as Excel on "
        "Windows saves CSV; check accented letters in this plan, or save it as CSV UTF-8"
    )


def _decoded(path: Path, data: bytes, encoding: str) -> str:
    try:
        return _no_nul(path, data.decode(encoding))
    except UnicodeDecodeError as exc:
        raise WorkbookError(
            f"{path}: not readable as {exc.encoding} text (byte {exc.start}); save it as CSV UTF-8"
        ) from None


def _no_nul(path: Path, text: str) -> str:
    if "\x00" in text:
        raise WorkbookError(f"{path}: not a text file (it holds NUL bytes); save it as CSV UTF-8")
    return text


def choose_delimiter(header_line: str, known: Sequence[str]) -> str:
    """The delimiter that splits the header row into the most known headers, then the most
    fields; comma when nothing tells them apart (a file of one column)."""
    wanted = {k.strip().casefold() for k in known}

    def score(delimiter: str) -> tuple[int, int]:
        fields = next(csv.reader([header_line], delimiter=delimiter), [])
        return sum(f.strip().casefold() in wanted for f in fields), len(fields)

    return max(DELIMITERS, key=score)


def _text_rows(path: Path, text: str, template: Template, id_column: str | None) -> list[list[Any]]:
    known = [c.header for c in template.columns] + ([id_column] if id_column else [])
    first, _, rest = text.partition("\n")
    hint = _SEP_HINT.fullmatch(first.rstrip("\r"))
    if hint:  # Excel's own "sep=;" first line: it names the delimiter and is not a row
        delimiter, text = hint.group(1), rest
    else:
        delimiter = choose_delimiter(text.splitlines()[0] if text else "", known)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        grid: list[list[Any]] = list(reader)
    except csv.Error as exc:
        raise WorkbookError(f"{path}: line {reader.line_num} cannot be read ({exc})") from None
    width = len(grid[0]) if grid else 0
    shown = "tab" if delimiter == "\t" else repr(delimiter)
    for number, line in enumerate(grid[1:], start=2):
        if len(line) > width and any(v.strip() for v in line[width:]):
            raise WorkbookError(
                f"{path}: row {number} has {len(line)} values but row 1 has {width} headers "
                f"(separated by {shown}); put a value that holds {shown} in double quotes"
            )
    return grid


def _workbook_grid(
    path: Path, template: Template, id_column: str | None
) -> tuple[str, list[list[Any]]]:
    """The sheet whose first row holds the ID column, and its cells."""
    book = _open(path)
    wanted = (id_column or template.id_column.header).strip().casefold()
    found = []
    for name in book.sheet_names:
        if name in (META_SHEET, LISTS_SHEET):
            continue
        grid: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
        if grid and wanted in [_text(v).strip().casefold() for v in grid[0]]:
            found.append((name, grid))
    if len(found) != 1:
        sheets = ", ".join(repr(name) for name, _ in found) or "no sheet"
        raise WorkbookError(
            f"{path}: {sheets} has '{id_column or template.id_column.header}' in row 1; plain "
            "input needs exactly one sheet with the ID column's header in row 1 (another "
            "header: --id-column NAME)"
        )
    name, grid = found[0]
    merged = book.get_sheet_by_name(name).merged_cell_ranges
    if merged:
        (first, last), *_ = merged
        raise WorkbookError(
            f"{path}: sheet '{name}' has merged cells ({_ref(first)}:{_ref(last)}); unmerge them"
        )
    return name, grid


def _map_headers(
    first_row: Sequence[Any], template: Template, id_column: str | None, sheet: str, path: Path
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Template header -> column index, matched ignoring case; the headers that match none."""
    id_header = template.id_column.header
    id_key = (id_column or id_header).strip().casefold()
    columns: dict[str, int] = {}
    extra: list[str] = []
    for index, value in enumerate(first_row):
        header = _text(value).strip()
        if not header:
            continue
        if header.casefold() == id_key:
            target = id_header
        else:
            try:
                target = template.column(header).header
            except KeyError:
                extra.append(header)
                continue
        if target in columns:
            raise WorkbookError(
                f"{path}: '{sheet}' has the column '{target}' twice ({_letter(columns[target])}1 "
                f"and {_letter(index)}1); delete one"
            )
        columns[target] = index
    if id_header not in columns:
        raise WorkbookError(
            f"{path}: row 1 of '{sheet}' has no '{id_column or id_header}' column for the record "
            "IDs; add it, or name the ID column with --id-column NAME"
        )
    if len(columns) == 1:
        names = ", ".join(c.header for c in template.columns if not c.readonly)
        others = f" (not its: {', '.join(repr(h) for h in extra)})" if extra else ""
        raise WorkbookError(
            f"{path}: no column of template '{template.name}' besides the IDs{others}, so there "
            f"is nothing to plan; name the columns as the template does: {names}"
        )
    return columns, tuple(extra)


def _letter(index: int) -> str:
    return get_column_letter(index + 1)
