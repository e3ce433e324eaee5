"""Text normalisation tables, kept in one place: every step that compares text uses these.

Mail clients write the same words with odd spaces (no-break, narrow no-break, figure, thin),
invisible characters (zero-width space, byte-order mark), carriage returns, curly quotes and
dashes, and with "> " quote markers in front of forwarded or replied lines. Matching, forward
reading and date reading all need those made uniform, and they must agree on how.
"""

from __future__ import annotations

import html
import re

# Odd spaces become a plain space; invisible characters and carriage returns disappear.
INVISIBLE = str.maketrans({
    "\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ",
    "\u200b": None, "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None, "\r": None,
})
# Curly quotes, primes and dashes as their plain ASCII forms (applied after INVISIBLE).
PUNCTUATION = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u00ab": '"', "\u00bb": '"',
    "\u2013": "-", "\u2014": "-", "\u2026": "...",
})
# "> ", ">>", "> > " at the start of a line: the marks of quoted text.
QUOTE_MARKERS = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")
_TAGS = re.compile(r"<[^>\n]{1,200}>")
_SPEECH = re.compile(r'["\u201c\u201d\u201e][^"\u201c\u201d\u201e]{1,600}["\u201c\u201d\u201e]')
_SPACES = re.compile(r"\s+")


def visible(text: str) -> str:
    """Odd spaces made plain, invisible characters and carriage returns removed."""
    return (text or "").translate(INVISIBLE)


def unquoted(text: str) -> str:
    """The text with its quote markers removed and its spaces made plain (case and lines kept)."""
    return QUOTE_MARKERS.sub("", visible(text))


def without_quotations(text: str) -> str:
    """Text with its double-quoted passages left out: a Gig's title, a forum post, someone quoted.
    What an email says in quotation marks is not what it decides."""
    return _SPEECH.sub('""', text or "")


def normalise(text: str) -> str:
    """Case, curly quotes, odd spaces, '>' quoting, HTML remnants and line wrapping made uniform:
    the form phrases are compared in."""
    text = unquoted(text).translate(PUNCTUATION)
    text = html.unescape(_TAGS.sub(" ", text)).translate(INVISIBLE).translate(PUNCTUATION)
    return _SPACES.sub(" ", text).strip().casefold()


def duration(seconds: int) -> str:
    """38 -> '38 seconds', 7500 -> '2 hours 5 minutes', 190000 -> '2 days 4 hours'."""
    seconds = int(seconds)
    if seconds < 90:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if seconds < 600:
        rest = seconds - minutes * 60
        return f"{minutes} minute{'s' if minutes != 1 else ''}" + (f" {rest} seconds" if rest else "")
    if seconds < 3600:
        return f"{minutes} minutes"
    if seconds < 86400:
        rest = minutes - hours * 60
        return f"{hours} hour{'s' if hours != 1 else ''}" + (f" {rest} minutes" if rest else "")
    rest = hours - days * 24
    return f"{days} day{'s' if days != 1 else ''}" + (f" {rest} hour{'s' if rest != 1 else ''}" if rest else "")
