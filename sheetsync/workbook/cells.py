"""How a JSON value becomes the text of a workbook cell, and how that text is stored safely.

Every exported value is written as a string cell, never a number, date or formula: Excel
silently rounds 16-digit IDs, drops leading zeros, turns "2015-09-01" into a serial number, and
evaluates text beginning with `=`. A string cell is left alone.

Text is stored with OOXML's own escapes (ECMA-376 `ST_Xstring`): a literal `_x000D_` is written
as `_x005F_x000D_`, a carriage return as `_x000D_`, and control characters XML cannot carry as
`_x00HH_`, and a text of nothing but whitespace entirely as escapes (XML readers would strip
it). Excel and python-calamine undo these on reading, so the text comes back exactly.
`ooxml_escape` does this for openpyxl (annotated workbooks, tests); XlsxWriter, the export
writer, does it itself, and `xlsx_text` prepares text for it.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

# Excel refuses a cell longer than this; a longer value is never truncated silently.
EXCEL_CELL_LIMIT = 32_767

# An underscore that starts an escape-shaped run. Lookahead, because runs can share an
# underscore: in the literal `_x005F_x000D_` both underscores must be escaped.
_LITERAL_ESCAPE = re.compile(r"_(?=x[0-9A-Fa-f]{4}_)")
_XML_WHITESPACE = " \t\r\n"
_XML_UNSAFE = re.compile(r"[\x00-\x08\x0b\x0c\x0d\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def ooxml_escape(text: str) -> str:
    """`text` as it must be written into a cell so that readers give back exactly `text`."""
    text = _LITERAL_ESCAPE.sub("_x005F_", text)
    if text and not text.strip(_XML_WHITESPACE):
        # All whitespace: openpyxl adds no xml:space="preserve" then, and readers strip it.
        return "".join(f"_x{ord(ch):04X}_" for ch in text)
    return _XML_UNSAFE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def xlsx_text(text: str) -> str:
    """`text` as handed to XlsxWriter's `write_string`, so that readers give back exactly `text`.

    The export writer's sheets escape with `ooxml_escape` in place of XlsxWriter's own escaping
    (which misses runs sharing an underscore, as in a literal `_x005F_x000D_`), and XlsxWriter
    escapes XML's `&<>`. One text it would still not keep: one shaped like `<r>...</r>`, which
    XlsxWriter takes for a rich string it made and writes unescaped; that one is handed over
    as a rich string of one plain run, XML-escaped here.
    """
    if text.startswith("<r>") and text.endswith("</r>"):
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f'<r><t xml:space="preserve">{escaped}</t></r>'
    return text


_LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")


def _spell_lone_surrogates(text: str) -> str:
    """A lone surrogate (half a UTF-16 pair, which JSON can escape but no file can hold) as the
    text `_xD800_`: readers give that spelling back, so the cell and its baseline agree and the
    export's checksum holds. The record itself is never rewritten from it."""
    return _LONE_SURROGATE.sub(lambda m: f"_x{ord(m.group()):04X}_", text)


def scalar_text(value: Any) -> str:
    """The cell text of one JSON scalar. JSON booleans read as `true`/`false`, as in the API."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value if value.isascii() else _spell_lone_surrogates(value)
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def cell_text(value: Any, join: str | None) -> str | None:
    """The text for a value read through a template path; None for an empty cell.

    A list (from a `[*]` path) becomes its items' texts joined with the column's separator.
    """
    if value is None:
        return None
    if isinstance(value, list):
        parts = [scalar_text(item) for item in value if item is not None]
        return (join or "; ").join(parts) if parts else None
    return scalar_text(value)


def is_oversized(text: str | None) -> bool:
    """Longer than Excel's limit, which counts UTF-16 units: a character beyond U+FFFF counts
    twice (XlsxWriter would truncate such a text silently)."""
    if text is None or len(text) <= EXCEL_CELL_LIMIT // 2:
        return False
    return len(text) > EXCEL_CELL_LIMIT or len(text.encode("utf-16-le")) // 2 > EXCEL_CELL_LIMIT


def oversized_placeholder(text: str) -> str:
    """What an oversized cell shows instead of its value, saying why it is read-only."""
    return (
        f"[sheetsync: this value has {len(text):,} characters, more than Excel's "
        f"{EXCEL_CELL_LIMIT:,}-character cell limit. It is not shown and cannot be edited here; "
        "edit it in Esploro.]"
    )


def text_digest(text: str) -> str:
    """The baseline of an oversized value: its hash, which stands in for the text."""
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()
