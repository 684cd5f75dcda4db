"""The sandbox's SQLite store: researchers, assets, and the search index.

One connection, one lock. Every write is a read-modify-write inside a single `BEGIN IMMEDIATE`
transaction, so concurrent PUTs and colleague edits can never interleave or tear a record; the
journal is WAL so a killed server loses nothing that was committed. Records are stored as the
JSON text the API returns, with their key order preserved.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sheetsync.errors import SheetsyncError
from sheetsync.sandbox.query import Condition, researcher_terms

Record = dict[str, Any]
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS researchers (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS researcher_terms (
    seq INTEGER NOT NULL REFERENCES researchers(seq) ON DELETE CASCADE,
    field TEXT NOT NULL,
    word TEXT NOT NULL,
    PRIMARY KEY (field, word, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS researcher_terms_seq ON researcher_terms(seq);
CREATE TABLE IF NOT EXISTS assets (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    updated TEXT NOT NULL,
    body TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS assets_updated ON assets(updated, seq);
"""


class StoreError(SheetsyncError):
    """The database file cannot be used (wrong format, newer schema, not SQLite)."""


def _dumps(record: Record) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"))


class Store:
    """Thread-safe access to the sandbox database at `path` (":memory:" for a throwaway)."""

    def __init__(self, path: Path | str) -> None:
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{path}: not a usable sandbox database ({exc})") from exc
        version = self.meta("schema_version")
        if version is None:
            self.set_meta("schema_version", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise StoreError(
                f"{path}: sandbox database schema {version}, this sheetsync reads "
                f"{SCHEMA_VERSION}; start the sandbox with a new --db"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, key: str, value: str) -> None:
        with self._transaction() as db:
            db.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def counts(self) -> dict[str, int]:
        with self._lock:
            researchers = self._db.execute("SELECT count(*) FROM researchers").fetchone()[0]
            assets = self._db.execute("SELECT count(*) FROM assets").fetchone()[0]
        return {"researchers": int(researchers), "assets": int(assets)}

    # -- loading -------------------------------------------------------------------------

    def add_researchers(self, records: Iterable[Record]) -> None:
        with self._transaction() as db:
            for record in records:
                cursor = db.execute(
                    "INSERT INTO researchers(id, body) VALUES (?, ?)",
                    (record["primary_id"], _dumps(record)),
                )
                self._index(db, int(cursor.lastrowid or 0), record)

    def add_assets(self, records: Iterable[tuple[Record, str]]) -> None:
        with self._transaction() as db:
            db.executemany(
                "INSERT INTO assets(id, updated, body) VALUES (?, ?, ?)",
                (
                    (record["originalRepository"]["assetId"], updated, _dumps(record))
                    for record, updated in records
                ),
            )

    @staticmethod
    def _index(db: sqlite3.Connection, seq: int, record: Record) -> None:
        db.execute("DELETE FROM researcher_terms WHERE seq=?", (seq,))
        db.executemany(
            "INSERT INTO researcher_terms(seq, field, word) VALUES (?, ?, ?)",
            ((seq, field, word) for field, word in researcher_terms(record)),
        )

    # -- researchers ---------------------------------------------------------------------

    def get_researcher(self, primary_id: str) -> Record | None:
        with self._lock:
            row = self._db.execute(
                "SELECT body FROM researchers WHERE id=?", (primary_id,)
            ).fetchone()
        return None if row is None else dict(json.loads(row[0]))

    def list_researchers(
        self, conditions: list[Condition], limit: int, offset: int
    ) -> tuple[int, list[Record]]:
        """One page of researchers matching every condition, in insertion order, and the total."""
        where, params = "", []
        for condition in conditions:
            for word in condition.words:
                where += " AND seq IN (SELECT seq FROM researcher_terms WHERE field=? AND word=?)"
                params += [condition.field, word]
        with self._lock:
            total = self._db.execute(
                f"SELECT count(*) FROM researchers WHERE 1=1{where}",  # noqa: S608 - fixed text
                params,
            ).fetchone()[0]
            rows = self._db.execute(
                f"SELECT body FROM researchers WHERE 1=1{where} "  # noqa: S608 - fixed text
                "ORDER BY seq LIMIT ? OFFSET ?",
                [*params, limit, offset],
            ).fetchall()
        return int(total), [json.loads(row[0]) for row in rows]

    def update_researcher(
        self, primary_id: str, change: Callable[[Record], Record]
    ) -> Record | None:
        """Replace a researcher with `change(current)` atomically; None if it does not exist.

        `change` may raise to refuse the write; nothing is stored then.
        """
        with self._transaction() as db:
            row = db.execute(
                "SELECT seq, body FROM researchers WHERE id=?", (primary_id,)
            ).fetchone()
            if row is None:
                return None
            record = change(json.loads(row[1]))
            db.execute("UPDATE researchers SET body=? WHERE seq=?", (_dumps(record), row[0]))
            self._index(db, int(row[0]), record)
        return record

    def delete_researcher(self, primary_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM researchers WHERE id=?", (primary_id,))
        return cursor.rowcount > 0

    # -- assets --------------------------------------------------------------------------

    def get_assets(self, asset_ids: list[str]) -> list[Record]:
        """The assets that exist among `asset_ids`, in the order asked for."""
        marks = ",".join("?" * len(asset_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, body FROM assets WHERE id IN ({marks})",  # noqa: S608 - marks only
                asset_ids,
            ).fetchall()
        found = {row[0]: row[1] for row in rows}
        return [json.loads(found[i]) for i in dict.fromkeys(asset_ids) if i in found]

    def list_assets(
        self, updated_from: str | None, limit: int, offset: int
    ) -> tuple[int, list[Record]]:
        where, params = ("WHERE updated >= ?", [updated_from]) if updated_from else ("", [])
        with self._lock:
            total = self._db.execute(
                f"SELECT count(*) FROM assets {where}",  # noqa: S608 - fixed text
                params,
            ).fetchone()[0]
            rows = self._db.execute(
                f"SELECT body FROM assets {where} ORDER BY seq LIMIT ? OFFSET ?",  # noqa: S608
                [*params, limit, offset],
            ).fetchall()
        return int(total), [json.loads(row[0]) for row in rows]

    def update_asset(
        self, asset_id: str, change: Callable[[Record], Record], updated: str
    ) -> Record | None:
        """Replace an asset with `change(current)` atomically; None if it does not exist."""
        with self._transaction() as db:
            row = db.execute("SELECT seq, body FROM assets WHERE id=?", (asset_id,)).fetchone()
            if row is None:
                return None
            record = change(json.loads(row[1]))
            db.execute(
                "UPDATE assets SET body=?, updated=? WHERE seq=?",
                (_dumps(record), updated, row[0]),
            )
        return record
