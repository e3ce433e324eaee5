"""IMAP with oversized platform mail: eight 50 MB platform messages, one fetch.

Each message is a stock rejection with a 50 MB attachment (as a forward with the user's CV
might be). Before sizes were asked first, one batch held all eight bodies: 1.23 GB peak. Prints
the peak memory of `rejectscan fetch --since 30d` and the bytes the server sent (Dovecot's own
count) against the messages' total size. Needs Dovecot and root, like the test suite.
Usage: python benchmarks/imap_oversized.py [--count 8] [--megabytes 50]
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(ROOT / "tests"))

from common import user_env  # noqa: E402
from dovecot import PASSWORD, USER, Dovecot  # noqa: E402


def oversized(n: int, megabytes: int, when: datetime) -> bytes:
    data = (ROOT / "fixtures/upwork/bot-rejection.eml").read_bytes()
    data = re.sub(rb"(?m)^Date: .*?(\r?)$", b"Date: " + format_datetime(when).encode() + rb"\1", data, count=1)
    data = re.sub(rb"(?m)^Message-ID: .*?(\r?)$", b"Message-ID: <big%d@upwork.com>\\1" % n, data, count=1)
    line = b"QUJD" * 19 + b"\r\n"
    blob = line * (megabytes * 1_000_000 // len(line))
    return data.replace(b"--b1_upwork--", b"--b1_upwork\r\nContent-Type: application/pdf\r\n"
                        b"Content-Transfer-Encoding: base64\r\n\r\n" + blob + b"--b1_upwork--")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=8)
    parser.add_argument("--megabytes", type=int, default=50)
    args = parser.parse_args()
    server = Dovecot().start()
    work = Path(tempfile.mkdtemp())
    try:
        now = datetime.now(timezone.utc)
        total = 0
        for n in range(args.count):
            data = oversized(n, args.megabytes, now - timedelta(hours=1, minutes=n))
            total += len(data)
            server.append(data, when=now - timedelta(hours=1))
        server.clear_log()
        env = {**user_env(), "REJECTSCAN_PASSWORD": PASSWORD, "XDG_CONFIG_HOME": str(work / "config"),
               "XDG_DATA_HOME": str(work / "data"), "XDG_CACHE_HOME": str(work / "cache")}
        env.pop("REJECTSCAN_CONFIG", None)
        proc = subprocess.run(["/usr/bin/time", "-v", sys.executable, "-m", "rejectscan", "fetch", "--host", "localhost",
                               "--port", str(server.imaps_port), "--user", USER, "--cafile", str(server.cert),
                               "--db", str(work / "state.db"), "--since", "30d", "--format", "jsonl"],
                              capture_output=True, text=True, env=env, cwd=ROOT)
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1)) / 1024
        reports = [line for line in proc.stdout.splitlines() if line.strip()]
        sent = server.fetched_body_bytes()
        print(f"IMAP, {args.count} platform messages of {args.megabytes} MB in one folder "
              f"({total / 1e6:.0f} MB): exit {proc.returncode}, {len(reports)} reported")
        print(f"  peak RSS of rejectscan fetch: {peak:.0f} MB (target < 200 MB)")
        print(f"  bodies the server sent: {sent / 1e6:.0f} MB of {total / 1e6:.0f} MB ({sent / total:.1%})")
    finally:
        server.close()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
