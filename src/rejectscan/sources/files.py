"""Messages from disk: .eml files, mbox exports, Maildirs, folders of .eml, or stdin.

Streams: an mbox is read in blocks and split on its "From " lines (sources.mbox), so a
multi-gigabyte export never sits in memory; given the pre-filter, only the messages it could
accept are copied out of it. Each problem with one input becomes an InputError in the stream,
and the caller carries on with the rest.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import BinaryIO, Callable, Iterator

from rejectscan.errors import InputError
from rejectscan.models import RawMessage
from rejectscan.prefilter import Prefilter
from rejectscan.sources.mbox import LINE_CAP, MAX_MESSAGE_BYTES, DatabaseCache, iter_mbox, screen, starts_with_from_line

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
    data = stdin.read(MAX_MESSAGE_BYTES)
    yield RawMessage(data=data, source="<stdin>")


def iter_path(path: Path, prefilter: Prefilter | None, cache: DatabaseCache) -> Iterator[Item]:
    """A named path: always reported if it is one message (even one saved with an mbox From_ line);
    a container's messages are filtered."""
    try:
        if path.is_dir():
            yield from _folder(path, prefilter, cache)
            return
        with open(path, "rb") as fh:
            head = fh.read(LINE_CAP)
            fh.seek(0)
            if starts_with_from_line(head):  # an mbox, or one message saved with its From_ line
                yield from iter_mbox(fh, str(path), prefilter, cache, named=True)
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
            data = fh.read(MAX_MESSAGE_BYTES)
        if may_matter(data):
            yield RawMessage(data=data, source=str(path), in_container=True)
    except OSError as exc:
        yield InputError(str(path), f"cannot be read ({exc.strerror or exc})")
