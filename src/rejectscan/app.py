"""The application layer: run messages through the pipeline and judge them together.

source -> parse -> forwards -> timestamps/authenticity -> match -> pair -> classify -> advice.
Each message is examined on its own (one bad message never stops the rest); pairing and
judgement happen once all inputs are read, because a rejection is measured against the latest
submission before it, which may come from another input or from the store.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Callable, Iterable, Iterator

from rejectscan import advice as advice_rules
from rejectscan import authenticity, classify, forwards, match, pairing, parse, timestamps
from rejectscan.errors import InputError
from rejectscan.models import Facts, Kind, Label, RawMessage, Report, Submission
from rejectscan.patterns import PatternSet
from rejectscan.prefilter import Prefilter, minimal_words

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


def examine_all(items: Iterable[RawMessage | InputError], patterns: PatternSet, include_all: bool,
                on_error: ErrorSink, prefilter: Prefilter | None = None) -> Iterator[Facts]:
    """Facts for every message worth reporting; errors go to on_error and the rest carry on.

    With a prefilter, a container's message that cannot concern a platform is skipped unparsed.
    """
    for item in items:
        if isinstance(item, InputError):
            on_error(item)
            continue
        if prefilter is not None and item.in_container and not include_all and not prefilter.may_concern(item.data):
            continue
        try:
            facts = examine(item, patterns)
        except InputError as exc:
            if item.in_container and not include_all:
                continue  # junk inside a container is not the user's concern
            on_error(exc)
            continue
        except Exception as exc:  # a bug, not the mail's fault: say so, keep going
            on_error(InputError(item.source, f"could not be analysed (internal error: {type(exc).__name__}: {exc}); please report it"))
            continue
        if item.in_container and not include_all and not concerns_platform(facts):
            continue
        yield facts


def submissions_in(facts: Iterable[Facts]) -> list[Submission]:
    """Submission confirmations among the inputs, unless they are forgeries."""
    return [Submission(at=f.sent_at.value, platform=f.match.platform, source=f"email {f.source}")
            for f in facts
            if f.match.kind is Kind.SUBMISSION and f.sent_at.value is not None
            and f.authenticity.authentic is not False]


def judge(all_facts: list[Facts], patterns: PatternSet, submissions: Iterable[Submission] = (),
          prior_automated: Iterable[tuple[str, datetime]] = ()) -> list[Report]:
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
    verdict = classify.classify(facts.match, delay, patterns.timing, precision)
    if facts.authenticity.authentic is False:
        verdict = replace(verdict, reasons=verdict.reasons + (
            "this email is not from the platform, so it is not the platform's decision",))
    same_platform = [t for p, t in automated if p == facts.match.platform]
    advice = advice_rules.choose(facts.match, verdict, patterns, same_platform, at,
                                 authentic=facts.authenticity.authentic)
    return Report(facts=facts, submission=submission, delay_seconds=delay, verdict=verdict, advice=advice)


@dataclass(frozen=True)
class Outcome:
    reports: list[Report]
    errors: list[InputError]


def analyze(items: Iterable[RawMessage | InputError], patterns: PatternSet, *,
            submitted_at: datetime | None = None, include_all: bool = False,
            stored_submissions: Iterable[Submission] = (), prefilter: Prefilter | None = None) -> Outcome:
    """With a prefilter (the one the items were read with), container messages it rejects are skipped."""
    errors: list[InputError] = []
    facts = list(examine_all(items, patterns, include_all, errors.append, prefilter))
    submissions = list(stored_submissions)
    if submitted_at is not None:
        submissions.append(Submission(at=submitted_at, platform=None, source="--submitted-at"))
    return Outcome(reports=judge(facts, patterns, submissions), errors=errors)


# --- fetching from a mailbox ------------------------------------------------------------------

def search_terms(patterns: PatternSet, forwards: bool) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """FROM terms catch the platforms, their subdomains and lookalikes (the whole From header is
    searched, display name included); BODY terms catch forwards, which carry the sender address."""
    from_terms = minimal_words({t.strip(".") for p in patterns.platforms for t in (*p.lookalike_tokens, *p.domains)})
    body_terms = tuple(f"@{d}" for p in patterns.platforms for d in p.domains) if forwards else ()
    return from_terms, body_terms


@dataclass(frozen=True)
class FetchResult:
    report_keys: list[str]  # what to report now: new messages (or all in the window with rescan)
    errors: list[InputError]


def fetch(mailbox, store, patterns: PatternSet, since: datetime, *, account: str,
          rescan: bool = False, search_forwards: bool = True) -> FetchResult:
    """Search, download, examine, judge and record new platform mail; report nothing yet."""
    from rejectscan import render
    from rejectscan.sources.imap import message_key, search_criteria, since_day

    errors: list[InputError] = []
    from_terms, body_terms = search_terms(patterns, search_forwards)
    collected: list[tuple[str, str, int, Facts]] = []  # folder, key, uid, facts
    folder_points: dict[str, tuple[int, int]] = {}
    seen: set[str] = set()
    for folder in mailbox.folders():
        state = mailbox.select(folder)
        stored = store.folder_state(account, folder)
        same = stored is not None and stored[0] == state.uidvalidity
        last = stored[1] if same and not rescan else 0
        if same and not rescan and state.uidnext is not None and state.uidnext <= last + 1:
            continue  # nothing arrived since the last run: no SEARCH needed
        uids = [u for u in mailbox.search(search_criteria(since_day(since), last, from_terms, body_terms)) if u > last]
        folder_points[folder] = (state.uidvalidity, max(uids, default=last))
        for uid, raw in mailbox.fetch(folder, uids):
            if raw.internaldate is not None and raw.internaldate < since:
                continue  # SINCE is whole days; the window is exact
            facts = next(iter(examine_all([raw], patterns, False, errors.append)), None)
            if facts is None:
                continue
            key = message_key(raw.data, facts.message_id)
            if key in seen:
                continue  # the same message in two folders (Gmail labels)
            seen.add(key)
            collected.append((folder, key, uid, facts))
    reports = judge([f for _, _, _, f in collected], patterns, store.all_submissions(), store.automated_rejections())
    keys: list[str] = []
    for folder, (validity, high) in folder_points.items():
        rows = [(key, uid, render.to_record(report))
                for (fld, key, uid, _), report in zip(collected, reports) if fld == folder]
        new = store.save_batch(account, folder, validity, high, rows, replace=rescan)
        keys += [key for key, _, _ in rows] if rescan else new
    return FetchResult(report_keys=keys, errors=errors)
