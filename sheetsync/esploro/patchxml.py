"""The body of an asset `op=patch`, as Ex Libris's Knowledge Center writes it: XML.

Why XML and not JSON: the article "Update Asset by API" gives its body as XML with dotted
element names (`<identifier.doi>`) in a fixed `ns3:records` envelope, and a third party's
rewrite of it says identifiers can be patched *only* from XML. A JSON body naming
`identifier.doi` is answered 200 with the DOI left as it was, which is the worst kind of
failure: silent. So sheetsync sends exactly the article's envelope and element names, built
with ElementTree so that every value is escaped (`&`, `<`, `>`) and every name checked.

Lists follow the article's sample: `links` holds `<link>` items and `fundingreferenceList`
holds `<fundingreference>` items; a list of plain values (an asset's ISBNs) repeats its
element. Derived `*WithDesc` objects, which the server computes, are never sent.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET  # building only: nothing is parsed here
from collections.abc import Mapping
from typing import Any

from sheetsync.errors import ApplyError

XML_CONTENT_TYPE = "application/xml"
# The Knowledge Center's envelope, verbatim (kc-update-asset-by-api.txt).
PROLOGUE = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
RECORDS_OPEN = (
    '<ns3:records total_record_count="1" xmlns:ns2="http://esploro_record" '
    'xmlns:ns3="http://rest_esploro">'
)
RECORDS_CLOSE = "</ns3:records>"
LIST_ITEMS = {"links": "link", "fundingreferenceList": "fundingreference"}

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*\Z")
# Characters XML 1.0 cannot carry at all, even escaped.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def patch_xml(changes: Mapping[str, Any]) -> bytes:
    """The UTF-8 XML body that patches `changes` (dotted asset keys to values)."""
    record = ET.Element("record")
    for name, value in changes.items():
        _add(record, name, value)
    inner = ET.tostring(record, encoding="unicode")
    return (PROLOGUE + RECORDS_OPEN + inner + RECORDS_CLOSE).encode("utf-8")


def _add(parent: ET.Element, name: str, value: Any) -> None:
    """`value` as element(s) named `name` under `parent`; None and derived objects are left out."""
    if value is None or name.endswith("WithDesc"):
        return
    if isinstance(value, list):
        item_name = LIST_ITEMS.get(name)
        if item_name is None:  # plain values: the element repeated, one per value
            for item in value:
                _add(parent, name, item)
            return
        wrapper = _element(parent, name)
        for item in value:
            _add(wrapper, item_name, item)
        return
    element = _element(parent, name)
    if isinstance(value, Mapping):
        for key, inner in value.items():
            _add(element, str(key), inner)
    else:
        element.text = _text(name, value)


def _element(parent: ET.Element, name: str) -> ET.Element:
    if not _NAME.match(name):
        raise ApplyError(f"'{name}' cannot be sent to Esploro: it is not a valid XML element name")
    return ET.SubElement(parent, name)


def _text(name: str, value: Any) -> str:
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    if _NOT_XML.search(text):
        raise ApplyError(
            f"the value of '{name}' holds a control character that XML cannot carry; "
            "remove it in Esploro or in the workbook and plan again"
        )
    return text


__all__ = ["XML_CONTENT_TYPE", "patch_xml"]
