"""The article's rules: each side of every threshold, through the real command, and the pure rules."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, run
from rejectscan.classify import classify
from rejectscan.models import Direction, Evidence, Kind, Label, MatchResult
from rejectscan.patterns import Timing
from rejectscan.text import duration

BOT = str(FIXTURES / "upwork/bot-rejection.eml")          # sent 2026-11-24T15:03:38Z, bots' template
NEUTRAL = str(FIXTURES / "upwork/unable-to-accept.eml")   # sent 2026-11-26T15:11:02Z, neutral template


def verdict(path, submitted):
    rec = run("analyze", path, "--format", "json", "--submitted-at", submitted).json()[0]
    return rec["label"], rec["confidence"], rec["delay_seconds"], rec["reasons"]


@pytest.mark.parametrize("submitted, delay, label", [
    ("2026-11-24T15:02:39Z", 59, "automated"),            # inside the bots' minute
    ("2026-11-24T15:02:37Z", 61, "automated"),            # just past it: still the bots, less sure
])
def test_bot_minute(submitted, delay, label):
    got_label, confidence, got_delay, reasons = verdict(BOT, submitted)
    assert (got_label, got_delay) == (label, delay)
    assert confidence == 0.95 if delay <= 60 else confidence < 0.95
    assert reasons[0].startswith(f"rejected {duration(delay)} after you submitted")


@pytest.mark.parametrize("submitted, delay, label", [
    ("2026-11-26T14:56:03Z", 899, "automated"),           # bot_fade_seconds 900: timing still says bots
    ("2026-11-26T14:56:01Z", 901, "unknown"),             # past it, the neutral wording decides nothing
    ("2026-11-24T19:11:03Z", 158399, "unknown"),          # just under 44 h
    ("2026-11-24T19:11:01Z", 158401, "human-reviewed"),   # about 48 h or more: the support team
])
def test_fade_and_support_team_thresholds(submitted, delay, label):
    got_label, _, got_delay, reasons = verdict(NEUTRAL, submitted)
    assert (got_label, got_delay) == (label, delay), reasons


def test_support_team_pace_wins_over_stock_wording():
    label, _, delay, reasons = verdict(BOT, "2026-11-22T09:00:00Z")
    assert label == "human-reviewed" and delay > 158400
    assert any("the delay decides" in r for r in reasons)


def test_confidence_falls_as_delay_grows_in_the_bot_window():
    confidences = [verdict(BOT, s)[1] for s in ("2026-11-24T15:03:00Z", "2026-11-24T15:01:38Z", "2026-11-24T14:52:00Z")]
    assert confidences[0] > confidences[1] > confidences[2]


T = Timing()


def ev(id, direction, weight, score=None):
    return Evidence(id=id, direction=Direction(direction), weight=weight, description=id, matched=id, score=score)


def rejection(*evidence):
    return MatchResult(platform="upwork", kind=Kind.REJECTION, template=None, evidence=tuple(evidence))


def test_stock_text_in_between_is_automated_only_with_enough_evidence():
    stock = ev("upwork-rejection-no-opportunities", "automated", 0.7, score=100.0)
    assert classify(rejection(stock), 3 * 3600, T).label is Label.AUTOMATED
    assert classify(rejection(ev("team-signature", "automated", 0.2)), 3 * 3600, T).label is Label.UNKNOWN


def test_named_agent_with_ticket_makes_human_without_timing():
    v = classify(rejection(ev("named-signature", "human", 0.5), ev("ticket-number", "human", 0.5)), None, T)
    assert v.label is Label.HUMAN
    assert not any("no submission time" in r for r in v.reasons)  # it decided nothing: not a reason (issue 15)
    unknown = classify(rejection(ev("ticket-number", "human", 0.5)), None, T)
    assert unknown.label is Label.UNKNOWN and "no submission time" in unknown.reasons[0]


def test_timing_in_the_bot_minute_beats_human_looking_signals():
    v = classify(rejection(ev("named-signature", "human", 0.5), ev("ticket-number", "human", 0.5)), 30, T)
    assert v.label is Label.AUTOMATED and v.confidence < 0.95
    assert any("signs of a person" in r for r in v.reasons)


@pytest.mark.parametrize("delay, evidence, label", [
    (None, (ev("do-not-reply-sender", "automated", 0.2),), Label.UNKNOWN),
    (30, (ev("team-signature", "automated", 0.2), ev("ticket-number", "human", 0.5)), Label.AUTOMATED),
    (None, (ev("named-signature", "human", 0.5), ev("ticket-number", "human", 0.5)), Label.HUMAN),
    (3 * 86400, (ev("upwork-rejection-no-opportunities", "automated", 0.7, score=100.0),), Label.HUMAN),
])
def test_every_label_lists_its_evidence(delay, evidence, label):
    v = classify(rejection(*evidence), delay, T)
    assert v.label is label
    for e in evidence:  # each piece of evidence is named in a reason, with the text that showed it
        assert any(e.id in r for r in v.reasons), (e.id, v.reasons)


def test_reasons_quote_the_thresholds_in_the_rules(tmp_path):
    """Thresholds live in rules.toml: change them in a user pack and the reasons follow."""
    (tmp_path / "timing.toml").write_text("[timing]\nbot_window_seconds = 30\nbot_fade_seconds = 120\n"
                                          "human_min_seconds = 100000\n")
    late = run("analyze", NEUTRAL, "--format", "json", "--patterns", str(tmp_path),
               "--submitted-at", "2026-11-25T11:00:00Z").json()[0]
    assert late["label"] == "human-reviewed"
    assert "1 day 3 hours or more is the support team's pace" in late["reasons"][0]
    middle = run("analyze", NEUTRAL, "--format", "json", "--patterns", str(tmp_path),
                 "--submitted-at", "2026-11-26T14:00:00Z").json()[0]
    assert "between the bots' 2 minutes" in middle["reasons"][0] and "1 day 3 hours" in middle["reasons"][0]


@pytest.mark.parametrize("seconds, words", [(38, "38 seconds"), (100, "1 minute 40 seconds"),
                                             (7500, "2 hours 5 minutes"), (190000, "2 days 4 hours")])
def test_duration_words(seconds, words):
    assert duration(seconds) == words
