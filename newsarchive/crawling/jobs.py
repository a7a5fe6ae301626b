"""The jobs behind ``newsarchive crawl``, ``demo`` and ``reextract``: take the archive's writer
lock, open a ``crawl_runs`` row, run the spider in this process, close the row with the exit
status, and report what the run did.

One process runs one job (a Twisted reactor cannot be restarted).
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import logging
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive import crawlhistory
from newsarchive.config import default_job_root
from newsarchive.crawling import resume
from newsarchive.crawling.options import IMPOLITE_SETTINGS, CrawlOptions
from newsarchive.crawling.runner import CrawlResult, Progress, run_spider, storage_failure
from newsarchive.exitcodes import ExitCode
from newsarchive.lock import writer_lock
from newsarchive.store import Store
from newsarchive.store.process import WriterDied
from newsarchive.store.queries import connect
from newsarchive.store.stats import ArchiveStats, archive_stats

logger = logging.getLogger(__name__)

ProgressCallback = Callable[[Progress], None]


class ArchiveUnwritable(RuntimeError):
    """The archive cannot be written: a read-only file or folder, a full disk."""


def _unwritable(db: Path, exc: BaseException | str) -> ArchiveUnwritable:
    text = str(exc)
    full = getattr(exc, "errno", None) == errno.ENOSPC or any(
        word in text.lower() for word in ("full", "i/o", "no space")
    )
    # A crawl's fatal error arrives as "<exception type>: <message>" (Progress.fatal).
    if isinstance(exc, WriterDied) or text.startswith(f"{WriterDied.__name__}:"):
        hint = "the process storing the crawl's items stopped; see the log"
    else:
        hint = "is the disk full?" if full else "read-only file or folder?"
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


def crawl(
    options: CrawlOptions,
    *,
    db: Path,
    settings: Mapping[str, Any] | None = None,
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
    job_root: Path | None = None,
) -> JobReport:
    """Crawl ``options`` into the archive ``db`` (created if missing).

    ``settings`` are Scrapy setting overrides (the operator configuration); when
    ``options.polite`` is off the politeness settings are switched off on top of them.
    The crawl's resumable state lives under ``job_root`` (default ``<db>.jobs``, see
    :mod:`newsarchive.crawling.resume`): a run that did not finish is continued by the next one.
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
        channels=options.channels,
        settings=overrides,
        on_progress=on_progress,
        lock_wait=lock_wait,
        job=resume.job_dir(job_root or default_job_root(db), options.channels, options.start),
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
        channels=(),
        settings={"ROBOTSTXT_OBEY": False},
        on_progress=on_progress,
        lock_wait=lock_wait,
    )


def _job(
    spider: str,
    args: dict[str, str],
    *,
    db: Path,
    channels: tuple[str, ...],
    settings: dict[str, Any],
    on_progress: ProgressCallback | None,
    lock_wait: float,
    job: Path | None = None,
) -> JobReport:
    try:
        db.parent.mkdir(parents=True, exist_ok=True)
        with writer_lock(db, wait=lock_wait):
            return _locked_job(
                spider,
                args,
                db=db,
                channels=channels,
                settings=settings,
                on_progress=on_progress,
                job=job,
            )
    except (OSError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, FileNotFoundError) or not (
            isinstance(exc, PermissionError) or storage_failure(exc)
        ):
            raise
        raise _unwritable(db, exc) from exc


def _locked_job(
    spider: str,
    args: dict[str, str],
    *,
    db: Path,
    channels: tuple[str, ...],
    settings: dict[str, Any],
    on_progress: ProgressCallback | None,
    job: Path | None,
) -> JobReport:
    state = None
    if job is not None:  # prepared under the lock: one run per job directory
        state = resume.prepare(job, {"spider": spider, "args": args})
        settings = {**settings, **resume.scrapy_settings(state)}
    with Store(db) as store:
        run_id = store.start_run(spider, channels=channels, options=args)
    settings = {**settings, "NEWSARCHIVE_DB": str(db), "NEWSARCHIVE_RUN_ID": run_id}
    try:
        result = run_spider(spider, args, settings=settings, on_progress=on_progress)
    except BaseException:
        with Store(db) as store:
            store.finish_run(run_id, exit_status=crawlhistory.EXIT_STATUS[ExitCode.FAILURE])
        raise
    if state is not None:
        # A crawl stopped because the archive could not be written fetched pages it never
        # stored, so its saved queue is no guide: the next run starts over (incrementally:
        # it still skips what the archive holds) instead of resuming.
        fatal = result.progress.fatal is not None
        resume.finish(
            state,
            "finished" if fatal else result.finish_reason,
            prune_root=state.path.parent == default_job_root(db),
        )
    if result.progress.fatal is not None:
        # Record the failure if the archive still takes a write; either way, say so.
        with contextlib.suppress(OSError, sqlite3.DatabaseError), Store(db) as store:
            store.finish_run(run_id, exit_status=crawlhistory.EXIT_STATUS[ExitCode.FAILURE])
        raise _unwritable(db, result.progress.fatal)
    with Store(db) as store:
        row = store.run(run_id)
        code = _exit_code(spider, result, row)
        store.finish_run(run_id, exit_status=crawlhistory.EXIT_STATUS[code])
        row = store.run(run_id)
    with _reader(db) as conn:
        stats = archive_stats(conn, recent_runs=0)
    return JobReport(db=db, run=row, result=result, archive=stats, exit_code=code)


def _exit_code(spider: str, result: CrawlResult, row: Mapping[str, Any]) -> ExitCode:
    pages = int(row.get("pages_fetched") or 0)
    errors = int(row.get("errors") or 0)
    if spider in ("reextract", "backfill") and result.finish_reason == "finished" and pages == 0:
        return ExitCode.OK  # nothing to re-extract; no capture the archive lacks
    return crawlhistory.exit_code(result.finish_reason, pages_fetched=pages, errors=errors)


@contextmanager
def _reader(db: Path) -> Iterator[Any]:
    # Read-write although it only reads: the job holds the writer lock, and the last
    # connection to close must be able to remove SQLite's -wal and -shm files (a read-only
    # one leaves them behind, empty).
    conn = connect(db, readonly=False)
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
