"""`rejectscan patterns lint` and `patterns test`: check packs against their own examples."""

from __future__ import annotations

import os
from dataclasses import dataclass

from pathlib import Path

from rejectscan.errors import PatternError
from rejectscan.match import Prepared, evaluate_signals, signal_hit, template_hits
from rejectscan.models import Evidence, Original
from rejectscan.patterns import PatternSet, Signal, Template, build, load, pack_files, read_document, shipped_dir
from rejectscan.text import normalise


@dataclass(frozen=True)
class Problem:
    file: str
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.key}: {self.message}"


def _prepared(text: str, field: str = "body") -> Prepared:
    return Prepared(normal=normalise(text), clean=text, body=text, subject=text if field == "subject" else "",
                    from_addr=text if field == "from" else "",
                    from_name=text if field == "from_name" else "",
                    auto_submitted=text if field == "auto-submitted" else "")


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
    d = patterns.decisions
    for kind, rules in (("outcome", d.outcomes), ("object", d.objects), ("actor", d.actors), ("hedge", d.hedges),
                        ("instruction", d.instructions)):
        for rule in rules:
            problems += _check_regexes(kind, rule)
    return problems


def _check_regexes(kind: str, rule) -> list[Problem]:
    """A decision rule's regexes must hit each `match` example and none of the `no_match` ones
    (examples are matched as the reader sees text: lowercased, quotes and spaces made plain)."""
    from rejectscan.decide import hits, plain

    out = []
    key = f"{kind} {rule.id!r}.examples"
    if not rule.examples.match:
        out.append(Problem(rule.file, f"{key}.match", "no example: add one the entry must match"))
    for i, ex in enumerate(rule.examples.match):
        if not hits(rule, plain(ex)):
            out.append(Problem(rule.file, f"{key}.match[{i}]", f"does not match: {ex[:60]!r}"))
    for i, ex in enumerate(rule.examples.no_match):
        if hits(rule, plain(ex)):
            out.append(Problem(rule.file, f"{key}.no_match[{i}]", f"matches but must not: {ex[:60]!r}"))
    return out


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


@dataclass(frozen=True)
class LintReport:
    files: int
    templates: int
    problems: tuple[Problem, ...]


def lint_files(dirs: tuple[str, ...], extra: tuple[str, ...]) -> LintReport:
    """The given folders' files, loaded with the shipped packs and `extra` (a user's folder may use
    their advice ids); with no folders, every loaded file. Every problem is reported, not only the
    first the loader meets."""
    try:
        patterns = load(dirs + extra)
    except PatternError:
        problems, files = load_problems(dirs + extra)
        return LintReport(files=files, templates=0, problems=tuple(problems))
    if dirs:
        roots = [os.path.abspath(d) for d in dirs]
        wanted = {f for f in patterns.files if any(os.path.abspath(f).startswith(r) for r in roots)}
    else:
        wanted = set(patterns.files)
    problems = tuple(p for p in lint(patterns) if p.file in wanted)
    templates = sum(1 for p in patterns.platforms for t in p.templates if t.file in wanted)
    return LintReport(files=len(wanted), templates=templates, problems=problems)


def load_problems(dirs: tuple[str, ...]) -> tuple[list[Problem], int]:
    """What the loader stops at, collected: each file read and parsed on its own, then each of its
    entries (a template, a signal, an advice...) built on its own beside the shipped packs, then the
    whole set (ids defined twice, advice ids nobody defines). At most one problem per entry."""
    base = [(str(f), read_document(f)) for f in pack_files(shipped_dir())]
    problems: list[Problem] = []
    documents: list[tuple[str, dict]] = []
    files = 0
    for folder in map(Path, dirs):
        try:
            paths = pack_files(folder)
        except PatternError as exc:
            problems.append(Problem(exc.file, exc.key, exc.problem))
            continue
        for path in paths:
            files += 1
            try:
                documents.append((str(path), read_document(path)))
            except PatternError as exc:
                problems.append(Problem(exc.file, exc.key, exc.problem))
    for file, doc in documents:
        head = {k: v for k, v in doc.items() if not isinstance(v, list)}
        entries = [(k, i, item) for k, v in doc.items() if isinstance(v, list) for i, item in enumerate(v)]
        for key, index, item in entries or [(None, 0, None)]:
            part = dict(head) if key is None else {**head, key: [item]}
            try:
                build(base + [(file, part)])
            except PatternError as exc:
                where = exc.key
                if key is not None and where.startswith(f"{key}[0]"):
                    where = f"{key}[{index}]" + where[len(f"{key}[0]"):]  # built alone, it was entry 0
                problems.append(Problem(exc.file, where, exc.problem))
    if not problems:
        try:
            build(base + documents)
        except PatternError as exc:
            problems.append(Problem(exc.file, exc.key, exc.problem))
    unique = list(dict.fromkeys(problems))
    return unique, files


@dataclass(frozen=True)
class PatternRow:
    """One line of `patterns list`."""

    platform: str  # "*" for signals that apply to every platform
    type: str  # "template" or "signal"
    id: str
    kind: str
    evidence: str
    description: str
    file: str


def rows(patterns: PatternSet) -> list[PatternRow]:
    out = []
    for p in patterns.platforms:
        for t in p.templates:
            out.append(PatternRow(p.id, "template", t.id, t.kind.value,
                                  f"{t.direction.value} {t.weight:g}" if t.weight else "neutral", t.description, t.file))
        for s in p.signals:
            out.append(PatternRow(p.id, "signal", s.id, "", f"{s.direction.value} {s.weight:g}", s.description, s.file))
    for s in patterns.signals:
        out.append(PatternRow("*", "signal", s.id, "", f"{s.direction.value} {s.weight:g}", s.description, s.file))
    return out
