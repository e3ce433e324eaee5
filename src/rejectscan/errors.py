"""One exception root; each subclass carries the exit status the CLI maps it to.

Messages are written for the user: one line that says what went wrong and what to do next.
"""

from __future__ import annotations

import enum


class ExitStatus(enum.IntEnum):
    """Exit codes, named once here and listed in the README."""

    OK = 0  # done, rejections found or not
    INPUT_UNREADABLE = 1  # some input could not be read; the rest was processed
    USAGE = 2  # bad option, invalid config or invalid patterns
    CONNECT = 3  # cannot connect, authenticate or verify TLS
    STORE = 4  # the state database is busy or damaged


class RejectscanError(Exception):
    """Root of every error rejectscan reports to the user."""

    status: ExitStatus = ExitStatus.USAGE


class UsageError(RejectscanError):
    status = ExitStatus.USAGE


class ConfigError(RejectscanError):
    status = ExitStatus.USAGE


class PatternError(RejectscanError):
    """A pattern file is invalid; the message names the file and the key."""

    status = ExitStatus.USAGE

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file, self.key, self.problem = file, key, problem
        super().__init__(f"{file}: {key}: {problem}")


class InputError(RejectscanError):
    """One input cannot be read or is not mail; the others are still analysed."""

    status = ExitStatus.INPUT_UNREADABLE

    def __init__(self, source: str, problem: str) -> None:
        self.source, self.problem = source, problem
        super().__init__(f"{source}: {problem}")


class NotMailError(InputError):
    pass


class ConnectError(RejectscanError):
    status = ExitStatus.CONNECT


class TLSVerifyError(ConnectError):
    pass


class LoginError(ConnectError):
    pass


class FolderMissingError(ConfigError):
    """The folder named in the options or config does not exist: the setting is wrong (exit 2)."""


class StoreError(RejectscanError):
    status = ExitStatus.STORE


class DatabasePathError(UsageError):
    """--db, REJECTSCAN_DB or `db` in the config names what cannot be a database file (a folder, a
    device, a pipe) or lies in a folder that does not exist: the setting is wrong (exit 2)."""


class StoreBusyError(StoreError):
    """Another rejectscan holds the database or its lock."""


class StoreDamagedError(StoreError):
    """Corrupt pages, or tables that do not match the schema version the file claims."""


class StoreFullError(StoreError):
    """The disk is full: the database is intact and needs only space (never advise discarding it)."""


class StoreDeniedError(StoreError):
    """A folder on the database's path cannot be entered, or the file read, by this user."""


class StoreReadOnlyError(StoreError):
    """The database, its folder or its lock file cannot be written."""


class StoreNewerError(StoreError):
    """A newer rejectscan wrote the database: this one refuses rather than misread it."""


class ScheduleError(UsageError):
    """A crontab or a systemd unit cannot be written as asked; the message says what to do instead."""


class OutputError(UsageError):
    """A file rejectscan was asked to write cannot be written there: another --output is needed."""
