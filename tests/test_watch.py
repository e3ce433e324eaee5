"""`watch`, notifications, `doctor` and secrets, against the real Dovecot."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone

from conftest import ROOT, assert_no_traceback, fetch, isolated_env, mail, oauth2_config, run
from dovecot import PASSWORD, TOKEN, USER, free_port

NOW = datetime.now(timezone.utc).replace(microsecond=0)


class Watch:
    """A running `rejectscan watch --format jsonl`, its output read line by line."""

    def __init__(self, dovecot, db, *extra):
        env = isolated_env(REJECTSCAN_PASSWORD=PASSWORD)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "rejectscan", "--verbose", "watch", "--host", "localhost", "--port",
             str(dovecot.imaps_port), "--user", USER, "--cafile", str(dovecot.cert), "--db", str(db),
             "--format", "jsonl", "--no-desktop", "--backoff-max", "2", *(extra or ("--idle-renew", "5"))],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        self.lines: queue.Queue = queue.Queue()
        self.err: list[str] = []
        threading.Thread(target=self._read, args=(self.proc.stdout, self.lines.put), daemon=True).start()
        threading.Thread(target=self._read, args=(self.proc.stderr, self.err.append), daemon=True).start()

    @staticmethod
    def _read(stream, sink):
        for line in iter(stream.readline, b""):
            sink(line.decode())

    def next_record(self, timeout=20.0) -> dict:
        return json.loads(self.lines.get(timeout=timeout))

    def wait_for_log(self, words, timeout=20.0):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(words in line for line in self.err):
                return
            time.sleep(0.1)
        raise AssertionError(f"{words!r} not logged: {''.join(self.err)}")

    def stop(self) -> None:
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(10)


def test_watch_reports_new_mail_and_stops_cleanly(dovecot, tmp_path):
    # IDLE renewal every 10 minutes: a message reported within the wait can only have been pushed.
    w = Watch(dovecot, tmp_path / "s.db", "--idle-renew", "600")
    try:
        w.wait_for_log("connected")
        w.wait_for_log("rejectscan: watching INBOX of")  # says what it watches and how to stop
        assert any("stop with Ctrl-C or SIGTERM" in line for line in w.err)
        time.sleep(1)
        dovecot.append(mail("upwork/bot-rejection.eml", NOW, "w1@upwork.com"), when=NOW)
        assert w.next_record(timeout=60)["message_id"] == "<w1@upwork.com>"
    finally:
        w.stop()
    assert w.proc.returncode == 0  # SIGTERM ends it cleanly (stop() allows it 10 s)
    assert_no_traceback(run("history", "--db", str(tmp_path / "s.db")))
    assert "last successful check" in run("history", "--db", str(tmp_path / "s.db")).out


def test_watch_polls_a_server_without_idle(tmp_path):
    from dovecot import Dovecot

    server = Dovecot(extra_conf="imap_capability = IMAP4rev1 LITERAL+ SASL-IR ID ENABLE UIDPLUS NAMESPACE SPECIAL-USE").start()
    try:
        w = Watch(server, tmp_path / "s.db", "--poll", "1")
        try:
            w.wait_for_log("the server offers no IDLE: checking every 1 second")
            server.append(mail("upwork/bot-rejection.eml", NOW, "polled@upwork.com"), when=NOW)
            assert w.next_record(timeout=60)["message_id"] == "<polled@upwork.com>"
        finally:
            w.stop()
        assert w.proc.returncode == 0
    finally:
        server.close()


def test_watch_survives_a_server_restart_and_a_cut_connection(dovecot, tmp_path):
    w = Watch(dovecot, tmp_path / "s.db")
    try:
        w.wait_for_log("connected")
        dovecot.append(mail("upwork/bot-rejection.eml", NOW, "before@upwork.com"), when=NOW)
        assert w.next_record()["message_id"] == "<before@upwork.com>"
        dovecot.restart()
        dovecot.append(mail("upwork/approval.eml", NOW, "after-restart@upwork.com"), when=NOW)
        assert w.next_record(timeout=40)["message_id"] == "<after-restart@upwork.com>"
        assert sum("connected" in line for line in w.err) >= 2  # it really reconnected
        _kick(dovecot)
        dovecot.append(mail("upwork/submission.eml", NOW, "after-kick@upwork.com"), when=NOW)
        assert w.next_record(timeout=40)["message_id"] == "<after-kick@upwork.com>"
        time.sleep(2)
        assert w.lines.empty()  # nothing reported twice
        assert any("reconnecting" in line for line in w.err)
    finally:
        w.stop()


def _kick(dovecot, timeout=15.0):
    """Cut the user's connections server-side; retried while the watcher is between connections."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if subprocess.run(["doveadm", "-c", str(dovecot.conf), "kick", USER], capture_output=True).returncode == 0:
            return
        time.sleep(0.3)
    raise AssertionError("no connection of the watcher to kick")


def test_notifier_gets_json_and_variables_and_a_failing_one_is_not_fatal(dovecot, tmp_path):
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=5), "n1@upwork.com"), when=NOW - timedelta(minutes=5))
    out = tmp_path / "notified"
    good = fetch(dovecot, tmp_path / "a.db", "--format", "jsonl", "--notify-cmd",
                 f"sh -c 'cat > {out}.json; echo \"$REJECTSCAN_KIND $REJECTSCAN_PLATFORM\" > {out}.env'")
    assert good.code == 0, good.err
    assert json.loads((tmp_path / "notified.json").read_text())["message_id"] == "<n1@upwork.com>"
    assert (tmp_path / "notified.env").read_text().strip() == "rejection upwork"
    bad = fetch(dovecot, tmp_path / "b.db", "--format", "jsonl", "--notify-cmd", "false")
    assert bad.code == 0
    assert [r["message_id"] for r in bad.records()] == ["<n1@upwork.com>"]
    assert "notify command 'false' failed" in bad.err


def test_email_content_never_reaches_a_shell(dovecot, tmp_path):
    marker = tmp_path / "pwned"
    data = mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=5), "evil@upwork.com").replace(
        b"Subject: Your Upwork profile", f"Subject: $(touch {marker}) `touch {marker}`".encode())
    dovecot.append(data, when=NOW - timedelta(minutes=5))
    result = fetch(dovecot, tmp_path / "s.db", "--format", "jsonl", "--notify-cmd", "cat")
    assert result.code == 0 and not marker.exists()


def test_debug_log_never_shows_credentials(dovecot, tmp_path):
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=5), "d1@upwork.com"), when=NOW - timedelta(minutes=5))
    result = run("--debug", "fetch", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", USER,
                 "--cafile", str(dovecot.cert), "--db", str(tmp_path / "s.db"), env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert result.code == 0
    assert "SELECT" in result.err or "EXAMINE" in result.err  # the conversation is there
    assert PASSWORD not in result.err + result.out
    config = oauth2_config(dovecot, tmp_path)
    log_file = tmp_path / "debug.log"
    oauth = run("--debug", "--log-file", str(log_file), "fetch", "--config", str(config), "--db", str(tmp_path / "t.db"))
    assert oauth.code == 0, oauth.err
    logged = log_file.read_text()
    assert "AUTHENTICATE" in logged and TOKEN not in logged and TOKEN not in oauth.err


def test_doctor_good_and_broken(dovecot, tmp_path):
    db = tmp_path / "s.db"
    assert fetch(dovecot, db).code == 0  # leaves a heartbeat
    args = ["doctor", "--host", "localhost", "--user", USER, "--cafile", str(dovecot.cert), "--db", str(db)]
    good = run(*args, "--port", str(dovecot.imaps_port), env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert good.code == 0, good.out
    for name in ("config", "patterns", "scanner", "store", "heartbeat", "dns", "tcp", "tls", "login", "capabilities",
                 "folders"):
        assert any(line.split()[:2] == ["ok", name] for line in good.out.splitlines()), name
    assert "IDLE" in good.out and good.out.strip().endswith("All good.")
    assert "Hyperscan 0." in good.out or "Hyperscan 1." in good.out  # the fast scanner is installed
    closed = run(*args, "--port", str(free_port()), env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert closed.code == 3 and "PROBLEM  tcp" in closed.out
    refused = run(*args, "--port", str(dovecot.imaps_port), env={"REJECTSCAN_PASSWORD": "nope"})
    assert refused.code == 3 and "PROBLEM  login" in refused.out
    untrusted = run("doctor", "--host", "localhost", "--user", USER, "--db", str(db), "--port", str(dovecot.imaps_port),
                    env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert untrusted.code == 3 and "--cafile" in untrusted.out
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "x.toml").write_text("[platform]\nid = 'x'\n")
    patterns = run(*args, "--port", str(dovecot.imaps_port), "--patterns", str(tmp_path / "bad"),
                   env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert patterns.code == 2 and "PROBLEM  patterns" in patterns.out


def test_history_warns_when_no_check_has_succeeded(dovecot, tmp_path):
    db = tmp_path / "s.db"
    bad = run("fetch", "--host", "localhost", "--port", str(free_port()), "--user", USER, "--db", str(db),
              env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert bad.code == 3
    account = {"REJECTSCAN_USER": USER, "REJECTSCAN_HOST": "localhost"}  # history, like doctor, counts only this one
    text = run("history", "--db", str(db), env=account).out
    assert "last successful check never" in text and "cannot connect" in text
    assert "WARNING: no successful check" in text
    assert fetch(dovecot, db).code == 0
    assert "WARNING" not in run("history", "--db", str(db), env=account).out


def test_history_warns_only_about_the_configured_mailbox_as_doctor_does(tmp_path):
    """history warned about every mailbox ever tried, a mistyped host that never connected too,
    while doctor listed those as seen before."""
    from rejectscan.store import Store

    db = tmp_path / "s.db"
    with Store(db) as store:
        store.beat("me@example.org@localhost", "fetch", "cannot connect")
        store.beat("me@example.org@127.0.0.1", "fetch", "cannot connect")  # a --host typo, never connected
    account = {"REJECTSCAN_USER": "me@example.org", "REJECTSCAN_HOST": "localhost"}
    text = " ".join(run("history", "--db", str(db), env=account).out.split())
    assert text.count("WARNING") == 1 and "no successful check of me@example.org@localhost" in text
    assert "127.0.0.1: last successful check never (fetch); not the configured mailbox" in text
    assert "rejectscan forget me@example.org@127.0.0.1" in text
    assert "WARNING" not in run("history", "--db", str(db)).out  # no account configured: none counts
    doctor = run("doctor", "--db", str(db), "--port", str(free_port()), "--format", "json", env=account)
    checks = doctor.json()["checks"]
    assert [c["detail"].split(":")[0] for c in checks if c["name"] == "heartbeat" and not c["ok"]] == \
        ["me@example.org@localhost"]
    assert [c["detail"].split(":")[0] for c in checks if c["name"] == "seen before"] == ["me@example.org@127.0.0.1"]


def test_one_typo_never_leaves_doctor_failed_for_good(dovecot, tmp_path):
    """A fetch against 127.0.0.1 instead of localhost left a mailbox whose heartbeat never succeeds:
    doctor counts only the configured mailbox, lists the other, and `forget` drops it."""
    db = tmp_path / "s.db"
    typo = run("fetch", "--host", "127.0.0.1", "--port", str(free_port()), "--user", USER, "--db", str(db),
               env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert typo.code == 3
    assert fetch(dovecot, db).code == 0
    args = ["doctor", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", USER, "--cafile",
            str(dovecot.cert), "--db", str(db), "--format", "json"]
    report = run(*args, env={"REJECTSCAN_PASSWORD": PASSWORD})
    assert report.code == 0, report.out
    checks = report.json()["checks"]
    seen = [c for c in checks if c["name"] == "seen before"]
    assert len(seen) == 1 and seen[0]["ok"] and f"rejectscan forget {USER}@127.0.0.1" in seen[0]["detail"]
    beat = next(c for c in checks if c["name"] == "heartbeat")
    assert beat["ok"] and ("ago" in beat["detail"] or "just now" in beat["detail"])
    forgot = run("forget", f"{USER}@127.0.0.1", "--db", str(db))
    assert forgot.code == 0 and "Forgot" in forgot.out
    assert not [c for c in run(*args, env={"REJECTSCAN_PASSWORD": PASSWORD}).json()["checks"]
                if c["name"] == "seen before"]
    assert run("forget", "nobody@nowhere", "--db", str(db)).code == 2


def test_doctor_stale_after_in_words_and_a_concrete_fix_for_a_refused_login(dovecot, tmp_path):
    db = tmp_path / "s.db"
    assert fetch(dovecot, db).code == 0
    base = ["doctor", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", USER, "--cafile",
            str(dovecot.cert), "--db", str(db)]
    time.sleep(2)
    stale = run(*base, "--stale-after", "1s", "--format", "json", env={"REJECTSCAN_PASSWORD": PASSWORD})
    beat = next(c for c in stale.json()["checks"] if c["name"] == "heartbeat")
    assert not beat["ok"] and "over 1 second:" in beat["fix"] and "0:00:01" not in beat["fix"]
    assert run(*base, "--stale-after", "30min", env={"REJECTSCAN_PASSWORD": PASSWORD}).code == 0
    assert run(*base, "--stale-after", "1.5h", env={"REJECTSCAN_PASSWORD": PASSWORD}).code == 0
    bad = run(*base, "--stale-after", "soon")
    assert bad.code == 2 and "--stale-after 'soon'" in bad.err
    refused = run(*base, "--format", "json", env={"REJECTSCAN_PASSWORD": "nope"})
    login = next(c for c in refused.json()["checks"] if c["name"] == "login")
    assert not login["ok"] and "app password" in login["fix"] and login["fix"] != "see the message"


def test_doctor_counts_in_words_and_gives_a_fix_only_for_what_failed(tmp_path):
    """doctor said "1 messages", and its JSON gave a `fix` for checks that were fine."""
    db = tmp_path / "s.db"
    assert run("analyze", str(ROOT / "fixtures/upwork/bot-rejection.eml"), "--record", "--db", str(db)).code == 0
    text = run("doctor", "--db", str(db)).out
    assert "schema 4, 1 message" in text and "1 messages" not in text
    checks = run("doctor", "--db", str(db), "--format", "json").json()["checks"]
    assert {c["name"] for c in checks if c["ok"]} >= {"patterns", "store"}
    assert all(c["fix"] is None for c in checks if c["ok"]), [c for c in checks if c["ok"] and c["fix"]]
    assert all(c["fix"] for c in checks if not c["ok"])  # the config (no account here) still says what to do
