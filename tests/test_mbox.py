"""The mbox splitter: the same messages whichever finder runs, and never one the pre-filter wants lost."""

from __future__ import annotations

import base64
import email
import io
import mailbox
import random

import pytest

from rejectscan import patterns
from rejectscan.prefilter import Prefilter
from rejectscan.sources import mbox
from rejectscan.sources.mbox import DatabaseCache, PlainFinder, _split

try:
    import hyperscan  # noqa: F401
    HAVE_HYPERSCAN = True
except ImportError:  # no wheel for this machine: the plain finder is what users get, tested below
    HAVE_HYPERSCAN = False
needs_hyperscan = pytest.mark.skipif(not HAVE_HYPERSCAN, reason="Hyperscan is not installed here")

PF = Prefilter.for_patterns(patterns.load())
BLOCKS = (64, 4096, 1 << 22)  # tiny blocks put From_ lines and words across block edges
MEMORY = DatabaseCache(None)


def HyperscanFinder(prefilter, cache=MEMORY):
    return mbox.HyperscanFinder(prefilter, cache)


def split(data: bytes, finder, block: int) -> list[tuple[str, bytes]]:
    return [(m.source, m.data) for m in _split(io.BytesIO(data), "x", finder, block)]


def test_gives_back_what_the_standard_library_wrote(tmp_path):
    """Messages split where the stdlib split them, with its '>From ' escaping undone."""
    path = tmp_path / "export.mbox"
    box = mailbox.mbox(str(path))
    bodies = []
    for i in range(120):
        body = f"line {i}\nFrom the start of a line\n" + "x" * (i * 97 % 5000) + "\n"
        box.add(email.message_from_string(f"From: a{i}@example.org\nSubject: s{i}\n\n{body}"))
        bodies.append(body)
    box.flush()
    box.close()
    data = path.read_bytes()
    for make in (PlainFinder, lambda: HyperscanFinder(None)) if HAVE_HYPERSCAN else (PlainFinder,):
        for block in BLOCKS:
            got = [email.message_from_bytes(m).get_payload() for _, m in split(data, make(), block)]
            assert [g.rstrip("\n") for g in got] == [b.rstrip("\n") for b in bodies]


def test_mboxrd_escaping_is_undone_one_level():
    data = (b"From a@b Tue Nov 24 15:03:38 2026\nSubject: x\n\n>From here\n>>From there\n\n"
            b"From c@d Tue Nov 24 15:04:00 2026\nSubject: y\n\nbody\n")
    messages = split(data, PlainFinder(), 1 << 20)
    assert [s for s, _ in messages] == ["x:1", "x:2"]
    assert email.message_from_bytes(messages[0][1]).get_payload() == "From here\n>From there\n"


def _tricky_mbox(rng: random.Random) -> bytes:
    """From_ lines valid and not, CRLF, empty messages, long lines, no final newline."""
    pieces = [b"From first@x Mon Jan  1 00:00:00 2024\n"]
    for _ in range(rng.randint(1, 30)):
        pieces.append(rng.choice([
            b"From: a@example.org\nSubject: hi\n\nbody\n",
            b"From: a@example.org\r\nSubject: crlf\r\n\r\nbody\r\n",
            b"\nFrom not a separator line\n",  # no time: not a From_ line
            b"\nFrom x@y Tue Nov 24 15:03:38 2026\n",  # a separator
            b"\nFrom x@y Tue Nov 24 15:03:38 2026\r\n",
            b"\nFrom x@y " + b"z" * rng.randint(10, 6000) + b" 12:00\n",  # around LINE_CAP
            b"\nFrom x@y Tue Nov 24 15:03:38 2026\nFrom x@y Tue Nov 24 15:03:39 2026\n",  # empty message
            b"y" * rng.randint(0, 9000),
            b"\n>From escaped\n",
            b"From: Upwork <donotreply@upwork.com>\n\nrejected\n",
            bytes(rng.choice(b"\n\r\x00F>rom =?b:12 Upwork") for _ in range(rng.randint(1, 400))),  # noise
        ]))
    data = b"".join(pieces)
    return data.rstrip(b"\n") if rng.random() < 0.3 else data


@needs_hyperscan
@pytest.mark.parametrize("seed", range(40))
def test_both_finders_split_every_file_the_same_way(seed):
    rng = random.Random(seed)
    data = _tricky_mbox(rng)
    reference = split(data, PlainFinder(), 1 << 22)
    for block in (7, 64, 4096):
        assert split(data, PlainFinder(), block) == reference
        assert split(data, HyperscanFinder(None), block) == reference


def test_the_tricky_files_hold_platform_mail():
    assert sum(b"donotreply@upwork.com" in _tricky_mbox(random.Random(seed)) for seed in range(40)) >= 20


@needs_hyperscan
@pytest.mark.parametrize("seed", range(40))
def test_filtering_never_drops_a_message_the_prefilter_accepts(seed):
    rng = random.Random(seed)
    data = _tricky_mbox(rng)
    wanted = [(s, m) for s, m in split(data, PlainFinder(), 1 << 22) if PF.may_concern(m)]
    assert wanted or b"upwork" not in data.lower()  # the files do hold platform mail to lose
    for block in (7, 64, 4096, 1 << 22):
        kept = split(data, HyperscanFinder(PF), block)
        assert [x for x in kept if PF.may_concern(x[1])] == wanted


HIDDEN = [
    b"Content-Transfer-Encoding: quoted-printable\n\nfrom donotreply@upw=\nork.com\n",
    b"Content-Transfer-Encoding: base64\n\n" + base64.encodebytes(b"xx From: Upwork <donotreply@upwork.com>"),
    b"From: =?utf-8?b?" + base64.b64encode("UpWork Süpport".encode()) + b"?= <help@account-check.example>\n\nhi\n",
    b"From: Guru <a@example.org>\n\nhi\n",
]


@needs_hyperscan
def test_hidden_words_are_found_across_block_edges():
    """Every encoding the pre-filter knows, placed so that a block edge falls inside the word."""
    for i, body in enumerate(HIDDEN):
        filler = b"From: n@example.org\nSubject: filler\n\n" + b"plain words\n" * 40
        data = (b"From a Mon Jan  1 00:00:00 2024\n" + filler + b"\nFrom b Mon Jan  1 00:00:01 2024\n" + body
                + b"\nFrom c Mon Jan  1 00:00:02 2024\n" + filler)
        assert PF.may_concern(body), i
        for block in range(5, 120, 7):
            assert [s for s, _ in split(data, HyperscanFinder(PF), block)] == ["x:2"], (i, block)


@needs_hyperscan
def test_unrelated_messages_are_not_copied_out():
    data = b"".join(b"From a Mon Jan  1 00:00:00 2024\nFrom: n@example.org\nSubject: s\n\nxgurux and other words\n\n"
                    for _ in range(50))
    assert split(data, HyperscanFinder(PF), 4096) == []
    assert len(split(data, PlainFinder(), 4096)) == 50


def test_without_hyperscan_the_plain_finder_takes_over_and_doctor_says_so(monkeypatch):
    from rejectscan.doctor import scanner_check

    if HAVE_HYPERSCAN:
        found = scanner_check(patterns.load(), DatabaseCache(None)).detail
        assert found.startswith(f"Hyperscan {hyperscan.__version__}:") and "unavailable" not in found
    monkeypatch.setitem(__import__("sys").modules, "hyperscan", None)  # import fails as if not installed
    assert isinstance(mbox.finder(PF, DatabaseCache(None)), PlainFinder)
    check = scanner_check(patterns.load(), DatabaseCache(None))
    assert check.ok and "unavailable" in check.detail and "5x slower" in check.detail
    assert mbox.screen(PF, DatabaseCache(None))(b"From: n@example.org\n\nanything\n")  # no screen: everything is read


@needs_hyperscan
def test_the_compiled_database_is_cached_and_a_damaged_cache_is_ignored(tmp_path, monkeypatch):
    data = (b"From a Mon Jan  1 00:00:00 2024\nFrom: n@example.org\n\nhi\n"
            b"From b Mon Jan  1 00:00:01 2024\nFrom: Upwork <donotreply@upwork.com>\n\nno\n")
    expected = split(data, HyperscanFinder(PF, DatabaseCache(tmp_path)), 4096)
    assert [s for s, _ in expected] == ["x:2"]
    (cached,) = tmp_path.glob("mbox-*.hsdb")
    for damage in (lambda b: b[:-100], lambda b: b[:40] + bytes([b[40] ^ 1]) + b[41:], lambda b: b"junk"):
        cached.write_bytes(damage(cached.read_bytes()))
        assert split(data, HyperscanFinder(PF, DatabaseCache(tmp_path)), 4096) == expected  # a new process
    import hyperscan

    monkeypatch.setattr(hyperscan, "Database", None)  # compiling would fail now: the cache must serve
    assert split(data, HyperscanFinder(PF, DatabaseCache(tmp_path)), 4096) == expected


@needs_hyperscan
def test_the_cache_keeps_only_the_latest_few(tmp_path):
    for n in range(mbox._CACHE_KEEP + 3):  # as many edited pattern packs, each in a new process
        HyperscanFinder(Prefilter((f"example{n}.org",), ()), DatabaseCache(tmp_path))
    assert len(list(tmp_path.glob("mbox-*.hsdb"))) == mbox._CACHE_KEEP


@needs_hyperscan
def test_the_maildir_screen_passes_what_the_prefilter_accepts():
    may_matter = mbox.screen(PF, MEMORY)
    for body in HIDDEN:
        assert may_matter(body) and PF.may_concern(body)
    unrelated = b"From: n@example.org\nSubject: =?utf-8?q?caf=C3=A9?=\n\nxgurux and other words\n"
    assert not may_matter(unrelated) and not PF.may_concern(unrelated)
    assert mbox.screen(None, MEMORY)(unrelated)  # no pre-filter (--all): everything is read
