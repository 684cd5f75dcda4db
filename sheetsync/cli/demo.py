"""`sheetsync demo`: the whole loop on an in-process sandbox, in a couple of seconds.

Export researchers to a workbook; edit it as a person would in Excel (a display title, a
keyword list, an ORCID iD, a cleared field); plan, with the HTML report; apply the plan; and
write the results. The files stay in the demo folder for the person to open. Nothing outside
this process is touched: the sandbox lives in memory and is gone when the demo ends.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.text import Text

import sheetsync
from sheetsync.applying.journal import journal_path
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import RESEARCHERS
from sheetsync.planning.file import default_plan_path
from sheetsync.report.html import write_html_report
from sheetsync.report.terminal import render_plan
from sheetsync.sandbox import Sandbox, SandboxConfig
from sheetsync.workbook.edit import set_cells
from sheetsync.workbook.reader import read_export

DEMO_ORCID = "0000-0002-1825-0097"  # ORCID's own example iD: a valid check digit


@dataclass(frozen=True)
class DemoOutcome:
    """What the demo did and left behind, for tests and `--json`."""

    directory: str
    workbook: str
    plan: str
    report: str
    results: str
    statuses: dict[str, str]
    requests: int


def _edits(client: EsploroClient, ids: list[str]) -> dict[tuple[str, str], Any]:
    """Four edits a librarian makes every day, on four different researchers."""
    keywords = "Coastal erosion; Sediment transport; Remote sensing"
    with_pages = next(
        i for i in ids[3:] if RESEARCHERS.get(client, i)["researcher"]["researcher_webpage"]
    )
    return {
        (ids[0], "Display title"): "Professor of Coastal Geomorphology",
        (ids[1], "Keywords"): keywords,
        (ids[2], "ORCID iD"): DEMO_ORCID,
        (with_pages, "Web pages"): None,  # a cleared field: applied only with --allow-clears
    }


def run_demo(console: Console, directory: Path) -> DemoOutcome:
    """Run the loop in `directory` and tell `console` what each step did."""
    directory.mkdir(parents=True, exist_ok=True)
    workbook = directory / "researchers.xlsx"
    plan_path, report, results = (
        default_plan_path(workbook),
        directory / "plan.html",
        directory / "results.xlsx",
    )
    journal = journal_path(plan_path)
    journal.unlink(missing_ok=True)  # a demo run is a fresh run
    config = SandboxConfig(port=0, researchers=40, assets=10, rate_limit=1000.0)
    with (
        Sandbox(config).start() as server,
        sheetsync.connect(base_url=server.base_url, api_key=server.api_key, rate=200.0) as client,
    ):
        _step(console, "1. Export.", f"A sandbox runs at {server.base_url} (in memory).")
        sheetsync.export(client, "researchers", workbook, limit=25, overwrite=True)  # a fresh run
        console.print(Text(f"   {workbook}: 25 researchers, one row each."))
        ids = list(read_export(workbook).baseline)  # the exported IDs, in the sheet's order
        set_cells(workbook, _edits(client, ids))
        _step(
            console,
            "2. Edit.",
            "As a person in Excel: a title, a keyword list, an ORCID iD, and a cleared field.",
        )
        _step(console, "3. Plan.", "Diff against the export and the live records:")
        plan = sheetsync.plan(client, workbook)
        sheetsync.write_plan(plan, plan_path)
        write_html_report(plan, report, rate=client.limiter.max_rate)
        render_plan(console, plan, rate=client.limiter.max_rate)
        _step(console, "4. Apply", "(with --allow-clears): re-fetch, stale check, write, verify.")
        result = sheetsync.apply(client, plan, journal=journal, allow_clears=True)
        sheetsync.results(client, plan, result, results)
        requests = int(server.stats()["total"])
    statuses = {r.record_id: str(r.status) for r in result.results}
    console.print(Text(f"   {', '.join(f'{i}: {s}' for i, s in statuses.items())}"))
    _step(
        console,
        "5. Look.",
        f"Open {workbook}, {report} and {results} ({requests} API requests in all).",
    )
    return DemoOutcome(
        str(directory), str(workbook), str(plan_path), str(report), str(results), statuses, requests
    )


def _step(console: Console, heading: str, text: str) -> None:
    console.print(Text.assemble((heading, "bold"), " ", text))
