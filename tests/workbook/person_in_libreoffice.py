"""A person's spreadsheet work on an export, done in a real LibreOffice through UNO.

Run by the system `/usr/bin/python3` (the only Python that can `import uno`), in a subprocess
of the test, against a headless soffice the test started with `--accept=pipe,name=PIPE;urp;`:

    person_in_libreoffice.py PIPE IN.xlsx OUT.xlsx STEPS.json

STEPS.json holds what to do, in order, the way a person would do it, on the first sheet:

* "sort_by": a column header. Select the data range with its header row and sort it by that
  column, descending, through the range's sort descriptor (`XSortable`, what Data > Sort does).
* "delete_row_of": a record ID. Delete that record's whole row.
* "insert_column_before": a column header. Insert an empty column in front of it.
* "edits": [[record ID, column header, new text], ...]. Type into those cells.

Then save as xlsx to OUT.xlsx (Excel 2007-365 filter) without unprotecting anything. Prints one
JSON object: the record IDs in sheet order before and after the sort, and for each step whether
LibreOffice refused it (and its message). With "expect_sorted": true it exits 3 when the sort
did not reorder the rows, so a sort that silently does nothing cannot pass for one.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

import uno  # type: ignore[import-not-found]  # only under the system Python
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]

USED_ROWS = 2000  # far more than any test export; empty rows are skipped


def prop(name: str, value: Any) -> Any:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe: str, seconds: float = 60.0) -> Any:
    """The running soffice's desktop; it may still be starting, so retry for a while."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local
    )
    deadline = time.monotonic() + seconds
    while True:
        try:
            context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            break
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)
    return context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)


def used_width(sheet: Any) -> int:
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    return int(cursor.getRangeAddress().EndColumn) + 1


def used_height(sheet: Any) -> int:
    cursor = sheet.createCursor()
    cursor.gotoEndOfUsedArea(False)
    return int(cursor.getRangeAddress().EndRow) + 1


def headers(sheet: Any) -> list[str]:
    return [sheet.getCellByPosition(c, 0).getString() for c in range(used_width(sheet))]


def column_of(sheet: Any, header: str) -> int:
    return headers(sheet).index(header)


def ids_in_order(sheet: Any) -> list[str]:
    """The first column's texts under the header: the record IDs as the sheet shows them."""
    return [
        text
        for r in range(1, used_height(sheet))
        if (text := sheet.getCellByPosition(0, r).getString())
    ]


def row_of(sheet: Any, record_id: str) -> int:
    for r in range(1, used_height(sheet)):
        if sheet.getCellByPosition(0, r).getString() == record_id:
            return r
    raise LookupError(f"no row for {record_id}")


def sort_by(sheet: Any, header: str) -> None:
    """Data > Sort on the whole data range, header included, by one column, descending."""
    width, height = used_width(sheet), used_height(sheet)
    data = sheet.getCellRangeByPosition(0, 0, width - 1, height - 1)
    field = uno.createUnoStruct("com.sun.star.table.TableSortField")
    field.Field = column_of(sheet, header)
    field.IsAscending = False
    field.IsCaseSensitive = False
    descriptor = data.createSortDescriptor()
    for p in descriptor:
        if p.Name == "SortFields":
            p.Value = uno.Any("[]com.sun.star.table.TableSortField", (field,))
        elif p.Name == "ContainsHeader":
            p.Value = True
    data.sort(descriptor)


def attempt(outcome: dict[str, Any], step: str, action: Any) -> None:
    """Do one step; record whether LibreOffice refused it (an exception) instead of crashing."""
    try:
        action()
        outcome[step] = {"refused": False}
    except Exception as exc:
        outcome[step] = {"refused": True, "message": str(getattr(exc, "Message", exc))}


def main(pipe: str, source: str, target: str, steps_file: str) -> int:
    with open(steps_file, encoding="utf-8") as stream:
        steps = json.load(stream)
    desktop = connect(pipe)
    document = desktop.loadComponentFromURL(
        uno.systemPathToFileUrl(source), "_blank", 0, (prop("Hidden", True),)
    )
    try:
        sheet = document.getSheets().getByIndex(0)
        outcome: dict[str, Any] = {"protected": bool(sheet.isProtected())}
        outcome["order_before"] = ids_in_order(sheet)
        if "sort_by" in steps:
            attempt(outcome, "sort", lambda: sort_by(sheet, steps["sort_by"]))
        outcome["order_after"] = ids_in_order(sheet)
        if "delete_row_of" in steps:
            row = row_of(sheet, steps["delete_row_of"])
            attempt(outcome, "delete_row", lambda: sheet.getRows().removeByIndex(row, 1))
        if "insert_column_before" in steps:
            column = column_of(sheet, steps["insert_column_before"])
            attempt(outcome, "insert_column", lambda: sheet.getColumns().insertByIndex(column, 1))
        for record_id, header, text in steps.get("edits", []):
            cell = sheet.getCellByPosition(column_of(sheet, header), row_of(sheet, record_id))
            attempt(
                outcome, f"edit {record_id} {header}", lambda cell=cell, t=text: cell.setString(t)
            )
        outcome["order_saved"] = ids_in_order(sheet)
        outcome["headers_saved"] = headers(sheet)
        document.storeToURL(
            uno.systemPathToFileUrl(target), (prop("FilterName", "Calc MS Excel 2007 XML"),)
        )
    finally:
        document.close(True)
    print(json.dumps(outcome))
    if steps.get("expect_sorted") and outcome["order_after"] == outcome["order_before"]:
        print("the sort did not reorder the rows", file=sys.stderr)
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:5]))
