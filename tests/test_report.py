"""`rejectscan report`: the page as written (file mode, self-contained, the zone named, thresholds
from rules.toml), and the command's errors and --open."""

from __future__ import annotations

import base64
import hashlib
import math
import re
import stat
import time
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import FIXTURES, assert_one_line_error, run
from rejectscan.patterns import Timing

TIMING = Timing()  # the shipped rules.toml's thresholds are the dataclass defaults (checked below)
BOT = str(FIXTURES / "upwork/bot-rejection.eml")


def _report(tmp_path: Path, *args: str, env: dict | None = None) -> tuple[Path, str]:
    out = tmp_path / "report.html"
    result = run("report", "--output", str(out), *args, env=env)
    assert result.code == 0, result.err
    return out, out.read_text(encoding="utf-8")


class _Elements(HTMLParser):
    """Every start tag with its attributes, and the text of <style>."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.style = ""
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_style = tag == "style"

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if self._in_style:
            self.style += data


def _elements(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    return parser


# --- the file ------------------------------------------------------------------------------------------

def test_the_shipped_thresholds_are_what_these_tests_assume():
    from rejectscan import patterns

    assert patterns.load(()).timing == TIMING


def test_the_page_is_written_0600_self_contained_and_needs_no_script(tmp_path):
    out = tmp_path / "report.html"
    out.write_text("an older report")
    out.chmod(0o644)
    result = run("report", "--output", str(out), BOT, "--submitted-at", "2026-11-24T15:03:00Z",
                 "--db", str(tmp_path / "none.db"))
    assert result.code == 0, result.err
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert str(out) in result.out
    assert not (tmp_path / "none.db").exists()  # made from files alone: the store is never created
    page = out.read_text()
    found = _elements(page)
    tags = [t for t, _ in found.tags]
    assert not {"script", "link", "img", "iframe", "object", "embed", "base", "form"} & set(tags)
    for tag, attrs in found.tags:
        assert "style" not in attrs, tag  # inline style attributes would need 'unsafe-inline'
        assert not any(name.startswith("on") for name in attrs), (tag, attrs)
        for name in ("href", "src", "xlink:href", "action"):
            assert not attrs.get(name) or attrs[name].startswith("#"), (tag, attrs)
    csp = next(a["content"] for t, a in found.tags if t == "meta" and a.get("http-equiv") == "Content-Security-Policy")
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["default-src"] == "'none'" and directives["script-src"] == "'none'"
    digest = base64.b64encode(hashlib.sha256(found.style.encode()).digest()).decode()
    assert directives["style-src"] == f"'sha256-{digest}'"  # the one style sheet, pinned: nothing else applies


def test_times_are_in_the_users_zone_and_the_zone_is_named(tmp_path):
    _, page = _report(tmp_path, BOT, "--submitted-at", "2026-11-24T15:03:00Z", env={"TZ": "Asia/Kolkata"})
    assert "Asia/Kolkata (UTC+05:30 now)" in page
    assert "<span>2026-11-24</span> <span>20:33:38</span>" in page  # 15:03:38 UTC
    assert 'datetime="2026-11-24T15:03:38+00:00"' in page


def test_the_bands_come_from_rules_toml(tmp_path):
    """Other thresholds in a pattern folder move the bands and their words; the chart has no numbers of its own."""
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "timing.toml").write_text("[timing]\nbot_window_seconds = 120\nbot_fade_seconds = 1800\n"
                                      "human_min_seconds = 259200\n")
    _, page = _report(tmp_path, "--patterns", str(mine), BOT, "--submitted-at", "2026-11-24T15:03:00Z")
    width = {m.group(1): float(m.group(2)) for m in
             re.finditer(r'<rect class="band band-(\w+)" data-region="\w+" x="[\d.]+" y="[\d.]+" width="([\d.]+)"', page)}
    assert set(width) == {"bots", "fading", "between", "support"}
    # on a logarithmic axis from one second, each band's width is the log of its span
    assert width["fading"] / width["bots"] == pytest.approx(math.log(1800 / 120) / math.log(120), rel=1e-3)
    assert width["between"] / width["bots"] == pytest.approx(math.log(259200 / 1800) / math.log(120), rel=1e-3)
    assert "within 2 minutes: the bots&#x27; clock" in page and "3 days or more: the support team" in page


def test_output_problems_are_one_line_that_says_what_to_do(tmp_path):
    missing = run("report", "--output", str(tmp_path / "no" / "such" / "folder" / "r.html"))
    assert missing.code == 2
    assert_one_line_error(missing, "does not exist", "--output")
    folder = run("report", "--output", str(tmp_path))
    assert folder.code == 2
    assert_one_line_error(folder, "is a folder")


def test_unreadable_input_is_named_and_the_page_is_still_written(tmp_path):
    out = tmp_path / "r.html"
    result = run("report", "--output", str(out), BOT, str(FIXTURES / "broken/not-mail.txt"))
    assert result.code == 1
    assert "not-mail.txt" in result.err and out.exists()


def test_open_shows_the_page_in_the_browser_named_by_BROWSER(tmp_path):
    seen = tmp_path / "seen.txt"
    fake = tmp_path / "fake-browser"
    fake.write_text(f"#!/bin/sh\necho \"$@\" > {seen}\n")
    fake.chmod(0o700)
    out = tmp_path / "r.html"
    result = run("report", "--output", str(out), "--open", "--db", str(tmp_path / "none.db"), env={"BROWSER": str(fake)})
    assert result.code == 0, result.err
    for _ in range(100):
        if seen.exists() and seen.read_text().strip():
            break
        time.sleep(0.05)
    assert seen.read_text().strip() == out.resolve().as_uri()
