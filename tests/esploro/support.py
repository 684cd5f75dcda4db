"""Helpers the client and entity tests share: a client for a sandbox, request counts, a
plain paging loop to compare the client's paging against, and a server that records requests."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from sheetsync.esploro.client import EsploroClient
from sheetsync.sandbox import READ_WRITE_KEY
from tests.conftest import Api


def make_client(base_url: str, key: str = READ_WRITE_KEY, **options: Any) -> EsploroClient:
    """A fast client: no pacing to speak of and tiny backoffs, unless a test says otherwise."""
    settings: dict[str, Any] = {"rate": 1000.0, "backoff_base": 0.01, **options}
    return EsploroClient(base_url, key, **settings)


EVERY_ASSET = {"update_date_from": "1900-01-01"}  # GET /assets lists nothing without a filter


def asset_ids(api: Api, n: int = 10) -> list[str]:
    """The first `n` assets the (filtered) list gives, read with plain requests."""
    page = api.get("/esploro/v1/assets", params={**EVERY_ASSET, "limit": str(n)}).json()
    return [record["originalRepository"]["assetId"] for record in page.get("records", [])]


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


@dataclass(frozen=True)
class Seen:
    """One request a recording server received."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


Answer = Callable[[Seen], tuple[int, Any]]  # (status, JSON payload or None)
Reply = tuple[int, dict[str, str], bytes]  # status, headers, body


@dataclass
class TinyServer:
    base_url: str
    arrivals: list[float]  # monotonic arrival time of each request
    seen: list[Seen]  # each request, as it arrived


class _Handler(BaseHTTPRequestHandler):
    """Records each request, then answers it with the server's `answer(n, handler)`."""

    protocol_version = "HTTP/1.1"
    server: _Server
    arrived: Seen

    def _reply(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        parts = urlsplit(self.path)
        self.arrived = Seen(
            self.command,
            parts.path,
            parse_qs(parts.query),
            {k.lower(): v for k, v in self.headers.items()},
            self.rfile.read(length) if length else b"",
        )
        with self.server.lock:
            self.server.record.arrivals.append(time.monotonic())
            self.server.record.seen.append(self.arrived)
            n = len(self.server.record.arrivals)
        status, headers, body = self.server.answer(n, self)
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_PUT = do_POST = _reply

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, answer: Callable[[int, _Handler], Reply]) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.answer = answer
        self.lock = threading.Lock()
        self.record = TinyServer(f"http://127.0.0.1:{self.server_address[1]}", [], [])


@contextmanager
def tiny_server(answer: Callable[[int, _Handler], Reply]) -> Iterator[TinyServer]:
    """A stdlib HTTP server on a free loopback port; `answer(n, handler)` gives the n-th
    reply, and every request is kept (`seen`) for what the sandbox's stats cannot show: the
    query, the headers, the body on the wire."""
    server = _Server(answer)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server.record
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def recording_server(answer: Answer) -> Iterator[tuple[str, list[Seen]]]:
    """`tiny_server` answering each request with JSON: `answer(request)` -> (status, payload)."""

    def reply(n: int, handler: _Handler) -> Reply:
        status, payload = answer(handler.arrived)
        body = b"" if payload is None else json.dumps(payload).encode()
        return status, {"Content-Type": "application/json"}, body

    with tiny_server(reply) as server:
        yield server.base_url, server.seen
