"""Where the password or OAuth2 token comes from. Never a command-line argument, never logged.

Order: REJECTSCAN_PASSWORD, the config's password_cmd (like mbsync's PassCmd), the system
keyring (optional extra), a prompt on a terminal. OAuth2 tokens come from oauth2_token_cmd,
run afresh on every connect so an expired token is never reused.
"""

from __future__ import annotations

import shlex
import subprocess
from dataclasses import dataclass, field
from typing import Callable, Mapping

from rejectscan.errors import ConfigError

ENV_PASSWORD = "REJECTSCAN_PASSWORD"
KEYRING_SERVICE = "rejectscan"


@dataclass(frozen=True)
class Credential:
    user: str
    secret: str = field(repr=False)
    kind: str  # "password" or "oauth2"
    origin: str  # where it came from, safe to show


def run_secret_command(command: str, what: str, environ: Mapping[str, str], timeout: float = 30.0) -> str:
    """Run a helper without a shell; its output is the secret, so errors never include it."""
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise ConfigError(f"{what} cannot be parsed ({exc}); write it as a command line") from None
    if not argv:
        raise ConfigError(f"{what} is empty")
    try:
        proc = subprocess.run(argv, capture_output=True, timeout=timeout, stdin=subprocess.DEVNULL, env=dict(environ))
    except FileNotFoundError:
        raise ConfigError(f"{what}: program {argv[0]!r} not found") from None
    except subprocess.TimeoutExpired:
        raise ConfigError(f"{what} did not finish within {timeout:g} seconds") from None
    if proc.returncode != 0:
        raise ConfigError(f"{what} failed with exit status {proc.returncode}; run it yourself to see why")
    secret = proc.stdout.decode("utf-8", "replace").strip("\r\n")
    if not secret:
        raise ConfigError(f"{what} printed nothing")
    return secret


def resolve_password(user: str, host: str, password_cmd: str | None, env: Mapping[str, str],
                     prompt: Callable[[str], str] | None = None) -> Credential:
    if env.get(ENV_PASSWORD):
        return Credential(user, env[ENV_PASSWORD], "password", f"${ENV_PASSWORD}")
    if password_cmd:
        return Credential(user, run_secret_command(password_cmd, "password_cmd", env), "password", "password_cmd")
    secret = _keyring(user, host)
    if secret:
        return Credential(user, secret, "password", "the system keyring")
    if prompt is not None:
        return Credential(user, prompt(f"IMAP password for {user} on {host}"), "password", "the prompt")
    raise ConfigError(f"no password for {user} on {host}: set {ENV_PASSWORD}, or password_cmd or "
                      "oauth2_token_cmd in the config file (never on the command line)")


def resolve_token(user: str, token_cmd: str, env: Mapping[str, str]) -> Credential:
    return Credential(user, run_secret_command(token_cmd, "oauth2_token_cmd", env), "oauth2", "oauth2_token_cmd")


def _keyring(user: str, host: str) -> str | None:
    try:
        import keyring  # optional extra: pip install 'rejectscan[keyring]'
    except ImportError:
        return None
    try:
        return keyring.get_password(KEYRING_SERVICE, f"{user}@{host}")
    except Exception:
        return None
