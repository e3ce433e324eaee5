"""Fuzz smoke test: a few hundred hostile inputs, none may crash (scripts/fuzz.py runs 100,000 and also times each)."""

from __future__ import annotations

import random

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fuzzing import MUTATIONS, SEEDS, check, mutate


def test_every_mutation_of_every_kind():
    rng = random.Random(20261126)
    failures = []
    for name, (mutation, _) in MUTATIONS.items():
        for _ in range(3):
            failure = check(name, mutation(rng, rng.choice(SEEDS).read_bytes()))
            if failure:
                failures.append(failure)
    assert not failures, failures[0].problem


def test_random_mutations_smoke():
    rng = random.Random(7)
    failures = [f for f in (check(*mutate(rng)) for _ in range(250)) if f]
    assert not failures, (failures[0].mutation, failures[0].problem)


HEADER_NAMES = st.sampled_from(["From", "To", "Subject", "Date", "Message-ID", "Content-Type",
                                "Content-Transfer-Encoding", "Received", "Authentication-Results", "MIME-Version"])
TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200)
VALUES = st.one_of(TEXT, st.sampled_from([
    "Upwork <donotreply@upwork.com>", "multipart/mixed; boundary=zz", "message/rfc822", "base64",
    "quoted-printable", "text/html; charset=shift_jis", "=?utf-8?b?VXB3b3Jr?= <x@upwork-review.net>",
    "Tue, 24 Nov 2026 15:03:38 +0000", "dkim=fail header.d=upwork.com", "Thu, 31 Feb 2026 25:61:61 +9999"]))


def leaf():
    return st.tuples(st.lists(st.tuples(HEADER_NAMES, VALUES), max_size=6), st.one_of(TEXT, st.binary(max_size=300)))


def render_part(part, depth=0) -> bytes:
    if isinstance(part, list):  # multipart
        inner = b"".join(b"--zz\n" + render_part(p, depth + 1) + b"\n" for p in part)
        return b"Content-Type: multipart/mixed; boundary=zz\n\n" + inner + b"--zz--\n"
    headers, body = part
    head = b"".join(f"{k}: {v}\n".encode("utf-8", "surrogatepass") for k, v in headers)
    return head + b"\n" + (body if isinstance(body, bytes) else body.encode("utf-8", "surrogatepass"))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.recursive(leaf(), lambda children: st.lists(children, min_size=1, max_size=4), max_leaves=12),
       st.booleans())
def test_structured_messages(message, in_container):
    data = b"From: Upwork <donotreply@upwork.com>\nSubject: x\n" + render_part(message)
    failure = check("hypothesis", data, in_container)
    assert failure is None, failure.problem
