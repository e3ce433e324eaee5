"""A reviewer's own words: the latest reply without quoted history, and what it asks for. Pure.

The only module that talks to mail-parser-reply, which separates a person's reply from the
messages it quotes and from signatures in many languages. The sentences that ask for something
specific ("please add two or three case studies") are shown to the user under their own heading.
"""

from __future__ import annotations

import re

from rejectscan.patterns import DecisionRules
from rejectscan.text import unquoted

MAX_CHARS = 20_000
MAX_INSTRUCTIONS = 5
MAX_SENTENCE = 300
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n\s*\n|\n(?=\s*(?:[-*•]|\d+[.)])\s)")


def own_words(body: str) -> str:
    """The latest reply, without the history it quotes; the body itself if it cannot be told apart."""
    text = (body or "")[:MAX_CHARS]
    try:
        from mailparser_reply import EmailReplyParser

        replies = EmailReplyParser(languages=["en", "de", "fr", "es", "it", "nl", "pt"]).read(text).replies
        latest = replies[0].body if replies else ""
    except Exception:  # a reply parser that trips over hostile text must not stop the judgement
        latest = ""
    return latest if latest.strip() else text


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
