"""What a typed value becomes before it is planned, each change listed for the reviewer (pure).

People type (and paste) spaces at the ends of names, line breaks after titles, ORCID iDs as
links, codes in the wrong case or by their description. Writing those as typed puts invisible
characters into Esploro, and refusing them turns a monthly job into a hunt; so every edited
cell, from whatever input, passes through `normalise_change`:

- whitespace: leading and trailing spaces, line breaks, no-break and zero-width characters are
  trimmed, and a line break inside the text becomes a space, unless the column is
  `multiline = true` (kept) or `trim = false` (nothing is touched);
- identifiers (`identifier = "orcid"`, doi, issn, isbn, pmid): prefixes removed, the standard
  form written, a check character that does not add up refused (`sheetsync.identifiers`);
- codes: a code typed in another case, or typed as its description, becomes the code; a value
  that is neither is refused with the nearest codes and descriptions as a suggestion;
- true/false columns: Yes, No, True, False in any case become true or false.

Each change is a note in words ("trimmed 2 trailing spaces") that the plan keeps with the
cell, so nothing is changed silently. Only cells the person edited get here: a value exported
from Esploro with trailing spaces that nobody touched is never an edit. A cell whose
normalised value is its exported one is no longer an edit either.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import replace

from sheetsync.identifiers import check_identifier
from sheetsync.planning.edits import CellChange, same
from sheetsync.planning.validate import split_values
from sheetsync.report.visible import INVISIBLE, char_name
from sheetsync.template import Column

__all__ = ["Normalised", "normalise_change", "normalise_text", "normalise_whitespace"]

_INNER_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n)\s*")
_TRUE_WORDS = frozenset({"true", "yes"})
_FALSE_WORDS = frozenset({"false", "no"})

Normalised = tuple[str | None, tuple[str, ...], str]  # text, notes, problem ("" when none)


def _trimmed(char: str) -> bool:
    return char.isspace() or char in INVISIBLE


def _counted(chars: str, where: str) -> list[str]:
    """'  \\n' at the end -> ['2 trailing spaces', '1 trailing line break']."""
    counts = Counter(char_name(c) for c in chars.replace("\r\n", "\n"))
    return [f"{n} {where} {name}{'s' if n > 1 else ''}" for name, n in counts.items()]


def normalise_whitespace(column: Column, text: str) -> tuple[str, tuple[str, ...]]:
    """`text` trimmed as the column says, and what was trimmed, in words."""
    if not column.trim:
        return text, ()
    start = 0
    while start < len(text) and _trimmed(text[start]):
        start += 1
    end = len(text)
    while end > start and _trimmed(text[end - 1]):
        end -= 1
    notes = [f"trimmed {part}" for part in _counted(text[:start], "leading")]
    notes += [f"trimmed {part}" for part in _counted(text[end:], "trailing")]
    core = text[start:end]
    if not column.multiline and (breaks := len(_INNER_BREAK.findall(core))):
        core = _INNER_BREAK.sub(" ", core)
        noun = "line break" if breaks == 1 else "line breaks"
        notes.append(f"replaced {breaks} {noun} inside the text with a space")
    return core, tuple(notes)


def normalise_text(
    column: Column, text: str | None, codes: Mapping[str, str] | None = None
) -> Normalised:
    """An edited cell's text as it will be written, the notes saying what changed, and why it
    cannot be written ("" when it can). `codes`: the column's code table, code -> description,
    when it has one."""
    if text is None:
        return None, (), ""
    text, notes = normalise_whitespace(column, text)
    if text == "":
        return None, notes, ""
    if column.identifier is None and column.type not in ("code", "boolean"):
        return text, notes, ""
    values, more, problem = [], list(notes), ""
    for value in split_values(column, text):
        written, value_notes, problem = _normalise_value(column, value, codes)
        if problem:
            return text, notes, problem
        values.append(written)
        more += value_notes
    if column.join:
        return column.join.join(values), tuple(more), ""
    return values[0], tuple(more), ""


def _normalise_value(
    column: Column, value: str, codes: Mapping[str, str] | None
) -> tuple[str, list[str], str]:
    if column.identifier is not None:
        checked = check_identifier(column.identifier, value)
        return checked.value, list(checked.notes), checked.problem
    if column.type == "boolean":
        return _boolean(value)
    if codes is not None:
        return _code(column, value, codes)
    return value, [], ""


def _boolean(value: str) -> tuple[str, list[str], str]:
    """true or false, from Yes/No/True/False in any case; `merge.json_value` writes it in the
    field's own form (JSON true/false, or the text "true"/"false" where Esploro keeps text)."""
    word = value.casefold()
    written = "true" if word in _TRUE_WORDS else "false" if word in _FALSE_WORDS else None
    if written is None:
        return value, [], f"'{value}' is not one of Yes, No, True, False"
    return written, [] if written == value else [f"read '{value}' as {written}"], ""


def _code(column: Column, value: str, codes: Mapping[str, str]) -> tuple[str, list[str], str]:
    """A code as Esploro stores it, found regardless of case or by its description."""
    if value in codes:
        return value, [], ""
    wanted = value.casefold()
    for code in codes:
        if code.casefold() == wanted:
            return code, [f"read '{value}' as the code {code}"], ""
    for code, description in codes.items():
        if description and description.casefold() == wanted:
            return code, [f"read '{value}' as the code {code} ({description})"], ""
    return value, [], _unknown_code(column, value, codes)


def _unknown_code(column: Column, value: str, codes: Mapping[str, str]) -> str:
    """A value in no row of the code table, with the nearest codes or descriptions."""
    by_key = {code.casefold(): code for code in codes}
    by_key.update({d.casefold(): c for c, d in codes.items() if d and d.casefold() not in by_key})
    close = difflib.get_close_matches(value.casefold(), by_key, n=6, cutoff=0.6)
    table = f"the code table {column.code_table}"
    if not close:
        return f"'{value}' is not a code or a description in {table}"
    # a code and its description both near the value name one code: name it once
    nearest = list(dict.fromkeys(by_key[key] for key in close))[:3]
    named = " or ".join(_code_words(code, codes) for code in nearest)
    return f"'{value}' is not a code or a description in {table}; did you mean {named}?"


def _code_words(code: str, codes: Mapping[str, str]) -> str:
    description = codes.get(code) or ""
    return f"{code} ({description})" if description and description != code else code


def normalise_change(
    change: CellChange, column: Column, codes: Mapping[str, str] | None, sheet: str
) -> CellChange | None:
    """The change with its edited text normalised and the notes kept, or None when the
    normalised text is what was exported (only invisible or spelling differences were typed).
    A change already refused (a formula, a read-only column) is left as it is, unless only
    whitespace was typed into it; a refusal made here names the cell:
    `Researchers!P4 (ORCID iD): ORCID iD ...: the last character should be 7`."""
    if change.problem:
        if change.edited is not None and change.baseline is not None:
            trimmed, _ = normalise_whitespace(column, change.edited)
            if trimmed == normalise_whitespace(column, change.baseline)[0]:
                return None
        return change
    text, notes, problem = normalise_text(column, change.edited, codes)
    if not problem and same(text, change.baseline):
        return None
    where = f"{sheet}!{change.cell} ({change.header}): " if problem else ""
    return replace(change, edited=text, notes=change.notes + notes, problem=where + problem)
