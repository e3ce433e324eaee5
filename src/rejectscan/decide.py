"""What does this email decide? Read from its sentences, not from a template. Pure.

A decision is an outcome said of an object that belongs to the user, within one sentence (the
subject line is one): "your application (object) has not been approved (outcome)". The object's
class turns the outcome into a kind (patterns/decisions.toml). A sentence says nothing when a
hedge comes before its outcome ("if", "once", a question) or a client makes the decision; an
outcome said of a proposal, order or payment is a look-alike. Decisions (rejection, approval,
suspension) outweigh a mere submission; among them the strongest wins, the later on a tie.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from rejectscan.models import Kind
from rejectscan.patterns import DecisionRules, ObjectRule
from rejectscan.text import INVISIBLE, PUNCTUATION

MAX_CHARS = 30_000  # notifications are short; a huge body is read from its start
MAX_SENTENCES = 400
SUBJECT_WEIGHT = 1.5  # a subject line that states the decision counts more
REPLY_SUBJECT_WEIGHT = 1.0  # "Re: my profile was rejected": the user's own subject, used only when the body says nothing
PRONOUN_WEIGHT = 0.6  # "you" as the object is a weaker reading than "your application"
OWNER_REACH = 40
_DIRECT = re.compile(r"\s+(?:your|ur|the|this)\s+(?:(?!(?:from|to|on|in|of|for|with|at|by|into|onto)\b)[\w-]+\s+){0,2}")  # "approve your seller account", not "added to your profile"
OBJECT_AFTER = 12  # "approve your seller account": the user's object right after the outcome is the one it is said of
WRAPPED_LINE = 45  # a line at least this long that ends mid-sentence was wrapped by the mail client
DECISION_MIN = 1.0  # a decision needs one plain sentence, or several weaker ones ("welcome aboard" alone is not one)
SUBMISSION_MIN = 0.5  # "your" must stand this close before an owned object
_SPLIT = re.compile(r"(?:(?<=[^.]\.)|(?<=[!?;]))\s+|\n+")  # not after dot leaders ("Outcome ....")
_BULLET = re.compile(r"^\s*(?:[-*•·]+|\d+[.)])\s+")
_OWNER = re.compile(r"\b(?:your|ur|the|this)\s+(?:[\w.&'-]+\s+){0,2}$")  # "ur": typed on a phone
_OTHERS = re.compile(r"\b(?:my|his|her|their|another|someone.s|somebody.s|other|others.)\s+(?:[\w.&'-]+\s+){0,2}$")
_OWNER_AFTER = re.compile(r"\s*(?:that\s+)?you(?:'ve)?\s+(?:submitted|sent|made|created|applied|registered)\b")
_BOUNDARY = re.compile(r",\s*but\b|\bbut\b|:\s")
_DECISIONS = (Kind.REJECTION, Kind.APPROVAL, Kind.SUSPENSION)
_REFUSALS = (Kind.REJECTION, Kind.SUSPENSION)
KEPT = "standing kept"  # the look-alike's object when the email says the user's standing is untouched
_REPLY = re.compile(r"^\s*(?:\[[^\]]{1,40}\]\s*)?(?:re|aw|sv|antw|rif|r|vs|odp|ynt)\s*(?:\[\d+\])?\s*:", re.IGNORECASE)
_LEADER = re.compile(r"^\s*[\w ]{2,30}?(?:\s*\.{3,}|\s*:)\s*$")
_TELEGRAM = re.compile(r"(?:[\w.&' -]{1,30}:\s*(?:[\w-]+\s+)?)?")  # "Fiverr: seller ", or nothing, before it
_AND = re.compile(r"\s*(?:,\s*)?(?:and|&|plus|as\s+well\s+as)\s+(?:(?:your|the|its|all|any)\s+)?(?:[\w-]+\s+){0,2}?")  # joins two objects
_QUOTED = re.compile(r'"[^"]{1,300}"|(?<![\w])\'[^\']{1,300}\'(?![\w])')


@dataclass(frozen=True)
class Sentence:
    text: str  # lowercased, quotes and spaces made plain: what the rules match
    shown: str  # as written, for the evidence
    subject: bool = False
    reply: bool = False  # a reply's subject line: the words are usually the user's, not the platform's


@dataclass(frozen=True)
class Reading:
    """One sentence read as a decision (or a look-alike, when kind is None)."""

    kind: Kind | None
    weight: float
    outcome: str
    object: str
    sentence: str
    index: int
    subject: bool
    reply: bool = False  # read from a reply's subject line
    cls: str = ""  # the object class it was read of
    clears: tuple[str, ...] = ()  # "your profile stays public": the classes whose refusals here are about something else


@dataclass(frozen=True)
class Decision:
    kind: Kind | None  # None: the email decides nothing about the user's standing
    readings: tuple[Reading, ...]  # what decided it, strongest first
    lookalikes: tuple[Reading, ...]  # outcomes said of something else (a proposal, a payment...)


def sentences(subject: str, body: str) -> list[Sentence]:
    """The subject, then the body's sentences; quoted lines ('>') are someone else's words."""
    out = ([Sentence(plain(subject), subject.strip(), subject=True, reply=bool(_REPLY.match(subject)))]
           if subject and subject.strip() else [])
    lines = [line for line in (body or "")[:MAX_CHARS].translate(INVISIBLE).split("\n")
             if not line.lstrip().startswith(">")]
    for piece in _SPLIT.split(unwrap_lines(lines)):
        shown = _BULLET.sub("", piece).strip()
        if shown:
            out.append(Sentence(plain(shown), shown))
        if len(out) >= MAX_SENTENCES:
            break
    return out


def unwrap_lines(lines: list[str]) -> str:
    """Lines a mail client wrapped at 70-100 columns joined back into their sentence; a short line,
    a line ending a sentence, a blank line or a bullet stays a break. A "Label ....." or "Label:"
    line is joined with its value on the next line (a status block)."""
    out: list[str] = []
    for line in lines:
        text = line.rstrip()
        if out and out[-1] and text.strip() and not _BULLET.match(text) and _continues(out[-1]):
            out[-1] = out[-1] + " " + text.strip()
        else:
            out.append(text)
    return "\n".join(out)


def _continues(previous: str) -> bool:
    previous = previous.rstrip()
    if _LEADER.search(previous):
        return True  # "Outcome ........" then "Unsuccessful"
    return len(previous) >= WRAPPED_LINE and not previous.endswith((".", "!", "?", ";", ":"))


def plain(text: str) -> str:
    """Lowercased, plain quotes and spaces, and quoted words (a Gig's title, someone quoted) left out."""
    text = re.sub(r"\s+", " ", text.translate(INVISIBLE).translate(PUNCTUATION)).strip().lower()
    return _QUOTED.sub(' "" ', text)


def decide(subject: str, body: str, rules: DecisionRules) -> Decision:
    readings: list[Reading] = []
    lookalikes: list[Reading] = []
    cleared: set[str] = set()
    context: ObjectRule | None = None
    for index, sentence in enumerate(sentences(subject, body)):
        found, objects = _read(sentence, index, rules, context)
        readings += [r for r in found if r.kind is not None]
        lookalikes += [r for r in found if r.kind is None and not r.clears]
        cleared.update(c for r in found for c in r.clears)
        mentioned = [o.rule for o in objects if o.rule.cls != "other" and not o.rule.pronoun and not o.someone_elses]
        if mentioned:
            context = mentioned[-1]  # what a later "it" or a bare "Status: Declined" is about
    if any(not r.subject for r in readings + lookalikes):
        # a reply's subject tells what the user wrote about, not what this answer decides
        readings = [r for r in readings if not r.reply]
        lookalikes = [r for r in lookalikes if not r.reply]
    # "your profile stays public": a refusal in the same email is of something else (a programme, a badge)
    refused = [r for r in readings if r.kind in _REFUSALS and r.cls in cleared]
    readings = [r for r in readings if r not in refused]
    lookalikes += [replace(r, kind=None, weight=0.0, object=KEPT) for r in refused]
    kind = _verdict(readings, lookalikes)
    strongest = sorted((r for r in readings if r.kind is kind), key=lambda r: (-r.weight, r.index))
    return Decision(kind=kind, readings=tuple(strongest), lookalikes=tuple(lookalikes))


def _verdict(readings: list[Reading], lookalikes: list[Reading]) -> Kind | None:
    """The decision with the most weight (at least DECISION_MIN), else a submission, else nothing."""
    if lookalikes and all(r.weight < 1.0 for r in readings):
        return None  # only weak readings ("welcome aboard") against a clear decision about something else
    score: dict[Kind, float] = {}
    last: dict[Kind, int] = {}
    for r in readings:
        score[r.kind] = score.get(r.kind, 0.0) + r.weight
        last[r.kind] = max(last.get(r.kind, -1), r.index)
    decided = [k for k in _DECISIONS if score.get(k, 0.0) >= DECISION_MIN]
    if decided:
        return max(decided, key=lambda k: (round(score[k], 6), last[k]))
    return Kind.SUBMISSION if score.get(Kind.SUBMISSION, 0.0) >= SUBMISSION_MIN else None


def _matches(regexes, text: str) -> list[tuple[int, int]]:
    spans = []
    for regex in regexes:
        for n, m in enumerate(regex.finditer(text)):
            if n >= 20:
                break
            if m.end() > m.start():
                spans.append((m.start(), m.end()))
    return spans


def hits(rule, text: str) -> list[tuple[int, int]]:
    """Where a rule matches, less the places its `unless` regexes cover ('that is why' is no hedge)."""
    unless = _matches(getattr(rule, "unless", ()), text)
    return [(s, e) for s, e in _matches(rule.regexes, text) if not any(us <= s < ue for us, ue in unless)]


def _longest(items: list, same_span: bool = False) -> list:
    """Among overlapping matches keep the longest ('not been approved' over 'been approved');
    same_span: two rules matching exactly the same words are both kept ('has been closed' is a
    restriction of an account and the end of an application: the object tells which)."""
    kept: list = []
    for item in sorted(items, key=lambda x: -(x[2] - x[1])):
        if all(item[2] <= k[1] or item[1] >= k[2] or (same_span and (item[1], item[2]) == (k[1], k[2]))
               for k in kept):
            kept.append(item)
    return sorted(kept, key=lambda x: x[1])


def _owned(text: str, start: int, end: int) -> bool:
    """'your seller application', 'the account', 'the application you submitted', and a notice's
    bare first words ('Fiverr: seller application not approved.'), which speak of the reader's."""
    return bool(_OWNER.search(text, max(0, start - OWNER_REACH), start) or _OWNER_AFTER.match(text, end)
                or _TELEGRAM.fullmatch(text, 0, start))


@dataclass(frozen=True)
class _Object:
    rule: ObjectRule
    start: int
    end: int
    owned: bool
    someone_elses: bool = False  # "my profile" in a job title, "another account": not the user's


def _objects(sentence: Sentence, rules: DecisionRules) -> list[_Object]:
    text = sentence.text
    found = _longest([(rule, s, e) for rule in rules.objects for s, e in _matches(rule.regexes, text)])
    return [_Object(rule, s, e, sentence.subject or _owned(text, s, e),
                    # in a reply's subject "my profile" is the user's own words about their own
                    not sentence.reply and bool(_OTHERS.search(text, max(0, s - OWNER_REACH), s)))
            for rule, s, e in found]


def _read(sentence: Sentence, index: int, rules: DecisionRules,
          context: ObjectRule | None) -> tuple[list[Reading], list[_Object]]:
    text = sentence.text
    outcomes = _longest([(rule, s, e) for rule in rules.outcomes for s, e in _matches(rule.regexes, text)],
                        same_span=True)
    named = _objects(sentence, rules)
    objects = named
    if not outcomes:
        return [], named
    actor = next((a for a in rules.actors if _matches(a.regexes, text)), None)
    if actor is not None:  # someone else decided (a client), or the user asked for it
        return [Reading(None, 0.0, o.id, f"actor:{actor.id}", sentence.shown, index, sentence.subject, sentence.reply)
                for o, _, _ in outcomes], named
    hedges = [(s, h.reach) for h in rules.hedges for s, _ in hits(h, text)]
    out = []
    for rule, start, end in outcomes:
        if _hedged(text, start, hedges) or "?" in text[end:]:  # a question: "is my account suspended? (#123)"
            continue
        # not a word of the outcome itself ("unable to offer you": 'offer' is no proposal here),
        # unless it is the user's ("we won't be taking your application further")
        candidates = [o for o in objects if o.rule.pronoun or o.rule.refers or o.owned
                      or not (start <= o.start and o.end <= end)]
        target = _nearest(candidates, start, end, text)
        if target is not None and target.rule.cls == "other":
            target = _coordinated(text, candidates, target) or target
        if rule.implies and (rule.own_object or target is None or target.rule.cls != "other"):
            target = None  # the outcome names its object ("Status: Declined", "welcome aboard")
        weight = rule.weight * (REPLY_SUBJECT_WEIGHT if sentence.reply else SUBJECT_WEIGHT if sentence.subject else 1.0)
        cls, name = None, ""
        if target is not None and target.rule.refers:
            earlier = [o for o in candidates if o.start < target.start and o.rule.cls != "other" and not o.rule.pronoun]
            if earlier and earlier[-1].someone_elses:
                continue  # "rewrite my profile after it was rejected": someone else's
            ref = earlier[-1].rule if earlier else context
            if ref is None and not target.rule.pronoun:
                ref = target.rule  # "we've had to decline yours": the user's, whatever it was
            if ref is not None and ref.cls != "other":
                cls, name = ref.cls, ref.id
        elif target is not None:
            if target.rule.owned and not target.owned:
                continue  # "many profiles", "another account": not the user's standing
            cls, name = target.rule.cls, target.rule.id
            if target.rule.pronoun and rule.kinds.get(cls) is not Kind.REJECTION:
                weight *= PRONOUN_WEIGHT  # "you can now ..." is a weaker reading than "your profile is approved"
        if cls is None and rule.implies:
            cls, name = rule.implies, rule.id
        if cls is None and rule.context and context is not None:
            cls, name = context.cls, context.id
        if cls is None:
            continue
        if cls == "other":
            out.append(Reading(None, 0.0, rule.id, name, sentence.shown, index, sentence.subject, sentence.reply))
            continue
        if cls in rule.clears:
            # "your account and profile remain as they are": what is said of both keeps both
            joined = [cls] + ([o.rule.cls for o in _joined(text, candidates, target)] if target is not None else [])
            clears = tuple(dict.fromkeys(c for j in joined if j in rule.clears for c in rule.clears[j]))
            out.append(Reading(None, 0.0, rule.id, name, sentence.shown, index, sentence.subject, sentence.reply,
                               cls, clears))
            continue
        kind = rule.kinds.get(cls)
        if kind is not None:
            out.append(Reading(kind, weight, rule.id, name, sentence.shown, index, sentence.subject, sentence.reply,
                               cls))
    return out, named


def _nearest(objects: list[_Object], start: int, end: int, text: str) -> _Object | None:
    """The nearest noun or 'it' (the user's own first when two are as near); 'you' only when there is none."""
    nouns = [o for o in objects if not o.rule.pronoun or o.rule.refers]
    pool = nouns or objects
    if not pool:
        return None
    after = [o for o in pool if o.owned and not o.rule.pronoun and 0 <= o.start - end <= OBJECT_AFTER
             and _DIRECT.fullmatch(text, end, o.start)]
    if after:
        return min(after, key=lambda o: o.start)  # "we can't approve your account": the verb's own object
    return min(pool, key=lambda o: (max(0, o.start - end, start - o.end), not o.owned))


def _coordinated(text: str, objects: list[_Object], target: _Object) -> _Object | None:
    """'your profile and ID documents are in review': an outcome said of both is said of the
    user's standing too, so the profile, not the documents, decides what it means."""
    joined = _joined(text, objects, target)
    return joined[0] if joined else None


def _joined(text: str, objects: list[_Object], target: _Object) -> list[_Object]:
    """The user's standing objects named together with the target ('your account and profile')."""
    out = []
    for o in objects:
        if o is target or o.rule.cls == "other" or o.rule.pronoun or not o.owned:
            continue
        between = text[o.end:target.start] if o.end <= target.start else text[target.end:o.start] if target.end <= o.start else None
        if between is not None and _AND.fullmatch(between):
            out.append(o)
    return out


def _hedged(text: str, at: int, hedges: list[tuple[int, int | None]]) -> bool:
    """A hedge before the outcome (within its reach), with no 'but' or colon between them."""
    return any(h < at and (reach is None or at - h <= reach) and not _BOUNDARY.search(text, h, at)
               for h, reach in hedges)
