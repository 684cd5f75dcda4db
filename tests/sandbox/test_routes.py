"""The Esploro resources the sandbox serves, driven over real loopback HTTP."""

from __future__ import annotations

import copy
import json

import pytest

from tests.conftest import Api, error_of

# -- researchers: list and paging --------------------------------------------------------


def test_researcher_list_pages_cover_every_record_once(api: Api) -> None:
    first = api.get("/esploro/v1/researchers?limit=15").json()
    total = first["total_record_count"]
    assert total == 40
    seen: list[str] = []
    for offset in range(0, total, 15):
        page = api.get(f"/esploro/v1/researchers?limit=15&offset={offset}").json()
        assert page["total_record_count"] == total
        seen += [user["primary_id"] for user in page["user"]]
    assert len(seen) == len(set(seen)) == total


def test_researcher_list_defaults_to_ten_and_clamps_limit_to_100(api: Api) -> None:
    assert len(api.get("/esploro/v1/researchers").json()["user"]) == 10
    # 40 seeded: ask for 500 per page and get them all, never more than 100
    assert len(api.get("/esploro/v1/researchers?limit=500").json()["user"]) == 40


def test_researcher_list_offset_past_the_end_is_an_empty_page(api: Api) -> None:
    response = api.get("/esploro/v1/researchers?limit=10&offset=40")
    assert response.status_code == 200
    assert response.json() == {"total_record_count": 40}
    assert api.get("/esploro/v1/researchers?offset=99999").json()["total_record_count"] == 40


@pytest.mark.parametrize("query", ["limit=-1", "offset=-5", "limit=ten", "offset=1.5"])
def test_bad_paging_parameters_are_refused(api: Api, query: str) -> None:
    response = api.get(f"/esploro/v1/researchers?{query}")
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_PARAMETER"


def test_researcher_brief_records_carry_a_link_to_the_full_record(api: Api) -> None:
    user = api.get("/esploro/v1/researchers?limit=1").json()["user"][0]
    assert set(user) >= {"primary_id", "first_name", "last_name", "link"}
    full = api.get(user["link"]).json()
    assert full["primary_id"] == user["primary_id"]
    assert "researcher" in full


# -- researchers: q ----------------------------------------------------------------------


def _a_researcher(api: Api) -> dict:
    return api.get(f"/esploro/v1/researchers/{api.researcher_ids(1)[0]}").json()


def test_q_finds_by_last_name_case_and_accent_insensitively(api: Api) -> None:
    record = _a_researcher(api)
    name = record["last_name"]
    for variant in (name, name.upper(), name.lower()):
        page = api.get("/esploro/v1/researchers", params={"q": f"last_name~{variant}"}).json()
        assert record["primary_id"] in [u["primary_id"] for u in page["user"]]


def test_q_and_requires_every_condition(api: Api) -> None:
    record = _a_researcher(api)
    both = f"last_name~{record['last_name']} AND primary_id~{record['primary_id']}"
    page = api.get("/esploro/v1/researchers", params={"q": both}).json()
    assert [u["primary_id"] for u in page["user"]] == [record["primary_id"]]
    none = f"last_name~{record['last_name']} AND primary_id~000"
    assert api.get("/esploro/v1/researchers", params={"q": none}).json() == {
        "total_record_count": 0
    }


def test_q_all_searches_keywords_too(api: Api) -> None:
    for primary_id in api.researcher_ids(40):
        record = api.get(f"/esploro/v1/researchers/{primary_id}").json()
        keywords = record["researcher"]["researcher_keyword"]
        if keywords:
            word = keywords[0]["value"].split()[-1].strip("=+-@")
            break
    page = api.get("/esploro/v1/researchers", params={"q": f"ALL~{word}"}).json()
    assert primary_id in [u["primary_id"] for u in page["user"]]


@pytest.mark.parametrize("q", ["nonsense", "shoe_size~42", "last_name~", "~smith"])
def test_malformed_q_is_a_clear_400(api: Api, q: str) -> None:
    response = api.get("/esploro/v1/researchers", params={"q": q})
    assert response.status_code == 400
    assert "q" in error_of(response)["errorMessage"]


# -- researchers: one record -------------------------------------------------------------


def test_get_unknown_researcher_is_401861(api: Api) -> None:
    response = api.get("/esploro/v1/researchers/123456789012345678?view=full")
    assert response.status_code == 400
    error = error_of(response)
    assert error["errorCode"] == "401861"
    assert "123456789012345678" in error["errorMessage"]


def test_put_of_the_record_as_fetched_changes_nothing(api: Api) -> None:
    record = _a_researcher(api)
    response = api.put(f"/esploro/v1/researchers/{record['primary_id']}", record)
    assert response.status_code == 200
    assert response.json() == record
    assert api.get(f"/esploro/v1/researchers/{record['primary_id']}").text == json.dumps(
        record, ensure_ascii=False, indent=2
    )


def test_put_is_swap_all_missing_fields_reset_to_defaults(api: Api) -> None:
    record = _a_researcher(api)
    primary_id = record["primary_id"]
    partial = {
        "primary_id": primary_id,
        "first_name": "Renée",
        "researcher": {"display_title": "Professor of Things"},
    }
    stored = api.put(f"/esploro/v1/researchers/{primary_id}", partial).json()
    after = api.get(f"/esploro/v1/researchers/{primary_id}").json()
    assert after == stored
    assert after["first_name"] == "Renée"
    assert after["last_name"] == ""  # a string field left out: reset to ""
    assert after["user_identifier"] == []  # a list left out: reset to []
    assert after["user_group"] == {"value": "", "desc": ""}  # a code left out: the empty code
    assert after["status"] == {"value": "ACTIVE", "desc": "Active"}  # the XSD's default
    assert after["is_researcher"] is False
    assert after["researcher"]["display_title"] == "Professor of Things"
    assert after["researcher"]["researcher_keyword"] == []
    assert after["researcher"]["position"] == {"value": "", "desc": ""}
    assert after["researcher"]["portal_profile"] == {"value": "true", "desc": "Yes"}
    assert after["contact_info"] == {"address": [], "email": [], "phone": []}
    assert list(after) == list(record)  # the schema order, whatever the body's order


def test_put_keeps_user_role_when_absent_and_replaces_it_when_sent(api: Api) -> None:
    record = _a_researcher(api)
    primary_id = record["primary_id"]
    assert record["user_role"]
    without_roles = {k: v for k, v in record.items() if k != "user_role"}
    kept = api.put(f"/esploro/v1/researchers/{primary_id}", without_roles).json()
    assert kept["user_role"] == record["user_role"]
    emptied = api.put(f"/esploro/v1/researchers/{primary_id}", {**record, "user_role": []}).json()
    assert emptied["user_role"] == []


def test_put_keeps_unmodelled_fields_and_the_url_id(api: Api) -> None:
    record = _a_researcher(api)
    body = {**record, "shoe_size": 42, "primary_id": "999"}
    stored = api.put(f"/esploro/v1/researchers/{record['primary_id']}", body).json()
    assert stored["shoe_size"] == 42 and list(stored)[-1] == "shoe_size"
    assert stored["primary_id"] == record["primary_id"]


def test_put_ignores_desc_and_recomputes_it_from_the_code_table(api: Api) -> None:
    record = _a_researcher(api)
    body = copy.deepcopy(record)
    body["researcher"]["position"] = {"value": "professor", "desc": "Grand Poobah"}
    body["user_group"] = {"value": "FACULTY"}
    stored = api.put(f"/esploro/v1/researchers/{record['primary_id']}", body).json()
    assert stored["researcher"]["position"] == {"value": "professor", "desc": "Professor"}
    assert stored["user_group"] == {"value": "FACULTY", "desc": "Faculty"}


def test_put_with_an_unknown_code_is_refused_naming_the_field(api: Api) -> None:
    record = _a_researcher(api)
    body = copy.deepcopy(record)
    body["researcher"]["position"] = {"value": "ARCHMAGE"}
    response = api.put(f"/esploro/v1/researchers/{record['primary_id']}", body)
    assert response.status_code == 400
    message = error_of(response)["errorMessage"]
    assert "researcher.position" in message and "ARCHMAGE" in message
    assert api.get(f"/esploro/v1/researchers/{record['primary_id']}").json() == record


def test_put_with_a_body_that_is_not_json_is_refused(api: Api) -> None:
    primary_id = api.researcher_ids(1)[0]
    response = api.request(
        "PUT",
        f"/esploro/v1/researchers/{primary_id}",
        data=b"{not json",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "INVALID_BODY"


def test_put_to_an_unknown_researcher_is_401861(api: Api) -> None:
    response = api.put("/esploro/v1/researchers/42", {"first_name": "X"})
    assert response.status_code == 400
    assert error_of(response)["errorCode"] == "401861"


def test_delete_researcher_removes_it(api: Api) -> None:
    primary_id = api.researcher_ids(1)[0]
    assert api.request("DELETE", f"/esploro/v1/researchers/{primary_id}").status_code == 204
    assert api.get(f"/esploro/v1/researchers/{primary_id}").status_code == 400
    assert api.get("/esploro/v1/researchers").json()["total_record_count"] == 39


# -- assets: tests/sandbox/test_assets.py ---------------------------------------------


# -- configuration -----------------------------------------------------------------------


def test_every_code_table_the_data_uses_is_served(api: Api) -> None:
    from sheetsync.sandbox.codetables import CODE_TABLES

    for name, table in CODE_TABLES.items():
        document = api.get(f"/esploro/v1/researchconf/code-tables/{name}").json()
        assert {row["code"]: row["description"] for row in document["row"]} == table
    missing = api.get("/esploro/v1/researchconf/code-tables/NoSuchTable")
    assert missing.status_code == 400


def test_organization_units_include_every_seeded_affiliation(api: Api) -> None:
    units = api.get("/esploro/v1/organizations/internal").json()["research_organization"]
    codes = {unit["organization_code"] for unit in units}
    for primary_id in api.researcher_ids(40):
        researcher = api.get(f"/esploro/v1/researchers/{primary_id}").json()["researcher"]
        for affiliation in researcher["researcher_organization_affiliation"]:
            assert affiliation["organization_code"] in codes


def test_unknown_paths_and_methods_get_error_bodies(api: Api) -> None:
    assert api.get("/esploro/v1/projects").status_code == 404
    assert error_of(api.get("/esploro/v1/assets/1/files"))["errorCode"] == "NOT_FOUND"
    assert api.request("PATCH", "/esploro/v1/researchers/1").status_code == 405
    assert error_of(api.get("/elsewhere"))["errorCode"] == "NOT_FOUND"
