"""A code column shown by its descriptions (`show = "description"`), end to end: the portal
profile reads Yes or No in the workbook, takes Yes/No/true/false in any case, and writes the
code Esploro stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook

import sheetsync
from sheetsync.planning.file import read_plan
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from tests.cli.runner import run
from tests.conftest import Api, start_sandbox
from tests.plans import edit


@pytest.fixture
def server() -> Iterator[Sandbox]:
    box = start_sandbox(researchers=12, assets=3)
    yield box
    box.stop()


def _cells(book: Path, header: str) -> dict[str, str]:
    sheet = load_workbook(book).worksheets[0]
    headers = [c.value for c in sheet[1]]
    return {
        str(r[0].value): str(r[headers.index(header)].value) for r in sheet.iter_rows(min_row=2)
    }


def test_the_portal_profile_shows_yes_or_no_and_writes_the_code(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(12)
    stored = {i: api.get(f"/esploro/v1/researchers/{i}").json() for i in ids}
    codes = {i: r["researcher"]["portal_profile"]["value"] for i, r in stored.items()}
    book = tmp_path / "people.xlsx"
    with sheetsync.connect(base_url=server.base_url, api_key=READ_WRITE_KEY) as client:
        sheetsync.export(client, "researchers", book)
        shown = _cells(book, "Portal profile")
        assert shown == {i: {"true": "Yes", "false": "No"}[codes[i]] for i in ids}
        unchanged = sheetsync.plan(client, book)  # a workbook as exported plans nothing
        assert unchanged.records == ()
        yes, no = (
            next(i for i in ids if codes[i] == "true"),
            next(i for i in ids if codes[i] == "false"),
        )
        edit(book, {(yes, "Portal profile"): "no", (no, "Portal profile"): "TRUE"})
        plan = sheetsync.plan(client, book)
        assert {r.record_id: r.status for r in plan.records} == {yes: "change", no: "change"}
        wrong = edit(book, {(yes, "Portal profile"): "Maybe"}, tmp_path / "wrong.xlsx")
        refused = sheetsync.plan(client, wrong)
        (invalid,) = [r for r in refused.records if r.status == "invalid"]
        assert invalid.record_id == yes and "Maybe" in " ".join(invalid.problems)
        result = sheetsync.apply(client, plan, journal=tmp_path / "j.jsonl")
    assert result.ok
    after = {i: api.get(f"/esploro/v1/researchers/{i}").json()["researcher"] for i in (yes, no)}
    assert after[yes]["portal_profile"] == {"value": "false", "desc": "No"}
    assert after[no]["portal_profile"]["value"] == "true"


def test_the_plan_reports_show_yes_and_no_as_the_sheet_does(
    server: Sandbox, tmp_path: Path
) -> None:
    """The person chose "No"; the terminal and the HTML report say `Yes -> No`, while the plan
    file keeps the codes apply writes."""
    api = Api(server.base_url)
    ids = api.researcher_ids(12)
    yes = next(
        i
        for i in ids
        if api.get(f"/esploro/v1/researchers/{i}").json()["researcher"]["portal_profile"]["value"]
        == "true"
    )
    book = tmp_path / "people.xlsx"
    done = run(tmp_path, "export", "researchers", "-o", str(book), base_url=server.base_url)
    assert done.returncode == 0, done.stderr
    edit(book, {(yes, "Portal profile"): "No"})
    html = tmp_path / "report.html"
    done = run(tmp_path, "plan", str(book), "--html", str(html), base_url=server.base_url)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Portal profile: Yes -> No" in done.stdout
    assert "true" not in done.stdout.split("Portal profile")[1].splitlines()[0]
    page = html.read_text(encoding="utf-8")
    row = page[page.rindex("<td>Portal profile</td>") :].split("</tr>")[0]  # the edit
    assert "Yes" in row and "No" in row and "true" not in row and "false" not in row
    saved = read_plan(tmp_path / "people.plan.json")
    (change,) = saved.records[0].edits
    assert (change.live, change.edited) == ("true", "false")
    assert saved.labels == {"Portal profile": {"true": "Yes", "false": "No"}}
