"""`rejectscan report`: the page as written (file mode, self-contained, escaped, thresholds from
rules.toml) and as Chromium shows it (points against the findings, 375 px, requests, hostile text).

The browser tests drive Debian's headless Chromium over the DevTools protocol (tests/chromium.py)
and skip, saying why, where /usr/bin/chromium is missing; scripts/test.sh installs it.
"""

from __future__ import annotations

import base64
import hashlib
import math
import os
import re
import stat
import time
from collections import Counter
from datetime import timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

import chromium
import reportdata
from conftest import FIXTURES, ROOT, assert_one_line_error, run
from rejectscan import chart
from rejectscan.patterns import Timing
from rejectscan.store import Store

ARTIFACTS = ROOT / "tests" / "artifacts"
TIMING = Timing()  # the shipped rules.toml's thresholds are the dataclass defaults (checked below)
BOT = str(FIXTURES / "upwork/bot-rejection.eml")
TITLE = "rejectscan report: who answered your applications"


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


def _expected_region(delay: int | None, t: Timing) -> str:
    """The band a delay belongs in, from the thresholds as classify.py reads them (not chart.region)."""
    if delay is None:
        return "no-delay"
    if delay <= t.bot_window_seconds:
        return "bots"
    if delay <= t.bot_fade_seconds:
        return "fading"
    return "support" if delay >= t.human_min_seconds else "between"


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
    for option in ("--output", "--db"):  # empty would mean the current folder, or the default database
        empty = run("report", option, "")
        assert empty.code == 2
        assert_one_line_error(empty, "must not be empty")


def test_the_page_never_replaces_what_is_not_a_regular_file(tmp_path):
    """`-o /dev/null` as root once replaced /dev/null with the page: a device, a pipe or a socket
    (or a link to one) is refused, and left as it was."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "null-link"
    link.symlink_to(os.devnull)  # a link to a special file; the real /dev/null is never the target
    for target in (fifo, link):
        result = run("report", "--output", str(target), "--db", str(tmp_path / "none.db"))
        assert result.code == 2, result.err
        assert_one_line_error(result, "not a regular file", "--output -")
        assert result.out == ""
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert link.is_symlink() and os.readlink(link) == os.devnull
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null-link", "pipe"]  # no temporary file left


def test_a_link_to_a_regular_file_replaces_that_file_and_keeps_the_link(tmp_path):
    real = tmp_path / "real.html"
    real.write_text("old")
    link = tmp_path / "link.html"
    link.symlink_to(real)
    result = run("report", "--output", str(link), "--db", str(tmp_path / "none.db"))
    assert result.code == 0, result.err
    assert link.is_symlink() and TITLE in real.read_text()


def test_output_dash_writes_the_page_to_stdout_and_nothing_else(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = run("report", "-o", "-", BOT, "--db", str(tmp_path / "none.db"))
    assert result.code == 0, result.err
    assert result.out.startswith("<!doctype html>") and result.out.rstrip().endswith("</html>")
    assert list(tmp_path.iterdir()) == []  # no file named "-", no database
    opened = run("report", "-o", "-", "--open", "--db", str(tmp_path / "none.db"))
    assert opened.code == 2 and opened.out == ""
    assert_one_line_error(opened, "--open", "file name")


def test_the_closing_line_counts_the_sections_the_page_has_and_the_counts_say_where_they_come_from(tmp_path):
    """A platform with only its submission emails has a section: the closing line said "on 1 platform"
    beside two sections, and the section said "0 submissions recorded" above three of those emails."""
    from rejectscan.models import Kind

    p = reportdata._patterns()
    at = reportdata.START
    records = [reportdata.other(p, "upwork", n, at + timedelta(days=n), Kind.SUBMISSION) for n in range(3)]
    records.append(reportdata.rejection(p, "fiverr", 3, at + timedelta(days=4), 30))
    db = tmp_path / "s.db"
    reportdata.fill(db, reportdata.Filled(tuple(records), ((at + timedelta(days=4, seconds=-30), "fiverr"),)))
    out = tmp_path / "r.html"
    result = run("report", "--output", str(out), "--db", str(db))
    assert result.code == 0, result.err
    page = out.read_text()
    assert page.count("<section") == 2
    assert "That page shows 5 events on 2 platforms" in " ".join(result.out.split())
    assert "0 submissions recorded by you, 3 submission emails received" in page
    assert "1 submission recorded by you, 0 submission emails received" in page


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


# --- in the browser ------------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def browser():
    if not chromium.BINARY.exists():
        pytest.skip(chromium.MISSING)
    b = chromium.Chromium()
    yield b
    b.close()


@pytest.fixture
def page(browser):
    tab = browser.page()
    yield tab
    tab.call("Page.close")


# What the page shows, read in the browser: each mark's shape class, computed colour, the band its
# centre lies in and its row's label and delay; what sticks out of the viewport (unless clipped).
INSPECT = """(() => {
  const clipped = el => { for (let a = el.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a);
      if (s.overflowX === 'hidden' || s.overflowX === 'clip' || s.clipPath !== 'none') return true; }
    return false; };
  const overflowing = [...document.querySelectorAll('body *')].filter(e => {
      const r = e.getBoundingClientRect();
      return r.width > 0 && (r.right > innerWidth + 0.5 || r.left < -0.5) && !clipped(e); })
    .map(e => e.tagName + '.' + (e.getAttribute('class') || ''));
  const charts = {};
  for (const svg of document.querySelectorAll('svg.delay-chart')) {
    const bands = [...svg.querySelectorAll('[data-region]')].map(b => [b.dataset.region, b.getBoundingClientRect()]);
    charts[svg.dataset.platform || ''] = [...svg.querySelectorAll('a.mark')].map(a => {
      const shape = a.querySelector('.pt'), r = shape.getBoundingClientRect();
      const x = r.left + r.width / 2, y = r.top + r.height / 2;
      const row = document.getElementById(a.getAttribute('href').slice(1));
      const delay = row && row.cells[4].querySelector('data');
      return {cls: shape.getAttribute('class'), fill: getComputedStyle(shape).fill,
              regions: bands.filter(([n, b]) => x >= b.left && x < b.right && y >= b.top && y <= b.bottom).map(([n]) => n),
              row: row ? row.id : null, rowLabel: row ? row.cells[2].textContent : null,
              rowDelay: delay ? Number(delay.value) : null};
    });
  }
  return {title: document.title, scrollWidth: document.documentElement.scrollWidth, width: innerWidth, overflowing,
          charts, rows: document.querySelectorAll('table.findings tbody tr').length,
          elements: document.querySelectorAll('script, img, iframe, object, embed, link, form').length,
          outside: [...document.querySelectorAll('[href], [src]')].map(e => e.getAttribute('href') || e.getAttribute('src'))
                     .filter(u => !u.startsWith('#')),
          warning: [...document.querySelectorAll('#not-counted li')].map(li => li.textContent),
          text: document.body.innerText};
})()"""

RGB = {name: "rgb({}, {}, {})".format(*(int(chart.PALETTE[name][i:i + 2], 16) for i in (1, 3, 5)))
       for name in ("automated", "human-reviewed", "unknown")}


def _look(tab, path: Path, width: int = 1000, media: str = "") -> dict:
    url = path.resolve().as_uri()
    tab.open(url, width=width, media=media)
    facts = tab.eval(INSPECT)
    assert tab.requests() == [url], "a request left the page"
    assert tab.violations() == [], "the page tried something its policy forbids"
    assert facts["title"] == TITLE and facts["elements"] == 0 and facts["outside"] == []
    return facts


def _fits(tab, path: Path) -> None:
    """Nothing sticks out at a phone's 375 px, or on A4 paper (718 px between 12 mm margins)."""
    for width, media in ((375, ""), (718, "print")):
        facts = _look(tab, path, width, media)
        assert facts["scrollWidth"] <= width and facts["overflowing"] == [], (width, media, facts["overflowing"][:5])


def _points_match(facts: dict, records, timing: Timing = TIMING) -> None:
    """Per platform: one mark per counted rejection, in the band of its delay, coloured by its label."""
    for platform in {r.platform for r in records if r.counted}:
        mine = [r for r in records if r.platform == platform and r.counted and r.kind.value == "rejection"]
        drawn = facts["charts"][platform]
        assert len(drawn) == len(mine), platform
        expected = Counter((f"pt pt-{r.label.value}", _expected_region(r.delay_seconds, timing)) for r in mine)
        assert Counter((d["cls"], d["regions"][0] if len(d["regions"]) == 1 else d["regions"]) for d in drawn) == expected
        for d in drawn:
            label = d["cls"].removeprefix("pt pt-")
            assert d["fill"] == RGB[label], d  # the style sheet applied: the colour is the label's
            assert d["rowLabel"] == label, d  # the mark links to its own row
            assert d["regions"] == [_expected_region(d["rowDelay"], timing)], d


def test_an_empty_store_looks_deliberate(tmp_path, page):
    db = tmp_path / "empty.db"
    Store(db).__exit__()
    out, html = _report(tmp_path, "--db", str(db))
    facts = _look(page, out)
    assert "No applications recorded yet" in facts["text"] and "rejectscan submitted" in facts["text"]
    assert facts["charts"] == {"": []} and facts["rows"] == 0  # the two clocks drawn, waiting for points
    assert html.count('class="band band-') == 4 + 4  # four bands drawn, four in the legend
    _fits(page, out)


def test_a_single_bot_rejection(tmp_path, page):
    out, _ = _report(tmp_path, BOT, "--submitted-at", "2026-11-24T15:03:00Z", "--db", str(tmp_path / "none.db"))
    facts = _look(page, out)
    [point] = facts["charts"]["upwork"]
    assert point["cls"] == "pt pt-automated" and point["regions"] == ["bots"] and point["rowDelay"] == 38
    assert point["fill"] == RGB["automated"]
    assert "One rejection so far" in facts["text"] and "One event so far" in facts["text"]
    assert "Where you stand: Upwork turned your profile down on 2026-11-24 15:03, 38 seconds after you submitted" \
        in facts["text"]
    assert "Get your profile to 100% complete" in facts["text"]  # the advice, in the tool's words
    _fits(page, out)
    page.open(out.resolve().as_uri(), width=375)  # a card per finding, each value named
    assert page.eval("[...document.querySelector('table.findings tbody tr').cells].map("
                     "td => getComputedStyle(td, '::before').content)") == [
        '"Time"', '"What"', '"Label"', '"Confidence"', '"Delay"', '"Why"', '"Email"']


def test_a_long_mixed_history_across_two_platforms(tmp_path, page):
    filled = reportdata.long_history()
    db = tmp_path / "long.db"
    reportdata.fill(db, filled)
    out, _ = _report(tmp_path, "--db", str(db))
    facts = _look(page, out)
    assert set(facts["charts"]) == {"upwork", "fiverr"}
    _points_match(facts, filled.records)
    regions = {d["regions"][0] for marks in facts["charts"].values() for d in marks}
    assert regions == {"bots", "fading", "between", "support", "no-delay"}  # the history reaches every band
    # a hostile subject, sender and source show as text; nothing of them runs or loads (checked in _look)
    assert reportdata.HOSTILE in facts["text"] and "INBOX/<b>9</b>" in facts["text"]
    assert len(facts["warning"]) == 1 and "Final notice" in facts["warning"][0]
    assert "Final notice" not in facts["text"].replace(facts["warning"][0], "")  # the forgery is only in its box
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report-long-history.png"
    page.open(out.resolve().as_uri(), width=900)
    page.screenshot(shot, 900, 2200)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000
    _fits(page, out)


def test_hundreds_of_findings_in_parts_still_link_and_fit(tmp_path, page):
    """The findings table in parts laid out only when seen: the marks still reach their rows."""
    filled = reportdata.long_history(450)
    db = tmp_path / "many.db"
    reportdata.fill(db, filled)
    out, html = _report(tmp_path, "--db", str(db))
    assert html.count('<div class="chunk">') >= 3
    facts = _look(page, out)
    _points_match(facts, filled.records)
    last = facts["charts"]["upwork"][-1]["row"]
    landed = page.eval(f"location.hash = '#{last}'; new Promise(done => requestAnimationFrame(() => "
                       f"requestAnimationFrame(() => done(document.getElementById('{last}').getBoundingClientRect().top))))")
    assert abs(landed) < 2, landed  # the link scrolled its row, in a part not yet drawn, to the top
    _fits(page, out)


def test_forgeries_only_in_their_own_warning_box(tmp_path, page):
    phishing = [str(FIXTURES / f"phishing/{name}.eml") for name in ("lookalike-domain", "dmarc-fail")]
    out, _ = _report(tmp_path, BOT, *phishing, "--submitted-at", "2026-11-24T15:03:00Z",
                     "--db", str(tmp_path / "none.db"))
    facts = _look(page, out)
    assert len(facts["warning"]) == 2
    assert all("an email claiming Upwork rejected your profile" in w for w in facts["warning"])
    assert len(facts["charts"]["upwork"]) == 1 and facts["rows"] == 1  # only the genuine rejection
    assert "Check your real status on the platform itself" in facts["text"]
    assert "1 by the bots" in facts["text"] and "2 emails not counted" in facts["text"]
    _fits(page, out)


def test_the_policy_stops_what_an_escaping_bug_would_let_in(tmp_path, page):
    """A second line behind escaping: markup that got into the page anyway neither runs nor loads."""
    out, html = _report(tmp_path, BOT, "--db", str(tmp_path / "none.db"))
    out.write_text(html.replace("<body>", "<body><script>document.title='ran'</script>"
                                          "<img src='http://127.0.0.1:9/pixel.png'><p style='color:red'>x</p>"))
    url = out.resolve().as_uri()
    page.open(url)
    assert page.eval("document.title") == TITLE
    assert page.eval("getComputedStyle(document.querySelector('body > p')).color") != "rgb(255, 0, 0)"
    assert set(page.requests()) - {url} == {"http://127.0.0.1:9/pixel.png"}
    assert page.blocked() == {"http://127.0.0.1:9/pixel.png": "csp"}  # refused before it left
    assert {v.split(" ")[0].split("-elem")[0].split("-attr")[0] for v in page.violations()} >= {
        "script-src", "img-src", "style-src"}


def test_the_request_watch_sees_a_request_when_one_is_made(tmp_path, page):
    """The harness itself: without the policy, an image on a loopback port is seen leaving the page."""
    out, html = _report(tmp_path, BOT, "--db", str(tmp_path / "none.db"))
    out.write_text(re.sub(r'<meta http-equiv="Content-Security-Policy"[^>]*>', "", html)
                   .replace("<body>", "<body><img src='http://127.0.0.1:9/pixel.png'>"))
    page.open(out.resolve().as_uri())
    assert "http://127.0.0.1:9/pixel.png" in page.requests() and page.blocked() == {}
