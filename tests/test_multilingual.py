"""Multilingual institutions end to end over a `SandboxConfig(multilingual=True)` sandbox.

Where `esploro_researcher_load_multilingual_xsd_enabled` is on, Esploro keeps the display title
in `display_title_multilingual[]{language, value}` and keywords in
`researcher_keyword_multilingual[]{language, values[]}` instead of the plain fields (evidence
README). The built-in `researchers-multilingual` template edits those, one column per language;
the plain `researchers` template refuses to write a plain field whose multilingual twin is the
one in use, and the multilingual template refuses the reverse.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import sheetsync
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from tests.conftest import Api, start_sandbox
from tests.plans import edit

TITLE_EN, TITLE_FR = "Display title (English)", "Display title (French)"
KEYWORDS_EN = "Keywords (English)"


@pytest.fixture
def multilingual() -> Iterator[Sandbox]:
    sandbox = start_sandbox(researchers=30, assets=5, multilingual=True)
    yield sandbox
    sandbox.stop()


def _records(api: Api) -> list[dict[str, Any]]:
    return [api.get(f"/esploro/v1/researchers/{i}").json() for i in api.researcher_ids(100)]


def _loop(
    server: Sandbox, tmp_path: Path, template: str, changes: dict[tuple[str, str], Any]
) -> tuple[sheetsync.Plan, Any]:
    ids = sorted({record_id for record_id, _ in changes})
    with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY, rate=1000) as client:
        workbook = tmp_path / "people.xlsx"
        sheetsync.export(client, template, workbook, ids=ids)
        edit(workbook, changes)
        plan = sheetsync.plan(client, workbook)
        result = sheetsync.apply(
            client, plan, journal=tmp_path / "journal.jsonl", allow_clears=True
        )
    return plan, result


def test_the_option_seeds_multilingual_fields(multilingual: Sandbox) -> None:
    records = _records(Api(multilingual.base_url))
    profiles = [r["researcher"] for r in records]
    assert any(p.get("display_title_multilingual") for p in profiles)
    assert any(p.get("researcher_keyword_multilingual") for p in profiles)
    assert all(not p.get("display_title") and not p.get("researcher_keyword") for p in profiles)


def test_the_multilingual_template_edits_titles_and_keywords_per_language(
    multilingual: Sandbox, tmp_path: Path
) -> None:
    api = Api(multilingual.base_url)
    records = _records(api)
    titled = next(
        r for r in records
        if [t["language"] for t in r["researcher"]["display_title_multilingual"]] == ["eng"]
    )  # fmt: skip
    keyworded = next(
        r for r in records
        if r["researcher"]["researcher_keyword_multilingual"]
        and r["primary_id"] != titled["primary_id"]
    )  # fmt: skip
    untitled = next(
        r for r in records
        if not r["researcher"]["display_title_multilingual"]
        and r["primary_id"] not in (titled["primary_id"], keyworded["primary_id"])
    )  # fmt: skip
    a, b, c = titled["primary_id"], keyworded["primary_id"], untitled["primary_id"]
    plan, result = _loop(
        multilingual,
        tmp_path,
        "researchers-multilingual",
        {
            (a, TITLE_EN): "Professor of Coastal Geomorphology",
            (a, TITLE_FR): "Professeur de géomorphologie côtière",
            (b, KEYWORDS_EN): "Tides; Estuaries; Salt marshes",
            (c, TITLE_EN): "Lecturer in Hydrology",
        },
    )
    assert {r.record_id: str(r.status) for r in plan.records} == {
        a: "change", b: "change", c: "change"
    }  # fmt: skip
    assert result.ok and all(not r.warnings for r in result.results), result.results
    stored = {i: api.get(f"/esploro/v1/researchers/{i}").json()["researcher"] for i in (a, b, c)}
    assert stored[a]["display_title_multilingual"] == [
        {"language": "eng", "value": "Professor of Coastal Geomorphology"},
        {"language": "fre", "value": "Professeur de géomorphologie côtière"},
    ]
    groups = stored[b]["researcher_keyword_multilingual"]
    before = keyworded["researcher"]["researcher_keyword_multilingual"]
    assert groups[0] == {"language": "eng", "values": ["Tides", "Estuaries", "Salt marshes"]}
    assert groups[1:] == before[1:]  # other languages' groups are kept
    assert stored[c]["display_title_multilingual"] == [
        {"language": "eng", "value": "Lecturer in Hydrology"}
    ]
    for profile in stored.values():  # the plain fields stay unused
        assert profile["display_title"] == "" and profile["researcher_keyword"] == []


def test_clearing_a_language_removes_its_item(multilingual: Sandbox, tmp_path: Path) -> None:
    api = Api(multilingual.base_url)
    record = next(
        r for r in _records(api)
        if [g["language"] for g in r["researcher"]["researcher_keyword_multilingual"]]
        == ["eng", "und"]
    )  # fmt: skip
    record_id = record["primary_id"]
    _, result = _loop(multilingual, tmp_path, "researchers-multilingual", {
        (record_id, KEYWORDS_EN): None, (record_id, TITLE_EN): None,
    })  # fmt: skip
    assert result.ok
    profile = api.get(f"/esploro/v1/researchers/{record_id}").json()["researcher"]
    assert [g["language"] for g in profile["researcher_keyword_multilingual"]] == ["und"]
    assert all(t["language"] != "eng" for t in profile["display_title_multilingual"])


def test_the_plain_template_refuses_fields_whose_twin_is_in_use(
    multilingual: Sandbox, tmp_path: Path
) -> None:
    api = Api(multilingual.base_url)
    records = _records(api)
    titled = next(r for r in records if r["researcher"]["display_title_multilingual"])
    keyworded = next(
        r for r in records
        if r["researcher"]["researcher_keyword_multilingual"] and r is not titled
    )  # fmt: skip
    other = next(r for r in records if r is not titled and r is not keyworded)
    a, b, c = titled["primary_id"], keyworded["primary_id"], other["primary_id"]
    plan, result = _loop(
        multilingual,
        tmp_path,
        "researchers",
        {
            (a, "Display title"): "Professor of Things",
            (b, "Keywords"): "Tides; Estuaries",
            (c, "Suffix"): "III",
        },
    )
    planned = {r.record_id: r for r in plan.records}
    assert planned[a].status == "invalid" and planned[b].status == "invalid"
    (title_problem,) = planned[a].problems
    assert title_problem.startswith("Researchers!")
    assert f"(Display title), record {a}: this researcher keeps this value in " in title_problem
    assert "/researcher/display_title_multilingual instead" in title_problem
    (keyword_problem,) = planned[b].problems
    assert f"(Keywords), record {b}: " in keyword_problem
    assert "/researcher/researcher_keyword_multilingual" in keyword_problem
    # the rest of the plan goes ahead
    assert planned[c].status == "change"
    assert {r.record_id: str(r.status) for r in result.results}[c] == "updated"
    assert api.get(f"/esploro/v1/researchers/{a}").json() == titled


def test_the_multilingual_template_refuses_where_the_plain_field_is_in_use(
    tmp_path: Path,
) -> None:
    with start_sandbox(researchers=10, assets=5) as plain:
        api = Api(plain.base_url)
        record = next(r for r in _records(api) if r["researcher"]["display_title"])
        plan, _ = _loop(
            plain, tmp_path, "researchers-multilingual", {(record["primary_id"], TITLE_EN): "X"}
        )
        (planned,) = plan.records
        assert planned.status == "invalid"
        assert "keeps this value in /researcher/display_title instead" in planned.problems[0]
        assert api.get(f"/esploro/v1/researchers/{record['primary_id']}").json() == record
