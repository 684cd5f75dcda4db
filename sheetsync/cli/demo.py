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

from sheetsync.applying.results import write_results
from sheetsync.applying.run import ApplyOptions, apply_plan
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import RESEARCHERS, Selection
from sheetsync.exporting import export_records
from sheetsync.planning.build import build_plan
from sheetsync.planning.model import default_plan_path, write_plan
from sheetsync.report.terminal import render_plan, write_html_report
from sheetsync.sandbox import READ_WRITE_KEY, Sandbox, SandboxConfig
from sheetsync.template import load_template
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
    directory.mkdir(parents=True, exist_ok=True)
    workbook = directory / "researchers.xlsx"
    plan_path, report, results = (
        default_plan_path(workbook),
        directory / "plan.html",
        directory / "results.xlsx",
    )
    journal = plan_path.with_name(plan_path.stem + ".journal.jsonl")
    journal.unlink(missing_ok=True)  # a demo run is a fresh run
    config = SandboxConfig(port=0, researchers=40, assets=10, rate_limit=1000.0)
    with (
        Sandbox(config).start() as server,
        EsploroClient(server.base_url, READ_WRITE_KEY, rate=200.0) as client,
    ):
        console.print(f"[bold]1. Export.[/] A sandbox runs at {server.base_url} (in memory).")
        export_records(client, load_template("researchers"), workbook, Selection(limit=25))
        console.print(f"   {workbook}: 25 researchers, one row each.")
        ids = list(read_export(workbook).baseline)  # the exported IDs, in the sheet's order
        changes = _edits(client, ids)
        set_cells(workbook, changes)
        console.print(
            "[bold]2. Edit.[/] As a person in Excel: a title, a keyword list, an ORCID iD, "
            "and a cleared field."
        )
        console.print("[bold]3. Plan.[/] Diff against the export and the live records:")
        plan = build_plan(client, workbook)
        write_plan(plan, plan_path)
        write_html_report(plan, report, rate=client.limiter.max_rate)
        render_plan(console, plan, rate=client.limiter.max_rate)
        console.print(
            "[bold]4. Apply[/] (with --allow-clears): re-fetch, stale check, write, verify, "
            "journal."
        )
        result = apply_plan(client, plan, plan_path, ApplyOptions(allow_clears=True))
        write_results(client, plan, result, results)
        requests = int(server.stats()["total"])
    statuses = {r.record_id: r.status for r in result.results}
    console.print(f"   {', '.join(f'{i}: {s}' for i, s in statuses.items())}")
    console.print(
        f"[bold]5. Look.[/] Open {workbook}, {report} and {results} "
        f"({requests} API requests in all)."
    )
    return DemoOutcome(
        str(directory), str(workbook), str(plan_path), str(report), str(results), statuses, requests
    )
