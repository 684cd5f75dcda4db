"""The terminal renderers: the plan a person approves, and the commands' summaries.

Every value they print came from someone else (a workbook, a template, a server, a path), so
beyond what each shows, the tests here check that no value is ever read as rich markup: they
print through a console with markup on, as the commands' consoles have it, and look for each
value exactly as it was given.
"""

from __future__ import annotations

import io
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from sheetsync.applying.run import ApplyResult, ApplyStatus, RecordResult
from sheetsync.esploro.check import CheckReport
from sheetsync.esploro.preflight import CheckRow, PreflightReport
from sheetsync.exporting import ExportSummary
from sheetsync.fieldpath import parse_path
from sheetsync.planning.model import CellEdit, Outcome, Plan, RowProblem, Status
from sheetsync.report.terminal import (
    apply_summary,
    check_report,
    export_summary,
    preflight_table,
    render_plan,
    template_table,
    templates_table,
)
from sheetsync.template import Column, Template
from tests.plans import SHEET
from tests.report.sample import LONG_TITLE, edit, many_changes, plan, record, sample_plan

# What rich markup would swallow, restyle or choke on ("[/]" with nothing open raises), and an
# emoji code rich would replace: all must reach the terminal as typed.
MARKUP = "[bold]b[/] [/] [red]r[/red] [link=x]l[/link] [x] :warning:"


def _console() -> tuple[Console, io.StringIO]:
    """A console as the commands make one (markup on), wide enough that nothing wraps."""
    stream = io.StringIO()
    return Console(file=stream, width=200), stream


def _render(plan: Plan, *, width: int = 120, verbose: bool = False, limit: int = 20) -> str:
    stream = io.StringIO()
    console = Console(file=stream, width=width)
    render_plan(console, plan, rate=0.025, verbose=verbose, limit=limit)
    return stream.getvalue()


def _lines(text: str) -> list[str]:
    """Output lines with trailing spaces and table borders trimmed."""
    return [re.sub(r"\s+$", "", line) for line in text.splitlines()]


# -------------------------------------------------------------------------------------- plan


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
    # an invalid cell is its message in words: no baseline/edited/live triple repeating it
    assert "invalid: 'PROFF' is not a code" in " ".join(out.split())
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
    plan = many_changes(30)
    compact = _render(plan, limit=20)
    assert "R00019" in compact and "R00020" not in compact
    assert "... and 10 more change records (use --verbose)" in compact
    verbose = _render(plan, verbose=True, limit=20)
    assert all(f"R{n:05d}" in verbose for n in range(30))
    assert "more change records" not in verbose


def test_values_are_never_read_as_rich_markup() -> None:
    plan_ = plan(
        [
            record(
                "[bold]7[/bold]",
                Status.CHANGE,
                2,
                edit("Display title", "F2", "a", "[red]Professor[/red]", "a", Outcome.WRITE),
            )
        ]
    )
    out = _render(plan_)
    assert "[bold]7[/bold]" in out and "[red]Professor[/red]" in out


def test_every_part_of_a_plan_reaches_the_terminal_as_typed() -> None:
    """Headers, values, messages, IDs, names and notices: none is read as markup."""
    header = "[bold]Title[/]"
    write = CellEdit(
        header, "/researcher/display_title", "F2", SHEET, "[b]", "[red]x[/]", "[b]", Outcome.WRITE
    )
    conflict = CellEdit(
        "[i]Name[/i]",
        "/researcher/name",
        "G3",
        SHEET,
        "[/]",
        "[x]",
        "[y]",
        Outcome.CONFLICT,
        "[/] why",
    )
    plan_ = plan(
        [
            record("[bold]7[/]", Status.CHANGE, 2, write),
            record("[8]", Status.CONFLICT, 3, conflict, messages=("[red]record[/red] [/]",)),
        ],
        (RowProblem("[sheet]", 9, "[/]", "ID [bold]9[/] is not in the baseline"),),
        (f"Column '{MARKUP}' is not in the template",),
        workbook="[bold]people[/].xlsx",
        template_name="[i]t[/i]",
        template_source="/tmp/[x]/t.toml",
    )
    console, stream = _console()
    render_plan(console, plan_, rate=1, verbose=True)
    out = stream.getvalue()
    lines = _lines(out)
    assert "Plan for [bold]people[/].xlsx" in lines
    assert f"sheet {SHEET}, template [i]t[/i] (/tmp/[x]/t.toml)" in lines
    assert f"{header} 1" in out  # changed cells per column
    for text in (
        "[bold]7[/]",
        f"{header}: [b] -> [red]x[/]",
        "[8]",
        "[i]Name[/i]: conflict: baseline [/], edited [x], live [y] - [/] why",
        "[red]record[/red] [/]",
        "[sheet]",
        "ID [bold]9[/] is not in the baseline",
        f"notice: Column '{MARKUP}' is not in the template",
    ):
        assert text in out, text


def test_the_base_url_is_shown_without_anything_that_could_be_a_key() -> None:
    plan_ = many_changes(1)
    plan_ = replace(plan_, base_url="https://me:s3cr3t@api.example.org/esploro?apikey=l7xxDEAD#x")
    out = _render(plan_)
    assert "api.example.org/esploro" in out
    assert "s3cr3t" not in out and "l7xxDEAD" not in out


def test_an_empty_plan_says_there_is_nothing_to_send() -> None:
    out = _render(plan([]))
    assert "0 to change" in out and "apply has nothing to send" in out


@pytest.mark.parametrize("rate", [0.0, -1.0, float("nan")])
def test_a_rate_that_is_not_positive_is_refused(rate: float) -> None:
    with pytest.raises(ValueError, match="rate"):
        render_plan(Console(file=io.StringIO()), sample_plan(), rate=rate)


# ---------------------------------------------------------------------------------- commands


def _template() -> Template:
    """A template whose every shown part holds what markup would eat."""
    orcid = "/researcher/user_identifier[id_type/value=ORCID]/value"
    columns = (
        Column("[bold]ID[/]", parse_path("/primary_id"), readonly=True),
        Column(
            "[bold]ORCID[/] [x]",
            parse_path(orcid),
            pattern=re.compile(r"^[/][a-z]{3}$"),
            max_length=19,
        ),
        Column(
            "Position",
            parse_path("/researcher/position/value"),
            type="code",
            code_table="[bold]Positions[/]",
        ),
        Column("Keywords", parse_path("/researcher/researcher_keyword[*]/value"), join="[/]"),
    )
    return Template(
        name="[red]people[/red]",
        description=f"Edit {MARKUP}",
        entity="researchers",
        write_mode="put",
        id_path=parse_path("/primary_id"),
        columns=columns,
        source="/tmp/[bold]t[/]/people.toml",
        sha256="c" * 64,
    )


def test_a_template_reaches_the_terminal_as_typed() -> None:
    console, stream = _console()
    console.print(template_table(_template()))
    out = stream.getvalue()
    assert "[red]people[/red] (/tmp/[bold]t[/]/people.toml)" in out  # the title
    for text in (
        "[bold]ID[/]",
        "id, read-only",
        "[bold]ORCID[/] [x]",
        "/researcher/user_identifier[id_type/value=ORCID]/value",
        "pattern ^[/][a-z]{3}$, max 19",
        "code table [bold]Positions[/]",
        "/researcher/researcher_keyword[*]/value",
        'joined by "[/]"',
    ):
        assert text in out, text


def test_the_templates_list_reaches_the_terminal_as_typed() -> None:
    console, stream = _console()
    console.print(templates_table([_template()]))
    out = stream.getvalue()
    assert "[red]people[/red]" in out and f"Edit {MARKUP}" in out


def _check(**fields: Any) -> CheckReport:
    report = CheckReport(
        base_url="https://api.example.org/[bold]esploro[/]",
        key_source="keyring [profile [x]]",
        can_read_researchers=True,
        can_read_assets=False,
        researchers_error=None,
        assets_error="UNAUTHORIZED [/] [bold]no rights[/] (trackingId [E01-1])",
        remaining_quota=12345,
        latency_ms=87.2,
        calls_used=3,
    )
    return replace(report, **fields)


def test_a_preflight_is_one_table_of_checks_as_typed() -> None:
    console, stream = _console()
    rows = (
        CheckRow("base URL", "pass", "https://api.example.org answered in 80 ms"),
        CheckRow(f"code table {MARKUP}", "fail", f"not in this Esploro ({MARKUP})"),
        CheckRow("path of Suffix", "warn", "/researcher/researcher_sufix is in none"),
    )
    report = PreflightReport(
        base_url="https://api.example.org/[bold]esploro[/]",
        key_source="keyring",
        template="my [x] template",
        entity="researchers",
        sampled=50,
        remaining_quota=100,
        calls_used=57,
        rows=rows,
    )
    preflight_table(console, report)
    out = stream.getvalue()
    assert (
        "Preflight of template my [x] template at https://api.example.org/[bold]esploro[/]" in out
    )
    assert f"code table {MARKUP}" in out and f"not in this Esploro ({MARKUP})" in out
    table_rows = [line for line in out.splitlines() if line.startswith("│")]
    assert [row.split("│")[2].strip() for row in table_rows] == ["pass", "fail", "warn"]
    assert "1 failed, 1 to read, 1 passed; 57 API calls, nothing written" in out


def test_a_check_report_reaches_the_terminal_as_typed() -> None:
    console, stream = _console()
    check_report(console, _check())
    check_report(
        console,
        _check(can_read_researchers=False, researchers_error=MARKUP, remaining_quota=None),
    )
    assert _lines(stream.getvalue()) == [
        "base URL         https://api.example.org/[bold]esploro[/]",
        "API key from     keyring [profile [x]]",
        "read researchers yes",
        "read assets      no (UNAUTHORIZED [/] [bold]no rights[/] (trackingId [E01-1]))",
        "daily quota left 12,345",
        "round trip       87 ms",
        "base URL         https://api.example.org/[bold]esploro[/]",
        "API key from     keyring [profile [x]]",
        f"read researchers no ({MARKUP})",
        "read assets      no (UNAUTHORIZED [/] [bold]no rights[/] (trackingId [E01-1]))",
        "daily quota left unknown",
        "round trip       87 ms",
    ]


def test_an_export_summary_reaches_the_terminal_as_typed() -> None:
    path = Path("/tmp/[bold]out[/]/people [1] :warning:.xlsx")
    summary = ExportSummary(path, "[red]t[/]", 1234, 12, 3, 45, 9000, 12.34)
    console, stream = _console()
    export_summary(console, summary)
    out = stream.getvalue()
    assert (
        f"Exported 1,234 records x 12 columns to {path} in 12.3 s "
        "(45 API calls; daily quota left: 9,000)."
    ) in _lines(out)
    assert "3 cells exceed Excel's 32,767-character limit: they are marked orange" in out


def test_an_apply_result_reaches_the_terminal_as_typed() -> None:
    results = (
        RecordResult("[bold]1[/]", ApplyStatus.UPDATED),
        RecordResult(
            "[2]",
            ApplyStatus.FAILED,
            error_code="[401]",
            error_message="[red]denied[/red] [/]",
            tracking_id="[E01-1]",
        ),
        RecordResult("[/]", ApplyStatus.UPDATED, warnings=("[bold]w1[/]", "w2 [x]")),
    )
    journal = Path("/tmp/[j]/[bold]journal[/].jsonl")
    console, stream = _console()
    apply_summary(console, ApplyResult(results, journal, stopped="[/] a refused [b]write[/b]"))
    out = stream.getvalue()
    lines = _lines(out)
    assert "Applied: 1 failed, 2 updated" in lines
    for text in ("[2]", "[401]", "[red]denied[/red] [/]", "[E01-1]", "[/]", "[bold]w1[/]; w2 [x]"):
        assert text in out, text
    assert "[bold]1[/]" not in out  # updated as planned: not listed
    assert "Stopped: [/] a refused [b]write[/b]" in lines
    assert f"Journal: {journal}" in lines


def test_a_stopped_runs_records_not_attempted_are_counted_not_listed() -> None:
    """An apply of 5,000 stopped after 3 must not print 4,997 rows saying "interrupted": the
    count, why it stopped and how to resume say it; records that did go wrong are still listed,
    without errorCode and trackingId columns when Esploro gave none."""
    results = (
        RecordResult("1", ApplyStatus.UPDATED),
        RecordResult("2", ApplyStatus.STALE, error_message="changed in Esploro"),
        *(
            RecordResult(str(n), ApplyStatus.NOT_ATTEMPTED, error_message="interrupted")
            for n in range(3, 40)
        ),
    )
    console, stream = _console()
    apply_summary(
        console, ApplyResult(results, Path("j.jsonl"), interrupted=True, stopped="interrupted")
    )
    out = stream.getvalue()
    assert "Applied: 37 not attempted, 1 stale, 1 updated" in _lines(out)
    assert "changed in Esploro" in out and "errorCode" not in out
    assert not re.search(r"\b(3|17|39)\b.*not attempted", out), out
    assert "Stopped: interrupted" in _lines(out)

    console, stream = _console()
    apply_summary(console, ApplyResult(results, Path("j.jsonl")))  # finished: nothing hidden
    assert len(re.findall(r"not attempted", stream.getvalue())) == 1 + 37
