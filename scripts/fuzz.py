"""Long fuzz run: N hostile inputs (mutations of every fixture) through the whole pipeline.

Prints the count tried, per-mutation counts, and each failure (saved under --save).
Usage: python scripts/fuzz.py [--inputs 100000] [--seed 1] [--save DIR]
"""

from __future__ import annotations

import argparse
import collections
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from fuzzing import TIME_LIMIT, check, mutate  # noqa: E402

import random  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--save", type=Path, default=None)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    tried = collections.Counter()
    failures = []
    started = time.time()
    for i in range(args.inputs):
        name, data = mutate(rng)
        tried[name] += 1
        failure = check(name, data, in_container=bool(i % 2), time_limit=TIME_LIMIT)
        if failure:
            failures.append(failure)
            print(f"FAILURE #{len(failures)} ({name}): {failure.problem.splitlines()[-1][:200]}", flush=True)
            if args.save:
                args.save.mkdir(parents=True, exist_ok=True)
                (args.save / f"failure-{len(failures)}-{name}.eml").write_bytes(failure.sample)
        if (i + 1) % 10_000 == 0:
            print(f"... {i + 1} inputs, {len(failures)} failures, {time.time() - started:.0f} s", flush=True)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"fuzz: {args.inputs} inputs tried, {len(failures)} failures (tracebacks, bad error lines or over "
          f"2 s), {time.time() - started:.0f} s, peak RSS {peak:.0f} MB")
    print("  by mutation: " + ", ".join(f"{k} {v}" for k, v in sorted(tried.items())))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
