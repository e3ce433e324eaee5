"""Network faults, many times over: fetch through a fault-injecting proxy (cut, stall, garbage,
or clean) while new mail keeps arriving, then count what was lost or reported twice.

Every faulty run must fail with one line and exit 3; a final clean run must leave every message
reported exactly once. Needs Dovecot and root, like the test suite.
Usage: python scripts/faults.py [--rounds 40] [--seed 1]
"""

from __future__ import annotations

import argparse
import collections
import json
import random
import subprocess
import sys
import tempfile
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
from dovecot import PASSWORD, USER, Dovecot  # noqa: E402
from faultproxy import FaultProxy  # noqa: E402
from conftest import isolated_env, mail  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    server = Dovecot().start()
    work = Path(tempfile.mkdtemp())
    env = isolated_env(REJECTSCAN_PASSWORD=PASSWORD)
    now = datetime.now(timezone.utc)
    sent: list[str] = []
    reported: list[str] = []
    outcomes: collections.Counter = collections.Counter()
    bad_errors = 0
    try:
        def run(port: int):
            config = work / "c.toml"
            config.write_text(f'[account]\nuser = "{USER}"\nhost = "127.0.0.1"\nport = {port}\ntls = "none"\ntimeout = 2\n')
            return subprocess.run([sys.executable, "-m", "rejectscan", "fetch", "--config", str(config), "--db",
                                   str(work / "s.db"), "--format", "jsonl"], capture_output=True, env=env, cwd=ROOT)

        for _r in range(args.rounds):
            for _ in range(rng.randint(1, 8)):
                mid = f"r{len(sent)}@upwork.com"
                server.append(mail("upwork/bot-rejection.eml", now - timedelta(seconds=len(sent)), mid),
                              when=now - timedelta(seconds=len(sent)))
                sent.append(f"<{mid}>")
            mode = rng.choice(["cut", "stall", "garbage", "pass"])
            proxy = FaultProxy(server.imap_port, mode, rng.randint(50, 6_000))  # incremental runs move few bytes
            try:
                result = run(proxy.port)
            finally:
                proxy.close()
            faulted = proxy.faults > 0
            outcomes[f"{mode}:{'fault' if faulted else 'clean'}:exit{result.returncode}"] += 1
            err = result.stderr.decode()
            if "Traceback" in err or (result.returncode != 0 and len(err.strip().splitlines()) != 1):
                bad_errors += 1
            reported += [json.loads(line)["message_id"] for line in result.stdout.decode().splitlines()]
        final = run(server.imap_port)
        reported += [json.loads(line)["message_id"] for line in final.stdout.decode().splitlines()]
        lost = len(set(sent) - set(reported))
        repeated = len(reported) - len(set(reported))
        faults = sum(n for k, n in outcomes.items() if ":fault:" in k)
        print(f"faults: {args.rounds} fetches through the proxy, {faults} faults injected "
              f"({', '.join(f'{k} {v}' for k, v in sorted(outcomes.items()))}); {len(sent)} messages; "
              f"lost {lost}; reported twice {repeated}; error output not one clean line {bad_errors}")
        return 0 if lost == 0 and repeated == 0 and bad_errors == 0 and final.returncode == 0 else 1
    finally:
        server.close()


if __name__ == "__main__":
    sys.exit(main())
