"""`check --template`'s preflight against real sandboxes: each check catches what it is for,
and nothing is written."""

from __future__ import annotations

import socket
from pathlib import Path

from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.preflight import (
    CheckRow,
    PreflightOptions,
    PreflightReport,
    QuotaNeed,
    run_preflight,
)
from sheetsync.sandbox import READ_ONLY_KEY, READ_WRITE_KEY, Sandbox
from sheetsync.template import builtin_templates_dir, load_template
from tests.conftest import Api, start_sandbox


def preflight(
    base_url: str, template: str | Path, key: str = READ_WRITE_KEY, **options: object
) -> PreflightReport:
    client = EsploroClient(
        base_url, key, rate=1000.0, backoff_base=0.01, max_retries=1, quota_floor=0
    )
    with client:
        return run_preflight(client, load_template(template), PreflightOptions(**options))  # type: ignore[arg-type]


def row(report: PreflightReport, name: str) -> CheckRow:
    (found,) = [r for r in report.rows if r.name == name]
    return found


def template_copy(tmp_path: Path, name: str, old: str, new: str) -> Path:
    text = builtin_templates_dir().joinpath(f"{name}.toml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}-copy.toml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_a_sound_template_passes_and_nothing_is_written(sandbox: Sandbox) -> None:
    report = preflight(sandbox.base_url, "researchers", sample=20)
    assert report.ok, report.rows
    names = [r.name for r in report.rows]
    assert names[:4] == ["base URL", "API key", "read researchers", "daily quota"]
    assert "code table UserTitles" in names and "template paths" in names
    assert row(report, "template paths").verdict == "pass"
    assert {"multilingual fields", "ORCID in both places"} <= set(names)
    assert report.sampled == 20
    assert Api(sandbox.base_url).stats()["writes"] == 0


def test_a_missing_code_table_fails(sandbox: Sandbox, tmp_path: Path) -> None:
    template = template_copy(
        tmp_path, "researchers", 'code_table = "UserTitles"', 'code_table = "NoSuchTitles"'
    )
    report = preflight(sandbox.base_url, template, sample=5)
    assert not report.ok
    failed = row(report, "code table NoSuchTitles")
    assert failed.verdict == "fail" and "not in this Esploro" in failed.reason
    assert row(report, "code table OrganizationPositions").verdict == "pass"


def test_codes_in_live_records_missing_from_the_table_are_named(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The Title column checked against the positions table: live titles (DR, PROF, ...) are
    not positions, as a retired or another institution's code would not be in the table."""
    template = template_copy(
        tmp_path, "researchers", 'code_table = "UserTitles"', 'code_table = "OrganizationPositions"'
    )
    report = preflight(sandbox.base_url, template, sample=10)
    warned = row(report, "code table OrganizationPositions")
    assert warned.verdict == "warn" and "code(s) in live records are not in it: " in warned.reason
    assert "DR" in warned.reason and report.ok


def test_a_misspelt_path_is_named(sandbox: Sandbox, tmp_path: Path) -> None:
    template = template_copy(
        tmp_path, "researchers", "/researcher/researcher_suffix", "/researcher/researcher_sufix"
    )
    report = preflight(sandbox.base_url, template, sample=10)
    assert row(report, "template paths").verdict == "warn"
    warned = row(report, "path of Suffix")
    assert warned.verdict == "warn"
    assert "/researcher/researcher_sufix is in none of 10 sampled records: misspelt?" in (
        warned.reason
    )


def test_a_multilingual_institution_is_named_for_what_it_is(tmp_path: Path) -> None:
    server = start_sandbox(researchers=12, assets=1, multilingual=True)
    try:
        plain = preflight(server.base_url, "researchers")
        fact = row(plain, "multilingual fields")
        assert fact.verdict == "warn" and "researchers-multilingual template" in fact.reason
        title = row(plain, "path of Display title")
        assert "keeps it in /researcher/display_title_multilingual" in title.reason
        fitting = preflight(server.base_url, "researchers-multilingual")
        assert row(fitting, "multilingual fields").verdict == "pass"
        assert row(fitting, "template paths").verdict == "pass"
    finally:
        server.stop()


def test_a_quota_too_small_for_the_run_fails(tmp_path: Path) -> None:
    server = start_sandbox(researchers=5, assets=1, daily_limit=300)
    try:
        need = QuotaNeed(1200, "an export, plan and apply of 300 records")
        report = preflight(server.base_url, "researchers", need=need, sample=3, quota_floor=0)
        quota = row(report, "daily quota")
        assert quota.verdict == "fail" and not report.ok
        assert quota.reason.startswith("an export, plan and apply of 300 records needs about 1,200")
        small = QuotaNeed(20, "a run")
        enough = preflight(server.base_url, "researchers", need=small, sample=3, quota_floor=0)
        assert row(enough, "daily quota").verdict == "pass"
        floored = preflight(server.base_url, "researchers", need=small, sample=3, quota_floor=280)
        assert row(floored, "daily quota").verdict == "fail"
        assert "kept back by the quota floor" in row(floored, "daily quota").reason
    finally:
        server.stop()


def test_a_read_only_key_fails_the_asset_write_test(sandbox: Sandbox) -> None:
    read_only = preflight(sandbox.base_url, "assets", READ_ONLY_KEY, write_test=True, sample=3)
    written = row(read_only, "write assets")
    assert written.verdict == "fail" and "read-only" in written.reason
    assert row(read_only, "read assets").verdict == "pass"
    read_write = preflight(sandbox.base_url, "assets", write_test=True, sample=3)
    assert row(read_write, "write assets").verdict == "pass" and read_write.ok


def test_a_researchers_write_test_says_unknown_plainly(sandbox: Sandbox) -> None:
    report = preflight(sandbox.base_url, "researchers", READ_ONLY_KEY, write_test=True, sample=3)
    unknown = row(report, "write researchers")
    assert unknown.verdict == "warn" and unknown.reason.startswith("unknown: ")
    assert Api(sandbox.base_url).stats()["writes"] == 0


def test_a_bogus_key_fails_and_stops_there(sandbox: Sandbox) -> None:
    report = preflight(sandbox.base_url, "researchers", "bogus-key")
    assert row(report, "API key").verdict == "fail"
    assert "refused by every Esploro API" in row(report, "API key").reason
    assert row(report, "read researchers").verdict == "fail"
    assert not any(r.name == "sample" for r in report.rows)


def test_an_unreachable_base_url_fails_first() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    report = preflight(f"http://127.0.0.1:{port}", "researchers")
    assert report.rows[0].name == "base URL" and report.rows[0].verdict == "fail"
    assert not report.ok


def test_creators_out_of_order_matter_to_a_template_picking_one_by_position(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    assert row(preflight(sandbox.base_url, "assets"), "creators unsorted").verdict == "pass"
    template = template_copy(
        tmp_path, "assets", "/creators[lowest order]/creatorname", "/creators[0]/creatorname"
    )
    fact = row(preflight(sandbox.base_url, template), "creators unsorted")
    assert fact.verdict == "warn" and "[lowest order]" in fact.reason
