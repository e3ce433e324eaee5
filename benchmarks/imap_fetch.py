"""IMAP: `rejectscan fetch` against the simplest script that finds the same mail, on a local Dovecot
without a full-text index (issue 16).

The mailbox: 20,000 messages of about 1 GB (benchmarks/make_corpus.py's mail) owned by
me@example.org, with 1% Upwork mail (the fixtures, re-dated), 0.2% forwards of it that the owner
sent to themselves (half inline, half as message/rfc822 attachments, under "Fwd:", "FW:", "WG:"
and "TR:"), and the owner's other mail: notes to self, forwards of mail that is not a platform's,
and big ones with attachments. Written straight into Dovecot's Maildir (APPEND would take
minutes), named as Dovecot names what it delivers (with S= and W= sizes).

Three ratios, each measured pair by pair in the same run (A B A B ...), as whole processes:
- a first fetch (`fetch --since 800d`, fresh state) against the simplest script that finds the
  same messages: one SEARCH for SINCE and OR FROM upwork.com FROM me@example.org, then BODY.PEEK
  of every hit in batches of 100 (target: at most 2x);
- a rerun with nothing new against a bare login, EXAMINE and that SEARCH (target: at most 2x);
- the bytes the server sent during a first fetch (Dovecot's own count) against the size of the
  wanted messages (target: at most 1.2x).
And the check that matters most: the set of messages reported is the set wanted (the Upwork
mail and the owner's forwards of it), none missing and none extra. Exit status 1 when a target
is missed. Needs Dovecot and root, like the test suite.

Usage: python benchmarks/imap_fetch.py [--messages 20000] [--runs 5] [--keep DIR]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import quopri
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from common import user_env  # noqa: E402
from conftest import mail  # noqa: E402
from dovecot import Dovecot  # noqa: E402
from make_corpus import b64, message, words  # noqa: E402

OWNER = "me@example.org"
OWNER_LOGIN = "me"  # Dovecot's passwd-file user; logging in as me@example.org reaches it (username_format=%n)
OWNER_PASSWORD = "benchmark password"
UPWORK = ("upwork/bot-rejection.eml", "upwork/submission.eml", "upwork/approval.eml",
          "upwork/similar-skillset-rejection.eml", "upwork/unable-to-accept.eml",
          "upwork/human-rejection-ticket.eml", "upwork/suspension.eml", "upwork/job-alert.eml")
MARKERS = ("Fwd", "FW", "WG", "TR")
DAYS = 790  # the mailbox spans this many days; the fetch asks for 800

MINIMAL = '''
import sys, ssl, imapclient
from datetime import date
port, cafile, user, password, mode, since, *terms = sys.argv[1:]
c = imapclient.IMAPClient("localhost", port=int(port), ssl=True, ssl_context=ssl.create_default_context(cafile=cafile))
c.login(user, password)
c.select_folder("INBOX", readonly=True)
uids = c.search(["SINCE", date.fromisoformat(since), "OR", "FROM", terms[0], "FROM", terms[1]])
if mode == "fetch":
    for i in range(0, len(uids), 100):
        c.fetch(uids[i:i + 100], ["BODY.PEEK[]", "INTERNALDATE"])
c.logout()
'''


def html_layout(text: str, i: int) -> str:
    """The text in the kind of HTML layout platforms send (a style sheet, nested tables, inline
    styles on every cell, a footer of links): about 30 KB, as their real emails are."""
    style = "".join(f".c{n} {{ font-family: Helvetica, Arial, sans-serif; font-size: {12 + n % 6}px; color: #{n * 97 % 4096:03x}; "
                    f"padding: {n % 9}px {n % 7}px; line-height: 1.{n % 9}; }}\n" for n in range(60))
    cell = ('<tr><td class="c{n}" style="padding:0 24px 0 24px;font-family:Helvetica,Arial,sans-serif;font-size:14px;'
            'line-height:22px;color:#222222;mso-line-height-rule:exactly;" align="left" valign="top">'
            '<table role="presentation" cellpadding="0" cellspacing="0" border="0" width="100%"><tr>'
            '<td style="padding:8px 0 8px 0;border-bottom:1px solid #e4ebe4;">&nbsp;</td></tr></table></td></tr>\n')
    paragraphs = "".join(f'<tr><td class="c{n % 60}" style="padding:0 24px 16px 24px;font-size:16px;line-height:24px;">{para}</td></tr>\n'
                         for n, para in enumerate(p for p in text.split("\n\n") if p.strip()))
    links = "".join(f'<a href="https://www.upwork.com/nx/settings/notifications?ref=footer&amp;utm_campaign=m{i}&amp;n={n}" '
                    f'style="color:#14a800;text-decoration:underline;font-size:12px;">Link {n}</a> &middot; ' for n in range(40))
    rows = "".join(cell.format(n=n) for n in range(60))
    return (f"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><style>{style}</style></head><body style=\"margin:0\">"
            f'<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0">{paragraphs}{rows}'
            f"<tr><td>{links}</td></tr></table></body></html>")


def realistic(data: bytes, i: int) -> bytes:
    """A fixture (a few KB of text) as a platform sends it: its text and an HTML layout."""
    import email
    from email import policy

    msg = email.message_from_bytes(data, policy=policy.default)
    body = msg.get_body(("plain", "html"))
    text = body.get_content() if body is not None else ""
    msg.clear_content()
    msg.set_content(text, cte="quoted-printable")
    msg.add_alternative(html_layout(text, i), subtype="html", cte="quoted-printable")
    return msg.as_bytes(policy=policy.SMTP.clone(linesep="\n"))


def inline_forward(original: bytes, when: datetime, i: int, marker: str) -> bytes:
    """The owner forwarding a platform email inline, as Gmail writes it (quoted-printable text)."""
    import email
    from email import policy

    msg = email.message_from_bytes(original, policy=policy.default)
    body = msg.get_body(("plain", "html"))
    text = body.get_content() if body is not None else ""
    block = (f"See below.\n\n---------- Forwarded message ---------\nFrom: {msg['From']}\n"
             f"Date: {msg['Date']}\nSubject: {msg['Subject']}\nTo: <{OWNER}>\n\n{text}\n")
    return (f"From: Me <{OWNER}>\nTo: Me <{OWNER}>\nSubject: {marker}: {msg['Subject']}\nDate: {format_datetime(when)}\n"
            f"Message-ID: <fwd{i}@example.org>\nMIME-Version: 1.0\n"
            "Content-Type: text/plain; charset=utf-8\nContent-Transfer-Encoding: quoted-printable\n\n"
            + quopri.encodestring(block.encode()).decode() + "\n").encode()


def attached_forward(original: bytes, when: datetime, i: int, marker: str) -> bytes:
    """The owner forwarding a platform email as an attachment (message/rfc822)."""
    subject = re.search(rb"(?m)^Subject: (.*?)\r?$", original).group(1).decode()
    head = (f"From: Me <{OWNER}>\nTo: Me <{OWNER}>\nSubject: {marker}: {subject}\nDate: {format_datetime(when)}\n"
            f"Message-ID: <fwd{i}@example.org>\nMIME-Version: 1.0\n"
            f'Content-Type: multipart/mixed; boundary="fwd{i}"\n\n'
            f"--fwd{i}\nContent-Type: text/plain; charset=utf-8\n\nForwarded as an attachment.\n\n"
            f"--fwd{i}\nContent-Type: message/rfc822\nContent-Disposition: attachment; filename=\"original.eml\"\n\n")
    return head.encode() + original.replace(b"\r\n", b"\n") + f"\n--fwd{i}--\n".encode()


def own_mail(rng: random.Random, when: datetime, i: int) -> bytes:
    """The owner's other mail: a note to self, a forward of mail that is not a platform's (under a
    forward marker: a candidate to confirm), or a big one with an attachment."""
    roll = rng.random()
    text = words(rng, rng.randint(50, 1500))
    if roll < 0.4:
        subject = f"{rng.choice(MARKERS)}: {words(rng, 4)}"
        text = f"FYI\n\n---------- Forwarded message ---------\nFrom: Jane <jane@example.com>\nSubject: {words(rng, 4)}\n\n{text}"
    else:
        subject = words(rng, 4).capitalize()
    head = (f"From: Me <{OWNER}>\nTo: Me <{OWNER}>\nSubject: {subject}\nDate: {format_datetime(when)}\n"
            f"Message-ID: <own{i}@example.org>\nMIME-Version: 1.0\n")
    if rng.random() < 0.3:  # an invoice, photos: 0.5-6 MB, some over the forward ceiling
        blob = b64(rng.randbytes(rng.randint(500_000, 6_000_000)))
        return (head + f'Content-Type: multipart/mixed; boundary="o{i}"\n\n--o{i}\nContent-Type: text/plain\n\n{text}\n'
                f"--o{i}\nContent-Type: application/pdf\nContent-Transfer-Encoding: base64\n\n{blob}\n--o{i}--\n").encode()
    return (head + f"Content-Type: text/plain; charset=utf-8\n\n{text}\n").encode()


def fill(maildir: Path, total: int, rng: random.Random) -> tuple[set[str], int]:
    """The mailbox, straight into the Maildir; returns the wanted Message-IDs and the bytes of all."""
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    now = datetime.now(timezone.utc)
    wanted: set[str] = set()
    written = 0
    platform = max(1, total // 100)  # 1%
    forwards = max(2, total // 500)  # 0.2%
    own = max(2, total // 100)  # the owner's other mail: 1%
    slots = rng.sample(range(total), platform + forwards + own)
    kinds = {u: "platform" for u in slots[:platform]}
    kinds.update({u: "forward" for u in slots[platform:platform + forwards]})
    kinds.update({u: "own" for u in slots[platform + forwards:]})
    for i in range(total):
        when = now - timedelta(minutes=5) - timedelta(seconds=int(DAYS * 86400 * (total - i) / total))
        kind = kinds.get(i)
        if kind == "platform":
            data = realistic(mail(UPWORK[i % len(UPWORK)], when, f"up{i}@mail.upwork.com"), i)
            wanted.add(f"<up{i}@mail.upwork.com>")
        elif kind == "forward":
            original = realistic(mail(UPWORK[i % len(UPWORK)], when - timedelta(minutes=3), f"orig{i}@mail.upwork.com"), i)
            marker = MARKERS[i % len(MARKERS)]
            data = (inline_forward if i % 2 else attached_forward)(original, when, i, marker)
            wanted.add(f"<fwd{i}@example.org>")
        elif kind == "own":
            data = own_mail(rng, when, i)
        else:
            text = message(rng, i, when)
            while "upwork" in text.lower():  # make_corpus's own platform mail: not counted here
                text = message(rng, i, when)
            data = text.encode()
        data = data.replace(b"\r\n", b"\n")
        vsize = len(data) + data.count(b"\n")  # RFC822.SIZE counts CRLF
        path = maildir / "cur" / f"{int(when.timestamp())}.M{i}P1.bench,S={len(data)},W={vsize}:2,S"
        path.write_bytes(data)
        os.utime(path, (when.timestamp(), when.timestamp()))
        written += len(data)
    return wanted, written


def cached_fill(maildir: Path, total: int, seed: int) -> tuple[set[str], int]:
    """fill(), made once per size and seed in the temporary folder and copied from there after."""
    cache = Path(tempfile.gettempdir()) / f"rejectscan-imap-bench-v2-{total}-{seed}"
    if not (cache / "wanted.json").exists():
        shutil.rmtree(cache, ignore_errors=True)
        cache.mkdir()
        wanted, written = fill(cache, total, random.Random(seed))
        (cache / "wanted.json").write_text(json.dumps({"wanted": sorted(wanted), "written": written}))
    owner = maildir.stat()
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    for path in (cache / "cur").iterdir():
        target = maildir / "cur" / path.name
        shutil.copy2(path, target)
        os.chown(target, owner.st_uid, owner.st_gid)
    saved = json.loads((cache / "wanted.json").read_text())
    return set(saved["wanted"]), saved["written"]


def timed_run(cmd: list[str], env: dict, before: list[str] | None = None) -> float:
    if before:
        subprocess.run(before, check=True)
    start = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True, env=env)
    return time.perf_counter() - start


def paired(a: list[str], b: list[str], runs: int, env: dict, before_a: list[str] | None = None) -> tuple[float, float, float]:
    """Medians of A and B and of A/B pair by pair, after one untimed run of each."""
    timed_run(a, env, before_a), timed_run(b, env)
    times_a, times_b, ratios = [], [], []
    for _ in range(runs):
        ta = timed_run(a, env, before_a)
        tb = timed_run(b, env)
        times_a.append(ta), times_b.append(tb), ratios.append(ta / tb)
    return statistics.median(times_a), statistics.median(times_b), statistics.median(ratios)


def sent_bytes(server: Dovecot) -> int:
    """Bytes the server sent in the sessions since the log was cleared (its logout lines)."""
    time.sleep(1)
    return sum(int(n) for n in re.findall(r"\bout=(\d+)", server.log()))


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", help="afterwards keep the Dovecot running and write the commands to DIR/commands.json, to time them with another tool (until SIGTERM or Ctrl-C)")
    args = parser.parse_args()
    server = Dovecot()
    with open(server.dir / "passwd", "a") as fh:
        fh.write(f"{OWNER_LOGIN}:{{PLAIN}}{OWNER_PASSWORD}::::::\n")
    server.start()
    work = Path(args.keep or tempfile.mkdtemp())
    work.mkdir(parents=True, exist_ok=True)
    try:
        import imapclient

        with imapclient.IMAPClient("127.0.0.1", port=server.imap_port, ssl=False) as c:  # Dovecot makes the Maildir
            c.login(OWNER, OWNER_PASSWORD)
            c.select_folder("INBOX")
        began = time.monotonic()
        wanted, written = cached_fill(server.dir / "mail" / OWNER_LOGIN, args.messages, args.seed)
        with imapclient.IMAPClient("127.0.0.1", port=server.imap_port, ssl=False, timeout=600) as c:
            c.login(OWNER, OWNER_PASSWORD)
            c.select_folder("INBOX", readonly=True)
            uids = c.search(["ALL"])
            items = {}
            for i in range(0, len(uids), 1000):
                items.update(c.fetch(uids[i:i + 1000], ["RFC822.SIZE", "BODY.PEEK[HEADER.FIELDS (MESSAGE-ID)]"]))
        wanted_bytes = 0
        for item in items.values():
            header = next(v for k, v in item.items() if k.startswith(b"BODY[HEADER"))
            found = re.search(rb"<[^>]+>", header)
            if found and found.group().decode() in wanted:
                wanted_bytes += item[b"RFC822.SIZE"]
        print(f"mailbox: {args.messages:,} messages, {written / 1e9:.2f} GB, {len(wanted)} wanted "
              f"({wanted_bytes / 1e6:.2f} MB), written in {time.monotonic() - began:.0f} s")

        env = {**user_env(), "REJECTSCAN_PASSWORD": OWNER_PASSWORD, "XDG_CONFIG_HOME": str(work / "cfg"),
               "XDG_CACHE_HOME": str(work / "cache"), "PYTHONPATH": str(ROOT / "src")}
        db = work / "state.db"
        fetch = [sys.executable, "-m", "rejectscan", "fetch", "--since", "800d", "--host", "localhost",
                 "--port", str(server.imaps_port), "--user", OWNER, "--cafile", str(server.cert),
                 "--db", str(db), "--format", "jsonl"]
        fresh = ["rm", "-f", str(db), f"{db}-wal", f"{db}-shm", f"{db}.lock"]
        script = work / "minimal.py"
        script.write_text(MINIMAL)
        since = (datetime.now(timezone.utc) - timedelta(days=801)).date().isoformat()
        minimal = [sys.executable, str(script), str(server.imaps_port), str(server.cert), OWNER, OWNER_PASSWORD]
        simplest = [*minimal, "fetch", since, "upwork.com", OWNER]
        bare = [*minimal, "search", since, "upwork.com", OWNER]

        # What it reports, against what is wanted, and the bytes the server sent for it.
        subprocess.run(fresh, check=True)
        server.clear_log()
        out = subprocess.run(fetch, capture_output=True, env=env, check=True).stdout
        sent = sent_bytes(server)
        reported = {json.loads(line)["message_id"] for line in out.decode().splitlines() if line.strip()}
        server.clear_log()
        subprocess.run(simplest, capture_output=True, env=env, check=True)
        sent_simplest = sent_bytes(server)
        missing, extra = wanted - reported, reported - wanted

        first = paired(fetch, simplest, args.runs, env, before_a=fresh)
        rerun = paired(fetch, bare, args.runs, env)  # the state the last first fetch left: nothing new
        print(f"IMAP fetch against a local Dovecot without a full-text index; medians of {args.runs} pairs")
        print(f"  simplest script, SEARCH + BODY.PEEK of the hits (baseline)  {first[1]:7.2f} s")
        print(f"  rejectscan fetch --since 800d, fresh state                  {first[0]:7.2f} s  {first[2]:5.2f}x  (target <= 2x)")
        print(f"  bare login + EXAMINE + SEARCH (baseline)                    {rerun[1]:7.2f} s")
        print(f"  rejectscan fetch again, nothing new                         {rerun[0]:7.2f} s  {rerun[2]:5.2f}x  (target <= 2x)")
        print(f"  bytes the server sent: {sent / 1e6:.2f} MB for {wanted_bytes / 1e6:.2f} MB wanted: "
              f"{sent / wanted_bytes:.2f}x (target <= 1.2x); the simplest script: {sent_simplest / 1e6:.2f} MB")
        print(f"  reported {len(reported)} of {len(wanted)} wanted: {len(missing)} missing, {len(extra)} extra"
              + (f" (missing: {sorted(missing)[:5]}, extra: {sorted(extra)[:5]})" if missing or extra else ""))
        ok = first[2] <= 2 and rerun[2] <= 2 and sent <= 1.2 * wanted_bytes and not missing and not extra
        if args.keep:
            (work / "commands.json").write_text(json.dumps({"fetch": fetch, "fresh": fresh, "simplest": simplest,
                                                            "bare": bare, "env": env}))
            print(f"  kept: {work}/commands.json; Dovecot runs until SIGTERM or Ctrl-C", flush=True)
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0 if ok else 1))
            with contextlib.suppress(KeyboardInterrupt):
                while True:
                    time.sleep(3600)
        return 0 if ok else 1
    finally:
        server.close()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
