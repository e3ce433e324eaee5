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
@click.option("--debug", is_flag=True, hidden=True, help="Show tracebacks of internal errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Who rejected your freelancer profile: the platform's bots or its support team?"""
    ctx.ensure_object(dict)
    ctx.obj["debug"] = debug


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--submitted-at", "submitted_at", metavar="WHEN",
              help="When you clicked Submit: ISO 8601, RFC 2822, or e.g. 'yesterday 14:05', '2 hours ago'. "
                   "Without a zone it is your local time.")
@click.option("--all", "include_all", is_flag=True,
              help="Report every message read from mboxes and folders, not only platform mail.")
@common_options
def analyze(paths, submitted_at, include_all, fmt, patterns, config):
    """Judge saved emails: .eml files, forwards, mbox exports, Maildirs, folders, or - for stdin."""
    from rejectscan import app, render, timestamps
    from rejectscan.sources.files import iter_inputs

    settings = _settings(fmt, patterns, config)
    pattern_set = _load_patterns(settings)
    when = timestamps.parse_when(submitted_at) if submitted_at else None
    stdin = sys.stdin.buffer if "-" in paths else None
    outcome = app.analyze(iter_inputs(list(paths), stdin), pattern_set, submitted_at=when,
                          include_all=include_all)
    for error in outcome.errors:
        click.echo(f"rejectscan: {error}", err=True)
    _emit(outcome.reports, settings.format, pattern_set)
    sys.exit(ExitStatus.INPUT_UNREADABLE if outcome.errors else ExitStatus.OK)


def _emit(reports, fmt, pattern_set) -> None:
    from rejectscan import render

    names = {p.id: p.name for p in pattern_set.platforms}
    always = frozenset(a.id for a in pattern_set.advice.values() if "any" in a.labels)
    click.echo(render.render(reports, fmt, names, always), nl=False)


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
                         "evidence": f"{t.direction} {t.weight:g}" if t.weight else "neutral",
                         "description": t.description, "file": t.file})
        for s in p.signals:
            rows.append({"platform": p.id, "type": "signal", "id": s.id, "kind": "",
                         "evidence": f"{s.direction} {s.weight:g}", "description": s.description, "file": s.file})
    for s in ps.signals:
        rows.append({"platform": "*", "type": "signal", "id": s.id, "kind": "",
                     "evidence": f"{s.direction} {s.weight:g}", "description": s.description, "file": s.file})
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
    data = sys.stdin.buffer.read() if path == "-" else _read_file(path)
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
        click.echo(f"  signal {s.id} ({s.direction} {s.weight:g}): {s.matched[:100]!r}")


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


__all__ = ["main", "cli", "UsageError"]
