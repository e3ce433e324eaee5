"""Histories for the report's tests and benchmark: stores filled with records as the real steps judge
them (classify.classify and advice.choose on the shipped rules), without mail to parse.

`long_history` mixes two platforms, every band of the delay chart and its exact boundaries, answers
with no known delay, approvals, a suspension, a forgery, and hostile and unbreakable text in every
field that comes from an email.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from rejectscan import advice, classify
from rejectscan import patterns as patterns_mod
from rejectscan.models import Direction, Evidence, Kind, Label, MatchResult, TimeSource
from rejectscan.record import Record
from rejectscan.store import Saved, Store

START = datetime(2026, 8, 3, 9, 0, tzinfo=timezone.utc)
HOSTILE = ("</title><script>document.title='owned'</script><img src=x onerror=\"document.title='owned'\">"
           "<a href='http://127.0.0.1:9/'>click</a> & \"quoted\"")
UNBREAKABLE = "Your-profile-" + "x" * 180
SENDERS = {"upwork": ("donotreply@upwork.com", "Upwork"), "fiverr": ("no-reply@fiverr.com", "Fiverr")}


@dataclass(frozen=True)
class Filled:
    """What was put in the store, for the tests to compare the page with."""

    records: tuple[Record, ...]
    submissions: tuple[tuple[datetime, str], ...]


def _patterns():
    return patterns_mod.load(())


def rejection(p, platform: str, n: int, at: datetime, delay: int | None, *, evidence: str = "stock",
              subject: str | None = None, from_name: str | None = None, source: str | None = None,
              authentic: bool = True) -> Record:
    """A rejection as the pipeline would record it: the label, reasons and advice from the real rules."""
    addr, name = SENDERS[platform]
    stock = evidence == "stock"
    found = {"stock": (Evidence("stock-wording", Direction.AUTOMATED, 0.7, "stock rejection wording",
                                "we are unable to approve your profile"),),
             "person": (Evidence("first-person-review", Direction.HUMAN, 1.0, "a person writing about your profile",
                                 "I reviewed"),),
             "none": ()}[evidence]
    match = MatchResult(platform, Kind.REJECTION, f"{platform}-rejection" if stock else None, evidence=found)
    verdict = classify.classify(match, delay, p.timing, p.confidence)
    if not authentic:
        verdict = classify.Verdict(Label.UNKNOWN, 0.0, (f"this email did not come from {name}, so it is not "
                                                        f"{name}'s decision",))
    return Record(
        source=source or f"INBOX/{n}", message_id=f"<r{n}@{platform}.com>", from_addr=addr if authentic else
        f"review@{platform}-support-team.net", from_name=from_name or name, subject=subject or f"Your {name} profile (#{n})",
        forwarded=False, forwarded_by=None, forward_style=None, platform=platform, kind=Kind.REJECTION, sent_at=at,
        sent_at_source=TimeSource.DATE_HEADER, sent_at_precision_seconds=1, authentic=authentic,
        authenticity_reasons=(("the sender's domain is the platform's",) if authentic else
                              (f"sent from {platform}-support-team.net, which is not {name}'s",)),
        template=match.template, template_description="a stock rejection" if stock else None,
        label=verdict.label, confidence=verdict.confidence,
        submitted_at=at - timedelta(seconds=delay) if delay is not None else None,
        submission_source="recorded with `rejectscan submitted`" if delay is not None else None,
        delay_seconds=delay, reasons=verdict.reasons,
        advice=advice.choose(match, verdict, p, authentic=authentic), evidence=(), notes=(), warnings=(),
        counted=authentic)


def other(p, platform: str, n: int, at: datetime, kind: Kind) -> Record:
    addr, name = SENDERS[platform]
    match = MatchResult(platform, kind, f"{platform}-{kind.value}")
    return Record(
        source=f"INBOX/{n}", message_id=f"<o{n}@{platform}.com>", from_addr=addr, from_name=name,
        subject=f"{name}: {kind.value} (#{n})", forwarded=False, forwarded_by=None, forward_style=None,
        platform=platform, kind=kind, sent_at=at, sent_at_source=TimeSource.DATE_HEADER, sent_at_precision_seconds=1,
        authentic=True, authenticity_reasons=(), template=match.template, template_description=f"a {kind.value} email",
        label=None, confidence=None, submitted_at=None, submission_source=None, delay_seconds=None, reasons=None,
        advice=advice.choose(match, None, p, authentic=True) if kind is Kind.SUSPENSION else None,
        evidence=(), notes=(), warnings=(), counted=True)


def long_history(findings: int = 80, seed: int = 17) -> Filled:
    """About `findings` records over two platforms (plus a submission before each delayed answer)."""
    p = _patterns()
    t = p.timing
    rng = random.Random(seed)
    boundaries = [0, t.bot_window_seconds, t.bot_window_seconds + 1, t.bot_fade_seconds, t.bot_fade_seconds + 1,
                  t.human_min_seconds - 1, t.human_min_seconds, 40 * 86400]
    records: list[Record] = []
    submissions: list[tuple[datetime, str]] = []
    at = START
    for n in range(findings):
        platform = "upwork" if n % 3 else "fiverr"
        at += timedelta(hours=rng.uniform(20, 60) * 80 / findings)  # about five months, whatever the size
        roll = rng.random()
        if n < len(boundaries):
            delay = boundaries[n]
        elif roll < 0.35:
            delay = rng.randint(3, t.bot_window_seconds)
        elif roll < 0.45:
            delay = rng.randint(t.bot_window_seconds + 1, t.bot_fade_seconds)
        elif roll < 0.55:
            delay = rng.randint(t.bot_fade_seconds + 1, t.human_min_seconds - 1)
        elif roll < 0.75:
            delay = rng.randint(t.human_min_seconds, 9 * 86400)
        elif roll < 0.85 or n in (9, 10):  # 9 and 10 carry the hostile and the unbreakable text
            delay = None
        else:
            kind = Kind.APPROVAL if roll < 0.95 else Kind.SUBMISSION
            records.append(other(p, platform, n, at, kind))
            continue
        special = {}
        if n == 9:
            special = {"subject": HOSTILE, "from_name": HOSTILE, "source": "INBOX/<b>9</b>"}
        elif n == 10:
            special = {"subject": UNBREAKABLE, "source": "/home/user/" + "Mail-" * 40 + ".mbox:10"}
        if delay is not None:
            submissions.append((at - timedelta(seconds=delay), platform))
        which = rng.random()
        evidence = "stock" if which < 0.6 else "person" if which < 0.8 else "none"
        records.append(rejection(p, platform, n, at, delay, evidence=evidence, **special))
    records.append(other(p, "fiverr", findings, at + timedelta(days=2), Kind.SUSPENSION))
    records.append(rejection(p, "upwork", findings + 1, at + timedelta(days=3), 30, subject="Final notice",
                             authentic=False))
    return Filled(tuple(records), tuple(submissions))


def fill(db: Path, filled: Filled) -> None:
    """Puts the records and submissions in a state database, as fetch and `submitted` would."""
    with Store(db) as store:
        store.save_batch("you@example.org", "INBOX", 1,
                         [Saved(r.message_id or r.source, i + 1, r) for i, r in enumerate(filled.records)], [])
        for at, platform in filled.submissions:
            store.add_submission(at, platform, None)
