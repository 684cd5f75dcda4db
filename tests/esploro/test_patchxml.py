"""The asset op=patch body: the Knowledge Center's XML envelope, escaped values, its lists."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from sheetsync.errors import ApplyError
from sheetsync.esploro.patchxml import patch_xml

ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<ns3:records total_record_count="1" xmlns:ns2="http://esploro_record" '
    'xmlns:ns3="http://rest_esploro"><record>'
)


def _record(body: bytes) -> ET.Element:
    root = ET.fromstring(body)
    assert root.tag == "{http://rest_esploro}records"
    assert root.get("total_record_count") == "1"
    (record,) = root
    assert record.tag == "record"
    return record


def test_the_envelope_is_the_knowledge_centers_own() -> None:
    body = patch_xml({"identifier.doi": "10.20/30456", "date.published": "20241110"})
    assert body.startswith(ENVELOPE.encode())
    assert body.endswith(b"</record></ns3:records>")
    assert b"<identifier.doi>10.20/30456</identifier.doi>" in body
    assert b"<date.published>20241110</date.published>" in body
    assert [(e.tag, e.text) for e in _record(body)] == [
        ("identifier.doi", "10.20/30456"),
        ("date.published", "20241110"),
    ]


def test_values_are_escaped_and_read_back_exactly() -> None:
    tricky = "10.1000/a<b>&c\"d'e]]>ü\u2013"
    body = patch_xml({"identifier.other": tricky})
    assert b"a<b>" not in body and b"&amp;c" in body
    (element,) = _record(body)
    assert element.text == tricky


def test_lists_follow_the_articles_sample() -> None:
    links = [
        {
            "linkTypeWithDesc": {"value": "published", "desc": "Published"},  # derived: not sent
            "link.url": "https://doi.org/10.1/x",
            "link.type": "published",
            "link.title": None,  # absent, not an empty element
            "link.supplemental": False,
            "link.order": 1,
        }
    ]
    grants = [{"fundername": "Technion", "awardnumber": "A1"}]
    body = patch_xml(
        {"links": links, "fundingreferenceList": grants, "identifier.isbn": ["1", "2"]}
    )
    links_element, grants_element, isbn_one, isbn_two = _record(body)
    (link,) = links_element
    assert link.tag == "link"
    assert [(e.tag, e.text) for e in link] == [
        ("link.url", "https://doi.org/10.1/x"),
        ("link.type", "published"),
        ("link.supplemental", "false"),
        ("link.order", "1"),
    ]
    assert [child.tag for child in grants_element] == ["fundingreference"]
    assert (isbn_one.text, isbn_two.text) == ("1", "2")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"identifier.a b": "x"}, "not a valid XML element name"),
        ({"<script>": "x"}, "not a valid XML element name"),
        ({"identifier.doi": "10.1/\x01"}, "control character"),
    ],
)
def test_what_xml_cannot_carry_is_refused_naming_the_field(
    changes: dict[str, str], message: str
) -> None:
    with pytest.raises(ApplyError, match=message):
        patch_xml(changes)
