"""``newsarchive crawl``, ``newsarchive demo`` and ``newsarchive reextract``."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TypeVar

import click

from newsarchive import config as configuration
from newsarchive import logfile
from newsarchive.archivefile import NotAnArchive
from newsarchive.cli.base import CONFIG_HELP, DB_HELP, fail, main
from newsarchive.crawling.options import CrawlOptions, OptionError
from newsarchive.exitcodes import ExitCode

if TYPE_CHECKING:
    from newsarchive.crawling import Progress, jobs

T = TypeVar("T")

# Scrapy, the store and rich are imported when a command runs (newsarchive.crawling.jobs),
# not when the CLI starts: `--help` and `--version` answer at once.


def _jobs() -> ModuleType:
    """:mod:`newsarchive.crawling.jobs`, imported when a command runs (it loads Scrapy)."""
    # sqlite-utils imports pandas when it is installed, for DataFrame inserts newsarchive never
    # makes: a sixth of a second before the first request (issue 18). A crawl does without.
    sys.modules.setdefault("pandas", None)  # type: ignore[arg-type]
    from newsarchive.crawling import jobs  # noqa: PLC0415 (lazy: start-up time)

    return jobs


def _config(config_file: Path | None, **options: object) -> configuration.Config:
    try:
        return configuration.load(config_file=config_file, options=options).config
    except configuration.ConfigError as exc:
        fail(str(exc), ExitCode.USAGE)


@contextmanager
def _live(enabled: bool, label: str) -> Iterator[Callable[[Progress], None] | None]:
    """A live progress line on stderr while the crawl runs (``None`` when not shown)."""
    if not enabled:
        yield None
        return
    # Only warnings while the live line shows (Scrapy's INFO lines would scroll through it).
    from rich.console import Console  # noqa: PLC0415 (lazy: start-up time)
    from rich.progress import Progress as Bar  # noqa: PLC0415
    from rich.progress import SpinnerColumn, TextColumn, TimeElapsedColumn  # noqa: PLC0415

    console = Console(stderr=True)
    if not console.is_terminal:  # a pipe, a file, cron: no spinner frames in the output
        yield None
        return
    handlers = [(h, h.level) for h in logging.getLogger().handlers]
    for handler, _ in handlers:
        handler.setLevel(max(handler.level, logging.WARNING))
    try:
        with Bar(
            SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console
        ) as bar:
            task = bar.add_task(f"{label}: starting")

            def update(p: Progress) -> None:
                bar.update(task, description=f"{label}: {progress_line(p)}")

            yield update
    finally:
        for handler, level in handlers:
            handler.setLevel(level)


def _configure_logs(ctx: click.Context, cfg: configuration.Config, *, quiet: bool) -> None:
    """The command's logging: -q/-v and the settings' log file (rotated as configured)."""
    logfile.configure(
        quiet=quiet,
        verbose=int(ctx.obj.get("verbose") or 0),
        log_file=cfg.log_file,
        max_bytes=cfg.log_max_bytes,
        backups=cfg.log_backups,
    )


def progress_line(p: Progress) -> str:
    """The live counters, under the names the summary and ``crawl_runs`` use."""
    from newsarchive.crawlhistory import errors_text  # noqa: PLC0415 (loaded with the crawl)

    return (
        f"pages fetched {p.pages} · articles {p.articles} · not articles {p.not_articles} · "
        f"errors {errors_text(p.errors, p.errors_by_kind)}"
    )


def _summary(report: jobs.JobReport) -> None:
    from newsarchive.crawlhistory import COUNTER_LABELS, errors_text  # noqa: PLC0415

    run = report.run
    archive = report.archive
    width = max(len(label) for label in COUNTER_LABELS.values()) + 2
    lines = [
        f"run {run['id']} ({run['spider']}) {run['exit_status']} in {report.result.seconds:.1f}s"
        f" → {report.db}",
        *(
            f"  {label:<{width}}{run[name]}"
            for name, label in COUNTER_LABELS.items()
            if name != "errors"
        ),
        f"  {'errors':<{width}}{errors_text(run['errors'], run['errors_by_kind'])}",
        f"archive: {archive.articles} articles, {archive.near_copies} near copies, "
        f"{archive.urls} URLs, {archive.revisions} revisions, {archive.captures} captures",
    ]
    if budget := _budget_note(report):
        lines.append(budget)
    if report.left:
        left = ", ".join(f"{n} {state}" for state, n in sorted(report.left.items()))
        lines.append(f"work left: {left} (the next run takes it up first; `newsarchive runs`)")
    click.echo("\n".join(lines))


def _budget_note(report: jobs.JobReport) -> str | None:
    """What a page budget (``--max-pages``) left undone, if it stopped the run."""
    budget = report.run.get("options", {}).get("max_pages")
    skipped = int(report.result.stats.get("newsarchive/budget_skipped", 0) or 0)
    if not budget or not skipped:
        return None
    rest = (
        "the next run takes up the work left first"
        if report.left
        else "a later run finds them again from the start pages"
    )
    return (
        f"stopped at the page budget (--max-pages {budget}): {skipped} links not requested; {rest}"
    )


#: What to do about a run that did not end well, by its status.
_ADVICE = {
    "failed": "check the network (or --mirror) and the log, then run again",
    "partial": "the next run retries the failed pages and takes up the work left first",
    "interrupted": "the next run resumes where this one stopped",
}


def closing_line(command: str, report: jobs.JobReport) -> str:
    """One line saying how a run that did not end well ended and what to do."""
    from newsarchive.crawlhistory import errors_text  # noqa: PLC0415

    run = report.run
    status = str(run.get("exit_status") or "failed")
    errors = errors_text(run["errors"], run["errors_by_kind"])
    advice = _ADVICE.get(status, _ADVICE["failed"])
    return (
        f"{command} {status}: pages fetched {run['pages_fetched']}, errors {errors}; "
        f"{advice} (details: newsarchive runs)"
    )


#: What a locked-out command can do about it, by command (only options it has).
WAIT_HINTS = {
    "crawl": "use --wait SECONDS to wait for it",
    "demo": "try again when it has finished, or give another --db",
    "reextract": "set lock_wait in the settings file (or NEWSARCHIVE_LOCK_WAIT) to wait for it",
    "import": "set lock_wait in the settings file (or NEWSARCHIVE_LOCK_WAIT) to wait for it",
    "backfill": "set lock_wait in the settings file (or NEWSARCHIVE_LOCK_WAIT) to wait for it",
}


def _run(job: Callable[[], T], command: str) -> T:
    from newsarchive.crawling.jobs import (  # noqa: PLC0415 (lazy: start-up time)
        ArchiveUnwritable,
        CrawlFailed,
    )
    from newsarchive.lock import ArchiveLocked  # noqa: PLC0415

    try:
        return job()
    except ArchiveLocked as exc:
        fail(f"{exc} ({WAIT_HINTS[command]})", ExitCode.LOCKED)
    except (FileNotFoundError, ArchiveUnwritable, CrawlFailed, NotAnArchive) as exc:
        fail(str(exc), ExitCode.FAILURE)


def _finish(report: jobs.JobReport, *, quiet: bool = False) -> None:
    if not quiet:  # cron mails any output: a quiet run that went well says nothing
        _summary(report)
    elif report.exit_code != ExitCode.OK:  # ... and one that did not, one closing line
        command = click.get_current_context().info_name or "run"
        click.echo(closing_line(command, report), err=True)
    sys.exit(report.exit_code)


@main.command("crawl")
@click.argument("channels", nargs=-1)
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help=DB_HELP)
@click.option(
    "--since",
    metavar="DATE",
    help="Skip articles dated before DATE (YYYY, YYYY-MM or YYYY-MM-DD: from its first day).",
)
@click.option(
    "--until",
    metavar="DATE",
    help="Skip articles dated after DATE (YYYY, YYYY-MM or YYYY-MM-DD: through its last day).",
)
@click.option(
    "--max-pages", type=click.IntRange(min=1), help="Fetch at most N pages (a page budget)."
)
@click.option(
    "--start",
    "start",
    multiple=True,
    metavar="URL",
    help="Start from URL instead of the registry's start pages (repeatable; crawl one column).",
)
@click.option(
    "--mirror",
    metavar="URL",
    help="Fetch every page from a <host>/<path> site copy served at URL; records keep the "
    "real URLs.",
)
@click.option("--no-big5", is_flag=True, help="Leave the big5 traditional-script mirror out.")
@click.option(
    "--no-politeness",
    is_flag=True,
    help="No delay, no AutoThrottle, no retry backoff: only for a local --mirror or a benchmark.",
)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.option(
    "--progress/--no-progress", default=None, help="Live counters (default: on a terminal)."
)
@click.option(
    "--wait",
    "lock_wait",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Wait up to SECONDS for another run holding the archive (default: exit 4 at once).",
)
@click.option(
    "--revisit-days",
    type=click.FloatRange(min=0),
    metavar="DAYS",
    help="Fetch archived articles published in the last DAYS again, for edits and takedowns "
    "(default 3; 0: never).",
)
@click.option(
    "--log-file",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Also write the log to this file, rotated by size ([log] max_bytes, backups).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Only warnings and errors, no summary; one closing line if the run did not end well "
    "(cron).",
)
@click.option(
    "--redis",
    "redis_url",
    metavar="URL",
    help="Crawl as one member of a fleet sharing the frontier and seen-set in Redis "
    "(redis://HOST:PORT/DB); pages go to Redis for `newsarchive ingest`, not to the archive.",
)
@click.pass_context
def crawl(
    ctx: click.Context,
    *,
    channels: tuple[str, ...],
    db: Path | None,
    since: str | None,
    until: str | None,
    max_pages: int | None,
    start: tuple[str, ...],
    mirror: str | None,
    no_big5: bool,
    no_politeness: bool,
    config_file: Path | None,
    progress: bool | None,
    lock_wait: float | None,
    revisit_days: float | None,
    log_file: Path | None,
    quiet: bool,
    redis_url: str | None,
) -> None:
    """Crawl Xinhua provincial CHANNELS (codes such as gz he, or all) into the archive.

    Without CHANNELS, the configured channels are crawled (or those of the --start pages).
    With an archive in place only new articles are fetched (and recent ones again); what
    earlier runs left pending or to retry is taken up first. Exit codes: 0 done and nothing
    left, 3 work left (failed pages, pending URLs: see `newsarchive runs`), 1 nothing
    fetched, 2 bad options, 4 archive locked by another run, 5 interrupted (the next run
    takes up what is left).
    """
    cfg = _config(
        config_file,
        archive=db,
        mirror=mirror,
        lock_wait=lock_wait,
        revisit_days=revisit_days,
        log_file=log_file,
    )
    quiet = quiet or bool(ctx.obj.get("quiet"))
    _configure_logs(ctx, cfg, quiet=quiet)
    codes = channels or (() if start else cfg.channels)
    args: dict[str, object] = {
        "channels": ",".join(codes),
        "since": since,
        "until": until,
        "max_pages": max_pages,
        "start": list(start),
        "mirror": cfg.mirror or None,
        "big5": not no_big5,
        "polite": not no_politeness,
    }
    try:
        options = CrawlOptions.from_args({k: v for k, v in args.items() if v is not None})
    except OptionError as exc:
        fail(str(exc), ExitCode.USAGE)
    show = progress if progress is not None else sys.stderr.isatty()
    show = show and not quiet
    settings = configuration.scrapy_settings(cfg)
    with _live(show, "crawl") as on_progress:
        jobs = _jobs()  # shown as "starting" while Scrapy loads
        if redis_url:  # issue 8: a fleet member never opens the archive
            from newsarchive.cli.distributed import run_fleet_member  # noqa: PLC0415

            run_fleet_member(
                options, redis_url, settings=settings, on_progress=on_progress, quiet=quiet
            )
        report = _run(
            lambda: jobs.crawl(
                options,
                db=cfg.archive,
                settings=settings,
                on_progress=on_progress,
                lock_wait=cfg.lock_wait,
            ),
            "crawl",
        )
    _finish(report, quiet=quiet)


@main.command("demo")
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=configuration.DEFAULTS.archive,
    show_default=True,
    help="The archive to write.",
)
@click.pass_context
def demo(ctx: click.Context, db: Path) -> None:
    """Crawl the bundled sample site end to end, twice, and show what the archive got.

    Serves the sample site shipped with the package on 127.0.0.1 (a free port), crawls its
    channels with the production spider, settings and pipelines through the mirror
    transport, then visits it again as it is later (an article edited, one taken down) and
    prints a summary of each visit. Running it again is safe: nothing is stored twice.
    """
    show = not ctx.obj.get("quiet")
    logfile.configure(quiet=not show, verbose=int(ctx.obj.get("verbose") or 0))
    with _live(show, "demo") as on_progress:
        jobs = _jobs()
        reports = _run(lambda: jobs.demo(db=db, on_progress=on_progress), "demo")
    for report in reports[:-1]:
        if show:
            _summary(report)
        if report.exit_code != ExitCode.OK:
            sys.exit(report.exit_code)
    _finish(reports[-1], quiet=not show)


@main.command("reextract")
@click.option("--db", type=click.Path(path_type=Path, dir_okay=False), help=DB_HELP)
@click.option("--config", "config_file", type=click.Path(path_type=Path), help=CONFIG_HELP)
@click.pass_context
def reextract(ctx: click.Context, db: Path | None, config_file: Path | None) -> None:
    """Re-derive the archive's articles from its stored captures, without re-crawling.

    Runs today's extractor over the latest capture of every archived page (articles, and
    pages an older extractor refused) and stores the results through the item pipelines:
    changed records become revisions. Exit codes: 0 done, 3 some captures failed, 1 no
    archive, 4 archive locked.
    """
    cfg = _config(config_file, archive=db)
    show = not ctx.obj.get("quiet")
    _configure_logs(ctx, cfg, quiet=not show)
    with _live(show, "reextract") as on_progress:
        jobs = _jobs()
        report = _run(
            lambda: jobs.reextract(
                db=cfg.archive, on_progress=on_progress, lock_wait=cfg.lock_wait
            ),
            "reextract",
        )
    _finish(report, quiet=not show)
