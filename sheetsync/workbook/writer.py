"""Export workbooks: writing them, streaming. Part of the only package that imports openpyxl.

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

The writer streams (openpyxl's write-only mode): a row goes to disk when it is added, so an
export of 100,000 records never holds them as cell objects at once. It writes to a temporary
file beside the target and renames it into place only when complete.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, NamedStyle, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.datavalidation import DataValidation

from sheetsync.errors import ExportError
from sheetsync.files import PRIVATE, replace_atomically
from sheetsync.report.words import existing_output
from sheetsync.template import Column, Template
from sheetsync.workbook.cells import is_oversized, ooxml_escape, oversized_placeholder, text_digest

FORMAT_VERSION = 1
MARKER = "sheetsync"
META_SHEET = "_sheetsync"
LISTS_SHEET = "_lists"
META_ROW_TAG = "#meta"
BASELINE_HEADER = ("record_id", "fingerprint", "oversized")

_GREY = PatternFill("solid", fgColor="E7E6E6")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_OVERSIZED_FILL = PatternFill("solid", fgColor="FCE4D6")
_CARRIED_FILL = PatternFill("solid", fgColor="FFF2CC")  # a value carried forward, not yet live

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


def _styles() -> list[NamedStyle]:
    text = "@"
    return [
        NamedStyle(
            "sheetsync header",
            font=Font(bold=True),
            fill=_HEADER_FILL,
            alignment=Alignment(wrap_text=True, vertical="top"),
            protection=Protection(locked=True),
            number_format=text,
        ),
        NamedStyle(
            "sheetsync editable",
            protection=Protection(locked=False),
            number_format=text,
            alignment=Alignment(vertical="top"),
        ),
        NamedStyle(
            "sheetsync read-only",
            fill=_GREY,
            font=Font(color="595959"),
            protection=Protection(locked=True),
            number_format=text,
            alignment=Alignment(vertical="top"),
        ),
        NamedStyle(
            "sheetsync carried",
            fill=_CARRIED_FILL,
            font=Font(bold=True),
            protection=Protection(locked=False),
            number_format=text,
            alignment=Alignment(vertical="top"),
        ),
        NamedStyle(
            "sheetsync oversized",
            fill=_OVERSIZED_FILL,
            font=Font(italic=True, color="833C0B"),
            protection=Protection(locked=True),
            number_format=text,
        ),
    ]


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


def _text_cell(sheet: WriteOnlyWorksheet, text: str | None, style: str | None = None) -> Any:
    """A cell that is always a string (or empty), never a formula, whatever its text."""
    cell = WriteOnlyCell(sheet, value=None if text is None else ooxml_escape(text))
    if text is not None:
        cell.data_type = "s"
    if style is not None:
        cell.style = style
    return cell


def new_workbook() -> Workbook:
    """A streaming workbook with sheetsync's cell styles registered."""
    book = Workbook(write_only=True)
    for style in _styles():
        book.add_named_style(style)
    return book


def append_table(
    book: Workbook, title: str, header: Sequence[str], rows: Sequence[Sequence[str | None]]
) -> None:
    """A sheet of string cells under a frozen header row."""
    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    sheet.append([_text_cell(sheet, text, "sheetsync header") for text in header])
    for row in rows:
        sheet.append([_text_cell(sheet, text) for text in row])


def _print_setup(sheet: WriteOnlyWorksheet) -> None:
    """Landscape, every column on one page's width (as many pages down as the rows need), the
    header row repeated on each page: a printout a person can read row by row. Set before the
    first row, since the streaming writer writes the sheet's properties first."""
    setup: Any = sheet  # openpyxl gives the streaming sheet these at run time, untyped
    setup.page_setup.orientation = "landscape"
    setup.page_setup.fitToWidth = 1
    setup.page_setup.fitToHeight = 0  # 0: as many pages as needed
    setup.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_title_rows = "1:1"


def refuse_existing(path: Path) -> None:
    """An export never replaces a file unless asked: it may hold a person's edits."""
    if path.exists() or path.is_symlink():
        raise ExportError(existing_output(path))


def save_atomically(book: Workbook, path: Path) -> None:
    """Save to a temporary file beside `path`, then rename it into place: never half a file.
    Owner-only: an export holds record data."""
    replace_atomically(path, book.save, mode=PRIVATE)


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
        self._book = new_workbook()
        self._book.properties.creator = "sheetsync"
        self._book.properties.identifier = info.export_id
        self._book.properties.title = f"sheetsync export ({template.name})"
        self._data = self._book.create_sheet(data_sheet)
        self._lists = self._book.create_sheet(LISTS_SHEET)
        self._meta = self._book.create_sheet(META_SHEET)
        self._list_ranges = self._write_lists(code_lists)
        self._start_data_sheet()
        self._start_meta_sheet()

    def _start_data_sheet(self) -> None:
        sheet = self._data
        sheet.freeze_panes = "B2"
        _print_setup(sheet)
        for index, (column, helper) in enumerate(self._layout, start=1):
            width = (column.width or 22) if not helper else 30
            sheet.column_dimensions[get_column_letter(index)].width = width
        header = []
        for column, helper in self._layout:
            cell = _text_cell(sheet, helper or column.header, "sheetsync header")
            note = column_note(column, self.template)
            if helper:
                note = _helper_note(column, why=helper == self.helpers.why)
            cell.comment = Comment(note, "sheetsync", width=320, height=40 + 16 * note.count("\n"))
            header.append(cell)
        sheet.append(header)

    def _start_meta_sheet(self) -> None:
        self._meta.sheet_state = "hidden"
        marker = [MARKER, str(FORMAT_VERSION), self.info.export_id]
        self._meta.append([_text_cell(self._meta, text) for text in marker])
        headers = [*BASELINE_HEADER, *(c.header for c in self.template.columns)]
        self._meta.append([_text_cell(self._meta, text) for text in headers])

    def _write_lists(self, code_lists: Mapping[str, CodeList]) -> dict[str, str]:
        """One column pair (code, description) per code table; returns each table's range."""
        self._lists.sheet_state = "hidden"
        tables = sorted(code_lists)
        ranges: dict[str, str] = {}
        longest = max((len(code_lists[t]) for t in tables), default=0)
        self._lists.append(
            [_text_cell(self._lists, text) for t in tables for text in (t, f"{t} description")]
        )
        for row in range(longest):
            cells = []
            for table in tables:
                entries = code_lists[table]
                code, desc = entries[row] if row < len(entries) else (None, None)
                cells += [_text_cell(self._lists, code), _text_cell(self._lists, desc)]
            self._lists.append(cells)
        for position, table in enumerate(tables):
            letter = get_column_letter(2 * position + 1)
            last = len(code_lists[table]) + 1
            ranges[table] = f"{quote_sheetname(LISTS_SHEET)}!${letter}$2:${letter}${last}"
            described = get_column_letter(2 * position + 2)
            ranges[f"{table} description"] = (
                f"{quote_sheetname(LISTS_SHEET)}!${described}$2:${described}${last}"
            )
        return ranges

    def add_table(
        self, title: str, header: Sequence[str], rows: Sequence[Sequence[str | None]]
    ) -> None:
        """A plain sheet of text cells beside the data (an apply's results): plan ignores it,
        since its first row does not hold the ID column's header."""
        append_table(self._book, title, header, rows)

    def add(
        self,
        record_id: str,
        fingerprint: str,
        texts: Sequence[str | None],
        extras: RowExtras | None = None,
    ) -> None:
        """Write one record's row and its baseline row; `extras`, for a results row, what it
        shows beyond the record (the baseline always holds `texts`)."""
        data_cells: dict[str, Any] = {}
        baseline: list[str | None] = []
        oversized: list[str] = []
        for index, (column, text) in enumerate(zip(self.template.columns, texts, strict=True)):
            if is_oversized(text):
                assert text is not None
                oversized.append(str(index))
                data_cells[column.header] = _text_cell(
                    self._data, oversized_placeholder(text), "sheetsync oversized"
                )
                baseline.append(text_digest(text))
                continue
            style = "sheetsync read-only" if column.readonly else "sheetsync editable"
            data_cells[column.header] = _text_cell(self._data, self._shown(column, text), style)
            baseline.append(text)
        self._data.append(self._row_cells(data_cells, texts, extras))
        row = [record_id, fingerprint, ",".join(oversized), *baseline]
        self._digest.update(baseline_row_digest_input(row))
        self._meta.append([_text_cell(self._meta, text) for text in row])
        self.rows += 1
        self.oversized_cells += len(oversized)

    def _shown(self, column: Column, text: str | None) -> str | None:
        """A cell's text as the sheet shows it: a code as its description where the column
        shows descriptions."""
        return self.info.labels.get(column.header, {}).get(text or "", text)

    def _row_cells(
        self, cells: dict[str, Any], texts: Sequence[str | None], extras: RowExtras | None
    ) -> list[Any]:
        """The row in the data sheet's layout: the record's cells, the intended values of a
        results row over them (highlighted), its helper cells."""
        if extras is None and not self.helpers.headers:
            return list(cells.values())
        extras = extras or RowExtras()
        live = dict(zip((c.header for c in self.template.columns), texts, strict=True))
        row = []
        for column, helper in self._layout:
            if helper == self.helpers.why:
                row.append(_text_cell(self._data, extras.why or None, "sheetsync read-only"))
            elif helper:
                now = live[column.header] if column.header in extras.now else None
                row.append(_text_cell(self._data, self._shown(column, now), "sheetsync read-only"))
            elif column.header in extras.intended and not is_oversized(live[column.header]):
                intended = self._shown(column, extras.intended[column.header])
                row.append(_text_cell(self._data, intended, "sheetsync carried"))
            else:
                row.append(cells[column.header])
        return row

    def _finish_data_sheet(self) -> None:
        sheet, last_row = self._data, self.rows + 1
        last_letter = get_column_letter(len(self._layout))
        sheet.auto_filter.ref = f"A1:{last_letter}{last_row}"
        positions = {c.header: i for i, (c, h) in enumerate(self._layout, start=1) if not h}
        for column in self.template.columns:
            index = positions[column.header]
            suffix = " description" if column.shows_description else ""
            source = self._list_ranges.get(f"{column.code_table or ''}{suffix}")
            if source is None or column.readonly or column.join or self.rows == 0:
                continue
            letter = get_column_letter(index)
            validation = DataValidation(
                type="list",
                formula1=source,
                allow_blank=True,
                showErrorMessage=True,
                errorStyle="stop",
                errorTitle=column.header,
                error=f"Choose a code from the list (code table {column.code_table}).",
            )
            validation.add(f"{letter}2:{letter}{last_row}")
            sheet.data_validations.append(validation)
        if self.protect:
            protection = sheet.protection
            protection.sheet = True
            protection.sort = protection.autoFilter = False  # False: allowed to the person
            protection.formatColumns = protection.formatRows = protection.formatCells = False

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
        row = [META_ROW_TAG, json.dumps(meta, ensure_ascii=False)]
        self._meta.append([_text_cell(self._meta, text) for text in row])
        save_atomically(self._book, self.path)

    def abort(self) -> None:
        """Give up: finish each half-written sheet and delete its temporary file now, rather than
        leave both to the garbage collector. Nothing is written at `path`."""
        for sheet in (self._data, self._lists, self._meta):
            with contextlib.suppress(Exception):
                sheet.close()
                sheet._writer.cleanup()  # openpyxl offers no public abort for write-only sheets

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
