"""Settings: option > environment > config file > default; the config file and where things live."""

from __future__ import annotations

from pathlib import Path

from conftest import assert_one_line_error, environment, home_env, run
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


def test_a_config_not_saved_as_utf8_is_a_config_error_naming_the_file(tmp_path):
    """Notepad's "Unicode" (UTF-16) once gave `internal error: UnicodeDecodeError` everywhere."""
    utf16 = tmp_path / "utf16.toml"
    utf16.write_bytes('format = "json"\n'.encode("utf-16"))  # starts with the \xff\xfe byte-order mark
    latin1 = tmp_path / "latin1.toml"
    latin1.write_bytes('db = "/tmp/r\u00e9sum\u00e9.db"\n'.encode("latin-1"))
    eml = str(Path(__file__).resolve().parents[1] / "fixtures/upwork/bot-rejection.eml")
    for path, found in ((utf16, "saved as UTF-16"), (latin1, "not UTF-8")):
        for args in (("config", "show"), ("analyze", eml), ("doctor",), ("history",)):
            result = run(*args, "--config", str(path), "--db", str(tmp_path / "s.db"))
            assert result.code == 2, (args, result.err)
            assert_one_line_error(result, str(path), found, "save it as UTF-8")


def test_a_utf8_config_with_a_byte_order_mark_is_read(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + b'format = "jsonl"\n')
    assert resolve({"config": str(path)}, environment()).format == "jsonl"


# --- config show and config path ------------------------------------------------------------------

_home = home_env


ACCOUNT = '[account]\nuser = "me@example.org"\nhost = "imap.example.org"\npassword_cmd = "pass imap"\n'


def test_config_show_tells_every_setting_and_its_origin_never_the_password(tmp_path):
    env = {**_home(tmp_path, ACCOUNT.replace("pass imap", "echo s3cret-from-cmd")),
           "REJECTSCAN_PASSWORD": "hunter2-in-env", "REJECTSCAN_DB": str(tmp_path / "x.db"), "COLUMNS": "80"}
    result = run("config", "show", env=env)
    assert result.code == 0, result.err
    assert "hunter2" not in result.out and "s3cret" not in result.out
    assert max(len(line) for line in result.out.splitlines()) <= 80
    lines = result.out.replace("\n  ", " ").splitlines()  # one setting a line, its wrapping undone
    lines = [" ".join(line.split()) for line in lines]
    assert any(line.startswith("password:") and "REJECTSCAN_PASSWORD" in line for line in lines)
    assert any(line.startswith("database:") and "[REJECTSCAN_DB]" in line for line in lines)
    assert any(line.startswith("host:") and "imap.example.org" in line and "[config file]" in line for line in lines)
    assert any(line.startswith("port:") and "993" in line and "[default]" in line for line in lines)
    assert any(line.startswith("cache:") and "/.cache/rejectscan" in line for line in lines)


def test_config_show_without_a_config_says_how_to_make_one(tmp_path):
    result = run("config", "show", env=_home(tmp_path))
    assert result.code == 0
    assert "config init" in result.out and "not usable" in result.out


def test_config_path_prints_the_file_this_run_reads(tmp_path):
    env = _home(tmp_path, ACCOUNT)
    result = run("config", "path", env=env)
    assert result.out == str(tmp_path / "home" / ".config" / "rejectscan" / "config.toml") + "\n"
    assert result.err == ""
    other = run("config", "path", env={**env, "REJECTSCAN_CONFIG": str(tmp_path / "new.toml")})
    assert other.out == str(tmp_path / "new.toml") + "\n" and "config init" in other.err
