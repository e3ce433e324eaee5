"""The command line: options in, one App call, output rendered, errors mapped to exit codes.

Imports only the application core, the errors and the renderer. Heavy libraries load inside the
commands that use them, so `rejectscan --version` starts fast. Nothing imports this module.
"""

from __future__ import annotations

import contextlib
import functools
import os
import signal
import sys
import traceback

import click

from rejectscan import __version__
from rejectscan.errors import ExitStatus, RejectscanError
from rejectscan.render import field

INTERNAL_ERROR = 70  # a bug (EX_SOFTWARE); listed in the README beside the contract's codes
# Every option that takes a span of time reads it the same way (timestamps.parse_span).
SPAN_HELP = ("a span in s, min, h, d, w, mo or y (30d, 12h, 90min, 1.5h, 3mo; "
             "a bare 'm' is refused: write min or mo)")


class RejectscanGroup(click.Group):
    """Maps rejectscan's errors to one line on stderr and their exit status, inside click, so the
    in-process test runner sees exactly what a user sees; click's own usage errors are one line too."""

    def main(self, args=None, prog_name=None, complete_var=None, standalone_mode=True, **extra):
        try:
            status = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
            sys.exit(status if isinstance(status, int) else 0)  # without standalone mode, click returns ctx.exit's code
        except click.exceptions.Exit as exc:
            sys.exit(exc.exit_code)
        except click.ClickException as exc:
            command = " ".join(exc.ctx.command_path.split()) if getattr(exc, "ctx", None) else "rejectscan"
            misplaced = self._global_option(exc)
            if misplaced:
                words = ["rejectscan", *command.split()[1:]]
                example = (f"rejectscan {misplaced[1]}" if misplaced[0] == "--version" else
                           f"{' '.join([words[0], misplaced[1], *words[1:]])} ...")
                click.echo(f"rejectscan: {misplaced[0]} is an option of rejectscan itself, not of `{' '.join(words)}`: "
                           f"put it before the command name, e.g. `{example}`", err=True)
                sys.exit(ExitStatus.USAGE)
            hint = f" (see `{command} --help`)" if isinstance(exc, click.UsageError) else ""
            click.echo(f"rejectscan: {field(exc.format_message())}{hint}", err=True)
            sys.exit(ExitStatus.USAGE)
        except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
            click.echo("rejectscan: interrupted", err=True)
            sys.exit(130)

    def _global_option(self, exc: click.ClickException) -> tuple[str, str] | None:
        """An unknown option of a command that is one of rejectscan's own (`fetch --debug`): the option,
        and how it is written before the command (`--log-file LOG_FILE`); None for any other error."""
        if not isinstance(exc, click.NoSuchOption) or getattr(exc, "ctx", None) is None or exc.ctx.command is self:
            return None
        for param in self.params:
            if isinstance(param, click.Option) and exc.option_name in (*param.opts, *param.secondary_opts):
                value = "" if param.is_flag or param.count else f" {(param.name or '').upper()}"
                return exc.option_name, exc.option_name + value
        return None

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except RejectscanError as exc:
            click.echo(f"rejectscan: {field(str(exc))}", err=True)
            ctx.exit(int(exc.status))
        except (click.exceptions.Exit, click.ClickException, click.exceptions.Abort):
            raise
        except BrokenPipeError:  # the reader went away (`| head`): nothing more to say
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(ExitStatus.OK)
        except Exception as exc:  # a traceback is a bug: one line, unless --debug
            if (ctx.obj or {}).get("debug"):
                traceback.print_exc()
            click.echo(f"rejectscan: internal error: {type(exc).__name__}: {field(str(exc))} "
                       "(please report it; --debug shows details)", err=True)
            ctx.exit(INTERNAL_ERROR)


class Seconds(click.ParamType):
    """A number of seconds: finite, not negative, at most a day (nan, inf and -5 are usage errors)."""

    name = "seconds"

    def __init__(self, minimum: float = 0.0, maximum: float = 86_400.0) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number of seconds", param, ctx)
        if not (self.minimum <= number <= self.maximum):  # also false for nan
            self.fail(f"{value!r} must be a number of seconds from {self.minimum:g} to {self.maximum:g}", param, ctx)
        return number


def _not_empty(ctx, param, value):
    """An empty --db or path would silently mean the default database or the current folder."""
    values = value if isinstance(value, tuple) else (value,)
    if any(v is not None and not str(v).strip() for v in values):
        raise click.BadParameter("must not be empty", ctx=ctx, param=param)
    return value


def _env(ctx: click.Context):
    return ctx.find_root().obj["env"]


def _page(ctx: click.Context):
    """Width and colour for text on stdout (textout.page_for)."""
    from rejectscan.render import page_for

    env = _env(ctx)
    return page_for(env.environ, env.stdout_is_tty, ctx.find_root().obj.get("color", "auto"), env.columns)


def _progress(ctx: click.Context, app, quiet: bool = False):
    """The progress line, for a person at a terminal (App.progress), as wide as that terminal: stdout
    may be a file (`analyze big.mbox > out.json`) while the line is drawn on stderr."""
    from rejectscan.render import page_for

    env = _env(ctx)
    width = page_for(env.environ, env.stderr_is_tty, "never", env.stderr_columns).width
    return app.progress(click.get_text_stream("stderr"), width,
                        quiet=quiet or bool(ctx.find_root().obj.get("logging_to_stderr")))


def _app(ctx: click.Context, fmt=None, patterns=(), config=None, db=None):
    from rejectscan.app import App, CommonOptions

    return App(_env(ctx), CommonOptions(format=fmt, patterns=tuple(patterns), config=config, db=db))


def _out(text: str) -> None:
    click.echo(text, nl=False)


def _vocabulary(app):
    from rejectscan.render import Vocabulary

    return Vocabulary(names=app.platform_names, always=app.always_advice, zone=app.zone)


def _writer(app, quiet: bool = False):
    from rejectscan.render import RecordWriter

    ctx = click.get_current_context()
    return RecordWriter(app.format, click.get_text_stream("stdout"), _vocabulary(app), quiet=quiet, page=_page(ctx))


def _errors(errors) -> None:
    for error in errors:
        click.echo(f"rejectscan: {field(str(error))}", err=True)


def kind_option(func):
    """--kind, for the commands that report findings (showing.py)."""
    from rejectscan.render import KIND_CHOICES

    return click.option("--kind", "kinds", multiple=True, type=click.Choice(KIND_CHOICES),
                        help="Show only this kind (repeatable): rejection, approval, suspension, submission, other, "
                             "decisions or all. Default: decisions in text, with --quiet and for notifications; "
                             "every kind in json, jsonl and csv.")(func)


def _summary(ctx: click.Context, app, found, showing, quiet: bool = False) -> None:
    """The run's one-line summary: after the findings in text, on stderr for a person otherwise;
    nothing at all in a quiet run that showed nothing."""
    from rejectscan.render import summary_line

    shown = sum(n for k, n in found.kinds.items() if k in showing.output)
    if quiet and not shown:
        return
    line = summary_line(found, showing)
    if app.format == "text":
        _out(fit_line(ctx, line))
    elif _env(ctx).stderr_is_tty:
        click.echo(line, err=True)


def fit_line(ctx: click.Context, line: str) -> str:
    from rejectscan.render import fit

    return fit([line], _page(ctx))


def _warnings(warnings) -> None:
    for warning in warnings:
        click.echo(f"rejectscan: warning: {field(warning)}", err=True)


def common_options(func):
    """--format, --patterns, --config, --db: every command that reads mail, patterns or the store."""

    @click.option("--format", "fmt", type=click.Choice(["text", "json", "jsonl", "csv"]), default=None,
                  help="Output format (default: text).")
    @click.option("--patterns", "patterns", multiple=True, type=click.Path(file_okay=False),
                  help="A folder of your own pattern files, added to the shipped ones (repeatable; env REJECTSCAN_PATTERNS).")
    @click.option("--config", "config", type=click.Path(dir_okay=False),
                  help="Config file (default: the platform's config folder; env REJECTSCAN_CONFIG).")
    @click.option("--db", type=click.Path(dir_okay=False), callback=_not_empty, help="State database (env REJECTSCAN_DB).")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


def imap_options(func):
    """Account options; the password never comes from an option."""

    @click.option("--host", help="IMAP server (known for Gmail, Outlook, Fastmail, Yahoo, iCloud addresses).")
    @click.option("--port", type=click.IntRange(1, 65535), help="IMAP port (default 993 with ssl, 143 otherwise).")
    @click.option("--user", help="Login name, usually your address (env REJECTSCAN_USER).")
    @click.option("--tls", type=click.Choice(["ssl", "starttls", "none"]), help="Transport security (default ssl).")
    @click.option("--cafile", type=click.Path(dir_okay=False), help="Trust this CA certificate file (a private CA).")
    @click.option("--folder", "folders", multiple=True, help="Folder to read (repeatable; default INBOX, Gmail: All Mail).")
    @click.option("--allow-plaintext", is_flag=True, help="Allow --tls none to a host that is not this machine.")
    @functools.wraps(func)
    def wrapper(*args, host, port, user, tls, cafile, folders, allow_plaintext, **kwargs):
        from rejectscan.app import AccountOptions

        account = AccountOptions(host=host, port=port, user=user, tls=tls, cafile=cafile, folders=tuple(folders),
                                 allow_plaintext=allow_plaintext)
        return func(*args, account=account, **kwargs)

    return wrapper


@contextlib.contextmanager
def _children_ended_on_signal(app):
    """fetch stops on SIGTERM as it always has (what is committed stays), after ending any notifier
    it started, which runs in a process group of its own and would otherwise outlive it."""

    def handler(signum, frame) -> None:
        app.stop()
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _prompt(text: str) -> str:
    return click.prompt(text, hide_input=True, err=True)


@click.group(cls=RejectscanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="rejectscan")
@click.option("--verbose", is_flag=True, help="Log what happens (connections, checks) to stderr or --log-file.")
@click.option("--debug", is_flag=True, help="Log everything, the IMAP conversation too (credentials redacted).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write the log to this file instead of stderr.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Colour the verdicts and warnings: on a terminal unless NO_COLOR is set (auto), always, never.")
@click.pass_context
def cli(ctx: click.Context, verbose: bool, debug: bool, log_file: str | None, color: str) -> None:
    """Who rejected your freelancer profile: the platform's bots or its support team?"""
    from rejectscan.app import Environment, setup_logging

    given = ctx.obj if isinstance(ctx.obj, Environment) else None
    env = given or Environment.from_os()
    ctx.obj = {"env": env, "debug": debug, "color": color, "logging_to_stderr": (verbose or debug) and not log_file}
    setup_logging(env, verbose=verbose, debug=debug, log_file=log_file)
    if env.zone_warning:  # once per run, before any command reads or shows a time
        _warnings([env.zone_warning])


@cli.command()
@click.argument("paths", nargs=-1, required=True, callback=_not_empty)
@click.option("--submitted-at", "submitted_at", metavar="WHEN",
              help="When you clicked Submit: ISO 8601, RFC 2822, or e.g. 'yesterday 14:05', '2 hours ago'. "
                   "Without a zone it is your local time.")
@click.option("--all", "include_all", is_flag=True,
              help="Report every message read from mboxes and folders, not only platform mail.")
@click.option("--full-parse", is_flag=True, hidden=True,
              help="Parse every message of a container, without the byte pre-filter (for tests and benchmarks).")
@click.option("--record", is_flag=True,
              help="Keep the platform's emails in the state database, as fetch does, so history and report "
                   "include them (for a mailbox export read offline).")
@kind_option
@common_options
@click.pass_context
def analyze(ctx, paths, submitted_at, include_all, full_parse, record, kinds, fmt, patterns, config, db):
    """Judge saved emails: .eml files, forwards, mbox exports, Maildirs, folders, or - for stdin."""
    app = _app(ctx, fmt, patterns, config, db)
    showing = app.showing(kinds)
    result = app.analyze(paths, _writer(app), submitted_at=submitted_at, include_all=include_all,
                         full_parse=full_parse, showing=showing, record=record, progress=_progress(ctx, app),
                         on_error=lambda e: _errors([e]))
    if result.found.total or not result.errors:
        _summary(ctx, app, result.found, showing)
    _warnings(result.warnings)
    ctx.exit(ExitStatus.INPUT_UNREADABLE if result.errors else ExitStatus.OK)


@cli.command()
@click.option("--since", default="30d", show_default=True, help="Window: " + SPAN_HELP + ", or a date (2026-11-01, "
                                                                 "'last monday').")
@click.option("--rescan", is_flag=True, help="Report everything in the window again, not only what is new.")
@click.option("--quiet", is_flag=True, help="Print nothing at all when nothing is new (for cron).")
@click.option("--lock-timeout", type=Seconds(), default=300, show_default=True,
              help="Seconds to wait for another rejectscan using the same database.")
@click.option("--notify-cmd", metavar="CMD",
              help="Run CMD for each new finding: the finding as JSON on stdin, main fields in REJECTSCAN_* variables.")
@click.option("--notify-timeout", type=Seconds(1, 3600), default=30, show_default=True,
              help="Seconds CMD may take for one finding before it is ended.")
@kind_option
@imap_options
@common_options
@click.pass_context
def fetch(ctx, since, rescan, quiet, lock_timeout, notify_cmd, notify_timeout, kinds, account, fmt, patterns, config,
          db):
    """Read the platforms' mail over IMAP (read-only) and report what is new."""
    app = _app(ctx, fmt, patterns, config, db)
    warning = app.config_warning()
    if warning:
        click.echo(f"rejectscan: warning: {warning}", err=True)
    showing = app.showing(kinds, quiet)
    delivery = app.delivery(_writer(app, quiet), notify_cmd, desktop=False, notify_timeout=notify_timeout,
                            showing=showing)
    with _children_ended_on_signal(app):
        result = app.fetch(account, delivery, since=since, rescan=rescan, lock_timeout=lock_timeout, prompt=_prompt,
                           progress=_progress(ctx, app, quiet))
    if result.found.total:
        _summary(ctx, app, result.found, showing, quiet)
    _errors(result.errors)
    ctx.exit(ExitStatus.INPUT_UNREADABLE if result.errors else ExitStatus.OK)


@cli.command()
@click.option("--since", default="7d", show_default=True,
              help="Window each check looks back over: " + SPAN_HELP + ", or a date.")
@click.option("--notify-cmd", metavar="CMD",
              help="Run CMD for each new finding: the finding as JSON on stdin, main fields in REJECTSCAN_* variables.")
@click.option("--notify-timeout", type=Seconds(1, 3600), default=30, show_default=True,
              help="Seconds CMD may take for one finding before it is ended.")
@click.option("--no-desktop", is_flag=True, help="No desktop notification even where one is available.")
@click.option("--idle-renew", type=Seconds(1, 1740), default=540, hidden=True, help="Seconds between IDLE renewals.")
@click.option("--poll", "poll_seconds", type=Seconds(1), default=60, hidden=True, help="Seconds between polls without IDLE.")
@click.option("--backoff-max", type=Seconds(1), default=300, hidden=True, help="Longest wait between reconnects.")
@click.option("--lock-timeout", type=Seconds(), default=300, hidden=True)
@kind_option
@imap_options
@common_options
@click.pass_context
def watch(ctx, since, notify_cmd, notify_timeout, no_desktop, idle_renew, poll_seconds, backoff_max, lock_timeout, kinds,
          account, fmt, patterns, config, db):
    """Watch the inbox with IMAP IDLE and report each new platform email as it arrives."""
    from rejectscan.app import WatchSettings

    app = _app(ctx, fmt, patterns, config, db)
    warning = app.config_warning()
    if warning:
        click.echo(f"rejectscan: warning: {warning}", err=True)

    def on_stop(stop) -> None:
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop())

    delivery = app.delivery(_writer(app, quiet=True), notify_cmd, desktop=not no_desktop, notify_timeout=notify_timeout,
                            showing=app.showing(kinds))
    app.watch(account, delivery, since=since,
              settings=WatchSettings(idle_renew_seconds=idle_renew, poll_seconds=poll_seconds,
                                     backoff_max=backoff_max, lock_timeout=lock_timeout),
              stop_on=on_stop, prompt=_prompt, announce=lambda line: click.echo(line, err=True))
    ctx.exit(ExitStatus.OK)


@cli.command()
@click.option("--stale-after", default="1h", show_default=True,
              help="Warn when no check has succeeded for this long: " + SPAN_HELP + ".")
@imap_options
@common_options
@click.pass_context
def doctor(ctx, stale_after, account, fmt, patterns, config, db):
    """Check config, DNS, TCP, TLS, login, capabilities, folders, the store and the patterns."""
    from rejectscan import render

    app = _app(ctx, fmt, patterns, config, db)
    checks = app.doctor(account, stale_after)
    _out(render.doctor_json(checks) if app.format == "json" else render.doctor(checks, _page(ctx)))
    problems = [c for c in checks if not c.ok]
    ctx.exit(problems[0].status or ExitStatus.USAGE if problems else ExitStatus.OK)


@cli.command()
@click.argument("mailbox")
@click.option("--db", type=click.Path(dir_okay=False), callback=_not_empty, help="State database (env REJECTSCAN_DB).")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file.")
@click.pass_context
def forget(ctx, mailbox, db, config):
    """Forget a mailbox checked before (user@host, as `doctor` names it): its heartbeat and sync state.

    The messages read from it stay in history."""
    app = _app(ctx, config=config, db=db)
    if not app.forget(mailbox):
        raise click.UsageError(f"no mailbox {mailbox!r} in the state database; `rejectscan doctor` lists them")
    _out(fit_line(ctx, f"Forgot {mailbox}: `doctor` no longer checks it; its messages stay in history."))


@cli.command()
@click.option("--at", "at", metavar="WHEN", help="When you clicked Submit (default: now). Same forms as --submitted-at.")
@click.option("--platform", default="upwork", show_default=True,
              help="Platform id (see `rejectscan patterns list`); with --list, list only this platform's.")
@click.option("--note", help="A note to remember this submission by.")
@click.option("--future", is_flag=True, help="Accept an --at later than now.")
@click.option("--list", "show", is_flag=True,
              help="List the recorded submissions, with their numbers (every platform's unless --platform).")
@click.option("--delete", "delete", type=click.IntRange(1), metavar="NUMBER",
              help="Delete the recorded submission with this number (see --list).")
@click.option("--db", type=click.Path(dir_okay=False), callback=_not_empty, help="State database (env REJECTSCAN_DB).")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file.")
@click.pass_context
def submitted(ctx, at, platform, note, future, show, delete, db, config):
    """Record that you submitted your profile, so the answer can be timed to the second."""
    from rejectscan import render

    from click.core import ParameterSource

    app = _app(ctx, config=config, db=db)
    if show and delete:
        raise click.UsageError("--list and --delete go alone")
    given = {name for name in ("at", "note", "future", "platform")
             if ctx.get_parameter_source(name) not in (None, ParameterSource.DEFAULT)}
    if show or delete:  # options that record a submission would be silently ignored: say so instead
        ignored = sorted(given - ({"platform"} if show else set()))
        if ignored:
            alone = "--list takes only --platform" if show else "--delete takes only the number"
            raise click.UsageError(f"{alone}; {', '.join('--' + n for n in ignored)} "
                                   f"{'is' if len(ignored) == 1 else 'are'} for recording a submission")
    if show:
        only = app.platform_id(platform) if "platform" in given else None
        _out(render.submissions(app.recorded_submissions(only), app.platform_names, _page(ctx), app.zone, only))
    elif delete:
        app.delete_submission(delete)
        _out(fit_line(ctx, f"Deleted recorded submission number {delete}."))
    else:
        _out(render.submission(app.record_submission(at, platform, note, future), app.platform_names, _page(ctx),
                               app.zone))


@cli.command()
@common_options
@click.pass_context
def history(ctx, fmt, patterns, config, db):
    """The timeline per platform: submissions, rejections with label and delay, approvals."""
    from rejectscan import render

    app = _app(ctx, fmt, patterns, config, db)
    _out(render.history(app.history(), app.format, _page(ctx)))


@cli.command()
@click.argument("paths", nargs=-1, callback=_not_empty)
@click.option("--output", "-o", default="rejectscan-report.html", show_default=True, type=click.Path(),
              callback=_not_empty,
              help="Where to write the page (mode 0600: it holds your mail's metadata); - for standard output. "
                   "An existing file is replaced; a device, pipe or socket never is.")
@click.option("--open", "open_page", is_flag=True, help="Open the page in your browser ($BROWSER, else the default).")
@click.option("--submitted-at", "submitted_at", metavar="WHEN",
              help="For saved mail given as PATHS: when you clicked Submit (as for `analyze`).")
@click.option("--patterns", "patterns", multiple=True, type=click.Path(file_okay=False),
              help="A folder of your own pattern files, added to the shipped ones (repeatable).")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file.")
@click.option("--db", type=click.Path(dir_okay=False), callback=_not_empty, help="State database (env REJECTSCAN_DB).")
@click.pass_context
def report(ctx, paths, output, open_page, submitted_at, patterns, config, db):
    """One HTML page with every application: timeline, delays against the two clocks, advice, findings.

    Made from the state database and from saved mail given as PATHS (.eml files, mbox exports,
    Maildirs, folders), for use without a mailbox connection.
    """
    if open_page and output == "-":
        raise click.UsageError("--open needs a file to show: give --output a file name, not -")
    app = _app(ctx, None, patterns, config, db)
    result = app.report(paths, output, submitted_at=submitted_at, on_error=lambda e: _errors([e]),
                        stream=click.get_text_stream("stdout"))
    _warnings(result.warnings)
    from rejectscan.render import plural

    shows = f"{plural(result.events, 'event')} on {plural(result.platforms, 'platform')}"
    if result.path is None:  # the page went to stdout: nothing else goes there
        if _env(ctx).stderr_is_tty:
            click.echo(f"rejectscan: the page shows {shows}.", err=True)
        ctx.exit(ExitStatus.INPUT_UNREADABLE if result.errors else ExitStatus.OK)
    click.echo(field(str(result.path)))  # alone on its line and never wrapped, to copy or click
    click.echo(fit_line(ctx, f"That page shows {shows}; it opens from disk in any browser."), nl=False)
    if open_page and not app.open_in_browser(result.path):
        click.echo(f"rejectscan: warning: no browser found to open {field(str(result.path))}: open it yourself, "
                   "or set BROWSER",
                   err=True)
    ctx.exit(ExitStatus.INPUT_UNREADABLE if result.errors else ExitStatus.OK)


@cli.group("config")
def config_group():
    """The config file."""


@config_group.command("init")
@click.option("--user", default="", help="Your mail address, filled into the file.")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Where to write (default: the platform's config folder).")
@click.pass_context
def config_init(ctx, user, config):
    """Write a commented config file, readable only by you (mode 0600)."""
    path = _app(ctx).config_init(user, config)
    click.echo(f"Wrote {path}; edit it, then run `rejectscan fetch --since 30d`.")


@config_group.command("show")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file (default: the usual one).")
@click.option("--db", type=click.Path(dir_okay=False), callback=_not_empty, help="State database (env REJECTSCAN_DB).")
@click.pass_context
def config_show(ctx, config, db):
    """Show the settings in effect and where each comes from (never the password)."""
    from rejectscan import render

    _out(render.config_view(_app(ctx, config=config, db=db).config_view(), _page(ctx)))


@config_group.command("path")
@click.option("--config", "config", type=click.Path(dir_okay=False), help="Config file (default: the usual one).")
@click.pass_context
def config_path(ctx, config):
    """Print the config file's path (for `$EDITOR "$(rejectscan config path)"`)."""
    path, exists = _app(ctx, config=config).config_path()
    click.echo(str(path))
    if not exists:
        click.echo("rejectscan: note: it does not exist yet; `rejectscan config init` writes it", err=True)


@cli.group("schedule")
def schedule_group():
    """Run fetch on a timer: a crontab line or systemd user units naming this installation."""


def _schedule_options(func):
    @click.option("--dry-run", is_flag=True, help="Print what would be written, change nothing.")
    @click.option("--config", "config", type=click.Path(dir_okay=False),
                  help="Config file the scheduled runs use (default: this run's).")
    @click.option("--db", type=click.Path(dir_okay=False), callback=_not_empty,
                  help="State database the scheduled runs use (default: this run's).")
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        return func(*args, **kwargs)

    return wrapper


@schedule_group.command("cron")
@_schedule_options
@click.pass_context
def schedule_cron(ctx, dry_run, config, db):
    """Add a quiet fetch every 10 minutes to your crontab, by this install's absolute path.

    With --dry-run the line alone goes to stdout: `crontab -e` and paste it."""
    from rejectscan import render

    result = _app(ctx, config=config, db=db).schedule_cron(dry_run)
    _warnings(result.warnings)
    _out(result.line + "\n" if dry_run else render.scheduled(result, _page(ctx)))


@schedule_group.command("systemd")
@_schedule_options
@click.option("--force", is_flag=True, help="Replace units that exist with other contents.")
@click.pass_context
def schedule_systemd(ctx, dry_run, config, db, force):
    """Write systemd user units (a fetch timer, a watch service) naming this install's path."""
    from rejectscan import render

    result = _app(ctx, config=config, db=db).schedule_systemd(dry_run, force)
    _warnings(result.warnings)
    _out(render.units(result) if dry_run else render.scheduled(result, _page(ctx)))


@cli.group("patterns")
def patterns_group():
    """See and check the templates, including your own."""


@patterns_group.command("list")
@common_options
@click.pass_context
def patterns_list(ctx, fmt, patterns, config, db):
    """List platforms, templates and signals."""
    from rejectscan import render

    app = _app(ctx, fmt, patterns, config, db)
    _out(render.pattern_rows(app.pattern_rows(), app.format, _page(ctx)))


@patterns_group.command("lint")
@click.argument("dirs", nargs=-1, type=click.Path(file_okay=False))
@common_options
@click.pass_context
def patterns_lint(ctx, dirs, fmt, patterns, config, db):
    """Validate pattern files and run every template's own examples (DIR: only those files)."""
    from rejectscan import render

    report = _app(ctx, fmt, patterns, config, db).lint_patterns(dirs)
    for problem in report.problems:
        click.echo(field(str(problem)), err=True)
    _out(render.lint_summary(report, _page(ctx)))
    ctx.exit(ExitStatus.USAGE if report.problems else ExitStatus.OK)


@patterns_group.command("test")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True))
@common_options
@click.pass_context
def patterns_test(ctx, path, fmt, patterns, config, db):
    """Show which templates and signals hit each email of FILE (each message of an mbox), with the matched text."""
    from rejectscan import render

    for n, (source, original, hits, signals) in enumerate(_app(ctx, fmt, patterns, config, db).probe(path)):
        _out(("\n" if n else "") + render.probe(source, original, hits, signals, _page(ctx)))


def main() -> None:
    try:
        cli.main(prog_name="rejectscan")
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(ExitStatus.OK)
