"""`rejectscan report`: the whole history as one self-contained HTML page. Pure: data in, text out.

Per platform: where the user stands and what to do (the advice the tool gave, in its words), a
timeline, the delay chart with the two clocks shaded from rules.toml (chart.py), the chart's data
counted in a table, and a table of every finding. Emails that are not the platforms' decisions
(History events with counted=False) appear only in their own warning box. Times are in the
user's zone, named on the page. The page needs no script, font, image or network: its
Content-Security-Policy forbids them all and allows only its own style sheet (README,
"rejectscan report").
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Mapping, Sequence

from rejectscan import chart
from rejectscan.chart import PALETTE, Mark, Region
from rejectscan.history import Event, EventKind, History, Summary
from rejectscan.markup import attrs, esc
from rejectscan.models import Label
from rejectscan.patterns import Timing
from rejectscan.text import duration


@dataclass(frozen=True)
class ReportData:
    history: History
    timing: Timing
    names: Mapping[str, str]  # platform id -> name
    zone: tzinfo
    generated_at: datetime
    made_from: tuple[str, ...] = ()  # what the page was made from, in words
    always_advice: frozenset[str] = frozenset()  # advice ids that apply to every rejection: one line
    version: str = ""


_WHO = {Label.AUTOMATED: "the platform's bots", Label.HUMAN: "the support team", Label.UNKNOWN: "we cannot tell who"}
_SHORT = {Label.AUTOMATED: "bots", Label.HUMAN: "support team", Label.UNKNOWN: "unknown"}
_KIND_WORDS = {EventKind.SUBMITTED: "submitted (recorded)", EventKind.SUBMISSION_EMAIL: "submission email",
               EventKind.REJECTED: "rejected", EventKind.APPROVED: "approved", EventKind.SUSPENDED: "suspended"}
_MARK_KIND = {EventKind.SUBMITTED: "submitted", EventKind.SUBMISSION_EMAIL: "submitted",
              EventKind.APPROVED: "approved", EventKind.SUSPENDED: "suspended"}


def _css() -> str:
    p = PALETTE
    return f"""
:root{{color-scheme:light}}
*{{box-sizing:border-box}}
html{{-webkit-text-size-adjust:100%;text-size-adjust:100%}}
body{{margin:0 auto;max-width:64rem;padding:1rem;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Liberation Sans",Arial,sans-serif;color:{p['text']};background:#fff;overflow-wrap:break-word}}
h1{{font-size:1.6rem;line-height:1.25;margin:.4rem 0}}
h2{{font-size:1.3rem;line-height:1.3;margin:2rem 0 .5rem;padding-bottom:.2rem;border-bottom:2px solid #d4d4d4}}
h3{{font-size:1.05rem;margin:1.4rem 0 .3rem}}
p{{margin:.4rem 0}}
a{{color:{p['automated']}}}
code{{font-family:ui-monospace,"DejaVu Sans Mono",Menlo,Consolas,monospace;font-size:.85em}}
.meta,figcaption,.muted{{color:{p['muted']}}}
.meta{{font-size:.9rem}}
nav ul{{display:flex;flex-wrap:wrap;gap:.2rem 1.2rem;list-style:none;padding:0;margin:.5rem 0}}
.stand{{border-left:5px solid {p['unknown']};background:#f6f6f6;padding:.6rem .9rem;margin:.8rem 0}}
.stand.s-automated{{border-color:{p['automated']}}}
.stand.s-human-reviewed{{border-color:{p['human-reviewed']}}}
.stand.s-approved{{border-color:{p['approved']}}}
.stand.s-suspended{{border-color:{p['suspended']}}}
.stand .headline{{font-weight:600}}
.stand ol{{padding-left:1.3rem;margin:.4rem 0}}
.stand li{{margin:.3rem 0}}
.stand blockquote{{margin:.3rem 0 .3rem .8rem;padding-left:.6rem;border-left:3px solid #c4c4c4}}
.warning{{border:2px solid {p['suspended']};background:#fff5f5;padding:.6rem .9rem;margin:1rem 0}}
.warning h2{{border:0;margin:0 0 .3rem;color:{p['suspended']}}}
.warning li{{margin:.4rem 0}}
.empty{{border:2px dashed #c4c4c4;padding:.8rem 1rem;margin:1rem 0}}
figure{{margin:.4rem 0 1rem}}
figcaption{{font-size:.9rem}}
svg.chart{{display:block;width:100%;height:auto;max-width:46rem;margin:.3rem 0}}
.chart text{{font-size:12px;fill:{p['text']}}}
.chart .grid{{stroke:{p['grid']};stroke-width:1}}
.chart .axis{{stroke:{p['axis']};stroke-width:1}}
.chart .cycle{{stroke:#a3a3a3;stroke-width:1}}
.band-bots{{fill:{p['band-bots']}}}
.band-fading{{fill:{p['band-fading']}}}
.band-between{{fill:{p['band-between']};stroke:#e5e5e5}}
.band-support{{fill:{p['band-support']}}}
.strip{{fill:{p['strip']}}}
.pt{{transform-box:fill-box;transform-origin:center}}
.pt-automated{{fill:{p['automated']}}}
.pt-human-reviewed{{fill:{p['human-reviewed']}}}
.pt-unknown{{fill:{p['unknown']}}}
.pt-submitted{{fill:{p['submitted']}}}
.pt-approved{{fill:#fff;stroke:{p['approved']};stroke-width:2.5}}
.pt-suspended{{fill:none;stroke:{p['suspended']};stroke-width:2.5}}
a.mark:hover .pt{{stroke:#000;stroke-width:2}}
.legend{{display:flex;flex-wrap:wrap;gap:.2rem 1rem;list-style:none;padding:0;margin:.3rem 0;font-size:.9rem}}
.legend li{{display:flex;align-items:center;gap:.35rem}}
.legend svg{{width:14px;height:14px;flex:none}}
.legend .band-between{{stroke:{p['axis']}}}
table{{border-collapse:collapse;width:100%;font-size:.9em;margin:.3rem 0 1rem}}
caption{{text-align:left;font-weight:600;padding:.3rem 0}}
th,td{{border-bottom:1px solid #d4d4d4;padding:.35rem .4rem;text-align:left;vertical-align:top}}
thead th{{border-bottom:2px solid {p['axis']}}}
td ul{{margin:0;padding-left:1rem}}
td.num,th.num{{text-align:right}}
table.findings td:nth-child(3),table.findings td:nth-child(4),table.findings time span{{white-space:nowrap}}
table.findings td:nth-child(6),table.findings td:nth-child(7){{overflow-wrap:anywhere;min-width:10rem}}
.implied{{fill:#fff;stroke:{p['submitted']};stroke-width:1.5}}
tbody tr:target{{background:#fef9c3}}
.chunk{{content-visibility:auto;contain-intrinsic-size:auto 1000rem}}
.l-automated{{color:{p['automated']};font-weight:600}}
.l-human-reviewed{{color:{p['human-reviewed']};font-weight:600}}
.l-unknown{{color:{p['unknown']};font-weight:600}}
footer{{margin-top:2rem;border-top:1px solid #d4d4d4;font-size:.85rem}}
@media (max-width:40rem){{
body{{padding:.75rem;font-size:15px}}
.chart text{{font-size:24px}}
.chart .minor{{display:none}}
.chart .pt{{transform:scale(1.6)}}
table.findings thead{{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%)}}
table.findings,table.findings tbody,table.findings tr,table.findings td{{display:block;width:100%}}
table.findings tr{{border:1px solid #d4d4d4;border-radius:4px;margin:.5rem 0;padding:.3rem .5rem}}
table.findings td{{border:0;padding:.15rem 0;display:grid;grid-template-columns:6.5rem minmax(0,1fr);gap:.5rem;white-space:normal;min-width:0;overflow-wrap:anywhere}}
table.findings td::before{{font-weight:600;color:{p['muted']}}}
{_column_names()}
}}
@media print{{
@page{{size:A4;margin:12mm}}
body{{max-width:none;padding:0;font-size:10pt}}
*{{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
a{{color:inherit;text-decoration:none}}
nav{{display:none}}
table.findings td:nth-child(6),table.findings td:nth-child(7){{min-width:7rem}}
figure,.stand,.warning,tr{{break-inside:avoid}}
h2,h3{{break-after:avoid}}
}}
"""


def _column_names() -> str:
    """On narrow screens each cell says its column's name (the headers are hidden there)."""
    return "\n".join(f'table.findings td:nth-child({i})::before{{content:"{name}"}}'
                     for i, name in enumerate(_COLUMNS, 1))


_COLUMNS = ("Time", "What", "Label", "Confidence", "Delay", "Why", "Email")
STYLE = _css()
STYLE_HASH = "sha256-" + base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()
# Nothing may load or run: no script from anywhere, no image, font, frame or connection; only this
# page's own style sheet, pinned by its hash.
CSP = ("default-src 'none'; script-src 'none'; style-src '" + STYLE_HASH + "'; img-src 'none'; font-src 'none'; "
       "connect-src 'none'; media-src 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'; "
       "manifest-src 'none'; base-uri 'none'; form-action 'none'")


def sections(history) -> list[Summary]:
    """The platforms the page gives a section of their own: each with anything counted (forgeries
    alone are only in the warning box). What the command's closing line counts too."""
    return [s for s in history.summaries if any(e.counted for e in history.for_platform(s.platform))]


def build(data: ReportData) -> str:
    """The page."""
    counted = sections(data.history)
    forged = [e for e in data.history.events if not e.counted]
    page = Page(data)
    parts = [page.header(counted)]
    if forged:
        parts.append(page.not_counted(forged))
    if not counted:
        parts.append(page.empty())
    for summary in counted:
        parts.append(page.platform(summary, [e for e in data.history.for_platform(summary.platform) if e.counted]))
    parts.append(page.footer())
    return ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            f"<meta http-equiv=\"Content-Security-Policy\" content=\"{esc(CSP)}\">\n"
            "<meta name=\"referrer\" content=\"no-referrer\">\n"
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
            "<meta name=\"color-scheme\" content=\"light\">\n"
            "<title>rejectscan report: who answered your applications</title>\n"
            f"<style>{STYLE}</style>\n</head>\n<body>\n" + "\n".join(parts) + "\n</body>\n</html>\n")


class Page:
    """The page's parts; row ids are handed out in page order, so each mark can link to its row."""

    def __init__(self, data: ReportData) -> None:
        self.data = data
        self.timing = data.timing
        self._rows = 0

    # --- words and times ------------------------------------------------------------------------

    def name(self, platform: str | None) -> str:
        return self.data.names.get(platform or "", platform or "Any platform")

    def local(self, when: datetime | None, seconds: bool = False) -> str:
        if when is None:
            return "unknown time"
        return when.astimezone(self.data.zone).strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")

    def time(self, when: datetime | None, seconds: bool = False) -> str:
        """A <time> whose date and clock each stay on one line."""
        if when is None:
            return "unknown time"
        day, clock = self.local(when, seconds).split(" ")
        return f'<time{attrs(datetime=when.isoformat())}><span>{esc(day)}</span> <span>{esc(clock)}</span></time>'

    def zone_name(self) -> str:
        zone = self.data.zone
        key = getattr(zone, "key", None) or zone.tzname(self.data.generated_at) or "UTC"
        offset = self.data.generated_at.astimezone(zone).strftime("%z")
        offset = f"UTC{offset[:3]}:{offset[3:]}" if offset else "UTC"
        return key if key in ("UTC", offset) else f"{key} ({offset} now)"

    def delay_words(self, event: Event) -> str:
        record = event.record
        if event.delay_seconds is None:
            return ""
        if record is not None and event.delay_seconds < record.sent_at_precision_seconds:
            return "within a minute"
        return duration(event.delay_seconds)

    def clocks(self) -> dict[Region, str]:
        t = self.timing
        return {Region.BOTS: f"within {duration(t.bot_window_seconds)}: the bots' clock",
                Region.FADING: f"{duration(t.bot_window_seconds)} to {duration(t.bot_fade_seconds)}: "
                               "still the bots, less surely",
                Region.BETWEEN: f"{duration(t.bot_fade_seconds)} to {duration(t.human_min_seconds)}: "
                                "timing alone does not say",
                Region.SUPPORT: f"{duration(t.human_min_seconds)} or more: the support team's clock"}

    # --- the parts ----------------------------------------------------------------------------------

    def header(self, counted: Sequence[Summary]) -> str:
        d = self.data
        made = "; ".join(esc(m) for m in d.made_from) or "nothing"
        nav = ""
        if len(counted) > 1:
            nav = ("<nav aria-label=\"Platforms\"><ul>" + "".join(
                f'<li><a{attrs(href="#p-" + (s.platform or "any"))}>{esc(s.name)}</a></li>' for s in counted)
                + "</ul></nav>")
        t = self.timing
        return (f"<header>\n<h1>Who answered your applications</h1>\n"
                f"<p class=\"meta\">Made by rejectscan {esc(d.version)} on {self.time(d.generated_at)} from {made}. "
                f"All times are in <strong>{esc(self.zone_name())}</strong>.</p>\n"
                f"<p>Two reviewers turn profiles down. The platform's <strong>bots</strong> answer within about "
                f"{esc(duration(t.bot_window_seconds))} of submitting, with a stock email; its <strong>support team"
                f"</strong> takes about 48 hours or more ({esc(duration(t.human_min_seconds))} is where this tool "
                f"starts counting a person). The charts shade both clocks, from the thresholds in "
                f"<code>rules.toml</code>.</p>\n{nav}\n</header>")

    def not_counted(self, events: Sequence[Event]) -> str:
        items, advice = [], {}
        for e in events:
            r = e.record
            sender = ""
            if r is not None and (r.from_name or r.from_addr):
                sender = (f" from {esc(r.from_name)} &lt;{esc(r.from_addr)}&gt;" if r.from_name and r.from_addr
                          else f" from {esc(r.from_addr or r.from_name)}")
            why = (r.authenticity_reasons[0] if r is not None and r.authenticity_reasons
                   else "it did not come from the platform")
            subject = f" “{esc(r.subject)}”" if r is not None else ""
            items.append(f"<li>{self.time(e.at)}: an email claiming {esc(self.name(e.platform))} "
                         f"{esc(_KIND_WORDS[e.kind])} your profile{subject}{sender}. Why it does not count: {esc(why)}. "
                         f"<span class=\"muted\">Source: <code>{esc(e.source)}</code></span></li>")
            for a in (r.advice or ()) if r is not None else ():
                advice.setdefault(a.id, a)
        what = "".join(f"<p><strong>{esc(a.title)}.</strong> {esc(a.text)}</p>" for a in advice.values())
        n = len(events)
        return (f"<section class=\"warning\" id=\"not-counted\" aria-labelledby=\"not-counted-h\">\n"
                f"<h2 id=\"not-counted-h\">Warning: {n} email{'s' if n != 1 else ''} that {'are' if n != 1 else 'is'} "
                f"not a platform's decision</h2>\n"
                f"<p>{'They pretend' if n != 1 else 'It pretends'} to come from a platform, or "
                f"{'are copies' if n != 1 else 'is a copy'} of someone else's mail. Nothing else on this page counts "
                f"{'them' if n != 1 else 'it'}. Do not click {'their' if n != 1 else 'its'} links or reply.</p>\n"
                f"<ul>{''.join(items)}</ul>\n{what}\n</section>")

    def empty(self) -> str:
        t = self.timing
        chart_svg = chart.delay_chart([], t, ident="c-empty", title="The two clocks, with no answers yet",
                                      desc=self._clock_desc())
        return (f"<section class=\"empty\" aria-labelledby=\"empty-h\">\n"
                f"<h2 id=\"empty-h\">No applications recorded yet</h2>\n"
                f"<p>There is nothing to draw yet: no submission and no answer from a platform. When there is, each "
                f"answer becomes a point on the chart below, in the band of the clock that answered.</p>\n"
                f"<ol><li>Run <code>rejectscan submitted</code> the moment you click Submit.</li>"
                f"<li>Run <code>rejectscan fetch</code> (or keep <code>rejectscan watch</code> running) to read the "
                f"platforms' answers, or give saved mail to this command: <code>rejectscan report mail.mbox</code>.</li>"
                f"<li>Run <code>rejectscan report</code> again.</li></ol>\n"
                f"<figure>{self._legend(bands_only=True)}{chart_svg}"
                f"<figcaption>How long an answer takes, from 1 second to 4 weeks on a logarithmic scale.</figcaption>"
                f"</figure>\n</section>")

    def footer(self) -> str:
        return ("<footer><p>This page was written on your computer from your own mail and loads nothing from anywhere: "
                "no script, font or image. It holds your mail's metadata; keep it to yourself.</p>"
                "<p>Labels follow the thresholds in <code>rules.toml</code>; each finding lists its reasons. "
                "Made by <code>rejectscan report</code>.</p></footer>")

    def platform(self, summary: Summary, events: list[Event]) -> str:
        pid = summary.platform or "any"
        rows = {id(e): self._row_id() for e in events}
        rejections = [e for e in events if e.kind is EventKind.REJECTED]
        marks = [self._mark(e, rows[id(e)]) for e in events]
        name = summary.name
        parts = [f"<section{attrs(id='p-' + pid, aria_labelledby='p-' + pid + '-h')}>",
                 f"<h2{attrs(id='p-' + pid + '-h')}>{esc(name)}</h2>",
                 f"<p>{esc(self._summary_words(summary, events))}</p>",
                 self.standing(name, events)]
        tl = chart.timeline(marks, self.data.zone, ident=f"t-{pid}", platform=pid,
                            title=f"{name}: submissions and answers over time",
                            desc=self._timeline_desc(events))
        if tl:
            parts += ["<h3>Timeline</h3>", "<figure>", self._legend(timeline=True), tl,
                      f"<figcaption>{esc(self._timeline_caption(events))}</figcaption></figure>"]
        rejection_marks = [m for m, e in zip(marks, events) if e.kind is EventKind.REJECTED]
        parts += ["<h3>How long each answer took</h3>", "<figure>", self._legend(),
                  chart.delay_chart(rejection_marks, self.timing, ident=f"c-{pid}", platform=pid,
                                    title=f"{name}: how long each rejection took",
                                    desc=self._delay_desc(rejections)),
                  f"<figcaption>{esc(self._delay_caption(rejections))}</figcaption></figure>",
                  self._band_table(name, rejections),
                  self._findings(name, events, rows)]
        parts.append("</section>")
        return "\n".join(parts)

    # --- where the user stands ---------------------------------------------------------------------

    def standing(self, name: str, events: list[Event]) -> str:
        dated = [e for e in events if e.at is not None]
        decisions = [e for e in dated if e.kind in (EventKind.REJECTED, EventKind.APPROVED, EventKind.SUSPENDED)]
        submissions = [e for e in dated if e.kind in (EventKind.SUBMITTED, EventKind.SUBMISSION_EMAIL)]
        last = decisions[-1] if decisions else None
        later = [s for s in submissions if last is None or s.at > last.at]
        pending = (f"<p>You submitted on {self.time(later[-1].at)}; no answer has been read since. An answer within "
                   f"{esc(duration(self.timing.bot_window_seconds))} would be the bots', one after "
                   f"{esc(duration(self.timing.human_min_seconds))} the support team's.</p>") if later else ""
        if last is None:
            body = pending or "<p>No dated answer yet.</p>"
            return f"<div class=\"stand\"><p class=\"headline\">Where you stand: waiting for {esc(name)}.</p>{body}</div>"
        record = last.record
        if last.kind is EventKind.APPROVED:
            head, cls = f"{name} approved your profile on {self.local(last.at)}.", "s-approved"
        elif last.kind is EventKind.SUSPENDED:
            head, cls = f"{name} restricted or suspended your account on {self.local(last.at)}.", "s-suspended"
        else:
            label = last.label or Label.UNKNOWN
            when = self.delay_words(last)
            who = _WHO[label] + (f" ({label.value}, {round((record.confidence or 0) * 100)}% sure)"
                                 if record is not None and label is not Label.UNKNOWN else f" ({label.value})")
            head = (f"{name} turned your profile down on {self.local(last.at)}"
                    + (f", {when} after you submitted" if when else "") + f". Who decided: {who}.")
            cls = f"s-{label.value}"
        advice = [a for a in (record.advice or ()) if a.id not in self.data.always_advice] if record else []
        always = [a for a in (record.advice or ()) if a.id in self.data.always_advice] if record else []
        out = [f"<div{attrs(class_='stand ' + cls)}>", f"<p class=\"headline\">Where you stand: {esc(head)}</p>", pending]
        if record is not None and record.reviewer_instructions:
            out.append("<p>What the reviewer asked for, in their words:</p>")
            out += [f"<blockquote>{esc(i)}</blockquote>" for i in record.reviewer_instructions]
        if advice:
            out.append("<p>What to do next:</p><ol>" + "".join(
                f"<li><strong>{esc(a.title)}.</strong> {esc(a.text)}</li>" for a in advice) + "</ol>")
        if always:
            out.append("<p>Whatever happened, these stay open: "
                       + "; ".join(f"<strong>{esc(a.title.lower())}</strong>" for a in always) + ".</p>")
        out.append("</div>")
        return "".join(out)

    # --- charts' words -------------------------------------------------------------------------------

    def _row_id(self) -> str:
        self._rows += 1
        return f"f-{self._rows}"

    def _mark(self, e: Event, anchor: str) -> Mark:
        if e.kind is EventKind.REJECTED:
            label = e.label or Label.UNKNOWN
            when = self.delay_words(e)
            title = (f"Rejected {self.local(e.at)}" + (f", {when} after submitting" if when else ", no delay known")
                     + f": {_WHO[label]} ({label.value})")
            since = e.record.submitted_at if e.record is not None and e.delay_seconds is not None else None
            return Mark(anchor, label.value, e.at, title, e.delay_seconds, since)
        return Mark(anchor, _MARK_KIND[e.kind], e.at, f"{_KIND_WORDS[e.kind].capitalize()} {self.local(e.at)}")

    def _legend(self, bands_only: bool = False, timeline: bool = False) -> str:
        items = []
        if timeline:
            items += [(chart.swatch("submitted"), "submitted")]
        if not bands_only:
            items += [(chart.swatch("automated"), "the bots (automated)"),
                      (chart.swatch("human-reviewed"), "the support team (human-reviewed)"),
                      (chart.swatch("unknown"), "unknown")]
        if timeline:
            items += [(chart.swatch("approved"), "approved"), (chart.swatch("suspended"), "suspended")]
        else:
            items += [(chart.band_swatch(r.value), words) for r, words in self.clocks().items()]
        return ("<ul class=\"legend\">" + "".join(f"<li>{svg}<span>{esc(words)}</span></li>" for svg, words in items)
                + "</ul>")

    def _clock_desc(self) -> str:
        return "Bands on a logarithmic axis from 1 second to 4 weeks: " + "; ".join(self.clocks().values()) + "."

    def _counts(self, rejections: list[Event]) -> dict[Region | None, list[Event]]:
        out: dict[Region | None, list[Event]] = {r: [] for r in Region}
        out[None] = []
        for e in rejections:
            out[chart.region(e.delay_seconds, self.timing) if e.delay_seconds is not None else None].append(e)
        return out

    def _delay_desc(self, rejections: list[Event]) -> str:
        counts = self._counts(rejections)
        words = self.clocks()
        parts = [f"{len(counts[r])} {words[r].split(':')[0]}" for r in Region]
        return (f"{len(rejections) - len(counts[None])} rejections with a known delay, on a logarithmic axis from "
                f"1 second to weeks: " + ", ".join(parts) + f". {len(counts[None])} without a known delay. "
                "Each is a row of the table of findings below.")

    def _delay_caption(self, rejections: list[Event]) -> str:
        timed = [e for e in rejections if e.delay_seconds is not None]
        if not rejections:
            return "No rejection yet: the bands show where answers will fall."
        if len(rejections) == 1:
            return ("One rejection so far; each new answer adds a point. "
                    + ("A point's place across is the delay." if timed else "Its delay is unknown: no submission "
                       "time was recorded before it."))
        dated = [e.at for e in timed if e.at is not None]
        order = (f" Rows run down in time: the oldest ({self.local(min(dated))}) at the top, the newest "
                 f"({self.local(max(dated))}) at the bottom.") if len(dated) > 1 else ""
        return (f"Across: the delay between submitting and the answer, on a logarithmic scale.{order} "
                "Answers with no known submission time are in the strip below. Each point links to its row.")

    def _timeline_desc(self, events: list[Event]) -> str:
        dated = [e for e in events if e.at is not None]
        kinds = {}
        for e in dated:
            kinds[_KIND_WORDS[e.kind]] = kinds.get(_KIND_WORDS[e.kind], 0) + 1
        span = f" from {self.local(dated[0].at)} to {self.local(dated[-1].at)}" if dated else ""
        return (f"{len(dated)} dated events{span}: " + ", ".join(f"{n} {k}" for k, n in kinds.items())
                + ". Lines join each answer to the submission it was measured from.")

    def _timeline_caption(self, events: list[Event]) -> str:
        dated = [e for e in events if e.at is not None]
        undated = len(events) - len(dated)
        first = (f"One event so far, on {self.local(dated[0].at)}." if len(dated) == 1 else
                 f"From {self.local(dated[0].at)} to {self.local(dated[-1].at)}.")
        return (first + " Submissions above, answers below; a line joins an answer to its submission."
                + (f" {undated} with an unknown time are only in the table." if undated else ""))

    def _summary_words(self, s: Summary, events: list[Event]) -> str:
        """The section's counts, each saying where it came from: submissions you recorded with
        `rejectscan submitted` and the platform's submission emails are not the same count (one
        submission may be in both), so neither is called the other."""
        emails = sum(1 for e in events if e.kind is EventKind.SUBMISSION_EMAIL)
        parts = [f"{s.submissions} submission{'s' if s.submissions != 1 else ''} recorded by you, "
                 f"{emails} submission email{'s' if emails != 1 else ''} received",
                 f"{s.rejections} rejection{'s' if s.rejections != 1 else ''} ({s.automated} by the bots, "
                 f"{s.human_reviewed} by the support team, {s.unknown} unknown)",
                 f"{s.approvals} approval{'s' if s.approvals != 1 else ''}"]
        text = "; ".join(parts) + "."
        if s.median_human_delay_seconds is not None:
            text += f" The support team took {duration(s.median_human_delay_seconds)} (median)."
        if s.forgeries_ignored:
            text += f" {s.forgeries_ignored} email{'s' if s.forgeries_ignored != 1 else ''} not counted (see the warning)."
        return text

    # --- tables ----------------------------------------------------------------------------------------

    def _band_table(self, name: str, rejections: list[Event]) -> str:
        counts = self._counts(rejections)
        rows = [(self.clocks()[r], counts[r]) for r in Region] + [("no delay known", counts[None])]
        head = "".join(f'<th scope="col" class="num">{esc(_SHORT[label])}</th>' for label in Label)
        body = "".join(
            f"<tr><th scope=\"row\">{esc(words)}</th>"
            + "".join(f"<td class=\"num\">{sum(1 for e in events if (e.label or Label.UNKNOWN) is label)}</td>"
                      for label in Label) + "</tr>"
            for words, events in rows)
        return (f"<table class=\"bands\"><caption>{esc(name)}: the chart's points, counted by band and by who "
                f"decided (labels automated, human-reviewed, unknown)</caption>"
                f"<thead><tr><th scope=\"col\">Answered</th>{head}</tr></thead><tbody>{body}</tbody></table>")

    def _findings(self, name: str, events: list[Event], rows: dict[int, str]) -> str:
        """Long tables come in parts of CHUNK rows that the browser lays out only when they come into
        view (content-visibility): 2,000 findings open in a fraction of a second, and print whole."""
        head = "".join(f'<th scope="col">{c}</th>' for c in _COLUMNS)
        n = len(events)
        parts = []
        for start in range(0, max(n, 1), CHUNK):
            part = events[start:start + CHUNK]
            if n <= CHUNK:
                caption = f"{name}: every finding ({n})"
            elif start == 0:
                caption = f"{name}: every finding ({n}), 1 to {len(part)}"
            else:
                caption = f"{name}: findings {start + 1} to {start + len(part)} of {n}"
            table = (f"<table class=\"findings\"><caption>{esc(caption)}</caption><thead><tr>{head}</tr></thead>"
                     f"<tbody>{''.join(self._finding(e, rows[id(e)]) for e in part)}</tbody></table>")
            parts.append(f'<div class="chunk">{table}</div>' if n > CHUNK else table)
        return "".join(parts)

    def _finding(self, e: Event, row: str) -> str:
        r = e.record
        label = e.label.value if e.kind is EventKind.REJECTED and e.label else ""
        confidence = (f"{round((r.confidence or 0) * 100)}%" if r is not None and e.kind is EventKind.REJECTED
                      and e.label is not None and e.label is not Label.UNKNOWN else "")
        if e.kind is EventKind.REJECTED:
            reasons = list(r.reasons or ()) if r is not None else []
        elif r is not None and r.template_description:
            reasons = [r.template_description]
        else:
            reasons = []
        why = "<ul>" + "".join(f"<li>{esc(x)}</li>" for x in reasons) + "</ul>" if reasons else ""
        if r is not None:
            sender = r.from_addr or r.from_name or "unknown sender"
            email = (f"“{esc(r.subject)}”<br><span class=\"muted\">from {esc(sender)}"
                     + (f", forwarded by {esc(r.forwarded_by)}" if r.forwarded and r.forwarded_by else "")
                     + f"</span><br><code>{esc(e.source)}</code>")
        else:
            email = esc(e.source)
        cells = (self.time(e.at, seconds=True), esc(_KIND_WORDS[e.kind]),
                 f'<span{attrs(class_="l-" + label)}>{esc(label)}</span>' if label else "",
                 confidence, (f'<data{attrs(value=e.delay_seconds)}>{esc(self.delay_words(e))}</data>'
                              if e.delay_seconds is not None else ""), why, email)
        return f"<tr{attrs(id=row)}>" + "".join(f"<td><div>{v}</div></td>" for v in cells) + "</tr>"


CHUNK = 200  # rows per part of a long findings table
