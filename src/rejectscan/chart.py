"""The report's drawings as inline SVG: how long each answer took, on a logarithmic axis with the
two clocks shaded, and the timeline of submissions and answers. Pure.

The bands come from the thresholds in patterns/rules.toml (patterns.Timing), never from numbers
of their own; a mark sits in the band the classifier counted it in (classify.py: up to
`bot_window_seconds` the bots, up to `bot_fade_seconds` the bots less surely, from
`human_min_seconds` the support team). Every mark links to its row of the findings table, and
every drawing carries a text alternative (README, "rejectscan report").
"""

from __future__ import annotations

import enum
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Sequence

from rejectscan.markup import attrs, esc
from rejectscan.patterns import Timing

MINUTE, HOUR, DAY, WEEK = 60, 3600, 86400, 7 * 86400
WIDTH = 640
LEFT, RIGHT = 14.0, 626.0  # the plotted range; marks keep INSET inside it so none is cut off
INSET = 8.0
AXIS_ENDS = (4 * WEEK, 8 * WEEK, 13 * WEEK, 26 * WEEK, 52 * WEEK)  # "from seconds to weeks"
# (seconds, label, shown on narrow screens too)
TICKS = ((1, "1s", True), (10, "10s", False), (MINUTE, "1min", True), (10 * MINUTE, "10min", False),
         (HOUR, "1h", True), (6 * HOUR, "6h", False), (DAY, "1d", True), (2 * DAY, "2d", False),
         (WEEK, "1w", True), (2 * WEEK, "2w", False), (4 * WEEK, "4w", False), (8 * WEEK, "8w", False),
         (13 * WEEK, "13w", False), (26 * WEEK, "26w", False), (52 * WEEK, "52w", False))

# Colours on white and on their bands keep 3:1 for marks and 4.5:1 for text (tests/test_report.py).
PALETTE = {
    "automated": "#1d4ed8", "human-reviewed": "#9a3f06", "unknown": "#525252", "submitted": "#404040",
    "approved": "#15803d", "suspended": "#b91c1c",
    "band-bots": "#dbeafe", "band-fading": "#eef4ff", "band-between": "#ffffff", "band-support": "#fde8d4",
    "strip": "#f3f3f3", "text": "#1a1a1a", "muted": "#4a4a4a", "axis": "#737373", "grid": "#e0e0e0",
}
LABELS = ("automated", "human-reviewed", "unknown")


class Region(str, enum.Enum):
    """Where a delay falls between the two clocks."""

    BOTS = "bots"
    FADING = "fading"
    BETWEEN = "between"
    SUPPORT = "support"


def region(delay_seconds: int, timing: Timing) -> Region:
    """The band a delay is drawn in: the classifier's own boundaries (classify.py)."""
    if delay_seconds <= timing.bot_window_seconds:
        return Region.BOTS
    if delay_seconds <= timing.bot_fade_seconds:
        return Region.FADING
    if delay_seconds >= timing.human_min_seconds:
        return Region.SUPPORT
    return Region.BETWEEN


@dataclass(frozen=True)
class Mark:
    """One thing to draw: an answer, a submission. `kind` is a label value, or submitted/approved/suspended."""

    anchor: str  # the id of its row in the findings table
    kind: str
    at: datetime | None
    title: str  # what it says, for the tooltip and assistive technology
    delay: int | None = None
    since: datetime | None = None  # the submission an answer is measured from


@dataclass(frozen=True)
class LogAxis:
    """Seconds to x on a logarithmic scale, from one second to `end`."""

    end: int

    @classmethod
    def for_delays(cls, delays: Sequence[int], timing: Timing) -> "LogAxis":
        needed = max([*delays, 2 * timing.human_min_seconds, 2 * timing.bot_fade_seconds, 1])
        return cls(next((end for end in AXIS_ENDS if end >= needed), AXIS_ENDS[-1]))

    def x(self, seconds: float) -> float:
        fraction = math.log10(min(max(seconds, 1), self.end)) / math.log10(self.end)
        return LEFT + fraction * (RIGHT - LEFT)

    def edges(self, timing: Timing) -> dict[Region, tuple[float, float]]:
        window = self.x(timing.bot_window_seconds)
        fade = max(window, self.x(timing.bot_fade_seconds))
        human = max(fade, self.x(timing.human_min_seconds))
        return {Region.BOTS: (LEFT, window), Region.FADING: (window, fade), Region.BETWEEN: (fade, human),
                Region.SUPPORT: (human, RIGHT)}


def shape(kind: str, x: float, y: float, extra: str = "") -> str:
    """A mark's shape, so the label never rests on colour alone: a circle for the bots, a square for
    the support team, a diamond for unknown; a triangle for a submission, a ring for an approval,
    a cross for a suspension."""
    cls = f"pt pt-{kind}{extra}"
    if kind == "automated":
        return f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
    if kind == "human-reviewed":
        return f'<rect class="{cls}" x="{x - 4.5:.1f}" y="{y - 4.5:.1f}" width="9" height="9"/>'
    if kind == "submitted":
        return f'<polygon class="{cls}" points="{x:.1f},{y - 6:.1f} {x + 5.5:.1f},{y + 4:.1f} {x - 5.5:.1f},{y + 4:.1f}"/>'
    if kind == "approved":
        return f'<circle class="{cls}" cx="{x:.1f}" cy="{y:.1f}" r="5"/>'
    if kind == "suspended":
        return (f'<path class="{cls}" d="M{x - 5:.1f},{y - 5:.1f}L{x + 5:.1f},{y + 5:.1f}'
                f'M{x + 5:.1f},{y - 5:.1f}L{x - 5:.1f},{y + 5:.1f}"/>')
    return f'<polygon class="pt pt-unknown{extra}" points="{x:.1f},{y - 6:.1f} {x + 6:.1f},{y:.1f} {x:.1f},{y + 6:.1f} {x - 6:.1f},{y:.1f}"/>'


def swatch(kind: str) -> str:
    """A mark's shape alone, for a legend."""
    return f'<svg viewBox="0 0 14 14" aria-hidden="true" focusable="false">{shape(kind, 7, 7.5)}</svg>'


def band_swatch(name: str) -> str:
    return (f'<svg viewBox="0 0 14 14" aria-hidden="true" focusable="false">'
            f'<rect class="band band-{name}" x="0.5" y="0.5" width="13" height="13"/></svg>')


def _linked(mark: Mark, x: float, y: float) -> str:
    return (f'<a class="mark"{attrs(href="#" + mark.anchor)} tabindex="-1"><title>{esc(mark.title)}</title>'
            f'{shape(mark.kind, x, y)}</a>')


def _svg(kind: str, ident: str, height: float, title: str, desc: str, body: list[str], **data: str) -> str:
    return (f'<svg class="chart {kind}"{attrs(id=ident, **data)} viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
            f'aria-labelledby="{esc(ident)}-t {esc(ident)}-d" preserveAspectRatio="xMinYMin meet">'
            f'<title id="{esc(ident)}-t">{esc(title)}</title><desc id="{esc(ident)}-d">{esc(desc)}</desc>'
            + "".join(body) + "</svg>")


# --- how long each answer took ----------------------------------------------------------------------

PLOT_TOP, PLOT_HEIGHT = 6.0, 190.0


def delay_chart(marks: Sequence[Mark], timing: Timing, *, ident: str, title: str, desc: str,
                platform: str = "") -> str:
    """Answers with a delay, across on a logarithmic axis (oldest at the top, newest at the bottom);
    those without one in a strip of their own below. Empty: the bands alone, ready for answers."""
    timed = [m for m in marks if m.delay is not None]
    untimed = [m for m in marks if m.delay is None]
    axis = LogAxis.for_delays([m.delay for m in timed], timing)
    edges = axis.edges(timing)
    bottom = PLOT_TOP + PLOT_HEIGHT
    body = [f'<rect class="band band-{r.value}" data-region="{r.value}" x="{a:.2f}" y="{PLOT_TOP}" '
            f'width="{max(b - a, 0):.2f}" height="{PLOT_HEIGHT}"/>' for r, (a, b) in edges.items()]
    ticks = [t for t in TICKS if t[0] <= axis.end]
    for seconds, label, major in ticks:
        x = axis.x(seconds)
        anchor = "start" if seconds == 1 else "end" if seconds == axis.end else "middle"
        minor = "" if major and seconds != axis.end else " minor"
        body.append(f'<line class="grid" x1="{x:.1f}" y1="{PLOT_TOP}" x2="{x:.1f}" y2="{bottom + 5}"/>')
        body.append(f'<text class="tick{minor}" x="{x:.1f}" y="{bottom + 24}" text-anchor="{anchor}">{label}</text>')
    body.append(f'<line class="axis" x1="{LEFT}" y1="{bottom}" x2="{RIGHT}" y2="{bottom}"/>')
    times = [m.at.timestamp() for m in timed if m.at is not None]
    first, last = (min(times), max(times)) if times else (0.0, 0.0)
    for m in timed:
        fraction = 0.5 if m.at is None or last == first else (m.at.timestamp() - first) / (last - first)
        y = PLOT_TOP + 12 + fraction * (PLOT_HEIGHT - 24)
        a, b = edges[region(m.delay, timing)]
        x = min(max(axis.x(m.delay), a + 1, LEFT + INSET), b - 1, RIGHT - INSET)
        body.append(_linked(m, x, y))
    height = bottom + 32
    if untimed:
        body.append(f'<text class="strip-label" x="{LEFT}" y="{bottom + 60}">no delay known ({len(untimed)})</text>')
        top = bottom + 70
        body.append(f'<rect class="strip" data-region="no-delay" x="{LEFT}" y="{top}" width="{RIGHT - LEFT}" height="26"/>')
        step = (RIGHT - LEFT - 2 * INSET) / len(untimed)
        for i, m in enumerate(untimed):
            body.append(_linked(m, LEFT + INSET + (i + 0.5) * step, top + 13))
        height = top + 32
    return _svg("delay-chart", ident, height, title, desc, body, data_platform=platform)


# --- the timeline -------------------------------------------------------------------------------------

def timeline(marks: Sequence[Mark], zone: tzinfo, *, ident: str, title: str, desc: str, platform: str = "") -> str:
    """Submissions on the upper lane, answers on the lower, in calendar time; a line joins each answer
    to the submission it was measured from. One event is drawn in the middle of a day either side."""
    dated = [m for m in marks if m.at is not None]
    moments = [m.at for m in dated] + [m.since for m in dated if m.since is not None]
    if not moments:
        return ""
    start, end = min(moments), max(moments)
    span = (end - start).total_seconds()
    if span < 6 * HOUR:  # one moment, or one quick cycle: a day around it
        middle = start + (end - start) / 2
        lo, hi = middle - timedelta(hours=12), middle + timedelta(hours=12)
    else:
        lo, hi = start - timedelta(seconds=span * 0.04), end + timedelta(seconds=span * 0.04)
    window = (hi - lo).total_seconds()

    def x(when: datetime) -> float:
        return LEFT + INSET + (when - lo).total_seconds() / window * (RIGHT - LEFT - 2 * INSET)

    upper, lower, axis_y = 34.0, 80.0, 98.0
    body = [f'<text class="lane" x="{LEFT}" y="20">submitted</text>',
            f'<text class="lane" x="{LEFT}" y="66">answers</text>',
            f'<line class="grid" x1="{LEFT}" y1="{upper}" x2="{RIGHT}" y2="{upper}"/>',
            f'<line class="grid" x1="{LEFT}" y1="{lower}" x2="{RIGHT}" y2="{lower}"/>',
            f'<line class="axis" x1="{LEFT}" y1="{axis_y}" x2="{RIGHT}" y2="{axis_y}"/>']
    fmt = "%b %Y" if window >= 300 * DAY else "%d %b" if window >= 3 * DAY else "%d %b %H:%M"
    for i, fraction in enumerate((0.0, 0.25, 0.5, 0.75, 1.0)):
        tx = LEFT + INSET + fraction * (RIGHT - LEFT - 2 * INSET)
        when = lo + timedelta(seconds=window * fraction)
        anchor = "start" if i == 0 else "end" if i == 4 else "middle"
        minor = "" if i in (0, 4) else " minor"
        body.append(f'<line class="grid" x1="{tx:.1f}" y1="{axis_y}" x2="{tx:.1f}" y2="{axis_y + 5}"/>')
        body.append(f'<text class="tick{minor}" x="{tx:.1f}" y="{axis_y + 24}" text-anchor="{anchor}">'
                    f'{esc(when.astimezone(zone).strftime(fmt))}</text>')
    submitted = {m.at for m in dated if m.kind == "submitted"}
    for m in dated:
        if m.since is not None and m.kind in LABELS:
            body.append(f'<line class="cycle" x1="{x(m.since):.1f}" y1="{upper}" x2="{x(m.at):.1f}" y2="{lower}"/>')
            if m.since not in submitted:  # measured from a time given on the command line: drawn, not linked
                submitted.add(m.since)
                body.append(shape("submitted", x(m.since), upper, " implied"))
    for m in dated:
        body.append(_linked(m, x(m.at), upper if m.kind == "submitted" else lower))
    return _svg("timeline", ident, axis_y + 32, title, desc, body, data_platform=platform)
