"""Messages from disk: .eml files, mbox exports, Maildirs, folders of .eml, or stdin.

Streams: an mbox is read in blocks and split on its "From " lines (sources.mbox), so a
multi-gigabyte export never sits in memory; given the pre-filter, only the messages it could
accept are copied out of it. Each problem with one input becomes an InputError in the stream,
and the caller carries on with the rest.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from rejectscan.errors import InputError
from rejectscan.models import MAX_MESSAGE_BYTES, RawMessage
from rejectscan.prefilter import Prefilter
from rejectscan.sources.mbox import LINE_CAP, DatabaseCache, iter_mbox, screen, starts_with_from_line

Item = RawMessage | InputError


def iter_inputs(paths: list[str], stdin: BinaryIO | None, prefilter: Prefilter | None,
                cache: DatabaseCache) -> Iterator[Item]:
    """With a prefilter, an mbox yields only the messages it could accept (the caller still asks it)."""
    for path in paths:
        if path == "-":
            yield from _stdin(stdin)
        else:
            yield from iter_path(Path(path), prefilter, cache)


def _stdin(stdin: BinaryIO | None) -> Iterator[Item]:
    if stdin is None:
        yield InputError("<stdin>", "no standard input to read")
        return
    data, size = read_message(stdin)
    yield RawMessage(data=data, source="<stdin>", size=size)


def iter_path(path: Path, prefilter: Prefilter | None, cache: DatabaseCache) -> Iterator[Item]:
    """A named path: always reported if it is one message (even one saved with an mbox From_ line);
    a container's messages are filtered."""
    try:
        if path.is_dir():
            yield from _folder(path, prefilter, cache)
            return
        with open(path, "rb") as fh:
            head = _first_line(fh)
            if starts_with_from_line(head):  # an mbox, or one message saved with its From_ line
                yield from iter_mbox(_Replay(head, fh), str(path), prefilter, cache, named=True)
            else:
                data, size = read_message(_Replay(head, fh))
                yield RawMessage(data=data, source=str(path), size=size)
    except FileNotFoundError:
        yield InputError(str(path), "no such file or folder")
    except IsADirectoryError:
        yield InputError(str(path), "is a folder that cannot be read")
    except PermissionError:
        yield InputError(str(path), "permission denied")
    except OSError as exc:
        yield InputError(str(path), f"cannot be read ({exc.strerror or exc})")


def read_message(fh) -> tuple[bytes, int | None]:
    """At most MAX_MESSAGE_BYTES of one message, and its whole size when it is longer (None when
    all of it was read). The rest is never held: a regular file says its size, a pipe is drained."""
    data = fh.read(MAX_MESSAGE_BYTES)
    if len(data) < MAX_MESSAGE_BYTES:
        return data, None
    try:
        info = os.fstat(fh.fileno())
        if stat.S_ISREG(info.st_mode) and info.st_size > 0:
            return data, info.st_size if info.st_size > len(data) else None
    except (OSError, ValueError, AttributeError):  # no file number (a test's stream)
        pass
    size = len(data)
    for chunk in iter(lambda: fh.read(1 << 20), b""):
        size += len(chunk)
    return data, size if size > len(data) else None


def _first_line(fh) -> bytes:
    """The file's first bytes, through its first line when that is short, without seeking (pipes)."""
    head = b""
    while len(head) < LINE_CAP and b"\n" not in head:
        chunk = fh.read1(LINE_CAP - len(head)) if hasattr(fh, "read1") else fh.read(LINE_CAP - len(head))
        if not chunk:
            break
        head += chunk
    return head


class _Replay:
    """A file with its first bytes, already read to see what it is, put back in front."""

    def __init__(self, head: bytes, fh) -> None:
        self._head = head
        self._fh = fh

    def _take(self, n: int) -> bytes:
        out = self._head if n < 0 else self._head[:n]
        self._head = b"" if n < 0 else self._head[n:]
        return out

    def read(self, n: int = -1) -> bytes:
        if not self._head:
            return self._fh.read(n)
        out = self._take(n)
        if n < 0:
            return out + self._fh.read()
        return out + (self._fh.read(n - len(out)) if len(out) < n else b"")

    def read1(self, n: int = -1) -> bytes:
        return self._take(n) if self._head else self._fh.read1(n)

    def fileno(self) -> int:
        return self._fh.fileno()


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _folder(root: Path, prefilter: Prefilter | None, cache: DatabaseCache) -> Iterator[Item]:
    """A Maildir, or a folder searched recursively for .eml, .mbox and Maildirs."""
    may_matter = screen(prefilter, cache)
    if is_maildir(root):
        for sub in ("new", "cur"):
            for entry in sorted((root / sub).iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    yield from _container_file(entry, may_matter)
        return
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        here = Path(dirpath)
        dirnames.sort()
        if is_maildir(here) and here != root:
            dirnames[:] = []
            yield from _folder(here, prefilter, cache)
            continue
        for name in sorted(filenames):
            if name.lower().endswith(".eml"):
                yield from _container_file(here / name, may_matter)
            elif name.lower().endswith(".mbox"):
                try:
                    with open(here / name, "rb") as fh:
                        yield from iter_mbox(fh, str(here / name), prefilter, cache)
                except OSError as exc:
                    yield InputError(str(here / name), f"cannot be read ({exc.strerror or exc})")


def _container_file(path: Path, may_matter: Callable[[bytes], bool]) -> Iterator[Item]:
    try:
        with open(path, "rb") as fh:
            data, size = read_message(fh)
        if may_matter(data):
            yield RawMessage(data=data, source=str(path), in_container=True, size=size)
    except OSError as exc:
        yield InputError(str(path), f"cannot be read ({exc.strerror or exc})")
