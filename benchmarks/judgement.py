#!/usr/bin/env python3
"""The judgement benchmark: every corpus message through `rejectscan analyze`, scored against its case.

Builds the messages first (judgement/build.py), then runs `python -m rejectscan analyze FILE
--format json [--submitted-at WHEN]` on each, two at a time, with the repository's src/ (or --src)
on PYTHONPATH and an environment of its own: no REJECTSCAN_* variables, TZ=UTC, and empty XDG
config, data and cache folders, so that no config file or state database is read. Prints
precision and recall per kind, the confusion between kinds, the two targets, and label,
authenticity and platform accuracy; --verbose adds every miss, --json prints all of it as JSON.

Usage: python benchmarks/judgement.py [--split dev|holdout|fresh|blind|published|blind-d|blind-e|blind-f|blind-g|blind-h|all] [--verbose] [--json] [--src DIR]
Exit status: 0 whatever the scores; 2 when the harness itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rejectscan.compat import tomllib

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "benchmarks" / "judgement"
MAIL = CORPUS / "mail"
KINDS = ("submission", "rejection", "approval", "suspension", "other")
LABELS = ("automated", "human-reviewed", "unknown")
ERROR = "error"
NO_LABEL = "(none)"
WORKERS = 2
TIMEOUT = 120
TARGET_RECALL = 95.0


class HarnessError(Exception):
    """The benchmark could not run: no corpus, no source tree, a broken build."""


@dataclass(frozen=True)
class Run:
    """One message through the command: its case, the first record printed, or what went wrong."""
    case: dict[str, Any]
    record: dict[str, Any] | None
    records: int = 0
    error: str = ""

    @property
    def kind(self) -> str:
        return str(self.record["kind"]) if self.record else ERROR

    @property
    def label(self) -> str:
        return (self.record.get("label") or NO_LABEL) if self.record else ERROR

    @property
    def platform(self) -> str:
        return (self.record.get("platform") or "none") if self.record else ERROR

    @property
    def authentic(self) -> object:
        return self.record.get("authentic") if self.record else ERROR

    @property
    def forgery(self) -> bool:
        return self.case.get("authentic") is False

    @property
    def expected_authentic(self) -> object:
        value = self.case.get("authentic")
        return None if value == "null" else value

    def misses(self) -> list[str]:
        """Which expectations the record fails: kind, label (not for forgeries), platform, authentic."""
        checks = {"kind": self.kind != self.case["kind"],
                  "label": "label" in self.case and not self.forgery and self.label != self.case["label"],
                  "platform": self.platform != self.case["platform"],
                  "authentic": "authentic" in self.case and self.authentic != self.expected_authentic}
        return [name for name, bad in checks.items() if bad]


# --- running ----------------------------------------------------------------------------------------

def build() -> None:
    """Bring mail/ up to date; build.py's own output goes to stderr, keeping stdout for the report."""
    proc = subprocess.run([sys.executable, str(CORPUS / "build.py")], capture_output=True, text=True)
    sys.stderr.write(proc.stdout + proc.stderr)
    if proc.returncode:
        raise HarnessError(f"build.py failed with exit status {proc.returncode}")


def load_cases(split: str) -> list[dict[str, Any]]:
    with open(MAIL / "expected.toml", "rb") as fh:
        cases = tomllib.load(fh).get("case", [])
    return [case for case in cases if split == "all" or case["split"] == split]


def environment(src: Path, empty: Path) -> dict[str, str]:
    """The caller's environment without REJECTSCAN_*, with UTC, src/ first, and empty XDG folders."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("REJECTSCAN_")}
    env.update(TZ="UTC", PYTHONPATH=str(src), PYTHONDONTWRITEBYTECODE="1", XDG_CONFIG_HOME=str(empty),
               XDG_DATA_HOME=str(empty), XDG_CACHE_HOME=str(empty))
    return env


def analyze(case: dict[str, Any], env: dict[str, str], cwd: Path) -> Run:
    """Run the real command on one message and keep its first record."""
    command = [sys.executable, "-m", "rejectscan", "analyze", str(MAIL / case["file"]), "--format", "json"]
    if "submitted_at" in case:
        command += ["--submitted-at", case["submitted_at"]]
    try:
        proc = subprocess.run(command, env=env, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        return Run(case, None, error=f"timed out after {TIMEOUT} s")
    stderr = proc.stderr.strip().splitlines()
    if proc.returncode:
        return Run(case, None, error=f"exit status {proc.returncode}: {stderr[-1] if stderr else 'no message'}")
    try:
        records = json.loads(proc.stdout)
    except json.JSONDecodeError:
        return Run(case, None, error="output is not JSON")
    if not isinstance(records, list) or not records:
        return Run(case, None, error="no record printed")
    return Run(case, records[0], records=len(records))


def run_all(cases: list[dict[str, Any]], src: Path) -> list[Run]:
    """Every case, WORKERS at a time, in case order."""
    if not (src / "rejectscan").is_dir():
        raise HarnessError(f"{src} holds no rejectscan package")
    with tempfile.TemporaryDirectory(prefix="judgement-") as empty:
        env = environment(src.resolve(), Path(empty))
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            return list(pool.map(lambda case: analyze(case, env, Path(empty)), cases))


# --- scoring ----------------------------------------------------------------------------------------

def ratio(n: int, m: int) -> dict[str, Any]:
    return {"n": n, "of": m, "percent": round(100 * n / m, 1) if m else None}


def confusion(pairs: list[tuple[str, str]], rows: tuple[str, ...], extra: tuple[str, ...]) -> dict[str, dict[str, int]]:
    """{expected: {got: count}}; columns are the rows, anything else seen, then extra."""
    seen = {got for _, got in pairs}
    columns = [*rows, *sorted(seen - set(rows) - set(extra)), *extra]
    counts = Counter(pairs)
    return {row: {col: counts[(row, col)] for col in columns} for row in rows}


def kinds(runs: list[Run]) -> dict[str, dict[str, Any]]:
    """Precision and recall per kind."""
    out = {}
    for kind in KINDS:
        correct = sum(r.kind == kind == r.case["kind"] for r in runs)
        out[kind] = {"expected": sum(r.case["kind"] == kind for r in runs), "got": sum(r.kind == kind for r in runs),
                     "correct": correct}
        out[kind]["precision"] = ratio(correct, out[kind]["got"])
        out[kind]["recall"] = ratio(correct, out[kind]["expected"])
    return out


def labels(runs: list[Run]) -> dict[str, Any]:
    """Label accuracy over expected rejections that are not forgeries, and the confusion."""
    judged = [r for r in runs if r.case["kind"] == "rejection" and "label" in r.case and not r.forgery]
    return {**ratio(sum(r.label == r.case["label"] for r in judged), len(judged)),
            "confusion": confusion([(r.case["label"], r.label) for r in judged], LABELS, (NO_LABEL, ERROR))}


def authenticity(runs: list[Run]) -> dict[str, Any]:
    """Accuracy where the case gives `authentic`, overall and per expected value."""
    given = [r for r in runs if "authentic" in r.case]
    by_value = {name: [r for r in given if r.expected_authentic is value]
                for name, value in (("true", True), ("false", False), ("null", None))}
    return {**ratio(sum(r.authentic == r.expected_authentic for r in given), len(given)),
            "by_expected": {name: ratio(sum(r.authentic == r.expected_authentic for r in group), len(group))
                            for name, group in by_value.items()}}


def miss(run: Run) -> dict[str, Any]:
    """What a verbose report shows about one miss."""
    record = run.record or {}
    fields = ("kind", "label", "platform", "authentic")
    return {"id": run.case["id"], "category": run.case["category"], "file": run.case["file"], "wrong": run.misses(),
            "expected": {f: run.case.get(f) for f in fields},
            "got": {"kind": run.kind, "label": run.label, "platform": run.platform, "authentic": run.authentic},
            "reasons": record.get("reasons") or [], "notes": record.get("notes") or [],
            "authenticity_reasons": record.get("authenticity_reasons") or [], "records": run.records,
            "error": run.error}


def summary(runs: list[Run], split: str, src: Path) -> dict[str, Any]:
    """Everything the report shows, JSON-ready."""
    # the target is about the platforms' own decisions: a forgery pretending to reject is scored by
    # its authenticity, not counted here
    rejections = [r for r in runs if r.case["kind"] == "rejection" and not r.forgery]
    return {
        "split": split, "src": str(src), "cases": len(runs), "errors": sum(bool(r.error) for r in runs),
        "kinds": kinds(runs),
        "confusion": confusion([(r.case["kind"], r.kind) for r in runs], KINDS, (ERROR,)),
        "targets": {
            "rejections_recognised": {**ratio(sum(r.kind == "rejection" for r in rejections), len(rejections)),
                                      "target_percent": TARGET_RECALL},
            "lookalikes_called_rejection": {"n": sum(r.case["kind"] == "other" and r.kind == "rejection" for r in runs),
                                            "target": 0}},
        "labels": labels(runs),
        "authentic": authenticity(runs),
        "platform": ratio(sum(r.platform == r.case["platform"] for r in runs), len(runs)),
        "misses": [miss(r) for r in runs if r.misses()],
    }


# --- reporting --------------------------------------------------------------------------------------

def show(r: dict[str, Any]) -> str:
    return f"{r['n']}/{r['of']} ({r['percent']}%)" if r["of"] else f"{r['n']}/0 (n/a)"


def table(rows: list[list[str]]) -> list[str]:
    """Aligned columns: the first to the left, the others to the right."""
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return ["  " + "  ".join(cell.ljust(w) if i == 0 else cell.rjust(w) for i, (cell, w) in enumerate(zip(row, widths)))
            for row in rows]


def matrix(counts: dict[str, dict[str, int]]) -> list[str]:
    columns = list(next(iter(counts.values())))
    return table([["expected \\ got", *columns]] + [[row, *map(str, cells.values())] for row, cells in counts.items()])


def verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def report(s: dict[str, Any]) -> list[str]:
    """The human-readable report."""
    recall, looks = s["targets"]["rejections_recognised"], s["targets"]["lookalikes_called_rejection"]
    lines = [f"judgement benchmark: split {s['split']}, {s['cases']} cases run, src {s['src']}",
             f"runs that failed or printed no record: {s['errors']}", "", "per kind (correct/got, correct/expected)"]
    lines += table([["kind", "expected", "got", "precision", "recall"]] +
                   [[k, str(v["expected"]), str(v["got"]), show(v["precision"]), show(v["recall"])]
                    for k, v in s["kinds"].items()])
    lines += ["", "confusion between kinds (rows expected, columns got)", *matrix(s["confusion"]), "", "targets"]
    lines += [f"  rejections recognised as rejections: {show(recall)} target >= {recall['target_percent']:.0f}%  "
              f"[{verdict(recall['of'] > 0 and recall['percent'] >= recall['target_percent'])}]",
              f"  look-alike mail called a rejection: {looks['n']} (target 0)  [{verdict(looks['n'] == 0)}]", ""]
    lines += [f"label accuracy on rejections, forgeries excluded: {show(s['labels'])}",
              *matrix(s["labels"]["confusion"])]
    by = s["authentic"]["by_expected"]
    lines += ["", f"authentic accuracy where given: {show(s['authentic'])}  "
              f"(expected true {show(by['true'])}, false {show(by['false'])}, null {show(by['null'])})",
              f"platform accuracy: {show(s['platform'])}"]
    return lines


def cell(value: object) -> str:
    """A value as the report shows it: booleans as in TOML and JSON, nothing as (none)."""
    if value is None:
        return NO_LABEL
    return str(value).lower() if isinstance(value, bool) else str(value)


def miss_lines(m: dict[str, Any]) -> list[str]:
    """One miss, for --verbose: kind, label and platform always, authentic when it is wrong."""
    lines = [f"MISS {m['id']} [{m['category']}] {m['file']}: wrong {', '.join(m['wrong'])}"]
    for field in ("kind", "label", "platform", "authentic"):
        if field != "authentic" or field in m["wrong"]:
            mark = "!" if field in m["wrong"] else " "
            lines.append(f"  {mark} {field:<9} expected {cell(m['expected'][field]):<15} got {cell(m['got'][field])}")
    if m["error"]:
        lines.append(f"    error: {m['error']}")
    lines += [f"    reason: {text}" for text in m["reasons"]] + [f"    note: {text}" for text in m["notes"]]
    if "authentic" in m["wrong"]:
        lines += [f"    authenticity: {text}" for text in m["authenticity_reasons"]]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "holdout", "fresh", "blind", "published", "blind-d", "blind-e", "blind-f", "blind-g", "blind-h", "all"), default="dev")
    parser.add_argument("--verbose", action="store_true", help="print every miss with the record's reasons and notes")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    parser.add_argument("--src", type=Path, default=ROOT / "src", help="the source tree to test (default: src/)")
    args = parser.parse_args()
    try:
        build()
        runs = run_all(load_cases(args.split), args.src)
    except (HarnessError, OSError, tomllib.TOMLDecodeError) as exc:
        print(f"judgement.py: {exc}", file=sys.stderr)
        return 2
    result = summary(runs, args.split, args.src)
    if args.json:
        print(json.dumps(result, indent=2))
        return 0
    if args.verbose:
        for m in result["misses"]:
            print("\n".join(miss_lines(m)))
        print()
    print("\n".join(report(result)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
