"""Plan reports: the terminal summary (rich) and the self-contained HTML file, in a real browser.

Plans are built by hand here, as the plan engine would build them for a researchers workbook:
a display title and a keyword list changed, an ORCID cleared, a title in conflict, an invalid
position code, a value already live, a row whose ID is not in the export.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest
from rich.console import Console

from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan, RowProblem, Status
from sheetsync.report.terminal import html_report, human_duration, render_plan, write_html_report
from tests.plans import SHEET, make_plan

XSS = "<script>alert(1)</script>"
LONG_TITLE = "Professor of Marine Ecology and " + "Coastal Oceanography " * 8 + "(END)"


def _edit(
    column: str,
    cell: str,
    baseline: str | None,
    edited: str | None,
    live: str | None,
    outcome: Outcome,
    message: str = "",
) -> CellEdit:
    path = {
        "Display title": "/researcher/display_title",
        "Keywords": "/researcher/researcher_keyword[*]/value",
        "ORCID": "/researcher/user_identifier[id_type/value=ORCID]/value",
        "Position": "/researcher/position/value",
    }[column]
    return CellEdit(column, path, cell, SHEET, baseline, edited, live, outcome, message)


def _record(
    record_id: str, status: Status, row: int, *edits: CellEdit, messages: tuple[str, ...] = ()
) -> RecordPlan:
    fingerprint = "f" * 64
    return RecordPlan(record_id, status, edits, row, fingerprint, messages=messages)


_plan = make_plan


def sample_plan() -> Plan:
    """One of each: what a reviewer meets in a real researchers plan."""
    records = [
        _record(
            "0001234",
            "change",
            2,
            _edit("Display title", "F2", "Lecturer", LONG_TITLE, "Lecturer", "write"),
            _edit(
                "Keywords",
                "J2",
                "coral reefs; ocean acidification",
                "coral reefs; ocean acidification; seagrass",
                "coral reefs; ocean acidification",
                "write",
            ),
        ),
        _record(
            "0001235",
            "change",
            3,
            _edit("ORCID", "L3", "0000-0002-1825-0097", None, "0000-0002-1825-0097", "write"),
        ),
        _record(
            "0001236",
            "conflict",
            4,
            _edit(
                "Display title",
                "F4",
                "Lecturer",
                "Senior Lecturer",
                "Associate Professor",
                "conflict",
                "changed in Esploro since the export, to a different value",
            ),
            _edit("Keywords", "J4", "tides", "tides; estuaries", "tides", "write"),
            messages=("1 cell in conflict",),
        ),
        _record(
            "0001237",
            "invalid",
            5,
            _edit(
                "Position",
                "H5",
                "LECTURER",
                "PROFF",
                "LECTURER",
                "invalid",
                "'PROFF' is not a code in ResearcherPositions",
            ),
        ),
        _record(
            "0001238",
            "no-op",
            6,
            _edit(
                "Display title",
                "F6",
                "Reader",
                XSS + "\nsecond line",
                XSS + "\nsecond line",
                "same-as-live",
            ),
        ),
    ]
    problems = (RowProblem(SHEET, 9, "Primary ID", "ID 9999999 is not in this export's baseline"),)
    notices = ("Column 'My notes' is not in the template: it is ignored.",)
    return _plan(records, problems, notices)


def _render(plan: Plan, *, width: int = 120, verbose: bool = False, limit: int = 20) -> str:
    stream = io.StringIO()
    console = Console(file=stream, width=width)
    render_plan(console, plan, rate=0.025, verbose=verbose, limit=limit)
    return stream.getvalue()


def _many_changes(count: int) -> Plan:
    return _plan(
        [
            _record(
                f"R{n:05d}",
                "change",
                n + 2,
                _edit(
                    "Display title", f"F{n + 2}", "Lecturer", f"Professor {n}", "Lecturer", "write"
                ),
            )
            for n in range(count)
        ]
    )


# ----------------------------------------------------------------------------------- terminal


def test_terminal_report_gives_the_counts_first_then_checksum_then_records() -> None:
    plan = sample_plan()
    out = _render(plan)
    counts = out.index("2 to change, 1 in conflict, 1 invalid, 1 no-op")
    checksum = out.index(plan.checksum)
    table = out.index("0001234")
    assert counts < checksum < table
    assert out.index("Display title") < table  # changed cells per column are in the counts
    assert "Clears" in out and "1 (applied only with `apply --allow-clears`)" in out
    assert "1 in conflict, 1 invalid" in out
    # 2 records to change -> 4 calls; at 0.025 requests/s that is 160 s.
    assert "apply will send 4 API calls" in out and "about 3 min" in out


def test_terminal_report_shows_each_edit_conflict_and_problem() -> None:
    out = _render(sample_plan(), width=200)
    assert "coral reefs; ocean acidification -> coral reefs; ocean acidification; seagrass" in out
    assert "0000-0002-1825-0097 -> (clear)" in out
    assert "baseline Lecturer, edited Senior Lecturer, live Associate Professor" in out
    assert "'PROFF' is not a code in ResearcherPositions" in out
    assert "tides -> tides; estuaries (held back: apply writes nothing of this record)" in out
    assert "ID 9999999 is not in this export's baseline" in out
    assert "notice: Column 'My notes' is not in the template" in out
    assert out.index("0001238") < out.index("Row problems (nothing") < out.index("notice:")


def test_compact_view_cuts_long_values_and_verbose_shows_them() -> None:
    compact = _render(sample_plan())
    assert "(END)" not in compact and "…" in compact
    assert "<script>alert(1)</script> ⏎ second line" in compact  # one line, markup as text
    verbose = _render(sample_plan(), verbose=True, width=400)
    assert LONG_TITLE in verbose


def test_compact_view_shows_limit_records_per_status_and_says_how_many_more() -> None:
    plan = _many_changes(30)
    compact = _render(plan, limit=20)
    assert "R00019" in compact and "R00020" not in compact
    assert "... and 10 more change records (use --verbose)" in compact
    verbose = _render(plan, verbose=True, limit=20)
    assert all(f"R{n:05d}" in verbose for n in range(30))
    assert "more change records" not in verbose


def test_values_are_never_read_as_rich_markup() -> None:
    plan = _plan(
        [
            _record(
                "[bold]7[/bold]",
                "change",
                2,
                _edit("Display title", "F2", "a", "[red]Professor[/red]", "a", "write"),
            )
        ]
    )
    out = _render(plan)
    assert "[bold]7[/bold]" in out and "[red]Professor[/red]" in out


def test_the_base_url_is_shown_without_anything_that_could_be_a_key() -> None:
    plan = _many_changes(1)
    plan = replace(plan, base_url="https://me:s3cr3t@api.example.org/esploro?apikey=l7xxDEAD#x")
    out = _render(plan)
    html = html_report(plan, rate=1)
    for text in (out, html):
        assert "api.example.org/esploro" in text
        assert "s3cr3t" not in text and "l7xxDEAD" not in text


def test_an_empty_plan_says_there_is_nothing_to_send() -> None:
    out = _render(_plan([]))
    assert "0 to change" in out and "apply has nothing to send" in out


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        render_plan(Console(file=io.StringIO()), sample_plan(), rate=rate)
    with pytest.raises(ValueError, match="rate"):
        html_report(sample_plan(), rate=rate)


@pytest.mark.parametrize(
    ("seconds", "words"),
    [
        (0, "no time"),
        (0.4, "under a second"),
        (42, "about 42 s"),
        (180, "about 3 min"),
        (3000, "about 50 min"),
        (3 * 3600 + 20 * 60, "about 3 h 20 min"),
        (7200, "about 2 h"),
    ],
)
def test_human_duration(seconds: float, words: str) -> None:
    assert human_duration(seconds) == words


# --------------------------------------------------------------------------------------- HTML


class _Tags(HTMLParser):
    """Every start tag with its attributes, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))


def _tags(document: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Tags()
    parser.feed(document)
    return parser.tags


def test_html_report_is_self_contained(tmp_path: Path) -> None:
    path = tmp_path / "people.report.html"
    write_html_report(sample_plan(), path, rate=0.025)
    document = path.read_text(encoding="utf-8")
    assert "<link" not in document.lower() and "@import" not in document
    assert not re.search(r"url\(", document)
    for tag, attrs in _tags(document):
        for name in ("src", "href", "action", "srcset"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//")), (tag, name, value)
    assert [tag for tag, _ in _tags(document)].count("script") == 1


def test_html_report_holds_checksum_records_statuses_and_escaped_values(tmp_path: Path) -> None:
    plan = sample_plan()
    path = tmp_path / "report.html"
    write_html_report(plan, path, rate=0.025)
    document = path.read_text(encoding="utf-8")
    assert f'<code id="checksum">{plan.checksum}</code>' in document
    for record in plan.records:
        assert record.record_id in document
    statuses = [attrs["data-status"] for tag, attrs in _tags(document) if "data-status" in attrs]
    assert statuses == ["change", "change", "conflict", "invalid", "no-op"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in document
    assert XSS not in document
    assert "Associate Professor" in document and "Senior Lecturer" in document
    assert "write (held back: apply writes nothing of this record)" in document
    assert "'PROFF' is not a code" in document.replace("&#x27;", "'")
    assert "ID 9999999 is not in this export" in document
    assert "My notes" in document
    assert "about 3 min" in document


def test_html_report_escapes_workbook_names_and_ids_too() -> None:
    plan = _plan(
        [_record('7"><img src=x onerror=alert(1)>', "change", 2)],
        workbook="<b>people</b>.xlsx",
        template_name="<i>t</i>",
    )
    document = html_report(plan, rate=1)
    assert "<img" not in document and "<b>people" not in document and "<i>t" not in document
    assert "&lt;b&gt;people&lt;/b&gt;.xlsx" in document


def test_html_report_replaces_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "report.html"
    path.write_text("an old report")
    write_html_report(sample_plan(), path, rate=1)
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert [p.name for p in tmp_path.iterdir()] == ["report.html"]


def test_html_report_gets_the_usual_file_mode_not_mkstemps_0600(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_html_report(sample_plan(), tmp_path / "report.html", rate=1)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == 0o644


# ----------------------------------------------------------------------- a real browser


def _chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="module")
def chromium() -> str:
    binary = _chromium_binary()
    if binary is None:
        pytest.skip("no chromium binary (apt-get install chromium)")
    return binary


@pytest.fixture(scope="module")
def report_file(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    path = tmp_path_factory.mktemp("report") / "people.report.html"
    write_html_report(sample_plan(), path, rate=0.025)
    yield path


def _browse(chromium: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        chromium,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=60, check=True)


def _visible_statuses(dom: str) -> dict[str, list[bool]]:
    """data-status -> whether each such row is shown (no `hidden`, no display: none)."""
    shown: dict[str, list[bool]] = {}
    for _, attrs in _tags(dom):
        status = attrs.get("data-status")
        if status is None:
            continue
        style = (attrs.get("style") or "").replace(" ", "")
        visible = "hidden" not in attrs and "display:none" not in style
        shown.setdefault(status, []).append(visible)
    return shown


def test_browser_renders_the_report(chromium: str, report_file: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    dom = _browse(chromium, tmp_path / "profile", "--dump-dom", report_file.as_uri()).stdout
    assert "Summary" in dom and "<b>2</b>to change" in dom
    assert sample_plan().checksum in dom
    assert "Showing all 5 records." in dom  # the script ran (CSP allowed it) with no filter
    assert all(all(flags) for flags in _visible_statuses(dom).values())
    assert time.monotonic() - started < 15


def test_browser_filter_from_the_url_shows_only_conflicts(
    chromium: str, report_file: Path, tmp_path: Path
) -> None:
    url = report_file.as_uri() + "#status=conflict"
    dom = _browse(chromium, tmp_path / "profile", "--dump-dom", url).stdout
    shown = _visible_statuses(dom)
    assert shown["conflict"] == [True]
    assert shown["change"] == [False, False] and shown["no-op"] == [False]
    assert shown["invalid"] == [False]
    assert "Showing 1 of 5 records (conflict)." in dom
    assert re.search(r'data-filter="conflict"[^>]*aria-pressed="true"', dom)


def test_browser_takes_a_screenshot(chromium: str, report_file: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    _browse(
        chromium,
        tmp_path / "profile",
        f"--screenshot={png}",
        "--window-size=1280,900",
        "--hide-scrollbars",
        report_file.as_uri(),
    )
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert png.stat().st_size > 10_000
