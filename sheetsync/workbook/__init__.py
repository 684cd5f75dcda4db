"""Workbooks: the only package that imports openpyxl (reader, annotate) and XlsxWriter (writer)."""

from sheetsync.workbook.writer import (
    BASELINE_HEADER,
    FORMAT_VERSION,
    LISTS_SHEET,
    MARKER,
    META_ROW_TAG,
    META_SHEET,
    CodeList,
    ExportInfo,
    ExportWriter,
    HelperColumns,
    RowExtras,
    baseline_row_digest_input,
    column_note,
    refuse_existing,
)

__all__ = [
    "BASELINE_HEADER",
    "FORMAT_VERSION",
    "LISTS_SHEET",
    "MARKER",
    "META_ROW_TAG",
    "META_SHEET",
    "CodeList",
    "ExportInfo",
    "ExportWriter",
    "HelperColumns",
    "RowExtras",
    "baseline_row_digest_input",
    "column_note",
    "refuse_existing",
]
