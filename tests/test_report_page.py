"""The report page as text, without a browser: everything from an email escaped, colours with
enough contrast, long tables in parts (tests/test_report.py opens the page in Chromium)."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime, timezone

import reportdata
from rejectscan import chart, report
from rejectscan.history import build as build_history
from rejectscan.patterns import Timing


def test_everything_from_an_email_is_escaped():
    """Subjects, names, addresses, reasons and sources as text, never markup; what would hide or reorder
    text shown visibly; characters HTML cannot carry replaced."""
    hostile = reportdata.HOSTILE + "\x00\ud800\x1b\u202egnp.exe zero\u200bwidth"
    p = reportdata._patterns()
    record = reportdata.rejection(p, "upwork", 1, datetime(2026, 11, 24, 15, 3, tzinfo=timezone.utc), 38,
                                  subject=hostile, from_name=hostile, source=hostile)
    record = replace(record, from_addr=hostile, reasons=(hostile,), reviewer_instructions=(hostile,))
    forged = replace(record, authentic=False, counted=False, authenticity_reasons=(hostile,), subject=hostile + "!")
    data = report.ReportData(history=build_history([], [record, forged], {"upwork": "Up<b>work</b>"}),
                             timing=Timing(), names={"upwork": "Up<b>work</b>"}, zone=timezone.utc,
                             generated_at=datetime(2026, 11, 25, tzinfo=timezone.utc), made_from=(hostile,))
    page = report.build(data)
    page.encode("utf-8")  # no lone surrogate left to stop the file being written
    assert "<script" not in page.lower() and "<img" not in page.lower() and "<b>" not in page
    assert "&lt;script&gt;document.title=&#x27;owned&#x27;&lt;/script&gt;" in page
    assert "\x00" not in page and "\x1b" not in page and "\u202e" not in page and "\u200b" not in page
    assert "\\u202egnp.exe zero\\u200bwidth" in page  # shown, as on a terminal (safe.py), not obeyed
    # every hostile field is there, as text: subject, sender, reason, instruction, source, the forgery's reason
    assert page.count("&lt;/title&gt;&lt;script&gt;") >= 8


def _contrast(a: str, b: str) -> float:
    def luminance(colour: str) -> float:
        rgb = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_colours_have_enough_contrast():
    """WCAG: marks 3:1 against every band they can sit on, text 4.5:1 on white (1.4.3, 1.4.11)."""
    p = chart.PALETTE
    for label in ("automated", "human-reviewed", "unknown"):
        for ground in ("band-bots", "band-fading", "band-between", "band-support", "strip"):
            assert _contrast(p[label], p[ground]) >= 3, (label, ground)
        assert _contrast(p[label], "#ffffff") >= 4.5, label  # also the colour of the label's words in the table
    for mark in ("submitted", "approved", "suspended"):
        assert _contrast(p[mark], "#ffffff") >= 3, mark
    for text in ("text", "muted"):
        assert _contrast(p[text], "#ffffff") >= 4.5 and _contrast(p[text], "#f6f6f6") >= 4.5, text


def test_a_long_table_comes_in_parts_the_browser_can_skip_until_seen():
    filled = reportdata.long_history(450)
    names = {"upwork": "Upwork", "fiverr": "Fiverr"}
    data = report.ReportData(history=build_history([], list(filled.records), names), timing=Timing(), names=names,
                             zone=timezone.utc, generated_at=datetime(2026, 11, 25, tzinfo=timezone.utc))
    page = report.build(data)
    rows = [int(n) for n in re.findall(r'<tr id="f-(\d+)"', page)]
    assert rows == list(range(1, len(rows) + 1))  # one numbering across the parts
    counted = sum(1 for r in filled.records if r.counted)
    assert len(rows) == counted
    parts = re.findall(r'<div class="chunk"><table class="findings"><caption>([^<]*)</caption>(.*?)</table></div>', page)
    upwork = [caption for caption, _ in parts if caption.startswith("Upwork")]
    assert len(upwork) >= 2 and upwork[0].startswith("Upwork: every finding (") and " of " in upwork[1]
    assert all(body.count("<tr id=") <= report.CHUNK for _, body in parts)
    mine = sum(1 for r in filled.records if r.counted and r.platform == "upwork")
    assert mine > report.CHUNK
    assert sum(body.count("<tr id=") for caption, body in parts if caption.startswith("Upwork")) == mine
    assert ".chunk{content-visibility:auto" in page
