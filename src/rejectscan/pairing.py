"""Which submission does a decision answer? Pure.

A decision (a rejection or an approval) answers every submission since the previous decision on
the same platform; its delay is measured from the latest of them (a `submitted` record and the
platform's own confirmation of the same click are one cycle). A decision with no unanswered
submission before it has no delay, and says why: a resubmission nobody recorded must not be
measured from an older submission that was already answered.

A time typed for this run (--submitted-at) wins over every other submission for the decision it
pairs with (the first one after it): the user said when they clicked Submit, for this mail. A later
submission it passes over (a `rejectscan submitted` record, a confirmation email) is named in a
note, and so is the typed time wherever it could not be used: the user always learns what became
of what they typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Iterable

from rejectscan.models import Submission
from rejectscan.text import duration


@dataclass(frozen=True)
class Decided:
    """A genuine earlier (or later) decision: it closes the cycle of the submissions before it."""

    at: datetime
    platform: str | None
    event: str  # history.event_key of the original
    proven: bool = True  # the provider confirmed who sent it (authentic true)


@dataclass(frozen=True)
class Pairing:
    submission: Submission | None
    why_none: str | None = None  # when there is no submission to measure from: why, and what to do
    note: str | None = None  # what became of a typed time: told whatever the label (classify may drop why_none)


def pair(at: datetime | None, platform: str | None, event: str, submissions: Iterable[Submission],
         decisions: Iterable[Decided], precision_seconds: int = 1, proven: bool = False) -> Pairing:
    """The latest submission since the previous decision and before this one.

    A time read to the minute ("16:03") may stand for any second of that minute, so a
    submission up to precision_seconds later still counts as before it. A decision the provider
    confirmed (`proven`) is measured only against what is as well proven: an email nobody can vouch
    for (no results, or a pass for another domain) must not move a genuine rejection's delay.
    """
    if at is None:
        return Pairing(None, "the email's send time could not be read, so the delay cannot be measured")
    if proven:
        submissions = [s for s in submissions if s.proven]
        decisions = [d for d in decisions if d.proven]
    latest = at + timedelta(seconds=max(0, precision_seconds - 1))
    mine = [s for s in submissions if s.platform is None or platform is None or s.platform == platform]
    earlier = [s for s in mine if s.at <= latest]
    previous = max((d.at for d in decisions
                    if d.event != event and d.at < at and (d.platform is None or platform is None or d.platform == platform)),
                   default=None)
    open_ = [s for s in earlier if previous is None or s.at > previous]
    typed = max((s for s in open_ if s.typed), key=lambda s: s.at, default=None)
    if typed is not None:
        passed = max((s for s in open_ if s.at > typed.at), key=lambda s: s.at, default=None)
        if passed is None:
            return Pairing(typed)
        return Pairing(typed, note=f"measured from the time you gave with --submitted-at ({_when(typed.at)}), not "
                                   f"from the later submission {passed.source} ({_when(passed.at)}): the time you "
                                   "type wins; leave out --submitted-at to measure from that one")
    if open_:
        return Pairing(max(open_, key=lambda s: s.at))
    if earlier:
        last = max(earlier, key=lambda s: s.at)
        why = (f"the latest submission before it ({_when(last.at)}, {last.source}) was already "
               f"answered by a decision on {_when(previous)}; if you resubmitted since, that time was "
               "not recorded: run `rejectscan submitted` the moment you resubmit")
        return Pairing(None, why, note=why if last.typed else None)
    later = [s for s in mine if s.at > latest]
    if later:
        first = min(later, key=lambda s: s.at)
        why = (f"it was sent before the submission time {_when(first.at)} ({first.source}), so it "
               f"cannot be the answer to it ({duration(int((first.at - at).total_seconds()))} earlier)")
        typed_later = min((s for s in later if s.typed), key=lambda s: s.at, default=None)
        note = None if typed_later is None else (
            f"sent {duration(int((typed_later.at - at).total_seconds()))} before the time you gave with --submitted-at "
            f"({_when(typed_later.at)}), so it is not measured from it: --submitted-at pairs only with mail sent "
            "after it")
        return Pairing(None, why, note=note)
    return Pairing(None, "no submission time is known, so the delay cannot be measured (run `rejectscan submitted` "
                         "the moment you click Submit, or pass --submitted-at)")


def _when(value: datetime | None) -> str:
    return value.isoformat(sep=" ", timespec="seconds") if value is not None else "an unknown time"
