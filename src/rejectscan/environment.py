"""The environment a run happens in, built once in `main` and passed down.

Nothing below the command line reads `os.environ`, the clock, the user's zone or folders on its
own: they come from here, so a test builds an Environment of its own instead of patching
globals (the way httpie passes its Environment around).
"""

from __future__ import annotations

import functools
import os
import sys
from dataclasses import dataclass, field
from datetime import datetime, timezone, tzinfo
from pathlib import Path
from typing import BinaryIO, Callable, Mapping

from rejectscan.logs import Redactor


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class Environment:
    environ: Mapping[str, str]
    stdin: BinaryIO | None = None  # None when the process has no standard input at all (fd 0 closed)
    stdin_is_tty: bool = False
    stdout_is_tty: bool = False
    stderr_is_tty: bool = False
    columns: int | None = None  # the terminal's width, when stdout is one
    stderr_columns: int | None = None  # the terminal's width, when stderr is one (the progress line)
    clock: Callable[[], datetime] = _utc_now
    config_dir: Path | None = None  # None: the platform's folders (platformdirs), looked up on use
    data_dir: Path | None = None
    cache_dir: Path | None = None
    redactor: Redactor = field(default_factory=Redactor)
    argv0: str = ""  # how this process was started (sys.argv[0]): `schedule` writes its path
    python: str = field(default_factory=lambda: sys.executable)

    @classmethod
    def from_os(cls) -> "Environment":
        stdin = sys.stdin.buffer if sys.stdin is not None else None
        out_tty, err_tty = _isatty(sys.stdout), _isatty(sys.stderr)
        return cls(environ=dict(os.environ), stdin=stdin, stdin_is_tty=_isatty(sys.stdin),
                   stdout_is_tty=out_tty, stderr_is_tty=err_tty,
                   columns=_columns(sys.stdout) if out_tty else None,
                   stderr_columns=_columns(sys.stderr) if err_tty else None, argv0=sys.argv[0] if sys.argv else "")

    @property
    def zone(self) -> tzinfo:
        """The user's zone: TZ if set, else the system's; UTC when neither can be known, or when TZ
        names no zone (zone_warning then says so: the caller shows it)."""
        return self._zone[0]

    @property
    def zone_warning(self) -> str | None:
        """One line for the user when TZ is set but names no zone, so UTC is used in its place. Asked
        on every command: with no TZ it looks nothing up (the system zone waits until a time is shown)."""
        return self._zone[1] if self.environ.get("TZ", "").lstrip(":") else None

    @functools.cached_property
    def _zone(self) -> tuple[tzinfo, str | None]:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        name = self.environ.get("TZ", "").lstrip(":")
        if name:
            try:
                if name.startswith("/"):  # TZ=/usr/share/zoneinfo/Europe/Berlin, as glibc allows
                    with open(name, "rb") as file:
                        return ZoneInfo.from_file(file, key=name), None
                return ZoneInfo(name), None
            except (ZoneInfoNotFoundError, ValueError, OSError):
                shown = name if len(name) <= 40 else name[:37] + "..."
                return timezone.utc, (f"TZ={shown!r} names no time zone, so times are read and shown in UTC; "
                                      "set TZ to a zone name such as 'Europe/Berlin', or unset it")
        try:
            import tzlocal

            return tzlocal.get_localzone(), None
        except Exception:
            return timezone.utc, None

    def now(self) -> datetime:
        """Now, in the user's zone."""
        return self.clock().astimezone(self.zone)

    def folder(self, kind: str) -> Path:
        """The config, data or cache folder: as given, else the platform's."""
        given = {"config": self.config_dir, "data": self.data_dir, "cache": self.cache_dir}[kind]
        if given is not None:
            return given
        import platformdirs

        xdg = {"config": "XDG_CONFIG_HOME", "data": "XDG_DATA_HOME", "cache": "XDG_CACHE_HOME"}[kind]
        if self.environ.get(xdg) and sys.platform.startswith("linux"):
            return Path(self.environ[xdg]) / "rejectscan"
        if self.environ.get("HOME") and sys.platform.startswith("linux"):  # platformdirs' choice, from our HOME
            usual = {"config": ".config", "data": ".local/share", "cache": ".cache"}[kind]
            return Path(self.environ["HOME"]) / usual / "rejectscan"
        return {"config": platformdirs.user_config_path, "data": platformdirs.user_data_path,
                "cache": platformdirs.user_cache_path}[kind]("rejectscan")


def _columns(stream) -> int | None:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return None


def _isatty(stream) -> bool:
    try:
        return stream is not None and stream.isatty()
    except (ValueError, OSError):
        return False
