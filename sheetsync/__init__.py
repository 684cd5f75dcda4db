"""sheetsync: declarative, spreadsheet-driven bulk editing for Ex Libris Esploro.

Export records to a workbook, let a person edit cells, plan the changes against the live
records, apply them (journaled, resumable, verified) and roll them back if need be:

    import sheetsync

    with sheetsync.connect(profile="prod") as client:
        summary = sheetsync.export(client, "researchers", "people.xlsx", query="ALL~chemistry")
        # ... a person edits people.xlsx ...
        plan = sheetsync.plan(client, "people.xlsx")
        sheetsync.write_plan(plan, "people.plan.json")
        result = sheetsync.apply(client, plan, journal="people.journal.jsonl")

`sheetsync.Sandbox` is an Esploro-compatible server to rehearse on (imported only when first
used). Every error sheetsync raises on purpose is a `SheetsyncError`. docs/python-api.md walks
through a whole loop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sheetsync._version import __version__
from sheetsync.api import apply, check, connect, export, plan, results, rollback, snapshot
from sheetsync.applying.journal import Journal
from sheetsync.applying.run import ApplyResult, ApplyStatus, RecordResult
from sheetsync.errors import (
    ApplyError,
    AuthorizationError,
    CanaryStopped,
    ConfigError,
    DailyQuotaError,
    EsploroApiError,
    EsploroConnectionError,
    EsploroError,
    ExportError,
    InvalidResponseError,
    JournalError,
    NotFoundError,
    NothingToExport,
    PathError,
    PlanError,
    PlanFileError,
    PlanLocked,
    QuotaFloorReached,
    RateLimitError,
    RecordIdError,
    ServerError,
    SheetsyncError,
    TemplateError,
    WorkbookError,
)
from sheetsync.esploro.check import CheckReport
from sheetsync.esploro.client import EsploroClient
from sheetsync.esploro.preflight import CheckRow, PreflightReport
from sheetsync.exporting import ExportSummary
from sheetsync.planning.file import read_plan, write_plan
from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan, RowProblem, Status
from sheetsync.snapshot import SnapshotSummary
from sheetsync.template import Column, Template, load_template

if TYPE_CHECKING:
    from sheetsync.sandbox import Sandbox, SandboxConfig


def __getattr__(name: str) -> Any:
    """`sheetsync.Sandbox` and `sheetsync.SandboxConfig`, imported on first use: the library
    itself never needs its own emulator, so `import sheetsync` does not load it."""
    if name in ("Sandbox", "SandboxConfig"):
        from sheetsync import sandbox

        return getattr(sandbox, name)
    raise AttributeError(f"module 'sheetsync' has no attribute {name!r}")


__all__ = [
    "ApplyError",
    "ApplyResult",
    "ApplyStatus",
    "AuthorizationError",
    "CanaryStopped",
    "CellEdit",
    "CheckReport",
    "CheckRow",
    "Column",
    "ConfigError",
    "DailyQuotaError",
    "EsploroApiError",
    "EsploroClient",
    "EsploroConnectionError",
    "EsploroError",
    "ExportError",
    "ExportSummary",
    "InvalidResponseError",
    "Journal",
    "JournalError",
    "NotFoundError",
    "NothingToExport",
    "Outcome",
    "PathError",
    "Plan",
    "PlanError",
    "PlanFileError",
    "PlanLocked",
    "PreflightReport",
    "QuotaFloorReached",
    "RateLimitError",
    "RecordIdError",
    "RecordPlan",
    "RecordResult",
    "RowProblem",
    "Sandbox",
    "SandboxConfig",
    "ServerError",
    "SheetsyncError",
    "SnapshotSummary",
    "Status",
    "Template",
    "TemplateError",
    "WorkbookError",
    "__version__",
    "apply",
    "check",
    "connect",
    "export",
    "load_template",
    "plan",
    "read_plan",
    "results",
    "rollback",
    "snapshot",
    "write_plan",
]
