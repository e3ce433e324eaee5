"""Write a deterministic, realistic mbox export for the benchmarks and the equivalence test.

Sizes as in a years-old freelancer's Takeout: multipart text+HTML bodies (quoted-printable or
base64, as newsletters send them), 10% with attachments of 20-300 KB, about 1% platform mail:
rejections, submissions, approvals, job alerts, lookalikes (one whose name is visible only once its
RFC 2047 encoding is decoded), and forwards the user sent to themselves (inline, base64-encoded,
and as attachments), which a header filter alone would miss. A fifth of the other messages have
an RFC 2047 encoded subject, as mail in any language other than English does.

`--style office365` puts on top of every message the headers Exchange Online adds when it delivers
mail: ARC seals, results, and the X-Microsoft-Antispam-Message-Info and
X-MS-Exchange-AntiSpam-MessageData-0 headers, each hundreds of folded RFC 2047 encoded words
(about 30 KB of headers a message, as in a real Outlook.com or Microsoft 365 export).

Usage: python benchmarks/make_corpus.py OUT.mbox [--messages 20000] [--seed 1] [--style default|office365]
"""

from __future__ import annotations

import argparse
import base64
import email.header
import quopri
import random
import textwrap
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

WORDS = ("project invoice meeting design client update schedule budget review draft proposal "
         "delivery feedback contract milestone payment weekly report team launch website logo "
         "article translation deadline thanks regards please attached see below question").split()
SENDERS = ["news@medium.example", "team@slack.example", "billing@hosting.example", "jane@example.com",
           "bob@example.net", "noreply@github.example", "hello@newsletter.example", "orders@shop.example"]
PLATFORM_TEXTS = {
    "rejection": ("Your Upwork profile", "We've reviewed the updated skills and experience you added to your "
                  "profile. Unfortunately, our marketplace does not have opportunities for you based on your "
                  "combination of skills and experience and we will not be able to accept your registration."),
    "submission": ("Your profile was submitted", "Thanks for submitting your profile! We typically take 24 hours "
                   "to review your application."),
    "approval": ("Welcome to Upwork", "Congratulations! Your profile has been approved and you can now submit proposals."),
    "alert": ("New job alert: Python developer", "New job alert: Python developer. Jobs posted in the last 24 hours: 12"),
}


def words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def b64(data: bytes) -> str:
    """Base64 in lines of 76 (what textwrap.wrap gave, without its cost on megabytes)."""
    text = base64.b64encode(data).decode()
    return "\n".join(text[i:i + 76] for i in range(0, len(text), 76))


def body_parts(rng: random.Random, text: str, boundary: str) -> str:
    html = "<html><body>" + "".join(f"<p>{text[i:i + 400]}</p>" for i in range(0, len(text), 400)) + "</body></html>"
    if rng.random() < 0.5:
        plain_cte, plain = "quoted-printable", quopri.encodestring(text.encode()).decode()
        html_cte, html_enc = "quoted-printable", quopri.encodestring(html.encode()).decode()
    else:
        plain_cte, plain = "base64", b64(text.encode())
        html_cte, html_enc = "base64", b64(html.encode())
    return (f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
            f"--{boundary}\nContent-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: {plain_cte}\n\n{plain}\n"
            f"--{boundary}\nContent-Type: text/html; charset=utf-8\nContent-Transfer-Encoding: {html_cte}\n\n{html_enc}\n"
            f"--{boundary}--\n")


def message(rng: random.Random, i: int, when: datetime) -> str:
    roll = rng.random()
    date = format_datetime(when)
    head = f"Date: {date}\nMessage-ID: <m{i}@corpus.example>\nMIME-Version: 1.0\nTo: Maria <maria@example.org>\n"
    if roll < 0.010:  # platform mail, and mail about it
        kind = rng.choice(["rejection", "rejection", "submission", "approval", "alert", "lookalike",
                           "lookalike-encoded", "forward-inline", "forward-b64", "forward-attached"])
        subject, text = PLATFORM_TEXTS.get(kind, PLATFORM_TEXTS["rejection"])
        if kind == "lookalike":
            return head + f"From: Upwork <review@upwork-review.example>\nSubject: {subject}\n" + body_parts(rng, text, f"b{i}")
        if kind == "lookalike-encoded":  # 'UpWork' only appears once the display name is decoded
            name = "=?utf-8?b?" + base64.b64encode("UpWork Süpport".encode()).decode() + "?="
            return head + f"From: {name} <help@account-check.example>\nSubject: {subject}\n" + body_parts(rng, text, f"b{i}")
        if kind.startswith("forward"):
            inline = (f"FYI\n\n---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
                      f"Date: {when.strftime('%a, %b %d, %Y at %I:%M %p')}\nSubject: {subject}\n"
                      f"To: <maria@example.org>\n\n{text}\n")
            fwd_head = head + f"From: Maria <maria@example.org>\nSubject: Fwd: {subject}\n"
            if kind == "forward-inline":
                return fwd_head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n" + quopri.encodestring(inline.encode()).decode() + "\n"
            if kind == "forward-b64":
                return fwd_head + "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: base64\n\n" + b64(inline.encode()) + "\n"
            inner = (f"From: Upwork <donotreply@upwork.com>\nSubject: {subject}\nDate: {date}\n"
                     f"Message-ID: <inner{i}@mail.upwork.com>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n"
                     f"Content-Transfer-Encoding: base64\n\n{b64(text.encode())}\n")
            return (fwd_head + f'Content-Type: multipart/mixed; boundary="f{i}"\n\n--f{i}\nContent-Type: text/plain\n\nsee attached\n'
                    f'--f{i}\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename="fwd.eml"\n\n{inner}\n--f{i}--\n')
        return head + f"From: Upwork <donotreply@upwork.com>\nSubject: {subject}\n" + body_parts(rng, text, f"b{i}")
    sender = rng.choice(SENDERS)
    text = words(rng, rng.randint(80, 2500))
    subject = words(rng, rng.randint(2, 7)).capitalize()
    if rng.random() < 0.2:
        subject = email.header.Header(subject + " — café", "utf-8").encode()
    if rng.random() < 0.10:
        size = rng.randint(20_000, 300_000)
        blob = b64(rng.randbytes(size))
        return (head + f"From: {sender}\nSubject: {subject}\nContent-Type: multipart/mixed; boundary=\"a{i}\"\n\n"
                f"--a{i}\n{body_parts(rng, text, f'b{i}')}\n--a{i}\nContent-Type: application/pdf; name=\"file{i}.pdf\"\n"
                f"Content-Disposition: attachment; filename=\"file{i}.pdf\"\nContent-Transfer-Encoding: base64\n\n{blob}\n--a{i}--\n")
    return head + f"From: {sender}\nSubject: {subject}\n" + body_parts(rng, text, f"b{i}")


_B64_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
STYLES = ("default", "office365")


def _opaque(rng: random.Random, n: int) -> str:
    return "".join(rng.choices(_B64_ALPHABET, k=n))


def _encoded_lines(rng: random.Random, words: int) -> str:
    """Exchange's opaque data as RFC 2047 words, one per folded line (as it writes them)."""
    return "\n".join(f" =?us-ascii?Q?{_opaque(rng, rng.randint(56, 64))}?=" for _ in range(words))


def office365_headers(rng: random.Random, i: int, when: datetime) -> str:
    """The trace and anti-spam headers Exchange Online puts above a message it delivers."""
    stamp = format_datetime(when)
    host = f"{rng.choice(['BN8PR12', 'SA1PR12', 'DM6PR02', 'PH0PR11', 'AM0PR04'])}MB{rng.randint(1000, 9999)}"
    guid = f"{_opaque(rng, 8)}-{_opaque(rng, 4)}-{_opaque(rng, 4)}-{_opaque(rng, 4)}-{_opaque(rng, 12)}".replace("+", "a").replace("/", "b").lower()
    b64_block = "\n ".join(textwrap.wrap(_opaque(rng, 344), 74))
    return (
        f"Received: from {host}.namprd12.prod.outlook.com (2603:10b6:408:43::13) by\n"
        f" SA1PR12MB6678.namprd12.prod.outlook.com with HTTPS; {stamp}\n"
        f"ARC-Seal: i=1; a=rsa-sha256; s=arcselector10001; d=microsoft.com; cv=none;\n b={b64_block}\n"
        "ARC-Message-Signature: i=1; a=rsa-sha256; c=relaxed/relaxed; d=microsoft.com;\n s=arcselector10001;\n"
        " h=From:Date:Subject:Message-ID:Content-Type:MIME-Version:X-MS-Exchange-AntiSpam-MessageData-ChunkCount:"
        "X-MS-Exchange-AntiSpam-MessageData-0;\n"
        f" bh={_opaque(rng, 43)}=;\n b={b64_block}\n"
        "ARC-Authentication-Results: i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; dmarc=pass\n"
        " action=none header.from=example.com; dkim=pass header.d=example.com; arc=none\n"
        "Authentication-Results: spf=pass (sender IP is 198.51.100.12) smtp.mailfrom=example.com; dkim=pass\n"
        " (signature was verified) header.d=example.com;dmarc=pass action=none\n header.from=example.com;compauth=pass reason=100\n"
        f"X-MS-Exchange-Organization-ExpirationStartTime: {when.strftime('%d %b %Y %H:%M:%S')}.{rng.randint(1000, 9999)} (UTC)\n"
        "X-MS-Exchange-Organization-ExpirationStartTimeReason: OriginalSubmit\n"
        f"X-MS-Exchange-Organization-Network-Message-Id: {guid}\n"
        "X-EOPAttributedMessage: 0\nX-MS-PublicTrafficType: Email\n"
        f"X-MS-TrafficTypeDiagnostic: {host}:EE_|SA1PR12MB6678:EE_\n"
        f"X-MS-Office365-Filtering-Correlation-Id: {guid}\n"
        "X-MS-Exchange-SenderADCheck: 1\nX-MS-Exchange-AntiSpam-Relay: 0\n"
        "X-Microsoft-Antispam: BCL:0;ARA:13230040|366016|1800799024|376014|69100299015|8096899003;\n"
        f"X-Microsoft-Antispam-Message-Info:\n{_encoded_lines(rng, rng.randint(40, 140))}\n"
        f"X-Forefront-Antispam-Report: CIP:198.51.100.12;CTRY:US;LANG:en;SCL:1;SRV:;IPV:NLI;SFV:NSPM;H:{host}.namprd12.prod.outlook.com;\n"
        " PTR:;CAT:NONE;SFS:(13230040)(366016)(1800799024)(376014)(69100299015)(8096899003);DIR:INB;\n"
        "X-MS-Exchange-AntiSpam-MessageData-ChunkCount: 1\n"
        f"X-MS-Exchange-AntiSpam-MessageData-0:\n{_encoded_lines(rng, rng.randint(150, 400))}\n"
        "X-OriginatorOrg: example.com\n"
        f"X-MS-Exchange-CrossTenant-Network-Message-Id: {guid}\n"
        f"X-MS-Exchange-CrossTenant-OriginalArrivalTime: {when.strftime('%d %b %Y %H:%M:%S')}.1234 (UTC)\n"
        "X-MS-Exchange-CrossTenant-FromEntityHeader: Hosted\nX-MS-Exchange-CrossTenant-AuthAs: Anonymous\n"
        "X-MS-Exchange-Transport-CrossTenantHeadersStamped: SA1PR12MB6678\n"
        "X-MS-Exchange-Transport-EndToEndLatency: 00:00:01.2345530\n"
        "X-Microsoft-Antispam-Mailbox-Delivery: ucf:0;jmr:0;auth:0;dest:I;ENG:(910001)(944506478)(944626604)(920097);\n"
    )


def write_corpus(path: Path, messages: int, seed: int = 1, style: str = "default") -> Path:
    rng = random.Random(seed)
    start = datetime(2025, 1, 1, tzinfo=timezone.utc)
    with open(path, "w", encoding="utf-8") as out:
        for i in range(messages):
            when = start + timedelta(minutes=37 * i)
            msg = message(rng, i, when)
            if style == "office365":
                msg = office365_headers(rng, i, when) + msg
            escaped = "\n".join(">" + line if line.startswith("From ") else line for line in msg.split("\n"))
            out.write(f"From {i}@xxx {when.strftime('%a %b %d %H:%M:%S +0000 %Y')}\n{escaped}\n\n")
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--style", choices=STYLES, default="default",
                        help="office365: Exchange Online's trace and anti-spam headers on every message")
    args = parser.parse_args()
    write_corpus(args.out, args.messages, args.seed, args.style)
    print(f"{args.out}: {args.messages} messages, {args.out.stat().st_size / 1e6:.0f} MB")
