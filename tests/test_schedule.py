"""Scheduling that works as written (issue 15, item 2): `schedule cron|systemd` name this
installation by its absolute path and the config and database a scheduled run would not find by
itself. The crontab line run under `env -i` is in test_wheel.py, on a real console script."""

from __future__ import annotations

import os
import shlex
import sys

import pytest
from conftest import home_env, run

from rejectscan import schedule


# --- the pure part -------------------------------------------------------------------------------

def test_the_program_is_the_console_script_by_absolute_path_else_this_python():
    assert schedule.program("/opt/venv/bin/rejectscan", "/usr/bin/python3") == ("/opt/venv/bin/rejectscan",)
    assert schedule.program("rejectscan", "/usr/bin/python3", "/home/u/.local/bin/rejectscan") == \
        ("/home/u/.local/bin/rejectscan",)
    # python -m rejectscan, or a test runner: the interpreter as given (a venv's python is a link
    # whose path, not its target, makes the venv)
    assert schedule.program("/x/rejectscan/__main__.py", "/v/bin/python") == ("/v/bin/python", "-m", "rejectscan")
    assert schedule.program("rejectscan", "/v/bin/python", None) == ("/v/bin/python", "-m", "rejectscan")


def test_options_only_for_what_a_scheduled_run_would_not_find():
    usual = ("/h/.config/rejectscan/config.toml", "/h/.local/share/rejectscan/state.sqlite3")
    assert schedule.extra_options(usual[0], usual[1], *usual) == ()
    assert schedule.extra_options(None, "/elsewhere.db", *usual) == ("--db", "/elsewhere.db")
    assert schedule.extra_options("/c.toml", usual[1], *usual) == ("--config", "/c.toml")


def test_the_cron_line_quotes_for_sh_and_escapes_percent_for_cron():
    line = schedule.cron_line(("/home/me/my tools/bin/rejectscan",), ("--db", "/data/100%.db"))
    fields = line.split(" ", 5)
    assert fields[:5] == ["*/10", "*", "*", "*", "*"]
    command = fields[5].replace("\\%", "%")  # what cron hands to /bin/sh
    assert shlex.split(command, comments=True) == ["/home/me/my tools/bin/rejectscan", "fetch", "--quiet",
                                                   "--since", "7d", "--db", "/data/100%.db"]
    assert "%" not in fields[5].replace("\\%", "")  # a bare % would end the command at a newline


def test_a_second_run_replaces_its_line_and_keeps_the_others():
    first = schedule.cron_line(("/old/rejectscan",))
    table = schedule.merged_crontab(f"MAILTO=me@example.org\n0 3 * * * backup\n{first}\n",
                                    schedule.cron_line(("/new/rejectscan",)))
    assert table.splitlines() == ["MAILTO=me@example.org", "0 3 * * * backup", schedule.cron_line(("/new/rejectscan",))]


def test_exec_start_keeps_specifiers_literal_and_fits_80_columns():
    words = ("/home/me/100% sure/bin/rejectscan", "fetch", "--db", "/a/$HOME/" + "x" * 90)
    text = schedule.exec_start(words)
    assert all(len(line) <= 80 for line in text.splitlines() if "xxxx" not in line)
    joined = text.replace(" \\\n    ", " ")
    assert joined == 'ExecStart="/home/me/100%% sure/bin/rejectscan" fetch --db /a/$$HOME/' + "x" * 90


def test_no_unit_names_a_program_that_does_not_exist():
    for unit in schedule.systemd_units(("/venv/bin/rejectscan",), ()):
        starts = [line for line in unit.text.splitlines() if line.startswith("ExecStart=")]
        assert starts or unit.name.endswith(".timer"), unit.name
        assert all(line.startswith("ExecStart=/venv/bin/rejectscan ") for line in starts), unit.name
        assert "notify" not in " ".join(starts)


# --- through the command ---------------------------------------------------------------------------

def _home(tmp_path, config: str | None = None):
    return {**home_env(tmp_path, config), "PYTHONPATH": ""}


ACCOUNT = '[account]\nuser = "me@example.org"\nhost = "imap.example.org"\npassword_cmd = "pass imap"\n'


def test_cron_dry_run_prints_the_line_alone_with_this_python(tmp_path):
    result = run("schedule", "cron", "--dry-run", env=_home(tmp_path, ACCOUNT))
    assert result.code == 0, result.err
    assert result.out == schedule.cron_line((sys.executable, "-m", "rejectscan")) + "\n"
    assert result.err == ""  # a usable setup: nothing to warn about


def test_cron_names_the_config_and_database_this_run_uses(tmp_path):
    config = tmp_path / "elsewhere.toml"
    config.write_text(ACCOUNT)
    result = run("schedule", "cron", "--dry-run", "--config", str(config), "--db", str(tmp_path / "s.db"),
                 env=_home(tmp_path))
    words = shlex.split(result.out.split(" ", 5)[5], comments=True)
    assert words[-4:] == ["--config", str(config), "--db", str(tmp_path / "s.db")]


def test_schedule_warns_about_what_a_scheduled_run_will_lack(tmp_path):
    result = run("schedule", "cron", "--dry-run", env={**_home(tmp_path), "REJECTSCAN_PASSWORD": "pw"})
    assert result.code == 0
    assert "config init" in result.err and "password_cmd" in result.err


def _fake_crontab(tmp_path, existing: str = ""):
    """A `crontab` on PATH that keeps the table in a file, as the real one keeps it in the spool."""
    bin_dir, table = tmp_path / "bin", tmp_path / "table"
    bin_dir.mkdir()
    if existing:
        table.write_text(existing)
    script = bin_dir / "crontab"
    script.write_text(f'#!/bin/sh\nif [ "$1" = -l ]; then [ -f {table} ] || {{ echo "no crontab for you" >&2; '
                      f"exit 1; }}; exec cat {table}; fi\nexec cat > {table}\n")
    script.chmod(0o755)
    return {"PATH": f"{bin_dir}:{os.environ['PATH']}"}, table


def test_cron_adds_its_line_to_the_crontab_once(tmp_path):
    path_env, table = _fake_crontab(tmp_path, "0 3 * * * backup\n")
    env = {**_home(tmp_path, ACCOUNT), **path_env}
    first = run("schedule", "cron", env=env)
    assert first.code == 0, first.err
    assert "crontab -l" in first.out
    line = schedule.cron_line((sys.executable, "-m", "rejectscan"))
    assert table.read_text() == f"0 3 * * * backup\n{line}\n"
    assert run("schedule", "cron", env=env).code == 0
    assert table.read_text() == f"0 3 * * * backup\n{line}\n"  # replaced, not added twice


def test_cron_without_a_crontab_command_says_what_to_do(tmp_path):
    empty = tmp_path / "nothing"
    empty.mkdir()
    result = run("schedule", "cron", env={**_home(tmp_path, ACCOUNT), "PATH": str(empty)})
    assert result.code == 2
    assert "install cron" in result.err and "--dry-run" in result.err


def test_systemd_writes_the_units_with_this_path_and_refuses_to_clobber(tmp_path):
    env = _home(tmp_path, ACCOUNT)
    result = run("schedule", "systemd", env=env)
    assert result.code == 0, result.err
    folder = tmp_path / "home" / ".config" / "systemd" / "user"
    names = sorted(p.name for p in folder.iterdir())
    assert names == ["rejectscan-fetch.service", "rejectscan-fetch.timer", "rejectscan-watch.service"]
    fetch = (folder / "rejectscan-fetch.service").read_text().replace(" \\\n    ", " ")
    assert f"ExecStart={sys.executable} -m rejectscan fetch --quiet" in fetch  # however long the path
    assert "enable --now rejectscan-fetch.timer" in result.out
    assert run("schedule", "systemd", env=env).code == 0  # the same units again: fine
    (folder / "rejectscan-watch.service").write_text("[Service]\nExecStart=/mine\n")
    refused = run("schedule", "systemd", env=env)
    assert refused.code == 2 and "--force" in refused.err
    assert (folder / "rejectscan-watch.service").read_text() == "[Service]\nExecStart=/mine\n"
    assert run("schedule", "systemd", "--force", env=env).code == 0
    assert "ExecStart=/mine" not in (folder / "rejectscan-watch.service").read_text()


def test_systemd_dry_run_writes_nothing(tmp_path):
    env = _home(tmp_path, ACCOUNT)
    result = run("schedule", "systemd", "--dry-run", env=env)
    assert result.code == 0
    assert "# ~/.config/systemd/user/rejectscan-watch.service" in result.out
    assert not (tmp_path / "home" / ".config" / "systemd").exists()
    # Only a line holding this install's path, which cannot be broken, may be longer.
    assert all(len(line) <= 80 or sys.executable in line for line in result.out.splitlines())


@pytest.mark.skipif(not os.path.exists("/usr/bin/systemd-analyze"), reason="needs systemd-analyze")
def test_systemd_accepts_the_units_and_finds_their_program(tmp_path):
    """systemd-analyze verify reads each unit as systemd would, and fails on a program that does
    not exist (as the old watch unit's rejectscan-notify did)."""
    import subprocess

    env = _home(tmp_path, ACCOUNT)
    assert run("schedule", "systemd", env=env).code == 0
    folder = tmp_path / "home" / ".config" / "systemd" / "user"
    for unit in ("rejectscan-fetch.service", "rejectscan-fetch.timer", "rejectscan-watch.service"):
        verify = subprocess.run(["systemd-analyze", "verify", str(folder / unit)], capture_output=True, text=True)
        assert verify.returncode == 0 and not verify.stderr.strip(), (unit, verify.stderr)


def test_the_shipped_units_run_what_schedule_writes():
    """contrib/systemd (for a `pip install --user`) starts the same commands as the written units."""
    from conftest import ROOT

    written = {u.name: u.text for u in schedule.systemd_units(("%h/.local/bin/rejectscan",), ())}
    for path in sorted((ROOT / "contrib" / "systemd").glob("*.service")):
        shipped = [line for line in path.read_text().splitlines() if line.startswith("ExecStart=")]
        ours = written[path.name].replace("%%", "%").replace(" \\\n    ", " ")
        assert shipped == [line for line in ours.splitlines() if line.startswith("ExecStart=")], path.name


def test_systemd_dry_run_names_the_folder_the_units_would_go_to(tmp_path):
    env = {**_home(tmp_path, ACCOUNT), "XDG_CONFIG_HOME": str(tmp_path / "elsewhere")}
    result = run("schedule", "systemd", "--dry-run", env=env)
    assert f"# {tmp_path / 'elsewhere'}/systemd/user/rejectscan-fetch.service" in result.out
