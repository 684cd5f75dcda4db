"""`sandbox --load`: exactly the loaded records, each served as the text it was captured as."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sheetsync
from sheetsync.errors import ConfigError, SheetsyncError
from sheetsync.esploro.client import raw_items
from sheetsync.sandbox import Sandbox
from sheetsync.sandbox.app import CAPTURED_ASSET_ID
from sheetsync.workbook.edit import set_cells
from tests.conftest import Api, start_sandbox

SHARED_CAPTURE = (
    Path(__file__).parents[3] / "shared" / "fixtures" / "esploro-captured" / "asset.json"
)
PACKAGED_CAPTURE = Path(sheetsync.__file__).parent / "sandbox" / "data" / "captured_asset.json"
CAPTURE = SHARED_CAPTURE if SHARED_CAPTURE.exists() else PACKAGED_CAPTURE
RESEARCHERS = "/esploro/v1/researchers"
ASSETS = "/esploro/v1/assets"


@pytest.fixture(scope="module")
def origin() -> Iterator[Sandbox]:
    """The "production" a snapshot is taken of."""
    box = start_sandbox(researchers=10, assets=12)
    yield box
    box.stop()


def take(origin: Sandbox, tmp_path: Path, what: str, **selection: Any) -> Path:
    path = tmp_path / f"{what}.jsonl"
    with sheetsync.connect(base_url=origin.base_url, api_key="sandbox-ro", rate=500) as client:
        sheetsync.snapshot(client, what, path, **selection)
    return path


def records_of(path: Path) -> dict[str, str]:
    lines = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    return {line["id"]: line["raw"] for line in lines if "id" in line}


def asset_text(api: Api, asset_id: str) -> str:
    (item,) = raw_items(api.get(f"{ASSETS}/{asset_id}").text, "records")
    return item.text


def test_researchers_snapshot_loads_and_every_get_is_byte_identical(
    origin: Sandbox, tmp_path: Path
) -> None:
    snapshot = take(origin, tmp_path, "researchers")
    captured = records_of(snapshot)
    with start_sandbox(load=[snapshot]) as loaded:
        api = Api(loaded.base_url)
        assert loaded.store.counts() == {"researchers": len(captured), "assets": 0}
        for primary_id, raw in captured.items():
            answer = api.get(f"{RESEARCHERS}/{primary_id}?view=full")
            assert answer.content == raw.encode("utf-8")
        assert sorted(api.researcher_ids()) == sorted(captured)


def test_assets_snapshot_loads_and_every_record_is_byte_identical(
    origin: Sandbox, tmp_path: Path
) -> None:
    snapshot = take(origin, tmp_path, "assets", updated_since="1900-01-01")
    captured = records_of(snapshot)
    with start_sandbox(load=[snapshot]) as loaded:
        api = Api(loaded.base_url)
        assert loaded.store.counts() == {"researchers": 0, "assets": len(captured)}
        for asset_id, raw in captured.items():
            assert asset_text(api, asset_id) == raw
        listed = api.get(f"{ASSETS}?update_date_from=1900-01-01&limit=100").text
        assert [item.text for item in raw_items(listed, "records")] == list(captured.values())


def test_the_captured_real_asset_loads_and_its_get_is_the_capture_byte_for_byte() -> None:
    with start_sandbox(load=[CAPTURE]) as loaded:
        answer = Api(loaded.base_url).get(f"{ASSETS}/{CAPTURED_ASSET_ID}")
        assert answer.content == CAPTURE.read_bytes()
        assert loaded.store.counts() == {"researchers": 0, "assets": 1}


def test_a_compact_answer_is_served_compact_not_re_encoded(tmp_path: Path) -> None:
    """Escapes, number forms and spacing the sandbox would never write itself survive."""
    (record,) = json.loads(CAPTURE.read_text(encoding="utf-8"))["records"]
    text = json.dumps({"records": [record]}, separators=(",", ":"), ensure_ascii=True)
    odd = text.replace('"order":"1"', '"order":"1" ', 1)
    path = tmp_path / "compact.json"
    path.write_text(odd, encoding="utf-8")
    (expected,) = raw_items(odd, "records")
    with start_sandbox(load=[path]) as loaded:
        assert asset_text(Api(loaded.base_url), CAPTURED_ASSET_ID) == expected.text


def test_each_plain_api_answer_shape_loads(origin: Sandbox, tmp_path: Path) -> None:
    api = Api(origin.base_url)
    first, second = api.researcher_ids(2)
    answers = {
        "list.json": api.get(f"{RESEARCHERS}?limit=3").text,  # {"user": [...]}
        "one.json": api.get(f"{RESEARCHERS}/{second}?view=full").text,  # one researcher
        "wrapper.json": CAPTURE.read_text(encoding="utf-8"),  # one asset wrapper
        "records.json": api.get(f"{ASSETS}?update_date_from=1900-01-01&limit=4").text,
    }
    paths = []
    for name, text in answers.items():
        paths.append(tmp_path / name)
        paths[-1].write_text(text, encoding="utf-8")
    with start_sandbox(load=paths) as loaded:
        mine = Api(loaded.base_url)
        assert loaded.store.counts() == {
            "researchers": 3 + (second not in api.researcher_ids(3)),
            "assets": 5,
        }
        assert mine.get(f"{RESEARCHERS}/{second}?view=full").text == answers["one.json"]
        assert mine.get(f"{ASSETS}/{CAPTURED_ASSET_ID}").text == answers["wrapper.json"]
        (brief,) = [u for u in json.loads(answers["list.json"])["user"] if u["primary_id"] == first]
        assert mine.get(f"{RESEARCHERS}/{first}").json() == brief  # a list's brief record as is


def test_a_trace_replays_the_records_as_first_read(origin: Sandbox, tmp_path: Path) -> None:
    trace = tmp_path / "run.trace.jsonl"
    api = Api(origin.base_url)
    (primary_id,) = api.researcher_ids(1)
    with sheetsync.connect(
        base_url=origin.base_url, api_key="sandbox-ro", rate=500, trace=trace
    ) as client:
        sheetsync.snapshot(client, "researchers", tmp_path / "x.jsonl", ids=[primary_id])
        sheetsync.snapshot(client, "assets", tmp_path / "y.jsonl", ids=[CAPTURED_ASSET_ID])
    with start_sandbox(load=[trace]) as loaded:
        mine = Api(loaded.base_url)
        assert loaded.store.counts() == {"researchers": 1, "assets": 1}
        answer = api.get(f"{RESEARCHERS}/{primary_id}?view=full")
        assert mine.get(f"{RESEARCHERS}/{primary_id}?view=full").content == answer.content
        assert mine.get(f"{ASSETS}/{CAPTURED_ASSET_ID}").content == PACKAGED_CAPTURE.read_bytes()
        table = mine.get("/esploro/v1/researchconf/code-tables/UserGroups").json()
        assert {row["code"] for row in table["row"]} >= {"FACULTY"}


def test_codes_in_no_table_are_added_to_it_with_a_warning(origin: Sandbox, tmp_path: Path) -> None:
    api = Api(origin.base_url)
    (primary_id,) = api.researcher_ids(1)
    record = api.get(f"{RESEARCHERS}/{primary_id}?view=full").json()
    record["user_group"] = {"value": "VISITOR", "desc": "Visiting scholar"}
    path = tmp_path / "one.json"
    path.write_text(json.dumps(record, indent=2), encoding="utf-8")
    with start_sandbox(load=[path]) as loaded:
        (warning,) = loaded.load_warnings
        assert "UserGroups" in warning and "VISITOR" in warning
        mine = Api(loaded.base_url)
        table = mine.get("/esploro/v1/researchconf/code-tables/UserGroups").json()
        assert {"code": "VISITOR", "description": "Visiting scholar"}.items() <= next(
            row for row in table["row"] if row["code"] == "VISITOR"
        ).items()
        # the untouched record can be written back: the sandbox knows its code now
        assert mine.put(f"{RESEARCHERS}/{primary_id}", record).status_code == 200
    with start_sandbox() as plain:  # and the seeded sandbox's table is as it was
        table = Api(plain.base_url).get("/esploro/v1/researchconf/code-tables/UserGroups").json()
        assert "VISITOR" not in {row["code"] for row in table["row"]}


def test_a_write_that_changes_a_record_ends_its_captured_text(tmp_path: Path) -> None:
    with start_sandbox(load=[CAPTURE]) as loaded:
        api = Api(loaded.base_url)
        same = {
            "records": [
                {"identifier.doi": json.loads(asset_text(api, CAPTURED_ASSET_ID))["identifier.doi"]}
            ]
        }
        url = f"{ASSETS}/{CAPTURED_ASSET_ID}?op=patch&action=replace"
        assert api.request("POST", url, json_body=same).status_code == 200
        assert api.get(f"{ASSETS}/{CAPTURED_ASSET_ID}").content == CAPTURE.read_bytes()
        changed = {"records": [{"date.published": "2030-01-01"}]}
        assert api.request("POST", url, json_body=changed).status_code == 200
        assert api.get(f"{ASSETS}/{CAPTURED_ASSET_ID}").content != CAPTURE.read_bytes()
        assert json.loads(asset_text(api, CAPTURED_ASSET_ID))["date.published"] == "2030-01-01"


def test_seed_too_seeds_and_loads_and_a_database_with_records_is_refused(
    tmp_path: Path,
) -> None:
    with start_sandbox(load=[CAPTURE], seed_too=True, researchers=4, assets=3) as both:
        assert both.store.counts() == {"researchers": 4, "assets": 4}
    db = tmp_path / "box.sqlite3"
    start_sandbox(db=db, researchers=2, assets=1).stop()
    with pytest.raises(ConfigError, match="--load needs an empty sandbox database"):
        start_sandbox(db=db, load=[CAPTURE])


def test_a_loaded_database_started_again_keeps_its_records_and_tables(tmp_path: Path) -> None:
    db = tmp_path / "box.sqlite3"
    start_sandbox(db=db, load=[CAPTURE]).stop()
    with start_sandbox(db=db) as again:  # no --load, no seeding
        assert again.store.counts() == {"researchers": 0, "assets": 1}
        answer = Api(again.base_url).get(f"{ASSETS}/{CAPTURED_ASSET_ID}")
        assert answer.content == CAPTURE.read_bytes()


def test_loaded_records_beyond_loopback_need_keys_of_ones_own() -> None:
    with pytest.raises(ConfigError, match="keys of your own"):
        sheetsync.SandboxConfig(host="0.0.0.0", load=[CAPTURE])
    with start_sandbox(host="0.0.0.0", load=[CAPTURE], keys={"a-long-own-key": "rw"}) as box:
        local = Api(f"http://127.0.0.1:{box.port}", key="a-long-own-key")
        assert local.get(f"{ASSETS}/{CAPTURED_ASSET_ID}").status_code == 200
        assert local.session.get(f"http://127.0.0.1:{box.port}/_sandbox/stats").status_code == 404


def test_a_file_that_holds_no_records_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"name": "UserGroups", "row": []}', encoding="utf-8")
    with pytest.raises(SheetsyncError, match=r"x\.json: not a snapshot"):
        start_sandbox(load=[path])


def test_the_whole_loop_runs_on_a_loaded_sandbox(origin: Sandbox, tmp_path: Path) -> None:
    snapshot = take(origin, tmp_path, "researchers")
    captured = records_of(snapshot)
    target = sorted(captured)[0]
    with (
        start_sandbox(load=[snapshot]) as loaded,
        sheetsync.connect(base_url=loaded.base_url, api_key="sandbox-rw", rate=500) as client,
    ):
        book = tmp_path / "people.xlsx"
        sheetsync.export(client, "researchers", book)
        set_cells(book, {(target, "Display title"): "Rehearsed title"})
        plan = sheetsync.plan(client, book)
        assert [r.record_id for r in plan.records if r.status == "change"] == [target]
        journal = tmp_path / "people.journal.jsonl"
        applied = sheetsync.apply(client, plan, journal=journal)
        assert applied.ok
        api = Api(loaded.base_url)
        written = api.get(f"{RESEARCHERS}/{target}?view=full").json()
        assert written["researcher"]["display_title"] == "Rehearsed title"
        sheetsync.rollback(client, plan, journal=journal)
        back = api.get(f"{RESEARCHERS}/{target}?view=full").json()
        before = json.loads(captured[target])
        assert back.pop("link") != before.pop("link")  # the one field the sandbox answers itself
        assert back == before
    # the same workbook, planned against the Esploro the snapshot was taken of
    with sheetsync.connect(base_url=origin.base_url, api_key="sandbox-ro", rate=500) as client:
        production = sheetsync.plan(client, book)
    assert production.base_url == origin.base_url
    assert [r.record_id for r in production.records if r.status == "change"] == [target]


def test_a_workbook_from_a_loaded_sandbox_is_refused_elsewhere(
    origin: Sandbox, tmp_path: Path
) -> None:
    snapshot = take(origin, tmp_path, "researchers", limit=2)
    book = tmp_path / "people.xlsx"
    with (
        start_sandbox(load=[snapshot]) as loaded,
        sheetsync.connect(base_url=loaded.base_url, api_key="sandbox-rw", rate=500) as client,
    ):
        sheetsync.export(client, "researchers", book)
    with (
        start_sandbox(researchers=2, assets=0) as other,
        sheetsync.connect(base_url=other.base_url, api_key="sandbox-rw", rate=500) as client,
        pytest.raises(sheetsync.PlanError, match="plan against the Esploro it came from"),
    ):
        sheetsync.plan(client, book)
