"""The judgement issue's examples through the real command: pairing that cannot mislead, one
event per original, and forgeries that never change a genuine verdict."""

from __future__ import annotations

import email
import re
from datetime import datetime, timedelta, timezone

from conftest import FIXTURES, fetch, mail, own_config, run

NOW = datetime.now(timezone.utc).replace(microsecond=0)
VERDICT = ("kind", "label", "confidence", "delay_seconds", "submitted_at", "reasons", "advice")


def _verdicts(path, *args) -> dict:
    return {r["message_id"]: {k: r[k] for k in VERDICT} for r in run("analyze", str(path), "--format", "json", *args).json()}


FORGERIES = ("authenticity/gmail-sender-written.eml", "authenticity/attached-from-stranger.eml",
             "authenticity/two-from-headers.eml", "phishing/lookalike-domain.eml")


def test_forgeries_added_to_a_mailbox_leave_genuine_verdicts_unchanged(tmp_path):
    """The genuine submission and rejection judged alone, and again among forgeries dated just
    before the rejection: a forged 'submitted', a stranger's attached copy, a lookalike."""
    parts = [(FIXTURES / "pairing/forged-submission.mbox").read_bytes()]
    for name in FORGERIES:
        data = re.sub(rb"(?m)^Date: .*$", b"Date: Wed, 18 Nov 2026 09:59:51 +0000", (FIXTURES / name).read_bytes(), count=1)
        parts.append(b"From x@y Wed Nov 18 09:59:51 2026\n" + re.sub(rb"(?m)^From ", b">From ", data) + b"\n")
    mixed = tmp_path / "mixed.mbox"
    mixed.write_bytes(b"".join(parts))
    clean = _verdicts(FIXTURES / "pairing/without-forgery.mbox")
    with_forgeries = _verdicts(mixed)
    assert len(with_forgeries) == len(clean) + 1 + len(FORGERIES)
    for message_id, verdict in clean.items():
        assert with_forgeries[message_id] == verdict, message_id


def test_a_submission_time_after_the_only_email_is_an_error_naming_both_times():
    result = run("analyze", str(FIXTURES / "upwork/bot-rejection.eml"), "--submitted-at", "2026-11-25T14:05:00Z")
    assert result.code == 2 and result.out == ""
    assert "2026-11-25 14:05:00+00:00" in result.err and "2026-11-24 15:03:38+00:00" in result.err


def test_in_an_mbox_a_later_submission_time_pairs_only_with_later_mail():
    records = run("analyze", str(FIXTURES / "mbox/two-cycles.mbox"), "--format", "json",
                  "--submitted-at", "2026-11-20T09:59:00Z").json()
    early = [r for r in records if r["kind"] == "rejection" and r["sent_at"] < "2026-11-20"]
    late = [r for r in records if r["kind"] == "rejection" and r["sent_at"] > "2026-11-20"]
    assert early and late
    for r in early:  # answered before that submission: it says so instead of pairing with it
        assert r["submitted_at"] != "2026-11-20T09:59:00+00:00"
    assert any(r["submission_source"] in ("--submitted-at",) or r["submission_source"].startswith("email") for r in late)


def test_a_stored_submission_is_used_and_named(tmp_path):
    db = tmp_path / "state.db"
    assert run("submitted", "--at", "2026-11-22T09:00:00Z", "--db", str(db)).code == 0
    text = run("analyze", str(FIXTURES / "upwork/unable-to-accept.eml"), "--db", str(db)).out
    assert "recorded with `rejectscan submitted`" in text
    rec = run("analyze", str(FIXTURES / "upwork/unable-to-accept.eml"), "--db", str(db), "--format", "json").json()[0]
    assert rec["submission_source"] == "recorded with `rejectscan submitted`" and rec["label"] == "human-reviewed"


def _mbox(tmp_path, *names: str) -> str:
    box = tmp_path / "box.mbox"
    box.write_bytes(b"".join(b"From x@y Tue Nov 24 15:03:38 2026\n"
                             + re.sub(rb"(?m)^From ", b">From ", (FIXTURES / name).read_bytes()) + b"\n" for name in names))
    return str(box)


def test_in_an_mbox_mail_before_the_typed_submission_time_says_why_it_is_not_measured_from_it(tmp_path):
    """README: "in an mbox it pairs only with later mail, and earlier messages say so". The bots'
    stock email (Nov 24) is labelled by its wording alone, and said nothing of the Nov 25 time."""
    box = _mbox(tmp_path, "upwork/bot-rejection.eml", "upwork/human-rejection-ticket.eml")
    first, second = run("analyze", box, "--submitted-at", "2026-11-25 10:00", "--format", "jsonl").records()
    assert first["source"].endswith(":1") and first["label"] == "automated" and first["submitted_at"] is None
    assert first["reasons"][0].startswith("sent 18 hours 56 minutes before the time you gave with --submitted-at "
                                          "(2026-11-25 10:00:00+00:00)"), first["reasons"]
    assert "pairs only with mail sent after it" in first["reasons"][0]
    assert second["submission_source"] == "--submitted-at" and second["delay_seconds"] == 195344


def test_the_time_typed_wins_over_a_later_recorded_submission_and_says_which_was_used(tmp_path):
    """A `rejectscan submitted` record of Nov 26 silently replaced the Nov 25 the user typed."""
    db, ticket = str(tmp_path / "state.db"), str(FIXTURES / "upwork/human-rejection-ticket.eml")
    assert run("submitted", "--at", "2026-11-26T09:00:00Z", "--db", db).code == 0
    args = ("analyze", str(FIXTURES / "upwork/bot-rejection.eml"), ticket, "--submitted-at", "2026-11-25 10:00",
            "--db", db)
    measured = next(r for r in run(*args, "--format", "jsonl").records() if r["source"] == ticket)
    assert measured["submitted_at"] == "2026-11-25T10:00:00+00:00" and measured["delay_seconds"] == 195344
    assert measured["submission_source"] == "--submitted-at" and measured["label"] == "human-reviewed"
    assert measured["reasons"][0] == (
        "measured from the time you gave with --submitted-at (2026-11-25 10:00:00+00:00), not from the later "
        "submission recorded with `rejectscan submitted` (2026-11-26 09:00:00+00:00): the time you type wins; "
        "leave out --submitted-at to measure from that one")
    text = " ".join(run(*args).out.split())
    assert "from --submitted-at)" in text and "the time you type wins" in text
    alone = run("analyze", ticket, "--db", db, "--format", "jsonl").records()[0]  # without it: the record
    assert alone["submission_source"] == "recorded with `rejectscan submitted`"
    assert not any("--submitted-at" in r for r in alone["reasons"])


def _inline_forward(original: bytes, sent: datetime, copy: int) -> bytes:
    """The user forwarding a platform email to themselves the way Gmail writes it."""
    msg = email.message_from_bytes(original)
    body = next(p.get_payload(decode=True).decode() for p in msg.walk() if p.get_content_type() == "text/plain")
    local = sent.strftime("%a, %b %-d, %Y at %-I:%M %p")
    return (f"From: Maria Santos <maria.santos@example.org>\nTo: maria.santos@example.org\n"
            f"Subject: Fwd: {msg['Subject']}\nDate: {email.utils.format_datetime(sent + timedelta(hours=3))}\n"
            f"Message-ID: <fwd-{sent.timestamp():.0f}-{copy}@example.org>\nContent-Type: text/plain; charset=utf-8\n\n"
            f"---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\nDate: {local}\n"
            f"Subject: {msg['Subject']}\nTo: <maria.santos@example.org>\n\n{body}").encode()


def test_forwards_of_one_rejection_are_one_event(dovecot, tmp_path):
    db = tmp_path / "s.db"
    sent = NOW - timedelta(days=1)
    original = mail("upwork/bot-rejection.eml", sent, "one@upwork.com")
    dovecot.append(original, when=sent)
    for n in range(2):
        dovecot.append(_inline_forward(original, sent, n), when=sent + timedelta(hours=3 + n))
    # the forwards are Maria's own: found from headers once her address is known
    records = fetch(dovecot, db, "--since", "7d", "--format", "jsonl", "--config", own_config(tmp_path)).records()
    assert [r["kind"] for r in records] == ["rejection"] * 3
    assert not any(a["id"] == "history-stop-resubmitting" for r in records for a in r["advice"])
    summary = run("history", "--db", str(db), "--format", "json").json()["summary"]["upwork"]
    assert summary["rejections"] == 1


def test_advice_is_true_today_and_quotes_the_reviewer():
    human = run("analyze", str(FIXTURES / "decisions/first-person-remarks.eml"), "--format", "json").json()[0]
    texts = " ".join(a["text"] for a in human["advice"]).lower()
    assert "skill test" in texts and "no skill tests since 2019" in texts and "retake the skill tests" not in texts
    assert human["reviewer_instructions"] == [
        "Add two or three examples of that work and narrow the title to it, then resubmit."]
    shown = run("analyze", str(FIXTURES / "decisions/first-person-remarks.eml")).out
    assert "What the reviewer asked for, in their words:" in shown
    suspended = run("analyze", str(FIXTURES / "decisions/restricted-new-words.eml"), "--format", "json").json()[0]
    assert suspended["kind"] == "suspension" and [a["id"] for a in suspended["advice"]] == [
        "suspension-read-reason", "suspension-evidence", "suspension-one-account"]
    toptal = [a["id"] for a in run("analyze", str(FIXTURES / "decisions/role-signature-ticket.eml"),
                                   "--format", "json").json()[0]["advice"]]
    assert "support-improve-fiverr" in toptal and "support-improve-upwork" not in toptal


def test_unrecognised_wording_says_how_to_teach_it_locally():
    rec = run("analyze", str(FIXTURES / "decisions/not-moving-forward.eml"), "--format", "json").json()[0]
    assert any("--patterns DIR" in n for n in rec["notes"]) and not any("report it" in n for n in rec["notes"])
