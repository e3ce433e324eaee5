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


def test_encoded_words_decode_as_the_standard_library_decodes_them():
    """The scanner's own RFC 2047 decoder gives the bytes email.header gives, on odd input too."""
    import email.header
    import quopri
    import random

    from rejectscan.prefilter import _decode_word

    def stdlib(word: bytes) -> bytes:
        try:
            parts = email.header.decode_header(word.decode("ascii"))
        except Exception:
            return b""
        return b"".join(p if isinstance(p, bytes) else p.encode() for p, _ in parts).lower()

    rng = random.Random(5)
    alphabet = "abcXYZ0189+/=_-. "
    for _ in range(3000):
        kind = rng.choice("bqBQ")
        if rng.random() < 0.5:
            raw = "".join(rng.choice(["Up", "Work", "ü", "_", " ", "=", "?"]) for _ in range(rng.randint(0, 8))).encode()
            text = base64.b64encode(raw) if kind in "bB" else quopri.encodestring(raw, header=True).replace(b"=\n", b"")
            text = text.rstrip(b"=") if rng.random() < 0.3 else text
        else:
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(1, 20))).replace(" ", "_").encode()
        text = text.replace(b"?", b"")
        if text:
            word = b"=?utf-8?" + kind.encode() + b"?" + text + b"?="
            assert _decode_word(word) == stdlib(word), word
