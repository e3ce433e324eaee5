"""What is this email? Platform, kind, template and signals, each with the text that showed it.

Pure: an Original and a PatternSet in, a MatchResult out. Words alone do not make a platform
email: the sender decides the platform (its own domains, or a lookalike pretending to be it),
and a message from anyone else is `other` even if it quotes a rejection word for word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rejectscan import headers
from rejectscan.models import Direction, Evidence, Kind, MatchResult, Original, Relation
from rejectscan.patterns import Platform, PatternSet, Signal, Template
from rejectscan.decide import Decision, KEPT, decide
from rejectscan.language import unreadable
from rejectscan.text import normalise, unquoted, visible, without_quotations

MAX_MATCH_CHARS = 30_000  # notifications are short; a huge body is read from its start


@dataclass(frozen=True)
class PlatformGuess:
    platform: Platform | None
    relation: Relation
    reason: str


@dataclass(frozen=True)
class Prepared:
    """The text in the two forms matching needs: casefolded for phrases, as written for regexes."""

    normal: str
    clean: str
    body: str
    subject: str
    from_addr: str
    from_name: str
    auto_submitted: str = ""  # the original's own Auto-Submitted header (none survives an inline forward)


def prepare(original: Original) -> Prepared:
    body = without_quotations((original.body or "")[:MAX_MATCH_CHARS])
    clean = unquoted(body)
    return Prepared(normal=normalise((original.subject or "") + "\n" + body), clean=clean, body=body,
                    subject=original.subject or "", from_addr=original.from_addr or "",
                    from_name=original.from_name or "",
                    auto_submitted=original.mail.auto_submitted if original.mail is not None and not original.via.inline
                    else "")


# letters other scripts share with Latin ones, as a reader sees them (after Unicode's confusables)
_CONFUSABLE = str.maketrans({"а": "a", "е": "e", "о": "o", "р": "p", "с": "c", "у": "y", "х": "x", "к": "k",
                             "і": "i", "ј": "j", "ԝ": "w", "ո": "n", "ս": "u", "ο": "o", "α": "a", "ε": "e",
                             "ν": "v", "υ": "u", "κ": "k", "ρ": "p", "τ": "t", "ι": "i", "ѕ": "s", "һ": "h",
                             "ɡ": "g", "ı": "i", "0": "o"})


def _skeleton(domain: str) -> str:
    """The domain as a reader sees it: punycode labels decoded, look-alike letters made Latin,
    invisible characters dropped ('xn--upwrk-…', 'upwоrk' with a Cyrillic o -> 'upwork')."""
    labels = []
    for label in domain.split("."):
        if label.startswith("xn--"):
            try:
                label = label.encode("ascii").decode("idna")
            except (UnicodeError, ValueError):
                pass
        labels.append(label)
    return visible(".".join(labels)).replace("\u00ad", "").translate(_CONFUSABLE)


def _ascii(domain: str) -> str:
    """The domain as DNS spells it (punycode), so the disguise shows."""
    try:
        return domain.encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return domain.encode("ascii", "backslashreplace").decode("ascii")


# Words a platform's own senders put beside its name ("Upwork Support", "The Fiverr Team"): a
# display name made of the name and these, or "<someone> from/at <name>", speaks for the platform;
# "Guru Prasad" or "SEO Guru" is a person who happens to share a word with one.
_ROLE_WORDS = (r"(?:the|team|support|help|helpdesk|desk|customer|care|service|services|notifications?|no-?reply|"
               r"do\s*not\s*reply|donotreply|billing|payments?|security|trust|safety|and|&|\+|accounts?|review|reviews|"
               r"verification|onboarding|admin|administrator|official|inc\.?|ltd\.?|llc|global|mail|info|hello|talent|"
               r"marketplace|moderation|compliance|integrity|community|updates|news|alerts?|messages?|seller|freelancer|"
               r"success|quality|screening|network|operations|hq|\.com|com|"
               # the same in the languages platforms write in: "Upwork Sécurité", "L'équipe Fiverr"
               r"sécurité|securite|seguridad|segurança|seguranca|sicherheit|sicurezza|soporte|suporte|supporto|"
               r"assistance|assistenza|équipe|equipe|equipo|squadra|kundenservice|kundendienst|servicio|serviço|"
               r"servizio|atención|atendimento|cliente|clientes|notificaciones|notificações|benachrichtigungen|"
               r"compte|cuenta|conta|konto|de|del|da|do|la|le|l|el|das|der|die|von|du|des)")


def _claims_to_be(name: str, token: str) -> bool:
    """Does a display name (casefolded) speak in the platform's name? See _ROLE_WORDS."""
    platform = rf"(?<![\w.]){re.escape(token)}(?![\w])"
    if not re.search(platform, name):
        return False
    rest = re.sub(platform, " ", name, count=1)
    rest = re.sub(r"[^\w&+@]+", " ", rest).strip()  # punctuation, emoji
    if re.fullmatch(rf"(?:{_ROLE_WORDS}\s*)*", rest):
        return True  # "Upwork", "The Upwork Team", "Support - Upwork"
    # "Jane from Upwork", "Jane at Upwork Support": a person speaking for the platform
    return bool(re.search(rf"(?:\b(?:from|at|with|of|via)\s+|@\s*|\(\s*){platform}", name))


def identify_platform(from_addr: str, from_name: str, patterns: PatternSet, inline_forward: bool = False) -> PlatformGuess:
    """The platform the sender is, or pretends to be."""
    domain = from_addr.rsplit("@", 1)[1].lower() if "@" in from_addr else ""
    for platform in patterns.platforms:
        if domain and any(domain == d or domain.endswith("." + d) for d in platform.domains):
            return PlatformGuess(platform, Relation.SENDER, f"sent from {domain}, one of {platform.name}'s domains")
    seen = _skeleton(domain)
    for platform in patterns.platforms:
        for token in platform.lookalike_tokens:
            if domain and (token in domain or token in seen):
                disguise = f", written with look-alike letters ({_ascii(domain)})" if seen != domain else ""
                return PlatformGuess(platform, Relation.LOOKALIKE,
                                     f"the sender's domain {domain} only looks like {platform.name}'s "
                                     f"({', '.join(platform.domains[:3])}){disguise}")
        name = from_name.casefold()
        if name and not domain and inline_forward:
            # "From: Upwork" in a forwarded header block: a client that shows names only, not a pretender
            if any(re.search(rf"(?<![\w.]){re.escape(t)}(?![\w])", name)
                   for t in (platform.name.casefold(), *platform.lookalike_tokens)):
                return PlatformGuess(platform, Relation.SENDER,
                                     f"the forwarded copy names the sender {from_name!r}, without its address")
            continue
        if name and any(_claims_to_be(name, t) for t in (platform.name.casefold(), *platform.lookalike_tokens)):
            where = domain or "no address"
            return PlatformGuess(platform, Relation.LOOKALIKE,
                                 f"the sender calls itself {from_name!r} but writes from {where}, "
                                 f"not from {platform.name}'s domains")
    return PlatformGuess(None, Relation.NONE, "")


def match(original: Original, patterns: PatternSet) -> tuple[MatchResult, PlatformGuess]:
    guess = identify_platform(original.from_addr, original.from_name, patterns, original.via.inline)
    if guess.platform is None and original.mail is not None and len(original.mail.from_headers) > 1:
        # several From headers: whichever names a platform is what some mail clients show
        for raw in original.mail.from_headers[1:]:
            boxes = headers.mailboxes_in(raw)
            box = next((b for b in boxes if "@" in b.addr), boxes[0] if boxes else headers.Mailbox("", ""))
            guess = identify_platform(box.addr.lower(), box.name, patterns)
            if guess.platform is not None:
                break
    text = prepare(original)
    if guess.platform is None:
        notes = ()
        quoted = _best_template(text, [t for p in patterns.platforms for t in p.templates], patterns)
        if quoted is not None:
            notes = (f"quotes {quoted[0].platform} wording ({quoted[0].id}) but was not sent by the platform",)
        return MatchResult(platform=None, kind=Kind.OTHER, template=None, notes=notes), guess
    platform = guess.platform
    signals = tuple(evaluate_signals(text, (*patterns.signals, *platform.signals)))
    best = _best_template(text, list(platform.templates), patterns)
    decision = decide(original.subject or "", text.body, patterns.decisions)
    read = _read_as(decision)
    if best is not None and decision.kind is None and any(
            normalise(matched) in normalise(r.sentence) for matched, _ in best[1] for r in decision.lookalikes):
        best = None  # the sentences read the template's very words as about something else
    if best is not None:
        template, hits = best
        evidence = tuple(
            Evidence(id=template.id, direction=template.direction, weight=template.weight if i == 0 else 0.0,
                     description=template.description, matched=matched, score=score)
            for i, (matched, score) in enumerate(hits))
        exact = all(score is None or score >= 100 for _, score in hits)
        # everyday-mail templates (kind other) never outweigh a decision the sentences state, and a
        # submission's stock words ("thanks for submitting your profile") never outweigh a decision
        trusted = exact and template.kind is not Kind.OTHER and not (
            template.kind is Kind.SUBMISSION and decision.kind in (Kind.REJECTION, Kind.APPROVAL, Kind.SUSPENSION))
        if trusted or decision.kind in (None, template.kind):
            return MatchResult(platform=platform.id, kind=template.kind, template=template.id,
                               template_description=template.description, evidence=evidence + signals,
                               advice_ids=template.advice), guess
        # a near miss of a template whose sentences say something else: the sentences decide
        return MatchResult(platform=platform.id, kind=decision.kind, template=None, evidence=signals,
                           notes=(f"the wording is close to the {template.kind.value} template {template.id!r}, "
                                  f"but {read}",)), guess
    if decision.kind is not None:
        personal = any(e.direction is Direction.HUMAN for e in signals)
        note = f"{read[0].upper()}{read[1:]}" + ("" if personal else
                                                 f"; the wording matches none of the known {platform.name} templates. "
                                                 "If you receive this wording often, add it as a template in a folder "
                                                 "of your own (--patterns DIR; README, \"Patterns\")")
        return MatchResult(platform=platform.id, kind=decision.kind, template=None, evidence=signals,
                           notes=(note,)), guess
    notes = ()
    if decision.lookalikes:
        first = decision.lookalikes[0]
        notes = (f"not about your profile: {first.sentence!r} is about {_about(first.object)}",)
    elif (language := unreadable(text.body)) is not None:
        # rules that read English found nothing: that says nothing about an email in another language
        return MatchResult(platform=platform.id, kind=Kind.OTHER, template=None, evidence=signals,
                           language=language,
                           notes=(f"written in {language}: the decision rules read English only (README, "
                                  "\"How it decides\")",)), guess
    return MatchResult(platform=platform.id, kind=Kind.OTHER, template=None, evidence=signals, notes=notes), guess


_ABOUT = {"proposal": "a proposal, bid or job", "work": "a contract, order or review", "money": "a payment",
          "listing": "a part of your profile or a listing, not the profile itself",
          "identity": "an identity or security check", "content": "a message or post",
          "actor:client": "a client's decision", "actor:you-asked": "something you asked for yourself",
          KEPT: "something else: the same email says your profile or account stays as it is"}


def _about(name: str) -> str:
    return _ABOUT.get(name) or ("someone else's decision" if name.startswith("actor:") else name)


def _read_as(decision: Decision) -> str:
    """'it reads as a rejection: "..."' for the note that says how the kind was read."""
    if decision.kind is None or not decision.readings:
        return ""
    sentence = decision.readings[0].sentence
    quoted = sentence if len(sentence) <= 120 else sentence[:117].rstrip() + "..."
    return f"the email reads as a {decision.kind.value}: {quoted!r}"


def template_hits(text: Prepared, template: Template, min_score: float) -> list[tuple[str, float | None]]:
    """(matched text, fuzzy score or None for a regex) for every phrase and regex that hits."""
    hits: list[tuple[str, float | None]] = []
    for phrase in template.phrases:
        found = phrase_hit(phrase, text.normal, min_score)
        if found is not None:
            hits.append(found)
    for regex in template.regexes:
        m = regex.search(text.subject + "\n" + text.clean)
        if m:
            hits.append((m.group(0), None))
    return hits


def phrase_hit(phrase: str, normal_text: str, min_score: float) -> tuple[str, float] | None:
    """Exact, else fuzzy (rapidfuzz partial ratio) so small rewordings still match."""
    if phrase in normal_text:
        return phrase, 100.0
    if len(phrase) < 12:
        return None  # short phrases fuzz into false hits
    from rapidfuzz import fuzz  # lazy: only when exact matching failed

    found = fuzz.partial_ratio_alignment(phrase, normal_text, score_cutoff=min_score)
    if found is None:
        return None
    return normal_text[found.dest_start:found.dest_end], round(found.score, 1)


def _best_template(text: Prepared, templates: list[Template], patterns: PatternSet):
    best = None
    best_score = 0.0
    for template in templates:
        hits = template_hits(text, template, patterns.timing.fuzzy_min_score)
        if len(hits) < template.min_hits:
            continue
        score = sum(len(matched) * (s or 100.0) for matched, s in hits)
        if score > best_score:
            best, best_score = (template, hits), score
    return best


def evaluate_signals(text: Prepared, signals) -> list[Evidence]:
    found = []
    for signal in signals:
        hit = signal_hit(signal, text)
        if hit is not None:
            found.append(Evidence(id=signal.id, direction=signal.direction, weight=signal.weight,
                                  description=signal.description, matched=hit))
    return found


def signal_hit(signal: Signal, text: Prepared) -> str | None:
    target = {"body": text.clean, "from": text.from_addr, "from_name": text.from_name,
              "subject": text.subject, "auto-submitted": text.auto_submitted}[signal.field]
    normal = text.normal if signal.field == "body" else normalise(target)
    for phrase in signal.phrases:
        if phrase in normal:
            return phrase
    for regex in signal.regexes:
        for n, m in enumerate(regex.finditer(target)):
            if n >= 20:
                break
            matched = m.group(0).strip()
            # a regex that captures a group (a signature's name) is checked on that group
            checked = m.group(1) if regex.compiled.groups and m.group(1) else matched
            if not any(word in normalise(checked).split() for word in signal.unless):
                return matched
    return None
