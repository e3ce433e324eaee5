"""Output: records, history, doctor checks and pattern tools as text, JSON, JSON lines or CSV.

The JSON fields of a record are a contract (record.py; README "Output"). Text is for people:
one block per message saying who, when, why and what next.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Sequence, TextIO

from rejectscan.history import EventKind, History, counts
from rejectscan.models import Kind, Label, TimeSource
from rejectscan.record import Record
from rejectscan.safe import csv_cell, field, json_line
from rejectscan.showing import CHOICES as KIND_CHOICES  # noqa: F401 (for the CLI)
from rejectscan.showing import summary as summary_line  # noqa: F401
from rejectscan.text import duration
from rejectscan.textout import Line, Page, Tone, fit, page_for, plural  # noqa: F401 (page_for: for the CLI)

FORMATS = ("text", "json", "jsonl", "csv")
CSV_FIELDS = ("source", "message_id", "from", "subject", "forwarded", "platform", "kind", "sent_at",
              "sent_at_source", "authentic", "template", "label", "confidence", "submitted_at",
              "delay_seconds", "reasons", "advice", "warnings")


@dataclass(frozen=True)
class Vocabulary:
    """What text output needs to know about the patterns: platform names, advice shown as one line."""

    names: dict[str, str]
    always: frozenset[str] = frozenset()
    zone: tzinfo | None = None  # the user's: every time in a text block is shown in it (None: as written)


class RecordWriter:
    """Writes records to a stream: text and jsonl one at a time as they come (each flushed), json
    and csv whole (`write`), or any format record by record as they are made (`sink`).
    `quiet`: nothing at all when there is nothing new."""

    def __init__(self, fmt: str, stream: TextIO, vocabulary: Vocabulary, quiet: bool = False,
                 page: Page = Page()) -> None:
        self.fmt = fmt
        self.stream = stream
        self.vocabulary = vocabulary
        self.quiet = quiet
        self.page = page
        self.streams = fmt in ("text", "jsonl")
        self._first = True

    def write(self, records: Sequence[Record]) -> None:
        if self.fmt in ("json", "csv"):  # a whole array or table: what the sink writes record by record
            sink = self.sink()
            for record in records:
                sink.add(record)
            sink.close()
        else:
            for record in records:
                if self.fmt == "jsonl":
                    self.stream.write(json_line(json.dumps(record.to_json(), ensure_ascii=False)) + "\n")
                else:
                    self.stream.write(("" if self._first else "\n") + to_text(record, self.vocabulary, self.page))
                self._first = False
        self.stream.flush()

    def sink(self) -> "RecordStream":
        """A sink that writes each record as it comes, in any format, with the same bytes `write`
        gives for the whole list: a JSON array or CSV table is opened, filled and closed."""
        return RecordStream(self)

    def nothing_new(self, hidden: int = 0) -> None:
        if self.quiet or self.fmt == "jsonl":
            return
        if self.fmt == "text":
            self.stream.write("No new platform email.\n" if not hidden else "No new decision about your profile.\n")
        else:
            self.write([])
        self.stream.flush()


class RecordStream:
    """Records out one by one, each flushed: nothing waits for the end of the input."""

    def __init__(self, writer: RecordWriter) -> None:
        self.writer = writer
        self.count = 0
        self._csv = None

    def add(self, record: Record) -> None:
        w, out = self.writer, self.writer.stream
        if w.fmt == "json":
            body = json_line(json.dumps(record.to_json(), indent=2, ensure_ascii=False))
            out.write(("[\n" if not self.count else ",\n") + textwrap.indent(body, "  "))
        elif w.fmt == "csv":
            self._table().writerow(_csv_row(record))
        else:
            w.write([record])
        self.count += 1
        out.flush()

    def close(self) -> None:
        out = self.writer.stream
        if self.writer.fmt == "json":
            out.write("[]\n" if not self.count else "\n]\n")
        elif self.writer.fmt == "csv":
            self._table()
        out.flush()

    def _table(self):
        if self._csv is None:
            self._csv = csv.DictWriter(self.writer.stream, fieldnames=CSV_FIELDS, extrasaction="ignore",
                                       lineterminator="\n")
            self._csv.writeheader()
        return self._csv


def _csv_row(rec: Record) -> dict:
    row = rec.to_json()
    row["reasons"] = " | ".join(rec.reasons or ())
    row["advice"] = " ".join(a.id for a in rec.advice or ())
    row["warnings"] = " | ".join(rec.warnings)
    return {k: csv_cell(v) for k, v in row.items()}


_LABEL_WORDS = {
    Label.AUTOMATED: "the platform's bots (automated)",
    Label.HUMAN: "the support team (human-reviewed)",
    Label.UNKNOWN: "we cannot tell who (unknown)",
}
_KIND_WORDS = {
    Kind.SUBMISSION: "{name} confirms your profile was submitted.",
    Kind.APPROVAL: "{name} approved your profile.",
    Kind.SUSPENSION: "{name} restricted or suspended your account.",
    Kind.OTHER: "Not a decision about your profile{what}.",
}
_SOURCE_WORDS = {
    TimeSource.DATE_HEADER: "its Date header",
    TimeSource.ATTACHED_DATE_HEADER: "the Date header of the attached original",
    TimeSource.FORWARDED: "the date in the forwarded header",
    TimeSource.FORWARDED_FORWARDER_ZONE: "the forwarded date, in the forwarder's time zone",
    TimeSource.FORWARDED_YOUR_ZONE: "the forwarded date, in your time zone (the forward's Date header was in UTC)",
    TimeSource.FORWARDED_ASSUMED_UTC: "the forwarded date, zone unknown, read as UTC",
    TimeSource.RECEIVED: "when your mail server received it",
    TimeSource.INTERNALDATE: "when the IMAP server filed it",
}


def when(value: datetime | None, zone: tzinfo | None = None) -> str:
    """A time to the second with its offset, in `zone` when given: the times of one block are then
    comparable at a glance (a submission at 16:03 +01:00 and an email at 15:03:38 +00:00 were not)."""
    if not value:
        return "unknown time"
    if zone is not None and value.tzinfo is not None:
        value = value.astimezone(zone)
    return value.strftime("%Y-%m-%d %H:%M:%S %z")[:-2] + ":" + value.strftime("%z")[-2:]


def to_text(rec: Record, vocabulary: Vocabulary, page: Page = Page()) -> str:
    """One block a worried freelancer can read: who, when, why, what next."""
    return fit(text_lines(rec, vocabulary), page)


def text_lines(rec: Record, vocabulary: Vocabulary) -> list[Line]:
    name = vocabulary.names.get(rec.platform or "", rec.platform or "")
    forged = rec.forged
    lines = [Line(field(rec.source), Tone.QUIET, hang=4)]
    warnings = [field(w) for w in rec.warnings]
    if forged and warnings:
        lines.append(Line(f"  WARNING: {warnings.pop(0)}", Tone.WARNING, hang=11))
    sender = (f"{field(rec.from_name)} <{field(rec.from_addr)}>" if rec.from_name and rec.from_addr
              else field(rec.from_addr or rec.from_name) or "an unknown sender")
    lines.append(Line(f"  From {sender}: \"{field(rec.subject)}\""
                      + (f" (forwarded by {field(rec.forwarded_by)})" if rec.forwarded else ""), hang=4))
    if rec.sent_at:
        lines.append(Line(f"  Sent {when(rec.sent_at, vocabulary.zone)}"
                          + (f" ({_SOURCE_WORDS.get(rec.sent_at_source, '')})" if rec.sent_at_source else ""), hang=4))
    else:
        lines.append(Line("  Sent at an unknown time (no date could be read)"))
    if rec.is_rejection and rec.label:
        conf = f", confidence {round((rec.confidence or 0) * 100)}%" if rec.label is not Label.UNKNOWN else ""
        if forged:
            lines.append(Line(f"  An email pretending to be {name} says your profile was rejected. It is not "
                              f"{name}'s decision.", Tone.WARNING))
        else:
            lines.append(Line(f"  {name} rejected your profile. Who decided: {_LABEL_WORDS[rec.label]}{conf}.",
                              Tone.VERDICT))
        if rec.delay_seconds is not None and rec.submitted_at:
            after = "within a minute" if rec.delay_seconds < rec.sent_at_precision_seconds else duration(rec.delay_seconds)
            lines.append(Line(f"  Answered {after} after you submitted ({when(rec.submitted_at, vocabulary.zone)}, "
                              f"from {field(rec.submission_source)}).", hang=4))
        if rec.reasons:
            lines.append(Line("  Why we think so:"))
            lines += [Line(f"    - {field(r)}") for r in rec.reasons]
    elif rec.unread:
        lines.append(Line(f"  rejectscan cannot read this {name} email ({field(rec.language)}): it may decide "
                          "something about your profile. Read it yourself.", Tone.VERDICT, hang=4))
    elif rec.platform is not None:
        what = f": {field(rec.template_description)}" if rec.template_description else ""
        tone = Tone.GOOD if rec.kind is Kind.APPROVAL else Tone.VERDICT if rec.kind is Kind.SUSPENSION else Tone.PLAIN
        lines.append(Line("  " + _KIND_WORDS.get(rec.kind, "{name}: " + rec.kind.value).format(name=name, what=what),
                          tone, hang=4))
    else:
        lines.append(Line("  Not a freelancing platform's email."))
    if rec.reviewer_instructions:
        lines.append(Line("  What the reviewer asked for, in their words:"))
        lines += [Line(f"    \"{field(i)}\"", hang=3) for i in rec.reviewer_instructions]
    main = [a for a in rec.advice or () if a.id not in vocabulary.always]
    extra = [a for a in rec.advice or () if a.id in vocabulary.always]
    if main:
        lines.append(Line("  What to do next:", Tone.HEADING))
        for n, a in enumerate(main, 1):
            lines.append(Line(f"    {n}. {a.title}", Tone.HEADING, hang=3))
            lines.append(Line(f"       {a.text}", hang=0))
    if extra:
        lines.append(Line("  Whatever happened, these stay open: " + "; ".join(a.title.lower() for a in extra) + ".",
                          hang=0))
    for note in (*(field(n) for n in rec.notes), *warnings):
        lines.append(Line(f"  Note: {note}", Tone.QUIET, hang=4))
    if rec.authentic is None and rec.platform is not None and rec.authenticity_reasons:
        lines.append(Line(f"  Note: {field(rec.authenticity_reasons[0])}", Tone.QUIET, hang=4))
    return lines


# --- history ---------------------------------------------------------------------------------------

_HISTORY_FIELDS = ["platform", "at", "event", "label", "delay_seconds", "authentic", "source"]


def _event_json(e) -> dict:
    return {"platform": e.platform, "at": e.at.isoformat() if e.at else None, "event": e.kind.value,
            "label": e.label.value if e.label else None, "delay_seconds": e.delay_seconds,
            "source": e.source, "authentic": e.authentic, "template": e.template}


def _summary_json(s) -> dict:
    return {"name": s.name, "submissions": s.submissions, "rejections": s.rejections, "automated": s.automated,
            "human_reviewed": s.human_reviewed, "unknown": s.unknown, "approvals": s.approvals,
            "median_human_delay_seconds": s.median_human_delay_seconds, "forgeries_ignored": s.forgeries_ignored}


def _beat_json(b) -> dict:
    return {"account": b.account, "last_ok": b.last_ok.isoformat() if b.last_ok else None,
            "last_error": b.last_error, "last_error_at": b.last_error_at.isoformat() if b.last_error_at else None,
            "runner": b.runner}


def history(view, fmt: str, page: Page = Page()) -> str:
    """`rejectscan history` in any format; view is app.HistoryView."""
    h: History = view.history
    if fmt == "json":
        return json_line(json.dumps({"events": [_event_json(e) for e in h.events],
                           "summary": {s.platform or "any": _summary_json(s) for s in h.summaries},
                           "health": [_beat_json(b) for b in view.heartbeats]}, indent=2, ensure_ascii=False)) + "\n"
    if fmt == "jsonl":
        lines = [json.dumps(_event_json(e), ensure_ascii=False) for e in h.events]
        lines += [json.dumps({"event": "summary", "platform": s.platform or "any", **_summary_json(s)}, ensure_ascii=False)
                  for s in h.summaries]
        return "".join(json_line(line) + "\n" for line in lines)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=_HISTORY_FIELDS, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in _event_json(e).items()} for e in h.events)
        return out.getvalue()
    return fit(history_lines(view), page)


_EVENT_WORDS = {"submitted": "submitted", "rejected": "rejected", "approved": "approved",
                "suspended": "restricted or suspended"}


def history_lines(view) -> list[Line]:
    h: History = view.history
    zone = getattr(view, "zone", None)
    lines: list[Line] = []
    if not h.events:
        lines.append(Line("Nothing recorded yet: run `rejectscan submitted` when you submit a profile, and "
                          "`rejectscan fetch` to read the platforms' answers.", hang=0))
    elif zone is not None:
        lines.append(Line(f"Your applications, as recorded (times in {_zone_name(zone)}):", Tone.HEADING, hang=0))
    for s in h.summaries:
        lines.append(Line(s.name, Tone.HEADING))
        for e in h.for_platform(s.platform):
            at = _stamp(e.at, zone)
            what = _EVENT_WORDS.get(e.kind.value, e.kind.value)
            tone = Tone.PLAIN
            if e.kind is EventKind.REJECTED:
                what += f": {e.label.value if e.label else 'unknown'}"
                if e.delay_seconds is not None:
                    what += f", {duration(e.delay_seconds)} after submitting"
                tone = Tone.VERDICT
            elif e.kind is EventKind.APPROVED:
                tone = Tone.GOOD
            if e.authentic is False:
                what += " (NOT from the platform: ignored)"
                tone = Tone.WARNING
            lines.append(Line(f"  {at}  {what}", tone, hang=21))
            lines.append(Line(f"{'':21}{field(e.source)}", Tone.QUIET, hang=2))
        median = s.median_human_delay_seconds
        lines.append(Line(f"  In all: {plural(s.rejections, 'rejection')} ({s.automated} automated, "
                          f"{s.human_reviewed} human-reviewed, {s.unknown} unknown), {plural(s.approvals, 'approval')}"
                          + (f"; human reviews took {duration(median)} (median)" if median is not None else "") + ".",
                          hang=4))
    for beat in view.heartbeats:
        last_ok = _stamp(beat.last_ok, zone) if beat.last_ok else "never"
        other = not counts(beat.account, view.configured)
        lines.append(Line(f"Mailbox {field(beat.account)}: last successful check {last_ok} ({beat.runner})"
                          + (f"; not the configured mailbox (`rejectscan forget {field(beat.account)}` drops it)"
                             if other else ""), Tone.QUIET if other else Tone.PLAIN, hang=2))
        if beat.last_error:
            lines.append(Line(f"  last error {_stamp(beat.last_error_at, zone)}: {field(beat.last_error)}", hang=4))
        if beat.account in view.stale:
            lines.append(Line(f"  WARNING: no successful check of {field(beat.account)} for too long; is `rejectscan "
                              "watch` or the cron job running? `rejectscan doctor` tells what is wrong.",
                              Tone.WARNING, hang=11))
    return lines


def _stamp(value: datetime | None, zone=None) -> str:
    """A time to the second, in the user's zone when known: what a person reads in a list."""
    if value is None:
        return "unknown time"
    if zone is not None and value.tzinfo is not None:
        value = value.astimezone(zone)
    return value.strftime("%Y-%m-%d %H:%M:%S")


def _zone_name(zone) -> str:
    from rejectscan.timestamps import zone_name  # one naming rule, the one stored verdicts are keyed by

    return zone_name(zone)


# --- doctor and the pattern tools -------------------------------------------------------------------

def doctor(checks, page: Page = Page()) -> str:
    lines = []
    for c in checks:
        lines.append(Line(f"{'ok' if c.ok else 'PROBLEM':<8} {c.name:<12} {field(c.detail)}",
                          Tone.GOOD if c.ok else Tone.PROBLEM, hang=20))
        if c.next_step:
            lines.append(Line(f"{'':<21}-> {c.next_step}", hang=3))
    problems = [c for c in checks if not c.ok]
    lines.append(Line("All good." if not problems else f"{plural(len(problems), 'problem')}.",
                      Tone.GOOD if not problems else Tone.PROBLEM))
    return fit(lines, page)


def doctor_json(checks) -> str:
    return json_line(json.dumps({"ok": not any(not c.ok for c in checks),
                       "checks": [{"name": c.name, "ok": c.ok, "detail": c.detail, "fix": c.next_step,
                                   "exit_status": int(c.status) if not c.ok else 0} for c in checks]},
                      indent=2, ensure_ascii=False)) + "\n"


def pattern_rows(rows, fmt: str, page: Page = Page()) -> str:
    dicts = [dict(platform=r.platform, type=r.type, id=r.id, kind=r.kind, evidence=r.evidence,
                  description=r.description, file=r.file) for r in rows]
    if fmt == "json":
        return json.dumps(dicts, indent=2) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(d) + "\n" for d in dicts)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(dicts[0]) if dicts else ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows({k: csv_cell(v) for k, v in d.items()} for d in dicts)
        return out.getvalue()
    lines = [Line(f"{'PLATFORM':<15}{'TYPE':<10}{'KIND':<12}{'EVIDENCE':<16}ID", Tone.HEADING)]
    for r in rows:
        lines.append(Line(f"{field(r.platform):<15}{r.type:<10}{r.kind or '-':<12}{r.evidence:<16}{field(r.id)}",
                          hang=53))
        lines.append(Line(f"{'':<4}{field(r.description)}", Tone.QUIET, hang=0))
    lines.append(Line(f"{plural(len(rows), 'entry', 'entries')}; `rejectscan patterns list --format csv` for the "
                      "files they come from.", hang=0))
    return fit(lines, page)


def lint_summary(report, page: Page = Page()) -> str:
    return fit([f"{plural(report.files, 'file')}, {plural(report.templates, 'template')} checked: "
                + ("no problems." if not report.problems else f"{plural(len(report.problems), 'problem')}.")], page)


def probe(path: str, original, hits, signals, page: Page = Page()) -> str:
    lines = [Line(f"{field(path)}: from {field(original.from_addr) or 'an unknown sender'}"
                  + (" (forwarded original)" if original.forwarded else ""), Tone.HEADING, hang=4)]
    if not hits:
        lines.append(Line("  no template phrase or regex hit"))
    for h in hits:
        state = "MATCH" if h.matched else f"partial ({len(h.hits)} of {h.template.min_hits} needed)"
        lines.append(Line(f"  template {field(h.template.id)} [{h.template.kind.value}]: {state}",
                          Tone.GOOD if h.matched else Tone.PLAIN, hang=4))
        for matched, score in h.hits:
            how = "regex" if score is None else f"{score:.0f}%"
            lines.append(Line(f"    {how:>6}  \"{field(matched[:100])}\"", hang=8))
    for s in signals:
        lines.append(Line(f"  signal {field(s.id)} ({s.direction.value} {s.weight:g}): \"{field(s.matched[:100])}\"",
                          hang=4))
    return fit(lines, page)


def submissions(rows, names: dict[str, str], page: Page = Page(), zone=None, only: str | None = None) -> str:
    """`submitted --list`: the numbers --delete takes, times in the user's zone (named); `only`: the
    one platform listed."""
    if not rows:
        where = f" for {names.get(only, only)}" if only else ""
        return fit([f"No submission recorded{where} yet: run `rejectscan submitted` the moment you click Submit."],
                   page)
    lines = [Line(f"Recorded submissions (times in {_zone_name(zone)}):", Tone.HEADING, hang=0)] if zone else []
    lines.append(Line(f"{'NUMBER':<8}{'SUBMITTED':<21}PLATFORM", Tone.HEADING))
    for r in rows:
        lines.append(Line(f"{r.id:<8}{_stamp(r.at, zone):<21}{names.get(r.platform or '', r.platform or 'any')}"
                          + (f"  ({field(r.note)})" if r.note else ""), hang=29))
    return fit(lines, page)


def submission(sub, names: dict[str, str], page: Page = Page(), zone=None) -> str:
    """What `submitted` recorded, in the user's zone so that they recognise the moment."""
    where = f" ({_zone_name(zone)})" if zone else ""
    return fit([f"Recorded: submitted to {names.get(sub.platform, sub.platform)} at {_stamp(sub.at, zone)}{where}."],
               page)


def config_view(view, page: Page = Page()) -> str:
    """`config show`: one setting a line, where it came from in brackets; values from the user's
    own files and environment, made safe for the terminal."""
    width = max(len(name) for name, _, _ in view.rows)
    return fit([Line(f"{name + ':':<{width + 1}} {field(value)}" + (f"  [{origin}]" if origin else ""),
                     hang=width + 2) for name, value, origin in view.rows], page)


def scheduled(result, page: Page = Page()) -> str:
    """`schedule` without --dry-run: what was written and what to do next."""
    if result.line:
        return fit(["Added to your crontab (see it with `crontab -l`); it runs every 10 minutes,",
                    "and cron mails you only when a decision about your profile arrives:"], page) + \
            result.line + "\n"
    names = ", ".join(u.name for u in result.units)
    return fit([Line(f"Wrote {names} in {field(result.written_to)}.", hang=2),
                "Then, for a quiet fetch every 10 minutes:",
                "  systemctl --user daemon-reload",
                "  systemctl --user enable --now rejectscan-fetch.timer",
                "or, to watch the mailbox with IMAP IDLE instead (one of the two is enough):",
                "  systemctl --user enable --now rejectscan-watch.service",
                "Logs: journalctl --user -u rejectscan-fetch (or -u rejectscan-watch)."], page)


def units(result) -> str:
    """`schedule systemd --dry-run`: each unit under a comment naming the file it would be."""
    return "\n".join(f"# {field(result.folder)}/{u.name}\n{u.text}" for u in result.units)
