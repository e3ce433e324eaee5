"""Bytes to ParsedMail. The only module that talks to mail-parser (and to the HTML converter).

Bad mail never raises here: odd structure becomes a defect. Only input that is not mail at all
(empty, binary, no header) raises NotMailError, so the user gets one line naming the file.
Work is bounded: non-text parts are dropped before decoding, text parts are capped, and the
number of parts and the nesting depth walked are limited, so a 20 MB attachment or a hostile
10,000-part message costs little.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.parser
import email.utils
import logging
import re
from dataclasses import replace
from datetime import datetime

from rejectscan.errors import NotMailError
from rejectscan.models import ParsedMail, Received, TraceHeader

MAX_TEXT_CHARS = 1_000_000  # per text part, encoded; far beyond any real notification
MAX_PARTS = 200  # parts looked at per message
MAX_ATTACHED_DEPTH = 8  # message/rfc822 inside message/rfc822 ...

# Headers any real message has at least one of; a file without any is not mail.
_MAIL_HEADERS = (
    "from", "date", "subject", "message-id", "received", "return-path", "to",
    "mime-version", "delivered-to", "content-type", "sender", "reply-to",
)

logging.getLogger("mailparser").setLevel(logging.CRITICAL)


def parse_message(data: bytes, source: str) -> ParsedMail:
    """Parse one raw message; NotMailError when the bytes are not mail at all."""
    if not data.strip():
        raise NotMailError(source, "is empty, not an email")
    if b"\x00" in data[:4096] and b":" not in data[:200]:
        raise NotMailError(source, "is a binary file, not an email")
    try:
        msg = email.message_from_bytes(data)
    except RecursionError:
        # The stdlib parser recurses per multipart level: a hostile message nests thousands deep.
        msg = email.parser.BytesParser().parsebytes(data, headersonly=True)
        if not any(msg.get(h) is not None for h in _MAIL_HEADERS):
            raise NotMailError(source, "is not an email (no mail headers found)") from None
        msg.set_payload("")
        mail = _parse_object(msg, depth=0)
        return replace(mail, defects=mail.defects + ("MIME structure nested too deeply; only the headers were read",))
    if not any(msg.get(h) is not None for h in _MAIL_HEADERS):
        raise NotMailError(source, "is not an email (no mail headers found)")
    return _parse_object(msg, depth=0)


def _parse_object(msg: email.message.Message, depth: int) -> ParsedMail:
    defects: list[str] = []
    attached: list[ParsedMail] = []
    try:
        parts = _prune(msg, attached, defects, depth)
    except RecursionError:
        defects.append("MIME structure nested too deeply; body not read")
        parts = 0
        _drop_body(msg)
    if parts > MAX_PARTS:
        defects.append(f"more than {MAX_PARTS} MIME parts; the rest were not read")
    text = ""
    mp = None
    try:
        import mailparser  # imported here: costs ~60 ms, not needed for --version

        mp = mailparser.MailParser(msg)
        plain = "\n".join(p for p in mp.text_plain if p)
        text = plain if plain.strip() else html_to_text("\n".join(mp.text_html))
    except Exception as exc:  # mail-parser on hostile input: keep the headers, note the defect
        defects.append(f"body could not be decoded ({type(exc).__name__})")
    from_name, from_addr = _sender(msg, mp)
    return ParsedMail(
        from_name=from_name,
        from_addr=from_addr,
        subject=_header_text(msg, "Subject", mp),
        message_id=_header_text(msg, "Message-ID", None).strip(),
        date_header=_header_text(msg, "Date", None).strip(),
        text=text.replace("\r\n", "\n"),
        received=tuple(_received(msg)),
        trace=tuple(_trace(msg)),
        from_headers=tuple(str(v) for v in (msg.get_all("From") or [])[:5]),
        recipients=tuple(_recipients(msg)),
        attached=tuple(attached),
        defects=tuple(defects),
    )


def _prune(msg: email.message.Message, attached: list, defects: list, depth: int) -> int:
    """Drop what text analysis never reads; parse attached messages on their own. Returns parts seen."""
    seen = 0
    stack = [msg]
    while stack:
        part = stack.pop()
        seen += 1
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
                stack.extend(reversed(payload))
        elif part.get_content_maintype() != "text":
            _drop_body(part)
        elif isinstance(payload, str) and len(payload) > MAX_TEXT_CHARS:
            part.set_payload(payload[:MAX_TEXT_CHARS])
            defects.append("a text part was longer than 1 MB; only its start was read")
    return seen


def _drop_body(part: email.message.Message) -> None:
    part.set_payload("")


def _replace_with_nothing(part: email.message.Message) -> None:
    """Turn an attached message into an empty opaque part, so mail-parser does not merge its text."""
    del part["Content-Type"]
    part["Content-Type"] = "application/octet-stream"
    part.set_payload("")


def html_to_text(html: str) -> str:
    """Readable text from HTML: entities decoded, <br>/<div> as line breaks, tables laid out, no markup."""
    if not html.strip():
        return ""
    from inscriptis import get_text  # lazy: pulls in lxml

    try:
        return get_text(html[: 4 * MAX_TEXT_CHARS])
    except Exception:  # malformed beyond lxml's recovery: strip tags as a last resort
        return re.sub(r"<[^>]*>", " ", html)


def _header_text(msg: email.message.Message, name: str, mp) -> str:
    if mp is not None:
        try:
            value = getattr(mp, name.lower().replace("-", "_"))
            if isinstance(value, str):
                return value
        except Exception:
            pass
    raw = msg.get(name)
    if raw is None:
        return ""
    return _decode_raw(raw)


def _decode_raw(raw) -> str:
    try:
        parts = email.header.decode_header(str(raw))
        out = []
        for chunk, charset in parts:
            if isinstance(chunk, bytes):
                out.append(chunk.decode(charset or "utf-8", errors="replace"))
            else:
                out.append(chunk)
        return "".join(out)
    except Exception:
        return str(raw).encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def _all_headers(msg: email.message.Message, name: str) -> list[str]:
    return [_decode_raw(v) for v in (msg.get_all(name) or [])]


def _sender(msg: email.message.Message, mp) -> tuple[str, str]:
    if mp is not None:
        try:
            pairs = mp.from_
            if pairs and pairs[0][1]:
                return pairs[0][0].strip(), pairs[0][1].strip().lower()
        except Exception:
            pass
    name, addr = email.utils.parseaddr(_decode_raw(msg.get("From", "")))
    return name.strip(), addr.strip().lower()


_BY = re.compile(r"\bby\s+([^\s;()]+)", re.I)
_TRACE = ("received", "authentication-results", "arc-authentication-results")
MAX_TRACE = 100


def _trace(msg: email.message.Message) -> list[TraceHeader]:
    """Received and results headers in the order the message carries them."""
    out = []
    for name, value in msg.items():
        if name.lower() in _TRACE:
            out.append(TraceHeader(name.lower(), re.sub(r"\s+", " ", _decode_raw(value))[:4000]))
            if len(out) >= MAX_TRACE:
                break
    return out


def _recipients(msg: email.message.Message) -> list[str]:
    values = [str(v) for name in ("To", "Cc", "Delivered-To", "X-Original-To") for v in (msg.get_all(name) or [])]
    return sorted({addr.lower() for _, addr in email.utils.getaddresses(values[:20]) if "@" in addr})


def _received(msg: email.message.Message) -> list[Received]:
    """Received hops, newest first (the order servers prepend them)."""
    hops = []
    for value in _all_headers(msg, "Received")[:50]:
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
