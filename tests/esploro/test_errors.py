"""Error bodies, JSON and XML, become one typed error with errorCode and trackingId."""

from __future__ import annotations

import json

import pytest

from sheetsync.errors import (
    AuthorizationError,
    DailyQuotaError,
    EsploroApiError,
    NotFoundError,
    RateLimitError,
    ServerError,
)
from sheetsync.esploro.entities import ASSETS, RESEARCHERS, Entity
from sheetsync.esploro.errors import error_class, parse_error

JSON_BODY = json.dumps(
    {
        "errorsExist": True,
        "errorList": {
            "error": [
                {
                    "errorCode": "401861",
                    "errorMessage": "User with identifier 7 was not found.",
                    "trackingId": "E01-1-ABCDE-AWAE1",
                }
            ]
        },
        "result": None,
    }
).encode()
XML_BODY = b"""<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans">
<errorsExist>true</errorsExist><errorList><error><errorCode>UNAUTHORIZED</errorCode>
<errorMessage>API-key not defined.</errorMessage><trackingId>E01-2-FGHIJ-AWAE2</trackingId>
</error></errorList></web_service_result>"""


def test_json_and_xml_bodies_give_the_same_fields() -> None:
    json_detail = parse_error(400, "application/json", JSON_BODY)
    assert (json_detail.error_code, json_detail.tracking_id) == ("401861", "E01-1-ABCDE-AWAE1")
    xml_detail = parse_error(401, "application/xml", XML_BODY)
    assert (xml_detail.error_code, xml_detail.tracking_id) == ("UNAUTHORIZED", "E01-2-FGHIJ-AWAE2")
    # a JSON body labelled wrongly is still read
    assert parse_error(400, "text/plain", JSON_BODY).error_code == "401861"


@pytest.mark.parametrize(
    "content_type, body",
    [
        ("text/html", b"<html><body>502 Bad Gateway</body></html>"),
        ("text/plain", b""),
        ("application/json", b"{not json"),
    ],
)
def test_bodies_that_are_not_esploro_errors_still_say_the_status(
    content_type: str, body: bytes
) -> None:
    detail = parse_error(502, content_type, body)
    assert detail.status == 502 and detail.error_code == "" and detail.error_message


def test_xml_entities_are_never_expanded() -> None:
    bomb = b"""<?xml version="1.0"?>
<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>
<web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans"><errorList><error>
<errorCode>&b;</errorCode></error></errorList></web_service_result>"""
    detail = parse_error(500, "application/xml", bomb)
    assert "aaaa" not in detail.error_code


@pytest.mark.parametrize(
    "status, code, expected",
    [
        (401, "UNAUTHORIZED", AuthorizationError),
        (400, "UNAUTHORIZED", AuthorizationError),
        (404, "", NotFoundError),
        (400, "401861", EsploroApiError),  # which entity's not-found code: the adapter decides
        (429, "PER_SECOND_THRESHOLD", RateLimitError),
        (429, "DAILY_THRESHOLD", DailyQuotaError),
        (503, "", ServerError),
        (400, "INVALID_CODE_VALUE", EsploroApiError),
    ],
)
def test_error_classes_follow_status_and_code(status: int, code: str, expected: type) -> None:
    detail = parse_error(status, "application/json", JSON_BODY.replace(b"401861", code.encode()))
    assert error_class(detail) is expected


def test_an_error_message_names_status_code_and_tracking_id() -> None:
    error = EsploroApiError("GET", "researchers/7", parse_error(400, "application/json", JSON_BODY))
    text = str(error)
    assert "400" in text and "401861" in text and "E01-1-ABCDE-AWAE1" in text


@pytest.mark.parametrize(
    "entity, code", [(RESEARCHERS, "401861"), (ASSETS, "ASSET_NOT_FOUND")], ids=str
)
def test_each_entity_knows_its_not_found_code(entity: Entity, code: str) -> None:
    detail = parse_error(400, "application/json", JSON_BODY.replace(b"401861", code.encode()))
    error = error_class(detail)("GET", "x/1", detail)
    assert isinstance(entity.not_found(error), NotFoundError)
    other = ASSETS if entity is RESEARCHERS else RESEARCHERS
    assert not isinstance(other.not_found(error), NotFoundError)
