"""Deduplicate: compute each article's dedup keys (pure), for the store to enforce.

The three layers (:mod:`newsarchive.dedup`) are decided against the archive inside the store's
transaction, where the state lives (indexes and the ``lsh_buckets`` table), so nothing here
grows with the archive. This stage computes the keys — the exact-content fingerprint, the
revision fingerprint and the MinHash signature — and hands the item on as a
:class:`KeyedItem`; the store pipeline unwraps it and returns the original
:class:`~newsarchive.records.PageItem`. Duplicates are never dropped: every copy's URL and
capture is recorded.

During a crawl with the store writer process (:func:`pipelines._archive.uses_writer_process`)
the keys are computed there instead, off the crawl process (they are pure CPU work): this
stage then only counts URL kinds and passes the item on, and the store stage counts
``too_short`` from the writer's answer.

Stats: ``newsarchive/dedup/url_kind/<kind>`` for the URL each article was fetched under
(``canonical``, ``alias``, ``big5``, ``mobile``, ``page``), ``newsarchive/dedup/too_short``
for bodies too short for near-copy detection.
Setting: ``NEWSARCHIVE_DEDUPE`` (default on; off leaves the keys to the store).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive import dedup
from newsarchive.records import Article, PageItem
from newsarchive.store import DedupKeys
from pipelines import _archive


@dataclass(frozen=True, kw_only=True, slots=True)
class KeyedItem:
    """A page item with its article's dedup keys (between the dedupe and store stages)."""

    item: PageItem
    keys: DedupKeys


class DedupePipeline:
    """Attach :class:`~newsarchive.store.DedupKeys` to article items."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.keys_elsewhere = _archive.uses_writer_process(crawler)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupePipeline:
        if not crawler.settings.getbool("NEWSARCHIVE_DEDUPE", True):
            raise NotConfigured("NEWSARCHIVE_DEDUPE is off")
        return cls(crawler)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, PageItem) or not isinstance(item.result, Article):
            return item
        article = item.result
        if self.stats is not None:
            kind = dedup.url_kind(article.url, article.canonical_url)
            self.stats.inc_value(f"newsarchive/dedup/url_kind/{kind}")
        if self.keys_elsewhere:
            return item
        keys = DedupKeys.of(article)
        if self.stats is not None and keys.signature is None:
            self.stats.inc_value("newsarchive/dedup/too_short")
        return KeyedItem(item=item, keys=keys)
