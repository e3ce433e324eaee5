"""Feedback while it runs (progress.py), and `analyze --record` for mail read offline."""

from __future__ import annotations

import io
import json
import os
import re
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from conftest import FIXTURES, flat, mail, on_a_terminal, run

MBOXES = sorted(str(p) for p in (FIXTURES / "mbox").glob("*.mbox"))


# --- the line itself --------------------------------------------------------------------------------

class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_line_is_redrawn_at_most_ten_times_a_second_unless_asked():
    from rejectscan.progress import Meter

    out, clock = io.StringIO(), Clock()
    meter = Meter(out, 80, clock)
    meter.show("one")
    meter.show("two")  # at the same moment: skipped
    clock.now = 0.05
    meter.show("three", now=True)  # a new step is always drawn
    clock.now = 0.2
    meter.show("four")
    assert out.getvalue() == "\rone\x1b[K\rthree\x1b[K\rfour\x1b[K"


def test_the_line_is_escaped_cut_to_the_width_and_cleared_only_once_drawn():
    from rejectscan.progress import Meter

    out = io.StringIO()
    meter = Meter(out, 40, Clock())
    meter.clear()
    assert out.getvalue() == ""  # nothing drawn: nothing to clear
    meter.show("INBOX\x1b]52;c;aGk=\x07\u202e: " + "x" * 100)  # a folder name is the server's to choose
    drawn = out.getvalue()
    assert "\x1b]" not in drawn and "\u202e" not in drawn and "\\x1b" in drawn and "\\u202e" in drawn
    assert len(drawn[1:].removesuffix("\x1b[K")) == 39 and drawn.endswith("...\x1b[K")  # never the last column
    meter.clear()
    meter.clear()
    assert out.getvalue() == drawn + "\r\x1b[K"


# --- who gets it --------------------------------------------------------------------------------------

def test_analyze_shows_what_it_reads_on_a_terminal_and_nothing_elsewhere():
    on_tty = run("analyze", *MBOXES, stderr_tty=True)
    assert on_tty.code == 0, on_tty.err
    assert all("\rreading " + path + "\x1b[K" in on_tty.err for path in MBOXES)  # each input, as it starts
    assert on_tty.err.endswith("\r\x1b[K")  # cleared at the end
    assert "\r" not in on_tty.out  # the findings on stdout never carry it
    piped = run("analyze", *MBOXES)
    assert piped.err == "" and piped.out == on_tty.out
    assert "reading" not in run("--verbose", "analyze", *MBOXES, stderr_tty=True).err  # never over the log
    assert "reading" not in run("analyze", *MBOXES, stderr_tty=True, env={"TERM": "dumb"}).err


def test_the_real_command_draws_it_on_a_terminal_and_clears_it_before_each_finding():
    screen = on_a_terminal(["analyze", *MBOXES])
    assert "\rreading " in screen
    for drawn in re.finditer("\rreading [^\r\n\x1b]*\x1b\\[K", screen):  # redrawn or cleared before anything else
        assert screen[drawn.end():].startswith("\r"), screen[drawn.start():drawn.end() + 40]
    text = re.sub("\r[^\r\n]*\x1b\\[K|\x1b\\[[0-9;]*m", "", screen)  # no progress, no colour
    assert text.startswith(MBOXES[0] + ":2\n")  # the first finding starts on a clean line


def test_an_error_line_starts_on_a_clean_line(tmp_path):
    bad = tmp_path / "gone.eml"
    result = run("analyze", MBOXES[0], str(bad), stderr_tty=True)
    lines = result.err.split("\n")
    error = [line for line in lines if "no such file" in line][0]
    assert re.search(r"\r\x1b\[Krejectscan: .*gone\.eml", error), repr(error)  # the progress was cleared first


# --- fetch ---------------------------------------------------------------------------------------------

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def test_fetch_says_what_it_downloads_on_a_terminal_and_is_silent_with_quiet(dovecot, tmp_path):
    for i in range(3):
        dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(days=i + 1), f"r{i}@upwork.com"),
                       when=NOW - timedelta(days=i + 1))
    result = _fetch_on_tty(dovecot, tmp_path / "a.db")
    assert result.code == 0, result.err
    assert "\rINBOX: searching" in result.err and "\rINBOX: 1 of 3 downloaded" in result.err
    assert "\rINBOX: 3 of 3 downloaded" in result.err and result.err.rstrip("\n").endswith("\r\x1b[K")
    quiet = _fetch_on_tty(dovecot, tmp_path / "b.db", "--quiet")
    assert "downloaded" not in quiet.err and "searching" not in quiet.err
    logged = _fetch_on_tty(dovecot, tmp_path / "c.db", "--quiet", verbose=True)  # the log says it instead
    assert "\r" not in logged.err
    for words in ("connected to localhost:", "(TLS); reading since", "INBOX: 3 messages to download (3 found",
                  "done: 3 platform emails new"):
        assert words in logged.err, (words, logged.err)


def _fetch_on_tty(dovecot, db, *args, verbose=False):
    from dovecot import PASSWORD, USER

    return run(*(["--verbose"] if verbose else []), "fetch", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", USER, "--tls", "ssl",
               "--cafile", str(dovecot.cert), "--db", str(db), "--since", "30d", *args,
               env={"REJECTSCAN_PASSWORD": PASSWORD}, stderr_tty=True)


# --- analyze --record ------------------------------------------------------------------------------------

def _labels(db) -> list[tuple[str, str | None]]:
    with sqlite3.connect(db) as conn:
        return sorted(conn.execute("SELECT kind, label FROM messages").fetchall(), key=str)


def test_analyze_record_gives_history_from_an_export_once(tmp_path):
    db = tmp_path / "state.db"
    assert run("analyze", *MBOXES, "--db", str(db)).code == 0
    assert not db.exists()  # without --record, analyze never writes

    first = run("analyze", *MBOXES, "--record", "--db", str(db))
    assert first.code == 0, first.err
    stored = _labels(db)
    assert stored.count(("rejection", "automated")) == 4 and stored.count(("rejection", "human-reviewed")) == 1
    history = run("history", "--format", "json", "--db", str(db))
    rejected = [e for e in json.loads(history.out)["events"] if e["event"] == "rejected"]
    assert sorted(e["label"] for e in rejected) == ["automated"] * 4 + ["human-reviewed"]
    assert "2 days 3 hours" in flat(run("history", "--db", str(db)).out)

    again = run("analyze", *MBOXES, "--record", "--db", str(db))
    assert again.code == 0 and again.out == first.out
    assert _labels(db) == stored  # the same messages are not stored twice
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM messages WHERE reported = 0").fetchone()[0] == 0  # shown already
        assert conn.execute("SELECT count(*) FROM messages WHERE raw IS NULL").fetchone()[0] == 0  # judged again later
    assert os.stat(db).st_mode & 0o077 == 0


def test_analyze_record_keeps_a_submitted_at_so_the_delay_survives(tmp_path):
    db = tmp_path / "state.db"
    path = str(FIXTURES / "upwork" / "bot-rejection.eml")
    at = json.loads(run("analyze", path, "--format", "json").out)[0]["sent_at"]
    submitted = (datetime.fromisoformat(at) - timedelta(seconds=30)).isoformat()
    for _ in range(2):
        assert run("analyze", path, "--record", "--submitted-at", submitted, "--db", str(db)).code == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT count(*) FROM submissions").fetchone()[0] == 1
    events = json.loads(run("history", "--format", "json", "--db", str(db)).out)["events"]
    assert [e["delay_seconds"] for e in events if e["event"] == "rejected"] == [30]


def test_the_line_is_as_wide_as_stderrs_terminal_when_stdout_is_a_file():
    """`analyze export.mbox > out.json` on a 50-column terminal: a longer line would wrap, and each
    redraw would leave a row behind."""
    from conftest import environment
    from click.testing import CliRunner

    from rejectscan.cli import cli

    env = environment(env={"COLUMNS": ""})
    env = type(env)(**{**env.__dict__, "stderr_is_tty": True, "stderr_columns": 50})
    long_name = FIXTURES / "mbox" / "three-bot-rejections.mbox"
    result = CliRunner().invoke(cli, ["analyze", str(long_name)], obj=env, catch_exceptions=False)
    drawn = [d for d in result.stderr.split("\r") if d.startswith("reading")]
    assert drawn and all(len(d.removesuffix("\x1b[K")) <= 49 for d in drawn), drawn
