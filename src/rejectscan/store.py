"""State in SQLite: folders' sync points, every analysed message with its verdict, submissions.

The only module that talks to sqlite3. WAL mode, ordered named migrations, and transactions
arranged so a run killed at any point loses nothing: a message's record and its folder's new
high-water UID commit together, and the `reported` flag is set only after the report is out, so
a kill can at most repeat the one report it cut off.
"""

from __future__ import annotations

import json
import sqlite3
import statistics
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable, Iterator

from rejectscan.errors import StoreBusyError, StoreDamagedError
from rejectscan.models import Submission

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
)


@dataclass(frozen=True)
class StoredMessage:
    key: str
    record: dict


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Store:
    """One SQLite database; use as a context manager."""

    def __init__(self, path: str | Path, busy_timeout: float = 10.0) -> None:
        self.path = Path(path).expanduser()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(str(self.path), timeout=busy_timeout, isolation_level=None)
            self.db.row_factory = sqlite3.Row
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")
            self.db.execute("PRAGMA foreign_keys=ON")
            self._migrate()
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from None
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.db.close()

    def _error(self, exc: sqlite3.Error) -> Exception:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreBusyError(f"the state database {self.path} is busy (another rejectscan is "
                                  "writing); try again in a moment")
        if isinstance(exc, sqlite3.OperationalError) and "unable to open" in text:
            return StoreDamagedError(f"cannot open the state database {self.path}: {text}; check the "
                                     "folder exists and is writable, or pass --db")
        return StoreDamagedError(f"the state database {self.path} is damaged ({text}); move it aside "
                                 "and rejectscan will start a new one (you lose the record of what was reported)")

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
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def _migrate(self) -> None:
        """Apply the migrations not yet applied, in order, each in its own transaction.

        PRAGMA user_version counts them; schema_migrations names them, for whoever opens the file."""
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        for number, (name, sql) in enumerate(MIGRATIONS, start=1):
            if number <= version:
                continue
            self.db.execute("BEGIN IMMEDIATE")
            try:
                self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
                for statement in _statements(sql):
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations (name, applied_at) VALUES (?, ?)", (name, _now()))
                self.db.execute(f"PRAGMA user_version = {number}")
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        return self.db.execute("PRAGMA user_version").fetchone()[0]

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"

    # --- folders --------------------------------------------------------------------------

    def folder_state(self, account: str, folder: str) -> tuple[int, int] | None:
        row = self.db.execute("SELECT uidvalidity, last_uid FROM folders WHERE account=? AND folder=?",
                              (account, folder)).fetchone()
        return (row["uidvalidity"], row["last_uid"]) if row else None

    # --- messages ---------------------------------------------------------------------------

    def save_batch(self, account: str, folder: str, uidvalidity: int, last_uid: int,
                   rows: list[tuple[str, int | None, dict]], replace: bool = False) -> list[str]:
        """Records and the folder's sync point in one transaction. Returns the keys newly stored."""
        new: list[str] = []
        with self.transaction() as db:
            for key, uid, record in rows:
                values = (key, account, folder, uid, record["source"], record["platform"], record["kind"],
                          record["sent_at"], _ts(record["sent_at"]), _tri(record["authentic"]),
                          record.get("label"), record.get("delay_seconds"), json.dumps(record), _now())
                cur = db.execute(
                    "INSERT OR IGNORE INTO messages (message_key, account, folder, uid, source, platform, kind,"
                    " sent_at, sent_ts, authentic, label, delay_seconds, record, first_seen)"
                    " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)", values)
                if cur.rowcount:
                    new.append(key)
                elif replace:
                    db.execute("UPDATE messages SET record=?, label=?, delay_seconds=? WHERE message_key=?",
                               (json.dumps(record), record.get("label"), record.get("delay_seconds"), key))
            db.execute(
                "INSERT INTO folders (account, folder, uidvalidity, last_uid) VALUES (?,?,?,?)"
                " ON CONFLICT(account, folder) DO UPDATE SET uidvalidity=excluded.uidvalidity,"
                " last_uid=MAX(CASE WHEN folders.uidvalidity = excluded.uidvalidity THEN folders.last_uid ELSE 0 END,"
                " excluded.last_uid)", (account, folder, uidvalidity, last_uid))
        return new

    def unreported(self) -> list[StoredMessage]:
        rows = self.db.execute("SELECT message_key, record FROM messages WHERE reported = 0 ORDER BY sent_ts, id")
        return [StoredMessage(r[0], json.loads(r[1])) for r in rows]

    def records(self, keys: Iterable[str]) -> list[StoredMessage]:
        out = []
        for key in keys:
            row = self.db.execute("SELECT record FROM messages WHERE message_key=?", (key,)).fetchone()
            if row:
                out.append(StoredMessage(key, json.loads(row[0])))
        return out

    def mark_reported(self, key: str) -> None:
        with self.transaction() as db:
            db.execute("UPDATE messages SET reported = 1 WHERE message_key = ?", (key,))

    def stored_submission_emails(self) -> list[Submission]:
        rows = self.db.execute("SELECT sent_at, platform, source FROM messages WHERE kind='submission'"
                               " AND sent_at IS NOT NULL AND (authentic IS NULL OR authentic = 1)")
        return [Submission(at=datetime.fromisoformat(r[0]), platform=r[1], source=f"email {r[2]}") for r in rows]

    def automated_rejections(self) -> list[tuple[str | None, datetime]]:
        rows = self.db.execute("SELECT platform, sent_at FROM messages WHERE kind='rejection' AND label='automated'"
                               " AND sent_at IS NOT NULL AND (authentic IS NULL OR authentic = 1)")
        return [(r[0], datetime.fromisoformat(r[1])) for r in rows]

    def timeline(self) -> list[dict]:
        rows = self.db.execute("SELECT record FROM messages WHERE platform IS NOT NULL"
                               " AND kind IN ('submission','rejection','approval','suspension') ORDER BY sent_ts, id")
        return [json.loads(r[0]) for r in rows]

    def message_count(self) -> int:
        return self.db.execute("SELECT COUNT(*) FROM messages").fetchone()[0]

    # --- health -------------------------------------------------------------------------------

    def beat(self, account: str, runner: str, error: str | None = None) -> None:
        """A check finished: record success, or the error (one line, never a secret)."""
        with self.transaction() as db:
            db.execute("INSERT INTO heartbeat (account) VALUES (?) ON CONFLICT(account) DO NOTHING", (account,))
            if error is None:
                db.execute("UPDATE heartbeat SET last_ok=?, runner=? WHERE account=?", (_now(), runner, account))
            else:
                db.execute("UPDATE heartbeat SET last_error=?, last_error_at=?, runner=? WHERE account=?",
                           (error, _now(), runner, account))

    def heartbeats(self) -> list[dict]:
        return [dict(r) for r in self.db.execute("SELECT * FROM heartbeat ORDER BY account")]

    # --- submissions ------------------------------------------------------------------------

    def add_submission(self, at: datetime, platform: str | None, note: str | None) -> int:
        with self.transaction() as db:
            cur = db.execute("INSERT INTO submissions (at, at_ts, platform, note, source, created) VALUES (?,?,?,?,?,?)",
                             (at.isoformat(), at.timestamp(), platform, note, "rejectscan submitted", _now()))
            return cur.lastrowid

    def submissions(self) -> list[Submission]:
        rows = self.db.execute("SELECT at, platform, note FROM submissions ORDER BY at_ts")
        return [Submission(at=datetime.fromisoformat(r[0]), platform=r[1],
                           source="recorded with `rejectscan submitted`" + (f" ({r[2]})" if r[2] else ""))
                for r in rows]

    def all_submissions(self) -> list[Submission]:
        """Recorded by hand and confirmed by the platform's emails: what pairing uses."""
        return self.submissions() + self.stored_submission_emails()


def _statements(sql: str) -> list[str]:
    return [s.strip() for s in sql.split(";") if s.strip() and not s.strip().startswith("--")]


def _ts(value: str | None) -> float | None:
    return datetime.fromisoformat(value).timestamp() if value else None


def _tri(value: bool | None) -> int | None:
    return None if value is None else int(value)


def median(values: list[float]) -> float | None:
    return statistics.median(values) if values else None


@contextmanager
def run_lock(db_path: str | Path, timeout: float) -> Iterator[None]:
    """One fetch at a time per database: an overlapping cron run waits for the other to finish,
    then finds nothing new, so each message is reported exactly once across them."""
    from filelock import FileLock, Timeout

    path = Path(db_path).expanduser()
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = FileLock(str(path) + ".lock")
    try:
        lock.acquire(timeout=timeout)
    except Timeout:
        raise StoreBusyError(f"another rejectscan has been using {path} for over {timeout:g} seconds; "
                             "try again later (or raise --lock-timeout)") from None
    try:
        yield
    finally:
        lock.release()


def history(store: "Store", names: dict[str, str]) -> dict:
    """The timeline per platform and a short summary; forgeries shown but never counted."""
    events: list[dict] = []
    for sub in store.submissions():
        events.append({"platform": sub.platform, "at": sub.at.isoformat(), "event": "submitted",
                       "label": None, "delay_seconds": None, "source": sub.source, "authentic": True})
    for rec in store.timeline():
        event = {"submission": "submission email", "rejection": "rejected", "approval": "approved",
                 "suspension": "suspended"}[rec["kind"]]
        events.append({"platform": rec["platform"], "at": rec["sent_at"], "event": event, "label": rec.get("label"),
                       "delay_seconds": rec.get("delay_seconds"), "source": rec["source"],
                       "authentic": rec["authentic"], "template": rec.get("template")})
    events.sort(key=lambda e: (datetime.fromisoformat(e["at"]).timestamp() if e["at"] else float("inf")))
    summary: dict[str, dict] = {}
    for platform in sorted({e["platform"] or "any" for e in events}):
        mine = [e for e in events if (e["platform"] or "any") == platform and e["authentic"] is not False]
        rejections = [e for e in mine if e["event"] == "rejected"]
        human = [e["delay_seconds"] for e in rejections if e["label"] == "human-reviewed" and e["delay_seconds"] is not None]
        summary[platform] = {
            "name": names.get(platform, platform),
            "submissions": sum(1 for e in mine if e["event"] == "submitted"),
            "rejections": len(rejections),
            "automated": sum(1 for e in rejections if e["label"] == "automated"),
            "human_reviewed": sum(1 for e in rejections if e["label"] == "human-reviewed"),
            "unknown": sum(1 for e in rejections if e["label"] == "unknown"),
            "approvals": sum(1 for e in mine if e["event"] == "approved"),
            "median_human_delay_seconds": int(median(human)) if human else None,
            "forgeries_ignored": sum(1 for e in events if (e["platform"] or "any") == platform and e["authentic"] is False),
        }
    return {"events": events, "summary": summary}
