"""Code-table values and organisational-unit lookups, in the shape Esploro records carry them.

Code values drawn from the tables are wrapped by `_code`, so one missing from `codetables.py`
fails loudly (a KeyError) instead of producing a record the sandbox's own validation refuses.
"""

from __future__ import annotations

from sheetsync.sandbox.codetables import CODE_TABLES, ORG_UNITS

ORG_NAMES: dict[str, str] = {unit.code: unit.name for unit in ORG_UNITS}
ORG_PARENTS: dict[str, str | None] = {unit.code: unit.parent for unit in ORG_UNITS}


def _code(table: str, value: str) -> dict[str, str]:
    """A code-table value as Esploro returns it; a KeyError here means a vocabulary bug."""
    return {"value": value, "desc": CODE_TABLES[table][value]}


def _empty_code() -> dict[str, str]:
    """An unset code field as Alma returns it (alma-user.json: `{"value": "", "desc": ""}`)."""
    return {"value": "", "desc": ""}
