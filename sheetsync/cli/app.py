"""The `sheetsync` command line: the Typer app, its one error boundary, and its exit codes.

Commands live in `loop.py` (export, plan, apply, rollback) and `tools.py` (templates, check,
sandbox, demo, version) and register themselves on `app`; `sheetsync.cli` imports them all and
holds `main`. Each command parses its options, calls the Python API (`sheetsync.api`) and
renders the outcome. Errors are handled here, once, for every command:

* a `SheetsyncError` (anything sheetsync raises on purpose) prints `error: <its message>` and
  exits with its `exit_code` (1);
* a mistyped command or option exits 64 (EX_USAGE), never 2, which `plan` uses to say "changes
  planned": a script can tell a typo from a plan;
* anything else is a bug: one line, `internal error: ...; details in FILE`, and the traceback
  goes to a log file in the user's state directory (API keys blanked), exit 70 (EX_SOFTWARE).
"""

from __future__ import annotations

import datetime
import os
import traceback
from pathlib import Path
from typing import Any

import platformdirs
import typer
import typer.core
import typer.exceptions

from sheetsync.cli import output
from sheetsync.errors import EXIT_ERROR, EXIT_INTERNAL, EXIT_USAGE, SheetsyncError
from sheetsync.esploro.settings import ENV_API_KEY

_CLICK_USAGE_CODE = 2  # what click gives every usage error


class _Boundary(typer.core.TyperGroup):
    """The app's group: turns errors into one line and an exit code, for every command."""

    def make_context(self, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().make_context(*args, **kwargs)
        except typer.exceptions.TyperException as exc:
            raise _as_usage(exc) from None

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except typer.exceptions.TyperException as exc:  # click's usage errors, among others
            raise _as_usage(exc) from None
        except (typer.Exit, typer.Abort):
            raise
        except SheetsyncError as exc:
            output.error(str(exc))
            raise typer.Exit(exc.exit_code) from None
        except OSError as exc:
            where = f" {exc.filename}:" if exc.filename else ""
            output.error(f"{where} {exc.strerror or exc}".strip())
            raise typer.Exit(EXIT_ERROR) from None
        except Exception as exc:
            log = write_internal_error_log(exc)
            output.error(f"internal error: {type(exc).__name__}: {exc}; details in {log}")
            raise typer.Exit(EXIT_INTERNAL) from None


def _as_usage(exc: typer.exceptions.TyperException) -> typer.exceptions.TyperException:
    """A click usage error, renumbered to EX_USAGE; any other click exception unchanged."""
    if getattr(exc, "exit_code", None) == _CLICK_USAGE_CODE:
        exc.exit_code = EXIT_USAGE
    return exc


def _hide_flag_types() -> None:
    """`--help` lists a plain flag (`--json`, `--yes`, even `--help`) bare, as a person types
    it: Typer 0.29's rich help gives every flag a `<bool>` placeholder, which reads as if the
    flag took a value. The type column stays for options that do take one."""
    option = typer.core.TyperOption
    shown = option.display_type_rich

    def display_type_rich(self: typer.core.TyperOption, ctx: Any) -> str | None:
        if self.is_flag and self.metavar is None:
            return None
        return shown(self, ctx)

    option.display_type_rich = display_type_rich  # type: ignore[method-assign]


_hide_flag_types()


def internal_error_log_dir() -> Path:
    """Where tracebacks of bugs go: the user's state directory (~/.local/state/sheetsync/log)."""
    return platformdirs.user_log_path("sheetsync")


def write_internal_error_log(exc: BaseException) -> Path:
    """Write `exc`'s traceback to a new owner-only log file, with every known key blanked."""
    directory = internal_error_log_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    stamp = datetime.datetime.now(datetime.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    path = directory / f"internal-error-{stamp}.log"
    text = output.redacted("".join(traceback.format_exception(exc)))
    key = os.environ.get(ENV_API_KEY, "").strip()
    if len(key) >= 6:
        text = text.replace(key, "***")
    handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)
    return path


app = typer.Typer(
    name="sheetsync",
    cls=_Boundary,
    help=(
        "Declarative, spreadsheet-driven bulk editing for Ex Libris Esploro: export records to "
        "a workbook, edit cells, plan, review, apply, roll back."
    ),
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
)

__all__ = ["app"]
