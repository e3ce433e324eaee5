"""State in SQLite: each folder's sync state, every judged message, submissions, heartbeats.

The only module that talks to sqlite3, and it only stores and reads: no counting, no decisions.
WAL mode, ordered named migrations, and transactions arranged so a run killed at any point loses
nothing: each downloaded batch commits its records together with the UIDs it examined, the
folder's sync point moves only when a pass over it is complete, and the `reported` flag is set
only after a report is out, so a kill can at most repeat the one report it cut off.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import sqlite3
import zlib
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable, Iterator
from urllib.parse import quote

from rejectscan.errors import (DatabasePathError, StoreBusyError, StoreDamagedError, StoreDeniedError, StoreError,
                               StoreFullError, StoreNewerError,
                               StoreReadOnlyError)
from rejectscan.models import Heartbeat, RecordedSubmission, Submission
from rejectscan.record import Record

MIGRATIONS: tuple[tuple[str, str], ...] = (
    ("0001_initial", """
        CREATE TABLE folders (
            account TEXT NOT NULL, folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL, last_uid INTEGER NOT NULL DEFAULT 0,
            PRIMARY KEY (account, folder));
        CREATE TABLE messages (
            id INTEGER PRIMARY KEY,
            message_key TEXT NOT NULL UNIQUE,      -- Message-ID, or a hash of the bytes
            account TEXT, folder TEXT, uid INTEGER,
            source TEXT NOT NULL, platform TEXT, kind TEXT NOT NULL,
            sent_at TEXT, sent_ts REAL, authentic INTEGER,
            label TEXT, delay_seconds INTEGER,
            record TEXT NOT NULL,                  -- the JSON record as reported
            reported INTEGER NOT NULL DEFAULT 0,
            first_seen TEXT NOT NULL);
        CREATE INDEX messages_unreported ON messages (reported) WHERE reported = 0;
        CREATE INDEX messages_platform_time ON messages (platform, sent_ts);
        CREATE TABLE submissions (
            id INTEGER PRIMARY KEY,
            at TEXT NOT NULL, at_ts REAL NOT NULL, platform TEXT, note TEXT,
            source TEXT NOT NULL, created TEXT NOT NULL);
    """),
    ("0002_heartbeat", """
        CREATE TABLE heartbeat (
            account TEXT PRIMARY KEY,
            last_ok TEXT, last_error TEXT, last_error_at TEXT, runner TEXT);
    """),
    ("0003_sync_spans_and_originals", """
        -- the window (oldest arrival time) a complete pass over the folder examined; NULL: unknown
        ALTER TABLE folders ADD COLUMN since TEXT;
        -- every UID a search returned and this run examined, committed batch by batch, so a
        -- killed first fetch resumes where it stopped and a wider window skips what was examined
        CREATE TABLE examined (
            account TEXT NOT NULL, folder TEXT NOT NULL, uidvalidity INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            PRIMARY KEY (account, folder, uidvalidity, uid)) WITHOUT ROWID;
        -- the message itself (zlib), so history can judge it again when the rules change
        ALTER TABLE messages ADD COLUMN raw BLOB;
        -- which rules judged it (a fingerprint of the pattern packs)
        ALTER TABLE messages ADD COLUMN rules TEXT;
    """),
    ("0004_highestmodseq", """
        -- the folder's HIGHESTMODSEQ (CONDSTORE) when the last complete pass began; NULL: none
        ALTER TABLE folders ADD COLUMN modseq INTEGER;
    """),
)


@dataclass(frozen=True)
class StoredRecord:
    key: str
    record: Record


@dataclass(frozen=True)
class SyncPoint:
    """Where the last complete pass over a folder left it."""

    uidvalidity: int
    last_uid: int  # every matching UID up to this one was examined ...
    since: datetime | None  # ... for mail that arrived after this (None: unknown, from an older version)
    modseq: int | None = None  # the folder's HIGHESTMODSEQ then (CONDSTORE), None without it


@dataclass(frozen=True)
class Saved:
    """One judged message to store."""

    key: str
    uid: int | None
    record: Record
    raw: bytes | None = None
    rules: str | None = None  # what judged it: the rules, and the zone forwards were read in (pipeline.judged_by)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _guarded(method):
    """Every SQLite or file-system fault leaves the store as one of the StoreError kinds."""

    @functools.wraps(method)
    def call(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except StoreError:
            raise
        except (sqlite3.Error, OSError) as exc:
            raise _error(self.path, exc) from None

    return call


class Store:
    """One SQLite database; use as a context manager. `clock` stamps what it records (heartbeats,
    first seen): the Environment's, so tests control time. The file (and SQLite's -wal and -shm
    files, which take its mode) is private to the user: it holds mail metadata and whole messages."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0, clock: Callable[[], datetime] = _utc_now,
                 readonly: bool = False) -> None:
        self.path = Path(path).expanduser()
        self.clock = clock
        self.readonly = readonly
        self.db: sqlite3.Connection | None = None
        try:
            if readonly:
                self._open_readonly(busy_timeout)
                return
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if not writable(self.path):  # SQLite would open it read-only and fail only at the first write
                raise StoreReadOnlyError(f"cannot write the state database {self.path} (the file or its folder is "
                                         "read-only); make it writable, or pass --db with a path you can write")
            if not self.path.exists():
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
            self.db = sqlite3.connect(str(self.path), timeout=busy_timeout, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
            self._check_schema()
        except (sqlite3.Error, OSError, StoreError) as exc:
            if self.db is not None:
                self.db.close()
            raise exc if isinstance(exc, StoreError) else _error(self.path, exc) from None

    def _open_readonly(self, busy_timeout: float) -> None:
        """For the reading commands where the file or its folder cannot be written (a read-only
        mount, a backup): nothing is created or migrated. In a folder nobody can write, nobody can be
        changing the file either, so SQLite may treat it as immutable (it needs no -shm file then)."""
        if not self.path.exists():
            raise StoreReadOnlyError(f"there is no state database at {self.path}, and its folder is read-only; "
                                     "pass --db with a path you can write")
        uri = f"file:{quote(str(self.path))}?mode=ro" + ("" if os.access(self.path.parent, os.W_OK) else "&immutable=1")
        self.db = sqlite3.connect(uri, uri=True, timeout=busy_timeout, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        version = self.schema_version()
        if version > len(MIGRATIONS):
            raise _newer(self.path, version)
        if version < len(MIGRATIONS):
            raise StoreReadOnlyError(f"the state database {self.path} was written by an older rejectscan and cannot "
                                     "be upgraded where it is (read-only); copy it somewhere writable and pass --db")
        self._check_schema()

    def _now(self) -> str:
        return self.clock().astimezone(timezone.utc).isoformat(timespec="seconds")

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        if self.db is not None:
            self.db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        try:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            self.db.execute("COMMIT")
        except (sqlite3.Error, OSError) as exc:
            raise _error(self.path, exc) from None

    def _migrate(self) -> None:
        """Apply the migrations not yet applied, in order, each in its own transaction.

        PRAGMA user_version counts them; schema_migrations names them, for whoever opens the file."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > len(MIGRATIONS):
            raise _newer(self.path, version)
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, self._now()))
                self.db.execute(f"PRAGMA user_version = {number}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def _check_schema(self) -> None:
        """The tables and columns the schema version promises, so a file edited by hand or by another
        tool is reported as damaged here rather than failing halfway through a fetch."""
        missing = [f"{table}.{column}" for table, columns in _expected_schema().items()
                   for column in columns - self._columns(table)]
        if missing:
            raise StoreDamagedError(f"the state database {self.path} does not match its schema (missing "
                                    f"{', '.join(sorted(missing)[:3])}); move it aside and rejectscan will start a "
                                    "new one (you lose the record of what was reported)")

    def _columns(self, table: str) -> set[str]:
        return {row[1] for row in self.db.execute(f"PRAGMA table_info({table})")}

    @_guarded
    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    @_guarded
    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # --- folders ---------------------------------------------------------------------------

    @_guarded
    def sync_point(self, account: str, folder: str) -> SyncPoint | None:
        row = self.db.execute("SELECT uidvalidity, last_uid, since, modseq FROM folders WHERE account=? AND folder=?",
                              (account, folder)).fetchone()
        if row is None:
            return None
        return SyncPoint(row["uidvalidity"], row["last_uid"], _time(row["since"]), row["modseq"])

    @_guarded
    def examined(self, account: str, folder: str, uidvalidity: int) -> set[int]:
        rows = self.db.execute("SELECT uid FROM examined WHERE account=? AND folder=? AND uidvalidity=?",
                               (account, folder, uidvalidity))
        return {r[0] for r in rows}

    @_guarded
    def save_batch(self, account: str, folder: str, uidvalidity: int, saved: list[Saved],
                   examined: Iterable[int], replace: bool = False) -> list[str]:
        """One downloaded batch: its records and the UIDs it examined, in one transaction.
        Returns the keys newly stored (a message seen before, in any folder, is not new)."""
        new: list[str] = []
        with self.transaction() as db:
            for item in saved:
                rec = item.record
                data = json.dumps(rec.to_json())
                raw = zlib.compress(item.raw) if item.raw is not None else None
                cur = db.execute(
                    "INSERT OR IGNORE INTO messages (message_key, account, folder, uid, source, platform, kind,"
                    " sent_at, sent_ts, authentic, label, delay_seconds, record, first_seen, raw, rules)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (item.key, account, folder, item.uid, rec.source, rec.platform, rec.kind.value,
                     _iso(rec.sent_at), _ts(rec.sent_at), _tri(rec.authentic),
                     rec.label.value if rec.label else None, rec.delay_seconds, data, self._now(), raw, item.rules))
                if cur.rowcount:
                    new.append(item.key)
                elif replace:
                    db.execute("UPDATE messages SET record=?, label=?, delay_seconds=?, rules=?, sent_at=?, sent_ts=?"
                               " WHERE message_key=?",
                               (data, rec.label.value if rec.label else None, rec.delay_seconds, item.rules,
                                _iso(rec.sent_at), _ts(rec.sent_at), item.key))
            db.executemany("INSERT OR IGNORE INTO examined (account, folder, uidvalidity, uid) VALUES (?,?,?,?)",
                           [(account, folder, uidvalidity, uid) for uid in examined])
        return new

    @_guarded
    def finish_folder(self, account: str, folder: str, point: SyncPoint) -> None:
        """A pass over the folder is complete: move its sync point (and forget another UIDVALIDITY's UIDs)."""
        with self.transaction() as db:
            db.execute(
                "INSERT INTO folders (account, folder, uidvalidity, last_uid, since, modseq) VALUES (?,?,?,?,?,?)"
                " ON CONFLICT(account, folder) DO UPDATE SET uidvalidity=excluded.uidvalidity,"
                " last_uid=excluded.last_uid, since=excluded.since, modseq=excluded.modseq",
                (account, folder, point.uidvalidity, point.last_uid, _iso(point.since), point.modseq))
            db.execute("DELETE FROM examined WHERE account=? AND folder=? AND uidvalidity<>?",
                       (account, folder, point.uidvalidity))

    # --- messages ---------------------------------------------------------------------------

    @_guarded
    def unreported(self) -> list[StoredRecord]:
        rows = self.db.execute("SELECT message_key, record FROM messages WHERE reported = 0 ORDER BY sent_ts, id")
        return [StoredRecord(r[0], Record.from_json(json.loads(r[1]))) for r in rows]

    @_guarded
    def records(self, keys: Iterable[str] | None = None) -> list[StoredRecord]:
        """The given records in that order, or every record in time order."""
        if keys is None:
            rows = self.db.execute("SELECT message_key, record FROM messages ORDER BY sent_ts, id")
            return [StoredRecord(r[0], Record.from_json(json.loads(r[1]))) for r in rows]
        out = []
        for key in keys:
            row = self.db.execute("SELECT record FROM messages WHERE message_key=?", (key,)).fetchone()
            if row:
                out.append(StoredRecord(key, Record.from_json(json.loads(row[0]))))
        return out

    @_guarded
    def judged_by_other_rules(self, fingerprint: str) -> bool:
        """Whether any stored message that can be judged again was judged by other rules."""
        row = self.db.execute("SELECT 1 FROM messages WHERE raw IS NOT NULL AND (rules IS NULL OR rules <> ?) LIMIT 1",
                              (fingerprint,)).fetchone()
        return row is not None

    @_guarded
    def raw_messages(self) -> list[tuple[str, str, bytes]]:
        """(key, source, the message) for every stored message kept whole, in time order."""
        rows = self.db.execute("SELECT message_key, source, raw FROM messages WHERE raw IS NOT NULL ORDER BY sent_ts, id")
        return [(r[0], r[1], zlib.decompress(r[2])) for r in rows]

    @_guarded
    def update_records(self, updates: list[tuple[str, Record]], rules: str) -> None:
        """Records judged again (the rules or the zone changed); whether they were reported is left as
        it is. The send time is updated too: a zone-less forward's depends on the zone it was read in."""
        with self.transaction() as db:
            db.executemany("UPDATE messages SET record=?, kind=?, platform=?, label=?, delay_seconds=?, authentic=?,"
                           " rules=?, sent_at=?, sent_ts=? WHERE message_key=?",
                           [(json.dumps(r.to_json()), r.kind.value, r.platform, r.label.value if r.label else None,
                             r.delay_seconds, _tri(r.authentic), rules, _iso(r.sent_at), _ts(r.sent_at), key)
                            for key, r in updates])

    @_guarded
    def mark_reported(self, keys: Iterable[str]) -> None:
        with self.transaction() as db:
            db.executemany("UPDATE messages SET reported = 1 WHERE message_key = ?", [(k,) for k in keys])

    @_guarded
    def message_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]

    # --- health -------------------------------------------------------------------------------

    @_guarded
    def beat(self, account: str, runner: str, error: str | None = None) -> None:
        """A check finished: record success, or the error (one line, never a secret)."""
        with self.transaction() as db:
            db.execute("INSERT INTO heartbeat (account) VALUES (?) ON CONFLICT(account) DO NOTHING", (account,))
            if error is None:
                db.execute("UPDATE heartbeat SET last_ok=?, runner=? WHERE account=?", (self._now(), runner, account))
            else:
                db.execute("UPDATE heartbeat SET last_error=?, last_error_at=?, runner=? WHERE account=?",
                           (error, self._now(), runner, account))

    @_guarded
    def forget(self, account: str) -> bool:
        """A mailbox no longer used (a typo in --host, an old account): its heartbeat and sync state go;
        the messages read from it stay, so history is unchanged."""
        with self.transaction() as db:
            gone = db.execute("DELETE FROM heartbeat WHERE account = ?", (account,)).rowcount
            gone += db.execute("DELETE FROM folders WHERE account = ?", (account,)).rowcount
            db.execute("DELETE FROM examined WHERE account = ?", (account,))
        return gone > 0

    @_guarded
    def heartbeats(self) -> list[Heartbeat]:
        rows = self.db.execute("SELECT account, last_ok, last_error, last_error_at, runner FROM heartbeat ORDER BY account")
        return [Heartbeat(account=r[0], last_ok=_time(r[1]), last_error=r[2], last_error_at=_time(r[3]), runner=r[4])
                for r in rows]

    # --- submissions ------------------------------------------------------------------------

    @_guarded
    def add_submission(self, at: datetime, platform: str | None, note: str | None) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO submissions (at, at_ts, platform, note, source, created) VALUES (?,?,?,?,?,?)",
                             (at.isoformat(), at.timestamp(), platform, note, "rejectscan submitted", self._now()))
            return cur.lastrowid

    @_guarded
    def submissions(self) -> list[Submission]:
        """Recorded with `rejectscan submitted`."""
        rows = self.db.execute("SELECT at, platform, note FROM submissions ORDER BY at_ts")
        return [Submission(at=datetime.fromisoformat(r[0]), platform=r[1],
                           source="recorded with `rejectscan submitted`" + (f" ({r[2]})" if r[2] else ""))
                for r in rows]

    @_guarded
    def recorded_submissions(self) -> list[RecordedSubmission]:
        rows = self.db.execute("SELECT id, at, platform, note, created FROM submissions ORDER BY at_ts, id")
        return [RecordedSubmission(id=r[0], at=datetime.fromisoformat(r[1]), platform=r[2], note=r[3],
                                   created=_time(r[4])) for r in rows]

    @_guarded
    def delete_submission(self, number: int) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM submissions WHERE id = ?", (number,)).rowcount > 0

    @_guarded
    def submission_emails(self) -> list[Submission]:
        """The platforms' own confirmations, unless they are forgeries."""
        rows = self.db.execute("SELECT sent_at, platform, source, authentic FROM messages WHERE kind='submission'"
                               " AND sent_at IS NOT NULL AND (authentic IS NULL OR authentic = 1)")
        return [Submission(at=datetime.fromisoformat(r[0]), platform=r[1], source=f"email {r[2]}", proven=r[3] == 1)
                for r in rows]

    @_guarded
    def all_submissions(self) -> list[Submission]:
        """Recorded by hand and confirmed by the platform's emails: what pairing uses."""
        return self.submissions() + self.submission_emails()


@functools.lru_cache(maxsize=1)
def _expected_schema() -> dict[str, frozenset[str]]:
    """Each table's columns after every migration, from an empty database in memory."""
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
        for _, sql in MIGRATIONS:
            for statement in _statements(sql):
                db.execute(statement)
        tables = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: frozenset(r[1] for r in db.execute(f"PRAGMA table_info({t})")) for t in tables}
    finally:
        db.close()


def check_location(path: str | Path, named: str, default: bool) -> None:
    """Refuse, before anything is read, a database path that can never hold a database: a folder, a
    device, a pipe or a socket (SQLite would call /dev/null "damaged"), a name in a folder that does
    not exist (only the default data folder is created), or one this user cannot reach. `named` is how
    the user gave it ("--db X", "db = ... in FILE"), for the message."""
    import stat

    path = Path(path).expanduser()
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        mode = None
    except NotADirectoryError:
        raise DatabasePathError(f"{named}: a part of {path.parent} is a file, not a folder; pass --db with a file "
                                "path in a folder that exists") from None
    except PermissionError:
        raise _denied(path) from None
    except OSError as exc:
        raise StoreDeniedError(f"cannot reach the state database {path} ({exc.strerror}); pass --db with a path "
                               "you can read and write") from None
    if mode is None:
        if default:
            return  # the platform's data folder: created on first write
        try:
            folder = os.stat(path.parent).st_mode
        except PermissionError:
            raise _denied(path) from None
        except OSError:
            raise DatabasePathError(f"{named}: the folder {path.parent} does not exist; create it first (mkdir -p "
                                    f"{path.parent}) or pass --db with a file path in a folder that exists") from None
        if not stat.S_ISDIR(folder):
            raise DatabasePathError(f"{named}: {path.parent} is not a folder; pass --db with a file path in a folder "
                                    "that exists")
        return
    if stat.S_ISDIR(mode):
        raise DatabasePathError(f"{named} is a directory, not a database file: name a file in it, e.g. "
                                f"{path / 'state.sqlite3'} (it is created if missing)")
    if not stat.S_ISREG(mode):
        raise DatabasePathError(f"{named} is not a database file (a device, pipe or socket); pass --db with a file "
                                "path (it is created if missing)")


def _denied(path: Path) -> StoreDeniedError:
    return StoreDeniedError(f"cannot reach the state database {path}: permission denied on its folder or file; "
                            "pass --db with a path you can read and write")


def writable(path: str | Path) -> bool:
    """Whether the database (or, before it exists, its nearest existing folder) can be written."""
    path = Path(path).expanduser()
    if path.exists():
        return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)
    folder = path.parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    return os.access(folder, os.W_OK)


def _no_space(path: Path) -> bool:
    """Whether the file system holding the database has (almost) no room left: SQLite reports a
    write into its -wal or -shm file on a full disk as a mere I/O error."""
    try:
        st = os.statvfs(path.parent)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < 256 * 1024


def _newer(path: Path, version: int) -> StoreNewerError:
    return StoreNewerError(f"the state database {path} was written by a newer rejectscan (schema version "
                           f"{version}; this one knows up to {len(MIGRATIONS)}): upgrade rejectscan, or pass --db "
                           "to use another database")


def _error(path: Path, exc: BaseException) -> StoreError:
    """One message per fault, each saying what to do; a full disk never advises discarding anything."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    text = str(exc)
    number = getattr(exc, "errno", None)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return StoreBusyError(f"the state database {path} is busy (another rejectscan is writing); try again "
                              "in a moment")
    io_error = name.startswith("SQLITE_IOERR") or "disk I/O error" in text
    if (name == "SQLITE_FULL" or number in (errno.ENOSPC, errno.EDQUOT) or "disk is full" in text
            or (io_error and _no_space(path))):
        return StoreFullError(f"the disk holding the state database {path} is full; free some space and run "
                              "again (the database itself is fine)")
    cannot_open = name.startswith("SQLITE_CANTOPEN") or "unable to open" in text
    if (name.startswith("SQLITE_READONLY") or number in (errno.EACCES, errno.EPERM, errno.EROFS)
            or "readonly" in text or "read-only" in text or (cannot_open and not writable(path))):
        return StoreReadOnlyError(f"cannot write the state database {path} (its folder or file is read-only); "
                                  "make it writable, or pass --db with a path you can write")
    if cannot_open or isinstance(exc, OSError):
        detail = exc.strerror if isinstance(exc, OSError) and exc.strerror else text
        return StoreReadOnlyError(f"cannot open the state database {path} ({detail}); check the folder exists "
                                  "and is writable, or pass --db")
    return StoreDamagedError(f"the state database {path} is damaged ({text}); move it aside and rejectscan "
                             "will start a new one (you lose the record of what was reported)")


def _statements(sql: str) -> list[str]:
    lines = [line.split("--", 1)[0] for line in sql.splitlines()]
    return [s.strip() for s in "\n".join(lines).split(";") if s.strip()]


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _ts(value: datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _tri(value: bool | None) -> int | None:
    return None if value is None else int(value)


@contextmanager
def run_lock(db_path: str | Path, timeout: float) -> Iterator[None]:
    """One fetch at a time per database: an overlapping cron run waits for the other to finish,
    then finds nothing new, so each message is reported exactly once across them."""
    from filelock import FileLock, Timeout

    path = Path(db_path).expanduser()
    lock = FileLock(str(path) + ".lock", mode=0o600)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lock.acquire(timeout=timeout)
    except Timeout:
        raise StoreBusyError(f"another rejectscan has been using {path} for over {timeout:g} seconds; "
                             "try again later (or raise --lock-timeout)") from None
    except OSError as exc:
        raise StoreReadOnlyError(f"cannot create the lock file {path}.lock ({exc.strerror or exc}); make the folder "
                                 "writable, or pass --db with a path you can write") from None
    try:
        yield
    finally:
        lock.release()
