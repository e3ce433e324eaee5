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


def _problem(result, check: str, words: str, status: int | None = None) -> bool:
    """The check failed, saying `words` (and mapping to exit `status`): read from the same doctor run as JSON."""
    import json

    checks = json.loads(result.out)["checks"]
    return result.code != 0 and any(not c["ok"] and c["name"] == check and words in c["detail"]
                                    and status in (None, c["exit_status"]) for c in checks)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_state_lock_and_log_files_are_private(tmp_path, dovecot):
    old = os.umask(0o022)
    try:
        db = tmp_path / "state" / "state.db"
        db.parent.mkdir()  # only the default data folder is created for you
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


# --- paths that can never hold a database, and places this user cannot reach ----------------------------

def _every_command(db: str, tmp_path: Path) -> dict[str, object]:
    """Each command that takes --db, run with `db`."""
    return {
        "history": run("history", "--db", db),
        "analyze": run("analyze", UPWORK, "--db", db),
        "analyze --record": run("analyze", UPWORK, "--record", "--db", db),
        "report": run("report", "-o", str(tmp_path / "r.html"), "--db", db),
        "submitted": run("submitted", "--db", db),
        "submitted --list": run("submitted", "--list", "--db", db),
        "forget": run("forget", "someone@example.org", "--db", db),
        "fetch": run("fetch", "--user", "me@example.org", "--host", "127.0.0.1", "--port", "1", "--db", db),
        "schedule": run("schedule", "cron", "--dry-run", "--db", db),
    }


def test_a_path_that_is_not_a_regular_file_is_refused_up_front_by_every_command(tmp_path):
    """`history --db /dev/null` said the database was "damaged (cannot rollback...)"; a pipe or a
    device is no database file, and no command reads, connects or writes before saying so."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null-link"
    link.symlink_to(os.devnull)  # a device, reached through a link (never the real /dev/null's name)
    for db in (fifo, link):
        for name, result in _every_command(str(db), tmp_path).items():
            assert result.code == 2, (name, result.err)
            assert_one_line_error(result, f"--db {db} is not a database file", "file path")
            assert result.out == "", name
        doctor = run("doctor", "--db", str(db), "--format", "json")
        assert _problem(doctor, "store", "is not a database file", status=2)
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode) and link.is_symlink()
    assert not (tmp_path / "r.html").exists()


def test_a_directory_named_as_the_database_says_it_is_a_directory(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    config = tmp_path / "config.toml"
    config.write_text(f'db = "{folder}"\n')
    for env in ({"REJECTSCAN_CONFIG": str(config)}, {"REJECTSCAN_DB": str(folder)}):
        result = run("history", env=env)
        assert result.code == 2, result.err
        assert_one_line_error(result, "is a directory", str(folder / "state.sqlite3"))
    assert "in " + str(config) in run("history", env={"REJECTSCAN_CONFIG": str(config)}).err


def test_a_database_in_a_folder_that_does_not_exist_is_refused_not_created(tmp_path):
    missing = tmp_path / "no" / "such"
    for name, result in _every_command(str(missing / "state.db"), tmp_path).items():
        if name in ("history", "analyze", "submitted --list", "schedule"):
            continue  # reading where nothing exists is no error; nothing is created either
        assert result.code == 2, (name, result.err)
        assert_one_line_error(result, str(missing), "does not exist", "create it first")
    assert not (tmp_path / "no").exists()
    data = tmp_path / "data"  # the default place is created on first use
    assert run("submitted", env={"XDG_DATA_HOME": str(data)}).code == 0
    assert (data / "rejectscan" / "state.sqlite3").is_file()


@pytest.fixture
def locked(tmp_path, monkeypatch):
    """A folder this user cannot enter, as /root is to everyone else: as root nothing is refused, so
    the refusal is made where the operating system would make it, in stat()."""
    folder = tmp_path / "locked"
    folder.mkdir()
    real_stat = os.stat

    def stat_(path, *args, **kwargs):
        if str(os.fspath(path)).startswith(str(folder) + os.sep):
            raise PermissionError(13, "Permission denied", str(path))
        return real_stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat_)
    return folder


def test_a_database_in_a_folder_that_cannot_be_entered_is_a_store_error(tmp_path, locked):
    """`history --db /root/x.sqlite3` as a user was internal error PermissionError (exit 70)."""
    db = str(locked / "x.sqlite3")
    results = _every_command(db, tmp_path)
    analysed = results.pop("analyze")  # reads the store only to pair and advise: it goes on, and says why
    assert analysed.code == 0 and "judged without your recorded submissions" in analysed.err
    assert "permission denied" in analysed.err
    for name, result in results.items():
        if name == "schedule":
            continue  # only writes the path into a crontab line
        assert result.code == 4, (name, result.err)
        assert_one_line_error(result, f"cannot reach the state database {db}", "permission denied", "--db")
    doctor = run("doctor", "--db", db, "--format", "json")
    assert _problem(doctor, "store", "permission denied", status=4)


def test_a_read_only_database_file_is_refused_before_anything_is_read(tmp_path, monkeypatch):
    """README: `analyze --record` refuses a database it cannot write before reading; with a read-only
    file it printed the whole analysis first. `doctor` said ok about it. Root may write any file, so
    the file's mode is what access() answers here."""
    db = tmp_path / "ro.sqlite3"
    _with_history(db)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda path, mode, *a, **k: False if (
        Path(path) == db and mode & os.W_OK) else real_access(path, mode, *a, **k))
    recording = run("analyze", UPWORK, "--record", "--db", str(db))
    assert recording.code == 4 and recording.out == ""
    assert_one_line_error(recording, "cannot write the state database", "read-only", "--db")
    doctor = run("doctor", "--db", str(db), "--format", "json")
    assert _problem(doctor, "store", "read-only", status=4)
    shown = run("history", "--db", str(db))  # reading it is still fine
    assert shown.code == 0 and "submitted" in shown.out
