"""Did the platform really send it? Pure: the original, the platform guess and the headers.

`true` only when the user's own mail provider recorded an aligned pass: DMARC pass for the
platform's domain, or DKIM pass whose header.d or header.i is one of its domains. `false` on a
DMARC fail (or a DKIM fail for the platform's domain with no aligned pass), a lookalike sender, an
address hidden in an encoded word, several From headers or several addresses in one. `null`
when nothing proves either way: no results, inconclusive ones, a pass for another domain (mail
sent through Zendesk or a mailing service), an inline forward, a stranger's forward.

Only results the user's provider wrote count: results headers standing in the provider's own
block at the top of the message (above the first Received line another organisation wrote),
whose authserv-id is the provider's (or one the config names; Office 365 writes none). A results
header the sender wrote proves nothing, wherever it stands. README, "Authenticity", tells how.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from email.utils import getaddresses

from rejectscan import headers
from rejectscan.models import Authenticity, Original, ParsedMail, Relation, TraceHeader, Via
from rejectscan.patterns import Platform

_BY = re.compile(r"\bby\s+([^\s;()\[\]]+)", re.IGNORECASE)
_ENCODED_WORD = re.compile(r"=\?[^?]*\?[bBqQ]\?")
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ne", "or"}
_OFFICE365 = ("outlook.com", "office365.com", "microsoft.com", "outlook.cn")
_APPLE = ("apple.com", "icloud.com", "me.com", "mac.com")  # iCloud Mail: hops at apple.com, results at icloud.com


@dataclass(frozen=True)
class Trust:
    """Who the user is and which results to believe, from the config: the user's own addresses
    (the login name and `addresses`), and authserv-ids of servers of their own."""

    addresses: frozenset[str] = frozenset()
    authserv_ids: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Result:
    method: str  # dkim, dmarc, spf
    result: str  # pass, fail, none, ...
    domain: str  # the domain it speaks for (header.d/header.i for DKIM, header.from for DMARC)
    selector: str = ""  # DKIM's header.s, or its header.b: which signature the result is about


def judge(original: Original, platform: Platform | None, relation: Relation, reason: str,
          trust: Trust = Trust(), outer: ParsedMail | None = None) -> Authenticity:
    """`outer`: the message as it arrived, when `original` was found inside a forward of it."""
    if platform is None:
        return Authenticity(None, ("not sent by or in the name of a platform",))
    if relation is Relation.LOOKALIKE:
        return Authenticity(False, (reason,))
    mail = original.mail
    forged = _forged_sender(mail) if mail is not None and not original.via.inline else None
    if forged:
        return Authenticity(False, (forged,))
    if original.forwarded:
        stranger = _stranger(original, trust, outer)
        if stranger:
            return Authenticity(None, (stranger,), stranger=True)
    if original.via.inline:
        return Authenticity(None, (f"{reason}, but an inline forward keeps no proof of who sent the original",))
    found = provider_results(mail.trace if mail else (), trust)
    if found.impersonated:
        return Authenticity(False, ("a results header written by the sender claims to come from your own mail "
                                    "provider: only a forger does that",))
    verdict = _verdict(found, platform, reason)
    if verdict.authentic is not False and not original.forwarded and mail is not None:
        someone = _addressed_elsewhere(mail, found, platform, trust)
        if someone:
            return Authenticity(None, (f"{reason}, but it is addressed to {someone}, not to you, and did not come "
                                       f"straight from {platform.name}: a copy of someone else's email proves nothing "
                                       f"about your profile and is not counted (if {someone} is yours, list it under "
                                       "`addresses` in the config)",), stranger=True)
    if original.via is Via.ATTACHED and outer is not None:
        elsewhere = _other_provider(mail.trace if mail else (), outer.trace, trust)
        if elsewhere:
            return Authenticity(None, (f"{reason}, but the attached copy's results were written by {elsewhere}, "
                                       "not by the provider that delivered the forward to you, so they prove "
                                       "nothing",))
    return verdict


def _addressed_elsewhere(mail: ParsedMail, found: "ProviderResults", platform: Platform, trust: Trust) -> str:
    """Whom a message was written to, when that is not the user and the provider's SPF check shows it
    was sent on by someone other than the platform: a real platform email to someone else, replayed.
    Empty when the user's addresses are unknown, it was written to them, or SPF says nothing."""
    user = trust.addresses | delivered(mail.trace)
    to = set(mail.addressed_to)
    if not user or not to or to & user:
        return ""
    spf = [r for r in found.results if r.method == "spf"] + received_spf(mail.trace)
    if not spf or all(r.result == "pass" and _ours(r.domain, platform) for r in spf):
        return ""  # straight from the platform, or nothing says it was sent on
    return ", ".join(sorted(to)[:3])


_SPF_DOMAIN = re.compile(r"(?:envelope-from|smtp\.mailfrom)\s*=\s*\"?<?[^\s;>\"]*?@?([\w.-]+\.[a-z]{2,})|domain\s+of\s+"
                         r"\S*?@?([\w.-]+\.[a-z]{2,})\b", re.IGNORECASE)


def received_spf(trace: tuple[TraceHeader, ...]) -> list[Result]:
    """SPF verdicts written as Received-SPF headers (Postfix's policy daemons, Gmail) in the
    provider's block, as results: `pass`, `fail`... for the envelope sender's domain."""
    out = []
    for header in trace[:_block(trace)[1]]:
        if header.name != "received-spf":
            continue
        verdict = header.value.strip().split(None, 1)[0].lower().rstrip(";") if header.value.strip() else ""
        m = _SPF_DOMAIN.search(header.value)
        out.append(Result("spf", verdict, (m.group(1) or m.group(2)).lower() if m else ""))
    return out


def _other_provider(inner: tuple[TraceHeader, ...], outer: tuple[TraceHeader, ...], trust: Trust) -> str:
    """The organisation that wrote an attached copy's trace, when the forward itself arrived through
    another one: the copy's results are then only the word of whoever built the attachment. A
    forward with no trace of its own (saved from the mail program) is not compared."""
    def org(trace) -> str | None:
        return next((_org(h) for h in (_by_host(t.value) for t in trace if t.name == "received") if h), None)

    theirs, ours = org(inner), org(outer)
    if theirs is None or ours is None or theirs == ours:
        return ""
    if trust.authserv_ids and any(t.name == "authentication-results" and (_parse(t.value) or (None,))[0]
                                  in trust.authserv_ids for t in inner):
        return ""
    return theirs


def _verdict(found: "ProviderResults", platform: Platform, reason: str) -> Authenticity:
    results = list(found.results)
    # a failure is never written in a forger's favour: it counts from any results header at the top
    results += [r for r in found.fails if r not in results]
    conflict = _conflicting(found.groups, platform)
    if conflict:
        results = [r for r in results if not (r.result == "pass" and _ours(r.domain, platform))]
    if not results:
        return Authenticity(None, (f"{reason}; your mail provider recorded no DKIM/DMARC results it wrote itself, "
                                   "so nothing proves who sent it",))
    aligned = [r for r in results if r.result == "pass" and r.method in ("dmarc", "dkim") and _ours(r.domain, platform)]
    dmarc_fail = [r for r in results if r.method == "dmarc" and r.result == "fail"]
    dkim_fail = [r for r in results if r.method == "dkim" and r.result in ("fail", "permerror") and _ours(r.domain, platform)]
    elsewhere = sorted({r.domain for r in results if r.method == "dmarc" and r.domain and not _ours(r.domain, platform)})
    if elsewhere:
        return Authenticity(False, (f"your mail provider checked this email's sender as {', '.join(elsewhere)}, not "
                                   f"{platform.name}: its From header was written to be read two ways",))
    if dmarc_fail or (dkim_fail and not aligned):
        what = ", ".join(f"{r.method}={r.result}" + (f" for {r.domain}" if r.domain else "") for r in dmarc_fail or dkim_fail)
        return Authenticity(False, (f"your mail provider's checks failed ({what}): it did not come from {platform.name}",))
    if aligned:
        what = ", ".join(f"{r.method}=pass for {r.domain}" for r in aligned)
        return Authenticity(True, (f"{reason}; your mail provider confirmed it ({what})",))
    if conflict:
        return Authenticity(None, (f"{reason}, but the results headers in your mail provider's name disagree about "
                                   f"{platform.name}'s domain ({conflict}): one of them was written by the sender, so "
                                   "nothing proves who sent it",))
    passes = sorted({r.domain for r in results if r.result == "pass" and r.domain})
    if passes:
        return Authenticity(None, (f"{reason}, but your mail provider's checks passed only for {', '.join(passes)}, "
                                   f"not for {platform.name}'s domains (sent through another service?)",))
    return Authenticity(None, (f"{reason}; your mail provider's checks were inconclusive",))


def _forged_sender(mail: ParsedMail) -> str | None:
    """Tricks with the From header itself: more than one, several addresses, an encoded address."""
    if len(mail.from_headers) > 1:
        return "the email has more than one From header, a trick to show one sender and be checked as another"
    raw = mail.from_headers[0] if mail.from_headers else ""
    addresses = [box.addr for box in headers.mailboxes_in(raw, decode=False) if box.addr]
    if len(addresses) > 1:
        return "the From header names several addresses, a trick to show one sender and be checked as another"
    if _ENCODED_WORD.search(raw) and "@" in (mail.from_addr or "") and not any("@" in a for a in addresses):
        return "the sender's address is hidden inside an encoded word, which real platforms never do"
    odd = _odd_address(raw)
    address = mail.from_addr or ""
    ours = address.rpartition("@")[2].lower()
    theirs = {a.rpartition("@")[2].lower() for _, a in getaddresses([raw]) if "@" in a}
    if not odd and (address.count("@") > 1 or '"' in address or "\\" in address or not address.isascii()):
        odd = "a quote, a backslash, a second @ or a letter outside ASCII in the address read"
    if not odd and ours and theirs != {ours}:
        # Python 3.13's parser reads nothing where older ones read another domain: both disagree with us
        odd = "Python's own parser reads another domain in it" if theirs else "Python's own parser cannot read it"
    if odd:
        return (f"the sender's address is malformed ({odd}): mail programs read such an address in different "
                "ways, a trick to show one sender and be checked as another")
    return None


_ANGLE = re.compile(r"<([^<>]*)>")


def _odd_address(raw: str) -> str:
    """An address written so that readers disagree on it: an encoded word, a space or a no-break
    space inside it, a source route (`<@a:b@c>`), two angle addresses, a second @, a quote or a
    backslash in it, a letter outside ASCII (the Kelvin sign lowercases to k), an address for a
    display name. _forged_sender adds what Python's parser reads differently."""
    inside = _ANGLE.findall(_QUOTED_NAME.sub("", raw))  # from_headers are unfolded already
    if len(inside) > 1:
        return "two addresses in angle brackets"
    bare = raw
    while True:  # "addr (Comment (nested))": comments are no part of it, however deep
        stripped = _COMMENT.sub(" ", bare)
        if stripped == bare:
            break
        bare = stripped
    bare = bare.strip()
    spec = inside[-1] if inside else (bare if "@" in bare and not _QUOTED_NAME.search(bare) else "")
    spec = spec.strip()
    if not spec:
        return ""
    if _ENCODED_WORD.search(spec):
        return "an encoded word inside it"
    if ":" in spec:
        return "a source route"
    if any(ch.isspace() for ch in spec):
        return "a space inside it"
    if spec.count("@") > 1 or '"' in spec or "\\" in spec:
        return "a quote, a backslash or a second @ inside it"
    if not spec.isascii():
        return "a letter outside ASCII inside it"
    if inside and "@" in _QUOTED_NAME.sub("", raw.split("<", 1)[0]):
        return "another address written as its display name"
    return ""


_QUOTED_NAME = re.compile(r'"[^"]*"')
_COMMENT = re.compile(r"\([^()]*\)")


def _conflicting(groups: tuple[tuple[Result, ...], ...], platform: Platform) -> str:
    """Results headers in the provider's name that contradict each other, when one of them has an
    aligned pass: two SPF or two DMARC verdicts that differ (a message has one envelope sender and
    one From), or one DKIM signature given two results. Filters write one header per signature,
    so several DKIM headers alone are no contradiction; these are: the sender wrote one."""
    if len(groups) < 2 or not any(r.result == "pass" and _ours(r.domain, platform) for g in groups for r in g):
        return ""
    for method in ("spf", "dmarc"):
        verdicts = {(r.result, r.domain) for g in groups for r in g if r.method == method}
        if len(verdicts) > 1:
            return f"two different {method.upper()} verdicts"
    seen: dict[tuple[str, str], str] = {}
    for r in (r for g in groups for r in g if r.method == "dkim" and r.selector):
        if seen.setdefault((r.domain, r.selector), r.result) != r.result:
            return f"one DKIM signature of {r.domain} given two results"
    return ""


def forwarded_by_you(original: Original, trust: Trust, outer: ParsedMail | None) -> bool:
    """Whether the user made this forward: the forwarder is one of the user's addresses (the
    config's, or the address the forward was delivered to). Only then did the user's mail client
    write the forwarded date, on the user's clock."""
    forwarder = (original.forwarded_by or "").lower()
    return bool(original.forwarded and forwarder and forwarder in _yours(trust, outer))


def _yours(trust: Trust, outer: ParsedMail | None) -> set[str]:
    """The user's addresses: the config's, and the ones the provider delivered the message to. To and
    Cc are the sender's words, so they say who the user is only for a message that was never
    delivered (saved from the mail program): a stranger's mail always arrives with a trace."""
    delivered_to: set[str] = set()
    if outer is not None:
        delivered_to = (delivered(outer.trace) if any(t.name == "received" for t in outer.trace)
                        else set(outer.recipients))
    return set(trust.addresses) | delivered_to


def _stranger(original: Original, trust: Trust, outer: ParsedMail | None) -> str | None:
    """A forward proves something, and counts, only when the user forwarded it: the forwarder is one
    of the user's addresses (the config's, or the address the provider delivered the forward to) and the
    person the original was sent to, and the forward does not fail its own checks."""
    forwarder = (original.forwarded_by or "").lower()
    inner = original.mail
    user = _yours(trust, outer)
    sent_to = trust.addresses | set(inner.recipients if inner is not None and original.via is Via.ATTACHED else user)
    if not forwarder or forwarder not in user or forwarder not in sent_to:
        return (f"forwarded by {forwarder or 'an unknown sender'}, who is not you or not the person it was sent to: "
                "the forwarded copy proves nothing, and it is not counted in your history")
    if outer is not None:
        own = provider_results(outer.trace, trust)
        fails = [r for r in own.fails if r.method == "dmarc"]
        if fails or own.impersonated:
            return (f"the forward from {forwarder} failed your mail provider's own checks, so someone else may have "
                    "sent it in your name: the copy inside proves nothing, and it is not counted in your history")
    return None


@dataclass(frozen=True)
class ProviderResults:
    results: tuple[Result, ...]
    impersonated: bool  # a results header the sender wrote under the provider's own name
    groups: tuple[tuple[Result, ...], ...] = ()  # the trusted results, header by header
    fails: tuple[Result, ...] = ()  # DMARC and DKIM failures in any results header at the top level


_FOR = re.compile(r"\bfor\s+<?([^\s<>;()]+@[^\s<>;()]+?)>?(?=[\s;]|$)", re.IGNORECASE)


def delivered(trace: tuple[TraceHeader, ...]) -> set[str]:
    """The addresses the user's provider delivered the message to: its Delivered-To and X-Original-To
    headers and the "for <...>" of its own Received lines, above (and in) the hop where the mail came
    in from the internet. A sender writes To and Cc, and can write these too, but only below it."""
    out: set[str] = set()
    org, size = _block(trace)
    for header in trace[:size]:
        if header.name in ("delivered-to", "x-original-to"):
            out |= {box.addr.lower() for box in headers.mailboxes_in(header.value) if "@" in box.addr}
        elif header.name == "received":
            out |= {m.group(1).lower() for m in _FOR.finditer(header.value)}
            if _came_in(header.value, org):
                break  # where it came in from another organisation: everything below was in the message already
    return out


_HOSTNAME = re.compile(r"\b[a-z0-9-]+(?:\.[a-z0-9-]+)*\.[a-z]{2,}\b", re.IGNORECASE)


def _came_in(received: str, org: str | None) -> bool:
    """A hop from a public address whose names (HELO, reverse DNS) are not all the provider's: the
    mail entered the provider there. The provider's own relays (a user forwarding inside Outlook)
    name the provider on both sides and are not an entry."""
    if not _from_outside(received):
        return False
    names = [n for n in _HOSTNAME.findall(_from_part(received)) if not n.replace(".", "").isdigit()]
    return org is None or not names or any(_org(n.lower().rstrip(".")) != org for n in names)


def _block(trace: tuple[TraceHeader, ...]) -> tuple[str | None, int]:
    """The provider's organisation and how many trace headers from the top are its own: up to the
    first Received line another organisation wrote, or, for a provider whose hosts have no public
    name, the line where mail came in from outside."""
    hosts = [_by_host(h.value) if h.name == "received" else None for h in trace]
    org, entry = _provider(trace, hosts)
    for i, (header, host) in enumerate(zip(trace, hosts)):
        if header.name == "received" and ((host is not None and _org(host) != org) or (entry is not None and i > entry)):
            return org, i
    return org, len(trace)


def _provider(trace, hosts) -> tuple[str | None, int | None]:
    """The provider's organisation, or where mail came in from outside to a provider whose hosts have
    no public name."""
    for i, (header, host) in enumerate(zip(trace, hosts)):
        if host is not None:
            return _org(host), None
        if header.name == "received" and _from_outside(header.value):
            return None, i
    return None, None


def provider_results(trace: tuple[TraceHeader, ...], trust: Trust = Trust()) -> ProviderResults:
    """The results the user's own provider wrote: in its block at the top (_block), with its authserv-id.

    The provider is the organisation of the first Received line that names its host (internal hops
    like "by 2002:a05:..." or "by compute3.internal" name none); its block ends at the first
    Received line another organisation wrote, the sender's own trace. Below that, a results header
    in the provider's name can only have been written by the sender: an impersonation.
    """
    org, size = _block(trace)
    parsed = {i: _parse(h.value) for i, h in enumerate(trace) if h.name == "authentication-results"}
    # a server the config names wrote results here: then only the config's servers count
    configured = any(p is not None and p[0] in trust.authserv_ids for p in parsed.values())
    groups: list[tuple[Result, ...]] = []
    fails: list[Result] = []
    impersonated = False
    for i, header in enumerate(trace):
        if i in parsed:
            fails += [r for r in (parsed[i][1] if parsed[i] else ()) if r.method in ("dmarc", "dkim")
                      and r.result in ("fail", "permerror")]
            if i < size:
                trusted = _trusted(parsed[i], org, trust, configured)
                if trusted:
                    groups.append(tuple(trusted))
            elif org is not None and _claims(header.value, org):
                impersonated = True
    return ProviderResults(tuple(r for g in groups for r in g), impersonated, tuple(groups), tuple(fails))


def _claims(value: str, org: str) -> bool:
    """Whether a results header names the provider as its author ('mail.example.org',
    '"mail.example.org"', 'mail.example.org 1', 'mail.example.org (milter)')."""
    first = value.split(";", 1)[0].strip().lower()
    if "=" in first:
        return False
    authserv = re.split(r"[\s(]", first.strip('"'), maxsplit=1)[0].strip('"').strip(".")
    return "." in authserv and _org(authserv) == org


def _trusted(parsed: tuple[str | None, list[Result]] | None, org: str | None, trust: Trust,
             configured_only: bool) -> list[Result]:
    """A parsed header's results, when the provider (or a server the config names) wrote them."""
    if parsed is None:
        return []
    authserv, results = parsed
    if authserv is None:  # Office 365 writes its results without an authserv-id
        ok = org in _OFFICE365
    else:
        ok = authserv in trust.authserv_ids or (not configured_only and org is not None and _org(authserv) == org)
    return results if ok else []


_FROM_IP = re.compile(r"\[(?:ipv6:)?([0-9a-f.:]+)\]|\(([0-9a-f.:]+)\)", re.IGNORECASE)


def _from_part(received: str) -> str:
    """A Received line's "from" part (HELO, reverse DNS, address): up to its last "by"."""
    cuts = [m.start() for m in re.finditer(r"\bby\s", received.rsplit(";", 1)[0])]
    return received[:cuts[-1]] if cuts else received


def _from_outside(received: str) -> bool:
    """A hop whose "from" part names a public address: the mail came in from the internet there."""
    if not received.lstrip().lower().startswith("from"):
        return False
    for m in _FROM_IP.finditer(_from_part(received)):
        try:
            address = ipaddress.ip_address(m.group(1) or m.group(2))
        except ValueError:
            continue
        if not any(address in net for net in _INTERNAL if net.version == address.version):
            return True
    return False


# private, shared, loopback and link-local ranges: hops inside one provider (documentation ranges,
# which test mail uses, count as outside, as any other address does)
_INTERNAL = tuple(ipaddress.ip_network(n) for n in (
    "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16",
    "fc00::/7", "fe80::/10", "::1/128"))


def _parse(value: str) -> tuple[str | None, list[Result]] | None:
    """(authserv-id or None, results) from an RFC 8601 header value, with authres; None if unreadable."""
    import authres  # the RFC 8601 parser; imported only when results are read

    text = value.strip()
    bare = re.match(r"\s*(?:dkim|spf|dmarc|arc|auth|iprev|compauth)\s*=", text, re.IGNORECASE)
    try:
        header = authres.AuthenticationResultsHeader.parse_value(("none-given; " + text) if bare else text)
    except Exception:
        return _parse_loosely(text, bool(bare))
    results = []
    for r in header.results:
        props = {f"{p.type}.{p.name}".lower(): (p.value or "").lower() for p in r.properties}
        method = (r.method or "").lower()
        results.append(Result(method, (r.result or "").lower(), _domain(method, props).strip("."),
                              props.get("header.s") or props.get("header.b", "")))
    return (None if bare else (header.authserv_id or "").lower() or None), results


def _domain(method: str, props: dict[str, str]) -> str:
    """The domain a result is about: DKIM's signing domain, DMARC's From domain, SPF's MAIL FROM."""
    if method == "dkim":
        return props.get("header.d") or props.get("header.i", "").rsplit("@", 1)[-1]
    if method == "dmarc":
        return props.get("header.from", "")
    return props.get("smtp.mailfrom", "").rsplit("@", 1)[-1]


_LOOSE = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_LOOSE_PROP = re.compile(r"\b(header\.d|header\.i|header\.from|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)


def _parse_loosely(text: str, bare: bool) -> tuple[str | None, list[Result]] | None:
    """Some providers write results authres refuses (Office 365's 'action=none;compauth=...'):
    read method=result and the domain properties, as much as can be read."""
    authserv = None if bare else text.split(";", 1)[0].strip().lower()
    if authserv is not None and ("=" in authserv or " " in authserv):
        return None
    results = []
    for m in _LOOSE.finditer(text):
        props = {k.lower(): v.lower().lstrip("@") for k, v in _LOOSE_PROP.findall(m.group(3))}
        method = m.group(1).lower()
        results.append(Result(method, m.group(2).lower(), _domain(method, props)))
    return (authserv, results) if results else None


def _by_host(received: str) -> str | None:
    """The host that wrote a Received line: its last "by" before the date, since the "from" part
    before it (HELO name, reverse DNS) is the sending side's to choose and may say "by" too."""
    found = _BY.findall(received.rsplit(";", 1)[0] if ";" in received else received)
    if not found:
        return None
    host = found[-1].strip(".").lower()
    if "." not in host or host.endswith((".internal", ".local", ".localdomain", ".lan")) or host == "localhost":
        return None
    try:
        ipaddress.ip_address(host)
        return None
    except ValueError:
        return host


def _org(host: str) -> str:
    """The organisation a host belongs to: its registrable domain, roughly (mx.google.com -> google.com);
    Microsoft's mail hosts (outlook.com, office365.com, ...) are one organisation."""
    labels = host.lower().strip(".").split(".")
    domain = ".".join(labels[-2:])
    if domain in _OFFICE365:
        return "outlook.com"
    if domain in _APPLE:
        return "apple.com"
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])


def _ours(domain: str, platform: Platform) -> bool:
    domain = domain.lower().lstrip("@")
    return any(domain == d or domain.endswith("." + d) for d in platform.domains)
