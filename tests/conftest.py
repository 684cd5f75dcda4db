"""Shared fixtures: a real sandbox on a free loopback port, and an HTTP client for it.

Tests talk to the sandbox over real HTTP with `requests`; nothing is mocked.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from sheetsync.sandbox import READ_ONLY_KEY, READ_WRITE_KEY, Sandbox, SandboxConfig

SMALL = {"researchers": 40, "assets": 60, "seed": 7}


class Api:
    """A thin requests client for the sandbox: JSON by default, the key as a header."""

    def __init__(self, base_url: str, key: str | None = READ_WRITE_KEY) -> None:
        self.base_url = base_url
        self.session = requests.Session()
        self.key = key

    def request(
        self,
        method: str,
        path: str,
        *,
        key: str | None = "default",
        json_body: Any = None,
        accept: str = "application/json",
        **kwargs: Any,
    ) -> requests.Response:
        headers = {"Accept": accept, **kwargs.pop("headers", {})}
        use_key = self.key if key == "default" else key
        if use_key is not None:
            headers["Authorization"] = f"apikey {use_key}"
        url = path if path.startswith("http") else f"{self.base_url}{path}"
        return self.session.request(
            method, url, headers=headers, json=json_body, timeout=30, **kwargs
        )

    def get(self, path: str, **kwargs: Any) -> requests.Response:
        return self.request("GET", path, **kwargs)

    def put(self, path: str, body: Any, **kwargs: Any) -> requests.Response:
        return self.request("PUT", path, json_body=body, **kwargs)

    def stats(self) -> dict[str, Any]:
        response = self.session.get(f"{self.base_url}/_sandbox/stats", timeout=10)
        response.raise_for_status()
        result: dict[str, Any] = response.json()
        return result

    def set_faults(self, **faults: float) -> None:
        """Change the sandbox's injected faults while it runs (latency_ms, fail_rate, ...)."""
        response = self.session.patch(f"{self.base_url}/_sandbox/faults", json=faults, timeout=10)
        response.raise_for_status()

    def researcher_ids(self, limit: int = 100) -> list[str]:
        page = self.get(f"/esploro/v1/researchers?limit={limit}").json()
        return [user["primary_id"] for user in page.get("user", [])]

    def asset_ids(self, limit: int = 100) -> list[str]:
        """Asset IDs in the API's order (the assets API needs a filter: every update date)."""
        query = f"limit={limit}&update_date_from=1900-01-01"
        response = self.get(f"/esploro/v1/assets?{query}")
        assert response.status_code == 200, response.text
        return [r["originalRepository"]["assetId"] for r in response.json().get("records", [])]


def start_sandbox(**options: Any) -> Sandbox:
    settings: dict[str, Any] = {"port": 0, "rate_limit": 10_000.0, **SMALL, **options}
    return Sandbox(SandboxConfig(**settings)).start()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    """A fresh, in-memory sandbox per test: small seed, no limits that get in the way."""
    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture
def api(sandbox: Sandbox) -> Api:
    return Api(sandbox.base_url)


@pytest.fixture
def ro_api(sandbox: Sandbox) -> Api:
    return Api(sandbox.base_url, READ_ONLY_KEY)


def error_of(response: requests.Response) -> dict[str, Any]:
    """The single Ex Libris error in a JSON error body."""
    body = response.json()
    assert body["errorsExist"] is True
    assert body["result"] is None
    (error,) = body["errorList"]["error"]
    assert error["trackingId"].startswith("E01-")
    result: dict[str, Any] = error
    return result
