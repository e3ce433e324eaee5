"""Shared helpers: run the real command (in-process, or as a process where that proves more),
build an isolated environment, find the fixtures, start the test Dovecot."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"
sys.path.insert(0, str(Path(__file__).resolve().parent))  # tests/ helpers (dovecot, faultproxy, fuzzing)


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)

    def records(self) -> list[dict]:
        """JSON lines output, one record a line."""
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


_EMPTY = Path(tempfile.mkdtemp(prefix="rejectscan-test-home-"))


def isolated_env(**extra: str) -> dict[str, str]:
    """This environment without REJECTSCAN_* variables, UTC, and config/data/cache folders that are
    empty, so no user setup leaks into a test; `extra` is added on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJECTSCAN_")}
    env.update({"TZ": "UTC", "XDG_CONFIG_HOME": str(_EMPTY / "config"), "XDG_DATA_HOME": str(_EMPTY / "data"),
                "XDG_CACHE_HOME": str(_EMPTY / "cache")})
    env.update(extra)
    return env


def home_env(tmp_path, config: str | None = None) -> dict[str, str]:
    """HOME with the usual folders and no XDG_* (what cron and systemd give a scheduled run), and
    a private config file there when given."""
    home = tmp_path / "home"
    (home / ".config" / "rejectscan").mkdir(parents=True)
    if config is not None:
        path = home / ".config" / "rejectscan" / "config.toml"
        path.write_text(config)
        path.chmod(0o600)
    return {"HOME": str(home), "XDG_CONFIG_HOME": "", "XDG_DATA_HOME": "", "XDG_CACHE_HOME": ""}


def environment(input: bytes | None = None, env: dict | None = None, stdin_closed: bool = False,
                stderr_tty: bool = False):
    """An Environment as `main` would build it, from isolated_env(); `stderr_tty`: as if a person
    watched stderr (the progress line is drawn)."""
    from rejectscan.environment import Environment

    environ = isolated_env(**(env or {}))
    return Environment(environ=environ, stdin=None if stdin_closed else io.BytesIO(input or b""),
                       stderr_is_tty=stderr_tty,
                       config_dir=_folder(environ, "XDG_CONFIG_HOME"), data_dir=_folder(environ, "XDG_DATA_HOME"),
                       cache_dir=_folder(environ, "XDG_CACHE_HOME"))


def _folder(environ: dict, name: str) -> Path | None:
    """The folder an XDG variable names; None when a test empties it (the usual ones under HOME)."""
    return Path(environ[name]) / "rejectscan" if environ.get(name) else None


def run(*args: str, input: bytes | None = None, env: dict | None = None, stdin_closed: bool = False,
        stderr_tty: bool = False) -> Result:
    """The real command, in this process (click's CliRunner runs the same code a user runs),
    with an isolated Environment."""
    from click.testing import CliRunner

    from rejectscan.cli import cli

    runner = CliRunner()
    result = runner.invoke(cli, list(args), input=input, obj=environment(input, env, stdin_closed, stderr_tty),
                           catch_exceptions=False)
    return Result(result.exit_code, result.stdout, result.stderr)


def run_process(*args: str, input: bytes | None = None, env: dict | None = None, timeout: float = 120,
                **popen) -> Result:
    """The real command as its own process (python -m rejectscan): for what only a process shows
    (kills, a closed stdin, an import blocked by PYTHONPATH, signals)."""
    proc = subprocess.run([sys.executable, "-m", "rejectscan", *args], input=input, capture_output=True,
                          env=isolated_env(**(env or {})), cwd=ROOT, timeout=timeout, **popen)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


def on_a_terminal(args, env=None, columns=80) -> str:
    """The real command as a process with stdout and stderr on a pseudo-terminal of the given width."""
    import fcntl
    import pty
    import struct
    import termios

    main, side = pty.openpty()
    fcntl.ioctl(side, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    environ = isolated_env(**(env or {}))
    environ.pop("COLUMNS", None)
    proc = subprocess.Popen([sys.executable, "-m", "rejectscan", *args], stdout=side, stderr=side,
                            stdin=subprocess.DEVNULL, env=environ, cwd=ROOT)
    os.close(side)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    proc.wait(60)
    os.close(main)
    return out.decode("utf-8", "replace").replace("\r\n", "\n")


@pytest.fixture
def cli():
    return run


def flat(text: str) -> str:
    """Text output with its wrapping undone: what a test looks for may be split across lines."""
    return " ".join(text.split())


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err, result.err
    assert "Traceback" not in result.out


def assert_one_line_error(result: Result, *words: str) -> None:
    """A failure the user can read: exactly one 'rejectscan: ...' line naming what went wrong."""
    assert_no_traceback(result)
    lines = [line for line in result.err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("rejectscan: "), result.err
    for word in words:
        assert re.search(re.escape(word), lines[0], re.IGNORECASE), (word, lines[0])


# --- IMAP: the test Dovecot and what the tests put in it ------------------------------------------

def mail(fixture: str, sent: datetime, msgid: str) -> bytes:
    """A fixture message re-dated and re-identified, as the platform would send it at `sent`."""
    data = (FIXTURES / fixture).read_bytes()
    data = re.sub(rb"(?m)^Date: .*?(\r?)$", b"Date: " + format_datetime(sent).encode() + rb"\1", data, count=1)
    data = re.sub(rb"(?m)^Message-ID: .*?(\r?)$", b"Message-ID: <" + msgid.encode() + rb">\1", data, count=1)
    return data


def with_pdf(message: bytes, size: int) -> bytes:
    """A fixture message of upwork/'s shape (boundary b1_upwork) with a base64 'PDF' of about
    `size` bytes added: a huge message, as invoices and screenshots make them."""
    blob = b"QUJD" * 19 + b"\r\n"
    return message.replace(b"--b1_upwork--", b"--b1_upwork\r\nContent-Type: application/pdf\r\n"
                           b"Content-Transfer-Encoding: base64\r\n\r\n" + blob * (size // len(blob)) + b"--b1_upwork--")

def fetch(dovecot, db, *args, env=None, tls="ssl") -> Result:
    """`rejectscan fetch` against the test Dovecot, with its password in the environment."""
    from dovecot import PASSWORD, USER

    port = dovecot.imaps_port if tls == "ssl" else dovecot.imap_port
    return run("fetch", "--host", "localhost", "--port", str(port), "--user", USER, "--tls", tls,
               "--cafile", str(dovecot.cert), "--db", str(db), *args,
               env={"REJECTSCAN_PASSWORD": PASSWORD, **(env or {})})


def own_config(tmp_path, *lines: str, addresses=("maria.santos@example.org",)) -> str:
    """A config naming the user's own addresses (the fixtures' forwards come from Maria Santos),
    and any other [account] lines: pass it with --config."""
    config = tmp_path / "own.toml"
    listed = ", ".join(f'"{a}"' for a in addresses)
    config.write_text("[account]\n" + f"addresses = [{listed}]\n" + "".join(line + "\n" for line in lines))
    return str(config)


def oauth2_config(dovecot, tmp_path, tls="ssl"):
    """A private config whose oauth2_token_cmd prints the test token endpoint's valid token."""
    from dovecot import TOKEN, USER

    helper = tmp_path / "token.sh"
    helper.write_text(f"#!/bin/sh\necho '{TOKEN}'\n")
    helper.chmod(0o700)
    port = dovecot.imaps_port if tls == "ssl" else dovecot.imap_port
    config = tmp_path / "config.toml"
    config.write_text(f'[account]\nuser = "{USER}"\nhost = "localhost"\nport = {port}\ntls = "{tls}"\n'
                      f'cafile = "{dovecot.cert}"\noauth2_token_cmd = "{helper}"\n')
    config.chmod(0o600)
    return config


def complete_reports(out: bytes) -> list[str]:
    """Message ids of whole report lines; a line the kill cut off was not delivered."""
    ids = []
    for line in out.decode().split("\n")[:-1]:  # the text after the last newline is incomplete
        try:
            ids.append(json.loads(line)["message_id"])
        except json.JSONDecodeError:
            pass
    return ids



@pytest.fixture(scope="session")
def dovecot_server():
    from dovecot import Dovecot

    server = Dovecot().start()
    yield server
    server.close()


@pytest.fixture
def dovecot(dovecot_server):
    """The session's Dovecot with an empty mailbox."""
    dovecot_server.reset()
    dovecot_server.clear_log()
    return dovecot_server


# --- markers: what a test needs beyond Python -----------------------------------------------------

NEEDS = {"dovecot_server": "dovecot", "browser": "chromium"}  # fixture -> marker (pyproject.toml)


def pytest_collection_modifyitems(config, items):
    """Mark each test by the fixtures it uses, directly or through others: `-m "not dovecot and
    not chromium"` then selects the fast tests, which scripts/test.sh runs on every other Python."""
    for item in items:
        for fixture, marker in NEEDS.items():
            if fixture in getattr(item, "fixturenames", ()):
                item.add_marker(marker)
