"""Settings: option > environment > config file (TOML in the platform's config folder) > default."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from rejectscan.compat import tomllib
from rejectscan.errors import ConfigError
from rejectscan.models import ForwardSearch

if TYPE_CHECKING:
    from rejectscan.environment import Environment

ENV_CONFIG = "REJECTSCAN_CONFIG"
ENV_PATTERNS = "REJECTSCAN_PATTERNS"
ENV_DB = "REJECTSCAN_DB"

FORMATS = ("text", "json", "jsonl", "csv")
TLS_MODES = ("ssl", "starttls", "none")


class _Invalid(ValueError):
    """What a value must be, for the message that names the file and the key."""


def _string(value):
    if not isinstance(value, str) or not value.strip() or any(ord(c) < 32 for c in value):
        raise _Invalid("a non-empty string on one line")
    return value


def _strings(value):
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not value or not all(isinstance(v, str) and v.strip() for v in value):
        raise _Invalid("a string or a list of non-empty strings")
    return [str(v) for v in value]


def _boolean(value):
    if not isinstance(value, bool):
        raise _Invalid("true or false (without quotes)")
    return value


def _choice(*choices):
    def check(value):
        if value not in choices:
            raise _Invalid("one of " + ", ".join(f'"{c}"' for c in choices))
        return value

    return check


def _forward_search(value):
    """"headers", "body" or false; an older config's true meant the BODY search, so it still does."""
    if value is True:
        return ForwardSearch.BODY
    if value is False:
        return ForwardSearch.OFF
    if value in (ForwardSearch.HEADERS.value, ForwardSearch.BODY.value):
        return ForwardSearch(value)
    raise _Invalid('"headers", "body" or false')


def _number(low: float, high: float, whole: bool = False):
    def check(value):
        kind = int if whole else (int, float)
        if isinstance(value, bool) or not isinstance(value, kind) or value != value or not low <= value <= high:
            raise _Invalid(f"a {'whole ' if whole else ''}number from {low:g} to {high:g}")
        return value

    return check


def _host(value):
    value = _string(value)
    if not valid_host(value):
        raise _Invalid("a host name (letters, digits, hyphens and dots, each part at most 63 long) or an IP address")
    return value


def valid_host(host: str) -> bool:
    """A DNS name (IDNA allowed) or an IP address, as a resolver would accept it."""
    import ipaddress

    try:
        ipaddress.ip_address(host.strip("[]"))
        return True
    except ValueError:
        pass
    try:
        ascii_host = host.rstrip(".").encode("idna").decode("ascii")
    except (UnicodeError, ValueError):
        return False
    labels = ascii_host.split(".")
    return 0 < len(ascii_host) <= 253 and all(
        0 < len(label) <= 63 and label[0] != "-" and label[-1] != "-"
        and all(c.isalnum() or c in "-_" for c in label) for label in labels)


# Every key of the config file, each with what it must be (checked on load, file and key named).
_TOP = {"patterns": _strings, "db": _string, "format": _choice(*FORMATS), "account": None}
_ACCOUNT = {
    "host": _host, "port": _number(1, 65535, whole=True), "user": _string, "tls": _choice(*TLS_MODES),
    "cafile": _string, "folders": _strings, "password_cmd": _string, "oauth2_token_cmd": _string,
    "allow_plaintext": _boolean, "timeout": _number(1, 3600), "search_forwards": _forward_search,
    "addresses": _strings, "authserv_ids": _strings,
}


def _checked(path: Path, table: str, data: dict, keys: dict) -> dict:
    unknown = sorted(set(data) - set(keys))
    if unknown:
        where = f"{table}.{unknown[0]}" if table else unknown[0]
        raise ConfigError(f"{path}: unknown key {where!r}; known keys here: {', '.join(sorted(keys))}")
    out = {}
    for key, value in data.items():
        check = keys[key]
        if check is None:
            out[key] = value
            continue
        try:
            out[key] = check(value)
        except _Invalid as exc:
            shown = repr(value) if len(repr(value)) <= 60 else repr(value)[:57] + "..."
            raise ConfigError(f"{path}: {table + '.' if table else ''}{key} must be {exc}, not {shown}") from None
    return out


@dataclass(frozen=True)
class Settings:
    patterns: tuple[str, ...] = ()
    db: str = ""
    format: str = "text"
    account: dict = field(default_factory=dict)
    config_path: str | None = None
    db_named_by: str | None = None  # "--db", "REJECTSCAN_DB" or "config"; None: the default


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
            raw = fh.read()
    except OSError as exc:
        raise ConfigError(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        data = tomllib.loads(_text(path, raw))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc}); fix the file or pass another with --config") from None
    if "account" in data and "password" in data.get("account", {}):
        raise ConfigError(f"{path}: a password in the config file is not supported; use REJECTSCAN_PASSWORD, "
                          "password_cmd, the keyring or the prompt")
    data = _checked(path, "", data, _TOP)
    if "account" in data:
        if not isinstance(data["account"], dict):
            raise ConfigError(f"{path}: account must be a table ([account])")
        data["account"] = _checked(path, "account", data["account"], _ACCOUNT)
    return data


def _text(path: Path, raw: bytes) -> str:
    """The file as TOML requires it, UTF-8 (a leading byte-order mark, as some editors write, is
    dropped); anything else is a config error that names the file and says how to save it."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff"))
        found = "saved as UTF-16" if utf16 else f"not UTF-8 (byte {exc.start + 1} is 0x{raw[exc.start]:02x})"
        raise ConfigError(f"{path}: {found}; save it as UTF-8 (the encoding TOML requires) or pass another "
                          "with --config") from None


def config_file(given: object, environment: "Environment") -> tuple[Path, bool]:
    """The config file a run reads: --config, else REJECTSCAN_CONFIG, else the usual one; and
    whether it was named (then it must exist)."""
    explicit = given or environment.environ.get(ENV_CONFIG)
    return (Path(str(explicit)).expanduser() if explicit else default_config_path(environment)), bool(explicit)


def resolve(options: Mapping[str, object], environment: "Environment") -> Settings:
    """Merge the layers. options holds only what the user actually passed."""
    env = environment.environ
    path, explicit = config_file(options.get("config"), environment)
    file = read_config(path, explicit)
    patterns: list[str] = []
    if options.get("patterns"):
        patterns = [str(p) for p in options["patterns"]]  # type: ignore[union-attr]
    elif env.get(ENV_PATTERNS):
        patterns = [p for p in env[ENV_PATTERNS].split(os.pathsep) if p]
    elif file.get("patterns"):
        patterns = [str(Path(v).expanduser()) for v in file["patterns"]]
    db = options.get("db") or env.get(ENV_DB) or file.get("db")
    named_by = "--db" if options.get("db") else ENV_DB if env.get(ENV_DB) else "config" if db else None
    fmt = options.get("format") or file.get("format") or "text"
    account = file.get("account", {})
    if not db:
        db = default_db_path(environment)
    return Settings(patterns=tuple(patterns), db=str(Path(str(db)).expanduser()), format=str(fmt),
                    account=account, config_path=str(path), db_named_by=named_by)


# --- the IMAP account ---------------------------------------------------------------------------

ENV_HOST = "REJECTSCAN_HOST"
ENV_USER = "REJECTSCAN_USER"
ALL_MAIL = "\\All"  # stands for the special-use folder holding all mail (Gmail's "All Mail")

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
    search_forwards: ForwardSearch

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
    file = settings.account  # checked on load (_ACCOUNT)

    def pick(name: str, env_name: str | None = None):
        if options.get(name) not in (None, (), ""):
            return options[name]
        if env_name and env.get(env_name):
            return env[env_name]
        return file.get(name)

    user = pick("user", ENV_USER)
    if not user:
        raise ConfigError("no IMAP user: pass --user, set REJECTSCAN_USER, or run `rejectscan config init`")
    if any(ord(c) < 32 for c in str(user)):
        raise ConfigError("the IMAP user name holds a control character; give it on one line")
    domain = str(user).rsplit("@", 1)[-1].lower() if "@" in str(user) else ""
    provider = PROVIDERS.get(domain)
    host = pick("host", ENV_HOST) or (provider[0] if provider else None)
    if not host:
        raise ConfigError(f"no IMAP host for {user}: pass --host or set host in the config file")
    if not valid_host(str(host)):
        raise ConfigError(f"{str(host)[:80]!r} is not a host name: letters, digits, hyphens and dots, each part "
                          "at most 63 characters (or an IP address); check --host")
    tls = str(pick("tls") or "ssl")
    if tls not in TLS_MODES:
        raise ConfigError(f"--tls must be one of {', '.join(TLS_MODES)}, not {tls!r}")
    allow_plaintext = bool(options.get("allow_plaintext") or file.get("allow_plaintext"))
    if tls == "none" and not is_loopback(str(host)) and not allow_plaintext:
        raise ConfigError(f"refusing to send your password unencrypted to {host}; use --tls ssl or starttls "
                          "(or --allow-plaintext if you really mean it)")
    port = pick("port")
    port = (993 if tls == "ssl" else 143) if port is None else port
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise ConfigError(f"the port must be a whole number from 1 to 65535, not {port!r}")
    folders = pick("folders") or (provider[1] if provider else ("INBOX",))
    if isinstance(folders, str):
        folders = (folders,)
    timeout = float(pick("timeout") or 30)
    search_forwards = file.get("search_forwards", ForwardSearch.HEADERS)  # checked on load (_forward_search)
    cafile = pick("cafile")
    if cafile:
        _check_cafile(Path(str(cafile)).expanduser())
    return ImapSettings(host=str(host), port=port, user=str(user), tls=tls,
                        cafile=str(Path(str(cafile)).expanduser()) if cafile else None,
                        folders=tuple(str(f) for f in folders), password_cmd=file.get("password_cmd"),
                        oauth2_token_cmd=file.get("oauth2_token_cmd"), timeout=timeout,
                        search_forwards=search_forwards)


CONFIG_TEMPLATE = """\
# rejectscan configuration. Settings here are overridden by environment variables, and those by
# command-line options. This file may name commands that print secrets: keep it private (0600).

# Your own pattern folders, added to the shipped ones:
# patterns = ["~/rejectscan-patterns"]

# Where rejectscan keeps its state (default: the platform's data folder):
# db = "~/.local/share/rejectscan/state.sqlite3"

[account]
user = {user_toml}
# host, port and folders are known for Gmail, Outlook/Office 365, Fastmail, Yahoo and iCloud
# addresses; set them for any other server.
# host = "imap.example.org"
# port = 993
# tls = "ssl"            # ssl (993), starttls (143), or none (loopback hosts only)
# cafile = "~/my-ca.pem" # trust a private certificate authority
# folders = ["INBOX"]    # Gmail default: the All Mail folder, wherever your language puts it

# Your other addresses (aliases, accounts that forward here): your forwards from them are found too.
# addresses = ["me@example.net"]
# How forwards of platform mail are looked for: "headers" (your own, from headers alone; any
# server), "body" (also any forward someone else sent: only for servers with a full-text index),
# or false (none).
# search_forwards = "headers"

# The password: never on the command line. Either set REJECTSCAN_PASSWORD, or let a command
# print it (like mbsync's PassCmd), or install the keyring extra, or type it at the prompt.
# For Gmail and Outlook use an app password, or OAuth2 below.
# password_cmd = "pass show mail/imap"

# OAuth2 (XOAUTH2) for Gmail and Microsoft 365: a command that prints a fresh access token,
# run on every connect (for example oama, mutt_oauth2.py or a getmail helper).
# oauth2_token_cmd = "oama access you@example.org"
"""


def write_config_template(path: Path, user: str) -> Path:
    """The commented template, mode 0600, with the user written as a TOML string whatever it holds."""
    import json

    if any(ord(c) < 32 for c in user):
        raise ConfigError("--user holds a line break or a control character; give the address on one line")
    if path.exists():
        raise ConfigError(f"{path} already exists; edit it, or pass --config to write another")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(str(path), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(CONFIG_TEMPLATE.format(user_toml=json.dumps(user or "you@example.org")))
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


def _check_cafile(path: Path) -> None:
    """A CA file that is missing or is not a certificate is a setting to fix, said before connecting."""
    import ssl

    if not path.is_file():
        raise ConfigError(f"the CA file {path} does not exist; check --cafile or cafile in the config")
    try:
        ssl.create_default_context(cafile=str(path))
    except (ssl.SSLError, OSError, ValueError):
        raise ConfigError(f"the CA file {path} holds no PEM certificate; give the CA certificate of your server "
                          "(-----BEGIN CERTIFICATE-----)") from None
