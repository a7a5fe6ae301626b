"""Run a crawl in this process: build the Scrapy settings, start a ``CrawlerProcess``, report.

``newsarchive crawl`` and ``newsarchive demo`` call :func:`run_crawl`; ``scrapy crawl channel``
reaches the same spider, settings and pipelines through Scrapy's own command. A Twisted
reactor cannot be restarted, so one process runs one crawl (tests and benchmarks start a
subprocess per crawl).
"""

from __future__ import annotations

import errno
import logging
import sqlite3
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings
from scrapy.utils.defer import deferred_from_coro

from newsarchive.crawling.options import CrawlOptions
from newsarchive.records import Article, NotAnArticle, PageItem
from newsarchive.store.process import WriterDied
from newsarchive.urls import is_article_url

logger = logging.getLogger(__name__)

SETTINGS_MODULE = "newsarchive.settings"


@dataclass(kw_only=True, slots=True)
class Progress:
    """Live counters of a running crawl (what the demo's progress display shows)."""

    pages: int = 0
    """Responses received (robots.txt included)."""
    articles: int = 0
    """Items holding an article that went through the pipelines."""
    not_articles: int = 0
    """Items for list pages, datasources and other non-article pages."""
    errors: int = 0
    """Items for HTTP errors, withdrawn articles and failed downloads."""
    dropped: int = 0
    """Items a pipeline dropped (invalid records)."""
    article_pages: int = 0
    """Pages fetched with status 200 from article URLs (by URL, extracted or not)."""
    item_errors: int = 0
    """Items a pipeline failed on with an exception (a bug, or an archive that cannot be
    written)."""
    fatal: str | None = None
    """Why the crawl was stopped early: the archive could not be written (disk full,
    read-only). Storing anything more would only fail the same way."""
    started: float = field(default_factory=time.monotonic)
    finished: bool = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started


@dataclass(frozen=True, kw_only=True, slots=True)
class CrawlResult:
    """What a finished crawl reports (the archive holds the rest, in ``crawl_runs``)."""

    finish_reason: str
    """Scrapy's reason: ``finished``, ``shutdown`` (interrupted), ``closespider_…``."""
    stats: dict[str, Any]
    """Scrapy's stats (``newsarchive/errors/<kind>`` counts the spider's error kinds)."""
    progress: Progress
    seconds: float

    @property
    def errors_by_kind(self) -> dict[str, int]:
        prefix = "newsarchive/errors/"
        return {k[len(prefix) :]: int(v) for k, v in self.stats.items() if k.startswith(prefix)}


def build_settings(overrides: Mapping[str, Any] | None = None) -> Settings:
    """The project settings (:mod:`newsarchive.settings`) plus ``overrides`` (``cmdline``
    priority, the same as ``scrapy crawl -s NAME=VALUE``)."""
    settings = Settings()
    settings.setmodule(SETTINGS_MODULE, priority="project")
    if overrides:
        settings.setdict(dict(overrides), priority="cmdline")
    return settings


def run_crawl(
    options: CrawlOptions,
    *,
    settings: Mapping[str, Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> CrawlResult:
    """Crawl with ``options`` and block until the crawl ends.

    ``settings`` are Scrapy setting overrides (e.g. ``{"ITEM_PIPELINES": {}}``);
    ``on_progress`` is called from the crawl's thread with the live counters, at most ten times
    a second and once more at the end.
    """
    return run_spider("channel", options.to_args(), settings=settings, on_progress=on_progress)


def run_spider(
    spider: str,
    args: Mapping[str, str],
    *,
    settings: Mapping[str, Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
) -> CrawlResult:
    """Run the project spider named ``spider`` with spider arguments ``args`` (as
    ``scrapy crawl SPIDER -a name=value`` would) and block until it ends."""
    overrides = {"LOG_INSTALL_ROOT_HANDLER": False, **(settings or {})}
    process = CrawlerProcess(build_settings(overrides))
    # Scrapy's logging setup lowers the "scrapy" logger to DEBUG; the caller's root logger
    # level (the CLI's -q/-v) decides what is shown.
    logging.getLogger("scrapy").setLevel(logging.getLogger().getEffectiveLevel())
    crawler = process.create_crawler(spider)
    progress = Progress()
    receivers = _watch(crawler, progress, on_progress)
    quiet = _StorageFailureFilter()
    scraper_log = logging.getLogger("scrapy.core.scraper")
    scraper_log.addFilter(quiet)
    started = time.monotonic()
    try:
        process.crawl(crawler, **dict(args))
        process.start()
    finally:
        scraper_log.removeFilter(quiet)
    del receivers
    stats: dict[str, Any] = dict(crawler.stats.get_stats()) if crawler.stats else {}
    progress.finished = True
    if on_progress is not None:
        on_progress(progress)
    reason = str(stats.get("finish_reason", "unknown"))
    return CrawlResult(
        finish_reason=reason,
        stats=stats,
        progress=progress,
        seconds=time.monotonic() - started,
    )


def _watch(
    crawler: Crawler, progress: Progress, on_progress: Callable[[Progress], None] | None
) -> tuple[Callable[..., None], ...]:
    """Connect counters to the crawler's signals; returns the receivers, which the caller
    keeps alive for the crawl (Scrapy holds only weak references to them)."""
    last = [0.0]

    def tick() -> None:
        now = time.monotonic()
        if on_progress is not None and now - last[0] >= 0.1:
            last[0] = now
            on_progress(progress)

    def response_received(**_: Any) -> None:
        progress.pages += 1
        tick()

    def item_scraped(item: Any, **_: Any) -> None:
        if isinstance(item, PageItem):
            progress.article_pages += sum(
                1 for c in item.captures if c.status == 200 and is_article_url(c.url)
            )
            if isinstance(item.result, Article):
                progress.articles += 1
            elif isinstance(item.result, NotAnArticle):
                progress.not_articles += 1
            else:
                progress.errors += 1
        tick()

    def item_dropped(**_: Any) -> None:
        progress.dropped += 1
        tick()

    def item_error(failure: Any, **_: Any) -> None:
        progress.item_errors += 1
        exc = getattr(failure, "value", None)
        if progress.fatal is None and isinstance(exc, BaseException) and storage_failure(exc):
            progress.fatal = f"{type(exc).__name__}: {exc}"
            logger.error("the archive cannot be written (%s); stopping the crawl", exc)
            deferred_from_coro(crawler.engine.close_spider_async(reason=UNWRITABLE))
        tick()

    crawler.signals.connect(response_received, signal=signals.response_received)
    crawler.signals.connect(item_scraped, signal=signals.item_scraped)
    crawler.signals.connect(item_dropped, signal=signals.item_dropped)
    crawler.signals.connect(item_error, signal=signals.item_error)
    return (response_received, item_scraped, item_dropped, item_error)


#: The finish reason of a crawl stopped because the archive cannot be written.
UNWRITABLE = "archive_unwritable"
_STORAGE_ERRNOS = frozenset({errno.ENOSPC, errno.EROFS, errno.EACCES, errno.EDQUOT, errno.EIO})


def storage_failure(exc: BaseException) -> bool:
    """Whether ``exc`` means the archive cannot be written at all (disk full, read-only file or
    folder, I/O error, the store writer process gone), as opposed to a problem with one
    item."""
    if isinstance(exc, WriterDied):
        return True
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.IntegrityError):
        text = str(exc).lower()
        return any(
            word in text
            for word in ("disk", "full", "readonly", "read-only", "unable to open", "i/o")
        )
    return isinstance(exc, OSError) and exc.errno in _STORAGE_ERRNOS


class _StorageFailureFilter(logging.Filter):
    """One line, not a traceback per item, when the archive cannot be written."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None and storage_failure(exc):
            record.msg = f"{record.getMessage()}: {exc}"
            record.args = None
            record.exc_info = None
        return True
