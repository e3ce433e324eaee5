"""`rejectscan doctor`: check everything a silent failure could hide, one line each with a fix."""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from rejectscan.errors import ConnectError, ExitStatus, FolderMissingError, LoginError, RejectscanError, TLSVerifyError
from rejectscan.history import counts, is_stale
from rejectscan.text import duration
from rejectscan.textout import listing, plural


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str
    fix: str = ""
    status: ExitStatus = ExitStatus.OK  # the exit code this problem maps to

    @property
    def next_step(self) -> str | None:
        """What to do, for a check that failed; None for one that passed (its fix does not apply)."""
        return None if self.ok else (self.fix or None)


@dataclass(frozen=True)
class DoctorInputs:
    """What the checks look at, each behind a callable so one failing does not stop the others."""

    account: Callable[[], object]  # config.ImapSettings; raises RejectscanError for a bad config
    config_path: str
    patterns: Callable[[], object]  # patterns.PatternSet
    lint: Callable[[object], list]
    scanner: Callable[[object], Check]
    db_path: str
    db_check: Callable[[], object]  # refuses a path that can never hold a database (raises RejectscanError)
    mailbox: Callable[[], object]  # a context manager opening the account
    stale_after: timedelta
    now: datetime


def run_checks(inputs: DoctorInputs) -> list[Check]:
    checks: list[Check] = []
    try:
        imap = inputs.account()
        checks.append(Check("config", True, f"{inputs.config_path}; host {imap.host}:{imap.port}, "
                                            f"user {imap.user}, tls {imap.tls}"))
    except RejectscanError as exc:
        checks.append(Check("config", False, str(exc), "fix the config file or the options", ExitStatus.USAGE))
        imap = None
    try:
        patterns = inputs.patterns()
        problems = inputs.lint(patterns)
        checks.append(Check("patterns", not problems, f"{plural(len(patterns.platforms), 'platform')}, "
                            f"{plural(sum(len(p.templates) for p in patterns.platforms), 'template')}"
                            + (f"; {plural(len(problems), 'problem')}, the first: {problems[0]}" if problems else ""),
                            "run `rejectscan patterns lint` and fix what it names", ExitStatus.USAGE))
        checks.append(inputs.scanner(patterns))
    except RejectscanError as exc:
        checks.append(Check("patterns", False, str(exc), "fix the pattern file it names", ExitStatus.USAGE))
    try:
        inputs.db_check()
    except RejectscanError as exc:
        checks.append(Check("store", False, str(exc), "", exc.status))
    else:
        checks += _store_checks(inputs.db_path, inputs.stale_after, inputs.now, imap.account if imap else None)
    if imap is not None:
        checks += _network_checks(imap, inputs.mailbox)
    return checks


def _store_checks(path: str, stale_after: timedelta, now: datetime, account: str | None) -> list[Check]:
    """The database, and the heartbeat of the configured mailbox; any other mailbox checked before
    (a typo in --host, an old account) is listed, never a problem, with how to forget it."""
    from pathlib import Path

    from rejectscan.store import Store

    out = []
    try:
        with Store(path) as store:
            healthy = store.integrity_ok()
            out.append(Check("store", healthy, f"{path}: schema {store.schema_version()}, {plural(store.message_count(), 'message')}"
                             + ("" if healthy else ", integrity check FAILED"),
                             "move the file aside; rejectscan starts a new one", ExitStatus.STORE))
            probe = Path(path).with_suffix(".doctor-probe")
            probe.write_text("ok")
            probe.unlink()
            for beat in store.heartbeats():
                if not counts(beat.account, account):
                    out.append(Check("seen before", True, f"{beat.account}: not the configured mailbox; last "
                                     f"successful check {_ago(beat.last_ok, now)}. `rejectscan forget "
                                     f"{beat.account}` drops it"))
                    continue
                stale = is_stale(beat.last_ok, now, stale_after)
                detail = (f"{beat.account}: last successful check {_ago(beat.last_ok, now)} ({beat.runner})"
                          + (f"; last error {_ago(beat.last_error_at, now)}: {beat.last_error}"
                             if beat.last_error and (beat.last_ok is None or beat.last_error_at is None
                                                     or beat.last_error_at > beat.last_ok) else ""))
                out.append(Check("heartbeat", not stale, detail,
                                 f"no successful check for over {duration(int(stale_after.total_seconds()))}: start "
                                 "`rejectscan watch` or the cron job (`rejectscan fetch --quiet`), or fix the error "
                                 "above; --stale-after sets how long is too long",
                                 ExitStatus.CONNECT))
    except RejectscanError as exc:  # each store fault's message says what to do
        out.append(Check("store", False, str(exc), "", exc.status))
    except OSError as exc:
        out.append(Check("store", False, f"{path}: not writable ({exc.strerror})", "fix the folder's permissions or pass --db", ExitStatus.STORE))
    return out


def _ago(value: datetime | None, now: datetime) -> str:
    """'12 minutes ago', 'never': durations in words."""
    if value is None:
        return "never"
    seconds = int((now - value).total_seconds())
    return "just now" if seconds < 60 else f"{duration(seconds)} ago"


def _network_checks(imap, mailbox_factory) -> list[Check]:
    out = []
    try:
        addresses = socket.getaddrinfo(imap.host, imap.port, type=socket.SOCK_STREAM)
        out.append(Check("dns", True, f"{imap.host} resolves to {addresses[0][4][0]}"))
    except socket.gaierror as exc:
        return out + [Check("dns", False, f"cannot resolve {imap.host} ({exc.strerror})", "check --host", ExitStatus.CONNECT)]
    try:
        with socket.create_connection((imap.host, imap.port), timeout=imap.timeout) as sock:
            out.append(Check("tcp", True, f"connected to {imap.host}:{imap.port}"))
            if imap.tls == "ssl":
                context = ssl.create_default_context(cafile=imap.cafile)
                with context.wrap_socket(sock, server_hostname=imap.host) as tls:
                    cert = tls.getpeercert()
                    expires = cert.get("notAfter", "?")
                    out.append(Check("tls", True, f"{tls.version()}, certificate verified, expires {expires}"))
    except ssl.SSLCertVerificationError as exc:
        return out + [Check("tls", False, f"certificate not trusted: {exc.verify_message}",
                            "pass your CA with --cafile (or fix the server's certificate)", ExitStatus.CONNECT)]
    except (OSError, ssl.SSLError) as exc:
        return out + [Check("tcp", False, f"cannot connect to {imap.host}:{imap.port} ({exc})",
                            "check --host, --port and --tls, and that the server is up", ExitStatus.CONNECT)]
    try:
        with mailbox_factory() as box:
            out.append(Check("login", True, f"logged in as {imap.user}"))
            caps = box.capabilities()
            wanted = ["IDLE", "SPECIAL-USE", "X-GM-EXT-1", "UIDPLUS", "CONDSTORE"]
            have = [c for c in wanted if c in caps]
            out.append(Check("capabilities", True, f"has {', '.join(have) or 'none of ' + ', '.join(wanted)}"
                             + ("" if "IDLE" in caps else "; no IDLE, so `watch` polls every minute")))
            folders = box.folders()
            out.append(Check("folders", True, f"{listing(folders)} {'exists' if len(folders) == 1 else 'exist'}"))
    except RejectscanError as exc:
        out.append(Check("login", False, str(exc), _fix(exc), exc.status))
    except Exception as exc:
        out.append(Check("login", False, f"{type(exc).__name__}: {exc}", "run with --debug to see the conversation", ExitStatus.CONNECT))
    return out


def scanner_check(patterns, cache) -> Check:
    """Which mbox scanner this machine gets. Never a problem: the fallback is only slower."""
    from rejectscan.prefilter import Prefilter
    from rejectscan.sources.mbox import HyperscanFinder

    try:
        import hyperscan

        HyperscanFinder(Prefilter.for_patterns(patterns), cache)
        return Check("scanner", True, f"Hyperscan {hyperscan.__version__}: mbox exports are scanned at GB/s")
    except Exception as exc:
        return Check("scanner", True, f"Hyperscan unavailable ({exc}): mbox exports are read with the "
                                      "plain splitter, same results, about 5x slower; `pip install hyperscan` "
                                      "where a wheel exists (x86-64 and ARM Linux, macOS, Windows)")


def _fix(exc: RejectscanError) -> str:
    """The next step for a failed login or folder check, concrete for each kind of failure."""
    if isinstance(exc, LoginError):
        return ("check the user name and the password (REJECTSCAN_PASSWORD, password_cmd or the keyring); Gmail, "
                "Outlook and Yahoo need an app password or oauth2_token_cmd, not your web password")
    if isinstance(exc, TLSVerifyError):
        return "pass your CA with --cafile (or fix the server's certificate)"
    if isinstance(exc, FolderMissingError):
        return "fix --folder or folders = [...] in the config; the server's folders are named in the message"
    if isinstance(exc, ConnectError):
        return "check --host, --port and --tls, and that the server is up; --debug shows the conversation"
    return "fix what the message names"
