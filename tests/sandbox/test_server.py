"""The gateway behaviour around the routes: keys, formats, limits, faults, stats, controls."""

from __future__ import annotations

import threading
import time
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from sheetsync.sandbox import READ_ONLY_KEY, Sandbox
from sheetsync.sandbox.server import redact
from tests.conftest import Api, error_of, start_sandbox

XML_NS = "{http://com/exlibris/urm/general/xmlbeans}"


# -- keys --------------------------------------------------------------------------------


def test_key_in_header_or_query_is_accepted(api: Api) -> None:
    assert api.get("/esploro/v1/researchers?limit=1").status_code == 200
    by_query = api.get("/esploro/v1/researchers?limit=1&apikey=sandbox-ro", key=None)
    assert by_query.status_code == 200


@pytest.mark.parametrize("key", [None, "not-a-key"])
def test_missing_or_unknown_key_is_unauthorized(api: Api, key: str | None) -> None:
    response = api.get("/esploro/v1/researchers", key=key)
    assert response.status_code == 401
    error = error_of(response)
    assert error["errorCode"] == "UNAUTHORIZED"
    assert error["errorMessage"] == "API-key not defined or not configured to allow this API."


def test_read_only_key_reads_but_every_write_is_refused(api: Api, ro_api: Api) -> None:
    primary_id = ro_api.researcher_ids(1)[0]
    record = ro_api.get(f"/esploro/v1/researchers/{primary_id}").json()
    changed = {**record, "first_name": "Changed"}
    writes = [
        ro_api.put(f"/esploro/v1/researchers/{primary_id}", changed),
        ro_api.request("DELETE", f"/esploro/v1/researchers/{primary_id}"),
        ro_api.request(
            "POST",
            "/esploro/v1/assets/991291935000561?op=patch&action=replace",
            json_body={"records": [{"date.published": "2020"}]},
        ),
    ]
    for response in writes:
        assert response.status_code == 400
        assert error_of(response)["errorCode"] == "UNAUTHORIZED"
    assert api.get(f"/esploro/v1/researchers/{primary_id}").json() == record


def test_keys_from_config_replace_the_defaults() -> None:
    with start_sandbox(keys={"mine": "rw"}) as server:
        mine = Api(server.base_url, "mine")
        assert mine.get("/esploro/v1/researchers").status_code == 200
        assert mine.get("/esploro/v1/researchers", key="sandbox-rw").status_code == 401


# -- formats -----------------------------------------------------------------------------


def test_format_json_parameter_gives_json_without_an_accept_header(api: Api) -> None:
    response = api.get("/esploro/v1/researchers?limit=1&format=json", accept="*/*")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/json")


def test_errors_come_as_web_service_result_xml_when_xml_is_asked_for(api: Api) -> None:
    response = api.get("/esploro/v1/researchers/1", accept="application/xml")
    assert response.status_code == 406  # the sandbox answers records in JSON only
    assert response.headers["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)
    assert root.tag == f"{XML_NS}web_service_result"
    assert root.findtext(f"{XML_NS}errorsExist") == "true"
    error = root.find(f"{XML_NS}errorList/{XML_NS}error")
    assert error is not None
    assert error.findtext(f"{XML_NS}errorCode") == "NOT_ACCEPTABLE"
    assert (error.findtext(f"{XML_NS}trackingId") or "").startswith("E01-")


def test_unauthorized_in_xml_has_no_tracking_id_like_the_real_gateway(api: Api) -> None:
    """evidence errors/unauthorized-no-tracking-id.xml; in JSON the trackingId stays."""
    response = api.get("/esploro/v1/researchers", key="nope", accept="application/xml")
    assert response.status_code == 401
    root = ET.fromstring(response.content)
    error = root.find(f"{XML_NS}errorList/{XML_NS}error")
    assert error is not None
    assert error.findtext(f"{XML_NS}errorCode") == "UNAUTHORIZED"
    assert error.find(f"{XML_NS}trackingId") is None
    assert error_of(api.get("/esploro/v1/researchers", key="nope"))["trackingId"]


@pytest.mark.parametrize("option, prefixes", [("E02", {"E02"}), ("mixed", {"E01", "E02"})])
def test_tracking_ids_can_start_e02_as_real_ones_do(option: str, prefixes: set[str]) -> None:
    with start_sandbox(tracking_ids=option) as server:
        api = Api(server.base_url)
        seen = set()
        for _ in range(40):
            (error,) = api.get("/esploro/v1/researchers/1").json()["errorList"]["error"]
            seen.add(error["trackingId"][:3])
        assert seen == prefixes


def test_records_without_a_json_request_are_refused_in_xml(api: Api) -> None:
    response = api.get("/esploro/v1/researchers", accept="application/xml")
    assert response.status_code == 406
    root = ET.fromstring(response.content)
    assert "JSON" in (root.findtext(f".//{XML_NS}errorMessage") or "")


def test_tracking_ids_differ_between_errors(api: Api) -> None:
    ids = {error_of(api.get("/esploro/v1/researchers/1"))["trackingId"] for _ in range(5)}
    assert len(ids) == 5


# -- limits ------------------------------------------------------------------------------


def test_a_burst_over_the_per_second_threshold_gets_429() -> None:
    with start_sandbox(rate_limit=10.0) as server:
        api = Api(server.base_url)

        def call(_: int) -> requests.Response:
            return requests.get(
                f"{server.base_url}/esploro/v1/researchers?limit=1",
                headers={"Authorization": "apikey sandbox-ro", "Accept": "application/json"},
                timeout=10,
            )

        with ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(call, range(40)))
        limited = [r for r in responses if r.status_code == 429]
        assert 20 <= len(limited) <= 30  # a bucket of 10, refilled at 10/s while the burst runs
        assert error_of(limited[0])["errorCode"] == "PER_SECOND_THRESHOLD"
        time.sleep(1.1)
        assert api.get("/esploro/v1/researchers?limit=1").status_code == 200


def test_a_client_pacing_itself_at_the_limit_is_never_refused() -> None:
    with start_sandbox(rate_limit=20.0) as server:
        api = Api(server.base_url)
        started = time.monotonic()
        statuses = []
        for n in range(30):
            time.sleep(max(0.0, started + n / 20.0 - time.monotonic()))
            statuses.append(api.get("/esploro/v1/researchers?limit=1").status_code)
        assert set(statuses) == {200}


def test_remaining_quota_counts_down_and_daily_threshold_stops_everything() -> None:
    with start_sandbox(daily_limit=3) as server:
        api = Api(server.base_url)
        remaining = [
            int(api.get("/esploro/v1/researchers").headers["X-Exl-Api-Remaining"]) for _ in range(3)
        ]
        assert remaining == [2, 1, 0]
        refused = api.get("/esploro/v1/researchers")
        assert refused.status_code == 429
        assert error_of(refused)["errorCode"] == "DAILY_THRESHOLD"
        assert refused.headers["X-Exl-Api-Remaining"] == "0"


def test_error_responses_carry_the_remaining_quota_too(api: Api) -> None:
    response = api.get("/esploro/v1/researchers/1")
    assert response.status_code == 400
    assert int(response.headers["X-Exl-Api-Remaining"]) > 0


# -- faults ------------------------------------------------------------------------------


def test_latency_and_jitter_are_added_to_every_response() -> None:
    with start_sandbox(latency_ms=120.0, jitter_ms=40.0) as server:
        api = Api(server.base_url)
        api.get("/esploro/v1/researchers?limit=1")  # connect outside the measurement
        for _ in range(3):
            started = time.monotonic()
            api.get("/esploro/v1/researchers?limit=1")
            assert 0.12 <= time.monotonic() - started < 0.5


def test_fail_rate_answers_500_or_503_with_error_bodies_and_changes_nothing() -> None:
    with start_sandbox(fail_rate=0.5) as server:
        api = Api(server.base_url)
        statuses = []
        for _ in range(60):
            response = api.get("/esploro/v1/assets/991291935000561")
            statuses.append(response.status_code)
            if response.status_code >= 500:
                assert error_of(response)["errorMessage"]
        assert {500, 503, 200} <= set(statuses)
        assert 15 <= statuses.count(200) <= 45


def test_drop_rate_commits_the_write_then_closes_the_connection() -> None:
    with start_sandbox(drop_rate=1.0) as server:
        api = Api(server.base_url)
        primary_id = api.researcher_ids(1)[0]
        record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
        with pytest.raises(requests.ConnectionError):
            api.put(f"/esploro/v1/researchers/{primary_id}", {**record, "first_name": "Dropped"})
        fresh = Api(server.base_url)
        assert fresh.get(f"/esploro/v1/researchers/{primary_id}").json()["first_name"] == "Dropped"
        assert fresh.stats()["by_status"]["dropped"] == 1


def test_drop_rate_never_drops_reads() -> None:
    with start_sandbox(drop_rate=1.0) as server:
        api = Api(server.base_url)
        assert all(api.get("/esploro/v1/researchers").status_code == 200 for _ in range(10))


# -- stats and controls ------------------------------------------------------------------


def test_stats_count_by_method_resource_and_status_and_reset(api: Api, ro_api: Api) -> None:
    requests.delete(f"{api.base_url}/_sandbox/stats", timeout=5)
    primary_id = api.researcher_ids(1)[0]
    record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
    api.put(f"/esploro/v1/researchers/{primary_id}", record)
    ro_api.put(f"/esploro/v1/researchers/{primary_id}", record)
    api.get("/esploro/v1/assets/991291935000561")
    stats = api.stats()
    assert stats["total"] == 5
    assert stats["writes"] == 2
    assert stats["by_method"] == {"GET": 3, "PUT": 2}
    assert stats["by_resource"] == {"assets": 1, "researchers": 4}
    assert {"method": "PUT", "resource": "researchers", "status": "400", "count": 1} in stats[
        "requests"
    ]
    assert api.stats()["total"] == 5  # reading the stats is not counted
    assert requests.delete(f"{api.base_url}/_sandbox/stats", timeout=5).status_code == 204
    assert api.stats()["total"] == 0


def test_controls_need_no_key_and_are_never_rate_limited() -> None:
    with start_sandbox(rate_limit=1.0) as server:
        for _ in range(20):
            assert requests.get(f"{server.base_url}/_sandbox/stats", timeout=5).status_code == 200
        health = requests.get(f"{server.base_url}/_sandbox/health", timeout=5).json()
        assert health == {"status": "ok", "researchers": 40, "assets": 61}


def test_colleague_merge_patch_changes_only_what_it_names(api: Api) -> None:
    primary_id = api.researcher_ids(1)[0]
    before = api.get(f"/esploro/v1/researchers/{primary_id}").json()
    patch = {"researcher": {"display_title": "Dean of Everything", "position": None}}
    response = requests.patch(f"{api.base_url}/_sandbox/researchers/{primary_id}", json=patch)
    assert response.status_code == 200
    after = api.get(f"/esploro/v1/researchers/{primary_id}").json()
    assert after["researcher"]["display_title"] == "Dean of Everything"
    # null removes; the schema's default for an unset code is the empty code object
    assert after["researcher"]["position"] == {"value": "", "desc": ""}
    for key in before:
        if key != "researcher":
            assert after[key] == before[key]
    for key in before["researcher"]:
        if key not in ("display_title", "position"):
            assert after["researcher"][key] == before["researcher"][key]


def test_colleague_merge_patch_on_an_asset_keeps_dotted_keys(api: Api) -> None:
    path = "/_sandbox/assets/991291935000561"
    patch = {"local.fields": {"local.note6": "added"}, "identifier.pmid": None}
    assert requests.patch(f"{api.base_url}{path}", json=patch, timeout=5).status_code == 200
    record = api.get("/esploro/v1/assets/991291935000561").json()["records"][0]
    assert record["local.fields"]["local.note6"] == "added"
    assert record["local.fields"]["local.note1"] == "field 1 "
    assert "identifier.pmid" not in record


def test_colleague_patch_errors(api: Api) -> None:
    base = f"{api.base_url}/_sandbox"
    assert requests.patch(f"{base}/researchers/1", json={}, timeout=5).status_code == 404
    bad_json = requests.patch(f"{base}/assets/991291935000561", data=b"{", timeout=5)
    assert bad_json.status_code == 400
    bad_code = requests.patch(
        f"{base}/researchers/{api.researcher_ids(1)[0]}",
        json={"user_group": {"value": "PIRATE"}},
        timeout=5,
    )
    assert bad_code.status_code == 400
    assert requests.get(f"{base}/nothing", timeout=5).status_code == 404


def test_controls_are_not_counted_in_stats(sandbox: Sandbox) -> None:
    requests.patch(
        f"{sandbox.base_url}/_sandbox/assets/991291935000561", json={"title": "x"}, timeout=5
    )
    assert Api(sandbox.base_url).stats()["total"] == 0


def test_redact_hides_keys_in_log_lines() -> None:
    line = 'GET /esploro/v1/researchers?limit=1&apikey=l7xx-secret&q=x "Authorization: apikey s3"'
    cleaned = redact(line)
    assert "l7xx-secret" not in cleaned and "s3" not in cleaned
    assert "limit=1" in cleaned and "q=x" in cleaned


def test_request_log_never_shows_the_key(capfd: pytest.CaptureFixture[str]) -> None:
    with start_sandbox(log_requests=True) as server:
        requests.get(
            f"{server.base_url}/esploro/v1/researchers?apikey={READ_ONLY_KEY}&format=json",
            timeout=5,
        )
    err = capfd.readouterr().err
    assert "/esploro/v1/researchers" in err
    assert READ_ONLY_KEY not in err


def test_concurrent_clients_are_all_served(sandbox: Sandbox) -> None:
    ids = Api(sandbox.base_url).researcher_ids(40)
    failures: list[int] = []

    def worker() -> None:
        api = Api(sandbox.base_url)
        for primary_id in ids:
            status = api.get(f"/esploro/v1/researchers/{primary_id}").status_code
            if status != 200:
                failures.append(status)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []


def test_a_malformed_content_length_gets_an_error_body_not_a_hang(sandbox: Sandbox) -> None:
    import socket

    host, port = sandbox.base_url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(
            b"PUT /esploro/v1/researchers/1 HTTP/1.1\r\nHost: x\r\nContent-Length: lots\r\n\r\n"
        )
        answer = conn.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 400")
    assert "INVALID_BODY" in answer


def test_the_sandbox_listens_on_ipv6_loopback_too() -> None:
    import socket

    if not socket.has_ipv6:
        pytest.skip("no IPv6 on this machine")
    try:
        server = start_sandbox(host="::1")
    except OSError:
        pytest.skip("IPv6 loopback not configured")
    with server:
        assert server.base_url.startswith("http://[::1]:")
        assert Api(server.base_url).get("/esploro/v1/researchers").status_code == 200


def test_a_request_is_counted_before_its_answer_leaves(api: Api) -> None:
    primary_id = api.researcher_ids(1)[0]
    record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
    for _ in range(50):
        requests.delete(f"{api.base_url}/_sandbox/stats", timeout=5)
        api.put(f"/esploro/v1/researchers/{primary_id}", record)
        assert api.stats()["total"] == 1


def test_faults_can_be_read_and_switched_at_run_time(api: Api) -> None:
    url = f"{api.base_url}/_sandbox/faults"
    assert requests.get(url, timeout=5).json()["fail_rate"] == 0.0
    changed = requests.patch(url, json={"fail_rate": 1.0, "latency_ms": 5}, timeout=5).json()
    assert changed["fail_rate"] == 1.0 and changed["latency_ms"] == 5.0
    assert api.get("/esploro/v1/researchers").status_code in (500, 503)
    requests.patch(url, json={"fail_rate": 0}, timeout=5)
    assert api.get("/esploro/v1/researchers").status_code == 200
    assert requests.patch(url, json={"shoe_size": 1}, timeout=5).status_code == 400
    assert requests.patch(url, json={"drop_rate": 2}, timeout=5).status_code == 400
