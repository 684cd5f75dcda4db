"""Which of sheetsync's files a path holds, told by its content, and which command takes it.

A person with a folder of `people.xlsx`, `people.plan.json` and `my.toml` will sooner or later
give one to the wrong command. Each reader asks `wrong_kind` before its own parsing error, so
the message names what the file is and where it goes ("a workbook: plan it with ..."), not
a UTF-8 or zip error. Pure: standard library only, so every layer may ask.
"""

from __future__ import annotations

import json
import os
import tomllib
import zipfile
from pathlib import Path
from typing import Literal

FileKind = Literal["workbook", "plan", "template"]

_SNIFF_LIMIT = 4 * 1024 * 1024  # a plan or template larger than this is still named by suffix

_NAMES: dict[FileKind, str] = {
    "workbook": "an Excel workbook (.xlsx)",
    "plan": "a sheetsync plan file",
    "template": "a sheetsync template (.toml)",
}


def file_kind(path: str | os.PathLike[str]) -> FileKind | None:
    """What `path` holds: a workbook (a zip package with `xl/workbook.xml`), a plan (JSON
    with the plan's `format_version` and `records`), a template (TOML with `columns`), or
    None when it is none of these or cannot be read."""
    where = Path(path)
    try:
        if zipfile.is_zipfile(where):
            with zipfile.ZipFile(where) as package:
                return "workbook" if "xl/workbook.xml" in package.namelist() else None
        with open(where, "rb") as stream:
            head = stream.read(_SNIFF_LIMIT)
    except (OSError, zipfile.BadZipFile):
        return None
    text = head.decode("utf-8-sig", errors="replace")
    if text.lstrip().startswith("{"):
        return "plan" if _is_plan(text) else None
    return "template" if _is_template(text, where) else None


def _is_plan(text: str) -> bool:
    try:
        document = json.loads(text)
    except ValueError:
        return '"format_version"' in text and '"records"' in text  # cut short by the limit
    return isinstance(document, dict) and {"format_version", "records"} <= document.keys()


def _is_template(text: str, path: Path) -> bool:
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return path.suffix.lower() == ".toml"
    return "columns" in table or "entity" in table


def _takes(kind: FileKind, path: str) -> str:
    """Which command takes a file of `kind`, as the command to type."""
    if kind == "workbook":
        return f"plan it with `sheetsync plan {path}`, which writes the plan file to apply"
    if kind == "plan":
        return f"apply it with `sheetsync apply {path}` (or undo it with `sheetsync rollback`)"
    return f"export with it: `sheetsync export {path} -o FILE.xlsx`"


def wrong_kind(path: str | os.PathLike[str], wanted: FileKind) -> str | None:
    """Why a file of another kind than `wanted` cannot be used, and where it goes ("this is an
    Excel workbook (.xlsx), not a sheetsync plan file; plan it with ..."), without the path,
    which each error puts first; None when it is none of sheetsync's other kinds (the reader
    then says what is wrong with it). Readers ask only once their own parsing has failed."""
    found = file_kind(path)
    if found is None or found == wanted:
        return None
    return f"this is {_NAMES[found]}, not {_NAMES[wanted]}; {_takes(found, os.fspath(path))}"


__all__ = ["FileKind", "file_kind", "wrong_kind"]
