"""Ex Libris error bodies, as the real gateway sends them.

The client under test must cope with exactly these shapes (docs/sandbox.md), so the
sandbox builds every error through this one module: a JSON body for JSON callers, the
`web_service_result` XML document for everyone else. A trackingId (what Ex Libris support asks
for) is in every body but one: the gateway's `UNAUTHORIZED` in XML carries none
(evidence errors/unauthorized-no-tracking-id.xml), and a client must cope with that too.
"""

from __future__ import annotations

import json
import random
import string
import threading
import time
from xml.sax.saxutils import escape

XML_NAMESPACE = "http://com/exlibris/urm/general/xmlbeans"

# Error codes. The numeric researcher code is documented; the others follow the gateway's
# symbolic style. Codes marked [guess] are not confirmed against a real Esploro.
USER_NOT_FOUND = "401861"
ASSET_NOT_FOUND = "ASSET_NOT_FOUND"  # [guess] "an equivalent" of 401861 for assets
# The Assets API's own codes and messages, verbatim from esploro-assets-openapi.json (its
# dashes are EN DASHes, U+2013).
GENERAL_ERROR = "401711"
INVALID_DATE = "402711"
INVALID_ID_LIST = "402712"
CONFLICTING_VALUES = "402713"
ID_NOT_NUMERIC = "401714"
ASSET_MESSAGES: dict[str, str] = {
    GENERAL_ERROR: "General Error \u2013 An error has occurred when processing this request",
    INVALID_DATE: "Input parameter contains an invalid format \u2013 correct date format is "
    "YYYY-MM-DD.",
    INVALID_ID_LIST: "Input parameter mmsId list is not valid.",
    CONFLICTING_VALUES: "Input parameters contains multiple values that cannot be used together.",
    ID_NOT_NUMERIC: "Input parameters mmsId is not numeric.",
}
UNAUTHORIZED = "UNAUTHORIZED"
PER_SECOND_THRESHOLD = "PER_SECOND_THRESHOLD"
DAILY_THRESHOLD = "DAILY_THRESHOLD"  # [guess]
INVALID_PARAMETER = "INVALID_PARAMETER"  # [guess] bad limit/offset/q/ids
INVALID_CODE_VALUE = "INVALID_CODE_VALUE"  # [guess] a code not in its code table
INVALID_BODY = "INVALID_BODY"  # [guess] body is not JSON or not the expected shape
FIELD_NOT_PATCHABLE = "FIELD_NOT_PATCHABLE"  # [guess] op=patch on a field it cannot write
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # [guess] e.g. PUT or DELETE of an asset
NOT_SUPPORTED_BY_SANDBOX = "NOT_SUPPORTED_BY_SANDBOX"  # sandbox limitation: asset creation
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"  # sandbox limitation: records are served as JSON only
NOT_FOUND = "NOT_FOUND"  # no such resource path
VERBATIM_RECORD = "VERBATIM_RECORD"  # /_sandbox/: a record served byte for byte is never bumped
INTERNAL_ERROR = "GENERAL_ERROR"  # [guess] what fault injection answers with

UNAUTHORIZED_MESSAGE = "API-key not defined or not configured to allow this API."


class ApiError(Exception):
    """An error the sandbox answers with. Raised anywhere in request handling."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


def asset_error(code: str, detail: str = "") -> ApiError:
    """A 400 with one of the Assets API's documented codes and its documented message.

    `detail` (sandbox words, after the documented text) says what was wrong; the real API's
    message stops at the documented text.
    """
    message = ASSET_MESSAGES[code]
    return ApiError(400, code, f"{message} {detail}" if detail else message)


TRACKING_PREFIXES: dict[str, tuple[str, ...]] = {
    "E01": ("E01",),
    "E02": ("E02",),
    "mixed": ("E01", "E02"),
}


class TrackingIds:
    """Makes trackingIds shaped like the gateway's: `E01-2711235800-MYP2F-AWAE1552862727`.

    Real ones start `E01-` or `E02-` (evidence errors/401861-user-not-found.json), so a client
    must never expect one prefix; `prefixes="mixed"` hands out both.
    """

    def __init__(self, seed: int | None, prefixes: str = "E01") -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        self._prefixes = TRACKING_PREFIXES[prefixes]

    def next(self) -> str:
        stamp = time.strftime("%d%H%M%S%m", time.gmtime())
        with self._lock:
            prefix = self._random.choice(self._prefixes)
            letters = "".join(self._random.choices(string.ascii_uppercase + string.digits, k=5))
            digits = "".join(self._random.choices(string.digits, k=10))
        return f"{prefix}-{stamp}-{letters}-AWAE{digits}"


def json_error_body(error: ApiError, tracking_id: str) -> bytes:
    body = {
        "errorsExist": True,
        "errorList": {
            "error": [
                {
                    "errorCode": error.code,
                    "errorMessage": error.message,
                    "trackingId": tracking_id,
                }
            ]
        },
        "result": None,
    }
    return json.dumps(body, ensure_ascii=False).encode("utf-8")


def xml_error_body(error: ApiError, tracking_id: str | None) -> bytes:
    """The `web_service_result` document; without a `<trackingId>` when `tracking_id` is None."""
    tracking = (
        "" if tracking_id is None else f"      <trackingId>{escape(tracking_id)}</trackingId>\n"
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<web_service_result xmlns="{XML_NAMESPACE}">\n'
        "  <errorsExist>true</errorsExist>\n"
        "  <errorList>\n"
        "    <error>\n"
        f"      <errorCode>{escape(error.code)}</errorCode>\n"
        f"      <errorMessage>{escape(error.message)}</errorMessage>\n"
        f"{tracking}"
        "    </error>\n"
        "  </errorList>\n"
        "</web_service_result>\n"
    )
    return text.encode("utf-8")
