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

from rejectscan.patterns import PatternSet, bytes_matcher

_ENCODED_WORD = re.compile(rb"=\?[^?\s]{1,40}\?[bBqQ]\?[^?\s]{1,400}\?=")


class Prefilter:
    """substrings: domains and lookalike tokens (matched anywhere, as identify_platform does);
    names: platform names (matched as whole words, as in a display name).

    One RE2 pass over the raw bytes looks for all of them at once: each substring also with a
    quoted-printable soft line break ("=\\n") allowed between any two characters, and each base64
    fragment of each word with a line break allowed anywhere, so no decoded copy is ever made.
    """

    def __init__(self, substrings: tuple[str, ...], names: tuple[str, ...]) -> None:
        subs = minimal_words({s.lower().strip(".") for s in substrings if len(s.strip(".")) >= 3})
        names = tuple(sorted({n.lower() for n in names if n}))
        fragments = set()
        for w in (*subs, *names):
            for variant in {w, w.capitalize(), w.upper(), w.title()}:
                fragments.update(base64_fragments(variant.encode()))
        alternatives = ([b"(?i:" + _spaced(s.encode(), rb"(?:=\r?\n)?") + b")" for s in subs]
                        + [b"(?i:\\b" + re.escape(n.encode()) + b"\\b)" for n in names]
                        + [_spaced(f, rb"\r?\n?") for f in sorted(fragments)])
        self.matcher = bytes_matcher(b"|".join(alternatives))
        self.words = bytes_matcher(b"(?i)" + b"|".join(re.escape(w.encode()) for w in (*subs, *names)))

    @classmethod
    def for_patterns(cls, patterns: PatternSet) -> "Prefilter":
        # exactly the words match.identify_platform looks for
        return cls(tuple(w for p in patterns.platforms for w in (*p.domains, *p.lookalike_tokens)),
                   tuple(p.name for p in patterns.platforms))

    def may_concern(self, data: bytes) -> bool:
        if self.matcher.search(data):
            return True
        head = data[:65536]
        if b"=?" in head:  # RFC 2047 encoded words in the headers (Q encoding hides letters as =XX)
            header_end = data.find(b"\n\n")
            for word in _ENCODED_WORD.findall(data[: header_end if header_end > 0 else 65536]):
                if self.words.search(_decode_word(word)):
                    return True
        return False


def _spaced(word: bytes, gap: bytes) -> bytes:
    """'abc' -> 'a<gap>b<gap>c', each character escaped."""
    return gap.join(re.escape(bytes([c])) for c in word)


def minimal_words(words: set[str]) -> tuple[str, ...]:
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
