"""Hostile mail and a hostile machine: what an attacker's email can print, run or leak (issue 14).
Every attacker input here is made by the test."""

from __future__ import annotations

import base64
import csv
import io
import json
import re

import pytest

from conftest import FIXTURES, run

# what a terminal would run or hide: OSC 52 (clipboard), a window title, hidden text, cursor moves,
# backspace and carriage return, a right-to-left override, zero-width characters, a NUL
ATTACKS = ["\x1b]52;c;cm0gLXJmIH4K\x07", "\x1b]0;pwned\x07", "\x1b[8mhidden\x1b[0m", "\x1b[2J\x1b[H",
           "safe\x08\x08\x08\x08evil", "line\rOVERWRITE", "\u202egnp.exe", "zero\u200bwidth", "nul\x00byte",
           "\x9b31m", "next\nline\u2028sep\u0085nel"]
EXECUTES = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029\u0085]")


def _encoded(text: str) -> str:
    return "=?utf-8?b?" + base64.b64encode(text.encode()).decode() + "?="


def hostile_message(attack: str, where: str) -> bytes:
    """A genuine-looking Upwork rejection with the attack in its display name, subject or forwarder."""
    data = (FIXTURES / "upwork/bot-rejection.eml").read_bytes().decode()
    if where == "name":
        data = data.replace("From: Upwork <donotreply@upwork.com>", f"From: {_encoded('Upwork ' + attack)} <donotreply@upwork.com>")
    elif where == "subject":
        data = data.replace("Subject: Your Upwork profile", f"Subject: {_encoded('Your Upwork profile ' + attack)}")
    elif where == "forwarder":
        data = (f"From: {_encoded('Maria ' + attack)} <maria.santos@example.org>\nTo: maria.santos@example.org\n"
                f"Subject: Fwd: Your Upwork profile\nDate: Wed, 25 Nov 2026 09:00:00 +0000\nMessage-ID: <f@x>\n"
                "Content-Type: text/plain; charset=utf-8\n\n---------- Forwarded message ---------\n"
                "From: Upwork <donotreply@upwork.com>\nDate: Tue, Nov 24, 2026 at 3:03 PM\n"
                "Subject: Your Upwork profile\nTo: <maria.santos@example.org>\n\n"
                "we will not be able to accept your registration " + attack + "\n")
    return data.encode()


@pytest.mark.parametrize("where", ["name", "subject", "forwarder"])
@pytest.mark.parametrize("attack", ATTACKS, ids=range(len(ATTACKS)))
def test_nothing_from_an_email_runs_on_the_terminal(tmp_path, attack, where):
    path = tmp_path / "evil\x1b]0;title\x07.eml"  # the file name is the attacker's too
    path.write_bytes(hostile_message(attack, where))
    for command in (("analyze", str(path)), ("patterns", "test", str(path))):
        out = run(*command).out
        assert not EXECUTES.search(out.replace("\n", "").replace("\t", "")), repr(out)


@pytest.mark.parametrize("attack", ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)",
                                    "\tleading tab", "\rcarriage", "nul\x00inside"])
def test_csv_cells_never_start_a_formula(tmp_path, attack):
    path = tmp_path / "m.eml"
    data = (FIXTURES / "upwork/bot-rejection.eml").read_bytes().decode().replace(
        "Subject: Your Upwork profile", f"Subject: {_encoded(attack)}").replace(
        "From: Upwork <donotreply@upwork.com>", f"From: {_encoded(attack)} <=cmd@upwork.com>")
    path.write_bytes(data.encode())
    out = run("analyze", str(path), "--format", "csv").out
    assert "\x00" not in out
    for row in csv.DictReader(io.StringIO(out)):
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), row


def test_json_lines_escape_the_characters_readers_split_lines_on(tmp_path):
    path = tmp_path / "m.eml"
    path.write_bytes(hostile_message("a\u2028b\u2029c\u0085d\u009b\u202e", "subject"))
    for fmt in ("jsonl", "json"):
        out = run("analyze", str(path), "--format", fmt).out
        assert not re.search("[\u2028\u2029\u0080-\u009f\u202a-\u202e]", out)
        records = [json.loads(line) for line in out.splitlines()] if fmt == "jsonl" else json.loads(out)
        assert records[0]["subject"].endswith("a\u2028b\u2029c\u0085d\u009b\u202e")  # kept, escaped
