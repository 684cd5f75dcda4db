"""Export end to end: a real sandbox over HTTP, a real workbook on disk, read back independently."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
import requests
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

from sheetsync import api
from sheetsync.errors import ExportError, NothingToExport
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection, entity_of
from sheetsync.exporting import export_records, read_id_list, row_texts
from sheetsync.fieldpath import read_value
from sheetsync.progress import NO_PROGRESS
from sheetsync.records import fingerprint
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from sheetsync.workbook import LISTS_SHEET, META_ROW_TAG, META_SHEET
from sheetsync.workbook.cells import EXCEL_CELL_LIMIT, cell_text
from tests.cli.runner import one_error_line
from tests.conftest import Api, start_sandbox

CAPTURED_ID = "991291935000561"
TEMPLATES = Path(__file__).parents[1] / "templates"


def _export(sandbox: Sandbox, tmp_path: Path, template: str = "researchers", **selection: Any):
    output = tmp_path / f"{template}.xlsx"
    with EsploroClient(sandbox.base_url, READ_WRITE_KEY) as client:
        summary = export_records(client, load_template(template), output, Selection(**selection))
    return output, summary


def _sheet_rows(path: Path, name: str) -> list[list[Any]]:
    rows: list[list[Any]] = (
        CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()
    )
    return rows


def _meta(path: Path) -> dict[str, Any]:
    last = _sheet_rows(path, META_SHEET)[-1]
    assert last[0] == META_ROW_TAG
    result: dict[str, Any] = json.loads(last[1])
    return result


def test_researcher_export_rows_equal_the_live_records(sandbox: Sandbox, tmp_path: Path) -> None:
    output, summary = _export(sandbox, tmp_path)
    template = load_template("researchers")
    assert summary.records == 40 and summary.columns == len(template.columns)
    data = _sheet_rows(output, "Researchers")
    assert data[0] == [c.header for c in template.columns]
    api = Api(sandbox.base_url)
    baseline = {row[0]: row for row in _sheet_rows(output, META_SHEET)[2:-1]}
    portal = {"true": "Yes", "false": "No"}  # the portal profile shows its code's description
    for row in data[1:]:
        record_id = row[0]
        live = api.get(f"/esploro/v1/researchers/{record_id}").json()
        expected = [cell_text(read_value(live, c.path), c.join) or "" for c in template.columns]
        shown = [
            portal.get(text, text) if c.shows_description else text
            for c, text in zip(template.columns, expected, strict=True)
        ]
        assert [str(v) for v in row] == shown
        assert baseline[record_id][1] == fingerprint(live)
        assert [str(v) for v in baseline[record_id][3:]] == expected  # the baseline: codes
    assert len(baseline) == 40


@pytest.mark.parametrize("template_name", ["researchers", "assets"])
def test_row_texts_read_every_column_as_read_value_does(
    sandbox: Sandbox, template_name: str
) -> None:
    """Export's compiled column readers give, for every seeded record of either entity, the
    texts plan reads with `read_value`, and leave the record as it was."""
    template = load_template(template_name)
    with EsploroClient(sandbox.base_url, READ_WRITE_KEY, rate=1000) as client:
        selection = Selection(updated_since="1900-01-01") if template_name == "assets" else None
        records = [
            item.record
            for item in entity_of(template.entity).select(
                client, selection or Selection(), NO_PROGRESS
            )
            if item.record is not None
        ]
    texts_of = row_texts(template)
    assert len(records) > 30
    for record in records:
        before = json.dumps(record)
        expected = [cell_text(read_value(record, c.path), c.join) for c in template.columns]
        assert texts_of(record) == expected
        assert json.dumps(record) == before


def test_workbook_layout_sheets_notes_locks_and_dropdowns(sandbox: Sandbox, tmp_path: Path) -> None:
    output, _ = _export(sandbox, tmp_path)
    template = load_template("researchers")
    book = load_workbook(output)
    assert book.sheetnames == ["Researchers", LISTS_SHEET, META_SHEET]
    assert book[LISTS_SHEET].sheet_state == "hidden" and book[META_SHEET].sheet_state == "hidden"
    sheet = book["Researchers"]
    assert sheet.freeze_panes == "B2"
    assert not sheet.protection.sheet  # sorting and deleting rows work; plan guards read-only
    for index, column in enumerate(template.columns, start=1):
        header = sheet.cell(1, index)
        assert header.comment is not None and f"Path: {column.path}" in header.comment.text
        body = sheet.cell(2, index)
        assert body.number_format == "@"
        assert body.protection.locked == column.readonly
        if column.readonly:
            assert body.fill.fgColor.rgb.endswith("E7E6E6")
    id_cell = sheet.cell(2, 1)
    assert id_cell.data_type == "s" and id_cell.protection.locked
    validations = {str(v.sqref): v.formula1 for v in sheet.data_validations.dataValidation}
    code_columns = [c for c in template.columns if c.code_table and not c.readonly and not c.join]
    assert len(validations) == len(code_columns) > 0
    assert all(formula.startswith(f"'{LISTS_SHEET}'!$") for formula in validations.values())


def test_every_value_is_a_string_cell_never_a_formula(sandbox: Sandbox, tmp_path: Path) -> None:
    api = Api(sandbox.base_url)
    primary_id = api.researcher_ids(1)[0]
    tricky = ["=SUM(A1:A2)", "+1 loop", "-omics", "@risk", "Line_x000D_Feed", "0012"]
    patch = {
        "researcher": {
            "researcher_keyword": [{"value": v} for v in tricky],
            "display_title": '=HYPERLINK("http://x")',
        }
    }
    requests.patch(f"{sandbox.base_url}/_sandbox/researchers/{primary_id}", json=patch, timeout=5)
    output, _ = _export(sandbox, tmp_path, ids=(primary_id,))
    with zipfile.ZipFile(output) as book:
        for name in book.namelist():
            if name.startswith("xl/worksheets/"):
                assert b"<f>" not in book.read(name), name
    row = _sheet_rows(output, "Researchers")[1]
    assert "; ".join(tricky) in row
    assert '=HYPERLINK("http://x")' in row


def test_captured_asset_exports_its_real_values(sandbox: Sandbox, tmp_path: Path) -> None:
    output, _ = _export(sandbox, tmp_path, template="assets", ids=(CAPTURED_ID,))
    template = load_template("assets")
    row = _sheet_rows(output, "Assets")[1]
    live = Api(sandbox.base_url).get(f"/esploro/v1/assets/{CAPTURED_ID}").json()["records"][0]
    for column, value in zip(template.columns, row, strict=True):
        assert str(value) == (cell_text(read_value(live, column.path), column.join) or "")
    assert "10.1016/j.hybadv.2024.100277" in row
    assert _sheet_rows(output, META_SHEET)[2][1] == fingerprint(live)


def test_assets_export_by_update_date(sandbox: Sandbox, tmp_path: Path) -> None:
    output, summary = _export(sandbox, tmp_path, template="assets", updated_since="2000-01-01")
    assert summary.records == 61
    assert len(_sheet_rows(output, "Assets")) == 62
    with pytest.raises(NothingToExport):
        _export(sandbox, tmp_path, template="assets", updated_since="2100-01-01")


def test_a_value_over_the_cell_limit_is_marked_never_truncated(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    primary_id = api.researcher_ids(1)[0]
    huge = "word " * 8000  # 40,000 characters
    requests.patch(
        f"{sandbox.base_url}/_sandbox/researchers/{primary_id}",
        json={"researcher": {"display_title": huge}},
        timeout=5,
    )
    output, summary = _export(sandbox, tmp_path, ids=(primary_id,))
    assert summary.oversized_cells == 1
    template = load_template("researchers")
    index = [c.header for c in template.columns].index(template.column("Display title").header)
    cell = load_workbook(output)["Researchers"].cell(2, index + 1)
    assert "40,000 characters" in cell.value and len(cell.value) < EXCEL_CELL_LIMIT
    assert cell.protection.locked
    baseline = _sheet_rows(output, META_SHEET)[2]
    assert baseline[2] == str(index)
    assert baseline[3 + index].startswith("sha256:")


def test_zero_matches_says_so_and_writes_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    with pytest.raises(NothingToExport, match="q syntax"):
        _export(sandbox, tmp_path, query="last_name~Zzyzxqwv")
    assert list(tmp_path.iterdir()) == []


def test_unknown_ids_are_listed_and_skipped_and_none_found_writes_nothing(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    real = Api(sandbox.base_url).researcher_ids(1)[0]
    output, summary = _export(sandbox, tmp_path, ids=(real, "123456789012345678"))
    assert (summary.records, summary.missing_ids) == (1, ("123456789012345678",))
    assert [row[0] for row in _sheet_rows(output, "Researchers")[1:]] == [real]
    output.unlink()
    with pytest.raises(NothingToExport, match="123456789012345678"):
        _export(sandbox, tmp_path, ids=("123456789012345678",))
    assert list(tmp_path.iterdir()) == []


def test_query_and_limit_select_researchers(sandbox: Sandbox, tmp_path: Path) -> None:
    api = Api(sandbox.base_url)
    record = api.get(f"/esploro/v1/researchers/{api.researcher_ids(1)[0]}").json()
    output, _ = _export(sandbox, tmp_path, query=f"last_name~{record['last_name']}")
    assert record["primary_id"] in [row[0] for row in _sheet_rows(output, "Researchers")[1:]]
    _, limited = _export(sandbox, tmp_path, limit=7)
    assert limited.records == 7


def test_selection_errors_are_explained() -> None:
    template = load_template("assets")
    with pytest.raises(ExportError, match="--updated-since"):
        export_records(None, template, Path("x.xlsx"), Selection(query="ALL~x"))  # type: ignore[arg-type]
    with pytest.raises(ExportError, match="every asset: --updated-since 1900-01-01"):
        export_records(None, template, Path("x.xlsx"), Selection())  # type: ignore[arg-type]


def _listed(sandbox: Sandbox, **params: str) -> list[str]:
    """What `GET /assets` itself selects with `params` (the oracle), every page."""
    api, ids = Api(sandbox.base_url), []
    while True:
        query = {**params, "limit": "100", "offset": str(len(ids))}
        page = api.get("/esploro/v1/assets", params=query).json().get("records", [])
        ids += [r["originalRepository"]["assetId"] for r in page]
        if not page:
            return ids


def test_each_asset_filter_reaches_the_api_under_its_own_name(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    record = Api(sandbox.base_url).get(f"/esploro/v1/assets/{CAPTURED_ID}").json()["records"][0]
    creators = [c for asset in _every_asset(sandbox) for c in asset.get("creators", [])]
    researcher = next(c["almaUserId"] for c in creators if c.get("almaUserId"))
    org_code = record["creators"][1]["affiliationWithDesc"][0]["value"]
    cases = [
        ({"doi": record["identifier.doi"]}, {"doi": record["identifier.doi"]}),
        ({"researcher": researcher}, {"user_primary_id": researcher}),
        ({"org_unit": org_code}, {"org_code": org_code}),
        ({"open_access": "yes"}, {"open_access": "yes"}),
        (
            {"updated_since": "2020-01-01", "updated_until": "2023-12-31"},
            {"update_date_from": "2020-01-01", "update_date_to": "2023-12-31"},
        ),
    ]
    for selection, params in cases:
        expected = _listed(sandbox, **params)
        assert expected, params
        output, summary = _export(sandbox, tmp_path, template="assets", **selection)
        rows = [row[0] for row in _sheet_rows(output, "Assets")[1:]]
        assert rows == expected and summary.records == len(expected), params
        assert _meta(output)["selection"] == ", ".join(f"{k}={v}" for k, v in params.items())


def _every_asset(sandbox: Sandbox) -> list[dict[str, Any]]:
    api = Api(sandbox.base_url)
    query = {"update_date_from": "1900-01-01", "limit": "100"}
    records: list[dict[str, Any]] = api.get("/esploro/v1/assets", params=query).json()["records"]
    return records


def test_150_asset_ids_with_3_unknown_give_147_rows_and_name_the_3(tmp_path: Path) -> None:
    with start_sandbox(assets=160) as server:
        known = _listed(server, update_date_from="1900-01-01")[:147]
        unknown = ["990000000000001", "990000000000002", "990000000000003"]
        ids = known[:70] + unknown[:1] + known[70:120] + unknown[1:] + known[120:147]
        assert len(ids) == 150 and len(set(ids)) == 150
        ids_file = tmp_path / "ids.txt"
        ids_file.write_text("\n".join(ids))
        output = tmp_path / "assets.xlsx"
        args = ["export", "assets", "-o", str(output), "--ids-file", str(ids_file)]
        as_json = _run([*args, "--json"], server.base_url)
        text = _run([*args, "--force"], server.base_url)
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert (summary["records"], summary["missing_ids"]) == (147, unknown)
    assert [row[0] for row in _sheet_rows(output, "Assets")[1:]] == [i for i in ids if i in known]
    assert text.returncode == 0, text.stderr
    assert "3 IDs not found in Esploro, skipped: " + ", ".join(unknown) in text.stdout


def test_unknown_researcher_ids_are_skipped_listed_and_the_rest_written(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """One ID Esploro does not know no longer sinks a researchers export: by --ids-file and
    by --ids, the rest is written, exit 0, the missing IDs in the summary and the JSON."""
    known = Api(sandbox.base_url).researcher_ids(4)
    unknown = ["123456789012345678", "no-such-person"]
    ids = [known[0], unknown[0], known[1], known[2], unknown[1], known[3]]
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("# from HR\n" + "\n".join(ids) + "\n", encoding="utf-8")
    output = tmp_path / "people.xlsx"
    args = ["export", "researchers", "-o", str(output), "--ids-file", str(ids_file)]
    as_json = _run([*args, "--json"], sandbox.base_url)
    assert as_json.returncode == 0, as_json.stderr
    summary = json.loads(as_json.stdout)
    assert (summary["records"], summary["missing_ids"]) == (4, unknown)
    assert [row[0] for row in _sheet_rows(output, "Researchers")[1:]] == known
    text = _run(
        ["export", "researchers", "-o", str(output), "--force", "--ids", ",".join(ids)],
        sandbox.base_url,
    )
    assert text.returncode == 0, text.stderr
    assert "Exported 4 records" in text.stdout
    assert "2 IDs not found in Esploro, skipped: " + ", ".join(unknown) in text.stdout
    assert [row[0] for row in _sheet_rows(output, "Researchers")[1:]] == known


def test_a_code_table_esploro_will_not_give_is_a_warning_not_an_abort(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    source = (Path(__file__).parents[1] / "templates" / "researchers.toml").read_text("utf-8")
    code_table = next(c.code_table for c in load_template("researchers").columns if c.code_table)
    template_path = tmp_path / "mine.toml"
    template_path.write_text(source.replace(f'"{code_table}"', '"NoSuchCodeTable"'), "utf-8")
    output = tmp_path / "out.xlsx"
    result = _run(
        ["export", str(template_path), "-o", str(output), "--limit", "3", "--json"],
        sandbox.base_url,
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    (warning,) = [w for w in summary["warnings"] if "NoSuchCodeTable" in w]
    assert "code table NoSuchCodeTable could not be read (HTTP 400" in warning
    assert "has no dropdown list" in warning and summary["records"] == 3
    again = ["export", str(template_path), "-o", str(output), "--limit", "3", "--force"]
    text = _run(again, sandbox.base_url)
    assert "Warning: code table NoSuchCodeTable" in text.stdout


def test_meta_row_records_the_export_and_never_the_key(sandbox: Sandbox, tmp_path: Path) -> None:
    output, _ = _export(sandbox, tmp_path, limit=5)
    meta = _meta(output)
    template = load_template("researchers")
    assert meta["template_name"] == "researchers" and meta["template_sha256"] == template.sha256
    assert meta["base_url"] == sandbox.base_url and meta["records"] == 5
    assert meta["format_version"] == 1
    assert _sheet_rows(output, META_SHEET)[0][2] == meta["export_id"]
    with zipfile.ZipFile(output) as book:
        for name in book.namelist():
            assert READ_WRITE_KEY.encode() not in book.read(name), name


def test_read_id_list_accepts_lines_commas_comments_and_drops_duplicates() -> None:
    text = "\ufeff111\n222, 333\n# a comment\n\n111  # again\n"
    assert read_id_list(text.lstrip("\ufeff")) == ("111", "222", "333")


# -- the command line --------------------------------------------------------------------

SHEETSYNC = [sys.executable, "-m", "sheetsync"]


def _run(
    args: list[str], base_url: str, key: str = READ_WRITE_KEY
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ESPLORO_API_KEY": key, "ESPLORO_BASE_URL": base_url, "COLUMNS": "200"}
    return subprocess.run([*SHEETSYNC, *args], capture_output=True, text=True, timeout=120, env=env)


def test_cli_export_prints_a_summary_and_json(sandbox: Sandbox, tmp_path: Path) -> None:
    output = tmp_path / "out.xlsx"
    result = _run(["export", "researchers", "-o", str(output), "--limit", "12"], sandbox.base_url)
    assert result.returncode == 0, result.stderr
    assert "Exported 12 records" in result.stdout and str(output) in result.stdout
    ids_file = tmp_path / "ids.txt"
    ids_file.write_text("\n".join(Api(sandbox.base_url).researcher_ids(3)))
    again = ["export", "researchers", "-o", str(output), "--ids-file", str(ids_file), "--json"]
    result = _run([*again, "--force"], sandbox.base_url)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert summary["records"] == 3 and summary["api_calls"] >= 3


def test_cli_export_errors_are_one_line_with_exit_1(sandbox: Sandbox, tmp_path: Path) -> None:
    output = tmp_path / "out.xlsx"
    cases = [
        (["export", "researchers", "-o", str(output), "--query", "last_name~Zzyzxqwv"], "q syntax"),
        (["export", "nonesuch", "-o", str(output)], "researchers"),
        (["export", "researchers", "-o", str(output), "--ids", "42"], "42"),
    ]
    for args, expected in cases:
        result = _run(args, sandbox.base_url)
        assert result.returncode == 1, (args, result.stderr)
        assert expected in result.stderr and "Traceback" not in result.stderr
    bad_key = _run(["export", "researchers", "-o", str(output)], sandbox.base_url, key="wrong-key")
    assert bad_key.returncode == 1 and "UNAUTHORIZED" in bad_key.stderr
    assert "trackingId" in bad_key.stderr and "wrong-key" not in bad_key.stderr + bad_key.stdout
    assert not output.exists()


def test_cli_export_never_replaces_a_file_unless_force(sandbox: Sandbox, tmp_path: Path) -> None:
    """A workbook with a person's edits in it is not lost to a second export to the same name."""
    output = tmp_path / "people.xlsx"
    output.write_bytes(b"the person's edited workbook")
    refused = _run(["export", "researchers", "-o", str(output), "--limit", "3"], sandbox.base_url)
    assert refused.returncode == 1
    error = one_error_line(refused)
    assert str(output) in error and "--force" in error and "new file name" in error
    assert output.read_bytes() == b"the person's edited workbook"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["people.xlsx"]  # no temporary file
    assert Api(sandbox.base_url).stats()["total"] == 0  # refused before fetching anything
    forced = _run(["export", "researchers", "-o", str(output), "--limit", "3", "--force"],
                  sandbox.base_url)  # fmt: skip
    assert forced.returncode == 0, forced.stderr
    assert load_workbook(output)["Researchers"].max_row == 4
    shown = subprocess.run([*SHEETSYNC, "export", "--help"], capture_output=True, text=True)
    assert "--force" in shown.stdout and "--protect" in shown.stdout


def test_a_message_that_asks_for_a_new_export_names_a_new_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Plan refuses a workbook whose template changed; its advice must not lead the person to
    export over the workbook that holds their edits."""
    template = tmp_path / "mine.toml"
    template.write_text((TEMPLATES / "researchers.toml").read_text("utf-8"), "utf-8")
    output = tmp_path / "people.xlsx"
    done = _run(["export", str(template), "-o", str(output), "--limit", "2"], sandbox.base_url)
    assert done.returncode == 0, done.stderr
    template.write_text(template.read_text("utf-8") + "\n# changed\n", "utf-8")
    refused = _run(["plan", str(output)], sandbox.base_url)
    assert refused.returncode == 1
    error = one_error_line(refused)
    assert "has changed since this workbook was exported" in error
    assert f"export again to a new file: sheetsync export {template} ... -o NEW.xlsx" in error


def test_api_export_refuses_an_existing_file_unless_overwrite(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    output = tmp_path / "people.xlsx"
    with EsploroClient(sandbox.base_url, READ_WRITE_KEY) as client:
        api.export(client, "researchers", output, limit=2)
        first = output.read_bytes()
        with pytest.raises(ExportError, match=r"already exists .*--force"):
            api.export(client, "researchers", output, limit=3)
        assert output.read_bytes() == first
        assert api.export(client, "researchers", output, limit=3, overwrite=True).records == 3


def test_the_sheet_is_protected_only_when_asked(sandbox: Sandbox, tmp_path: Path) -> None:
    with EsploroClient(sandbox.base_url, READ_WRITE_KEY) as client:
        api.export(client, "researchers", tmp_path / "open.xlsx", limit=3)
        api.export(client, "researchers", tmp_path / "locked.xlsx", limit=3, protect=True)
    unprotected = load_workbook(tmp_path / "open.xlsx")["Researchers"]
    assert not unprotected.protection.sheet
    note = unprotected["B1"].comment
    assert note is not None and "Read-only: edits here are refused." in note.text
    assert unprotected["B2"].fill.fgColor.rgb.endswith("E7E6E6")  # read-only stays grey
    protected = load_workbook(tmp_path / "locked.xlsx")["Researchers"].protection
    assert protected.sheet and not protected.sort and not protected.autoFilter


def test_cli_templates_list_and_show() -> None:
    listing = subprocess.run([*SHEETSYNC, "templates", "--json"], capture_output=True, text=True)
    names = {t["name"] for t in json.loads(listing.stdout)}
    assert {"researchers", "assets"} <= names
    shown = subprocess.run(
        [*SHEETSYNC, "templates", "show", "researchers"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "200"},
    )
    assert shown.returncode == 0 and "/primary_id" in shown.stdout


def test_cli_check_reports_rights_quota_and_latency(sandbox: Sandbox) -> None:
    ok = _run(["check", "--json"], sandbox.base_url)
    assert ok.returncode == 0, ok.stderr
    report = json.loads(ok.stdout)
    assert report["can_read_researchers"] and report["can_read_assets"]
    assert report["base_url"] == sandbox.base_url and report["remaining_quota"] > 0
    bad = _run(["check"], sandbox.base_url, key="wrong-key")
    assert bad.returncode == 1 and "wrong-key" not in bad.stdout + bad.stderr
