"""The baseline a first script would be: the stdlib mailbox module and a full mail-parser parse
of every message, keeping those whose sender mentions a platform."""

import mailbox
import sys

import mailparser

PLATFORMS = ("upwork", "fiverr", "peopleperhour", "toptal", "freelancer.com", "guru")

found = 0
for message in mailbox.mbox(sys.argv[1], create=False):
    parsed = mailparser.parse_from_bytes(message.as_bytes())
    sender = " ".join(f"{n} {a}" for n, a in parsed.from_).lower()
    found += any(p in sender for p in PLATFORMS)
print(found)
