"""The state database: migrations, the fetch pipeline's sync state, and exactly-once delivery."""

from __future__ import annotations

import io
import sqlite3
from datetime import datetime, timedelta, timezone

import pytest

from conftest import FIXTURES, run
from rejectscan.delivery import Delivery
from rejectscan.fetching import plan
from rejectscan.record import Record
from rejectscan.render import RecordWriter, Vocabulary
from rejectscan.store import MIGRATIONS, Saved, Store, SyncPoint

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)


def _record(msgid: str) -> Record:
    data = run("analyze", str(FIXTURES / "upwork/bot-rejection.eml"), "--format", "json").json()[0]
    return Record.from_json({**data, "message_id": msgid, "source": f"INBOX/{msgid}"})


def test_store_migrations_are_ordered_named_and_idempotent(tmp_path):
    path = tmp_path / "s.db"
    with Store(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
    with Store(path) as store:  # opening again applies nothing twice
        names = [r[0] for r in store.db.execute("SELECT name FROM schema_migrations ORDER BY name")]
        assert names == [name for name, _ in MIGRATIONS]
        assert store.integrity_ok()


def test_a_database_from_the_previous_version_is_migrated_and_keeps_its_state(tmp_path):
    path = tmp_path / "old.db"
    con = sqlite3.connect(path)
    for number, (name, sql) in enumerate(MIGRATIONS[:2], start=1):
        con.executescript(sql)
    con.execute("PRAGMA user_version = 2")
    con.execute("INSERT INTO folders (account, folder, uidvalidity, last_uid) VALUES ('a', 'INBOX', 7, 41)")
    con.commit()
    con.close()
    with Store(path) as store:
        assert store.schema_version() == len(MIGRATIONS)
        # the window the old version examined is unknown, so the next fetch examines the whole window
        assert store.sync_point("a", "INBOX") == SyncPoint(7, 41, None)
        assert plan(store.sync_point("a", "INBOX"), 7, 42, NOW, rescan=False).whole_window


def test_a_batch_commits_its_records_with_the_uids_it_examined(tmp_path):
    with Store(tmp_path / "s.db") as store:
        new = store.save_batch("a", "INBOX", 7, [Saved("<1@x>", 3, _record("<1@x>"), b"raw", "rules")], [2, 3])
        assert new == ["<1@x>"] and store.examined("a", "INBOX", 7) == {2, 3}
        assert store.sync_point("a", "INBOX") is None  # the pass is not complete yet
        again = store.save_batch("a", "Other", 9, [Saved("<1@x>", 5, _record("<1@x>"))], [5])
        assert again == []  # the same message in another folder is not new
        store.finish_folder("a", "INBOX", SyncPoint(8, 10, NOW))  # a new UIDVALIDITY forgets the old UIDs
        assert store.examined("a", "INBOX", 7) == set() and store.sync_point("a", "INBOX") == SyncPoint(8, 10, NOW)
        assert [s.key for s in store.unreported()] == ["<1@x>"]
        store.mark_reported(["<1@x>"])
        assert store.unreported() == []


def test_a_failed_batch_leaves_nothing_half_written(tmp_path):
    with Store(tmp_path / "s.db") as store:
        with pytest.raises(Exception):
            store.save_batch("a", "INBOX", 7, [Saved("<1@x>", 3, _record("<1@x>")), Saved("<2@x>", 4, None)], [3, 4])
        assert store.message_count() == 0 and store.examined("a", "INBOX", 7) == set()


@pytest.mark.parametrize("point, uidnext, since, rescan, expected", [
    (None, 10, NOW, False, (NOW, 0, True)),                               # first pass: the whole window
    (SyncPoint(7, 9, NOW), 10, NOW, False, None),                          # nothing arrived: no SEARCH
    (SyncPoint(7, 9, NOW), 12, NOW + timedelta(days=1), False, (NOW + timedelta(days=1), 9, True)),  # only new UIDs
    (SyncPoint(7, 9, NOW), 10, NOW - timedelta(days=300), False, (NOW - timedelta(days=300), 0, True)),  # wider
    (SyncPoint(6, 9, NOW), 10, NOW, False, (NOW, 0, True)),                # UIDVALIDITY changed
    (SyncPoint(7, 9, None), 10, NOW, False, (NOW, 0, True)),               # an older version's state
    (SyncPoint(7, 9, NOW), 10, NOW, True, (NOW, 0, False)),                # --rescan: everything again
])
def test_what_a_fetch_examines(point, uidnext, since, rescan, expected):
    got = plan(point, 7, uidnext, since, rescan)
    assert (None if got is None else (got.since, got.after_uid, got.skip_examined)) == expected


class _Flaky:
    """A writer that dies (as a killed process would) on its n-th report."""

    streams = True

    def __init__(self, die_at: int) -> None:
        self.die_at, self.written = die_at, []

    def write(self, records) -> None:
        if len(self.written) + 1 == self.die_at:
            raise KeyboardInterrupt
        self.written += [r.message_id for r in records]

    def nothing_new(self) -> None:
        pass


def test_delivery_prints_then_marks_then_notifies(tmp_path):
    with Store(tmp_path / "s.db") as store:
        store.save_batch("a", "INBOX", 7, [Saved(f"<{i}@x>", i, _record(f"<{i}@x>")) for i in range(3)], [0, 1, 2])
        told = []
        with pytest.raises(KeyboardInterrupt):
            Delivery(_Flaky(die_at=2), (told.append,)).deliver(store, store.unreported())
        # the first was printed, marked and told; the one being printed when it died is still pending
        assert [r.message_id for r in told] == ["<0@x>"]
        assert [s.key for s in store.unreported()] == ["<1@x>", "<2@x>"]

        def broken(record):
            raise OSError("notifier is gone")

        out = io.StringIO()
        writer = RecordWriter("jsonl", out, Vocabulary({}))
        assert len(Delivery(writer, (broken, told.append)).deliver(store, store.unreported())) == 2
        assert store.unreported() == [] and len(out.getvalue().splitlines()) == 2
        assert [r.message_id for r in told] == ["<0@x>", "<1@x>", "<2@x>"]  # a failing notifier stops nothing


def test_history_judges_stored_mail_again_when_the_rules_change(dovecot, tmp_path):
    """A rule edited after a fetch: history shows the stored mail as the new rules judge it."""
    from conftest import fetch, mail

    db = tmp_path / "s.db"
    sent = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    dovecot.append(mail("upwork/drifted-rejection.eml", sent, "drift@upwork.com"), when=sent)
    assert [r["label"] for r in fetch(dovecot, db, "--format", "jsonl").records()] == ["unknown"]
    before = run("history", "--db", str(db), "--format", "json").json()["summary"]["upwork"]
    assert (before["unknown"], before["automated"]) == (1, 0)
    mine = tmp_path / "mine"
    mine.mkdir()  # a user's template for that wording, saying it is the bots' stock text
    (mine / "drift.toml").write_text(
        '[platform]\nid = "upwork"\n\n[[template]]\nid = "my-drifted"\nkind = "rejection"\n'
        'description = "my stock wording"\nphrases = ["we will not be able to accept your profile into our talent marketplace"]\n'
        'evidence = { direction = "automated", weight = 0.7 }\n'
        'examples.match = ["we will not be able to accept your profile into our talent marketplace"]\n')
    after = run("history", "--db", str(db), "--patterns", str(mine), "--format", "json").json()["summary"]["upwork"]
    assert (after["unknown"], after["automated"]) == (0, 1)
    assert fetch(dovecot, db, "--patterns", str(mine)).out.strip() == "No new platform email."  # nothing re-reported
