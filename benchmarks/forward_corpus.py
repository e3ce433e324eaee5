"""How many originals the forward reader gets right on the shared forward corpus.

Each <client>_<lang>_body*.txt is wrapped in a real message from the user to themselves (the
outer subject from the matching *_subject*.txt when the client keeps it out of the body,
"Fwd: ..." otherwise, "Re: ..." for variant 4, which is a reply and must NOT be unwrapped) and
run through the same parse -> unwrap -> timestamp steps as `rejectscan analyze`.

Right means: sender john.doe@acme.com, subject "Integer consequat non purus", and the date read
as the wall-clock time the client wrote (the corpus uses a small set of instants, listed below),
with the zone written in the block or taken from the forwarder's Date header.

Usage: python benchmarks/forward_corpus.py [CORPUS_DIR] [--verbose]
"""

from __future__ import annotations

import sys
import time
from email.message import EmailMessage
from pathlib import Path

from rejectscan.forwards import unwrap
from rejectscan.parse import parse_message
from rejectscan.timestamps import original_sent_at

SENDER = "john.doe@acme.com"
SUBJECT = "Integer consequat non purus"
# Every wall-clock instant the corpus's clients wrote (year, month, day, hour, minute).
INSTANTS = {
    (2021, 10, 25, 11, 17), (2021, 10, 26, 14, 25), (2021, 10, 27, 9, 31), (2021, 10, 27, 15, 14),
    (2021, 10, 28, 12, 46), (2021, 10, 28, 12, 6), (2021, 11, 2, 9, 26), (2021, 11, 3, 15, 51),
    (2022, 7, 19, 15, 9), (2022, 7, 19, 15, 36), (2022, 9, 19, 17, 55), (2022, 9, 19, 15, 20),
    (2022, 8, 1, 23, 11), (2022, 7, 23, 7, 53), (2023, 2, 10, 16, 52), (2023, 2, 21, 16, 49),
    (2023, 2, 21, 17, 17), (2023, 2, 21, 17, 50), (2023, 2, 21, 18, 3), (2023, 2, 22, 9, 1),
    (2023, 2, 22, 11, 27), (2023, 3, 3, 15, 11), (2023, 3, 23, 15, 49), (2023, 3, 23, 16, 47),
    (2023, 3, 27, 15, 33), (2023, 4, 6, 16, 17), (2021, 7, 16, 19, 24), (2022, 8, 17, 9, 6),
    (2022, 7, 1, 17, 3),
}
OUTER_DATE = "Mon, 01 May 2023 12:00:00 +0200"


def subject_for(body: Path) -> str:
    name = body.name
    candidates = [name.replace("_body", "_subject"),
                  "_".join(name.split("_")[:2]) + "_subject.txt" if name.startswith("outlook_2019") else ""]
    if name.startswith("outlook_2019"):
        candidates.append("outlook_2019_subject.txt")
    for candidate in candidates:
        if candidate and (body.parent / candidate).exists():
            return (body.parent / candidate).read_text(encoding="utf-8").strip()
    return ("Re: " if "variant_4" in name else "Fwd: ") + SUBJECT


def wrap(body: Path) -> bytes:
    msg = EmailMessage()
    msg["From"] = "Me <me@example.org>"
    msg["To"] = "me@example.org"
    msg["Subject"] = subject_for(body)
    msg["Date"] = OUTER_DATE
    msg.set_content(body.read_text(encoding="utf-8"))
    return msg.as_bytes()


def check(body: Path) -> dict:
    original = unwrap(parse_message(wrap(body), str(body)))
    if "variant_4" in body.name:  # a reply, not a forward
        ok = not original.forwarded
        return {"sender": ok, "subject": ok, "date": ok, "original": original, "sent": None}
    sent = original_sent_at(original)
    wall = sent.value and (sent.value.year, sent.value.month, sent.value.day,
                           sent.value.hour, sent.value.minute)
    return {
        # a block that names the sender without an address ("From: John Doe") counts by name
        "sender": original.forwarded and (original.from_addr == SENDER or (
            not original.from_addr and original.from_name == "John Doe")),
        "subject": original.subject.strip() == SUBJECT,
        "date": wall in INSTANTS,
        "original": original,
        "sent": sent,
    }


def main(argv: list[str]) -> int:
    verbose = "--verbose" in argv
    args = [a for a in argv if not a.startswith("--")]
    corpus = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "shared" / "forward-corpus"
    if not corpus.is_dir():
        corpus = Path("../shared/forward-corpus")
    bodies = sorted(corpus.glob("*_body*.txt"))
    if not bodies:
        print(f"no corpus at {corpus}", file=sys.stderr)
        return 2
    totals = {"sender": 0, "subject": 0, "date": 0, "all": 0}
    started = time.perf_counter()
    for body in bodies:
        result = check(body)
        good = all(result[k] for k in ("sender", "subject", "date"))
        for key in ("sender", "subject", "date"):
            totals[key] += bool(result[key])
        totals["all"] += good
        if verbose and not good:
            o, s = result["original"], result["sent"]
            print(f"MISS {body.name}: fwd={o.forwarded} via={o.via!r} from={o.from_addr!r} "
                  f"subj={o.subject!r} date_text={o.date_text!r} sent={s and s.value}")
    elapsed = time.perf_counter() - started
    n = len(bodies)
    print(f"forward corpus: {n} messages; sender {totals['sender']}/{n}, subject "
          f"{totals['subject']}/{n}, date {totals['date']}/{n}; all three right {totals['all']}/{n} "
          f"({elapsed / n * 1000:.1f} ms per message)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
