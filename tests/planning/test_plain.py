"""Plain input through the command line: lists made elsewhere, planned, applied, rolled back.

A CSV as Windows Excel saves it, a plain .xlsx of ORCID iDs by researcher ID, a TSV; each is
planned against a real sandbox with live as its base, and the plan is the same plan an export
gives (plan file, HTML, annotated copy, apply, rollback).
"""

from __future__ import annotations

import codecs
import json
import random
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook

from sheetsync.esploro.entities import entity_of
from sheetsync.sandbox import Sandbox, seed
from sheetsync.sandbox.seed.identifiers import orcid_checksum
from sheetsync.workbook.annotate import FILLS
from tests.cli.runner import one_error_line, run
from tests.conftest import Api

NO_BASELINE = "edits made in Esploro since the file was made cannot be detected"


def _researcher(api: Api, record_id: str) -> dict[str, Any]:
    record: dict[str, Any] = api.get(f"/esploro/v1/researchers/{record_id}").json()
    return record


def _csv(path: Path, lines: list[str], encoding: str, bom: bool) -> Path:
    """A CSV as Excel on Windows saves it: CRLF line ends, `;` where the decimal mark is `,`."""
    data = ("\r\n".join(lines) + "\r\n").encode(encoding)
    path.write_bytes((codecs.BOM_UTF8 if bom else b"") + data)
    return path


def _plan_json(tmp_path: Path, name: str, *args: str, base_url: str) -> dict[str, Any]:
    done = run(
        tmp_path, "plan", name, "--template", "researchers", *args, "--json", base_url=base_url
    )
    assert done.returncode in (0, 2, 3), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    result["exit"] = done.returncode
    return result


def test_a_bom_semicolon_csv_from_windows_excel_is_planned_applied_and_rolled_back(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    a, b, c = api.researcher_ids(3)
    before = {i: _researcher(api, i) for i in (a, b, c)}
    b_title = before[b]["researcher"].get("display_title") or ""
    assert before[b]["researcher"].get("researcher_keyword"), "b needs keywords to keep"
    _csv(
        tmp_path / "updates.csv",
        [
            "Primary ID;Display title;Keywords",
            f"{a};Maître de conférences, HDR;",
            f"{b};{b_title};",  # the title as it is, keywords blank: nothing to change
            f'{c};"=1+2";@home',  # what Excel would have made formulas: text, as typed
        ],
        "utf-8",
        bom=True,
    )
    planned = run(
        tmp_path,
        "plan",
        "updates.csv",
        "--template",
        "researchers",
        "--html",
        "report.html",
        "--annotated",
        "annotated.xlsx",
        base_url=sandbox.base_url,
    )
    assert planned.returncode == 2, planned.stderr
    assert "notice: this file was not exported by sheetsync" in planned.stdout
    assert "1 record already as in Esploro" in planned.stdout
    assert NO_BASELINE in (tmp_path / "report.html").read_text("utf-8")
    document = json.loads((tmp_path / "updates.plan.json").read_text("utf-8"))
    edits = {
        (r["record_id"], e["column"]): e["edited"] for r in document["records"] for e in r["edits"]
    }
    assert edits == {
        (a, "Display title"): "Maître de conférences, HDR",
        (c, "Display title"): "=1+2",
        (c, "Keywords"): "@home",
    }
    annotated = load_workbook(tmp_path / "annotated.xlsx")["updates.csv"]
    assert annotated["B4"].value == "=1+2" and annotated["B4"].data_type == "s"
    assert annotated["B2"].fill.fgColor.rgb.endswith(FILLS["write"])

    applied = run(tmp_path, "apply", "updates.plan.json", "--yes", base_url=sandbox.base_url)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    after = {i: _researcher(api, i) for i in (a, b, c)}
    assert after[a]["researcher"]["display_title"] == "Maître de conférences, HDR"
    assert after[c]["researcher"]["display_title"] == "=1+2"
    assert [k["value"] for k in after[c]["researcher"]["researcher_keyword"]] == ["@home"]
    assert after[b] == before[b]  # a blank cell never clears: b's keywords are kept

    rolled = run(tmp_path, "rollback", "updates.plan.json", "--yes", base_url=sandbox.base_url)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert {i: _researcher(api, i) for i in (a, b, c)} == before


def test_a_windows_1252_csv_is_read_with_a_warning_in_the_plan(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    (a,) = Api(sandbox.base_url).researcher_ids(1)
    title = "Professeur émérite \u2013 Œuvres complètes"  # an en dash: 0x96 in Windows-1252
    _csv(tmp_path / "hr.csv", ["Primary ID;Display title", f"{a};{title}"], "cp1252", bom=False)
    result = _plan_json(tmp_path, "hr.csv", base_url=sandbox.base_url)
    assert result["exit"] == 2
    warning = next(n for n in result["notices"] if "Windows-1252" in n)
    assert "hr.csv is not UTF-8" in warning
    document = json.loads((tmp_path / "hr.plan.json").read_text("utf-8"))
    assert [e["edited"] for r in document["records"] for e in r["edits"]] == [title]


def test_a_plain_xlsx_of_orcid_ids_by_researcher_id_planned_applied_and_rolled_back(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    api = Api(sandbox.base_url)
    records = [_researcher(api, i) for i in api.researcher_ids(40)]
    none = next(r for r in records if seed.orcid_situation(r) == "none")
    held = next(r for r in records if seed.orcid_situation(r) in ("researcher", "top-level"))
    kept = next(r for r in records if seed.orcid_situation(r) != "none" and r not in (none, held))
    blank = next(r for r in records if r not in (none, held, kept))
    kept_orcid = _orcids(kept)[0]
    rng = random.Random(13)
    new = [_orcid(rng), _orcid(rng)]
    book = Workbook()
    sheet = book.active
    sheet.title = "ORCID harvest"
    sheet.append(["Researcher ID", "ORCID iD", "Source"])
    for record, orcid in ((none, new[0]), (held, new[1]), (kept, kept_orcid), (blank, None)):
        sheet.append([record["primary_id"], orcid, "ORCID member API"])
    book.save(tmp_path / "harvest.xlsx")

    result = _plan_json(
        tmp_path, "harvest.xlsx", "--id-column", "Researcher ID", base_url=sandbox.base_url
    )
    assert result["exit"] == 2
    assert result["summary"]["records"]["change"] == 2
    assert any(NO_BASELINE in n for n in result["notices"])
    assert any("'Source'" in n for n in result["notices"])
    before = {r["primary_id"]: r for r in (none, held, kept, blank)}

    applied = run(tmp_path, "apply", "harvest.plan.json", "--yes", base_url=sandbox.base_url)
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert _orcids(_researcher(api, none["primary_id"])) == [new[0]]
    assert _orcids(_researcher(api, held["primary_id"])) == [new[1]]
    for untouched in (kept, blank):
        assert _researcher(api, untouched["primary_id"]) == untouched

    rolled = run(tmp_path, "rollback", "harvest.plan.json", "--yes", base_url=sandbox.base_url)
    assert rolled.returncode == 0, rolled.stdout + rolled.stderr
    assert {i: _researcher(api, i) for i in before} == before


def _orcid(rng: random.Random) -> str:
    base = "0000000" + "".join(rng.choice("0123456789") for _ in range(8))
    digits = base + orcid_checksum(base)
    return "-".join(digits[i : i + 4] for i in range(0, 16, 4))


def _orcids(record: dict[str, Any]) -> list[str]:
    places = (record.get("user_identifier"), record["researcher"].get("user_identifier"))
    found = {
        item["value"]
        for items in places
        for item in items or []
        if (item.get("id_type") or {}).get("value") == "ORCID"
    }
    return sorted(found)


def test_unknown_columns_are_named_and_a_tsv_is_read(sandbox: Sandbox, tmp_path: Path) -> None:
    (a,) = Api(sandbox.base_url).researcher_ids(1)
    path = tmp_path / "list.tsv"
    path.write_text(
        f"Primary ID\tKeyword\tColour\tDisplay title\tportal profile\n{a}\tx\tblue\tNew title\tNo\n"
    )
    result = _plan_json(tmp_path, "list.tsv", base_url=sandbox.base_url)
    assert result["exit"] == 2
    document = json.loads((tmp_path / "list.plan.json").read_text("utf-8"))
    edits = {e["column"]: e["edited"] for r in document["records"] for e in r["edits"]}
    assert edits == {"Display title": "New title", "Portal profile": "false"}  # "No": its code
    (named,) = [n for n in result["notices"] if "not in template" in n]
    assert "columns 'Keyword' (did you mean 'Keywords'?), 'Colour' not in template" in named
    shown = run(
        tmp_path, "plan", "list.tsv", "--template", "researchers", base_url=sandbox.base_url
    )
    assert "'Keyword' (did you mean 'Keywords'?)" in shown.stdout


def test_duplicate_ids_are_refused_naming_their_rows(sandbox: Sandbox, tmp_path: Path) -> None:
    a, b = Api(sandbox.base_url).researcher_ids(2)
    lines = [
        "Primary ID,Display title",
        f"{a},One",
        f"{b},Two",
        f"{a},Three",
        "no-such-researcher,Four",
    ]
    _csv(tmp_path / "dups.csv", lines, "utf-8", bom=False)
    done = run(tmp_path, "plan", "dups.csv", "--template", "researchers", base_url=sandbox.base_url)
    assert done.returncode == 3, done.stderr
    assert f"ID {a} is in rows 2, 4 of 'dups.csv'; keep one" in done.stdout
    assert "(Primary ID no-such-researcher): not found in Esploro" in done.stdout
    document = json.loads((tmp_path / "dups.plan.json").read_text("utf-8"))
    statuses = {r["record_id"]: r["status"] for r in document["records"]}
    assert statuses == {a: "invalid", b: "change"}
    assert [(p["sheet"], p["row"]) for p in document["row_problems"]] == [("dups.csv", 5)]
    # every record named, the invalid one too: its record was fetched to be the list's base
    researchers = entity_of("researchers")
    for record in document["records"]:
        live = Api(sandbox.base_url).get(f"/esploro/v1/researchers/{record['record_id']}").json()
        assert record["display_name"] == researchers.display_name(live) != ""


def test_plain_input_without_template_or_with_the_wrong_one_is_refused(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    (tmp_path / "list.csv").write_text("Primary ID,Display title\np1,x\n")
    book = Workbook()
    book.active.append(["Primary ID", "Display title"])
    book.save(tmp_path / "plain.xlsx")
    for name in ("list.csv", "plain.xlsx"):
        done = run(tmp_path, "plan", name, base_url=sandbox.base_url)
        assert done.returncode == 1
        assert "give --template NAME" in one_error_line(done)
    exported = run(
        tmp_path,
        "export",
        "researchers",
        "-o",
        "people.xlsx",
        "--limit",
        "2",
        base_url=sandbox.base_url,
    )
    assert exported.returncode == 0, exported.stderr
    done = run(tmp_path, "plan", "people.xlsx", "--template", "assets", base_url=sandbox.base_url)
    assert done.returncode == 1
    assert "plan it without --template" in one_error_line(done)
