"""What to do next, chosen by kind, label, platform, template and history. Pure."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Iterable

from rejectscan.models import AdviceItem, Kind, Label, MatchResult, Verdict
from rejectscan.patterns import PatternSet

HISTORY_ADVICE = "history-stop-resubmitting"
FORGERY_ADVICE = "not-from-platform"


def choose(match: MatchResult, verdict: Verdict | None, patterns: PatternSet,
           automated_rejections_at: Iterable[datetime] = (), at: datetime | None = None,
           authentic: bool | None = None) -> tuple[AdviceItem, ...]:
    """For a rejection: label advice, template advice, the options that always remain, history
    rules. For a suspension: how to appeal. Entries naming platforms apply only to their mail.

    A forgery gets only the advice to check the real account: it is nobody's decision.
    """
    if match.kind not in (Kind.REJECTION, Kind.SUSPENSION):
        return ()
    if authentic is False:
        entry = patterns.advice.get(FORGERY_ADVICE)
        return (AdviceItem(id=entry.id, title=entry.title, text=entry.text),) if entry else ()

    def fits(a) -> bool:
        return match.kind in a.kinds and (not a.platforms or match.platform in a.platforms)

    label = verdict.label.value if verdict is not None else None
    wanted = [a for a in patterns.advice.values() if fits(a) and (label in a.labels or "any" in a.labels)]
    wanted += [patterns.advice[i] for i in match.advice_ids if i in patterns.advice]
    repeated = (verdict is not None and verdict.label is Label.AUTOMATED and at is not None
                and _repeated(automated_rejections_at, at, patterns))
    if repeated and HISTORY_ADVICE in patterns.advice:
        wanted.append(patterns.advice[HISTORY_ADVICE])
    unique = {a.id: a for a in wanted}
    ordered = sorted(unique.values(), key=lambda a: (a.order, a.id))
    return tuple(AdviceItem(id=a.id, title=a.title, text=a.text) for a in ordered)


def _repeated(times: Iterable[datetime], at: datetime, patterns: PatternSet) -> bool:
    """This automated rejection and the earlier ones within the window reach the count."""
    window = timedelta(days=patterns.timing.repeated_automated_days)
    earlier = [t for t in times if at - window <= t < at]
    return len(earlier) + 1 >= patterns.timing.repeated_automated_count
