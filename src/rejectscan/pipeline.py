"""From bytes to verdict: run each message through the pure steps, then judge them together.

parse -> forwards -> timestamps/authenticity -> match, one message at a time (one bad message
never stops the rest); then pair -> classify -> advice over all of them, in time order, because
a rejection is measured against the latest submission before it, which may come from another
message or from the store, and history-aware advice needs the rejections before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, tzinfo
from typing import Callable, Iterable, Iterator

from rejectscan import advice as advice_rules
from rejectscan import authenticity, classify, forwards, match, parse, reviewer, timestamps
from rejectscan.authenticity import Trust
from rejectscan.errors import InputError
from rejectscan.history import EventKind, History, event_key
from rejectscan.models import Direction, Facts, Kind, Label, RawMessage, Report, Submission, Verdict, Via
from rejectscan.pairing import Decided, pair
from rejectscan.patterns import PatternSet
from rejectscan.prefilter import Prefilter

ErrorSink = Callable[[InputError], None]


def examine(raw: RawMessage, patterns: PatternSet, trust: Trust = Trust(), zone: tzinfo | None = None) -> Facts:
    """Everything one message says on its own. Raises InputError only for input that is not mail.
    `zone`: the user's, in which a forward the user made wrote its quoted date (README, "Time")."""
    mail = parse.parse_message(raw.data, raw.source, raw.size)
    original = forwards.unwrap(mail)
    yours = zone if authenticity.forwarded_by_you(original, trust, mail) else None
    sent_at = timestamps.original_sent_at(original, raw.internaldate, yours)
    result, guess = match.match(original, patterns)
    auth = authenticity.judge(original, guess.platform, guess.relation, guess.reason, trust, mail)
    warnings = list(sent_at.notes) + list(mail.defects)
    if auth.authentic is False and guess.platform is not None:
        warnings.insert(0, f"this email did not come from {guess.platform.name}; it may be phishing: "
                           "do not click its links, open its attachments or reply to it")
    asks: tuple[str, ...] = ()
    if result.kind in (Kind.REJECTION, Kind.SUSPENSION) and any(e.direction is Direction.HUMAN for e in result.evidence):
        asks = reviewer.instructions(original.body, patterns.decisions)
    return Facts(source=raw.source, message_id=mail.message_id, original=original, sent_at=sent_at,
                 authenticity=auth, match=result, warnings=tuple(warnings), instructions=asks)


def judged_by(patterns: PatternSet, zone: tzinfo | None) -> str:
    """What a stored verdict depends on besides the message: the rules, and the zone the user's
    zone-less forwards were read in. When either changes, stored mail is judged again."""
    return patterns.fingerprint + (f" {timestamps.zone_name(zone)}" if zone is not None else "")


def concerns_platform(facts: Facts) -> bool:
    """From a platform, pretending to be one, or forwarding its mail."""
    return facts.match.platform is not None


def examine_one(item: RawMessage, patterns: PatternSet, include_all: bool, on_error: ErrorSink,
                trust: Trust = Trust(), zone: tzinfo | None = None) -> Facts | None:
    """Facts for a message worth reporting, or None; its error goes to on_error and the run carries on."""
    try:
        facts = examine(item, patterns, trust, zone)
    except InputError as exc:
        if not (item.in_container and not include_all):  # junk inside a container is not the user's concern
            on_error(exc)
        return None
    except Exception as exc:  # a bug, not the mail's fault: say so, keep going
        on_error(InputError(item.source, f"could not be analysed (internal error: {type(exc).__name__}: {exc}); "
                                         "please report it"))
        return None
    if item.in_container and not include_all and not concerns_platform(facts):
        return None
    return facts


def examine_all(items: Iterable[RawMessage | InputError], patterns: PatternSet, include_all: bool,
                on_error: ErrorSink, prefilter: Prefilter | None = None,
                trust: Trust = Trust(), zone: tzinfo | None = None) -> Iterator[tuple[RawMessage, Facts]]:
    """Every message worth reporting, with its facts. With a prefilter, a container's message that
    cannot concern a platform is skipped unparsed."""
    for item in items:
        if isinstance(item, InputError):
            on_error(item)
            continue
        if prefilter is not None and item.in_container and not include_all and not prefilter.may_concern(item.data):
            continue
        facts = examine_one(item, patterns, include_all, on_error, trust, zone)
        if facts is not None:
            yield item, facts


def submissions_in(facts: Iterable[Facts]) -> list[Submission]:
    """Submission confirmations among the messages, unless they are forgeries or strangers' copies."""
    return [Submission(at=f.sent_at.value, platform=f.match.platform, source=f"email {f.source}",
                       proven=f.authenticity.authentic is True)
            for f in facts
            if f.match.kind is Kind.SUBMISSION and f.sent_at.value is not None and f.authenticity.counted]


def decided_by(facts: Facts, key: str) -> Decided:
    """A decision message as what closes the cycle of the submissions before it."""
    return Decided(facts.sent_at.value, facts.match.platform, key, facts.authenticity.authentic is True)


def event_of(facts: Facts) -> str:
    o = facts.original
    return event_key(o.from_addr, o.subject, facts.sent_at.value)


_DECISIONS = (Kind.REJECTION, Kind.APPROVAL)
_COPY_RANK = {Via.DIRECT: 0, Via.ATTACHED: 1, Via.INLINE: 2, Via.INLINE_WROTE: 2}


def copy_rank(facts: Facts) -> tuple[int, int]:
    """Which copy of one original speaks for it: a proven one first (a forgery with the same sender,
    subject and minute must never take a genuine email's place), then the message itself, then an
    attached copy, then an inline one."""
    return (0 if facts.authenticity.authentic is True else 1, _COPY_RANK[facts.original.via])


def judge(all_facts: list[Facts], patterns: PatternSet, submissions: Iterable[Submission] = (),
          history: History | None = None, decisions: Iterable[Decided] = ()) -> list[Report]:
    """Pair, classify and advise, in time order so history-aware advice sees earlier rejections.

    Copies of one original (a forward of a message also read directly, a copy in two folders) are
    one event: the best copy is judged, the others get its verdict. Earlier decisions, from these
    messages, from `decisions` (already reported) and from the store's history, close the cycles of
    the submissions before them.
    """
    keys = [event_of(f) for f in all_facts]
    primary: dict[str, int] = {}
    for i, f in enumerate(all_facts):
        if f.authenticity.counted and (keys[i] not in primary or copy_rank(f) < copy_rank(all_facts[primary[keys[i]]])):
            primary[keys[i]] = i
    known = list(submissions) + submissions_in(all_facts[i] for i in primary.values())
    decided = [Decided(e.at, e.platform, e.key, e.authentic is True) for e in (history.decisions() if history else ())]
    decided += list(decisions)
    decided += [decided_by(all_facts[i], key) for key, i in primary.items()
                if all_facts[i].match.kind in _DECISIONS and all_facts[i].sent_at.value is not None]
    automated: list[tuple[str | None, datetime, str]] = [
        (e.platform, e.at, e.key) for e in (history.events if history else ())
        if e.kind is EventKind.REJECTED and e.label is Label.AUTOMATED and e.counted and e.at is not None]
    reports: dict[int, Report] = {}
    for i in sorted(range(len(all_facts)), key=lambda i: _sort_key(all_facts[i])):
        facts = all_facts[i]
        source = primary.get(keys[i], i)
        if source != i and source in reports:
            reports[i] = replace(reports[source], facts=facts)  # a copy: the original's verdict
            continue
        reports[i] = judge_one(facts, patterns, known, decided, automated, keys[i])
        verdict = reports[i].verdict
        if (verdict is not None and verdict.label is Label.AUTOMATED and facts.sent_at.value is not None
                and facts.authenticity.counted):
            automated.append((facts.match.platform, facts.sent_at.value, keys[i]))
    return [reports[i] for i in range(len(all_facts))]


_WAITING = (Kind.REJECTION, Kind.SUSPENSION)


class StreamingJudge:
    """`judge` for a stream: every report that can be made at once is returned at once.

    Only rejections and suspensions wait for the end of the input (a rejection is measured from
    the latest submission before it, which may come later in the file); they are kept without
    their text. Every other report is final when its message is read: of those, only what a later
    rejection needs is kept (a submission's time, an approval closing a cycle), once per event.
    The reports are those `judge` gives for the whole input, the waiting ones last.
    """

    def __init__(self, patterns: PatternSet, submissions: Iterable[Submission] = (),
                 history: History | None = None) -> None:
        self.patterns = patterns
        self.history = history
        self._given = list(submissions)
        self._waiting: list[Facts] = []
        self._submissions: dict[str, tuple[int, Submission]] = {}
        self._decisions: dict[str, tuple[int, Decided]] = {}

    def add(self, facts: Facts) -> Report | None:
        """The report for this message now, or None when it must wait for `finish`."""
        if facts.match.kind in _WAITING:
            self._waiting.append(replace(facts, original=replace(facts.original, body="", mail=None)))
            return None
        at = facts.sent_at.value
        if facts.authenticity.counted and at is not None and facts.match.kind in (Kind.SUBMISSION, Kind.APPROVAL):
            key, rank = event_of(facts), copy_rank(facts)
            if facts.match.kind is Kind.SUBMISSION:
                if key not in self._submissions or rank < self._submissions[key][0]:
                    self._submissions[key] = (rank, submissions_in([facts])[0])
            elif key not in self._decisions or rank < self._decisions[key][0]:
                self._decisions[key] = (rank, decided_by(facts, key))
        return Report(facts=facts)

    def finish(self) -> list[Report]:
        """The waiting reports, judged against everything the input held."""
        known = self._given + [s for _, s in self._submissions.values()]
        return judge(self._waiting, self.patterns, known, self.history, [d for _, d in self._decisions.values()])


def _sort_key(facts: Facts):
    value = facts.sent_at.value
    return (value.timestamp() if value is not None else float("inf"), _COPY_RANK[facts.original.via])


def judge_one(facts: Facts, patterns: PatternSet, submissions: list[Submission], decided: list[Decided],
              automated: list[tuple[str | None, datetime, str]], key: str) -> Report:
    if facts.match.kind is Kind.SUSPENSION:
        return Report(facts=facts, advice=advice_rules.choose(facts.match, None, patterns,
                                                              authentic=facts.authenticity.authentic))
    if facts.match.kind is not Kind.REJECTION:
        return Report(facts=facts)
    at = facts.sent_at.value
    platform = patterns.platform(facts.match.platform)
    if not facts.authenticity.counted:
        # not the platform's decision: no pairing, no label, only the warning and what to do about it
        name = platform.name if platform else "the platform"
        why = (f"this email did not come from {name}, so it is not {name}'s decision"
               if facts.authenticity.authentic is False else
               f"{facts.authenticity.reasons[0]}")
        verdict = Verdict(Label.UNKNOWN, 0.0, (why,))
        advice = advice_rules.choose(facts.match, verdict, patterns, authentic=facts.authenticity.authentic)
        return Report(facts=facts, verdict=verdict, advice=advice)
    precision = facts.sent_at.precision_seconds
    pairing = pair(at, facts.match.platform, key, submissions, decided, precision,
                   proven=facts.authenticity.authentic is True)
    submission = pairing.submission
    delay = max(0, int((at - submission.at).total_seconds())) if submission and at else None
    verdict = classify.classify(facts.match, delay, patterns.timing, patterns.confidence, precision,
                                why_no_delay=pairing.why_none)
    if pairing.note:  # what became of a typed time, whatever the label (in place of the general why_none)
        verdict = replace(verdict, reasons=(pairing.note, *(r for r in verdict.reasons if r != pairing.why_none)))
    # one time per event: the same rejection may be both in the stored history and in this input
    same_platform = list({k: t for p, t, k in automated if p == facts.match.platform and k != key}.values())
    advice = advice_rules.choose(facts.match, verdict, patterns, same_platform, at,
                                 authentic=facts.authenticity.authentic)
    return Report(facts=facts, submission=submission, delay_seconds=delay, verdict=verdict, advice=advice)
