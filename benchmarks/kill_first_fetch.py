"""A first fetch that keeps being killed still finishes (issue 14, "progress that survives kills").

On a throwaway Dovecot: 20,000 messages of which 2,000 are the platforms' (Upwork and Fiverr
fixtures, re-dated over the last four weeks). The baseline is one uninterrupted first fetch,
measured in the same run. Then a first fetch into a fresh database is started again and again,
each run killed (SIGKILL) at a random moment 2 to 10 seconds after it starts downloading (its
--verbose log says so), until a run finishes by itself. Reported: the runs it took (target: within
10), what each run got through, messages lost against the baseline (target 0) and reports repeated
(target: at most one per kill). Needs Dovecot and root, like the test suite.
Usage: python benchmarks/kill_first_fetch.py [--messages 20000] [--platform 2000] [--runs 10] [--seed 1]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from common import user_env  # noqa: E402
from conftest import complete_reports, mail  # noqa: E402
from dovecot import PASSWORD, USER, Dovecot  # noqa: E402
from make_corpus import message  # noqa: E402

PLATFORM_FIXTURES = ("upwork/bot-rejection.eml", "upwork/submission.eml", "upwork/approval.eml",
                     "upwork/similar-skillset-rejection.eml", "upwork/unable-to-accept.eml",
                     "upwork/human-rejection-ticket.eml", "fiverr/bot-rejection.eml", "upwork/suspension.eml")
STARTED = "to download"  # the --verbose line a fetch logs as it starts downloading a folder


def fill(maildir: Path, total: int, platform: int, rng: random.Random) -> set[str]:
    """Write the mailbox straight into Dovecot's Maildir (appending 20,000 over IMAP takes minutes);
    returns the platform messages' Message-IDs."""
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    owner = (maildir / "cur").stat()  # Dovecot's mail user, as the server created it
    now = datetime.now(timezone.utc)
    every = total // platform
    ids = set()
    fixtures = [f for f in PLATFORM_FIXTURES if (ROOT / "fixtures" / f).exists()]
    for i in range(total):
        when = now - timedelta(minutes=2) - timedelta(seconds=int((28 * 86400) * (total - i) / total))
        if i % every == 0 and len(ids) < platform:
            msgid = f"kf{i}@mail.upwork.com"
            data = mail(fixtures[len(ids) % len(fixtures)], when, msgid)
            ids.add(f"<{msgid}>")
        else:
            text = message(rng, i, when)
            while "upwork" in text.lower():  # the corpus's own 1% of platform mail: not counted here
                text = message(rng, i, when)
            data = text.encode()
        path = maildir / "cur" / f"{int(when.timestamp())}.M{i}P1.bench:2,S"
        path.write_bytes(data)
        os.chown(path, owner.st_uid, owner.st_gid)
        os.utime(path, (when.timestamp(), when.timestamp()))
    return ids


def run_once(cmd: list[str], env: dict, kill_after: float | None) -> tuple[bytes, bool, float | None]:
    """One fetch; killed `kill_after` seconds after it logs that it is downloading. Returns its
    stdout, whether it finished by itself, and how long it had been downloading when killed."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    started = threading.Event()
    out: list[bytes] = []

    def read_err() -> None:
        for line in iter(proc.stderr.readline, b""):
            if STARTED.encode() in line:
                started.set()

    threading.Thread(target=read_err, daemon=True).start()
    reader = threading.Thread(target=lambda: out.append(proc.stdout.read()), daemon=True)
    reader.start()
    killed_at = None
    if kill_after is not None:
        while not started.is_set() and proc.poll() is None:
            time.sleep(0.01)
        began = time.monotonic()
        while proc.poll() is None and time.monotonic() - began < kill_after:
            time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            killed_at = time.monotonic() - began
    proc.wait()
    reader.join()
    return out[0] if out else b"", killed_at is None and proc.returncode == 0, killed_at


def examined(db: Path) -> int:
    if not db.exists():
        return 0
    with sqlite3.connect(db) as con:
        return con.execute("SELECT COUNT(*) FROM messages").fetchone()[0]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--platform", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10, help="runs allowed to finish (the target)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    server = Dovecot().start()
    work = Path(tempfile.mkdtemp())
    try:
        server.reset()
        ids = fill(server.dir / "mail" / USER, args.messages, args.platform, rng)
        env = {**user_env(), "REJECTSCAN_PASSWORD": PASSWORD, "XDG_CONFIG_HOME": str(work / "cfg"),
               "XDG_CACHE_HOME": str(work / "cache")}

        def command(db: Path) -> list[str]:
            return [sys.executable, "-m", "rejectscan", "--verbose", "fetch", "--since", "30d", "--host", "localhost",
                    "--port", str(server.imaps_port), "--user", USER, "--cafile", str(server.cert),
                    "--db", str(db), "--format", "jsonl"]

        with server.client(timeout=600) as c:  # let Dovecot index the new files before anything is timed
            c.select_folder("INBOX", readonly=True)
        start = time.monotonic()
        out, finished, _ = run_once(command(work / "baseline.db"), env, None)
        baseline = time.monotonic() - start
        expected = set(complete_reports(out))
        assert finished, "the uninterrupted baseline fetch failed"
        db = work / "killed.db"
        reported: list[str] = []
        progress = []
        kills = 0
        finished = False
        for run in range(1, args.runs + 1):
            wait = rng.uniform(2.0, 10.0)
            out, finished, killed_at = run_once(command(db), env, wait)
            reported += complete_reports(out)
            progress.append(examined(db))
            if finished:
                break
            kills += 1
        lost = len(expected - set(reported))
        repeats = len(reported) - len(set(reported))
        print(f"first fetch, {args.platform:,} platform messages among {args.messages:,} (seed {args.seed})")
        print(f"  baseline, uninterrupted: {baseline:.1f} s, {len(expected):,} findings reported "
              f"({len(ids):,} platform messages in the mailbox)")
        print(f"  killed {kills} time(s), 2-10 s after downloading began; "
              + (f"finished on run {run} (target: within {args.runs})" if finished else
                 f"NOT finished within {args.runs} runs"))
        print(f"  messages stored after each run: {', '.join(str(n) for n in progress)}")
        print(f"  lost {lost} (target 0); repeated reports {repeats} (target: at most {kills}, one per kill)")
        return 0 if finished and lost == 0 and repeats <= kills else 1
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
