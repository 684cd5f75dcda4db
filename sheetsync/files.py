"""Writing a file so that a crash never leaves half of it, and a failure keeps the old one.

A temporary file beside the target (same filesystem, so the rename is atomic), fsynced, then
renamed over the target.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

PRIVATE = 0o600  # plans hold record data: the owner's alone
SHARED = 0o666  # reports are for colleagues: the umask decides, as for any file


def write_text_atomically(path: Path, text: str, *, mode: int) -> None:
    """Write `text` to `path` whole or not at all. The temporary file is created with `mode`
    (never briefly more open than that) and never through a symlink."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    handle = os.open(temporary, flags, mode)
    try:
        if mode == PRIVATE and hasattr(os, "fchmod"):
            os.fchmod(handle, PRIVATE)  # the umask only removes bits; private means exactly this
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
