"""Validate: a record without a headline, a body or a parseable date is not an article.

Runs after the normalise pipeline, on normalised records. Such an item gets its reason in
``PageItem.invalid`` and is counted in the crawl stats as ``newsarchive/invalid/<reason>``; the
store pipeline keeps its captures (``captures.outcome = 'invalid'``, ``outcome_detail =
<reason>``, counted in ``crawl_runs.invalid``) so the page can be re-extracted later, and then
drops it (:class:`~scrapy.exceptions.DropItem`). Without an archive (``NEWSARCHIVE_DB`` empty)
the item is dropped here. Items that are not articles pass unchanged.

Reasons: ``no_headline``, ``no_body``, ``no_date`` (``published_at`` missing),
``bad_date`` (not ISO 8601 with a UTC offset), ``no_url``.
Setting: ``NEWSARCHIVE_VALIDATE`` (default on; off raises ``NotConfigured``).
"""

from __future__ import annotations

import dataclasses
import logging
from datetime import datetime
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive.records import Article, PageItem
from pipelines.normalise import line

logger = logging.getLogger(__name__)


def invalid_reason(article: Article) -> str | None:
    """Why ``article`` cannot be archived as an article, or ``None`` when it can (a field counts
    as empty when its normalised form is, :func:`pipelines.normalise.line`)."""
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
    """Mark records that are not archivable articles, for the store to keep their captures."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.archive = bool(crawler.settings.get("NEWSARCHIVE_DB"))

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidatePipeline:
        if not crawler.settings.getbool("NEWSARCHIVE_VALIDATE", True):
            raise NotConfigured("NEWSARCHIVE_VALIDATE is off")
        return cls(crawler)

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if not isinstance(item, PageItem) or not isinstance(item.result, Article):
            return item
        reason = invalid_reason(item.result)
        if reason is None:
            return item
        if self.stats is not None:
            self.stats.inc_value(f"newsarchive/invalid/{reason}")
        if not self.archive:  # no store to keep the captures: drop it here
            logger.info("invalid article %s: %s", item.result.url, reason)
            raise DropItem(f"invalid article ({reason}): {item.result.url}")
        return dataclasses.replace(item, invalid=reason)
