"""Reading an edited export back: the baseline, the data sheet, and where formulas are.

Values come from python-calamine, which reads about 12x faster than openpyxl's read-only mode
and undoes OOXML escapes exactly. calamine reports a formula cell by its cached value (or as
empty when there is none), so formulas are found by scanning the data sheet's XML, and only
when the part contains a formula element at all.

Anything that makes the workbook as a whole untrustworthy (not a workbook, not made by
sheetsync, another format version, a damaged or tampered `_sheetsync` sheet, no recognisable
data sheet, a column twice, merged cells) raises `WorkbookError` naming the file and the place.

Memory follows the uncompressed size of the sheets, so a part that inflates far beyond what
rows need (a zip bomb) is refused from the zip's directory before anything reads it, and the
formula scan streams the data sheet instead of reading it whole.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import defusedxml.ElementTree as SafeET
from openpyxl.utils import get_column_letter
from python_calamine import CalamineSheet, CalamineWorkbook

from sheetsync.errors import WorkbookError
from sheetsync.filekinds import wrong_kind
from sheetsync.report.words import export_again
from sheetsync.workbook.writer import (
    BASELINE_HEADER,
    FORMAT_VERSION,
    LISTS_SHEET,
    MARKER,
    META_ROW_TAG,
    META_SHEET,
    baseline_row_digest_input,
)

_MAIN_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_DC_NS = "{http://purl.org/dc/elements/1.1/}"
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_FORMULA_TAIL = 64  # longer than any `<prefix:f ` the scan looks for
_CELL_REF = re.compile(r"([A-Z]+)(\d+)")
_NONE_OVERSIZED: frozenset[str] = frozenset()
_SCAN_CHUNK = 1 << 20  # bytes of a sheet part looked at at once by the formula scan
# A zip bomb: a part that decompresses far beyond what any rows need. Sheet XML deflates about
# 9 times (an asset export's data and baseline sheets); padding or a repeated pattern, about
# 1,000 times. A part above the floor that deflates more than the ratio, or above the cap (about
# 2,000 bytes for each of Excel's 1,048,576 rows), is refused before anything reads it.
_BOMB_RATIO = 100
_BOMB_FLOOR = 32 << 20
_PART_CAP = 2 << 30


@dataclass(frozen=True)
class BaselineRecord:
    record_id: str
    fingerprint: str
    oversized: frozenset[str]  # headers of the columns whose value was too long for a cell
    texts: dict[str, str | None]  # header -> the exported text (None: empty)
    # the exported texts in the order of `EditedWorkbook.headers`, "" for an empty one: what
    # the data sheet's row holds untouched (one comparison finds an unedited row)
    cells: tuple[str, ...] = ()


@dataclass(frozen=True)
class SheetRow:
    number: int  # 1-based, as Excel shows it
    values: dict[str, Any]  # header -> the raw value calamine read ("" for an empty cell)


@dataclass(frozen=True)
class EditedWorkbook:
    path: Path
    sha256: str
    meta: dict[str, Any]  # the export's #meta row
    headers: tuple[str, ...]  # the template columns the export wrote, in order
    baseline: dict[str, BaselineRecord]
    data_sheet: str
    columns: dict[str, int]  # header -> 0-based column index in the data sheet
    extra_headers: tuple[str, ...]  # columns of the person's own
    missing_headers: tuple[str, ...]  # exported columns no longer in the sheet
    rows: tuple[SheetRow, ...]
    formula_cells: frozenset[str]  # "D17"-style refs on the data sheet
    # False for a plain sheet or CSV made elsewhere (`workbook/plain.py`): `baseline` is empty
    # and the planner takes the live records as the base
    has_baseline: bool = True
    warnings: tuple[str, ...] = ()  # what the reader had to guess (an encoding), for the plan

    def cell_ref(self, header: str, row: int) -> str:
        return f"{get_column_letter(self.columns[header] + 1)}{row}"


def read_export(path: Path) -> EditedWorkbook:
    """Read an edited export; raises WorkbookError when it cannot be trusted as a whole."""
    book = _open(path)
    meta_rows = _sheet_rows(book, META_SHEET, path)
    meta, headers, baseline = _read_baseline(meta_rows, path)
    stamped = _package_export_id(path)
    if stamped and stamped != meta.get("export_id"):
        raise _damaged(path, f"it comes from export {meta.get('export_id')}, not {stamped}")
    data_sheet, grid = _find_data_sheet(book, path, str(meta.get("id_header", "")))
    if grid.merged_cell_ranges:
        (first, last), *_ = grid.merged_cell_ranges
        where = f"{_ref(first)}:{_ref(last)}"
        raise WorkbookError(
            f"{path}: sheet '{data_sheet}' has merged cells ({where}); unmerge them"
        )
    cells = grid.to_python(skip_empty_area=False)
    helpers = frozenset(str(h) for h in meta.get("helper_headers", []))
    first_row = cells[0] if cells else []
    columns, extra = _map_headers(first_row, headers, data_sheet, path, helpers)
    rows = _data_rows(cells, columns)
    with path.open("rb") as stream:
        sha256 = hashlib.file_digest(stream, "sha256").hexdigest()
    return EditedWorkbook(
        path=path,
        sha256=sha256,
        meta=meta,
        headers=headers,
        baseline=baseline,
        data_sheet=data_sheet,
        columns=columns,
        extra_headers=extra,
        missing_headers=tuple(h for h in headers if h not in columns),
        rows=rows,
        formula_cells=_formula_cells(path, data_sheet),
    )


def _data_rows(cells: list[list[Any]], columns: dict[str, int]) -> tuple[SheetRow, ...]:
    """Each row of the data sheet with a value, its cells by header ("" for a cell beyond the
    row's end). Built with C-level calls: at 100,000 rows, per-cell Python work costs seconds."""
    headers, indices = tuple(columns), tuple(columns.values())
    width = max(indices, default=-1) + 1
    rows = []
    for number, line in enumerate(cells[1:], start=2):
        if not any(value not in ("", None) for value in line):
            continue
        if len(line) < width:
            line = line + [""] * (width - len(line))
        values = map(line.__getitem__, indices)
        rows.append(SheetRow(number, dict(zip(headers, values, strict=True))))
    return tuple(rows)


def _package_export_id(path: Path) -> str | None:
    """The export ID stamped in the package's document properties (dc:identifier), if a
    re-save kept it: a `_sheetsync` sheet copied in from another export does not match it."""
    with zipfile.ZipFile(path) as package:
        try:
            core = SafeET.fromstring(package.read("docProps/core.xml"))
        except (KeyError, SafeET.ParseError, ValueError):  # ValueError: defusedxml refusals
            return None
    found = core.find(f"{_DC_NS}identifier")
    return found.text.strip() if found is not None and found.text else None


def _ref(corner: tuple[int, int]) -> str:
    return f"{get_column_letter(corner[1] + 1)}{corner[0] + 1}"


def _open(path: Path) -> CalamineWorkbook:
    if not zipfile.is_zipfile(path):
        mistaken = wrong_kind(path, "workbook")
        if mistaken:
            raise WorkbookError(f"{path}: {mistaken}")
        raise WorkbookError(f"{path}: not an Excel workbook (.xlsx): the file is not a zip package")
    _refuse_bomb(path)
    try:
        return CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for every kind of damage
        raise WorkbookError(f"{path}: cannot be read as a workbook ({exc})") from None


def _refuse_bomb(path: Path) -> None:
    """Refuse, from the zip's directory alone, a package with a part that decompresses far
    beyond what its rows could need: reading it would take memory the file does not justify."""
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise WorkbookError(f"{path}: cannot be read as a workbook ({exc})") from None
    for part in parts:
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > _PART_CAP or (part.file_size > _BOMB_FLOOR and ratio > _BOMB_RATIO):
            raise WorkbookError(
                f"{path}: its part {part.filename} is {part.compress_size:,} bytes that "
                f"decompress to {part.file_size:,} ({ratio:,.0f} times), far more than any rows "
                "need, so it is not read; export again and copy your edits into the new export"
            )


def _sheet_rows(book: CalamineWorkbook, name: str, path: Path) -> list[list[Any]]:
    if name not in book.sheet_names:
        raise WorkbookError(
            f"{path}: no '{META_SHEET}' sheet, so it was not made by `sheetsync export` (or that "
            "hidden sheet was deleted); export the records again"
        )
    rows: list[list[Any]] = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    return rows


def _text(value: Any) -> str:
    """A cell of the `_sheetsync` sheet as text. It was written as text; a re-save that
    retyped `1` as the number 1.0 is undone here, anything else stays as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _damaged(path: Path, problem: str) -> WorkbookError:
    return WorkbookError(
        f"{path}: the hidden '{META_SHEET}' sheet is damaged ({problem}); sheetsync cannot tell "
        "what you changed. Export again and copy your edits into the new workbook."
    )


def _read_baseline(
    rows: list[list[Any]], path: Path
) -> tuple[dict[str, Any], tuple[str, ...], dict[str, BaselineRecord]]:
    if len(rows) < 3 or not rows[0] or _text(rows[0][0]) != MARKER:
        raise _damaged(path, "its first row is not the sheetsync marker")
    version = _text(rows[0][1]) if len(rows[0]) > 1 else ""
    if version != str(FORMAT_VERSION):
        raise WorkbookError(
            f"{path}: made by sheetsync workbook format {version or '?'}, and this sheetsync "
            f"reads format {FORMAT_VERSION}; {export_again()} with this version"
        )
    header = [_text(v) for v in rows[1]]
    if tuple(header[:3]) != BASELINE_HEADER:
        raise _damaged(path, "row 2 does not name the baseline columns")
    headers = tuple(h for h in header[3:] if h)
    width = 3 + len(headers)
    meta = _meta(rows, path)
    digest, baseline = hashlib.sha256(), {}
    for line in rows[2:-1]:
        texts = [v if v.__class__ is str else _text(v) for v in line[:width]]
        texts += [""] * (width - len(texts))
        digest.update(baseline_row_digest_input(texts))
        cells = tuple(texts[3:])
        record = BaselineRecord(
            record_id=texts[0],
            fingerprint=texts[1],
            oversized=_oversized(texts[2], headers),
            texts=dict(zip(headers, [t or None for t in cells], strict=True)),
            cells=cells,
        )
        if record.record_id in baseline:
            raise _damaged(path, f"record {record.record_id} appears twice in the baseline")
        baseline[record.record_id] = record
    if digest.hexdigest() != meta.get("baseline_sha256") or len(baseline) != meta.get("records"):
        raise _damaged(
            path, "its checksum does not match: it was edited or comes from another export"
        )
    if _text(rows[0][2] if len(rows[0]) > 2 else "") != meta.get("export_id"):
        raise _damaged(path, "its export ID does not match its metadata")
    return meta, headers, baseline


def _oversized(indices: str, headers: tuple[str, ...]) -> frozenset[str]:
    """The headers a baseline row's `oversized` cell names by index ("" for almost every row)."""
    if not indices:
        return _NONE_OVERSIZED
    return frozenset(headers[int(i)] for i in indices.split(",") if i)


def _meta(rows: list[list[Any]], path: Path) -> dict[str, Any]:
    last = rows[-1]
    if not last or _text(last[0]) != META_ROW_TAG:
        raise _damaged(path, f"its last row is not the {META_ROW_TAG} row")
    try:
        meta = json.loads("".join(_text(cell) for cell in last[1:]))  # split: `meta_cells`
    except ValueError:
        raise _damaged(path, f"its {META_ROW_TAG} row is not readable") from None
    if not isinstance(meta, dict):
        raise _damaged(path, f"its {META_ROW_TAG} row is not readable")
    return meta


def _find_data_sheet(
    book: CalamineWorkbook, path: Path, id_header: str
) -> tuple[str, CalamineSheet]:
    """The sheet whose first row holds the ID column: the data sheet, whatever its name now,
    with its cells (read once: reading a 100,000-row sheet costs seconds)."""
    found = []
    for name in book.sheet_names:
        if name in (META_SHEET, LISTS_SHEET):
            continue
        sheet = book.get_sheet_by_name(name)
        first = sheet.to_python(skip_empty_area=False, nrows=1)[:1]
        if first and id_header in [_text(v).strip() for v in first[0]]:
            found.append((name, sheet))
    if not found:
        raise WorkbookError(
            f"{path}: no sheet has the ID column '{id_header}' in its first row; the data "
            "sheet's header row must stay row 1"
        )
    if len(found) > 1:
        raise WorkbookError(
            f"{path}: sheets {', '.join(repr(n) for n, _ in found)} all look like the data sheet "
            f"(each has '{id_header}' in row 1); delete the copies"
        )
    return found[0]


def _map_headers(
    first_row: list[Any],
    headers: tuple[str, ...],
    sheet: str,
    path: Path,
    helpers: frozenset[str] = frozenset(),
) -> tuple[dict[str, int], tuple[str, ...]]:
    """Each exported column's place; the person's own columns. The workbook's read-only helper
    columns (a results workbook's "why" and "in Esploro now") are neither: they are skipped."""
    columns: dict[str, int] = {}
    extra: list[str] = []
    for index, value in enumerate(first_row):
        header = _text(value).strip()
        if not header or header in helpers:
            continue
        if header in columns:
            first, second = get_column_letter(columns[header] + 1), get_column_letter(index + 1)
            raise WorkbookError(
                f"{path}: sheet '{sheet}' has the column '{header}' twice ({first}1 and "
                f"{second}1); delete one"
            )
        if header in headers:
            columns[header] = index
        else:
            extra.append(header)
    return columns, tuple(extra)


def _formula_cells(path: Path, sheet: str) -> frozenset[str]:
    """Refs of the cells holding a formula on `sheet`; a quick byte scan first, since almost
    every export has none and parsing a 100,000-row sheet's XML costs seconds. Both stream
    the part: memory stays flat whatever its size."""
    with zipfile.ZipFile(path) as package:
        part = _sheet_part(package, sheet)
        if part is None:
            return frozenset()
        with package.open(part) as stream:
            if not _has_formula(stream):
                return frozenset()
        cells = set()
        with package.open(part) as stream:
            for _, element in SafeET.iterparse(stream):
                if element.tag == f"{_MAIN_NS}c":
                    if element.find(f"{_MAIN_NS}f") is not None:
                        cells.add(str(element.get("r", "")))
                    element.clear()
                elif element.tag == f"{_MAIN_NS}row":
                    element.clear()  # its cells are done with: keep no row's text or tail
        return frozenset(cells)


def _has_formula(stream: IO[bytes]) -> bool:
    """Whether the XML in `stream` has a formula element, read a chunk at a time; the end
    of each chunk is kept so that a tag split across two chunks is still found."""
    carried = b""
    while chunk := stream.read(_SCAN_CHUNK):
        window = carried + chunk
        if _FORMULA.search(window):
            return True
        carried = window[-_FORMULA_TAIL:]
    return False


def _sheet_part(package: zipfile.ZipFile, sheet: str) -> str | None:
    """The zip member holding `sheet`'s XML, found through the workbook's relationships."""
    workbook = SafeET.fromstring(package.read("xl/workbook.xml"))
    rels = SafeET.fromstring(package.read("xl/_rels/workbook.xml.rels"))
    targets = {r.get("Id"): r.get("Target", "") for r in rels.iter(f"{_PKG_REL_NS}Relationship")}
    for element in workbook.iter(f"{_MAIN_NS}sheet"):
        if element.get("name") == sheet:
            target = targets.get(element.get(f"{_REL_NS}id"), "")
            return target.lstrip("/") if target.startswith("/") else posixpath.join("xl", target)
    return None
