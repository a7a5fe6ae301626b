"""Incremental crawling across a fleet: the writer publishes what is archived, members consult it.

A single-machine crawl skips what the archive holds with
:class:`newsarchive.crawling.incremental.IncrementalMiddleware`, which reads the archive.
Fleet members never open the archive, so the writer (``newsarchive ingest``) publishes what
those rules need into Redis, and :class:`FleetIncrementalMiddleware` (the same middleware over
a Redis index) applies the same rules on every member:

``<prefix>:archive:urls`` (set)
    an 8-byte BLAKE2b digest of every URL an article is stored under (canonical and aliases,
    ``article_urls.url``): "does the archive hold this article?" (64 bytes of Redis memory
    per URL, measured; about 2 URLs per article: 130 MB per million articles);
``<prefix>:archive:recent`` (set)
    canonical URLs of the live articles inside the revisit window that were last fetched
    before ``NEWSARCHIVE_REVISIT_AFTER_HOURS`` (the writer's settings): fetched again;
``<prefix>:archive:gone`` (set)
    URLs that answered 404/410 within ``NEWSARCHIVE_GONE_RECHECK_DAYS``: not requested;
``<prefix>:archive:failed`` (set)
    article URLs the archive's crawl frontier holds open (pending, or to retry): requested
    again by the next crawl;
``<prefix>:archive:published`` (hash)
    when and from which archive the sets were built, and their sizes;
``<prefix>:<spider>:new`` (set)
    digests of the articles this crawl let through as new (:class:`FleetRunArticles`),
    expiring with the seen-set: "known" means archived before this crawl, as for one machine.

The writer rebuilds the sets when it starts and when it stops (each built under a temporary
name, then swapped in by one ``MULTI``), and adds each article it stores to ``…:urls`` as it
goes, so a member started while the writer runs sees what was stored up to then. Without a
published archive members crawl everything (the first fleet crawl).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import NotConfigured

from newsarchive.crawling.frontier import open_urls
from newsarchive.crawling.incremental import (
    IncrementalMiddleware,
    KnownArticles,
    ReadOnlyArchive,
    _gone,
)
from newsarchive.distributed import DEFAULT_PREFIX
from newsarchive.distributed.bloom import DEFAULT_TTL
from newsarchive.records import Article, PageItem
from newsarchive.store import queries
from newsarchive.urls import canonical_url, is_article_url

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class ArchiveKeys:
    """The Redis keys of a published archive index under one prefix."""

    urls: str
    recent: str
    gone: str
    failed: str
    published: str

    @classmethod
    def for_prefix(cls, prefix: str = DEFAULT_PREFIX) -> ArchiveKeys:
        base = f"{prefix}:archive"
        return cls(
            urls=f"{base}:urls",
            recent=f"{base}:recent",
            gone=f"{base}:gone",
            failed=f"{base}:failed",
            published=f"{base}:published",
        )


def url_digest(url: str) -> bytes:
    """The 8-byte digest ``…:archive:urls`` holds for *url* (a collision among a billion
    URLs is a 1-in-30 event; among the few million of an archive, below one in a million)."""
    return hashlib.blake2b(url.encode("utf-8"), digest_size=8).digest()


def article_urls(item: PageItem) -> set[str]:
    """The URLs the store files an article item under (its URL, its canonical URL and the
    fetched URLs of its pages); empty for anything that is not an article."""
    if not isinstance(item.result, Article):
        return set()
    found = {item.result.url, canonical_url(item.result.url)}
    found.update(c.url for c in item.captures[:1])
    return found


def _archived_urls(db: Path) -> Iterator[str]:
    """Every URL an article is stored under. (One read-only query; it belongs with the
    store's queries, kept here until the store's interface offers it.)"""
    conn = queries.connect(db, readonly=True, current_schema=False)
    try:
        for (url,) in conn.execute("SELECT url FROM article_urls"):
            yield str(url)
    finally:
        conn.close()


def publish(server: redis.Redis, db: Path, settings: Any, prefix: str = DEFAULT_PREFIX) -> int:
    """Publish the archive at *db* for fleet members (see the module docstring); returns the
    number of URLs published. *settings* are the writer's Scrapy settings (revisit window,
    gone and failed horizons)."""
    keys = ArchiveKeys.for_prefix(prefix)
    if not Path(db).is_file():
        return 0
    now = datetime.now(UTC)
    revisit_days = settings.getfloat("NEWSARCHIVE_REVISIT_DAYS", 3.0)
    recent: list[str] = []
    archive = ReadOnlyArchive(Path(db))
    try:
        if revisit_days > 0:
            since = (now - timedelta(days=revisit_days)).isoformat(timespec="seconds")
            hours = settings.getfloat("NEWSARCHIVE_REVISIT_AFTER_HOURS", 12.0)
            stale = (now - timedelta(hours=hours)).isoformat(timespec="seconds")
            recent = [canonical_url(u) for u in archive.recent_article_urls(since, stale)]
    finally:
        archive.close()
    gone = _gone(Path(db), settings.getfloat("NEWSARCHIVE_GONE_RECHECK_DAYS", 7.0))
    # The pages the archive's crawl frontier holds open (pending, or to retry): members take
    # them up as new, as a single crawl's frontier middleware does.
    failed = sorted(u for u in open_urls(Path(db)) if is_article_url(u))
    count = _fill(server, f"{keys.urls}:new", (url_digest(u) for u in _archived_urls(db)))
    for key, members in ((keys.recent, recent), (keys.gone, gone), (keys.failed, failed)):
        _fill(server, f"{key}:new", iter(members))
    sets = (keys.urls, keys.recent, keys.gone, keys.failed)
    built = [key for key in sets if server.exists(f"{key}:new")]
    pipe = server.pipeline(transaction=True)  # swap the new sets in at once
    pipe.delete(*sets)
    for key in built:
        pipe.rename(f"{key}:new", key)
    pipe.hset(
        keys.published,
        mapping={
            "at": now.isoformat(timespec="seconds"),
            "archive": str(db),
            "urls": count,
            "recent": len(recent),
            "gone": len(gone),
            "failed": len(failed),
        },
    )
    pipe.execute()
    logger.info(
        "published the archive for the fleet: %d URLs, %d to revisit, %d gone, %d to retry",
        count,
        len(recent),
        len(gone),
        len(failed),
    )
    return count


def _fill(server: redis.Redis, key: str, members: Iterator[Any], chunk: int = 10_000) -> int:
    server.delete(key)
    total = 0
    batch: list[Any] = []
    for member in members:
        batch.append(member)
        if len(batch) >= chunk:
            total += len(batch)
            server.sadd(key, *batch)
            batch = []
    if batch:
        total += len(batch)
        server.sadd(key, *batch)
    return total


def add_archived(server: redis.Redis, urls: Iterable[str], prefix: str = DEFAULT_PREFIX) -> None:
    """Record URLs just stored (the writer calls this for each article it stores)."""
    digests = [url_digest(u) for u in urls]
    if digests:
        server.sadd(ArchiveKeys.for_prefix(prefix).urls, *digests)


class RedisArchiveIndex:
    """:class:`newsarchive.crawling.incremental.ArchiveIndex` over a published archive."""

    def __init__(self, server: redis.Redis, keys: ArchiveKeys) -> None:
        self.server = server
        self.keys = keys

    def has_url(self, url: str) -> bool:
        member: Any = url_digest(url)  # redis-py annotates members as str; bytes are fine
        return bool(self.server.sismember(self.keys.urls, member))

    def recent_article_urls(self, since: str, seen_before: str) -> Iterable[str]:
        """The writer's revisit list (computed with its settings when it published)."""
        return sorted(_strings(self.server.smembers(self.keys.recent)))

    def gone(self) -> frozenset[str]:
        return frozenset(_strings(self.server.smembers(self.keys.gone)))

    def failed(self) -> frozenset[str]:
        return frozenset(_strings(self.server.smembers(self.keys.failed)))

    def close(self) -> None:
        self.server.close()


def _strings(members: Any) -> Iterator[str]:
    for member in members:
        yield member.decode() if isinstance(member, bytes) else str(member)


class FleetRunArticles:
    """The articles this crawl let through as new, shared by the fleet (the set-like
    ``KnownArticles._this_run`` of a single crawl, in Redis).

    A single crawl counts an article it let through as new for the rest of the run, so that
    its other copies (big5, mobile) are fetched and a list page full of articles this run
    found does not stop pagination. In a fleet another member may have let it through, and
    the writer may already have stored it: the run's set must be the fleet's.
    ``<prefix>:<spider>:new`` holds their digests and expires with the seen-set (one crawl).
    """

    def __init__(self, server: redis.Redis, key: str, ttl: int) -> None:
        self.server = server
        self.key = key
        self.ttl = ttl if ttl > 0 else None

    def __contains__(self, url: object) -> bool:
        member: Any = url_digest(str(url))
        return bool(self.server.sismember(self.key, member))

    def add(self, url: str) -> None:
        pipe = self.server.pipeline(transaction=False)
        pipe.sadd(self.key, url_digest(url))
        if self.ttl is not None:
            pipe.expire(self.key, self.ttl)
        pipe.execute()


class FleetIncrementalMiddleware(IncrementalMiddleware):
    """The single crawl's incremental middleware, reading the published archive from Redis.

    Off without ``NEWSARCHIVE_REDIS_URL`` or with ``NEWSARCHIVE_INCREMENTAL`` off. Before an
    archive has been published it crawls everything, and still records the articles it lets
    through in the fleet's "new in this crawl" set: every member of one crawl, started before
    or after the writer published, must agree on what "archived before this crawl" means.
    No job journal and no catch-up mode: the fleet's frontier in Redis is what resumes an
    unfinished crawl.
    """

    crawler: Any = None
    pending: list[str] = []  # noqa: RUF012 (set per instance by from_crawler)

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        """The spider's start requests, then the article pages the archive's crawl frontier
        holds open (a single crawl's frontier middleware requests them the same way)."""
        async for request in start:
            yield request
        spider = self.crawler.spider if self.crawler is not None else None
        scope = getattr(spider, "scope", None)
        pending = [u for u in self.pending if scope is None or scope.allows(u)]
        if pending:
            logger.info("requesting %d article pages the archive holds open", len(pending))
        errback = getattr(spider, "failed", None)
        for url in pending:
            self.stats.inc_value("incremental/articles_resumed")
            yield Request(url, errback=errback, priority=10, meta={"na_kind": "article"})

    @classmethod
    def from_crawler(cls, crawler: Any) -> FleetIncrementalMiddleware:
        settings = crawler.settings
        url = settings.get("NEWSARCHIVE_REDIS_URL")
        if not url:
            raise NotConfigured("no Redis URL")
        if not settings.getbool("NEWSARCHIVE_INCREMENTAL", True):
            raise NotConfigured
        keys = ArchiveKeys.for_prefix(settings.get("NEWSARCHIVE_REDIS_PREFIX", DEFAULT_PREFIX))
        server = redis.Redis.from_url(url)
        # On without a published archive too (the class docstring says why).
        published = server.hget(keys.published, "at")
        index = RedisArchiveIndex(server, keys)
        revisit = settings.getfloat("NEWSARCHIVE_REVISIT_DAYS", 3.0)
        known = KnownArticles(index, revisit, gone=index.gone())
        prefix = settings.get("NEWSARCHIVE_REDIS_PREFIX", DEFAULT_PREFIX)
        run_key = f"{prefix}:{crawler.spidercls.name}:new"
        ttl = settings.getint("NEWSARCHIVE_SEEN_TTL", DEFAULT_TTL)
        known._this_run = FleetRunArticles(server, run_key, ttl)  # type: ignore[assignment]  # set-like
        failed = index.failed()
        crawler.stats.set_value("incremental/failed_retried", len(failed))
        mw = cls(known, crawler.stats)
        mw.crawler = crawler
        mw.pending = sorted(failed)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        if published is None:
            logger.info("no archive published in Redis yet: a full crawl")
        else:
            logger.info(
                "incremental fleet crawl against the archive published at %s: "
                "%d articles to revisit",
                next(_strings([published])),
                len(known.recent),
            )
        return mw
