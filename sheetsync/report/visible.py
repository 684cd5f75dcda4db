"""Characters a reader cannot see, made visible, and named (pure, plain text).

'Şebnem  ' and 'Şebnem' print alike; a plan that shows "Şebnem -> Şebnem" hides the very
difference it is about to write. Every report (terminal, HTML, the annotated workbook) shows a
value through `visible`, and the planner names what it trimmed with `char_name`, so a
reviewer reads the same marks and words everywhere:

    ·                spaces at the start or end of the value
    ⏎                a line break
    [tab]            a tab
    [no-break space], [zero-width space], ...   wherever they are
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["INVISIBLE", "char_name", "visible"]

EDGE_SPACE = "·"
LINE_BREAK = "⏎"
_NAMES = {
    " ": "space",
    "\n": "line break",
    "\r": "line break",
    "\t": "tab",
    "\u00a0": "no-break space",
    "\u202f": "narrow no-break space",
    "\u200b": "zero-width space",
    "\u200c": "zero-width non-joiner",
    "\u200d": "zero-width joiner",
    "\u2060": "word joiner",
    "\ufeff": "zero-width no-break space",
}
# Characters that show nothing of themselves (besides the ordinary inner space).
INVISIBLE = frozenset(_NAMES) | frozenset(
    chr(c)
    for c in range(0x2000, 0x200B)  # the typographic spaces
)
_LINE_BREAKS = re.compile(r"\r\n|\r|\n")


def char_name(char: str) -> str:
    """What a person calls an invisible character ("no-break space")."""
    if char in _NAMES:
        return _NAMES[char]
    return unicodedata.name(char, f"U+{ord(char):04X}").lower()


def visible(text: str, *, one_line: bool = False) -> str:
    """`text` with its invisible characters shown. A line break is ⏎ followed by the break
    itself, or, with `one_line`, by nothing at either end and by spaces inside the text."""
    if not any(char in INVISIBLE for char in text) and text.strip(" ") == text:
        return text
    parts = _LINE_BREAKS.split(text)
    shown = [
        _visible_line(part, first=i == 0, last=i == len(parts) - 1) for i, part in enumerate(parts)
    ]
    if not one_line:
        return f"{LINE_BREAK}\n".join(shown)
    joined = shown[0]
    for part in shown[1:]:
        inner = joined.strip() and part.strip()
        joined += f" {LINE_BREAK} " if inner else LINE_BREAK
        joined += part
    return joined


def _visible_line(line: str, *, first: bool, last: bool) -> str:
    """One line's characters shown; ordinary spaces only at the value's start or end."""
    start = len(line) - len(line.lstrip(" ")) if first else 0
    end = len(line.rstrip(" ")) if last else len(line)
    end = max(end, start)  # a value of spaces only
    out = [EDGE_SPACE * start]
    for char in line[start:end]:
        if char == " " or char not in INVISIBLE:
            out.append(char)
        else:
            out.append(f"[{char_name(char)}]")
    out.append(EDGE_SPACE * (len(line) - end))
    return "".join(out)
