"""Every supported Python (3.10 to 3.13) reads the same times the same way (issue 15).

Python 3.10's datetime.fromisoformat reads only what isoformat() writes; 3.11 reads most of ISO
8601. rejectscan.compat gives 3.10 the forms 3.11 documents, so `--submitted-at 20261124T150300Z`
and a Date header in ISO form mean the same on every interpreter scripts/test.sh runs.
"""

from __future__ import annotations

import sys
from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import FIXTURES, run
from rejectscan import compat
from rejectscan.compat import _fromisoformat_310, fromisoformat

ON_311 = sys.version_info >= (3, 11)


@st.composite
def iso_texts(draw):
    """An ISO 8601 text in one of the forms Python 3.11 documents, and the datetime it names."""
    day = draw(st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 24)))
    form = draw(st.sampled_from(["ext", "basic", "week-ext", "week-basic", "week-ext-noday", "week-basic-noday"]))
    year, week, weekday = day.isocalendar()
    if form.startswith("week") and not 1 <= year <= 9999:
        form = "ext"
    if form == "ext":
        text = f"{day.year:04d}-{day.month:02d}-{day.day:02d}"
    elif form == "basic":
        text = f"{day.year:04d}{day.month:02d}{day.day:02d}"
    else:
        dash = "-" if "ext" in form else ""
        if form.endswith("noday"):
            weekday = 1
            text = f"{year:04d}{dash}W{week:02d}"
        else:
            text = f"{year:04d}{dash}W{week:02d}{dash}{weekday}"
        day = date.fromisocalendar(year, week, weekday)
    if not draw(st.booleans()):
        return text, datetime(day.year, day.month, day.day)
    colon = draw(st.sampled_from([":", ""]))
    h, m, s = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
    digits = draw(st.sampled_from(["", "5", "25", "123", "123456", "1234567", "000000009"]))
    precision = draw(st.sampled_from(["h", "m", "s"] if not digits else ["s"]))
    clock = f"{h:02d}" + (f"{colon}{m:02d}" if precision != "h" else "") + (f"{colon}{s:02d}" if precision == "s" else "")
    if digits:
        clock += draw(st.sampled_from([".", ","])) + digits
    micro = int(digits[:6].ljust(6, "0")) if digits else 0
    when = datetime(day.year, day.month, day.day, h, m if precision != "h" else 0, s if precision == "s" else 0, micro)
    zone = draw(st.sampled_from(["", "Z", "+HH", "+HH:MM", "+HHMM", "+HH:MM:SS", "+HHMMSS", "+HH:MM:SS.f"]))
    tz = None
    if zone == "Z":
        tz = timezone.utc
        clock += "Z"
    elif zone:
        sign = draw(st.sampled_from(["+", "-"]))
        zh, zm, zs = draw(st.integers(0, 23)), draw(st.integers(0, 59)), draw(st.integers(0, 59))
        zf = draw(st.integers(0, 999_999))
        parts = {"+HH": f"{zh:02d}", "+HH:MM": f"{zh:02d}:{zm:02d}", "+HHMM": f"{zh:02d}{zm:02d}",
                 "+HH:MM:SS": f"{zh:02d}:{zm:02d}:{zs:02d}", "+HHMMSS": f"{zh:02d}{zm:02d}{zs:02d}",
                 "+HH:MM:SS.f": f"{zh:02d}:{zm:02d}:{zs:02d}.{zf:06d}"}
        offset = timedelta(hours=zh, minutes=zm if zone != "+HH" else 0,
                           seconds=zs if zone.count(":") == 2 or zone == "+HHMMSS" else 0,
                           microseconds=zf if zone.endswith(".f") else 0)
        # a zone of whole zero seconds is UTC, whatever its fraction (as 3.11 reads it)
        whole = offset - timedelta(microseconds=offset.microseconds)
        tz = timezone.utc if not whole else timezone(-offset if sign == "-" else offset)
        clock += sign + parts[zone]
    separator = draw(st.sampled_from(["T", " ", "t", "_"]))
    return f"{text}{separator}{clock}", when.replace(tzinfo=tz)


def same(a: datetime, b: datetime) -> bool:
    """The same wall time and the same offset (== alone compares instants)."""
    return a.isoformat() == b.isoformat() and a.utcoffset() == b.utcoffset()


@settings(max_examples=400, deadline=None)
@given(iso_texts())
def test_every_documented_iso_form_is_read_alike_on_every_python(case):
    text, expected = case
    assert same(_fromisoformat_310(text), expected), text
    assert same(fromisoformat(text), expected), text  # this interpreter, through the compat name


@pytest.mark.skipif(not ON_311, reason="needs Python 3.11's own fromisoformat to compare with")
@settings(max_examples=600, deadline=None)
@given(st.one_of(
    iso_texts().map(lambda case: case[0]),
    st.text(alphabet="0123456789-:+.,TWZ tz", max_size=40),
    st.tuples(iso_texts().map(lambda case: case[0]), st.integers(0, 40), st.sampled_from(list("0-:+.,TWZ x\t")))
      .map(lambda t: t[0][:t[1]] + t[2] + t[0][t[1]:]),
))
def test_3_10_never_reads_a_text_otherwise_than_3_11(text):
    """Where the 3.10 reader accepts a text, Python 3.11 reads the same time; where 3.11 refuses
    one, so does the 3.10 reader (it may refuse more: 3.11's undocumented forms)."""
    try:
        ours = _fromisoformat_310(text)
    except ValueError:
        ours = None
    try:
        theirs = datetime.fromisoformat(text)
    except ValueError:
        theirs = None
    if ours is not None:
        assert theirs is not None and same(ours, theirs), text
    if theirs is None:
        assert ours is None, text


@pytest.mark.parametrize("text", ["2026-11-24T24:00:00Z", "2026-11-24T15:03:60", "2026-13-01", "2026-W54-1",
                                  "2026-W01-8", "2026-11-24T", "2026-11-24T15:03:00+", "2026-11-24T15:03:00+24:00",
                                  "2026-11-24t15:03:00z", "٢٠٢٦-١١-٢٤", "2026-11", "20261124T1503:00"])
def test_what_is_not_a_time_is_refused_everywhere(text):
    with pytest.raises(ValueError):
        _fromisoformat_310(text)
    with pytest.raises(ValueError):
        fromisoformat(text)


def test_toml_reads_alike_everywhere():
    assert compat.tomllib.loads('a = 2026-11-24T15:03:00Z\n[b]\nc = "d"\n') == {
        "a": datetime(2026, 11, 24, 15, 3, tzinfo=timezone.utc), "b": {"c": "d"}}
    with pytest.raises(compat.tomllib.TOMLDecodeError):
        compat.tomllib.loads("a = ")


def test_submitted_at_in_iso_basic_form_through_the_real_command():
    """The bundled bot rejection came 38 seconds after 15:03:00 UTC, however ISO writes that time."""
    for when in ("20261124T150300Z", "2026-11-24T15:03:00,0+00:00", "2026-W48-2T16:03+0100"):
        result = run("analyze", str(FIXTURES / "upwork/bot-rejection.eml"), "--submitted-at", when, "--format", "json")
        assert result.code == 0, (when, result.err)
        assert result.json()[0]["delay_seconds"] == 38, when


def test_a_date_header_in_iso_form_is_read_through_the_real_command():
    data = (FIXTURES / "upwork/bot-rejection.eml").read_bytes()
    lines = data.split(b"\n")
    index = next(i for i, line in enumerate(lines) if line.startswith(b"Date: "))
    lines[index] = b"Date: 2026-11-24T16:03:38+0100"
    result = run("analyze", "-", "--format", "json", input=b"\n".join(lines))
    assert result.code == 0, result.err
    record = result.json()[0]
    assert record["sent_at"].startswith("2026-11-24T16:03:38") and record["sent_at"].endswith("+01:00"), record
    assert record["sent_at_source"] == "date-header"
