"""Reports to text, JSON, JSON lines or CSV. The JSON fields are a contract (design.md)."""

from __future__ import annotations

import csv
import io
import json
import textwrap
from datetime import datetime
from typing import Iterable

from rejectscan.classify import duration
from rejectscan.models import Kind, Label, Report

CSV_FIELDS = ("source", "message_id", "from", "subject", "forwarded", "platform", "kind", "sent_at",
              "sent_at_source", "authentic", "template", "label", "confidence", "submitted_at",
              "delay_seconds", "reasons", "advice", "warnings")


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def to_record(report: Report) -> dict:
    f = report.facts
    o = f.original
    rejection = f.match.kind is Kind.REJECTION
    verdict = report.verdict
    return {
        "source": f.source,
        "message_id": f.message_id or None,
        "from": o.from_addr or None,
        "from_name": o.from_name or None,
        "subject": o.subject,
        "forwarded": o.forwarded,
        "forwarded_by": o.forwarded_by or None,
        "forward_style": o.via.value if o.forwarded else None,
        "platform": f.match.platform,
        "kind": f.match.kind.value,
        "sent_at": _iso(f.sent_at.value),
        "sent_at_source": f.sent_at.source.value if f.sent_at.value is not None else None,
        "sent_at_precision_seconds": f.sent_at.precision_seconds,
        "authentic": f.authenticity.authentic,
        "authenticity_reasons": list(f.authenticity.reasons),
        "template": f.match.template,
        "template_description": f.match.template_description or None,
        "label": verdict.label.value if rejection and verdict else None,
        "confidence": verdict.confidence if rejection and verdict else None,
        "submitted_at": _iso(report.submission.at) if rejection and report.submission else None,
        "submission_source": report.submission.source if rejection and report.submission else None,
        "delay_seconds": report.delay_seconds if rejection else None,
        "reasons": list(verdict.reasons) if rejection and verdict else None,
        "advice": [{"id": a.id, "title": a.title, "text": a.text} for a in report.advice] if rejection else None,
        "evidence": [{"id": e.id, "direction": e.direction.value, "weight": e.weight, "matched": e.matched,
                      "score": e.score} for e in f.match.evidence],
        "notes": list(f.match.notes),
        "warnings": list(f.warnings),
    }


def render(reports: Iterable[Report], fmt: str, platform_names: dict[str, str],
           always_ids: frozenset[str] = frozenset()) -> str:
    return render_records([to_record(r) for r in reports], fmt, platform_names, always_ids)


def render_records(records: list[dict], fmt: str, platform_names: dict[str, str],
                   always_ids: frozenset[str] = frozenset()) -> str:
    """always_ids: advice that applies to every rejection, shown in text as one short line."""
    if fmt == "json":
        return json.dumps(records, indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(render_one(r, fmt, platform_names, always_ids) for r in records)
    if fmt == "csv":
        return to_csv(records)
    return "\n".join(to_text(r, platform_names, always_ids) for r in records)


def render_one(record: dict, fmt: str, platform_names: dict[str, str],
               always_ids: frozenset[str] = frozenset()) -> str:
    """One record as it streams out (text and jsonl); json and csv are written whole."""
    if fmt == "jsonl":
        return json.dumps(record, ensure_ascii=False) + "\n"
    return to_text(record, platform_names, always_ids) + "\n"


def to_csv(records: Iterable[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, extrasaction="ignore", lineterminator="\n")
    writer.writeheader()
    for rec in records:
        row = dict(rec)
        row["reasons"] = " | ".join(rec["reasons"] or [])
        row["advice"] = " ".join(a["id"] for a in rec["advice"] or [])
        row["warnings"] = " | ".join(rec["warnings"])
        writer.writerow(row)
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


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S %z")[:-2] + ":" + value.strftime("%z")[-2:] if value else "unknown time"


def to_text(rec: dict, platform_names: dict[str, str], always_ids: frozenset[str] = frozenset()) -> str:
    """One block a worried freelancer can read: who, when, why, what next (from a JSON record)."""
    name = platform_names.get(rec["platform"] or "", rec["platform"] or "")
    kind = Kind(rec["kind"])
    forged = rec["authentic"] is False
    wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="      ")
    lines = [rec["source"]]
    warnings = list(rec["warnings"])
    if forged and warnings:
        lines.append(f"  WARNING: {warnings.pop(0)}")
    sender = (f"{rec['from_name']} <{rec['from']}>" if rec["from_name"] and rec["from"]
              else rec["from"] or rec["from_name"] or "unknown sender")
    lines.append(f"  From {sender}: {rec['subject']!r}" + (f" (forwarded by {rec['forwarded_by']})" if rec["forwarded"] else ""))
    sent = _parse(rec["sent_at"])
    lines.append(f"  Sent {_when(sent)}" + (f" ({_source_words(rec['sent_at_source'])})" if sent else ""))
    if kind is Kind.REJECTION and rec["label"]:
        label = Label(rec["label"])
        conf = f", confidence {round(rec['confidence'] * 100)}%" if label is not Label.UNKNOWN else ""
        if forged:
            lines.append(f"  An email pretending to be {name} says your profile was rejected. It is not {name}'s decision.")
        else:
            lines.append(f"  {name} rejected your profile. Who decided: {_LABEL_WORDS[label]}{conf}.")
        if rec["delay_seconds"] is not None and rec["submitted_at"]:
            precision = rec.get("sent_at_precision_seconds") or 1
            after = ("within a minute" if rec["delay_seconds"] < precision else duration(rec["delay_seconds"]))
            lines.append(f"  Answered {after} after you submitted ({_when(_parse(rec['submitted_at']))}, "
                         f"from {rec['submission_source']}).")
        lines.append("  Why we think so:")
        lines += [wrap.fill(f"- {r}") for r in rec["reasons"]]
        main = [a for a in rec["advice"] if a["id"] not in always_ids]
        extra = [a for a in rec["advice"] if a["id"] in always_ids]
        if main:
            lines.append("  What to do next:")
            for n, a in enumerate(main, 1):
                lines.append(f"    {n}. {a['title']}")
                lines.append(textwrap.fill(a["text"], width=96, initial_indent="       ", subsequent_indent="       "))
        if extra:
            lines.append(textwrap.fill("Whatever happened, these stay open: " + "; ".join(a["title"].lower() for a in extra) + ".",
                                       width=96, initial_indent="  ", subsequent_indent="  "))
    elif rec["platform"] is not None:
        lines.append(f"  {name} {_KIND_WORDS.get(kind, kind.value)}"
                     + (f" ({rec['template_description']})" if rec["template_description"] else "") + ".")
    else:
        lines.append("  Not a freelancing platform's email.")
    for note in rec["notes"] + warnings:
        lines.append(wrap.fill(f"Note: {note}"))
    if rec["authentic"] is None and rec["platform"] is not None and rec["authenticity_reasons"]:
        lines.append(wrap.fill(f"Note: {rec['authenticity_reasons'][0]}"))
    return "\n".join(lines) + "\n"


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _source_words(source: str) -> str:
    return {
        "date-header": "its Date header",
        "attached-message date-header": "the Date header of the attached original",
        "forwarded-header": "the date in the forwarded header",
        "forwarded-header+forwarder-zone": "the forwarded date, in the forwarder's time zone",
        "forwarded-header+assumed-utc": "the forwarded date, zone unknown, read as UTC",
        "received-header": "when your mail server received it",
        "imap-internaldate": "when the IMAP server filed it",
    }.get(source, source)
