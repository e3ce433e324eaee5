"""Inputs as users have them: mbox exports, Maildirs, folders, stdin, and mail that fights back."""

from __future__ import annotations

import csv
import io
import json

from conftest import FIXTURES, assert_no_traceback, flat, run


def test_mbox_pairs_each_rejection_with_its_own_submission():
    records = run("analyze", str(FIXTURES / "mbox/two-cycles.mbox"), "--format", "json").json()
    rejections = [r for r in records if r["kind"] == "rejection"]
    # the submissions as they are read; the rejections once every submission is known, in file order
    assert [r["source"].rsplit(":", 1)[1] for r in records] == ["1", "4", "3", "6"]
    first, second = rejections
    assert (first["label"], first["delay_seconds"], first["submitted_at"]) == ("automated", 38, "2026-11-10T09:00:00+00:00")
    assert second["submitted_at"] == "2026-11-20T10:00:00+00:00"
    assert (second["label"], second["delay_seconds"]) == ("human-reviewed", 2 * 86400 + 3 * 3600 + 30 * 60)
    assert second["submission_source"].startswith("email ")


def test_all_reports_every_message_in_a_container():
    records = run("analyze", str(FIXTURES / "mbox/two-cycles.mbox"), "--all", "--format", "json").json()
    lunch = next(r for r in records if r["subject"] == "Lunch?")
    assert lunch["platform"] is None and lunch["kind"] == "other"


def test_three_bot_rejections_in_a_week_say_stop_resubmitting():
    records = run("analyze", str(FIXTURES / "mbox/three-bot-rejections.mbox"), "--format", "json").json()
    rejections = [r for r in records if r["kind"] == "rejection"]
    assert [r["label"] for r in rejections] == ["automated"] * 3
    assert [r["delay_seconds"] for r in rejections] == [41, 41, 41]
    advice = [[a["id"] for a in r["advice"]] for r in rejections]
    assert "history-stop-resubmitting" not in advice[1]
    assert advice[2][0] == "history-stop-resubmitting"


def test_maildir_and_folder_sources():
    maildir = run("analyze", str(FIXTURES / "maildir/inbox"), "--format", "json").json()
    assert sorted(r["kind"] for r in maildir) == ["rejection", "submission"]
    rejection = next(r for r in maildir if r["kind"] == "rejection")
    assert rejection["delay_seconds"] == 36  # paired with the submission in the same Maildir
    folder = run("analyze", str(FIXTURES / "folder"), "--format", "json")
    assert folder.code == 0, folder.err  # junk inside a container is skipped, not an error
    assert [r["template"] for r in folder.json()] == ["upwork-rejection-similar-skillset"]


def test_stdin_message():
    data = (FIXTURES / "forwards/gmail-en.eml").read_bytes()
    result = run("analyze", "-", "--format", "json", input=data)
    rec = result.json()[0]
    assert rec["source"] == "<stdin>" and rec["from"] == "donotreply@upwork.com" and rec["forwarded"]


def test_a_named_file_with_an_mbox_from_line_is_one_message_as_on_stdin():
    path = FIXTURES / "other/saved-with-from-line.eml"
    named = run("analyze", str(path), "--format", "json").json()
    piped = run("analyze", "-", "--format", "json", input=path.read_bytes()).json()
    assert [r["source"] for r in named] == [str(path)]  # the file itself, not "path:1" of a container
    assert [r["subject"] for r in named] == [r["subject"] for r in piped] == ["Lunch on Friday?"]
    assert named[0]["message_id"] == piped[0]["message_id"] == "<saved.1@example.com>"


def test_output_formats_share_the_contract():
    path = str(FIXTURES / "upwork/bot-rejection.eml")
    fields = {"source", "message_id", "from", "subject", "forwarded", "platform", "kind", "sent_at",
              "sent_at_source", "authentic", "template", "label", "confidence", "submitted_at",
              "delay_seconds", "reasons", "advice"}
    rec = json.loads(run("analyze", path, "--format", "jsonl").out.splitlines()[0])
    assert fields <= set(rec)
    rows = list(csv.DictReader(io.StringIO(run("analyze", path, "--format", "csv").out)))
    assert rows[0]["label"] == rec["label"] and rows[0]["template"] == rec["template"]
    text = flat(run("analyze", path, "--submitted-at", "2026-11-24T15:03:00Z").out)
    assert "Who decided: the platform's bots (automated), confidence 95%" in text
    assert "Answered 38 seconds after you submitted" in text
    assert "What to do next:" in text and "Get your profile to 100% complete" in text


def test_non_rejections_get_no_label_or_advice():
    rec = run("analyze", str(FIXTURES / "upwork/approval.eml"), "--format", "json",
              "--submitted-at", "2026-11-24T15:03:00Z").json()[0]
    assert rec["label"] is None and rec["advice"] is None and rec["delay_seconds"] is None


def test_phishing_gets_a_warning_and_no_platform_advice():
    result = run("analyze", str(FIXTURES / "phishing/lookalike-domain.eml"))
    assert "WARNING: this email did not come from Upwork" in result.out
    rec = run("analyze", str(FIXTURES / "phishing/lookalike-domain.eml"), "--format", "json").json()[0]
    assert [a["id"] for a in rec["advice"]] == ["not-from-platform"]
    assert any("upwork-review.net" in r for r in rec["authenticity_reasons"])


def test_huge_attachment_does_not_reach_the_text(tmp_path):
    blob = ("QUJD" * 19 + "\n") * (20_000_000 // 77)
    raw = (FIXTURES / "upwork/bot-rejection.eml").read_text().replace(
        "--b1_upwork--", f"--b1_upwork\r\nContent-Type: application/pdf\r\nContent-Transfer-Encoding: base64\r\n\r\n{blob}--b1_upwork--")
    path = tmp_path / "big.eml"
    path.write_text(raw)
    rec = run("analyze", str(path), "--format", "json").json()[0]
    assert rec["template"] == "upwork-rejection-no-opportunities"


def test_hostile_structures_give_results(tmp_path):
    deep = "From: a@b.example\nSubject: deep\nDate: Tue, 24 Nov 2026 15:03:38 +0000\nMIME-Version: 1.0\n"
    deep += "".join(f'Content-Type: multipart/mixed; boundary="d{i}"\n\n--d{i}\n' for i in range(1500))
    deep += "Content-Type: text/plain\n\nhi\n" + "".join(f"--d{i}--\n" for i in reversed(range(1500)))
    many = ("From: a@b.example\nSubject: many\nDate: Tue, 24 Nov 2026 15:03:38 +0000\nMIME-Version: 1.0\n"
            "Content-Type: multipart/mixed; boundary=x\n\n" + "".join(f"--x\nContent-Type: text/plain\n\npart {i}\n" for i in range(10000)) + "--x--\n")
    long_header = "From: a@b.example\nSubject: " + "x" * 1_000_000 + "\nDate: Tue, 24 Nov 2026 15:03:38 +0000\n\nbody\n"
    nul = b"From: a@b.example\nSubject: nul\x00here\nDate: Tue, 24 Nov 2026 15:03:38 +0000\n\nbo\x00dy\n"
    for name, data in (("deep.eml", deep.encode()), ("many.eml", many.encode()), ("long.eml", long_header.encode()), ("nul.eml", nul)):
        (tmp_path / name).write_bytes(data)
    result = run("analyze", *(str(tmp_path / n) for n in ("deep.eml", "many.eml", "long.eml", "nul.eml")), "--format", "json")
    assert_no_traceback(result)
    assert result.code == 0, result.err
    records = result.json()
    assert [r["subject"][:4] for r in records] == ["deep", "many", "xxxx", "nul "]  # a control character is a space
    assert any("nested too deeply" in w for w in records[0]["warnings"])
