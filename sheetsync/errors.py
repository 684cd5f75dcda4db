"""What went wrong talking to Esploro: one exception hierarchy, and the parsing of error bodies.

Every error Esploro answers with becomes an `EsploroApiError` carrying the HTTP status, errorCode,
errorMessage and trackingId (the trackingId is what Ex Libris support asks for), parsed from a
JSON or XML error body; XML is parsed with defusedxml, never expanding entities. A body that is
neither (a gateway's HTML page, an empty body) still gives a clear message with the status.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import defusedxml.ElementTree as SafeET

UNAUTHORIZED = "UNAUTHORIZED"
USER_NOT_FOUND = "401861"
ASSET_NOT_FOUND = "ASSET_NOT_FOUND"
PER_SECOND_THRESHOLD = "PER_SECOND_THRESHOLD"
DAILY_THRESHOLD = "DAILY_THRESHOLD"
REMAINING_HEADER = "X-Exl-Api-Remaining"  # calls left today, on every answer

_XML_NS = "{http://com/exlibris/urm/general/xmlbeans}"
_EXCERPT_CHARS = 160


class EsploroError(Exception):
    """Anything that went wrong talking to Esploro."""


class EsploroConnectionError(EsploroError):
    """No HTTP answer at all: refused, reset, timed out. A write may or may not have happened."""


class QuotaFloorReached(EsploroError):
    """Not sent: the daily quota left is at or below the floor kept for other integrations."""

    def __init__(self, method: str, path: str, remaining: int, floor: int, in_flight: int) -> None:
        self.remaining = remaining
        self.floor = floor
        pending = f" with {in_flight} more request(s) already on their way" if in_flight else ""
        super().__init__(
            f"{method} {path} was not sent: Esploro reports {remaining} API calls left today "
            f"({REMAINING_HEADER}){pending}, at or below the quota floor of {floor}. The floor "
            "keeps calls in reserve for your institution's other integrations; change it with "
            "--quota-floor N (or quota_floor in the config profile) only if you are sure."
        )


@dataclass(frozen=True)
class ErrorDetail:
    status: int
    error_code: str
    error_message: str
    tracking_id: str


class EsploroApiError(EsploroError):
    """Esploro answered with an error. `str()` names the status, errorCode and trackingId."""

    def __init__(self, method: str, path: str, detail: ErrorDetail, attempts: int = 1) -> None:
        self.method = method
        self.path = path
        self.detail = detail
        self.attempts = attempts
        tracking = f" (trackingId {detail.tracking_id})" if detail.tracking_id else ""
        code = f" {detail.error_code}" if detail.error_code else ""
        gave_up = f" [gave up after {attempts} attempts]" if attempts > 1 else ""
        super().__init__(
            f"{method} {path}: HTTP {detail.status}{code}: {detail.error_message}{tracking}"
            f"{gave_up}"
        )

    @property
    def status(self) -> int:
        return self.detail.status

    @property
    def error_code(self) -> str:
        return self.detail.error_code

    @property
    def error_message(self) -> str:
        return self.detail.error_message

    @property
    def tracking_id(self) -> str:
        return self.detail.tracking_id


class AuthorizationError(EsploroApiError):
    """UNAUTHORIZED: the key is unknown, or not allowed this API area or method (e.g. a write)."""


class NotFoundError(EsploroApiError):
    """No such record: errorCode 401861 (researchers), ASSET_NOT_FOUND, or HTTP 404."""


class RateLimitError(EsploroApiError):
    """429 PER_SECOND_THRESHOLD, still refused after every retry the client allows."""


class DailyQuotaError(EsploroApiError):
    """429 DAILY_THRESHOLD: today's quota is spent. Never retried: it lasts until tomorrow."""


class ServerError(EsploroApiError):
    """HTTP 5xx (a GET after its retries; a write at once, since it may have happened)."""


class InvalidResponseError(EsploroApiError):
    """A success status whose body is not the JSON expected (e.g. a gateway's HTML page)."""


def error_class(detail: ErrorDetail, remaining: int | None = None) -> type[EsploroApiError]:
    """The exception class for an error answer, so callers can catch what they can handle."""
    if detail.status == 429:
        daily = detail.error_code == DAILY_THRESHOLD or remaining == 0
        return DailyQuotaError if daily else RateLimitError
    if detail.error_code == UNAUTHORIZED or detail.status in (401, 403):
        return AuthorizationError
    if detail.error_code in (USER_NOT_FOUND, ASSET_NOT_FOUND) or detail.status == 404:
        return NotFoundError
    if detail.status >= 500:
        return ServerError
    return EsploroApiError


def parse_error(status: int, content_type: str, body: bytes) -> ErrorDetail:
    """Read an Ex Libris error body, JSON or XML; fall back to a message about the status."""
    text = body.decode("utf-8", errors="replace").strip()
    detail = _json_error(status, text) if "json" in content_type else None
    if detail is None and text.startswith("<"):
        detail = _xml_error(status, text)
    if detail is None:
        detail = _json_error(status, text)
    if detail is not None:
        return detail
    if not text:
        return ErrorDetail(status, "", "the server answered with an empty body", "")
    kind = content_type or "no content type"
    message = f"the server answered with a body that is not an Esploro error ({kind})"
    excerpt = body_excerpt(text)
    return ErrorDetail(status, "", f"{message}: {excerpt}" if excerpt else message, "")


def body_excerpt(text: str) -> str:
    """A short, readable hint of what a non-Esploro body says: an HTML title, or its first text."""
    title = re.search(r"<title[^>]*>(.*?)</title>", text, re.IGNORECASE | re.DOTALL)
    plain = title.group(1) if title else re.sub(r"<[^>]*>", " ", text)
    plain = " ".join(plain.split())
    if len(plain) > _EXCERPT_CHARS:
        plain = plain[: _EXCERPT_CHARS - 1] + "…"
    return plain


def _json_error(status: int, text: str) -> ErrorDetail | None:
    try:
        errors = json.loads(text)["errorList"]["error"]
        first = errors[0] if isinstance(errors, list) else errors
        return ErrorDetail(
            status,
            str(first.get("errorCode", "")),
            str(first.get("errorMessage", "")),
            str(first.get("trackingId", "")),
        )
    except (ValueError, KeyError, IndexError, TypeError, AttributeError):
        return None


def _xml_error(status: int, text: str) -> ErrorDetail | None:
    try:
        root = SafeET.fromstring(text)
    except Exception:  # defusedxml raises its own errors for entities; all mean "not usable"
        return None
    error = root.find(f"{_XML_NS}errorList/{_XML_NS}error")
    if error is None:
        return None
    return ErrorDetail(
        status,
        error.findtext(f"{_XML_NS}errorCode") or "",
        error.findtext(f"{_XML_NS}errorMessage") or "",
        error.findtext(f"{_XML_NS}trackingId") or "",
    )


# -- the rate limiter ----------------------------------------------------------------------
