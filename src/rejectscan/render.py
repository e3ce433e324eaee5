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

FORMATS = ("text", "json", "jsonl", "csv")
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
        "forward_style": o.via if o.forwarded else None,
        "platform": f.match.platform,
        "kind": f.match.kind.value,
        "sent_at": _iso(f.sent_at.value),
        "sent_at_source": f.sent_at.source if f.sent_at.value is not None else None,
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
        "evidence": [{"id": e.id, "direction": e.direction, "weight": e.weight, "matched": e.matched,
                      "score": e.score} for e in f.match.evidence],
        "notes": list(f.match.notes),
        "warnings": list(f.warnings),
    }


def render(reports: Iterable[Report], fmt: str, platform_names: dict[str, str],
           always_ids: frozenset[str] = frozenset()) -> str:
    """always_ids: advice that applies to every rejection, shown in text as one short line."""
    reports = list(reports)
    if fmt == "json":
        return json.dumps([to_record(r) for r in reports], indent=2, ensure_ascii=False) + "\n"
    if fmt == "jsonl":
        return "".join(json.dumps(to_record(r), ensure_ascii=False) + "\n" for r in reports)
    if fmt == "csv":
        return to_csv(to_record(r) for r in reports)
    return "\n".join(to_text(r, platform_names, always_ids) for r in reports)


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


def to_text(report: Report, platform_names: dict[str, str], always_ids: frozenset[str] = frozenset()) -> str:
    """One block a worried freelancer can read: who, when, why, what next."""
    f = report.facts
    o = f.original
    name = platform_names.get(f.match.platform or "", f.match.platform or "")
    lines = [f.source]
    wrap = textwrap.TextWrapper(width=96, initial_indent="    ", subsequent_indent="      ")
    for warning in f.warnings[:1] if f.authenticity.authentic is False else []:
        lines.append(f"  WARNING: {warning}")
    sender = f"{o.from_name} <{o.from_addr}>" if o.from_name and o.from_addr else (o.from_addr or o.from_name or "unknown sender")
    lines.append(f"  From {sender}: {o.subject!r}" + (f" (forwarded by {o.forwarded_by})" if o.forwarded else ""))
    lines.append(f"  Sent {_when(f.sent_at.value)}" + (f" ({_source_words(f.sent_at.source)})" if f.sent_at.value else ""))
    if f.match.kind is Kind.REJECTION and report.verdict is not None:
        v = report.verdict
        who = _LABEL_WORDS[v.label]
        conf = f", confidence {round(v.confidence * 100)}%" if v.label is not Label.UNKNOWN else ""
        if f.authenticity.authentic is False:
            lines.append(f"  An email pretending to be {name} says your profile was rejected. It is not {name}'s decision.")
        else:
            lines.append(f"  {name} rejected your profile. Who decided: {who}{conf}.")
        if report.delay_seconds is not None and report.submission is not None:
            precision = f.sent_at.precision_seconds
            after = ("within a minute" if report.delay_seconds < precision
                     else f"{duration(report.delay_seconds)}") + " after you submitted"
            lines.append(f"  Answered {after} ({_when(report.submission.at)}, from {report.submission.source}).")
        lines.append("  Why we think so:")
        lines += [wrap.fill(f"- {r}") for r in v.reasons]
        main = [a for a in report.advice if a.id not in always_ids]
        extra = [a for a in report.advice if a.id in always_ids]
        if main:
            lines.append("  What to do next:")
            for n, a in enumerate(main, 1):
                lines.append(f"    {n}. {a.title}")
                lines.append(textwrap.fill(a.text, width=96, initial_indent="       ", subsequent_indent="       "))
        if extra:
            lines.append(textwrap.fill("Whatever happened, these stay open: " + "; ".join(a.title.lower() for a in extra) + ".",
                                       width=96, initial_indent="  ", subsequent_indent="  "))
    elif f.match.platform is not None:
        lines.append(f"  {name} {_KIND_WORDS.get(f.match.kind, f.match.kind.value)}"
                     + (f" ({f.match.template_description})" if f.match.template_description else "") + ".")
    else:
        lines.append("  Not a freelancing platform's email.")
    for note in f.match.notes:
        lines.append(wrap.fill(f"Note: {note}"))
    for warning in (f.warnings[1:] if f.authenticity.authentic is False else f.warnings):
        lines.append(wrap.fill(f"Note: {warning}"))
    if f.authenticity.authentic is None and f.match.platform is not None and f.authenticity.reasons:
        lines.append(wrap.fill(f"Note: {f.authenticity.reasons[0]}"))
    return "\n".join(lines) + "\n"


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
