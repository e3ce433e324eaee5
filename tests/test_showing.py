"""Report what matters (issue 15, item 3): decisions for people, cron and notifiers; every kind for
programs; --kind to choose; everything stored and marked reported whether shown or not. And the
one-line summary at the end of a run (item 6)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from conftest import FIXTURES, fetch, flat, mail, run

NOW = datetime.now(timezone.utc).replace(microsecond=0)
UPWORK = str(FIXTURES / "upwork")


def test_text_shows_decisions_and_the_summary_names_what_it_left_out(tmp_path):
    result = run("analyze", UPWORK, "--db", str(tmp_path / "s.db"))
    assert result.code == 0
    text = flat(result.out)
    blocks = [line for line in result.out.splitlines() if line.endswith(".eml")]  # each finding's first line
    assert not any(b.endswith(("job-alert.eml", "/submission.eml")) for b in blocks)  # not decisions
    assert any(b.endswith("bot-rejection.eml") for b in blocks) and any(b.endswith("/approval.eml") for b in blocks)
    last = result.out.strip().splitlines()[-1]
    assert "platform emails:" in flat(result.out.strip().split("\n\n")[-1])
    assert "(not shown)" in text and "--kind other" in text and "--kind submission" in text
    assert last.endswith(".")


def test_kind_chooses_and_programs_get_every_kind(tmp_path):
    db = str(tmp_path / "s.db")
    only = run("analyze", UPWORK, "--kind", "other", "--db", db, "--format", "jsonl").records()
    assert only and {r["kind"] for r in only} == {"other"}
    every = run("analyze", UPWORK, "--db", db, "--format", "jsonl").records()
    assert {"other", "submission", "rejection", "approval"} <= {r["kind"] for r in every}
    text = flat(run("analyze", UPWORK, "--kind", "all", "--db", db).out)
    assert "job-alert.eml" in text and "(not shown)" not in text
    assert run("analyze", UPWORK, "--kind", "nonsense").code == 2


def test_cron_is_silent_about_job_alerts_and_they_are_never_dumped_later(dovecot, tmp_path):
    db = tmp_path / "s.db"
    told = tmp_path / "told"
    alert_at = NOW - timedelta(hours=2)
    dovecot.append(mail("upwork/job-alert.eml", alert_at, "alert1@upwork.com"), when=alert_at)
    notifier = f"sh -c 'cat >> {told}'"
    quiet = fetch(dovecot, db, "--quiet", "--notify-cmd", notifier)
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""
    assert not told.exists()  # no notification for a job alert
    later = fetch(dovecot, db, "--quiet", "--kind", "all")
    assert later.out == ""  # it was marked reported though not shown
    rejected_at = NOW - timedelta(hours=1)
    dovecot.append(mail("upwork/bot-rejection.eml", rejected_at, "rej1@upwork.com"), when=rejected_at)
    loud = fetch(dovecot, db, "--quiet", "--notify-cmd", notifier)
    assert "rejected your profile" in flat(loud.out)
    assert "1 platform email: 1 rejection" in flat(loud.out)
    assert told.read_text().count('"kind": "rejection"') == 1


def test_a_run_that_shows_nothing_says_what_it_found(dovecot, tmp_path):
    at = NOW - timedelta(hours=2)
    dovecot.append(mail("upwork/job-alert.eml", at, "alert2@upwork.com"), when=at)
    result = fetch(dovecot, tmp_path / "s.db")
    assert flat(result.out).startswith("No new decision about your profile.")
    assert "1 platform email: 1 email that decides nothing about your profile (not shown)" in flat(result.out)
