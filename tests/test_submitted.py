"""`rejectscan submitted` as a freelancer uses it (issue 15, item 8): list, delete, no accidental
future times, platform names typed any way; and pasted text on stdin gets a hint."""

from __future__ import annotations

from conftest import assert_one_line_error, flat, run


def test_list_and_delete_recorded_submissions(tmp_path):
    db = str(tmp_path / "s.db")
    assert run("submitted", "--list", "--db", db).out.startswith("No submission recorded yet")
    assert run("submitted", "--platform", "Fiverr", "--at", "2026-03-01T10:00:00Z", "--db", db).code == 0
    assert run("submitted", "--platform", "UPWORK", "--at", "2026-03-02T10:00:00Z", "--note", "second try",
               "--db", db).code == 0
    listed = run("submitted", "--list", "--db", db).out.splitlines()
    assert listed[0] == "Recorded submissions (times in UTC):"
    assert listed[1].split() == ["NUMBER", "SUBMITTED", "PLATFORM"]
    assert listed[2].split()[:4] == ["1", "2026-03-01", "10:00:00", "Fiverr"]
    assert "Upwork" in listed[3] and "(second try)" in listed[3]
    assert run("submitted", "--delete", "1", "--db", db).out.strip() == "Deleted recorded submission number 1."
    assert "Fiverr" not in run("submitted", "--list", "--db", db).out
    gone = run("submitted", "--delete", "1", "--db", db)
    assert gone.code == 2
    assert_one_line_error(gone, "no recorded submission number 1", "--list")
    history = run("history", "--db", db, "--format", "json").json()
    assert [e["platform"] for e in history["events"]] == ["upwork"]


def test_a_future_time_is_refused_unless_meant(tmp_path):
    db = str(tmp_path / "s.db")
    refused = run("submitted", "--at", "next friday", "--db", db)
    assert refused.code == 2
    assert_one_line_error(refused, "in the future", "--future")
    assert run("submitted", "--list", "--db", db).out.startswith("No submission recorded yet")
    assert run("submitted", "--at", "next friday", "--future", "--db", db).code == 0


def test_an_unknown_platform_names_the_known_ones(tmp_path):
    result = run("submitted", "--platform", "Fivver", "--db", str(tmp_path / "s.db"))
    assert result.code == 2
    assert_one_line_error(result, "unknown platform 'Fivver'", "fiverr", "upwork")
    assert run("submitted", "--platform", "Freelancer.com", "--db", str(tmp_path / "s.db")).code == 0


def test_pasted_text_on_stdin_gets_a_hint():
    result = run("analyze", "-", input=b"Hello,\n\nWe are unable to accept your registration.\n")
    assert result.code == 1
    assert "save it as .eml" in flat(result.err) and "Show original" in result.err


def test_recorded_times_are_shown_in_the_users_zone_and_named(tmp_path):
    db, paris = str(tmp_path / "s.db"), {"TZ": "Europe/Paris"}
    recorded = run("submitted", "--at", "2026-03-01T10:00:00Z", "--db", db, env=paris)
    assert recorded.out.strip() == "Recorded: submitted to Upwork at 2026-03-01 11:00:00 (Europe/Paris)."
    listed = run("submitted", "--list", "--db", db, env=paris).out.splitlines()
    assert listed[0] == "Recorded submissions (times in Europe/Paris):"
    assert listed[2].split()[:4] == ["1", "2026-03-01", "11:00:00", "Upwork"]


def test_list_shows_one_platform_when_asked_and_refuses_what_only_recording_takes(tmp_path):
    """`--list --platform fiverr` listed every platform; `--list --at X` ignored --at in silence."""
    db = str(tmp_path / "s.db")
    for platform, at in (("fiverr", "2026-03-01T10:00:00Z"), ("upwork", "2026-03-02T10:00:00Z"),
                         ("Fiverr", "2026-03-03T10:00:00Z")):
        assert run("submitted", "--platform", platform, "--at", at, "--db", db).code == 0
    rows = [line.split() for line in run("submitted", "--list", "--platform", "FIVERR", "--db", db).out.splitlines()[2:]]
    assert [(r[0], r[3]) for r in rows] == [("1", "Fiverr"), ("3", "Fiverr")]  # the numbers --delete takes
    assert len(run("submitted", "--list", "--db", db).out.splitlines()) == 5  # all three without --platform
    none = run("submitted", "--list", "--platform", "guru", "--db", db)
    assert none.code == 0 and none.out.startswith("No submission recorded for Guru yet")
    for args in (("--list", "--at", "yesterday"), ("--list", "--note", "x"), ("--list", "--future"),
                 ("--delete", "1", "--at", "yesterday"), ("--delete", "1", "--platform", "upwork")):
        refused = run("submitted", *args, "--db", db)
        assert refused.code == 2, (args, refused.err)
        option = next(a for a in args[1:] if a.startswith("--"))
        assert_one_line_error(refused, "takes only", option, "for recording a submission")
    assert len(run("submitted", "--list", "--db", db).out.splitlines()) == 5  # nothing recorded or deleted


def test_a_tz_that_names_no_zone_is_said_once_and_utc_is_used():
    """TZ=Bogus/Zone fell back to UTC in silence: a typed time was read in a zone nobody chose."""
    from conftest import FIXTURES

    bot = str(FIXTURES / "upwork" / "bot-rejection.eml")
    result = run("analyze", bot, "--submitted-at", "2026-11-24 15:03", "--format", "jsonl", env={"TZ": "Bogus/Zone"})
    assert result.code == 0, result.err
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rejectscan: warning: TZ='Bogus/Zone' names no time zone"), lines
    assert "UTC" in lines[0] and "Europe/Berlin" in lines[0]
    assert result.records()[0]["submitted_at"] == "2026-11-24T15:03:00+00:00"
    for fine in ("Europe/Berlin", ":Europe/Berlin", "/usr/share/zoneinfo/Europe/Berlin"):
        berlin = run("analyze", bot, "--submitted-at", "2026-11-24 16:03", "--format", "jsonl", env={"TZ": fine})
        assert berlin.err == "" and berlin.records()[0]["delay_seconds"] == 38, (fine, berlin.err)


def test_an_analyze_block_shows_the_sending_and_the_submission_in_the_users_zone():
    """With TZ=Europe/Berlin a block said "Sent 15:03:38 +00:00" beside "submitted (16:03:00 +01:00)",
    so the submission looked later than the answer. Programs keep the email's own offset."""
    from conftest import FIXTURES

    args = ("analyze", str(FIXTURES / "upwork" / "bot-rejection.eml"), "--submitted-at", "2026-11-24 16:03")
    text = flat(run(*args, env={"TZ": "Europe/Berlin"}).out)
    assert "Sent 2026-11-24 16:03:38 +01:00 (its Date header)" in text, text
    assert "after you submitted (2026-11-24 16:03:00 +01:00, from --submitted-at)" in text, text
    kolkata = flat(run(*args[:-1], "2026-11-24 20:33", env={"TZ": "Asia/Kolkata"}).out)
    assert "Sent 2026-11-24 20:33:38 +05:30" in kolkata and "(2026-11-24 20:33:00 +05:30," in kolkata, kolkata
    assert run(*args, "--format", "jsonl", env={"TZ": "Europe/Berlin"}).records()[0]["sent_at"] == \
        "2026-11-24T15:03:38+00:00"
