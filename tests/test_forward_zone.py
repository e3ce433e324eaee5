"""Zone-less dates in the user's own inline forwards, through the real command (README, "Time"):
read in the user's zone (TZ), a stranger's forward as its Date header says, and stored mail judged
again when the zone changes."""

from __future__ import annotations

import json

from conftest import run

STOCK = ("Hi Maria,\n\nUnfortunately, our marketplace does not have opportunities for you based on your "
         "combination of skills and experience and we will not be able to accept your registration.\n\n"
         "Thanks,\nThe Upwork Team\n")


def _outlook_forward(tmp_path, sent: str, date: str = "Tue, 24 Nov 2026 15:20:05 +0000",
                     forwarder: str = "maria.santos@example.org"):
    """An Outlook (Exchange Online) forward: its own Date in UTC, the quoted Sent: on the wall clock."""
    text = (f"From: Someone <{forwarder}>\nTo: Maria Santos <maria.santos@example.org>\n"
            f"Subject: FW: Your Upwork profile was not approved\nDate: {date}\n"
            "Message-ID: <fw-zone@example.org>\nContent-Type: text/plain; charset=utf-8\n\n\n"
            "________________________________\nFrom: Upwork <donotreply@upwork.com>\n"
            f"Sent: {sent}\nTo: Maria Santos <maria.santos@example.org>\n"
            f"Subject: Your Upwork profile was not approved\n\n{STOCK}")
    path = tmp_path / "fw.eml"
    path.write_text(text)
    return str(path)


def _analyze(path, tz, submitted, *extra):
    result = run("analyze", path, "--format", "json", "--submitted-at", submitted, *extra, env={"TZ": tz})
    assert result.code == 0, result.err
    return result.json()[0]


def test_an_exchange_forward_in_berlin_is_read_in_berlin_not_utc(tmp_path):
    """Sent 16:03 Berlin (15:03 UTC), submitted 15:03 UTC: within a minute, not an hour."""
    rec = _analyze(_outlook_forward(tmp_path, "Tuesday, November 24, 2026 4:03 PM"), "Europe/Berlin",
                   "2026-11-24 15:03:00 UTC")
    assert (rec["sent_at"], rec["sent_at_source"]) == ("2026-11-24T16:03:00+01:00", "forwarded-header+your-zone")
    assert rec["delay_seconds"] == 0 and rec["label"] == "automated"
    assert "your time zone" in run("analyze", _outlook_forward(tmp_path, "Tuesday, November 24, 2026 4:03 PM"),
                                   env={"TZ": "Europe/Berlin"}).out


def test_an_exchange_forward_in_new_york_is_read_in_new_york(tmp_path):
    rec = _analyze(_outlook_forward(tmp_path, "Tuesday, November 24, 2026 10:03 AM"), "America/New_York",
                   "2026-11-24 10:02")
    assert rec["sent_at"] == "2026-11-24T10:03:00-05:00" and rec["delay_seconds"] == 60


def test_a_strangers_forward_is_read_as_its_date_header_says(tmp_path):
    """The user's zone says nothing of a stranger's mail client."""
    path = _outlook_forward(tmp_path, "Tuesday, November 24, 2026 4:03 PM", forwarder="friend@example.net")
    rec = run("analyze", path, "--format", "json", env={"TZ": "Europe/Berlin"}).json()[0]
    assert (rec["sent_at"], rec["sent_at_source"]) == ("2026-11-24T16:03:00+00:00", "forwarded-header+forwarder-zone")


def test_a_gmail_forward_across_a_clock_change_is_read_in_summer_time(tmp_path):
    path = tmp_path / "gmail.eml"
    path.write_text("From: Maria Santos <maria.santos@example.org>\nTo: Maria Santos <maria.santos@example.org>\n"
                    "Subject: Fwd: Your Upwork profile was not approved\nDate: Thu, 5 Nov 2026 10:00:00 +0100\n"
                    "Content-Type: text/plain; charset=utf-8\n\n\n---------- Forwarded message ---------\n"
                    "From: Upwork <donotreply@upwork.com>\nDate: Tue, Oct 20, 2026 at 4:03 PM\n"
                    "Subject: Your Upwork profile was not approved\nTo: <maria.santos@example.org>\n\n\n" + STOCK)
    rec = _analyze(str(path), "Europe/Berlin", "2026-10-20 16:02")
    assert rec["sent_at"] == "2026-10-20T16:03:00+02:00" and rec["delay_seconds"] == 60


def test_stored_mail_is_judged_again_in_the_zone_in_force(tmp_path):
    """history re-judges when what judged a stored verdict changed: the rules, or the zone forwards are
    read in. A record stored under TZ=UTC is shown under Berlin as Berlin reads it, and stored so."""
    import sqlite3

    db = str(tmp_path / "state.db")
    path = _outlook_forward(tmp_path, "Tuesday, November 24, 2026 4:03 PM")
    assert run("analyze", path, "--record", "--submitted-at", "2026-11-24 15:03:00 UTC", "--db", db,
               env={"TZ": "UTC"}).code == 0

    def rejected(tz):
        events = run("history", "--format", "json", "--db", db, env={"TZ": tz}).json()["events"]
        return [(e["at"], e["delay_seconds"]) for e in events if e["event"] == "rejected"]

    assert rejected("UTC") == [("2026-11-24T16:03:00+00:00", 3600)]
    assert rejected("Europe/Berlin") == [("2026-11-24T16:03:00+01:00", 0)]
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT sent_at FROM messages").fetchall() == [("2026-11-24T16:03:00+01:00",)]


def test_fetch_reads_the_users_exchange_forward_in_their_zone(dovecot, tmp_path):
    """fetch passes the user's zone down as analyze does (app -> Fetcher -> pipeline)."""
    from datetime import datetime, timedelta, timezone
    from email.utils import format_datetime
    from zoneinfo import ZoneInfo

    from dovecot import PASSWORD, USER

    now = datetime.now(timezone.utc).replace(microsecond=0)
    sent = (now - timedelta(hours=2)).astimezone(ZoneInfo("Europe/Berlin"))
    shown = f"{sent:%A, %B} {sent.day}, {sent:%Y} {sent.hour % 12 or 12}:{sent:%M} {sent:%p}"
    me = f"{USER}@example.org"
    path = _outlook_forward(tmp_path, shown, date=format_datetime(now - timedelta(hours=1)), forwarder=me)
    dovecot.append(open(path, "rb").read().replace(b"maria.santos@example.org", me.encode()),
                   when=now - timedelta(hours=1))
    result = run("fetch", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", me,
                 "--cafile", str(dovecot.cert), "--db", str(tmp_path / "state.db"), "--since", "30d",
                 "--format", "jsonl", env={"REJECTSCAN_PASSWORD": PASSWORD, "TZ": "Europe/Berlin"})
    assert result.code == 0, result.err
    [record] = result.records()
    assert record["sent_at_source"] == "forwarded-header+your-zone"
    assert record["sent_at"] == sent.replace(second=0).isoformat()
