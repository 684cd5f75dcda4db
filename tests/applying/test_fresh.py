"""Apply and rollback read assets fresh 100 to a GET, just before writing them (fresh.py)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.applying import fresh
from sheetsync.applying.fresh import FreshReader
from sheetsync.applying.journal import journal_path
from sheetsync.applying.rollback import rollback_plan
from sheetsync.applying.run import ApplyOptions, ApplyResult, ApplyStatus, apply_plan
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import ASSETS, EVERYTHING_SINCE, RESEARCHERS, Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from sheetsync.workbook.reader import read_export
from tests.applying.support import ctrl_c_during_apply
from tests.conftest import Api, start_sandbox
from tests.plans import edit


def _doi(n: int) -> str:
    return f"10.5555/fresh.{n}"


def _planned_dois(server: Sandbox, tmp_path: Path, count: int) -> tuple[Path, list[str]]:
    """Export `count` assets, give each a new DOI, plan; the plan's path and the IDs in order."""
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        workbook = tmp_path / "assets.xlsx"
        selection = Selection(updated_since=EVERYTHING_SINCE, limit=count)
        export_records(client, load_template("assets"), workbook, selection)
        ids = list(read_export(workbook).baseline)
        edit(workbook, {(asset_id, "DOI"): _doi(n) for n, asset_id in enumerate(ids)})
        plan_path = tmp_path / "assets.plan.json"
        write_plan(build_plan(client, workbook), plan_path)
    return plan_path, ids


class _After:
    """A progress that runs `hook` once, when the first record is done."""

    def __init__(self, hook: Callable[[], None]) -> None:
        self.hook: Callable[[], None] | None = hook

    def start(self, total: int | None) -> None:
        pass

    def advance(self, count: int) -> None:
        if self.hook is not None:
            hook, self.hook = self.hook, None
            hook()

    def tally(self, status: str) -> None:
        pass


def _apply(server: Sandbox, plan_path: Path, progress: Any = None, workers: int = 8) -> ApplyResult:
    with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0, workers=workers) as client:
        plan = read_plan(plan_path)
        options = ApplyOptions()
        if progress is None:
            return apply_plan(client, plan, journal=journal_path(plan_path), options=options)
        return apply_plan(
            client, plan, journal=journal_path(plan_path), options=options, progress=progress
        )


def _stats(server: Sandbox) -> dict[str, Any]:
    return Api(server.base_url).stats()


def _reset(server: Sandbox) -> None:
    requests.delete(f"{server.base_url}/_sandbox/stats", timeout=5).raise_for_status()


def _asset(server: Sandbox, asset_id: str) -> dict[str, Any]:
    answer = Api(server.base_url).get(f"/esploro/v1/assets/{asset_id}").json()
    record: dict[str, Any] = answer["records"][0]
    return record


def test_250_assets_apply_and_roll_back_with_3_reads_and_250_writes_each(tmp_path: Path) -> None:
    with start_sandbox(researchers=5, assets=250) as server:
        plan_path, ids = _planned_dois(server, tmp_path, 250)
        _reset(server)
        result = _apply(server, plan_path)
        assert [r.status for r in result.results] == ["updated"] * 250
        stats = _stats(server)
        assert stats["by_method"] == {"GET": 3, "POST": 250}  # the answer verifies: no re-read
        assert _asset(server, ids[249])["identifier.doi"] == _doi(249)

        _reset(server)
        with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
            undone = rollback_plan(client, read_plan(plan_path), journal=journal_path(plan_path))
        ended = {ApplyStatus.ROLLED_BACK, ApplyStatus.NOT_RESTORED}  # DOIs empty before
        assert {r.status for r in undone.results} <= ended
        assert len(undone.results) == 250
        assert _stats(server)["by_method"]["GET"] == 3
        assert _asset(server, ids[249])["identifier.doi"] != _doi(249)


def test_a_change_made_before_the_batch_read_is_stale_as_ever(tmp_path: Path) -> None:
    with start_sandbox(researchers=5, assets=20) as server:
        plan_path, ids = _planned_dois(server, tmp_path, 20)
        url = f"{server.base_url}/_sandbox/assets/{ids[7]}"
        requests.patch(url, json={"identifier.doi": "10.1/colleague"}, timeout=5)
        results = {r.record_id: r.status for r in _apply(server, plan_path).results}
        assert results[ids[7]] == "stale"
        assert [results[i] for i in ids if i != ids[7]] == ["updated"] * 19
        assert _asset(server, ids[7])["identifier.doi"] == "10.1/colleague"


def test_a_change_between_the_batch_read_and_the_write(tmp_path: Path) -> None:
    """The window (fresh.py): the first record's write comes after the batch read that holds
    the others, so a colleague who saves now saves between their read and their write. Their
    save in a field the plan does not write is kept (op=patch sends only the plan's fields),
    with no warning; one in a field the plan writes is overwritten, as it would be between a
    single GET and its write (Esploro offers no conditional write): the window is seconds."""
    with start_sandbox(researchers=5, assets=5) as server:
        plan_path, ids = _planned_dois(server, tmp_path, 3)

        def colleague() -> None:
            for asset_id, patch in (
                (ids[1], {"identifier.pmid": "40000001"}),
                (ids[2], {"identifier.doi": "10.1/colleague"}),
            ):
                url = f"{server.base_url}/_sandbox/assets/{asset_id}"
                requests.patch(url, json=patch, timeout=5).raise_for_status()

        result = _apply(server, plan_path, _After(colleague), workers=1)
        assert [(r.status, r.warnings) for r in result.results] == [("updated", ())] * 3
        other = _asset(server, ids[1])
        assert (other["identifier.doi"], other["identifier.pmid"]) == (_doi(1), "40000001")
        assert _asset(server, ids[2])["identifier.doi"] == _doi(2)


def test_a_batch_older_than_its_age_is_read_again_and_the_change_is_stale(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past `MAX_AGE_SECONDS` a record is read alone before its write: the same change to a
    field the plan writes, inside the window, is then caught."""
    monkeypatch.setattr(fresh, "MAX_AGE_SECONDS", 0.05)  # batches of 25 at 1,000/s
    with start_sandbox(researchers=5, assets=5) as server:
        plan_path, ids = _planned_dois(server, tmp_path, 3)

        def colleague() -> None:
            url = f"{server.base_url}/_sandbox/assets/{ids[2]}"
            requests.patch(url, json={"identifier.doi": "10.1/colleague"}, timeout=5)
            time.sleep(0.1)  # the batch is now older than its age

        result = _apply(server, plan_path, _After(colleague), workers=1)
        assert [r.status for r in result.results] == ["updated", "updated", "stale"]
        assert _asset(server, ids[2])["identifier.doi"] == "10.1/colleague"


def test_the_reader_gives_each_record_once_missing_ones_raise_and_researchers_go_alone(
    sandbox: Sandbox,
) -> None:
    api = Api(sandbox.base_url)
    ids = api.asset_ids(5)
    with EsploroClient(sandbox.base_url, READ_WRITE_KEY, rate=1000.0) as client:
        _reset(sandbox)
        with FreshReader(ASSETS, client, [*ids, "999999999"]) as reader:
            assert [reader.get(i)["originalRepository"]["assetId"] for i in ids] == ids
            assert api.stats()["by_method"] == {"GET": 1}
            assert reader.get(ids[0])["originalRepository"]["assetId"] == ids[0]  # alone
            assert api.stats()["by_method"] == {"GET": 2}
            with pytest.raises(Exception, match="999999999"):
                reader.get("999999999")
        researcher = api.researcher_ids(1)[0]
        _reset(sandbox)
        with FreshReader(RESEARCHERS, client, [researcher]) as reader:
            assert reader.get(researcher)["primary_id"] == researcher
        assert api.stats()["by_method"] == {"GET": 1}


def test_ctrl_c_during_a_batched_asset_apply_finishes_what_is_in_flight(tmp_path: Path) -> None:
    """Ctrl-C while a batch read may be in flight: the records begun are finished, the run
    says how to resume, and the same apply run again brings every asset to its DOI."""
    with start_sandbox(researchers=5, assets=150) as server:
        plan_path, ids = _planned_dois(server, tmp_path, 150)
        server.faults.latency_ms = 150
        finished = ctrl_c_during_apply(server.base_url, plan_path, after=3.0)
        assert len(finished) < 150
        server.faults.latency_ms = 0
        assert _apply(server, plan_path).ok
        assert all(_asset(server, i)["identifier.doi"] == _doi(n) for n, i in enumerate(ids))
