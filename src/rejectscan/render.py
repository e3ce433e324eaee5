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
from datetime import datetime
from typing import Iterable, Sequence, TextIO

from rejectscan.history import EventKind, History
from rejectscan.models import Kind, Label, TimeSource
from rejectscan.record import Record
from rejectscan.safe import csv_cell, field, json_line, terminal
from rejectscan.text import duration

FORMATS = ("text", "json", "jsonl", "csv")
CSV_FIELDS = ("source", "message_id", "from", "subject", "forwarded", "platform", "kind", "sent_at",
              "sent_at_source", "authentic", "template", "label", "confidence", "submitted_at",
              "delay_seconds", "reasons", "advice", "warnings")
WIDTH = 96


@dataclass(frozen=True)
class Vocabulary:
    """What text output needs to know about the patterns: platform names, advice shown as one line."""

    names: dict[str, str]
    always: frozenset[str] = frozenset()


class RecordWriter:
    """Writes records to a stream: text and jsonl one at a time as they come (each flushed), json
    and csv whole (`write`), or any format record by record as they are made (`sink`).
    `quiet`: nothing at all when there is nothing new."""

    def __init__(self, fmt: str, stream: TextIO, vocabulary: Vocabulary, quiet: bool = False) -> None:
        self.fmt = fmt
        self.stream = stream
        self.vocabulary = vocabulary
        self.quiet = quiet
        self.streams = fmt in ("text", "jsonl")
        self._first = True

    def write(self, records: Sequence[Record]) -> None:
        if self.fmt == "json":
            self.stream.write(json_line(json.dumps([r.to_json() for r in records], indent=2, ensure_ascii=False)) + "\n")
        elif self.fmt == "csv":
            self.stream.write(to_csv(records))
        else:
            for record in records:
                if self.fmt == "jsonl":
                    self.stream.write(json_line(json.dumps(record.to_json(), ensure_ascii=False)) + "\n")
                else:
                    self.stream.write(("" if self._first else "\n") + to_text(record, self.vocabulary))
                self._first = False
        self.stream.flush()

    def sink(self) -> "RecordStream":
        """A sink that writes each record as it comes, in any format, with the same bytes `write`
        gives for the whole list: a JSON array or CSV table is opened, filled and closed."""
        return RecordStream(self)

    def nothing_new(self) -> None:
        if self.quiet or self.fmt == "jsonl":
            return
        if self.fmt == "text":
            self.stream.write("No new platform email.\n")
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


def to_csv(records: Iterable[Record]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rec in records:
        writer.writerow(_csv_row(rec))
    return out.getvalue()


_LABEL_WORDS = {
    Label.AUTOMATED: "the platform's bots (automated)",
    Label.HUMAN: "the support team (human-reviewed)",
    Label.UNKNOWN: "we cannot tell who (unknown)",
}
_KIND_WORDS = {
    Kind.SUBMISSION: "confirms your profile was submitted",
    Kind.APPROVAL: "approved your profile",
    Kind.SUSPENSION: "restricted or suspended your account",
    Kind.OTHER: "is not about your profile's review",
}
_SOURCE_WORDS = {
    TimeSource.DATE_HEADER: "its Date header",
    TimeSource.ATTACHED_DATE_HEADER: "the Date header of the attached original",
    TimeSource.FORWARDED: "the date in the forwarded header",
    TimeSource.FORWARDED_FORWARDER_ZONE: "the forwarded date, in the forwarder's time zone",
    TimeSource.FORWARDED_ASSUMED_UTC: "the forwarded date, zone unknown, read as UTC",
    TimeSource.RECEIVED: "when your mail server received it",
    TimeSource.INTERNALDATE: "when the IMAP server filed it",
}


def when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %z")[:-2] + ":" + value.strftime("%z")[-2:] if value else "unknown time"


def to_text(rec: Record, vocabulary: Vocabulary) -> str:
    """One block a worried freelancer can read: who, when, why, what next."""
    name = vocabulary.names.get(rec.platform or "", rec.platform or "")
    forged = rec.forged
    wrap = textwrap.TextWrapper(width=WIDTH, initial_indent="    ", subsequent_indent="      ")
    lines = [field(rec.source)]
    warnings = [field(w) for w in rec.warnings]
    if forged and warnings:
        lines.append(f"  WARNING: {warnings.pop(0)}")
    sender = (f"{field(rec.from_name)} <{field(rec.from_addr)}>" if rec.from_name and rec.from_addr
              else field(rec.from_addr or rec.from_name) or "unknown sender")
    lines.append(f"  From {sender}: \"{field(rec.subject)}\""
                 + (f" (forwarded by {field(rec.forwarded_by)})" if rec.forwarded else ""))
    lines.append(f"  Sent {when(rec.sent_at)}"
                 + (f" ({_SOURCE_WORDS.get(rec.sent_at_source, '')})" if rec.sent_at and rec.sent_at_source else ""))
    if rec.is_rejection and rec.label:
        conf = f", confidence {round((rec.confidence or 0) * 100)}%" if rec.label is not Label.UNKNOWN else ""
        if forged:
            lines.append(f"  An email pretending to be {name} says your profile was rejected. It is not {name}'s decision.")
        else:
            lines.append(f"  {name} rejected your profile. Who decided: {_LABEL_WORDS[rec.label]}{conf}.")
        if rec.delay_seconds is not None and rec.submitted_at:
            after = "within a minute" if rec.delay_seconds < rec.sent_at_precision_seconds else duration(rec.delay_seconds)
            lines.append(f"  Answered {after} after you submitted ({when(rec.submitted_at)}, "
                         f"from {field(rec.submission_source)}).")
        lines.append("  Why we think so:")
        lines += [wrap.fill(f"- {field(r)}") for r in rec.reasons or ()]
    elif rec.platform is not None:
        lines.append(f"  {name} {_KIND_WORDS.get(rec.kind, rec.kind.value)}"
                     + (f" ({field(rec.template_description)})" if rec.template_description else "") + ".")
    else:
        lines.append("  Not a freelancing platform's email.")
    if rec.reviewer_instructions:
        lines.append("  What the reviewer asked for, in their words:")
        lines += [wrap.fill(f"\"{field(i)}\"") for i in rec.reviewer_instructions]
    main = [a for a in rec.advice or () if a.id not in vocabulary.always]
    extra = [a for a in rec.advice or () if a.id in vocabulary.always]
    if main:
        lines.append("  What to do next:")
        for n, a in enumerate(main, 1):
            lines.append(f"    {n}. {a.title}")
            lines.append(textwrap.fill(a.text, width=WIDTH, initial_indent="       ", subsequent_indent="       "))
    if extra:
        lines.append(textwrap.fill("Whatever happened, these stay open: " + "; ".join(a.title.lower() for a in extra) + ".",
                                   width=WIDTH, initial_indent="  ", subsequent_indent="  "))
    for note in (*(field(n) for n in rec.notes), *warnings):
        lines.append(wrap.fill(f"Note: {note}"))
    if rec.authentic is None and rec.platform is not None and rec.authenticity_reasons:
        lines.append(wrap.fill(f"Note: {field(rec.authenticity_reasons[0])}"))
    return terminal("\n".join(lines)) + "\n"


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


def history(view, fmt: str) -> str:
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
    lines = []
    if not h.events:
        lines.append("Nothing recorded yet: run `rejectscan submitted` when you submit, and `rejectscan fetch`.")
    for s in h.summaries:
        lines.append(s.name)
        for e in h.for_platform(s.platform):
            line = f"  {e.at.isoformat() if e.at else 'unknown time'}  {e.kind.value}"
            if e.kind is EventKind.REJECTED:
                line += f": {e.label.value if e.label else 'unknown'}"
                if e.delay_seconds is not None:
                    line += f", {duration(e.delay_seconds)} after submitting"
            if e.authentic is False:
                line += "  (NOT from the platform: ignored)"
            lines.append(line + f"  [{field(e.source)}]")
        median = s.median_human_delay_seconds
        lines.append(f"  Summary: {s.rejections} rejection(s): {s.automated} automated, {s.human_reviewed} "
                     f"human-reviewed, {s.unknown} unknown; {s.approvals} approval(s)"
                     + (f"; human reviews took {duration(median)} (median)" if median is not None else "") + ".")
    for beat in view.heartbeats:
        lines.append(f"Mailbox {field(beat.account)}: last successful check "
                     f"{beat.last_ok.isoformat() if beat.last_ok else 'never'} ({beat.runner})"
                     + (f"; last error {beat.last_error_at.isoformat() if beat.last_error_at else '?'}: {field(beat.last_error)}"
                        if beat.last_error else ""))
        if beat.account in view.stale:
            lines.append(f"  WARNING: no successful check of {beat.account} for over an hour; is `rejectscan watch` "
                         "or the cron job running? `rejectscan doctor` tells what is wrong.")
    return terminal("".join(line + "\n" for line in lines))


# --- doctor and the pattern tools -------------------------------------------------------------------

def doctor(checks) -> str:
    lines = []
    for c in checks:
        lines.append(f"{'ok' if c.ok else 'PROBLEM':<8} {c.name:<13} {field(c.detail)}" + ("" if c.ok or not c.fix else f"\n{'':<22}-> {c.fix}"))
    problems = [c for c in checks if not c.ok]
    lines.append("all good" if not problems else f"{len(problems)} problem(s)")
    return "".join(line + "\n" for line in lines)


def pattern_rows(rows, fmt: str) -> str:
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
        writer.writerows(dicts)
        return out.getvalue()
    return "".join(f"{r.platform:<14} {r.type:<8} {r.id:<38} {r.kind or '-':<10} {r.evidence:<14} {r.description}\n"
                   for r in rows)


def lint_summary(report) -> str:
    return (f"{report.files} files, {report.templates} templates checked: "
            + ("ok" if not report.problems else f"{len(report.problems)} problem(s)") + "\n")


def probe(path: str, original, hits, signals) -> str:
    lines = [f"{field(path)}: from {field(original.from_addr) or '?'}" + (" (forwarded original)" if original.forwarded else "")]
    if not hits:
        lines.append("  no template phrase or regex hit")
    for h in hits:
        state = "MATCH" if h.matched else f"partial ({len(h.hits)}/{h.template.min_hits} needed)"
        lines.append(f"  template {h.template.id} [{h.template.kind.value}]: {state}")
        for matched, score in h.hits:
            how = "regex" if score is None else f"{score:.0f}%"
            lines.append(f"    {how:>6}  \"{field(matched[:100])}\"")
    for s in signals:
        lines.append(f"  signal {s.id} ({s.direction.value} {s.weight:g}): \"{field(s.matched[:100])}\"")
    return terminal("".join(line + "\n" for line in lines))


def submission(sub) -> str:
    return f"Recorded: submitted to {sub.platform} at {sub.at.isoformat(timespec='seconds')}.\n"
