"""Scheduled runs that work as written: a crontab line and systemd user units that start this very
installation by its absolute path (cron's PATH is /usr/bin:/bin, systemd's has no venv in it)
and name the config and database a scheduled run would not find by itself.

Pure: the caller (App.schedule_*) finds the program and the paths and does the writing.
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass
from pathlib import PurePath

MARK = "# rejectscan schedule cron"  # ends our crontab line, so a second run replaces it
FETCH = ("fetch", "--quiet", "--since", "7d")
EVERY_MINUTES = 10


@dataclass(frozen=True)
class Unit:
    name: str
    text: str


def program(argv0: str, python: str, found_on_path: str | None = None) -> tuple[str, ...]:
    """The words that start this rejectscan again from anywhere: its console script by absolute path
    (argv0 as the kernel ran it, or found on PATH when given bare), else `python -m rejectscan`
    with this interpreter's absolute path (a venv's python, not the one it links to)."""
    name = PurePath(argv0).name
    if name in ("rejectscan", "rejectscan.exe"):
        if PurePath(argv0).is_absolute():
            return (argv0,)
        if found_on_path:
            return (found_on_path,)
    return (python, "-m", "rejectscan")


def extra_options(config: str | None, db: str, usual_config: str, usual_db: str) -> tuple[str, ...]:
    """--config and --db when a scheduled run, with only HOME set, would find other ones than this
    run uses (they came from an option, REJECTSCAN_*, XDG_* or the config file)."""
    words: tuple[str, ...] = ()
    if config and config != usual_config:
        words += ("--config", config)
    if db != usual_db:
        words += ("--db", db)
    return words


def cron_line(words: tuple[str, ...], options: tuple[str, ...] = (), every: int = EVERY_MINUTES) -> str:
    """One crontab line: a quiet fetch every `every` minutes, run by /bin/sh. Cron makes an
    unescaped % a newline, so each is escaped."""
    command = " ".join(shlex.quote(w) for w in (*words, *FETCH, *options)).replace("%", "\\%")
    return f"*/{every} * * * * {command} {MARK}"


def merged_crontab(existing: str, line: str) -> str:
    """The user's crontab with our line added, or in place of the one an earlier run added."""
    kept = [entry for entry in existing.splitlines() if not entry.rstrip().endswith(MARK)]
    return "\n".join([*kept, line]) + "\n"


def systemd_word(word: str) -> str:
    """One ExecStart word: specifiers (%) and variables ($) kept literal, quoted when needed."""
    word = word.replace("%", "%%").replace("$", "$$")
    if word and not any(c in word for c in " \t\"'\\;"):
        return word
    return '"' + word.replace("\\", "\\\\").replace('"', '\\"') + '"'


def exec_start(words: tuple[str, ...], width: int = 80) -> str:
    """ExecStart=... wrapped with backslash continuations to fit `width` (systemd joins them)."""
    lines, line = [], "ExecStart="
    for word in map(systemd_word, words):
        if line not in ("ExecStart=", "    ") and len(line) + 1 + len(word) + 2 > width:
            lines.append(line + " \\")
            line = "    "
        line += ("" if line in ("ExecStart=", "    ") else " ") + word
    return "\n".join([*lines, line])


def systemd_units(words: tuple[str, ...], options: tuple[str, ...]) -> list[Unit]:
    """rejectscan-fetch.service and .timer (a quiet fetch every ten minutes) and
    rejectscan-watch.service (IMAP IDLE); enable the timer or the watch, either is enough."""
    made = "# Written by `rejectscan schedule systemd`; run it again if rejectscan moves.\n"
    fetch = (f"{made}[Unit]\nDescription=rejectscan: fetch new freelancing platform mail\n"
             "After=network-online.target\nWants=network-online.target\n\n[Service]\nType=oneshot\n"
             f"{exec_start((*words, *FETCH, '--format', 'jsonl', *options))}\n")
    timer = (f"{made}[Unit]\nDescription=rejectscan: fetch every {EVERY_MINUTES} minutes\n\n[Timer]\n"
             f"OnBootSec=2min\nOnUnitActiveSec={EVERY_MINUTES}min\nPersistent=true\n\n"
             "[Install]\nWantedBy=timers.target\n")
    watch = (f"{made}# To run a program of your own for each finding, add --notify-cmd /path/to/it.\n"
             "[Unit]\nDescription=rejectscan: watch the mailbox for freelancing platform decisions\n"
             "After=network-online.target\nWants=network-online.target\n\n[Service]\n"
             f"{exec_start((*words, '--verbose', 'watch', '--format', 'jsonl', *options))}\n"
             "Restart=on-failure\n# a usage error (a bad option or config) needs you, not a restart\n"
             "RestartPreventExitStatus=2\nRestartSec=30\n\n[Install]\nWantedBy=default.target\n")
    return [Unit("rejectscan-fetch.service", fetch), Unit("rejectscan-fetch.timer", timer),
            Unit("rejectscan-watch.service", watch)]
