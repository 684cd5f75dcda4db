"""The sandbox's SQLite store: researchers, assets, and the search index.

One connection, one lock. Every write is a read-modify-write inside a single `BEGIN IMMEDIATE`
transaction, so concurrent PUTs and colleague edits can never interleave or tear a record; the
journal is WAL so a killed server loses nothing that was committed. Records are stored as the
JSON text the API returns, with their key order preserved. Assets are indexed by what the
`GET /assets` filters look at (`asset_filters.asset_terms`), and a record loaded verbatim (the
captured real asset) is flagged so that nothing the sandbox does on its own ever touches it.
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
from sheetsync.sandbox.asset_filters import AssetFilter, asset_terms
from sheetsync.sandbox.query import Condition, researcher_terms

Record = dict[str, Any]
SCHEMA_VERSION = "2"  # 2: asset_terms and assets.verbatim; a version 1 file is migrated

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
    body TEXT NOT NULL,
    verbatim INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS assets_updated ON assets(updated, seq);
-- pages in order without reading each skipped record: a deep offset costs an index scan only
CREATE INDEX IF NOT EXISTS assets_seq_updated ON assets(seq, updated);
CREATE TABLE IF NOT EXISTS asset_terms (
    seq INTEGER NOT NULL REFERENCES assets(seq) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (field, value, seq)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS asset_terms_seq ON asset_terms(seq);
CREATE TABLE IF NOT EXISTS raw_records (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    raw TEXT NOT NULL,
    PRIMARY KEY (kind, id)
) WITHOUT ROWID;
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
        with self._lock:
            row = self._db.execute("SELECT 1 FROM raw_records LIMIT 1").fetchone()
        self._has_raw = row is not None  # nothing loaded: no lookups on the hot paths
        version = self.meta("schema_version")
        if version == "1":
            self._migrate_from_1()
        elif version is None:
            self.set_meta("schema_version", SCHEMA_VERSION)
        elif version != SCHEMA_VERSION:
            raise StoreError(
                f"{path}: sandbox database schema {version}, this sheetsync reads "
                f"{SCHEMA_VERSION}; start the sandbox with a new --db"
            )

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def _migrate_from_1(self) -> None:
        """A version 1 database gains the verbatim flag and the asset index; records stay."""
        with self._transaction() as db:
            columns = {row[1] for row in db.execute("PRAGMA table_info(assets)")}
            if "verbatim" not in columns:
                db.execute("ALTER TABLE assets ADD COLUMN verbatim INTEGER NOT NULL DEFAULT 0")
            for seq, body in db.execute("SELECT seq, body FROM assets").fetchall():
                self._index_asset(db, int(seq), json.loads(body))
            db.execute(
                "INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', ?)",
                (SCHEMA_VERSION,),
            )

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

    def add_assets(self, records: Iterable[tuple[Record, str]], verbatim: bool = False) -> None:
        """Load (record, update date) pairs; `verbatim` flags records to serve byte for byte."""
        with self._transaction() as db:
            for record, updated in records:
                cursor = db.execute(
                    "INSERT INTO assets(id, updated, body, verbatim) VALUES (?, ?, ?, ?)",
                    (record["originalRepository"]["assetId"], updated, _dumps(record), verbatim),
                )
                self._index_asset(db, int(cursor.lastrowid or 0), record)

    def set_raw(self, kind: str, texts: Iterable[tuple[str, str]]) -> None:
        """Keep (ID, text) of loaded records: each is served as this exact text until a write
        changes it (`sandbox --load`)."""
        rows = [(kind, record_id, text) for record_id, text in texts]
        with self._transaction() as db:
            db.executemany(
                "INSERT OR REPLACE INTO raw_records(kind, id, raw) VALUES (?, ?, ?)", rows
            )
        self._has_raw = self._has_raw or bool(rows)

    def raw_texts(self, kind: str, ids: Iterable[str]) -> dict[str, str]:
        """The exact texts kept for those of `ids` loaded and not changed since."""
        ids = list(ids)
        if not self._has_raw or not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, raw FROM raw_records WHERE kind=? AND id IN ({marks})",  # noqa: S608
                [kind, *ids],
            ).fetchall()
        return {str(row[0]): str(row[1]) for row in rows}

    @staticmethod
    def _forget_raw_if_changed(
        db: sqlite3.Connection, kind: str, record_id: str, old: str, new: str
    ) -> None:
        """A write that changed a loaded record ends serving its captured text."""
        if old != new:  # both as `_dumps` writes them: equal text, equal record
            db.execute("DELETE FROM raw_records WHERE kind=? AND id=?", (kind, record_id))

    def mark_verbatim(self, asset_id: str) -> None:
        """Flag an asset loaded verbatim (for databases made before the flag existed)."""
        with self._transaction() as db:
            db.execute("UPDATE assets SET verbatim=1 WHERE id=?", (asset_id,))

    @staticmethod
    def _index_asset(db: sqlite3.Connection, seq: int, record: Record) -> None:
        db.execute("DELETE FROM asset_terms WHERE seq=?", (seq,))
        db.executemany(
            "INSERT INTO asset_terms(seq, field, value) VALUES (?, ?, ?)",
            ((seq, field, value) for field, value in asset_terms(record)),
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
            self._forget_raw_if_changed(db, "researchers", primary_id, row[1], _dumps(record))
            self._index(db, int(row[0]), record)
        return record

    def delete_researcher(self, primary_id: str) -> bool:
        with self._transaction() as db:
            cursor = db.execute("DELETE FROM researchers WHERE id=?", (primary_id,))
            db.execute("DELETE FROM raw_records WHERE kind='researchers' AND id=?", (primary_id,))
        return cursor.rowcount > 0

    # -- assets --------------------------------------------------------------------------

    def get_assets(self, asset_ids: Iterable[str]) -> list[Record]:
        """The assets that exist among `asset_ids`, in the order asked for."""
        asset_ids = list(asset_ids)
        marks = ",".join("?" * len(asset_ids))
        with self._lock:
            rows = self._db.execute(
                f"SELECT id, body FROM assets WHERE id IN ({marks})",  # noqa: S608 - marks only
                asset_ids,
            ).fetchall()
        found = {row[0]: row[1] for row in rows}
        return [json.loads(found[i]) for i in dict.fromkeys(asset_ids) if i in found]

    def list_assets(
        self, selection: AssetFilter, limit: int, offset: int
    ) -> tuple[int, list[Record]]:
        """One page of the assets `selection` finds, in insertion order, and their total.

        The page's sequence numbers come first, from an index, and only then its bodies: an
        offset skipped over whole rows cost 60 ms at 100,000 assets, enough CPU to slow the
        client sharing the machine (bench/export_throughput.py)."""
        where, params = _asset_where(selection)
        with self._lock:
            total = self._db.execute(
                f"SELECT count(*) FROM assets WHERE 1=1{where}",  # noqa: S608 - fixed text
                params,
            ).fetchone()[0]
            seqs = [
                row[0]
                for row in self._db.execute(
                    f"SELECT seq FROM assets WHERE 1=1{where} "  # noqa: S608 - fixed text
                    "ORDER BY seq LIMIT ? OFFSET ?",
                    [*params, limit, offset],
                )
            ]
            marks = ",".join("?" * len(seqs))
            rows = self._db.execute(
                f"SELECT body FROM assets WHERE seq IN ({marks}) ORDER BY seq",  # noqa: S608
                seqs,
            ).fetchall()
        return int(total), [json.loads(row[0]) for row in rows]

    def asset_ids(self, include_verbatim: bool = False) -> list[str]:
        """Every asset ID, in insertion order; the verbatim ones only if asked for."""
        where = "" if include_verbatim else " WHERE verbatim=0"
        with self._lock:
            rows = self._db.execute(f"SELECT id FROM assets{where} ORDER BY seq").fetchall()  # noqa: S608
        return [str(row[0]) for row in rows]

    def is_verbatim(self, asset_id: str) -> bool | None:
        """Whether the asset was loaded verbatim; None if there is no such asset."""
        with self._lock:
            row = self._db.execute("SELECT verbatim FROM assets WHERE id=?", (asset_id,)).fetchone()
        return None if row is None else bool(row[0])

    def update_asset(
        self, asset_id: str, change: Callable[[Record], Record], updated: str | None
    ) -> Record | None:
        """Replace an asset with `change(current)` atomically; None if it does not exist.

        `updated` is the new update date; None keeps it (portal views are not edits).
        """
        with self._transaction() as db:
            row = db.execute("SELECT seq, body FROM assets WHERE id=?", (asset_id,)).fetchone()
            if row is None:
                return None
            record = change(json.loads(row[1]))
            db.execute(
                "UPDATE assets SET body=?, updated=coalesce(?, updated) WHERE seq=?",
                (_dumps(record), updated, row[0]),
            )
            self._forget_raw_if_changed(db, "assets", asset_id, row[1], _dumps(record))
            self._index_asset(db, int(row[0]), record)
        return record


def _asset_where(selection: AssetFilter) -> tuple[str, list[Any]]:
    """SQL conditions (each starting " AND ") and parameters for an asset filter."""
    where, params = "", []
    term = " AND seq IN (SELECT seq FROM asset_terms WHERE field=? AND "
    for field, values in (
        ("doi", selection.dois),
        ("org", selection.org_codes),
        ("user", (selection.user_primary_id,) if selection.user_primary_id else ()),
        ("open_access", (selection.open_access,) if selection.open_access else ()),
    ):
        if values:
            where += f"{term}value IN ({','.join('?' * len(values))}))"
            params += [field, *values]
    if selection.embargo_from or selection.embargo_to:
        where += f"{term}value BETWEEN ? AND ?)"
        low, high = selection.embargo_from or "0000-00-00", selection.embargo_to or "9999-99-99"
        params += ["embargo", low, high]
    if selection.updated_from:
        where, params = f"{where} AND updated >= ?", [*params, selection.updated_from]
    if selection.updated_to:
        where, params = f"{where} AND updated <= ?", [*params, selection.updated_to]
    return where, params
