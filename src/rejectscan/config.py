"""Settings: option > environment > config file (TOML in the platform's config folder) > default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from rejectscan.errors import ConfigError

if TYPE_CHECKING:
    from rejectscan.environment import Environment

ENV_CONFIG = "REJECTSCAN_CONFIG"
ENV_PATTERNS = "REJECTSCAN_PATTERNS"
ENV_DB = "REJECTSCAN_DB"

_TOP_KEYS = {"patterns", "db", "format", "account"}


@dataclass(frozen=True)
class Settings:
    patterns: tuple[str, ...] = ()
    db: str = ""
    format: str = "text"
    account: dict = field(default_factory=dict)
    config_path: str | None = None


def default_config_path(env: "Environment") -> Path:
    return env.folder("config") / "config.toml"


def default_db_path(env: "Environment") -> Path:
    return env.folder("data") / "state.sqlite3"


def read_config(path: Path, explicit: bool) -> dict:
    if not path.exists():
        if explicit:
            raise ConfigError(f"config file {path} does not exist; create it with `rejectscan config init`")
        return {}
    try:
        with open(path, "rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or pass another with --config") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    unknown = sorted(set(data) - _TOP_KEYS)
    if unknown:
        raise ConfigError(f"{path}: unknown key {unknown[0]!r}; known keys: {', '.join(sorted(_TOP_KEYS))}")
    return data


def resolve(options: Mapping[str, object], environment: "Environment") -> Settings:
    """Merge the layers. options holds only what the user actually passed."""
    env = environment.environ
    explicit = options.get("config") or env.get(ENV_CONFIG)
    path = Path(str(explicit)).expanduser() if explicit else default_config_path(environment)
    file = read_config(path, bool(explicit))
    patterns: list[str] = []
    if options.get("patterns"):
        patterns = [str(p) for p in options["patterns"]]  # type: ignore[union-attr]
    elif env.get(ENV_PATTERNS):
        patterns = [p for p in env[ENV_PATTERNS].split(os.pathsep) if p]
    elif file.get("patterns"):
        value = file["patterns"]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{path}: 'patterns' must be a folder or a list of folders")
        patterns = [str(Path(v).expanduser()) for v in value]
    db = options.get("db") or env.get(ENV_DB) or file.get("db")
    fmt = options.get("format") or file.get("format") or "text"
    account = file.get("account", {})
    if not isinstance(account, dict):
        raise ConfigError(f"{path}: [account] must be a table")
    if not db:
        db = default_db_path(environment)
    return Settings(patterns=tuple(patterns), db=str(Path(str(db)).expanduser()), format=str(fmt),
                    account=account, config_path=str(path))


# --- the IMAP account ---------------------------------------------------------------------------

ENV_HOST = "REJECTSCAN_HOST"
ENV_USER = "REJECTSCAN_USER"
ALL_MAIL = "\\All"  # stands for the special-use folder holding all mail (Gmail's "All Mail")
TLS_MODES = ("ssl", "starttls", "none")
_ACCOUNT_KEYS = {"host", "port", "user", "tls", "cafile", "folders", "password_cmd", "oauth2_token_cmd",
                 "allow_plaintext", "timeout", "search_forwards", "addresses", "authserv_ids"}

# Known providers: host and folders from the address, so a newcomer only gives their address.
PROVIDERS: dict[str, tuple[str, tuple[str, ...]]] = {
    "gmail.com": ("imap.gmail.com", (ALL_MAIL,)),
    "googlemail.com": ("imap.gmail.com", (ALL_MAIL,)),
    "outlook.com": ("outlook.office365.com", ("INBOX",)),
    "hotmail.com": ("outlook.office365.com", ("INBOX",)),
    "live.com": ("outlook.office365.com", ("INBOX",)),
    "msn.com": ("outlook.office365.com", ("INBOX",)),
    "office365.com": ("outlook.office365.com", ("INBOX",)),
    "fastmail.com": ("imap.fastmail.com", ("INBOX",)),
    "fastmail.fm": ("imap.fastmail.com", ("INBOX",)),
    "yahoo.com": ("imap.mail.yahoo.com", ("INBOX",)),
    "ymail.com": ("imap.mail.yahoo.com", ("INBOX",)),
    "icloud.com": ("imap.mail.me.com", ("INBOX",)),
    "me.com": ("imap.mail.me.com", ("INBOX",)),
    "mac.com": ("imap.mail.me.com", ("INBOX",)),
}


@dataclass(frozen=True)
class ImapSettings:
    host: str
    port: int
    user: str
    tls: str
    cafile: str | None
    folders: tuple[str, ...]
    password_cmd: str | None
    oauth2_token_cmd: str | None
    timeout: float
    search_forwards: bool

    @property
    def account(self) -> str:
        return f"{self.user}@{self.host}"


def is_loopback(host: str) -> bool:
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def imap_settings(settings: Settings, options: Mapping[str, object], env: Mapping[str, str]) -> ImapSettings:
    """option > environment > config [account] > provider default > default."""
    file = settings.account
    if "password" in file:
        raise ConfigError(f"{settings.config_path}: a password in the config file is not supported; use "
                          "REJECTSCAN_PASSWORD, password_cmd, the keyring or the prompt")
    unknown = sorted(set(file) - _ACCOUNT_KEYS)
    if unknown:
        raise ConfigError(f"{settings.config_path}: unknown key account.{unknown[0]}; known: {', '.join(sorted(_ACCOUNT_KEYS))}")

    def pick(name: str, env_name: str | None = None):
        if options.get(name) not in (None, (), ""):
            return options[name]
        if env_name and env.get(env_name):
            return env[env_name]
        return file.get(name)

    user = pick("user", ENV_USER)
    if not user:
        raise ConfigError("no IMAP user: pass --user, set REJECTSCAN_USER, or run `rejectscan config init`")
    domain = str(user).rsplit("@", 1)[-1].lower() if "@" in str(user) else ""
    provider = PROVIDERS.get(domain)
    host = pick("host", ENV_HOST) or (provider[0] if provider else None)
    if not host:
        raise ConfigError(f"no IMAP host for {user}: pass --host or set host in the config file")
    tls = str(pick("tls") or "ssl")
    if tls not in TLS_MODES:
        raise ConfigError(f"--tls must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    allow_plaintext = bool(options.get("allow_plaintext") or file.get("allow_plaintext"))
    if tls == "none" and not is_loopback(str(host)) and not allow_plaintext:
        raise ConfigError(f"refusing to send your password unencrypted to {host}; use --tls ssl or starttls "
                          "(or --allow-plaintext if you really mean it)")
    port = pick("port") or (993 if tls == "ssl" else 143)
    try:
        port = int(port)
    except (TypeError, ValueError):
        raise ConfigError(f"port must be a number, not {port!r}") from None
    folders = pick("folders") or (provider[1] if provider else ("INBOX",))
    if isinstance(folders, str):
        folders = (folders,)
    timeout = float(pick("timeout") or 30)
    search_forwards = file.get("search_forwards", True)
    cafile = pick("cafile")
    return ImapSettings(host=str(host), port=port, user=str(user), tls=tls,
                        cafile=str(Path(str(cafile)).expanduser()) if cafile else None,
                        folders=tuple(str(f) for f in folders), password_cmd=file.get("password_cmd"),
                        oauth2_token_cmd=file.get("oauth2_token_cmd"), timeout=timeout,
                        search_forwards=bool(search_forwards))


CONFIG_TEMPLATE = """\
# rejectscan configuration. Settings here are overridden by environment variables, and those by
# command-line options. This file may name commands that print secrets: keep it private (0600).

# Your own pattern folders, added to the shipped ones:
# patterns = ["~/rejectscan-patterns"]

# Where rejectscan keeps its state (default: the platform's data folder):
# db = "~/.local/share/rejectscan/state.sqlite3"

[account]
user = "{user}"
# host, port and folders are known for Gmail, Outlook/Office 365, Fastmail, Yahoo and iCloud
# addresses; set them for any other server.
# host = "imap.example.org"
# port = 993
# tls = "ssl"            # ssl (993), starttls (143), or none (loopback hosts only)
# cafile = "~/my-ca.pem" # trust a private certificate authority
# folders = ["INBOX"]    # Gmail default: the All Mail folder, wherever your language puts it

# The password: never on the command line. Either set REJECTSCAN_PASSWORD, or let a command
# print it (like mbsync's PassCmd), or install the keyring extra, or type it at the prompt.
# For Gmail and Outlook use an app password, or OAuth2 below.
# password_cmd = "pass show mail/imap"

# OAuth2 (XOAUTH2) for Gmail and Microsoft 365: a command that prints a fresh access token,
# run on every connect (for example oama, mutt_oauth2.py or a getmail helper).
# oauth2_token_cmd = "oama access {user}"
"""


def write_config_template(path: Path, user: str) -> Path:
    if path.exists():
        raise ConfigError(f"{path} already exists; edit it, or pass --config to write another")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(CONFIG_TEMPLATE.format(user=user or "you@example.org"))
    return path


def config_permission_warning(settings: Settings) -> str | None:
    """A config that says how to get the password or a token should be readable only by you."""
    path = settings.config_path
    if not path or not Path(path).exists():
        return None
    mode = Path(path).stat().st_mode & 0o077
    if mode and any(settings.account.get(k) for k in ("password_cmd", "oauth2_token_cmd")):
        return f"{path} names your password or token command and is readable by other users; run: chmod 600 {path}"
    return None


def trust(settings: Settings, env: Mapping[str, str]):
    """Your own addresses (the login name when it is one, and `addresses`) and the authserv-ids of
    mail servers of your own, from [account]: what authenticity needs to know about you."""
    from rejectscan.authenticity import Trust

    account = settings.account
    addresses = account.get("addresses", [])
    ids = account.get("authserv_ids", [])
    for key, value in (("addresses", addresses), ("authserv_ids", ids)):
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{settings.config_path}: account.{key} must be a list of strings")
    user = env.get(ENV_USER) or account.get("user") or ""
    own = {a.strip().lower() for a in [*addresses, str(user)] if "@" in str(a)}
    return Trust(addresses=frozenset(own), authserv_ids=frozenset(i.strip().lower() for i in ids))
