"""Kill `rejectscan fetch` with SIGKILL at random points, many times, against a throwaway Dovecot.

After every kill the database must open and pass an integrity check; at the end every message
must be reported (a report cut off by a kill may be repeated once by the next run) and stored
exactly once. Needs Dovecot (scripts/test.sh installs it) and root, like the test suite.
Usage: python scripts/kill_fetch.py [--kills 20] [--messages 300] [--seed 1]
"""

from __future__ import annotations

import argparse
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from dovecot import PASSWORD, USER, Dovecot  # noqa: E402
from conftest import complete_reports, isolated_env, mail  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--messages", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    server = Dovecot().start()
    tmp = Path(tempfile.mkdtemp())
    db = tmp / "state.db"
    now = datetime.now(timezone.utc)
    try:
        with server.client() as c:
            for i in range(args.messages):
                c.append("INBOX", mail("upwork/bot-rejection.eml", now - timedelta(minutes=i), f"k{i}@upwork.com"),
                         msg_time=now - timedelta(minutes=i))
        env = isolated_env(REJECTSCAN_PASSWORD=PASSWORD)
        cmd = [sys.executable, "-m", "rejectscan", "fetch", "--host", "localhost", "--port", str(server.imaps_port),
               "--user", USER, "--cafile", str(server.cert), "--db", str(db), "--format", "jsonl", "--quiet"]
        reported: list[str] = []
        integrity_failures = 0
        for _ in range(args.kills):
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=ROOT)
            time.sleep(rng.uniform(0.2, 2.0))
            proc.send_signal(signal.SIGKILL)
            out, _ = proc.communicate()
            reported += complete_reports(out)
            if db.exists():
                with sqlite3.connect(db) as con:
                    integrity_failures += con.execute("PRAGMA integrity_check").fetchone()[0] != "ok"
        final = subprocess.run(cmd, capture_output=True, env=env, cwd=ROOT)
        reported += complete_reports(final.stdout)
        expected = {f"<k{i}@upwork.com>" for i in range(args.messages)}
        with sqlite3.connect(db) as con:
            stored = con.execute("SELECT COUNT(*), COUNT(DISTINCT message_key) FROM messages").fetchone()
        lost = len(expected - set(reported))
        repeats = len(reported) - len(set(reported))
        print(f"kills: {args.kills} SIGKILLs at random points of a {args.messages}-message fetch; "
              f"integrity failures {integrity_failures}; lost {lost}; repeated reports {repeats} "
              f"(allowed: at most one per kill); stored {stored[0]} rows for {stored[1]} messages; "
              f"final run exit {final.returncode}")
        ok = integrity_failures == 0 and lost == 0 and repeats <= args.kills and stored[0] == stored[1] == args.messages
        return 0 if ok and final.returncode == 0 else 1
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
