"""Can this raw message concern a platform at all? Decided on bytes, before any parse.

A message concerns a platform when its (original) sender's address or name carries one of the
platform's names, domains or lookalike tokens (match.identify_platform). Those words then appear
somewhere in the raw bytes, possibly hidden by an encoding: quoted-printable soft line breaks,
base64 text parts (a forward Maria sent herself from a client that encodes everything), or an
RFC 2047 encoded display name. All three are checked without decoding the message; anything
that passes is parsed in full, so the filter can only save work, never change a verdict (the
equivalence test compares it with a full parse of every message).
"""

from __future__ import annotations

import base64
import email.header
import re

from rejectscan.patterns import PatternSet, literal_matcher

_ENCODED_WORD = re.compile(rb"=\?[^?\s]{1,40}\?[bBqQ]\?[^?\s]{1,400}\?=")


class Prefilter:
    """substrings: domains and lookalike tokens (matched anywhere, as identify_platform does);
    names: platform names (matched as whole words, as in a display name)."""

    def __init__(self, substrings: tuple[str, ...], names: tuple[str, ...]) -> None:
        subs = _minimal({s.lower().strip(".") for s in substrings if len(s.strip(".")) >= 3})
        names = tuple(sorted({n.lower() for n in names if n}))
        fragments = set()
        for w in (*subs, *names):
            for variant in {w, w.capitalize(), w.upper(), w.title()}:
                fragments.update(base64_fragments(variant.encode()))
        self.plain = literal_matcher(tuple(s.encode() for s in subs), tuple(n.encode() for n in names))
        self.encoded = literal_matcher(tuple(sorted(fragments)), ignore_case=False)
        self.names = tuple(n.encode() for n in names)
        self.substrings = tuple(s.encode() for s in subs)

    @classmethod
    def for_patterns(cls, patterns: PatternSet) -> "Prefilter":
        # exactly the words match.identify_platform looks for
        return cls(tuple(w for p in patterns.platforms for w in (*p.domains, *p.lookalike_tokens)),
                   tuple(p.name for p in patterns.platforms))

    def may_concern(self, data: bytes) -> bool:
        if self.plain.search(data):
            return True
        head = data[:65536]
        if b"uoted-printable" in data or b"?q?" in head or b"?Q?" in head:
            if self.plain.search(data.replace(b"=\r\n", b"").replace(b"=\n", b"")):
                return True
        if b"base64" in data or b"?b?" in head or b"?B?" in head:
            if self.encoded.search(data.replace(b"\r", b"").replace(b"\n", b"")):
                return True
        if b"=?" in head:
            header_end = data.find(b"\n\n")
            for word in _ENCODED_WORD.findall(data[: header_end if header_end > 0 else 65536]):
                if self.plain.search(_decode_word(word)):
                    return True
        return False


def _minimal(words: set[str]) -> tuple[str, ...]:
    """Drop words that contain a shorter kept one: 'upwork' already finds 'upwork.com'."""
    kept: list[str] = []
    for w in sorted(words, key=len):
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


def _decode_word(word: bytes) -> bytes:
    try:
        parts = email.header.decode_header(word.decode("ascii", "replace"))
        return b"".join(p if isinstance(p, bytes) else p.encode() for p, _ in parts).lower()
    except Exception:
        return b""
