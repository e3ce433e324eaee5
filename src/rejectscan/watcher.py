"""`rejectscan watch`: IMAP IDLE for months without a human.

Each cycle: connect (fresh credentials, so a new OAuth2 token), run the same fetch as
`rejectscan fetch` under the same lock and store (so a cron fetch can run beside it and each
message is still reported once), then IDLE until the server reports mail, renewing every few
minutes; where IDLE is missing, poll. Any drop, server restart or network loss ends the
connection; it is reopened with exponential backoff, and every check, good or bad, is written
to the heartbeat that `doctor` and `history` show.
"""

from __future__ import annotations

import logging
import socket
import ssl
import threading
from dataclasses import dataclass
from typing import Callable

from rejectscan.errors import ConnectError, RejectscanError, StoreBusyError
from rejectscan.text import duration

log = logging.getLogger("rejectscan.watch")


@dataclass(frozen=True)
class WatchSettings:
    idle_renew_seconds: float = 540.0  # 9 minutes, well before RFC 2177's 29
    poll_seconds: float = 60.0  # when the server has no IDLE
    backoff_first: float = 1.0
    backoff_max: float = 300.0
    lock_timeout: float = 300.0


class Watcher:
    """The connection loop. `check(box)` is the same locked fetch-and-deliver `fetch` runs;
    `trouble(message)` records a failed check in the heartbeat."""

    def __init__(self, *, mailbox_factory: Callable[[], object], check: Callable[[object], None],
                 trouble: Callable[[str], None], settings: WatchSettings,
                 started: Callable[[list[str], bool], None] = lambda folders, idle: None) -> None:
        self.mailbox_factory = mailbox_factory
        self.check = check
        self.trouble = trouble
        self.settings = settings
        self.started = started  # told once, at the first connection: what is watched and how
        self.stop = threading.Event()
        self._announced = False

    def run(self) -> None:
        delay = self.settings.backoff_first
        while not self.stop.is_set():
            try:
                with self.mailbox_factory() as box:
                    delay = self.settings.backoff_first
                    log.info("connected")
                    self._loop(box)
            except (StoreBusyError, ConnectError, RejectscanError) as exc:
                self._trouble(str(exc))
            except (OSError, socket.timeout, ssl.SSLError, EOFError) as exc:
                self._trouble(f"connection lost ({type(exc).__name__}: {exc})")
            except Exception as exc:  # imaplib's abort/error and imapclient's errors
                self._trouble(f"connection lost ({type(exc).__name__}: {exc})")
            if self.stop.is_set():
                break
            log.warning("reconnecting in %s", duration(int(delay)))
            self.stop.wait(delay)
            delay = min(delay * 2, self.settings.backoff_max)

    def _loop(self, box) -> None:
        folders = box.folders()
        folder = folders[0]
        idle = "IDLE" in box.capabilities()
        if not self._announced:
            self._announced = True
            self.started(folders, idle)
        if not idle:
            log.info("the server offers no IDLE: checking every %s", duration(int(self.settings.poll_seconds)))
        self.check(box)
        while not self.stop.is_set():
            if idle:
                box.idle_wait(folder, self.settings.idle_renew_seconds, self.stop.is_set)
            else:
                self.stop.wait(self.settings.poll_seconds)
            if not self.stop.is_set():
                self.check(box)

    def _trouble(self, message: str) -> None:
        log.error("%s", message)
        try:
            self.trouble(message)
        except RejectscanError:
            pass
