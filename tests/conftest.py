"""Shared helpers: run the real command, find the fixtures."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "fixtures"


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)


def run(*args: str, input: bytes | None = None, env: dict | None = None, cwd: Path | None = None,
        timeout: float = 120) -> Result:
    """The real command, as a user runs it (python -m rejectscan), isolated from the user's setup:
    no REJECTSCAN_* variables, config and data folders that do not exist, UTC unless env says."""
    proc = subprocess.run([sys.executable, "-m", "rejectscan", *args], input=input, capture_output=True,
                          env=isolated_env(**(env or {})), cwd=cwd or ROOT, timeout=timeout)
    return Result(proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace"))


_EMPTY = Path(tempfile.mkdtemp(prefix="rejectscan-test-home-"))


def isolated_env(**extra: str) -> dict[str, str]:
    """This environment without REJECTSCAN_* variables, UTC, and config/data folders that are
    empty, so no user setup leaks into a test; `extra` is added on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("REJECTSCAN_")}
    env.update({"TZ": "UTC", "XDG_CONFIG_HOME": str(_EMPTY / "config"), "XDG_DATA_HOME": str(_EMPTY / "data"),
                "XDG_CACHE_HOME": str(_EMPTY / "cache")})
    env.update(extra)
    return env


@pytest.fixture
def cli():
    return run


def assert_no_traceback(result: Result) -> None:
    assert "Traceback" not in result.err, result.err
    assert "Traceback" not in result.out


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
