"""Store: write every page item to the SQLite archive, in group commits, each item all or nothing.

The pipeline owns the archive from ``open_spider`` to ``close_spider``: it takes the archive's
writer lock (:mod:`newsarchive.lock`) unless a ``newsarchive`` command of this process holds it
already (``scrapy crawl``, Scrapyd), opens the :class:`~newsarchive.store.Store`, and gives both
back when the spider closes. A crawl that cannot get the lock fails with
:class:`~newsarchive.lock.ArchiveLocked` before writing anything.

Each article's dedup keys (:class:`~newsarchive.store.DedupKeys`: the exact-content and
revision fingerprints, the MinHash signature) are computed here and decided against the
archive inside the store's transaction (:mod:`newsarchive.dedup`). Duplicates are never
dropped: every copy's URL and capture is recorded.

Group commits: items that arrive together (one turn of the event loop, at most
``NEWSARCHIVE_STORE_GROUP``) are stored in one transaction (:meth:`Store.group
<newsarchive.store.Store.group>`, each item a savepoint in it) and each item completes only
after that commit, so whatever hangs on ``item_scraped`` (the progress
counters) sees committed items only. An item that fails on its own (a bug) is rolled back alone
and fails alone; a commit that fails, or a write after which SQLite dropped the whole
transaction (disk full, read-only file, I/O error), fails every item of the group with that
error. Without a running asyncio loop each item is its own transaction.

A :class:`~newsarchive.records.FrontierNote` (links found by a response without a page item,
a request robots.txt forbade) is written to the crawl frontier in the same group commits.
Articles go through :meth:`newsarchive.store.Store.store_item` (dedup, revisions, takedown
bookkeeping); non-articles and failed fetches keep their captures; a 404/410 or a redirect to a
home page for a known article URL becomes a ``taken_down`` event. An item the validate pipeline
marked invalid (``PageItem.invalid``) keeps its captures (outcome ``invalid``) and is then
dropped (:class:`~scrapy.exceptions.DropItem`). Counts go to the crawl's ``crawl_runs`` row
(:mod:`newsarchive.crawling.crawlrun`) in the item's transaction.

Stats: ``newsarchive/articles/<outcome>`` (``new``, ``updated``, ``unchanged``, ``duplicate``,
``near_duplicate``), ``newsarchive/captures/<outcome>`` (captures of items with that outcome:
``article``, ``not_article``, ``error``, ``invalid``), ``newsarchive/takedowns``,
``newsarchive/restored``, ``newsarchive/dedup/url_kind/<kind>`` (the URL each article was
fetched under: ``canonical``, ``alias``, ``big5``, ``mobile``, ``page``),
``newsarchive/dedup/too_short`` (bodies too short for near-copy detection),
``newsarchive/store/groups`` (commits).
Settings: ``NEWSARCHIVE_DB`` (required; empty raises ``NotConfigured``), ``NEWSARCHIVE_FTS_BATCH``
(full-text index every that many new/changed articles, default 500; see
:mod:`newsarchive.store.fts`), ``NEWSARCHIVE_LOCK_WAIT`` (seconds to wait for another run's
writer lock, default 0), ``NEWSARCHIVE_STORE_GROUP`` (items per commit at most, default 100),
``NEWSARCHIVE_STORE_LINGER`` (seconds a group waits for more items before it is committed,
default 0: the items of one turn of the event loop; ``newsarchive import``, whose pages come
one at a time, sets it so that a commit takes many).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured

from newsarchive import dedup, lock
from newsarchive.crawling.crawlrun import CrawlRunExtension
from newsarchive.records import Article, FrontierNote, PageItem
from newsarchive.store import DedupKeys, ItemResult, Store

logger = logging.getLogger(__name__)


class StorePipeline:
    """Store each item in the archive named by ``NEWSARCHIVE_DB``."""

    def __init__(self, crawler: Crawler, path: str) -> None:
        settings = crawler.settings
        self.crawler = crawler
        self.stats = crawler.stats
        self.path = path
        self.fts_batch = settings.getint("NEWSARCHIVE_FTS_BATCH", 500)
        self.lock_wait = settings.getfloat("NEWSARCHIVE_LOCK_WAIT", 0.0)
        self.group_items = max(1, settings.getint("NEWSARCHIVE_STORE_GROUP", 100))
        self.linger = max(0.0, settings.getfloat("NEWSARCHIVE_STORE_LINGER", 0.0))
        self.store: Store | None = None
        self.run: CrawlRunExtension | None = None
        self._give_back_lock: Callable[[], None] | None = None
        self._waiting: list[
            tuple[PageItem | FrontierNote, DedupKeys | None, asyncio.Future[ItemResult | None]]
        ] = []
        self._commit_scheduled = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StorePipeline:
        path = crawler.settings.get("NEWSARCHIVE_DB")
        if not path:
            raise NotConfigured("NEWSARCHIVE_DB is not set")
        return cls(crawler, str(path))

    # -- open, close -------------------------------------------------------------------------

    def open_spider(self, spider: Any = None) -> None:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        if not lock.is_held(self.path):
            self._give_back_lock = lock.take(self.path, self.lock_wait)
        try:
            self.store = Store(self.path, fts_batch=self.fts_batch)
        except BaseException:
            self._release_lock()
            raise
        try:
            self.run = self.crawler.get_extension(CrawlRunExtension)
        except RuntimeError:  # no extension manager (the pipelines run outside a crawl)
            self.run = None
        logger.info("archive %s open", self.path)

    def close_spider(self, spider: Any = None) -> None:
        try:
            self._commit()  # nothing is waiting once Scrapy closes the pipelines; to be sure
            if self.store is not None:
                self.store.close()
                logger.info("archive %s closed", self.path)
        finally:
            self.store = None
            self._release_lock()

    def _release_lock(self) -> None:
        give_back, self._give_back_lock = self._give_back_lock, None
        if give_back is not None:
            give_back()

    @property
    def run_id(self) -> int | None:
        """The ``crawl_runs`` row the items count towards (see
        :class:`~newsarchive.crawling.crawlrun.CrawlRunExtension`)."""
        if self.run is not None:
            return self.run.run_id
        return self.crawler.settings.getint("NEWSARCHIVE_RUN_ID", 0) or None

    # -- items -------------------------------------------------------------------------------

    async def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, FrontierNote):
            await self._store(item, None)
            return item
        if not isinstance(item, PageItem):
            return item
        keys = None
        article = item.result
        if isinstance(article, Article) and item.invalid is None:
            keys = DedupKeys.of(article)
            self._count(
                f"newsarchive/dedup/url_kind/{dedup.url_kind(article.url, article.canonical_url)}"
            )
            if keys.signature is None:
                self._count("newsarchive/dedup/too_short")
        result = await self._store(item, keys)
        assert result is not None  # a PageItem's
        self._count(f"newsarchive/captures/{result.capture_outcome}", len(result.capture_ids))
        if result.article is not None:
            self._count(f"newsarchive/articles/{result.article.outcome}")
            if result.article.restored:
                self._count("newsarchive/restored")
            logger.debug(
                "%s: %s (article %d)",
                item.captures[0].url if item.captures else "?",
                result.article.outcome,
                result.article.article_id,
            )
        if result.event_id is not None:
            self._count("newsarchive/takedowns")
        if item.invalid is not None:
            url = article.url if isinstance(article, Article) else "?"
            logger.info("invalid article %s: %s (capture kept)", url, item.invalid)
            raise DropItem(f"invalid article ({item.invalid}): {url}")
        return item

    def _count(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(key, n)

    async def _store(
        self, item: PageItem | FrontierNote, keys: DedupKeys | None
    ) -> ItemResult | None:
        """Store ``item``; returns once its group is committed."""
        if self.store is None:
            raise RuntimeError("StorePipeline.process_item before open_spider")
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # not on an asyncio loop: one transaction for this item
            return self._store_one(item, keys)
        done: asyncio.Future[ItemResult | None] = loop.create_future()
        self._waiting.append((item, keys, done))
        if len(self._waiting) >= self.group_items:
            self._commit()
        elif not self._commit_scheduled:
            self._commit_scheduled = True
            if self.linger:
                loop.call_later(self.linger, self._commit)
            else:
                loop.call_soon(self._commit)
        return await done

    def _store_one(
        self, item: PageItem | FrontierNote, keys: DedupKeys | None
    ) -> ItemResult | None:
        assert self.store is not None
        if isinstance(item, FrontierNote):
            self.store.store_note(item, run_id=self.run_id)
            return None
        return self.store.store_item(
            item, run_id=self.run_id, invalid_reason=item.invalid, keys=keys
        )

    def _commit(self) -> None:
        """Store every waiting item in one transaction, then complete each."""
        self._commit_scheduled = False
        group, self._waiting = self._waiting, []
        if not group:
            return
        assert self.store is not None
        outcomes: list[ItemResult | Exception | None] = []
        try:
            with self.store.group():
                for item, keys, _ in group:
                    try:
                        outcomes.append(self._store_one(item, keys))
                    except Exception as exc:
                        outcomes.append(exc)
                        if not self.store.in_group:  # SQLite dropped the transaction
                            raise _GroupLost(exc) from exc
        except Exception as exc:
            cause = exc.cause if isinstance(exc, _GroupLost) else exc
            outcomes = [cause] * len(group)
        self._count("newsarchive/store/groups")
        for (_, _, done), outcome in zip(group, outcomes, strict=True):
            if done.done():
                continue
            if isinstance(outcome, Exception):
                done.set_exception(outcome)
            else:
                done.set_result(outcome)


class _GroupLost(Exception):
    def __init__(self, cause: Exception) -> None:
        super().__init__(str(cause))
        self.cause = cause
