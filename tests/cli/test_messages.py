"""What a person reads when they give a command the wrong file or a mix of options, and the
reports they read after: each run as the real `sheetsync` command in a subprocess."""

from __future__ import annotations

import html
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from sheetsync.errors import EXIT_CHANGES, EXIT_ERROR, EXIT_OK, EXIT_USAGE
from sheetsync.sandbox import Sandbox
from tests.cli.runner import one_error_line, run
from tests.conftest import Api, start_sandbox
from tests.plans import edit

ELSEWHERE = "http://127.0.0.1:9"  # another Esploro: nothing listens there, nothing is asked


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    server = start_sandbox(researchers=12, assets=3)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def exported(box: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A researchers export nobody has edited (copy it before editing)."""
    where = tmp_path_factory.mktemp("export")
    done = run(where, "export", "researchers", "-o", "people.xlsx", base_url=box.base_url)
    assert done.returncode == EXIT_OK, done.stderr
    return where / "people.xlsx"


def _ids(workbook: Path) -> list[str]:
    from openpyxl import load_workbook

    sheet = load_workbook(workbook, read_only=True).worksheets[0]
    return [str(row[0]) for row in sheet.iter_rows(min_row=2, values_only=True)]


def _planned(tmp_path: Path, exported: Path, box: Sandbox, changes: int = 2) -> Path:
    """A copy of the export with `changes` display titles edited (to a text of this test's
    own: the module's tests share one sandbox), planned; its plan file."""
    workbook = shutil.copy(exported, tmp_path / "people.xlsx")
    ids = _ids(workbook)[:changes]
    edit(workbook, {(record_id, "Display title"): f"Reader {tmp_path.name}" for record_id in ids})
    done = run(tmp_path, "plan", "people.xlsx", base_url=box.base_url)
    assert done.returncode == EXIT_CHANGES, done.stdout + done.stderr
    return tmp_path / "people.plan.json"


# ------------------------------------------------------------------ wrong kinds of file (10)


def test_a_workbook_given_to_apply_is_named_and_sent_to_plan(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    shutil.copy(exported, tmp_path / "people.xlsx")
    done = run(tmp_path, "apply", "people.xlsx", "--yes", base_url=box.base_url)
    assert done.returncode == EXIT_ERROR
    assert one_error_line(done) == (
        "error: people.xlsx: this is an Excel workbook (.xlsx), not a sheetsync plan file; "
        "plan it with `sheetsync plan people.xlsx`, which writes the plan file to apply"
    )


def test_a_plan_given_to_plan_and_to_export_is_named_and_sent_to_apply(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    _planned(tmp_path, exported, box)
    takes = (
        "apply it with `sheetsync apply people.plan.json` (or undo it with `sheetsync rollback`)"
    )
    done = run(tmp_path, "plan", "people.plan.json", base_url=box.base_url)
    assert done.returncode == EXIT_ERROR
    assert one_error_line(done) == (
        "error: people.plan.json: this is a sheetsync plan file, not an Excel workbook (.xlsx); "
        + takes
    )
    done = run(tmp_path, "export", "people.plan.json", "-o", "x.xlsx", base_url=box.base_url)
    assert done.returncode == EXIT_ERROR
    assert one_error_line(done).endswith(
        "people.plan.json: this is a sheetsync plan file, not a sheetsync template (.toml); "
        + takes
    )
    assert not (tmp_path / "x.xlsx").exists()


def test_a_workbook_given_as_a_template_is_named_wherever_templates_are_taken(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    shutil.copy(exported, tmp_path / "people.xlsx")
    for done in (
        run(tmp_path, "export", "people.xlsx", "-o", "x.xlsx", base_url=box.base_url),
        run(tmp_path, "templates", "show", "people.xlsx"),
    ):
        assert done.returncode == EXIT_ERROR
        assert one_error_line(done) == (
            "error: people.xlsx: this is an Excel workbook (.xlsx), not a sheetsync template "
            "(.toml); plan it with `sheetsync plan people.xlsx`, which writes the plan file to "
            "apply"
        )


def test_a_template_given_to_plan_or_apply_is_sent_to_export(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\nentity = "researchers"\n[[columns]]\nheader = "ID"\npath = "/primary_id"\n',
        encoding="utf-8",
    )
    for command in ("plan", "apply"):
        done = run(tmp_path, command, "mine.toml", base_url=ELSEWHERE)
        assert done.returncode == EXIT_ERROR
        assert one_error_line(done).endswith(
            "mine.toml: this is a sheetsync template (.toml), not "
            + ("an Excel workbook (.xlsx)" if command == "plan" else "a sheetsync plan file")
            + "; export with it: `sheetsync export mine.toml -o FILE.xlsx`"
        )


def test_export_to_a_csv_name_is_a_usage_error(tmp_path: Path, box: Sandbox) -> None:
    done = run(tmp_path, "export", "researchers", "-o", "people.csv", base_url=box.base_url)
    assert done.returncode == EXIT_USAGE
    assert "people.csv: export writes an Excel workbook (.xlsx)" in done.stderr
    assert not (tmp_path / "people.csv").exists()


# ------------------------------------------------------------------------ option mixes (10)


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("researchers", "--ids", "1", "--query", "last_name~Smith"), "--ids"),
        (("assets", "--ids-file", "ids.txt", "--doi", "10.1/x"), "--ids-file"),
        (("assets", "--ids", "1", "--updated-since", "2020-01-01"), "--ids"),
    ],
)
def test_ids_beside_a_query_or_filter_are_refused_not_half_obeyed(
    tmp_path: Path, box: Sandbox, args: tuple[str, ...], named: str
) -> None:
    (tmp_path / "ids.txt").write_text("1\n", encoding="utf-8")
    done = run(tmp_path, "export", *args, "-o", "x.xlsx", base_url=box.base_url)
    assert done.returncode == EXIT_USAGE, done.stderr
    assert f"{named} selects records by ID, so {args[-2]} would be ignored" in done.stderr
    assert not (tmp_path / "x.xlsx").exists()


def test_plan_only_names_the_ids_the_workbook_does_not_hold(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    workbook = shutil.copy(exported, tmp_path / "people.xlsx")
    known = _ids(workbook)[0]
    done = run(tmp_path, "plan", "people.xlsx", "--only", f"{known},999,1", base_url=box.base_url)
    assert done.returncode == EXIT_ERROR
    assert one_error_line(done) == (
        "error: --only: 2 IDs are not in people.xlsx (1, 999); give IDs from its 'Primary ID' "
        "column"
    )


def test_apply_limit_says_how_many_remain_and_the_next_run_goes_on(
    tmp_path: Path, server: Sandbox
) -> None:
    """Writes, so on a sandbox of its own (`server`), not the module's."""
    done = run(tmp_path, "export", "researchers", "-o", "own.xlsx", base_url=server.base_url)
    assert done.returncode == EXIT_OK, done.stderr
    _planned(tmp_path, tmp_path / "own.xlsx", server, changes=3)
    args = ("apply", "people.plan.json", "--yes", "--limit", "2")
    first = run(tmp_path, *args, base_url=server.base_url)
    assert first.returncode == EXIT_OK, first.stderr
    assert "Applied: 2 updated" in first.stdout
    assert "1 record to change is left by --limit; to go on: sheetsync apply" in first.stdout
    second = run(tmp_path, *args, "--json", base_url=server.base_url)
    outcome = json.loads(second.stdout)
    assert [r["status"] for r in outcome["results"]] == ["updated"] * 3
    assert outcome["remaining"] == 0


def test_a_plan_for_another_esploro_is_refused_before_it_is_shown(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    _planned(tmp_path, exported, box)
    for command in ("apply", "rollback"):
        done = run(tmp_path, command, "people.plan.json", "--yes", base_url=ELSEWHERE)
        assert done.returncode == EXIT_ERROR
        assert done.stdout == ""  # no plan printed as if it could be applied
        assert one_error_line(done) == (
            f"error: the plan is for {box.base_url}, but this run is connected to {ELSEWHERE}"
        )


# ----------------------------------------------------------------- reports a person reads (11)


def _full_names(workbook: Path) -> dict[str, str]:
    from openpyxl import load_workbook

    sheet = load_workbook(workbook, read_only=True).worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    headers = list(next(rows))
    at = headers.index("Full name")
    return {str(row[0]): str(row[at]) for row in rows}


def test_at_80_columns_every_id_is_whole_with_its_name_under_it(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    workbook = shutil.copy(exported, tmp_path / "people.xlsx")
    names = _full_names(workbook)
    ids = list(names)
    changes: dict[tuple[str, str], object] = {
        (i, "Display title"): "Senior lecturer in comparative literature and translation studies"
        for i in ids[:-1]
    }
    changes[(ids[-1], "Title (Dr, Prof, ...)")] = "NOPE"  # invalid: never fetched
    edit(workbook, changes)
    done = run(
        tmp_path, "plan", "people.xlsx", "--html", "r.html", base_url=box.base_url, COLUMNS="80"
    )
    assert done.returncode == 3, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    # Empty display titles (Esploro's "") read as every empty value does
    assert "Display title: (blank)" in done.stdout and '""' not in done.stdout
    assert any("@" in i for i in ids) and any(len(i) >= 18 for i in ids)  # long IDs are there
    for record_id in ids:
        (at,) = [n for n, line in enumerate(lines) if line.startswith(f"│ {record_id} ")]
        assert lines[at + 1].split("│")[1].strip() in names[record_id], lines[at : at + 2]
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    for record_id, name in names.items():
        assert f'<span class="id">{record_id}</span><span class="name">' in page
        assert html.escape(name) in page


def test_apply_summary_names_the_records_in_its_tables(tmp_path: Path, server: Sandbox) -> None:
    """A record changed elsewhere since the plan is written and listed with a note; the
    listing names it from the plan (no call to fetch a name)."""
    done = run(tmp_path, "export", "researchers", "-o", "own.xlsx", base_url=server.base_url)
    assert done.returncode == EXIT_OK, done.stderr
    names = _full_names(tmp_path / "own.xlsx")
    _planned(tmp_path, tmp_path / "own.xlsx", server, changes=2)
    changed = _ids(tmp_path / "own.xlsx")[0]
    api = Api(server.base_url)
    path = f"/esploro/v1/researchers/{changed}"
    record = api.get(path).json()
    record["researcher"]["researcher_display_title"] = "Changed by a colleague"
    assert api.put(path, record).status_code == 200
    done = run(
        tmp_path, "apply", "people.plan.json", "--yes", base_url=server.base_url, COLUMNS="80"
    )
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    listed = [n for n, line in enumerate(lines) if line.startswith(f"│ {changed} ")]
    assert len(listed) == 2  # in the plan shown first, and in the summary's table
    assert "updated" in lines[listed[1]]
    assert lines[listed[1] + 1].split("│")[1].strip() in names[changed]


def test_one_spelling_of_an_empty_value_and_no_live_value_for_a_record_not_fetched(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    workbook = shutil.copy(exported, tmp_path / "people.xlsx")
    ids = _ids(workbook)
    edit(workbook, {(ids[0], "Title (Dr, Prof, ...)"): "NOPE", (ids[0], "Middle name"): "Q"})
    done = run(tmp_path, "plan", "people.xlsx", "--annotated", "a.xlsx", base_url=box.base_url)
    assert done.returncode == 3
    assert "None" not in done.stdout
    from openpyxl import load_workbook

    sheet = load_workbook(tmp_path / "a.xlsx").worksheets[0]
    comments = [c.comment.text for row in sheet.iter_rows(min_row=2) for c in row if c.comment]
    assert len(comments) == 2
    assert all("live: (not fetched)" in text and "live: (blank)" not in text for text in comments)


def test_a_plan_with_nothing_to_change_says_so_and_offers_no_apply(
    tmp_path: Path, exported: Path, box: Sandbox
) -> None:
    workbook = shutil.copy(exported, tmp_path / "people.xlsx")
    done = run(tmp_path, "plan", "people.xlsx", base_url=box.base_url)
    assert done.returncode == EXIT_OK, done.stderr
    assert done.stdout.rstrip().endswith(
        "Plan written to people.plan.json. Nothing to change, so there is nothing to apply."
    )
    assert "sheetsync apply" not in done.stdout
    assert workbook.exists()


def test_counts_take_the_right_number(tmp_path: Path, exported: Path, box: Sandbox) -> None:
    (one,) = _ids(exported)[:1]
    done = run(
        tmp_path, "export", "researchers", "--ids", one, "-o", "one.xlsx", base_url=box.base_url
    )
    assert done.returncode == EXIT_OK, done.stderr
    assert "Exported 1 record x 20 columns to one.xlsx" in done.stdout


COMMANDS = [
    ("export",),
    ("plan",),
    ("apply",),
    ("rollback",),
    ("check",),
    ("demo",),
    ("version",),
    ("sandbox",),
    ("templates",),
    ("templates", "show"),
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_plain_flags_without_a_value_placeholder(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = run(tmp_path, *command, "--help")
    assert done.returncode == EXIT_OK, done.stderr
    assert "--help" in done.stdout
    assert "<bool>" not in done.stdout and "BOOLEAN" not in done.stdout
    flag_lines = [line for line in done.stdout.splitlines() if "--help " in line]
    assert flag_lines and all("<" not in line for line in flag_lines)


def test_templates_show_json_is_the_template_as_data(tmp_path: Path) -> None:
    done = run(tmp_path, "templates", "show", "researchers", "--json")
    assert done.returncode == EXIT_OK, done.stderr
    shown = json.loads(done.stdout)
    assert shown["name"] == "researchers" and shown["entity"] == "researchers"
    first, *_ = shown["columns"]
    assert first["header"] == "Primary ID" and first["id"] is True and first["readonly"] is True
    position = next(c for c in shown["columns"] if c["header"] == "Position")
    assert position["code_table"] and position["path"].startswith("/")


def test_files_a_command_writes_are_checked_before_anything_is_fetched(
    tmp_path: Path, exported: Path
) -> None:
    workbook = shutil.copy(exported, tmp_path / "people.xlsx")
    before = workbook.read_bytes()
    done = run(tmp_path, "plan", "people.xlsx", "-o", "people.xlsx", base_url=ELSEWHERE)
    assert done.returncode == EXIT_ERROR
    assert one_error_line(done).startswith(
        "error: --output people.xlsx is the workbook being planned; the plan file must go to "
        "another file"
    )
    assert workbook.read_bytes() == before
    done = run(tmp_path, "plan", "people.xlsx", "--annotated", "a.csv", base_url=ELSEWHERE)
    assert done.returncode == EXIT_USAGE
    assert "a.csv: plan --annotated writes an Excel workbook (.xlsx)" in done.stderr
    (tmp_path / "x.plan.json").write_text("{}", encoding="utf-8")  # read after the check
    done = run(tmp_path, "apply", "x.plan.json", "--results", "r.csv", base_url=ELSEWHERE)
    assert done.returncode == EXIT_USAGE
    assert "r.csv: apply --results writes an Excel workbook (.xlsx)" in done.stderr


@pytest.mark.parametrize("mixed", [("--db", "s.sqlite3"), ("--reset",)])
def test_a_sandbox_in_memory_with_a_database_option_is_refused(
    tmp_path: Path, mixed: tuple[str, ...]
) -> None:
    done = run(tmp_path, "sandbox", "--memory", *mixed, "--port", "0")
    assert done.returncode == EXIT_USAGE
    assert f"--memory keeps no database, so {mixed[0]} would be ignored" in done.stderr
    assert not (tmp_path / "s.sqlite3").exists()
