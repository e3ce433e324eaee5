"""Logging for long runs: stderr (the journal under systemd) or --log-file; --verbose, --debug.

--debug includes the IMAP conversation, minus credentials: every secret rejectscan learns
(password, OAuth2 token, and the base64 forms SASL sends them in) is replaced in every record
before any handler writes it.
"""

from __future__ import annotations

import base64
import logging
import os
import sys

REDACTED = "**REDACTED**"


class Redactor(logging.Filter):
    def __init__(self) -> None:
        super().__init__()
        self.secrets: set[str] = set()

    def add(self, secret: str, user: str = "") -> None:
        if not secret:
            return
        forms = {secret, f"user={user}\x01auth=Bearer {secret}\x01\x01", f"\0{user}\0{secret}", f"{user}\0{user}\0{secret}"}
        for form in list(forms):
            encoded = base64.b64encode(form.encode()).decode()
            forms.add(encoded)
        self.secrets |= {f for f in forms if len(f) >= 4}

    def scrub(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            record.msg = self.scrub(record.getMessage())
            record.args = None
        return True


class _Escaped(logging.Formatter):
    """Log lines carry text the mail server chose (folder names, its replies): on a terminal, its
    control characters and escape sequences are shown, never run (safe.terminal)."""

    def format(self, record: logging.LogRecord) -> str:
        from rejectscan.safe import terminal

        return terminal(super().format(record))


DEBUG_WARNING = ("debug log: it holds whole messages and the IMAP conversation (credentials removed); "
                 "keep it private and delete it when done")


def setup(redactor: Redactor, verbose: bool = False, debug: bool = False, log_file: str | None = None) -> None:
    """One handler for the whole run, filtered by the run's redactor (Environment.redactor). A log
    file is created readable by the user only: it holds mail metadata, with --debug whole messages."""
    handler: logging.Handler = _private_file(log_file) if log_file else logging.StreamHandler(sys.stderr)
    handler.addFilter(redactor)
    handler.setFormatter(_Escaped("%(asctime)s %(levelname)s %(name)s: %(message)s" if log_file
                                           else "rejectscan: %(levelname)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(logging.DEBUG if debug else logging.INFO if verbose else logging.WARNING)
    for name in ("imapclient", "imapclient.imaplib"):
        logging.getLogger(name).setLevel(logging.DEBUG if debug else logging.WARNING)
    logging.getLogger("mailparser").setLevel(logging.CRITICAL)
    logging.getLogger("filelock").setLevel(logging.WARNING)
    if debug:
        logging.getLogger("rejectscan").debug(DEBUG_WARNING)


def _private_file(path: str) -> logging.Handler:
    from rejectscan.errors import UsageError

    try:
        os.close(os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600))
        return logging.FileHandler(path, encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"cannot write the log file {path} ({exc.strerror or exc}); pass another --log-file") from None
