"""What differs between the supported Pythons (3.10 to 3.13), in one place.

- `tomllib` is in the standard library from 3.11; on 3.10 the same parser comes from tomli, the
  project it was taken from (declared in pyproject.toml for python_version < "3.11"). Everything
  that reads TOML, tests and benchmarks too, imports it from here.
- `fromisoformat`: Python 3.11 reads most of ISO 8601 (`20261124T150300Z`, `+0100`, `2026-W48-2`,
  a comma or up to any number of digits in the fraction); 3.10 reads only what `isoformat()`
  writes. Times people type and dates in mail headers must give the same answer on every Python,
  so on 3.10 this module reads the forms 3.11 documents itself. It is stricter than 3.11 only on
  forms 3.11 does not document (a fraction after the minutes, a space before the zone), and never
  reads a string differently (tests/test_compat.py checks both against 3.11's own).
"""

from __future__ import annotations

import re
import sys
from datetime import date, datetime, timedelta, timezone

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    import tomli as tomllib

__all__ = ["fromisoformat", "tomllib"]

_D = r"[0-9]"
_DATE = re.compile(
    rf"(?P<y>{_D}{{4}})(?:-(?P<m>{_D}{{2}})-(?P<d>{_D}{{2}})|(?P<m2>{_D}{{2}})(?P<d2>{_D}{{2}})"
    rf"|-W(?P<w>{_D}{{2}})(?:-(?P<wd>{_D}))?|W(?P<w2>{_D}{{2}})(?P<wd2>{_D})?)")
def _clock(p: str) -> str:
    """HH, HH:MM, HHMM, HH:MM:SS, HHMMSS, a fraction only after the seconds; one separator style."""
    return (f"(?P<{p}h>{_D}{{2}})(?:(?P<{p}colon>:?)(?P<{p}m>{_D}{{2}})"
            f"(?:(?P={p}colon)(?P<{p}s>{_D}{{2}})(?:[.,](?P<{p}f>{_D}+))?)?)?")


_TIME = re.compile(_clock("") + "(?:(?P<utc>Z)|(?P<sign>[+-])" + _clock("z") + ")?")


def _micro(fraction: str | None) -> int:
    return int((fraction or "0")[:6].ljust(6, "0"))


def _fromisoformat_310(text: str) -> datetime:
    """datetime.fromisoformat as Python 3.11 documents it: a date (YYYY-MM-DD, YYYYMMDD, YYYY-Www,
    YYYY-Www-D, YYYYWww, YYYYWwwD), then optionally any one non-digit separator and a time
    (HH, HH:MM, HHMM, HH:MM:SS, HHMMSS, with a fraction after the seconds) and a zone (Z, +HH,
    +HH:MM, +HHMM, +HH:MM:SS, +HHMMSS, with a fraction after the seconds)."""
    if not isinstance(text, str):
        raise TypeError("fromisoformat: argument must be str")
    found = _DATE.match(text)
    rest = text[found.end():] if found else ""
    clock = None
    if found and rest:
        clock = _TIME.fullmatch(rest, 1) if len(rest) > 1 and not rest[0].isdigit() else None
    if not found or (rest and clock is None):
        raise ValueError(f"Invalid isoformat string: {text!r}")
    g = found.groupdict()
    year = int(g["y"])
    week, weekday = g["w"] or g["w2"], g["wd"] or g["wd2"]
    if week:
        day = date.fromisocalendar(year, int(week), int(weekday or 1))
        year, month, mday = day.year, day.month, day.day
    else:
        month, mday = int(g["m"] or g["m2"]), int(g["d"] or g["d2"])
    if clock is None:
        return datetime(year, month, mday)
    c = clock.groupdict()
    zone = None
    if c["utc"]:
        zone = timezone.utc
    elif c["sign"]:
        offset = timedelta(hours=int(c["zh"]), minutes=int(c["zm"] or 0), seconds=int(c["zs"] or 0),
                           microseconds=_micro(c["zf"]))
        whole = (c["zh"], c["zm"], c["zs"]) in (("00", None, None), ("00", "00", None), ("00", "00", "00"))
        zone = timezone.utc if whole else timezone(-offset if c["sign"] == "-" else offset)  # 3.11: a fraction alone is UTC
    return datetime(year, month, mday, int(c["h"]), int(c["m"] or 0), int(c["s"] or 0), _micro(c["f"]),
                    tzinfo=zone)


if sys.version_info >= (3, 11):
    fromisoformat = datetime.fromisoformat
else:  # Python 3.10
    fromisoformat = _fromisoformat_310
