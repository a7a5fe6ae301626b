"""Run a crawl in this process: build the Scrapy settings, start a ``CrawlerProcess``, report.

``newsarchive crawl`` and ``newsarchive demo`` call :func:`run_crawl`; ``scrapy crawl channel``
reaches the same spider, settings, pipelines and extensions through Scrapy's own command (the
run row, progress and stop-on-unwritable are :mod:`newsarchive.crawling.crawlrun`'s, in
``EXTENSIONS``). A Twisted reactor cannot be restarted, so one process runs one crawl, or one
sequence of crawls (:func:`run_spiders`, the demo's two visits); tests and benchmarks start a
subprocess per crawl.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from scrapy.crawler import Crawler, CrawlerProcess
from scrapy.settings import Settings, default_settings

from newsarchive.crawling.crawlrun import (
    UNWRITABLE,
    CrawlRunExtension,
    Progress,
    progress_changed,
    storage_failure,
)
from newsarchive.crawling.options import CrawlOptions

logger = logging.getLogger(__name__)

SETTINGS_MODULE = "newsarchive.settings"

__all__ = [
    "UNWRITABLE",
    "CrawlResult",
    "Progress",
    "SpiderRun",
    "build_settings",
    "run_crawl",
    "run_spider",
    "run_spiders",
    "storage_failure",
]


@dataclass(frozen=True, kw_only=True, slots=True)
class CrawlResult:
    """What a finished crawl reports (the archive holds the rest, in ``crawl_runs``)."""

    finish_reason: str
    """Scrapy's reason: ``finished``, ``shutdown`` (interrupted), ``closespider_…``,
    ``archive_unwritable``."""
    stats: dict[str, Any]
    """Scrapy's stats (``newsarchive/errors/<kind>`` counts the spider's error kinds,
    ``newsarchive/run_id`` is the ``crawl_runs`` row)."""
    progress: Progress
    seconds: float
    exit_status: str | None = None
    """The ``crawl_runs.exit_status`` the run was closed with (``None`` without an archive)."""

    @property
    def run_id(self) -> int | None:
        value = self.stats.get("newsarchive/run_id")
        return int(value) if value else None

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
    return run_spiders([SpiderRun(spider, args)], settings=settings, on_progress=on_progress)[0]


#: The project's spiders whose module is not named after them (``spiders/<name>.py``).
SPIDER_MODULE_NAMES = {"import": "spiders.warcimport"}


def spider_module(spider: str) -> str:
    """The module of the project spider named ``spider``."""
    return SPIDER_MODULE_NAMES.get(spider, f"spiders.{spider}")


@dataclass(frozen=True, slots=True)
class SpiderRun:
    """One crawl of :func:`run_spiders`: a spider, its arguments, and setting overrides of its
    own on top of the shared ones."""

    spider: str
    args: Mapping[str, str]
    settings: Mapping[str, Any] = field(default_factory=dict)


def _crawler_process(settings: Settings) -> CrawlerProcess:
    """A ``CrawlerProcess`` that installs no logging handler of its own (the CLI's handlers
    decide what is shown): Scrapy 2.19 reads ``LOG_INSTALL_ROOT_HANDLER`` (and deprecates the
    argument), Scrapy 2.18, the lower bound, only the ``install_root_handler`` argument."""
    if hasattr(default_settings, "LOG_INSTALL_ROOT_HANDLER"):
        return CrawlerProcess(settings)
    return CrawlerProcess(settings, install_root_handler=False)


def run_spiders(
    runs: Sequence[SpiderRun],
    *,
    settings: Mapping[str, Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    go_on: Callable[[CrawlResult], bool] = lambda result: True,
) -> list[CrawlResult]:
    """Run ``runs`` one after the other in this process's one reactor (Scrapy's "running
    spiders sequentially"), blocking until the last ends; a run starts only if ``go_on`` says
    so of the result of the one before. Returns the results of the runs that ran."""
    overrides = {
        "LOG_INSTALL_ROOT_HANDLER": False,
        # Scrapy imports every module of SPIDER_MODULES to find a spider by name: only the
        # ones these runs use (a channel crawl need not load redis and warcio: start-up).
        "SPIDER_MODULES": sorted({spider_module(run.spider) for run in runs}),
        **(settings or {}),
    }
    process = _crawler_process(build_settings(overrides))
    # Scrapy's logging setup lowers the "scrapy" logger to DEBUG; the caller's root logger
    # level (the CLI's -q/-v) decides what is shown.
    logging.getLogger("scrapy").setLevel(logging.getLogger().getEffectiveLevel())
    results: list[CrawlResult] = []
    waiting = list(runs)

    def start_next() -> None:
        run = waiting.pop(0)
        crawler = process.create_crawler(run.spider)
        crawler.settings.setdict(dict(run.settings), priority="cmdline")
        last = Progress()

        def changed(progress: Progress, **_: Any) -> None:
            nonlocal last
            last = progress
            if on_progress is not None:
                on_progress(progress)

        crawler.signals.connect(changed, signal=progress_changed, weak=False)
        started = time.monotonic()

        def ended(outcome: object) -> object:
            results.append(_result(crawler, last, time.monotonic() - started))
            # Started before this crawl's deferred is done, so the process's join() waits
            # for the next crawl too.
            if waiting and go_on(results[-1]):
                start_next()
            return outcome  # a failure stays Scrapy's to report

        process.crawl(crawler, **dict(run.args)).addBoth(ended)

    if waiting:
        start_next()
        process.start()
    return results


def _result(crawler: Crawler, last: Progress, seconds: float) -> CrawlResult:
    stats: dict[str, Any] = dict(crawler.stats.get_stats()) if crawler.stats else {}
    try:
        run = crawler.get_extension(CrawlRunExtension)
    except RuntimeError:  # the crawl failed before Scrapy built the extensions
        run = None
    return CrawlResult(
        finish_reason=str(stats.get("finish_reason", "unknown")),
        stats=stats,
        progress=run.progress if run is not None else last,
        seconds=seconds,
        exit_status=run.exit_status if run is not None else None,
    )
