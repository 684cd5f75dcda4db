"""The sandbox against the evidence itself: ../shared/evidence, read where it lies, never copied.

Every asset path and method of Ex Libris's OpenAPI file is routed and no other asset method is;
its query parameters, defaults and limits are honoured; its error codes and messages are the
sandbox's; every real error body in errors/ is one the sandbox produces (in the same shape) or
one the client parses; and the request bodies the Knowledge Center and the third party print
are accepted as they stand.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import requests

from sheetsync.esploro.errors import parse_error
from sheetsync.sandbox import Sandbox, errors
from sheetsync.sandbox.asset_filters import FILTERS
from sheetsync.sandbox.asset_patch import IDENTIFIER_FIELDS, check_changes
from tests.conftest import Api, start_sandbox

EVIDENCE = Path(__file__).parents[2].parent / "shared" / "evidence"
pytestmark = pytest.mark.skipif(
    not (EVIDENCE / "esploro-assets-openapi.json").is_file(),
    reason=f"no evidence folder at {EVIDENCE} (the shared/ folder beside the repository)",
)
CAPTURED_ID = "991291935000561"
CAPTURED_DOI = "10.1016/j.hybadv.2024.100277"
METHODS = ("GET", "POST", "PUT", "DELETE", "PATCH")
TRACKING_ID = re.compile(r"E0[12]-\d{10}-[A-Z0-9]{5}-AWAE\d{10}\Z")
XML_NS = "{http://com/exlibris/urm/general/xmlbeans}"


@pytest.fixture(scope="module")
def openapi() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        (EVIDENCE / "esploro-assets-openapi.json").read_text(encoding="utf-8")
    )
    return document


@pytest.fixture(scope="module")
def shared_sandbox() -> Any:
    """One sandbox for the read-only checks; tests that write start their own."""
    server = start_sandbox()
    yield server
    server.stop()


@pytest.fixture
def api(shared_sandbox: Sandbox) -> Api:
    return Api(shared_sandbox.base_url)


def concrete(path: str) -> str:
    """An OpenAPI path with its `{assetId:.+}` or `{assetIds}` filled by the captured asset."""
    return re.sub(r"\{[^}]+\}", CAPTURED_ID, path)


def methods_by_path(openapi: dict[str, Any]) -> dict[str, set[str]]:
    """Concrete path to the methods the file gives it (two templates share `/assets/{id}`)."""
    result: dict[str, set[str]] = {}
    for path, item in openapi["paths"].items():
        result.setdefault(concrete(path), set()).update(m.upper() for m in item)
    return result


def parameter(operation: dict[str, Any], name: str) -> dict[str, Any]:
    (found,) = [p for p in operation["parameters"] if p["name"] == name]
    return found


def error_codes(response: requests.Response) -> list[str]:
    if response.status_code < 400:
        return []
    return [e["errorCode"] for e in response.json()["errorList"]["error"]]


# -- routes ------------------------------------------------------------------------------


def test_every_asset_path_and_method_in_the_openapi_file_is_routed(
    openapi: dict[str, Any],
) -> None:
    with start_sandbox() as server:  # writes happen here: a sandbox of its own
        api = Api(server.base_url)
        for path, item in openapi["paths"].items():
            for method in item:
                url = concrete(path)
                if method == "get" and path == "/esploro/v1/assets":
                    url += f"?doi={CAPTURED_DOI}"
                body = {"records": [{"date.published": "2024"}]} if method == "post" else None
                response = api.request(method.upper(), url, json_body=body)
                assert response.status_code not in (404, 405), (method, path, response.text)
                routed_out = {"METHOD_NOT_ALLOWED", "NOT_FOUND"}
                assert not routed_out & set(error_codes(response)), (method, path)


def test_no_asset_method_the_openapi_file_lacks_is_served(
    openapi: dict[str, Any], api: Api
) -> None:
    for url, allowed in methods_by_path(openapi).items():
        for method in set(METHODS) - allowed:
            response = api.request(method, url, json_body={"records": [{"title": "x"}]})
            assert response.status_code in (400, 405), (method, url)
            assert error_codes(response) == ["METHOD_NOT_ALLOWED"], (method, url)
    assert api.get(f"/esploro/v1/assets/{CAPTURED_ID}").json()["records"][0]["title"] != "x"


# -- query parameters, defaults and limits -----------------------------------------------


def test_the_list_filters_are_the_descriptions_and_any_one_is_enough(
    openapi: dict[str, Any], api: Api
) -> None:
    operation = openapi["paths"]["/esploro/v1/assets"]["get"]
    listed = tuple(re.findall(r"^\s*- (\w+)\s*$", operation["description"], re.MULTILINE))
    assert listed == FILTERS
    documented = {p["name"] for p in operation["parameters"]} - {"format", "limit", "offset"}
    assert documented == set(FILTERS)
    samples = {"doi": CAPTURED_DOI, "user_primary_id": "amirshomzy", "open_access": "yes",
               "org_code": "UNIV", "update_date_from": "2000-01-01",
               "update_date_to": "2099-12-31", "embargo_expiry_date_from": "2000-01-01",
               "embargo_expiry_date_to": "2099-12-31"}  # fmt: skip
    for name in FILTERS:
        response = api.get("/esploro/v1/assets", params={name: samples[name]})
        assert response.status_code == 200, (name, response.text)
    assert error_codes(api.get("/esploro/v1/assets")) == ["401711"]  # "at least one of"


@pytest.mark.parametrize("path", ["/esploro/v1/assets", "/esploro/v1/assets/{assetIds}"])
def test_limit_and_offset_follow_the_file(openapi: dict[str, Any], api: Api, path: str) -> None:
    operation = openapi["paths"][path]["get"]
    limit = parameter(operation, "limit")
    default = int(limit["schema"]["default"])
    low, high = map(int, re.findall(r"Valid values are (\d+)-(\d+)", limit["description"])[0])
    assert int(parameter(operation, "offset")["schema"]["default"]) == 0
    assert (default, low, high) == (10, 0, 100)
    if path.endswith("{assetIds}"):
        page = api.get("/esploro/v1/assets?update_date_from=1900-01-01&limit=40").json()
        ids = [record["originalRepository"]["assetId"] for record in page["records"]]
        url = f"/esploro/v1/assets/{','.join(ids)}"
    else:
        url = "/esploro/v1/assets?update_date_from=1900-01-01"
    join = "&" if "?" in url else "?"
    assert len(api.get(url).json()["records"]) == default
    assert api.get(url).json() == api.get(f"{url}{join}offset=0").json()
    assert "records" not in api.get(f"{url}{join}limit={low}").json()
    assert api.get(f"{url}{join}limit={high}").status_code == 200
    assert error_codes(api.get(f"{url}{join}limit={high + 1}")) == ["401711"]
    second = api.get(f"{url}{join}limit=5&offset=5").json()["records"]
    assert second == api.get(f"{url}{join}limit=10").json()["records"][5:]


def test_patch_op_and_action_defaults_follow_the_file(openapi: dict[str, Any]) -> None:
    operation = openapi["paths"]["/esploro/v1/assets/{assetId:.+}"]["post"]
    assert parameter(operation, "op")["schema"]["default"] == "patch"
    assert parameter(operation, "action")["schema"]["default"] == "add"
    with start_sandbox() as server:
        api = Api(server.base_url)
        body = {"records": [{"date.published": "1999", "date.copyright": "2001"}]}
        url = f"/esploro/v1/assets/{CAPTURED_ID}"
        record = api.request("POST", url, json_body=body).json()["records"][0]
        assert record["date.published"] == "202412"  # add: a filled field stays
        assert record["date.copyright"] == "2001"  # add: an empty one is filled


def test_the_fields_the_file_names_as_patchable_are(openapi: dict[str, Any]) -> None:
    description = openapi["paths"]["/esploro/v1/assets/{assetId:.+}"]["post"]["description"]
    named = re.findall(r"e\.g\. ([\w.]+)\)|(fundingreferenceList|grants\.note|links)", description)
    fields = {a or b for a, b in named}
    assert fields == {"date.published", "identifier.doi", "fundingreferenceList", "grants.note",
                      "links"}  # fmt: skip
    check_changes(
        {
            "date.published": "2024",
            "identifier.doi": "10.1/x",
            "grants.note": "n",
            "fundingreferenceList": [{"fundername": "F"}],
            "links": [{"link.url": "https://example.org"}],
        },
        from_xml=True,
    )


# -- error codes and bodies --------------------------------------------------------------

TRIGGERS = {
    "401711": "/esploro/v1/assets",
    "402711": "/esploro/v1/assets?update_date_from=2024-02-30",
    "402712": "/esploro/v1/assets/1,,2",
    "402713": "/esploro/v1/assets?open_access=yes,no",
    "401714": "/esploro/v1/assets/99a1",
}


def documented_codes(openapi: dict[str, Any]) -> dict[str, str]:
    """Every `NNNNNN - 'message'` in the file's responses, code to message."""
    codes: dict[str, str] = {}
    for item in openapi["paths"].values():
        for operation in item.values():
            for response in operation["responses"].values():
                text = response.get("description", "")
                codes.update(re.findall(r"(\d{6}) - '([^']+)'", text))
    return codes


def test_the_asset_error_codes_of_the_file_are_produced_with_their_messages(
    openapi: dict[str, Any], api: Api
) -> None:
    codes = documented_codes(openapi)
    assert set(codes) == set(TRIGGERS) == set(errors.ASSET_MESSAGES)
    for code, message in codes.items():
        assert errors.ASSET_MESSAGES[code] == message
        response = api.get(TRIGGERS[code])
        assert response.status_code == 400
        (error,) = response.json()["errorList"]["error"]
        assert error["errorCode"] == code and error["errorMessage"].startswith(message)


def _sandbox_answer(api: Api, code: str, as_xml: bool) -> requests.Response:
    """The sandbox's own answer carrying `code`, if it can produce one."""
    accept = "application/xml" if as_xml else "application/json"
    if code == "UNAUTHORIZED":
        return api.get("/esploro/v1/researchers", key="not-a-key", accept=accept)
    if code == "401861":
        return api.get("/esploro/v1/researchers/ogrouch", accept=accept)
    if code == "PER_SECOND_THRESHOLD":
        with start_sandbox(rate_limit=1.0) as server:
            limited = Api(server.base_url)
            answers = [limited.get("/esploro/v1/assets/test", accept=accept) for _ in range(5)]
        return next(r for r in answers if r.status_code == 429)
    raise LookupError(code)


def _shape(value: Any) -> Any:
    """A JSON document's structure: keys and types, not values."""
    if isinstance(value, dict):
        return {key: _shape(inner) for key, inner in value.items()}
    if isinstance(value, list):
        return [_shape(item) for item in value]
    return type(value).__name__


def _xml_tags(text: bytes) -> list[str]:
    return re.findall(rb"<(\w+)[ >]", text)  # type: ignore[return-value]


@pytest.mark.parametrize(
    "name", sorted(p.name for p in (EVIDENCE / "errors").glob("*")) if EVIDENCE.is_dir() else []
)
def test_every_real_error_body_is_produced_alike_or_parsed(api: Api, name: str) -> None:
    data = (EVIDENCE / "errors" / name).read_bytes()
    as_xml = name.endswith(".xml")
    detail = parse_error(400, "application/xml" if as_xml else "application/json", data)
    assert detail.error_code and detail.error_message  # the client reads it, whoever produced it
    try:
        answer = _sandbox_answer(api, detail.error_code, as_xml)
    except LookupError:
        return  # not a code the sandbox answers with (an Alma items error): parsed is enough
    if as_xml:
        assert _xml_tags(answer.content) == [t for t in _xml_tags(data) if t != b"xml"]
        assert answer.headers["Content-Type"].startswith("application/xml")
    else:
        real, ours = json.loads(data), answer.json()
        assert _shape(ours) == _shape(real)
        assert TRACKING_ID.match(ours["errorList"]["error"][0]["trackingId"])
        assert TRACKING_ID.match(real["errorList"]["error"][0]["trackingId"])
    ours_detail = parse_error(answer.status_code, answer.headers["Content-Type"], answer.content)
    assert ours_detail.error_code == detail.error_code


def test_every_sandbox_asset_error_has_the_real_bodies_shape(api: Api) -> None:
    real = json.loads((EVIDENCE / "errors" / "401861-user-not-found.json").read_bytes())
    for url in (*TRIGGERS.values(), "/esploro/v1/assets/990000000000561"):
        assert _shape(api.get(url).json()) == _shape(real), url


# -- the printed request bodies ----------------------------------------------------------


def _kc_xml() -> bytes:
    """The Knowledge Center's XML sample, without the PDF's page footers cut into it."""
    text = (EVIDENCE / "kc-update-asset-by-api.txt").read_text(encoding="utf-8")
    body = text[text.index("<?xml") : text.index("</ns3:records>") + len("</ns3:records>")]
    lines = [line for line in body.splitlines() if "Part of Clarivate" not in line]
    return "\n".join(lines).replace("\f", "").encode("utf-8")


def _third_party(heading: str, opening: str) -> str:
    """A consolidated body from the third party's Markdown, its backslash escapes undone."""
    text = (EVIDENCE / "asset-patch-bodies.third-party.md").read_text(encoding="utf-8")
    section = text[text.index(heading) :]
    return re.sub(r"\\([\[\]<>_\-!#*.()])", r"\1", section[section.index(opening) :])


def test_the_knowledge_centers_xml_sample_is_accepted_as_it_stands() -> None:
    body = _kc_xml()
    named = re.findall(r"<(identifier\.\w+)>", body.decode("utf-8"))
    assert tuple(named) == IDENTIFIER_FIELDS  # the sandbox's 28 are the article's 28
    with start_sandbox() as server:
        api = Api(server.base_url)
        before = api.get(f"/esploro/v1/assets/{CAPTURED_ID}").json()["records"][0]
        url = f"/esploro/v1/assets/{CAPTURED_ID}?op=patch&action=replace"
        headers = {"Content-Type": "application/xml"}
        response = api.request("POST", url, data=body, headers=headers)
        assert response.status_code == 200, response.text
        record = response.json()["records"][0]
    assert record["identifier.doi"] == "10.20/30456" and record["identifier.eisbn"] == "123345"
    # the sample's empty <identifier.uri/>: by the stricter guess an empty value clears nothing
    assert record.get("identifier.uri") == before.get("identifier.uri")
    assert record["date.created"] == "20220612\u201320220825"
    assert [link["link.url"] for link in record["links"]] == ["www.google.com"]
    assert len(record["fundingreferenceList"]) == 3


def test_the_third_partys_consolidated_bodies_are_accepted() -> None:
    xml = _third_party("Consolidated XML Structure", "<?xml")
    xml = xml[: xml.index("</ns3:records>") + len("</ns3:records>")]
    body = _third_party("Consolidated JSON Structure", "{").strip()
    with start_sandbox() as server:
        api = Api(server.base_url)
        url = f"/esploro/v1/assets/{CAPTURED_ID}?op=patch&action=add"
        headers = {"Content-Type": "application/xml"}
        from_xml = api.request("POST", url, data=xml.encode("utf-8"), headers=headers)
        assert from_xml.status_code == 200, from_xml.text
        files_before = len(from_xml.json()["records"][0]["files"])
        from_json = api.request("POST", url, json_body=json.loads(body))
        assert from_json.status_code == 200, from_json.text
        record = from_json.json()["records"][0]
    assert len(record["files"]) == files_before + 1  # temporary.linksToExtract: a file
    assert record["identifier.pqdt"] == "pq"  # from the XML: identifiers patch from XML
