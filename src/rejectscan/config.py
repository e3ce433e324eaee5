"""Settings: option > environment > config file (TOML in the platform's config folder) > default."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from rejectscan.errors import ConfigError

ENV_CONFIG = "REJECTSCAN_CONFIG"
ENV_PATTERNS = "REJECTSCAN_PATTERNS"
ENV_DB = "REJECTSCAN_DB"

_TOP_KEYS = {"patterns", "db", "format", "account"}


@dataclass(frozen=True)
class Settings:
    patterns: tuple[str, ...] = ()
    db: str | None = None
    format: str = "text"
    account: dict = field(default_factory=dict)
    config_path: str | None = None


def default_config_path() -> Path:
    import platformdirs

    return platformdirs.user_config_path("rejectscan") / "config.toml"


def default_db_path() -> Path:
    import platformdirs

    return platformdirs.user_data_path("rejectscan") / "state.sqlite3"


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


def resolve(options: Mapping[str, object], env: Mapping[str, str] | None = None) -> Settings:
    """Merge the layers. options holds only what the user actually passed."""
    env = os.environ if env is None else env
    explicit = options.get("config") or env.get(ENV_CONFIG)
    path = Path(str(explicit)).expanduser() if explicit else default_config_path()
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
    return Settings(patterns=tuple(patterns), db=str(db) if db else None, format=str(fmt),
                    account=account, config_path=str(path))
