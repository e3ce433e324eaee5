"""The forward reader on its own: separators, labels, replies, nesting, addresses."""

from __future__ import annotations

import pytest

from rejectscan.forwards import (find_inline_forward, is_forward_subject, split_address, strip_subject_prefixes,
                                 unwrap)
from rejectscan.models import ParsedMail
from rejectscan.timestamps import original_sent_at


def mail(text: str, subject: str = "Fwd: x", sender: str = "me@example.org") -> ParsedMail:
    return ParsedMail(from_name="Me", from_addr=sender, subject=subject, message_id="", date_header=
                      "Wed, 25 Nov 2026 08:00:00 +0100", text=text)


@pytest.mark.parametrize("value, name, addr", [
    ("John Doe <john.doe@acme.com>", "John Doe", "john.doe@acme.com"),
    ("John Doe [mailto:john.doe@acme.com]", "John Doe", "john.doe@acme.com"),
    ('"\'John Doe\'" <john.doe@acme.com>', "John Doe", "john.doe@acme.com"),
    ("« John Doe » <john.doe@acme.com>", "John Doe", "john.doe@acme.com"),
    ("John Doe (john.doe@acme.com)", "John Doe", "john.doe@acme.com"),
    ("john.doe@acme.com", "", "john.doe@acme.com"),
    ("Upwork <DoNotReply@Upwork.com>", "Upwork", "donotreply@upwork.com"),
    # Outlook: nested mailto brackets, and "on behalf of" someone else
    ("John Doe<mailto:john.doe@acme.com> <john.doe@acme.com<mailto:john.doe@acme.com>> on behalf of "
     "ticketing@acme.com<mailto:ticketing@acme.com>", "John Doe", "john.doe@acme.com"),
    ("Max Muster <max@acme.com> im Auftrag von Team <team@acme.com>", "Max Muster", "max@acme.com"),
])
def test_split_address(value, name, addr):
    assert split_address(value) == (name, addr)


def test_subject_prefixes_stack():
    assert strip_subject_prefixes("Fwd: Fw: RE: WG: Your profile") == "Your profile"
    assert strip_subject_prefixes("TR: Objet") == "Objet"


@pytest.mark.parametrize("line", [
    "Dne 28/10/2021 12:46, John Doe <john.doe@acme.com> napsal(a):",  # Outlook cs
    "On 28/10/2021 12:46, John Doe <john.doe@acme.com> wrote:",
    "Le 28/10/2021 12:46, John Doe <john.doe@acme.com> a écrit :",
])
def test_wrote_line_name_loses_the_wrote_words(line):
    original = unwrap(mail(line + "\n\nbody", subject="FW: x"))
    assert (original.from_name, original.from_addr) == ("John Doe", "john.doe@acme.com")


def test_hungarian_forward_prefix():
    """Outlook hu writes 'TOV:' (továbbítás); the IMAP search uses the same list."""
    assert is_forward_subject("TOV: Your Upwork profile")
    assert strip_subject_prefixes("TOV: Your Upwork profile") == "Your Upwork profile"


HU_BLOCK = ("FYI\n\n-----Eredeti üzenet-----\nFeladó: Upwork <donotreply@upwork.com>\n"
            "Küldve: 2026. november 24. 16:03\n{extra}Címzett: Maria <maria@example.org>\n"
            "Tárgy: Your Upwork profile was not approved\n\nstock text")


@pytest.mark.parametrize("extra", ["", "Fontosság: Magas\n", "Priorität: Hoch\n", "重要度: 高\n"])
def test_outlook_hungarian_block_with_unknown_labels_among_it(extra):
    """'Küldve:' is Outlook hu's Sent; a label we do not know, in any script, is read past, not
    taken for the block's end (which lost the date and subject)."""
    original = unwrap(mail(HU_BLOCK.format(extra=extra), subject="TOV: Your Upwork profile was not approved"))
    assert original.from_addr == "donotreply@upwork.com"
    assert original.subject == "Your Upwork profile was not approved"
    assert original.date_text == "2026. november 24. 16:03" and "hu" in original.date_languages
    assert original.body == "stock text"
    assert original_sent_at(original).value.isoformat() == "2026-11-24T16:03:00+01:00"


def test_reply_quoting_a_header_block_is_not_a_forward():
    text = "Why?\n\n________________________________\nFrom: Upwork <donotreply@upwork.com>\nSent: Tuesday, November 24, 2026 15:03\nSubject: x\n\nbody"
    assert find_inline_forward(text, "Re: x") is None
    assert find_inline_forward(text, "Fw: x") is not None


def test_explicit_forward_separator_wins_over_reply_subject():
    text = "---------- Forwarded message ---------\nFrom: A <a@upwork.com>\nDate: Tue, Nov 24, 2026 at 4:03 PM\nSubject: s\n\nbody"
    block = find_inline_forward(text, "Re: something")
    assert block is not None and block.fields["from"] == "A <a@upwork.com>"


def test_header_block_without_separator_at_the_top_is_a_forward():
    text = "From: A <a@upwork.com>\nDate: Thursday, 26 November 2026 at 12:46\nTo: me@example.org\nSubject: s\nbody here"
    block = find_inline_forward(text, "")
    assert block is not None
    assert block.body == "body here"


def test_header_block_below_own_text_without_separator_or_fwd_subject_is_left_alone():
    text = "I think this is about\n\nFrom: A <a@upwork.com>\nDate: Thursday, 26 November 2026 at 12:46\nSubject: s\n\nbody"
    assert find_inline_forward(text, "notes") is None


def test_wrote_line_only_counts_under_a_forward_subject():
    text = 'On 24/11/2026 16:03, "Upwork" <donotreply@upwork.com> wrote:\n\n    body'
    assert find_inline_forward(text, "Re: x") is None
    block = find_inline_forward(text, "FW: x")
    assert block is not None and block.fields["date"] == "24/11/2026 16:03"


@pytest.mark.parametrize("line, expected", [
    # Outlook for Mac in the US: a 12-hour clock, month first; AM/PM kept
    ('On 3/11/26, 4:03 PM, "Upwork" <donotreply@upwork.com> wrote:', "2026-03-11T16:03:00+01:00"),
    ('On 3/11/26, 9:15 AM, "Upwork" <donotreply@upwork.com> wrote:', "2026-03-11T09:15:00+01:00"),
    ('On 11/24/26, 12:03 AM, "Upwork" <donotreply@upwork.com> wrote:', "2026-11-24T00:03:00+01:00"),
    # elsewhere: a 24-hour clock, day first
    ('On 03/11/2026 16:03, "Upwork" <donotreply@upwork.com> wrote:', "2026-11-03T16:03:00+01:00"),
    ('"Upwork" <donotreply@upwork.com> napsal(a) 24/11/2026 16:03:', "2026-11-24T16:03:00+01:00"),
])
def test_wrote_line_date_is_read_with_its_clock(line, expected):
    original = unwrap(mail(line + "\n\nstock text", subject="FW: Your Upwork profile"))
    assert original.from_addr == "donotreply@upwork.com" and original.from_name == "Upwork"
    assert original_sent_at(original).value.isoformat() == expected


def test_nested_forward_is_unwrapped_to_the_innermost():
    inner = ("---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
             "Date: Tue, Nov 24, 2026 at 4:03 PM\nSubject: Your Upwork profile\n\nstock text")
    outer = ("FYI\n\n---------- Forwarded message ---------\nFrom: Friend <f@example.net>\n"
             "Date: Wed, Nov 25, 2026 at 9:00 AM\nSubject: Fwd: Your Upwork profile\n\nsee below\n\n" + inner)
    original = unwrap(mail(outer))
    assert original.from_addr == "donotreply@upwork.com"
    assert original.body == "stock text"
    assert original.forwarded_by == "f@example.net"


def test_thread_quoted_inside_a_forwarded_message_is_not_a_nesting():
    """A long message above the second block means the second is history, not the forwarded one."""
    first = ("---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
             "Date: Tue, Nov 24, 2026 at 4:03 PM\nSubject: s\n\n" + "A real paragraph of text. " * 12 +
             "\n\n---------- Forwarded message ---------\nFrom: Someone <s@example.net>\n"
             "Date: Mon, Nov 23, 2026 at 1:00 PM\nSubject: old\n\nold text")
    assert unwrap(mail(first)).from_addr == "donotreply@upwork.com"


def test_forward_of_a_forward_with_a_long_note_is_unwrapped():
    """The middle message says 'Fwd:' itself: what it holds is a forward, however long its note."""
    note = "Hi me, keeping this for the records. " * 8
    inner = ("---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
             "Date: Tue, Nov 24, 2026 at 4:03 PM\nSubject: Your Upwork profile\n\nstock text")
    outer = ("---------- Forwarded message ---------\nFrom: Me at work <me@work.example.com>\n"
             "Date: Tue, Nov 24, 2026 at 4:10 PM\nSubject: {subject}\n\n" + note + "\n\n" + inner)
    original = unwrap(mail(outer.format(subject="Fwd: Your Upwork profile"), subject="Fwd: Fwd: Your Upwork profile"))
    assert (original.from_addr, original.body) == ("donotreply@upwork.com", "stock text")
    assert original.forwarded_by == "me@work.example.com"
    # the same long text in a message that is not a forward: a quoted thread, left as it is
    assert unwrap(mail(outer.format(subject="Your Upwork profile"))).from_addr == "me@work.example.com"


def test_block_with_a_blank_line_between_labels():
    """Outlook HTML with a <p> per label: a blank line between them, one after the block."""
    text = ("FYI\n\n    From: Upwork <donotreply@upwork.com>\n\n    Sent: Tuesday, November 24, 2026 4:03 PM\n\n"
            "    To: Maria <maria@example.org>\n\n    Subject: Your Upwork profile\n\nHi Maria,\n\nTo: be read")
    original = unwrap(mail(text, subject="FW: Your Upwork profile"))
    assert (original.from_addr, original.subject) == ("donotreply@upwork.com", "Your Upwork profile")
    assert original.date_text == "Tuesday, November 24, 2026 4:03 PM"
    assert original.body == "Hi Maria,\n\nTo: be read"  # a label the block already has ends it


def test_yahoo_run_on_block():
    text = ("   ----- Forwarded Message ----- From: Upwork <donotreply@upwork.com>To: \"me\" <me@example.org>"
            "Sent: Tuesday, November 24, 2026, 04:03:38 PM GMT+1Subject: Your Upwork profile\n body")
    block = find_inline_forward(text, "Fwd: x")
    assert block.fields["date"] == "Tuesday, November 24, 2026, 04:03:38 PM GMT+1"
    assert block.fields["subject"] == "Your Upwork profile"


def test_plain_text_without_any_block_is_not_a_forward():
    original = unwrap(mail("Hello,\nFrom now on I work from home.\nSubject to change.", subject="hi"))
    assert not original.forwarded and original.via == "direct"
