"""An apply's results as a workbook, like Salesforce Data Loader's success and error files.

One sheet, `Results`, has a row per record: ID, status, fields written, verification
warnings, errorCode, errorMessage, trackingId. When some records were not updated (stale, in
conflict, invalid, failed, not attempted), the same workbook is also a fresh export of exactly
those records in the template's layout, with its own baseline, so it can be edited and
planned again as it is.
"""

from __future__ import annotations

from pathlib import Path

from sheetsync.applying.run import ApplyResult
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.entities import Selection
from sheetsync.exporting import Table, export_records
from sheetsync.planning.model import Plan
from sheetsync.template import load_template
from sheetsync.workbook.tables import write_tables

RESULTS_SHEET = "Results"
RESULTS_HEADER = (
    "Record ID",
    "Status",
    "Fields written",
    "Verification warnings",
    "errorCode",
    "errorMessage",
    "trackingId",
)


def results_table(result: ApplyResult) -> Table:
    rows = [
        (
            r.record_id,
            r.status,
            "; ".join(r.fields),
            "; ".join(r.warnings),
            r.error_code,
            r.error_message,
            r.tracking_id,
        )
        for r in result.results
    ]
    return RESULTS_SHEET, RESULTS_HEADER, rows


def write_results(client: EsploroClient, plan: Plan, result: ApplyResult, path: Path) -> int:
    """Write the results workbook; returns how many records it holds to edit again."""
    table = results_table(result)
    again = tuple(dict.fromkeys(r.record_id for r in result.results if not r.settled))
    if not again:
        write_tables(path, [table])
        return 0
    template = load_template(plan.template_source)
    export_records(client, template, path, Selection(ids=again), tables=[table])
    return len(again)
