"""Store faults told apart (issue 14): a full disk, a read-only location, corrupt pages, a newer
schema, a file whose tables do not match its schema, each its own one-line message and exit 4;
reading commands go on where they can; state, lock and log files private to the user.

The full disk and the read-only mount are real file systems (tmpfs), mounted by the test; where
mounting is not allowed (not root, a locked-down container) those tests are skipped and say why.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
from pathlib import Path

import pytest
from conftest import FIXTURES, assert_one_line_error, fetch, run
from dovecot import PASSWORD, USER

UPWORK = str(FIXTURES / "upwork")


@pytest.fixture
def tmpfs(tmp_path):
    """Mount a small tmpfs; yields a function that remounts it read-only."""
    point = tmp_path / "mnt"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(point)],
                             capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({mounted.stderr.strip() or 'not root'})")
    yield point
    subprocess.run(["umount", "-l", str(point)], check=False)


def _remount_readonly(point: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(point)], check=True)


def _fill(point: Path) -> Path:
    """Write a filler file until the file system is full."""
    filler = point / "filler"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        while True:
            os.write(fd, b"\0" * 4096)
    except OSError:
        pass
    finally:
        os.close(fd)
    return filler


def _with_history(db: Path) -> None:
    """A database with one recorded submission and judged mail in it."""
    assert run("submitted", "--platform", "upwork", "--at", "2026-03-01T10:00:00+00:00", "--db", str(db)).code == 0


def test_a_full_disk_says_so_and_never_advises_discarding_the_database(tmpfs):
    db = tmpfs / "state.db"
    _with_history(db)
    filler = _fill(tmpfs)
    # enough submissions to need a new page, whatever slack the last one left
    results = [run("submitted", "--platform", "upwork", "--note", "x" * 3000, "--db", str(db)) for _ in range(20)]
    full = [r for r in results if r.code != 0]
    assert full, "the disk never filled"
    assert full[0].code == 4
    assert_one_line_error(full[0], "full", "free some space")
    assert "move it aside" not in full[0].err and "damaged" not in full[0].err
    filler.unlink()
    again = run("submitted", "--platform", "upwork", "--db", str(db))
    assert again.code == 0, again.err
    assert run("history", "--db", str(db)).code == 0


def test_a_read_only_location_refuses_writes_and_still_reads(tmpfs):
    db = tmpfs / "state.db"
    _with_history(db)
    _remount_readonly(tmpfs)
    refused = run("submitted", "--platform", "upwork", "--db", str(db))
    assert refused.code == 4
    assert_one_line_error(refused, "read-only", "--db")
    shown = run("history", "--db", str(db))
    assert shown.code == 0 and "submitted" in shown.out
    analysed = run("analyze", UPWORK, "--db", str(db), "--format", "jsonl")
    assert analysed.code == 0 and analysed.records()
    assert analysed.err == ""  # the read-only store was read, not skipped
    recording = run("analyze", UPWORK, "--record", "--db", str(db))  # asked to write: refused before reading
    assert recording.code == 4 and recording.out == ""
    assert_one_line_error(recording, "read-only", "--db")


def test_the_lock_file_in_a_read_only_folder_is_its_own_error(tmpfs, dovecot):
    _remount_readonly(tmpfs)
    result = fetch(dovecot, tmpfs / "state.db")
    assert result.code == 4
    assert_one_line_error(result, "read-only", "--db")


def _corrupt(db: Path) -> None:
    """Overwrite every page after the first with garbage, as a bad sector or a stray write would."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    page = con.execute("PRAGMA page_size").fetchone()[0]
    con.close()
    data = bytearray(db.read_bytes())
    for at in range(page, len(data), page):
        data[at:at + 64] = b"\xa5" * 64
    db.write_bytes(bytes(data))


def test_corrupt_pages_are_damaged_for_every_command(tmp_path, dovecot):
    db = tmp_path / "state.db"
    run("analyze", UPWORK, "--db", str(db))
    _with_history(db)
    _corrupt(db)
    for result in (run("history", "--db", str(db)), fetch(dovecot, db)):
        assert result.code == 4, result.err
        assert_one_line_error(result, "damaged", "move it aside")
    doctor = run("doctor", "--db", str(db), "--format", "json")
    assert doctor.code != 0 and _problem(doctor, "store", "damaged")


def test_analyze_goes_on_without_a_store_it_cannot_read(tmp_path):
    db = tmp_path / "state.db"
    _with_history(db)
    _corrupt(db)
    result = run("analyze", UPWORK, "--db", str(db), "--format", "jsonl")
    assert result.code == 0 and result.records()
    assert "judged without your recorded submissions and history" in result.err
    assert "damaged" in result.err


def test_a_newer_schema_is_refused_naming_its_version(tmp_path):
    db = tmp_path / "state.db"
    _with_history(db)
    con = sqlite3.connect(db)
    con.execute("PRAGMA user_version = 42")
    con.close()
    for command in (("history",), ("submitted", "--platform", "upwork")):
        result = run(*command, "--db", str(db))
        assert result.code == 4
        assert_one_line_error(result, "newer rejectscan", "schema version 42", "upgrade")
    assert sqlite3.connect(db).execute("PRAGMA user_version").fetchone()[0] == 42  # left as it was


def test_tables_that_do_not_match_the_schema_are_damaged_not_an_internal_error(tmp_path, dovecot):
    db = tmp_path / "state.db"
    _with_history(db)
    con = sqlite3.connect(db)
    con.execute("ALTER TABLE messages RENAME COLUMN record TO payload")
    con.close()
    for result in (fetch(dovecot, db), run("history", "--db", str(db))):
        assert result.code == 4
        assert_one_line_error(result, "does not match its schema", "messages.record")
    doctor = run("doctor", "--db", str(db), "--format", "json")
    assert doctor.code != 0 and _problem(doctor, "store", "messages.record")


def _problem(result, check: str, words: str) -> bool:
    """The check failed, saying `words`: read from the same doctor run as JSON."""
    import json

    checks = json.loads(result.out)["checks"]
    return any(not c["ok"] and c["name"] == check and words in c["detail"] for c in checks)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_lock_and_log_files_are_private(tmp_path, dovecot):
    old = os.umask(0o022)
    try:
        db = tmp_path / "state" / "state.db"
        log = tmp_path / "run.log"
        result = run("--debug", "--log-file", str(log), "fetch", "--host", "localhost", "--port",
                     str(dovecot.imaps_port), "--user", USER, "--cafile", str(dovecot.cert), "--db", str(db),
                     env={"REJECTSCAN_PASSWORD": PASSWORD})
        assert result.code == 0, result.err
        for path in (db, Path(str(db) + ".lock"), log):
            assert _mode(path) == 0o600, path
        for extra in (Path(str(db) + "-wal"), Path(str(db) + "-shm")):
            if extra.exists():
                assert _mode(extra) == 0o600, extra
        first = log.read_text().splitlines()[0]
        assert "holds whole messages" in first
    finally:
        os.umask(old)


def test_an_unwritable_log_file_is_a_usage_error(tmp_path):
    result = run("--log-file", str(tmp_path / "no" / "such" / "dir" / "x.log"), "history", "--db",
                 str(tmp_path / "s.db"))
    assert result.code == 2
    assert_one_line_error(result, "cannot write the log file", "--log-file")
