"""Every error sheetsync raises on purpose, in one hierarchy under `SheetsyncError`.

One root, so a caller (the command line, a notebook, a script) can catch everything sheetsync
means to say with one `except`, and anything else is a bug. Each error's `str()` is one line
that says what happened and, where there is something to do, what to do; `exit_code` is what
the command line exits with. The names say what went wrong, as httpx's do:

    SheetsyncError
    ├── ConfigError            settings: no key, an unknown profile, a bad base URL
    ├── TemplateError          a template file that cannot be used (file, line, key)
    ├── PathError              a field path that cannot be parsed, or a write the record refuses
    ├── RecordIdError          a record with no usable ID
    ├── ExportError            an export that cannot go ahead
    │   └── NothingToExport    the selection matched no records
    ├── WorkbookError          a workbook that cannot be trusted (file and place)
    ├── PlanError              a workbook that cannot be planned against this connection
    ├── PlanFileError          a plan file that is unreadable, of another version, or edited
    ├── ApplyError             apply or rollback will not start, or had to stop
    ├── JournalError           a journal damaged before its last line
    └── EsploroError           talking to Esploro
        ├── EsploroConnectionError   no HTTP answer at all
        ├── QuotaFloorReached        not sent: the daily quota is down to the floor
        └── EsploroApiError          Esploro answered with an error (errorCode, trackingId)
            ├── AuthorizationError, NotFoundError, RateLimitError, DailyQuotaError,
            └── ServerError, InvalidResponseError

The parsing of Ex Libris error bodies lives with the client, in `sheetsync.esploro.errors`.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_ERROR = 1  # an error the user can act on; the message says what
EXIT_CHANGES = 2  # plan: changes planned (Terraform's -detailed-exitcode)
EXIT_PROBLEMS = 3  # plan: conflicts, invalid cells or rows; apply: records not updated
EXIT_USAGE = 64  # a mistyped command or option (sysexits.h EX_USAGE)
EXIT_INTERNAL = 70  # a bug in sheetsync (sysexits.h EX_SOFTWARE); the traceback is logged

REMAINING_HEADER = "X-Exl-Api-Remaining"  # calls left today, on every Esploro answer
# On every answer of a `sheetsync sandbox` (unless it pretends to be production): apply's canary
# is for a real Esploro, whose answers a rehearsal cannot have told us about.
SANDBOX_HEADER = "X-Sheetsync-Sandbox"
# a sandbox serving loaded records names the Esploro they were captured from (plan accepts it)
COPY_OF_HEADER = "X-Sheetsync-Copy-Of"


class SheetsyncError(Exception):
    """The root of every error sheetsync raises on purpose. `str()` is one line."""

    exit_code: int = EXIT_ERROR


class ConfigError(SheetsyncError):
    """The settings cannot be resolved; the message says where sheetsync looked and what to do."""


class TemplateError(SheetsyncError):
    """A template that cannot be used. str(): "<source>, line <L>, <key>: <problem>"."""

    def __init__(
        self, source: str, problem: str, *, line: int | None = None, key: str | None = None,
        column: int | None = None,
    ) -> None:  # fmt: skip
        self.source, self.problem, self.line, self.key = source, problem, line, key
        self.column = column
        where = [source]
        if line is not None:
            where.append(f"line {line}")
        if column is not None:
            where.append(f"column {column}")
        if key is not None:
            where.append(key)
        super().__init__(f"{', '.join(where)}: {problem}")


class PathError(SheetsyncError):
    """A path text that cannot be parsed, or a write the record's shape does not allow."""


class RecordIdError(SheetsyncError):
    """A record has no usable ID at the template's id path."""


class ExportError(SheetsyncError):
    """The export cannot go ahead; the message says why and what to do."""


class NothingToExport(ExportError):
    """The selection matched no records; no workbook was written."""


class ConditionError(ExportError):
    """A `--where` condition that cannot be read: an unknown column or operator (usage)."""

    exit_code = EXIT_USAGE


class WorkbookError(SheetsyncError):
    """A workbook that cannot be read as an export sheetsync made; names the file and place."""


class PlanError(SheetsyncError):
    """The workbook cannot be planned against this connection; the message says why."""


class PlanFileError(SheetsyncError):
    """A plan file that cannot be trusted: unreadable, another version, or edited by hand."""


class ApplyError(SheetsyncError):
    """apply or rollback will not start, or had to stop; the message says why."""


class PlanLocked(ApplyError):
    """Another process is applying or rolling back the same plan; the message names it."""


class CanaryStopped(ApplyError):
    """The first write of a run came back with fields the plan did not change altered: the run
    stopped before the second record (docs: README, "Canary on the first write")."""

    def __init__(self, record_id: str, differences: int, rollback: str, resume: str) -> None:
        super().__init__(
            f"record {record_id}, the first one written, came back from Esploro with "
            f"{differences} field(s) the plan did not change altered (listed above); nothing else "
            f"was written. Undo it with: {rollback}; or, if Esploro is right to do that, go on "
            f"with: {resume}"
        )
        self.record_id = record_id


class JournalError(SheetsyncError):
    """The journal is damaged before its last line: resuming from it would be a guess."""


# -- Esploro ---------------------------------------------------------------------------------


class EsploroError(SheetsyncError):
    """Anything that went wrong talking to Esploro."""


class EsploroConnectionError(EsploroError):
    """No HTTP answer at all: refused, reset, timed out. A write may or may not have happened."""


class QuotaFloorReached(EsploroError):
    """Not sent: the daily quota left is at or below the floor kept for other integrations."""

    def __init__(self, method: str, path: str, remaining: int, floor: int, in_flight: int) -> None:
        self.remaining = remaining
        self.floor = floor
        pending = f" with {in_flight} more request(s) already on their way" if in_flight else ""
        super().__init__(
            f"{method} {path} was not sent: Esploro reports {remaining} API calls left today "
            f"({REMAINING_HEADER}){pending}, at or below the quota floor of {floor}. The floor "
            "keeps calls in reserve for your institution's other integrations; change it with "
            "--quota-floor N (or quota_floor in the config profile) only if you are sure."
        )


@dataclass(frozen=True)
class ErrorDetail:
    """What an Ex Libris error body says; the trackingId is what Ex Libris support asks for."""

    status: int
    error_code: str
    error_message: str
    tracking_id: str


class EsploroApiError(EsploroError):
    """Esploro answered with an error. `str()` names the status, errorCode and trackingId."""

    def __init__(self, method: str, path: str, detail: ErrorDetail, attempts: int = 1) -> None:
        self.method = method
        self.path = path
        self.detail = detail
        self.attempts = attempts
        tracking = f" (trackingId {detail.tracking_id})" if detail.tracking_id else ""
        code = f" {detail.error_code}" if detail.error_code else ""
        gave_up = f" [gave up after {attempts} attempts]" if attempts > 1 else ""
        super().__init__(
            f"{method} {path}: HTTP {detail.status}{code}: {detail.error_message}{tracking}"
            f"{gave_up}"
        )

    @property
    def status(self) -> int:
        return self.detail.status

    @property
    def error_code(self) -> str:
        return self.detail.error_code

    @property
    def error_message(self) -> str:
        return self.detail.error_message

    @property
    def tracking_id(self) -> str:
        return self.detail.tracking_id


class AuthorizationError(EsploroApiError):
    """UNAUTHORIZED: the key is unknown, or not allowed this API area or method (e.g. a write)."""


class NotFoundError(EsploroApiError):
    """No such record: the entity's not-found errorCode, or HTTP 404."""


class RateLimitError(EsploroApiError):
    """429 PER_SECOND_THRESHOLD, still refused after every retry the client allows."""


class DailyQuotaError(EsploroApiError):
    """429 DAILY_THRESHOLD: today's quota is spent. Never retried: it lasts until tomorrow."""


class ServerError(EsploroApiError):
    """HTTP 5xx (a GET after its retries; a write at once, since it may have happened)."""


class InvalidResponseError(EsploroApiError):
    """A success status whose body is not the JSON expected (e.g. a gateway's HTML page)."""


__all__ = [
    "EXIT_CHANGES",
    "EXIT_ERROR",
    "EXIT_INTERNAL",
    "EXIT_OK",
    "EXIT_PROBLEMS",
    "EXIT_USAGE",
    "ApplyError",
    "AuthorizationError",
    "ConditionError",
    "ConfigError",
    "DailyQuotaError",
    "ErrorDetail",
    "EsploroApiError",
    "EsploroConnectionError",
    "EsploroError",
    "ExportError",
    "InvalidResponseError",
    "JournalError",
    "NotFoundError",
    "NothingToExport",
    "PathError",
    "PlanError",
    "PlanFileError",
    "QuotaFloorReached",
    "RateLimitError",
    "RecordIdError",
    "ServerError",
    "SheetsyncError",
    "TemplateError",
    "WorkbookError",
]
