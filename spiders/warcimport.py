"""The ``import`` spider: no downloads; the pages of WARC/ARC files through the extractor and
the item pipelines (``newsarchive import FILE…``, or
``scrapy crawl import -a files=A.warc.gz:B.warc.gz``)."""

from __future__ import annotations

import asyncio
import functools
import os
import resource
import time
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newsarchive.store import Store, origins, queries
from newsarchive.webarchive import importing
from newsarchive.webarchive.warcfile import ERROR_KINDS

#: Items at most in the pipelines at once (the store writer takes them in groups of 100).
MAX_IN_FLIGHT = 300
#: Seconds an item waits in the store pipeline for others to share its commit.
STORE_LINGER = 0.25


def _peak_rss_kib() -> int:
    """This process's peak resident memory (KiB): Linux's ``VmHWM``, which starts again at
    ``exec`` (``ru_maxrss`` keeps the peak of the process that forked this one before its
    ``exec``: a benchmark's parent that built a big file would be counted)."""
    try:
        with Path("/proc/self/status").open(encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)


class WarcImportSpider(Spider):
    name = "import"
    # Pages come one at a time (one per event-loop turn): without a wait every item would be
    # a commit of its own. Items wait this long for others to share their commit.
    custom_settings: dict[str, Any] | None = {  # noqa: RUF012 (Scrapy reads it once per class)
        "NEWSARCHIVE_STORE_LINGER": STORE_LINGER
    }

    def __init__(self, *, files: str = "", channels: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.files = [Path(f) for f in files.split(os.pathsep) if f]
        self.channels = tuple(c for c in channels.split(",") if c)
        self.skipped: Counter[str] = Counter()
        self.records = 0
        # Items yielded whose pipelines have not finished: Scrapy takes items from start()
        # without waiting for them, so the spider waits on this to keep memory flat.
        self.in_flight = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> WarcImportSpider:
        spider = cls(*args, **kwargs)
        spider._set_crawler(crawler)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler.signals.connect(spider._item_done, signal=signal)
        return spider

    def _item_done(self, *args: Any, **kwargs: Any) -> None:
        self.in_flight -= 1

    async def start(self) -> AsyncIterator[Any]:
        started = time.monotonic()
        with importing.plan(self.files, channels=self.channels) as found:
            async for item in self._items(found, started):
                yield item

    async def _items(self, found: importing.ImportPlan, started: float) -> AsyncIterator[Any]:
        self.crawler.stats.set_value("newsarchive/import/scan_seconds", time.monotonic() - started)
        self.records = found.records
        self.skipped.update(found.skipped)
        stats = self.crawler.stats
        stats.set_value("newsarchive/import/records", found.records)
        stats.set_value("newsarchive/import/bytes", found.bytes)
        stats.set_value("newsarchive/import/pages", found.pages)
        with self._archive() as archived:
            async for item in self._limited(importing.items(found, self.skipped, archived)):
                yield item

    @contextmanager
    def _archive(self) -> Iterator[importing.Archived | None]:
        """Look-ups of the archive's payloads by digest (revisits whose original is not in
        the files), on a read-only connection; ``None`` when there is no archive yet."""
        db = self.crawler.settings.get("NEWSARCHIVE_DB")
        if not db or not Path(db).is_file():
            yield None
            return
        conn = queries.connect(db, readonly=True, current_schema=False)
        try:
            yield functools.partial(origins.payload_by_digest, conn)
        finally:
            conn.close()

    async def _limited(self, found: Iterator[Any]) -> AsyncIterator[Any]:
        stats = self.crawler.stats
        for item in found:
            stats.inc_value("newsarchive/import/items")
            while self.in_flight >= MAX_IN_FLIGHT:
                await asyncio.sleep(0.005)
            self.in_flight += 1
            yield item

    def closed(self, reason: str) -> None:
        stats = self.crawler.stats
        # peak memory while importing (before the job finishes the run row), for bench/
        stats.set_value("newsarchive/import/maxrss_kib", _peak_rss_kib())
        for kind, count in self.skipped.items():
            stats.set_value(f"newsarchive/import/skipped/{kind}", count)
        # Damaged records never become items: counted in the run (which the crawl-run
        # extension closes), so a run that met them is partial.
        errors = {k: v for k, v in self.skipped.items() if k in ERROR_KINDS}
        run_id = stats.get_value("newsarchive/run_id")
        db = self.crawler.settings.get("NEWSARCHIVE_DB")
        if errors and run_id is not None and db:
            with Store(str(db)) as store:
                store.add_run_errors(int(run_id), errors)
