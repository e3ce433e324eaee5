"""Timing helpers: whole processes, median of several runs, measured in the same run as the baseline."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import time

# As installed for a user: pip writes .pyc files at install time, and the first run fills
# rejectscan's cache (the compiled mbox patterns). A machine that sets PYTHONDONTWRITEBYTECODE
# (this one does) would otherwise recompile every module on every run.
def user_env() -> dict[str, str]:
    """This process's environment now (benchmarks add to it), as a user's would be."""
    return {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], runs: int, shell: bool = False, warmup: bool = True) -> float:
    """Median wall-clock seconds of `runs` runs of a whole process, after one untimed run.

    Output goes through a pipe, not /dev/null: GNU grep stops at the first match when its
    output is /dev/null, which would make the baseline meaningless.
    """
    times = []
    for i in range(runs + (1 if warmup else 0)):
        start = time.perf_counter()
        subprocess.run(cmd if not shell else " ".join(cmd), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       check=True, shell=shell, env=user_env())
        if i or not warmup:
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb(cmd: list[str]) -> float:
    """Peak resident memory of a process, from GNU time -v."""
    proc = subprocess.run(["/usr/bin/time", "-v", *cmd], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          env=user_env())
    kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", proc.stderr).group(1))
    return kb / 1024


def row(name: str, seconds: float, baseline: float, target: str = "") -> str:
    return f"  {name:<44} {seconds:8.3f} s   {seconds / baseline:7.2f}x" + (f"   target {target}" if target else "")
