"""The command line: parse options, call the application layer, render, map errors to exit codes.

Nothing imports this module. Heavy libraries are imported inside the commands that use them,
so `rejectscan --version` starts fast.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback

import click

from rejectscan import __version__
from rejectscan.errors import ExitStatus, InputError, RejectscanError, UsageError

INTERNAL_ERROR = 70  # a bug (EX_SOFTWARE); listed in the README beside the contract's codes


def _fail(message: str, status: int) -> None:
    click.echo(f"rejectscan: {message}", err=True)
    sys.exit(int(status))


def common_options(func):
    """--format, --patterns, --config: shared by every command that reads mail or patterns."""

    @click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv"]), default=None,
                  help="Output format (default: text).")
    @click.option("--patterns", "patterns", multiple=True, type=click.Path(file_okay=False),
                  help="A folder of your own pattern files, added to the shipped ones (repeatable; env REJECTSCAN_PATTERNS).")
    @click.option("--config", "config", type=click.Path(dir_okay=False),
                  help="Config file (default: the platform's config folder; env REJECTSCAN_CONFIG).")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def _settings(fmt, patterns, config, **extra):
    from rejectscan import config as config_mod

    options = {"format": fmt, "patterns": patterns, "config": config, **extra}
    return config_mod.resolve({k: v for k, v in options.items() if v})


def _load_patterns(settings):
    from rejectscan import patterns as patterns_mod

    return patterns_mod.load(settings.patterns)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rejectscan")
@click.option("--verbose", is_flag=True, help="Log what happens (connections, checks) to stderr or --log-file.")
@click.option("--debug", is_flag=True, help="Log everything, the IMAP conversation too (credentials redacted).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the log to this file instead of stderr.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, debug: bool, log_file: str | None) -> None:
    """Who rejected your freelancer profile: the platform's bots or its support team?"""
    from rejectscan import logs

    logs.setup(verbose=verbose, debug=debug, log_file=log_file)
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--submitted-at", "submitted_at", metavar="WHEN",
              help="When you clicked Submit: ISO 8601, RFC 2822, or e.g. 'yesterday 14:05', '2 hours ago'. "
                   "Without a zone it is your local time.")
@click.option("--all", "include_all", is_flag=True,
              help="Report every message read from mboxes and folders, not only platform mail.")
@click.option("--db", type=click.Path(dir_okay=False),
              help="State database whose recorded submissions are used for pairing, if it exists (env REJECTSCAN_DB).")
@click.option("--full-parse", is_flag=True, hidden=True,
              help="Parse every message of a container, without the byte pre-filter (for tests and benchmarks).")
@common_options
def analyze(paths, submitted_at, include_all, db, full_parse, fmt, patterns, config):
    """Judge saved emails: .eml files, forwards, mbox exports, Maildirs, folders, or - for stdin."""
    from pathlib import Path

    from rejectscan import app, store as store_mod, timestamps
    from rejectscan.prefilter import Prefilter
    from rejectscan.sources.files import iter_inputs

    settings = _settings(fmt, patterns, config, db=db)
    pattern_set = _load_patterns(settings)
    when = timestamps.parse_when(submitted_at) if submitted_at else None
    stdin = _stdin_bytes() if "-" in paths else None
    stored = []
    if Path(_db_path(settings)).expanduser().exists():  # read only: analyze never writes the store
        with store_mod.Store(_db_path(settings)) as store:
            stored = store.all_submissions()
    prefilter = None if full_parse or include_all else Prefilter.for_patterns(pattern_set)
    outcome = app.analyze(iter_inputs(list(paths), stdin, prefilter), pattern_set, submitted_at=when,
                          include_all=include_all, stored_submissions=stored, prefilter=prefilter)
    for error in outcome.errors:
        click.echo(f"rejectscan: {error}", err=True)
    _emit(outcome.reports, settings.format, pattern_set)
    sys.exit(ExitStatus.INPUT_UNREADABLE if outcome.errors else ExitStatus.OK)


def _emit(reports, fmt, pattern_set) -> None:
    from rejectscan import render

    names = {p.id: p.name for p in pattern_set.platforms}
    always = frozenset(a.id for a in pattern_set.advice.values() if "any" in a.labels)
    click.echo(render.render(reports, fmt, names, always), nl=False)


def imap_options(func):
    """Account options; the password never comes from an option."""

    @click.option("--host", help="IMAP server (known for Gmail, Outlook, Fastmail, Yahoo, iCloud addresses).")
    @click.option("--port", type=int, help="IMAP port (default 993 with ssl, 143 otherwise).")
    @click.option("--user", help="Login name, usually your address (env REJECTSCAN_USER).")
    @click.option("--tls", type=click.Choice(["ssl", "starttls", "none"]), help="Transport security (default ssl).")
    @click.option("--cafile", type=click.Path(dir_okay=False), help="Trust this CA certificate file (a private CA).")
    @click.option("--folder", "folders", multiple=True, help="Folder to read (repeatable; default INBOX, Gmail: All Mail).")
    @click.option("--allow-plaintext", is_flag=True, help="Allow --tls none to a host that is not this machine.")
    @click.option("--db", type=click.Path(dir_okay=False), help="State database (env REJECTSCAN_DB).")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def _db_path(settings) -> str:
    from rejectscan.config import default_db_path

    return settings.db or str(default_db_path())


@cli.command()
@click.option("--since", default="30d", show_default=True,
              help="Window: 30d, 2w, 12h, 90min, 2026-11-01, 'last monday'.")
@click.option("--rescan", is_flag=True, help="Report everything in the window again, not only what is new.")
@click.option("--quiet", is_flag=True, help="Print nothing at all when nothing is new (for cron).")
@click.option("--lock-timeout", type=float, default=300, show_default=True,
              help="Seconds to wait for another rejectscan using the same database.")
@click.option("--notify-cmd", metavar="CMD",
              help="Run CMD for each new finding: the finding as JSON on stdin, main fields in REJECTSCAN_* variables.")
@imap_options
@common_options
def fetch(since, rescan, quiet, lock_timeout, notify_cmd, host, port, user, tls, cafile, folders, allow_plaintext,
          db, fmt, patterns, config):
    """Read the platforms' mail over IMAP (read-only) and report what is new."""
    from rejectscan import app, store as store_mod, timestamps
    from rejectscan.errors import ConnectError

    settings, imap, mailbox_factory = _account(fmt, patterns, config, db, host, port, user, tls, cafile, folders,
                                               allow_plaintext)
    pattern_set = _load_patterns(settings)
    window = timestamps.parse_since(since)
    emit = _emitter(settings.format, pattern_set, quiet, notify_cmd, desktop=False)
    db_path = _db_path(settings)
    with store_mod.run_lock(db_path, lock_timeout), store_mod.Store(db_path) as store:
        try:
            with mailbox_factory() as mailbox:
                result = app.fetch(mailbox, store, pattern_set, window, account=imap.account, rescan=rescan,
                                   search_forwards=imap.search_forwards)
        except ConnectError as exc:
            store.beat(imap.account, "fetch", str(exc))
            raise
        store.beat(imap.account, "fetch")
        for error in result.errors:
            click.echo(f"rejectscan: {error}", err=True)
        emit(store, store.records(result.report_keys) if rescan else store.unreported())
    sys.exit(ExitStatus.INPUT_UNREADABLE if result.errors else ExitStatus.OK)


def _account(fmt, patterns, config, db, host, port, user, tls, cafile, folders, allow_plaintext):
    """Settings, the account, and a factory for connections (fresh credentials each time)."""
    from rejectscan import config as config_mod, credentials
    from rejectscan.sources.imap import ImapMailbox

    settings = _settings(fmt, patterns, config, db=db)
    warning = config_mod.config_permission_warning(settings)
    if warning:
        click.echo(f"rejectscan: warning: {warning}", err=True)
    imap = config_mod.imap_settings(settings, {"host": host, "port": port, "user": user, "tls": tls,
                                               "cafile": cafile, "folders": folders,
                                               "allow_plaintext": allow_plaintext})

    def credential():
        if imap.oauth2_token_cmd:
            return credentials.resolve_token(imap.user, imap.oauth2_token_cmd)
        interactive = sys.stdin is not None and sys.stdin.isatty()
        prompt = (lambda text: click.prompt(text, hide_input=True, err=True)) if interactive else None
        return credentials.resolve_password(imap.user, imap.host, imap.password_cmd, prompt=prompt)

    return settings, imap, lambda: ImapMailbox(imap, credential)


def _emitter(fmt, pattern_set, quiet, notify_cmd, desktop):
    """Print each finding, then mark it reported, then notify: a kill between printing and marking
    repeats one report and never loses one; a failing notifier is logged and the run goes on."""
    from rejectscan import notify, render

    names = {p.id: p.name for p in pattern_set.platforms}
    always = frozenset(a.id for a in pattern_set.advice.values() if "any" in a.labels)

    def tell(record):
        if notify_cmd:
            notify.run_command(notify_cmd, record)
        if desktop:
            notify.desktop(record, names)

    def emit(store, pending) -> None:
        if not pending:
            if not quiet:
                click.echo({"json": "[]", "csv": render.to_csv([]).rstrip("\n")}.get(fmt, "") or
                           ("" if fmt == "jsonl" else "No new platform email."), nl=fmt != "jsonl")
            return
        if fmt in ("json", "csv"):
            click.echo(render.render_records([m.record for m in pending], fmt, names, always), nl=False)
            sys.stdout.flush()
            for m in pending:
                store.mark_reported(m.key)
            for m in pending:
                tell(m.record)
            return
        for m in pending:
            click.echo(render.render_one(m.record, fmt, names, always), nl=False)
            sys.stdout.flush()
            store.mark_reported(m.key)
            tell(m.record)

    return emit


@cli.command()
@click.option("--since", default="7d", show_default=True, help="Window each check looks back over.")
@click.option("--notify-cmd", metavar="CMD",
              help="Run CMD for each new finding: the finding as JSON on stdin, main fields in REJECTSCAN_* variables.")
@click.option("--no-desktop", is_flag=True, help="No desktop notification even where one is available.")
@click.option("--idle-renew", type=float, default=540, hidden=True, help="Seconds between IDLE renewals.")
@click.option("--poll", "poll_seconds", type=float, default=60, hidden=True, help="Seconds between polls without IDLE.")
@click.option("--backoff-max", type=float, default=300, hidden=True, help="Longest wait between reconnects.")
@click.option("--lock-timeout", type=float, default=300, hidden=True)
@imap_options
@common_options
def watch(since, notify_cmd, no_desktop, idle_renew, poll_seconds, backoff_max, lock_timeout, host, port, user, tls,
          cafile, folders, allow_plaintext, db, fmt, patterns, config):
    """Watch the inbox with IMAP IDLE and report each new platform email as it arrives."""
    import signal

    from rejectscan import timestamps
    from rejectscan.watcher import Watcher, WatchSettings

    settings, imap, mailbox_factory = _account(fmt, patterns, config, db, host, port, user, tls, cafile, folders,
                                               allow_plaintext)
    pattern_set = _load_patterns(settings)
    timestamps.parse_since(since)  # refuse a bad window now, not at the first check
    emit = _emitter(settings.format, pattern_set, True, notify_cmd, desktop=not no_desktop)
    watcher = Watcher(mailbox_factory=mailbox_factory, account=imap.account, db_path=_db_path(settings),
                      patterns=pattern_set, since=lambda: timestamps.parse_since(since), emit=emit,
                      settings=WatchSettings(idle_renew_seconds=idle_renew, poll_seconds=poll_seconds,
                                             backoff_max=backoff_max, lock_timeout=lock_timeout),
                      search_forwards=imap.search_forwards)
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: watcher.stop.set())
    watcher.run()
    sys.exit(ExitStatus.OK)


@cli.command()
@click.option("--stale-after", default="1h", show_default=True,
              help="Warn when no check has succeeded for this long (30min, 2h, 1d).")
@imap_options
@common_options
def doctor(stale_after, host, port, user, tls, cafile, folders, allow_plaintext, db, fmt, patterns, config):
    """Check config, DNS, TCP, TLS, login, capabilities, folders, the store and the patterns."""
    from datetime import datetime, timezone
    from types import SimpleNamespace

    from rejectscan import doctor as doctor_mod, lint, timestamps

    now = datetime.now(timezone.utc)
    stale = now - timestamps.parse_since(stale_after, now=now, zone=timezone.utc)
    state: dict = {}

    def resolve():
        settings, imap, factory = _account(fmt, patterns, config, db, host, port, user, tls, cafile, folders,
                                           allow_plaintext)
        state.update(settings=settings, factory=factory)
        return SimpleNamespace(config_path=settings.config_path, imap=imap)

    base = _settings(fmt, patterns, config, db=db)
    checks = doctor_mod.run_checks(resolve, lambda: _load_patterns(base), lint.lint, lambda: _db_path(base),
                                   lambda: state["factory"](), stale)
    for c in checks:
        click.echo(f"{'ok' if c.ok else 'PROBLEM':<8} {c.name:<13} {c.detail}" + ("" if c.ok else f"\n{'':<22}-> {c.fix}"))
    problems = [c for c in checks if not c.ok]
    click.echo("all good" if not problems else f"{len(problems)} problem(s)")
    sys.exit(problems[0].status or ExitStatus.USAGE if problems else ExitStatus.OK)


@cli.command()
@click.option("--at", "at", metavar="WHEN", help="When you clicked Submit (default: now). Same forms as --submitted-at.")
@click.option("--platform", default="upwork", show_default=True, help="Platform id (see `rejectscan patterns list`).")
@click.option("--note", help="A note to remember this submission by.")
@click.option("--db", type=click.Path(dir_okay=False), help="State database (env REJECTSCAN_DB).")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file.")
def submitted(at, platform, note, db, config):
    """Record that you submitted your profile, so the answer can be timed to the second."""
    from datetime import datetime

    from rejectscan import store as store_mod, timestamps

    settings = _settings(None, (), config, db=db)
    ids = {p.id for p in _load_patterns(settings).platforms}
    if platform not in ids:
        raise UsageError(f"unknown platform {platform!r}; known: {', '.join(sorted(ids))}")
    when = timestamps.parse_when(at) if at else datetime.now(timestamps.local_zone())
    with store_mod.Store(_db_path(settings)) as store:
        store.add_submission(when, platform, note)
    click.echo(f"Recorded: submitted to {platform} at {when.isoformat(timespec='seconds')}.")


@cli.command()
@click.option("--db", type=click.Path(dir_okay=False), help="State database (env REJECTSCAN_DB).")
@common_options
def history(db, fmt, patterns, config):
    """The timeline per platform: submissions, rejections with label and delay, approvals."""
    import json

    from rejectscan import store as store_mod
    from rejectscan.classify import duration

    settings = _settings(fmt, patterns, config, db=db)
    names = {p.id: p.name for p in _load_patterns(settings).platforms}
    with store_mod.Store(_db_path(settings)) as store:
        data = store_mod.history(store, names)
        data["health"] = store.heartbeats()
    if settings.format == "json":
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    if settings.format == "jsonl":
        for e in data["events"]:
            click.echo(json.dumps(e, ensure_ascii=False))
        for platform, s in data["summary"].items():
            click.echo(json.dumps({"event": "summary", "platform": platform, **s}, ensure_ascii=False))
        return
    if settings.format == "csv":
        import csv

        fields = ["platform", "at", "event", "label", "delay_seconds", "authentic", "source"]
        writer = csv.DictWriter(sys.stdout, fieldnames=fields, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerows(data["events"])
        return
    if not data["events"]:
        click.echo("Nothing recorded yet: run `rejectscan submitted` when you submit, and `rejectscan fetch`.")
    for platform, s in data["summary"].items():
        click.echo(s["name"] if platform != "any" else "Any platform")
        for e in (e for e in data["events"] if (e["platform"] or "any") == platform):
            line = f"  {e['at']}  {e['event']}"
            if e["event"] == "rejected":
                line += f": {e['label'] or 'unknown'}"
                if e["delay_seconds"] is not None:
                    line += f", {duration(e['delay_seconds'])} after submitting"
            if e["authentic"] is False:
                line += "  (NOT from the platform: ignored)"
            click.echo(line + f"  [{e['source']}]")
        median = s["median_human_delay_seconds"]
        click.echo(f"  Summary: {s['rejections']} rejection(s): {s['automated']} automated, {s['human_reviewed']} "
                   f"human-reviewed, {s['unknown']} unknown; {s['approvals']} approval(s)"
                   + (f"; human reviews took {duration(median)} (median)" if median is not None else "") + ".")
    for beat in data["health"]:
        click.echo(f"Mailbox {beat['account']}: last successful check {beat['last_ok'] or 'never'} ({beat['runner']})"
                   + (f"; last error {beat['last_error_at']}: {beat['last_error']}" if beat["last_error"] else ""))
        if _stale(beat["last_ok"]):
            click.echo(f"  WARNING: no successful check of {beat['account']} for over an hour; is `rejectscan watch` "
                       "or the cron job running? `rejectscan doctor` tells what is wrong.")


def _stale(last_ok: str | None, hours: float = 1.0) -> bool:
    from datetime import datetime, timedelta, timezone

    return last_ok is None or datetime.now(timezone.utc) - datetime.fromisoformat(last_ok) > timedelta(hours=hours)


@cli.group("config")
def config_group():
    """The config file."""


@config_group.command("init")
@click.option("--user", default="", help="Your mail address, filled into the file.")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Where to write (default: the platform's config folder).")
def config_init(user, config):
    """Write a commented config file, readable only by you (mode 0600)."""
    from pathlib import Path

    from rejectscan import config as config_mod

    path = Path(config).expanduser() if config else config_mod.default_config_path()
    config_mod.write_config_template(path, user)
    click.echo(f"Wrote {path}; edit it, then run `rejectscan fetch --since 30d`.")


@cli.group("patterns")
def patterns_group():
    """See and check the templates, including your own."""


@patterns_group.command("list")
@common_options
def patterns_list(fmt, patterns, config):
    """List platforms, templates and signals."""
    import json

    settings = _settings(fmt, patterns, config)
    ps = _load_patterns(settings)
    rows = []
    for p in ps.platforms:
        for t in p.templates:
            rows.append({"platform": p.id, "type": "template", "id": t.id, "kind": t.kind.value,
                         "evidence": f"{t.direction.value} {t.weight:g}" if t.weight else "neutral",
                         "description": t.description, "file": t.file})
        for s in p.signals:
            rows.append({"platform": p.id, "type": "signal", "id": s.id, "kind": "",
                         "evidence": f"{s.direction.value} {s.weight:g}", "description": s.description, "file": s.file})
    for s in ps.signals:
        rows.append({"platform": "*", "type": "signal", "id": s.id, "kind": "",
                     "evidence": f"{s.direction.value} {s.weight:g}", "description": s.description, "file": s.file})
    if settings.format in ("json", "jsonl"):
        out = json.dumps(rows, indent=2) + "\n" if settings.format == "json" else "".join(json.dumps(r) + "\n" for r in rows)
        click.echo(out, nl=False)
        return
    if settings.format == "csv":
        import csv

        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]) if rows else ["id"], lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    for r in rows:
        click.echo(f"{r['platform']:<14} {r['type']:<8} {r['id']:<38} {r['kind'] or '-':<10} {r['evidence']:<14} {r['description']}")


@patterns_group.command("lint")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False))
@common_options
def patterns_lint(dirs, fmt, patterns, config):
    """Validate pattern files and run every template's own examples (DIR: only those files)."""
    from rejectscan import lint
    from rejectscan import patterns as patterns_mod

    settings = _settings(fmt, patterns, config)
    if dirs:
        # A user's folder is checked together with the shipped packs: it may use their advice ids.
        ps = patterns_mod.load(tuple(dirs) + settings.patterns)
        wanted = {str(f) for f in ps.files if any(os.path.abspath(f).startswith(os.path.abspath(d)) for d in dirs)}
    else:
        ps = patterns_mod.load(settings.patterns)
        wanted = set(ps.files)
    problems = [p for p in lint.lint(ps) if p.file in wanted]
    for p in problems:
        click.echo(str(p), err=True)
    templates = sum(1 for p in ps.platforms for t in p.templates if t.file in wanted)
    click.echo(f"{len(wanted)} files, {templates} templates checked: "
               + ("ok" if not problems else f"{len(problems)} problem(s)"))
    sys.exit(ExitStatus.USAGE if problems else ExitStatus.OK)


@patterns_group.command("test")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@common_options
def patterns_test(path, fmt, patterns, config):
    """Show which templates and signals hit one email, with the matched text."""
    from rejectscan import forwards, lint, parse

    settings = _settings(fmt, patterns, config)
    ps = _load_patterns(settings)
    if path == "-" and _stdin_bytes() is None:
        raise InputError("<stdin>", "no standard input to read")
    data = _stdin_bytes().read() if path == "-" else _read_file(path)
    original = forwards.unwrap(parse.parse_message(data, path))
    hits, signals = lint.probe(original, ps)
    click.echo(f"{path}: from {original.from_addr or '?'}" + (" (forwarded original)" if original.forwarded else ""))
    if not hits:
        click.echo("  no template phrase or regex hit")
    for h in hits:
        state = "MATCH" if h.matched else f"partial ({len(h.hits)}/{h.template.min_hits} needed)"
        click.echo(f"  template {h.template.id} [{h.template.kind.value}]: {state}")
        for matched, score in h.hits:
            how = "regex" if score is None else f"{score:.0f}%"
            click.echo(f"    {how:>6}  {matched[:100]!r}")
    for s in signals:
        click.echo(f"  signal {s.id} ({s.direction.value} {s.weight:g}): {s.matched[:100]!r}")


def _stdin_bytes():
    """Standard input as bytes, or None when the process has none at all (fd 0 closed)."""
    return sys.stdin.buffer if sys.stdin is not None else None


def _read_file(path: str) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read()
    except OSError as exc:
        raise InputError(path, f"cannot be read ({exc.strerror})") from None


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False, prog_name="rejectscan")
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        _fail("interrupted", 130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(ExitStatus.USAGE)
    except RejectscanError as exc:
        _fail(str(exc), exc.status)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitStatus.OK)
    except SystemExit:
        raise
    except Exception as exc:  # a traceback is a bug: one line, unless --debug
        if debug:
            traceback.print_exc()
        _fail(f"internal error: {type(exc).__name__}: {exc} (please report it; --debug shows details)",
              INTERNAL_ERROR)
