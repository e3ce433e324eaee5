"""mbox scan: `rejectscan analyze export.mbox --format jsonl` against grep and a naive script.

Two exports, generated first when missing (deterministic, benchmarks/make_corpus.py): the default
one (about 45 KB a message) and one delivered by Office 365 (`--style office365`: every message
under ~30 KB of Exchange's trace and anti-spam headers, hundreds of RFC 2047 encoded words each;
about 77 KB a message). The baseline is `grep -i -E` for the platform senders writing the lines
it finds to a file, measured beside rejectscan in the same run.

Usage: python benchmarks/mbox_scan.py [--messages 20000] [--runs 3] [--naive-runs 1] [--style both|default|office365]
"""

from __future__ import annotations

import argparse
import platform
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from common import peak_rss_mb, row, timed  # noqa: E402
from make_corpus import write_corpus  # noqa: E402

SENDERS = "upwork|fiverr|peopleperhour|toptal|freelancer\\.com|guru"


def corpus_for(messages: int, style: str) -> Path:
    name = f"export-{messages}.mbox" if style == "default" else f"export-{style}-{messages}.mbox"
    corpus = HERE / "corpus" / name
    if not corpus.exists():
        corpus.parent.mkdir(exist_ok=True)
        print(f"writing {corpus} ...", flush=True)
        write_corpus(corpus, messages, style=style)
    return corpus


def measure(corpus: Path, messages: int, style: str, runs: int, naive_runs: int) -> None:
    size = corpus.stat().st_size / 1e6
    with tempfile.TemporaryDirectory() as tmp:
        found = Path(tmp) / "grep.out"
        grep = timed(["grep", "-i", "-E", f"'^From:.*({SENDERS})'", str(corpus), ">", str(found)], runs, shell=True)
    ours = timed([sys.executable, "-m", "rejectscan", "analyze", str(corpus), "--format", "jsonl"], runs)
    rss = peak_rss_mb([sys.executable, "-m", "rejectscan", "analyze", str(corpus), "--format", "jsonl"])
    print(f"mbox scan of {corpus.name} ({style}): {messages} messages, {size:.0f} MB; "
          f"{platform.processor() or platform.machine()}, {platform.python_implementation()} "
          f"{platform.python_version()}; median of {runs}")
    print(row("grep -i -E senders > file (baseline)", grep, grep))
    print(row("rejectscan analyze --format jsonl", ours, grep, "<= 3x grep"))
    if naive_runs:
        full = timed([sys.executable, "-m", "rejectscan", "analyze", str(corpus), "--format", "jsonl", "--full-parse"], 1)
        naive = timed([sys.executable, str(HERE / "naive_scan.py"), str(corpus)], naive_runs)
        print(row("rejectscan analyze --full-parse", full, grep))
        print(row("naive mailbox + mail-parser script", naive, grep))
        print(f"  rejectscan vs naive: {naive / ours:.1f}x faster (target >= 50x); vs full parse: {full / ours:.1f}x")
    print(f"  peak RSS of rejectscan analyze: {rss:.0f} MB (target < 200 MB)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--naive-runs", type=int, default=1, help="0: skip the full-parse and naive runs")
    parser.add_argument("--style", choices=("both", "default", "office365"), default="both")
    args = parser.parse_args()
    for style in (("default", "office365") if args.style == "both" else (args.style,)):
        # the naive script and --full-parse take minutes: run them on the default export only
        measure(corpus_for(args.messages, style), args.messages, style, args.runs,
                args.naive_runs if style == "default" else 0)


if __name__ == "__main__":
    main()
