"""Validate: a record without a headline, a body or a parseable date is not an article.

Such an item is dropped (:class:`~scrapy.exceptions.DropItem`) with its reason logged and counted
in the crawl stats as ``newsarchive/invalid/<reason>`` and in ``crawl_runs.invalid``; its
captures are still stored (``captures.outcome = 'invalid'``, ``outcome_detail = <reason>``) so
the page can be re-extracted later. Items that are not articles pass unchanged.

Reasons: ``no_headline``, ``no_body``, ``no_date`` (``published_at`` missing),
``bad_date`` (not ISO 8601 with a UTC offset), ``no_url``.
Setting: ``NEWSARCHIVE_VALIDATE`` (default on; off raises ``NotConfigured``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive.records import Article, PageItem
from pipelines import _archive
from pipelines.normalise import line

logger = logging.getLogger(__name__)


def invalid_reason(article: Article) -> str | None:
    """Why ``article`` cannot be archived as an article, or ``None`` when it can."""
    if not article.url.strip() or not article.canonical_url.strip():
        return "no_url"
    if not line(article.headline):
        return "no_headline"
    if not line(article.body_text):
        return "no_body"
    if not article.published_at:
        return "no_date"
    return None if _has_offset(article.published_at) else "bad_date"


def _has_offset(value: str) -> bool:
    try:
        return datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


class ValidatePipeline:
    """Drop records that are not archivable articles, keeping their captures."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.archive: _archive.Archive | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        if not crawler.settings.getbool("NEWSARCHIVE_VALIDATE", True):
            raise NotConfigured("NEWSARCHIVE_VALIDATE is off")
        return cls(crawler)

    def open_spider(self) -> None:
        if _archive.db_path(self.crawler) is not None:
            self.archive = _archive.acquire(self.crawler)

    def close_spider(self) -> None:
        if self.archive is not None:
            _archive.release(self.crawler)
            self.archive = None

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or not isinstance(item.result, Article):
            return item
        reason = invalid_reason(item.result)
        if reason is None:
            return item
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value(f"newsarchive/invalid/{reason}")
        if self.archive is not None:  # dropped only once its captures are committed
            await self.archive.put(item, invalid_reason=reason)
        logger.info("invalid article %s: %s (capture kept)", item.result.url, reason)
        raise DropItem(f"invalid article ({reason}): {item.result.url}")
