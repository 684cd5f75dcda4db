"""Plan end to end: export from a real sandbox, edit with openpyxl as a person would, plan."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook

from sheetsync.errors import PlanError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import RESEARCHERS, Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.model import Plan, RecordPlan
from sheetsync.records import field_fingerprints, fingerprint
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from tests.conftest import Api, start_sandbox
from tests.esploro.support import asset_ids
from tests.libreoffice import convert
from tests.plans import edit

CAPTURED_ID = "991291935000561"


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    server = start_sandbox(researchers=30, assets=20)
    yield server
    server.stop()


@pytest.fixture
def client(sandbox: Sandbox) -> Iterator[EsploroClient]:
    with EsploroClient(sandbox.base_url, READ_WRITE_KEY, rate=1000.0) as c:
        yield c


def export(client: EsploroClient, tmp_path: Path, template: str = "researchers", **kw: Any) -> Path:
    path = tmp_path / f"{template}.xlsx"
    export_records(client, load_template(template), path, Selection(**kw))
    return path


def ids(api: Api, n: int) -> list[str]:
    return api.researcher_ids(n)


def record(plan: Plan, record_id: str) -> RecordPlan:
    return next(r for r in plan.records if r.record_id == record_id)


def test_edits_become_minimal_patches_on_the_live_record(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    a, b, c = ids(api, 3)
    path = export(client, tmp_path)
    edit(
        path,
        {
            (a, "Display title"): "Professor of Coastal Geomorphology",
            (b, "Keywords"): "Coastal erosion; Sediment transport",
            (c, "ORCID iD"): "0000-0002-1825-0097",
        },
    )
    requests.delete(f"{sandbox.base_url}/_sandbox/stats", timeout=5)
    plan = build_plan(client, path)
    # records without edits cost no call: three records fetched, nothing else but code tables
    stats = api.stats()
    assert stats["by_resource"].get("researchers", 0) == 3 and stats["writes"] == 0
    assert {r.record_id: r.status for r in plan.records} == {a: "change", b: "change", c: "change"}
    assert [op["path"] for op in record(plan, a).patch] == ["/researcher/display_title"]
    live = api.get(f"/esploro/v1/researchers/{a}").json()
    assert record(plan, a).live_fingerprint == fingerprint(live)
    fields = record(plan, a).live_field_fingerprints
    assert fields == field_fingerprints(live, RESEARCHERS.is_ignored)
    assert "researcher/display_title" in fields and "last_name" in fields
    assert "researcher" not in fields and "record_type/desc" not in fields  # derived
    keywords = [op for op in record(plan, b).patch if "researcher_keyword" in op["path"]]
    assert keywords and all(
        op["path"].startswith("/researcher/researcher_keyword") for op in record(plan, b).patch
    )
    assert plan.checksum and len(plan.checksum) == 64


def test_a_colleagues_edit_is_kept_on_another_field_and_a_conflict_on_the_same(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    a, b, c = ids(api, 3)
    path = export(client, tmp_path)
    colleague = f"{sandbox.base_url}/_sandbox/researchers"
    requests.patch(f"{colleague}/{a}", json={"last_name": "Ó Súilleabháin"}, timeout=5)
    requests.patch(f"{colleague}/{b}", json={"researcher": {"display_title": "Dean"}}, timeout=5)
    requests.patch(f"{colleague}/{c}", json={"researcher": {"display_title": "Same"}}, timeout=5)
    edit(
        path,
        {
            (a, "Display title"): "Reader in History",
            (b, "Display title"): "Provost",
            (c, "Display title"): "Same",
        },
    )
    plan = build_plan(client, path)
    kept = record(plan, a)
    assert kept.status == "change" and [op["path"] for op in kept.patch] == [
        "/researcher/display_title"
    ]
    conflict = record(plan, b)
    assert conflict.status == "conflict" and not conflict.patch
    assert "Dean" in conflict.problems[0] and "Provost" in conflict.problems[0]
    assert record(plan, c).status == "no-op"


def test_captured_asset_doi_edit_patches_exactly_the_doi(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    path = export(client, tmp_path, "assets", ids=(CAPTURED_ID,))
    edit(path, {(CAPTURED_ID, "DOI"): "10.1016/j.hybadv.2024.100278"})
    plan = build_plan(client, path)
    (only,) = plan.records
    assert only.patch == (
        {"op": "replace", "path": "/identifier.doi", "value": "10.1016/j.hybadv.2024.100278"},
    )


def test_clears_are_planned_apart(sandbox: Sandbox, client: EsploroClient, tmp_path: Path) -> None:
    api = Api(sandbox.base_url)
    target = next(
        i
        for i in ids(api, 30)
        if api.get(f"/esploro/v1/researchers/{i}").json()["researcher"]["researcher_keyword"]
    )
    path = edit(export(client, tmp_path), {(target, "Keywords"): None})
    plan = build_plan(client, path)
    planned = record(plan, target)
    assert planned.status == "change" and not planned.patch and planned.clear_patch
    assert plan.summary(10.0).clears == 1


def test_invalid_cells_name_sheet_cell_and_column_and_plan_nothing(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    a, b, c, d = ids(api, 4)
    path = export(client, tmp_path)
    edit(
        path,
        {
            (a, "Position"): "ARCHMAGE",
            (b, "Full name"): "Someone Else",
            (c, "ORCID iD"): "0000-0002-1825-009",
            (d, "Display title"): "=1+1",
        },
    )
    plan = build_plan(client, path)
    for record_id in (a, b, c, d):
        planned = record(plan, record_id)
        assert planned.status == "invalid" and not planned.patch
    assert (
        "Researchers!" in record(plan, a).problems[0] and "ARCHMAGE" in record(plan, a).problems[0]
    )
    assert "read-only" in record(plan, b).problems[0]
    assert "16 characters in four groups of four" in record(plan, c).problems[0]
    assert "formula" in record(plan, d).problems[0]


def test_row_problems_unknown_new_duplicate_and_numeric_ids(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    all_ids = ids(Api(sandbox.base_url), 30)
    numeric = [i for i in all_ids if i.isdigit()]  # a primary ID can be an e-mail address too
    long_id = next(i for i in numeric if len(i) > 15)
    short_id = next(i for i in numeric if len(i) <= 15)
    a = next(i for i in all_ids if i not in (long_id, short_id))
    path = export(client, tmp_path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    last = sheet.max_row
    sheet.cell(last + 1, 1, "999999999999999999")  # an ID not in the export
    sheet.cell(last + 2, 3, "Nobody")  # a new row without an ID
    sheet.cell(last + 3, 1, a)  # a duplicate of record a
    by_id = {str(row[0].value): row[0] for row in sheet.iter_rows(min_row=2, max_row=last)}
    by_id[long_id].value = float(long_id)  # Excel turned a long ID into a number: digits lost
    by_id[short_id].value = float(short_id)  # a short one survives exactly
    book.save(path)
    plan = build_plan(client, path)
    messages = [p.message for p in plan.row_problems]
    assert len(messages) == 3
    assert any("not in this export" in m for m in messages)
    assert any("new row without an ID" in m for m in messages)
    assert any("became the number" in m for m in messages)
    assert record(plan, a).status == "invalid" and "rows" in record(plan, a).problems[0]
    assert short_id not in {r.record_id for r in plan.records}  # matched, and unchanged


def _no_edits(client: EsploroClient, path: Path) -> None:
    plan = build_plan(client, path)
    assert plan.records == () and plan.row_problems == ()


def test_sorting_hiding_deleting_rows_and_moving_columns_create_no_edits(
    client: EsploroClient, tmp_path: Path
) -> None:
    path = export(client, tmp_path)
    book = load_workbook(path)
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    rows.sort(key=lambda r: str(r[2]), reverse=True)  # sort by a column
    del rows[3:6]  # delete rows
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            sheet.cell(r, c).value = value
    for r in range(len(rows) + 2, sheet.max_row + 1):
        for c in range(1, sheet.max_column + 1):
            sheet.cell(r, c).value = None
    sheet.row_dimensions[4].hidden = True  # hide a row
    sheet.column_dimensions["C"].hidden = True  # hide a column
    sheet.move_range("E1:E100", cols=sheet.max_column)  # move a column to the far right
    sheet.cell(1, sheet.max_column + 1, "My notes")  # a column of the person's own
    sheet.cell(2, sheet.max_column, "call back Tuesday")
    sheet.title = "People to fix"  # rename the data sheet
    book.save(path)
    plan = build_plan(client, path)
    assert plan.records == () and plan.row_problems == ()
    assert any("My notes" in n for n in plan.notices)
    assert plan.data_sheet == "People to fix"


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_resaving_in_libreoffice_creates_no_edits(client: EsploroClient, tmp_path: Path) -> None:
    path = export(client, tmp_path)
    _no_edits(client, convert(path, "xlsx", tmp_path / "lo", tmp_path / "profile"))


def test_an_untouched_export_plans_nothing(client: EsploroClient, tmp_path: Path) -> None:
    _no_edits(client, export(client, tmp_path))
    _no_edits(client, export(client, tmp_path, "assets", updated_since="1900-01-01"))


def test_whole_workbook_refusals(client: EsploroClient, sandbox: Sandbox, tmp_path: Path) -> None:
    from sheetsync.errors import WorkbookError

    not_zip = tmp_path / "notes.xlsx"
    not_zip.write_text("id,title\n1,x\n")
    with pytest.raises(WorkbookError, match="not a zip"):
        build_plan(client, not_zip)
    path = export(client, tmp_path)
    book = load_workbook(path)
    book["_sheetsync"]["D3"] = "tampered"
    book.save(tmp_path / "tampered.xlsx")
    with pytest.raises(WorkbookError, match="checksum"):
        build_plan(client, tmp_path / "tampered.xlsx")
    del book["_sheetsync"]
    book.save(tmp_path / "foreign.xlsx")
    with pytest.raises(WorkbookError, match="not made by `sheetsync export`"):
        build_plan(client, tmp_path / "foreign.xlsx")
    with (
        start_sandbox(researchers=5, assets=5) as other,
        EsploroClient(other.base_url, READ_WRITE_KEY) as elsewhere,
        pytest.raises(PlanError, match="exported from"),
    ):
        build_plan(elsewhere, path)


def test_only_limits_the_plan_to_some_records(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    a, b = ids(Api(sandbox.base_url), 2)
    path = edit(export(client, tmp_path), {(a, "Display title"): "X", (b, "Display title"): "Y"})
    plan = build_plan(client, path, only={b})
    assert [r.record_id for r in plan.records] == [b]


# -- the command line --------------------------------------------------------------------


def run_cli(args: list[str], base_url: str) -> subprocess.CompletedProcess[str]:
    import os
    import sys

    env = {
        **os.environ,
        "ESPLORO_API_KEY": READ_WRITE_KEY,
        "ESPLORO_BASE_URL": base_url,
        "COLUMNS": "160",
    }
    return subprocess.run(
        [sys.executable, "-m", "sheetsync", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


def test_cli_plan_exit_codes_files_and_json(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    import json

    a, b = ids(Api(sandbox.base_url), 2)
    path = export(client, tmp_path)
    untouched = run_cli(["plan", str(path)], sandbox.base_url)
    assert untouched.returncode == 0, untouched.stderr
    assert (tmp_path / "researchers.plan.json").exists()

    edit(path, {(a, "Display title"): "Professor of Things"})
    html, annotated = tmp_path / "report.html", tmp_path / "annotated.xlsx"
    changed = run_cli(
        [
            "plan",
            str(path),
            "-o",
            str(tmp_path / "p.json"),
            "--html",
            str(html),
            "--annotated",
            str(annotated),
            "--json",
        ],
        sandbox.base_url,
    )
    assert changed.returncode == 2, changed.stderr
    summary = json.loads(changed.stdout)
    saved = json.loads((tmp_path / "p.json").read_text())
    assert summary["checksum"] == saved["checksum"] and summary["summary"]["records"]["change"] == 1
    assert saved["checksum"] in html.read_text()
    fill = load_workbook(annotated).worksheets[0]
    assert any(c.fill.fgColor.rgb.endswith("C6EFCE") for row in fill.iter_rows() for c in row)

    edit(path, {(b, "Position"): "ARCHMAGE"})
    problems = run_cli(["plan", str(path)], sandbox.base_url)
    assert problems.returncode == 3, problems.stderr
    assert "ARCHMAGE" in problems.stdout and "Nothing was written to Esploro" in problems.stdout


def test_cli_plan_errors_are_one_line_exit_1(sandbox: Sandbox, tmp_path: Path) -> None:
    not_zip = tmp_path / "notes.xlsx"
    not_zip.write_text("id,title\n")
    result = run_cli(["plan", str(not_zip)], sandbox.base_url)
    assert result.returncode == 1
    assert "not a zip" in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_captured_asset_patch_keeps_every_other_byte(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    import json

    import jsonpatch

    path = export(client, tmp_path, "assets", ids=(CAPTURED_ID,))
    edit(path, {(CAPTURED_ID, "Submitted date"): "20230101"})
    (planned,) = build_plan(client, path).records
    live = Api(sandbox.base_url).get(f"/esploro/v1/assets/{CAPTURED_ID}").json()["records"][0]
    proposed = jsonpatch.apply_patch(live, list(planned.patch))
    expected = {**live, "date.submitted": "20230101"}
    assert json.dumps(expected) == json.dumps(proposed)  # order and types


def test_asset_colleague_edits_kept_elsewhere_and_conflicting_on_the_same_field(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    first, second = asset_ids(Api(sandbox.base_url), 2)
    path = export(client, tmp_path, "assets", ids=(first, second))
    colleague = f"{sandbox.base_url}/_sandbox/assets"
    requests.patch(f"{colleague}/{first}", json={"publisher": "Colleague Press"}, timeout=5)
    requests.patch(f"{colleague}/{second}", json={"date.accepted": "19990101"}, timeout=5)
    edit(path, {(first, "Accepted date"): "20200101", (second, "Accepted date"): "20210101"})
    plan = build_plan(client, path)
    kept = record(plan, first)
    assert kept.status == "change" and [op["path"] for op in kept.patch] == ["/date.accepted"]
    assert record(plan, second).status == "conflict"


def test_patch_mode_templates_plan_a_partial_body(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    path = export(client, tmp_path, "assets", ids=(CAPTURED_ID,))
    edit(
        path,
        {
            (CAPTURED_ID, "DOI"): "10.1016/j.hybadv.2024.999999",
            (CAPTURED_ID, "Publication date"): "20241205",
        },
    )
    (planned,) = build_plan(client, path).records
    assert planned.status == "change"
    assert planned.partial_body == {
        "date.published": "20241205",
        "identifier.doi": "10.1016/j.hybadv.2024.999999",
    }


def test_a_record_esploro_no_longer_has_is_an_invalid_row_not_an_abort(
    client: EsploroClient, sandbox: Sandbox, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    gone, kept = ids(api, 2)
    path = export(client, tmp_path, ids=(gone, kept))
    edit(path, {(gone, "Display title"): "X", (kept, "Display title"): "Y"})
    assert api.request("DELETE", f"/esploro/v1/researchers/{gone}").status_code == 204
    plan = build_plan(client, path)
    missing = record(plan, gone)
    assert missing.status == "invalid" and not missing.fetched
    assert missing.problems == (
        f"Researchers, row 2 (Primary ID {gone}): not found in Esploro; nothing is planned for it",
    )
    assert record(plan, kept).status == "change"


def test_an_asset_esploro_does_not_have_is_an_invalid_row(tmp_path: Path) -> None:
    """Exported from one sandbox, planned against another on the same address (same base
    URL, other seed): only the captured asset is in both."""
    with start_sandbox(assets=5, seed=11) as first:
        port, base_url = first.port, first.base_url
        other = asset_ids(Api(base_url), 1)[0]
        with EsploroClient(base_url, READ_WRITE_KEY, rate=1000.0) as c:
            path = export(c, tmp_path, "assets", ids=(CAPTURED_ID, other))
    edit(path, {(CAPTURED_ID, "DOI"): "10.1234/a", (other, "DOI"): "10.1234/b"})
    with (
        start_sandbox(assets=5, seed=12, port=port) as second,
        EsploroClient(second.base_url, READ_WRITE_KEY, rate=1000.0) as c,
    ):
        plan = build_plan(c, path)
    assert record(plan, CAPTURED_ID).status == "change"
    missing = record(plan, other)
    assert missing.status == "invalid"
    assert f"Assets, row 3 (Asset ID {other}): not found in Esploro" in missing.problems[0]


def test_a_workbook_from_another_format_version_is_refused(
    client: EsploroClient, tmp_path: Path
) -> None:
    from sheetsync.errors import WorkbookError

    path = export(client, tmp_path)
    book = load_workbook(path)
    book["_sheetsync"]["B1"] = "2"
    book.save(path)
    with pytest.raises(WorkbookError, match="format 2"):
        build_plan(client, path)


def test_a_plan_file_reads_back_equal_and_refuses_hand_edits(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    import json

    from sheetsync.errors import PlanFileError
    from sheetsync.planning.file import read_plan, write_plan

    a, b = ids(Api(sandbox.base_url), 2)
    path = edit(export(client, tmp_path), {(a, "Display title"): "X", (b, "Keywords"): None})
    plan = build_plan(client, path)
    plan_path = tmp_path / "p.json"
    write_plan(plan, plan_path)
    assert read_plan(plan_path) == plan
    document = json.loads(plan_path.read_text())
    fields = document["records"][0]["live_field_fingerprints"]
    fields["last_name"] = "0" * 16  # the checksum covers the per-field fingerprints too
    plan_path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="edited after planning"):
        read_plan(plan_path)
    document = json.loads(plan_path.read_text())
    document["records"][0]["live_field_fingerprints"] = plan.records[0].live_field_fingerprints
    document["records"][0]["patch"][0]["value"] = "Something else"
    plan_path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError, match="edited after planning"):
        read_plan(plan_path)
    plan_path.write_text("{")
    with pytest.raises(PlanFileError, match="not a readable plan"):
        read_plan(plan_path)


def test_a_plan_of_format_1_is_refused_plan_again(
    sandbox: Sandbox, client: EsploroClient, tmp_path: Path
) -> None:
    """Format 1 kept no per-field fingerprints: apply could not name the fields it merges."""
    import json

    from sheetsync.errors import PlanFileError
    from sheetsync.planning.file import read_plan, write_plan
    from sheetsync.planning.model import PLAN_FORMAT_VERSION, compute_checksum

    assert PLAN_FORMAT_VERSION == 2
    a = ids(Api(sandbox.base_url), 1)[0]
    plan = build_plan(client, edit(export(client, tmp_path), {(a, "Display title"): "X"}))
    assert plan.format_version == 2
    plan_path = tmp_path / "p.json"
    write_plan(plan, plan_path)
    document = json.loads(plan_path.read_text())
    document["format_version"] = 1
    for planned in document["records"]:
        del planned["live_field_fingerprints"]
    document["checksum"] = compute_checksum(document)
    plan_path.write_text(json.dumps(document))
    with pytest.raises(PlanFileError) as refused:
        read_plan(plan_path)
    assert str(refused.value) == (
        f"{plan_path}: plan format 1, and this sheetsync reads 2; plan again"
    )
