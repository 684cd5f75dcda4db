"""Writing a file so that a crash never leaves half of it, and a failure keeps the old one.

Every file sheetsync writes (plans, workbooks, reports, results) goes through
`replace_atomically`: a temporary file beside the target (same filesystem, so the rename is
atomic), created with the file's final mode, written, fsynced, then renamed over the target.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path

PRIVATE = 0o600  # plans and exports hold record data: the owner's alone
SHARED = 0o666  # reports are for colleagues: the umask decides, as for any file


def replace_atomically(path: Path, write: Callable[[Path], object], *, mode: int) -> None:
    """Have `write(temporary)` fill a new file, then put it at `path` whole, or not at all.

    The temporary file is created with `mode` (never briefly more open than that) and never
    through a symlink; on any failure it is removed and `path` is left as it was.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(temporary, flags, mode)
    try:
        if mode == PRIVATE and hasattr(os, "fchmod"):
            os.fchmod(handle, PRIVATE)  # the umask only removes bits; private means exactly this
        os.close(handle)
        write(temporary)
        with open(temporary, "rb+") as stream:
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str, *, mode: int) -> None:
    """Write `text` (UTF-8, `\\n` line ends) to `path` whole or not at all."""
    replace_atomically(
        path,
        lambda temporary: temporary.write_text(text, encoding="utf-8", newline="\n"),
        mode=mode,
    )
