"""Network faults between rejectscan and the server: each gives one clean line and exit 3, and
the next good run reports every message exactly once."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from conftest import assert_no_traceback, run, run_process
from dovecot import PASSWORD, USER
from faultproxy import FaultProxy
from test_fetch import mail

NOW = datetime.now(timezone.utc).replace(microsecond=0)


def _fetch_via(port, db, tmp_path, timeout=3):
    config = tmp_path / "c.toml"
    config.write_text(f'[account]\nuser = "{USER}"\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\ntimeout = {timeout}\n')
    return run_process("fetch", "--config", str(config), "--db", str(db), "--format", "jsonl",
                       env={"REJECTSCAN_PASSWORD": PASSWORD}, timeout=60)


@pytest.mark.parametrize("mode, after, words", [
    ("cut", 60_000, "broke while downloading messages"),
    ("stall", 60_000, "stopped answering while downloading messages"),
    ("garbage", 60_000, "broke while downloading messages"),
    ("cut", 300, "broke while"),
])
def test_fault_then_clean_rerun(dovecot, tmp_path, mode, after, words):
    for i in range(30):
        dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=30 - i), f"f{i}@upwork.com"),
                       when=NOW - timedelta(minutes=30 - i))
    db = tmp_path / "s.db"
    proxy = FaultProxy(dovecot.imap_port, mode, after)
    try:
        broken = _fetch_via(proxy.port, db, tmp_path)
    finally:
        proxy.close()
    assert_no_traceback(broken)
    assert proxy.faults >= 1
    assert broken.code == 3, broken.err
    assert words in broken.err and len(broken.err.strip().splitlines()) == 1
    good = _fetch_via(dovecot.imap_port, db, tmp_path)
    assert good.code == 0, good.err
    first = [json.loads(line)["message_id"] for line in broken.out.splitlines()]
    second = [json.loads(line)["message_id"] for line in good.out.splitlines()]
    assert sorted(first + second) == sorted(f"<f{i}@upwork.com>" for i in range(30))


def test_server_restart_between_runs(dovecot, tmp_path):
    db = tmp_path / "s.db"
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(minutes=3), "a@upwork.com"), when=NOW - timedelta(minutes=3))
    assert _fetch_via(dovecot.imap_port, db, tmp_path).code == 0
    dovecot.stop()
    try:
        down = _fetch_via(dovecot.imap_port, db, tmp_path)
        assert down.code == 3 and "cannot connect" in down.err
    finally:
        dovecot.start()
    dovecot.append(mail("upwork/approval.eml", NOW - timedelta(minutes=1), "b@upwork.com"), when=NOW - timedelta(minutes=1))
    up = _fetch_via(dovecot.imap_port, db, tmp_path)
    assert [json.loads(line)["message_id"] for line in up.out.splitlines()] == ["<b@upwork.com>"]


def test_config_readable_by_others_naming_a_secret_command_draws_a_warning(dovecot, tmp_path):
    config = tmp_path / "c.toml"
    config.write_text(f'[account]\nuser = "{USER}"\nhost = "127.0.0.1"\nport = {dovecot.imap_port}\ntls = "none"\n'
                      'password_cmd = "printenv REJECTSCAN_TEST_SECRET"\n')
    config.chmod(0o644)
    result = run("fetch", "--config", str(config), "--db", str(tmp_path / "s.db"),
                 env={"REJECTSCAN_TEST_SECRET": PASSWORD})
    assert result.code == 0, result.err
    assert "readable by other users; run: chmod 600" in result.err
    config.write_text(config.read_text() + 'password = "hunter2"\n')
    refused = run("fetch", "--config", str(config), "--db", str(tmp_path / "s.db"))
    assert refused.code == 2 and "a password in the config file is not supported" in refused.err
    assert "hunter2" not in refused.err
