"""Operator commands: ``newsarchive runs`` (the crawl ledger), ``newsarchive config`` (the
effective configuration and where each value came from) and ``newsarchive upgrade`` (bring an
older archive to this version's schema)."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from newsarchive import config as configuration
from newsarchive import logfile
from newsarchive.archivefile import NotAnArchive
from newsarchive.cli.base import CONFIG_HELP, DB_HELP, fail, main
from newsarchive.cli.work import render_work
from newsarchive.exitcodes import ExitCode
from newsarchive.lock import ArchiveLocked, writer_lock

if TYPE_CHECKING:
    from newsarchive import crawlhistory  # the store, sqlite-utils: imported when `runs` runs


def resolve_config(config_file: Path | None, **options: object) -> configuration.Resolved:
    """The effective configuration, or a usage error (exit 2) naming the bad setting."""
    try:
        return configuration.load(config_file=config_file, options=options)
    except configuration.ConfigError as exc:
        fail(f"{exc}", ExitCode.USAGE)


F = TypeVar("F", bound=Callable[..., Any])


def _archive_options(func: F) -> F:
    """``--db`` and ``--config``, as every operator command on an archive takes them."""
    func = click.option(
        "--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP
    )(func)
    return click.option(
        "--db",
        type=click.Path(path_type=Path, dir_okay=False),
        default=None,
        help=DB_HELP,
    )(func)


@main.command("runs")
@_archive_options
@click.option(
    "--limit",
    type=click.IntRange(min=0),
    default=20,
    show_default=True,
    help="Newest runs to list; 0 lists all.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
    help="Output format.",
)
@click.option(
    "--work",
    is_flag=True,
    help="Only the work left per channel (the crawl frontier), in the chosen format.",
)
def runs(db: Path | None, config_file: Path | None, limit: int, fmt: str, work: bool) -> None:
    """List crawl runs (the crawl_runs ledger), newest first, then the work left per channel.

    Each run: when it started and ended, its channels, its counters (pages_fetched,
    articles_new, articles_updated, articles_unchanged, duplicates, errors by kind: the
    crawl_runs columns) and its exit status (ok, budget, partial, failed, interrupted;
    "running" or "unfinished" for a run going on or killed). The table then shows, per
    channel, the URLs the crawl frontier holds pending, to retry (and when next) and failed
    for good, with their errors; --work shows only that, as a table, JSON or CSV.
    """
    from newsarchive import crawlhistory  # noqa: PLC0415 (lazy: start-up time)

    archive = resolve_config(config_file, archive=db).config.archive
    try:
        found = [] if work else crawlhistory.list_runs(archive, limit=limit or None)
        left = crawlhistory.frontier_work(archive) if work or fmt == "table" else []
    except crawlhistory.LedgerError as exc:
        fail(f"{exc}", ExitCode.FAILURE)
    if work:
        click.echo(render_work(left, fmt), nl=False)
    elif fmt == "json":
        click.echo(json.dumps([r.as_dict() for r in found], ensure_ascii=False, indent=1))
    elif fmt == "csv":
        click.echo(_csv(found), nl=False)
    else:
        click.echo(_table(found), nl=False)
        if left:
            click.echo("\n" + render_work(left, "table"), nl=False)


#: The table's columns: ``crawl_runs``'s names, as the crawl summary and ``--format json``.
_TABLE_COLUMNS = (
    "id",
    "started_at",
    "seconds",
    "channels",
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "duplicates",
    "errors",
    "status",
)


def _row(run: crawlhistory.Run) -> list[str]:
    from newsarchive.crawlhistory import errors_text  # noqa: PLC0415 (lazy: start-up time)

    seconds = run.seconds
    return [
        str(run.id),
        run.started_at,  # ISO 8601 with its offset (UTC), as stored
        "" if seconds is None else f"{seconds:.0f}",
        ",".join(run.channels),
        str(run.pages_fetched),
        str(run.articles_new),
        str(run.articles_updated),
        str(run.articles_unchanged),
        str(run.duplicates),
        errors_text(run.errors, run.errors_by_kind),
        run.status,
    ]


def _table(found: list[crawlhistory.Run]) -> str:
    if not found:
        return "no crawl runs recorded\n"
    rows = [list(_TABLE_COLUMNS), *(_row(r) for r in found)]
    widths = [max(len(row[i]) for row in rows) for i in range(len(_TABLE_COLUMNS))]
    return "".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip() + "\n"
        for row in rows
    )


def _csv(found: list[crawlhistory.Run]) -> str:
    out = io.StringIO()
    names = list(found[0].as_dict()) if found else ["id"]
    writer = csv.DictWriter(out, fieldnames=names, lineterminator="\n")
    writer.writeheader()
    for run in found:
        row = run.as_dict()
        for key in ("channels", "options", "errors_by_kind"):
            row[key] = json.dumps(row[key], ensure_ascii=False)
        writer.writerow(row)
    return out.getvalue()


@main.command("config")
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["toml", "json"]),
    default="toml",
    show_default=True,
    help="toml: a settings file with each value's origin as a comment; json: value, origin "
    "and environment variable of each setting.",
)
def config_command(config_file: Path | None, fmt: str) -> None:
    """Print the effective configuration and where each value came from.

    Precedence, lowest first: defaults < settings file < NEWSARCHIVE_* environment variables <
    command-line options. The TOML output is itself a valid settings file.
    """
    resolved = resolve_config(config_file)
    rows = configuration.describe(resolved)
    values = configuration.as_toml_dict(resolved.config)
    if fmt == "json":
        out = {
            key: {
                "value": values[key.split(".")[0]][key.split(".")[1]],
                "source": source,
                "env": env,
            }
            for key, _shown, source, env in rows
        }
        click.echo(json.dumps({"file": _str(resolved.file), "settings": out}, indent=1))
        return
    lines = [f"# settings file: {_str(resolved.file) or 'none'}"]
    section = ""
    for key, _shown, source, env in rows:
        table, name = key.split(".")
        if table != section:
            lines += ["", f"[{table}]"]
            section = table
        origin = source if source == f"env {env}" else f"{source}; env {env}"
        lines.append(f"{name} = {_toml(values[table][name])}  # {origin}")
    click.echo("\n".join(lines))


def _str(path: Path | None) -> str | None:
    return None if path is None else str(path)


def _toml(value: object) -> str:
    """A TOML literal for a settings value (strings, numbers, booleans, string lists)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # 3, as a person writes it (the setting still reads as 3.0)
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    return json.dumps(str(value), ensure_ascii=False)  # JSON strings are TOML basic strings


@main.command("upgrade")
@_archive_options
@click.pass_context
def upgrade(ctx: click.Context, db: Path | None, config_file: Path | None) -> None:
    """Upgrade an archive written by an older newsarchive to this version's schema, in place.

    The crawl and the other writing commands do the same when they open an archive; the
    research commands (search, export, show, stats, serve) only read, so they ask for this
    first. Nothing is lost: each step is recorded in schema_version (docs/schema.md). Exit
    codes: 0 upgraded or already current, 1 no archive or not one, 4 archive locked.
    """
    from newsarchive.store import Store  # noqa: PLC0415 (sqlite-utils: only when needed)
    from newsarchive.store.migrations import (  # noqa: PLC0415
        SchemaError,
        connect,
        current_version,
    )

    # The steps and the re-indexing progress are logged (INFO): shown with -v.
    obj = ctx.find_root().obj or {}
    logfile.configure(quiet=bool(obj.get("quiet")), verbose=int(obj.get("verbose") or 0))
    archive = resolve_config(config_file, archive=db).config.archive
    if not archive.is_file():
        fail(f"no archive at {archive}", ExitCode.FAILURE)
    try:
        with writer_lock(archive, wait=0.0):
            reader = connect(archive)
            try:
                before = current_version(reader)
            finally:
                reader.close()
            with Store(archive) as store:
                after = current_version(store.db)
    except ArchiveLocked as exc:
        fail(f"{exc} (run upgrade again when it has finished)", ExitCode.LOCKED)
    except NotAnArchive as exc:
        fail(f"{exc}", ExitCode.FAILURE)
    except (sqlite3.DatabaseError, SchemaError) as exc:
        fail(f"{archive} cannot be upgraded: {exc}", ExitCode.FAILURE)
    except OSError as exc:  # the lock file cannot be made: a read-only folder, a full disk
        where = f" ({exc.filename})" if exc.filename else ""
        fail(f"{archive} cannot be upgraded: {exc.strerror or exc}{where}", ExitCode.FAILURE)
    if before == after:
        click.echo(f"{archive}: schema version {after}, current; nothing to do")
    else:
        click.echo(f"{archive}: upgraded from schema version {before} to {after}")
