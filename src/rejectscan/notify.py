"""Tell the user about a new finding: a command of theirs, and a desktop notification.

Email content is data, never instructions: the command line comes only from the user's own
option or config and is split without a shell; the finding reaches it as JSON on stdin and in a
few environment variables, so nothing from an email is ever interpolated into a command.

The command is a contained child (README, "Hardening"): checked before the run starts, given an
environment without credentials, its output read only up to a bound, run in its own process group
that is ended when it times out, when it exits leaving jobs behind, and when rejectscan is asked
to stop. A failing notifier is logged, never fatal.
"""

from __future__ import annotations

import json
import logging
import os
import selectors
import shlex
import shutil
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from typing import Mapping

from rejectscan import safe
from rejectscan.errors import UsageError
from rejectscan.record import Record

log = logging.getLogger("rejectscan.notify")

TIMEOUT = 30.0  # seconds a notifier may take for one finding
OUTPUT_KEPT = 4096  # bytes of its stderr kept for the log; the rest is read and dropped
DRAIN = 0.2  # seconds to finish reading once it has exited
# words that mark an environment variable as a secret (split on "_"), and substrings that do anywhere
_SECRET_WORDS = frozenset({"PASS", "PASSWD", "PASSWORD", "PASSPHRASE", "SECRET", "SECRETS", "TOKEN", "TOKENS",
                           "KEY", "KEYS", "APIKEY", "CREDENTIAL", "CREDENTIALS", "AUTH", "COOKIE", "PRIVATE"})
_SECRET_PARTS = ("PASSWORD", "PASSWD", "SECRET", "TOKEN", "CREDENTIAL", "APIKEY", "API_KEY")


@dataclass
class Children:
    """The process groups of notifiers now running, so a signal can end them at once."""

    stopping: threading.Event = field(default_factory=threading.Event)
    groups: set[int] = field(default_factory=set)

    def stop(self) -> None:
        self.stopping.set()
        for group in list(self.groups):
            _end(group)


@dataclass(frozen=True)
class NotifyCommand:
    argv: tuple[str, ...]
    timeout: float = TIMEOUT


def prepare(command: str, environ: Mapping[str, str], timeout: float = TIMEOUT) -> NotifyCommand:
    """The user's command, checked before any mail is read: one that cannot run is a usage error,
    not a failure logged once per finding."""
    try:
        argv = tuple(shlex.split(command))
    except ValueError as exc:
        raise UsageError(f"--notify-cmd cannot be split into words ({exc}); check its quotes") from None
    if not argv:
        raise UsageError("--notify-cmd is empty; give the program to run for each finding")
    program = argv[0]
    if os.sep in program:
        path = os.path.expanduser(program)
        if not os.path.exists(path):
            raise UsageError(f"--notify-cmd: {program} does not exist; check the path")
        if os.path.isdir(path) or not os.access(path, os.X_OK):
            raise UsageError(f"--notify-cmd: {program} is not an executable file (chmod +x it, or name the "
                             "interpreter first)")
    elif shutil.which(program, path=environ.get("PATH", os.defpath)) is None:
        raise UsageError(f"--notify-cmd: {program} is not found on PATH; give its full path")
    return NotifyCommand(argv, timeout)


def child_environment(environ: Mapping[str, str], record: Record) -> dict[str, str]:
    """The user's environment without anything that names a secret (and without rejectscan's own
    settings), plus the finding's main fields."""
    kept = {name: value for name, value in environ.items()
            if not name.upper().startswith("REJECTSCAN_") and not is_secret_name(name)}
    return {**kept, **finding_variables(record)}


def is_secret_name(name: str) -> bool:
    upper = name.upper()
    return bool(_SECRET_WORDS.intersection(upper.split("_"))) or any(part in upper for part in _SECRET_PARTS)


def finding_variables(record: Record) -> dict[str, str]:
    return {
        "REJECTSCAN_SOURCE": record.source,
        "REJECTSCAN_PLATFORM": record.platform or "",
        "REJECTSCAN_KIND": record.kind.value,
        "REJECTSCAN_LABEL": record.label.value if record.label else "",
        "REJECTSCAN_SENT_AT": record.sent_at.isoformat() if record.sent_at else "",
        "REJECTSCAN_DELAY_SECONDS": "" if record.delay_seconds is None else str(record.delay_seconds),
        "REJECTSCAN_AUTHENTIC": {True: "true", False: "false", None: ""}[record.authentic],
    }


def run_command(command: NotifyCommand, record: Record, environ: Mapping[str, str], children: Children) -> bool:
    """Run the user's notifier for one finding; False (and a log line) when it fails."""
    name = command.argv[0]
    if children.stopping.is_set():
        return False
    try:
        proc = subprocess.Popen(command.argv, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                stderr=subprocess.PIPE, env=child_environment(environ, record),
                                start_new_session=True, close_fds=True)
    except OSError as exc:
        log.error("notify command %r cannot be started: %s", name, exc.strerror or exc)
        return False
    children.groups.add(proc.pid)
    try:
        outcome, tail = _converse(proc, json.dumps(record.to_json()).encode(), command.timeout, children.stopping)
    finally:
        _end(proc.pid)
        children.groups.discard(proc.pid)
        if proc.poll() is None:
            proc.kill()  # should its group be beyond reach, the child itself still ends
        proc.wait()
    if outcome == "stopped":
        log.warning("notify command %r ended: rejectscan is stopping", name)
        return False
    if outcome == "timeout":
        log.error("notify command %r did not finish within %g seconds; it was ended", name, command.timeout)
        return False
    if proc.returncode != 0:
        last = tail.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        log.error("notify command %r failed with exit status %d %s", name, proc.returncode, last[0][:200])
        return False
    return True


def _converse(proc: subprocess.Popen, data: bytes, timeout: float, stopping: threading.Event) -> tuple[str, bytes]:
    """Feed stdin, read stderr keeping only its tail, until the child exits (plus a moment to drain),
    the timeout passes, or rejectscan is stopping. Jobs it left behind holding the pipe open do not
    keep us waiting."""
    deadline = time.monotonic() + timeout
    exited_at: float | None = None
    tail = b""
    sel = selectors.DefaultSelector()
    os.set_blocking(proc.stdin.fileno(), False)
    sel.register(proc.stdin, selectors.EVENT_WRITE)
    sel.register(proc.stderr, selectors.EVENT_READ)
    try:
        while sel.get_map():
            if stopping.is_set():
                return "stopped", tail
            now = time.monotonic()
            if now >= deadline:
                return "timeout", tail
            if exited_at is None and proc.poll() is not None:
                exited_at = now
            if exited_at is not None and now - exited_at >= DRAIN:
                break
            for key, _ in sel.select(timeout=0.05):
                if key.fileobj is proc.stdin:
                    try:
                        written = os.write(proc.stdin.fileno(), data)
                        data = data[written:]
                    except (BrokenPipeError, BlockingIOError, OSError):
                        data = b""  # it does not read its input: that is its business
                    if not data:
                        sel.unregister(proc.stdin)
                        proc.stdin.close()
                else:
                    chunk = os.read(proc.stderr.fileno(), 65536)
                    if not chunk:
                        sel.unregister(proc.stderr)
                    else:
                        tail = (tail + chunk)[-OUTPUT_KEPT:]
        while proc.poll() is None:  # stderr closed, but it has not exited yet
            if stopping.is_set():
                return "stopped", tail
            if time.monotonic() >= deadline:
                return "timeout", tail
            time.sleep(0.02)
        return "exited", tail
    finally:
        sel.close()
        for pipe in (proc.stdin, proc.stderr):
            if pipe and not pipe.closed:
                pipe.close()


def _end(group: int) -> None:
    """End a notifier's whole process group (it and whatever it started)."""
    try:
        os.killpg(group, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def desktop(record: Record, names: dict[str, str], environ: Mapping[str, str]) -> bool:
    """notify-send where a desktop session exists; silently nothing elsewhere."""
    if not shutil.which("notify-send") or not (environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY")):
        return False
    platform = names.get(record.platform or "", record.platform or "A platform")
    if record.is_rejection:
        title = f"{platform} rejected your profile ({record.label.value if record.label else 'unknown'})"
    else:
        title = f"{platform}: {record.kind.value}"
    try:
        # notification daemons read a little markup in the body: the subject is shown, not obeyed
        body = safe.html_text(safe.field(record.subject))  # notify-send reads markup; one line each
        subprocess.run(["notify-send", "--app-name=rejectscan", safe.html_text(safe.field(title)), body],
                       timeout=10, capture_output=True, env=child_environment(environ, record))
        return True
    except Exception as exc:
        log.error("desktop notification failed: %s", exc)
        return False
