"""rest_researcher.xsd (with rest_user.xsd) read as the JSON shapes Alma gives researchers.

Alma's JSON flattens the XSD's wrapper lists (`researcher_keywords/researcher_keyword` is one
list `researcher_keyword`) and turns a code element (text with a `desc` attribute) into
`{"value", "desc"}`. These helpers apply those rules to the evidence files, so tests compare
the seed and the sandbox's schema with the XSD itself rather than with a copy of it.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

EVIDENCE = Path(__file__).parents[4] / "shared" / "evidence"
XS = "{http://www.w3.org/2001/XMLSchema}"
# Not in this older copy of the XSD; the evidence README says the live one has them.
README_FIELDS = ("profile_identifier_url", "update_ORCID_profile")

Types = dict[str, ET.Element]


@cache
def _types() -> Types:
    types: Types = {}
    for name in ("rest_researcher.xsd", "rest_user.xsd"):
        root = ET.parse(EVIDENCE / name).getroot()
        types.update(
            {t.attrib["name"]: t for t in root.iter(f"{XS}complexType") if "name" in t.attrib}
        )
    return types


def _elements(complex_type: ET.Element) -> list[ET.Element]:
    """The element children of a complexType's `xs:all` or `xs:sequence`, in order."""
    for group in ("all", "sequence"):
        found = complex_type.find(f"{XS}{group}")
        if found is not None:
            return found.findall(f"{XS}element")
    return []


def _type_of(element: ET.Element) -> ET.Element | None:
    named = element.get("type")
    if named is not None:
        return _types().get(named)
    return element.find(f"{XS}complexType")


def _is_code(element: ET.Element) -> bool:
    """Text with a `desc` attribute: `{"value", "desc"}` in JSON."""
    inline = element.find(f"{XS}complexType/{XS}simpleContent/{XS}extension/{XS}attribute")
    return inline is not None and inline.get("name") == "desc"


def code_table(element: ET.Element) -> str | None:
    table = element.find(f"{XS}annotation/{XS}appinfo/{XS}codeTable")
    return None if table is None else table.text


def item_keys(element: ET.Element) -> tuple[str, ...]:
    """The JSON keys of one list item, in the XSD's order (attributes last)."""
    if _is_code(element):
        return ("value", "desc")
    complex_type = _type_of(element)
    assert complex_type is not None, element.get("name")
    attributes = [a.attrib["name"] for a in complex_type.findall(f"{XS}attribute")]
    return (*(e.attrib["name"] for e in _elements(complex_type)), *attributes)


class Field:
    """One key of the JSON `researcher` object and what the XSD says about it."""

    def __init__(self, key: str, element: ET.Element | None, is_list: bool) -> None:
        self.key = key
        self.element = element  # the list item's element for a list
        self.is_list = is_list

    @property
    def is_code(self) -> bool:
        return self.element is not None and _is_code(self.element)


@cache
def researcher_fields() -> tuple[Field, ...]:
    """The JSON keys of `researcher`, in the XSD's declaration order, plus README_FIELDS."""
    fields = []
    for element in _elements(_types()["researcher"]):
        wrapper = _types().get(element.get("type", ""))
        items = _elements(wrapper) if wrapper is not None else []
        if len(items) == 1 and items[0].get("maxOccurs") not in (None, "1"):
            fields.append(Field(items[0].attrib["name"], items[0], True))
        else:
            fields.append(Field(element.attrib["name"], element, False))
    return (*fields, *(Field(key, None, False) for key in README_FIELDS))


def researcher_code_paths() -> dict[tuple[str, ...], str]:
    """Every code field of `researcher` and its code table, as schema.py walks them."""
    paths: dict[tuple[str, ...], str] = {}
    for field in researcher_fields():
        if field.element is None:
            continue
        table = code_table(field.element)
        if table is not None:
            paths[("researcher", field.key, *(("*",) if field.is_list else ()))] = table
        if field.is_list and not field.is_code:
            item_type = _type_of(field.element)
            for child in _elements(item_type) if item_type is not None else []:
                table = code_table(child)
                if table is not None:
                    paths[("researcher", field.key, "*", child.attrib["name"])] = table
    return paths
