"""When was the original sent, and by which clock? The only module that talks to dateparser.

A wrong time is a wrong label, so every value carries where it came from, and nothing falls
back silently to "now" or to a file's mtime. Dates inside inline forwards are written by the
forwarder's mail client in its language and usually without a zone: the zone is then the
forwarder's, known from their own Date header's offset (or, for a forward the user made, from the
user's zone: see _zoneless), and the source says so.
"""

from __future__ import annotations

import email.utils
import functools
import re
from datetime import datetime, timedelta, timezone, tzinfo

from rejectscan.compat import fromisoformat
from rejectscan.errors import UsageError
from rejectscan.models import Original, ParsedMail, Timestamp, TimeSource, Via
from rejectscan.text import duration, visible

CLOCK_TOLERANCE = timedelta(minutes=5)

# Abbreviations mail clients write (some localised: German OESZ/MEZ, Czech SEČ). Ambiguous ones
# (IST, BST-as-Bangladesh...) take their most common mail meaning.
ZONE_ABBREVIATIONS: dict[str, float] = {
    "UTC": 0, "GMT": 0, "UT": 0, "Z": 0, "WET": 0, "WEST": 1, "BST": 1, "IST": 5.5,
    "CET": 1, "CEST": 2, "MEZ": 1, "MESZ": 2, "SEČ": 1, "SELČ": 2, "SEC": 1, "SELC": 2,
    "EET": 2, "EEST": 3, "OEZ": 2, "OESZ": 3, "MSK": 3, "TRT": 3,
    "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7, "MDT": -6, "PST": -8, "PDT": -7,
    "AKST": -9, "AKDT": -8, "HST": -10, "AEST": 10, "AEDT": 11, "JST": 9, "KST": 9,
    "SGT": 8, "HKT": 8, "PHT": 8, "PKT": 5, "WIB": 7, "ICT": 7, "BRT": -3, "ART": -3,
}
_ZONE_NAMES = "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True))
_ZONE_OFFSET = re.compile(r"(?:\b(?:GMT|UTC)\s*)?([+-])(\d{1,2})(?::?(\d{2}))?\s*(?:\([^)]*\))?\s*$")
_ZONE_GMT = re.compile(r"\b(?:GMT|UTC)\s*([+-])(\d{1,2})(?::?(\d{2}))?\b")
_ZONE_ABBR = re.compile(rf"(?<![\w])({_ZONE_NAMES})(?![\w])\s*$")
_UNKNOWN_ZONE = re.compile(r"(?:(?<=\d)|(?<=[AaPp][Mm]))\s+(?![AP]\.?M\.?\s*$)([A-ZÀ-Ž]{2,5})\s*$")
# Zone names from the tz database, as older clients wrote them: "US/Pacific", "Europe/Berlin", "PST8PDT".
_IANA_ZONE = re.compile(
    r"(?<![\w/])\(?([A-Z][A-Za-z_]{1,20}/[A-Za-z0-9_+-]{2,30}(?:/[A-Za-z0-9_+-]{2,30})?|[A-Z]{3}\d[A-Z]{3})\)?\s*$")
# Morning and afternoon as Japanese and Chinese clients write them before a 12-hour time
# ("2026年11月24日(火) 午後4:03", "2026年11月24日 下午4:03"); without one the clock is 24-hour.
CJK_MERIDIEMS: dict[str, str] = {"午前": "am", "午後": "pm", "上午": "am", "下午": "pm"}
_CJK_DATE = re.compile(
    r"(\d{4})年(\d{1,2})月(\d{1,2})日\D{0,8}?"
    rf"(?:({'|'.join(CJK_MERIDIEMS)})\s*)?(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?")
_DOTTED_TIME = re.compile(r"(?<![\d.])(\d{1,2})\.(\d{2})(?:\.(\d{2}))?(?![\d.])")
_CONNECTORS = re.compile(r"\b(kl\.|kl|klo|kell|Uhr)(?=\s|$)", re.IGNORECASE)
_MONTHS = {m: i + 1 for i, m in enumerate(
    "january february march april may june july august september october november december".split())}
_MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_ENGLISH_DATE = re.compile(  # 'Thu, Nov 20, 2025 at 2:31 PM', 'Thursday, 20 November 2025 14:31'
    r"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\s+)?"
    rf"(?:{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?|(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}),?\s+(\d{{4}}),?"
    r"\s+(?:at\s+)?(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([ap]\.?m\.?)?$", re.IGNORECASE)
_NUMERIC_DATE = re.compile(
    r"^\D{0,20}?(\d{1,2})([/.-])(\d{1,2})[/.-](\d{2,4}),?\s+(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    r"\s*([AaPp]\.?[Mm]\.?)?")
# A numeric date a person types, the time optional: '03.11.2026 14:05', '03/11/26', '3/11/2026 2:05 PM'.
_TYPED_NUMERIC = re.compile(
    r"^(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?:,?\s+(?:at\s+)?(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?"
    r"\s*([AaPp]\.?[Mm]\.?)?)?$")
_HAS_SECONDS = re.compile(r"\d{1,2}[:.]\d{2}[:.]\d{2}")
_DATEPARSER_LANGS = {
    "en", "de", "fr", "es", "pt", "it", "nl", "da", "nb", "sv", "pl", "cs", "sk", "hr", "fi", "hu",
    "ro", "tr", "ru", "uk", "et", "ja", "zh", "ko",
}


def original_sent_at(original: Original, internaldate: datetime | None = None,
                     your_zone: tzinfo | None = None) -> Timestamp:
    """The original's send time, with the clock it came from and any disagreement noted.
    `your_zone`: the user's, given only for a forward the user made (their mail client wrote its
    quoted date on their wall clock); None for anyone else's."""
    mail = original.mail
    if original.date_text:  # inline forward
        return _forwarded_sent_at(original, mail, internaldate, your_zone)
    source = TimeSource.ATTACHED_DATE_HEADER if original.via is Via.ATTACHED else TimeSource.DATE_HEADER
    notes: list[str] = []
    value = parse_rfc5322(original.date_header) if original.date_header else None
    if value is None:
        if original.date_header:
            notes.append(f"the Date header {original.date_header!r} could not be read")
        else:
            notes.append("the message has no Date header")
        hop = _delivery_time(mail)
        if hop is not None:
            return Timestamp(hop, TimeSource.RECEIVED,
                             tuple(notes + ["time taken from the newest Received header"]))
        if internaldate is not None and original.via is Via.DIRECT:
            return Timestamp(internaldate, TimeSource.INTERNALDATE,
                             tuple(notes + ["time taken from the server's arrival time"]))
        return Timestamp(None, TimeSource.NONE, tuple(notes + ["no clock in the message could be read"]))
    if original.date_header.rstrip().endswith("-0000"):
        notes.append("the Date header gives UTC with an unknown local zone (-0000)")
    hop = _delivery_time(mail)
    if hop is not None and abs(hop - value) > CLOCK_TOLERANCE:
        notes.append(_disagreement("the Date header", value, "your mail server received it", hop))
    if internaldate is not None and original.via is Via.DIRECT and abs(internaldate - value) > CLOCK_TOLERANCE:
        notes.append(_disagreement("the Date header", value, "the IMAP server filed it", internaldate))
    return Timestamp(value, source, tuple(notes))


def _forwarded_sent_at(original: Original, outer: ParsedMail | None,
                       internaldate: datetime | None, your_zone: tzinfo | None) -> Timestamp:
    outer_date = parse_rfc5322(outer.date_header) if outer and outer.date_header else None
    fallback_zone = outer_date.tzinfo if outer_date is not None else None
    value, zone_written = parse_client_date(
        original.date_text, original.date_languages, original.date_order,
        default_zone=fallback_zone or timezone.utc, relative_base=outer_date or internaldate,
    )
    notes: list[str] = []
    if value is None:
        return Timestamp(None, TimeSource.NONE, (f"the forwarded date {original.date_text!r} could not be read",))
    if zone_written:
        source = TimeSource.FORWARDED
    elif outer_date is not None:
        value, source, note = _zoneless(value.replace(tzinfo=None), outer_date, your_zone, original.date_text)
        notes.append(note)
    else:
        source = TimeSource.FORWARDED_ASSUMED_UTC
        notes.append(f"the forwarded date {original.date_text!r} has no time zone and the forward "
                     "has no Date header; assumed UTC")
    if outer_date is not None and value - outer_date > CLOCK_TOLERANCE:
        notes.append(_disagreement("the forwarded date", value, "the forward was sent", outer_date))
    precision = 1 if _HAS_SECONDS.search(original.date_text) else 60
    return Timestamp(value, source, tuple(notes), precision_seconds=precision)


def _zoneless(wall: datetime, forwarded_at: datetime, your_zone: tzinfo | None,
              text: str) -> tuple[datetime, TimeSource, str]:
    """A forwarded wall-clock time with no zone, read in the forwarder's zone, and why that zone.

    Their Date header gives only an offset, the one of the day they forwarded. When it is the
    user's zone's offset that day, the forwarder is taken to be the user's clock, and the user's
    zone reads the date with its daylight saving time (a rejection in October summer time,
    forwarded in November, is an hour off at the November offset). A +0000 that is not the user's
    offset says nothing of the forwarder's clock (Exchange Online writes UTC whatever the quoted
    block shows), so the user's zone reads it, unless that would put the original after the
    forward. `your_zone` None (a stranger's forward): the offset as written.
    """
    offset = forwarded_at.utcoffset()
    as_written = wall.replace(tzinfo=forwarded_at.tzinfo)
    said = f"the forwarded date {text!r} has no time zone"
    took = f"took {_offset_text(forwarded_at)} from the forwarder's own Date header"
    if your_zone is None:
        return as_written, TimeSource.FORWARDED_FORWARDER_ZONE, f"{said}; {took}"
    yours = wall.replace(tzinfo=your_zone)
    yours = yours.replace(tzinfo=timezone(yours.utcoffset()))  # a fixed offset, as every other reading
    name = zone_name(your_zone)
    if forwarded_at.astimezone(your_zone).utcoffset() == offset:
        if yours.utcoffset() == offset:
            return as_written, TimeSource.FORWARDED_FORWARDER_ZONE, f"{said}; {took}"
        return yours, TimeSource.FORWARDED_FORWARDER_ZONE, (
            f"{said}; the forwarder's own Date header has {_offset_text(forwarded_at)}, as your zone ({name}) "
            f"had when it was forwarded, but on {wall:%Y-%m-%d} your zone was at {_offset_text(yours)} "
            f"(daylight saving time): read at {_offset_text(yours)}")
    if offset == timedelta(0):
        if yours - forwarded_at > CLOCK_TOLERANCE:
            return as_written, TimeSource.FORWARDED_FORWARDER_ZONE, (
                f"{said}; {took} (read in your zone, {name}, it would be after the forward)")
        return yours, TimeSource.FORWARDED_YOUR_ZONE, (
            f"{said}, and the forwarder's own Date header is in UTC (+00:00), as Exchange Online and some "
            f"other mail services write it whatever clock the quoted block shows: read in your zone, "
            f"{name} ({_offset_text(yours)})")
    return as_written, TimeSource.FORWARDED_FORWARDER_ZONE, f"{said}; {took}"


def zone_name(zone: tzinfo) -> str:
    """'Europe/Berlin' for a tz database zone, else what the zone calls itself."""
    return getattr(zone, "key", None) or zone.tzname(None) or str(zone)


def parse_rfc5322(value: str) -> datetime | None:
    """An aware datetime from a Date header, accepting the sloppy forms real mail has."""
    text = visible(value).strip()
    if not text:
        return None
    text = re.sub(r"\s*\([^)]*\)\s*$", "", text)  # "(PDT)" comments
    try:
        parsed = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        parsed = None
    if parsed is not None and parsed.tzinfo is not None:
        return parsed
    zone, rest = extract_zone(text)
    if parsed is None:
        try:
            parsed = email.utils.parsedate_to_datetime(rest)
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed = None
    if parsed is None:
        try:
            parsed = fromisoformat(text.replace("Z", "+00:00"))
            if parsed.tzinfo is not None:
                return parsed
        except ValueError:
            return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=zone or timezone.utc)
    return parsed


def extract_zone(text: str) -> tuple[tzinfo | None, str]:
    """Find a zone written at the end of a date ("+0100", "GMT+1", "UTC+3", "US/Pacific", "CEST", "OESZ")."""
    text = text.strip()
    m = _ZONE_OFFSET.search(text)
    if m and re.search(r"\d[:.]\d\d(?:[:.]\d\d)?\s*(?:[AaPp]\.?[Mm]\.?)?\s*(?:GMT|UTC)?\s*[+-]", text):
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        if hours <= 14 and minutes < 60:
            sign = -1 if m.group(1) == "-" else 1
            return timezone(sign * timedelta(hours=hours, minutes=minutes)), text[: m.start()].strip()
    m = _ZONE_GMT.search(text)
    if m:
        hours, minutes = int(m.group(2)), int(m.group(3) or 0)
        sign = -1 if m.group(1) == "-" else 1
        rest = (text[: m.start()] + " " + text[m.end():]).strip()
        return timezone(sign * timedelta(hours=hours, minutes=minutes)), rest
    m = _IANA_ZONE.search(text)
    if m:
        return _tz_database(m.group(1)), text[: m.start()].strip()
    m = _ZONE_ABBR.search(text)
    if m:
        hours = ZONE_ABBREVIATIONS[m.group(1)]
        return timezone(timedelta(hours=hours)), text[: m.start()].strip()
    return None, text


def _tz_database(name: str) -> tzinfo | None:
    """A zone from the tz database, with its daylight saving time; None where it is unknown (the
    name is then dropped, like any zone nobody maps)."""
    from zoneinfo import ZoneInfo

    try:
        return ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None


def parse_client_date(text: str, languages: tuple[str, ...] = (), date_order: str = "",
                      default_zone: tzinfo = timezone.utc,
                      relative_base: datetime | None = None) -> tuple[datetime | None, bool]:
    """A date as a mail client rendered it. Returns (aware datetime or None, zone was written)."""
    text = visible(text).strip()
    if not text or len(text) > 200:
        return None, False
    rfc = _strict_rfc5322(text)
    if rfc is not None:
        return rfc, True
    zone, rest = extract_zone(text)
    unknown = _UNKNOWN_ZONE.search(rest)
    if zone is None and unknown:  # a zone name nobody maps (e.g. a new localisation): drop it
        rest = rest[: unknown.start()]
    naive = (_numeric_date(rest, date_order) or _english_date(rest) or _named_month_date(rest, languages)
             or _dateparser(rest, languages, relative_base))
    if naive is None:
        return None, False
    return naive.replace(tzinfo=zone or default_zone), zone is not None


def _strict_rfc5322(text: str) -> datetime | None:
    if not re.search(r"\d{1,2} \w{3} \d{4} \d{1,2}:\d{2}(:\d{2})? [+-]\d{4}", text):
        return None
    try:
        value = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return value if value.tzinfo is not None else None


def _numeric_date(text: str, date_order: str) -> datetime | None:
    """'28/10/2021 12:46' and '02/10/2023 4:52 PM': day/month order decided, and explained in README."""
    cjk = _CJK_DATE.search(text)
    if cjk:
        y, mo, d, h, mi, sec = (int(cjk.group(n) or 0) for n in (1, 2, 3, 5, 6, 7))
        ampm = CJK_MERIDIEMS.get(cjk.group(4) or "", "")
        if ampm and h > 12:  # '午後 0:03' (hours counted 0-11) is 12:03, as '午後 12:03' is
            return None  # '午後 16:03': not a 12-hour time; left to dateparser
        return _naive(y, mo, d, h, mi, sec, ampm)
    m = _NUMERIC_DATE.match(text)
    if not m:
        return None
    return _numeric_parts(m.groups(), date_order)


def _numeric_parts(groups: tuple, date_order: str = "") -> datetime | None:
    """(first, separator, second, year, hour, minute, second, am/pm) -> a wall-clock reading."""
    a, sep, b, year, hour, minute, second, ampm = groups
    ampm = _ampm(ampm)
    day, month = _day_month(int(a), int(b), dotted=sep == ".", ampm=ampm, date_order=date_order)
    return _naive(_full_year(int(year)), month, day, int(hour or 0), int(minute or 0), int(second or 0), ampm)


def _day_month(a: int, b: int, dotted: bool, ampm: str, date_order: str = "") -> tuple[int, int]:
    """(day, month) from a numeric date's first two numbers (README, "Time"): day-first, unless the
    other number is over 12, or a 12-hour clock says US (month-first). A dotted date (03.11.2026:
    German, Czech, Polish...) is never month-first."""
    if a > 12 or dotted:
        order = "DMY"
    elif b > 12:
        order = "MDY"
    elif date_order:
        order = date_order
    else:
        order = "MDY" if ampm else "DMY"  # a 12-hour clock is the US habit, and the US writes M/D
    return (a, b) if order == "DMY" else (b, a)


def _full_year(year: int) -> int:
    """'26' -> 2026: two-digit years are this century's."""
    return year + 2000 if year < 100 else year


def _english_date(text: str) -> datetime | None:
    """The English forms mail clients write, without dateparser (~10 ms a call); None for the rest."""
    m = _ENGLISH_DATE.match(text.strip())
    if not m:
        return None
    month_name = (m.group(1) or m.group(4)).lower().rstrip(".")
    month = next(n for name, n in _MONTHS.items() if name.startswith(month_name[:3]))
    day, year = int(m.group(2) or m.group(3)), int(m.group(5))
    hour, minute, second = int(m.group(6)), int(m.group(7)), int(m.group(8) or 0)
    ampm = _ampm(m.group(9))
    if ampm and not 1 <= hour <= 12:
        return None  # '0:30 PM': leave the odd reading to dateparser
    return _naive(year, month, day, hour, minute, second, ampm)


# A day, a month named in a client's language, a year and a time: "9 giugno 2017 09:19:48",
# "Di., 24. Nov. 2026 um 16:03", "terça-feira, 24 de novembro de 2026 16:03:38", "Nov 24, 2026 4:03 PM".
_NAMED_DATE = re.compile(
    r"^(?:[^\W\d_](?:[^\W\d_]|-){1,20}\.?,?\s+)?"
    r"(?:(\d{1,2})\.?\s+(?:de\s+|of\s+)?([^\W\d_]{3,15})\.?|([^\W\d_]{3,15})\.?\s+(\d{1,2}))"
    r",?\s+(?:de\s+)?(\d{4})\.?,?(?:\s+[^\W\d_]{1,6}\.?){0,2}"
    r"\s+(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([ap])\.?\s?m\.?)?$", re.IGNORECASE)
_MONTH_KEYS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
               "october", "november", "december")


def _named_month_date(text: str, languages: tuple[str, ...]) -> datetime | None:
    """The forms mail clients write in other languages, without dateparser's parse (a second on a
    language's first use); None for the rest, and for a month name the languages disagree on."""
    m = _NAMED_DATE.match(_normalise_for_dateparser(text))
    if not m:
        return None
    month = _month_names(tuple(dict.fromkeys((*languages, "en"))))
    number = month.get((m.group(2) or m.group(3)).casefold())
    if not number:
        return None
    day, year = int(m.group(1) or m.group(4)), int(m.group(5))
    hour, minute, second = int(m.group(6)), int(m.group(7)), int(m.group(8) or 0)
    ampm = (m.group(9) or "").lower() + ("m" if m.group(9) else "")
    if ampm and not 1 <= hour <= 12:
        return None
    return _naive(year, number, day, hour, minute, second, ampm)


@functools.lru_cache(maxsize=64)
def _month_names(languages: tuple[str, ...]) -> dict[str, int]:
    """Month names and abbreviations these languages write, from dateparser's locale tables (only
    the table is loaded); a name two of them give different months (Croatian and Polish
    'listopad') is left out."""
    import importlib

    names: dict[str, int] = {}
    clashes: set[str] = set()
    for language in languages:
        if language not in _DATEPARSER_LANGS:
            continue
        try:
            info = importlib.import_module(f"dateparser.data.date_translation_data.{language}").info
        except Exception:
            continue
        for number, key in enumerate(_MONTH_KEYS, 1):
            for name in info.get(key, ()):
                name = name.casefold().rstrip(".")
                if names.setdefault(name, number) != number:
                    clashes.add(name)
    return {name: n for name, n in names.items() if name not in clashes}


def _ampm(text: str | None) -> str:
    """'P.M.', 'pm', None -> 'pm', 'pm', ''."""
    return (text or "").lower().replace(".", "")


def _naive(year: int, month: int, day: int, hour: int, minute: int, second: int, ampm: str) -> datetime | None:
    """A wall-clock reading, 12-hour (ampm 'am'/'pm') or 24-hour (''); None when no such moment."""
    if ampm == "pm" and hour < 12:
        hour += 12
    elif ampm == "am" and hour == 12:
        hour = 0
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError:
        return None


def _normalise_for_dateparser(text: str) -> str:
    text = _DOTTED_TIME.sub(lambda m: f"{m.group(1)}:{m.group(2)}" + (f":{m.group(3)}" if m.group(3) else ""), text)
    text = _CONNECTORS.sub(" ", text)
    text = re.sub(r"\bà\(s\)", "às", text)
    text = re.sub(r"(\d)(st|nd|rd|th)\b", r"\1", text)
    text = re.sub(r"^\s*(On|Le|Am|El|Il giorno|Op|Em)\s+", "", text)
    return re.sub(r"\s+", " ", text).strip(" ,")


def _dateparser(text: str, languages: tuple[str, ...], relative_base: datetime | None) -> datetime | None:
    import dateparser  # lazy: ~70 ms import, ~175 ms first call

    text = _normalise_for_dateparser(text)
    langs = [lang for lang in dict.fromkeys((*languages, "en")) if lang in _DATEPARSER_LANGS]
    settings = {
        "RETURN_AS_TIMEZONE_AWARE": False,
        "PREFER_DATES_FROM": "past",
        "TIMEZONE": "UTC",
        "REQUIRE_PARTS": ["day", "month", "year"],
    }
    if relative_base is not None:
        settings["RELATIVE_BASE"] = relative_base.replace(tzinfo=None)
    # Fallback: every language mail clients here are known to write, not dateparser's ~200 locales,
    # whose first load takes seconds (found by the fuzz run).
    for attempt in (langs, sorted(_DATEPARSER_LANGS)):
        try:
            value = dateparser.parse(text, languages=attempt, settings=settings)
        except Exception:
            value = None
        if value is not None:
            return value.replace(tzinfo=None)
    return None


def _delivery_time(mail: ParsedMail | None) -> datetime | None:
    """The newest Received hop with a readable time: when the user's server accepted it."""
    if mail is None:
        return None
    return next((hop.at for hop in mail.received if hop.at is not None), None)


def _offset_text(value: datetime | None) -> str:
    return value.strftime("%z")[:3] + ":" + value.strftime("%z")[3:] if value else "?"


def _disagreement(what: str, value: datetime, other_what: str, other: datetime) -> str:
    seconds = round((other - value).total_seconds() / 60) * 60
    when = f"{duration(abs(seconds))} {'later' if seconds > 0 else 'earlier'}"  # "9 days 7 hours", not 13423 minutes
    return f"clocks disagree: {what} says {value.isoformat()}, but {other_what} at {other.isoformat()} ({when})"


# --- times a person types --------------------------------------------------------------------

# No profile was submitted to a freelancing platform by email before this: an earlier time is a
# slip ('0001-01-01', '0206-11-24') that would measure a delay in centuries. Saved mail of any
# later year may be analysed with its own submission time, so this is a floor, not an age.
EARLIEST_SUBMISSION = datetime(2000, 1, 1, tzinfo=timezone.utc)

# Longer than any time or span a person types ('Tue, 24 Nov 2026 15:03:00 +0100' is 31): a
# pasted paragraph is refused for its length, not read (or misread) as a date.
LONGEST_TYPED = 100

_EXAMPLES = "e.g. '2026-11-24 15:03', 'yesterday 14:05' or '2 hours ago'"


def parse_when(text: str, now: datetime, zone: tzinfo,
               earliest: datetime | None = EARLIEST_SUBMISSION, option: str = "--submitted-at") -> datetime:
    """ISO 8601, RFC 2822, or what a person types ('yesterday 14:05', '2 hours ago', '03.11.2026
    14:05'), in `zone` when it names none; relative to `now`. A submission time (the default)
    before `earliest` is refused; --since passes None. Errors name `option`."""
    value = _read_when(text, now, zone, option)
    if earliest is not None and value < earliest:
        raise UsageError(f"{option} {_shown(text)} is {_minutes(value)}, before {earliest.year}: no profile was "
                         f"submitted then; give when you clicked Submit, {_EXAMPLES}")
    return value


def _minutes(value: datetime) -> str:
    """'0001-01-01 00:00' (strftime drops the year's zeros before 1000)."""
    return value.isoformat(sep=" ", timespec="minutes")[:16]


def _typed(text: str | None, option: str, examples: str) -> str:
    """What the user typed, visible and stripped; refused when empty or too long to be a time."""
    raw = visible(text or "").strip()
    if not raw:
        raise UsageError(f"{option} is empty; give {examples}")
    if len(raw) > LONGEST_TYPED:
        raise UsageError(f"{option} is too long to be a time ({len(raw):,} characters, at most {LONGEST_TYPED}); "
                         f"give {examples}")
    return raw


def _read_when(text: str, now: datetime, zone: tzinfo, option: str) -> datetime:
    raw = _typed(text, option, _EXAMPLES)
    if re.fullmatch(r"[+-]?\d+", raw):
        raise UsageError(f"{option} {_shown(text)} is not a time (a bare number would be read as a day of the "
                         f"month); give {_EXAMPLES}")
    try:
        value = fromisoformat(raw.replace("Z", "+00:00"))
        return value if value.tzinfo else value.replace(tzinfo=zone)
    except ValueError:
        pass
    value = parse_rfc5322(raw) if re.search(r"[+-]\d{4}$|\b(GMT|UT)$", raw) else None
    if value is not None:
        return value
    found_zone, rest = extract_zone(raw)
    numeric = _TYPED_NUMERIC.match(rest)
    naive = (_numeric_parts(numeric.groups()) if numeric
             else _parse_typed(rest, now.astimezone(found_zone or zone).replace(tzinfo=None)))
    if naive is None:
        raise UsageError(f"{option} {_shown(text)}: cannot read the time; give e.g. '2026-11-24 15:03', "
                         "'24 Nov 2026 15:03 UTC', 'yesterday 14:05' or '2 hours ago'")
    if found_zone is not None:
        return naive.replace(tzinfo=found_zone)
    return naive.replace(tzinfo=zone)


def _shown(text: str) -> str:
    """A value the user typed, quoted and cut short, for an error message."""
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _parse_typed(text: str, base: datetime) -> datetime | None:
    import dateparser

    settings = {"RETURN_AS_TIMEZONE_AWARE": False, "PREFER_DATES_FROM": "past",
                "RELATIVE_BASE": base, "TIMEZONE": "UTC", "TO_TIMEZONE": "UTC"}
    try:
        return dateparser.parse(text, languages=["en"], settings=settings)
    except Exception:
        return None


# --- spans a person types: the one reader for --since, --stale-after and any later option ------

# A number (fractions allowed: '1.5h') and a unit. A month is 30 days, a year 365. A bare 'm' is
# refused by every option alike: minutes and months are both units here, and a month read as a
# minute (or the other way round) would silently give a window 43,200 times too small or too big.
SPAN_UNITS = "s, min, h, d, w, mo, y"
_UNIT_SECONDS = {
    **dict.fromkeys(("s", "sec", "secs", "second", "seconds"), 1),
    **dict.fromkeys(("min", "mins", "minute", "minutes"), 60),
    **dict.fromkeys(("h", "hr", "hrs", "hour", "hours"), 3600),
    **dict.fromkeys(("d", "day", "days"), 86400),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), 7 * 86400),
    **dict.fromkeys(("mo", "mos", "month", "months"), 30 * 86400),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), 365 * 86400),
}
_SPAN_TEXT = re.compile(r"^([+-]?)(\d{1,12}(?:[.,]\d{1,6})?)\s*([^\W\d_]+)\.?$")
LONGEST_SPAN = timedelta(days=100 * 365)
_SPAN_EXAMPLES = f"e.g. '30min', '12h', '7d' or '3mo' (units: {SPAN_UNITS})"


def parse_span(text: str, option: str) -> timedelta:
    """A span of time for an option like --stale-after: '90min', '1.5h', '2d', '1w', '3mo', '1y'."""
    raw = _typed(text, option, f"a span of time, {_SPAN_EXAMPLES}")
    span = _span(raw, option)
    if span is None:
        raise UsageError(f"{option} {_shown(raw)}: give a span of time, {_SPAN_EXAMPLES}")
    return span


def _span(raw: str, option: str) -> timedelta | None:
    """The span `raw` writes; None when it is not written as a number and a unit; refused (one
    line naming the option) when it is, but cannot be used."""
    m = _SPAN_TEXT.match(raw)
    if not m:
        return None
    sign, number, unit = m.group(1), float(m.group(2).replace(",", ".")), m.group(3).lower()
    if unit != "m" and unit not in _UNIT_SECONDS:
        return None
    if sign:
        raise UsageError(f"{option} {_shown(raw)}: give the span without a sign, {_SPAN_EXAMPLES}")
    if unit == "m":
        raise UsageError(f"{option} {_shown(raw)} is ambiguous (minutes or months?): write '{m.group(2)}min' for "
                         f"minutes or '{m.group(2)}mo' for months")
    seconds = round(number * _UNIT_SECONDS[unit])
    if seconds < 1:
        raise UsageError(f"{option} {_shown(raw)} is no time at all: give a span longer than zero, {_SPAN_EXAMPLES}")
    if seconds > LONGEST_SPAN.total_seconds():
        raise UsageError(f"{option} {_shown(raw)}: give a span of at most 100 years")
    return timedelta(seconds=seconds)


_SINCE_EXAMPLES = (f"give a span back from now ('30d', '12h', '90min', '3mo'; units: {SPAN_UNITS}) "
                   "or a date ('2026-11-01', 'last monday')")


def parse_since(text: str, now: datetime, zone: tzinfo, option: str = "--since") -> datetime:
    """--since: a span back from now ('30d', '2w', '12h', '90min', '3mo', '1y', read as
    parse_span reads it), a date, or 'last monday'."""
    raw = _typed(text, option, _SINCE_EXAMPLES.replace("give ", "", 1))
    span = _span(raw, option)
    if span is not None:
        return now - span
    try:
        value = parse_when(raw, now=now, zone=zone, earliest=None, option=option)
    except UsageError:
        unit = _SPAN_TEXT.match(raw)
        what = f"'{unit.group(3)}' is not a unit of time" if unit else "neither a span nor a date"
        raise UsageError(f"{option} {_shown(raw)}: {what}; {_SINCE_EXAMPLES}") from None
    if value > now:
        raise UsageError(f"{option} {_shown(raw)} is in the future; {_SINCE_EXAMPLES}")
    return value
