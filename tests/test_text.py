"""Text for people (issue 15, item 7): every command's output fits the terminal (80 columns when
the width is unknown), colour only on a terminal unless forced, never under NO_COLOR."""

from __future__ import annotations

import pytest
from conftest import FIXTURES, on_a_terminal, run

from rejectscan.textout import Line, Page, Tone, fit, page_for, plural, wrap

ANSI = "\x1b["
SAMPLES = [FIXTURES / "upwork", FIXTURES / "fiverr", FIXTURES / "phishing", FIXTURES / "forwards",
           FIXTURES / "decisions", FIXTURES / "authenticity", FIXTURES / "headers"]


def _commands(tmp_path):
    db = str(tmp_path / "s.db")
    yield ("analyze", *map(str, SAMPLES), "--db", db)
    yield ("analyze", str(FIXTURES / "upwork"), "--submitted-at", "2026-11-24T15:03:00Z", "--db", db)
    yield ("submitted", "--platform", "upwork", "--at", "2026-11-24T15:03:00Z", "--note", "first try " * 12,
           "--db", db)
    yield ("history", "--db", db)
    yield ("doctor", "--host", "localhost", "--port", "9", "--user", "someone.with.a.long.name@example.org",
           "--db", db)
    yield ("patterns", "list")
    yield ("patterns", "lint")
    for path in sorted((FIXTURES / "upwork").glob("*.eml"))[:4] + [FIXTURES / "forwards" / "gmail-en.eml"]:
        yield ("patterns", "test", str(path))
    yield ("config", "show", "--db", db)
    yield ("config", "path")
    # `schedule`: its text is here through --help; the units fit 80 columns but for a path longer
    # than a line (test_schedule.py), and the crontab line is one line whatever its length.
    for command in ("analyze", "fetch", "watch", "history", "doctor", "submitted", "report", "patterns", "config",
                    "schedule"):
        yield (command, "--help")
    yield ("--help",)


def test_no_line_of_any_command_passes_80_columns(tmp_path):
    too_wide = []
    for command in _commands(tmp_path):
        result = run(*command, env={"COLUMNS": "80"})
        for line in result.out.splitlines() + [x for x in result.err.splitlines()
                                               if not x.startswith("rejectscan: ")]:  # error lines stay one line
            if len(line) > 80:
                too_wide.append(f"{' '.join(command[:2])}: {len(line)}: {line[:50]}")
    assert not too_wide, "\n".join(too_wide[:20])


def test_the_width_follows_the_terminal():
    text = run("analyze", str(FIXTURES / "upwork"), env={"COLUMNS": "60"}).out
    assert max(len(line) for line in text.splitlines()) <= 60
    assert max(len(line) for line in text.splitlines()) > 50  # it is used, not just a ceiling


def _visible_width(line: str) -> int:
    import re

    return len(re.sub(r"\x1b\[[0-9;]*m", "", line))


def test_colour_on_a_terminal_only_and_never_under_no_color():
    path = str(FIXTURES / "upwork" / "bot-rejection.eml")
    on_tty = on_a_terminal(["analyze", path], columns=72)
    assert ANSI in on_tty
    assert max(_visible_width(line) for line in on_tty.splitlines()) <= 72
    # the progress line's "erase to the end of the line" is not colour
    assert "\x1b[K" in on_a_terminal(["analyze", path], env={"NO_COLOR": "1"})
    assert ANSI not in on_a_terminal(["analyze", path], env={"NO_COLOR": "1"}).replace("\x1b[K", "")
    assert ANSI not in on_a_terminal(["--color", "never", "analyze", path]).replace("\x1b[K", "")
    assert ANSI not in run("analyze", path).out  # a pipe
    assert ANSI in run("--color", "always", "analyze", path).out


def test_text_from_an_email_is_never_read_as_markup_or_escapes(tmp_path):
    message = (FIXTURES / "upwork" / "bot-rejection.eml").read_bytes().replace(
        b"Subject: Your Upwork profile", b"Subject: [bold red]URGENT[/] :warning: \x1b[5mblink")
    path = tmp_path / "m.eml"
    path.write_bytes(message)
    out = " ".join(run("--color", "always", "analyze", str(path)).out.split())
    assert "[bold red]URGENT[/] :warning: " in out and "\x1b[5m" not in out


@pytest.mark.parametrize("environ, tty, choice, size, expected", [
    ({}, False, "auto", None, Page(80, False)),
    ({"COLUMNS": "120"}, True, "auto", None, Page(100, True)),
    ({"COLUMNS": "x"}, True, "auto", 70, Page(70, True)),
    ({"NO_COLOR": "1"}, True, "auto", 90, Page(90, False)),
    ({"TERM": "dumb"}, True, "auto", 90, Page(90, False)),
    ({}, False, "always", None, Page(80, True)),
    ({"COLUMNS": "10"}, False, "never", None, Page(40, False)),
])
def test_the_page(environ, tty, choice, size, expected):
    assert page_for(environ, tty, choice, size) == expected


def test_wrapping_keeps_a_hanging_indent_and_colour_never_counts():
    lines = wrap("    - " + "word " * 30, 40, hang=2)
    assert all(len(line) <= 40 for line in lines)
    assert lines[0].startswith("    - ") and all(line.startswith("      ") for line in lines[1:])
    painted = fit([Line("x " * 30, Tone.WARNING)], Page(20, True))
    assert all(_visible_width(line) <= 20 and line.startswith(ANSI) for line in painted.splitlines())


def test_counts_in_words():
    assert plural(1, "rejection") == "1 rejection"
    assert plural(3, "rejection") == "3 rejections"
    assert plural(1200, "entry", "entries") == "1,200 entries"
