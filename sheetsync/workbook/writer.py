"""Export workbooks: writing them, streaming. The one owner of XlsxWriter (`sheetsync.workbook`).

An export workbook has three sheets:

* the data sheet (named after the entity): a frozen header row whose notes name each column's
  path and rules, one row per record, every value a string cell. ID and read-only columns are
  grey, and their header notes say edits there are refused (plan refuses them, naming the cell).
  The sheet is not protected unless asked (`protect=True`): on a protected sheet LibreOffice
  silently ignores a sort and refuses to delete rows or insert columns, and Excel refuses to
  sort a range holding locked cells, so protection stops ordinary spreadsheet work while plan
  is what guards the read-only columns anyway. Code-table columns get dropdowns. It prints
  landscape, one page wide, with the header row on every page.
* `_lists` (hidden): the code tables the dropdowns draw from, so Excel's 255-character limit on
  inline lists never applies.
* `_sheetsync` (hidden): the baseline. Row 1 is a marker with the format version and export ID,
  row 2 names the columns, then one row per record (ID, fingerprint of the whole record,
  oversized columns, the exported cell texts), and a last `#meta` row holding the export's
  metadata as JSON with a checksum over the baseline rows.

The writer streams (XlsxWriter's constant-memory mode): a row goes to a temporary file as the
next one starts, so an export of 100,000 records never holds them as cell objects at once. It
was chosen over openpyxl's write-only mode for speed (figures in docs/performance.md) and has
every feature the export needs. The records' rows skip XlsxWriter's per-cell methods, which
cost more than the API's pace allows: `_Sheet.append_row` writes each row as the very XML
XlsxWriter would (a test compares the bytes). It writes to a temporary file beside the target
and renames it into place only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.core import Core
from xlsxwriter.format import Format
from xlsxwriter.packager import Packager
from xlsxwriter.utility import _preserve_whitespace, xl_col_to_name, xl_rowcol_to_cell_fast
from xlsxwriter.worksheet import CellBlankTuple, Worksheet

from sheetsync.errors import ExportError
from sheetsync.files import PRIVATE, replace_atomically
from sheetsync.report.words import existing_output
from sheetsync.template import Column, Template
from sheetsync.workbook.cells import (
    is_oversized,
    ooxml_escape,
    oversized_placeholder,
    text_digest,
    xlsx_text,
)

FORMAT_VERSION = 1
MARKER = "sheetsync"
META_SHEET = "_sheetsync"
LISTS_SHEET = "_lists"
META_ROW_TAG = "#meta"
BASELINE_HEADER = ("record_id", "fingerprint", "oversized")

CodeList = Sequence[tuple[str, str]]  # (code, description)


@dataclass(frozen=True)
class ExportInfo:
    """What the `#meta` row records about an export (never the API key)."""

    export_id: str
    template_name: str
    template_sha256: str
    template_source: str
    entity: str
    base_url: str
    selection: str
    exported_at: str
    sheetsync_version: str
    id_header: str = ""  # the ID column's header: how plan finds the data sheet after a rename
    format_version: int = FORMAT_VERSION
    columns: list[dict[str, str]] = field(default_factory=list)
    # header -> code -> description, for columns that show descriptions: how plan reads back
    labels: dict[str, dict[str, str]] = field(default_factory=dict)
    # read-only helper columns beside the data (an apply's results): reading ignores them
    helper_headers: list[str] = field(default_factory=list)
    # exported from a sandbox serving a snapshot of this Esploro: plan may run against it
    copy_of: str = ""


@dataclass(frozen=True)
class HelperColumns:
    """Read-only columns an apply's results workbook adds to the data sheet: one saying why a
    record was not updated (after the ID column), and one beside each column in `beside`
    (template header -> helper header) showing what Esploro holds now. Their headers are
    recorded in the `#meta` row, so reading the workbook back ignores them."""

    why: str = ""  # the why column's header; "" for none
    beside: Mapping[str, str] = field(default_factory=dict)

    @property
    def headers(self) -> list[str]:
        return [h for h in (self.why, *self.beside.values()) if h]


@dataclass(frozen=True)
class RowExtras:
    """What a results row shows beyond the exported record: the person's intended values in
    place of the live ones (highlighted; the baseline keeps the live ones, so planning the row
    finds exactly these edits), what Esploro holds now beside the cells in `now`, and why."""

    intended: Mapping[str, str | None] = field(default_factory=dict)  # header -> text
    now: frozenset[str] = frozenset()  # headers whose "in Esploro now" cell is filled
    why: str = ""


def baseline_row_digest_input(row: Sequence[str | None]) -> bytes:
    """What the baseline checksum hashes for one row: an empty cell reads back as "", so it is
    hashed as "" too, whoever reads the sheet."""
    return json.dumps(["" if text is None else text for text in row], ensure_ascii=False).encode()


# How much of the `#meta` JSON one cell holds: well inside Excel's 32,767 UTF-16 units even
# if every character counted twice.
META_CELL_CHARS = 16_000


def meta_cells(text: str) -> list[str]:
    """The `#meta` JSON split over as many cells as it needs (the code tables' descriptions can
    make it longer than one cell holds); reading joins the row's cells again."""
    return [text[i : i + META_CELL_CHARS] for i in range(0, len(text), META_CELL_CHARS)] or [""]


def column_note(column: Column, template: Template) -> str:
    """The header note: where the column's values live and what they must look like."""
    lines = [f"Path: {column.path}"]
    kind = column.type + (f" (code table {column.code_table})" if column.code_table else "")
    lines.append(f"Type: {kind}")
    if column is template.id_column:
        lines.append("Record ID: rows are matched by it. Do not change it.")
    elif column.readonly:
        lines.append("Read-only: edits here are refused.")
    if column.required:
        lines.append("Required: may not be left blank.")
    if column.join:
        lines.append(f'Several values: separate them with "{column.join}".')
    if column.pattern is not None:
        lines.append(f"Must match: {column.pattern.pattern}")
    if column.max_length:
        lines.append(f"At most {column.max_length:,} characters.")
    if column.note:
        lines.append(column.note)
    return "\n".join(lines)


# The cell formats, by name: every one stores text ("@"), so a person typing into an empty cell
# gets text too. Fills: grey for read-only, blue header, orange oversized, yellow carried.
_TEXT: dict[str, Any] = {"num_format": "@", "valign": "top"}
_FORMATS: dict[str, dict[str, Any]] = {
    "header": {
        **_TEXT,
        "bold": True,
        "pattern": 1,
        "bg_color": "#DDEBF7",
        "text_wrap": True,
        "locked": True,
    },
    "editable": {**_TEXT, "locked": False},
    "read-only": {**_TEXT, "pattern": 1, "bg_color": "#E7E6E6", "font_color": "#595959"},
    # a value carried forward, not yet live (an apply's results)
    "carried": {**_TEXT, "pattern": 1, "bg_color": "#FFF2CC", "bold": True, "locked": False},
    "oversized": {
        "num_format": "@",
        "pattern": 1,
        "bg_color": "#FCE4D6",
        "italic": True,
        "font_color": "#833C0B",
    },
    "plain": {"num_format": "@"},
}


class _Core(Core):  # type: ignore[misc]
    """docProps/core.xml with the export ID as dc:identifier, which XlsxWriter does not write:
    the reader checks it against the `_sheetsync` sheet (a sheet copied from another export)."""

    def _write_dc_title(self) -> None:
        super()._write_dc_title()
        identifier = self.properties.get("identifier")
        if identifier:
            self._xml_data_element("dc:identifier", str(identifier))


class _Packager(Packager):  # type: ignore[misc]
    def _write_core_file(self) -> None:
        core = _Core()
        core._set_properties(self.workbook.doc_properties)
        core._set_xml_writer(self._filename("docProps/core.xml"))
        core._assemble_xml_file()


class _Sheet(Worksheet):  # type: ignore[misc]
    """A worksheet that escapes cell text with `ooxml_escape`: XlsxWriter's own escaping
    replaces `_xHHHH_` runs without overlap, so a literal `_x005F_x000D_` would read back as
    `_x005F` and a carriage return."""

    # XlsxWriter's own bookkeeping, which `append_row` keeps as its cell methods would
    dim_rowmin: int | None
    dim_rowmax: int | None
    dim_colmin: int | None
    dim_colmax: int | None
    previous_row: int

    @staticmethod
    def _escape_control_characters(data: Any) -> Any:
        return ooxml_escape(data) if isinstance(data, str) else data

    def _write_cell(self, row: int, col: int, cell: Any) -> None:
        """Most of an export's cells are empty ones carrying a format (grey, unlocked): those
        are written here in one go, the rest as XlsxWriter writes them."""
        if type(cell) is CellBlankTuple and cell.format is not None:
            where = xl_rowcol_to_cell_fast(row, col)
            self.fh.write(f'<c r="{where}" s="{cell.format._get_xf_index()}"/>')
        else:
            super()._write_cell(row, col, cell)

    def append_row(self, row: int, cells: Sequence[tuple[str | None, Format | None]]) -> None:
        """Write one whole row of text cells (an empty one only if it has a format) straight
        to the row file, as exactly the XML XlsxWriter writes cell by cell: the export's rows
        are most of its time, and XlsxWriter's per-cell path (bounds, a cell table, escaping
        and one file write per cell) cost three times what the API allows. Rows come in order,
        after any written through XlsxWriter's own methods (the header). Texts must already fit
        a cell (`is_oversized`); `_row_xml` escapes them."""
        if row >= self.xls_rowmax:
            raise ExportError(
                f"sheet '{self.name}': more than {self.xls_rowmax - 1:,} records do not fit "
                "in one worksheet; export fewer at a time (--limit, --where, --updated-since)"
            )
        if row < self.previous_row or (row == self.previous_row and self.dim_rowmin is not None):
            raise ValueError(f"row {row} after row {self.previous_row}: rows go in order")
        self._write_single_row(row)  # the row before, if it was written cell by cell
        written = _row_xml(row, cells)
        if written is None:
            return
        xml, first, last = written
        self.fh.write(xml)
        if self.dim_rowmin is None:
            self.dim_rowmin = row
        self.dim_rowmax = row
        if self.dim_colmin is None or first < self.dim_colmin:
            self.dim_colmin = first
        if self.dim_colmax is None or last > self.dim_colmax:
            self.dim_colmax = last


# A text that needs nothing done to be written as it is: no XML specials, no control or
# unpaired characters, no escape-shaped `_x`, no whitespace at either end.
_NEEDS_CARE = re.compile(r"[&<>\x00-\x1f\ud800-\udfff\ufffe\uffff]|_x|^\s|\s$")
_COLUMN_NAMES: list[str] = []


def _column_name(col: int) -> str:
    while len(_COLUMN_NAMES) <= col:
        _COLUMN_NAMES.append(xl_col_to_name(len(_COLUMN_NAMES)))
    return _COLUMN_NAMES[col]


def _inline_text(text: str) -> str:
    """The `<t>` element of a text needing care, as XlsxWriter writes it (after `ooxml_escape`,
    which `_Sheet` uses for its escaping): `xml:space="preserve"` for whitespace at either end."""
    escaped = ooxml_escape(text)
    space = ' xml:space="preserve"' if _preserve_whitespace(escaped) else ""
    escaped = escaped.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<t{space}>{escaped}</t>"


def _row_xml(
    row: int, cells: Sequence[tuple[str | None, Format | None]]
) -> tuple[str, int, int] | None:
    """One `<row>` of inline string cells, and its first and last written columns; None if no
    cell is written (XlsxWriter writes no row then)."""
    number = row + 1
    parts: list[str] = []
    first = last = -1
    for col, (text, cell_format) in enumerate(cells):
        if cell_format is None:
            if text is None:
                continue
            style = ""
        else:
            style = f' s="{cell_format._get_xf_index()}"'
        if first < 0:
            first = col
        last = col
        ref = _COLUMN_NAMES[col] if col < len(_COLUMN_NAMES) else _column_name(col)
        if text is None:
            parts.append(f'<c r="{ref}{number}"{style}/>')
        elif _NEEDS_CARE.search(text) is None:
            parts.append(f'<c r="{ref}{number}"{style} t="inlineStr"><is><t>{text}</t></is></c>')
        else:
            inner = _inline_text(text)
            parts.append(f'<c r="{ref}{number}"{style} t="inlineStr"><is>{inner}</is></c>')
    if first < 0:
        return None
    return f'<row r="{number}">{"".join(parts)}</row>', first, last


# Deflate level of the package. Level 6 (zlib's default) spent 3.1 s of a 100,000-asset export
# compressing its 210 MB of sheet XML after the last record arrived: 8% of what the API needs.
# Level 1 takes a third of that, for a file about a quarter larger (docs/performance.md).
ZIP_LEVEL = 1


class _QuickZipFile(zipfile.ZipFile):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("compresslevel", ZIP_LEVEL)
        super().__init__(*args, **kwargs)


@contextlib.contextmanager
def _quick_zip() -> Iterator[None]:
    """XlsxWriter zips with `ZipFile` from its module and takes no compression level: it is
    handed one with `ZIP_LEVEL` for the save. (Another thread's save meanwhile would only be
    compressed faster too.)"""
    original = xlsxwriter.workbook.ZipFile
    xlsxwriter.workbook.ZipFile = _QuickZipFile
    try:
        yield
    finally:
        xlsxwriter.workbook.ZipFile = original


class StreamingBook(xlsxwriter.Workbook):  # type: ignore[misc]
    """An XlsxWriter workbook in constant-memory mode: each row goes to a temporary file as the
    next one starts, so memory stays flat whatever the number of rows. Strings are written only
    through `write_text`, never interpreted as numbers, formulas or links."""

    def __init__(self) -> None:
        super().__init__(
            None,
            {
                "constant_memory": True,
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
            },
        )
        self.styles: dict[str, Format] = {
            name: self.add_format(spec) for name, spec in _FORMATS.items()
        }

    def add_worksheet(self, name: str | None = None, worksheet_class: Any = None) -> Worksheet:
        return super().add_worksheet(name, worksheet_class or _Sheet)

    def _get_packager(self) -> Packager:
        return _Packager()

    def save_to(self, path: Path) -> None:
        """Write the whole package to `path` (a temporary file `replace_atomically` gave)."""
        self.filename = str(path)
        with _quick_zip():
            self.close()

    def discard(self) -> None:
        """Give up: remove each sheet's temporary row file now; nothing is written."""
        for sheet in self.worksheets():
            with contextlib.suppress(Exception):
                sheet._opt_close()
                Path(sheet.row_data_filename).unlink(missing_ok=True)
        self.fileclosed = True  # XlsxWriter would otherwise warn when collected


def write_text(sheet: Worksheet, row: int, col: int, text: str | None, cell_format: Format) -> None:
    """A cell that is always a string (or empty, keeping its format), never a formula."""
    if text is None:
        sheet.write_blank(row, col, None, cell_format)
    else:
        sheet.write_string(row, col, xlsx_text(text), cell_format)


def write_table(
    book: StreamingBook, title: str, header: Sequence[str], rows: Sequence[Sequence[str | None]]
) -> None:
    """A sheet of string cells under a frozen header row."""
    sheet = book.add_worksheet(title)
    sheet.freeze_panes(1, 0)
    for col, title_text in enumerate(header):
        write_text(sheet, 0, col, title_text, book.styles["header"])
    for number, row in enumerate(rows, start=1):
        for col, text in enumerate(row):
            write_text(sheet, number, col, text, book.styles["plain"])


def _print_setup(sheet: Worksheet) -> None:
    """Landscape, every column on one page's width (as many pages down as the rows need), the
    header row repeated on each page: a printout a person can read row by row."""
    sheet.set_landscape()
    sheet.fit_to_pages(1, 0)  # 0: as many pages as needed
    sheet.repeat_rows(0)


def refuse_existing(path: Path) -> None:
    """An export never replaces a file unless asked: it may hold a person's edits."""
    if path.exists() or path.is_symlink():
        raise ExportError(existing_output(path))


def save_atomically(book: StreamingBook, path: Path) -> None:
    """Save to a temporary file beside `path`, then rename it into place: never half a file.
    Owner-only: an export holds record data."""
    replace_atomically(path, book.save_to, mode=PRIVATE)


class ExportWriter:
    """Streams one export workbook to `path`. Use as a context manager; nothing is left
    behind at `path` unless the whole workbook was written."""

    def __init__(
        self,
        path: Path,
        template: Template,
        info: ExportInfo,
        code_lists: Mapping[str, CodeList],
        *,
        data_sheet: str,
        helpers: HelperColumns | None = None,
        protect: bool = False,
        overwrite: bool = True,
    ) -> None:
        self.path = path
        self.protect = protect
        self.overwrite = overwrite
        self.template = template
        self.info = info
        self.helpers = helpers or HelperColumns()
        self._layout = _layout(template, self.helpers)
        self.rows = 0
        self.oversized_cells = 0
        self._digest = hashlib.sha256()
        self._book = StreamingBook()
        self._book.set_properties(
            {
                "author": "sheetsync",
                "title": f"sheetsync export ({template.name})",
                "identifier": info.export_id,
            }
        )
        self._formats = self._book.styles
        self._column_formats = [
            self._formats["read-only" if c.readonly else "editable"] for c in template.columns
        ]
        self._data = self._book.add_worksheet(data_sheet)
        self._lists = self._book.add_worksheet(LISTS_SHEET)
        self._meta = self._book.add_worksheet(META_SHEET)
        self._meta_rows = 0
        self._list_ranges = self._write_lists(code_lists)
        self._start_data_sheet()
        self._start_meta_sheet()

    def _start_data_sheet(self) -> None:
        sheet = self._data
        sheet.activate()
        sheet.freeze_panes(1, 1)
        _print_setup(sheet)
        for index, (column, helper) in enumerate(self._layout):
            width = (column.width or 22) if not helper else 30
            sheet.set_column(index, index, width)
        for index, (column, helper) in enumerate(self._layout):
            write_text(sheet, 0, index, helper or column.header, self._formats["header"])
            note = column_note(column, self.template)
            if helper:
                note = _helper_note(column, why=helper == self.helpers.why)
            height = 40 + 16 * note.count("\n")
            sheet.write_comment(
                0, index, note, {"author": "sheetsync", "x_scale": 2.5, "height": height}
            )

    def _meta_append(self, row: Sequence[str | None]) -> None:
        # an empty cell of a hidden sheet needs no format: none written
        plain = self._formats["plain"]
        self._meta.append_row(self._meta_rows, [(t, None if t is None else plain) for t in row])
        self._meta_rows += 1

    def _start_meta_sheet(self) -> None:
        self._meta.hide()
        self._meta_append([MARKER, str(FORMAT_VERSION), self.info.export_id])
        self._meta_append([*BASELINE_HEADER, *(c.header for c in self.template.columns)])

    def _write_lists(self, code_lists: Mapping[str, CodeList]) -> dict[str, str]:
        """One column pair (code, description) per code table; returns each table's range."""
        sheet, plain = self._lists, self._formats["plain"]
        sheet.hide()
        tables = sorted(code_lists)
        for position, table in enumerate(tables):
            write_text(sheet, 0, 2 * position, table, plain)
            write_text(sheet, 0, 2 * position + 1, f"{table} description", plain)
        longest = max((len(code_lists[t]) for t in tables), default=0)
        for row in range(longest):
            for position, table in enumerate(tables):
                entries = code_lists[table]
                if row < len(entries):
                    code, desc = entries[row]
                    write_text(sheet, row + 1, 2 * position, code, plain)
                    write_text(sheet, row + 1, 2 * position + 1, desc, plain)
        ranges: dict[str, str] = {}
        quoted = "'" + LISTS_SHEET.replace("'", "''") + "'"  # quoted always, as Excel may
        for position, table in enumerate(tables):
            last = len(code_lists[table]) + 1
            for suffix, col in (("", 2 * position), (" description", 2 * position + 1)):
                letter = xl_col_to_name(col)
                ranges[f"{table}{suffix}"] = f"={quoted}!${letter}$2:${letter}${last}"
        return ranges

    def add_table(
        self, title: str, header: Sequence[str], rows: Sequence[Sequence[str | None]]
    ) -> None:
        """A plain sheet of text cells beside the data (an apply's results): plan ignores it,
        since its first row does not hold the ID column's header."""
        write_table(self._book, title, header, rows)

    def add(
        self,
        record_id: str,
        fingerprint: str,
        texts: Sequence[str | None],
        extras: RowExtras | None = None,
    ) -> None:
        """Write one record's row and its baseline row; `extras`, for a results row, what it
        shows beyond the record (the baseline always holds `texts`)."""
        if len(texts) != len(self.template.columns):
            raise ValueError(
                f"a row of {len(texts)} cells for a template of {len(self.template.columns)}"
            )
        shown: list[tuple[str | None, Format]] = []
        baseline: list[str | None] = []
        oversized: list[str] = []
        for index, (column, text) in enumerate(zip(self.template.columns, texts, strict=True)):
            if is_oversized(text):
                assert text is not None
                oversized.append(str(index))
                shown.append((oversized_placeholder(text), self._formats["oversized"]))
                baseline.append(text_digest(text))
                continue
            shown.append((self._shown(column, text), self._column_formats[index]))
            baseline.append(text)
        row_number = self.rows + 1
        self._data.append_row(row_number, self._row_cells(shown, texts, extras))
        row = [record_id, fingerprint, ",".join(oversized), *baseline]
        self._digest.update(baseline_row_digest_input(row))
        self._meta_append(row)
        self.rows += 1
        self.oversized_cells += len(oversized)

    def _shown(self, column: Column, text: str | None) -> str | None:
        """A cell's text as the sheet shows it: a code as its description where the column
        shows descriptions."""
        labels = self.info.labels.get(column.header)
        return labels.get(text or "", text) if labels else text

    def _row_cells(
        self,
        cells: list[tuple[str | None, Format]],
        texts: Sequence[str | None],
        extras: RowExtras | None,
    ) -> list[tuple[str | None, Format]]:
        """The row in the data sheet's layout: the record's cells, the intended values of a
        results row over them (highlighted), its helper cells."""
        if extras is None and not self.helpers.headers:
            return cells
        extras = extras or RowExtras()
        headers = [c.header for c in self.template.columns]
        by_header = dict(zip(headers, cells, strict=True))
        live = dict(zip(headers, texts, strict=True))
        read_only, carried = self._formats["read-only"], self._formats["carried"]
        row: list[tuple[str | None, Format]] = []
        for column, helper in self._layout:
            if helper == self.helpers.why:
                row.append((extras.why or None, read_only))
            elif helper:
                now = live[column.header] if column.header in extras.now else None
                row.append((self._shown(column, now), read_only))
            elif column.header in extras.intended and not is_oversized(live[column.header]):
                row.append((self._shown(column, extras.intended[column.header]), carried))
            else:
                row.append(by_header[column.header])
        return row

    def _finish_data_sheet(self) -> None:
        sheet, last_row = self._data, self.rows  # zero-based: the header is row 0
        sheet.autofilter(0, 0, last_row, len(self._layout) - 1)
        positions = {c.header: i for i, (c, h) in enumerate(self._layout) if not h}
        for column in self.template.columns:
            suffix = " description" if column.shows_description else ""
            source = self._list_ranges.get(f"{column.code_table or ''}{suffix}")
            if source is None or column.readonly or column.join or self.rows == 0:
                continue
            index = positions[column.header]
            sheet.data_validation(
                1,
                index,
                last_row,
                index,
                {
                    "validate": "list",
                    "source": source,
                    "ignore_blank": True,
                    "error_type": "stop",
                    "error_title": column.header[:32],  # Excel's limit for the title
                    "error_message": (
                        f"Choose a code from the list (code table {column.code_table})."
                    )[:255],
                },
            )
        if self.protect:
            # True: allowed to the person
            allowed = ("sort", "autofilter", "format_cells", "format_columns", "format_rows")
            sheet.protect("", dict.fromkeys(allowed, True))

    def close(self) -> None:
        """Finish every sheet and move the complete file into place."""
        if not self.overwrite and (self.path.exists() or self.path.is_symlink()):
            self.abort()  # the file appeared while the records were fetched: keep it
            refuse_existing(self.path)
        self._finish_data_sheet()
        meta = {
            **asdict(self.info),
            "records": self.rows,
            "baseline_sha256": self._digest.hexdigest(),
        }
        self._meta_append([META_ROW_TAG, *meta_cells(json.dumps(meta, ensure_ascii=False))])
        try:
            save_atomically(self._book, self.path)
        finally:
            self._book.discard()

    def abort(self) -> None:
        """Give up: delete each sheet's temporary row file now, rather than leave it to the
        garbage collector. Nothing is written at `path`."""
        self._book.discard()

    def __enter__(self) -> ExportWriter:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()


Slot = tuple[Column, str]  # a template column, and "" or the header of a helper column after it


def _layout(template: Template, helpers: HelperColumns) -> list[Slot]:
    """The data sheet's columns in order: the template's, the why column after the ID column,
    an "in Esploro now" column after each column that has one."""
    slots: list[Slot] = []
    for column in template.columns:
        slots.append((column, ""))
        if column is template.id_column and helpers.why:
            slots.append((column, helpers.why))
        if column.header in helpers.beside:
            slots.append((column, helpers.beside[column.header]))
    return slots


def _helper_note(column: Column, *, why: bool) -> str:
    """The header note of a helper column: read-only, and what it shows."""
    if why:
        shows = "Why the apply did not update this record, in words."
    else:
        shows = f"What Esploro holds now in '{column.header}', where it differs from yours."
    return f"{shows}\nRead-only: sheetsync ignores this column when planning."
