"""Forgeries built the way an attacker would, against the rules in README "Authenticity": results
headers in the provider's name, a HELO that says "by", a provider host with no public name,
forwards from someone who is not the user, and mail nobody can vouch for beside genuine mail.
Each message is made here from a plain template, so every header is the test's own."""

from __future__ import annotations

import json

import pytest

from conftest import run

USER = "maria.santos@example.org"
GENUINE_RESULTS = ("mail.example.org; dkim=pass header.d=upwork.com header.s=s1; "
                   "spf=pass smtp.mailfrom=bounces.upwork.com; dmarc=pass header.from=upwork.com")
REJECTION = ("We have looked at your profile and we are unable to approve your registration at this time.\n\n"
             "The Upwork Team\n")
SUBMISSION = "Thanks for submitting your profile! We will review your application within a day.\n\nThe Upwork Team\n"


def message(top: str, *, subject="Your Upwork profile", date="Tue, 24 Nov 2026 15:03:38 +0000",
            sender="Upwork <donotreply@upwork.com>", to=f"Maria Santos <{USER}>", body=REJECTION,
            msgid="m@upwork.com") -> str:
    """A message whose trace headers (Received, Authentication-Results) are `top`, as given."""
    return (top.strip("\n") + f"\nFrom: {sender}\nTo: {to}\nSubject: {subject}\nDate: {date}\n"
            f"Message-ID: <{msgid}>\nMIME-Version: 1.0\nContent-Type: text/plain; charset=utf-8\n\n{body}")


def received(by: str, sender: str = "mail-out-12.upwork.com (mail-out-12.upwork.com [198.51.100.12])",
             when: str = "Tue, 24 Nov 2026 15:03:41 +0000") -> str:
    return f"Received: from {sender}\n\tby {by} (Postfix) with ESMTPS id 4F3C\n\tfor <{USER}>; {when}\n"


def judged(tmp_path, text: str, *args: str) -> dict:
    path = tmp_path / "m.eml"
    path.write_text(text)
    result = run("analyze", str(path), "--format", "json", "--db", str(tmp_path / "none.db"), *args)
    assert result.code == 0, result.err
    return result.json()[0]


def test_the_template_is_genuine_mail(tmp_path):
    got = judged(tmp_path, message(received("mail.example.org") + f"Authentication-Results: {GENUINE_RESULTS}\n"))
    assert (got["kind"], got["authentic"], got["counted"]) == ("rejection", True, True)


@pytest.mark.parametrize("top, expected", [
    # a results header in the provider's name written right under the real one, which passed only
    # for the attacker's domain: the two disagree, so neither proves anything
    (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
     + "Authentication-Results: mail.example.org; dkim=pass header.d=evil.example; spf=pass smtp.mailfrom=evil.example\n"
     + f"Authentication-Results: {GENUINE_RESULTS}\n", None),
    # the real results say the platform's signature failed; the forged ones below say it passed
    (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
     + "Authentication-Results: mail.example.org; dkim=fail header.d=upwork.com; spf=pass smtp.mailfrom=evil.example\n"
     + f"Authentication-Results: {GENUINE_RESULTS}\n", False),
    # a HELO name that says "by mx.evil.example": the provider is the last "by" of the line
    (received("mail.example.org", "x (helo=a by mx.evil.example) (mail.evil.example [203.0.113.9])")
     + "Authentication-Results: mail.example.org; dkim=none; spf=pass smtp.mailfrom=evil.example\n"
     + received("mx.evil.example", "mail-out-12.upwork.com")
     + "Authentication-Results: mx.evil.example; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n",
     None),
    # the provider's host has no public name and took the mail from a public address: the
    # attacker's own Received line and results below it are not the provider's
    (received("mailserver.local", "mail.evil.example (mail.evil.example [203.0.113.9])")
     + "Authentication-Results: mailserver.local; dkim=pass header.d=evil.example\n"
     + received("mx.evil.example", "mail-out-12.upwork.com")
     + "Authentication-Results: mx.evil.example; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n",
     None),
    # a failure counts wherever it stands: nobody forges one against themselves
    (received("mailserver.local", "mail.evil.example (mail.evil.example [203.0.113.9])")
     + "Authentication-Results: mailserver.local; dmarc=fail header.from=upwork.com\n"
     + received("mx.evil.example", "mail-out-12.upwork.com")
     + "Authentication-Results: mx.evil.example; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n",
     False),
])
def test_results_the_sender_wrote_never_make_mail_authentic(tmp_path, top, expected):
    got = judged(tmp_path, message(top))
    assert got["authentic"] is expected, got["authenticity_reasons"]


def test_a_configured_authserv_id_is_the_only_one_believed(tmp_path):
    """The user's own filter host is named in the config and wrote results here: a pass in the name
    of another host of the same organisation (which counts without the config) no longer does."""
    top = (received("mx.example.org")
           + "Authentication-Results: filter.example.org; dkim=pass header.d=evil.example\n"
           + "Authentication-Results: mx.example.org; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n")
    assert judged(tmp_path, message(top))["authentic"] is True  # without the config: the provider's word
    config = tmp_path / "config.toml"
    config.write_text('[account]\nauthserv_ids = ["filter.example.org"]\n')
    assert judged(tmp_path, message(top), "--config", str(config))["authentic"] is None


def _attached(outer_from: str, outer_to: str, inner_to: str, outer_top: str = "") -> str:
    inner = message(received("mail.example.org") + f"Authentication-Results: {GENUINE_RESULTS}\n", to=inner_to)
    head = outer_top or received("mail.example.org", "mail.sender.example (mail.sender.example [203.0.113.20])")
    return (head + f"From: {outer_from}\nTo: {outer_to}\nSubject: Fwd: Your Upwork profile\n"
            "Date: Tue, 24 Nov 2026 16:00:00 +0000\nMessage-ID: <fw@x>\nMIME-Version: 1.0\n"
            'Content-Type: multipart/mixed; boundary="b"\n\n--b\nContent-Type: text/plain\n\nSee below.\n'
            "--b\nContent-Type: message/rfc822\n\n" + inner + "\n--b--\n")


def test_an_attached_copy_counts_only_when_the_user_forwarded_their_own_mail(tmp_path):
    own = judged(tmp_path, _attached(USER, USER, USER))
    assert (own["authentic"], own["counted"]) == (True, True)
    # the attacker got "their own" copy and forwards it to the user: not the user's mail
    theirs = judged(tmp_path, _attached("attacker@evil.example", USER, "attacker@evil.example"))
    assert theirs["counted"] is False and theirs["authentic"] is None
    # a forward in the user's name that fails the provider's checks was not sent by the user
    failing = received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])") + \
        "Authentication-Results: mail.example.org; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org\n"
    spoofed = judged(tmp_path, _attached(USER, USER, USER, failing))
    assert spoofed["counted"] is False and spoofed["authentic"] is None
    # the attacker copies themselves in: To and Cc are their words, the provider's delivery is not
    friend = "friend@example.net"
    cc = judged(tmp_path, _attached(friend, f"{USER}, {friend}", friend))
    assert cc["counted"] is False and cc["authentic"] is None


def test_a_strangers_inline_forward_is_shown_but_never_counted(tmp_path):
    body = ("Look what I got:\n\n---------- Forwarded message ---------\nFrom: Upwork <donotreply@upwork.com>\n"
            "Date: Tue, Nov 24, 2026 at 3:03 PM\nSubject: Your Upwork profile\nTo: <someone@evil.example>\n\n" + REJECTION)
    top = received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
    stranger = judged(tmp_path, message(top, sender="Someone <someone@evil.example>", subject="Fwd: Your Upwork profile",
                                        body=body))
    assert stranger["kind"] == "rejection" and stranger["counted"] is False
    mine = judged(tmp_path, message(top, sender=f"Maria <{USER}>", subject="Fwd: Your Upwork profile", body=body))
    assert mine["counted"] is True


def test_mail_nobody_can_vouch_for_never_moves_a_genuine_rejections_delay(tmp_path):
    """A genuine submission and a genuine rejection 50 hours later; between them, emails in the
    platform's name that no provider checked: a 'submitted' just before the rejection (would make
    it look like the bots) and a 'rejection' (would close the cycle and take the delay away)."""
    genuine = received("mail.example.org") + f"Authentication-Results: {GENUINE_RESULTS}\n"
    unchecked = received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
    mails = [
        message(genuine, subject="Your profile was submitted", body=SUBMISSION, date="Sun, 22 Nov 2026 13:00:00 +0000",
                msgid="s1@upwork.com"),
        message(unchecked, subject="Your profile was submitted", body=SUBMISSION, date="Tue, 24 Nov 2026 15:03:00 +0000",
                msgid="s2@evil"),
        message(unchecked, date="Mon, 23 Nov 2026 10:00:00 +0000", msgid="r0@evil"),
        message(genuine, msgid="r1@upwork.com"),
    ]
    mbox = tmp_path / "box.mbox"
    mbox.write_text("".join(f"From x@y Tue Nov 24 15:00:00 2026\n{m}\n" for m in mails))
    result = run("analyze", str(mbox), "--format", "json", "--db", str(tmp_path / "none.db"))
    records = {r["message_id"]: r for r in json.loads(result.out)}
    real = records["<r1@upwork.com>"]
    assert (real["authentic"], real["label"], real["delay_seconds"]) == (True, "human-reviewed", 50 * 3600 + 218)
    assert records["<s2@evil>"]["authentic"] is None  # shown as what it is: unproven


@pytest.mark.parametrize("sender", [
    "donotreply@=?utf-8?q?upwork.com?=",  # the domain in an encoded word
    "Upwork <donotreply@upwork.c om>",  # a space some readers drop
    "donotreply@upwork.com\u00a0.evil.example",  # a no-break space
    "Upwork <@evil.example:donotreply@upwork.com>",  # a source route
    "Upwork <x@evil.example> <donotreply@upwork.com>",  # two angle addresses
    'Upwork <x@evil.example"@upwork.com">',  # a quote inside
    "x@evil.example <donotreply@upwork.com>",  # another address as the display name
    "Upwork <x@evil.example@upwork.com>",  # a second @
    "Upwork <x@evil.example\\@upwork.com>",  # a backslash
    "Upwork <donotreply@upwor\u212a.com>",  # the Kelvin sign, which lowercases to k
    "Upwork <donotreply@upwork.com\u00a0>",  # a trailing no-break space
])
def test_an_address_readers_disagree_on_is_a_forgery(tmp_path, sender):
    top = received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
    got = judged(tmp_path, message(top + "Authentication-Results: mail.example.org; dkim=none\n", sender=sender))
    assert got["authentic"] is False and got["counted"] is False, got["authenticity_reasons"]


def test_results_for_another_senders_domain_beside_forged_ones_are_a_forgery(tmp_path):
    """The provider's own DMARC check names the From domain it read: when that is not the platform's,
    the From was written to be read two ways, whatever a results header under it claims."""
    top = (received("mx.google.com", "mail.evil.example (mail.evil.example [203.0.113.9])")
           + "Authentication-Results: mx.google.com; dkim=pass header.i=@evil.example; spf=pass "
             "smtp.mailfrom=evil.example; dmarc=pass header.from=evil.example\n"
           + "Authentication-Results: mx.google.com; dkim=pass header.d=upwork.com header.s=s1\n")
    got = judged(tmp_path, message(top, sender="Upwork <donotreply@upwork.com>"))
    assert got["authentic"] is False and "evil.example" in got["authenticity_reasons"][0], got


@pytest.mark.parametrize("sender", ["donotreply@upwork.com (Upwork)", '"Upwork, Inc." <donotreply@upwork.com>',
                                    "donotreply@upwork.com (Upwork (Team))", '"Upwork <Team>" <donotreply@upwork.com>',
                                    "=?utf-8?q?Upwork_=E2=80=94_Team?= <donotreply@upwork.com>",
                                    "Upwork\t<donotreply@upwork.com>"])
def test_ordinary_address_forms_are_not_malformed(tmp_path, sender):
    got = judged(tmp_path, message(received("mail.example.org") + f"Authentication-Results: {GENUINE_RESULTS}\n",
                                   sender=sender))
    assert got["authentic"] is True, got["authenticity_reasons"]


@pytest.mark.parametrize("sender", ["donotreply@upw\u043erk.com", "donotreply@xn--upwrk-lye.com",
                                    "donotreply@up\u200bwork.com"])
def test_a_domain_in_look_alike_letters_is_a_lookalike(tmp_path, sender):
    got = judged(tmp_path, message(received("mail.example.org") + "Authentication-Results: mail.example.org; dkim=none\n",
                                   sender=sender))
    assert (got["platform"], got["authentic"]) == ("upwork", False), got["authenticity_reasons"]
    assert "look-alike letters" in got["authenticity_reasons"][0] or "\\u200b" in got["authenticity_reasons"][0]


# Genuine layouts that must stay `true` (Office 365 across two Microsoft domains, iCloud, one
# results header per DKIM signature, an old selector failing) are real fixture files:
# fixtures/authenticity/*-genuine.eml, checked through the real command by tests/test_fixtures.py.


@pytest.mark.parametrize("authserv", ["mail.example.org (milter)", '"mail.example.org"', "mail.example.org 1"])
def test_the_providers_name_in_any_spelling_below_the_senders_trace_is_impersonation(tmp_path, authserv):
    top = (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
           + "Authentication-Results: mail.example.org; dkim=none\n"
           + received("mx.evil.example", "mail-out-12.upwork.com")
           + f"Authentication-Results: {authserv}; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n")
    assert judged(tmp_path, message(top))["authentic"] is False


def test_a_helo_that_says_by_does_not_hide_a_public_sender(tmp_path):
    top = (received("mailserver", "x (helo=a by mx.evil.example) (mail.evil.example [203.0.113.9])")
           + received("mx.evil.example", "mail-out-12.upwork.com")
           + "Authentication-Results: mx.evil.example; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n")
    assert judged(tmp_path, message(top))["authentic"] is None


def test_an_attached_copy_whose_trace_another_provider_wrote_proves_nothing(tmp_path):
    """A forward in the user's name that arrived through the user's provider, whose attached copy
    carries a pass written by the forger's own server: the copy's results are only its word."""
    inner_top = (received("mx.evil.example") +
                 "Authentication-Results: mx.evil.example; dkim=pass header.d=upwork.com; dmarc=pass header.from=upwork.com\n")
    inner = message(inner_top)
    outer = (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
             + "Authentication-Results: mail.example.org; spf=softfail smtp.mailfrom=example.org\n"
             + f"From: {USER}\nTo: {USER}\nSubject: Fwd: Your Upwork profile\nDate: Tue, 24 Nov 2026 16:00:00 +0000\n"
             "Message-ID: <fw2@x>\nMIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"b\"\n\n--b\n"
             "Content-Type: text/plain\n\nSee below.\n--b\nContent-Type: message/rfc822\n\n" + inner + "\n--b--\n")
    got = judged(tmp_path, outer)
    assert got["authentic"] is None and "not by the provider that delivered" in got["authenticity_reasons"][0]


@pytest.mark.parametrize("name, platform", [
    ("Upwork", "upwork"), ("The Upwork Team", "upwork"), ("Support - Upwork", "upwork"), ("Upwork \U0001f680", "upwork"),
    ("Jane from Upwork", "upwork"), ("Maria (Fiverr)", "fiverr"), ("L'équipe Fiverr", "fiverr"), ("Guru.com Support", "guru"),
    # a person or a word that happens to share a platform's name speaks for nobody
    ("Guru Prasad", None), ("SEO Guru", None), ("John Smith | Upwork Top Rated", None),
])
def test_a_display_name_speaks_for_a_platform_only_in_its_voice(tmp_path, name, platform):
    """A stranger calling itself "Upwork Support" is warned about; a choir leader named Guru is not."""
    top = received("mail.example.org", "mail.gmail.com (mail.gmail.com [203.0.113.9])")
    got = judged(tmp_path, message(top, sender=f'"{name}" <someone@gmail.com>', subject="Rehearsal",
                                   body="Sorry, we are unable to accept your application to the choir.\n"), "--all")
    assert got["platform"] == platform, got
    assert got["authentic"] is (False if platform else None)


def test_the_delivery_address_is_the_one_the_provider_wrote():
    from rejectscan.authenticity import delivered
    from rejectscan.models import TraceHeader

    trace = (TraceHeader("delivered-to", USER), TraceHeader("received", received("mail.example.org").split(": ", 1)[1]),
             TraceHeader("received", "from x by mail.evil.example (Postfix) for <attacker@evil.example>; Tue, 24 Nov 2026"),
             TraceHeader("delivered-to", "attacker@evil.example"))
    assert delivered(trace) == {USER}


def test_a_real_platform_email_to_someone_else_replayed_to_the_user_is_not_theirs(tmp_path):
    """The attacker's own genuine rejection (DKIM passes) sent on to the user: SPF shows the sender
    was not Upwork, and it was written to the attacker. Mail sent straight to the user still counts."""
    resent = "mail.example.org; dkim=pass header.d=upwork.com header.s=s1; spf=fail smtp.mailfrom=evil.example; " \
             "dmarc=pass header.from=upwork.com"
    top = received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
    replay = judged(tmp_path, message(top + f"Authentication-Results: {resent}\n", to="Throwaway <t@evil.example>"))
    assert replay["counted"] is False and replay["authentic"] is None, replay
    straight = judged(tmp_path, message(received("mail.example.org") + f"Authentication-Results: {GENUINE_RESULTS}\n",
                                        to="Throwaway <t@evil.example>"))
    assert straight["counted"] is True  # SPF passed for Upwork: Upwork itself delivered it here


def test_delivery_headers_below_where_the_mail_came_in_are_the_senders(tmp_path):
    """A stranger connecting straight to the user's server writes Delivered-To, X-Original-To or a
    Received 'for' of their own under the provider's entry hop, to pass as the user."""
    eve = "eve@evil.example"
    entry = received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
    for own in (f"Delivered-To: {eve}\n", f"X-Original-To: {eve}\n",
                received("mail.example.org", "x (x [10.0.0.2])").replace(USER, eve)):
        got = judged(tmp_path, _attached(eve, USER, eve, entry + own))
        assert got["counted"] is False and got["authentic"] is None, own


@pytest.mark.parametrize("extra, results", [
    ("Cc: Maria <maria.santos@example.org>\n", "spf=fail smtp.mailfrom=evil.example"),  # an unsigned Cc
    ("To: Maria <maria.santos@example.org>\n", "spf=fail smtp.mailfrom=evil.example"),  # a To above the signed one
    ("", "spf=pass smtp.mailfrom=bounces.upwork.com\nAuthentication-Results: mail.example.org; spf=fail "
         "smtp.mailfrom=evil.example"),  # a pass for Upwork beside the provider's fail
])
def test_a_replay_stays_a_replay_whatever_is_added(tmp_path, extra, results):
    top = (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
           + f"Authentication-Results: mail.example.org; dkim=pass header.d=upwork.com header.s=s1; {results}; "
             "dmarc=pass header.from=upwork.com\n" + extra)
    got = judged(tmp_path, message(top, to="Throwaway <t@evil.example>"))
    assert got["counted"] is False and got["authentic"] is None, got


def test_a_replay_whose_spf_is_a_received_spf_header(tmp_path):
    top = (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
           + "Received-SPF: Fail (mailfrom) identity=mailfrom; client-ip=203.0.113.9; envelope-from=x@evil.example\n"
           + "Authentication-Results: mail.example.org; dkim=pass header.d=upwork.com header.s=s1; "
             "dmarc=pass header.from=upwork.com\n")
    got = judged(tmp_path, message(top, to="Throwaway <t@evil.example>"))
    assert got["counted"] is False and got["authentic"] is None, got


def test_a_failed_check_is_a_forgery_whoever_it_was_written_to(tmp_path):
    top = (received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
           + "Authentication-Results: mail.example.org; spf=fail smtp.mailfrom=upwork.com; dmarc=fail header.from=upwork.com\n")
    assert judged(tmp_path, message(top, to="Someone <s@evil.example>"))["authentic"] is False


def test_a_forged_copy_of_the_same_minute_never_takes_the_genuine_ones_place(tmp_path):
    genuine = message(received("mail.example.org") + f"Authentication-Results: {GENUINE_RESULTS}\n", msgid="g@upwork.com")
    forged = message(received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
                     + "Authentication-Results: mail.example.org; dkim=none; spf=none\n",
                     date="Tue, 24 Nov 2026 15:03:01 +0000", msgid="f@evil",
                     body="Your profile is under review. I'm Dana from the review team.\n")
    box = tmp_path / "box.mbox"
    box.write_text("".join(f"From x Tue Nov 24 15:03:00 2026\n{m}\n" for m in (forged, genuine)))
    db = str(tmp_path / "s.db")
    records = {r["message_id"]: r for r in run("analyze", str(box), "--format", "json", "--db", db).json()}
    assert records["<g@upwork.com>"]["kind"] == "rejection" and records["<g@upwork.com>"]["label"] == "unknown"
    assert run("analyze", "--record", str(box), "--db", db).code == 0
    events = run("history", "--db", db, "--format", "json").json()["events"]
    assert [e["event"] for e in events] == ["rejected"], events


def test_a_quoted_address_before_the_real_one_is_a_forgery(tmp_path):
    got = judged(tmp_path, message(received("mail.example.org", "mail.evil.example (mail.evil.example [203.0.113.9])")
                                   + "Authentication-Results: mail.example.org; dkim=none\n",
                                   sender='"Upwork <donotreply@upwork.com>" eve@evil.example'))
    assert got["authentic"] is False, got
