"""The Esploro REST client: the only module that imports requests.

Plain dicts in and out. The API key travels only in the `Authorization: apikey ...` header, so
it never appears in a URL, a log line or an exception. Every error from Esploro becomes an
`EsploroApiError` carrying the HTTP status, errorCode, errorMessage and trackingId, parsed from a
JSON or XML error body (XML without entity expansion); a body that is neither still gives a
clear message with the status.

Rate limiting, retries, the quota guard and concurrent fetching arrive with the export issue.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import defusedxml.ElementTree as SafeET
import requests

API_PATH = "/esploro/v1/"
REGIONS = ("na", "eu", "ap", "ca", "cn")
_XML_NS = "{http://com/exlibris/urm/general/xmlbeans}"


def region_base_url(region: str) -> str:
    """The gateway for a region: `https://api-{region}.hosted.exlibrisgroup.com`."""
    if region not in REGIONS:
        raise ValueError(f"unknown region '{region}'; choose one of {', '.join(REGIONS)}")
    return f"https://api-{region}.hosted.exlibrisgroup.com"


class EsploroError(Exception):
    """Anything that went wrong talking to Esploro."""


class EsploroConnectionError(EsploroError):
    """No HTTP answer at all: refused, reset, timed out."""


@dataclass(frozen=True)
class ErrorDetail:
    status: int
    error_code: str
    error_message: str
    tracking_id: str


class EsploroApiError(EsploroError):
    """Esploro answered with an error. `str()` names the status, errorCode and trackingId."""

    def __init__(self, method: str, path: str, detail: ErrorDetail) -> None:
        self.method = method
        self.path = path
        self.detail = detail
        tracking = f" (trackingId {detail.tracking_id})" if detail.tracking_id else ""
        code = f" {detail.error_code}" if detail.error_code else ""
        super().__init__(
            f"{method} {path}: HTTP {detail.status}{code}: {detail.error_message}{tracking}"
        )

    @property
    def status(self) -> int:
        return self.detail.status

    @property
    def error_code(self) -> str:
        return self.detail.error_code

    @property
    def tracking_id(self) -> str:
        return self.detail.tracking_id


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
    kind = "an empty body" if not text else f"a body that is not an Esploro error ({content_type})"
    return ErrorDetail(status, "", f"the server answered with {kind}", "")


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


class EsploroClient:
    """A session with one Esploro (or sandbox) base URL and one API key."""

    def __init__(self, base_url: str, api_key: str, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Authorization": f"apikey {api_key}",
                "Accept": "application/json",
                "User-Agent": "sheetsync",
            }
        )

    def close(self) -> None:
        self._session.close()

    def request(
        self, method: str, path: str, params: Mapping[str, Any] | None = None, body: Any = None
    ) -> Any:
        """Send one request to `API_PATH + path`; return the decoded JSON (None if empty)."""
        url = f"{self.base_url}{API_PATH}{path}"
        try:
            response = self._session.request(
                method, url, params=params, json=body, timeout=self.timeout
            )
        except requests.RequestException as exc:
            raise EsploroConnectionError(
                f"{method} {path}: no answer from {self.base_url} ({type(exc).__name__})"
            ) from None
        if response.status_code >= 400:
            detail = parse_error(
                response.status_code, response.headers.get("Content-Type", ""), response.content
            )
            raise EsploroApiError(method, path, detail)
        return response.json() if response.content else None

    def list_researchers(self, limit: int = 10, offset: int = 0, q: str = "") -> dict[str, Any]:
        params: dict[str, Any] = {"limit": limit, "offset": offset}
        if q:
            params["q"] = q
        page: dict[str, Any] = self.request("GET", "researchers", params)
        return page

    def get_researcher(self, primary_id: str) -> dict[str, Any]:
        record: dict[str, Any] = self.request("GET", f"researchers/{primary_id}", {"view": "full"})
        return record

    def put_researcher(self, primary_id: str, record: Mapping[str, Any]) -> dict[str, Any]:
        stored: dict[str, Any] = self.request("PUT", f"researchers/{primary_id}", body=record)
        return stored
