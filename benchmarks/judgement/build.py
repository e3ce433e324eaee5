#!/usr/bin/env python3
"""Turn the judgement cases into full RFC 5322 messages, as the user's mailbox stored them.

Reads cases/*.toml (format in README.md) and writes mail/<split>/<id>.eml (dev, holdout, fresh) and
mail/expected.toml; .eml files it no longer generates are deleted. Each message carries the trace
and authentication headers of one of four mail providers (Gmail, Office 365, Fastmail, a Postfix
and Dovecot server of the user's own), laid out as that provider writes them. Deterministic:
everything that varies (provider, host names, queue ids, delays, signatures) comes from a hash of
the case id, nothing from the clock or a random source, so every run writes the same bytes.

Usage: python benchmarks/judgement/build.py
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import quopri
import re
import string
import sys
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.header import Header
from email.utils import format_datetime, formataddr, parseaddr
from pathlib import Path
from typing import Any, Callable, NamedTuple

from rejectscan.compat import tomllib

HERE = Path(__file__).resolve().parent
CASES = HERE / "cases"
MAIL = HERE / "mail"

Case = dict[str, Any]

# --- the case format ------------------------------------------------------------------------------

REQUIRED = ("id", "split", "category", "platform", "kind", "from", "subject", "date", "body")
OPTIONAL = ("label", "authentic", "submitted_at", "html", "reply_to", "headers", "auth", "wrap", "note")
CHOICES = {
    "split": ("dev", "holdout", "fresh", "blind", "published", "blind-d", "blind-e", "blind-f", "blind-g", "blind-h"),
    "platform": ("upwork", "fiverr", "peopleperhour", "toptal", "freelancer", "guru", "none"),
    "kind": ("submission", "rejection", "approval", "suspension", "other"),
    "label": ("automated", "human-reviewed", "unknown"),
    "auth": ("pass", "none", "fail", "forged-pass"),
    "wrap": ("none", "gmail-forward", "outlook-forward", "attached"),
}
FALLBACK = {"split": "counted as holdout", "auth": "written as pass", "wrap": "written unwrapped"}
ID = re.compile(r"[a-z0-9][a-z0-9-]*")


def load_cases(folder: Path) -> list[Case]:
    """Every case of every cases/*.toml, in file order; exits on what would make a message unwritable."""
    cases: list[Case] = []
    for path in sorted(folder.glob("*.toml")):
        with open(path, "rb") as fh:
            for case in tomllib.load(fh).get("case", []):
                dates = {k: v.isoformat() for k, v in case.items() if isinstance(v, datetime)}
                cases.append({**case, **dates, "_file": path.name})
    seen: set[str] = set()
    for case in cases:
        missing = [key for key in REQUIRED if key not in case]
        where = f"{case['_file']}: {case.get('id', '?')}"
        if missing:
            sys.exit(f"build.py: {where}: missing {', '.join(missing)}")
        if not ID.fullmatch(case["id"]) or case["id"] in seen:
            sys.exit(f"build.py: {where}: id is not unique lowercase letters, digits and dashes")
        seen.add(case["id"])
        if aware(case["date"]) is None:
            sys.exit(f"build.py: {where}: date {case['date']!r} is not ISO 8601 with an offset")
        for problem in problems(case):
            print(f"build.py: warning: {where}: {problem}", file=sys.stderr)
    return cases


def aware(value: object) -> datetime | None:
    """An ISO 8601 string with a UTC offset as a datetime, else None."""
    try:
        when = datetime.fromisoformat(str(value))
    except ValueError:
        return None
    return when if when.tzinfo is not None else None


def problems(case: Case) -> list[str]:
    """What in a case breaks the format in README.md without stopping the build."""
    found = [f"{key} = {case[key]!r} is not one of {', '.join(allowed)}" + ("; " + FALLBACK[key]) * (key in FALLBACK)
             for key, allowed in CHOICES.items() if key in case and case[key] not in allowed]
    found += [f"unknown key {key!r}" for key in case if key not in (*REQUIRED, *OPTIONAL, "_file")]
    if (case["kind"] == "rejection") != ("label" in case):
        found.append("a label goes with kind = rejection, and only with it")
    if case.get("authentic", True) not in (True, False, "null"):
        found.append(f"authentic = {case['authentic']!r} is not true, false or \"null\"")
    if "submitted_at" in case and aware(case["submitted_at"]) is None:
        found.append(f"submitted_at {case['submitted_at']!r} is not ISO 8601 with an offset")
    return found


def split_of(case: Case) -> str:
    """The case's split; an unknown one counts as holdout, so that nobody tunes on it."""
    return case["split"] if case["split"] in CHOICES["split"] else "holdout"


def option(case: Case, key: str, default: str) -> str:
    """auth or wrap, the default when missing or unknown."""
    return case[key] if case.get(key) in CHOICES[key] else default


# --- stable variation -----------------------------------------------------------------------------

ALNUM = string.ascii_letters + string.digits
HEX = "0123456789abcdef"
DIGITS = string.digits
UPPER = string.ascii_uppercase


def blob(key: str, purpose: str, size: int) -> bytes:
    """size bytes that depend only on the case key and what they are for."""
    out = b""
    while len(out) < size:
        out += hashlib.sha256(f"{purpose}\x00{key}\x00{len(out)}".encode()).digest()
    return out[:size]


def number(key: str, purpose: str, below: int) -> int:
    return int.from_bytes(blob(key, purpose, 8), "big") % below


def token(key: str, purpose: str, size: int, alphabet: str = ALNUM) -> str:
    return "".join(alphabet[b % len(alphabet)] for b in blob(key, purpose, size))


def b64(key: str, purpose: str, size: int) -> str:
    return base64.b64encode(blob(key, purpose, size)).decode()


def uuid(key: str, purpose: str) -> str:
    h = token(key, purpose, 32, HEX)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


# --- dates ------------------------------------------------------------------------------------------

DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December")


def sunday(year: int, month: int, first_day: int) -> datetime:
    """The first Sunday on or after that day."""
    day = datetime(year, month, first_day)
    return day + timedelta(days=6 - day.weekday())


def us_zone(when: datetime, standard: int) -> timezone:
    """A US zone's offset at that moment: daylight time from March's second Sunday to November's first."""
    moment = when.astimezone(timezone.utc).replace(tzinfo=None)
    start = sunday(moment.year, 3, 8) + timedelta(hours=2 - standard)
    end = sunday(moment.year, 11, 1) + timedelta(hours=1 - standard)
    return timezone(timedelta(hours=standard + (start <= moment < end)))


def us_time(when: datetime, standard: int, zones: tuple[str, str], named: bool = True) -> str:
    """RFC 5322 date in a US zone (standard offset in hours), with a '(PDT)'-style name if named."""
    zone = us_zone(when, standard)
    text = format_datetime(when.astimezone(zone))
    return f"{text} ({zones[zone.utcoffset(None) != timedelta(hours=standard)]})" if named else text


def pacific(when: datetime) -> str:
    return us_time(when, -8, ("PST", "PDT"))


def eastern(when: datetime, named: bool = True) -> str:
    return us_time(when, -5, ("EST", "EDT"), named)


def utc(when: datetime) -> str:
    return format_datetime(when.astimezone(timezone.utc))


def clock(when: datetime) -> str:
    return f"{when.hour % 12 or 12}:{when:%M} {'AM' if when.hour < 12 else 'PM'}"


def gmail_date(when: datetime) -> str:
    """'Sat, Oct 3, 2026 at 9:14 AM', as Gmail quotes a forwarded message's date (no zone)."""
    return f"{DAYS[when.weekday()][:3]}, {MONTHS[when.month - 1][:3]} {when.day}, {when.year} at {clock(when)}"


def outlook_date(when: datetime) -> str:
    """'Saturday, October 3, 2026 9:14 AM', as Outlook quotes a forwarded message's date."""
    return f"{DAYS[when.weekday()]}, {MONTHS[when.month - 1]} {when.day}, {when.year} {clock(when)}"


# --- people and routes ------------------------------------------------------------------------------

USER_DOMAIN = "example.org"
GREETING = re.compile(r"^(?:hi|hello|dear|hey)\s+([^,\n]+?)\s*,", re.IGNORECASE | re.MULTILINE)
TITLE = re.compile(r"^(?:mr|mrs|ms|mx|dr)\.?\s+", re.IGNORECASE)
GENERIC = {"there", "user", "seller", "candidate", "member", "freelancer", "guru member", "team", "all",
           "customer"}
PERSON = re.compile(r"[^\W\d_]+(?: [^\W\d_]+)*")


@dataclass(frozen=True)
class Mailbox:
    name: str
    addr: str

    @property
    def domain(self) -> str:
        return self.addr.rpartition("@")[2].lower()

    def header(self) -> str:
        """As an address header has it: the name quoted or RFC 2047-encoded where needed."""
        return formataddr((self.name, self.addr), charset="utf-8")

    def quoted(self) -> str:
        """As a forward quotes it in the body: the name as is."""
        return f"{self.name} <{self.addr}>" if self.name else f"<{self.addr}>"


DEFAULT_USER = Mailbox("Maria Santos", f"maria.santos@{USER_DOMAIN}")


def user_for(body: str) -> Mailbox:
    """The recipient, named after the greeting ('Hi Dmitri,' -> dmitri@example.org)."""
    match = GREETING.search("\n".join(body.splitlines()[:8]))
    name = TITLE.sub("", match.group(1)).strip() if match else ""
    plain = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    local = re.sub(r"[^a-z0-9._-]+", ".", plain).strip(".")
    if not local or name.lower() in GENERIC:
        return DEFAULT_USER
    person = PERSON.fullmatch(name) is not None and name[0].isupper()
    return Mailbox(name if person else "", f"{local}@{USER_DOMAIN}")


@dataclass(frozen=True)
class Route:
    """How a message reached the user's provider: the last hop outside it and the one before."""
    host: str        # the server that connected to the provider
    ip: str
    mailfrom: str    # the envelope sender
    helo: str        # the hop before: who handed the message to `host`
    peer: str
    protocol: str


PLATFORM_IP = "198.51.100.7"
FREEMAIL = {"gmail.com": ("mail-sor-f41.google.com", "209.85.220.41")}
OUTBOUND = {  # where each provider sends its own users' mail from
    "gmail": ("mail-sor-f41.google.com", "209.85.220.41"),
    "outlook": ("NAM12-DM6-obe.outbound.protection.outlook.com", "40.107.243.58"),
    "fastmail": ("fout-a2-smtp.messagingengine.com", "103.168.172.145"),
    "postfix": ("mail.example.org", "192.0.2.25"),
}
HOME = ("[192.168.1.23]", "host-77.home.example.net [192.0.2.77]", "ESMTPSA")


def route(sender: Mailbox, auth: str, provider: str, key: str) -> Route:
    """The platform's outbound MTA, a webmail service, the user's own provider or a spoofer's box."""
    if sender.domain == USER_DOMAIN:
        return Route(*OUTBOUND[provider], sender.addr, *HOME)
    if auth in ("fail", "forged-pass"):
        return Route("vps-203-0-113-45.hosted-by.example.net", "203.0.113.45", f"bounce@{sender.domain}",
                     "localhost", "localhost [127.0.0.1]", "ESMTP")
    if sender.domain in FREEMAIL:
        return Route(*FREEMAIL[sender.domain], sender.addr, *HOME)
    internal = f"10.{number(key, 'net', 200) + 20}.{number(key, 'subnet', 250)}.{number(key, 'host', 250) + 2}"
    return Route(f"mta{number(key, 'mta', 9) + 1}.{sender.domain}", PLATFORM_IP, f"bounce@{sender.domain}",
                 f"app{number(key, 'app', 40) + 1}.internal", f"unknown [{internal}]", "ESMTP")


# --- MIME -------------------------------------------------------------------------------------------

class Entity(NamedTuple):
    """A MIME entity: its header lines and its encoded payload."""
    headers: tuple[str, ...]
    payload: str

    def text(self) -> str:
        return "\n".join(self.headers) + "\n\n" + self.payload


def qp(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def text_part(text: str, subtype: str = "plain") -> Entity:
    return Entity((f'Content-Type: text/{subtype}; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"),
                  qp(text))


def multipart(subtype: str, key: str, parts: list[Entity]) -> Entity:
    """Parts behind a boundary ('=_' never occurs in quoted-printable text)."""
    boundary = "=_" + token(key, f"boundary-{subtype}", 28, HEX)
    payload = "".join(f"--{boundary}\n{part.text()}\n" for part in parts) + f"--{boundary}--\n"
    return Entity((f'Content-Type: multipart/{subtype};\n boundary="{boundary}"',), payload)


def attachment(message: str) -> Entity:
    return Entity(('Content-Type: message/rfc822; name="original.eml"', "Content-Transfer-Encoding: 7bit",
                   'Content-Disposition: attachment; filename="original.eml"'), message)


LINK = re.compile(r"(https?://[^\s<>\"]*[^\s<>\".,;:!?)\]']|www\.[^\s<>\"]*[^\s<>\".,;:!?)\]'])"
                  r"|([\w.+-]+@[\w-]+(?:\.[\w-]+)+)")
BULLET = re.compile(r"^\s*(?:[-*\u2022]|\d+[.)])\s+")


def linked(line: str) -> str:
    """A line of text as HTML, URLs and addresses made links."""
    def link(match: re.Match[str]) -> str:
        text = match.group(0)
        href = f"mailto:{text}" if match.group(2) else text if "://" in text else f"https://{text}"
        return f'<a href="{href}" style="color:#1a73e8;">{text}</a>'
    return LINK.sub(link, html.escape(line, quote=False))


def block_html(block: str) -> str:
    """One paragraph of the text: a list if every line is an item, else lines joined by <br>."""
    lines = block.split("\n")
    if len(lines) > 1 and all(BULLET.match(line) for line in lines):
        tag = "ol" if BULLET.match(lines[0]).group(0).strip()[0].isdigit() else "ul"
        items = "".join(f"<li>{linked(BULLET.sub('', line))}</li>\n" for line in lines)
        return f'<{tag} style="margin:0 0 16px 0;padding-left:24px;">\n{items}</{tag}>\n'
    return '<p style="margin:0 0 16px 0;">' + "<br>\n".join(linked(line) for line in lines) + "</p>\n"


def html_content(text: str) -> str:
    """The text as an email's HTML table: one block per paragraph, the last one as the footer."""
    blocks = [b.strip("\n") for b in re.split(r"\n[ \t]*\n", text) if b.strip()]
    main, footer = (blocks[:-1], blocks[-1:]) if len(blocks) > 1 else (blocks, [])
    cells = ['<td style="padding:32px 40px 16px 40px;">\n' + "".join(block_html(b) for b in main) + "</td>"]
    if footer:
        cells.append('<td style="padding:16px 40px 32px 40px;border-top:1px solid #e5e5e5;font-size:12px;'
                     'line-height:18px;color:#777777;">\n' + block_html(footer[0]) + "</td>")
    rows = "".join(f"<tr>\n{cell}\n</tr>\n" for cell in cells)
    return ('<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" '
            'style="background-color:#f4f4f4;">\n<tr>\n<td align="center" style="padding:24px 12px;">\n'
            '<table role="presentation" width="600" cellpadding="0" cellspacing="0" border="0" '
            'style="max-width:600px;background-color:#ffffff;font-family:Helvetica,Arial,sans-serif;'
            f'font-size:15px;line-height:22px;color:#222222;">\n{rows}</table>\n</td>\n</tr>\n</table>\n')


def html_document(title: str, content: str) -> str:
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n'
            '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n</head>\n"
            f'<body style="margin:0;padding:0;background-color:#f4f4f4;">\n{content}</body>\n</html>\n')


def body(key: str, text: str, with_html: bool, title: str) -> Entity:
    """text/plain, or multipart/alternative with an HTML rendering of the same text."""
    if not with_html:
        return text_part(text)
    return multipart("alternative", key, [text_part(text), text_part(html_document(title, html_content(text)), "html")])


# --- headers ----------------------------------------------------------------------------------------

def fold(name: str, value: str, indent: str = " ", width: int = 78) -> str:
    """'Name: value' folded at spaces so that lines stay within width where words allow."""
    words = value.split(" ")
    lines = [f"{name}: {words[0]}"]
    for word in words[1:]:
        if len(lines[-1]) + 1 + len(word) > width:
            lines.append(indent + word)
        else:
            lines[-1] += " " + word
    return "\n".join(lines)


def subject_header(subject: str) -> str:
    """RFC 2047-encoded when not ASCII, folded when long."""
    if subject.isascii():
        return fold("Subject", subject)
    return "Subject: " + Header(subject, "utf-8", header_name="Subject").encode(linesep="\n")


def chunks(text: str, size: int) -> list[str]:
    return [text[i:i + size] for i in range(0, len(text), size)]


@dataclass(frozen=True)
class Message:
    """A message as its sender wrote it, before any server handled it."""
    key: str
    sender: Mailbox
    to: Mailbox
    subject: str
    sent: datetime
    text: str        # the text/plain part, as written
    entity: Entity
    reply_to: str | None = None
    extra: tuple[tuple[str, str], ...] = ()

    def headers(self) -> list[str]:
        """From to the extra headers, in the order mail clients write them."""
        message_id = f"{self.key.replace('/', '.')}.{token(self.key, 'message-id', 12, HEX)}@{self.sender.domain}"
        lines = [f"From: {self.sender.header()}", f"To: {self.to.header()}", subject_header(self.subject),
                 f"Date: {format_datetime(self.sent)}", f"Message-ID: <{message_id}>", "MIME-Version: 1.0"]
        lines += [f"Reply-To: {self.reply_to}"] if self.reply_to else []
        return lines + [f"{name}: {value}" for name, value in self.extra]

    def dkim(self, signature: str) -> str:
        """A well-formed DKIM-Signature for the sender's domain; its b= is the given fake."""
        signed = ["from", "to", "subject", "date", "message-id", "mime-version"]
        signed += ["reply-to"] * bool(self.reply_to) + [name.lower() for name, _ in self.extra] + ["content-type"]
        body_hash = base64.b64encode(hashlib.sha256(self.entity.payload.encode()).digest()).decode()
        return (f"DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d={self.sender.domain}; s=s1;\n"
                f"\tt={int(self.sent.timestamp())}; h={':'.join(signed)};\n\tbh={body_hash};\n"
                "\tb=" + "\n\t ".join(chunks(signature, 70)))


# --- what the user's provider adds ------------------------------------------------------------------

@dataclass(frozen=True)
class Delivery:
    """One message arriving at the user's provider, and what the provider's checks found."""
    key: str
    domain: str      # the From domain
    user: Mailbox
    route: Route
    results: str     # pass | fail | none
    sent: datetime
    signature: str   # the DKIM b= value (results quote its first 8 characters)

    def at(self, hop: int) -> datetime:
        """When hop 0 (the sender's last server), 1 (the provider's MX) or 2 (its store) handled it."""
        steps = (1 + number(self.key, "hop0", 2), 1 + number(self.key, "hop1", 3), number(self.key, "hop2", 2))
        return self.sent + timedelta(seconds=sum(steps[:hop + 1]))

    @property
    def mailfrom_domain(self) -> str:
        return self.route.mailfrom.rpartition("@")[2]


Trace = tuple[list[str], list[str]]  # headers above the message's own, and (Office 365) below them


def gmail_results(result: str, domain: str, mailfrom: str, ip: str, b: str) -> list[str]:
    """Gmail's result clauses for the From domain."""
    verb, disposition = ("designates", "NONE") if result == "pass" else ("does not designate", "QUARANTINE")
    return [f"dkim={result} header.i=@{domain} header.s=s1 header.b={b[:8]}",
            f"spf={result} (google.com: domain of {mailfrom} {verb} {ip} as permitted sender) smtp.mailfrom={mailfrom}",
            f"dmarc={result} (p=REJECT sp=REJECT dis={disposition}) header.from={domain}"]


def gmail_header(name: str, prefix: str, clauses: list[str]) -> str:
    return f"{name}: {prefix}mx.google.com;\n" + ";\n".join(f"       {c}" for c in clauses)


def forged_results(domain: str, signature: str) -> str:
    """The Gmail-style pass a sender writes into its own message (it quotes the platform's real IP)."""
    return gmail_header("Authentication-Results", "",
                        gmail_results("pass", domain, f"bounce@{domain}", PLATFORM_IP, signature))


def gmail(d: Delivery) -> Trace:
    """Google (Gmail or Workspace): results below its MX's Received line, ARC above it."""
    k, r = d.key, d.route
    t_in, t_store = d.at(1), d.at(2)
    pdt = pacific(t_store)
    local = t_in.astimezone(us_zone(t_in, -8))
    gid = (f"{token(k, 'g1', 13, HEX)}-{token(k, 'g2', 12, HEX)}si{token(k, 'g3', 7, DIGITS)}"
           f"{token(k, 'g4', 3, string.ascii_lowercase)}.{number(k, 'g5', 900) + 10}.{local:%Y.%m.%d.%H.%M.%S}")
    top = [f"Delivered-To: {d.user.addr}",
           f"Received: by 2002:a05:{token(k, 'r1', 4, HEX)}:{token(k, 'r2', 3, HEX)}:b0:{token(k, 'r3', 3, HEX)}:"
           f"{token(k, 'r4', 4, HEX)}:{token(k, 'r5', 4, HEX)} with SMTP id {token(k, 'r6', 2, string.ascii_lowercase)}"
           f"{token(k, 'r7', 2, DIGITS)}csp{token(k, 'r8', 7, DIGITS)}{token(k, 'r9', 3, string.ascii_lowercase)};\n"
           f"        {pdt}",
           f"X-Google-Smtp-Source: AGHT+I{b64(k, 'smtp-source', 45)}",
           f"X-Received: by 2002:a05:6214:{token(k, 'x1', 4, HEX)}:b0:{token(k, 'x2', 3, HEX)}:"
           f"{token(k, 'x3', 4, HEX)} with SMTP id {token(k, 'x4', 16, HEX)}.{number(k, 'x5', 900) + 10}."
           f"{int(t_store.timestamp()) * 1000 + number(k, 'x6', 1000)};\n"
           f"        {pdt}"]
    clauses = gmail_results(d.results, d.domain, r.mailfrom, r.ip, d.signature) if d.results != "none" else []
    if clauses:
        top += [f"ARC-Seal: i=1; a=rsa-sha256; t={int(t_in.timestamp())}; cv=none;\n        d=google.com; "
                "s=arc-20240605;\n        b=" + "\n         ".join(chunks(b64(k, "arc-seal", 256), 68)),
                "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=google.com; s=arc-20240605;\n"
                "        h=mime-version:subject:message-id:to:from:date:dkim-signature;\n"
                f"        bh={b64(k, 'arc-bh', 32)};\n        fh={b64(k, 'arc-fh', 32)};\n"
                "        b=" + "\n         ".join(chunks(b64(k, "arc-b", 256), 68)),
                gmail_header("ARC-Authentication-Results", "i=1; ", clauses)]
    top += [f"Return-Path: <{r.mailfrom}>",
            f"Received: from {r.host} ({r.host}. [{r.ip}])\n        by mx.google.com with ESMTPS id {gid}\n"
            f"        for <{d.user.addr}>\n        (version=TLS1_3 cipher=TLS_AES_256_GCM_SHA384 bits=256/256);\n"
            f"        {pacific(t_in)}"]
    if clauses:
        verb = "designates" if d.results == "pass" else "does not designate"
        top += [f"Received-SPF: {d.results} (google.com: domain of {r.mailfrom} {verb} {r.ip} as permitted sender) "
                f"client-ip={r.ip};",
                gmail_header("Authentication-Results", "", clauses)]
    return top, []


def outlook(d: Delivery) -> Trace:
    """Exchange Online (Office 365): results above its frontend's Received line, X-MS-* below the message's headers."""
    k, r = d.key, d.route
    region = f"namprd{number(k, 'region', 20) + 1:02d}"
    frontend = f"{token(k, 'fe1', 2, UPPER)}{number(k, 'fe2', 9) + 1}PEPF{token(k, 'fe3', 8, '0123456789ABCDEF')}"
    mailbox = (f"{token(k, 'mb1', 2, UPPER)}{number(k, 'mb2', 9) + 1}PR{number(k, 'mb3', 20):02d}"
               f"MB{token(k, 'mb4', 4, DIGITS)}")
    build = f"15.20.{8400 + number(k, 'build', 400)}.{number(k, 'minor', 40)}"
    v6 = f"2603:10b6:{token(k, 'v6a', 3, HEX)}:{token(k, 'v6b', 3, HEX)}"
    passed = d.results == "pass"
    top = [fold("Received", f"from {frontend}.{region}.prod.outlook.com ({v6}:cafe::{token(k, 'v6c', 2, HEX)}) by "
                f"{mailbox}.{region}.prod.outlook.com ({v6}::{token(k, 'v6d', 2, HEX)}) with Microsoft SMTP Server "
                f"(version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id {build}; {utc(d.at(2))}")]
    if d.results != "none":
        top += [fold("Authentication-Results",
                     f"spf={d.results} (sender IP is {r.ip}) smtp.mailfrom={d.mailfrom_domain}; "
                     + (f"dkim=pass (signature was verified) header.d={d.domain};dmarc=pass action=none "
                        f"header.from={d.domain};compauth=pass reason=100" if passed else
                        f"dkim=fail (signature did not verify) header.d={d.domain};dmarc=fail action=oreject "
                        f"header.from={d.domain};compauth=fail reason=000")),
                fold("Received-SPF", f"{d.results.capitalize()} (protection.outlook.com: domain of {d.mailfrom_domain} "
                     f"{'designates' if passed else 'does not designate'} {r.ip} as permitted sender) "
                     f"receiver=protection.outlook.com; client-ip={r.ip}; helo={r.host};" + " pr=C" * passed)]
    top.append(fold("Received", f"from {r.host} ({r.ip}) by {frontend}.mail.protection.outlook.com "
                    f"(10.167.{number(k, 'fe-ip1', 250)}.{number(k, 'fe-ip2', 250)}) with Microsoft SMTP Server "
                    f"(version=TLS1_3, cipher=TLS_AES_256_GCM_SHA384) id {build} via Frontend Transport; "
                    f"{utc(d.at(1))}"))
    arrival = d.at(1).astimezone(timezone.utc)
    stamp = f"{arrival.day:02d} {MONTHS[arrival.month - 1][:3]} {arrival:%Y %H:%M:%S}.{token(k, 'ms', 4, DIGITS)} (UTC)"
    tenant, message = uuid(USER_DOMAIN, "tenant"), uuid(k, "network-message")
    spam = "1" if d.results != "fail" else "5"
    sfs = "(13230040)(29132699027)(1800799024)(4022899009)(8096899003)"
    bottom = [f"Return-Path: {r.mailfrom}",
              f"X-MS-Exchange-Organization-ExpirationStartTime: {stamp}",
              "X-MS-Exchange-Organization-ExpirationStartTimeReason: OriginalSubmit",
              "X-MS-Exchange-Organization-ExpirationInterval: 1:00:00:00.0000000",
              "X-MS-Exchange-Organization-ExpirationIntervalReason: OriginalSubmit",
              f"X-MS-Exchange-Organization-Network-Message-Id: {message}",
              "X-EOPAttributedMessage: 0",
              f"X-EOPTenantAttributedMessage: {tenant}:0",
              "X-MS-Exchange-Organization-MessageDirectionality: Incoming",
              "X-MS-PublicTrafficType: Email",
              f"X-MS-TrafficTypeDiagnostic: {frontend}:EE_|{mailbox}:EE_",
              f"X-MS-Exchange-Organization-AuthSource: {frontend}.{region}.prod.outlook.com",
              "X-MS-Exchange-Organization-AuthAs: Anonymous",
              f"X-MS-Office365-Filtering-Correlation-Id: {message}",
              f"X-MS-Exchange-Organization-SCL: {spam}",
              "X-Microsoft-Antispam: BCL:0;ARA:13230040|29132699027|1800799024|4022899009|8096899003;",
              fold("X-Forefront-Antispam-Report",
                   f"CIP:{r.ip};CTRY:US;LANG:en;SCL:{spam};SRV:;IPV:NLI;SFV:{'SPM' if spam == '5' else 'NSPM'};"
                   f"H:{r.host};PTR:{r.host};CAT:{'SPOOF' if spam == '5' else 'NONE'};SFS:{sfs};DIR:INB;"),
              f"X-MS-Exchange-CrossTenant-OriginalArrivalTime: {stamp}",
              f"X-MS-Exchange-CrossTenant-Network-Message-Id: {message}",
              f"X-MS-Exchange-CrossTenant-Id: {tenant}",
              f"X-MS-Exchange-CrossTenant-AuthSource: {frontend}.{region}.prod.outlook.com",
              "X-MS-Exchange-CrossTenant-AuthAs: Anonymous",
              "X-MS-Exchange-CrossTenant-FromEntityHeader: Internet",
              f"X-MS-Exchange-Transport-CrossTenantHeadersStamped: {mailbox}",
              f"X-MS-Exchange-Transport-EndToEndLatency: 00:00:0{number(k, 'lat', 3) + 1}.{token(k, 'lat', 7, DIGITS)}",
              f"X-MS-Exchange-Processed-By-BccFoldering: {build}",
              "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;"
              f"dest:{'J' if spam == '5' else 'I'};ENG:(910005)(944506478)(944626604)(920097)(930097)(140003);",
              "X-Microsoft-Antispam-Message-Info: " + "\n ".join(chunks(b64(k, "message-info", 180), 76))]
    return top, bottom


def fastmail_results(d: Delivery, mx: str) -> str:
    """Fastmail's combined results header (Authentication Milter)."""
    r, b, passed = d.route, d.signature[:8], d.results == "pass"
    disposition = ("none", "none", "none") if passed else ("quarantine", "reject", "quarantine")
    clauses = [f"dkim={d.results} ({'2048-bit rsa key sha256' if passed else 'signature verification failed'}) "
               f"header.d={d.domain} header.i=@{d.domain}\n"
               f"      header.b={b} header.a=rsa-sha256 header.s=s1 x-bits=2048",
               f"dmarc={d.results} policy.published-domain-policy=reject\n"
               f"      policy.applied-disposition={disposition[0]} policy.evaluated-disposition={disposition[1]}\n"
               f"      (p=reject,d={disposition[2]},d.eval={disposition[1]}) policy.policy-from=p\n"
               f"      header.from={d.domain}",
               f"iprev=pass smtp.remote-ip={r.ip} ({r.host})",
               f"spf={d.results} smtp.mailfrom={r.mailfrom}\n      smtp.helo={r.host}",
               f"x-aligned-from={'pass (Address match)' if passed else 'fail'}",
               f"x-ptr=pass smtp.helo={r.host}\n      policy.ptr={r.host}"]
    return f"{mx};\n" + ";\n".join(f"    {c}" for c in clauses)


def fastmail(d: Delivery) -> Trace:
    """Fastmail: results above its MX's Received line, under the internal LMTP hops."""
    k, r = d.key, d.route
    n = number(k, "mx", 8) + 1
    mx = f"mx{n}.messagingengine.com"
    top = [f"Return-Path: <{r.mailfrom}>",
           f"X-Delivered-to: {d.user.addr}",
           f"X-Mail-from: {r.mailfrom}",
           f"Received: from mx{n} ([10.202.2.{200 + n}])\n  by compute{number(k, 'compute', 8) + 1}.internal "
           f"(LMTPProxy); {eastern(d.at(2), named=False)}"]
    if d.results != "none":
        results = fastmail_results(d, mx)
        top += ["ARC-Seal: i=1; a=rsa-sha256; cv=none; d=messagingengine.com; s=fm2; t=\n"
                f"    {int(d.at(1).timestamp())}; b=" + "\n    ".join(chunks(b64(k, "arc-seal", 256), 64)),
                "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=\n    messagingengine.com; "
                "h=from:to:subject:date:message-id\n    :mime-version:content-type; s=fm2; "
                f"t={int(d.at(1).timestamp())}; bh=\n    {b64(k, 'arc-bh', 32)}; b=\n    "
                + "\n    ".join(chunks(b64(k, "arc-b", 256), 64)),
                f"ARC-Authentication-Results: i=1; {results}",
                f"Authentication-Results: {results}",
                "X-ME-VSCategory: clean" if d.results == "pass" else "X-ME-VSCategory: spam",
                f"Received-SPF: {d.results}\n    ({d.mailfrom_domain}: {r.ip} is "
                + ("authorized" if d.results == "pass" else "not authorized")
                + f" to use '{r.mailfrom}' in 'mfrom' identity)\n    receiver={mx};\n    identity=mailfrom;\n"
                f"    envelope-from=\"{r.mailfrom}\";\n    helo={r.host};\n    client-ip={r.ip}"]
    top.append(f"Received: from {r.host} ({r.host} [{r.ip}])\n"
               "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
               "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
               f"\t(No client certificate requested)\n\tby {mx} (Postfix) with ESMTPS\n"
               f"\tfor <{d.user.addr}>; {eastern(d.at(1))}")
    return top, []


def postfix(d: Delivery) -> Trace:
    """The user's own Postfix and Dovecot: milter results right below Postfix's Received line."""
    k, r = d.key, d.route
    top = [f"Return-Path: <{r.mailfrom}>",
           f"Delivered-To: {d.user.addr}",
           f"Received: from mail.{USER_DOMAIN}\n\tby mail.{USER_DOMAIN} with LMTP\n\tid {token(k, 'lmtp', 22)}\n"
           f"\t(envelope-from <{r.mailfrom}>)\n\tfor <{d.user.addr}>; {utc(d.at(2))}",
           f"Received: from {r.host} ({r.host} [{r.ip}])\n"
           "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
           "\t key-exchange X25519 server-signature RSA-PSS (2048 bits) server-digest SHA256)\n"
           f"\t(No client certificate requested)\n\tby mail.{USER_DOMAIN} (Postfix) with ESMTPS id "
           f"4{token(k, 'queue', 5, UPPER + DIGITS)}{token(k, 'queue2', 8)}\n"
           f"\tfor <{d.user.addr}>; {utc(d.at(1))} (UTC)"]
    if d.results != "none":
        dmarc = "dmarc=pass" if d.results == "pass" else "dmarc=fail (p=reject dis=none)"
        top.append(f"Authentication-Results: mail.{USER_DOMAIN}; dkim={d.results} header.d={d.domain};\n"
                   f"\tspf={d.results} smtp.mailfrom={d.mailfrom_domain}; {dmarc} header.from={d.domain}")
    return top, []


PROVIDERS: dict[str, Callable[[Delivery], Trace]] = {
    "gmail": gmail, "outlook": outlook, "fastmail": fastmail, "postfix": postfix}


def sender_hop(d: Delivery) -> str:
    """The Received line the sender's own last server wrote."""
    r = d.route
    queue_id = token(d.key, "hop", 12, HEX.upper())
    return (f"Received: from {r.helo} ({r.peer})\n\tby {r.host} with {r.protocol} id {queue_id}\n"
            f"\tfor <{d.user.addr}>; {utc(d.at(0))} (UTC)")


def delivered(message: Message, provider: str, auth: str) -> str:
    """The message as the user's mailbox holds it: provider trace, the sender's hop, the message."""
    signature = b64(message.key, "dkim", 256)
    delivery = Delivery(message.key, message.sender.domain, message.to,
                        route(message.sender, auth, provider, message.key),
                        "none" if auth == "forged-pass" else auth, message.sent, signature)
    top, bottom = PROVIDERS[provider](delivery)
    forged = [forged_results(message.sender.domain, signature)] if auth == "forged-pass" else []
    headers = [*top, sender_hop(delivery), *forged, message.dkim(signature), *message.headers(),
               *message.entity.headers, *bottom]
    return "\n".join(headers) + "\n\n" + message.entity.payload


# --- forwards ---------------------------------------------------------------------------------------

def gmail_forward(original: Message) -> tuple[str, str, str]:
    """Gmail's inline forward: subject, text and HTML."""
    quote = (f"---------- Forwarded message ---------\nFrom: {original.sender.quoted()}\n"
             f"Date: {gmail_date(original.sent)}\nSubject: {original.subject}\nTo: {original.to.quoted()}\n\n")
    sender, user = original.sender, original.to
    name = f'<strong class="gmail_sendername" dir="auto">{html.escape(sender.name)}</strong> ' if sender.name else ""
    to = f"{html.escape(user.name)} " if user.name else ""
    attr = (f'---------- Forwarded message ---------<br>From: {name}<span dir="auto">&lt;'
            f'<a href="mailto:{sender.addr}">{sender.addr}</a>&gt;</span><br>Date: {gmail_date(original.sent)}<br>'
            f"Subject: {html.escape(original.subject)}<br>"
            f'To: {to}&lt;<a href="mailto:{user.addr}">{user.addr}</a>&gt;<br>')
    page = (f'<div dir="ltr"><br><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">{attr}</div><br><br>\n'
            f"{html_content(original.text)}</div></div>\n")
    return f"Fwd: {original.subject}", quote + original.text, page


def outlook_forward(original: Message) -> tuple[str, str, str]:
    """Outlook's inline forward: subject, text and HTML."""
    quote = (f"________________________________\nFrom: {original.sender.quoted()}\n"
             f"Sent: {outlook_date(original.sent)}\nTo: {original.to.quoted()}\nSubject: {original.subject}\n\n")
    attr = (f"<b>From:</b> {html.escape(original.sender.quoted())}<br><b>Sent:</b> {outlook_date(original.sent)}<br>"
            f"<b>To:</b> {html.escape(original.to.quoted())}<br><b>Subject:</b> {html.escape(original.subject)}")
    content = ('<div dir="ltr"><br></div>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n'
               '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" '
               f'color="#000000">{attr}</font>\n<div>&nbsp;</div></div>\n{html_content(original.text)}')
    return f"FW: {original.subject}", quote + original.text, html_document(f"FW: {original.subject}", content)


INLINE = {"gmail-forward": gmail_forward, "outlook-forward": outlook_forward}
FORWARD_NOTE = "Keeping the original of this one, attached.\n"


def forward(wrap: str, original: Message, provider: str, auth: str) -> Message:
    """What the user sent themselves 1-3 days later, dated in the original's UTC offset."""
    key = f"{original.key}/forward"
    later = original.sent + timedelta(days=1, seconds=number(original.key, "forward-delay", 2 * 86400))
    if wrap == "attached":
        subject = f"Fwd: {original.subject}"
        text = FORWARD_NOTE
        entity = multipart("mixed", key, [text_part(text), attachment(delivered(original, provider, auth))])
    else:
        subject, text, page = INLINE[wrap](original)
        entity = multipart("alternative", key, [text_part(text), text_part(page, "html")])
    return Message(key, original.to, original.to, subject, later, text, entity)


# --- cases to files ---------------------------------------------------------------------------------

def provider_for(case: Case) -> str:
    """The user's provider: what the forwarding client implies, else a stable pick by id."""
    fixed = {"gmail-forward": "gmail", "outlook-forward": "outlook"}.get(option(case, "wrap", "none"))
    return fixed or tuple(PROVIDERS)[number(case["id"], "provider", len(PROVIDERS))]


def render(case: Case) -> bytes:
    """The case as the .eml the user would have saved, CRLF line endings, pure ASCII."""
    text = case["body"].replace("\r\n", "\n")
    name, addr = parseaddr(case["from"])
    user = user_for(text)
    original = Message(case["id"], Mailbox(name, addr), user, case["subject"], aware(case["date"]), text,
                       body(case["id"], text, case.get("html", True), case["subject"]),
                       case.get("reply_to"), tuple(case.get("headers", {}).items()))
    provider, wrap, auth = provider_for(case), option(case, "wrap", "none"), option(case, "auth", "pass")
    if wrap == "none":
        message = delivered(original, provider, auth)
    else:
        own_auth = ("pass", "none")[number(case["id"], "forward-auth", 2)]
        message = delivered(forward(wrap, original, provider, auth), provider, own_auth)
    return message.replace("\n", "\r\n").encode("ascii")


def relative_path(case: Case) -> str:
    return f"{split_of(case)}/{case['id']}.eml"


def toml_value(value: object) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else json.dumps(value, ensure_ascii=False)


def expected(cases: list[Case]) -> bytes:
    """mail/expected.toml: what each message must yield."""
    lines = ["# Written by build.py from cases/*.toml; do not edit.", ""]
    for case in cases:
        lines += ["[[case]]", f"file = {toml_value(relative_path(case))}", f"id = {toml_value(case['id'])}",
                  f"split = {toml_value(split_of(case))}"]
        lines += [f"{key} = {toml_value(case[key])}"
                  for key in ("category", "platform", "kind", "label", "authentic", "submitted_at") if key in case]
        lines.append("")
    return "\n".join(lines).encode("utf-8")


def sync(files: dict[Path, bytes]) -> tuple[int, int, int]:
    """Write what changed, delete .eml files no longer generated; (written, unchanged, removed)."""
    written = unchanged = 0
    for path, data in files.items():
        if path.exists() and path.read_bytes() == data:
            unchanged += 1
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        written += 1
    stale = [p for split in CHOICES["split"] for p in (MAIL / split).glob("*.eml") if p not in files]
    for path in stale:
        path.unlink()
    return written, unchanged, len(stale)


def main() -> None:
    cases = load_cases(CASES)
    files = {MAIL / relative_path(case): render(case) for case in cases}
    files[MAIL / "expected.toml"] = expected(cases)
    written, unchanged, removed = sync(files)
    counts = {split: sum(split_of(c) == split for c in cases) for split in CHOICES["split"]}
    print(f"build.py: {len(cases)} messages ({', '.join(f'{n} {split}' for split, n in counts.items())}): "
          f"{written} files written, {unchanged} unchanged, {removed} stale removed")


if __name__ == "__main__":
    main()
