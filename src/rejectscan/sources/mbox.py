"""Split an mbox export into messages in one streaming pass, copying out only those that matter.

The file is read in blocks. A finder reports, with absolute offsets, where each candidate From_
line starts and, when it is given the pre-filter's words, where any of them occurs. The splitter
turns those events into messages and copies a message's bytes only when it holds a hit (or when
every message is wanted): a 1 GB export with 1% platform mail is never materialised.

Two finders: Hyperscan (a SIMD multi-pattern matcher, a wheel on the common platforms) searches
the From_ lines and all the words in one pass at several GB/s; without it, `bytes.find` locates the
From_ lines, every message is copied out and the caller's pre-filter judges each one. Both feed
the same splitter, so a file splits the same way whichever is installed.
"""

from __future__ import annotations

import bisect
import enum
import hashlib
import logging
import os
import platform
import re
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterator, Protocol

from rejectscan.models import MAX_MESSAGE_BYTES, RawMessage
from rejectscan import headers
from rejectscan.prefilter import FROM_ENCODED, HEADER_WINDOW, Prefilter, from_field_around, in_other_header

BLOCK = 8 * 1024 * 1024
LINE_CAP = 4096  # a From_ line must end within this many bytes
_FROM_LINE = re.compile(rb"From \S+[ \t].*\d{1,2}:\d{2}")
_ESCAPED_FROM = re.compile(rb"(?m)^>(>*From )")



def starts_with_from_line(head: bytes) -> bool:
    """Does a file begin with an mbox From_ line (the separator form the splitter accepts)?"""
    line = head[:LINE_CAP].split(b"\n", 1)[0]
    return _FROM_LINE.match(line) is not None


class EventKind(enum.IntEnum):
    FROM = 0  # a candidate From_ line
    HIT = 1  # a literal form of a platform word
    ENCODED = 2  # an RFC 2047 encoded word in a From field: the field is to be decoded and checked
    HIDDEN = 3  # a disguised form of a platform word (split, or a base64 fragment)


FROM, HIT, ENCODED, HIDDEN = EventKind.FROM, EventKind.HIT, EventKind.ENCODED, EventKind.HIDDEN
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Event:
    at: int  # FROM: offset of the "F" of a "From " that follows a newline; HIT/ENCODED: end of the match
    kind: EventKind


class Finder(Protocol):
    prefilter: Prefilter | None  # None: no word events; every message is copied out

    def feed(self, block: bytes, base: int) -> list[Event]: ...

    def close(self) -> None: ...


def iter_mbox(fh: BinaryIO, source: str, prefilter: Prefilter | None, cache: "DatabaseCache",
              block_size: int = BLOCK, named: bool = False) -> Iterator[RawMessage]:
    """Every message of the mbox, or, given a pre-filter, at least every one it could accept.

    Messages keep their index in the file (source "path:N") whether or not they are copied out.
    `named`: the file was named by the user, so it is an mbox only if it really holds several
    messages (a second From_ line); one message alone is yielded as the file itself, always.
    """
    return _split(fh, source, finder(prefilter, cache), block_size, named)


def finder(prefilter: Prefilter | None, cache: "DatabaseCache") -> Finder:
    try:
        return HyperscanFinder(prefilter, cache)
    except Exception as exc:  # not installed, or a CPU it cannot run on: the plain finder is always right
        log.debug("mbox: Hyperscan unavailable (%s); splitting with bytes.find", exc)
        return PlainFinder()


def screen(prefilter: Prefilter | None, cache: "DatabaseCache") -> Callable[[bytes], bool]:
    """A first look at one whole message (a Maildir file): False only when the pre-filter would
    surely reject it, found at Hyperscan's speed instead of RE2's. Always True without Hyperscan."""
    if prefilter is None:
        return lambda data: True
    try:
        find = HyperscanFinder(prefilter, cache)
    except Exception:
        return lambda data: True

    def may_matter(data: bytes) -> bool:
        blocks = _Blocks()
        blocks.add(data)
        checked = _Checked()
        return any(_marks(e, 0, blocks, prefilter, checked) for e in find.scan_once(data))

    return may_matter


class PlainFinder:
    """From_ line candidates with bytes.find; no word search (the caller filters every message)."""

    prefilter = None

    def __init__(self) -> None:
        self._tail = b""  # the last bytes of the previous block: a "\nFrom " may straddle blocks

    def feed(self, block: bytes, base: int) -> list[Event]:
        events = []
        straddling = (self._tail + block[:5]).find(b"\nFrom ")
        if 0 <= straddling < len(self._tail):
            events.append(Event(base - len(self._tail) + straddling + 1, FROM))
        at = block.find(b"\nFrom ")
        while at >= 0:
            events.append(Event(base + at + 1, FROM))
            at = block.find(b"\nFrom ", at + 1)
        self._tail = (self._tail + block[-5:])[-5:]
        return events

    def close(self) -> None:
        pass


class HyperscanFinder:
    """One Hyperscan stream over the whole file: From_ lines, every literal form of every word,
    and RFC 2047 encoded words in From fields (the field decoded and checked here, as the
    pre-filter would). Encoded words in any other field raise no event: Office 365 writes
    hundreds in its anti-spam headers, and no other field can name a platform."""

    def __init__(self, prefilter: Prefilter | None, cache: "DatabaseCache") -> None:
        self.prefilter = prefilter
        expressions, kinds = [rb"\nFrom "], [FROM]
        if prefilter is not None:
            expressions += prefilter.expressions
            kinds += [HIDDEN if literal.hidden else HIT for literal in prefilter.literals]
            expressions.append(FROM_ENCODED)
            kinds.append(ENCODED)
        self._db = cache.database(tuple(expressions))
        self._events: list[Event] = []
        self._stream = None
        events = self._events

        def on_match(ident: int, _start: int, end: int, _flags: int, _context) -> None:
            kind = kinds[ident]
            events.append(Event(end - 5 if kind == FROM else end, kind))

        # held here: the binding keeps no reference of its own to the handler (a bound method
        # passed directly is freed while Hyperscan still calls it)
        self._on_match = on_match

    def feed(self, block: bytes, base: int) -> list[Event]:
        if self._stream is None:
            self._stream = self._db.stream(match_event_handler=self._on_match, context=0)
            self._stream.__enter__()
        self._stream.scan(block)
        found = list(self._events)
        self._events.clear()
        return found

    def scan_once(self, data: bytes) -> list[Event]:
        """The events of one whole message, on a stream of its own."""
        with self._db.stream(match_event_handler=self._on_match, context=0) as stream:
            stream.scan(data)
        found = list(self._events)
        self._events.clear()
        return found

    def close(self) -> None:
        if self._stream is not None:
            self._stream.__exit__(None, None, None)
            self._stream = None


_CACHE_KEEP = 4


class DatabaseCache:
    """Compiled Hyperscan databases: in memory for this run, and in the cache folder across runs
    (compiling takes ~70 ms). None as the folder: memory only."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self._memory: dict[str, object] = {}

    def database(self, expressions: tuple[bytes, ...]):
        import hyperscan

        key = hashlib.sha256(repr((hyperscan.__version__, platform.machine(), expressions)).encode()).hexdigest()
        if key not in self._memory:
            path = self.folder / f"mbox-{key[:40]}.hsdb" if self.folder is not None else None
            db = _load(hyperscan, path) if path is not None else None
            if db is None:
                db = hyperscan.Database(mode=hyperscan.HS_MODE_STREAM)
                db.compile(expressions=list(expressions), ids=list(range(len(expressions))), flags=0,
                           elements=len(expressions))
                if path is not None:
                    _save(hyperscan, db, path)
            self._memory[key] = db
        return self._memory[key]


def _load(hyperscan, path: Path):
    """A cached database, only if its checksum holds: Hyperscan trusts the bytes it is given."""
    try:
        blob = path.read_bytes()
        digest, payload = blob[:32], blob[32:]
        if hashlib.sha256(payload).digest() != digest:
            return None
        db = hyperscan.loadb(payload, mode=hyperscan.HS_MODE_STREAM)
        db.scratch = hyperscan.Scratch(database=db)  # by keyword: given positionally, the binding crashes
        return db
    except Exception:
        return None


def _save(hyperscan, db, path: Path) -> None:
    import tempfile  # only when compiling: not on every start

    try:
        payload = hyperscan.dumpb(db)
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as tmp:
            tmp.write(hashlib.sha256(payload).digest() + payload)
        os.replace(tmp.name, path)
        # one file per set of pattern packs: keep the few most recent, not every edit ever made
        others = sorted((f for f in path.parent.glob("mbox-*.hsdb") if f != path), key=lambda f: f.stat().st_mtime)
        for old in others[: max(len(others) - (_CACHE_KEEP - 1), 0)]:
            old.unlink(missing_ok=True)
    except Exception as exc:  # a read-only home: compile again next time
        log.debug("mbox: could not cache the pattern database in %s (%s)", path.parent, exc)


class _Blocks:
    """The blocks still needed, with absolute offsets: the current message's and later ones."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.data: list[bytes] = []
        self.end = 0

    def add(self, block: bytes) -> None:
        self.starts.append(self.end)
        self.data.append(block)
        self.end += len(block)

    def slice(self, start: int, stop: int) -> bytes:
        i = max(bisect.bisect_right(self.starts, start) - 1, 0)
        pieces = []
        while i < len(self.starts) and self.starts[i] < stop:
            at, data = self.starts[i], self.data[i]
            if at + len(data) > start:
                pieces.append(data[max(start - at, 0):stop - at])
            i += 1
        return pieces[0] if len(pieces) == 1 else b"".join(pieces)

    def from_line_end(self, at: int, eof: bool, first: bool = False) -> int | None:
        """Where the From_ line at `at` ends (its newline, or EOF), or None if it is not one.

        A From_ line ends within LINE_CAP bytes and matches _FROM_LINE; the file's first line
        (`first`) only has to end.
        """
        i = bisect.bisect_right(self.starts, at) - 1
        if i >= 0 and at < self.starts[i] + len(self.data[i]):
            base, data = self.starts[i], self.data[i]
            nl = data.find(b"\n", at - base, at - base + LINE_CAP)
            if nl >= 0:  # the usual case: the whole line is in one block
                return base + nl if first or _FROM_LINE.match(data, at - base, nl) else None
            if base + len(data) >= at + LINE_CAP:
                return None
        window = self.slice(at, at + LINE_CAP)
        nl = window.find(b"\n")
        if nl < 0:
            if not eof or len(window) >= LINE_CAP:
                return None
            nl = len(window)
        return at + nl if first or _FROM_LINE.match(window, 0, nl) else None

    def forget(self, start: int, cap: int, later: int | None) -> None:
        """Keep what [start, cap) and [later, end) still need, and the last block (the next events
        may look back into it); drop the rest, the middle of a giant message too."""
        keep_from = start if later is None else min(start, later)
        drop = bisect.bisect_right(self.starts, keep_from) - 1  # blocks before this one end before keep_from
        if drop > 0:
            del self.starts[:drop], self.data[:drop]
        if len(self.starts) > 2:
            resume = self.starts[-1] if later is None else min(later, self.starts[-1])
            if cap < resume:  # a giant message: skip its middle
                kept = [(at, d) for at, d in zip(self.starts, self.data) if at < cap or at + len(d) > resume]
                self.starts, self.data = [at for at, _ in kept], [d for _, d in kept]


def _split(fh: BinaryIO, source: str, find: Finder, block_size: int, named: bool = False) -> Iterator[RawMessage]:
    blocks = _Blocks()
    pending: list[Event] = []
    start: int | None = None  # where the current message's bytes begin (after its From_ line)
    wanted = find.prefilter is None  # whether the current message will be copied out
    checked = _Checked()
    index = 0
    eof = False
    reads = _read_ahead(fh, block_size)
    try:
        while not eof:
            block = next(reads, b"")
            eof = not block
            if block:
                base = blocks.end
                blocks.add(block)
                pending.extend(find.feed(block, base))
                pending.sort(key=lambda e: e.at)
            if start is None:  # the first line is the file's From_ line, whatever it says
                if blocks.end < LINE_CAP and not eof:
                    continue
                nl = blocks.from_line_end(0, eof, first=True)
                start = nl + 1 if nl is not None else 0
            done = 0
            for event in pending:
                if event.at < start:  # inside the From_ line just consumed
                    done += 1
                    continue
                if event.kind == FROM:
                    if not eof and event.at + LINE_CAP > blocks.end:
                        break  # its line may not be complete yet
                    nl = blocks.from_line_end(event.at, eof)
                    if nl is not None:
                        index += 1
                        if wanted:
                            end = event.at - 1
                            yield _message(blocks.slice(start, min(end, start + MAX_MESSAGE_BYTES)),
                                           source, index, end - start)
                        start, wanted = nl + 1, find.prefilter is None
                elif not wanted:  # only a finder with a pre-filter reports word events
                    wanted = _marks(event, start, blocks, find.prefilter, checked)
                done += 1
            del pending[:done]
            blocks.forget(start, start + MAX_MESSAGE_BYTES, pending[0].at if pending else None)
        stop = min(blocks.end, (start or 0) + MAX_MESSAGE_BYTES)
        if start is not None and stop > start:
            index += 1
            if named and index == 1:  # no second From_ line: one message, reported as the file it is
                yield _message(blocks.slice(start, stop), source, 0, blocks.end - start)
            elif wanted:
                yield _message(blocks.slice(start, stop), source, index, blocks.end - start)
    finally:
        reads.close()
        find.close()


def _read_ahead(fh: BinaryIO, size: int) -> Iterator[bytes]:
    """The file's blocks; a thread reads the next while the caller scans this one.

    read() and Hyperscan's scan both release the GIL, so on two cores the reading is hidden.
    Small blocks (tests) are read in turn: a thread per few bytes costs more than it hides. From a
    pipe (`analyze <(zcat export.mbox.gz)`) a block is what has arrived, so reports keep flowing.
    """
    read = getattr(fh, "read1", fh.read)  # what a pipe has now, not a wait for a whole block
    if size < 1 << 20:
        yield from iter(lambda: read(size), b"")
        return
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=1) as pool:
        ahead = pool.submit(read, size)
        while True:
            block = ahead.result()
            if not block:
                return
            ahead = pool.submit(read, size)
            yield block


@dataclass
class _Checked:
    """The From field last decoded: its message and end, so a field with many encoded words is
    decoded once, not once per word."""

    message: int = -1
    until: int = -1


def _marks(event: Event, start: int, blocks: _Blocks, prefilter: Prefilter, checked: _Checked) -> bool:
    """Does this word event make the message that begins at `start` worth copying out?

    A HIT always does, a disguised form unless it lies in a header other than From; an encoded
    word in a From field only if it may lie in the headers (where the pre-filter looks) and the
    field, read as the parser reads it, names a platform.
    """
    if event.kind == HIT:
        return True
    if event.kind == HIDDEN:  # unless it is chance in a header no one reads (Office 365's opaque data)
        return event.at - start > HEADER_WINDOW or not in_other_header(blocks.slice(start, event.at), event.at - 1 - start)
    if event.at - start > HEADER_WINDOW or (checked.message == start and event.at <= checked.until):
        return False
    lo = max(start, event.at - headers.MAX_FIELD_BYTES)
    window = blocks.slice(lo, min(event.at + headers.MAX_FIELD_BYTES, blocks.end))
    field = from_field_around(window, event.at - lo)
    if field is None:
        return False
    checked.message, checked.until = start, lo + field[1]
    return prefilter.from_field_concerns(window[field[0]:field[1]])


def _message(data: bytes, source: str, index: int, size: int) -> RawMessage:
    """Message `index` of the mbox (0: the file's only message, not a container's); `size`: its
    whole length in the file, of which `data` may hold only the first MAX_MESSAGE_BYTES."""
    if b">From " in data:
        data = _ESCAPED_FROM.sub(rb"\1", data)
    cut = size if size > MAX_MESSAGE_BYTES else None
    if index == 0:
        return RawMessage(data=data, source=source, size=cut)
    return RawMessage(data=data, source=f"{source}:{index}", in_container=True, size=cut)
