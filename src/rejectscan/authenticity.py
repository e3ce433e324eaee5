"""Did the platform really send it? Pure: the original, the platform guess and the headers.

Only the topmost Authentication-Results header is read: it is the one the user's own server
added on receipt, while anything below it came with the message and could be forged.
"""

from __future__ import annotations

import re

from rejectscan.models import Authenticity, Original, Relation
from rejectscan.patterns import Platform

_RESULT = re.compile(r"\b(dkim|spf|dmarc)\s*=\s*(\w+)([^;]*)", re.IGNORECASE)
_PROP = re.compile(r"\b(header\.d|header\.i|header\.from|smtp\.mailfrom)\s*=\s*\"?([^\s;\"]+)", re.IGNORECASE)


def judge(original: Original, platform: Platform | None, relation: Relation, reason: str) -> Authenticity:
    if platform is None:
        return Authenticity(None, ("not sent by or in the name of a platform",))
    if relation is Relation.LOOKALIKE:
        return Authenticity(False, (reason,))
    if original.via.inline:
        return Authenticity(None, (f"{reason}, but an inline forward keeps no proof of who sent the original",))
    mail = original.mail
    results = parse_auth_results(mail.auth_results[0]) if mail and mail.auth_results else []
    if not results:
        return Authenticity(True, (f"{reason}; your server recorded no DKIM/SPF/DMARC results to confirm it",))
    failed = [r for r in results if r[1] in ("fail", "permerror") and (r[0] == "dmarc" or
              (r[0] == "dkim" and _ours(r[2], platform)))]
    passed = [r for r in results if r[1] == "pass" and (r[0] == "dmarc" or _ours(r[2], platform))]
    spf_failed = [r for r in results if r[0] == "spf" and r[1] == "fail"]
    if failed or (spf_failed and not passed):
        what = ", ".join(f"{m}={v}" for m, v, _ in (failed or spf_failed))
        return Authenticity(False, (f"your server's checks failed for this sender ({what}): it did not come from {platform.name}",))
    if passed:
        what = ", ".join(f"{m}=pass" + (f" for {d}" if d else "") for m, _, d in passed)
        return Authenticity(True, (f"{reason}; your server confirmed it ({what})",))
    return Authenticity(True, (f"{reason}; your server's checks were inconclusive",))


def parse_auth_results(header: str) -> list[tuple[str, str, str]]:
    """[('dkim', 'pass', 'upwork.com'), ...] from one Authentication-Results header."""
    out = []
    for m in _RESULT.finditer(header):
        props = dict((k.lower(), v.lower().lstrip("@")) for k, v in _PROP.findall(m.group(3)))
        domain = props.get("header.d") or props.get("header.from") or props.get("smtp.mailfrom", "")
        domain = domain.rsplit("@", 1)[-1]
        out.append((m.group(1).lower(), m.group(2).lower(), domain))
    return out


def _ours(domain: str, platform: Platform) -> bool:
    return any(domain == d or domain.endswith("." + d) for d in platform.domains)
