"""Distributed crawling on the command line (issue 8).

``newsarchive ingest`` is the single writer of a Redis crawler fleet; :func:`run_fleet_member`
is what ``newsarchive crawl … --redis URL`` runs instead of the single-machine job.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any

import click

from newsarchive import config as configuration
from newsarchive.archivefile import NotAnArchive
from newsarchive.cli.base import fail, main
from newsarchive.exitcodes import ExitCode
from newsarchive.lock import ArchiveLocked, writer_lock

if TYPE_CHECKING:  # Redis, Scrapy and the store are imported when a command runs
    from newsarchive.crawling import CrawlOptions, Progress
    from newsarchive.distributed.writer import IngestReport


@main.command("ingest")
@click.option(
    "--redis",
    "redis_url",
    required=True,
    metavar="URL",
    help="The fleet's Redis, e.g. redis://HOST:6379/0 (the URL given to crawl --redis).",
)
@click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=False),
    default=None,
    help="The archive to write (default: the configured archive, $NEWSARCHIVE_DB, "
    "data/archive.db).",
)
@click.option(
    "--batch",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Items taken off the queue per round trip (and re-stored after a crash, at most).",
)
@click.option(
    "--idle-timeout",
    type=click.FloatRange(min=0),
    default=None,
    metavar="S",
    help="Exit once the queue has been empty S seconds (0: drain what is queued and exit). "
    "Default: run until SIGTERM or Ctrl-C.",
)
def ingest_command(redis_url: str, db: Path | None, batch: int, idle_timeout: float | None) -> None:
    """Drain the fleet's item queue into the archive through the normal pipelines.

    Crawlers started with "newsarchive crawl … --redis URL" push every page (record and
    captures) to Redis instead of writing SQLite; this command is the one writer that stores
    them (normalise, validate, store). Kill it at any moment and start it again: items
    it had taken but not committed are stored on restart (at-least-once delivery; the store is
    idempotent). Exits 0 when it stopped because the queue stayed empty and the fleet has
    nothing left to fetch, 5 when stopped by a signal, 4 when another writer holds the queue
    or the archive, 3 when some items could not be stored (they are kept in Redis, see
    docs/distributed.md) or the fleet still has requests queued or in flight (the archive is
    not complete yet), 1 when another writer took the queue over.
    """
    import redis  # noqa: PLC0415 (lazy: start-up time)

    from newsarchive.distributed.writer import WriterBusy, ingest  # noqa: PLC0415

    try:
        archive = configuration.load(options={"archive": db}).config.archive
    except configuration.ConfigError as exc:
        fail(f"{exc}", ExitCode.USAGE)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    try:
        with writer_lock(archive):
            report = ingest(redis_url, archive, batch=batch, idle_timeout=idle_timeout, stop=stop)
    except (ArchiveLocked, WriterBusy) as exc:
        fail(f"{exc} (stop the other writer first: one writer per archive)", ExitCode.LOCKED)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        fail(f"cannot reach Redis at {redis_url}: {exc}", ExitCode.FAILURE)
    except NotAnArchive as exc:
        fail(f"{exc}", ExitCode.FAILURE)
    except OSError as exc:  # the lock file cannot be made: a read-only folder, a full disk
        where = f" ({exc.filename})" if exc.filename else ""
        fail(f"cannot write {archive}: {exc.strerror or exc}{where}", ExitCode.FAILURE)
    click.echo(_summary(report, archive))
    if report.lost_lock:
        click.echo("error: another writer took the queue over; stopped", err=True)
    elif report.fleet_pending:
        click.echo(
            f"warning: the fleet still has {report.fleet_pending} requests queued or in flight; "
            "the archive is not complete yet",
            err=True,
        )
    sys.exit(report.exit_code)


def _summary(report: IngestReport, archive: Path) -> str:
    parts = [f"ingested {report.items} items into {archive} in {report.batches} batches"]
    if report.recovered:
        parts.append(f"{report.recovered} recovered from an interrupted writer")
    parts.append(f"dropped: {report.dropped}")
    parts.append(f"dead: {report.dead}")
    return "; ".join(parts)


def run_fleet_member(
    options: CrawlOptions,
    redis_url: str,
    *,
    settings: Mapping[str, Any],
    on_progress: Callable[[Progress], None] | None,
    quiet: bool,
) -> None:
    """``newsarchive crawl … --redis URL``: crawl as one member of the fleet, then exit."""
    import redis  # noqa: PLC0415 (lazy: start-up time)

    from newsarchive.distributed.jobs import fleet_crawl  # noqa: PLC0415

    try:
        report = fleet_crawl(options, redis_url, settings=settings, on_progress=on_progress)
    except (redis.ConnectionError, redis.TimeoutError) as exc:
        fail(f"cannot reach Redis at {redis_url}: {exc}", ExitCode.FAILURE)
    if not quiet:
        from newsarchive.crawlhistory import errors_text  # noqa: PLC0415 (one format)

        click.echo(
            f"fleet member {report.result.finish_reason} in {report.result.seconds:.1f}s: "
            f"pages fetched {report.pages_fetched}, {report.items_pushed} items queued on "
            f"{redis_url} for newsarchive ingest; errors "
            + errors_text(report.errors, report.result.progress.errors_by_kind)
        )
        if report.fleet_pending > 0:
            click.echo(
                f"warning: the fleet still has {report.fleet_pending} requests queued or in "
                "flight (resume: start a member again)",
                err=True,
            )
    sys.exit(report.exit_code)
