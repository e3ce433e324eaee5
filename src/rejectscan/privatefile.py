"""Files only their owner can read, written whole or not at all: the report holds mail metadata."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from rejectscan.errors import OutputError


def check_target(path: str) -> Path:
    """Where a file will go, refused before any work if it cannot be written there."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputError(f"{target} is a folder: give a file name with --output, e.g. {target / 'report.html'}")
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: the folder {target.parent} does not exist; create it or "
                          "choose another --output")
    return target


def write(target: Path, text: str) -> None:
    """`text` as UTF-8, mode 0600 whatever the umask or an older file's mode; replaced atomically, so
    a reader never sees half a file and a kill leaves the old one."""
    try:
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    except OSError as exc:
        raise OutputError(f"cannot write in {target.parent} ({exc.strerror}): choose another --output") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as fh:
            os.fchmod(fh.fileno(), 0o600)
            fh.write(text)
        os.replace(tmp, target)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {target} ({exc.strerror}): choose another --output") from None
