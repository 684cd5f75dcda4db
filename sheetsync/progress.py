"""How long-running library functions report progress, without drawing anything themselves.

The command line passes a rich progress bar (`ui.RecordProgress`); tests and library callers
pass nothing and get `NO_PROGRESS`.
"""

from __future__ import annotations

from typing import Protocol


class Progress(Protocol):
    def start(self, total: int | None) -> None: ...
    def advance(self, count: int) -> None: ...
    def tally(self, status: str) -> None:
        """One record finished with `status` (apply shows how many are stale or failed)."""


class _NoProgress:
    def start(self, total: int | None) -> None:
        pass

    def advance(self, count: int) -> None:
        pass

    def tally(self, status: str) -> None:
        pass


NO_PROGRESS: Progress = _NoProgress()
