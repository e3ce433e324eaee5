"""Messages from disk: .eml files, mbox exports, Maildirs, folders of .eml, or stdin.

Streams: an mbox is read in blocks and split on its "From " lines, so a multi-gigabyte export
never sits in memory. Each problem with one input becomes an InputError in the stream, and the
caller carries on with the rest.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import BinaryIO, Iterator

from rejectscan.errors import InputError
from rejectscan.models import RawMessage

BLOCK = 4 * 1024 * 1024
MAX_MESSAGE_BYTES = 64 * 1024 * 1024  # beyond this a message is cut; its text is at the start
_FROM_LINE = re.compile(rb"From \S+[ \t].*\d{1,2}:\d{2}")
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")

Item = RawMessage | InputError


def iter_inputs(paths: list[str], stdin: BinaryIO | None = None) -> Iterator[Item]:
    for path in paths:
        if path == "-":
            yield from _stdin(stdin)
        else:
            yield from iter_path(Path(path))


def _stdin(stdin: BinaryIO | None) -> Iterator[Item]:
    if stdin is None:
        yield InputError("<stdin>", "no standard input to read")
        return
    data = stdin.read(MAX_MESSAGE_BYTES)
    yield RawMessage(data=data, source="<stdin>")


def iter_path(path: Path) -> Iterator[Item]:
    """A named path: always reported if it is one message; a container's messages are filtered."""
    try:
        if path.is_dir():
            yield from _folder(path)
            return
        with open(path, "rb") as fh:
            head = fh.read(5)
            fh.seek(0)
            if head == b"From ":
                yield from iter_mbox(fh, str(path))
            else:
                yield RawMessage(data=fh.read(MAX_MESSAGE_BYTES), source=str(path))
    except FileNotFoundError:
        yield InputError(str(path), "no such file or folder")
    except IsADirectoryError:
        yield InputError(str(path), "is a folder that cannot be read")
    except PermissionError:
        yield InputError(str(path), "permission denied")
    except OSError as exc:
        yield InputError(str(path), f"cannot be read ({exc.strerror or exc})")


def is_maildir(path: Path) -> bool:
    return (path / "cur").is_dir() and (path / "new").is_dir()


def _folder(root: Path) -> Iterator[Item]:
    """A Maildir, or a folder searched recursively for .eml, .mbox and Maildirs."""
    if is_maildir(root):
        for sub in ("new", "cur"):
            for entry in sorted((root / sub).iterdir()):
                if entry.is_file() and not entry.name.startswith("."):
                    yield from _container_file(entry)
        return
    for dirpath, dirnames, filenames in os.walk(root, onerror=None):
        here = Path(dirpath)
        dirnames.sort()
        if is_maildir(here) and here != root:
            dirnames[:] = []
            yield from _folder(here)
            continue
        for name in sorted(filenames):
            if name.lower().endswith(".eml"):
                yield from _container_file(here / name)
            elif name.lower().endswith(".mbox"):
                try:
                    with open(here / name, "rb") as fh:
                        yield from iter_mbox(fh, str(here / name))
                except OSError as exc:
                    yield InputError(str(here / name), f"cannot be read ({exc.strerror or exc})")


def _container_file(path: Path) -> Iterator[Item]:
    try:
        with open(path, "rb") as fh:
            yield RawMessage(data=fh.read(MAX_MESSAGE_BYTES), source=str(path), in_container=True)
    except OSError as exc:
        yield InputError(str(path), f"cannot be read ({exc.strerror or exc})")


def iter_mbox(fh: BinaryIO, source: str) -> Iterator[RawMessage]:
    """Split an mbox on its From_ lines, block by block; undo mboxrd '>From ' escaping."""
    fh.readline(65536)  # the first From_ line
    index = 0
    parts: list[bytes] = []  # the current message, flushed piece by piece
    size = 0
    pending = b""
    eof = False

    def keep(piece: bytes) -> None:
        nonlocal size
        if size < MAX_MESSAGE_BYTES:  # an absurd message is cut; its headers and text come first
            parts.append(piece)
            size += len(piece)

    while not eof:
        block = fh.read(BLOCK)
        eof = not block
        pending += block
        start = search = 0
        while True:
            cut = pending.find(b"\nFrom ", search)
            if cut < 0:
                break
            nl = pending.find(b"\n", cut + 1)
            if nl < 0:
                if not eof:
                    break  # the candidate line is not complete yet
                nl = len(pending)
            if _FROM_LINE.match(pending, cut + 1, nl):
                keep(pending[start:cut])
                index += 1
                yield _message(b"".join(parts), source, index)
                parts.clear()
                size = 0
                start = nl + 1
                search = nl
            else:
                search = cut + 1
        if eof:
            keep(pending[start:])
            break
        # Keep only what could still begin a From_ line: the text after the last newline.
        last = pending.rfind(b"\n", start)
        tail_at = last if last >= 0 else start
        tail = pending[tail_at:]
        if len(tail) >= 6 and (not tail.startswith(b"\nFrom ") or len(tail) > 65536):
            tail_at = len(pending)
        keep(pending[start:tail_at])
        pending = pending[tail_at:]
    if parts and any(parts):
        index += 1
        yield _message(b"".join(parts), source, index)


def _message(data: bytes, source: str, index: int) -> RawMessage:
    if b">From " in data:
        data = _ESCAPED_FROM.sub(rb"\1", data)
    return RawMessage(data=data, source=f"{source}:{index}", in_container=True)
