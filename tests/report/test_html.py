"""The HTML report: self-contained, escaped, locked down by its CSP, and working in a browser.

The browser tests run headless Chromium on the written file; they are skipped where there is
no chromium binary.
"""

from __future__ import annotations

import base64
import hashlib
import html
import os
import re
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import replace
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path

import pytest

from sheetsync.planning.model import Outcome, Plan, Status
from sheetsync.report.html import html_report, write_html_report
from tests.report.sample import XSS, edit, many_changes, plan, record, sample_plan


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


def _static(name: str) -> str:
    return (resources.files("sheetsync.report") / "static" / name).read_text(encoding="utf-8")


def _inline(document: str, tag: str) -> str:
    texts: list[str] = re.findall(rf"<{tag}>(.*?)</{tag}>", document, flags=re.DOTALL)
    (text,) = texts  # exactly one
    return text


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


def test_the_style_and_script_are_the_package_files_inlined() -> None:
    document = html_report(sample_plan(), rate=1)
    assert _inline(document, "style") == _static("report.css")
    assert _inline(document, "script") == _static("report.js")
    for name, closing in (("report.css", "</style"), ("report.js", "</script")):
        assert closing not in _static(name).lower()  # would end the inlined element early


def test_the_policy_allows_exactly_the_inlined_style_and_script() -> None:
    document = html_report(sample_plan(), rate=1)
    (policy,) = [
        attrs["content"] or ""
        for tag, attrs in _tags(document)
        if tag == "meta" and attrs.get("http-equiv") == "Content-Security-Policy"
    ]

    def allowed(text: str) -> str:
        digest = base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()
        return f"'sha256-{digest}'"

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'none'"
    assert directives["style-src"] == allowed(_inline(document, "style"))
    assert directives["script-src"] == allowed(_inline(document, "script"))


def test_html_report_holds_checksum_records_statuses_and_escaped_values(tmp_path: Path) -> None:
    plan_ = sample_plan()
    path = tmp_path / "report.html"
    write_html_report(plan_, path, rate=0.025)
    document = path.read_text(encoding="utf-8")
    assert f'<code id="checksum">{plan_.checksum}</code>' in document
    for record_ in plan_.records:
        assert record_.record_id in document
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


def test_html_report_words_each_outcome() -> None:
    document = html.unescape(html_report(sample_plan(), rate=1))
    assert "clear, applied only with apply --allow-clears" in document
    assert "nothing to do: already live" in document
    assert "conflict: changed in Esploro since the export, to a different value" in document
    assert "invalid: 'PROFF' is not a code in ResearcherPositions" in document


def test_html_report_escapes_workbook_names_and_ids_too() -> None:
    plan_ = plan(
        [record('7"><img src=x onerror=alert(1)>', Status.CHANGE, 2)],
        workbook="<b>people</b>.xlsx",
        template_name="<i>t</i>",
    )
    document = html_report(plan_, rate=1)
    assert "<img" not in document and "<b>people" not in document and "<i>t" not in document
    assert "&lt;b&gt;people&lt;/b&gt;.xlsx" in document


def test_the_base_url_is_shown_without_anything_that_could_be_a_key() -> None:
    plan_ = many_changes(1)
    plan_ = replace(plan_, base_url="https://me:s3cr3t@api.example.org/esploro?apikey=l7xxDEAD#x")
    document = html_report(plan_, rate=1)
    assert "api.example.org/esploro" in document
    assert "s3cr3t" not in document and "l7xxDEAD" not in document


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        html_report(sample_plan(), rate=rate)


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


# Run in a copy of a report whose policy is loosened for it alone: where each ID's text lies
# once laid out, written into the page for --dump-dom to carry out.
_ID_PROBE = """<script>
window.addEventListener("load", function () {
  var found = [];
  document.querySelectorAll("td.id").forEach(function (cell) {
    var id = cell.querySelector(".id"), box = cell.getBoundingClientRect();
    var text = document.createRange();
    text.selectNodeContents(id);  // a text range has one rectangle per line it spans
    var lines = text.getClientRects().length, right = text.getBoundingClientRect().right;
    found.push(id.textContent + " " + lines + " " + (right <= box.right + 0.5 ? "in" : "out"));
  });
  document.body.setAttribute("data-ids", found.join("|"));
});
</script>"""


@pytest.mark.parametrize("width", [1280, 900])
def test_browser_never_breaks_an_id_and_shows_the_name_under_it(
    chromium: str, tmp_path: Path, width: int
) -> None:
    long_ids = ["732232259330000561", "conceicao.simoes@esploro.edu", "0001"]
    records = [
        replace(r, record_id=i, display_name=f"Name of {i}")
        for r, i in zip(sample_plan().records, long_ids, strict=False)
    ]
    document = html_report(plan(records), rate=1)
    assert '<span class="name">Name of conceicao.simoes@esploro.edu</span>' in document
    probed = re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", document)
    page = tmp_path / "probe.html"
    page.write_text(probed.replace("</body>", _ID_PROBE + "</body>"), encoding="utf-8")
    dom = _browse(
        chromium, tmp_path / "profile", f"--window-size={width},900", "--dump-dom", page.as_uri()
    ).stdout
    found = re.search(r'data-ids="([^"]*)"', dom)
    assert found, dom[:500]
    assert sorted(html.unescape(found[1]).split("|")) == sorted(f"{i} 1 in" for i in long_ids)


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


def _normalised_plan() -> Plan:
    trimmed = replace(
        edit("Display title", "F2", "Sebnem", "Şebnem", "Sebnem ", Outcome.WRITE),
        normalised=("trimmed 2 trailing spaces",),
    )
    refused = replace(
        edit(
            "ORCID", "P3", None, "0000-0002-1825", None, Outcome.INVALID,
            "Researchers!P3 (ORCID iD): 'x' is not written the way column 'ORCID iD' needs",
        ),
        rule=r"the template's pattern for this column: ^\d{4}$",
    )  # fmt: skip
    return plan([record("1", Status.CHANGE, 2, trimmed), record("2", Status.INVALID, 3, refused)])


def test_normalisations_invisible_characters_and_rules_are_shown(
    chromium: str, tmp_path: Path
) -> None:
    """In a browser: the normalisation under the outcome, the live value's trailing space as a
    mark, and the pattern only in a closed "template rule" note, never in the message."""
    path = tmp_path / "report.html"
    write_html_report(_normalised_plan(), path, rate=1)
    dom = _browse(chromium, tmp_path / "profile", "--dump-dom", path.as_uri()).stdout
    assert '<div class="normalised">normalised: trimmed 2 trailing spaces</div>' in dom
    assert '<span class="value">Sebnem·</span>' in dom
    rule = re.search(r'<details class="rule">(.*?)</details>', dom, flags=re.DOTALL)
    assert rule is not None and "<summary>template rule</summary>" in rule.group(1)
    assert r"^\d{4}$" in html.unescape(rule.group(1))
    assert dom.count(r"^\d{4}$") == 1  # the message itself is in words
