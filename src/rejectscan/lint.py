"""`rejectscan patterns lint` and `patterns test`: check packs against their own examples."""

from __future__ import annotations

from dataclasses import dataclass

from rejectscan.match import Prepared, evaluate_signals, signal_hit, template_hits
from rejectscan.models import Evidence, Original
from rejectscan.patterns import PatternSet, Signal, Template
from rejectscan.text import normalise


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


def _prepared(text: str, field: str = "body") -> Prepared:
    return Prepared(normal=normalise(text), clean=text, subject="",
                    from_addr=text if field == "from" else "",
                    from_name=text if field == "from_name" else "")


def lint(patterns: PatternSet) -> list[Problem]:
    """Every template and signal must match its `match` examples and miss its `no_match` ones."""
    problems: list[Problem] = []
    score = patterns.timing.fuzzy_min_score
    for platform in patterns.platforms:
        for t in platform.templates:
            problems += _check_template(t, score)
        for s in platform.signals:
            problems += _check_signal(s)
    for s in patterns.signals:
        problems += _check_signal(s)
    return problems


def _check_template(t: Template, score: float) -> list[Problem]:
    out = []
    if not t.examples.match:
        out.append(Problem(t.file, f"template {t.id!r}.examples.match", "no example: add one the template must match"))
    for i, ex in enumerate(t.examples.match):
        if len(template_hits(_prepared(ex), t, score)) < t.min_hits:
            out.append(Problem(t.file, f"template {t.id!r}.examples.match[{i}]", f"does not match: {ex[:60]!r}"))
    for i, ex in enumerate(t.examples.no_match):
        if len(template_hits(_prepared(ex), t, score)) >= t.min_hits:
            out.append(Problem(t.file, f"template {t.id!r}.examples.no_match[{i}]", f"matches but must not: {ex[:60]!r}"))
    return out


def _check_signal(s: Signal) -> list[Problem]:
    out = []
    if not s.examples.match:
        out.append(Problem(s.file, f"signal {s.id!r}.examples.match", "no example: add one the signal must match"))
    for i, ex in enumerate(s.examples.match):
        if signal_hit(s, _prepared(ex, s.field)) is None:
            out.append(Problem(s.file, f"signal {s.id!r}.examples.match[{i}]", f"does not match: {ex[:60]!r}"))
    for i, ex in enumerate(s.examples.no_match):
        if signal_hit(s, _prepared(ex, s.field)) is not None:
            out.append(Problem(s.file, f"signal {s.id!r}.examples.no_match[{i}]", f"matches but must not: {ex[:60]!r}"))
    return out


@dataclass(frozen=True)
class TemplateHit:
    template: Template
    hits: list[tuple[str, float | None]]

    @property
    def matched(self) -> bool:
        return len(self.hits) >= self.template.min_hits


def probe(original: Original, patterns: PatternSet) -> tuple[list[TemplateHit], list[Evidence]]:
    """Every template (of every platform) with any hit, and every signal that fires."""
    from rejectscan.match import prepare

    text = prepare(original)
    hits = []
    for platform in patterns.platforms:
        for t in platform.templates:
            found = template_hits(text, t, patterns.timing.fuzzy_min_score)
            if found:
                hits.append(TemplateHit(t, found))
    signals = evaluate_signals(text, (*patterns.signals, *(s for p in patterns.platforms for s in p.signals)))
    return hits, signals
