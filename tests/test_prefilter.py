"""The byte pre-filter only saves work: it must report exactly what a full parse reports."""

from __future__ import annotations


import base64
import json
import os
import sys

from conftest import ROOT, run, run_process

sys.path.insert(0, str(ROOT / "benchmarks"))
from make_corpus import write_corpus  # noqa: E402

from rejectscan import patterns  # noqa: E402
from rejectscan.prefilter import Prefilter  # noqa: E402


def test_fast_path_reports_exactly_what_a_full_parse_reports(tmp_path):
    corpus = write_corpus(tmp_path / "corpus.mbox", messages=1500, seed=3)
    fast = run("analyze", str(corpus), "--format", "jsonl")
    full = run("analyze", str(corpus), "--format", "jsonl", "--full-parse")
    assert fast.code == full.code == 0
    assert fast.out == full.out
    # and where Hyperscan has no wheel: the plain splitter and RE2 alone give the same
    blocker = tmp_path / "blocked"
    blocker.mkdir()
    (blocker / "hyperscan.py").write_text("raise ImportError('no wheel for this machine')\n")
    path = os.pathsep.join(p for p in (str(blocker), os.environ.get("PYTHONPATH", "")) if p)  # this tree's code still first
    plain = run_process("analyze", str(corpus), "--format", "jsonl", env={"PYTHONPATH": path})
    assert plain.code == 0 and plain.out == full.out
    kinds = {json.loads(line)["kind"] for line in fast.out.splitlines()}
    assert {"rejection", "submission", "approval", "other"} <= kinds  # every kind the corpus holds was found
    # the corpus's forwards sent from Maria to herself, inline, base64-encoded and attached, are found
    assert '"forwarded": true' in fast.out and '"forward_style": "attached message"' in fast.out


PF = Prefilter.for_patterns(patterns.load())


def test_encodings_cannot_hide_a_platform():
    for prefix in (b"", b"a", b"ab"):
        for word in (b"upwork", b"Upwork", b"UPWORK"):
            encoded = base64.encodebytes(prefix + b"From: " + word + b" <donotreply@upwork.com>")
            assert PF.may_concern(b"Content-Transfer-Encoding: base64\n\n" + encoded), (prefix, word)
    assert PF.may_concern(b"Content-Transfer-Encoding: quoted-printable\n\nfrom donotreply@upw=\nork.com")
    name = base64.b64encode("Upwork Süpport".encode()).decode()
    assert PF.may_concern(f"From: =?utf-8?b?{name}?= <x@example.org>\n\nhi".encode())


def test_unrelated_mail_is_skipped():
    assert not PF.may_concern(b"From: a@example.org\nSubject: hi\n\nnothing here")
    assert not PF.may_concern(b"From: a@example.org\n\nxgurux is inside a word")
    assert PF.may_concern(b"From: Guru <a@example.org>\n\nhi")


def test_an_encoded_sender_is_found_however_senders_split_it(tmp_path):
    """Names an encoded word decodes only together with its neighbours, or only as the parser
    reads quotes, are found by both paths (RE2 and the mbox scanner) and reported as a full parse does."""
    senders = [
        b"=?utf-8?q?Up?=work Team <help@account-check.example>",  # encoded word, then plain text
        b'"=?utf-8?q?Up?="work <help@account-check.example>',  # a quote between them
        b"=?utf-8?q?Upw?= =?utf-8?q?ork?= <help@account-check.example>",  # split between two words
        b"=?utf-8?b?VXB3?=\n =?utf-8?b?b3Jr?= <help@account-check.example>",  # ... and across a fold
        b"=?utf-8?q?=55pwork Team?= <help@account-check.example>",  # a space left unencoded in a Q word
    ]
    mbox = tmp_path / "senders.mbox"
    with open(mbox, "wb") as out:
        for n, sender in enumerate(senders):
            message = (b"From: " + sender + b"\nTo: maria@example.org\nSubject: Your profile\n"
                       b"Date: Tue, 24 Nov 2026 15:03:38 +0000\nMessage-ID: <s%d@account-check.example>\n\nHello\n" % n)
            assert PF.may_concern(message), sender
            out.write(b"From x@y Tue Nov 24 15:03:38 2026\n" + message + b"\n")
    fast = run("analyze", str(mbox), "--format", "jsonl")
    full = run("analyze", str(mbox), "--format", "jsonl", "--full-parse")
    assert fast.out == full.out and len(fast.records()) == len(senders)
    assert {r["platform"] for r in fast.records()} == {"upwork"}


def test_encoded_words_outside_the_sender_are_never_decoded():
    """Office 365's anti-spam headers hold hundreds of encoded words; no field but From can name a
    platform (match.identify_platform), so none of them is decoded, even one that would say Upwork."""
    words = b"".join(b" =?us-ascii?Q?=55pwork_" + str(n).encode() + b"?=\n" for n in range(300))
    message = (b"X-Microsoft-Antispam-Message-Info:\n" + words + b"From: Jane <jane@example.org>\n"
               b"Subject: =?utf-8?q?=55pwork?=\n\nhi\n")
    assert not PF.may_concern(message)
    assert PF.may_concern(message.replace(b"From: Jane", b"From: =?utf-8?q?=55pwork?="))


def test_fast_path_on_office365_mail_reports_exactly_what_a_full_parse_reports(tmp_path):
    corpus = write_corpus(tmp_path / "o365.mbox", messages=400, seed=4, style="office365")
    fast = run("analyze", str(corpus), "--format", "jsonl")
    full = run("analyze", str(corpus), "--format", "jsonl", "--full-parse")
    assert fast.code == full.code == 0 and fast.out == full.out and fast.out.count("\n") >= 3
