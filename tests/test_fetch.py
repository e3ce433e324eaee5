"""`rejectscan fetch` against a real Dovecot: window, read-only, incremental, UIDVALIDITY,
concurrency, kills, every error, OAuth2, and pairing with `rejectscan submitted`."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest

from conftest import (FIXTURES, ROOT, assert_no_traceback, complete_reports, fetch, isolated_env, mail, oauth2_config,
                      own_config, run, with_pdf)
from dovecot import PASSWORD, TOKEN, USER, free_port

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _flags(dovecot) -> dict:
    """Flags of every INBOX message, less \\Recent (which belongs to a session, not the message)."""
    with dovecot.client() as c:
        c.select_folder("INBOX", readonly=True)
        return {uid: tuple(f for f in flags if f != b"\\Recent") for uid, flags in c.get_flags(c.search(["ALL"])).items()}


def test_fetch_reports_platform_mail_read_only(dovecot, tmp_path):
    dovecot.append(mail("upwork/submission.eml", NOW - timedelta(days=2, seconds=40), "s1@upwork.com"),
                   when=NOW - timedelta(days=2))
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(days=2), "r1@upwork.com"),
                   when=NOW - timedelta(days=2))
    dovecot.append(mail("other/friend.eml", NOW - timedelta(days=1), "f1@example.de"), when=NOW - timedelta(days=1))
    dovecot.append(mail("other/newsletter-quoting.eml", NOW - timedelta(days=1), "n1@example"), when=NOW - timedelta(days=1))
    dovecot.append(mail("forwards/gmail-en.eml", NOW - timedelta(hours=3), "fw1@example.org"), when=NOW - timedelta(hours=3))
    before = _flags(dovecot)
    dovecot.clear_log()

    result = fetch(dovecot, tmp_path / "state.db", "--since", "30d", "--format", "jsonl",
                   "--config", own_config(tmp_path))
    assert_no_traceback(result)
    assert result.code == 0, result.err
    got = {r["message_id"]: r for r in result.records()}  # reported in sent order; the forward keeps its own date
    assert sorted(got) == ["<fw1@example.org>", "<r1@upwork.com>", "<s1@upwork.com>"]
    assert got["<s1@upwork.com>"]["kind"] == "submission"
    rejection = got["<r1@upwork.com>"]
    assert (rejection["kind"], rejection["label"], rejection["delay_seconds"]) == ("rejection", "automated", 40)
    assert re.fullmatch(r"INBOX/\d+", rejection["source"])  # folder/uid
    forwarded = got["<fw1@example.org>"]
    assert forwarded["kind"] == "rejection" and forwarded["forwarded"] is True  # from the user, "Fwd:", confirmed
    # Read-only: no flag changed, nothing marked \Seen.
    assert _flags(dovecot) == before and not any(b"\\Seen" in f for f in before.values())
    # Only the server-filtered messages were downloaded: the friend's mail never was.
    # (the forward is small: downloaded at once, as a partial look would cost as much)
    assert dovecot.fetched_bodies() == 3  # submission, rejection, forward; not the friend nor the newsletter


def test_an_oversized_message_is_sized_first_and_fetched_only_in_part(dovecot, tmp_path):
    from rejectscan.models import MAX_MESSAGE_BYTES

    big = with_pdf(mail("upwork/bot-rejection.eml", NOW - timedelta(hours=2), "big1@upwork.com"), 12_000_000)
    assert len(big) > MAX_MESSAGE_BYTES + 3_000_000
    dovecot.append(big, when=NOW - timedelta(hours=2))
    dovecot.append(mail("upwork/submission.eml", NOW - timedelta(hours=2, seconds=40), "s1@upwork.com"),
                   when=NOW - timedelta(hours=2))
    dovecot.clear_log()
    result = fetch(dovecot, tmp_path / "state.db", "--since", "30d", "--format", "jsonl")
    assert result.code == 0, result.err
    got = {r["message_id"]: r for r in result.records()}
    rejection = got["<big1@upwork.com>"]
    assert (rejection["kind"], rejection["label"], rejection["delay_seconds"]) == ("rejection", "automated", 40)
    assert any("only its first 8 MB were read" in w for w in rejection["warnings"])
    # the server sent the start of the big one and the small one whole: never the big one's 12 MB
    assert dovecot.fetched_body_bytes() < MAX_MESSAGE_BYTES + 100_000


def test_window_edges_and_incremental_runs(dovecot, tmp_path):
    db = tmp_path / "state.db"
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(days=30, hours=1), "old@upwork.com"),
                   when=NOW - timedelta(days=30, hours=1))
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(days=29, hours=23), "in@upwork.com"),
                   when=NOW - timedelta(days=29, hours=23))
    first = fetch(dovecot, db, "--since", "30d", "--format", "jsonl")
    assert [r["message_id"] for r in first.records()] == ["<in@upwork.com>"]

    again = fetch(dovecot, db, "--since", "30d")
    assert again.code == 0 and again.out.strip() == "No new platform email."
    quiet = fetch(dovecot, db, "--since", "30d", "--quiet")
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""

    dovecot.append(mail("upwork/unable-to-accept.eml", NOW - timedelta(minutes=5), "new@upwork.com"),
                   when=NOW - timedelta(minutes=5))
    dovecot.clear_log()
    third = fetch(dovecot, db, "--since", "30d", "--quiet", "--format", "jsonl")
    assert [r["message_id"] for r in third.records()] == ["<new@upwork.com>"]
    assert dovecot.fetched_bodies() == 1  # the incremental run downloads only the new message

    rescan = fetch(dovecot, db, "--since", "30d", "--rescan", "--format", "jsonl")
    assert sorted(r["message_id"] for r in rescan.records()) == ["<in@upwork.com>", "<new@upwork.com>"]


def test_a_wider_window_reports_older_mail_never_reported(dovecot, tmp_path):
    db = tmp_path / "state.db"
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(days=60), "old@upwork.com"),
                   when=NOW - timedelta(days=60))
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(days=2), "recent@upwork.com"),
                   when=NOW - timedelta(days=2))
    assert [r["message_id"] for r in fetch(dovecot, db, "--since", "30d", "--format", "jsonl").records()] == [
        "<recent@upwork.com>"]
    dovecot.clear_log()
    wider = fetch(dovecot, db, "--since", "90d", "--format", "jsonl")
    assert [r["message_id"] for r in wider.records()] == ["<old@upwork.com>"]
    assert dovecot.fetched_bodies() == 1  # only the older part was examined: the recent one was not downloaded again
    assert fetch(dovecot, db, "--since", "90d").out.strip() == "No new platform email."


def test_uidvalidity_change_rescans_without_duplicates(dovecot, tmp_path):
    db = tmp_path / "state.db"
    first_mail = mail("upwork/bot-rejection.eml", NOW - timedelta(days=1), "keep@upwork.com")
    dovecot.append(first_mail, folder="Archive", when=NOW - timedelta(days=1))
    assert len(fetch(dovecot, db, "--folder", "Archive", "--format", "jsonl").records()) == 1
    with dovecot.client() as c:
        c.delete_folder("Archive")
    dovecot.append(first_mail, folder="Archive", when=NOW - timedelta(days=1))  # new UIDVALIDITY
    dovecot.append(mail("upwork/approval.eml", NOW - timedelta(hours=1), "ok@upwork.com"), folder="Archive",
                   when=NOW - timedelta(hours=1))
    with sqlite3.connect(db) as con:
        old_validity = con.execute("SELECT uidvalidity FROM folders").fetchone()[0]
    second = fetch(dovecot, db, "--folder", "Archive", "--format", "jsonl").records()
    assert [r["message_id"] for r in second] == ["<ok@upwork.com>"]
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT uidvalidity FROM folders").fetchone()[0] != old_validity


def test_same_message_in_two_folders_is_reported_once(dovecot, tmp_path):
    data = mail("upwork/bot-rejection.eml", NOW - timedelta(hours=2), "twice@upwork.com")
    dovecot.append(data, when=NOW - timedelta(hours=2))
    dovecot.append(data, folder="Upwork-label", when=NOW - timedelta(hours=2))
    got = fetch(dovecot, tmp_path / "s.db", "--folder", "INBOX", "--folder", "Upwork-label", "--format", "jsonl").records()
    assert [r["message_id"] for r in got] == ["<twice@upwork.com>"]


def test_pairing_with_rejectscan_submitted(dovecot, tmp_path):
    db = tmp_path / "state.db"
    submitted_at = NOW - timedelta(days=3)
    rec = run("submitted", "--at", submitted_at.isoformat(), "--db", str(db), "--note", "second try")
    assert rec.code == 0 and "Recorded" in rec.out
    dovecot.append(mail("upwork/unable-to-accept.eml", submitted_at + timedelta(hours=50), "h@upwork.com"),
                   when=submitted_at + timedelta(hours=50))
    got = fetch(dovecot, db, "--format", "jsonl").records()
    assert (got[0]["label"], got[0]["delay_seconds"]) == ("human-reviewed", 50 * 3600)
    assert got[0]["submission_source"].startswith("recorded with `rejectscan submitted`")

    history = run("history", "--db", str(db), "--format", "json").json()
    assert [e["event"] for e in history["events"]] == ["submitted", "rejected"]
    assert history["summary"]["upwork"]["human_reviewed"] == 1
    assert history["summary"]["upwork"]["median_human_delay_seconds"] == 50 * 3600
    text = run("history", "--db", str(db)).out
    assert "rejected: human-reviewed, 2 days 2 hours after submitting" in text
    csv_out = run("history", "--db", str(db), "--format", "csv").out
    assert csv_out.splitlines()[0].startswith("platform,at,event,label")


def test_starttls_and_oauth2_token_command(dovecot, tmp_path):
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(hours=1), "o@upwork.com"), when=NOW - timedelta(hours=1))
    config = oauth2_config(dovecot, tmp_path, tls="starttls")
    result = run("fetch", "--config", str(config), "--db", str(tmp_path / "s.db"), "--format", "jsonl")
    assert result.code == 0, result.err
    assert result.records()[0]["message_id"] == "<o@upwork.com>"
    assert TOKEN not in result.out + result.err


def test_special_use_all_folder_is_found_by_its_flag(dovecot, tmp_path):
    from rejectscan.config import ImapSettings
    from rejectscan.credentials import Credential
    from rejectscan.logs import Redactor
    from rejectscan.sources.imap import ImapMailbox

    settings = ImapSettings(host="localhost", port=dovecot.imaps_port, user=USER, tls="ssl", cafile=str(dovecot.cert),
                            folders=("\\All",), password_cmd=None, oauth2_token_cmd=None, timeout=10,
                            search_forwards=True)
    with ImapMailbox(settings, lambda: Credential(USER, PASSWORD, "password", "test"), Redactor()) as box:
        assert box.folders() == ["All Mail"]  # found by its \All flag, whatever its name


@pytest.mark.parametrize("case", ["resolve", "refused", "untrusted", "password", "folder", "plaintext"])
def test_errors_are_one_line_with_their_exit_code(dovecot, tmp_path, case):
    db = str(tmp_path / "s.db")
    base = ["fetch", "--user", USER, "--db", db]
    env = {"REJECTSCAN_PASSWORD": PASSWORD}
    if case == "resolve":
        result = run(*base, "--host", "no-such-host.invalid", env=env)
        code, words = 3, "cannot resolve no-such-host.invalid"
    elif case == "refused":
        result = run(*base, "--host", "127.0.0.1", "--port", str(free_port()), env=env)
        code, words = 3, "cannot connect to 127.0.0.1"
    elif case == "untrusted":
        result = run(*base, "--host", "localhost", "--port", str(dovecot.imaps_port), env=env)
        code, words = 3, "--cafile"
    elif case == "password":
        result = run(*base, "--host", "localhost", "--port", str(dovecot.imaps_port), "--cafile", str(dovecot.cert),
                     env={"REJECTSCAN_PASSWORD": "wrong-password-xyz"})
        code, words = 3, "login refused for maria"
        assert "app password" in result.err and "wrong-password-xyz" not in result.err + result.out
    elif case == "folder":
        result = run(*base, "--host", "localhost", "--port", str(dovecot.imaps_port), "--cafile", str(dovecot.cert),
                     "--folder", "Nope", env=env)
        code, words = 2, "folder 'Nope' does not exist on localhost; folders there: All Mail, INBOX"
    else:
        result = run(*base, "--host", "imap.example.org", "--tls", "none", env=env)
        code, words = 2, "refusing to send your password unencrypted"
    assert_no_traceback(result)
    assert result.code == code, result.err
    assert words in result.err
    assert len(result.err.strip().splitlines()) == 1
    assert PASSWORD not in result.err + result.out


def test_database_busy(dovecot, tmp_path):
    from filelock import FileLock

    db = tmp_path / "s.db"
    with FileLock(str(db) + ".lock"):
        result = fetch(dovecot, db, "--lock-timeout", "1")
    assert result.code == 4
    assert "another rejectscan has been using" in result.err


def test_damaged_database(dovecot, tmp_path):
    db = tmp_path / "s.db"
    db.write_bytes(b"this is not sqlite" * 100)
    result = fetch(dovecot, db)
    assert result.code == 4 and "damaged" in result.err


def _fetch_proc(dovecot, db):
    env = isolated_env(REJECTSCAN_PASSWORD=PASSWORD)
    return subprocess.Popen([sys.executable, "-m", "rejectscan", "fetch", "--host", "localhost", "--port",
                             str(dovecot.imaps_port), "--user", USER, "--cafile", str(dovecot.cert), "--db", str(db),
                             "--format", "jsonl", "--quiet"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=env, cwd=ROOT)


def _many(dovecot, n):
    with dovecot.client() as c:
        for i in range(n):
            c.append("INBOX", mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=n - i), f"m{i}@upwork.com"),
                     msg_time=NOW - timedelta(minutes=n - i))


def test_two_overlapping_runs_report_each_message_once(dovecot, tmp_path):
    _many(dovecot, 40)
    db = tmp_path / "s.db"
    procs = [_fetch_proc(dovecot, db) for _ in range(2)]
    with ThreadPoolExecutor(2) as pool:  # read both pipes at once: a full pipe would block its writer
        outs = list(pool.map(lambda p: p.communicate(timeout=120), procs))
    assert [p.returncode for p in procs] == [0, 0], [e.decode() for _, e in outs]
    ids = [json.loads(line)["message_id"] for out, _ in outs for line in out.decode().splitlines()]
    assert sorted(ids) == sorted(f"<m{i}@upwork.com>" for i in range(40))


def test_killed_runs_lose_nothing(dovecot, tmp_path):
    _many(dovecot, 60)
    db = tmp_path / "s.db"
    reported: list[str] = []
    rng = random.Random(7)
    for _attempt in range(4):
        proc = _fetch_proc(dovecot, db)
        time.sleep(rng.uniform(0.3, 1.2))
        proc.send_signal(signal.SIGKILL)
        out, _ = proc.communicate()
        reported += complete_reports(out)
        with sqlite3.connect(db) if db.exists() else sqlite3.connect(":memory:") as con:
            assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    final = _fetch_proc(dovecot, db)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err.decode()
    reported += [json.loads(line)["message_id"] for line in out.decode().splitlines()]
    expected = {f"<m{i}@upwork.com>" for i in range(60)}
    assert set(reported) == expected                       # nothing lost
    assert len(reported) - len(expected) <= 4              # at most one repeat per kill
    with sqlite3.connect(db) as con:
        assert con.execute("SELECT COUNT(*) FROM messages").fetchone()[0] == 60


def test_analyze_pairs_with_recorded_submissions(tmp_path):
    db = tmp_path / "state.db"
    assert run("submitted", "--at", "2026-11-24T15:03:00Z", "--db", str(db)).code == 0
    rec = run("analyze", str(FIXTURES / "upwork/bot-rejection.eml"), "--db", str(db), "--format", "json").json()[0]
    assert (rec["delay_seconds"], rec["label"]) == (38, "automated")
    assert rec["submission_source"] == "recorded with `rejectscan submitted`"
    unknown_platform = run("submitted", "--platform", "nosuch", "--db", str(db))
    assert unknown_platform.code == 2 and "unknown platform 'nosuch'" in unknown_platform.err


def test_no_standard_input_at_all(dovecot, tmp_path):
    """CI and cron may start us with file descriptor 0 closed: Python then has no sys.stdin."""
    env = isolated_env(REJECTSCAN_PASSWORD=PASSWORD)

    def closed_stdin(*args):
        return subprocess.run([sys.executable, "-m", "rejectscan", *args], capture_output=True, text=True,
                              env=env, cwd=ROOT, preexec_fn=lambda: os.close(0))

    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=2), "nostdin@upwork.com"),
                   when=NOW - timedelta(minutes=2))
    fetched = closed_stdin("fetch", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", USER,
                           "--cafile", str(dovecot.cert), "--db", str(tmp_path / "s.db"), "--format", "jsonl")
    assert fetched.returncode == 0, fetched.stderr
    assert json.loads(fetched.stdout)["message_id"] == "<nostdin@upwork.com>"
    piped = closed_stdin("analyze", "-")
    assert piped.returncode == 1 and "<stdin>: no standard input to read" in piped.stderr
    assert "Traceback" not in piped.stderr + fetched.stderr


def test_download_batches_are_bounded_in_messages_and_in_bytes():
    from rejectscan.fetching import BATCH_BYTES, Candidate, batches
    from rejectscan.models import MAX_MESSAGE_BYTES

    huge = [Candidate(uid, 50_000_000) for uid in range(8)]  # eight 50 MB messages: each fetched up to the cap
    split = batches(huge)
    assert [c.uid for b in split for c in b] == list(range(8))
    assert all(sum(c.download_bytes for c in b) <= BATCH_BYTES for b in split) and len(split) == 8 * MAX_MESSAGE_BYTES // BATCH_BYTES
    small = [Candidate(uid, 20_000) for uid in range(250)]
    assert [len(b) for b in batches(small)] == [100, 100, 50]
    assert [len(b) for b in batches([Candidate(1, 0)])] == [1]
