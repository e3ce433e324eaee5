"""IMAP: `rejectscan fetch --since 365d` against a minimal imapclient script, on a local Dovecot.

- a first fetch (fresh state) against a script doing the same SEARCH and BODY.PEEK fetch;
- an incremental run with nothing new against a bare login + select + search;
- the bytes the server sent (Dovecot's own count) against the size of the matching messages.
Needs Dovecot and root, like the test suite. The mailbox is loaded once (1% platform mail).
Usage: python benchmarks/imap_fetch.py [--messages 20000] [--runs 3]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from common import row, timed  # noqa: E402
from dovecot import PASSWORD, USER, Dovecot  # noqa: E402
from make_corpus import message  # noqa: E402

MINIMAL = '''
import json, sys, ssl, imapclient
from datetime import date
c = imapclient.IMAPClient("localhost", port=int(sys.argv[1]), ssl=True,
                          ssl_context=ssl.create_default_context(cafile=sys.argv[2]))
c.login(sys.argv[3], sys.argv[4])
c.select_folder("INBOX", readonly=True)
criteria = json.loads(sys.argv[6])
criteria[1] = date.fromisoformat(criteria[1])
uids = c.search(criteria)
if sys.argv[5] == "fetch":
    for i in range(0, len(uids), 100):
        c.fetch(uids[i:i + 100], ["BODY.PEEK[]", "INTERNALDATE"])
c.logout()
'''


def main() -> None:
    import random

    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    server = Dovecot().start()
    work = Path(tempfile.mkdtemp())
    try:
        rng = random.Random(1)
        now = datetime.now(timezone.utc)
        with server.client() as c:
            for i in range(args.messages):
                when = now - timedelta(minutes=20 * (args.messages - i))
                c.append("INBOX", message(rng, i, when).encode(), msg_time=when)
        script = work / "minimal.py"
        script.write_text(MINIMAL)
        env = {**os.environ, "REJECTSCAN_PASSWORD": PASSWORD, "XDG_CONFIG_HOME": str(work / "cfg")}
        os.environ.update(env)
        fetch_cmd = [sys.executable, "-m", "rejectscan", "fetch", "--since", "365d", "--host", "localhost",
                     "--port", str(server.imaps_port), "--user", USER, "--cafile", str(server.cert), "--format", "jsonl"]
        # the very SEARCH rejectscan sends: its platforms' names, domains and forward addresses
        from rejectscan import patterns
        from rejectscan.fetching import search_criteria, search_terms, since_day

        from_terms, body_terms = search_terms(patterns.load(), True)
        criteria = search_criteria(since_day(now - timedelta(days=365)), 0, from_terms, body_terms)
        criteria[1] = criteria[1].isoformat()
        minimal = [sys.executable, str(script), str(server.imaps_port), str(server.cert), USER, PASSWORD]
        as_json = json.dumps(criteria)
        with server.client(timeout=600) as c:  # the size of exactly what that SEARCH matches (a slow search)
            c.select_folder("INBOX", readonly=True)
            sizes = c.fetch(c.search(search_criteria(since_day(now - timedelta(days=365)), 0, from_terms, body_terms)),
                            ["RFC822.SIZE"])
            matching_bytes = sum(item[b"RFC822.SIZE"] for item in sizes.values())

        def fresh_fetch():
            db = work / "state.db"
            for suffix in ("", "-wal", "-shm", ".lock"):
                Path(str(db) + suffix).unlink(missing_ok=True)
            return timed([*fetch_cmd, "--db", str(db)], 1, warmup=False)  # a warm-up would fill the state

        first = sorted(fresh_fetch() for _ in range(args.runs))[args.runs // 2]
        base_fetch = timed([*minimal, "fetch", as_json], args.runs)
        incremental = timed([*fetch_cmd, "--db", str(work / "state.db")], args.runs)
        bare = timed([*minimal, "search", as_json], args.runs)
        server.clear_log()
        fresh_fetch()
        sent = sum(int(n) for n in re.findall(r"out=(\d+)", server.log()))
        print(f"IMAP fetch against a local Dovecot: {args.messages} messages; median of {args.runs}")
        print(row("minimal imapclient SEARCH + BODY.PEEK fetch", base_fetch, base_fetch))
        print(row("rejectscan fetch --since 365d (fresh state)", first, base_fetch, "<= 2x"))
        print(row("bare login + select + search", bare, bare))
        print(row("rejectscan fetch, nothing new", incremental, bare, "<= 1.5x"))
        print(f"  bytes the server sent: {sent / 1e6:.3f} MB for {len(sizes)} matching messages of "
              f"{matching_bytes / 1e6:.3f} MB: {sent / max(matching_bytes, 1):.2f}x (target < 1.2x)")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
