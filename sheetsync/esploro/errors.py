"""Reading Ex Libris error bodies, and which `EsploroApiError` class an answer becomes.

Every error Esploro answers with becomes an `EsploroApiError` (`sheetsync.errors`) carrying the
HTTP status, errorCode, errorMessage and trackingId (the trackingId is what Ex Libris support
asks for), parsed from a JSON or XML error body; XML is parsed with defusedxml, never expanding
entities. A body that is neither (a gateway's HTML page, an empty body) still gives a clear
message with the status.
"""

from __future__ import annotations

import json
import re

import defusedxml.ElementTree as SafeET

from sheetsync.errors import (
    AuthorizationError,
    DailyQuotaError,
    ErrorDetail,
    EsploroApiError,
    NotFoundError,
    RateLimitError,
    ServerError,
)

UNAUTHORIZED = "UNAUTHORIZED"
PER_SECOND_THRESHOLD = "PER_SECOND_THRESHOLD"
DAILY_THRESHOLD = "DAILY_THRESHOLD"

_XML_NS = "{http://com/exlibris/urm/general/xmlbeans}"
_EXCERPT_CHARS = 160


def error_class(detail: ErrorDetail, remaining: int | None = None) -> type[EsploroApiError]:
    """The exception class for an error answer, so callers can catch what they can handle."""
    if detail.status == 429:
        daily = detail.error_code == DAILY_THRESHOLD or remaining == 0
        return DailyQuotaError if daily else RateLimitError
    if detail.error_code == UNAUTHORIZED or detail.status in (401, 403):
        return AuthorizationError
    if detail.status == 404:  # an entity's own not-found errorCode: its adapter (entities.py)
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
