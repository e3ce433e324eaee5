"""History as one model: the events of every application, per platform, and what they add up to.

Pure: recorded submissions and stored records in, a History out. `rejectscan history`, the
history-aware advice and the HTML report all read this one model, so they never count
differently. Emails that are not from the platform (forgeries) appear as events but are never
counted; each original is one event however many copies or forwards of it were read.
"""

from __future__ import annotations

import enum
import statistics
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from rejectscan.forwards import strip_subject_prefixes
from rejectscan.models import Kind, Label, Submission, Via
from rejectscan.record import Record
from rejectscan.text import normalise


class EventKind(str, enum.Enum):
    SUBMITTED = "submitted"  # recorded with `rejectscan submitted`
    SUBMISSION_EMAIL = "submission email"  # the platform confirmed a submission
    REJECTED = "rejected"
    APPROVED = "approved"
    SUSPENDED = "suspended"


_EVENT_OF_KIND = {Kind.SUBMISSION: EventKind.SUBMISSION_EMAIL, Kind.REJECTION: EventKind.REJECTED,
                  Kind.APPROVAL: EventKind.APPROVED, Kind.SUSPENSION: EventKind.SUSPENDED}


@dataclass(frozen=True)
class Event:
    at: datetime | None
    platform: str | None
    kind: EventKind
    source: str
    authentic: bool | None = True
    label: Label | None = None
    delay_seconds: int | None = None
    template: str | None = None
    counted: bool = True  # forgeries and strangers' forwards are shown, never counted
    key: str = ""  # event_key of the original (decisions only)
    record: Record | None = field(default=None, compare=False, repr=False)  # the copy it was read from (emails only)


@dataclass(frozen=True)
class Summary:
    platform: str | None  # None: submissions recorded without a platform
    name: str
    submissions: int
    rejections: int
    automated: int
    human_reviewed: int
    unknown: int
    approvals: int
    median_human_delay_seconds: int | None
    forgeries_ignored: int


@dataclass(frozen=True)
class History:
    events: tuple[Event, ...]
    summaries: tuple[Summary, ...]

    def automated_rejections(self, platform: str | None) -> list[datetime]:
        """When the bots turned this platform's profile down (genuine mail only): for the advice
        that says to stop resubmitting an unchanged profile."""
        return [e.at for e in self.events
                if e.kind is EventKind.REJECTED and e.label is Label.AUTOMATED and e.counted
                and e.at is not None and e.platform == platform]

    def decisions(self) -> list[Event]:
        """Genuine rejections and approvals: each closes the cycle of the submissions before it."""
        return [e for e in self.events if e.kind in (EventKind.REJECTED, EventKind.APPROVED) and e.counted
                and e.at is not None]

    def for_platform(self, platform: str | None) -> list[Event]:
        return [e for e in self.events if e.platform == platform]


def event_key(from_addr: str | None, subject: str | None, sent_at: datetime | None) -> str:
    """One key per original, whatever copy of it was read: the message itself, a forward of it
    (inline forwards show the time to the minute), or a copy in another folder."""
    minute = sent_at.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M") if sent_at is not None else "?"
    return f"{(from_addr or '').lower()}|{normalise(strip_subject_prefixes(subject or ''))}|{minute}"


_COPY_RANK = {None: 0, Via.ATTACHED: 1, Via.INLINE: 2, Via.INLINE_WROTE: 2}  # the message itself first


def _rank(record: Record) -> tuple[int, int, int]:
    """A counted copy before one that is not, a proven one before the rest, then the message itself:
    a forgery with the same sender, subject and minute never takes a genuine email's place."""
    return (0 if record.counted else 1, 0 if record.authentic is True else 1, _COPY_RANK.get(record.forward_style, 3))


def originals(records: list[Record]) -> list[Record]:
    """One record per original, the best copy kept (the message itself, then an attached copy)."""
    return [r for _, r in _originals(records)]


def _originals(records: list[Record]) -> list[tuple[str, Record]]:
    """originals(), each with its key (computed once: it normalises the subject)."""
    keyed = [(event_key(r.from_addr, r.subject, r.sent_at), r) for r in records]
    best: dict[str, Record] = {}
    for key, r in keyed:
        if key not in best or _rank(r) < _rank(best[key]):
            best[key] = r
    keep = {id(r) for r in best.values()}
    return [(key, r) for key, r in keyed if id(r) in keep]


def build(submissions: list[Submission], records: list[Record], names: dict[str, str]) -> History:
    """Events in time order (unknown times last) and a summary per platform; each original once."""
    events = [Event(at=s.at, platform=s.platform, kind=EventKind.SUBMITTED, source=s.source)
              for s in submissions]
    events += [event_of(r, key) for key, r in _originals(records)
               if r.platform is not None and r.kind in _EVENT_OF_KIND]
    events.sort(key=lambda e: e.at.timestamp() if e.at is not None else float("inf"))
    platforms = sorted({e.platform for e in events}, key=lambda p: (p is None, p or ""))
    return History(events=tuple(events), summaries=tuple(_summary(p, events, names) for p in platforms))


def event_of(record: Record, key: str | None = None) -> Event:
    return Event(at=record.sent_at, platform=record.platform, kind=_EVENT_OF_KIND[record.kind],
                 source=record.source, authentic=record.authentic, label=record.label,
                 delay_seconds=record.delay_seconds, template=record.template, counted=record.counted,
                 key=key if key is not None else event_key(record.from_addr, record.subject, record.sent_at),
                 record=record)


def _summary(platform: str | None, events: list[Event], names: dict[str, str]) -> Summary:
    mine = [e for e in events if e.platform == platform]
    counted = [e for e in mine if e.counted]
    rejections = [e for e in counted if e.kind is EventKind.REJECTED]
    human = [e.delay_seconds for e in rejections if e.label is Label.HUMAN and e.delay_seconds is not None]
    return Summary(
        platform=platform,
        name=names.get(platform or "", platform or "Any platform"),
        submissions=sum(1 for e in counted if e.kind is EventKind.SUBMITTED),
        rejections=len(rejections),
        automated=sum(1 for e in rejections if e.label is Label.AUTOMATED),
        human_reviewed=sum(1 for e in rejections if e.label is Label.HUMAN),
        unknown=sum(1 for e in rejections if e.label is Label.UNKNOWN),
        approvals=sum(1 for e in counted if e.kind is EventKind.APPROVED),
        median_human_delay_seconds=int(statistics.median(human)) if human else None,
        forgeries_ignored=sum(1 for e in mine if not e.counted),
    )


def is_stale(last_ok: datetime | None, now: datetime, after: timedelta) -> bool:
    """No successful check for longer than `after`: the one staleness rule history and doctor share."""
    return last_ok is None or now - last_ok > after


def counts(mailbox: str, configured: str | None) -> bool:
    """Whether a mailbox's heartbeat matters, for history and doctor alike: only the configured
    mailbox's does. One an old `fetch --host` typo or a former account left behind is listed as seen
    before, never warned about (`rejectscan forget` drops it); with no account configured, none counts."""
    return configured is not None and mailbox == configured
