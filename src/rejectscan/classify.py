"""Who rejected the profile? Pure: the two clocks (README, "How it decides") applied to timing and evidence.

- within the bots' window (about a minute) of submitting: the bots, less sure as the delay grows;
- human_min_seconds ("about 48 hours or more") or later: the support team, whatever the template says;
- in between, or with no submission time: the evidence decides (templates and signals), or
  `unknown` with the reason. Stock wording alone never makes `human-reviewed`.
Thresholds and confidences come from patterns/rules.toml, and the reasons quote them.
"""

from __future__ import annotations

from dataclasses import replace

from rejectscan.models import Direction, Evidence, Label, MatchResult, Verdict
from rejectscan.patterns import Confidence, Timing
from rejectscan.text import duration


def classify(match: MatchResult, delay_seconds: int | None, timing: Timing, confidence: Confidence = Confidence(),
             precision_seconds: int = 1, why_no_delay: str | None = None) -> Verdict:
    """The label; a time read only to the minute says so whenever it measured a delay; without a
    delay, `why_no_delay` (from pairing) says why."""
    verdict = _classify(match, delay_seconds, timing, confidence, precision_seconds, why_no_delay)
    if delay_seconds is not None and 1 < precision_seconds <= delay_seconds:
        verdict = replace(verdict, reasons=verdict.reasons + (
            "the forwarded copy shows the time only to the minute, so the delay may be off by up to a minute",))
    return verdict


def _classify(match: MatchResult, delay_seconds: int | None, timing: Timing, c: Confidence,
              precision_seconds: int, why_no_delay: str | None) -> Verdict:
    automated = [e for e in match.evidence if e.direction is Direction.AUTOMATED and e.weight > 0]
    human = [e for e in match.evidence if e.direction is Direction.HUMAN and e.weight > 0]
    auto_score = sum(e.weight for e in automated)
    human_score = sum(e.weight for e in human)
    evidence_reasons = [_describe(e) for e in (*automated, *human)]
    evidence_reasons += [_describe(e) for e in match.evidence if e.direction is Direction.NEUTRAL and e.weight == 0 and e.score]
    if delay_seconds is not None and delay_seconds <= timing.bot_fade_seconds:
        return _bots(delay_seconds, human_score, timing, c, evidence_reasons, precision_seconds)
    if delay_seconds is not None and delay_seconds >= timing.human_min_seconds:
        confidence = (c.support_pace + (c.support_pace_human_signs if human_score > 0 else 0.0)
                      - (c.support_pace_stock_text if auto_score >= timing.automated_evidence_min else 0.0))
        reasons = [f"rejected {duration(delay_seconds)} after you submitted: {duration(timing.human_min_seconds)} "
                   "or more is the support team's pace, not the bots'"]
        if auto_score >= timing.automated_evidence_min:
            reasons.append("the wording is stock text, but a person can send stock text too; the delay decides")
        return Verdict(Label.HUMAN, round(confidence, 2), tuple(reasons + evidence_reasons))
    if delay_seconds is None:
        timing_reason = why_no_delay or ("no submission time is known, so the delay cannot be measured (run "
                                         "`rejectscan submitted` the moment you click Submit, or pass --submitted-at)")
        cap = c.cap_without_time
    else:
        timing_reason = (f"rejected {duration(delay_seconds)} after you submitted: between the bots' "
                         f"{duration(timing.bot_fade_seconds)} and the support team's {duration(timing.human_min_seconds)}, "
                         "timing alone does not decide")
        cap = c.cap_in_between
    # without a delay, the missing time is a reason only where it left the label unknown
    told = [timing_reason] if delay_seconds is not None else []
    if human_score >= timing.human_evidence_min and human_score > auto_score:
        confidence = min(cap, c.human_evidence + c.evidence_step * (human_score - timing.human_evidence_min))
        return Verdict(Label.HUMAN, round(confidence, 2), tuple(told + evidence_reasons))
    if auto_score >= timing.automated_evidence_min and auto_score > human_score:
        confidence = min(cap, c.automated_evidence + c.evidence_step * (auto_score - timing.automated_evidence_min))
        return Verdict(Label.AUTOMATED, round(confidence, 2), tuple(told + evidence_reasons))
    if evidence_reasons:
        why = "the evidence is too weak or points both ways"
    elif match.notes:
        why = "the wording is not one we know"
    else:
        why = "the email carries no sign of either reviewer"
    return Verdict(Label.UNKNOWN, 0.0, tuple([timing_reason, why] + evidence_reasons))


def _bots(delay: int, human_score: float, timing: Timing, c: Confidence, evidence_reasons: list[str],
          precision: int) -> Verdict:
    if delay < precision <= timing.bot_window_seconds:
        confidence = c.bots_minute_only
        reasons = ["rejected within the minute you submitted (the copy shows no seconds): "
                   "no person reviews a profile that fast"]
    elif delay <= timing.bot_window_seconds:
        confidence = c.bots_in_window
        reasons = [f"rejected {duration(delay)} after you submitted: no person reviews a profile that fast"]
    else:
        span = max(1, timing.bot_fade_seconds - timing.bot_window_seconds)
        confidence = c.bots_minute_only - (c.bots_minute_only - c.bots_at_fade) * (delay - timing.bot_window_seconds) / span
        reasons = [f"rejected {duration(delay)} after you submitted: quick enough for the bots, "
                   f"slower than their usual {duration(timing.bot_window_seconds)}"]
    if human_score >= timing.human_evidence_min:
        confidence -= c.bots_despite_human_signs
        reasons.append("it carries signs of a person, but the timing says a program decided")
    return Verdict(Label.AUTOMATED, round(max(confidence, c.bots_floor), 2), tuple(reasons + evidence_reasons))


def _describe(e: Evidence) -> str:
    quoted = e.matched if len(e.matched) <= 70 else e.matched[:67].rstrip() + "..."
    if e.score is not None:
        score = "" if e.score >= 100 else f", {e.score:.0f}% match"
        kind = "stock wording" if e.direction is not Direction.HUMAN else "wording"
        return f"{kind} '{quoted}' ({e.description}{score})"
    return f"{e.description}: '{quoted}'" if quoted else e.description
