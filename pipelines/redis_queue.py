"""Crawler side of distributed crawling: push each page item to the Redis item queue.

In Redis mode (``newsarchive crawl … --redis URL``) this is the crawler's only item pipeline:
records and captures go, as one JSON document each (:mod:`newsarchive.distributed.codec`), to
the list ``<prefix>:items``, and the single writer (``newsarchive ingest``) stores them. The
crawler never opens the SQLite archive.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import redis
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive.distributed import DEFAULT_PREFIX, QueueKeys
from newsarchive.distributed.codec import encode_item
from newsarchive.records import PageItem

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class RedisQueuePipeline:
    """Push :class:`~newsarchive.records.PageItem` s to ``<prefix>:items`` (LPUSH).

    Settings: ``NEWSARCHIVE_REDIS_URL`` (required, else the pipeline is off) and
    ``NEWSARCHIVE_REDIS_PREFIX`` (default ``newsarchive``).
    """

    def __init__(self, url: str, prefix: str, stats: Any = None) -> None:
        self.url = url
        self.keys = QueueKeys.for_prefix(prefix)
        self.stats = stats
        self.server: redis.Redis | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedisQueuePipeline:
        url = crawler.settings.get("NEWSARCHIVE_REDIS_URL")
        if not url:
            raise NotConfigured("no NEWSARCHIVE_REDIS_URL")
        prefix = crawler.settings.get("NEWSARCHIVE_REDIS_PREFIX", DEFAULT_PREFIX)
        return cls(url, prefix, crawler.stats)

    def open_spider(self) -> None:
        self.server = redis.Redis.from_url(self.url)
        self.server.ping()
        logger.info("pushing items to %s on %s", self.keys.items, self.url)

    def close_spider(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem):
            raise DropItem(f"not a PageItem: {type(item).__name__}")
        if self.server is None:
            raise RuntimeError("RedisQueuePipeline used before open_spider")
        payload = encode_item(item)
        self.server.lpush(self.keys.items, payload)
        if self.stats is not None:
            self.stats.inc_value("newsarchive/redis/items_pushed")
            self.stats.inc_value("newsarchive/redis/bytes_pushed", len(payload))
        return item
