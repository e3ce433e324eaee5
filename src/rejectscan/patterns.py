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
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path

from rejectscan import schema
from rejectscan.compat import tomllib
from rejectscan.errors import PatternError
from rejectscan.models import Direction, Kind, Label
from rejectscan.text import normalise

SIGNAL_FIELDS = ("body", "from", "from_name", "subject", "auto-submitted")
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
    templates: tuple[Template, ...]
    signals: tuple[Signal, ...]
    files: tuple[str, ...]


@dataclass(frozen=True)
class OutcomeRule:
    """Something said to have happened ("has not been approved"), and the kind it makes per object class."""

    id: str
    description: str
    kinds: dict[str, Kind]  # object class -> kind
    regexes: tuple[Regex, ...]
    weight: float
    context: bool  # may take its object from the sentences before it (a bare "Status: Declined")
    implies: str | None  # the object class it stands for when the sentence names none ("welcome aboard")
    examples: Examples
    file: str
    own_object: bool = False  # its words name what it is about ("the restriction will remain"): other objects are ignored
    clears: dict[str, tuple[str, ...]] = field(default_factory=dict)  # object class -> classes whose refusals it contradicts


@dataclass(frozen=True)
class ObjectRule:
    """What an outcome can be about, and its class: application, profile, account, or other."""

    id: str
    cls: str
    description: str
    regexes: tuple[Regex, ...]
    owned: bool  # counts only as the user's ("your ...") or in the subject line
    pronoun: bool  # "you": used only when the sentence names no other object
    refers: bool  # "it": stands for the application or profile named before it
    examples: Examples
    file: str


@dataclass(frozen=True)
class PhraseRule:
    """An actor (a decision someone else made) or a hedge (an outcome not said to have happened)."""

    id: str
    description: str
    regexes: tuple[Regex, ...]
    examples: Examples
    file: str
    reach: int | None = None  # a hedge: counts only this close before the outcome (None: anywhere before)
    unless: tuple[Regex, ...] = ()  # a hedge: not one where these match around it ("that is why")


@dataclass(frozen=True)
class DecisionRules:
    outcomes: tuple[OutcomeRule, ...] = ()
    objects: tuple[ObjectRule, ...] = ()
    actors: tuple[PhraseRule, ...] = ()
    hedges: tuple[PhraseRule, ...] = ()
    instructions: tuple[PhraseRule, ...] = ()  # sentences of a reviewer that ask for something


OBJECT_CLASSES = ("application", "profile", "account", "other")


@dataclass(frozen=True)
class Timing:
    """The two clocks as data: the bots answer 'in less than a minute', the support team in 'about 48
    hours or more' (README, "How it decides")."""

    bot_window_seconds: int = 60
    bot_fade_seconds: int = 900
    human_min_seconds: int = 44 * 3600
    automated_evidence_min: float = 0.6
    human_evidence_min: float = 1.0
    fuzzy_min_score: float = 88.0
    repeated_automated_count: int = 3
    repeated_automated_days: int = 7


@dataclass(frozen=True)
class Confidence:
    """How sure each kind of verdict is (0-1), as data: classify.py only applies these."""

    bots_in_window: float = 0.95  # rejected within bot_window_seconds
    bots_minute_only: float = 0.90  # within the minute, read from a copy that shows no seconds
    bots_at_fade: float = 0.60  # falls linearly to this at bot_fade_seconds
    bots_floor: float = 0.40
    bots_despite_human_signs: float = 0.20  # taken off when the email carries signs of a person
    support_pace: float = 0.80  # rejected human_min_seconds or more after submitting
    support_pace_human_signs: float = 0.10  # added when it carries signs of a person
    support_pace_stock_text: float = 0.10  # taken off when the wording is stock text
    human_evidence: float = 0.65  # evidence alone reaching human_evidence_min ...
    automated_evidence: float = 0.55  # ... or automated_evidence_min
    evidence_step: float = 0.15  # added per unit of evidence beyond the minimum
    cap_without_time: float = 0.70  # evidence alone, no submission time known
    cap_in_between: float = 0.80  # evidence alone, the delay between the two clocks


@dataclass(frozen=True)
class AdviceEntry:
    id: str
    title: str
    text: str
    labels: tuple[str, ...]  # labels it applies to; empty = only when a template or rule names it
    order: int
    file: str
    platforms: tuple[str, ...] = ()  # only for these platforms' mail; empty: every platform
    kinds: tuple[Kind, ...] = (Kind.REJECTION,)  # the kinds of email it is for


@dataclass(frozen=True)
class PatternSet:
    platforms: tuple[Platform, ...]
    signals: tuple[Signal, ...]
    timing: Timing
    advice: dict[str, AdviceEntry]
    confidence: Confidence
    decisions: DecisionRules
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
    files = [f for d in dirs for f in pack_files(d)]
    digest = hashlib.sha256()
    documents = []
    for f in files:
        data = _read(f)
        digest.update(f.name.encode() + b"\0" + data + b"\0")
        documents.append((str(f), _parse_toml(f, data)))
    return replace(build(documents), fingerprint=digest.hexdigest()[:16])


def pack_files(folder: Path) -> list[Path]:
    """A pattern folder's files, in the order they are loaded; PatternError if it is no folder."""
    if not folder.is_dir():
        raise PatternError(str(folder), "(directory)", "is not a directory of pattern files")
    return sorted(folder.glob("*.toml"))


def read_document(path: Path) -> dict:
    """One pattern file read and parsed as TOML; PatternError naming the file otherwise."""
    return _parse_toml(path, _read(path))


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


# --- the tables, declared once (schema.py) -------------------------------------------------------

MAX_PHRASE_CHARS = 500  # a stock sentence or two; fuzzy matching costs text length x phrase length
MAX_PHRASES = 50  # per template or signal
MAX_PHRASES_TOTAL = 5_000  # in all pattern folders together


def _phrases(file: str, key: str, value) -> tuple[str, ...]:
    """Phrases are bounded so that matching stays linear in the text: no pattern can hang a run."""
    phrases = schema.strings(file, key, value)
    if len(phrases) > MAX_PHRASES:
        raise PatternError(file, key, f"has {len(phrases)} phrases; at most {MAX_PHRASES} (split it into "
                           "several templates or signals)")
    for phrase in phrases:
        if len(phrase) > MAX_PHRASE_CHARS:
            raise PatternError(file, key, f"a phrase of {len(phrase):,} characters ({phrase[:40]!r}...); at most "
                               f"{MAX_PHRASE_CHARS}: quote the sentence that identifies the email, not the email")
    return tuple(normalise(p) for p in phrases)


def _template_direction(file: str, key: str, value) -> Direction:
    if value == Direction.HUMAN.value:
        raise PatternError(file, key, "stock text alone never shows a person read your profile: use automated "
                           "or neutral, and put human evidence in a [[signal]]")
    return Direction(schema.one_of(Direction.AUTOMATED.value, Direction.NEUTRAL.value)(file, key, value))


def _timing_key(name: str, default) -> schema.Key:
    reader = schema.integer(0, 10**9) if isinstance(default, int) else schema.number(0, 100)
    return schema.Key(name, reader, default)


EXAMPLES = schema.Table("examples", (
    schema.Key("match", schema.strings, (), "texts the entry must match"),
    schema.Key("no_match", schema.strings, (), "texts it must not match"),
))
EVIDENCE = schema.Table("evidence", (
    schema.Key("direction", _template_direction, Direction.NEUTRAL, "which reviewer the wording points to"),
    schema.Key("weight", schema.number(0, 2), 0.0, "how strongly"),
))
PLATFORM = schema.Table("platform", (
    schema.Key("id", schema.ident),
    schema.Key("name", schema.string, None, "shown to the user"),
    schema.Key("domains", schema.strings, (), "the sender domains it mails from (subdomains included)"),
    schema.Key("lookalike_tokens", schema.strings, (), "words in a sender's domain or name that pretend to be it"),
))
TEMPLATE = schema.Table("template", (
    schema.Key("id", schema.ident),
    schema.Key("kind", schema.one_of(*(k.value for k in Kind))),
    schema.Key("description", schema.string),
    schema.Key("phrases", _phrases, ()),
    schema.Key("regexes", schema.each(lambda f, k, v: compile_regex(f, k, schema.string(f, k, v))), ()),
    schema.Key("min_hits", schema.integer(1, 100), 1, "phrases and regexes that must hit"),
    schema.Key("evidence", schema.table(EVIDENCE), None),
    schema.Key("advice", schema.strings, (), "advice ids it adds"),
    schema.Key("examples", schema.table(EXAMPLES), None),
), named=True)
SIGNAL = schema.Table("signal", (
    schema.Key("id", schema.ident),
    schema.Key("direction", schema.one_of(Direction.AUTOMATED.value, Direction.HUMAN.value)),
    schema.Key("weight", schema.number(0, 2)),
    schema.Key("field", schema.one_of(*SIGNAL_FIELDS), "body", "which part of the email it reads"),
    schema.Key("description", schema.string),
    schema.Key("phrases", _phrases, ()),
    schema.Key("regexes", schema.each(lambda f, k, v: compile_regex(f, k, schema.string(f, k, v))), ()),
    schema.Key("unless", _phrases, (), "a regex hit containing one of these words does not count"),
    schema.Key("examples", schema.table(EXAMPLES), None),
), named=True)
ADVICE = schema.Table("advice", (
    schema.Key("id", schema.ident),
    schema.Key("title", schema.string),
    schema.Key("text", schema.string),
    schema.Key("labels", schema.each(schema.one_of(*(lbl.value for lbl in Label), "any")), (),
               "the verdicts it applies to; none: only when a template or rule asks for it"),
    schema.Key("order", schema.integer(-10**6, 10**6), 100),
    schema.Key("platforms", schema.each(schema.ident), (), "only for these platforms' mail"),
    schema.Key("kinds", schema.each(schema.one_of(Kind.REJECTION.value, Kind.SUSPENSION.value)), ("rejection",),
               "the kinds of email it is for"),
), named=True)
TIMING = schema.Table("timing", tuple(_timing_key(name, f.default) for name, f in Timing.__dataclass_fields__.items()))
CONFIDENCE = schema.Table("confidence", tuple(schema.Key(name, schema.number(0, 1), f.default)
                                              for name, f in Confidence.__dataclass_fields__.items()))
_REGEXES = schema.each(lambda f, k, v: compile_regex(f, k, schema.string(f, k, v)))


def _kinds(file: str, key: str, value) -> dict[str, Kind]:
    if not isinstance(value, dict):
        raise PatternError(file, key, "must be a table of object class = kind, e.g. { application = \"rejection\" }"
                           " ({} for an outcome that says nothing happened)")
    out = {}
    for cls, kind in value.items():
        schema.one_of(*OBJECT_CLASSES[:-1])(file, f"{key}.{cls}", cls)
        out[cls] = Kind(schema.one_of(*(k.value for k in Kind if k is not Kind.OTHER))(file, f"{key}.{cls}", kind))
    return out


def _clears(file: str, key: str, value) -> dict[str, tuple[str, ...]]:
    if not isinstance(value, dict):
        raise PatternError(file, key, "must be a table of object class = [classes], e.g. { profile = [\"profile\"] }")
    classes = OBJECT_CLASSES[:-1]
    return {schema.one_of(*classes)(file, f"{key}.{cls}", cls):
            tuple(schema.one_of(*classes)(file, f"{key}.{cls}", c) for c in schema.strings(file, f"{key}.{cls}", those))
            for cls, those in value.items()}


OUTCOME = schema.Table("outcome", (
    schema.Key("id", schema.ident),
    schema.Key("description", schema.string),
    schema.Key("kinds", _kinds, doc="the kind it makes for each object class it applies to"),
    schema.Key("regexes", _REGEXES),
    schema.Key("weight", schema.number(0, 5), 1.0, "how much one such sentence counts"),
    schema.Key("context", lambda f, k, v: bool(schema.one_of(True, False)(f, k, v)), False,
               "may take its object from the sentences before it"),
    schema.Key("implies", schema.one_of(*OBJECT_CLASSES[:-1]), None, "the object class it stands for when none is named"),
    schema.Key("own_object", lambda f, k, v: bool(schema.one_of(True, False)(f, k, v)), False,
               "its words name what it is about: the sentence's other objects are ignored"),
    schema.Key("clears", _clears, {}, "says the user's standing is untouched: for the object class it is said of, "
               "the classes whose rejections and suspensions in the same email are about something else"),
    schema.Key("examples", schema.table(EXAMPLES), None),
), named=True)
OBJECT = schema.Table("object", (
    schema.Key("id", schema.ident),
    schema.Key("class", schema.one_of(*OBJECT_CLASSES)),
    schema.Key("description", schema.string),
    schema.Key("regexes", _REGEXES),
    schema.Key("owned", lambda f, k, v: bool(schema.one_of(True, False)(f, k, v)), False,
               "counts only as the user's ('your ...') or in the subject line"),
    schema.Key("pronoun", lambda f, k, v: bool(schema.one_of(True, False)(f, k, v)), False,
               "used only when the sentence names no other object"),
    schema.Key("refers", lambda f, k, v: bool(schema.one_of(True, False)(f, k, v)), False,
               "stands for the application or profile named before it"),
    schema.Key("examples", schema.table(EXAMPLES), None),
), named=True)
ACTOR = schema.Table("actor", (
    schema.Key("id", schema.ident), schema.Key("description", schema.string), schema.Key("regexes", _REGEXES),
    schema.Key("examples", schema.table(EXAMPLES), None),
), named=True)
HEDGE = schema.Table("hedge", ACTOR.keys + (
    schema.Key("reach", schema.integer(1, 1000), None, "counts only this many characters before the outcome"),
    schema.Key("unless", _REGEXES, (), "not a hedge where one of these matches over its first word ('that is why')"),
), named=True)
INSTRUCTION = schema.Table("instruction", ACTOR.keys, named=True)

TOP = schema.Table("(top level)", (
    schema.Key("platform", lambda f, k, v: v, None), schema.Key("template", lambda f, k, v: v, ()),
    schema.Key("signal", lambda f, k, v: v, ()), schema.Key("timing", lambda f, k, v: v, None),
    schema.Key("confidence", lambda f, k, v: v, None),
    schema.Key("outcome", lambda f, k, v: v, ()), schema.Key("object", lambda f, k, v: v, ()),
    schema.Key("actor", lambda f, k, v: v, ()), schema.Key("hedge", lambda f, k, v: v, ()),
    schema.Key("instruction", lambda f, k, v: v, ()),
    schema.Key("advice", lambda f, k, v: v, ()),
))


def _examples(values: dict | None) -> Examples:
    return Examples(**{k: v for k, v in (values or {}).items() if not k.startswith("_")})


def _needs_text(file: str, values: dict) -> None:
    if not values["phrases"] and not values["regexes"]:
        raise PatternError(file, values["_where"], "needs at least one phrase or regex")


def build(documents: list[tuple[str, dict]]) -> PatternSet:
    """Validate parsed TOML documents into a PatternSet. Pure, so lint and tests can feed it."""
    platforms: dict[str, dict] = {}
    general_signals: list[Signal] = []
    advice: dict[str, AdviceEntry] = {}
    timing = Timing()
    confidence = Confidence()
    decisions: dict[str, list] = {"outcomes": [], "objects": [], "actors": [], "hedges": [], "instructions": []}
    ids: dict[str, str] = {}  # every template/signal/advice id -> file, ids are global

    def claim(file: str, key: str, ident: str) -> None:
        if ident in ids:
            raise PatternError(file, key, f"duplicate id {ident!r} (first defined in {ids[ident]})")
        ids[ident] = file

    for file, doc in documents:
        top = TOP.read(file, "", doc)
        platform_id = None
        if top["platform"] is not None:
            p = PLATFORM.read(file, "platform", top["platform"])
            platform_id = p["id"]
            entry = platforms.setdefault(platform_id, {
                "name": "", "domains": [], "tokens": [], "templates": [], "signals": [], "files": []})
            entry["name"] = p["name"] or entry["name"]
            entry["domains"] += [d.lower().lstrip("@.") for d in p["domains"]]
            entry["tokens"] += [t.lower() for t in p["lookalike_tokens"]]
            entry["files"].append(file)
        if top["timing"] is not None:
            timing = _timing(file, TIMING.read(file, "timing", top["timing"]))
        if top["confidence"] is not None:
            values = CONFIDENCE.read(file, "confidence", top["confidence"])
            confidence = Confidence(**{k: v for k, v in values.items() if not k.startswith("_")})
        for i, t in enumerate(schema.tables(TEMPLATE)(file, top["template"])):
            if platform_id is None:
                raise PatternError(file, f"template[{i}]", "templates need a [platform] table in the same file")
            _needs_text(file, t)
            if t["min_hits"] > len(t["phrases"]) + len(t["regexes"]):
                raise PatternError(file, f"{t['_where']}.min_hits",
                                   "must be an integer from 1 to the number of phrases and regexes")
            claim(file, f"template[{i}].id", t["id"])
            evidence = t["evidence"] or {"direction": Direction.NEUTRAL, "weight": 0.0}
            platforms[platform_id]["templates"].append(Template(
                id=t["id"], platform=platform_id, kind=Kind(t["kind"]), description=t["description"],
                phrases=t["phrases"], regexes=t["regexes"], min_hits=t["min_hits"],
                direction=evidence["direction"], weight=evidence["weight"], advice=t["advice"],
                examples=_examples(t["examples"]), file=file))
        for i, s in enumerate(schema.tables(SIGNAL)(file, top["signal"])):
            _needs_text(file, s)
            claim(file, f"signal[{i}].id", s["id"])
            signal = Signal(id=s["id"], platform=platform_id, direction=Direction(s["direction"]), weight=s["weight"],
                            field=s["field"], description=s["description"], phrases=s["phrases"],
                            regexes=s["regexes"], examples=_examples(s["examples"]), file=file, unless=s["unless"])
            (platforms[platform_id]["signals"] if platform_id else general_signals).append(signal)
        for i, o in enumerate(schema.tables(OUTCOME)(file, top["outcome"])):
            claim(file, f"outcome[{i}].id", o["id"])
            decisions["outcomes"].append(OutcomeRule(
                id=o["id"], description=o["description"], kinds=o["kinds"], regexes=o["regexes"], weight=o["weight"],
                context=o["context"], implies=o["implies"], own_object=o["own_object"], clears=o["clears"],
                examples=_examples(o["examples"]), file=file))
        for i, o in enumerate(schema.tables(OBJECT)(file, top["object"])):
            claim(file, f"object[{i}].id", o["id"])
            decisions["objects"].append(ObjectRule(
                id=o["id"], cls=o["class"], description=o["description"], regexes=o["regexes"], owned=o["owned"],
                pronoun=o["pronoun"], refers=o["refers"], examples=_examples(o["examples"]), file=file))
        for table, name in ((ACTOR, "actors"), (HEDGE, "hedges"), (INSTRUCTION, "instructions")):
            for i, o in enumerate(schema.tables(table)(file, top[table.name])):
                claim(file, f"{table.name}[{i}].id", o["id"])
                decisions[name].append(PhraseRule(id=o["id"], description=o["description"], regexes=o["regexes"],
                                                  examples=_examples(o["examples"]), file=file, reach=o.get("reach"),
                                                  unless=tuple(o.get("unless", ()))))
        for i, a in enumerate(schema.tables(ADVICE)(file, top["advice"])):
            claim(file, f"advice[{i}].id", a["id"])
            advice[a["id"]] = AdviceEntry(id=a["id"], title=a["title"], text=a["text"], labels=a["labels"],
                                          order=a["order"], file=file, platforms=a["platforms"],
                                          kinds=tuple(Kind(k) for k in a["kinds"]))

    built = []
    for pid, entry in platforms.items():
        if not entry["name"]:
            raise PatternError(entry["files"][0], "platform.name", f"platform {pid!r} has no name")
        if not entry["domains"]:
            raise PatternError(entry["files"][0], "platform.domains", f"platform {pid!r} has no sender domains")
        built.append(Platform(
            id=pid, name=entry["name"], domains=tuple(dict.fromkeys(entry["domains"])),
            lookalike_tokens=tuple(dict.fromkeys(entry["tokens"] or [pid])),
            templates=tuple(entry["templates"]),
            signals=tuple(entry["signals"]), files=tuple(entry["files"])))
    every = [(t.file, t.phrases) for p in built for t in p.templates] + \
        [(s.file, s.phrases) for p in built for s in p.signals] + [(s.file, s.phrases) for s in general_signals]
    if sum(len(phrases) for _, phrases in every) > MAX_PHRASES_TOTAL:
        raise PatternError(every[-1][0], "phrases", f"the pattern folders hold over {MAX_PHRASES_TOTAL:,} phrases in "
                           "all; keep the ones that identify an email")
    for p in built:
        for t in p.templates:
            for j, advice_id in enumerate(t.advice):
                if advice_id not in advice:
                    raise PatternError(t.file, f"template {t.id!r}.advice[{j}]",
                                       f"unknown advice id {advice_id!r}; define it in advice.toml")
    return PatternSet(platforms=tuple(built), signals=tuple(general_signals), timing=timing,
                      advice=advice, confidence=confidence,
                      decisions=DecisionRules(**{k: tuple(v) for k, v in decisions.items()}),
                      files=tuple(f for f, _ in documents))


def _timing(file: str, values: dict) -> Timing:
    timing = Timing(**{k: v for k, v in values.items() if not k.startswith("_")})
    if not timing.bot_window_seconds <= timing.bot_fade_seconds < timing.human_min_seconds:
        raise PatternError(file, "timing", "need bot_window_seconds <= bot_fade_seconds < human_min_seconds")
    return timing


def compile_regex(file: str, key: str, source: str) -> Regex:
    """Compile with RE2 (linear time). Lookarounds and backreferences are refused with a reason."""
    if _UNSUPPORTED.search(source):
        raise PatternError(file, key, f"regex {source!r} uses a lookaround or backreference, which "
                           "cannot be matched in linear time; rewrite it without them")
    try:
        compiled = _re2_compile(source)
    except Exception as exc:  # say what Python's parser says where it understands the pattern: it says it better
        try:
            re.compile(source)
        except re.error as py_exc:
            exc = py_exc
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
