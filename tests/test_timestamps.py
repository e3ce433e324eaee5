"""Dates with their zones, as clients write them, and times as people type them."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from rejectscan.errors import UsageError
from rejectscan.models import Original, ParsedMail, Received
from rejectscan.timestamps import (extract_zone, original_sent_at, parse_client_date, parse_rfc5322,
                                   parse_since, parse_span, parse_when)

PLUS1 = timezone(timedelta(hours=1))
UTC = timezone.utc


@pytest.mark.parametrize("text, langs, expected, zone_written", [
    ("Wed, Oct 27, 2021 at 9:31\u202fAM", ("en",), "2021-10-27T09:31:00+01:00", False),
    ("Mi., 27. Okt. 2021 um 09:31 Uhr", ("de",), "2021-10-27T09:31:00+01:00", False),
    ("mer. 27 oct. 2021 à 09:31", ("fr",), "2021-10-27T09:31:00+01:00", False),
    ("26. Oktober 2021 um 14:25:08 OESZ", ("de",), "2021-10-26T14:25:08+03:00", True),
    ("25 October 2021 at 11:17:21 EEST", ("en",), "2021-10-25T11:17:21+03:00", True),
    ("Wed, 3 Nov 2021 15:51:30 +0100", ("en",), "2021-11-03T15:51:30+01:00", True),
    ("Tuesday, November 2, 2021, 09:26:50 AM GMT+1", ("en",), "2021-11-02T09:26:50+01:00", True),
    ("28. lokakuuta 2021 klo 12.06", ("fi",), "2021-10-28T12:06:00+01:00", False),
    ("2022年9月19日月曜日 17:55:44 -0400", ("ja",), "2022-09-19T17:55:44-04:00", True),
    ("On Tuesday, May 14th, 2024 at 9:12 AM", ("en",), "2024-05-14T09:12:00+01:00", False),
])
def test_client_dates(text, langs, expected, zone_written):
    value, written = parse_client_date(text, langs, default_zone=PLUS1)
    assert value.isoformat() == expected
    assert written is zone_written


@pytest.mark.parametrize("text, order, expected", [
    ("28/10/2021 12:46", "", "2021-10-28T12:46:00"),      # day > 12: unambiguous
    ("02/10/2023 4:52 PM", "", "2023-02-10T16:52:00"),     # 12-hour clock: US month/day
    ("03/11/2021 15:51", "", "2021-11-03T15:51:00"),       # 24-hour clock: day/month
    ("03/11/2021 15:51", "MDY", "2021-03-11T15:51:00"),    # the client's style decides
    ("03.11.2021 4:52 PM", "", "2021-11-03T16:52:00"),     # a dotted date is never month-first
])
def test_numeric_day_month_order(text, order, expected):
    value, _ = parse_client_date(text, ("en",), order, default_zone=UTC)
    assert value.replace(tzinfo=None).isoformat() == expected


@pytest.mark.parametrize("text, lang, expected", [
    ("2026年11月24日 午後 4:03", "ja", "2026-11-24T16:03:00"),        # Outlook ja
    ("2026年11月24日(火) 午後4:03", "ja", "2026-11-24T16:03:00"),     # Gmail ja
    ("2026年11月24日 午前 11:03", "ja", "2026-11-24T11:03:00"),
    ("2026年11月24日 午後 12:03", "ja", "2026-11-24T12:03:00"),       # noon
    ("2026年11月24日 午前 12:03", "ja", "2026-11-24T00:03:00"),       # midnight
    ("2026年11月24日 午後 0:03", "ja", "2026-11-24T12:03:00"),        # hours counted 0-11
    ("2026年11月24日 16:03", "ja", "2026-11-24T16:03:00"),            # no word: 24-hour
    ("2026年11月24日周二 下午4:03", "zh", "2026-11-24T16:03:00"),     # Gmail zh
    ("2026年11月24日星期二 上午9:03", "zh", "2026-11-24T09:03:00"),
    ("2026년 11월 24일 화요일 오후 4:03", "ko", "2026-11-24T16:03:00"),  # Outlook ko (dateparser)
])
def test_cjk_morning_and_afternoon_words(text, lang, expected):
    value, written = parse_client_date(text, (lang,), default_zone=UTC)
    assert value.replace(tzinfo=None).isoformat() == expected and not written


def test_unknown_zone_name_is_dropped_not_fatal():
    value, written = parse_client_date("26 oktober 2021 14:25:08 XYZT", ("nl",), default_zone=PLUS1)
    assert value == datetime(2021, 10, 26, 14, 25, 8, tzinfo=PLUS1) and not written


def test_garbage_is_none_not_now():
    assert parse_client_date("sometime last week-ish??", ("en",))[0] is None
    assert parse_rfc5322("not a date") is None


@pytest.mark.parametrize("header, expected", [
    ("Tue, 14 May 2024 09:12:33 -0700 (PDT)", "2024-05-14T09:12:33-07:00"),
    ("Tue, 14 May 2024 9:12:33 +0200", "2024-05-14T09:12:33+02:00"),
    ("Tue, 14 May 2024 09:12:33 CEST", "2024-05-14T09:12:33+02:00"),
    ("Tue, 14 May 24 09:12:33 +0200", "2024-05-14T09:12:33+02:00"),
])
def test_rfc5322_sloppy_forms(header, expected):
    assert parse_rfc5322(header).isoformat() == expected


def _mail(date_header="", received=()):
    return ParsedMail(from_name="", from_addr="a@upwork.com", subject="", message_id="",
                      date_header=date_header, text="", received=tuple(received))


def test_clock_disagreement_is_reported():
    m = _mail("Tue, 24 Nov 2026 15:03:38 +0000", [Received("mx", datetime(2026, 11, 24, 16, 0, tzinfo=UTC))])
    ts = original_sent_at(Original("", m.from_addr, "", "", False, "direct", m.date_header, mail=m))
    assert ts.value == datetime(2026, 11, 24, 15, 3, 38, tzinfo=UTC)
    assert any("clocks disagree" in n and "56 minutes later" in n and "(56 minutes later)" in n for n in ts.notes)


def test_missing_date_uses_received_and_says_so_never_now():
    m = _mail("", [Received("mx", datetime(2026, 11, 24, 16, 0, tzinfo=UTC))])
    ts = original_sent_at(Original("", m.from_addr, "", "", False, "direct", "", mail=m))
    assert ts.source == "received-header" and ts.value.hour == 16
    bare = _mail("")
    ts = original_sent_at(Original("", bare.from_addr, "", "", False, "direct", "", mail=bare))
    assert ts.value is None and ts.source == "none"


def test_forwarded_date_takes_the_forwarders_zone():
    outer = _mail("Wed, 25 Nov 2026 08:00:00 -0500")
    o = Original("", "a@upwork.com", "", "", True, "inline forward", date_text="Tue, Nov 24, 2026 at 4:03 PM",
                 date_languages=("en",), mail=outer)
    ts = original_sent_at(o)
    assert ts.value.isoformat() == "2026-11-24T16:03:00-05:00"
    assert ts.source == "forwarded-header+forwarder-zone"
    assert ts.precision_seconds == 60


NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("text, expected", [
    ("2026-11-24T15:03:00+00:00", "2026-11-24T15:03:00+00:00"),
    ("2026-11-24 15:03", "2026-11-24T15:03:00+01:00"),            # naive: the user's zone
    ("24 Nov 2026 15:03 UTC", "2026-11-24T15:03:00+00:00"),
    ("Tue, 24 Nov 2026 15:03:00 -0500", "2026-11-24T15:03:00-05:00"),
    ("yesterday 14:05", "2026-11-25T14:05:00+01:00"),
    ("2 hours ago", "2026-11-26T11:00:00+01:00"),
])
def test_parse_when(text, expected):
    assert parse_when(text, now=NOW, zone=PLUS1).isoformat() == expected


@pytest.mark.parametrize("text, expected", [
    ("03.11.2026 14:05", "2026-11-03T14:05:00+01:00"),    # dotted: day first, always
    ("03.11.2026 2:05 PM", "2026-11-03T14:05:00+01:00"),
    ("03.11.2026", "2026-11-03T00:00:00+01:00"),
    ("03/11/2026 14:05", "2026-11-03T14:05:00+01:00"),    # numeric: day first (README, "Time")...
    ("03-11-26 14:05", "2026-11-03T14:05:00+01:00"),
    ("3/11/2026 2:05 PM", "2026-03-11T14:05:00+01:00"),   # ...unless a 12-hour clock says US
    ("11/13/2026 14:05", "2026-11-13T14:05:00+01:00"),    # or the other number is over 12
    ("03.11.2026 14:05 UTC", "2026-11-03T14:05:00+00:00"),
])
def test_parse_when_numeric_dates(text, expected):
    assert parse_when(text, now=NOW, zone=PLUS1).isoformat() == expected


def test_parse_when_dotted_date_is_never_month_first():
    with pytest.raises(UsageError, match="cannot read"):
        parse_when("03.13.2026 14:05", now=NOW, zone=PLUS1)


@pytest.mark.parametrize("text", ["0001-01-01", "0206-11-24 15:03", "30 years ago"])
def test_parse_when_refuses_a_submission_before_any_platform(text):
    with pytest.raises(UsageError, match=r"before 2000: no profile was submitted then; give when you clicked") as info:
        parse_when(text, now=NOW, zone=PLUS1)
    assert repr(text) in str(info.value)


def test_saved_mail_keeps_its_own_older_submission_time():
    """analyze of last year's mail with last year's submission (the judgement corpus has them)."""
    assert parse_when("2 years ago", now=NOW, zone=PLUS1).year == 2024
    assert parse_since("1999-01-01", now=NOW, zone=UTC) == datetime(1999, 1, 1, tzinfo=UTC)  # --since: any date


def test_parse_when_rejects_nonsense_with_a_usage_error():
    with pytest.raises(UsageError, match="cannot read the time"):
        parse_when("banana o'clock", now=NOW, zone=UTC)


@pytest.mark.parametrize("text, delta", [("30d", timedelta(days=30)), ("2w", timedelta(weeks=2)),
                                         ("12h", timedelta(hours=12)), ("90min", timedelta(minutes=90))])
def test_parse_since_durations(text, delta):
    assert parse_since(text, now=NOW, zone=UTC) == NOW - delta


def test_parse_since_dates_and_ambiguity():
    assert parse_since("2026-11-01", now=NOW, zone=UTC) == datetime(2026, 11, 1, tzinfo=UTC)
    assert parse_since("last monday", now=NOW, zone=UTC).date().isoformat() == "2026-11-23"
    with pytest.raises(UsageError, match="ambiguous"):
        parse_since("30m", now=NOW, zone=UTC)
    with pytest.raises(UsageError, match="future"):
        parse_since("2027-01-01", now=NOW, zone=UTC)


@pytest.mark.parametrize("text, delta", [
    ("90min", timedelta(minutes=90)), ("90 minutes", timedelta(minutes=90)), ("1.5h", timedelta(minutes=90)),
    ("12h", timedelta(hours=12)), ("1.5d", timedelta(hours=36)), ("2w", timedelta(weeks=2)),
    ("2mo", timedelta(days=60)), ("1y", timedelta(days=365)), ("45s", timedelta(seconds=45)),
])
def test_every_option_reads_a_span_the_same_way(text, delta):
    """`--stale-after 1.5h` was refused while `--since 1.5d` was read by dateparser as a date."""
    assert parse_span(text, "--stale-after") == delta
    assert parse_since(text, now=NOW, zone=UTC) == NOW - delta


@pytest.mark.parametrize("text, words", [
    ("30m", ["is ambiguous (minutes or months?)", "'30min'", "'30mo'"]),
    ("0d", ["longer than zero"]),
    ("-5d", ["without a sign"]),
    ("200y", ["at most 100 years"]),
    ("", ["is empty"]),
    ("9" * 200 + "d", ["too long", "201 characters"]),
])
def test_every_option_refuses_the_same_spans_and_names_itself(text, words):
    """`doctor --stale-after 30m` meant minutes while `fetch --since 30m` was refused as ambiguous."""
    for option, read in (("--since", lambda t: parse_since(t, now=NOW, zone=UTC)),
                         ("--stale-after", lambda t: parse_span(t, "--stale-after"))):
        with pytest.raises(UsageError) as info:
            read(text)
        assert str(info.value).startswith(f"{option} "), str(info.value)
        for word in words:
            assert word in str(info.value), (option, str(info.value))


def test_extract_zone_forms():
    assert extract_zone("14:25:08 UTC+3")[0] == timezone(timedelta(hours=3))
    assert extract_zone("09:26:50 MEZ")[0] == PLUS1
    assert extract_zone("15:51:30 +0100")[0] == PLUS1
    assert extract_zone("no zone 12:00")[0] is None


def test_english_client_dates_read_without_dateparser_agree_with_it():
    """The fast path for 'Thu, Nov 20, 2025 at 2:31 PM' and kin must give what dateparser gives."""
    import random
    from datetime import datetime, timedelta

    from rejectscan.timestamps import _dateparser, _english_date

    formats = ["%a, %b %d, %Y at %I:%M %p", "%A, %B %d, %Y %I:%M %p", "%d %B %Y %H:%M", "%b %d, %Y, at %H:%M",
               "%A, %d %B %Y at %H:%M:%S", "%a, %d %b %Y %H:%M", "%B %d, %Y %I:%M:%S %p", "%a %b %d %Y %H:%M"]
    rng = random.Random(4)
    for i in range(60):
        when = datetime(2020, 1, 1) + timedelta(seconds=rng.randrange(200_000_000))
        form = formats[i % len(formats)]
        text = when.strftime(form)
        text = text.replace(" PM", " p.m.") if i % 5 == 0 else text
        written = when if "%S" in form else when.replace(second=0)
        assert _english_date(text) == _dateparser(text, ("en",), None) == written, text
    assert _english_date("Mon, 13:00 PM, Jan 1, 2025") is None  # not its form: dateparser decides
    assert _english_date("May 5, 2025 0:30 PM") is None


@pytest.mark.parametrize("text, expected", [
    ("Tue Jul 23, 2002 02:02:20 PM US/Pacific", "2002-07-23T14:02:20-07:00"),  # Apple Mail's older form, summer
    ("Tue Jan 22, 2002 02:02:20 PM US/Pacific", "2002-01-22T14:02:20-08:00"),  # the same zone in winter
    ("Tue Jul 23, 2002 02:02:20 PM Europe/Berlin", "2002-07-23T14:02:20+02:00"),
    ("Tue Jul 23, 2002 02:02:20 PM CET", "2002-07-23T14:02:20+01:00"),  # an abbreviation is a fixed offset
    ("23 Jul 2002 14:02:20 (America/New_York)", "2002-07-23T14:02:20-04:00"),
    ("Tue Jul 23, 2002 02:02:20 PM PST8PDT", "2002-07-23T14:02:20-07:00"),
])
def test_zone_names_are_read_without_the_slow_fallback(text, expected, monkeypatch):
    import rejectscan.timestamps as timestamps

    monkeypatch.setattr(timestamps, "_dateparser", lambda *a: pytest.fail(f"dateparser was asked for {text!r}"))
    value, written = parse_client_date(text, ("en",))
    assert value.isoformat() == expected and written


def test_an_unknown_zone_name_is_dropped_and_the_forwarders_zone_used(monkeypatch):
    import rejectscan.timestamps as timestamps

    monkeypatch.setattr(timestamps, "_dateparser", lambda *a: pytest.fail("dateparser was asked"))
    value, written = parse_client_date("Tue Jul 23, 2002 02:02:20 PM Mars/Olympus_Mons", ("en",), default_zone=PLUS1)
    assert value.isoformat() == "2002-07-23T14:02:20+01:00" and not written


def test_dates_in_other_languages_are_read_without_dateparser_and_agree_with_it():
    """'9 giugno 2017 09:19:48' and kin: month names from dateparser's own tables, read without its
    parse (a second on each language's first use); the result is what dateparser gives."""
    import importlib
    import random

    from rejectscan.timestamps import _dateparser, _named_month_date

    forms = {
        "de": ["{wd}, {d}. {mon} {y} um {H}:{M}", "{d}. {month} {y} um {H}:{M}:{S}"],
        "fr": ["{wd} {d} {month} {y} {H}:{M}", "{d} {month} {y} à {H}:{M}:{S}"],
        "es": ["{d} de {month} de {y}, {H}:{M}:{S}", "{wd}, {d} de {month} de {y} {H}:{M}"],
        "it": ["{d} {month} {y} {H}:{M}:{S}", "{wd} {d} {month} {y} alle ore {H}:{M}"],
        "pt": ["{d} de {month} de {y} {H}:{M}", "{wd}, {d} de {month} de {y} às {H}:{M}:{S}"],
        "nl": ["{d} {month} {y} om {H}:{M}", "{wd} {d} {mon} {y} {H}:{M}:{S}"],
    }
    rng = random.Random(7)
    for language, templates in forms.items():
        info = importlib.import_module(f"dateparser.data.date_translation_data.{language}").info
        for i in range(12):
            when = datetime(2019, 1, 1) + timedelta(seconds=rng.randrange(200_000_000))
            names = info[_MONTHS[when.month - 1]]
            template = templates[i % 2]
            text = template.format(wd=max(info[_WEEKDAYS[when.weekday()]], key=len), d=when.day, y=when.year,
                                   month=max(names, key=len), mon=min(names, key=len), H=f"{when.hour:02d}",
                                   M=f"{when.minute:02d}", S=f"{when.second:02d}")
            written = when if "{S}" in template else when.replace(second=0)
            assert _named_month_date(text, (language,)) == _dateparser(text, (language,), None) == written, text
    assert _named_month_date("3 listopad 2021 10:00", ("pl", "hr")) is None  # November in Polish, October in Croatian


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def test_clocks_that_disagree_by_days_say_so_in_days():
    from rejectscan.timestamps import _disagreement

    note = _disagreement("the Date header", datetime(2026, 11, 1, tzinfo=UTC), "your server", datetime(2026, 11, 10, 7, 43, tzinfo=UTC))
    assert note.endswith("(9 days 7 hours later)"), note


# --- zone-less forwarded dates, read in the user's zone (README, "Time") ----------------------------

def _forward(date_header: str, date_text: str) -> Original:
    outer = _mail(date_header)
    return Original("", "donotreply@upwork.com", "", "", True, "inline forward", date_text=date_text,
                    date_languages=("en",), forwarded_by="maria@example.org", mail=outer)


def _zone(name: str):
    from zoneinfo import ZoneInfo

    return ZoneInfo(name)


def test_a_summer_time_original_forwarded_in_winter_is_read_with_your_zones_daylight_saving():
    """Rejected in October (CEST, +02:00), forwarded in November (CET, +01:00): the November offset
    of the forward is the user's, so the user's zone reads the October date, an hour earlier."""
    o = _forward("Thu, 5 Nov 2026 10:00:00 +0100", "Tue, Oct 20, 2026 at 4:03 PM")
    ts = original_sent_at(o, your_zone=_zone("Europe/Berlin"))
    assert ts.value.isoformat() == "2026-10-20T16:03:00+02:00"
    assert ts.source == "forwarded-header+forwarder-zone"
    assert any("daylight saving" in n and "Europe/Berlin" in n for n in ts.notes)
    assert original_sent_at(o).value.isoformat() == "2026-10-20T16:03:00+01:00"  # a stranger's: as written


@pytest.mark.parametrize("zone, text, expected", [
    ("Europe/Berlin", "Tuesday, November 24, 2026 4:03 PM", "2026-11-24T16:03:00+01:00"),
    ("America/New_York", "Tuesday, November 24, 2026 10:03 AM", "2026-11-24T10:03:00-05:00"),
])
def test_a_forward_dated_in_utc_reads_the_quoted_wall_time_in_your_zone(zone, text, expected):
    """Exchange Online writes the forward's Date in +0000 while the quoted block shows the user's wall clock."""
    ts = original_sent_at(_forward("Tue, 24 Nov 2026 15:20:05 +0000", text), your_zone=_zone(zone))
    assert ts.value.isoformat() == expected
    assert ts.source == "forwarded-header+your-zone"
    assert any(zone in n and "UTC" in n for n in ts.notes)
    assert not any("clocks disagree" in n for n in ts.notes)


def test_a_utc_forward_stays_utc_when_your_zone_would_put_the_original_after_the_forward():
    ts = original_sent_at(_forward("Tue, 24 Nov 2026 15:20:05 +0000", "Tuesday, November 24, 2026 3:10 PM"),
                          your_zone=_zone("America/New_York"))  # 15:10 New York is 20:10 UTC, after 15:20 UTC
    assert ts.value.isoformat() == "2026-11-24T15:10:00+00:00"
    assert ts.source == "forwarded-header+forwarder-zone"
    assert any("after the forward" in n for n in ts.notes)


@pytest.mark.parametrize("date_header, zone, expected", [
    ("Tue, 24 Nov 2026 17:20:05 -0500", "Europe/Berlin", "2026-11-24T16:03:00-05:00"),  # not your offset: theirs
    ("Tue, 24 Nov 2026 15:20:05 +0000", "UTC", "2026-11-24T16:03:00+00:00"),
    ("Tue, 24 Nov 2026 16:20:05 +0100", "Europe/Berlin", "2026-11-24T16:03:00+01:00"),  # same period: as before
])
def test_a_forwarders_offset_that_says_something_is_kept(date_header, zone, expected):
    ts = original_sent_at(_forward(date_header, "Tue, Nov 24, 2026 at 4:03 PM"), your_zone=_zone(zone))
    assert ts.value.isoformat() == expected
    assert ts.source == "forwarded-header+forwarder-zone"
