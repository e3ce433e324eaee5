"""From bytes to verdict: run each message through the pure steps, then judge them together.

parse -> forwards -> timestamps/authenticity -> match, one message at a time (one bad message
never stops the rest); then pair -> classify -> advice over all of them, in time order, because
a rejection is measured against the latest submission before it, which may come from another
message or from the store, and history-aware advice needs the rejections before it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Callable, Iterable, Iterator

from rejectscan import advice as advice_rules
from rejectscan import authenticity, classify, forwards, match, pairing, parse, timestamps
from rejectscan.errors import InputError
from rejectscan.models import Facts, Kind, Label, RawMessage, Report, Submission
from rejectscan.patterns import PatternSet
from rejectscan.prefilter import Prefilter

ErrorSink = Callable[[InputError], None]


def examine(raw: RawMessage, patterns: PatternSet) -> Facts:
    """Everything one message says on its own. Raises InputError only for input that is not mail."""
    mail = parse.parse_message(raw.data, raw.source)
    original = forwards.unwrap(mail)
    sent_at = timestamps.original_sent_at(original, raw.internaldate)
    result, guess = match.match(original, patterns)
    auth = authenticity.judge(original, guess.platform, guess.relation, guess.reason)
    warnings = list(sent_at.notes) + list(mail.defects)
    if auth.authentic is False and guess.platform is not None:
        warnings.insert(0, f"this email did not come from {guess.platform.name}; it may be phishing: "
                           "do not click its links, open its attachments or reply to it")
    return Facts(source=raw.source, message_id=mail.message_id, original=original, sent_at=sent_at,
                 authenticity=auth, match=result, warnings=tuple(warnings))


def concerns_platform(facts: Facts) -> bool:
    """From a platform, pretending to be one, or forwarding its mail."""
    return facts.match.platform is not None


def examine_one(item: RawMessage, patterns: PatternSet, include_all: bool, on_error: ErrorSink) -> Facts | None:
    """Facts for a message worth reporting, or None; its error goes to on_error and the run carries on."""
    try:
        facts = examine(item, patterns)
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
                on_error: ErrorSink, prefilter: Prefilter | None = None) -> Iterator[tuple[RawMessage, Facts]]:
    """Every message worth reporting, with its facts. With a prefilter, a container's message that
    cannot concern a platform is skipped unparsed."""
    for item in items:
        if isinstance(item, InputError):
            on_error(item)
            continue
        if prefilter is not None and item.in_container and not include_all and not prefilter.may_concern(item.data):
            continue
        facts = examine_one(item, patterns, include_all, on_error)
        if facts is not None:
            yield item, facts


def submissions_in(facts: Iterable[Facts]) -> list[Submission]:
    """Submission confirmations among the messages, unless they are forgeries."""
    return [Submission(at=f.sent_at.value, platform=f.match.platform, source=f"email {f.source}")
            for f in facts
            if f.match.kind is Kind.SUBMISSION and f.sent_at.value is not None
            and f.authenticity.authentic is not False]


def judge(all_facts: list[Facts], patterns: PatternSet, submissions: Iterable[Submission] = (),
          prior_automated: Iterable[tuple[str | None, datetime]] = ()) -> list[Report]:
    """Pair, classify and advise, in time order so history-aware advice sees earlier rejections."""
    known = list(submissions) + submissions_in(all_facts)
    automated: list[tuple[str | None, datetime]] = list(prior_automated)
    reports: dict[int, Report] = {}
    order = sorted(range(len(all_facts)), key=lambda i: _sort_key(all_facts[i]))
    for i in order:
        facts = all_facts[i]
        reports[i] = judge_one(facts, patterns, known, automated)
        verdict = reports[i].verdict
        if (verdict is not None and verdict.label is Label.AUTOMATED and facts.sent_at.value is not None
                and facts.authenticity.authentic is not False):
            automated.append((facts.match.platform, facts.sent_at.value))
    return [reports[i] for i in range(len(all_facts))]


def _sort_key(facts: Facts):
    value = facts.sent_at.value
    return value.timestamp() if value is not None else float("inf")


def judge_one(facts: Facts, patterns: PatternSet, submissions: list[Submission],
              automated: list[tuple[str | None, datetime]]) -> Report:
    if facts.match.kind is not Kind.REJECTION:
        return Report(facts=facts)
    at = facts.sent_at.value
    precision = facts.sent_at.precision_seconds
    submission = pairing.latest_before(submissions, facts.match.platform, at, precision)
    delay = max(0, int((at - submission.at).total_seconds())) if submission and at else None
    verdict = classify.classify(facts.match, delay, patterns.timing, patterns.confidence, precision)
    if facts.authenticity.authentic is False:
        verdict = replace(verdict, reasons=verdict.reasons + (
            "this email is not from the platform, so it is not the platform's decision",))
    same_platform = [t for p, t in automated if p == facts.match.platform]
    advice = advice_rules.choose(facts.match, verdict, patterns, same_platform, at,
                                 authentic=facts.authenticity.authentic)
    return Report(facts=facts, submission=submission, delay_seconds=delay, verdict=verdict, advice=advice)
