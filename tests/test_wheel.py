"""A plain (non-editable) install finds the shipped patterns: build the wheel, install it into a
fresh venv, and run it from outside the checkout."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

from conftest import FIXTURES, ROOT


def test_wheel_ships_patterns_and_runs(tmp_path):
    dist = tmp_path / "dist"
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(dist), str(ROOT)],
                   check=True, capture_output=True)
    wheel = next(dist.glob("rejectscan-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "rejectscan/shipped_patterns/upwork.toml" in names
    assert "rejectscan/shipped_patterns/advice.toml" in names

    # A truly fresh venv: the wheel's declared dependencies are all it gets, so a missing one fails
    # here as it would for a user (a venv borrowing the machine's packages once hid google-re2).
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    py = venv / "bin" / "python"
    install = subprocess.run([str(py), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stderr[-2000:]
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
