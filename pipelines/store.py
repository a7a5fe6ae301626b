"""Store: write every page item to the SQLite archive, each item all or nothing.

During a crawl the item goes to the store writer process (see :mod:`pipelines._archive`),
which computes its dedup keys, stores it in a group commit and acknowledges it; this stage
completes the item only then, so whatever hangs on ``item_scraped`` (the resume journal, the
progress counters) sees committed items only. Without the writer process (``newsarchive
ingest``) the item is stored here, in one transaction.

Articles go through :meth:`newsarchive.store.Store.store_item` (dedup, revisions, takedown
bookkeeping); non-articles and failed fetches keep their captures; a 404/410 or a redirect to a
home page for a known article URL becomes a ``taken_down`` event. Returns the original
:class:`~newsarchive.records.PageItem`.

Stats: ``newsarchive/articles/<outcome>`` (``new``, ``updated``, ``unchanged``, ``duplicate``,
``near_duplicate``), ``newsarchive/captures/<outcome>`` (captures of items with that outcome:
``article``, ``not_article``, ``error``), ``newsarchive/takedowns``,
``newsarchive/restored``.
Settings: ``NEWSARCHIVE_DB`` (required; empty raises ``NotConfigured``), ``NEWSARCHIVE_RUN_ID``
(see :mod:`pipelines._archive`).
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.records import PageItem
from pipelines import _archive
from pipelines.dedupe import KeyedItem

logger = logging.getLogger(__name__)


class StorePipeline:
    """Store each item in the archive named by ``NEWSARCHIVE_DB``."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.archive: _archive.Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        if _archive.db_path(crawler) is None:
            raise NotConfigured("NEWSARCHIVE_DB is not set")
        return cls(crawler)

    def open_spider(self) -> None:
        self.archive = _archive.acquire(self.crawler)

    def close_spider(self) -> None:
        if self.archive is not None:
            _archive.release(self.crawler)
            self.archive = None

    async def process_item(self, item: Any) -> Any:
        keys = None
        if isinstance(item, KeyedItem):
            item, keys = item.item, item.keys
        if not isinstance(item, PageItem):
            return item
        if self.archive is None:
            raise RuntimeError("StorePipeline.process_item before open_spider")
        ack = await self.archive.put(item, keys=keys)
        result = ack.result
        if self.stats is not None:
            if ack.too_short:  # keys computed by the writer process (see pipelines.dedupe)
                self.stats.inc_value("newsarchive/dedup/too_short")
            self.stats.inc_value(
                f"newsarchive/captures/{result.capture_outcome}", len(result.capture_ids)
            )
            if result.article is not None:
                self.stats.inc_value(f"newsarchive/articles/{result.article.outcome}")
                if result.article.restored:
                    self.stats.inc_value("newsarchive/restored")
            if result.event_id is not None:
                self.stats.inc_value("newsarchive/takedowns")
        if result.article is not None:
            logger.debug(
                "%s: %s (article %d)",
                item.captures[0].url if item.captures else "?",
                result.article.outcome,
                result.article.article_id,
            )
        return item
