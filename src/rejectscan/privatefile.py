"""Files only their owner can read, written whole or not at all: the report holds mail metadata."""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from rejectscan.errors import OutputError

STDOUT = "-"  # `--output -`: the page goes to standard output, no file is written


def check_target(path: str) -> Path:
    """Where a file will go, refused before any work if it cannot be written there. A name that
    exists must be a regular file (or a link to one, whose file is then replaced): a device, a pipe
    or a socket is never replaced by the page."""
    target = Path(path).expanduser()
    if target.is_dir():
        raise OutputError(f"{target} is a folder: give a file name with --output, e.g. {target / 'report.html'}")
    _refuse_special(target)
    if target.is_symlink():  # a link to a regular file: the file it names is replaced, the link stays
        target = Path(os.path.realpath(target))
    if not target.parent.is_dir():
        raise OutputError(f"cannot write {target}: the folder {target.parent} does not exist; create it or "
                          "choose another --output")
    return target


def _refuse_special(target: Path) -> None:
    try:
        mode = os.stat(target).st_mode
    except FileNotFoundError:
        return  # nothing there (or a dangling link, replaced by the file): written afresh
    except OSError as exc:
        raise OutputError(f"cannot write {target} ({exc.strerror}): choose another --output") from None
    if not stat.S_ISREG(mode):
        raise OutputError(f"{target} is not a regular file (a device, pipe or socket) and would be replaced by the "
                          "page: give a file name with --output, or --output - for standard output")


def write(target: Path, text: str) -> None:
    """`text` as UTF-8, mode 0600 whatever the umask or an older file's mode; replaced atomically, so
    a reader never sees half a file and a kill leaves the old one."""
    _refuse_special(target)  # checked again: it may have appeared while the page was made
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
