"""Which findings are shown, and the one-line summary of a run. Pure.

Everything judged is stored and marked reported; what is *shown* depends on who reads it. A person
at a terminal, a cron mail (`--quiet`), a notifier and the desktop get decisions only (rejection,
approval, suspension), so a job alert never mails anyone; a program reading json, jsonl or csv
gets every kind, as before. `--kind` (repeatable) chooses exactly, for all of them.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Iterable, Sequence

from rejectscan.models import Kind, Label
from rejectscan.record import Record
from rejectscan.textout import listing, plural

DECISIONS = frozenset({Kind.REJECTION, Kind.APPROVAL, Kind.SUSPENSION})
EVERY_KIND = frozenset(Kind)
CHOICES = ("all", "decisions", *(k.value for k in Kind))


@dataclass(frozen=True)
class Showing:
    """What goes to the output and what to the notifiers."""

    output: frozenset[Kind]
    notify: frozenset[Kind]
    chosen: bool = False  # --kind was given

    def shows(self, record: Record) -> bool:
        return record.kind in self.output or (record.unread and Kind.REJECTION in self.output)

    def notifies(self, record: Record) -> bool:
        """An email rejectscan could not read goes wherever a rejection would: it may be one."""
        return record.kind in self.notify or (record.unread and Kind.REJECTION in self.notify)


def kinds(values: Iterable[str]) -> frozenset[Kind]:
    """--kind values: a kind, `decisions` or `all`."""
    out: set[Kind] = set()
    for value in values:
        if value == "all":
            out |= EVERY_KIND
        elif value == "decisions":
            out |= DECISIONS
        else:
            out.add(Kind(value))
    return frozenset(out)


def showing(chosen: Iterable[str], fmt: str, quiet: bool) -> Showing:
    given = kinds(chosen)
    if given:
        return Showing(output=given, notify=given, chosen=True)
    output = DECISIONS if fmt == "text" or quiet else EVERY_KIND
    return Showing(output=output, notify=DECISIONS)


_NAMES = {
    Kind.REJECTION: ("rejection", "rejections"),
    Kind.APPROVAL: ("approval", "approvals"),
    Kind.SUSPENSION: ("restriction or suspension", "restrictions or suspensions"),
    Kind.SUBMISSION: ("submission confirmation", "submission confirmations"),
    Kind.OTHER: ("email that decides nothing about your profile", "emails that decide nothing about your profile"),
}
_ORDER = (Kind.REJECTION, Kind.SUSPENSION, Kind.APPROVAL, Kind.SUBMISSION, Kind.OTHER)


@dataclass
class Tally:
    """Counts of what a run found, kept as it goes (a run over a huge export keeps no records)."""

    kinds: Counter = field(default_factory=Counter)
    labels: Counter = field(default_factory=Counter)
    forged: int = 0
    others: int = 0  # not platform mail (--include-all)
    unread: int = 0  # platform mail in a language the rules cannot read

    def add(self, record: Record) -> None:
        if record.platform is None:
            self.others += 1
            return
        if record.unread:
            self.unread += 1
            return
        self.kinds[record.kind] += 1
        if record.kind is Kind.REJECTION:
            if record.forged:
                self.forged += 1
            elif record.label is not None:
                self.labels[record.label] += 1

    @property
    def total(self) -> int:
        return sum(self.kinds.values()) + self.unread + self.others


def tally(records: Iterable[Record]) -> Tally:
    t = Tally()
    for record in records:
        t.add(record)
    return t


def summary(t: Tally, policy: Showing) -> str:
    """One line for the end of a run: '3 platform emails: 1 rejection (automated) and 2 emails that
    decide nothing about your profile (not shown)'."""
    if not t.total:
        return "No platform email found."
    parts = []
    for kind in _ORDER:
        n = t.kinds.get(kind, 0)
        if not n:
            continue
        one, many = _NAMES[kind]
        part = plural(n, one, many)
        if kind is Kind.REJECTION:
            said = [f"{t.labels[label]} {label.value}" for label in (Label.AUTOMATED, Label.HUMAN, Label.UNKNOWN)
                    if t.labels.get(label)]
            said += [f"{t.forged} forged"] if t.forged else []
            part += f" ({listing(said)})" if said else ""
        if kind not in policy.output:
            part += " (not shown)"
        parts.append(part)
    if t.unread:
        part = plural(t.unread, "email", "emails") + " in a language rejectscan cannot read yet"
        parts.append(part + ("" if Kind.REJECTION in policy.output else " (not shown)"))
    platform = sum(t.kinds.values()) + t.unread
    line = plural(platform, "platform email") + (": " + listing(parts) if parts else "")
    if t.others:
        line += f"; {plural(t.others, 'other email')}"
    hidden = [k.value for k in _ORDER if t.kinds.get(k) and k not in policy.output]
    if hidden:
        line += ". Show them with --kind " + " --kind ".join(hidden)
    return line + "."
