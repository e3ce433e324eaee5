"""Can this raw message concern a platform at all? Decided on bytes, before any parse.

A message concerns a platform when its (original) sender's address or name carries one of the
platform's names, domains or lookalike tokens (match.identify_platform). Those words then appear
somewhere in the raw bytes, possibly hidden by an encoding: quoted-printable soft line breaks,
base64 text parts (a forward Maria sent herself from a client that encodes everything), or an
RFC 2047 encoded display name. The first two are checked without decoding anything; for the
third, only From fields holding an encoded word are decoded, with the parser's own reader
(headers.py), since the sender is the only field that can name a platform: Outlook's
X-Microsoft-Antispam headers, hundreds of encoded words each, are never decoded. Anything that
passes is parsed in full, so the filter can only save work, never change a verdict (the
equivalence test compares it with a full parse of every message).

A word is found across at most one line break: encoders wrap at 76 characters (RFC 2045), so a
word of at most 17 encoded characters can straddle one break, never two.
"""

from __future__ import annotations

import base64
import functools
import re
from dataclasses import dataclass

from rejectscan import headers
from rejectscan.patterns import PatternSet, bytes_matcher

# The start of an RFC 2047 encoded word in a From field, on its first line or a folded one: the
# scanner's event for "decode this sender" (sources.mbox), in the syntax RE2 and Hyperscan share.
FROM_ENCODED = rb"(?:^|\n)(?i:from)[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*=\?"
_FROM_FIELD = re.compile(rb"(?im)^from[ \t]*:[^\n]*(?:\n[ \t][^\n]*)*")
_FROM_FIELD_START = re.compile(rb"(?i)(?:^|\n)(from[ \t]*:)")
_FIELD_END = re.compile(rb"\n(?![ \t])")
_FIELD_NAME = re.compile(rb"([!-9;-~]{1,76})[ \t]*:")
_NOT_ALNUM = re.compile(rb"[^A-Za-z0-9]")
HEADER_WINDOW = 65536  # encoded From fields are looked for this far into a message
_QP_BREAKS = (b"=\n", b"=\r\n")  # a soft line break inside a quoted-printable word
_B64_BREAKS = (b"\n", b"\r\n")  # a line break inside a base64 fragment (LF or CRLF files)


@dataclass(frozen=True)
class Literal:
    """One byte string whose presence makes a message worth parsing."""

    text: bytes
    caseless: bool
    whole_word: bool = False  # a name: not inside another word (nor inside base64, where 'guru' is common)
    hidden: bool = False  # the word in disguise: split by a soft line break, or a base64 fragment


class Prefilter:
    """substrings: domains and lookalike tokens (matched anywhere, as identify_platform does);
    names: platform names (matched as whole words, as in a display name).

    `literals` is every form a word can take in raw bytes (plain, split by one soft line break,
    base64 at each alignment split by one line break); the mbox scanner searches them all at
    once, and `may_concern` confirms a hit with one RE2 pass, names as whole words.
    """

    def __init__(self, substrings: tuple[str, ...], names: tuple[str, ...]) -> None:
        self.subs = minimal_words({s.lower().strip(".") for s in substrings if len(s.strip(".")) >= 3})
        self.names = tuple(sorted({n.lower() for n in names if n}))
        # Everything below is built on first use (~17 ms): `analyze one.eml` never needs it.

    @functools.cached_property
    def literals(self) -> tuple[Literal, ...]:
        fragments = set()
        for w in (*self.subs, *self.names):
            for variant in {w, w.capitalize(), w.upper(), w.title()}:
                fragments.update(base64_fragments(variant.encode()))
        literals = [Literal(v, True, hidden=v != s.encode()) for s in self.subs for v in split_once(s.encode(), _QP_BREAKS)]
        literals += [Literal(n.encode(), True, whole_word=True) for n in self.names]
        literals += [Literal(v, False, hidden=True) for f in sorted(fragments) for v in split_once(f, _B64_BREAKS)]
        return tuple(literals)

    @functools.cached_property
    def expressions(self) -> tuple[bytes, ...]:
        """The same regex text serves RE2 here and Hyperscan in sources.mbox."""
        return tuple(expression(lit) for lit in self.literals)

    @functools.cached_property
    def matcher(self):
        return bytes_matcher(b"|".join(self.expressions))

    @functools.cached_property
    def words(self):
        return bytes_matcher(b"(?i)" + b"|".join(re.escape(w.encode()) for w in (*self.subs, *self.names)))

    @classmethod
    def for_patterns(cls, patterns: PatternSet) -> "Prefilter":
        # exactly the words match.identify_platform looks for
        return cls(tuple(w for p in patterns.platforms for w in (*p.domains, *p.lookalike_tokens)),
                   tuple(p.name for p in patterns.platforms))

    def may_concern(self, data: bytes) -> bool:
        for hit in self.matcher.finditer(data):
            if in_binary_part(data, hit.start()):
                continue
            if self.words.search(hit.group()) is None and in_other_header(data, hit.start()):
                continue  # a disguised form in a header no one reads: Office 365's opaque data
            return True
        if b"=?" in data[:HEADER_WINDOW]:  # an encoded sender (Q encoding hides letters as =XX)
            return any(self.from_field_concerns(m.group()) for m in _FROM_FIELD.finditer(data, 0, HEADER_WINDOW)
                       if b"=?" in m.group())
        return False

    def from_field_concerns(self, field: bytes) -> bool:
        """Does a From field ('From: ...' and its folds), read as the parser reads it, name a platform?"""
        value = field.split(b":", 1)[1] if b":" in field else field
        return any(self.words.search(f"{box.name} {box.addr}".encode("utf-8", "surrogatepass")) is not None
                   for box in headers.mailboxes(value))


def expression(lit: Literal) -> bytes:
    """The regex for one literal, in the syntax RE2 and Hyperscan share."""
    text = escape(lit.text)
    if lit.whole_word:
        text = b"\\b" + text + b"\\b"
    return b"(?i:" + text + b")" if lit.caseless else text


_BASE64_RUN = re.compile(rb"[A-Za-z0-9+/=\r\n]*")
_PART_TYPE = re.compile(rb"(?im)^content-type:[ \t]*([a-z0-9!#$&^_.+-]+)/")
_BINARY_TYPES = {b"application", b"image", b"audio", b"video", b"font", b"model"}


def in_binary_part(data: bytes, at: int) -> bool:
    """Is offset `at` inside the base64 body of a PDF, image or other non-text part?

    The parser drops such parts unread (parse._prune), so nothing in them can make a message
    concern a platform; yet 300 KB of random base64 holds a short fragment now and then, and each
    one would cost a full parse. Anything less than certain counts as not binary.
    """
    blank = max(data.rfind(b"\n\n", 0, at), data.rfind(b"\n\r\n", 0, at))
    if blank < 0 or not _BASE64_RUN.fullmatch(data, blank, at):
        return False  # not one unbroken run of base64 lines after a header block
    head_start = max(data.rfind(b"\n--", 0, blank), data.rfind(b"\n\n", 0, blank), data.rfind(b"\n\r\n", 0, blank))
    head = data[head_start + 1:blank]
    types = _PART_TYPE.findall(head)
    return len(types) == 1 and types[0].lower() in _BINARY_TYPES and b"base64" in head.lower()


def in_other_header(data: bytes, at: int) -> bool:
    """Is offset `at` in the message's own header block, in a field other than From?

    There a word can be disguised only by chance (a base64 fragment in Office 365's opaque
    anti-spam data): headers are never quoted-printable, and base64 text hides a sender only in
    an encoded word of a From field, which is decoded instead. Anything less than certain counts
    as not such a header.
    """
    if at > HEADER_WINDOW or data.find(b"\n\n", 0, at) >= 0 or data.find(b"\n\r\n", 0, at) >= 0:
        return False  # in the body, or too far in to tell
    line = data.rfind(b"\n", 0, at) + 1
    for _ in range(4000):  # back over the field's folded lines to its name
        if line == 0 or data[line:line + 1] not in (b" ", b"\t"):
            break
        line = data.rfind(b"\n", 0, line - 1) + 1
    name = _FIELD_NAME.match(data, line)
    return name is not None and name.group(1).lower() != b"from"


def escape(text: bytes) -> bytes:
    """Every byte but ASCII letters and digits as \\xNN: read the same by RE2 and Hyperscan."""
    return _NOT_ALNUM.sub(lambda m: b"\\x%02x" % m.group()[0], text)


def from_field_around(data: bytes, at: int) -> tuple[int, int] | None:
    """The From field holding offset `at` (a FROM_ENCODED match ends there): from its line's start
    to its end (the first line break not followed by a fold), within headers.MAX_FIELD_BYTES each
    way. A scanner knows only where a match ends; the field's start is the last From line before."""
    lo = max(at - headers.MAX_FIELD_BYTES, 0)
    starts = list(_FROM_FIELD_START.finditer(data, lo, at))
    if not starts:
        return None
    begin = starts[-1].start(1)
    end = _FIELD_END.search(data, at, at + headers.MAX_FIELD_BYTES)
    return begin, end.start() if end else min(len(data), at + headers.MAX_FIELD_BYTES)


def split_once(word: bytes, breaks: tuple[bytes, ...]) -> list[bytes]:
    """The word, and the word with each break inserted at each inner position."""
    return [word] + [word[:i] + gap + word[i:] for i in range(1, len(word)) for gap in breaks]


def minimal_words(words: set[str]) -> tuple[str, ...]:
    """Drop words that contain a shorter kept one: 'upwork' already finds 'upwork.com'."""
    kept: list[str] = []
    for w in sorted(words, key=lambda w: (len(w), w)):
        if not any(shorter in w for shorter in kept):
            kept.append(w)
    return tuple(kept)


def base64_fragments(word: bytes) -> set[bytes]:
    """The base64 characters that encode `word` alone, at each of the three byte alignments."""
    out = set()
    for offset in range(3):
        encoded = base64.b64encode(b"\0" * offset + word + b"\0\0")
        first = -(-8 * offset // 6)  # first character made only of the word's bits
        last = (8 * (offset + len(word))) // 6  # one past the last such character
        if last - first >= 4:
            out.add(encoded[first:last])
    return out
