"""The results workbook carries the work forward: planning it gives exactly the edits left."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from openpyxl import load_workbook

from sheetsync.applying.journal import journal_path
from sheetsync.applying.results import retry_would_do, write_results
from sheetsync.applying.run import ApplyOptions, apply_plan
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.model import Outcome, Plan
from sheetsync.report.words import WHY_HEADER, now_header
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox
from sheetsync.template import load_template
from tests.conftest import Api, start_sandbox
from tests.plans import edit

TITLE = "Display title"
MIDDLE = "Middle name"
_CARRIED = (Outcome.WRITE, Outcome.CONFLICT, Outcome.INVALID)


@pytest.fixture
def server() -> Iterator[Sandbox]:
    sandbox = start_sandbox(researchers=40, assets=5)
    yield sandbox
    sandbox.stop()


def _client(server: Sandbox) -> EsploroClient:
    # one worker: the sandbox's seeded faults then fall on the same requests every run
    return EsploroClient(
        server.base_url, READ_WRITE_KEY, rate=1000.0, workers=1, backoff_base=0.001
    )


def _colleague(server: Sandbox, record_id: str, title: str) -> None:
    patch = {"researcher": {"display_title": title}}
    requests.patch(f"{server.base_url}/_sandbox/researchers/{record_id}", json=patch, timeout=5)


def _remaining(plan: Plan, ids: set[str]) -> dict[str, set[tuple[str, str | None]]]:
    """Per record: the (column, value) edits the person still wants."""
    return {
        r.record_id: {(e.column, e.edited) for e in r.edits if e.outcome in _CARRIED}
        for r in plan.records
        if r.record_id in ids
    }


def _middle_named(api: Api, ids: list[str]) -> str:
    for record_id in ids:
        record = api.get(f"/esploro/v1/researchers/{record_id}").json()
        if record["researcher"].get("researcher_middle_name"):
            return record_id
    raise AssertionError("no researcher with a middle name")


def test_planning_the_results_gives_exactly_the_edits_left(server: Sandbox, tmp_path: Path) -> None:
    api = Api(server.base_url)
    ids = api.researcher_ids(40)
    held = _middle_named(api, ids[30:])
    edited = ids[:20]
    conflicts, stale, invalid = edited[:3], edited[3:6], edited[6:8]
    changes: dict[tuple[str, str], str | None] = {(i, TITLE): f"Mine {i}" for i in edited}
    changes.update({(i, "Position"): "ARCHMAGE" for i in invalid})
    changes.update({(held, TITLE): "Held title", (held, MIDDLE): None})
    workbook = tmp_path / "people.xlsx"
    with _client(server) as client:
        export_records(client, load_template("researchers"), workbook, Selection())
        edit(workbook, changes)
        for record_id in conflicts:
            _colleague(server, record_id, f"Theirs {record_id}")
        plan = build_plan(client, workbook)
        for record_id in stale:
            _colleague(server, record_id, f"Later {record_id}")
        server.faults.fail_rate = 0.5  # about one write in five fails
        result = apply_plan(client, plan, journal=journal_path(tmp_path / "people.plan.json"))
        server.faults.fail_rate = 0.0
        statuses = {r.record_id: r.status for r in result.results}
        failed = {i for i, s in statuses.items() if s == "failed"}
        assert failed and {statuses[i] for i in conflicts} == {"conflict"}
        assert {statuses[i] for i in stale} - {"failed"} == {"stale"}
        assert {statuses[i] for i in invalid} == {"invalid"}
        assert statuses[held] in ("clears held back", "failed")
        out = tmp_path / "results.xlsx"
        not_updated = {r.record_id for r in result.results if not r.settled}
        assert write_results(client, plan, result, out) == len(not_updated)
        again = build_plan(client, out)
    expected = _remaining(plan, not_updated)
    if statuses[held] == "clears held back":  # its title was written: only the clear is left
        expected[held] = {(MIDDLE, None)}
        sheet = load_workbook(out)["Researchers"]
        header = [c.value for c in sheet[1]]
        (row,) = [r for r in sheet.iter_rows(min_row=2) if r[0].value == held]
        cells = dict(zip(header, row, strict=True))
        assert cells[MIDDLE].value is None and cells[MIDDLE].fill.fgColor.rgb.endswith("FFF2CC")
        assert cells[TITLE].value == "Held title"  # already live: shown, not highlighted
        assert not cells[TITLE].fill.fgColor.rgb.endswith("FFF2CC")
        assert cells[WHY_HEADER].value.startswith("clears held back: ")
    assert _remaining(again, not_updated) == expected
    assert {r.record_id for r in again.records} == not_updated
    assert again.notices == () and again.row_problems == ()  # the helper columns are not data
    assert {r.status for r in again.records if r.record_id in invalid} == {"invalid"}
    assert {r.status for r in again.records if r.record_id not in invalid} == {"change"}
    assert retry_would_do(plan, result) == failed  # the sandbox's faults are 5xx: passing


def test_the_results_row_shows_why_what_esploro_has_and_highlights_yours(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    a, b = api.researcher_ids(2)
    workbook = tmp_path / "people.xlsx"
    with _client(server) as client:
        export_records(client, load_template("researchers"), workbook, Selection())
        edit(workbook, {(a, TITLE): "Mine", (b, TITLE): "Also mine"})
        _colleague(server, a, "Theirs")
        plan = build_plan(client, workbook)
        result = apply_plan(client, plan, journal=tmp_path / "j.jsonl", options=ApplyOptions())
        out = tmp_path / "results.xlsx"
        assert write_results(client, plan, result, out) == 1
    sheet = load_workbook(out)["Researchers"]
    header = [c.value for c in sheet[1]]
    assert header[:2] == ["Primary ID", WHY_HEADER]
    assert header.index(now_header(TITLE)) == header.index(TITLE) + 1
    (row,) = [r for r in sheet.iter_rows(min_row=2) if r[0].value == a]
    cells = dict(zip(header, row, strict=True))
    assert cells[WHY_HEADER].value.startswith("conflict: Display title: Esploro now has 'Theirs'")
    assert "you wrote 'Mine'" in cells[WHY_HEADER].value
    assert cells[TITLE].value == "Mine" and cells[TITLE].fill.fgColor.rgb.endswith("FFF2CC")
    assert cells[now_header(TITLE)].value == "Theirs"
    assert cells["Last name"].fill.fgColor.rgb != cells[TITLE].fill.fgColor.rgb


def test_cli_apply_says_which_way_to_continue_and_the_results_plan_again(
    server: Sandbox, tmp_path: Path
) -> None:
    from sheetsync.planning.file import write_plan
    from tests.cli.runner import run

    api = Api(server.base_url)
    ids = api.researcher_ids(8)
    conflict, stale = ids[0], ids[1]
    workbook = tmp_path / "people.xlsx"
    with _client(server) as client:
        export_records(client, load_template("researchers"), workbook, Selection())
        edit(workbook, {(i, TITLE): f"Mine {i}" for i in ids})
        _colleague(server, conflict, "Theirs")
        plan = build_plan(client, workbook)
    plan_path = tmp_path / "people.plan.json"
    write_plan(plan, plan_path)
    _colleague(server, stale, "Later")
    server.faults.fail_rate = 0.3
    done = run(
        tmp_path,
        *("apply", str(plan_path), "--yes", "--workers", "1", "--results", "results.xlsx"),
        base_url=server.base_url,
    )
    server.faults.fail_rate = 0.0
    assert done.returncode == 3, done.stdout + done.stderr
    out = " ".join(done.stdout.split())  # the console wraps long lines
    assert "failed for a passing reason" in out
    # the command to run again repeats the connection options given
    assert f"--expect {plan.checksum} --base-url {server.base_url} again" in out
    assert "need your decision: results.xlsx carries your edits forward" in out
    assert "run sheetsync plan results.xlsx" in out
    # the stale and the conflict records name the field and both values, never None
    assert "Display title: Esploro now has 'Later'; you wrote" in out
    assert "Esploro now has 'Theirs'; you wrote" in out and "None" not in out
    replanned = run(tmp_path, "plan", "results.xlsx", base_url=server.base_url)
    assert replanned.returncode == 2, replanned.stdout + replanned.stderr
    again = " ".join(replanned.stdout.split())
    left = int(out.split("Results: results.xlsx (")[1].split()[0])  # "(5 records to edit again)"
    assert f"{left} to change, 0 in conflict" in again
    assert f"Display title: Theirs -> Mine {conflict}" in again
    assert f"Display title: Later -> Mine {stale}" in again


# Drives LibreOffice through its scripting API (UNO), which imports only under the system
# Python: argv is the workbook, the file to save as, a profile directory, then JSON edits
# [[record ID, header, text], ...] made by typing into the cells, found by header and ID.
_LIBREOFFICE_EDIT = r"""
import json, os, subprocess, sys, time
import uno
from com.sun.star.beans import PropertyValue

source, target, profile, edits = sys.argv[1], sys.argv[2], sys.argv[3], json.loads(sys.argv[4])
pipe = f"sheetsync_results_{os.getpid()}"
office = subprocess.Popen([
    "soffice", "--headless", "--invisible", "--norestore", "--nologo", "--nodefault",
    f"-env:UserInstallation={uno.systemPathToFileUrl(profile)}", f"--accept=pipe,name={pipe};urp;",
])
local = uno.getComponentContext()
resolver = local.ServiceManager.createInstanceWithContext(
    "com.sun.star.bridge.UnoUrlResolver", local
)
for _ in range(600):
    try:
        context = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        break
    except Exception:
        time.sleep(0.1)
desktop = context.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", context)

def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p

hidden = (prop("Hidden", True),)
doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(source), "_blank", 0, hidden)
sheet = doc.Sheets.getByIndex(0)
rows = sheet.getCellRangeByName("A1:AZ100").getDataArray()
header = list(rows[0])
for record_id, column, text in edits:
    row = next(n for n, line in enumerate(rows) if line[0] == record_id)
    sheet.getCellByPosition(header.index(column), row).setString(text)
doc.storeToURL(uno.systemPathToFileUrl(target), (prop("FilterName", "Calc MS Excel 2007 XML"),))
doc.close(True)
try:
    desktop.terminate()
except Exception:
    pass
office.wait(timeout=60)
"""


def _libreoffice_edit(source: Path, target: Path, edits: list[list[str]]) -> None:
    import json
    import shutil
    import subprocess

    system_python = "/usr/bin/python3"
    probe = subprocess.run([system_python, "-c", "import uno"], capture_output=True, check=False)
    if probe.returncode != 0 or shutil.which("soffice") is None:
        pytest.skip("LibreOffice's UNO (python3-uno) is not installed for /usr/bin/python3")
    profile = target.parent / "lo-profile"
    arguments = [str(source), str(target), str(profile), json.dumps(edits)]
    done = subprocess.run(
        [system_python, "-c", _LIBREOFFICE_EDIT, *arguments],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0 and target.exists(), done.stderr


def test_the_results_edited_in_libreoffice_plan_only_what_the_person_still_wants(
    server: Sandbox, tmp_path: Path
) -> None:
    api = Api(server.base_url)
    conflict, stale, updated = api.researcher_ids(3)
    workbook = tmp_path / "people.xlsx"
    with _client(server) as client:
        export_records(client, load_template("researchers"), workbook, Selection())
        edit(
            workbook, {(conflict, TITLE): "Mine", (stale, TITLE): "Mine too", (updated, TITLE): "U"}
        )
        _colleague(server, conflict, "Theirs")
        plan = build_plan(client, workbook)
        _colleague(server, stale, "Later")
        result = apply_plan(client, plan, journal=tmp_path / "j.jsonl")
        assert write_results(client, plan, result, tmp_path / "results.xlsx") == 2
        # In LibreOffice: take Esploro's value for the conflict (typed over the carried one),
        # scribble in the why column, save as xlsx.
        saved = tmp_path / "results-edited.xlsx"
        _libreoffice_edit(
            tmp_path / "results.xlsx",
            saved,
            [[conflict, TITLE, "Theirs"], [stale, WHY_HEADER, "checked with the author"]],
        )
        again = build_plan(client, saved)
    assert again.notices == () and again.row_problems == ()
    assert [(r.record_id, r.status) for r in again.records] == [(stale, "change")]
    (only,) = again.records[0].edits
    assert (only.column, only.baseline, only.edited) == (TITLE, "Later", "Mine too")
