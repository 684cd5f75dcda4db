"""The apply journal: an append-only, fsynced JSON Lines file beside the plan.

It is the backup (each record's before-image), the resume point (which records are done, which
were begun and never settled) and the rollback source. A line is written and fsynced before
the step it announces: `begin` before the write is sent, `done`/`failed`/`stale` after the
outcome is known (`held` after `done` when the record's clears wait for `--allow-clears`).
A crash can therefore cut at most the last line, which reading ignores; a damaged line
anywhere else means the journal cannot be trusted, and reading refuses it.
"""

from __future__ import annotations

import datetime
import json
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Union

from sheetsync.errors import JournalError

JOURNAL_FORMAT = 1


class JournalEvent(StrEnum):
    """A journal line's `event`, in the order they can follow each other for one record."""

    BEGIN = "begin"  # the write is about to be sent; holds the before-image
    DONE = "done"  # the write happened (or was found to have happened) and was verified
    IGNORED = "not-changed"  # answered, but Esploro left a field sent as it was (`reason`)
    FAILED = "failed"  # Esploro refused the write; nothing changed
    STALE = "stale"  # the record changed since planning; not written
    NO_OP = "no-op"  # nothing to write after all
    # written but for its clears, or nothing to write but clears: `apply --allow-clears` of the
    # same plan writes them (`fields`: the cells written before; never a finished record)
    HELD = "held"
    ROLLBACK_BEGIN = "rollback-begin"  # the before-image is about to be written back
    ROLLBACK_DONE = "rollback-done"
    ROLLBACK_SKIPPED = "rollback-skipped"  # changed since sheetsync wrote it: not overwritten

    def __repr__(self) -> str:
        return repr(self.value)  # 'begin', like the other enums of texts


def journal_path(plan_path: Path) -> Path:
    """`people.plan.json` -> `people.plan.journal.jsonl`, beside the plan."""
    return plan_path.with_name(plan_path.stem + ".journal.jsonl")


JournalLocation = Union["Journal", str, os.PathLike[str]]


def open_journal(location: JournalLocation, plan_checksum: str) -> Journal:
    """The journal of the plan with `plan_checksum` at `location` (a path or a `Journal`),
    with a last line cut by a crash repaired, ready to read and append."""
    if isinstance(location, Journal):
        if location.plan_checksum != plan_checksum:
            raise JournalError(
                f"{location.path} is the journal of another plan (checksum "
                f"{location.plan_checksum[:12]}...), not of this one ({plan_checksum[:12]}...)"
            )
        journal = location
    else:
        journal = Journal(Path(location), plan_checksum)
    journal.repair()
    return journal


@dataclass(frozen=True)
class Entry:
    event: str  # a `JournalEvent`'s text, as read: compare it with `JournalEvent` members
    record_id: str
    data: Mapping[str, Any]


class Journal:
    """Appends entries durably; safe to share between worker threads."""

    def __init__(self, path: Path, plan_checksum: str) -> None:
        self.path = path
        self.plan_checksum = plan_checksum
        self._lock = threading.Lock()

    def append(self, event: JournalEvent, record_id: str, **data: Any) -> None:
        line = {
            "journal": JOURNAL_FORMAT,
            "plan": self.plan_checksum,
            "at": datetime.datetime.now(datetime.UTC).isoformat(timespec="milliseconds"),
            "event": event,
            "record_id": record_id,
            **data,
        }
        text = json.dumps(line, ensure_ascii=False, separators=(",", ":")) + "\n"
        with self._lock:
            handle = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            try:
                os.write(handle, text.encode("utf-8"))
                os.fsync(handle)
            finally:
                os.close(handle)

    def repair(self) -> bool:
        """Cut a last line that a crash left unfinished, so later lines start clean. Its step
        was never confirmed, so nothing is lost: resuming re-checks that record live."""
        if not self.path.exists():
            return False
        data = self.path.read_bytes()
        if not data or data.endswith(b"\n"):
            return False
        with open(self.path, "r+b") as stream:
            stream.truncate(data.rfind(b"\n") + 1)
            os.fsync(stream.fileno())
        return True

    def entries(self) -> list[Entry]:
        """Every complete entry; a last line cut by a crash is ignored."""
        if not self.path.exists():
            return []
        lines = self.path.read_bytes().split(b"\n")
        entries = []
        for number, raw in enumerate(lines, start=1):
            if not raw.strip():
                continue
            try:
                line = json.loads(raw)
                entry = Entry(str(line["event"]), str(line["record_id"]), line)
            except (ValueError, KeyError, TypeError):
                if number == len(lines):  # the unterminated last line: cut mid-write
                    continue
                raise JournalError(
                    f"{self.path}, line {number}: damaged; it cannot be trusted"
                ) from None
            if line.get("plan") != self.plan_checksum:
                raise JournalError(
                    f"{self.path}, line {number}: belongs to another plan (checksum "
                    f"{str(line.get('plan'))[:12]}...); move it aside or use that plan"
                )
            entries.append(entry)
        return entries

    def last_events(self) -> dict[str, Entry]:
        """Each record's latest entry: where it stands."""
        latest: dict[str, Entry] = {}
        for entry in self.entries():
            latest[entry.record_id] = entry
        return latest
