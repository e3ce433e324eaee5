"""`rejectscan report` on 2,000 findings: building the page, the whole command, and the page opening
in headless Chromium, each beside a baseline measured in the same run (README, "Speed").

Targets (issue 17): the report renders in under a second, the page opens in Chromium in under two.
The findings come from tests/reportdata.py (two platforms, every band, hostile text), stored as
fetch would store them. Needs /usr/bin/chromium for the browser figures (scripts/test.sh installs it).

Usage: python benchmarks/report.py [--findings 2000] [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent / "tests"))

from common import row, timed  # noqa: E402

import chromium  # noqa: E402
import reportdata  # noqa: E402


def build_seconds(db: Path, runs: int) -> tuple[float, int]:
    """report.build alone, in this process, on the stored history: median seconds and page bytes."""
    from datetime import datetime, timezone

    from rejectscan import patterns, report
    from rejectscan.history import build
    from rejectscan.store import Store

    rules = patterns.load(())
    with Store(db) as store:
        history = build(store.submissions(), [s.record for s in store.records()], {p.id: p.name for p in rules.platforms})
    data = report.ReportData(history=history, timing=rules.timing, names={p.id: p.name for p in rules.platforms},
                             zone=timezone.utc, generated_at=datetime.now(timezone.utc))
    times, page = [], ""
    for _ in range(runs + 1):
        start = time.perf_counter()
        page = report.build(data)
        times.append(time.perf_counter() - start)
    return statistics.median(times[1:]), len(page.encode())


def opening_seconds(pages: list[Path], runs: int) -> list[float]:
    """Navigation to the load event in one running headless Chromium, median of `runs` per page."""
    browser = chromium.Chromium()
    try:
        tab = browser.page()
        out = []
        for page in pages:
            tab.open(page.resolve().as_uri())  # untimed first open
            out.append(statistics.median(tab.open(page.resolve().as_uri()) for _ in range(runs)))
        return out
    finally:
        browser.close()


def cold_seconds(url: str, runs: int) -> float:
    """Starting a headless Chromium, opening a tab and loading `url` to its load event, median of `runs`."""
    times = []
    for _ in range(runs + 1):
        start = time.perf_counter()
        browser = chromium.Chromium()
        try:
            browser.page().open(url)
            times.append(time.perf_counter() - start)
        finally:
            browser.close()
    return statistics.median(times[1:])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--findings", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        filled = reportdata.long_history(args.findings)
        reportdata.fill(tmp / "big.db", filled)
        reportdata.fill(tmp / "one.db", reportdata.Filled(filled.records[:1], ()))
        command = [sys.executable, "-m", "rejectscan", "report", "--output"]
        findings = len(filled.records)
        events = findings + len(filled.submissions)
        print(f"rejectscan report, {findings} findings and {len(filled.submissions)} recorded submissions "
              f"({events} events), median of {args.runs}")
        built, size = build_seconds(tmp / "big.db", args.runs)
        version = timed([sys.executable, "-m", "rejectscan", "--version"], args.runs)
        one = timed([*command, str(tmp / "one.html"), "--db", str(tmp / "one.db")], args.runs)
        big = timed([*command, str(tmp / "big.html"), "--db", str(tmp / "big.db")], args.runs)
        print(row("rejectscan --version (baseline)", version, version))
        print(row("rejectscan report, 1 finding", one, version))
        print(row(f"rejectscan report, {findings} findings", big, version, "< 1 s"))
        print(row(f"  of which report.build ({size / 1e6:.1f} MB page)", built, version))
        if not chromium.BINARY.exists():
            print(f"  browser figures skipped: {chromium.MISSING}")
            return
        small, large = opening_seconds([tmp / "one.html", tmp / "big.html"], args.runs)
        print(row("Chromium opens the 1-finding page (baseline)", small, small))
        print(row(f"Chromium opens the {findings}-finding page", large, small, "< 2 s"))
        blank = cold_seconds("about:blank", args.runs)
        cold = cold_seconds((tmp / "big.html").resolve().as_uri(), args.runs)
        print(row("cold Chromium, about:blank (baseline)", blank, blank))
        print(row(f"cold Chromium, the {findings}-finding page", cold, blank, "< 2 s"))


if __name__ == "__main__":
    main()
