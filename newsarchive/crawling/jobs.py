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
from newsarchive.crawling.runner import CrawlResult, SpiderRun, run_spiders
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
    runs = [SpiderRun(spider, args)]
    return _jobs(runs, db=db, settings=settings, on_progress=on_progress, lock_wait=lock_wait)[0]


def _jobs(
    runs: list[SpiderRun],
    *,
    db: Path,
    settings: dict[str, Any],
    on_progress: ProgressCallback | None,
    lock_wait: float,
) -> list[JobReport]:
    """Run ``runs`` one after the other under one hold of the writer lock; a run starts only
    when the one before finished (not interrupted, not failed)."""
    try:
        _archive_folder(db)
        with writer_lock(db, wait=lock_wait):
            # Create (or upgrade) the archive before the crawl: the incremental middleware,
            # built before the store pipeline opens, reads the archive and its frontier.
            Store(db).close()
            settings = {**settings, "NEWSARCHIVE_DB": str(db)}
            reports: list[JobReport] = []

            def go_on(result: CrawlResult) -> bool:
                # The archive as this run left it (read before the next run writes).
                reports.append(_report(db, result))
                return reports[-1].run.get("exit_status") in {"ok", "partial"}

            results = run_spiders(runs, settings=settings, on_progress=on_progress, go_on=go_on)
            reports += [_report(db, result) for result in results[len(reports) :]]
            return reports
    except (OSError, sqlite3.DatabaseError) as exc:
        if isinstance(exc, FileNotFoundError) or not (
            isinstance(exc, PermissionError) or storage_failure(exc)
        ):
            raise
        raise _unwritable(db, str(exc), storage_problem(exc)) from exc


def _report(db: Path, result: CrawlResult) -> JobReport:
    """The report of a finished run, from its ``crawl_runs`` row and the archive."""
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


#: The sample site as it is later (package data too): an overlay served in front of it, with
#: the edited-later article's second version and an article taken down (``removed.json``).
SAMPLE_SITE_LATER = "sample_site_v2"


def demo(
    *,
    db: Path,
    site: Path | None = None,
    later: Path | None = None,
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
) -> list[JobReport]:
    """Serve the sample site (the one shipped in the package unless ``site`` is given) on
    127.0.0.1 (a free port) and crawl its channels through the mirror transport, with the
    production spider, settings and pipelines (politeness off: the server is local); then
    visit it again as it is later (the overlay ``later``, by default the one shipped with the
    bundled site) with a full re-crawl, in which an edited article becomes a revision and a
    taken-down one a ``taken_down`` event. Returns the report of each visit. Raises
    :class:`FileNotFoundError` when the site is missing.

    The sample site holds a broken link and a withdrawn page on purpose, so a visit's exit
    code is ``OK`` whenever the crawl finished and the archive holds articles (the run row
    still says ``partial`` when pages failed)."""
    from importlib.resources import as_file, files  # noqa: PLC0415 (only the demo serves)

    from newsarchive.mirrorserver import MirrorServer  # noqa: PLC0415

    _archive_folder(db)  # before the server starts: a missing folder is the whole answer
    with contextlib.ExitStack() as stack:
        if site is None:
            site = stack.enter_context(as_file(files("newsarchive") / SAMPLE_SITE))
            later = stack.enter_context(as_file(files("newsarchive") / SAMPLE_SITE_LATER))
        codes = ",".join(sample_site_channels(site))
        copies = [[site]] + ([[later, site]] if later is not None else [])
        runs = []
        for visit, copy in enumerate(copies):
            server = stack.enter_context(MirrorServer(copy))
            args = CrawlOptions.from_args({"channels": codes, "mirror": server.url, "polite": "0"})
            # The later visit fetches every page again, however old: a full re-crawl.
            again = {"NEWSARCHIVE_INCREMENTAL": False} if visit else {}
            runs.append(SpiderRun("channel", {**args.to_args(), "db": str(db)}, again))
        reports = _jobs(
            runs,
            db=db,
            settings=dict(IMPOLITE_SETTINGS),
            on_progress=on_progress,
            lock_wait=lock_wait,
        )
    return [
        dataclasses.replace(report, exit_code=ExitCode.OK)
        if report.exit_code == ExitCode.PARTIAL and report.archive.articles > 0
        else report
        for report in reports
    ]
