"""The crawl frontier in a crawl: record what each page discovered, take up what earlier runs
left, and say whether a run left work undone.

This is the one resume mechanism. The archive's ``frontier`` table
(:mod:`newsarchive.store.frontier`) holds every list page and article URL a crawl requested
and what became of it, written in the same transaction as the page item that discovered or
settled it. So whatever stops a run (SIGTERM, SIGKILL, power loss, a full disk, a crash, a
dead server), the next run finds exactly the URLs that were requested and not stored, and
the ones whose retry is due, and requests them before anything else.

:class:`FrontierMiddleware` is a Scrapy spider middleware, placed after the incremental
filter (:mod:`newsarchive.crawling.incremental`) so that it sees only the requests that are made:

* **discovery.** It holds a response's items until the response's output ends, then hands
  the links requested from that page to its :class:`~newsarchive.records.PageItem`
  (``discovered``): the store records them pending in the item's transaction. A response
  that yields requests but no page item (page 1 of a multi-page article, whose item comes
  with its last page) yields a :class:`~newsarchive.records.FrontierNote` for them.
  Continuation requests of a multi-page article (with callback arguments) are not recorded:
  the article's first page stands for them.
* **taking up.** Before the spider's start requests it yields a request for every URL of
  the crawl's channels the frontier has pending or due for a retry
  (:func:`newsarchive.store.frontier.due`), through the spider's
  ``taken_up(url)`` (its request rules, budget and scope), marked ``meta["na_frontier"]``:
  the incremental middleware never stops paginating below such a list page, and treats
  articles open in the frontier as new. A big5 copy whose original is open too is left to
  be found on the original's page (:func:`take_up_order`).

The run's exit status (:mod:`newsarchive.crawling.crawlrun`) is ``partial`` whenever the
frontier still has pending or retryable URLs of the run's channels when it closes.
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsarchive import urls
from newsarchive.records import FrontierNote, PageItem
from newsarchive.store import frontier, queries

logger = logging.getLogger(__name__)

#: ``Request.meta`` mark of a request for a URL the frontier held open.
TAKEN_UP = "na_frontier"


def take_up_order(due: Iterable[str]) -> list[str]:
    """The URLs a run takes up at its start, in order: ``due`` less the big5 copies whose
    original is due too.

    The first copy of an article stored is its text (a big5 copy that folds to the same text
    does not revise it), and an uninterrupted crawl stores the original first: it finds the
    big5 copy only on the original's page. Sent together at the start, the copy could arrive
    first; left out, it is found again on the original's page, as in the uninterrupted crawl
    (it stays pending in the frontier until then).
    """
    todo = set(due)
    originals = {urls.canonical_url(u) for u in todo if not urls.parse(u).big5}
    return sorted(
        u for u in todo if not (urls.parse(u).big5 and urls.canonical_url(u) in originals)
    )


def open_urls(db: Path) -> frozenset[str]:
    """The URLs of the crawl still going on: every URL the archive's frontier holds pending
    or to retry, and every URL settled by a run that did not get to its end (killed,
    interrupted, failed) since the last run that did (``ok`` or ``partial``): the articles of
    an unfinished crawl have their other URLs fetched as the uninterrupted crawl would have.
    Empty when there is no archive or no frontier yet."""
    try:
        conn = queries.connect(db, readonly=True, current_schema=False)
    except queries.ArchiveError:
        return frozenset()
    try:
        rows = conn.execute(
            """SELECT url FROM frontier
               WHERE state IN ('pending', 'retry')
                  OR last_run_id > (SELECT coalesce(max(id), 0) FROM crawl_runs
                                    WHERE exit_status IN ('ok', 'partial'))"""
        ).fetchall()
    except sqlite3.OperationalError:  # an archive from before the frontier
        return frozenset()
    finally:
        conn.close()
    return frozenset(str(r[0]) for r in rows)


def due_urls(db: Path, channels: Sequence[str]) -> list[str]:
    """The URLs of ``channels`` a run takes up first (:func:`newsarchive.store.frontier.due`)."""
    try:
        conn = queries.connect(db, readonly=True, current_schema=False)
    except queries.ArchiveError:
        return []
    try:
        return [d.url for d in frontier.due(conn, channels)]
    except sqlite3.OperationalError:  # an archive from before the frontier
        return []
    finally:
        conn.close()


def is_continuation(request: Request) -> bool:
    """A request that continues a page the frontier already stands for: the later pages of
    a multi-page article being joined (they carry the article in their callback arguments)."""
    return bool(request.cb_kwargs)


class FrontierMiddleware:
    """Spider middleware: record discoveries with their page's item; take up open URLs first."""

    def __init__(self, crawler: Crawler, db: Path) -> None:
        self.crawler = crawler
        self.db = db
        self.stats: StatsCollector | None = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FrontierMiddleware:
        db = crawler.settings.get("NEWSARCHIVE_DB")
        if not db:
            raise NotConfigured  # no archive, no frontier (a bare spider in a test)
        return cls(crawler, Path(db))

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"frontier/{key}", n)

    # -- taking up ---------------------------------------------------------------------------

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The URLs earlier runs left open, then the spider's start requests."""
        spider = self.crawler.spider
        take_up = getattr(spider, "taken_up", None)
        channels = list(getattr(getattr(spider, "options", None), "channels", ()) or ())
        if take_up is not None and channels:
            todo = take_up_order(due_urls(self.db, channels))
            if todo:
                logger.info("taking up %d URLs earlier runs left pending or to retry", len(todo))
            for url in todo:
                request = take_up(url)
                if request is not None:
                    request.meta[TAKEN_UP] = True
                    self._inc("taken_up")
                    yield request
        async for request in start:
            yield request

    # -- discovery ---------------------------------------------------------------------------

    def _split(self, obj: Any, found: list[str], items: list[Any]) -> bool:
        """Whether ``obj`` goes on now; requests are noted in ``found``, page items held in
        ``items``."""
        if isinstance(obj, Request):
            if not is_continuation(obj):
                found.append(obj.url)
            return True
        if isinstance(obj, PageItem):
            items.append(obj)
            return False
        return True

    def _release(self, found: list[str], items: list[Any]) -> Iterator[Any]:
        """The held items, the first carrying ``found``; a note when there is no item."""
        if found:
            self._inc("discovered", len(found))
        if items:
            first = items[0]
            yield dataclasses.replace(first, discovered=(*first.discovered, *found))
            yield from items[1:]
        elif found:
            yield FrontierNote(discovered=tuple(found))

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        found: list[str] = []
        items: list[Any] = []
        for obj in result:
            if self._split(obj, found, items):
                yield obj
        yield from self._release(found, items)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        found: list[str] = []
        items: list[Any] = []
        async for obj in result:
            if self._split(obj, found, items):
                yield obj
        for obj in self._release(found, items):
            yield obj
