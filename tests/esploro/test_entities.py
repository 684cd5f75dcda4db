"""The entity adapters over a real sandbox: listing, selecting, reading one and in batches,
writing, and each entity's not-found code."""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import islice

import pytest

from sheetsync.errors import NotFoundError
from sheetsync.esploro.entities import ASSETS, RESEARCHERS
from sheetsync.sandbox import Sandbox
from tests.conftest import Api, start_sandbox
from tests.esploro.support import count, make_client, raw_pages


@pytest.fixture(scope="module")
def big() -> Iterator[Sandbox]:
    """More records than one page: 250 researchers, 260 (+1 captured) assets, some latency."""
    server = start_sandbox(researchers=250, assets=260, latency_ms=2, jitter_ms=15)
    yield server
    server.stop()


def test_missing_researcher_is_not_found(sandbox: Sandbox) -> None:
    with make_client(sandbox.base_url) as client, pytest.raises(NotFoundError) as caught:
        RESEARCHERS.get(client, "no-such-person")
    assert caught.value.error_code == "401861"
    assert "no-such-person" in str(caught.value)


def test_missing_assets_are_not_found_and_named(sandbox: Sandbox) -> None:
    real = Api(sandbox.base_url).asset_ids(2)
    with make_client(sandbox.base_url) as client:
        with pytest.raises(NotFoundError) as none_found:
            ASSETS.get_batch(client, ["1111", "2222"])
        assert none_found.value.error_code == "ASSET_NOT_FOUND"
        with pytest.raises(NotFoundError) as some_missing:
            list(ASSETS.fetch(client, [real[0], "31337", real[1]]))
    assert "31337" in str(some_missing.value)
    assert real[0] not in str(some_missing.value).split("not found:")[1]


def test_iter_researcher_ids_covers_everyone_in_order(big: Sandbox) -> None:
    api = Api(big.base_url)
    expected = [user["primary_id"] for user in raw_pages(api, "researchers", "user")]
    assert len(expected) == 250
    with make_client(big.base_url) as client:
        assert list(RESEARCHERS.list_ids(client)) == expected
        assert list(RESEARCHERS.list_ids(client, limit=130)) == expected[:130]
        assert list(RESEARCHERS.list_ids(client, limit=7)) == expected[:7]


def test_iter_researcher_ids_with_a_query(big: Sandbox) -> None:
    api = Api(big.base_url)
    last_name = api.get("/esploro/v1/researchers?limit=1").json()["user"][0]["last_name"]
    q = f"last_name~{last_name.split()[0]}"
    expected = [u["primary_id"] for u in raw_pages(api, "researchers", "user", q=q)]
    assert expected
    with make_client(big.base_url) as client:
        assert list(RESEARCHERS.list_ids(client, q=q)) == expected
        assert list(RESEARCHERS.list_ids(client, q="last_name~zzqxnobody")) == []


def test_fetch_researchers_keeps_input_order_under_jitter(big: Sandbox) -> None:
    with make_client(big.base_url, workers=8) as client:
        ids = list(RESEARCHERS.list_ids(client, limit=120))
        random.Random(3).shuffle(ids)
        done: list[int] = []
        records = list(RESEARCHERS.fetch(client, ids, progress=done.append))
    assert [record["primary_id"] for record in records] == ids
    assert all("researcher" in record for record in records)  # full view
    assert done == [1] * len(ids)


def test_fetch_researchers_streams_with_a_bounded_window(big: Sandbox) -> None:
    pulled = 0
    ids = Api(big.base_url).researcher_ids(100)

    def endless() -> Iterator[str]:
        nonlocal pulled
        while True:
            for primary_id in ids:
                pulled += 1
                yield primary_id

    with make_client(big.base_url, workers=4) as client:
        first = list(islice(RESEARCHERS.fetch(client, endless()), 5))
    assert [record["primary_id"] for record in first] == ids[:5]
    assert pulled <= 5 + 4 * 4


def test_fetch_assets_batches_by_100_in_input_order(big: Sandbox) -> None:
    api = Api(big.base_url)
    all_ids = [r["originalRepository"]["assetId"] for r in raw_pages(api, "assets", "records")]
    ids = all_ids[:250]
    random.Random(5).shuffle(ids)
    api.session.delete(f"{big.base_url}/_sandbox/stats", timeout=10)
    done: list[int] = []
    with make_client(big.base_url, workers=8) as client:
        records = list(ASSETS.fetch(client, ids, progress=done.append))
    assert [r["originalRepository"]["assetId"] for r in records] == ids
    assert sorted(done) == [50, 100, 100]
    assert count(api.stats(), "GET", "assets") == 3


def test_iter_assets_pages_match_the_api(big: Sandbox) -> None:
    api = Api(big.base_url)
    expected = raw_pages(api, "assets", "records")
    assert len(expected) == 261
    with make_client(big.base_url) as client:
        assert list(ASSETS.list_records(client)) == expected
        assert len(list(ASSETS.list_records(client, limit=150))) == 150
        recent = raw_pages(api, "assets", "records", update_date_from="2025-09-21")
        assert list(ASSETS.list_records(client, update_date_from="2025-09-21")) == recent


def test_writes_code_tables_and_organizations(sandbox: Sandbox) -> None:
    api = Api(sandbox.base_url)
    asset_id = api.asset_ids(1)[0]
    primary_id = api.researcher_ids(1)[0]
    with make_client(sandbox.base_url) as client:
        researcher = RESEARCHERS.get(client, primary_id)
        researcher["researcher"]["display_title"] = "Dr. Test"
        stored = RESEARCHERS.write(client, primary_id, researcher, partial=None, mode="put")
        assert stored["researcher"]["display_title"] == "Dr. Test"
        (asset,) = ASSETS.get_batch(client, [asset_id])
        asset["title"] = "A new title"
        assert (
            ASSETS.write(client, asset_id, asset, partial=None, mode="put")["title"]
            == "A new title"
        )
        patched = ASSETS.patch(client, asset_id, {"identifier.doi": "10.9999/abc"})
        assert patched["identifier.doi"] == "10.9999/abc"
        assert client.organizations()
        table = client.code_table("UserGroups")
        assert table["row"]
    stats = api.stats()
    assert (stats["by_method"]["PUT"], stats["by_method"]["POST"]) == (2, 1)
