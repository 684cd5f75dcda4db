"""Ex Libris error bodies, as the real gateway sends them.

The client under test must cope with exactly these shapes (docs/sandbox.md), so the
sandbox builds every error through this one module: a JSON body for JSON callers, the
`web_service_result` XML document for everyone else, and always a trackingId, because that is
what Ex Libris support asks for.
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
UNAUTHORIZED = "UNAUTHORIZED"
PER_SECOND_THRESHOLD = "PER_SECOND_THRESHOLD"
DAILY_THRESHOLD = "DAILY_THRESHOLD"  # [guess]
INVALID_PARAMETER = "INVALID_PARAMETER"  # [guess] bad limit/offset/q/ids
INVALID_CODE_VALUE = "INVALID_CODE_VALUE"  # [guess] a code not in its code table
INVALID_BODY = "INVALID_BODY"  # [guess] body is not JSON or not the expected shape
FIELD_NOT_PATCHABLE = "FIELD_NOT_PATCHABLE"  # [guess] op=patch on a field it cannot write
METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"  # [guess] e.g. DELETE of an asset
NOT_ACCEPTABLE = "NOT_ACCEPTABLE"  # sandbox limitation: records are served as JSON only
NOT_FOUND = "NOT_FOUND"  # no such resource path
INTERNAL_ERROR = "GENERAL_ERROR"  # [guess] what fault injection answers with

UNAUTHORIZED_MESSAGE = "API-key not defined or not configured to allow this API."


class ApiError(Exception):
    """An error the sandbox answers with. Raised anywhere in request handling."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(f"{status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message


class TrackingIds:
    """Makes trackingIds shaped like the gateway's: `E01-2711235800-MYP2F-AWAE1552862727`."""

    def __init__(self, seed: int | None) -> None:
        self._random = random.Random(seed)
        self._lock = threading.Lock()

    def next(self) -> str:
        stamp = time.strftime("%d%H%M%S%m", time.gmtime())
        with self._lock:
            letters = "".join(self._random.choices(string.ascii_uppercase + string.digits, k=5))
            digits = "".join(self._random.choices(string.digits, k=10))
        return f"E01-{stamp}-{letters}-AWAE{digits}"


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


def xml_error_body(error: ApiError, tracking_id: str) -> bytes:
    text = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        f'<web_service_result xmlns="{XML_NAMESPACE}">\n'
        "  <errorsExist>true</errorsExist>\n"
        "  <errorList>\n"
        "    <error>\n"
        f"      <errorCode>{escape(error.code)}</errorCode>\n"
        f"      <errorMessage>{escape(error.message)}</errorMessage>\n"
        f"      <trackingId>{escape(tracking_id)}</trackingId>\n"
        "    </error>\n"
        "  </errorList>\n"
        "</web_service_result>\n"
    )
    return text.encode("utf-8")
