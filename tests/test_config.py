"""Settings: option > environment > config file > default; the config file and where things live."""

from __future__ import annotations

from pathlib import Path

from conftest import environment, run
from rejectscan.config import Settings, imap_settings, resolve


def test_config_init_writes_a_private_file(tmp_path):
    path = tmp_path / "cfg" / "config.toml"
    result = run("config", "init", "--user", "maria@gmail.com", "--config", str(path))
    assert result.code == 0
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert 'user = "maria@gmail.com"' in path.read_text()
    again = run("config", "init", "--config", str(path))
    assert again.code == 2 and "already exists" in again.err


def test_provider_defaults_and_precedence():
    gmail = imap_settings(Settings(account={"user": "maria@gmail.com"}), {}, env={})
    assert (gmail.host, gmail.port, gmail.folders) == ("imap.gmail.com", 993, ("\\All",))
    outlook = imap_settings(Settings(account={"user": "m@outlook.com", "folders": ["Archive"]}), {}, env={})
    assert outlook.host == "outlook.office365.com" and outlook.folders == ("Archive",)
    layered = imap_settings(Settings(account={"user": "file@example.org", "host": "file.example.org"}),
                            {"host": "option.example.org"}, env={"REJECTSCAN_HOST": "env.example.org",
                                                                 "REJECTSCAN_USER": "env@example.org"})
    assert (layered.host, layered.user) == ("option.example.org", "env@example.org")


def test_where_things_live_comes_from_the_environment(tmp_path):
    env = environment(env={"XDG_DATA_HOME": str(tmp_path / "data")})
    assert Path(resolve({}, env).db) == env.folder("data") / "state.sqlite3"
    (tmp_path / "c.toml").write_text('db = "~/elsewhere.db"\nformat = "jsonl"\n')
    from_file = resolve({"config": str(tmp_path / "c.toml")}, env)
    assert from_file.db == str(Path("~/elsewhere.db").expanduser()) and from_file.format == "jsonl"
    from_env = resolve({"config": str(tmp_path / "c.toml")},
                       environment(env={"REJECTSCAN_DB": str(tmp_path / "env.db")}))
    assert from_env.db == str(tmp_path / "env.db")
    option = resolve({"config": str(tmp_path / "c.toml"), "db": str(tmp_path / "opt.db"), "format": "csv"}, env)
    assert (option.db, option.format) == (str(tmp_path / "opt.db"), "csv")


def test_a_missing_named_config_is_a_usage_error(tmp_path):
    result = run("history", "--config", str(tmp_path / "nope.toml"))
    assert result.code == 2 and "does not exist; create it with `rejectscan config init`" in result.err
