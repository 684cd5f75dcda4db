"""The SQLite store: persistence, refusal of foreign files, and consistency under a write storm."""

from __future__ import annotations

import copy
import random
import sqlite3
import threading
from collections import defaultdict
from pathlib import Path

import pytest
import requests

from sheetsync.sandbox import Sandbox, SandboxConfig
from sheetsync.sandbox.store import Store, StoreError
from tests.conftest import SMALL, Api

CAPTURED_ID = "991291935000561"


def _config(db: Path, **options: object) -> SandboxConfig:
    settings: dict[str, object] = {"port": 0, "rate_limit": 10_000.0, "db": db, **SMALL, **options}
    return SandboxConfig(**settings)  # type: ignore[arg-type]


def test_records_persist_across_a_restart_and_are_not_reseeded(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.sqlite3"
    with Sandbox(_config(db)).start() as first:
        assert first.seeded_now
        api = Api(first.base_url)
        primary_id = api.researcher_ids(1)[0]
        record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
        api.put(f"/esploro/v1/researchers/{primary_id}", {**record, "last_name": "Ní Bhriain"})
    with Sandbox(_config(db, researchers=5, seed=99)).start() as second:
        assert not second.seeded_now
        api = Api(second.base_url)
        assert api.get("/esploro/v1/researchers").json()["total_record_count"] == 40
        after = api.get(f"/esploro/v1/researchers/{primary_id}").json()
        assert after["last_name"] == "Ní Bhriain"
        page = api.get("/esploro/v1/researchers", params={"q": "last_name~bhriain"}).json()
        assert [u["primary_id"] for u in page["user"]] == [primary_id]


def test_the_same_seed_gives_the_same_data(tmp_path: Path) -> None:
    bodies = []
    for name in ("a", "b"):
        with Sandbox(_config(tmp_path / f"{name}.sqlite3")).start() as server:
            page = "/esploro/v1/assets?update_date_from=1900-01-01&limit=100"
            bodies.append(Api(server.base_url).get(page).content)
    assert b'"records"' in bodies[0]
    assert bodies[0] == bodies[1]


def test_a_version_1_database_is_migrated_keeping_its_records(tmp_path: Path) -> None:
    """Before the asset filters, assets had no index and no verbatim flag (schema 1)."""
    db = tmp_path / "old.sqlite3"
    with Sandbox(_config(db)).start() as server:
        api = Api(server.base_url)
        primary_id = api.researcher_ids(1)[0]
        record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
        api.put(f"/esploro/v1/researchers/{primary_id}", {**record, "last_name": "Ó Briain"})
    connection = sqlite3.connect(db)
    connection.executescript(
        "DROP TABLE asset_terms; ALTER TABLE assets DROP COLUMN verbatim;"
        "UPDATE meta SET value='1' WHERE key='schema_version';"
    )
    connection.close()
    with Sandbox(_config(db)).start() as server:
        api = Api(server.base_url)
        assert api.get(f"/esploro/v1/researchers/{primary_id}").json()["last_name"] == "Ó Briain"
        found = api.get("/esploro/v1/assets?user_primary_id=amirshomzy").json()
        assert [r["originalRepository"]["assetId"] for r in found["records"]] == [CAPTURED_ID]
        view = requests.post(f"{server.base_url}/_sandbox/assets/{CAPTURED_ID}/view", timeout=5)
        assert view.status_code == 409  # the captured asset is flagged verbatim again
        assert server.store.meta("schema_version") == "2"


def test_a_file_that_is_not_sqlite_is_refused_clearly(tmp_path: Path) -> None:
    bogus = tmp_path / "notes.sqlite3"
    bogus.write_text("these are my notes, not a database\n" * 100)
    with pytest.raises(StoreError, match="not a usable sandbox database"):
        Store(bogus)
    assert bogus.read_text().startswith("these are my notes")


def test_a_database_from_a_newer_sandbox_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "future.sqlite3"
    store = Store(db)
    store.set_meta("schema_version", "999")
    store.close()
    with pytest.raises(StoreError, match="schema 999"):
        Store(db)


def test_write_storm_leaves_every_record_whole(tmp_path: Path) -> None:
    """8 threads x 500 PUTs on random records: no lost, torn or interleaved record."""
    with Sandbox(_config(tmp_path / "storm.sqlite3")).start() as server:
        ids = Api(server.base_url).researcher_ids(40)
        originals = {
            i: Api(server.base_url).get(f"/esploro/v1/researchers/{i}").json() for i in ids
        }
        written: dict[str, set[str]] = defaultdict(set)
        failures: list[str] = []
        lock = threading.Lock()

        def storm(worker: int) -> None:
            api, rng = Api(server.base_url), random.Random(worker)
            for n in range(500):
                primary_id = rng.choice(ids)
                marker = f"w{worker}n{n}"
                body = copy.deepcopy(originals[primary_id])
                body["first_name"] = marker
                body["researcher"]["display_title"] = f"title {marker}"
                body["researcher"]["researcher_keyword"] = [{"value": f"kw {marker}"}] * (n % 7)
                with lock:
                    written[primary_id].add(marker)
                response = api.put(f"/esploro/v1/researchers/{primary_id}", body)
                if response.status_code != 200:
                    failures.append(f"{primary_id}: {response.status_code} {response.text[:200]}")

        threads = [threading.Thread(target=storm, args=(w,)) for w in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert failures == []

        api = Api(server.base_url)
        assert api.get("/esploro/v1/researchers").json()["total_record_count"] == 40
        assert api.stats()["by_method"]["PUT"] == 4000
        for primary_id in ids:
            record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
            if primary_id not in written:
                assert record == originals[primary_id]
                continue
            marker = record["first_name"]
            assert marker in written[primary_id]  # one of the versions sent, not a mixture
            n = int(marker.split("n")[1])
            assert record["researcher"]["display_title"] == f"title {marker}"
            assert record["researcher"]["researcher_keyword"] == [{"value": f"kw {marker}"}] * (
                n % 7
            )
            expected = copy.deepcopy(originals[primary_id])
            expected["first_name"] = marker
            expected["researcher"]["display_title"] = record["researcher"]["display_title"]
            expected["researcher"]["researcher_keyword"] = record["researcher"][
                "researcher_keyword"
            ]
            assert record == expected  # nothing else in the record moved
            page = api.get("/esploro/v1/researchers", params={"q": f"first_name~{marker}"}).json()
            assert [u["primary_id"] for u in page["user"]] == [primary_id]  # index agrees
