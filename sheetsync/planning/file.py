"""The plan as a file: versioned JSON, written atomically and owner-only, read back only if
its checksum still matches its content (a plan edited by hand is refused: plan again)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sheetsync.errors import PlanFileError
from sheetsync.filekinds import wrong_kind
from sheetsync.files import PRIVATE, write_text_atomically
from sheetsync.planning.model import (
    PLAN_FORMAT_VERSION,
    CellEdit,
    Outcome,
    Plan,
    RecordPlan,
    RowProblem,
    Status,
    compute_checksum,
)


def default_plan_path(workbook: Path) -> Path:
    """`people.xlsx` -> `people.plan.json`, beside the workbook."""
    return workbook.with_name(workbook.stem + ".plan.json")


def write_plan(plan: Plan, path: str | os.PathLike[str]) -> None:
    """Write the plan atomically, readable by its owner only (it holds record data)."""
    text = json.dumps(plan.to_json(), ensure_ascii=False, indent=1) + "\n"
    write_text_atomically(Path(path), text, mode=PRIVATE)


def read_plan(path: str | os.PathLike[str]) -> Plan:
    """Read a plan file back, refusing one whose checksum no longer matches its content."""
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        _refuse_other_kind(path)
        raise PlanFileError(f"{path}: not a readable plan file ({exc})") from None
    if not isinstance(document, dict) or document.get("format_version") != PLAN_FORMAT_VERSION:
        _refuse_other_kind(path)
        version = document.get("format_version") if isinstance(document, dict) else None
        raise PlanFileError(
            f"{path}: plan format {version!r}, and this sheetsync reads {PLAN_FORMAT_VERSION}; "
            "plan again"
        )
    if compute_checksum(document) != document.get("checksum"):
        raise PlanFileError(
            f"{path}: its checksum does not match its content: it was edited after planning; "
            "plan again rather than edit a plan"
        )
    try:
        return _plan_from_json(document)
    except (KeyError, TypeError, ValueError) as exc:
        raise PlanFileError(f"{path}: not a plan sheetsync can use ({exc!r})") from None


def _refuse_other_kind(path: str | os.PathLike[str]) -> None:
    """A workbook or template given where a plan belongs is named as what it is."""
    mistaken = wrong_kind(path, "plan")
    if mistaken:
        raise PlanFileError(f"{path}: {mistaken}")


def _plan_from_json(document: dict[str, Any]) -> Plan:
    """The plan a document holds; its texts become `Status` and `Outcome` again (an unknown one
    is a ValueError), so that `read_plan(path) == plan` for the plan written there."""
    records = tuple(
        RecordPlan(
            **{
                **record,
                "status": Status(record["status"]),
                "edits": tuple(
                    CellEdit(
                        **{
                            **edit,
                            "outcome": Outcome(edit["outcome"]),
                            "normalised": tuple(edit.get("normalised", ())),
                        }
                    )
                    for edit in record["edits"]
                ),
                "patch": tuple(record["patch"]),
                "clear_patch": tuple(record["clear_patch"]),
                "messages": tuple(record["messages"]),
            }
        )
        for record in document["records"]
    )
    return Plan(
        **{
            **document,
            "records": records,
            "row_problems": tuple(RowProblem(**p) for p in document["row_problems"]),
            "notices": tuple(document["notices"]),
        }
    )
