"""The jobs behind ``newsarchive crawl``, ``demo`` and ``reextract``: take the archive's writer
lock, run the spider in this process, and report what the run did. The ``crawl_runs`` row is
the crawl's own (:mod:`newsarchive.crawling.crawlrun`, as under ``scrapy crawl``).

One process runs one job (a Twisted reactor cannot be restarted).
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive import crawlhistory
from newsarchive.config import DEFAULTS
from newsarchive.crawling.crawlrun import Progress, storage_failure, storage_problem
from newsarchive.crawling.options import IMPOLITE_SETTINGS, CrawlOptions
from newsarchive.crawling.runner import CrawlResult, run_spider
from newsarchive.exitcodes import ExitCode
from newsarchive.lock import writer_lock
from newsarchive.store import Store, frontier
from newsarchive.store.queries import connect
from newsarchive.store.stats import ArchiveStats, archive_stats

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]


class ArchiveUnwritable(RuntimeError):
    """The archive cannot be written: a read-only file or folder, a full disk."""


class CrawlFailed(RuntimeError):
    """The crawl stopped before it started its run (its log says why)."""


_HINTS = {"full": "is the disk full?", "io": "is the disk full or failing?"}


def _unwritable(db: Path, text: str, problem: str | None) -> ArchiveUnwritable:
    """The error for an archive that cannot be written; ``problem`` as
    :func:`~newsarchive.crawling.crawlrun.storage_problem` says."""
    hint = _HINTS.get(problem or "", "read-only file or folder?")
    return ArchiveUnwritable(f"the archive {db} cannot be written ({hint}): {text}")


@dataclass(frozen=True, kw_only=True, slots=True)
class JobReport:
    """What one job did: its ``crawl_runs`` row, Scrapy's result and the archive after it."""

    db: Path
    run: dict[str, Any]
    """The ``crawl_runs`` row (JSON columns decoded)."""
    result: CrawlResult
    archive: ArchiveStats
    exit_code: ExitCode
    left: dict[str, int] = dataclasses.field(default_factory=dict)
    """Work the run's channels have left in the crawl frontier (``{"pending": n, "retry": m}``,
    states with URLs only): what the next run takes up first."""


def crawl(
    options: CrawlOptions,
    *,
    db: Path,
    settings: Mapping[str, Any] | None = None,
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
) -> JobReport:
    """Crawl ``options`` into the archive ``db`` (created if missing).

    ``settings`` are Scrapy setting overrides (the operator configuration); when
    ``options.polite`` is off the politeness settings are switched off on top of them.
    What a run leaves undone, whatever stops it, is in the archive's crawl frontier and taken
    up first by the next run (:mod:`newsarchive.crawling.frontier`).
    Raises :class:`newsarchive.lock.ArchiveLocked` when another run holds the archive.
    """
    overrides = dict(settings or {})
    if not options.polite:
        overrides.update(IMPOLITE_SETTINGS)
    args = options.to_args()
    args["db"] = str(db)
    return _job(
        "channel",
        args,
        db=db,
        settings=overrides,
        on_progress=on_progress,
        lock_wait=lock_wait,
    )


def reextract(
    *,
    db: Path,
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
) -> JobReport:
    """Run today's extractor over the archive's stored captures and store the results through
    the item pipelines (no downloads). Raises :class:`FileNotFoundError` without an archive."""
    if not db.is_file():
        raise FileNotFoundError(f"no archive at {db}")
    return _job(
        "reextract",
        {"db": str(db)},
        db=db,
        settings={"ROBOTSTXT_OBEY": False},
        on_progress=on_progress,
        lock_wait=lock_wait,
    )


def _archive_folder(db: Path) -> None:
    """Create the default archive's folder (``data/``) if needed; any other archive's folder
    must exist: a mistyped ``--db /srv/archve/a.db`` is an error, not a new folder tree."""
    if db.parent.is_dir():
        return
    if db == DEFAULTS.archive:
        db.parent.mkdir(parents=True, exist_ok=True)
        return
    raise FileNotFoundError(f"no folder {db.parent} for the archive {db}: create it first")


def _job(
    spider: str,
    args: dict[str, str],
    *,
    db: Path,
    settings: dict[str, Any],
    on_progress: ProgressCallback | None,
    lock_wait: float,
) -> JobReport:
    try:
        _archive_folder(db)
        with writer_lock(db, wait=lock_wait):
            return _locked_job(
                spider,
                args,
                db=db,
                settings=settings,
                on_progress=on_progress,
            )
    except (OSError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, FileNotFoundError) or not (
            isinstance(exc, PermissionError) or storage_failure(exc)
        ):
            raise
        raise _unwritable(db, str(exc), storage_problem(exc)) from exc


def _locked_job(
    spider: str,
    args: dict[str, str],
    *,
    db: Path,
    settings: dict[str, Any],
    on_progress: ProgressCallback | None,
) -> JobReport:
    # Create (or upgrade) the archive before the crawl: the incremental middleware, built
    # before the store pipeline opens, reads the archive and its frontier.
    Store(db).close()
    settings = {**settings, "NEWSARCHIVE_DB": str(db)}
    result = run_spider(spider, args, settings=settings, on_progress=on_progress)
    if result.progress.fatal is not None:
        raise _unwritable(db, result.progress.fatal, result.progress.fatal_problem)
    if result.run_id is None:
        raise CrawlFailed(f"the crawl stopped before it started (see the log); {db} unchanged")
    with Store(db) as store:
        row = store.run(result.run_id)
    code = crawlhistory.STATUS_CODES.get(str(row.get("exit_status")), ExitCode.FAILURE)
    with _reader(db) as conn:
        stats = archive_stats(conn, recent_runs=0)
        left = frontier.left(conn, [str(c) for c in row.get("channels") or []])
    return JobReport(db=db, run=row, result=result, archive=stats, exit_code=code, left=left)


@contextmanager
def _reader(db: Path) -> Iterator[Any]:
    # Read-only: the last connection to close, if it could write, would checkpoint and
    # delete the -wal and -shm files under an exclusive lock that readers run into (they
    # stay beside the archive; see newsarchive.store.wal).
    conn = connect(db, readonly=True)
    try:
        yield conn
    finally:
        conn.close()


#: The sample site: package data of ``newsarchive``, a site copy (one folder per host) whose
#: ``MANIFEST.json`` lists, among much else, the start pages of its channels.
SAMPLE_SITE = "sample_site"


def sample_site_channels(site: Path) -> list[str]:
    """The channel codes a sample site has start pages for (its ``MANIFEST.json``)."""
    import json  # noqa: PLC0415 (only the demo reads a manifest)

    try:
        manifest = json.loads((site / "MANIFEST.json").read_text("utf-8"))
    except FileNotFoundError:
        raise FileNotFoundError(f"{site} is not a sample site: it has no MANIFEST.json") from None
    return list(manifest["start_pages"])


def demo(
    *,
    db: Path,
    site: Path | None = None,
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
) -> JobReport:
    """Serve the sample site (the one shipped in the package unless ``site`` is given) on
    127.0.0.1 (a free port) and crawl its channels through the mirror transport, with the
    production spider, settings and pipelines (politeness off: the server is local). Raises
    :class:`FileNotFoundError` when the site is missing.

    The sample site holds a broken link and a withdrawn page on purpose, so the demo's exit
    code is ``OK`` whenever the crawl finished and stored articles (the run row still says
    ``partial`` when pages failed)."""
    from importlib.resources import as_file, files  # noqa: PLC0415 (only the demo serves)

    from newsarchive.mirrorserver import MirrorServer  # noqa: PLC0415

    _archive_folder(db)  # before the server starts: a missing folder is the whole answer
    with contextlib.ExitStack() as stack:
        if site is None:
            site = stack.enter_context(as_file(files("newsarchive") / SAMPLE_SITE))
        codes = ",".join(sample_site_channels(site))
        server = stack.enter_context(MirrorServer(site))
        options = CrawlOptions.from_args({"channels": codes, "mirror": server.url, "polite": "0"})
        report = crawl(options, db=db, on_progress=on_progress, lock_wait=lock_wait)
    if report.exit_code == ExitCode.PARTIAL and report.archive.articles > 0:
        return dataclasses.replace(report, exit_code=ExitCode.OK)
    return report
