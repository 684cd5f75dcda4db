"""One apply or rollback per plan at a time: a lock beside the plan's journal.

Two runs of one plan at once would both write every record (each re-fetches, finds it as
planned, and sends it), and their journal lines would interleave. So `apply` and `rollback`
first take `PLAN.journal.jsonl.lock`, an OS-level lock (`flock`, through the `filelock`
library): the kernel releases it when its process ends, however it ends, so a lock left by a
killed run is free, and the next run takes it over without anyone deleting anything.

The lock itself holds no words; who holds it is written into a sidecar beside it
(`PLAN.journal.jsonl.lock.json`: process ID, host, command, since when), so that a refused run
can name the process to wait for or stop. A clean release removes the sidecar; finding one when
taking the lock therefore means its holder ended without releasing, which `taken_over` says.
"""

from __future__ import annotations

import datetime
import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from pathlib import Path

import filelock

from sheetsync.applying.journal import Journal, JournalLocation
from sheetsync.errors import ApplyError, PlanLocked
from sheetsync.files import PRIVATE, write_text_atomically


@dataclass(frozen=True)
class Holder:
    """Who holds (or held) a plan's lock, as its sidecar says."""

    pid: int
    host: str
    command: str  # "apply" or "rollback"
    since: str  # ISO 8601, UTC

    def describe(self) -> str:
        """`process 4242 on host lab-3 (apply, since 2026-11-30 04:10:03 UTC)`."""
        since = self.since.replace("T", " ").split(".")[0].removesuffix("+00:00")
        return f"process {self.pid} on host {self.host} ({self.command}, since {since} UTC)"


@dataclass(frozen=True)
class Held:
    """A lock this process holds; `taken_over` is the holder that ended without releasing."""

    path: Path
    taken_over: Holder | None


def lock_path(journal: JournalLocation) -> Path:
    """`people.plan.journal.jsonl` -> `people.plan.journal.jsonl.lock`."""
    where = journal.path if isinstance(journal, Journal) else Path(journal)
    return where.with_name(where.name + ".lock")


def holder_path(lock: Path) -> Path:
    return lock.with_name(lock.name + ".json")


@contextmanager
def plan_lock(journal: JournalLocation, command: str) -> Iterator[Held]:
    """Hold the lock of the plan journaled at `journal` while `command` runs, or refuse at
    once (PlanLocked) naming the process that holds it. Never waits: a second run that
    waited would then redo what the first one did, or undo it."""
    path = lock_path(journal)
    lock = filelock.FileLock(path, timeout=0, mode=PRIVATE)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise PlanLocked(_refusal(path, command)) from None
    except OSError as exc:
        raise ApplyError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        left = read_holder(holder_path(path))
        _write_holder(path, command)
        yield Held(path, left)
    finally:
        holder_path(path).unlink(missing_ok=True)
        lock.release()


def read_holder(sidecar: Path) -> Holder | None:
    """The holder a sidecar names; None if there is none or it cannot be read (it is being
    written, or was cut short by a crash)."""
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["host"]), str(data["command"]), str(data["since"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _holder_soon(sidecar: Path, wait: float = 2.0) -> Holder | None:
    """The holder, waiting briefly for one that has the lock but has not yet said so."""
    deadline = time.monotonic() + wait
    while (holder := read_holder(sidecar)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return holder


def _write_holder(path: Path, command: str) -> None:
    since = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    holder = Holder(os.getpid(), socket.gethostname(), command, since)
    write_text_atomically(holder_path(path), json.dumps(asdict(holder)) + "\n", mode=PRIVATE)


def _refusal(path: Path, command: str) -> str:
    holder = _holder_soon(holder_path(path))
    who = holder.describe() if holder else "another process (just starting)"
    return (
        f"cannot {command}: {who} is running this plan (lock {path}); "
        "wait for it to finish, or stop that process, then run again"
    )


def taken_over_notice(held: Held) -> str:
    """What to tell the person when the lock was left by a run that ended without releasing
    it ("" if it was not): the journal says where that run stopped, and this one resumes."""
    if held.taken_over is None:
        return ""
    return (
        f"took over the lock left by {held.taken_over.describe()}, which ended without "
        "releasing it; its journaled work is resumed from where it stopped"
    )
