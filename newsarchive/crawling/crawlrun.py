"""The crawl run, as a Scrapy extension: its ``crawl_runs`` row, live progress, and stopping
when the archive cannot be written.

:class:`CrawlRunExtension` is in the project's ``EXTENSIONS``, so ``scrapy crawl channel …``
(Scrapyd too) and ``newsarchive crawl …`` run the same bookkeeping:

* **the run row.** With an archive (``NEWSARCHIVE_DB``) the extension adds a ``crawl_runs`` row
  when the spider opens (the store pipeline, :mod:`pipelines.store`, has opened the archive and
  taken its writer lock by then) and closes it when the spider has closed, with the exit status
  of :func:`newsarchive.crawlhistory.exit_code` (``ok``, ``partial``, ``failed``, ``interrupted``;
  ``budget`` for a run that would be ``ok`` but stopped at its page budget);
  a run that would be ``ok`` is ``partial`` while the crawl frontier holds pending or
  retryable URLs of its channels (:func:`newsarchive.store.frontier.left`): it left work.
  The store adds each item's counts to the row in the item's own transaction. The row's id is
  in the stats as ``newsarchive/run_id``. ``NEWSARCHIVE_RUN_ID`` names an existing row to add
  to instead (``newsarchive ingest``); the extension then neither starts nor finishes it.
* **progress.** :class:`Progress` counts pages and items as the pipelines pass them, with
  the names and meanings of the run row's counters (pages fetched, errors by kind); the
  :data:`progress_changed` signal carries it at most ten times a second and once at the end
  (the CLI's progress display listens).
* **an unwritable archive stops the crawl.** When storing an item fails because the archive
  cannot be written at all (disk full, read-only file, I/O error: :func:`storage_problem`,
  by SQLite's error code), storing anything more would fail the same way: the spider is closed
  with the reason :data:`UNWRITABLE` and the run marked ``failed``; the log says it in one
  line per item instead of a traceback.
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import deferred_from_coro
from twisted.internet.defer import maybeDeferred

from newsarchive import crawlhistory
from newsarchive.exitcodes import ExitCode
from newsarchive.records import Article, NotAnArticle, PageItem
from newsarchive.store import Store, frontier
from newsarchive.urls import is_article_url

logger = logging.getLogger(__name__)

#: The finish reason of a crawl stopped because the archive cannot be written.
UNWRITABLE = "archive_unwritable"

#: Custom Scrapy signal: ``progress`` (a :class:`Progress`) changed.
progress_changed = object()

#: SQLite's primary result codes that mean the archive cannot be written at all.
_SQLITE_PROBLEMS = {
    sqlite3.SQLITE_FULL: "full",
    sqlite3.SQLITE_READONLY: "readonly",
    sqlite3.SQLITE_PERM: "readonly",
    sqlite3.SQLITE_CANTOPEN: "readonly",
    sqlite3.SQLITE_IOERR: "io",
}
_ERRNO_PROBLEMS = {
    errno.ENOSPC: "full",
    errno.EDQUOT: "full",
    errno.EROFS: "readonly",
    errno.EACCES: "readonly",
    errno.EPERM: "readonly",
    errno.EIO: "io",
}


def storage_problem(exc: BaseException) -> str | None:
    """``"full"``, ``"readonly"`` or ``"io"`` when ``exc`` means the archive cannot be written
    at all, else ``None`` (a problem with one item, a bug). SQLite errors are told apart by
    their result code (``sqlite3.Error.sqlite_errorcode``, primary code), OS errors by errno."""
    if isinstance(exc, sqlite3.Error):
        code = getattr(exc, "sqlite_errorcode", None)
        return None if code is None else _SQLITE_PROBLEMS.get(code & 0xFF)
    if isinstance(exc, OSError):
        return _ERRNO_PROBLEMS.get(exc.errno or 0)
    return None


def storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means the archive cannot be written at all (see :func:`storage_problem`)."""
    return storage_problem(exc) is not None


@dataclass(kw_only=True, slots=True)
class Progress:
    """Live counters of a running crawl (what the progress display shows)."""

    pages: int = 0
    """Pages fetched: the answered captures (status not 0) of the items that went through the
    pipelines, every page of a multi-page article; the same count as
    ``crawl_runs.pages_fetched`` (robots.txt and failed downloads not included)."""
    articles: int = 0
    """Items holding an article that went through the pipelines (new, revised, unchanged and
    duplicates together)."""
    not_articles: int = 0
    """Items for list pages, datasources and other non-article pages."""
    errors: int = 0
    """Items for HTTP errors, withdrawn articles and failed downloads (``crawl_runs.errors``)."""
    errors_by_kind: dict[str, int] = field(default_factory=dict)
    """``errors`` by error kind (``http_404``, ``timeout``, …), as ``crawl_runs.errors_by_kind``."""
    dropped: int = 0
    """Items a pipeline dropped (invalid records)."""
    article_pages: int = 0
    """Pages fetched with status 200 from article URLs (by URL, extracted or not)."""
    item_errors: int = 0
    """Items a pipeline failed on with an exception (a bug, or an archive that cannot be
    written)."""
    fatal: str | None = None
    """Why the crawl was stopped early: the archive could not be written (``<exception type>:
    <message>``)."""
    fatal_problem: str | None = None
    """The kind of that failure (:func:`storage_problem`: ``full``, ``readonly``, ``io``)."""
    started: float = field(default_factory=time.monotonic)
    finished: bool = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


class CrawlRunExtension:
    """The run row, progress and stop-on-unwritable of one crawl (see the module docstring)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        settings = crawler.settings
        self.db: str | None = str(settings.get("NEWSARCHIVE_DB") or "") or None
        self.run_id: int | None = settings.getint("NEWSARCHIVE_RUN_ID", 0) or None
        self.owns_run = False
        self.progress = Progress()
        self.exit_status: str | None = None
        """The run's ``exit_status`` once the spider has closed."""
        self._filter = _StorageFailureFilter()
        self._last_tick = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlRunExtension:
        ext = cls(crawler)
        connect = crawler.signals.connect
        connect(ext.spider_opened, signal=signals.spider_opened)
        connect(ext.spider_closed, signal=signals.spider_closed)
        connect(ext.item_scraped, signal=signals.item_scraped)
        connect(ext.item_dropped, signal=signals.item_dropped)
        connect(ext.item_error, signal=signals.item_error)
        return ext

    # -- the run row -------------------------------------------------------------------------

    def spider_opened(self, spider: Any = None) -> None:
        logging.getLogger("scrapy.core.scraper").addFilter(self._filter)
        logging.getLogger("scrapy.downloadermiddlewares.retry").addFilter(_GIVE_UP_FILTER)
        if self.db is not None and self.run_id is None:
            name, channels, options = _run_facts(self.crawler)
            try:
                with Store(self.db) as store:
                    self.run_id = store.start_run(name, channels=channels, options=options)
            except (OSError, sqlite3.Error) as exc:
                if not storage_failure(exc):
                    raise
                self._stop_unwritable(exc)
                return
            self.owns_run = True
            logger.info("crawl run %d started in %s", self.run_id, self.db)
        if self.run_id is not None and self.crawler.stats is not None:
            self.crawler.stats.set_value("newsarchive/run_id", self.run_id)

    def spider_closed(self, spider: Any = None, reason: str = "finished") -> None:
        logging.getLogger("scrapy.core.scraper").removeFilter(self._filter)
        logging.getLogger("scrapy.downloadermiddlewares.retry").removeFilter(_GIVE_UP_FILTER)
        self.progress.finished = True
        self._tick(force=True)
        if not (self.owns_run and self.db is not None and self.run_id is not None):
            return
        try:
            with Store(self.db) as store:
                row = store.run(self.run_id)
                code = self._exit_code(reason, row)
                if code == ExitCode.OK and (left := self._left(store)):
                    logger.warning(
                        "work left in the crawl frontier: %s; the next run takes it up first",
                        ", ".join(f"{n} {state}" for state, n in sorted(left.items())),
                    )
                    code = ExitCode.PARTIAL
                self.exit_status = crawlhistory.EXIT_STATUS[code]
                if code == ExitCode.OK and self.budget_spent(reason):
                    self.exit_status = crawlhistory.BUDGET_STATUS
                store.finish_run(self.run_id, exit_status=self.exit_status)
        except (OSError, sqlite3.Error) as exc:
            if not storage_failure(exc):
                raise
            self.exit_status = crawlhistory.EXIT_STATUS[ExitCode.FAILURE]
            logger.error("crawl run %d could not be closed in %s: %s", self.run_id, self.db, exc)

    def budget_spent(self, reason: str) -> bool:
        """Whether the page budget (``max_pages``) stopped the crawl: links were left
        unrequested (``newsarchive/budget_skipped``) or Scrapy's ``closespider_*`` ended it."""
        stats = self.crawler.stats
        skipped = stats.get_value("newsarchive/budget_skipped", 0) if stats else 0
        return bool(skipped) or reason.startswith("closespider_")

    def _left(self, store: Store) -> dict[str, int]:
        """Pending and retryable URLs of this run's channels in the crawl frontier."""
        _, channels, _ = _run_facts(self.crawler)
        return frontier.left(store.db.conn, channels) if channels else {}

    def _exit_code(self, reason: str, row: dict[str, Any]) -> ExitCode:
        if self.progress.fatal is not None:
            return ExitCode.FAILURE
        pages = int(row.get("pages_fetched") or 0)
        errors = int(row.get("errors") or 0)
        stored = sum(int(row.get(name) or 0) for name in crawlhistory.STORED_COUNTERS)
        if row.get("spider") in ("reextract", "backfill") and reason == "finished" and pages == 0:
            return ExitCode.OK  # nothing to re-extract; no capture the archive lacks
        return crawlhistory.exit_code(reason, pages_fetched=pages, errors=errors, stored=stored)

    # -- progress ----------------------------------------------------------------------------

    def _tick(self, *, force: bool = False) -> None:
        now = time.monotonic()
        if force or now - self._last_tick >= 0.1:
            self._last_tick = now
            self.crawler.signals.send_catch_log(progress_changed, progress=self.progress)

    def item_scraped(self, item: Any, **_: Any) -> None:
        progress = self.progress
        if isinstance(item, PageItem):
            progress.pages += _answered(item)
            progress.article_pages += sum(
                1 for c in item.captures if c.status == 200 and is_article_url(c.url)
            )
            if isinstance(item.result, Article):
                progress.articles += 1
            elif isinstance(item.result, NotAnArticle):
                progress.not_articles += 1
            else:
                progress.errors += 1
                # As the store counts it (Store.store_item: the same fallback, never expected).
                key = item.error or "unknown"
                progress.errors_by_kind[key] = progress.errors_by_kind.get(key, 0) + 1
        self._tick()

    def item_dropped(self, item: Any = None, **_: Any) -> None:
        self.progress.dropped += 1
        if isinstance(item, PageItem):  # an invalid record: its captures are stored
            self.progress.pages += _answered(item)
        self._tick()

    def item_error(self, failure: Any, **_: Any) -> None:
        self.progress.item_errors += 1
        exc = getattr(failure, "value", None)
        if self.progress.fatal is None and isinstance(exc, BaseException) and storage_failure(exc):
            self._stop_unwritable(exc)
        self._tick()

    def _stop_unwritable(self, exc: BaseException) -> None:
        self.progress.fatal = f"{type(exc).__name__}: {exc}"
        self.progress.fatal_problem = storage_problem(exc)
        logger.error("the archive %s cannot be written (%s); stopping the crawl", self.db, exc)
        _close_spider(self.crawler, UNWRITABLE)


def _answered(item: PageItem) -> int:
    """The pages of ``item`` a server answered (as the store counts ``pages_fetched``)."""
    return sum(1 for c in item.captures if c.status)


def _close_spider(crawler: Crawler, reason: str) -> None:
    """Close the crawler's spider with ``reason``, from the next turn of the event loop, so
    that the signal handler calling it returns first."""
    from twisted.internet import reactor  # noqa: PLC0415 (the installed reactor, late)

    engine: Any = crawler.engine

    def close() -> Any:
        if getattr(engine, "spider", None) is None:
            return None
        return deferred_from_coro(engine.close_spider_async(reason=reason))

    def failed(failure: Any) -> None:
        logger.error("closing the spider failed: %s", failure.value)

    clock: Any = reactor
    clock.callLater(0, lambda: maybeDeferred(close).addErrback(failed))


def _run_facts(crawler: Crawler) -> tuple[str, list[str], dict[str, Any]]:
    """The spider name, channels and options a run row records."""
    spider = crawler.spider
    name = str(getattr(spider, "name", None) or "unknown")
    options = getattr(spider, "options", None)
    to_args = getattr(options, "to_args", None)
    args: dict[str, Any] = dict(to_args()) if callable(to_args) else {}
    db = getattr(spider, "db", None)  # the reextract spider
    if db and "db" not in args:
        args["db"] = str(db)
    channels = crawler.settings.getlist("NEWSARCHIVE_CHANNELS") or list(
        getattr(options, "channels", ()) or ()
    )
    return name, [str(c) for c in channels], args


class _StorageFailureFilter(logging.Filter):
    """One line, not a traceback per item, when the archive cannot be written."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and storage_failure(exc):
            record.msg = f"{record.getMessage()}: {exc}"
            record.args = None
            record.exc_info = None
        return True


class _GiveUpFilter(logging.Filter):
    """Scrapy's "Gave up retrying" after a download error (no response) is an INFO line: the
    spider's errback (``download failed …``) or the robots.txt middleware (``robots.txt of
    … unavailable``) says the same in its own warning, so an operator reads it once. A give-up
    after an HTTP status (a 503 to the end) keeps Scrapy's level."""

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        reason = args.get("reason") if isinstance(args, dict) else None
        if isinstance(reason, BaseException) and record.levelno > logging.INFO:
            record.levelno, record.levelname = logging.INFO, logging.getLevelName(logging.INFO)
        return True


_GIVE_UP_FILTER = _GiveUpFilter()
