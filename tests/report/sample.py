"""Plans built by hand for the report tests, as the plan engine would build them for a
researchers workbook: a display title and a keyword list changed, an ORCID cleared, a title
in conflict, an invalid position code, a value already live, a row whose ID is not in the
export.
"""

from __future__ import annotations

from sheetsync.planning.model import CellEdit, Outcome, Plan, RecordPlan, RowProblem, Status
from tests.plans import SHEET, make_plan

XSS = "<script>alert(1)</script>"
LONG_TITLE = "Professor of Marine Ecology and " + "Coastal Oceanography " * 8 + "(END)"

PATHS = {
    "Display title": "/researcher/display_title",
    "Keywords": "/researcher/researcher_keyword[*]/value",
    "ORCID": "/researcher/user_identifier[id_type/value=ORCID]/value",
    "Position": "/researcher/position/value",
}


def edit(
    column: str,
    cell: str,
    baseline: str | None,
    edited: str | None,
    live: str | None,
    outcome: Outcome,
    message: str = "",
) -> CellEdit:
    path = PATHS[column]
    return CellEdit(column, path, cell, SHEET, baseline, edited, live, outcome, message)


def record(
    record_id: str, status: Status, row: int, *edits: CellEdit, messages: tuple[str, ...] = ()
) -> RecordPlan:
    fingerprint = "f" * 64
    return RecordPlan(record_id, status, edits, row, fingerprint, messages=messages)


plan = make_plan


def sample_plan() -> Plan:
    """One of each: what a reviewer meets in a real researchers plan."""
    records = [
        record(
            "0001234",
            Status.CHANGE,
            2,
            edit("Display title", "F2", "Lecturer", LONG_TITLE, "Lecturer", Outcome.WRITE),
            edit(
                "Keywords",
                "J2",
                "coral reefs; ocean acidification",
                "coral reefs; ocean acidification; seagrass",
                "coral reefs; ocean acidification",
                Outcome.WRITE,
            ),
        ),
        record(
            "0001235",
            Status.CHANGE,
            3,
            edit("ORCID", "L3", "0000-0002-1825-0097", None, "0000-0002-1825-0097", Outcome.WRITE),
        ),
        record(
            "0001236",
            Status.CONFLICT,
            4,
            edit(
                "Display title",
                "F4",
                "Lecturer",
                "Senior Lecturer",
                "Associate Professor",
                Outcome.CONFLICT,
                "changed in Esploro since the export, to a different value",
            ),
            edit("Keywords", "J4", "tides", "tides; estuaries", "tides", Outcome.WRITE),
            messages=("1 cell in conflict",),
        ),
        record(
            "0001237",
            Status.INVALID,
            5,
            edit(
                "Position",
                "H5",
                "LECTURER",
                "PROFF",
                "LECTURER",
                Outcome.INVALID,
                "'PROFF' is not a code in ResearcherPositions",
            ),
        ),
        record(
            "0001238",
            Status.NO_OP,
            6,
            edit(
                "Display title",
                "F6",
                "Reader",
                XSS + "\nsecond line",
                XSS + "\nsecond line",
                Outcome.SAME_AS_LIVE,
            ),
        ),
    ]
    problems = (RowProblem(SHEET, 9, "Primary ID", "ID 9999999 is not in this export's baseline"),)
    notices = ("Column 'My notes' is not in the template: it is ignored.",)
    return plan(records, problems, notices)


def many_changes(count: int) -> Plan:
    return plan(
        [
            record(
                f"R{n:05d}",
                Status.CHANGE,
                n + 2,
                edit(
                    "Display title",
                    f"F{n + 2}",
                    "Lecturer",
                    f"Professor {n}",
                    "Lecturer",
                    Outcome.WRITE,
                ),
            )
            for n in range(count)
        ]
    )
