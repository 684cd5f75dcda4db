"""`--trace FILE`: every request and its answer as one JSON line, for a bug report.

Nobody building sheetsync can reach a real Esploro, so what the real API answered at an
institution is the most useful thing a bug report can carry. The client hands each exchange
to a `Trace` as plain values; the trace takes out what would identify the key (the
`Authorization` header, any `apikey` query parameter) and, as a second line of defence, blanks
the key out of the whole line before writing it. The file is the owner's alone (0600): answers
hold real people's data. `sheetsync sandbox --load` reads a trace back and serves its records.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from sheetsync.errors import ConfigError
from sheetsync.files import PRIVATE

TRACE_FORMAT = "sheetsync-trace"  # the first line's `format`, so a loader can tell it apart
_SECRET_HEADERS = frozenset({"authorization", "cookie", "set-cookie", "proxy-authorization"})


def url_without_key(url: str) -> str:
    """`url` with every `apikey` query parameter taken out (any case)."""
    parts = urlsplit(url)
    if not parts.query:
        return url
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(name, value) for name, value in pairs if name.lower() != "apikey"]
    return urlunsplit(parts._replace(query=urlencode(kept)))


def headers_without_key(headers: Mapping[str, str]) -> dict[str, str]:
    """`headers` without Authorization (and cookies): what may go in a bug report."""
    return {name: value for name, value in headers.items() if name.lower() not in _SECRET_HEADERS}


def body_text(body: bytes | str | None) -> str | None:
    """A body as text: UTF-8 as received (the API's encoding), undecodable bytes replaced."""
    if body is None:
        return None
    if isinstance(body, str):
        return body
    return body.decode("utf-8", errors="replace")


class Trace:
    """An owner-only JSON-lines file of exchanges with Esploro. Thread-safe; close it when done
    (the client that was given it closes it with itself)."""

    def __init__(self, path: Path | str, redact: Callable[[str], str] | None = None) -> None:
        self.path = Path(path)
        self._redact = redact or (lambda text: text)
        self._lock = threading.Lock()
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0)
        try:
            handle = os.open(self.path, flags, PRIVATE)
            os.fchmod(handle, PRIVATE)  # an existing file keeps its mode on open; not this one
        except OSError as exc:
            raise ConfigError(f"cannot write the trace {self.path}: {exc.strerror}") from None
        self._stream = os.fdopen(handle, "w", encoding="utf-8", newline="\n")
        self._line({"format": TRACE_FORMAT, "started_at": _now()})

    def set_redactor(self, redact: Callable[[str], str]) -> None:
        """Blank this key out of every line from now on (the client sets its own)."""
        self._redact = redact

    def exchange(
        self,
        method: str,
        url: str,
        request_headers: Mapping[str, str],
        request_body: bytes | str | None,
        status: int | None,
        headers: Mapping[str, str],
        body: bytes | str | None,
        failure: str = "",
    ) -> None:
        """One request and its answer (`status` None and `failure` when there was none)."""
        line: dict[str, Any] = {
            "at": _now(),
            "method": method,
            "url": url_without_key(url),
            "request": {
                "headers": headers_without_key(request_headers),
                "body": body_text(request_body),
            },
            "status": status,
            "headers": headers_without_key(headers),
            "body": body_text(body),
        }
        if failure:
            line["failure"] = failure
        self._line(line)

    def _line(self, value: Mapping[str, Any]) -> None:
        text = self._redact(json.dumps(value, ensure_ascii=False))
        with self._lock:
            if not self._stream.closed:
                self._stream.write(text + "\n")
                self._stream.flush()

    def close(self) -> None:
        with self._lock:
            if not self._stream.closed:
                self._stream.close()

    def __enter__(self) -> Trace:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<trace {self.path}>"


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds")
