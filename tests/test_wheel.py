"""A plain (non-editable) install finds the shipped patterns: build the wheel, install it into a
fresh venv, and run it from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from datetime import datetime, timedelta, timezone

import pytest
from conftest import FIXTURES, ROOT, mail


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """The wheel, built and installed into a fresh venv with its console script: (wheel, venv)."""
    tmp_path = tmp_path_factory.mktemp("wheel")
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("rejectscan-*.whl"))

    # A truly fresh venv: the wheel's declared dependencies are all it gets, so a missing one fails
    # here as it would for a user (a venv borrowing the machine's packages once hid google-re2).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
    return wheel, venv


def test_wheel_ships_patterns_and_runs(installed, tmp_path):
    wheel, venv = installed
    names = zipfile.ZipFile(wheel).namelist()
    assert "rejectscan/shipped_patterns/upwork.toml" in names
    assert "rejectscan/shipped_patterns/advice.toml" in names
    py = venv / "bin" / "python"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "cfg")}
    env.pop("PYTHONPATH", None)
    where = subprocess.run([str(py), "-c", "import rejectscan.patterns as p; print(p.shipped_dir())"],
                           cwd=elsewhere, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert where.startswith(str(venv)), where
    assert "shipped_patterns" in where
    result = subprocess.run([str(venv / "bin" / "rejectscan"), "analyze", str(FIXTURES / "upwork/bot-rejection.eml"),
                             "--submitted-at", "2026-11-24T15:03:00Z", "--format", "json"],
                            cwd=elsewhere, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert '"label": "automated"' in result.stdout
    lint = subprocess.run([str(venv / "bin" / "rejectscan"), "patterns", "lint"], cwd=elsewhere, env=env,
                          capture_output=True, text=True)
    assert lint.returncode == 0, lint.stderr


def test_the_scheduled_crontab_line_runs_under_cron_s_bare_environment(installed, dovecot, tmp_path):
    """What `schedule cron` prints, run as cron runs it: /bin/sh -c, with only HOME, LOGNAME, SHELL
    and PATH=/usr/bin:/bin (env -i). The README's old line could not even find the program."""
    from dovecot import PASSWORD, USER

    _, venv = installed
    home = tmp_path / "home"
    (home / ".config" / "rejectscan").mkdir(parents=True)
    helper = tmp_path / "password.sh"
    helper.write_text(f"#!/bin/sh\necho '{PASSWORD}'\n")
    helper.chmod(0o700)
    config = home / ".config" / "rejectscan" / "config.toml"
    config.write_text(f'[account]\nuser = "{USER}"\nhost = "localhost"\nport = {dovecot.imaps_port}\n'
                      f'cafile = "{dovecot.cert}"\npassword_cmd = "{helper}"\n')
    config.chmod(0o600)
    dovecot.append(mail("upwork/bot-rejection.eml", datetime.now(timezone.utc) - timedelta(hours=2), "cron-1@upwork"))

    env = {"HOME": str(home), "PATH": os.environ["PATH"]}  # a login shell: no XDG_*, no PYTHONPATH
    printed = subprocess.run([str(venv / "bin" / "rejectscan"), "schedule", "cron", "--dry-run"], env=env,
                             capture_output=True, text=True)
    assert printed.returncode == 0 and printed.stderr == "", printed.stderr
    line = printed.stdout.rstrip("\n")
    assert "\n" not in line
    command = line.split(" ", 5)[5].replace("\\%", "%")  # cron's own step before /bin/sh
    assert command.startswith(str(venv / "bin" / "rejectscan") + " fetch --quiet")

    cron = ["env", "-i", f"HOME={home}", "LOGNAME=cron", "SHELL=/bin/sh", "PATH=/usr/bin:/bin"]
    ran = subprocess.run([*cron, "/bin/sh", "-c", command], capture_output=True, text=True, timeout=120)
    assert ran.returncode == 0, ran.stderr
    assert "Upwork" in ran.stdout and "rejection" in ran.stdout.lower(), ran.stdout
    again = subprocess.run([*cron, "/bin/sh", "-c", command], capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and again.stdout == "" and again.stderr == ""  # quiet: nothing new, no mail

    old = subprocess.run([*cron, "/bin/sh", "-c", "rejectscan fetch --quiet --since 7d"], capture_output=True,
                         text=True)
    assert old.returncode == 127 and "not found" in old.stderr
