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
           "\x9b31m", "next\nline\u2028sep\u0085nel",
           # what shows as nothing: soft hyphen, tag characters, Hangul filler, Mongolian vowel separator
           "soft\u00adhy", "tag\U000e0041\U000e007fs", "fill\u3164er", "mvs\u180esep"]
EXECUTES = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029\u0085"
                      "\u00ad\u180e\u3164\U000e0000-\U000e007f\ud800-\udfff]")


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


def test_nothing_from_an_email_becomes_markup_or_hides_text_in_the_report(tmp_path):
    """The HTML report: every attack in the display name, subject and file name, each message its own event."""
    paths = []
    for i, attack in enumerate(ATTACKS + ["<script>document.title='x'</script>", "\"><img src=x onerror=alert(1)>"]):
        data = hostile_message(attack, "name").decode().replace(
            "Subject: Your Upwork profile", f"Subject: {_encoded(f'Your Upwork profile {i} {attack}')}")
        path = tmp_path / f"evil{i}\x1b]0;title\x07<b>.eml"
        path.write_bytes(data.encode())
        paths.append(str(path))
    out = tmp_path / "report.html"
    result = run("report", "--output", str(out), "--db", str(tmp_path / "none.db"), *paths)
    assert result.code == 0, result.err
    page = out.read_text()
    assert page.count("<tr id=") == len(paths)  # every attack is on the page, as its own finding
    assert not EXECUTES.search(page.replace("\n", "").replace("\t", "")), "a control, bidi or hidden character"
    assert not re.search(r"<(?!/?(?:html|head|meta|title|style|body|header|h[123]|p|strong|code|nav|ul|ol|li|a|section|"
                         r"div|figure|figcaption|svg|desc|rect|line|text|circle|polygon|path|span|table|caption|thead|"
                         r"tbody|tr|th|td|time|data|br|footer|blockquote)\b)[a-z!]", page.split("</style>", 1)[1]), \
        "an element the page does not make"
    assert "onerror" not in page.replace("onerror=alert(1)&gt;", "")


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


@pytest.mark.parametrize("attack", ATTACKS, ids=range(len(ATTACKS)))
def test_csv_cells_carry_no_terminal_controls(tmp_path, attack):
    """A CSV file is read with cat and less as often as in a spreadsheet."""
    path = tmp_path / "m.eml"
    path.write_bytes(hostile_message(attack, "subject"))
    result = run("analyze", str(path), "--format", "csv")
    out = result.out
    assert result.code == 0 and "Your Upwork profile" in out, result.err  # the subject is there, escaped
    assert not EXECUTES.search(out.replace("\n", "").replace("\t", "")), repr(out)


@pytest.mark.parametrize("fmt", ["text", "json", "jsonl", "csv"])
def test_half_a_surrogate_pair_in_a_header_is_shown_not_a_crash(tmp_path, fmt):
    """UTF-7 (and a few other charsets) can spell a lone surrogate, which no output can encode: it
    stopped every fetch at the message, so one stranger's email hid all later mail."""
    data = (FIXTURES / "upwork/bot-rejection.eml").read_bytes().replace(
        b"From: Upwork <donotreply@upwork.com>", b"From: =?UTF-7?Q?Upwork+2AA-?= <donotreply@upwork.com>").replace(
        b"Subject: Your Upwork profile", b"Subject: =?UTF-7?Q?Your_profile+2AA-?=")
    path = tmp_path / "m.eml"
    path.write_bytes(data)
    result = run("analyze", str(path), "--format", fmt)
    assert result.code == 0 and "Your profile" in result.out, result.err  # the subject is shown, not dropped


def test_json_lines_escape_the_characters_readers_split_lines_on(tmp_path):
    path = tmp_path / "m.eml"
    path.write_bytes(hostile_message("a\u2028b\u2029c\u0085d\u009b\u202e", "subject"))
    for fmt in ("jsonl", "json"):
        out = run("analyze", str(path), "--format", fmt).out
        assert not re.search("[\u2028\u2029\u0080-\u009f\u202a-\u202e]", out)
        records = [json.loads(line) for line in out.splitlines()] if fmt == "jsonl" else json.loads(out)
        assert records[0]["subject"].endswith("a\u2028b\u2029c\u0085d\u009b\u202e")  # kept, escaped


def test_a_password_or_user_name_outside_ascii_logs_in_and_never_leaks(dovecot, tmp_path):
    from dovecot import UNICODE_PASSWORD, UNICODE_USER

    base = ("fetch", "--host", "localhost", "--port", str(dovecot.imaps_port), "--cafile", str(dovecot.cert),
            "--db", str(tmp_path / "s.db"), "--user", UNICODE_USER)
    ok = run(*base, env={"REJECTSCAN_PASSWORD": UNICODE_PASSWORD})
    assert ok.code == 0, ok.err
    wrong = run(*base, env={"REJECTSCAN_PASSWORD": "wrönger-pässword"})
    assert wrong.code == 3 and "login refused" in wrong.err
    for secret in ("wrönger-pässword", "ö", "position"):
        assert secret not in wrong.err


@pytest.mark.parametrize("config, words", [
    ('[account]\ntimeout = "abc"\n', ["account.timeout must be a number from 1 to 3600", "'abc'"]),
    ('[account]\nfolders = 5\n', ["account.folders must be a string or a list"]),
    ('[account]\npassword_cmd = 5\n', ["account.password_cmd must be a non-empty string"]),
    ('[account]\nallow_plaintext = "false"\n', ["account.allow_plaintext must be true or false"]),
    ('db = 5\n', ["db must be a non-empty string"]),
    ('format = "xml"\n', ['format must be one of "text", "json", "jsonl", "csv"']),
    ('[account]\nport = 70000\n', ["account.port must be a whole number from 1 to 65535"]),
])
def test_config_values_of_the_wrong_type_are_refused_with_file_and_key(tmp_path, config, words):
    path = tmp_path / "c.toml"
    path.write_text('[account]\nuser = "me@example.org"\nhost = "localhost"\n' + config.replace("[account]\n", "")
                    if config.startswith("[account]") else config + '\n[account]\nuser = "me@example.org"\n')
    result = run("fetch", "--config", str(path))
    assert result.code == 2 and str(path) in result.err, result.err
    for word in words:
        assert word in result.err, result.err


@pytest.mark.parametrize("args, words", [
    (("fetch", "--since", "99999999d"), ["--since", "at most 100 years"]),
    (("fetch", "--since", "9" * 5000 + "d"), ["--since", "too long", "5,001 characters"]),
    (("fetch", "--since", "9999y"), ["--since", "at most 100 years"]),
    (("fetch", "--since", "-5d"), ["--since", "without a sign"]),
    (("fetch", "--since", "30m"), ["--since", "ambiguous", "30min", "30mo"]),
    (("fetch", "--since", "0d"), ["--since", "longer than zero"]),
    (("fetch", "--since", ""), ["--since is empty", "30d", "2026-11-01"]),
    (("fetch", "--since", "30 días"), ["--since '30 días'", "not a unit of time", "30d"]),
    (("watch", "--since", "2m"), ["--since", "ambiguous", "2min", "2mo"]),
    (("fetch", "--lock-timeout", "nan"), ["--lock-timeout"]),
    (("fetch", "--port", "0"), ["--port"]),
    (("fetch", "--port", "-1"), ["--port"]),
    (("fetch", "--db", ""), ["--db", "must not be empty"]),
    (("fetch", "--cafile", "/no/such.pem"), ["does not exist"]),
    (("fetch", "--cafile", "README.md"), ["holds no PEM certificate"]),
    (("fetch", "--host", "a" * 64 + ".example.org"), ["is not a host name"]),
    (("analyze", "x.eml", "--submitted-at", "5"), ["--submitted-at '5' is not a time"]),
    (("analyze", "x.eml", "--submitted-at", ""), ["--submitted-at is empty", "2026-11-24 15:03"]),
    (("analyze", "x.eml", "--submitted-at", " "), ["--submitted-at is empty", "2026-11-24 15:03"]),
    (("analyze", "x.eml", "--submitted-at", "1" * 10_000), ["--submitted-at is too long", "10,000 characters"]),
    (("analyze", "x.eml", "--submitted-at", "x" * 10_000), ["--submitted-at is too long", "10,000 characters"]),
    (("analyze", "x.eml", "--submitted-at", "banana o'clock"), ['--submitted-at "banana o\'clock"', "cannot read"]),
    (("report", "x.eml", "--submitted-at", ""), ["--submitted-at is empty"]),
    (("report", "--submitted-at", "yesterday 14:05"), ["--submitted-at", "PATHS"]),
    (("submitted", "--at", ""), ["--at is empty"]),
    (("submitted", "--at", "0001-01-01"), ["--at '0001-01-01'", "before 2000"]),
    (("analyze", ""), ["must not be empty"]),
    (("doctor", "--stale-after", "30x"), ["--stale-after", "give a span of time", "min, h, d, w, mo, y"]),
    (("doctor", "--stale-after", "-5m"), ["--stale-after", "without a sign"]),
    (("doctor", "--stale-after", "30m"), ["--stale-after", "ambiguous", "30min", "30mo"]),
    (("doctor", "--stale-after", "0h"), ["--stale-after", "longer than zero"]),
    (("doctor", "--stale-after", "999999999w"), ["--stale-after", "at most 100 years"]),
])
def test_every_bad_option_value_is_a_one_line_usage_error(args, words):
    from conftest import ROOT, assert_one_line_error

    imap = args[0] in ("fetch", "watch")
    result = run(*args, "--user", "me@example.org", "--host", "localhost") if imap and "--host" not in args \
        else run(*args, *(("--user", "me@example.org") if imap else ()))
    assert result.code == 2, (result.code, result.err)
    assert_one_line_error(result, *words)


@pytest.mark.parametrize("command", [("fetch",), ("watch",), ("doctor",)])
def test_every_span_option_lists_its_units_in_its_help(command):
    from conftest import flat

    assert "a span in s, min, h, d, w, mo or y" in flat(run(*command, "--help").out)


def test_config_init_writes_valid_toml_for_any_user(tmp_path):
    from rejectscan.compat import tomllib

    for user in ('a"b@example.org', "back\\slash@example.org", "ünïcode@example.org"):
        path = tmp_path / f"{abs(hash(user))}.toml"
        assert run("config", "init", "--user", user, "--config", str(path)).code == 0
        assert tomllib.loads(path.read_text())["account"]["user"] == user
    assert run("config", "init", "--user", "a\nb", "--config", str(tmp_path / "x.toml")).code == 2


def test_log_lines_show_what_the_server_wrote_without_running_it(tmp_path):
    """A folder name or server reply in a log line is the server's text: escapes are shown, not run."""
    import logging

    from rejectscan import logs

    log_file = tmp_path / "run.log"
    logs.setup(logs.Redactor(), verbose=True, log_file=str(log_file))
    try:
        logging.getLogger("rejectscan").info("%s: 3 messages to download", "INBOX\x1b]0;pwned\x07\u202e")
    finally:
        for handler in logging.getLogger().handlers:
            handler.close()
        logging.getLogger().handlers[:] = []
    text = log_file.read_text()
    assert "\x1b" not in text and "\u202e" not in text and "\\x1b]0;pwned\\x07\\u202e" in text


@pytest.mark.parametrize("args, option, example", [
    (("fetch", "--debug"), "--debug", "rejectscan --debug fetch"),
    (("analyze", "--verbose", "x.eml"), "--verbose", "rejectscan --verbose analyze"),
    (("config", "show", "--log-file", "x.log"), "--log-file", "rejectscan --log-file LOG_FILE config show"),
    (("history", "--color=never"), "--color", "rejectscan --color COLOR history"),
])
def test_a_global_option_after_the_command_says_to_put_it_before(args, option, example):
    """`fetch --debug` said "No such option '--debug'. Did you mean '--db'?": the option exists, in
    another place."""
    from conftest import assert_one_line_error

    result = run(*args)
    assert result.code == 2, result.err
    assert_one_line_error(result, f"{option} is an option of rejectscan itself", "before the command name", example)
    assert "Did you mean" not in result.err


def test_an_option_nobody_has_is_still_click_s_own_error():
    from conftest import assert_one_line_error

    result = run("fetch", "--bogus")
    assert result.code == 2
    assert_one_line_error(result, "No such option '--bogus'", "fetch --help")
