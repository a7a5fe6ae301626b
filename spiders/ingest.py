"""The ``ingest`` spider: no downloads; the fleet's queued pages through the item pipelines.

``newsarchive ingest`` runs it (:func:`newsarchive.distributed.writer.ingest`). Its ``start()``
takes a batch of queued items off the Redis item queue (parked in the processing list, see
:class:`newsarchive.distributed.writer.ReliableQueue`), yields them to Scrapy, which runs each
through whatever ``ITEM_PIPELINES`` the settings name, and acknowledges the batch once Scrapy
has reported every item of it (``item_scraped``, ``item_dropped`` or ``item_error``). An item a
pipeline fails on is moved to the dead-letter list.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import redis
from scrapy import Spider, signals
from scrapy.crawler import Crawler

from newsarchive.distributed import DEFAULT_PREFIX, QueueKeys
from newsarchive.distributed.archived import add_archived, article_urls
from newsarchive.distributed.codec import BadQueueItem, decode_item, item_url
from newsarchive.distributed.writer import ReliableQueue
from newsarchive.records import PageItem

logger = logging.getLogger(__name__)

#: Seconds between two looks at an empty queue.
POLL = 0.1


def item_key(item: Any) -> tuple[str, str]:
    """What identifies a queued item through the pipelines (its first capture's URL and
    fetch time; pipelines may replace the item object, not these)."""
    if isinstance(item, PageItem) and item.captures:
        return item.captures[0].url, item.captures[0].fetched_at
    return item_url(item) if isinstance(item, PageItem) else repr(item), ""


class IngestSpider(Spider):
    name = "ingest"
    custom_settings = {"ROBOTSTXT_OBEY": False}  # noqa: RUF012 (Scrapy's own attribute)

    def __init__(
        self,
        *,
        redis_url: str = "",
        prefix: str = DEFAULT_PREFIX,
        batch: int = 100,
        idle_timeout: float | None = None,
        stop: threading.Event | None = None,
        keep_alive: Callable[[], bool] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        if not redis_url:
            raise ValueError("the ingest spider needs redis_url")
        self.redis_url = redis_url
        self.prefix = prefix
        self.keys = QueueKeys.for_prefix(prefix)
        self.batch = int(batch)
        self.idle_timeout = None if idle_timeout is None else float(idle_timeout)
        self.stop = stop or threading.Event()
        self.keep_alive = keep_alive
        """Called often; ``False`` means this writer lost its lock and must stop."""
        self.lost_lock = False
        self._unreported = 0
        self._batch: dict[tuple[str, str], bytes] = {}
        self._queue: ReliableQueue | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> IngestSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider._reported, signal=signals.item_scraped)
        crawler.signals.connect(spider._dropped, signal=signals.item_dropped)
        crawler.signals.connect(spider._failed, signal=signals.item_error)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        server = redis.Redis.from_url(self.redis_url)
        self._queue = queue = ReliableQueue(server, self.keys)
        stats = self.crawler.stats
        assert stats is not None
        recovered = queue.pending()
        stats.set_value("newsarchive/ingest/recovered", recovered)
        if recovered:
            logger.warning(
                "%d items left in %s by an interrupted writer; storing them again (idempotent)",
                recovered,
                self.keys.processing,
            )
        idle_since = time.monotonic()
        try:
            while not self._stopping():
                payloads = queue.take(self.batch)
                if not payloads:
                    if (
                        self.idle_timeout is not None
                        and time.monotonic() - idle_since >= self.idle_timeout
                    ):
                        break
                    await asyncio.sleep(POLL)
                    continue
                for payload in payloads:
                    stats.inc_value("newsarchive/ingest/items")
                    try:
                        item = decode_item(payload)
                    except BadQueueItem as exc:
                        logger.error("unreadable queue item moved to the dead list: %s", exc)
                        queue.bury(payload)
                        stats.inc_value("newsarchive/ingest/dead")
                        continue
                    self._batch[item_key(item)] = payload
                    self._unreported += 1
                    yield item
                while self._unreported and not self.lost_lock:
                    await asyncio.sleep(0.005)
                    self._stopping()  # keeps the lock alive while the pipelines work
                if self.lost_lock:
                    break  # another writer may own the processing list now: do not touch it
                queue.ack()
                self._batch.clear()
                stats.inc_value("newsarchive/ingest/batches")
                idle_since = time.monotonic()
        finally:
            server.close()

    def _stopping(self) -> bool:
        if self.keep_alive is not None and not self.keep_alive():
            self.lost_lock = True
        return self.stop.is_set() or self.lost_lock

    def _reported(self, item: Any, **_: Any) -> None:
        self._unreported -= 1
        if self._queue is not None and isinstance(item, PageItem):
            # stored: members starting now skip it (the same rules as a single crawl)
            add_archived(self._queue.server, article_urls(item), self.prefix)

    def _dropped(self, item: Any, exception: BaseException, **_: Any) -> None:
        self._unreported -= 1
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsarchive/ingest/dropped")
        logger.debug("dropped %s: %s", item_url(item), exception)

    def _failed(self, item: Any, failure: Any, **_: Any) -> None:
        self._unreported -= 1
        payload = self._batch.pop(item_key(item), None)
        assert self.crawler.stats is not None
        self.crawler.stats.inc_value("newsarchive/ingest/dead")
        logger.error("storing %s failed; item moved to the dead list", item_url(item))
        if payload is not None and self._queue is not None:
            self._queue.bury(payload)
