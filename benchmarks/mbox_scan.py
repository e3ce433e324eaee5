"""mbox scan: `rejectscan analyze export.mbox --format jsonl` against grep and a naive script.

Generates the corpus first when missing (deterministic; about 45 KB a message).
Usage: python benchmarks/mbox_scan.py [--messages 20000] [--runs 3] [--naive-runs 1]
"""

from __future__ import annotations

import argparse
import platform
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import peak_rss_mb, row, timed  # noqa: E402
from make_corpus import write_corpus  # noqa: E402

SENDERS = "upwork|fiverr|peopleperhour|toptal|freelancer\\.com|guru"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=1)
    args = parser.parse_args()
    corpus = HERE / "corpus" / f"export-{args.messages}.mbox"
    if not corpus.exists():
        corpus.parent.mkdir(exist_ok=True)
        print(f"writing {corpus} ...", flush=True)
        write_corpus(corpus, args.messages)
    size = corpus.stat().st_size / 1e6
    grep = timed(["grep", "-c", "-i", "-E", f"'^From:.*({SENDERS})'", str(corpus)], args.runs, shell=True)
    ours = timed([sys.executable, "-m", "rejectscan", "analyze", str(corpus), "--format", "jsonl"], args.runs)
    full = timed([sys.executable, "-m", "rejectscan", "analyze", str(corpus), "--format", "jsonl", "--full-parse"], 1)
    naive = timed([sys.executable, str(HERE / "naive_scan.py"), str(corpus)], args.naive_runs)
    rss = peak_rss_mb([sys.executable, "-m", "rejectscan", "analyze", str(corpus), "--format", "jsonl"])
    print(f"mbox scan of {corpus.name}: {args.messages} messages, {size:.0f} MB; {platform.processor() or platform.machine()}, "
          f"{platform.python_implementation()} {platform.python_version()}; median of {args.runs}")
    print(row("grep -c (baseline)", grep, grep))
    print(row("rejectscan analyze --format jsonl", ours, grep, "<= 2x grep"))
    print(row("rejectscan analyze --full-parse", full, grep))
    print(row("naive mailbox + mail-parser script", naive, grep))
    print(f"  rejectscan vs naive: {naive / ours:.1f}x faster (target >= 50x); vs full parse: {full / ours:.1f}x")
    print(f"  peak RSS of rejectscan analyze: {rss:.0f} MB (target < 200 MB)")


if __name__ == "__main__":
    main()
