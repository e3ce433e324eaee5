"""Header fields read as senders really write them (RFC 5322, RFC 2047, RFC 6532). Pure.

parse.py hands over the raw bytes of the few fields the judgement reads (From, Subject, Date,
Message-ID, the recipients and the trace); no other field is ever decoded. Each field is:

- cut to MAX_FIELD_BYTES as written, so a hostile header costs little (the caller says so);
- turned into text: UTF-8 when the bytes are valid UTF-8 (RFC 6532), else the charset the
  message declares (read as the superset mail clients mean by it: GB2312 as GB18030, ISO-8859-1
  as Windows-1252), else UTF-8 where it is valid and Latin-1 for every other byte: nothing is
  ever dropped;
- unfolded: every line break followed by a space or tab is removed (RFC 5322 3.2.2), and any
  other control character becomes a space, so no CR/LF reaches a text or CSV cell;
- decoded: RFC 2047 encoded words wherever senders put them (inside quotes, touching a '<',
  split across folds), white space between two encoded words dropped and every other space kept,
  adjacent words in one charset joined before decoding (a character split between two words).

Every step is one pass over the field: linear in its length.
"""

from __future__ import annotations

import binascii
import codecs
import functools
import re
from dataclasses import dataclass

MAX_FIELD_BYTES = 16_384  # of one field as written; a real Subject or From is well under 1,000
MAX_MAILBOXES = 50  # addresses read from one address field

_FOLD = re.compile(r"\r?\n(?=[ \t])|\r(?=[ \t])")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f]")
# charset, an RFC 2231 language (dropped), encoding, text: '?' ends each; the text may hold spaces
# (some encoders leave them unencoded). A run of [^?] stops at the next '?', so matching is linear.
_ENCODED_WORD = re.compile(r"=\?([^?\s*]{1,64})(?:\*[^?\s]{0,32})?\?([bBqQ])\?([^?]*)\?=")
_BASE64 = re.compile(r"[A-Za-z0-9+/]*")
# Codecs that are no mail charset and cost more than linear time or rewrite text arbitrarily.
_REFUSED_CODECS = {"punycode", "idna", "unicode-escape", "raw-unicode-escape", "undefined"}
# What senders mean by a label: the superset their software really wrote (as browsers read them).
_SUPERSETS = {"gb2312": "gb18030", "gbk": "gb18030", "iso8859-1": "cp1252", "ascii": "cp1252",
              "euc_kr": "cp949", "shift_jis": "cp932", "iso8859-9": "cp1254", "tis-620": "cp874",
              "big5": "big5hkscs"}


def _latin1_bytes(error: UnicodeDecodeError) -> tuple[str, int]:
    return error.object[error.start:error.end].decode("latin-1"), error.end


codecs.register_error("rejectscan-latin1", _latin1_bytes)


@dataclass(frozen=True)
class Mailbox:
    name: str  # the display name, decoded
    addr: str  # the address as written (encoded words decoded only when no <...> was given)


_SURROGATE = re.compile("[\ud800-\udfff]")

def text_of(raw: bytes, charset: str = "") -> str:
    """Header bytes as text: UTF-8 if valid, else the declared charset, else Latin-1."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _in_charset(raw, charset) or raw.decode("utf-8", "rejectscan-latin1")


def _in_charset(data: bytes, charset: str) -> str | None:
    """The bytes in a declared charset, or None when it is unknown or they do not fit it."""
    codec = _codec(charset)
    if codec is None:
        return None
    try:
        text = data.decode(codec)
    except (UnicodeDecodeError, LookupError, ValueError):
        return None
    # UTF-7 and a few others can spell half a surrogate pair, which no output can encode
    return _SURROGATE.sub("\ufffd", text)


def unfold(text: str) -> str:
    """One line: folds removed, any other line break or control character made a space."""
    return _CONTROLS.sub(" ", _FOLD.sub("", text))


def decode_words(text: str) -> str:
    """Every RFC 2047 encoded word in text decoded; an undecodable one is left as written."""
    if "=?" not in text:
        return text
    out: list[str] = []
    pending: list[bytes] = []  # adjacent encoded words in one charset, not yet decoded
    pending_charset = ""
    last = 0
    for m in _ENCODED_WORD.finditer(text):
        charset = m.group(1).lower()
        data = _payload(m.group(2), m.group(3), charset)
        if data is None:
            continue  # stays in the text around it
        gap = text[last:m.start()]
        if pending and (not gap or gap.isspace()):  # white space between encoded words is not text
            if charset != pending_charset:
                out.append(_decode_bytes(b"".join(pending), pending_charset))
                pending = []
        else:
            if pending:
                out.append(_decode_bytes(b"".join(pending), pending_charset))
                pending = []
            out.append(gap)
        pending.append(data)
        pending_charset = charset
        last = m.end()
    if pending:
        out.append(_decode_bytes(b"".join(pending), pending_charset))
    out.append(text[last:])
    return "".join(out)


def unstructured(raw: bytes, charset: str = "") -> str:
    """A field like Subject: text, unfolded, encoded words decoded, ends trimmed. A field cut at
    the cap loses its last, partial word too."""
    text = unfold(text_of(raw[:MAX_FIELD_BYTES], charset))
    if len(raw) > MAX_FIELD_BYTES and " " in text:
        text = text.rsplit(" ", 1)[0]
    return unfold(decode_words(text)).strip()


def plain(raw: bytes, charset: str = "") -> str:
    """A field with no encoded words in it by definition (Date, Message-ID, Received): unfolded."""
    return unfold(text_of(raw[:MAX_FIELD_BYTES], charset)).strip()


def mailboxes(raw: bytes, charset: str = "") -> list[Mailbox]:
    """The mailboxes of an address field (From, To, Cc), in order, groups flattened.

    Read structurally before decoding (a decoded name may hold '<', ',' or '@'); then each
    display name is decoded, quoted or not. Without '<...>', the text is the address, decoded as
    stdlib parseaddr would read it, and a comment is the name: 'a@b (Name)'.
    """
    return mailboxes_in(unfold(text_of(raw[:MAX_FIELD_BYTES], charset)))


def mailboxes_in(text: str, decode: bool = True) -> list[Mailbox]:
    """`mailboxes` of a field already read as text; `decode=False` keeps encoded words as written
    (to see an address hidden in one). One pass, comments nested to any depth: the standard
    library's parser recurses per '(' and fails at a thousand."""
    text = text[:MAX_FIELD_BYTES]
    read = decode_words if decode else (lambda t: t)
    found: list[Mailbox] = []
    phrase: list[str] = []
    comment: list[str] = []
    angle: list[str] = []
    in_quote = in_angle = had_angle = False
    depth = 0
    i, n = 0, len(text)

    def close() -> None:
        nonlocal phrase, comment, angle, had_angle
        name = read("".join(phrase)).strip()
        note = read("".join(comment)).strip()
        if had_angle:
            addr = "".join(angle).strip()
            addr = addr.rsplit(":", 1)[1].strip() if ":" in addr else addr  # an obsolete route '@a,@b:'
            addr = addr.replace(" ", "")
            name = name or note
            mailbox = Mailbox("" if name.strip("'\"").lower() == addr.lower() else re.sub(r"\s+", " ", name), addr)
        else:
            words = name.split()
            at = [w for w in words if "@" in w]
            addr = at[0] if at else "".join(words)
            rest = " ".join(w for w in words if w != addr) if at else ""
            mailbox = Mailbox(re.sub(r"\s+", " ", note or rest), addr.strip("<>\"'"))
        if (mailbox.addr or mailbox.name) and len(found) < MAX_MAILBOXES:
            found.append(mailbox)
        phrase, comment, angle, had_angle = [], [], [], False

    while i < n:
        c = text[i]
        if in_quote:
            if c == "\\" and i + 1 < n:
                (angle if in_angle else phrase).append(text[i + 1])
                i += 2
                continue
            if c == '"':
                in_quote = False
            else:
                (angle if in_angle else phrase).append(c)
        elif depth:
            if c == "\\" and i + 1 < n:
                comment.append(text[i + 1])
                i += 2
                continue
            if c == "(":
                depth += 1
            elif c == ")":
                depth -= 1
                if depth == 0:
                    comment.append(" ")
                    i += 1
                    continue
            if depth:
                comment.append(c)
        elif c == '"':
            in_quote = True
        elif c == "(":
            depth = 1
        elif in_angle:
            if c == ">":
                in_angle = False
            else:
                angle.append(c)
        elif c == "<":
            in_angle = had_angle = True
            angle = []
        elif c in ",;":
            close()
        elif c == ":" and not had_angle and "@" not in "".join(phrase[-200:]):
            phrase = []  # a group's name: 'Friends: a@b, c@d;'
        else:
            phrase.append(c)
        i += 1
    close()
    return found


def _payload(encoding: str, text: str, charset: str) -> bytes | None:
    """The bytes an encoded word stands for; None when its text does not decode. 8-bit text
    inside a Q word (against the RFC, but sent) stands for itself in the word's charset."""
    try:
        if encoding in "bB":
            data = "".join(text.split()).rstrip("=")
            if not _BASE64.fullmatch(data):
                return None
            if len(data) % 4 == 1:
                data = data[:-1]  # a stray last character: what the rest says is still read
            return binascii.a2b_base64(data + "=" * (-len(data) % 4))
        try:
            data = text.encode("ascii" if text.isascii() else _codec(charset) or "utf-8")
        except (UnicodeEncodeError, LookupError):
            data = text.encode("utf-8", "surrogateescape")
        return binascii.a2b_qp(data, header=True)
    except (binascii.Error, ValueError):
        return None


def _decode_bytes(data: bytes, charset: str) -> str:
    """An encoded word's bytes in its own charset, else as text_of reads 8-bit bytes."""
    decoded = _in_charset(data, charset)
    return decoded if decoded is not None else text_of(data)


@functools.lru_cache(maxsize=256)
def _codec(charset: str) -> str | None:
    """A text codec Python knows for a charset label (RFC 2231 language dropped), or None."""
    name = (charset or "").split("*", 1)[0].strip().strip('"').lower()
    if not name or len(name) > 64:
        return None
    try:
        b"".decode(name)  # a text encoding, not base64 or rot13
        info = codecs.lookup(name)
    except (LookupError, ValueError):
        return None
    if info.name in _REFUSED_CODECS:
        return None
    return _SUPERSETS.get(info.name, info.name)
