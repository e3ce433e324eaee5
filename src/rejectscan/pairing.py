"""Which submission does a rejection answer? Pure: the latest one before it on the same platform."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from rejectscan.models import Submission


def latest_before(submissions: Iterable[Submission], platform: str | None,
                  at: datetime | None, precision_seconds: int = 1) -> Submission | None:
    """The most recent submission before `at`, for this platform or for any platform.

    A time read to the minute ("16:03") may stand for any second of that minute, so a
    submission up to precision_seconds later still counts as before it.
    """
    if at is None:
        return None
    latest = at + timedelta(seconds=max(0, precision_seconds - 1))
    candidates = [s for s in submissions
                  if s.at <= latest and (s.platform is None or platform is None or s.platform == platform)]
    return max(candidates, key=lambda s: s.at, default=None)
