"""The entity adapters over a real sandbox: listing, selecting, reading one and in batches,
writing, and each entity's not-found code; a recording server where the wire itself matters
(the batch GET's paging, the op=patch body)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from itertools import islice
from typing import Any

import pytest

from sheetsync.errors import ApplyError, ExportError, NotFoundError
from sheetsync.esploro.entities import ASSETS, RESEARCHERS, Selection
from sheetsync.sandbox import Sandbox
from tests.conftest import Api, start_sandbox
from tests.esploro.support import (
    EVERY_ASSET,
    Seen,
    asset_ids,
    count,
    make_client,
    raw_pages,
    recording_server,
)

XML_BODY = b'<ns3:records total_record_count="1" xmlns:ns2="http://esploro_record"'


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


def test_missing_assets_are_none_in_a_fetch_and_not_found_alone(sandbox: Sandbox) -> None:
    real = asset_ids(Api(sandbox.base_url), 2)
    with make_client(sandbox.base_url) as client:
        assert ASSETS.get_batch(client, ["1111", "2222"]) == []
        found = list(ASSETS.fetch(client, [real[0], "31337", real[1]]))
        with pytest.raises(NotFoundError) as caught:
            ASSETS.get(client, "31337")
    assert [_id(r) if r else None for r in found] == [real[0], None, real[1]]
    assert caught.value.error_code == "ASSET_NOT_FOUND" and "31337" in str(caught.value)


def test_missing_researchers_are_none_in_a_fetch(sandbox: Sandbox) -> None:
    real = Api(sandbox.base_url).researcher_ids(1)[0]
    with make_client(sandbox.base_url) as client:
        found = list(RESEARCHERS.fetch(client, ["nobody-here", real]))
    assert found[0] is None and found[1] is not None and found[1]["primary_id"] == real


def _id(record: dict[str, Any]) -> str:
    return str(record["originalRepository"]["assetId"])


def _reversed_without_3(request: Seen) -> tuple[int, Any]:
    """A batch GET answered as a real Esploro did: reverse order, unknown IDs left out."""
    asked = request.path.rsplit("/", 1)[1].split(",")
    known = [i for i in reversed(asked) if i != "3"]
    records = [{"originalRepository": {"assetId": i}, "title": f"T{i}"} for i in known]
    return 200, {"totalRecordCount": len(records), "records": records}


def test_batch_get_asks_for_100_and_matches_records_by_id_whatever_their_order() -> None:
    ids = [str(n) for n in range(1, 151)]
    with recording_server(_reversed_without_3) as (base_url, seen), make_client(base_url) as client:
        records = list(ASSETS.fetch(client, ids))
    assert [_id(r) if r else None for r in records] == [None if i == "3" else i for i in ids]
    assert sorted(len(r.path.rsplit("/", 1)[1].split(",")) for r in seen) == [50, 100]
    assert all(r.query == {"limit": ["100"], "offset": ["0"]} for r in seen)


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
    every = raw_pages(api, "assets", "records", **EVERY_ASSET)
    all_ids = [r["originalRepository"]["assetId"] for r in every]
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
    expected = raw_pages(api, "assets", "records", **EVERY_ASSET)
    assert len(expected) == 261
    with make_client(big.base_url) as client:
        assert list(ASSETS.list_records(client, EVERY_ASSET)) == expected
        assert len(list(ASSETS.list_records(client, EVERY_ASSET, limit=150))) == 150
        recent = raw_pages(api, "assets", "records", update_date_from="2025-09-21")
        since = {"update_date_from": "2025-09-21"}
        assert list(ASSETS.list_records(client, since)) == recent
        with pytest.raises(ExportError, match="without a filter"):
            list(ASSETS.list_records(client, {}))


def test_asset_selection_names_the_apis_filters() -> None:
    selection = Selection(
        updated_since="2024-01-01",
        updated_until="2024-12-31",
        doi="10.1/a",
        researcher="jdoe",
        org_unit="CHEM",
        open_access="yes",
    )
    assert selection.asset_filters() == {
        "update_date_from": "2024-01-01",
        "update_date_to": "2024-12-31",
        "doi": "10.1/a",
        "user_primary_id": "jdoe",
        "org_code": "CHEM",
        "open_access": "yes",
    }
    ASSETS.check_selection(selection)
    for refused, message in (
        (Selection(), "--updated-since 1900-01-01"),
        (Selection(updated_until="31/12/2024"), "--updated-until '31/12/2024' is not a date"),
        (Selection(open_access="maybe"), "yes or no"),
        (Selection(query="ALL~x"), "--query applies to researchers only"),
    ):
        with pytest.raises(ExportError, match=message):
            ASSETS.check_selection(refused)
    with pytest.raises(ExportError, match="--doi, --org-unit: for assets only"):
        RESEARCHERS.check_selection(Selection(doi="10.1/a", org_unit="CHEM"))
    ASSETS.check_selection(Selection(ids=("1",)))  # IDs need no filter


def test_researcher_writes_code_tables_and_organizations(sandbox: Sandbox) -> None:
    api = Api(sandbox.base_url)
    primary_id = api.researcher_ids(1)[0]
    with make_client(sandbox.base_url) as client:
        researcher = RESEARCHERS.get(client, primary_id)
        researcher["researcher"]["display_title"] = "Dr. Test"
        stored = RESEARCHERS.write(client, primary_id, researcher, partial=None, mode="put")
        assert stored["researcher"]["display_title"] == "Dr. Test"
        assert client.organizations()
        table = client.code_table("UserGroups")
        assert table["row"]
    assert api.stats()["by_method"]["PUT"] == 1


def test_asset_writes_are_op_patch_in_the_knowledge_centers_xml(sandbox: Sandbox) -> None:
    api = Api(sandbox.base_url)
    asset_id = asset_ids(api, 1)[0]
    with make_client(sandbox.base_url) as client:
        asset = ASSETS.get(client, asset_id)
        with pytest.raises(ApplyError, match="cannot replace an asset"):
            ASSETS.write(client, asset_id, asset, partial=None, mode="put")
        changes = {"identifier.doi": "10.9999/abc", "date.published": "20240101"}
        patched = ASSETS.write(client, asset_id, asset, partial=changes, mode="patch")
        assert (patched["identifier.doi"], patched["date.published"]) == tuple(changes.values())
        ignored = ASSETS.patch(
            client, asset_id, {"identifier.doi": "10.9999/json"}, body_format="json"
        )
        assert ignored["identifier.doi"] == "10.9999/abc"  # identifiers patch from XML only
    stats = api.stats()
    assert "PUT" not in stats["by_method"] and count(stats, "POST", "assets") == 2


def test_the_patch_on_the_wire_and_an_empty_answer_read_again() -> None:
    record = {"originalRepository": {"assetId": "42"}, "identifier.doi": "10.1/new"}

    def answer(request: Seen) -> tuple[int, Any]:
        if request.method == "POST":
            return 200, None  # no answer: the record is read again
        return 200, {"totalRecordCount": 1, "records": [record]}

    with recording_server(answer) as (base_url, seen), make_client(base_url) as client:
        stored = ASSETS.patch(client, "42", {"identifier.doi": "10.1/new"})
    post, get = seen
    assert stored == record
    assert (post.method, post.path) == ("POST", "/esploro/v1/assets/42")
    assert post.query == {"op": ["patch"], "action": ["replace"]}
    assert post.headers["content-type"] == "application/xml"
    assert post.headers["accept"] == "application/json"
    assert XML_BODY in post.body and b"<identifier.doi>10.1/new</identifier.doi>" in post.body
    assert (get.method, get.path) == ("GET", "/esploro/v1/assets/42")


def test_restore_patches_back_what_was_there_and_names_what_was_empty(sandbox: Sandbox) -> None:
    asset_id = asset_ids(Api(sandbox.base_url), 1)[0]
    with make_client(sandbox.base_url) as client:
        before = ASSETS.get(client, asset_id)
        assert not before.get("date.submitted")
        changes = {"date.published": "19990101", "date.submitted": "19981201"}
        ASSETS.patch(client, asset_id, changes)
        restored = ASSETS.restore(client, asset_id, before, ["date.published", "date.submitted"])
        after = ASSETS.get(client, asset_id)
    assert restored.unrestorable == ("date.submitted",)
    assert restored.record is not None
    assert after["date.published"] == before["date.published"]
    assert after["date.submitted"] == "19981201"  # op=patch cannot empty it


def test_the_q_hint_never_joins_all_with_and() -> None:
    """The example joins two field conditions with AND; it never mixes ALL into an AND."""
    from sheetsync.esploro.entities import Q_SYNTAX_HINT

    assert "last_name~Smith AND first_name~Anna" in Q_SYNTAX_HINT
    assert "ALL~" not in Q_SYNTAX_HINT
