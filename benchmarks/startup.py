"""Start-up: `rejectscan --version` and `rejectscan analyze one.eml` against `python -c pass`.

Usage: python benchmarks/startup.py [--runs 10]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import row, timed  # noqa: E402

ONE = HERE.parent / "fixtures" / "upwork" / "bot-rejection.eml"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    base = timed([sys.executable, "-c", "pass"], args.runs)
    version = timed([sys.executable, "-m", "rejectscan", "--version"], args.runs)
    one = timed([sys.executable, "-m", "rejectscan", "analyze", str(ONE), "--format", "json"], args.runs)
    print(f"start-up, median of {args.runs}")
    print(row("python -c pass (baseline)", base, base))
    print(row("rejectscan --version", version, base, "<= 5x"))
    print(row("rejectscan analyze one.eml", one, base))


if __name__ == "__main__":
    main()
