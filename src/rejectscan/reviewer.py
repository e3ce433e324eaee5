"""A reviewer's own words: the latest reply without quoted history, and what it asks for. Pure.

The only module that talks to mail-parser-reply, which separates a person's reply from the
messages it quotes and from signatures in many languages. The sentences that ask for something
specific ("please add two or three case studies") are shown to the user under their own heading.

The reply parser's regular expressions backtrack: a line starting "On" followed by thousands of
characters, or thousands of blank lines or spaces in a row, cost it time growing with the square
of their length (seconds for a 20 KB body). Its input is made tame first, as it would read it
anyway (lines stripped), with no line longer than a real paragraph and no long run of white space.
"""

from __future__ import annotations

import re

from rejectscan.patterns import DecisionRules
from rejectscan.text import unquoted

MAX_CHARS = 20_000
MAX_LINE_CHARS = 1_000  # per line the reply parser reads; real paragraphs are shorter
MAX_SPACE_RUN = 8  # white space in a row within a line
MAX_BLANK_LINES = 2  # empty lines in a row
MAX_INSTRUCTIONS = 5
MAX_SENTENCE = 300
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")


def own_words(body: str) -> str:
    """The latest reply, without the history it quotes; the body itself if it cannot be told apart."""
    text = (body or "")[:MAX_CHARS]
    try:
        from mailparser_reply import EmailReplyParser

        replies = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl", "pt"]).read(_tame(text)).replies
        latest = replies[0].body if replies else ""
    except Exception:  # a reply parser that trips over hostile text must not stop the judgement
        latest = ""
    return latest if latest.strip() else text


_SPACE_RUN = re.compile(r"[^\S\n]{%d,}" % (MAX_SPACE_RUN + 1))
_BLANK_RUN = re.compile(r"\n{%d,}" % (MAX_BLANK_LINES + 2))


def _tame(text: str) -> str:
    """The text as the reply parser reads it (CRLF as LF, each line stripped), with runs of white
    space cut to MAX_SPACE_RUN, runs of empty lines to MAX_BLANK_LINES and lines to MAX_LINE_CHARS:
    bounded work for its regular expressions, the same replies for real mail."""
    text = _SPACE_RUN.sub(lambda m: m.group()[:MAX_SPACE_RUN], text.replace("\r\n", "\n"))
    text = "\n".join(line.strip()[:MAX_LINE_CHARS] for line in text.split("\n"))
    return _BLANK_RUN.sub("\n" * (MAX_BLANK_LINES + 1), text)


def instructions(body: str, rules: DecisionRules) -> tuple[str, ...]:
    """Sentences of the reviewer's own words that ask for something, as they wrote them."""
    found: list[str] = []
    for piece in _SENTENCE.split(unquoted(own_words(body))):
        sentence = " ".join(piece.split())
        if 12 <= len(sentence) <= MAX_SENTENCE and any(r.search(sentence) for rule in rules.instructions
                                                     for r in rule.regexes):
            found.append(sentence)
            if len(found) >= MAX_INSTRUCTIONS:
                break
    return tuple(found)
