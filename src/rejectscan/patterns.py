"""Load and validate the pattern packs: platforms, templates, signals, timing, advice.

Patterns are data (TOML in patterns/, shipped inside the wheel, plus the user's --patterns DIR).
Everything is checked on load, and every problem names its file and key, the way yamllint
reports rule data. Regexes compile with RE2, so a user's pattern runs in linear time whatever
it looks like: no email can make a run hang on catastrophic backtracking.
"""

from __future__ import annotations

import hashlib
import os
import re
import tomllib
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from rejectscan.errors import PatternError
from rejectscan.models import Direction, Kind, Label
from rejectscan.text import normalise

SIGNAL_FIELDS = ("body", "from", "from_name", "subject")
_UNSUPPORTED = re.compile(r"\(\?<?[=!]|\\[1-9]|\(\?P=")


@dataclass(frozen=True)
class Regex:
    """A compiled RE2 pattern with its source, so evidence can quote it."""

    source: str
    compiled: object = field(compare=False, repr=False)

    def search(self, text: str):
        return self.compiled.search(text)

    def finditer(self, text: str):
        return self.compiled.finditer(text)


@dataclass(frozen=True)
class Examples:
    match: tuple[str, ...] = ()
    no_match: tuple[str, ...] = ()


@dataclass(frozen=True)
class Template:
    id: str
    platform: str
    kind: Kind
    description: str
    phrases: tuple[str, ...]
    regexes: tuple[Regex, ...]
    min_hits: int
    direction: Direction
    weight: float
    advice: tuple[str, ...]
    examples: Examples
    file: str


@dataclass(frozen=True)
class Signal:
    id: str
    platform: str | None  # None: applies to every platform
    direction: Direction
    weight: float
    field: str
    description: str
    phrases: tuple[str, ...]
    regexes: tuple[Regex, ...]
    examples: Examples
    file: str
    unless: tuple[str, ...] = ()  # a regex hit containing one of these words does not count


@dataclass(frozen=True)
class Platform:
    id: str
    name: str
    domains: tuple[str, ...]
    lookalike_tokens: tuple[str, ...]
    rejection_cues: tuple[str, ...]
    templates: tuple[Template, ...]
    signals: tuple[Signal, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Timing:
    """The article's clocks, as data: 'in less than a minute' and 'about 48 hours or more'."""

    bot_window_seconds: int = 60
    bot_fade_seconds: int = 900
    human_min_seconds: int = 44 * 3600
    automated_evidence_min: float = 0.6
    human_evidence_min: float = 1.0
    fuzzy_min_score: float = 88.0
    repeated_automated_count: int = 3
    repeated_automated_days: int = 7


@dataclass(frozen=True)
class AdviceEntry:
    id: str
    title: str
    text: str
    labels: tuple[str, ...]  # labels it applies to; empty = only when a template or rule names it
    order: int
    file: str


@dataclass(frozen=True)
class PatternSet:
    platforms: tuple[Platform, ...]
    signals: tuple[Signal, ...]
    timing: Timing
    advice: dict[str, AdviceEntry]
    files: tuple[str, ...]
    fingerprint: str = ""  # changes whenever a pattern file does: which rules judged a stored verdict

    def platform(self, platform_id: str | None) -> Platform | None:
        return next((p for p in self.platforms if p.id == platform_id), None)


def shipped_dir() -> Path:
    """The packs inside the installed wheel, or the repository's patterns/ in a checkout."""
    packaged = resources.files("rejectscan") / "shipped_patterns"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parents[2] / "patterns"


def load(extra_dirs: tuple[str | os.PathLike, ...] = (), include_shipped: bool = True) -> PatternSet:
    """Load shipped packs and the user's directories; PatternError on the first problem."""
    dirs = ([shipped_dir()] if include_shipped else []) + [Path(d) for d in extra_dirs]
    files: list[Path] = []
    for d in dirs:
        if not d.is_dir():
            raise PatternError(str(d), "(directory)", "is not a directory of pattern files")
        files.extend(sorted(d.glob("*.toml")))
    digest = hashlib.sha256()
    documents = []
    for f in files:
        data = _read(f)
        digest.update(f.name.encode() + b"\0" + data + b"\0")
        documents.append((str(f), _parse_toml(f, data)))
    return replace(build(documents), fingerprint=digest.hexdigest()[:16])


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise PatternError(str(path), "(file)", f"cannot be read: {exc.strerror}") from None


def _parse_toml(path: Path, data: bytes) -> dict:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise PatternError(str(path), "(file)", "is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise PatternError(str(path), "(syntax)", f"not valid TOML: {exc}") from None


_TOP_KEYS = {"platform", "template", "signal", "timing", "advice"}
_PLATFORM_KEYS = {"id", "name", "domains", "lookalike_tokens", "rejection_cues"}
_TEMPLATE_KEYS = {"id", "kind", "description", "phrases", "regexes", "min_hits", "evidence",
                  "advice", "examples"}
_SIGNAL_KEYS = {"id", "direction", "weight", "field", "description", "phrases", "regexes",
                "unless", "examples"}
_ADVICE_KEYS = {"id", "title", "text", "labels", "order"}


def build(documents: list[tuple[str, dict]]) -> PatternSet:
    """Validate parsed TOML documents into a PatternSet. Pure, so lint and tests can feed it."""
    platforms: dict[str, dict] = {}
    general_signals: list[Signal] = []
    advice: dict[str, AdviceEntry] = {}
    timing = Timing()
    ids: dict[str, str] = {}  # every template/signal/advice id -> file, ids are global

    def claim(file: str, key: str, ident: str) -> None:
        if ident in ids:
            raise PatternError(file, key, f"duplicate id {ident!r} (first defined in {ids[ident]})")
        ids[ident] = file

    for file, doc in documents:
        _only(file, "(top level)", doc, _TOP_KEYS)
        platform_id = None
        if "platform" in doc:
            p = _table(file, "platform", doc["platform"])
            _only(file, "platform", p, _PLATFORM_KEYS)
            platform_id = _ident(file, "platform.id", p.get("id"))
            entry = platforms.setdefault(platform_id, {
                "name": "", "domains": [], "tokens": [], "cues": [], "templates": [], "signals": [],
                "files": []})
            if "name" in p:
                entry["name"] = _string(file, "platform.name", p["name"])
            entry["domains"] += [d.lower().lstrip("@.") for d in _strings(file, "platform.domains", p.get("domains", []))]
            entry["tokens"] += [t.lower() for t in _strings(file, "platform.lookalike_tokens", p.get("lookalike_tokens", []))]
            entry["cues"] += [normalise(c) for c in _strings(file, "platform.rejection_cues", p.get("rejection_cues", []))]
            entry["files"].append(file)
        if "timing" in doc:
            timing = _timing(file, _table(file, "timing", doc["timing"]))
        for i, raw in enumerate(_array(file, "template", doc.get("template", []))):
            key = f"template[{i}]"
            if platform_id is None:
                raise PatternError(file, key, "templates need a [platform] table in the same file")
            t = _template(file, key, raw, platform_id)
            claim(file, f"{key}.id", t.id)
            platforms[platform_id]["templates"].append(t)
        for i, raw in enumerate(_array(file, "signal", doc.get("signal", []))):
            key = f"signal[{i}]"
            s = _signal(file, key, raw, platform_id)
            claim(file, f"{key}.id", s.id)
            (platforms[platform_id]["signals"] if platform_id else general_signals).append(s)
        for i, raw in enumerate(_array(file, "advice", doc.get("advice", []))):
            key = f"advice[{i}]"
            a = _advice(file, key, raw)
            claim(file, f"{key}.id", a.id)
            advice[a.id] = a

    built = []
    for pid, entry in platforms.items():
        if not entry["name"]:
            raise PatternError(entry["files"][0], "platform.name", f"platform {pid!r} has no name")
        if not entry["domains"]:
            raise PatternError(entry["files"][0], "platform.domains", f"platform {pid!r} has no sender domains")
        built.append(Platform(
            id=pid, name=entry["name"], domains=tuple(dict.fromkeys(entry["domains"])),
            lookalike_tokens=tuple(dict.fromkeys(entry["tokens"] or [pid])),
            rejection_cues=tuple(entry["cues"]), templates=tuple(entry["templates"]),
            signals=tuple(entry["signals"]), files=tuple(entry["files"])))
    for p in built:
        for t in p.templates:
            for j, advice_id in enumerate(t.advice):
                if advice_id not in advice:
                    raise PatternError(t.file, f"template {t.id!r}.advice[{j}]",
                                       f"unknown advice id {advice_id!r}; define it in advice.toml")
    return PatternSet(platforms=tuple(built), signals=tuple(general_signals), timing=timing,
                      advice=advice, files=tuple(f for f, _ in documents))


# --- field checkers ----------------------------------------------------------------------------

def _only(file: str, key: str, table: dict, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise PatternError(file, f"{key}.{unknown[0]}" if key != "(top level)" else unknown[0],
                           f"unknown key; allowed here: {', '.join(sorted(allowed))}")


def _table(file: str, key: str, value) -> dict:
    if not isinstance(value, dict):
        raise PatternError(file, key, "must be a table")
    return value


def _array(file: str, key: str, value) -> list:
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise PatternError(file, key, f"must be an array of tables ([[{key}]])")
    return value


def _string(file: str, key: str, value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise PatternError(file, key, "must be a non-empty string")
    return value


def _strings(file: str, key: str, value) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise PatternError(file, key, "must be a list of non-empty strings")
    return value


def _ident(file: str, key: str, value) -> str:
    value = _string(file, key, value)
    if not re.fullmatch(r"[a-z0-9][a-z0-9._-]*", value):
        raise PatternError(file, key, f"{value!r} is not an id (lowercase letters, digits, . _ -)")
    return value


def _number(file: str, key: str, value, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise PatternError(file, key, f"must be a number from {low} to {high}")
    return float(value)


def compile_regex(file: str, key: str, source: str) -> Regex:
    """Compile with RE2 (linear time). Lookarounds and backreferences are refused with a reason."""
    if _UNSUPPORTED.search(source):
        raise PatternError(file, key, f"regex {source!r} uses a lookaround or backreference, which "
                           "cannot be matched in linear time; rewrite it without them")
    try:
        re.compile(source)
    except re.error as exc:
        raise PatternError(file, key, f"bad regex {source!r}: {exc}") from None
    try:
        compiled = _re2_compile(source)
    except Exception as exc:
        raise PatternError(file, key, f"bad regex {source!r}: {exc}") from None
    return Regex(source=source, compiled=compiled)


def _re2_compile(source: str):
    import re2  # google-re2

    # RE2 logs parse errors straight to file descriptor 2; the PatternError says it better.
    saved = os.dup(2)
    try:
        with open(os.devnull, "w") as null:
            os.dup2(null.fileno(), 2)
            return re2.compile(source)
    finally:
        os.dup2(saved, 2)
        os.close(saved)


def bytes_matcher(pattern: bytes, max_mem: int = 64 << 20):
    """Compile a bytes pattern with RE2: one linear pass, however many alternatives it has."""
    import re2

    options = re2.Options()
    options.max_mem = max_mem  # room for the DFA of a large alternation; a budget, not an allocation
    return re2.compile(pattern, options)


def _regexes(file: str, key: str, value) -> tuple[Regex, ...]:
    return tuple(compile_regex(file, f"{key}[{i}]", s) for i, s in enumerate(_strings(file, key, value)))


def _examples(file: str, key: str, value) -> Examples:
    table = _table(file, key, value)
    _only(file, key, table, {"match", "no_match"})
    return Examples(match=tuple(_strings(file, f"{key}.match", table.get("match", []))),
                    no_match=tuple(_strings(file, f"{key}.no_match", table.get("no_match", []))))


def _template(file: str, key: str, raw: dict, platform_id: str) -> Template:
    _only(file, key, raw, _TEMPLATE_KEYS)
    ident = _ident(file, f"{key}.id", raw.get("id"))
    key = f"template {ident!r}"
    kinds = [k.value for k in Kind]
    kind = raw.get("kind")
    if kind not in kinds:
        raise PatternError(file, f"{key}.kind", f"must be one of {', '.join(kinds)}")
    phrases = tuple(normalise(p) for p in _strings(file, f"{key}.phrases", raw.get("phrases", [])))
    regexes = _regexes(file, f"{key}.regexes", raw.get("regexes", []))
    if not phrases and not regexes:
        raise PatternError(file, key, "needs at least one phrase or regex")
    min_hits = raw.get("min_hits", 1)
    if not isinstance(min_hits, int) or not 1 <= min_hits <= len(phrases) + len(regexes):
        raise PatternError(file, f"{key}.min_hits", "must be an integer from 1 to the number of phrases and regexes")
    evidence = _table(file, f"{key}.evidence", raw.get("evidence", {"direction": "neutral", "weight": 0}))
    _only(file, f"{key}.evidence", evidence, {"direction", "weight"})
    direction = evidence.get("direction", "neutral")
    if direction == "human":
        raise PatternError(file, f"{key}.evidence.direction", "stock text alone never shows a person read "
                           "your profile: use automated or neutral, and put human evidence in a [[signal]]")
    if direction not in (Direction.AUTOMATED.value, Direction.NEUTRAL.value):
        raise PatternError(file, f"{key}.evidence.direction", "must be automated or neutral")
    return Template(
        id=ident, platform=platform_id, kind=Kind(kind),
        description=_string(file, f"{key}.description", raw.get("description")),
        phrases=phrases, regexes=regexes, min_hits=min_hits, direction=Direction(direction),
        weight=_number(file, f"{key}.evidence.weight", evidence.get("weight", 0), 0, 2),
        advice=tuple(_strings(file, f"{key}.advice", raw.get("advice", []))),
        examples=_examples(file, f"{key}.examples", raw.get("examples", {})), file=file)


def _signal(file: str, key: str, raw: dict, platform_id: str | None) -> Signal:
    _only(file, key, raw, _SIGNAL_KEYS)
    ident = _ident(file, f"{key}.id", raw.get("id"))
    key = f"signal {ident!r}"
    direction = raw.get("direction")
    if direction not in ("automated", "human"):
        raise PatternError(file, f"{key}.direction", "must be automated or human")
    where = raw.get("field", "body")
    if where not in SIGNAL_FIELDS:
        raise PatternError(file, f"{key}.field", f"must be one of {', '.join(SIGNAL_FIELDS)}")
    phrases = tuple(normalise(p) for p in _strings(file, f"{key}.phrases", raw.get("phrases", [])))
    regexes = _regexes(file, f"{key}.regexes", raw.get("regexes", []))
    if not phrases and not regexes:
        raise PatternError(file, key, "needs at least one phrase or regex")
    return Signal(
        id=ident, platform=platform_id, direction=Direction(direction),
        weight=_number(file, f"{key}.weight", raw.get("weight"), 0, 2), field=where,
        description=_string(file, f"{key}.description", raw.get("description")),
        phrases=phrases, regexes=regexes,
        examples=_examples(file, f"{key}.examples", raw.get("examples", {})), file=file,
        unless=tuple(normalise(u) for u in _strings(file, f"{key}.unless", raw.get("unless", []))))


def _advice(file: str, key: str, raw: dict) -> AdviceEntry:
    _only(file, key, raw, _ADVICE_KEYS)
    ident = _ident(file, f"{key}.id", raw.get("id"))
    key = f"advice {ident!r}"
    labels = tuple(_strings(file, f"{key}.labels", raw.get("labels", [])))
    allowed = {lbl.value for lbl in Label} | {"any"}
    bad = [lbl for lbl in labels if lbl not in allowed]
    if bad:
        raise PatternError(file, f"{key}.labels", f"{bad[0]!r} is not a label; use {', '.join(sorted(allowed))}")
    order = raw.get("order", 100)
    if not isinstance(order, int):
        raise PatternError(file, f"{key}.order", "must be an integer")
    return AdviceEntry(id=ident, title=_string(file, f"{key}.title", raw.get("title")),
                       text=_string(file, f"{key}.text", raw.get("text")), labels=labels,
                       order=order, file=file)


def _timing(file: str, raw: dict) -> Timing:
    allowed = set(Timing.__dataclass_fields__)
    _only(file, "timing", raw, allowed)
    values = {}
    for name, value in raw.items():
        default = getattr(Timing, name)
        high = 10**9 if isinstance(default, int) else 100.0
        number = _number(file, f"timing.{name}", value, 0, high)
        values[name] = int(number) if isinstance(default, int) else number
    timing = Timing(**values)
    if not timing.bot_window_seconds <= timing.bot_fade_seconds < timing.human_min_seconds:
        raise PatternError(file, "timing", "need bot_window_seconds <= bot_fade_seconds < human_min_seconds")
    return timing
