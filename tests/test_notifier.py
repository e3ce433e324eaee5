"""The notifier as a contained child (issue 14): no credentials in its environment, refused at
start when it cannot run, its output read only up to a bound, its process group ended on timeout,
when it exits leaving jobs behind, and on SIGTERM; a failure never turns into a reconnect."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

from conftest import ROOT, assert_one_line_error, fetch, isolated_env, mail
from dovecot import PASSWORD, USER

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _findings(dovecot, n: int) -> None:
    for i in range(n):
        when = NOW - timedelta(minutes=10 + i)
        dovecot.append(mail("upwork/bot-rejection.eml", when, f"nt{i}@upwork.com"), when=when)


def _script(tmp_path, name: str, body: str) -> str:
    path = tmp_path / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o700)
    return str(path)


def _running(marker: str) -> bool:
    return subprocess.run(["pgrep", "-f", marker], capture_output=True).returncode == 0


def _kill(marker: str) -> None:
    subprocess.run(["pkill", "-9", "-f", marker], capture_output=True)


def test_the_notifier_never_sees_a_credential(dovecot, tmp_path):
    _findings(dovecot, 1)
    dump = tmp_path / "env.txt"
    notifier = _script(tmp_path, "dump-env", f"env > {dump}")
    secrets = {"GITHUB_TOKEN": "ghp_s3cr3t", "AWS_SECRET_ACCESS_KEY": "aws-s3cr3t", "MY_API_KEY": "k3y-s3cr3t",
               "DB_PASSWORD": "pw-s3cr3t", "SSH_AUTH_SOCK": "/tmp/agent-s3cr3t", "SMTPPASSWD": "smtp-s3cr3t"}
    result = fetch(dovecot, tmp_path / "s.db", "--format", "jsonl", "--notify-cmd", notifier,
                   env={**secrets, "FAVOURITE_COLOUR": "teal"})
    assert result.code == 0, result.err
    seen = dump.read_text()
    assert PASSWORD not in seen and "REJECTSCAN_PASSWORD" not in seen
    for name, value in secrets.items():
        assert name not in seen and value not in seen, name
    assert "FAVOURITE_COLOUR=teal" in seen and "PATH=" in seen and "REJECTSCAN_KIND=rejection" in seen


def test_a_notifier_that_cannot_run_is_refused_before_any_mail_is_read(dovecot, tmp_path):
    _findings(dovecot, 1)
    not_executable = tmp_path / "notify.sh"
    not_executable.write_text("#!/bin/sh\ntrue\n")
    not_executable.chmod(0o600)
    cases = [(str(not_executable), "not an executable file"), ("no-such-notifier-anywhere", "not found on PATH"),
             (str(tmp_path / "missing"), "does not exist"), ("'unbalanced", "quotes"), ("", "empty")]
    for command, words in cases:
        db = tmp_path / "s.db"
        result = fetch(dovecot, db, "--notify-cmd", command)
        assert result.code == 2, (command, result.err)
        assert_one_line_error(result, words)
        assert not db.exists()  # refused before the store or the mailbox was touched
    watch = subprocess.run([sys.executable, "-m", "rejectscan", "watch", "--host", "localhost", "--port",
                            str(dovecot.imaps_port), "--user", USER, "--cafile", str(dovecot.cert), "--db",
                            str(tmp_path / "w.db"), "--no-desktop", "--notify-cmd", str(not_executable)],
                           capture_output=True, env=isolated_env(REJECTSCAN_PASSWORD=PASSWORD), cwd=ROOT, timeout=60)
    assert watch.returncode == 2 and b"not an executable file" in watch.stderr


def test_a_notifier_flooding_its_output_does_not_grow_rejectscan(dovecot, tmp_path):
    _findings(dovecot, 1)
    flood = _script(tmp_path, "flood", "head -c 300000000 /dev/zero >&2; exit 3")
    command = [sys.executable, "-m", "rejectscan", "fetch", "--host", "localhost", "--port", str(dovecot.imaps_port),
               "--user", USER, "--cafile", str(dovecot.cert), "--db", str(tmp_path / "s.db"), "--format", "jsonl",
               "--notify-cmd", flood]
    # a parent of its own, so the peak counts rejectscan (and its notifier), not this test process's other children
    measure = ("import resource, subprocess, sys; p = subprocess.run(sys.argv[1:], capture_output=True); "
               "sys.stderr.buffer.write(p.stderr); "
               "print(p.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    proc = subprocess.run([sys.executable, "-c", measure, *command], capture_output=True,
                          env=isolated_env(REJECTSCAN_PASSWORD=PASSWORD), cwd=ROOT, timeout=300)
    code, peak_kb = map(int, proc.stdout.split())
    assert code == 0, proc.stderr[-500:]
    assert b"failed with exit status 3" in proc.stderr
    peak_mb = peak_kb / 1024
    assert peak_mb < 200, f"{peak_mb:.0f} MB"  # the 300 MB it wrote were read and dropped, never kept


def test_a_hanging_notifier_is_ended_with_everything_it_started(dovecot, tmp_path):
    _findings(dovecot, 2)
    marker = f"sleep 3{os.getpid() % 1000}.11"
    hang = _script(tmp_path, "hang", f"{marker} & {marker}")
    try:
        result = fetch(dovecot, tmp_path / "s.db", "--format", "jsonl", "--notify-cmd", hang,
                       "--notify-timeout", "1")
        assert result.code == 0, result.err
        assert len(result.records()) == 2  # both reported; each notification ended after a second
        assert result.err.count("did not finish within 1 seconds; it was ended") == 2
        assert not _running(marker)
    finally:
        _kill(marker)


def test_a_notifier_that_leaves_a_job_behind_is_not_a_timeout_and_its_job_is_ended(dovecot, tmp_path):
    _findings(dovecot, 1)
    marker = f"sleep 3{os.getpid() % 1000}.22"
    orphaning = _script(tmp_path, "orphaning", f"{marker} & exit 0")
    try:
        result = fetch(dovecot, tmp_path / "s.db", "--format", "jsonl", "--notify-cmd", orphaning)
        assert result.code == 0, result.err
        assert "did not finish" not in result.err and "failed" not in result.err
        assert not _running(marker)
    finally:
        _kill(marker)


def _watch(dovecot, db, *extra) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "rejectscan", "--verbose", "watch", "--host", "localhost", "--port",
         str(dovecot.imaps_port), "--user", USER, "--cafile", str(dovecot.cert), "--db", str(db),
         "--format", "jsonl", "--no-desktop", "--idle-renew", "600", *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=isolated_env(REJECTSCAN_PASSWORD=PASSWORD), cwd=ROOT)


def test_sigterm_stops_watch_at_once_whatever_its_notifier_does(dovecot, tmp_path):
    _findings(dovecot, 7)
    marker = f"sleep 3{os.getpid() % 1000}.33"
    hang = _script(tmp_path, "hang", f"{marker}")
    proc = _watch(dovecot, tmp_path / "s.db", "--notify-cmd", hang, "--notify-timeout", "600")
    try:
        deadline = time.monotonic() + 60
        while not _running(marker):
            assert time.monotonic() < deadline and proc.poll() is None, "the notifier never started"
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)  # was 205 s with seven findings pending; README gives the measured figure
        assert not _running(marker)
        assert b"Traceback" not in proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
        _kill(marker)


def test_a_failing_notifier_never_makes_watch_reconnect(dovecot, tmp_path):
    _findings(dovecot, 4)
    proc = _watch(dovecot, tmp_path / "s.db", "--notify-cmd", "false")
    try:
        lines = [proc.stdout.readline() for _ in range(4)]
        assert all(line.startswith(b"{") for line in lines)
        time.sleep(1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=15)
    err = proc.stderr.read().decode()
    assert err.count("notify command 'false' failed") == 4
    assert len(re.findall(r"\bconnected\b", err)) == 1, err
    assert "reconnecting" not in err


def test_the_shipped_systemd_unit_names_no_notifier_that_does_not_exist():
    unit = (ROOT / "contrib" / "systemd" / "rejectscan-watch.service").read_text()
    exec_start = [line for line in unit.splitlines() if line.startswith("ExecStart=")]
    assert len(exec_start) == 1
    assert "--notify-cmd" not in exec_start[0]
