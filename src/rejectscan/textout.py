"""Text for people on a terminal: lines wrapped to its width, colour where it helps, and counts in
words. Pure: the page's width and colour are decided once from the Environment (`page_for`).

Renderers build `Line`s whose text is already made safe (safe.field for each value from an email);
`fit` escapes what is left, wraps each line with a hanging indent, and only then adds colour, so an
escape sequence can never come from an email and never counts towards the width. We write the
few codes we need rather than use a terminal library: nothing here ever reads markup, so text from
an email ("[bold]", ":smile:") is always printed as it is.
"""

from __future__ import annotations

import enum
import textwrap
from dataclasses import dataclass
from typing import Iterable, Mapping

from rejectscan.safe import terminal

DEFAULT_WIDTH = 80  # when the width is unknown (a pipe, cron)
MAX_WIDTH = 100  # prose gets hard to read beyond this, however wide the terminal
MIN_WIDTH = 40


class Tone(enum.Enum):
    PLAIN = ""
    HEADING = "1"  # bold
    VERDICT = "1;33"  # bold yellow: who rejected the profile
    GOOD = "32"  # green: an approval, a check that passed
    WARNING = "1;31"  # bold red: a forgery, a stale mailbox
    PROBLEM = "31"  # red: a failed check
    QUIET = "2"  # dim: sources, notes


@dataclass(frozen=True)
class Line:
    text: str
    tone: Tone = Tone.PLAIN
    hang: int = 2  # continuation lines are indented this much more than the first


@dataclass(frozen=True)
class Page:
    width: int = DEFAULT_WIDTH
    color: bool = False


def page_for(environ: Mapping[str, str], is_tty: bool, color: str = "auto", size: int | None = None) -> Page:
    """The page a command prints on. Width: COLUMNS, else the terminal's size, else 80, kept within
    40-100. Colour: `always`, `never`, or on a terminal unless NO_COLOR is set or TERM is dumb."""
    width = None
    try:
        width = int(environ.get("COLUMNS", ""))
    except ValueError:
        width = None
    if width is None or width <= 0:
        width = size if is_tty and size else DEFAULT_WIDTH
    width = max(MIN_WIDTH, min(MAX_WIDTH, width))
    if color == "always":
        colored = True
    elif color == "never":
        colored = False
    else:
        colored = is_tty and not environ.get("NO_COLOR") and environ.get("TERM", "") != "dumb"
    return Page(width=width, color=colored)


def fit(lines: Iterable[Line | str], page: Page) -> str:
    """The lines as printed: made safe, wrapped to the page, coloured; each ends with a newline."""
    out = []
    for line in lines:
        if isinstance(line, str):
            line = Line(line)
        for part in wrap(terminal(line.text), page.width, line.hang):
            out.append(paint(part, line.tone, page))
    return "".join(part + "\n" for part in out)


def wrap(text: str, width: int, hang: int = 2) -> list[str]:
    """One line (or several, split at the newlines we wrote) wrapped with a hanging indent: the
    continuation starts `hang` columns right of the line's own indent."""
    out: list[str] = []
    for raw in text.split("\n"):
        if len(raw) <= width:
            out.append(raw.rstrip())
            continue
        indent = len(raw) - len(raw.lstrip(" "))
        rest = " " * min(indent + hang, width // 2)
        wrapper = textwrap.TextWrapper(width=width, initial_indent=" " * indent, subsequent_indent=rest,
                                       break_long_words=True, break_on_hyphens=False, drop_whitespace=True)
        out += wrapper.wrap(raw.strip(" ")) or [""]
    return out


def paint(text: str, tone: Tone, page: Page) -> str:
    if not page.color or tone is Tone.PLAIN or not text.strip():
        return text
    return f"\x1b[{tone.value}m{text}\x1b[0m"


def plural(count: int, word: str, many: str | None = None) -> str:
    """'1 rejection', '3 rejections', '1,200 messages': counts as people write them."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


def listing(items: list[str], conjunction: str = "and") -> str:
    """'a', 'a and b', 'a, b and c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {conjunction} " + items[-1]
