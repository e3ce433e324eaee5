"""Bytes to ParsedMail. The only module that talks to mail-parser (and to the HTML converter).

The header fields the judgement reads are taken as raw bytes and read by headers.py (RFC 5322,
2047, 6532); mail-parser then sees only the MIME headers, and reads the bodies.

Bad mail never raises here: odd structure becomes a defect. Only input that is not mail at all
(empty, binary, no header) raises NotMailError, so the user gets one line naming the file.
Work is bounded: non-text parts are dropped before decoding, text parts are capped, and the
number of parts and the nesting depth walked are limited, so a 20 MB attachment or a hostile
10,000-part message costs little. The raw bytes are cut before the standard library's parser
sees them when they hold more boundary lines or lines than any real message (it builds one object
per part, a million of them for 6 MB of empty parts, and spends seconds on 8 MB of empty lines or
header fields), and HTML is converted only up to a size and a number of table cells (the HTML
converter lays out every cell: seconds per megabyte of tables).
"""

from __future__ import annotations

import email
import email.message
import email.parser
import email.utils
import logging
import re
from dataclasses import replace
from datetime import datetime

from rejectscan import headers
from rejectscan.errors import NotMailError
from rejectscan.models import ParsedMail, Received, TraceHeader

MAX_TEXT_CHARS = 1_000_000  # per text part, encoded; far beyond any real notification
MAX_PARTS = 200  # parts looked at per message
MAX_ATTACHED_DEPTH = 8  # message/rfc822 inside message/rfc822 ...
MAX_BOUNDARY_LINES = 10 * MAX_PARTS  # lines starting "--" read before the parser; the rest is cut
MAX_LINES = 150_000  # lines read before the parser (~0.4 us a line, ~5 a header field); 8 MB of base64 is 110,000
MAX_HTML_PART_CHARS = 200_000  # per HTML part converted; twice what Gmail shows before clipping
MAX_HTML_CHARS = 300_000  # all HTML parts together
MAX_TABLE_CELLS = 3_000  # <td>/<th> converted; real notifications have fewer than 200

# Headers any real message has at least one of; a file without any is not mail.
_MAIL_HEADERS = (
    "from", "date", "subject", "message-id", "received", "return-path", "to",
    "mime-version", "delivered-to", "content-type", "sender", "reply-to",
)

logging.getLogger("mailparser").setLevel(logging.CRITICAL)


def parse_message(data: bytes, source: str, size: int | None = None) -> ParsedMail:
    """Parse one raw message; NotMailError when the bytes are not mail at all. `size`: the whole
    message's size when `data` is only its start (the source read no more: models.MAX_MESSAGE_BYTES)."""
    mail = _parse(data, source)
    if size is not None and size > len(data):
        note = (f"the message is {size / 1e6:.0f} MB; only its first {len(data) / 1e6:.0f} MB were read "
                "(platform emails are far smaller)")
        mail = replace(mail, defects=(note, *mail.defects))
    return mail


def _parse(data: bytes, source: str) -> ParsedMail:
    if not data.strip():
        raise NotMailError(source, "is empty, not an email")
    if b"\x00" in data[:4096] and b":" not in data[:200]:
        raise NotMailError(source, "is a binary file, not an email")
    data = _unread_fields_dropped(_obsolete_field_names(data))
    data, cut = _few_boundary_lines(data)
    data, cut = _few_lines(data, cut)
    try:
        msg = email.message_from_bytes(data)
    except RecursionError:
        # The stdlib parser recurses per multipart level: a hostile message nests thousands deep.
        msg = email.parser.BytesParser().parsebytes(data, headersonly=True)
        if not any(msg.get(h) is not None for h in _MAIL_HEADERS):
            raise NotMailError(source, _not_mail(source)) from None
        msg.set_payload("")
        mail = _parse_object(msg, depth=0)
        return replace(mail, defects=(*cut, *mail.defects, "MIME structure nested too deeply; only the headers were read"))
    if not any(msg.get(h) is not None for h in _MAIL_HEADERS):
        raise NotMailError(source, _not_mail(source))
    mail = _parse_object(msg, depth=0)
    return replace(mail, defects=(*cut, *mail.defects)) if cut else mail


_LINE_BREAK = re.compile(rb"\r\n|\r|\n")  # where the parser splits lines


def _few_lines(data: bytes, notes: tuple[str, ...]) -> tuple[bytes, tuple[str, ...]]:
    """The message cut after its MAX_LINES-th line, and a note saying so: the parser's work grows with
    lines, and 8 MB of empty lines or header fields would take it seconds. Counted in C first."""
    if data.count(b"\n") + data.count(b"\r") - data.count(b"\r\n") <= MAX_LINES:
        return data, notes
    breaks = _LINE_BREAK.finditer(data)
    for _ in range(MAX_LINES - 1):
        next(breaks)
    at = next(breaks).end()
    return data[:at], (*notes, f"more than {MAX_LINES} lines; the message was cut after {at / 1e3:.0f} KB, before parsing")


# Where a line starts with "--": the only lines that can be MIME boundaries. The parser splits lines
# at CR, LF or CRLF, so a message written with bare CRs has its boundaries after "\r".
_DASH_LINE = re.compile(rb"[\r\n]--")


def _few_boundary_lines(data: bytes) -> tuple[bytes, tuple[str, ...]]:
    """The message cut before its (MAX_BOUNDARY_LINES + 1)th line starting "--", and a note saying
    so; unchanged (no note) below that. Counted in C first: real mail never comes near the limit."""
    if data.count(b"\n--") + data.count(b"\r--") <= MAX_BOUNDARY_LINES:
        return data, ()
    found = _DASH_LINE.finditer(data)
    for _ in range(MAX_BOUNDARY_LINES):
        next(found)
    at = next(found).start() + 1
    return data[:at], (f"more than {MAX_BOUNDARY_LINES} MIME boundary lines; the message was cut "
                       f"after {at / 1e3:.0f} KB, before parsing",)


def _not_mail(source: str) -> str:
    """Pasted text without its headers is the usual case on stdin: say how to get the whole message."""
    hint = ("; pipe in the whole message with its headers: save it as .eml (Gmail: Show original, then "
            "Download original; Outlook: Save as) and run `rejectscan analyze FILE.eml`") if source == "<stdin>" else ""
    return "is not an email (no mail headers found)" + hint


# RFC 5322's obsolete syntax allows white space before a field's colon ("Subject  : x"); the
# standard library's parser does not, and would read such a message as having no headers.
_OBSOLETE_FIELD = re.compile(rb"(?m)^([!-9;-~]{1,76})[ \t]+:")


def _header_end(data: bytes) -> int:
    """Where the header block ends (its blank line), or -1 within the first MB."""
    ends = [at for at in (data.find(b"\n\n", 0, 1 << 20), data.find(b"\n\r\n", 0, 1 << 20)) if at >= 0]
    return min(ends) if ends else -1


def _obsolete_field_names(data: bytes) -> bytes:
    end = _header_end(data)
    head = data[: end if end >= 0 else min(len(data), 1 << 20)]
    if b" :" not in head and b"\t:" not in head or not _OBSOLETE_FIELD.search(head):
        return data
    return _OBSOLETE_FIELD.sub(rb"\1:", head) + data[len(head):]


# Fields kept for the standard library's parser: those read here, those that tell mail from
# not-mail, and the MIME ones the body reader needs. A big header block (Office 365 adds 30 KB of
# anti-spam data to each message) loses the rest before parsing: nothing would read it.
_FIELD_LINES = re.compile(rb"(?m)^([!-9;-~]{1,76})[ \t]*:.*\n(?:[ \t].*\n)*")
BIG_HEADER = 8192


def _unread_fields_dropped(data: bytes) -> bytes:
    end = _header_end(data)
    if end < BIG_HEADER:
        return data
    head = data[: end + 1]  # through the line break that ends the last field
    keep = _KEEP_FIELDS
    pieces, last = [], 0
    for m in _FIELD_LINES.finditer(head):
        name = m.group(1).lower()
        if name in keep or name.startswith(b"content-"):
            continue
        pieces.append(head[last:m.start()])
        last = m.end()
    if not pieces:
        return data
    pieces.append(data[last:])
    return b"".join(pieces)


def _parse_object(msg: email.message.Message, depth: int) -> ParsedMail:
    defects: list[str] = []
    attached: list[ParsedMail] = []
    fields = _take_fields(msg)  # before anything else reads the headers: they are cut and filtered here
    try:
        parts = _prune(msg, attached, defects, depth)
    except RecursionError:
        defects.append("MIME structure nested too deeply; body not read")
        parts = 0
        _drop_body(msg)
    if parts > MAX_PARTS:
        defects.append(f"more than {MAX_PARTS} MIME parts; the rest were not read")
    text = ""
    try:
        import mailparser  # imported here: costs ~60 ms, not needed for --version

        mp = mailparser.MailParser(msg)  # sees only MIME headers: it reads bodies, headers.py reads headers
        plain = "\n".join(p for p in mp.text_plain if p)
        text = plain if plain.strip() else html_to_text(_html_bounded(mp.text_html, defects))
    except Exception as exc:  # mail-parser on hostile input: keep the headers, note the defect
        defects.append(f"body could not be decoded ({type(exc).__name__})")
    charset = _declared_charset(msg)
    for name in ("From", "Subject"):
        if any(len(raw) > headers.MAX_FIELD_BYTES for raw in fields.get(name.lower(), ())[:1]):
            defects.append(f"the {name} header is longer than {headers.MAX_FIELD_BYTES // 1024} KB; only its start was read")
    from_name, from_addr = _sender(fields.get("from", ()), charset)
    return ParsedMail(
        from_name=from_name,
        from_addr=from_addr,
        subject=_first(fields, "subject", headers.unstructured, charset),
        message_id=_first(fields, "message-id", headers.plain, charset),
        date_header=_first(fields, "date", headers.plain, charset),
        text=text.replace("\r\n", "\n"),
        received=tuple(_received(fields.get("received", ()), charset)),
        trace=tuple(TraceHeader(name, re.sub(r"\s+", " ", headers.plain(raw, charset))[:4000])
                    for name, raw in fields.get("trace", ())[:MAX_TRACE]),
        from_headers=tuple(headers.plain(raw, charset) for raw in fields.get("from", ())[:5]),
        recipients=tuple(_recipients(fields, charset)),
        # the last To: the one a DKIM signature covers; a sender adds a Cc or another To freely
        addressed_to=tuple(_recipients(fields, charset, ("to",), last=True)),
        auto_submitted=_first(fields, "auto-submitted", headers.plain, charset),
        attached=tuple(attached),
        defects=tuple(defects),
    )


# The header fields the judgement reads; no other field is decoded (headers.py).
_FIELDS = {"from", "subject", "date", "message-id", "received", "to", "cc", "delivered-to", "x-original-to",
           "auto-submitted"}
_TRACE = ("received", "authentication-results", "arc-authentication-results", "delivered-to", "x-original-to",
          "received-spf")
MAX_TRACE = 100
MAX_SAME_FIELD = 100  # values kept of one field name (Received hops, recipients)
MAX_PART_HEADERS = 50  # MIME headers kept per part for the body reader


_KEEP_FIELDS = frozenset(n.encode() for n in (*_FIELDS, *_TRACE, *_MAIL_HEADERS))


def _take_fields(msg: email.message.Message) -> dict:
    """The raw bytes of the fields the judgement reads, and `trace` (Received and results headers
    in the order the message carries them); the message keeps only its MIME headers, each cut to
    headers.MAX_FIELD_BYTES, for mail-parser. One pass, whatever the number of headers."""
    fields: dict = {}
    trace: list = []
    for name, value in msg.raw_items():
        key = name.lower()
        if key in _FIELDS or key in _TRACE:
            raw = _raw_bytes(value)
            if key in _FIELDS:
                values = fields.setdefault(key, [])
                if len(values) < MAX_SAME_FIELD:
                    values.append(raw)
            if key in _TRACE and len(trace) < MAX_TRACE:
                trace.append((key, raw))
    fields["trace"] = trace
    _keep_mime_headers(msg)
    return fields


def _raw_bytes(value) -> bytes:
    """A header value as the bytes written: the parser keeps 8-bit bytes as surrogate escapes.
    One byte more than the cap is kept, so a cut can be told from an exact fit."""
    text = value if isinstance(value, str) else str(value)
    return text[: headers.MAX_FIELD_BYTES + 1].encode("utf-8", "surrogateescape")


def _keep_mime_headers(part: email.message.Message) -> None:
    """Only Content-* and MIME-Version, each cut, at most MAX_PART_HEADERS: what a body reader needs.

    Assigned in one pass (deleting names one by one costs headers x names, a known denial of
    service); `_headers` is the list every compat32 Message keeps its fields in.
    """
    kept = [(k, v[: headers.MAX_FIELD_BYTES] if isinstance(v, str) else v) for k, v in part.raw_items()
            if k.lower().startswith("content-") or k.lower() == "mime-version"]
    part._headers = kept[:MAX_PART_HEADERS]


def _declared_charset(msg: email.message.Message) -> str:
    """The charset the message declares, for 8-bit header bytes that are not UTF-8: its own, or
    its first text part's."""
    for n, part in enumerate(msg.walk()):
        if n >= 20:
            break
        charset = part.get_param("charset") if part.get_content_maintype() in ("text", "multipart") else None
        if isinstance(charset, str) and charset.strip():
            return charset.strip()
    return ""


def _first(fields: dict, name: str, read, charset: str) -> str:
    values = fields.get(name, ())
    return read(values[0], charset) if values else ""


def _sender(values, charset: str) -> tuple[str, str]:
    """The first From header's mailbox with an address (or its first at all): name and address."""
    if not values:
        return "", ""
    boxes = headers.mailboxes(values[0], charset)
    box = next((b for b in boxes if "@" in b.addr), boxes[0] if boxes else None)
    if box is None:
        return "", ""
    return box.name.strip(), box.addr.strip().lower()


def _recipients(fields: dict, charset: str, names: tuple[str, ...] = ("to", "cc", "delivered-to", "x-original-to"),
                last: bool = False) -> list[str]:
    """The addresses in these fields; last: only each field's last instance."""
    values = [raw for name in names for raw in fields.get(name, ())[-1 if last else 0:]][:20]
    return sorted({box.addr.lower() for raw in values for box in headers.mailboxes(raw, charset) if "@" in box.addr})


def _prune(msg: email.message.Message, attached: list, defects: list, depth: int) -> int:
    """Drop what text analysis never reads; parse attached messages on their own. Returns parts seen."""
    seen = 0
    cut = False
    stack = [msg]
    while stack:
        part = stack.pop()
        seen += 1
        _keep_mime_headers(part)
        if seen > MAX_PARTS:
            _drop_body(part)
            continue
        ctype = part.get_content_type()
        payload = part.get_payload()
        if ctype == "message/rfc822" or (isinstance(payload, list) and not part.is_multipart()):
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, email.message.Message):
                if depth < MAX_ATTACHED_DEPTH:
                    attached.append(_parse_object(inner, depth + 1))
                else:
                    defects.append("attached messages nested too deeply; the innermost were not read")
            _replace_with_nothing(part)
        elif part.is_multipart():
            if isinstance(payload, list):
                room = max(MAX_PARTS + 1 - seen - len(stack), 0)
                if len(payload) > room:  # cut here, so the body reader never walks thousands of emptied parts
                    payload = payload[:room]
                    part.set_payload(payload)
                    cut = True
                stack.extend(reversed(payload))
        elif part.get_content_maintype() != "text":
            _drop_body(part)
        elif isinstance(payload, str) and len(payload) > MAX_TEXT_CHARS:
            part.set_payload(payload[:MAX_TEXT_CHARS])
            defects.append("a text part was longer than 1 MB; only its start was read")
    return MAX_PARTS + 1 if cut else seen


def _drop_body(part: email.message.Message) -> None:
    part.set_payload("")


def _replace_with_nothing(part: email.message.Message) -> None:
    """Turn an attached message into an empty opaque part, so mail-parser does not merge its text."""
    del part["Content-Type"]
    part["Content-Type"] = "application/octet-stream"
    part.set_payload("")


_CELL = re.compile(r"<t[dh][\s/>]", re.I)


def _html_bounded(parts: list[str], defects: list) -> str:
    """The HTML parts joined, each cut at MAX_HTML_PART_CHARS, all at MAX_HTML_CHARS and before the
    (MAX_TABLE_CELLS + 1)th table cell: the converter's time grows with size and cells, and the
    judgement reads only the start of the text. A cut is noted."""
    cut = [p[:MAX_HTML_PART_CHARS] for p in parts]
    if any(len(c) < len(p) for c, p in zip(cut, parts)):
        defects.append(f"an HTML part was longer than {MAX_HTML_PART_CHARS // 1000} KB; only its start was read")
    html = "\n".join(cut)
    if len(html) > MAX_HTML_CHARS:
        html = html[:MAX_HTML_CHARS]
        defects.append(f"the HTML parts were longer than {MAX_HTML_CHARS // 1000} KB together; only their start was read")
    cells = _CELL.finditer(html)
    for n, cell in enumerate(cells):
        if n == MAX_TABLE_CELLS:
            html = html[:cell.start()]
            defects.append(f"the HTML had more than {MAX_TABLE_CELLS} table cells; only the first were read")
            break
    return html


def html_to_text(html: str) -> str:
    """Readable text from HTML: entities decoded, <br>/<div> as line breaks, tables laid out, no markup.
    Callers bound the HTML first (_html_bounded); the cap here only guards a direct call."""
    html = html[:MAX_HTML_CHARS]
    if not html.strip():
        return ""
    from inscriptis import get_text  # lazy: pulls in lxml

    try:
        return get_text(html)
    except Exception:  # malformed beyond lxml's recovery: strip tags as a last resort
        return re.sub(r"<[^>]*>", " ", html)


_BY = re.compile(r"\bby\s+([^\s;()]+)", re.I)
def _received(values, charset: str) -> list[Received]:
    """Received hops, newest first (the order servers prepend them)."""
    hops = []
    for value in (headers.plain(raw, charset) for raw in values[:50]):
        when: datetime | None = None
        if ";" in value:
            try:
                when = email.utils.parsedate_to_datetime(value.rsplit(";", 1)[1].strip())
            except (TypeError, ValueError, IndexError):
                when = None
            if when is not None and when.tzinfo is None:
                when = None  # a hop without a zone tells us nothing exact
        by = _BY.search(value)
        hops.append(Received(by=by.group(1) if by else "", at=when))
    return hops
