"""The application core: the one place that composes the steps for every command.

An App is built from the options a command was given and the Environment; it resolves the
settings, loads the patterns once, and offers analyze, fetch, watch, history, record_submission,
doctor and the pattern and config tools. It never prints: reports go to a writer the caller
passes in (render.RecordWriter), and everything else comes back as typed values. `fetch` and
`watch` share one locked check (fetch, heartbeat, exactly-once delivery).
"""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Callable, Iterator, Sequence

from rejectscan import config as config_mod
from rejectscan import history as history_mod
from rejectscan import pipeline, timestamps
from rejectscan.delivery import Delivery, RecordWriter
from rejectscan.environment import Environment
from rejectscan.errors import ConnectError, InputError, StoreError, UsageError
from rejectscan.models import Heartbeat, Submission
from rejectscan.patterns import PatternSet
from rejectscan.progress import Progress, Silent
from rejectscan.record import Record
from rejectscan.textout import plural
from rejectscan.showing import DECISIONS, EVERY_KIND, Showing, Tally, tally
from rejectscan.watcher import WatchSettings

__all__ = ["App", "AccountOptions", "CommonOptions", "Environment", "WatchSettings", "setup_logging"]

log = logging.getLogger("rejectscan")


def setup_logging(env: Environment, *, verbose: bool, debug: bool, log_file: str | None) -> None:
    from rejectscan import logs

    logs.setup(env.redactor, verbose=verbose, debug=debug, log_file=log_file)


@dataclass(frozen=True)
class CommonOptions:
    """Options every command shares; None or empty means not given."""

    format: str | None = None
    patterns: tuple[str, ...] = ()
    config: str | None = None
    db: str | None = None


@dataclass(frozen=True)
class AccountOptions:
    host: str | None = None
    port: int | None = None
    user: str | None = None
    tls: str | None = None
    cafile: str | None = None
    folders: tuple[str, ...] = ()
    allow_plaintext: bool = False


@dataclass(frozen=True)
class AnalyzeResult:
    reported: int
    errors: tuple[InputError, ...]
    found: Tally = field(default_factory=Tally)
    warnings: tuple[str, ...] = ()  # e.g. the store could not be read, so it was judged without it


@dataclass(frozen=True)
class FetchResult:
    delivered: int
    errors: tuple[InputError, ...]
    found: Tally = field(default_factory=Tally)  # what was new, shown or not: for the summary line


@dataclass(frozen=True)
class HistoryView:
    history: history_mod.History
    heartbeats: tuple[Heartbeat, ...]
    stale: tuple[str, ...]  # the configured mailbox, when no check of it has succeeded for too long
    configured: str | None = None  # the configured mailbox (user@host); None: no account configured
    zone: tzinfo | None = None  # the user's, for the times shown


@dataclass(frozen=True)
class Scheduled:
    """What `schedule` made: the crontab line or the units, where they went (None: not written)."""

    line: str = ""
    units: tuple = ()  # schedule.Unit
    written_to: str | None = None
    warnings: tuple[str, ...] = ()
    folder: str = ""  # where the units go (or would go), as the user would type it


@dataclass(frozen=True)
class ConfigView:
    """The effective settings as `config show` prints them: (setting, value, where it came from)."""

    rows: tuple[tuple[str, str, str], ...]
    path: Path
    exists: bool


@dataclass(frozen=True)
class ReportResult:
    path: Path | None  # None: the page went to the stream given (`--output -`)
    events: int  # events on the page, forgeries included
    platforms: int  # platforms with a section on the page (report.sections)
    errors: tuple[InputError, ...]
    warnings: tuple[str, ...] = ()


STALE_AFTER = timedelta(hours=1)
RECORDED_ACCOUNT = "saved mail"  # the store's account for what `analyze --record` keeps (no mailbox of that name)


def _without_store(exc: StoreError) -> str:
    return f"judged without your recorded submissions and history: {exc}"


def _check_submitted_at(when: datetime, facts) -> None:
    """A --submitted-at after the only message judged, a decision, cannot be what it answers: say so,
    with both times."""
    sent = facts.sent_at.value
    if facts.match.kind.value in ("rejection", "approval") and sent is not None:
        if sent + timedelta(seconds=facts.sent_at.precision_seconds) <= when:
            raise UsageError(f"--submitted-at {when.isoformat(sep=' ', timespec='seconds')} is after the email was sent "
                             f"({sent.isoformat(sep=' ', timespec='seconds')}): give the time you clicked Submit before "
                             "this answer came")  # `history` warns, and `doctor` fails by default, after this long


class App:
    def __init__(self, env: Environment, options: CommonOptions = CommonOptions()) -> None:
        from rejectscan.notify import Children

        self.env = env
        self.options = options
        self.children = Children()  # notifiers now running: stop() ends them at once

    @functools.cached_property
    def settings(self) -> config_mod.Settings:
        """Option > environment > config file > default; read on first use (`config init` never does)."""
        o = self.options
        given = {"format": o.format, "patterns": o.patterns, "config": o.config, "db": o.db}
        return config_mod.resolve({k: v for k, v in given.items() if v}, self.env)

    # --- what every command may need -------------------------------------------------------------

    @functools.cached_property
    def db(self) -> str:
        """The state database's path, refused up front when it can never hold one (store.check_location):
        every command that opens, reads or schedules the store goes through here."""
        from rejectscan.store import check_location

        s = self.settings
        named = {None: f"the state database {s.db}", "--db": f"--db {s.db}",
                 config_mod.ENV_DB: f"{config_mod.ENV_DB}={s.db}",
                 "config": f'db = "{s.db}" in {s.config_path}'}[s.db_named_by]
        check_location(s.db, named, default=s.db_named_by is None)
        return s.db

    @functools.cached_property
    def patterns(self) -> PatternSet:
        from rejectscan import patterns as patterns_mod

        return patterns_mod.load(self.settings.patterns)

    @property
    def format(self) -> str:
        return self.settings.format

    def showing(self, kinds: Sequence[str], quiet: bool = False) -> Showing:
        """What a run shows and notifies (showing.py): decisions for people, every kind for programs."""
        from rejectscan import showing

        return showing.showing(kinds, self.format, quiet)

    @property
    def zone(self) -> tzinfo | None:
        """The user's time zone, for the times a command shows (None: UTC as stored)."""
        return self.env.zone

    @property
    def judged_by(self) -> str:
        """What a stored verdict is judged with: the rules and the zone forwards are read in (pipeline.judged_by)."""
        return pipeline.judged_by(self.patterns, self.env.zone)

    @property
    def platform_names(self) -> dict[str, str]:
        return {p.id: p.name for p in self.patterns.platforms}

    @property
    def always_advice(self) -> frozenset[str]:
        """Advice that applies to every rejection (shown in text as one short line)."""
        return frozenset(a.id for a in self.patterns.advice.values() if "any" in a.labels)

    @functools.cached_property
    def trust(self):
        """Who the user is (login name and `addresses`) and which results headers to believe."""
        return config_mod.trust(self.settings, self.env.environ)

    def account_trust(self, imap):
        """`trust` with the login name in force (--user included) when it is an address: the
        user's own mail is what a forward search looks for."""
        from dataclasses import replace

        user = imap.user.strip().lower()
        return replace(self.trust, addresses=self.trust.addresses | {user}) if "@" in user else self.trust

    @functools.cached_property
    def _scan_cache(self):
        from rejectscan.sources.mbox import DatabaseCache

        return DatabaseCache(self.env.folder("cache"))

    def progress(self, stream, width: int, quiet: bool = False) -> Progress:
        """The progress line (progress.py): drawn only when stderr is a terminal that can redraw a
        line, and not when quiet (or when the log goes to stderr: it says the same)."""
        from rejectscan.progress import Meter

        if quiet or not self.env.stderr_is_tty or self.env.environ.get("TERM") == "dumb":
            return Silent()
        return Meter(stream, width)

    def when(self, text: str, option: str = "--submitted-at") -> datetime:
        """A time the user typed as `option`, in their zone; an error names the option."""
        return timestamps.parse_when(text, now=self.env.now(), zone=self.env.zone, option=option)

    def since(self, text: str, option: str = "--since") -> datetime:
        """The start of a window the user typed: a span back from now, or a date."""
        return timestamps.parse_since(text, now=self.env.now(), zone=self.env.zone, option=option)

    # --- analyze ------------------------------------------------------------------------------------

    def analyze(self, paths: Sequence[str], writer: RecordWriter, *, submitted_at: str | None = None,
                include_all: bool = False, full_parse: bool = False, showing: Showing | None = None,
                record: bool = False, progress: Progress = Silent(),
                on_error: Callable[[InputError], None] = lambda e: None) -> AnalyzeResult:
        """Judge saved mail. Reads the store's submissions when the database exists; writes it only
        with `record` (README "Offline: analyze --record"), after the last report.

        Streams: each report is written as soon as it is made, and nothing of a message is kept
        once its report is out, except rejections and suspensions, which wait for the end of the
        input (the submission they answer may come later) and are written last; with `record`, the
        platform's messages are kept too, to be stored.
        """
        errors: list[InputError] = []

        def error(exc: InputError) -> None:
            progress.clear()
            errors.append(exc)
            on_error(exc)

        when = self.when(submitted_at) if submitted_at is not None else None  # "" is refused, not ignored
        warnings: list[str] = []
        if record:
            with self._store():  # refused now (read-only, full, newer), not after the whole input was read
                pass
        try:
            submissions, history = self._stored_context()
        except StoreError as exc:  # analyze only reads the store: it goes on without it
            submissions, history = [], None
            warnings.append(_without_store(exc))
        sink = writer.sink()
        found = Tally()
        kept: dict[str, tuple[str, bytes]] | None = {} if record else None
        records: list[Record] = []
        for one in self._judge_files(paths, submissions, history, when=when,
                                     include_all=include_all, full_parse=full_parse, on_error=error,
                                     progress=progress, keep=kept):
            found.add(one)
            if kept is not None and one.source in kept:
                records.append(one)
            if showing is None or showing.shows(one) or one.platform is None:
                progress.clear()
                sink.add(one)
        progress.clear()
        sink.close()
        if kept is not None:
            self._record(records, kept, when)
        return AnalyzeResult(reported=sink.count, errors=tuple(errors), warnings=tuple(warnings), found=found)

    def _record(self, records: list[Record], kept: dict[str, tuple[str, bytes]], submitted: datetime | None) -> None:
        """analyze --record: the platform's messages stored as fetch stores them, already reported
        (they were just shown), so `history` and `report` work from a saved export. A message stored
        before, by fetch or an earlier --record, stays as it was."""
        from rejectscan.store import Saved, run_lock

        rules = self.judged_by
        saved = [Saved(key=kept[r.source][0], uid=None, record=r, raw=kept[r.source][1], rules=rules)
                 for r in records]
        with run_lock(self.db, 300.0), self._store() as store:
            if submitted is not None and submitted not in {s.at for s in store.submissions()}:
                store.add_submission(submitted, None, "analyze --submitted-at")
            new = store.save_batch(RECORDED_ACCOUNT, "", 0, saved, [])
            store.mark_reported(new)

    def _stored_context(self) -> tuple[list[Submission], history_mod.History | None]:
        """The store's submissions and history, when the database exists (read only: never created here)."""
        if not Path(self.db).exists():
            return [], None
        with self._reading_store() as store:
            return store.all_submissions(), self._history(store, write=False)

    def _judge_files(self, paths: Sequence[str], submissions: list[Submission],
                     history: history_mod.History | None, *, when: datetime | None, include_all: bool,
                     full_parse: bool, on_error: Callable[[InputError], None], progress: Progress = Silent(),
                     keep: dict[str, tuple[str, bytes]] | None = None) -> Iterator[Record]:
        """Saved mail judged with the store's submissions and history (for pairing and advice), each
        record as soon as it is made (pipeline.StreamingJudge): rejections and suspensions last.
        `keep` gets each platform message's store key and bytes, by source."""
        from rejectscan.fetching import message_key
        from rejectscan.prefilter import Prefilter
        patterns = self.patterns
        submissions = list(submissions)
        if when is not None:
            submissions.append(Submission(at=when, platform=None, source="--submitted-at", typed=True))
        prefilter = None if full_parse or include_all else Prefilter.for_patterns(patterns)
        items = self._inputs(paths, prefilter, progress)
        judge = pipeline.StreamingJudge(patterns, submissions, history)
        held = None  # with --submitted-at the first message waits: if it is the only one, it is checked
        seen = 0
        for item, facts in pipeline.examine_all(items, patterns, include_all, on_error, prefilter, self.trust,
                                                self.env.zone):
            seen += 1
            if keep is not None and pipeline.concerns_platform(facts):
                keep[facts.source] = (message_key(item.data, facts.message_id), item.data)
            report = judge.add(facts)
            if when is not None and seen == 1:
                held = (facts, report)
                continue
            if held is not None and held[1] is not None:
                yield Record.from_report(held[1])
            held = None
            if report is not None:
                yield Record.from_report(report)
        if held is not None:
            _check_submitted_at(when, held[0])
            if held[1] is not None:
                yield Record.from_report(held[1])
        for report in judge.finish():
            yield Record.from_report(report)

    def _inputs(self, paths: Sequence[str], prefilter, progress: Progress) -> Iterator:
        """Every message of the paths (sources.files), each named on the progress line as it is read."""
        from rejectscan.models import RawMessage
        from rejectscan.sources.files import iter_inputs

        for path in paths:
            if path != "-":
                progress.show(f"reading {path}", now=True)
            for item in iter_inputs([path], self.env.stdin if path == "-" else None, prefilter, self._scan_cache):
                if isinstance(item, RawMessage) and item.in_container:
                    progress.show(f"reading {item.source}")
                yield item

    # --- fetch and watch --------------------------------------------------------------------------

    def account(self, options: AccountOptions):
        """The IMAP account (config.ImapSettings) from the options, environment and config file."""
        return config_mod.imap_settings(self.settings, {
            "host": options.host, "port": options.port, "user": options.user, "tls": options.tls,
            "cafile": options.cafile, "folders": options.folders, "allow_plaintext": options.allow_plaintext,
        }, self.env.environ)

    def config_warning(self) -> str | None:
        return config_mod.config_permission_warning(self.settings)

    def mailbox_factory(self, imap, prompt: Callable[[str], str] | None = None) -> Callable[[], object]:
        """Opens the account; credentials are asked for afresh on every connection (OAuth2 tokens expire)."""
        from rejectscan import credentials
        from rejectscan.sources.imap import ImapMailbox

        def credential():
            if imap.oauth2_token_cmd:
                return credentials.resolve_token(imap.user, imap.oauth2_token_cmd, self.env.environ)
            return credentials.resolve_password(imap.user, imap.host, imap.password_cmd, self.env.environ,
                                                prompt=prompt if self.env.stdin_is_tty else None)

        return lambda: ImapMailbox(imap, credential, self.env.redactor)

    def delivery(self, writer: RecordWriter, notify_cmd: str | None, desktop: bool,
                 notify_timeout: float = 30.0, showing: Showing | None = None) -> Delivery:
        """How findings go out; a notify command that cannot run is refused here, before any mail is read."""
        from rejectscan import notify

        notifiers = []
        if notify_cmd is not None:
            command = notify.prepare(notify_cmd, self.env.environ, notify_timeout)
            notifiers.append(lambda record: notify.run_command(command, record, self.env.environ, self.children))
        if desktop:
            names = self.platform_names
            notifiers.append(lambda record: notify.desktop(record, names, self.env.environ))
        return Delivery(writer, tuple(notifiers), stopping=self.children.stopping.is_set,
                        showing=showing or Showing(output=EVERY_KIND, notify=DECISIONS))

    def stop(self) -> None:
        """Asked to stop (a signal): end running notifiers now and send no more."""
        self.children.stop()

    def fetch(self, options: AccountOptions, delivery: Delivery, *, since: str = "30d", rescan: bool = False,
              lock_timeout: float = 300.0, prompt: Callable[[str], str] | None = None,
              progress: Progress = Silent()) -> FetchResult:
        """Read the platforms' mail over IMAP (read-only) and deliver what is new."""
        imap = self.account(options)
        window = self.since(since)
        self.db, self.patterns  # a database path that cannot be one, or a broken pattern file, before connecting
        factory = self.mailbox_factory(imap, prompt)
        try:
            with factory() as box:
                log.info("connected to %s:%d (%s); reading since %s", imap.host, imap.port,
                         {"ssl": "TLS", "starttls": "STARTTLS"}.get(imap.tls, "no TLS"),
                         window.isoformat(sep=" ", timespec="minutes"))
                result = self._check(box, imap, delivery, window, rescan, lock_timeout, runner="fetch",
                                     progress=progress)
                log.info("done: %s new", plural(result.found.total, "platform email"))
                return result
        except ConnectError as exc:
            self._beat(imap.account, "fetch", str(exc))
            raise

    def _check(self, box, imap, delivery: Delivery, since: datetime, rescan: bool, lock_timeout: float,
               runner: str, progress: Progress = Silent()) -> FetchResult:
        """The one locked check fetch and watch share: fetch, heartbeat, then exactly-once delivery."""
        from rejectscan.fetching import Fetcher, FetchRequest
        from rejectscan.store import run_lock

        trust = self.account_trust(imap)
        with run_lock(self.db, lock_timeout), self._store() as store:
            request = FetchRequest(account=imap.account, since=since, rescan=rescan,
                                   search_forwards=imap.search_forwards, own_addresses=tuple(sorted(trust.addresses)))
            try:
                outcome = Fetcher(box, store, self.patterns, lambda: self._history(store), trust, progress,
                                  self.env.zone).run(request)
            finally:
                progress.clear()
            store.beat(imap.account, runner)
            pending = store.records(outcome.rescanned) if rescan else store.unreported()
            delivered = delivery.deliver(store, pending)
        return FetchResult(delivered=len(delivered), errors=outcome.errors, found=tally(delivered))

    def watch(self, options: AccountOptions, delivery: Delivery, *, since: str, settings,
              stop_on: Callable[[Callable[[], None]], None], prompt: Callable[[str], str] | None = None,
              announce: Callable[[str], None] = lambda line: None) -> None:
        """Watch the account until stopped; `stop_on(stop)` lets the caller wire signals to `stop`."""
        from rejectscan.watcher import Watcher

        imap = self.account(options)
        self.since(since)  # refuse a bad window now, not at the first check
        self.db, self.patterns

        def check(box) -> None:
            result = self._check(box, imap, delivery, self.since(since), False, settings.lock_timeout, runner="watch")
            for error in result.errors:
                log.error("%s", error)

        def started(folders: list[str], idle: bool) -> None:
            from rejectscan.safe import field
            from rejectscan.text import duration
            from rejectscan.textout import listing

            how = ("waiting for the server to push new mail (IMAP IDLE)" if idle else
                   f"checking every {duration(int(settings.poll_seconds))} (the server has no IDLE)")
            names = listing([field(f) for f in folders])  # folder names are the server's to choose
            announce(f"rejectscan: watching {names} of {field(imap.account)} on {imap.host}, {how}. "
                     "Findings appear as they arrive; stop with Ctrl-C or SIGTERM.")

        watcher = Watcher(mailbox_factory=self.mailbox_factory(imap, prompt), check=check,
                          trouble=lambda message: self._beat(imap.account, "watch", message), settings=settings,
                          started=started)

        def stop() -> None:
            watcher.stop.set()
            self.stop()

        stop_on(stop)
        watcher.run()

    # --- the store ------------------------------------------------------------------------------

    def _store(self):
        from rejectscan.store import Store

        return Store(self.db, clock=self.env.clock)

    def _reading_store(self):
        """For commands that only read: where the database cannot be written (a read-only mount), it is
        opened read-only rather than refused."""
        from rejectscan.store import Store, writable

        return Store(self.db, clock=self.env.clock, readonly=not writable(self.db))

    def _beat(self, account: str, runner: str, error: str) -> None:
        """A failed check, recorded for `doctor` and `history`."""
        with self._store() as store:
            store.beat(account, runner, error)

    def _history(self, store, write: bool = True) -> history_mod.History:
        """History from the store, every stored message judged by the rules in force."""
        return history_mod.build(store.submissions(), self._stored_records(store, write), self.platform_names)

    def _stored_records(self, store, write: bool = True) -> list[Record]:
        """Every stored record, as the rules in force judge it."""
        records = {s.key: s.record for s in store.records()}
        if store.judged_by_other_rules(self.judged_by):
            records.update(self._rejudge(store, write))
        return list(records.values())

    def _rejudge(self, store, write: bool) -> list[tuple[str, Record]]:
        """Judge every stored message again with the current rules, so history never mixes old and new
        verdicts. Nothing is reported again; `write=False` (analyze, which never writes) keeps it in memory."""
        from rejectscan.models import RawMessage

        rows = store.raw_messages()
        errors: list[InputError] = []
        keyed = [(key, pipeline.examine_one(RawMessage(raw, source, in_container=True), self.patterns, True,
                                            errors.append, self.trust, self.env.zone)) for key, source, raw in rows]
        keyed = [(key, facts) for key, facts in keyed if facts is not None]
        reports = pipeline.judge([f for _, f in keyed], self.patterns, store.submissions())
        updates = [(key, Record.from_report(r)) for (key, _), r in zip(keyed, reports)]
        if write:
            store.update_records(updates, self.judged_by)
        return updates

    def history(self) -> HistoryView:
        with self._reading_store() as store:
            history = self._history(store, write=not store.readonly)
            beats = tuple(store.heartbeats())
        now = self.env.clock()
        try:
            configured = self.account(AccountOptions()).account
        except config_mod.ConfigError:  # no account configured: no heartbeat counts (as in doctor)
            configured = None
        stale = tuple(b.account for b in beats if history_mod.counts(b.account, configured)
                      and history_mod.is_stale(b.last_ok, now, STALE_AFTER))
        return HistoryView(history=history, heartbeats=beats, stale=stale, zone=self.env.zone, configured=configured)

    # --- report -----------------------------------------------------------------------------------

    def report(self, paths: Sequence[str], output: str, *, submitted_at: str | None = None,
               on_error: Callable[[InputError], None] = lambda e: None, stream=None) -> ReportResult:
        """The HTML report from the store (when the database exists; it is never created or changed
        here) and from saved mail given on the command line, written to `output` readable only by
        the user: it holds mail metadata. `output` "-" writes it to `stream` instead (the caller's
        standard output)."""
        from rejectscan import __version__, privatefile, report

        when = self.when(submitted_at) if submitted_at is not None else None  # "" is refused, not ignored
        if when is not None and not paths:
            raise UsageError("--submitted-at pairs only with saved mail given as PATHS; give the .eml or mbox "
                             "files too, or record the time with `rejectscan submitted --at`")
        to_stream = output == privatefile.STDOUT
        target = None if to_stream else privatefile.check_target(output)
        errors: list[InputError] = []

        def error(exc: InputError) -> None:
            errors.append(exc)
            on_error(exc)

        made_from, submissions, records, pairing, warnings = [], [], [], [], []
        if Path(self.db).exists():
            try:
                with self._reading_store() as store:
                    submissions = store.submissions()
                    records = self._stored_records(store, write=False)
                    pairing = store.all_submissions()
                made_from.append(f"the state database {self.db}")
            except StoreError as exc:
                if not paths:
                    raise
                warnings.append(_without_store(exc))
        if paths:  # judged as analyze judges them: paired with the store's submissions, advised by its history
            stored = history_mod.build(submissions, records, self.platform_names) if records or submissions else None
            records = records + list(self._judge_files(paths, pairing, stored, when=when, include_all=False,
                                                       full_parse=False, on_error=error))
            named = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
            made_from.append(f"saved mail given on the command line ({named})")
        history = history_mod.build(submissions, records, self.platform_names)
        data = report.ReportData(history=history, timing=self.patterns.timing, names=self.platform_names,
                                 zone=self.env.zone, generated_at=self.env.now(), made_from=tuple(made_from),
                                 always_advice=self.always_advice, version=__version__)
        page = report.build(data)
        if target is None:
            stream.write(page)
            stream.flush()
        else:
            privatefile.write(target, page)
        return ReportResult(path=target, events=len(history.events),
                            platforms=len(report.sections(history)),
                            errors=tuple(errors), warnings=tuple(warnings))

    def open_in_browser(self, path: Path) -> bool:
        """Show a written report in the user's browser ($BROWSER, else the desktop's default); False
        when there is none to start."""
        from rejectscan import opener

        return opener.open_file(path, self.env.environ)

    def platform_id(self, given: str) -> str:
        """A platform as the user types it: its id or its name, in any case ('Fiverr', 'freelancer.com')."""
        wanted = given.strip().casefold()
        for p in self.patterns.platforms:
            if wanted in (p.id.casefold(), p.name.casefold()):
                return p.id
        known = ", ".join(sorted(p.id for p in self.patterns.platforms))
        raise UsageError(f"unknown platform {given!r}; known: {known}")

    def record_submission(self, at: str | None, platform: str, note: str | None, future: bool = False) -> Submission:
        platform = self.platform_id(platform)
        now = self.env.now()
        when = self.when(at, "--at") if at is not None else now
        if when > now + timedelta(minutes=1) and not future:
            raise UsageError(f"--at {at!r} is in the future ({when.isoformat(sep=' ', timespec='seconds')}); a "
                             "submission is recorded when you click Submit. Add --future if you mean it")
        with self._store() as store:
            store.add_submission(when, platform, note)
        return Submission(at=when, platform=platform, source="recorded with `rejectscan submitted`")

    def recorded_submissions(self, platform: str | None = None) -> list:
        """Every `rejectscan submitted` record (models.RecordedSubmission), oldest first; only one
        platform's when named (as the user types it), each keeping its number for --delete."""
        wanted = self.platform_id(platform) if platform is not None else None
        if not Path(self.db).exists():
            return []
        with self._reading_store() as store:
            rows = store.recorded_submissions()
        return [r for r in rows if wanted is None or r.platform == wanted]

    def delete_submission(self, number: int) -> None:
        with self._store() as store:
            if not store.delete_submission(number):
                raise UsageError(f"no recorded submission number {number}; `rejectscan submitted --list` shows them")

    # --- doctor, patterns, config --------------------------------------------------------------------

    def doctor(self, options: AccountOptions, stale_after: str):
        from rejectscan import doctor, lint

        now = self.env.clock()
        window = timestamps.parse_span(stale_after, "--stale-after")
        account = functools.lru_cache(maxsize=1)(lambda: self.account(options))
        inputs = doctor.DoctorInputs(
            account=account, config_path=self.settings.config_path or "no config file",
            patterns=lambda: self.patterns, lint=lint.lint,
            scanner=lambda patterns: doctor.scanner_check(patterns, self._scan_cache),
            db_path=self.settings.db, db_check=lambda: self.db, mailbox=lambda: self.mailbox_factory(account())(),
            stale_after=window, now=now)
        return doctor.run_checks(inputs)

    def forget(self, mailbox: str) -> bool:
        """Drop a mailbox's sync state and heartbeat (its messages stay in history)."""
        with self._store() as store:
            return store.forget(mailbox)

    def pattern_rows(self):
        from rejectscan import lint

        return lint.rows(self.patterns)

    def lint_patterns(self, dirs: Sequence[str]):
        """Problems in the given folders' files (checked with the shipped packs they may build on),
        or in every loaded file."""
        from rejectscan import lint

        return lint.lint_files(tuple(dirs), self.settings.patterns)

    def probe(self, path: str) -> Iterator[tuple[str, object, list, list]]:
        """Which templates and signals hit each email of a file, an mbox (each message on its own),
        a Maildir or stdin: (source, original, template hits, signals) per message."""
        from rejectscan import forwards, lint, parse
        from rejectscan.sources.files import iter_inputs

        patterns = self.patterns
        for item in iter_inputs([path], self.env.stdin if path == "-" else None, None, self._scan_cache):
            if isinstance(item, InputError):
                raise item
            original = forwards.unwrap(parse.parse_message(item.data, item.source))
            hits, signals = lint.probe(original, patterns)
            yield item.source, original, hits, signals

    def config_init(self, user: str, path: str | None) -> Path:
        target = Path(path).expanduser() if path else config_mod.default_config_path(self.env)
        return config_mod.write_config_template(target, user)

    def config_path(self) -> tuple[Path, bool]:
        """The config file this run reads (or would read), and whether it exists."""
        path, _ = config_mod.config_file(self.options.config, self.env)
        return path, path.is_file()

    def config_view(self) -> ConfigView:
        """Every effective setting and its origin; the password only by where it would come from."""
        from rejectscan import credentials
        from rejectscan import patterns as patterns_mod

        env, o, s = self.env.environ, self.options, self.settings
        path, exists = self.config_path()
        file = config_mod.read_config(path, False)

        def origin(option, variable: str | None, key: str | None, table: dict = file) -> str:
            if option:
                return "option"
            if variable and env.get(variable):
                return variable
            return "config file" if key and table.get(key) not in (None, "", [], ()) else "default"

        rows = [("config file", f"{path}{'' if exists else ' (not there yet: `rejectscan config init`)'}",
                 origin(o.config, config_mod.ENV_CONFIG, None)),
                ("database", s.db, origin(o.db, config_mod.ENV_DB, "db")),
                ("patterns", ", ".join([str(patterns_mod.shipped_dir()), *s.patterns]),
                 origin(o.patterns, config_mod.ENV_PATTERNS, "patterns")),
                ("format", s.format, origin(o.format, None, "format")),
                ("cache", str(self.env.folder("cache")), origin(None, "XDG_CACHE_HOME", None))]
        account = s.account
        try:
            imap = self.account(AccountOptions())
        except config_mod.ConfigError as exc:
            rows.append(("account", f"not usable: {exc}", ""))
        else:
            for name, value, variable in (("user", imap.user, config_mod.ENV_USER),
                                          ("host", imap.host, config_mod.ENV_HOST),
                                          ("port", str(imap.port), None), ("tls", imap.tls, None),
                                          ("cafile", imap.cafile or "(system CAs)", None),
                                          ("folders", ", ".join(imap.folders), None)):
                rows.append((name, value, origin(None, variable, name, account)))
            if imap.oauth2_token_cmd:
                secret = ("OAuth2 token from oauth2_token_cmd (not shown)", "config file")
            elif env.get(credentials.ENV_PASSWORD):
                secret = (f"set in {credentials.ENV_PASSWORD} (not shown)", credentials.ENV_PASSWORD)
            elif imap.password_cmd:
                secret = ("from password_cmd (not shown)", "config file")
            else:
                secret = ("from the system keyring, else a prompt on a terminal", "default")
            rows.append(("password", *secret))
        return ConfigView(rows=tuple(rows), path=path, exists=exists)

    # --- schedule ----------------------------------------------------------------------------------

    def _scheduled_command(self) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
        """This installation's program words, the options a scheduled run needs to find this run's
        config and database with only HOME set, and warnings about what it would lack."""
        import shutil
        import sys

        from rejectscan import schedule

        env = self.env.environ
        found = shutil.which(self.env.argv0, path=env.get("PATH")) if self.env.argv0 else None
        words = schedule.program(self.env.argv0, self.env.python, found)
        home = env.get("HOME", "")
        path, exists = self.config_path()
        if home and sys.platform.startswith("linux"):
            usual_config = str(Path(home) / ".config" / "rejectscan" / "config.toml")
            usual_db = str(Path(home) / ".local" / "share" / "rejectscan" / "state.sqlite3")
        else:
            usual_config = usual_db = ""
        options = schedule.extra_options(str(path) if exists else None, self.db, usual_config, usual_db)
        warnings = []
        if not exists and not env.get(config_mod.ENV_USER):
            warnings.append(f"no config file at {path}: a scheduled run knows no account; "
                            "run `rejectscan config init` first")
        account = self.settings.account
        if not (account.get("password_cmd") or account.get("oauth2_token_cmd")):
            warnings.append("a scheduled run has no REJECTSCAN_PASSWORD and no terminal for a prompt: unless "
                            f"the keyring holds your password, set password_cmd or oauth2_token_cmd in {path}")
        for name in (config_mod.ENV_USER, config_mod.ENV_HOST, config_mod.ENV_PATTERNS):
            if env.get(name):
                warnings.append(f"{name} is set here but not in a scheduled run: put it in {path}")
        if env.get("PYTHONPATH") and len(words) > 1:
            warnings.append(f"PYTHONPATH is set here but not in a scheduled run, whose {words[0]} may not find "
                            "rejectscan: install it (python3 -m pip install .) and schedule from that install")
        return words, options, tuple(warnings)

    def schedule_cron(self, dry_run: bool) -> Scheduled:
        """The crontab line; unless dry_run, put into the user's crontab in place of an earlier one."""
        import subprocess

        from rejectscan import schedule
        from rejectscan.errors import ScheduleError

        words, options, warnings = self._scheduled_command()
        line = schedule.cron_line(words, options)
        if dry_run:
            return Scheduled(line=line, warnings=warnings)
        try:
            listed = subprocess.run(["crontab", "-l"], capture_output=True, env=dict(self.env.environ))
            existing = listed.stdout.decode() if listed.returncode == 0 else ""
            written = subprocess.run(["crontab", "-"], input=schedule.merged_crontab(existing, line).encode(),
                                     capture_output=True, env=dict(self.env.environ))
        except FileNotFoundError:
            raise ScheduleError("no `crontab` command here: install cron, or add the line that "
                                "`rejectscan schedule cron --dry-run` prints yourself") from None
        if written.returncode != 0:
            problem = written.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["no reason given"]
            raise ScheduleError(f"crontab refused the new table ({problem[0]}); "
                                "add the line from `rejectscan schedule cron --dry-run` with `crontab -e`")
        return Scheduled(line=line, written_to="your crontab", warnings=warnings)

    def schedule_systemd(self, dry_run: bool, force: bool) -> Scheduled:
        """The user units; unless dry_run, written to the systemd user folder (an existing unit with
        other contents only with force)."""
        from rejectscan import schedule
        from rejectscan.errors import ScheduleError

        words, options, warnings = self._scheduled_command()
        units = tuple(schedule.systemd_units(words, options))
        folder = self.env.folder("config").parent / "systemd" / "user"
        home = self.env.environ.get("HOME", "")
        shown = f"~{str(folder)[len(home):]}" if home and str(folder).startswith(home.rstrip("/") + "/") else str(folder)
        if dry_run:
            return Scheduled(units=units, written_to=None, warnings=warnings, folder=shown)
        for unit in units:
            target = folder / unit.name
            if not force and target.exists() and target.read_text(errors="replace") != unit.text:
                raise ScheduleError(f"{target} exists with other contents; compare with "
                                    "`rejectscan schedule systemd --dry-run`, then pass --force to replace it")
        try:
            folder.mkdir(parents=True, exist_ok=True)
            for unit in units:
                (folder / unit.name).write_text(unit.text)
        except OSError as exc:
            raise ScheduleError(f"cannot write {folder}: {exc.strerror}; "
                                "use --dry-run and copy the units yourself") from None
        return Scheduled(units=units, written_to=str(folder), warnings=warnings, folder=shown)
