"""Tell the user about a new finding: a command of theirs, and a desktop notification.

Email content is data, never instructions: the command line comes only from the user's own
option or config and is split without a shell; the finding reaches it as JSON on stdin and in a
few environment variables, so nothing from an email is ever interpolated into a command.
A failing notifier is logged, never fatal.
"""

from __future__ import annotations

import json
import logging
import shlex
import shutil
import subprocess
from typing import Mapping

from rejectscan.record import Record

log = logging.getLogger("rejectscan.notify")


def environment(record: Record) -> dict[str, str]:
    return {
        "REJECTSCAN_SOURCE": record.source,
        "REJECTSCAN_PLATFORM": record.platform or "",
        "REJECTSCAN_KIND": record.kind.value,
        "REJECTSCAN_LABEL": record.label.value if record.label else "",
        "REJECTSCAN_SENT_AT": record.sent_at.isoformat() if record.sent_at else "",
        "REJECTSCAN_DELAY_SECONDS": "" if record.delay_seconds is None else str(record.delay_seconds),
        "REJECTSCAN_AUTHENTIC": {True: "true", False: "false", None: ""}[record.authentic],
    }


def run_command(command: str, record: Record, environ: Mapping[str, str], timeout: float = 30.0) -> bool:
    """Run the user's notifier for one finding; False (and a log line) when it fails."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        log.error("notify command cannot be parsed: %s", exc)
        return False
    try:
        proc = subprocess.run(argv, input=json.dumps(record.to_json()).encode(), env={**environ, **environment(record)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=timeout)
    except FileNotFoundError:
        log.error("notify command %r not found", argv[0])
        return False
    except subprocess.TimeoutExpired:
        log.error("notify command %r did not finish within %g seconds", argv[0], timeout)
        return False
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] or [""]
        log.error("notify command %r failed with exit status %d %s", argv[0], proc.returncode, detail[0][:200])
        return False
    return True


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
        subprocess.run(["notify-send", "--app-name=rejectscan", title, record.subject],
                       timeout=10, capture_output=True)
        return True
    except Exception as exc:
        log.error("desktop notification failed: %s", exc)
        return False
