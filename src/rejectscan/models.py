"""The values that flow between the steps of the pipeline. All frozen: a step returns new values."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Kind(str, enum.Enum):
    SUBMISSION = "submission"
    REJECTION = "rejection"
    APPROVAL = "approval"
    SUSPENSION = "suspension"
    OTHER = "other"


class Label(str, enum.Enum):
    AUTOMATED = "automated"
    HUMAN = "human-reviewed"
    UNKNOWN = "unknown"


class Direction(str, enum.Enum):
    """Which reviewer a piece of evidence points to."""

    AUTOMATED = "automated"
    HUMAN = "human"
    NEUTRAL = "neutral"


class Via(str, enum.Enum):
    """How the original was reached inside the message the user has."""

    DIRECT = "direct"
    ATTACHED = "attached message"
    INLINE = "inline forward"
    INLINE_WROTE = 'inline forward ("wrote:" line)'

    @property
    def inline(self) -> bool:
        return self in (Via.INLINE, Via.INLINE_WROTE)


class Relation(str, enum.Enum):
    """A sender's relation to a platform."""

    SENDER = "sender"  # writes from one of the platform's own domains
    LOOKALIKE = "lookalike"  # pretends to be it
    NONE = "none"


class TimeSource(str, enum.Enum):
    """Which clock a send time was read from (the JSON field `sent_at_source`)."""

    DATE_HEADER = "date-header"
    ATTACHED_DATE_HEADER = "attached-message date-header"
    FORWARDED = "forwarded-header"
    FORWARDED_FORWARDER_ZONE = "forwarded-header+forwarder-zone"
    FORWARDED_YOUR_ZONE = "forwarded-header+your-zone"
    FORWARDED_ASSUMED_UTC = "forwarded-header+assumed-utc"
    RECEIVED = "received-header"
    INTERNALDATE = "imap-internaldate"
    NONE = "none"


# The most of one message any source reads, before parsing: platform notifications are a few
# dozen KB, and parsing costs about nine times the bytes in memory. A bigger message is read from
# its start (headers and text come first) and a warning says so.
MAX_MESSAGE_BYTES = 8 * 1024 * 1024


@dataclass(frozen=True)
class RawMessage:
    """Bytes as found, and where: a path, path:index in an mbox, or folder/uid on a server."""

    data: bytes
    source: str
    in_container: bool = False  # from an mbox/Maildir/folder/IMAP: reported only if it concerns a platform
    internaldate: datetime | None = None  # IMAP INTERNALDATE, when the source has one
    size: int | None = None  # the whole message's size when `data` holds only its first MAX_MESSAGE_BYTES


@dataclass(frozen=True)
class Received:
    """One Received hop: who recorded it and when."""

    by: str
    at: datetime | None


@dataclass(frozen=True)
class TraceHeader:
    """A Received, Authentication-Results or delivery header, in the order the message carries them
    (newest first): authenticity needs to know which were written by the user's own provider."""

    name: str  # "received", "authentication-results", "arc-authentication-results", "delivered-to",
    # "x-original-to", "received-spf"
    value: str


@dataclass(frozen=True)
class ParsedMail:
    """What parse() read from one message; never raises on bad mail, defects say what was odd."""

    from_name: str
    from_addr: str
    subject: str
    message_id: str
    date_header: str
    text: str  # text/plain, or the HTML part turned into text
    received: tuple[Received, ...] = ()
    trace: tuple[TraceHeader, ...] = ()
    from_headers: tuple[str, ...] = ()  # every From header as written (not decoded): forgeries hide in them
    recipients: tuple[str, ...] = ()  # addresses in To, Cc, Delivered-To and X-Original-To
    addressed_to: tuple[str, ...] = ()  # the last To header's addresses: whom the signed message was written to
    auto_submitted: str = ""  # RFC 3834's Auto-Submitted: "auto-generated" when a program wrote it
    attached: tuple["ParsedMail", ...] = ()  # message/rfc822 parts, parsed the same way
    defects: tuple[str, ...] = ()


@dataclass(frozen=True)
class Original:
    """The message the platform sent, possibly found inside one or more forwards."""

    from_name: str
    from_addr: str
    subject: str
    body: str
    forwarded: bool
    via: Via
    date_header: str = ""  # an RFC 5322 Date header (direct mail or attached message)
    date_text: str = ""  # a date as a mail client wrote it inside an inline forward
    date_languages: tuple[str, ...] = ()  # languages implied by the forward's labels
    date_order: str = ""  # "DMY"/"MDY" when the forward's style implies one
    forwarded_by: str = ""  # the outer sender, when forwarded
    mail: ParsedMail | None = None  # the parsed message carrying the original's own headers


@dataclass(frozen=True)
class Timestamp:
    """A point in time and which clock it came from; value is None when nothing could be read."""

    value: datetime | None
    source: TimeSource
    notes: tuple[str, ...] = ()
    precision_seconds: int = 1  # 60 when the clock showed no seconds (most inline forwards)


@dataclass(frozen=True)
class Authenticity:
    authentic: bool | None
    reasons: tuple[str, ...] = ()
    stranger: bool = False  # an attached copy forwarded by someone else: reported, never paired or counted

    @property
    def counted(self) -> bool:
        """Whether the message may pair, count in history and change advice."""
        return self.authentic is not False and not self.stranger


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence: which way it points, how strongly, and the text that showed it."""

    id: str
    direction: Direction
    weight: float
    description: str
    matched: str = ""
    score: float | None = None  # fuzzy match score 0-100 when it was a fuzzy phrase match


@dataclass(frozen=True)
class MatchResult:
    platform: str | None
    kind: Kind
    template: str | None
    template_description: str = ""
    evidence: tuple[Evidence, ...] = ()
    advice_ids: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()  # e.g. "unrecognised wording"
    language: str | None = None  # not English, and nothing read: rejectscan cannot tell what it decides


@dataclass(frozen=True)
class Submission:
    at: datetime
    platform: str | None  # None: applies to every platform (--submitted-at)
    source: str  # "--submitted-at", "email <source>", "recorded with `rejectscan submitted`"
    proven: bool = True  # given by the user, or an email the provider confirmed; False: authenticity unknown
    typed: bool = False  # typed for this run (--submitted-at): it wins for the decision it pairs with


@dataclass(frozen=True)
class RecordedSubmission:
    """One `rejectscan submitted` record, as `submitted --list` shows it."""

    id: int
    at: datetime
    platform: str | None
    note: str | None
    created: datetime | None


@dataclass(frozen=True)
class Verdict:
    label: Label
    confidence: float
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class AdviceItem:
    id: str
    title: str
    text: str


@dataclass(frozen=True)
class Facts:
    """Everything learned about one message before pairing and judgement."""

    source: str
    message_id: str
    original: Original
    sent_at: Timestamp
    authenticity: Authenticity
    match: MatchResult
    warnings: tuple[str, ...] = ()
    instructions: tuple[str, ...] = ()  # what a person's reply asks for, in their words


@dataclass(frozen=True)
class Report:
    """The final word on one message, ready to render."""

    facts: Facts
    submission: Submission | None = None
    delay_seconds: int | None = None
    verdict: Verdict | None = None
    advice: tuple[AdviceItem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Heartbeat:
    """The last check of a mailbox by `fetch` or `watch`: when one last succeeded, the last error."""

    account: str
    last_ok: datetime | None
    last_error: str | None
    last_error_at: datetime | None
    runner: str | None


# --- what a server says about a message before it is downloaded (fetching, sources.imap) ---------

class ForwardSearch(str, enum.Enum):
    """How `fetch` looks for forwards of platform mail (`search_forwards` under [account])."""

    HEADERS = "headers"  # mail from your own addresses with a forward marker in its subject (default)
    BODY = "body"  # also the server's full-text search, for forwards anyone sent (indexed servers)
    OFF = "off"  # only mail from the platforms themselves


@dataclass(frozen=True)
class Sized:
    """A found message's size (RFC822.SIZE; 0 when the server gave none) and its From field as
    written, asked before any body."""

    uid: int
    size: int
    from_field: bytes = b""


@dataclass(frozen=True)
class Part:
    """One leaf of a message's MIME structure (IMAP BODYSTRUCTURE): its section number (1, 2.1),
    type and transfer encoding; for an attached message (message/rfc822), its senders as
    "Name <address>" from the envelope the server parsed."""

    section: str
    mime: str
    encoding: str = ""
    attached_from: tuple[str, ...] = ()
    inside_attached: bool = False  # a part of an attached message, not of the message itself


@dataclass(frozen=True)
class Probe:
    """What a partial look at a candidate showed: its MIME structure, leaf by leaf."""

    uid: int
    parts: tuple[Part, ...]
