"""Forwards found over IMAP from headers (issue 16): the user's own mail under a forward marker,
confirmed by a partial look (BODYSTRUCTURE, the start of its text) before it is downloaded whole;
the full-text search only where asked; reruns that ask the least. Against the test Dovecot, which
has no full-text index, like most self-hosted servers."""

from __future__ import annotations

import base64
import re
from datetime import datetime, timedelta, timezone

import pytest

from conftest import FIXTURES, fetch, mail, own_config
from dovecot import PASSWORD, USER

NOW = datetime.now(timezone.utc).replace(microsecond=0)
PADDING = 60_000  # a screenshot: makes a forward big enough to be looked at in part first


def with_screenshot(data: bytes, size: int = PADDING) -> bytes:
    """The message with an image attached after its own body (a multipart/mixed around it)."""
    head, _, body = data.replace(b"\r\n", b"\n").partition(b"\n\n")
    fields = re.split(rb"\n(?![ \t])", head)
    content = [f for f in fields if f.lower().startswith((b"content-type", b"content-transfer-encoding"))]
    others = [f for f in fields if f not in content and not f.lower().startswith(b"mime-version")]
    image = base64.encodebytes(bytes(range(256)) * (size // 256)).decode()
    return (b"\n".join(others) + b'\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="pad"\n\n--pad\n'
            + b"\n".join(content) + b"\n\n" + body + b"\n--pad\nContent-Type: image/png\nContent-Transfer-Encoding: base64\n"
            b'Content-Disposition: attachment; filename="screenshot.png"\n\n' + image.encode() + b"\n--pad--\n")


def resent(fixture: str, sender: str, msgid: str, subject: str | None = None) -> bytes:
    """A fixture forward as `sender` sent it, re-identified (and re-titled)."""
    data = mail(fixture, NOW - timedelta(hours=1), msgid)
    data = re.sub(rb"(?m)^From: .*$", f"From: Maria <{sender}>".encode(), data, count=1)
    if subject is not None:
        data = re.sub(rb"(?m)^Subject: .*$", f"Subject: {subject}".encode(), data, count=1)
    return data


def fetch_as(dovecot, tmp_path, user: str, *args):
    """fetch logged in as `user` (Dovecot takes maria@example.org for maria)."""
    from conftest import run

    return run("fetch", "--host", "localhost", "--port", str(dovecot.imaps_port), "--user", user,
               "--cafile", str(dovecot.cert), "--db", str(tmp_path / "state.db"), "--since", "30d",
               "--format", "jsonl", *args, env={"REJECTSCAN_PASSWORD": PASSWORD})


def test_a_forward_as_attachment_from_the_user_is_reported(dovecot, tmp_path):
    """The login name is the user's address: their forward of a platform email as a message/rfc822
    attachment is found by headers and confirmed by the attached message's sender (BODYSTRUCTURE),
    which Dovecot's BODY search never looked at."""
    forward = with_screenshot(resent("forwards/attached-rfc822.eml", f"{USER}@example.org", "att1@example.org"))
    dovecot.append(forward, when=NOW - timedelta(hours=1))
    result = fetch_as(dovecot, tmp_path, f"{USER}@example.org")
    assert result.code == 0, result.err
    [record] = result.records()
    assert record["message_id"] == "<att1@example.org>" and record["forwarded"] is True
    assert record["kind"] == "rejection" and record["sent_at_source"] == "attached-message date-header"


def test_a_forward_from_an_alias_listed_in_addresses_is_reported(dovecot, tmp_path):
    """An inline forward sent from another address of the user's, under German "WG:", confirmed by
    the first bytes of its text before it is downloaded whole."""
    forward = with_screenshot(resent("forwards/gmail-en.eml", "maria.alias@example.net", "alias1@example.net",
                                     "WG: Your Upwork profile"))
    dovecot.append(forward, when=NOW - timedelta(hours=1))
    stranger = with_screenshot(resent("forwards/gmail-en.eml", "someone@example.com", "stranger1@example.com"))
    dovecot.append(stranger, when=NOW - timedelta(hours=1))
    config = own_config(tmp_path, addresses=("maria.alias@example.net",))
    result = fetch(dovecot, tmp_path / "state.db", "--since", "30d", "--format", "jsonl", "--config", config)
    assert result.code == 0, result.err
    assert [r["message_id"] for r in result.records()] == ["<alias1@example.net>"]
    assert result.records()[0]["forwarded"] is True and result.records()[0]["kind"] == "rejection"
    # Without that setting the alias is no one: nothing of the user's is looked for (the login name is no address)
    again = fetch(dovecot, tmp_path / "other.db", "--since", "30d", "--format", "jsonl")
    assert again.code == 0 and again.records() == []


def test_mail_from_the_user_that_is_not_a_forward_is_not_downloaded_whole(dovecot, tmp_path):
    """Two big messages from the user: one under a forward marker (a forward of a friend's mail),
    looked at in part and left; one without a marker, never even looked at. Neither is downloaded."""
    friend = with_screenshot((FIXTURES / "other/friend.eml").read_bytes(), 200_000)
    own = "maria.santos@example.org"
    not_platform = re.sub(rb"(?m)^From: .*$", f"From: Maria <{own}>".encode(), friend, count=1)
    not_platform = re.sub(rb"(?m)^Subject: (.*)$", rb"Subject: Fwd: \1", not_platform, count=1)
    dovecot.append(not_platform, when=NOW - timedelta(hours=2))
    note = re.sub(rb"(?m)^Subject: (.*)$", rb"Subject: Photos from the weekend", not_platform, count=1)
    dovecot.append(note, when=NOW - timedelta(hours=2))
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(hours=1), "r1@upwork.com"), when=NOW - timedelta(hours=1))
    dovecot.clear_log()
    result = fetch(dovecot, tmp_path / "state.db", "--since", "30d", "--format", "jsonl", "--config", own_config(tmp_path))
    assert result.code == 0, result.err
    assert [r["message_id"] for r in result.records()] == ["<r1@upwork.com>"]
    # the rejection whole and the start of the forward-looking message's text: not 2 x 270 KB
    assert dovecot.fetched_bodies() == 2
    assert dovecot.fetched_body_bytes() < 10_000


def test_body_search_finds_a_forward_someone_else_sent(dovecot, tmp_path):
    """search_forwards = "body" adds the full-text terms: a forward from someone who is not the user."""
    stranger = resent("forwards/gmail-en.eml", "someone@example.com", "stranger1@example.com")
    dovecot.append(stranger, when=NOW - timedelta(hours=1))
    headers_only = fetch(dovecot, tmp_path / "h.db", "--since", "30d", "--format", "jsonl",
                         "--config", own_config(tmp_path))
    assert headers_only.code == 0 and headers_only.records() == []
    body = fetch(dovecot, tmp_path / "b.db", "--since", "30d", "--format", "jsonl",
                 "--config", own_config(tmp_path, 'search_forwards = "body"'))
    assert [r["message_id"] for r in body.records()] == ["<stranger1@example.com>"]


def test_search_forwards_false_finds_only_the_platforms_own_mail(dovecot, tmp_path):
    dovecot.append(resent("forwards/gmail-en.eml", "maria.santos@example.org", "fw1@example.org"),
                   when=NOW - timedelta(hours=1))
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(hours=1), "r1@upwork.com"), when=NOW - timedelta(hours=1))
    result = fetch(dovecot, tmp_path / "s.db", "--since", "30d", "--format", "jsonl",
                   "--config", own_config(tmp_path, "search_forwards = false"))
    assert [r["message_id"] for r in result.records()] == ["<r1@upwork.com>"]


def test_the_folder_modseq_is_kept_and_a_flag_change_finds_nothing_new(dovecot, tmp_path):
    """CONDSTORE: the folder's HIGHESTMODSEQ is kept with its sync point; a flag change alone (a new
    MODSEQ, no new UID) reports nothing and moves the sync point's MODSEQ on."""
    from rejectscan.store import Store

    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(hours=1), "r1@upwork.com"), when=NOW - timedelta(hours=1))
    db = tmp_path / "state.db"
    assert fetch(dovecot, db, "--since", "30d", "--quiet").code == 0
    with Store(db) as store:
        first = store.sync_point(f"{USER}@localhost", "INBOX")
    assert first.modseq is not None
    with dovecot.client() as c:
        c.select_folder("INBOX")
        c.add_flags(c.search(["ALL"]), [b"\\Flagged"])
    dovecot.append(mail("upwork/submission.eml", NOW - timedelta(minutes=5), "s1@upwork.com"), when=NOW - timedelta(minutes=5))
    again = fetch(dovecot, db, "--since", "30d", "--format", "jsonl")
    assert again.code == 0 and [r["message_id"] for r in again.records()] == ["<s1@upwork.com>"]
    with Store(db) as store:
        second = store.sync_point(f"{USER}@localhost", "INBOX")
    assert second.modseq > first.modseq and second.last_uid == first.last_uid + 1


@pytest.mark.parametrize("uidnext, modseq, expected", [
    (None, 5, None),    # a server that gives no UIDNEXT: HIGHESTMODSEQ unchanged, nothing to ask
    (10, 5, None),      # both unchanged
    (None, 6, 9),       # something changed: the new UIDs only
    (12, 6, 9),
    (12, None, 9),      # no CONDSTORE: UIDNEXT decides, as before
])
def test_an_unchanged_folder_is_not_searched_again(uidnext, modseq, expected):
    from rejectscan.fetching import plan
    from rejectscan.store import SyncPoint

    got = plan(SyncPoint(7, 9, NOW, modseq=5), 7, uidnext, NOW, False, modseq)
    assert (None if got is None else got.after_uid) == expected
    wider = plan(SyncPoint(7, 9, NOW, modseq=5), 7, uidnext, NOW - timedelta(days=9), False, modseq)
    assert wider is not None and wider.after_uid == 0  # a wider window is searched whatever MODSEQ says


def test_the_search_asks_only_what_headers_answer():
    """Without a full-text index, no BODY term may reach the server unless the user asks for it."""
    from rejectscan import patterns
    from rejectscan.forwards import FORWARD_PREFIXES, is_forward_subject
    from rejectscan.models import ForwardSearch
    from rejectscan.searches import FORWARD_MAX_BYTES, search_criteria, search_terms, subject_markers

    loaded = patterns.load()
    own = ("Me@Example.org", "alias@example.net", "not-an-address")

    def flat(criteria):
        return [x for c in criteria for x in (flat(c) if isinstance(c, list) else [c])]

    headers = flat(search_criteria(NOW.date(), 0, search_terms(loaded, ForwardSearch.HEADERS, own)))
    assert "BODY" not in headers and "X-GM-RAW" not in headers
    assert "me@example.org" in headers and "alias@example.net" in headers and "not-an-address" not in headers
    assert FORWARD_MAX_BYTES in headers and "fwd:" in headers and "wg:" in headers and "tr :" in headers
    # every marker is one the forward parser knows, and each of its ASCII ones is asked
    assert all(is_forward_subject(m + " x") for m in subject_markers())
    assert {m.rstrip(" :") for m in subject_markers()} == {p for p in FORWARD_PREFIXES if p.isascii()}
    body = flat(search_criteria(NOW.date(), 0, search_terms(loaded, ForwardSearch.BODY, own)))
    assert "@upwork.com" in body and body[body.index("@upwork.com") - 1] == "BODY"
    off = flat(search_criteria(NOW.date(), 7, search_terms(loaded, ForwardSearch.OFF, own)))
    assert "SUBJECT" not in off and "BODY" not in off and off[2:4] == ["UID", "8:*"]
    # Gmail's own index, where it is offered: the user's forwards by X-GM-RAW, no marker needed
    gmail = flat(search_criteria(NOW.date(), 0, search_terms(loaded, ForwardSearch.HEADERS, own, gmail=True)))
    query = gmail[gmail.index("X-GM-RAW") + 1]
    assert query.startswith("from:{alias@example.net me@example.org} {") and '"@upwork.com"' in query
    assert "BODY" not in gmail and "SUBJECT" not in gmail


@pytest.mark.parametrize("value, expected", [("headers", "headers"), ("body", "body"), (False, "off"), (True, "body")])
def test_search_forwards_setting(tmp_path, value, expected):
    from rejectscan.config import read_config

    path = tmp_path / "c.toml"
    path.write_text(f"[account]\nsearch_forwards = {_toml(value)}\n")
    assert read_config(path, True)["account"]["search_forwards"].value == expected


@pytest.mark.parametrize("value", ['"yes"', "1", '"Body"', "[]"])
def test_a_bad_search_forwards_names_file_key_and_what_it_takes(tmp_path, value):
    from rejectscan.config import read_config
    from rejectscan.errors import ConfigError

    path = tmp_path / "c.toml"
    path.write_text(f"[account]\nsearch_forwards = {value}\n")
    with pytest.raises(ConfigError) as caught:
        read_config(path, True)
    assert str(path) in str(caught.value) and "account.search_forwards" in str(caught.value)
    assert '"headers", "body" or false' in str(caught.value)


def _toml(value) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else f'"{value}"'


def test_what_a_partial_look_reads():
    """The excerpt is the message's own first text/plain part (else its HTML), never a part of an
    attached message; platform words count through base64, and an attached sender decides alone."""
    from rejectscan import patterns
    from rejectscan.confirm import Route, attaches_platform_mail, excerpt_part, names_platform, route
    from rejectscan.models import Part, Probe, Sized
    from rejectscan.prefilter import Prefilter

    words = Prefilter.for_patterns(patterns.load())
    html_first = Probe(1, (Part("1.1", "text/html"), Part("1.2", "text/plain", "base64"), Part("2", "image/png")))
    assert excerpt_part(html_first).section == "1.2"
    attached = Probe(2, (Part("1", "image/png"), Part("2", "message/rfc822", attached_from=("Upwork <donotreply@upwork.com>",)),
                         Part("2.1", "text/plain", inside_attached=True)))
    assert excerpt_part(attached) is None and attaches_platform_mail(attached, words)
    assert not attaches_platform_mail(Probe(3, (Part("2", "message/rfc822", attached_from=("Jane <j@example.com>",)),)), words)
    inline = b"See below\n\n---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
    assert names_platform(base64.encodebytes(inline), words) and names_platform(inline, words)
    assert not names_platform(base64.encodebytes(b"Dinner on Friday?\n" * 50), words) and not names_platform(b"", words)
    # the platforms' mail is downloaded as found; the user's is looked at first unless it is small
    assert route(Sized(1, 90_000, b"Upwork <donotreply@upwork.com>"), words, False) is Route.DOWNLOAD
    assert route(Sized(2, 90_000, b"Maria <maria@example.org>"), words, False) is Route.CONFIRM
    assert route(Sized(3, 3_000, b"Maria <maria@example.org>"), words, False) is Route.DOWNLOAD
    assert route(Sized(4, 90_000, b"Maria <maria@example.org>"), words, True) is Route.DOWNLOAD  # a full-text hit
    # ... unless it is the user's own: with "body" search too, their mail under a marker is looked at first
    assert route(Sized(5, 90_000, b"Maria <Maria@Example.org>"), words, True, frozenset({"maria@example.org"})) is Route.CONFIRM


def test_a_rerun_does_not_search_an_unchanged_folder(dovecot, tmp_path):
    """The commands the client sent, as the server recorded them: a rerun with nothing new opens
    the folder and asks nothing else (UIDNEXT and HIGHESTMODSEQ as they were); once mail arrives,
    one SEARCH for the new UIDs only, the user's forward terms with it."""
    dovecot.append(mail("upwork/bot-rejection.eml", NOW - timedelta(hours=1), "r1@upwork.com"), when=NOW - timedelta(hours=1))
    db, config = tmp_path / "state.db", own_config(tmp_path)
    assert fetch(dovecot, db, "--since", "30d", "--quiet", "--config", config).code == 0
    recorded = dovecot.commands()
    again = fetch(dovecot, db, "--since", "30d", "--format", "jsonl", "--config", config)
    assert again.code == 0 and again.records() == []
    sent = recorded()
    assert any(re.search(r"\b(EXAMINE|SELECT) ", line) for line in sent), sent  # the recording works
    assert not [line for line in sent if re.search(r"\bSEARCH\b", line, re.IGNORECASE)], sent
    dovecot.append(mail("upwork/submission.eml", NOW - timedelta(minutes=5), "s1@upwork.com"), when=NOW - timedelta(minutes=5))
    recorded = dovecot.commands()
    third = fetch(dovecot, db, "--since", "30d", "--format", "jsonl", "--config", config)
    assert [r["message_id"] for r in third.records()] == ["<s1@upwork.com>"]
    [search] = [line for line in recorded() if re.search(r"\bSEARCH\b", line, re.IGNORECASE)]
    with dovecot.client() as c:
        c.select_folder("INBOX", readonly=True)
        newest = max(c.search(["ALL"]))
    assert f"UID {newest}:*" in search and "maria.santos@example.org" in search and "BODY" not in search


class _GmailLike:
    """A server that offers X-GM-EXT-1 (Dovecot never does): records the SEARCH it is sent."""

    def __init__(self, offered: set[str]) -> None:
        self.offered, self.searches = offered, []

    def folders(self):
        return ["[Gmail]/All Mail"]

    def select(self, folder):
        from types import SimpleNamespace

        return SimpleNamespace(uidvalidity=1, uidnext=5, highestmodseq=None)

    def capabilities(self):
        return self.offered

    def search(self, criteria):
        self.searches.append(criteria)
        return []


@pytest.mark.parametrize("offered, mode, gm_raw", [
    ({"IMAP4REV1", "X-GM-EXT-1"}, "headers", True),
    ({"IMAP4REV1", "X-GM-EXT-1"}, "off", False),
    ({"IMAP4REV1"}, "headers", False),
])
def test_gmail_s_own_search_is_used_where_it_is_offered(tmp_path, offered, mode, gm_raw):
    """X-GM-RAW goes to the server only when it offers X-GM-EXT-1 and forwards are looked for; it
    then replaces the subject-marker terms (Gmail's index finds the user's forwards without them)."""
    from rejectscan import patterns
    from rejectscan.fetching import Fetcher, FetchRequest
    from rejectscan.models import ForwardSearch
    from rejectscan.store import Store

    box = _GmailLike(offered)
    with Store(tmp_path / "s.db") as store:
        Fetcher(box, store, patterns.load(), lambda: None).run(
            FetchRequest(account="me@gmail.com", since=NOW - timedelta(days=3), search_forwards=ForwardSearch(mode),
                         own_addresses=("me@gmail.com",)))
    [criteria] = box.searches
    flat = [x for c in criteria for x in (c if isinstance(c, list) else [c])]
    assert ("X-GM-RAW" in flat) is gm_raw
    assert ("SUBJECT" in str(criteria)) is (not gm_raw and mode != "off")
