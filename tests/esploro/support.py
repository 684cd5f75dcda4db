"""Helpers the client and entity tests share: a client for a sandbox, request counts, and
a plain paging loop to compare the client's paging against."""

from __future__ import annotations

from typing import Any

from sheetsync.esploro.client import EsploroClient
from sheetsync.sandbox import READ_WRITE_KEY
from tests.conftest import Api


def make_client(base_url: str, key: str = READ_WRITE_KEY, **options: Any) -> EsploroClient:
    """A fast client: no pacing to speak of and tiny backoffs, unless a test says otherwise."""
    settings: dict[str, Any] = {"rate": 1000.0, "backoff_base": 0.01, **options}
    return EsploroClient(base_url, key, **settings)


def count(stats: dict[str, Any], method: str, resource: str, status: str | None = None) -> int:
    return sum(
        row["count"]
        for row in stats["requests"]
        if row["method"] == method
        and row["resource"] == resource
        and (status is None or row["status"] == status)
    )


def raw_pages(api: Api, path: str, list_key: str, **params: str) -> list[dict[str, Any]]:
    """Every item of a paged list, fetched serially with plain requests: the oracle."""
    items: list[dict[str, Any]] = []
    while True:
        query = {"limit": "100", "offset": str(len(items)), **params}
        page = api.get(f"/esploro/v1/{path}", params=query).json()
        batch = page.get(list_key, [])
        items.extend(batch)
        if not batch:
            return items
