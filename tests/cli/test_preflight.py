"""`sheetsync check --template`: one table, `--json`, and exit 3 when a check fails."""

from __future__ import annotations

import json
from pathlib import Path

from sheetsync.errors import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE
from sheetsync.sandbox import READ_ONLY_KEY, Sandbox
from tests.cli.runner import run
from tests.conftest import Api, start_sandbox
from tests.plans import edit


def test_a_passing_preflight_prints_one_table_and_exits_0(tmp_path: Path, server: Sandbox) -> None:
    done = run(
        tmp_path, "check", "--template", "researchers", "--records", "10", base_url=server.base_url
    )
    assert done.returncode == EXIT_OK, done.stdout + done.stderr
    flat = " ".join(done.stdout.split())
    assert "Preflight of template researchers" in flat
    for name in ("base URL", "API key", "read researchers", "daily quota", "template paths"):
        assert name in flat, name
    assert "an export, plan and apply of 10 records needs about" in flat
    assert "0 failed" in flat and "nothing written" in flat
    assert Api(server.base_url).stats()["writes"] == 0


def test_a_read_only_key_fails_the_write_test_with_exit_3(tmp_path: Path, server: Sandbox) -> None:
    done = run(
        tmp_path,
        "check",
        "--template",
        "assets",
        "--write-test",
        "--json",
        base_url=server.base_url,
        ESPLORO_API_KEY=READ_ONLY_KEY,
    )
    assert done.returncode == EXIT_PROBLEMS, done.stderr
    report = json.loads(done.stdout)
    verdicts = {row["name"]: row["verdict"] for row in report["rows"]}
    assert verdicts["write assets"] == "fail" and verdicts["read assets"] == "pass"
    assert report["template"] == "assets" and report["entity"] == "assets"


def test_the_quota_is_compared_with_a_plan_file(tmp_path: Path) -> None:
    server = start_sandbox(researchers=6, assets=1, daily_limit=100)
    try:
        book = tmp_path / "people.xlsx"
        exported = run(
            tmp_path,
            "export",
            "researchers",
            "-o",
            str(book),
            "--quota-floor",
            "0",
            base_url=server.base_url,
        )
        assert exported.returncode == 0, exported.stderr
        ids = Api(server.base_url).researcher_ids(6)
        edit(book, {(record_id, "Display title"): f"New {record_id}" for record_id in ids})
        assert (
            run(
                tmp_path, "plan", str(book), "--quota-floor", "0", base_url=server.base_url
            ).returncode
            == 2
        )
        plan = tmp_path / "people.plan.json"
        common = ("check", "--template", "researchers", "--json", "--sample", "2")
        tight = run(
            tmp_path, *common, "--for", str(plan), "--quota-floor", "70", base_url=server.base_url
        )
        assert tight.returncode == EXIT_PROBLEMS, tight.stderr
        (quota,) = [r for r in json.loads(tight.stdout)["rows"] if r["name"] == "daily quota"]
        assert quota["verdict"] == "fail"
        assert quota["reason"].startswith("applying 6 changes needs about 12;")
        roomy = run(
            tmp_path, *common, "--for", str(book), "--quota-floor", "0", base_url=server.base_url
        )
        assert roomy.returncode == EXIT_OK, roomy.stdout + roomy.stderr
        assert "planning and applying 6 rows" in roomy.stdout
    finally:
        server.stop()


def test_preflight_options_need_a_template(tmp_path: Path, server: Sandbox) -> None:
    done = run(tmp_path, "check", "--records", "10", base_url=server.base_url)
    assert done.returncode == EXIT_USAGE
    assert "needs --template" in done.stderr


def test_check_help_documents_the_preflight_and_its_exit_codes(tmp_path: Path) -> None:
    done = run(tmp_path, "check", "--help")
    flat = " ".join(done.stdout.split())
    for option in ("--template", "--records", "--for", "--sample", "--write-test"):
        assert option in flat, option
    assert "3 a check failed" in flat
