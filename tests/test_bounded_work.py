"""One message a stranger can send costs bounded work (issue: denial of service by a single email).

No clock here (the machine is shared): each test counts what reaches the expensive step (parts and
lines the standard library's parser gets, characters and table cells handed to the HTML converter,
the shape of the text the reply parser reads) and fails if the bound in front of it is taken away.
"""

from __future__ import annotations

import email
import re

import pytest

from conftest import FIXTURES, assert_no_traceback, run

from rejectscan import parse, reviewer

HEAD = ("From: Upwork <donotreply@upwork.com>\nTo: maria.santos@example.org\nSubject: Your Upwork profile\n"
        "Date: Tue, 24 Nov 2026 15:03:38 +0000\nMIME-Version: 1.0\n")


def _parts_built(monkeypatch) -> list[int]:
    """Record how many parts each message the standard library's parser builds has."""
    built: list[int] = []
    real = email.message_from_bytes

    def counting(data, *args, **kwargs):
        msg = real(data, *args, **kwargs)
        built.append(sum(1 for _ in msg.walk()))
        return msg

    monkeypatch.setattr(email, "message_from_bytes", counting)
    return built


@pytest.mark.parametrize("newline", ["\n", "\r"])  # the parser splits lines at a bare CR too
def test_a_message_of_endless_empty_parts_is_cut_before_the_parser_builds_them(monkeypatch, newline):
    raw = (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n" + "--b\n\n" * 50_000 + "--b--\n").replace("\n", newline)
    built = _parts_built(monkeypatch)
    mail = parse.parse_message(raw.encode(), "x")
    assert built and max(built) <= parse.MAX_BOUNDARY_LINES + 1  # the root and one part a boundary line
    assert mail.subject == "Your Upwork profile" and mail.from_addr == "donotreply@upwork.com"
    assert any(f"more than {parse.MAX_BOUNDARY_LINES} MIME boundary lines" in d for d in mail.defects)


def test_the_cut_is_a_warning_on_the_result_not_an_error(tmp_path):
    path = tmp_path / "parts.eml"
    path.write_text(HEAD + "Content-Type: multipart/mixed; boundary=b\n\n" + "--b\n\n" * 20_000 + "--b--\n")
    result = run("analyze", str(path), "--format", "json")
    assert_no_traceback(result)
    assert result.code == 0, result.err
    assert any("MIME boundary lines" in w for w in result.json()[0]["warnings"])


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_a_message_of_endless_lines_is_cut_before_the_parser_reads_them(monkeypatch, newline):
    """Header fields cost the parser most a line: a part with a million of them took seconds."""
    monkeypatch.setattr(parse, "MAX_LINES", 1_000)
    raw = (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n--b\n" + "X-A: y\n" * 5_000 + "\nhi\n--b--\n").replace("\n", newline)
    handed: list[int] = []
    real = email.message_from_bytes
    monkeypatch.setattr(email, "message_from_bytes", lambda data, *a, **k: handed.append(len(data.splitlines())) or real(data, *a, **k))
    mail = parse.parse_message(raw.encode(), "x")
    assert handed and max(handed) <= parse.MAX_LINES
    assert mail.subject == "Your Upwork profile"
    assert any(f"more than {parse.MAX_LINES} lines" in d for d in mail.defects)


def test_mail_with_fewer_boundary_lines_than_the_limit_is_parsed_whole(monkeypatch):
    raw = (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n"
           + "".join(f"--b\nContent-Type: text/plain\n\npart {i}\n" for i in range(150)) + "--b--\n").encode()
    built = _parts_built(monkeypatch)
    mail = parse.parse_message(raw, "x")
    assert built == [151] and not mail.defects and "part 149" in mail.text


def _html_handed(monkeypatch) -> list[str]:
    """Record the HTML each call of the converter gets."""
    import inscriptis

    handed: list[str] = []
    real = inscriptis.get_text
    monkeypatch.setattr(inscriptis, "get_text", lambda html, *a, **k: handed.append(html) or real(html[:1000], *a, **k))
    return handed


def _html_message(parts: list[str]) -> bytes:
    body = "".join(f"--b\nContent-Type: text/html; charset=utf-8\n\n{p}\n" for p in parts)
    return (HEAD + "Content-Type: multipart/mixed; boundary=b\n\n" + body + "--b--\n").encode()


def test_wide_tables_in_many_html_parts_reach_the_converter_bounded(monkeypatch):
    table = "<table><tr>" + "<td>a</td>" * 90_000 + "</tr></table>"  # ~900 KB a part, under the text-part cap
    handed = _html_handed(monkeypatch)
    mail = parse.parse_message(_html_message([table] * 7), "x")
    assert len(handed) == 1
    assert len(handed[0]) <= parse.MAX_HTML_CHARS
    assert len(re.findall(r"<td", handed[0])) <= parse.MAX_TABLE_CELLS
    assert any("table cells" in d for d in mail.defects)


def test_a_huge_first_html_part_leaves_room_for_the_next(monkeypatch):
    first = "<p>" + "filler " * 100_000 + "</p>"  # 700 KB, no tables
    handed = _html_handed(monkeypatch)
    mail = parse.parse_message(_html_message([first, "<p>second part</p>"]), "x")
    assert len(handed[0]) <= parse.MAX_HTML_CHARS and "second part" in handed[0]
    assert any("HTML part was longer" in d for d in mail.defects)


def test_html_of_a_real_notification_is_converted_whole(monkeypatch):
    raw = (FIXTURES / "fiverr/account-disabled.eml").read_bytes()
    msg = email.message_from_bytes(raw)
    html = [p.get_payload(decode=True).decode(p.get_content_charset() or "utf-8") for p in msg.walk()
            if p.get_content_type() == "text/html"]
    handed = _html_handed(monkeypatch)
    mail = parse.parse_message(_html_message(html), "x")
    assert handed == ["\n".join(html)] and not mail.defects


def _reply_parser_input(monkeypatch) -> list[str]:
    """Record the text the reply parser reads."""
    from mailparser_reply import EmailReplyParser

    read: list[str] = []
    real = EmailReplyParser.read
    monkeypatch.setattr(EmailReplyParser, "read", lambda self, text: read.append(text) or real(self, text[:200]))
    return read


HOSTILE_REPLIES = {
    "On and tabs": "On" + "\t" * 19_500 + "x\n\nHi Maria,\n\nPlease add samples.",
    "On and a long line": "On " + "a" * 19_000 + "\n\nPlease add samples.",
    "blank lines": "Hi\n" + "\n" * 19_000 + "Please add samples.",
    "spaces and blank lines": "Hi" + " \n" * 9_000 + "Please add samples.",
    "spaces": "a" + " " * 19_000 + "b",
}


@pytest.mark.parametrize("text", HOSTILE_REPLIES.values(), ids=HOSTILE_REPLIES.keys())
def test_the_reply_parser_never_reads_long_lines_or_long_runs_of_white_space(monkeypatch, text):
    """Its regular expressions take time growing with the square of a line's length or of a run of
    blank lines or spaces; bounded, their work is linear in the text."""
    read = _reply_parser_input(monkeypatch)
    reviewer.own_words(text)
    (seen,) = read
    assert len(seen) <= reviewer.MAX_CHARS
    assert all(line == line.strip() for line in seen.split("\n"))  # as the parser would strip them: no blank-line runs hide
    assert max(len(line) for line in seen.split("\n")) <= reviewer.MAX_LINE_CHARS
    assert "\n" * (reviewer.MAX_BLANK_LINES + 2) not in seen
    assert not re.search(r"[^\S\n]{%d}" % (reviewer.MAX_SPACE_RUN + 1), seen)


def test_a_reply_reads_the_same_after_its_white_space_is_tamed():
    body = ("Hi Maria,\n\n\n\n\nThanks for your patience.     Please add two or three case studies to your "
            "portfolio, then resubmit.\r\n\r\nOn Tue, Nov 24, 2026 at 3:03 PM Maria <maria@example.org> wrote:\n"
            "> Could you look at my profile again?\n")
    own = reviewer.own_words(body)
    assert "Please add two or three case studies" in own and "Could you look" not in own
    assert reviewer.own_words(body) == reviewer.own_words(reviewer._tame(body))
