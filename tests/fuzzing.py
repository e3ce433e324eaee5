"""Hostile and broken mail for the fuzz smoke test (tests/test_fuzz.py) and the long run
(scripts/fuzz.py): byte mutations of the fixtures, and whole messages built by hypothesis.

An input passes when the full pipeline (parse, forwards, timestamps, match, judge, every
renderer) gives a result or an InputError, within the time limit. Anything else is a failure.
"""

from __future__ import annotations

import csv
import io
import random
import re
import time
import traceback
from dataclasses import dataclass
from pathlib import Path

from datetime import datetime, timezone

from rejectscan import history as history_mod, patterns as patterns_mod, pipeline, render, report
from rejectscan.errors import InputError
from rejectscan.models import RawMessage
from rejectscan.prefilter import Prefilter
from rejectscan.record import Record
from rejectscan.sources.mbox import DatabaseCache, iter_mbox

_CACHE = DatabaseCache(None)  # compiled patterns in memory only: a fuzz run writes nothing to disk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDS = sorted(p for p in FIXTURES.rglob("*.eml") if p.stat().st_size < 200_000)
TIME_LIMIT = 2.0  # seconds per input, for scripts/fuzz.py only: a shared machine makes it a flaky test


@dataclass
class Failure:
    mutation: str
    problem: str
    sample: bytes


def _truncate(rng, data):
    return data[: rng.randrange(len(data) + 1)]


def _bitflips(rng, data):
    out = bytearray(data)
    for _ in range(rng.randint(1, 64)):
        if out:
            i = rng.randrange(len(out))
            out[i] ^= 1 << rng.randrange(8)
    return bytes(out)


def _duplicate_headers(rng, data):
    head, _, body = data.partition(b"\n\n")
    lines = head.split(b"\n")
    line = rng.choice(lines) if lines else b"X: y"
    return b"\n".join(lines + [line] * rng.randint(100, 5000)) + b"\n\n" + body


def _huge_header(rng, data):
    return b"Subject: " + b"A" * 1_000_000 + b"\n" + data


def _broken_boundary(rng, data):
    return data.replace(b"--b", b"--x", rng.randint(1, 3)).replace(b'boundary="', b'boundary="\x00', 1)


def _deep_nesting(rng, data):
    depth = rng.choice([200, 1000])
    head = b"From: a@upwork.com\nSubject: deep\nMIME-Version: 1.0\n"
    head += b"".join(b'Content-Type: multipart/mixed; boundary="d%d"\n\n--d%d\n' % (i, i) for i in range(depth))
    return head + b"Content-Type: text/plain\n\n" + data[:2000]


def _many_parts(rng, data):
    n = rng.choice([1000, 10000])
    return (b"From: a@upwork.com\nSubject: parts\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=x\n\n"
            + b"".join(b"--x\nContent-Type: text/plain\n\npart %d\n" % i for i in range(n)) + b"--x--\n")


def _bad_charset(rng, data):
    junk = rng.choice([b"x-unknown", b"utf-7", b"\xff\xfe", b"utf-8\x00", b"", b"iso-8859-99", b"ascii'; DROP"])
    return data.replace(b"charset=utf-8", b"charset=" + junk).replace(b"charset=UTF-8", b"charset=" + junk)


def _bad_encoding(rng, data):
    return (data.replace(b"base64", b"quoted-printable", 1).replace(b"quoted-printable", b"base64", 1)
            .replace(b"=\n", b"=\xff\n"))


def _nuls(rng, data):
    out = bytearray(data)
    for _ in range(rng.randint(1, 50)):
        out.insert(rng.randrange(len(out) + 1), 0)
    return bytes(out)


def _random_bytes(rng, data):
    return rng.randbytes(rng.randrange(1, 20000))


def _splice(rng, data):
    other = rng.choice(SEEDS).read_bytes()
    return data[: rng.randrange(len(data) + 1)] + other[rng.randrange(len(other) + 1):]


def _encoded_words(rng, data):
    word = rng.choice([b"=?utf-8?b?!!!?=", b"=?x?q?=ZZ?=", b"=?utf-8?b?" + b"QUJD" * 5000 + b"?=", b"=?==?=?"])
    return data.replace(b"Subject: ", b"Subject: " + word + b" ", 1).replace(b"From: ", b"From: " + word + b" ", 1)


def _header_lines_in_body(rng, data):
    """Thousands of header-looking lines in a body (found by the long run: it was quadratic)."""
    line = rng.choice([b"Subject: Your Upwork profile", b"From: Upwork <donotreply@upwork.com>", b"> Date: x",
                       b"-----Original Message-----", b"To: a@b.c"])
    return data + b"\n\n" + (line + b"\n") * rng.randint(2000, 8000)


ATTACKS = ["\x1b]52;c;cm0gLXJmIH4K\x07", "\x1b]0;pwned\x07", "\x1b[8mhidden\x1b[0m", "a\x08\x08b", "x\ry", "\u202egnp.exe",
           "zero\u200bwidth", "n\x00l", "\x9b31m", "a\u2028b\u0085c", "=HYPERLINK(\"http://evil\")", "+1+1", "@SUM(1)",
           "-2", "\tTAB", "\n  Upwork rejected your profile. Who decided: the support team"]


def _hostile_text(rng, data):
    """An attacker's text in a display name, a subject or an inline forward's header, encoded or raw."""
    attack = rng.choice(ATTACKS)
    encoded = b"=?utf-8?b?" + __import__("base64").b64encode(attack.encode()) + b"?="
    raw = attack.encode("utf-8")
    field = rng.choice([b"From: ", b"Subject: "])
    value = rng.choice([encoded, raw.replace(b"\n", b" ").replace(b"\r", b" "), b'"' + encoded + b'"'])
    out = data.replace(field, field + value + b" ", 1)
    if rng.random() < 0.3:  # as the forwarder of an inline forward
        out = (b"From: " + value + b" <me@example.org>\nSubject: Fwd: x\nDate: Wed, 25 Nov 2026 09:00:00 +0000\n\n"
               b"---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
               b"Date: Tue, Nov 24, 2026 at 3:03 PM\nSubject: " + value + b"\n\nwe cannot accept your registration\n")
    return out


csv.field_size_limit(1 << 30)  # hostile headers make huge cells; the checker must read them all
_EXECUTES = re.compile("[\x00-\x08\x0b-\x1f\x7f\x80-\x9f\u202a-\u202e\u2066-\u2069\u200b-\u200f\u2028\u2029]")


def unescaped(fmt: str, out: str) -> str | None:
    """What an output lets through that a terminal, a spreadsheet or a line reader would act on."""
    if fmt == "text" and _EXECUTES.search(out.replace("\n", "").replace("\t", "")):
        return f"text output carries {_EXECUTES.search(out.replace(chr(10), '').replace(chr(9), '')).group()!r}"
    if fmt == "csv":
        if "\x00" in out:
            return "a NUL in CSV"
        for row in csv.reader(io.StringIO(out)):
            if any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row):
                return f"a CSV cell starts a formula: {row!r}"[:200]
    if fmt in ("json", "jsonl") and re.search("[\u2028\u2029\x80-\x9f\u202a-\u202e]", out):
        return "a raw line separator, C1 control or bidi override in JSON"
    if fmt == "html":
        if _EXECUTES.search(out.replace("\n", "").replace("\t", "")):
            return "the report carries a control, bidi or hidden character"
        made = {tag for tag in re.findall(r"<([a-zA-Z][\w-]*)", out.split("</style>", 1)[1])}
        if made - _PAGE_TAGS:
            return f"the report carries elements it does not make: {sorted(made - _PAGE_TAGS)}"
    return None


# Every element report.py and chart.py write after the style sheet; any other came from an email.
_PAGE_TAGS = {"body", "header", "h1", "h2", "h3", "p", "strong", "code", "nav", "ul", "ol", "li", "a", "section", "div",
              "figure", "figcaption", "svg", "title", "desc", "rect", "line", "text", "circle", "polygon", "path",
              "span", "table", "caption", "thead", "tbody", "tr", "th", "td", "time", "data", "br", "footer",
              "blockquote"}


MUTATIONS = {
    "truncate": (_truncate, 20), "bitflips": (_bitflips, 20), "duplicate-headers": (_duplicate_headers, 5),
    "huge-header": (_huge_header, 2), "broken-boundary": (_broken_boundary, 10), "deep-nesting": (_deep_nesting, 1),
    "many-parts": (_many_parts, 1), "bad-charset": (_bad_charset, 10), "bad-encoding": (_bad_encoding, 10),
    "nuls": (_nuls, 10), "random-bytes": (_random_bytes, 5), "splice": (_splice, 10), "encoded-words": (_encoded_words, 5),
    "header-lines-in-body": (_header_lines_in_body, 3), "hostile-text": (_hostile_text, 10),
}


def mutate(rng: random.Random) -> tuple[str, bytes]:
    names = list(MUTATIONS)
    name = rng.choices(names, weights=[MUTATIONS[n][1] for n in names])[0]
    return name, MUTATIONS[name][0](rng, rng.choice(SEEDS).read_bytes())


_PATTERNS = None
_PREFILTER = None


def check(name: str, data: bytes, in_container: bool = False, time_limit: float | None = None) -> Failure | None:
    """Run one input through everything a user can reach; a Failure if it misbehaves.

    in_container: the input is the body of an mbox, read by the splitter and its pre-filter.
    time_limit: seconds an input may take (the long fuzz run); tests leave it None and bound hostile
    sizes by what they count instead (tests/test_headers.py), never by the clock.
    """
    global _PATTERNS, _PREFILTER
    if _PATTERNS is None:
        _PATTERNS = patterns_mod.load()
        _PREFILTER = Prefilter.for_patterns(_PATTERNS)
    started = time.perf_counter()
    try:
        errors: list = []
        if in_container:
            box = io.BytesIO(b"From fuzz@example.org Mon Jan  1 00:00:00 2024\n" + data)
            items = iter_mbox(box, "fuzz", _PREFILTER, _CACHE, block_size=4096)
            prefilter = _PREFILTER
        else:
            items, prefilter = [RawMessage(data=data, source="fuzz")], None
        facts = [f for _, f in pipeline.examine_all(items, _PATTERNS, False, errors.append, prefilter)]
        records = [Record.from_report(r) for r in pipeline.judge(facts, _PATTERNS)]
        for error in errors:
            if not isinstance(error, InputError) or "\n" in str(error):
                return Failure(name, f"bad error line: {error!r}", data[:2000])
        vocabulary = render.Vocabulary({p.id: p.name for p in _PATTERNS.platforms})
        for fmt in render.FORMATS:
            out = io.StringIO()
            render.RecordWriter(fmt, out, vocabulary).write(records)
            leak = unescaped(fmt, out.getvalue())
            if leak:
                return Failure(name, leak, data[:2000])
        names = {p.id: p.name for p in _PATTERNS.platforms}
        page = report.build(report.ReportData(
            history=history_mod.build([], records, names), timing=_PATTERNS.timing, names=names, zone=timezone.utc,
            generated_at=datetime(2026, 11, 27, tzinfo=timezone.utc)))
        leak = unescaped("html", page)
        if leak:
            return Failure(name, leak, data[:2000])
    except Exception:
        return Failure(name, traceback.format_exc(limit=6), data[:2000])
    elapsed = time.perf_counter() - started
    if time_limit is not None and elapsed > time_limit:
        return Failure(name, f"took {elapsed:.1f} s", data[:2000])
    return None
