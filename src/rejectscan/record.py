"""The record: one judged message as the contract between judging, the store, output and notifiers.

Its JSON form is the contract other tools rely on (README, "Output"); `to_json` writes it and
`from_json` reads it back, including what older versions stored (missing fields take their
defaults), so the store can keep records across upgrades.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from rejectscan.models import AdviceItem, Direction, Kind, Label, Report, TimeSource, Via


@dataclass(frozen=True)
class EvidenceRecord:
    id: str
    direction: Direction
    weight: float
    matched: str
    score: float | None


@dataclass(frozen=True)
class Record:
    """Every field of the JSON contract, typed. Rejection-only fields are None for other kinds."""

    source: str
    message_id: str | None
    from_addr: str | None
    from_name: str | None
    subject: str
    forwarded: bool
    forwarded_by: str | None
    forward_style: Via | None
    platform: str | None
    kind: Kind
    sent_at: datetime | None
    sent_at_source: TimeSource | None
    sent_at_precision_seconds: int
    authentic: bool | None
    authenticity_reasons: tuple[str, ...]
    template: str | None
    template_description: str | None
    label: Label | None
    confidence: float | None
    submitted_at: datetime | None
    submission_source: str | None
    delay_seconds: int | None
    reasons: tuple[str, ...] | None
    advice: tuple[AdviceItem, ...] | None
    evidence: tuple[EvidenceRecord, ...]
    notes: tuple[str, ...]
    warnings: tuple[str, ...]
    counted: bool = True  # false for forgeries and strangers' forwards: never paired, never in history's counts
    reviewer_instructions: tuple[str, ...] = ()  # what a person's reply asks for, in their own words
    language: str | None = None  # a platform email in a language the rules cannot read: shown, kind unsure

    @property
    def unread(self) -> bool:
        """A platform email rejectscan could not read: it may be a decision, so a person is shown it."""
        return self.language is not None and self.platform is not None

    @property
    def is_rejection(self) -> bool:
        return self.kind is Kind.REJECTION

    @property
    def forged(self) -> bool:
        return self.authentic is False

    @classmethod
    def from_report(cls, report: Report) -> "Record":
        f = report.facts
        o = f.original
        rejection = f.match.kind is Kind.REJECTION
        verdict = report.verdict if rejection else None
        return cls(
            source=f.source,
            message_id=f.message_id or None,
            from_addr=o.from_addr or None,
            from_name=o.from_name or None,
            subject=o.subject,
            forwarded=o.forwarded,
            forwarded_by=o.forwarded_by or None,
            forward_style=o.via if o.forwarded else None,
            platform=f.match.platform,
            kind=f.match.kind,
            sent_at=f.sent_at.value,
            sent_at_source=f.sent_at.source if f.sent_at.value is not None else None,
            sent_at_precision_seconds=f.sent_at.precision_seconds,
            authentic=f.authenticity.authentic,
            authenticity_reasons=tuple(f.authenticity.reasons),
            template=f.match.template,
            template_description=f.match.template_description or None,
            label=verdict.label if verdict else None,
            confidence=verdict.confidence if verdict else None,
            submitted_at=report.submission.at if rejection and report.submission else None,
            submission_source=report.submission.source if rejection and report.submission else None,
            delay_seconds=report.delay_seconds if rejection else None,
            reasons=tuple(verdict.reasons) if verdict else None,
            advice=tuple(report.advice) if rejection or f.match.kind is Kind.SUSPENSION else None,
            evidence=tuple(EvidenceRecord(e.id, e.direction, e.weight, e.matched, e.score)
                           for e in f.match.evidence),
            notes=tuple(f.match.notes),
            warnings=tuple(f.warnings),
            counted=f.authenticity.counted,
            reviewer_instructions=f.instructions if f.authenticity.counted else (),
            language=f.match.language,
        )

    def to_json(self) -> dict[str, Any]:
        """The contract's field names and JSON types, in a stable order."""
        return {
            "source": self.source,
            "message_id": self.message_id,
            "from": self.from_addr,
            "from_name": self.from_name,
            "subject": self.subject,
            "forwarded": self.forwarded,
            "forwarded_by": self.forwarded_by,
            "forward_style": _value(self.forward_style),
            "platform": self.platform,
            "kind": self.kind.value,
            "sent_at": _iso(self.sent_at),
            "sent_at_source": _value(self.sent_at_source),
            "sent_at_precision_seconds": self.sent_at_precision_seconds,
            "authentic": self.authentic,
            "authenticity_reasons": list(self.authenticity_reasons),
            "template": self.template,
            "template_description": self.template_description,
            "label": _value(self.label),
            "confidence": self.confidence,
            "submitted_at": _iso(self.submitted_at),
            "submission_source": self.submission_source,
            "delay_seconds": self.delay_seconds,
            "reasons": list(self.reasons) if self.reasons is not None else None,
            "advice": ([{"id": a.id, "title": a.title, "text": a.text} for a in self.advice]
                       if self.advice is not None else None),
            "evidence": [{"id": e.id, "direction": e.direction.value, "weight": e.weight, "matched": e.matched,
                          "score": e.score} for e in self.evidence],
            "notes": list(self.notes),
            "warnings": list(self.warnings),
            "counted": self.counted,
            "reviewer_instructions": list(self.reviewer_instructions),
            "language": self.language,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "Record":
        """A record as any version of rejectscan stored it; fields it lacks take their defaults."""
        reasons = data.get("reasons")
        advice = data.get("advice")
        return cls(
            source=str(data.get("source", "")),
            message_id=data.get("message_id"),
            from_addr=data.get("from"),
            from_name=data.get("from_name"),
            subject=str(data.get("subject") or ""),
            forwarded=bool(data.get("forwarded", False)),
            forwarded_by=data.get("forwarded_by"),
            forward_style=_enum(Via, data.get("forward_style")),
            platform=data.get("platform"),
            kind=_enum(Kind, data.get("kind")) or Kind.OTHER,
            sent_at=_time(data.get("sent_at")),
            sent_at_source=_enum(TimeSource, data.get("sent_at_source")),
            sent_at_precision_seconds=int(data.get("sent_at_precision_seconds") or 1),
            authentic=data.get("authentic"),
            authenticity_reasons=tuple(data.get("authenticity_reasons") or ()),
            template=data.get("template"),
            template_description=data.get("template_description"),
            label=_enum(Label, data.get("label")),
            confidence=data.get("confidence"),
            submitted_at=_time(data.get("submitted_at")),
            submission_source=data.get("submission_source"),
            delay_seconds=data.get("delay_seconds"),
            reasons=tuple(reasons) if reasons is not None else None,
            advice=(tuple(AdviceItem(a["id"], a.get("title", ""), a.get("text", "")) for a in advice)
                    if advice is not None else None),
            evidence=tuple(EvidenceRecord(e.get("id", ""), _enum(Direction, e.get("direction")) or Direction.NEUTRAL,
                                          float(e.get("weight") or 0), e.get("matched", ""), e.get("score"))
                           for e in data.get("evidence") or ()),
            notes=tuple(data.get("notes") or ()),
            warnings=tuple(data.get("warnings") or ()),
            counted=bool(data.get("counted", data.get("authentic") is not False)),
            reviewer_instructions=tuple(data.get("reviewer_instructions") or ()),
            language=data.get("language"),
        )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def _value(member) -> str | None:
    return member.value if member is not None else None


def _enum(kind, value):
    try:
        return kind(value) if value is not None else None
    except ValueError:
        return None
