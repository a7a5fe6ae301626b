"""The ``reextract`` spider: no downloads; stored captures through today's extractor and the
item pipelines (``newsarchive reextract``, or ``scrapy crawl reextract -a db=PATH``)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler

from newsarchive.crawling.reextract import DEFAULT_OUTCOMES, item_from_source
from newsarchive.store import Store


class ReextractSpider(Spider):
    name = "reextract"

    def __init__(self, *, db: str, outcomes: tuple[str, ...] = DEFAULT_OUTCOMES, **kwargs: Any):
        super().__init__(**kwargs)
        self.db = db
        self.outcomes = outcomes

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ReextractSpider:
        db = kwargs.pop("db", None)
        if db:
            crawler.settings.set("NEWSARCHIVE_DB", db, priority="spider")
        outcomes = kwargs.pop("outcomes", None)
        spider = cls(
            db=str(crawler.settings.get("NEWSARCHIVE_DB")),
            outcomes=tuple(str(outcomes).split(",")) if outcomes else DEFAULT_OUTCOMES,
            **kwargs,
        )
        spider._set_crawler(crawler)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        with Store(self.db) as store:
            for source in store.iter_reextract(self.outcomes):
                self.crawler.stats.inc_value("newsarchive/reextracted")
                yield item_from_source(source)
