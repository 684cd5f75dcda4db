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
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(8)}.part")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise
