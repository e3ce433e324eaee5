"""Text from an email made safe for where it is shown: a terminal, a spreadsheet, a JSON line, a page.

Email content is written by strangers. On a terminal, control characters and escape sequences
would run (set the window title, write the clipboard with OSC 52, hide text, move the cursor),
and bidirectional or zero-width characters would rewrite what the user reads; they are shown as
visible escapes instead. In a CSV cell, a leading = + - @ (or a tab or carriage return) makes a
spreadsheet evaluate a formula: such cells are prefixed with an apostrophe, as spreadsheet-safe
exporters (defusedcsv, OWASP's advice) do; NULs are dropped, carriage returns become line
breaks (the csv module leaves a bare CR unquoted, which breaks readers), and the rest is escaped
as on a terminal, where CSV is often read too. In JSON lines, U+2028, U+2029
and U+0085 are escaped (some readers split lines on them), with the other C1 controls and bidi
overrides. On the HTML report, nothing may become markup, and what would hide or reorder text on
a terminal is shown the same visible way.
"""

from __future__ import annotations

import html
import re

# C0 controls but tab and newline, DEL, C1 controls; bidi embeddings, overrides, isolates and marks;
# zero-width and invisible formatting characters; the Unicode line and paragraph separators.
# Also what shows as nothing: the soft hyphen, Mongolian vowel separator, combining grapheme joiner,
# Hangul and Khmer fillers, musical formatting marks, tag characters; and lone surrogates, which
# no output encoding can carry.
_HIDDEN = ("\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f"
           "\u3164\ufeff\uffa0\ufff9-\ufffb\U0001d173-\U0001d17a\U000e0000-\U000e007f\ud800-\udfff")
_TERMINAL = re.compile(f"[\x00-\x08\x0b-\x1f\x7f\x80-\x9f{_HIDDEN}]")
_FIELD = re.compile(f"[\x00-\x1f\x7f\x80-\x9f{_HIDDEN}]")
_FORMULA = ("=", "+", "-", "@", "\t", "\r")
_NOT_CHARACTERS = re.compile("[\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")  # lone surrogates, non-characters
_JSON_UNSAFE = re.compile("[\x80-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _visible(match: re.Match) -> str:
    ch = match.group()
    code = ord(ch)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def field(text: str | None) -> str:
    """One value inside a line of terminal output: every control character, line break, bidi and
    invisible character shown as a visible escape (\\x1b, \\n, \\u202e)."""
    return _FIELD.sub(_visible, text or "")


def terminal(text: str) -> str:
    """Whole lines of terminal output: as `field`, but the line breaks and tabs we wrote stay."""
    return _TERMINAL.sub(_visible, text)


def csv_cell(value: object) -> object:
    """A value for a CSV cell that a spreadsheet will not run as a formula."""
    if not isinstance(value, str):
        return value
    value = value.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n")  # a bare CR is left unquoted
    value = _TERMINAL.sub(_visible, value)  # a cell is read on terminals too (cat, less, column)
    return "'" + value if value.startswith(_FORMULA) else value


def json_line(text: str) -> str:
    """A JSON document (ensure_ascii=False) with the characters some readers break lines on
    (U+2028, U+2029, U+0085), the other C1 controls and the bidi overrides escaped as \\uXXXX."""
    return _JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def html_text(value: object) -> str:
    """Element text or an attribute value for an HTML page: controls, bidi and invisible characters as
    visible escapes (as `terminal`), characters HTML cannot carry as U+FFFD, then & < > " ' escaped."""
    return html.escape(terminal(_NOT_CHARACTERS.sub("\ufffd", str(value))), quote=True)
