"""The Assets API as the sandbox serves it, driven over real loopback HTTP.

Each behaviour follows the evidence in ../shared/evidence (docs/sandbox.md tags each one):
the OpenAPI file's routes, filters, paging and error codes; the Knowledge Center's op=patch.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.sandbox.routes import today
from tests.conftest import Api, error_of, start_sandbox

CAPTURED = Path(__file__).parents[2] / "sheetsync" / "sandbox" / "data" / "captured_asset.json"
SHARED_CAPTURE = (
    Path(__file__).parents[3] / "shared" / "fixtures" / "esploro-captured" / "asset.json"
)
CAPTURED_ID = "991291935000561"
ASSETS = "/esploro/v1/assets"
EVERYTHING = "update_date_from=1900-01-01"
XML = {"Content-Type": "application/xml"}
RANGE = "20220612\u201320220825"  # a real date range, with its EN DASH
ENVELOPE = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<ns3:records total_record_count="1" xmlns:ns2="http://esploro_record" '
    'xmlns:ns3="http://rest_esploro"><record>{}</record></ns3:records>'
)


def all_assets(api: Api) -> list[dict[str, Any]]:
    """Every asset, paged through the list with a filter that selects them all."""
    records: list[dict[str, Any]] = []
    while True:
        page = api.get(f"{ASSETS}?{EVERYTHING}&limit=100&offset={len(records)}").json()
        records += page.get("records", [])
        if len(records) >= page["totalRecordCount"]:
            return records


def asset_id(record: dict[str, Any]) -> str:
    return str(record["originalRepository"]["assetId"])


def ids_of(page: dict[str, Any]) -> list[str]:
    return [asset_id(record) for record in page.get("records", [])]


def a_seeded_id(api: Api) -> str:
    return ids_of(api.get(f"{ASSETS}?{EVERYTHING}&limit=1").json())[0]


def get_asset(api: Api, record_id: str) -> dict[str, Any]:
    record: dict[str, Any] = api.get(f"{ASSETS}/{record_id}").json()["records"][0]
    return record


def patch(
    api: Api, record_id: str, body: Any, query: str = "op=patch&action=replace", **kw: Any
) -> requests.Response:
    """POST an op=patch: a str body is sent as XML (inside the envelope), anything else as JSON."""
    url = f"{ASSETS}/{record_id}?{query}"
    if isinstance(body, str):
        data = ENVELOPE.format(body).encode("utf-8")
        return api.request("POST", url, data=data, headers=XML, **kw)
    return api.request("POST", url, json_body=body, **kw)


# -- the captured asset ------------------------------------------------------------------


def test_captured_asset_get_is_byte_identical_to_the_capture(api: Api) -> None:
    response = api.get(f"{ASSETS}/{CAPTURED_ID}")
    assert response.status_code == 200
    assert response.content == CAPTURED.read_bytes()


@pytest.mark.skipif(not SHARED_CAPTURE.exists(), reason="shared/ fixtures not beside the repo")
def test_packaged_capture_is_the_shared_fixture() -> None:
    assert CAPTURED.read_bytes() == SHARED_CAPTURE.read_bytes()


def test_captured_asset_patched_with_its_own_values_stays_byte_identical(api: Api) -> None:
    record = get_asset(api, CAPTURED_ID)
    same = {"records": [{"date.published": record["date.published"]}]}
    assert patch(api, CAPTURED_ID, same).status_code == 200
    assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()


# -- no PUT, no DELETE; the other routes of the OpenAPI file -----------------------------


@pytest.mark.parametrize("method, path", [("PUT", f"{ASSETS}/{CAPTURED_ID}"),
                                          ("DELETE", f"{ASSETS}/{CAPTURED_ID}"),
                                          ("PUT", ASSETS), ("DELETE", ASSETS),
                                          ("PATCH", f"{ASSETS}/{CAPTURED_ID}")])  # fmt: skip
def test_asset_methods_the_api_lacks_are_refused(api: Api, method: str, path: str) -> None:
    response = api.request(method, path, json_body={"records": [{"title": "x"}]})
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "METHOD_NOT_ALLOWED"
    assert "op=patch" in error["errorMessage"]
    assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()


def test_asset_put_option_turns_on_a_swap_all_put_for_experiments() -> None:
    with start_sandbox(asset_put=True) as server:
        api = Api(server.base_url)
        record = get_asset(api, CAPTURED_ID)
        put = api.put(f"{ASSETS}/{CAPTURED_ID}", {"records": [record]})
        assert put.status_code == 200
        assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()
        bad = api.put(f"{ASSETS}/{CAPTURED_ID}", {**record, "license": "WTFPL"})
        assert bad.status_code == 400 and "license" in error_of(bad)["errorMessage"]
        body = {"title": "Only a title", "license": "CC0_V1.0", "licenseWithDesc": {"desc": "?"}}
        stored = api.put(f"{ASSETS}/{CAPTURED_ID}", body).json()["records"][0]
        assert stored == {
            "title": "Only a title",
            "license": "CC0_V1.0",
            "licenseWithDesc": {"value": "CC0_V1.0", "desc": "CC0 V1.0"},
            "originalRepository": {"assetId": CAPTURED_ID},
        }  # swap-all: the creators the body left out are gone
        assert api.request("DELETE", f"{ASSETS}/{CAPTURED_ID}").status_code == 400


def test_asset_creation_is_not_supported_by_the_sandbox(api: Api, ro_api: Api) -> None:
    response = api.request("POST", ASSETS, json_body={"records": [{"title": "New"}]})
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "NOT_SUPPORTED_BY_SANDBOX" and "sandbox" in error["errorMessage"]
    refused = ro_api.request("POST", ASSETS, json_body={"records": [{"title": "New"}]})
    assert error_of(refused)["errorCode"] == "UNAUTHORIZED"
    assert len(all_assets(api)) == 61


def test_assets_test_checks_the_key_and_post_checks_write_permission(api: Api, ro_api: Api) -> None:
    before = all_assets(api)
    assert ro_api.get(f"{ASSETS}/test").status_code == 200
    assert api.get(f"{ASSETS}/test").status_code == 200
    refused = ro_api.request("POST", f"{ASSETS}/test")
    assert refused.status_code == 400 and error_of(refused)["errorCode"] == "UNAUTHORIZED"
    assert api.request("POST", f"{ASSETS}/test").status_code == 200
    assert api.get(f"{ASSETS}/test", key="nope").status_code == 401
    assert all_assets(api) == before  # nothing changed


# -- GET /assets: a filter is required ---------------------------------------------------


@pytest.mark.parametrize("query", ["", "limit=5", "q=ALL~x", "doi=", "format=json"])
def test_asset_list_without_a_filter_is_401711(api: Api, query: str) -> None:
    response = api.get(f"{ASSETS}?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "401711"
    assert error["errorMessage"].startswith("General Error")
    assert "user_primary_id" in error["errorMessage"]


@pytest.mark.parametrize(
    "query",
    [
        "doi=10.1016/j.hybadv.2024.100277",
        "user_primary_id=amirshomzy",
        "update_date_from=2000-01-01",
        "update_date_to=2099-12-31",
        "embargo_expiry_date_from=2000-01-01",
        "embargo_expiry_date_to=2099-12-31",
        "open_access=yes",
        "org_code=UNIV",
    ],
)
def test_any_one_filter_is_enough(api: Api, query: str) -> None:
    response = api.get(f"{ASSETS}?{query}")
    assert response.status_code == 200, response.text
    assert response.json()["totalRecordCount"] >= 1


def test_doi_filter_ignores_case_and_takes_a_comma_list(api: Api) -> None:
    with_doi = [r for r in all_assets(api) if r.get("identifier.doi")][:2]
    first, second = (r["identifier.doi"] for r in with_doi)
    page = api.get(ASSETS, params={"doi": first.upper()}).json()
    assert ids_of(page) == [asset_id(with_doi[0])]
    both = api.get(ASSETS, params={"doi": f"{first}, {second}"}).json()
    assert sorted(ids_of(both)) == sorted(asset_id(r) for r in with_doi)
    assert api.get(ASSETS, params={"doi": "10.9999/none"}).json() == {"totalRecordCount": 0}


def _people_ids(record: dict[str, Any], key: str) -> set[str]:
    people = [*(record.get("creators") or []), *(record.get("contributors") or [])]
    return {str(person[key]) for person in people if person.get(key)}


def test_user_primary_id_filter_finds_every_asset_crediting_the_researcher(api: Api) -> None:
    everything = all_assets(api)
    primary_id = api.researcher_ids(1)[0]
    credited = [r for r in everything if primary_id in _people_ids(r, "almaUserId")]
    page = api.get(ASSETS, params={"user_primary_id": primary_id, "limit": 100}).json()
    assert ids_of(page) == [asset_id(r) for r in credited]
    # the captured asset names its creator by `user.primaryId`, the dictionary's field
    assert ids_of(api.get(f"{ASSETS}?user_primary_id=amirshomzy").json()) == [CAPTURED_ID]


def test_update_date_filters_bound_the_last_write_both_ways(api: Api) -> None:
    assert api.get(f"{ASSETS}?update_date_from=2030-01-01").json() == {"totalRecordCount": 0}
    early = api.get(f"{ASSETS}?update_date_to=2022-12-31&limit=100").json()
    late = api.get(f"{ASSETS}?update_date_from=2023-01-01&limit=100").json()
    assert early["totalRecordCount"] + late["totalRecordCount"] == 61
    record_id = a_seeded_id(api)
    patch(api, record_id, {"records": [{"grants.note": "touched"}]})
    recent = api.get(f"{ASSETS}?update_date_from={today()}").json()
    assert ids_of(recent) == [record_id]
    window = api.get(f"{ASSETS}?update_date_from={today()}&update_date_to={today()}").json()
    assert ids_of(window) == [record_id]


def test_embargo_expiry_filters_look_at_the_files(api: Api) -> None:
    # the captured asset's one embargoed file: "file.embargo_expiry_date": "20260911"
    inside = "embargo_expiry_date_from=2026-09-11&embargo_expiry_date_to=2026-09-11"
    assert CAPTURED_ID in ids_of(api.get(f"{ASSETS}?{inside}&limit=100").json())
    after = api.get(f"{ASSETS}?embargo_expiry_date_from=2026-09-12&limit=100").json()
    before = api.get(f"{ASSETS}?embargo_expiry_date_to=2026-09-10&limit=100").json()
    assert CAPTURED_ID not in ids_of(after) + ids_of(before)


@pytest.mark.parametrize("value", ["yes", "no", "YES"])
def test_open_access_filter_reads_openaccess(api: Api, value: str) -> None:
    expected = [asset_id(r) for r in all_assets(api) if r.get("openaccess") == value.lower()]
    page = api.get(f"{ASSETS}?open_access={value}&limit=100").json()
    assert ids_of(page) == expected and expected


def test_org_code_filter_reads_affiliations(api: Api) -> None:
    units = api.get("/esploro/v1/organizations/internal").json()["research_organization"]
    code_by_name = {unit["organization_name"]: unit["organization_code"] for unit in units}

    def codes(record: dict[str, Any]) -> set[str]:
        people = [*(record.get("creators") or []), *(record.get("contributors") or [])]
        found = {a["value"] for p in people for a in p.get("affiliationWithDesc") or []}
        return found | {
            code_by_name.get(n.strip(), "") for n in record.get("asset.affiliation", [])
        }

    everything = all_assets(api)
    for code in ("FAC_ENG", "DEP_CS", "TR_INTEGRATION_INST___Phil1"):
        expected = [asset_id(r) for r in everything if code in codes(r)]
        assert ids_of(api.get(f"{ASSETS}?org_code={code}&limit=100").json()) == expected
    either = api.get(f"{ASSETS}?org_code=FAC_ENG,FAC_LAW&limit=100").json()
    expected = [asset_id(r) for r in everything if codes(r) & {"FAC_ENG", "FAC_LAW"}]
    assert ids_of(either) == expected


def test_filters_are_combined_with_and(api: Api) -> None:
    both = api.get(f"{ASSETS}?open_access=yes&org_code=TR_INTEGRATION_INST___Phil1").json()
    assert ids_of(both) == [CAPTURED_ID]
    none = api.get(f"{ASSETS}?open_access=no&org_code=TR_INTEGRATION_INST___Phil1").json()
    assert none == {"totalRecordCount": 0}


@pytest.mark.parametrize(
    "query",
    [
        "update_date_from=yesterday",
        "update_date_from=20250101",
        "update_date_to=2025-13-01",
        "embargo_expiry_date_from=2025-1-1",
        "embargo_expiry_date_to=2025-02-30",
    ],
)
def test_a_malformed_date_is_402711(api: Api, query: str) -> None:
    response = api.get(f"{ASSETS}?{query}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "402711" and "YYYY-MM-DD" in error["errorMessage"]


@pytest.mark.parametrize(
    "query",
    ["open_access=yes,no", "user_primary_id=a,b", "doi=a&doi=b", "open_access=yes&open_access=no"],
)
def test_values_that_cannot_be_used_together_are_402713(api: Api, query: str) -> None:
    response = api.get(f"{ASSETS}?{query}")
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "402713"


def test_an_open_access_value_other_than_yes_or_no_is_refused(api: Api) -> None:
    response = api.get(f"{ASSETS}?open_access=unknown")
    assert response.status_code == 400 and error_of(response)["errorCode"] == "401711"


def test_list_limit_defaults_to_10_allows_0_to_100_and_pages_cover_all_once(api: Api) -> None:
    assert len(api.get(f"{ASSETS}?{EVERYTHING}").json()["records"]) == 10
    assert api.get(f"{ASSETS}?{EVERYTHING}&limit=0").json() == {"totalRecordCount": 61}
    assert len(api.get(f"{ASSETS}?{EVERYTHING}&limit=100").json()["records"]) == 61
    seen: list[str] = []
    for offset in range(0, 61, 25):
        seen += ids_of(api.get(f"{ASSETS}?{EVERYTHING}&limit=25&offset={offset}").json())
    assert len(seen) == len(set(seen)) == 61
    for bad in ("limit=101", "limit=-1", "limit=ten", "offset=-5", "offset=1.5"):
        response = api.get(f"{ASSETS}?{EVERYTHING}&{bad}")
        assert response.status_code == 400 and error_of(response)["errorCode"] == "401711", bad


# -- GET /assets/{ids} -------------------------------------------------------------------


def test_batch_get_answers_in_the_reverse_of_the_order_asked_paged_by_limit(api: Api) -> None:
    ids = ids_of(api.get(f"{ASSETS}?{EVERYTHING}&limit=30").json())
    wanted = [*ids, CAPTURED_ID]
    path = f"{ASSETS}/{','.join(wanted)}"
    default = api.get(path).json()
    assert default["totalRecordCount"] == 31
    assert ids_of(default) == wanted[::-1][:10]  # limit defaults to 10, whatever the IDs
    assert ids_of(api.get(f"{path}?limit=100").json()) == wanted[::-1]
    assert ids_of(api.get(f"{path}?limit=3&offset=5").json()) == wanted[::-1][5:8]
    assert api.get(f"{path}?limit=0").json() == {"totalRecordCount": 31}
    assert api.get(f"{path}?limit=101").status_code == 400


def test_batch_get_with_some_unknown_ids_answers_the_known_ones(api: Api) -> None:
    known = a_seeded_id(api)
    page = api.get(f"{ASSETS}/990000000000561,{known},{CAPTURED_ID}").json()
    assert page["totalRecordCount"] == 2
    assert ids_of(page) == [CAPTURED_ID, known]


def test_batch_get_of_unknown_ids_only_is_not_found(api: Api) -> None:
    response = api.get(f"{ASSETS}/990000000000561,990000000001561")
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "ASSET_NOT_FOUND"


@pytest.mark.parametrize("ids", ["abc", f"{CAPTURED_ID},x1", "99 1", "-1"])
def test_a_non_numeric_id_is_401714(api: Api, ids: str) -> None:
    response = api.get(f"{ASSETS}/{ids}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "401714" and "not numeric" in error["errorMessage"]


@pytest.mark.parametrize(
    "ids",
    [f"{CAPTURED_ID},", f",{CAPTURED_ID}", "1,,2", ",".join(str(10**15 + n) for n in range(101))],
)
def test_a_bad_id_list_is_402712(api: Api, ids: str) -> None:
    response = api.get(f"{ASSETS}/{ids}")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "402712" and "list is not valid" in error["errorMessage"]


# -- op=patch: the three body shapes -----------------------------------------------------


def test_patch_from_xml_as_the_knowledge_center_writes_it(api: Api) -> None:
    record_id = a_seeded_id(api)
    before = get_asset(api, record_id)
    body = (
        "<identifier.doi>10.20/30456</identifier.doi><identifier.wos>WOS:1</identifier.wos>"
        f"<date.published>20241110</date.published><date.created>{RANGE}</date.created>"
        "<grants.note>Grants &amp; milestones</grants.note>"
        "<links><link><link.url>https://example.org/a</link.url><link.type>published</link.type>"
        "<link.supplemental>true</link.supplemental><link.order>7</link.order></link></links>"
        "<fundingreferenceList><fundingreference><fundername>NIH</fundername>"
        "<awardnumber>3U01</awardnumber></fundingreference></fundingreferenceList>"
    )
    response = patch(api, record_id, body)
    assert response.status_code == 200, response.text
    after = get_asset(api, record_id)
    assert response.json() == {"totalRecordCount": 1, "records": [after]}
    assert after["identifier.doi"] == "10.20/30456" and after["identifier.wos"] == "WOS:1"
    assert after["date.published"] == "20241110"
    assert after["date.created"] == RANGE
    assert after["grants.note"] == "Grants & milestones"
    (link,) = after["links"]
    assert link["link.url"] == "https://example.org/a" and link["link.order"] == 7
    assert link["link.supplemental"] is True and link["link.display_in_viewer"] is False
    assert link["linkTypeWithDesc"] == {
        "value": "published",
        "desc": "Published (Version of record)",
    }
    assert after["fundingreferenceList"] == [{"fundername": "NIH", "awardnumber": "3U01"}]
    changed = {"identifier.doi", "identifier.wos", "date.published", "date.created"}
    changed |= {"grants.note", "links", "fundingreferenceList"}
    assert {k: v for k, v in after.items() if k not in changed} == {
        k: v for k, v in before.items() if k not in changed
    }


def test_patch_from_flat_json_with_dotted_keys(api: Api) -> None:
    record_id = a_seeded_id(api)
    body = {
        "records": [
            {
                "date.accepted": "20200125",
                "grants.note": "note",
                "links": [{"link.url": "https://example.org/b", "link.type": "accepted"}],
            }
        ]
    }
    assert patch(api, record_id, body).status_code == 200
    after = get_asset(api, record_id)
    assert after["date.accepted"] == "20200125" and after["grants.note"] == "note"
    assert [link["link.url"] for link in after["links"]] == ["https://example.org/b"]


def test_patch_from_the_knowledge_centers_nested_json(api: Api) -> None:
    record_id = a_seeded_id(api)
    body = {
        "record": {
            "date": {"published": "2025", "submitted": "20190302"},
            "grants": {"note": "nested"},
            "links": [{"url": "www.google.com", "type": "pdf", "display_in_viewer": True}],
            "fundingreferenceList": [{"fundername": "UV", "awardnumber": "X1", "grantURL": ""}],
        }
    }
    assert patch(api, record_id, body).status_code == 200
    after = get_asset(api, record_id)
    assert after["date.published"] == "2025" and after["date.submitted"] == "20190302"
    assert after["grants.note"] == "nested"
    assert after["links"][0]["link.url"] == "www.google.com"
    assert after["links"][0]["link.display_in_viewer"] is True
    assert after["fundingreferenceList"][0]["awardnumber"] == "X1"


@pytest.mark.parametrize(
    "body",
    [
        {"records": [{"identifier.doi": "10.9/json", "identifier.pmid": "1"}]},
        {"record": {"identifier": {"doi": "10.9/json", "pmid": "1"}}},
    ],
    ids=["flat", "nested"],
)
def test_identifiers_in_json_are_ignored_unless_accepted(body: dict[str, Any]) -> None:
    with start_sandbox() as server:
        api = Api(server.base_url)
        before = api.get(f"{ASSETS}/{CAPTURED_ID}").content
        response = patch(api, CAPTURED_ID, body)
        assert response.status_code == 200  # answered as a success, and nothing written
        assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == before
        xml = patch(api, CAPTURED_ID, "<identifier.doi>10.9/xml</identifier.doi>")
        assert xml.json()["records"][0]["identifier.doi"] == "10.9/xml"
    with start_sandbox(json_identifiers="accept") as server:
        api = Api(server.base_url)
        stored = patch(api, CAPTURED_ID, body).json()["records"][0]
        assert stored["identifier.doi"] == "10.9/json" and stored["identifier.pmid"] == "1"


def test_patch_answers_with_a_records_object_holding_the_updated_record(api: Api) -> None:
    response = patch(api, CAPTURED_ID, {"records": [{"date.published": "2030"}]})
    assert response.headers["Content-Type"].startswith("application/json")
    assert response.json() == api.get(f"{ASSETS}/{CAPTURED_ID}").json()
    assert response.json()["records"][0]["date.published"] == "2030"


# -- op=patch: add and replace -----------------------------------------------------------


def test_add_fills_only_empty_simple_fields_and_appends_to_lists(api: Api) -> None:
    before = get_asset(api, CAPTURED_ID)
    link = {"link.url": "https://example.org/x", "link.type": "published"}
    grant = {"fundername": "NIH", "awardnumber": "1"}
    body = {
        "records": [
            {
                "date.published": "1999",  # filled: stays
                "date.copyright": "2001",  # empty: set
                "links": [link],
                "fundingreferenceList": [grant],
            }
        ]
    }
    after = patch(api, CAPTURED_ID, body, "op=patch&action=add").json()["records"][0]
    assert after["date.published"] == before["date.published"]
    assert after["date.copyright"] == "2001"
    assert after["links"][:-1] == before["links"]
    assert after["links"][-1]["link.url"] == link["link.url"]
    assert after["links"][-1]["link.order"] == max(k["link.order"] for k in before["links"]) + 1
    assert after["fundingreferenceList"] == [*before["fundingreferenceList"], grant]
    keys = list(after)  # a new date sits with the other dates, not at the end
    assert keys.index("date.copyright") == keys.index("date.accepted") + 1


def test_replace_overwrites_simple_fields_swaps_lists_and_ignores_an_empty_value(
    api: Api,
) -> None:
    """Whether an empty value clears a field no evidence says: the stricter guess is that it
    does not, so a client never counts on clearing through op=patch."""
    before = get_asset(api, CAPTURED_ID)
    grant = {"fundername": "NIH", "awardnumber": "2"}
    body = {"records": [{"date.published": "1999", "fundingreferenceList": [grant],
                         "grants.note": "", "links": []}]}  # fmt: skip
    after = patch(api, CAPTURED_ID, body).json()["records"][0]
    assert after["date.published"] == "1999"
    assert after["fundingreferenceList"] == [grant]
    assert "links" not in after  # a list is swapped whole, for an empty one too
    assert after["grants.note"] == before["grants.note"]


def test_patch_empty_clear_makes_an_empty_value_clear_the_field() -> None:
    with start_sandbox(patch_empty="clear") as server:
        api = Api(server.base_url)
        body = {"records": [{"grants.note": ""}]}
        after = patch(api, CAPTURED_ID, body).json()["records"][0]
    assert "grants.note" not in after


def test_action_defaults_to_add_and_op_to_patch(api: Api) -> None:
    before = get_asset(api, CAPTURED_ID)
    body = {"records": [{"date.published": "1999", "grants.note": "ignored, filled"}]}
    after = patch(api, CAPTURED_ID, body, query="").json()["records"][0]
    assert after["date.published"] == before["date.published"]  # add: only if empty
    assert after["grants.note"] == before["grants.note"]


def test_local_fields_patch_note_by_note(api: Api) -> None:
    before = get_asset(api, CAPTURED_ID)["local.fields"]
    body = "<local.fields><local.note1>new 1</local.note1><local.note6>new 6</local.note6>" + (
        "</local.fields>"
    )
    added = patch(api, CAPTURED_ID, body, "op=patch&action=add").json()["records"][0]
    assert added["local.fields"] == {**before, "local.note6": "new 6"}  # note1 was filled
    replaced = patch(api, CAPTURED_ID, body).json()["records"][0]
    assert replaced["local.fields"] == {**before, "local.note1": "new 1", "local.note6": "new 6"}


def test_files_come_from_temporary_links_to_extract_in_json_only(api: Api) -> None:
    before = get_asset(api, CAPTURED_ID)["files"]
    extract = {"link.title": "sample mp4", "link.url": "https://example.org/v.mp4",
               "link.type": "accepted", "link.embargoend": "02/20/2030",
               "link.supplemental": "true"}  # fmt: skip
    body = {"records": [{"temporary": {"linksToExtract": [extract]}}]}
    after = patch(api, CAPTURED_ID, body, "op=patch&action=add").json()["records"][0]
    assert after["files"][:-1] == before
    new = after["files"][-1]
    assert new["file.name"] == "sample mp4" and new["file.type"] == "accepted"
    assert new["file.embargo_expiry_date"] == "20300220" and new["file.supplemental"] == "yes"
    assert CAPTURED_ID in ids_of(api.get(f"{ASSETS}?embargo_expiry_date_from=2030-02-20").json())
    xml = "<temporary><linksToExtract>x</linksToExtract></temporary>"
    refused = patch(api, CAPTURED_ID, xml)
    assert refused.status_code == 400 and "temporary" in error_of(refused)["errorMessage"]


# -- op=patch: refusals ------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, field",
    [
        ({"records": [{"title": "New"}]}, "title"),
        ({"records": [{"identifier.foo": "1"}]}, "identifier.foo"),
        ({"records": [{"licenseWithDesc": {"value": "INC"}}]}, "licenseWithDesc"),
        ({"records": [{"links": [{"link.url": "u", "link.colour": "red"}]}]}, "link.colour"),
        ({"records": [{"local.fields": {"local.note51": "x"}}]}, "local.note51"),
        ({"record": {"title": "New"}}, "title"),
        ("<title>New</title>", "title"),
        ("<date.published>2020</date.published><creators>x</creators>", "creators"),
    ],
)
def test_a_field_patch_cannot_write_is_refused_naming_it(api: Api, body: Any, field: str) -> None:
    response = patch(api, CAPTURED_ID, body)
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "FIELD_NOT_PATCHABLE" and field in error["errorMessage"]
    assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()


@pytest.mark.parametrize(
    "data, content_type",
    [
        (b"{not json", "application/json"),
        (b'{"records": []}', "application/json"),
        (b'{"records": [{}, {}]}', "application/json"),
        (b'{"records": [{}], "record": {}}', "application/json"),
        (b'{"records": [{"date.published": 2020}]}', "application/json"),
        (b'{"records": [{"links": [{"link.type": "pdf"}]}]}', "application/json"),
        (b"<records><record/></records>", "application/xml"),
        (
            ENVELOPE.format("").replace("<record></record>", "<record/><record/>").encode(),
            "text/xml",
        ),
        (b"<ns3:records xmlns:ns3='http://rest_esploro'><record>", "application/xml"),
        (ENVELOPE.format("<date.published>1</date.published>").encode(), "text/plain"),
    ],
)
def test_a_malformed_patch_body_is_refused_and_changes_nothing(
    api: Api, data: bytes, content_type: str
) -> None:
    url = f"{ASSETS}/{CAPTURED_ID}?op=patch&action=replace"
    response = api.request("POST", url, data=data, headers={"Content-Type": content_type})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_BODY"
    assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()


def test_an_xml_entity_bomb_is_refused_unexpanded(api: Api) -> None:
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa">'
        '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<ns3:records xmlns:ns3="http://rest_esploro"><record>'
        "<grants.note>&b;</grants.note></record></ns3:records>"
    )
    url = f"{ASSETS}/{CAPTURED_ID}?op=patch&action=replace"
    response = api.request("POST", url, data=bomb.encode(), headers=XML)
    assert response.status_code == 400 and error_of(response)["errorCode"] == "INVALID_BODY"
    assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()


@pytest.mark.parametrize("query", ["op=put&action=add", "op=patch&action=merge", "action="])
def test_an_unknown_op_or_action_is_refused(api: Api, query: str) -> None:
    response = patch(api, CAPTURED_ID, {"records": [{"date.published": "1"}]}, query)
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_PARAMETER"


def test_patch_of_an_unknown_asset_is_not_found(api: Api) -> None:
    response = patch(api, "990000000000561", {"records": [{"date.published": "1"}]})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "ASSET_NOT_FOUND"


# -- view and download counters ----------------------------------------------------------


def _view(base_url: str, record_id: str, query: str = "") -> requests.Response:
    return requests.post(f"{base_url}/_sandbox/assets/{record_id}/view{query}", timeout=5)


def test_a_view_bumps_asset_views_and_a_download_asset_downloads_too(api: Api) -> None:
    record_id = a_seeded_id(api)
    before = get_asset(api, record_id)
    views, downloads = before.get("asset.views", 0), before.get("asset.downloads", 0)
    assert _view(api.base_url, record_id).json() == {
        "asset.views": views + 1,
        "asset.downloads": before.get("asset.downloads"),
    }
    counters = _view(api.base_url, record_id, "?download=1").json()
    assert counters == {"asset.views": views + 2, "asset.downloads": downloads + 1}
    after = get_asset(api, record_id)
    assert {k: v for k, v in after.items() if not k.startswith("asset.")} == {
        k: v for k, v in before.items() if not k.startswith("asset.")
    }
    assert api.get(f"{ASSETS}?update_date_from={today()}").json() == {"totalRecordCount": 0}
    assert api.stats()["total"] == 4  # the GETs above; views are not API requests


def test_a_view_creates_the_counters_when_absent(api: Api) -> None:
    record_id = a_seeded_id(api)
    requests.patch(
        f"{api.base_url}/_sandbox/assets/{record_id}",
        json={"asset.views": None, "asset.downloads": None},
        timeout=5,
    )
    assert _view(api.base_url, record_id, "?download=1").json() == {
        "asset.views": 1,
        "asset.downloads": 1,
    }


def test_a_view_never_touches_the_captured_asset_and_needs_a_real_one(api: Api) -> None:
    refused = _view(api.base_url, CAPTURED_ID)
    assert refused.status_code == 409 and error_of(refused)["errorCode"] == "VERBATIM_RECORD"
    assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()
    assert _view(api.base_url, "990000000000561").status_code == 404


def test_views_need_no_key_and_are_never_rate_limited() -> None:
    with start_sandbox(rate_limit=1.0) as server:
        record_id = a_seeded_id(Api(server.base_url))
        assert all(_view(server.base_url, record_id).status_code == 200 for _ in range(20))


def test_views_per_second_bump_random_assets_but_never_the_captured_one() -> None:
    with start_sandbox(views_per_second=400.0) as server:
        api = Api(server.base_url)
        before = {asset_id(r): r.get("asset.views", 0) for r in all_assets(api)}
        time.sleep(0.5)
        after = {asset_id(r): r.get("asset.views", 0) for r in all_assets(api)}
        assert sum(after.values()) - sum(before.values()) >= 50
        assert sum(1 for k in after if after[k] != before[k]) >= 10
        assert api.get(f"{ASSETS}/{CAPTURED_ID}").content == CAPTURED.read_bytes()
    assert json.loads(CAPTURED.read_text(encoding="utf-8"))["records"][0].get("asset.views") is None
