"""Header fields as senders really write them (issue 13): through the command, and the decoder's rules."""

from __future__ import annotations

import csv
import io

import pytest

from conftest import FIXTURES, assert_no_traceback, flat, run

from rejectscan import headers


def test_a_folded_subject_is_one_line_in_text_and_in_csv():
    path = str(FIXTURES / "headers/folded-subject.eml")
    text = run("analyze", path).out
    assert "\\r" not in text and "\\n" not in text and "\\t" not in text  # no escaped line breaks in the repr
    assert "'Minutes of Tuesday's meeting, with the budget figures and the next steps'" in flat(text).replace('"', "'")
    out = run("analyze", path, "--format", "csv").out
    assert len(out.splitlines()) == 2  # the header row and one record: no line break inside a cell
    assert next(csv.DictReader(io.StringIO(out)))["subject"].endswith("and the next steps")


def test_a_subject_of_100000_encoded_words_is_cut_and_said(tmp_path):
    words = "\r\n ".join(["=?utf-8?q?a?=", "=?iso-8859-1?q?b?="] * 50_000)  # the standard library's worst case
    path = tmp_path / "hostile.eml"
    path.write_text(f"From: a@example.org\r\nSubject: {words}\r\nDate: Tue, 24 Nov 2026 15:03:38 +0000\r\n\r\nhi\r\n")
    result = run("analyze", str(path), "--format", "json")
    assert_no_traceback(result)
    rec = result.json()[0]
    assert rec["subject"].startswith("abab") and 500 < len(rec["subject"]) < headers.MAX_FIELD_BYTES
    assert any("Subject header is longer than 16 KB" in w for w in rec["warnings"])


@pytest.mark.parametrize("written, read", [
    # RFC 2047 section 8: white space between encoded words goes, any other stays
    ("(=?ISO-8859-1?Q?a?=)", "(a)"),
    ("(=?ISO-8859-1?Q?a?= b)", "(a b)"),
    ("(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"),
    ("(=?ISO-8859-1?Q?a?=  \t =?ISO-8859-1?Q?b?=)", "(ab)"),
    ("(=?ISO-8859-1?Q?a_b?=)", "(a b)"),
    ("(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"),
    # as senders write them
    ("=?utf-8?b?w6k=?=x", "éx"),
    ("=?UTF-8?B?4oKs?= 10", "€ 10"),
    ("=?utf-8?b?4oI=?= =?utf-8?b?rA==?=", "€"),  # a character split between two words in one charset
    ("=?utf-8*en?q?caf=C3=A9?=", "café"),  # an RFC 2231 language tag
    ("=?x-unknown?q?caf=C3=A9?=", "café"),  # an unknown charset: UTF-8, else Latin-1
    ("=?utf-8?b?!!!?= stays", "=?utf-8?b?!!!?= stays"),  # undecodable: left as written
    ("=?iso-8859-1?q?Fr\u00f6sche?=", "Fr\u00f6sche"),  # 8-bit text inside a Q word stands for itself
    ("=?punycode?q?abc?=", "abc"),  # no mail charset: never handed to a slow codec
])
def test_encoded_words_are_decoded_where_senders_put_them(written, read):
    assert headers.decode_words(written) == read


@pytest.mark.parametrize("raw, charset, text", [
    ("Zoë".encode(), "iso-8859-1", "Zoë"),  # valid UTF-8 wins over the declared charset (RFC 6532)
    ("£5".encode("latin-1"), "iso-8859-1", "£5"),
    ("£5".encode("latin-1"), "", "£5"),  # nothing declared: Latin-1, nothing dropped
    ("Юникод".encode() + b"\xf1", "", "Юникодñ"),  # UTF-8 where valid, Latin-1 for the stray byte
    ("全新原装".encode("gbk"), "gb2312", "全新原装"),  # a label read as the superset senders mean
])
def test_8bit_bytes_become_text(raw, charset, text):
    assert headers.text_of(raw, charset) == text


@pytest.mark.parametrize("raw, name, addr", [
    (b'"=?UTF-8?B?VXB3b3Jr?=" <a@x.example>', "Upwork", "a@x.example"),
    (b"=?UTF-8?B?VXB3b3Jr?=<a@x.example>", "Upwork", "a@x.example"),
    (b'"Doe, John" <j@x.example>', "Doe, John", "j@x.example"),
    (b"j@x.example (John Doe)", "John Doe", "j@x.example"),
    (b"Pete(A nice \\) chap) <pete(his account)@silly.test(his host)>", "Pete", "pete@silly.test"),
    (b"Friends: Jane <jane@x.example>, bob@x.example;", "Jane", "jane@x.example"),
    (b"=?utf-8?q?donotreply=40upwork=2Ecom?=", "", "donotreply@upwork.com"),
    (b'"a@x.example" <a@x.example>', "", "a@x.example"),
    (b"Jane\r\n <jane@x.example>", "Jane", "jane@x.example"),
])
def test_mailboxes_are_read_before_names_are_decoded(raw, name, addr):
    first = headers.mailboxes(raw)[0]
    assert (first.name, first.addr) == (name, addr)


def test_reading_is_bounded_whatever_the_field():
    assert len(headers.mailboxes(b", ".join(b"a%d@x.example" % i for i in range(10_000)))) == headers.MAX_MAILBOXES
    assert len(headers.unstructured(b"x" * 1_000_000)) <= headers.MAX_FIELD_BYTES


def test_office365_headers_are_dropped_unread_and_nothing_read_changes(monkeypatch):
    """A 30 KB header block loses the fields no step reads before the standard library parses it;
    every field that is read comes out the same as from the whole block."""
    import random
    import sys

    from conftest import ROOT

    sys.path.insert(0, str(ROOT / "benchmarks"))
    from datetime import datetime, timezone

    from make_corpus import office365_headers

    from rejectscan import parse

    platform_mail = (FIXTURES / "authenticity/outlook-genuine.eml").read_bytes()
    data = office365_headers(random.Random(1), 1, datetime(2026, 11, 24, tzinfo=timezone.utc)).encode() + platform_mail
    assert len(parse._unread_fields_dropped(data)) < len(data) - 20_000  # the anti-spam data went
    read = parse.parse_message(data, "x")
    monkeypatch.setattr(parse, "BIG_HEADER", 1 << 30)  # nothing dropped
    assert parse.parse_message(data, "x") == read
    assert read.from_addr == "donotreply@upwork.com" and read.subject == "Your Upwork profile"


def test_a_sender_nested_in_thousands_of_comments_is_read_not_a_crash(tmp_path):
    """The standard library's address parser recurses once per '(' and dies at a thousand; the
    sender is read without it, in any From header."""
    nested = "(" * 5000 + "x" + ")" * 5000
    for name, froms in (("one.eml", f"From: Upwork Team {nested} <team@profile-check.example>\n"),
                        ("two.eml", f"From: jane@example.org\nFrom: Upwork {nested} <team@profile-check.example>\n")):
        (tmp_path / name).write_text(froms + "Subject: Your Upwork profile\nDate: Tue, 24 Nov 2026 15:04:00 +0000\n\nhi\n")
        result = run("analyze", str(tmp_path / name), "--format", "json")
        assert_no_traceback(result)
        assert result.code == 0, result.err
        assert result.json()[0]["platform"] == "upwork", name  # still seen pretending to be Upwork
