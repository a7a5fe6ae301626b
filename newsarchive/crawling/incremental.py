"""Incremental crawling: fetch only what the archive lacks.

:class:`IncrementalMiddleware` is a Scrapy spider middleware. With the archive open read-only
it looks at the requests each list page yields (the spider marks them with
``request.meta["na_kind"]``):

* ``"article"``: dropped when the archive already holds the article under any of its URLs
  (compared by :func:`newsarchive.urls.canonical_url`), unless the article is inside the
  revisit window (published, or first seen when the date is unknown, within
  ``NEWSARCHIVE_REVISIT_DAYS``) and was last fetched more than
  ``NEWSARCHIVE_REVISIT_AFTER_HOURS`` ago: those are fetched again so edits and takedowns
  are caught, about twice a day for an hourly schedule rather than every hour.
* ``"list_next"`` (a later page of a column): dropped when every article on this list page
  was already in the archive before this run: the column's older pages hold nothing new.
  Never below a list page an earlier run left open in the crawl frontier (a request marked
  ``meta["na_frontier"]``, see :mod:`newsarchive.crawling.frontier`): its column is read on.
  Articles the frontier holds open (pending, or to retry) count as new.

Requests without a mark are classified by their URL (:func:`request_kind`): an article URL
is an ``"article"`` request unless it continues a multi-page article (page *n* > 1, or a
request carrying callback arguments); a list URL that continues the responding list page's
numbering (``gzyw.htm`` → ``gzyw_2.htm``, ``gzyw_2.htm`` → ``gzyw_3.htm``) is ``"list_next"``.

Article URLs that answered 404 or 410 within ``NEWSARCHIVE_GONE_RECHECK_DAYS`` (broken links,
pages taken down) are not requested again until then: a broken link on a home page would
otherwise cost a request, and make the run partial, every run. Pages whose fetch failed for a
passing reason are the crawl frontier's to retry (:mod:`newsarchive.store.frontier`), wherever
they were listed.

A run with nothing new then costs the start pages and the first page of each column.
Settings: ``NEWSARCHIVE_INCREMENTAL`` (default on), ``NEWSARCHIVE_DB`` (the archive; no
archive yet means a full crawl), ``NEWSARCHIVE_REVISIT_DAYS``,
``NEWSARCHIVE_REVISIT_AFTER_HOURS``, ``NEWSARCHIVE_GONE_RECHECK_DAYS`` (default 7; 0: always
request).
Counters go to the crawl stats under ``incremental/``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal, Protocol

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newsarchive import crawlhistory, urls
from newsarchive import settings as project
from newsarchive.crawling.frontier import TAKEN_UP, open_urls
from newsarchive.store import history, queries
from newsarchive.urls import canonical_url

logger = logging.getLogger(__name__)

Known = Literal["new", "recent", "known"]
Kind = Literal["article", "list_next"]

#: A list page's path: directory, stem and optional ``_N`` page number.
_PAGED_RE = re.compile(r"^(?P<dir>.*/)(?P<stem>[^/]+?)(?:_(?P<n>\d+))?\.s?html?$")


def _paged(url: str) -> tuple[str, str, str, int] | None:
    """``(canonical host, directory, stem, page number)`` of a list URL, if it is numbered."""
    info = urls.parse(url)
    m = _PAGED_RE.match(info.path)
    if m is None or info.article_id is not None:
        return None
    host = urls.canonical_url(url).split("/")[2]
    return host, m["dir"], m["stem"], int(m["n"] or 1)


def is_next_page(page_url: str, link_url: str) -> bool:
    """Whether ``link_url`` is a later page of the list at ``page_url`` (same column: host,
    directory and stem; a higher page number)."""
    page, link = _paged(page_url), _paged(link_url)
    if page is None or link is None:
        return False
    return page[:3] == link[:3] and link[3] > page[3]


def request_kind(request: Request, response: Response) -> Kind | None:
    """What ``request`` (yielded while handling ``response``) asks for: the spider's mark in
    ``meta["na_kind"]`` if any, else what its URL says; ``None`` for anything else."""
    mark = request.meta.get("na_kind")
    if mark is not None:
        return "article" if mark == "article" else "list_next" if mark == "list_next" else None
    info = urls.parse(request.url)
    if info.article_id is not None:
        return "article" if info.page == 1 and not request.cb_kwargs else None
    if is_next_page(response.url, request.url):
        return "list_next"
    return None


class ArchiveIndex(Protocol):
    """What the middleware asks of the archive."""

    def has_url(self, url: str) -> bool:
        """Whether an article is stored under ``url`` (canonical or alias)."""
        ...

    def recent_article_urls(self, since: str, seen_before: str) -> Iterable[str]:
        """Canonical URLs of live articles published (or first seen) at or after ``since``
        and last fetched before ``seen_before``."""
        ...

    def close(self) -> None: ...


class ReadOnlyArchive:
    """Look-ups on the archive through a read-only connection: the crawl's writer (the store
    pipeline) is never blocked by this component, and this component never writes."""

    def __init__(self, db: Path) -> None:
        self.db = db
        self.conn = queries.connect(db, readonly=True, current_schema=False)

    def has_url(self, url: str) -> bool:
        return queries.resolve(self.conn, url) is not None

    def recent_article_urls(self, since: str, seen_before: str) -> Iterable[str]:
        # "Recent" as Store.recent_article_urls defines it, less the articles fetched lately.
        return history.live_articles_to_revisit(self.conn, since=since, seen_before=seen_before)

    def close(self) -> None:
        self.conn.close()


def open_index(db: Path) -> ArchiveIndex:
    """The archive at ``db``, opened for look-ups."""
    return ReadOnlyArchive(db)


class KnownArticles:
    """Classifies article URLs against an archive index and a revisit window."""

    def __init__(
        self,
        index: ArchiveIndex,
        revisit_days: float,
        now: datetime | None = None,
        *,
        revisit_after_hours: float = 0.0,
        requested: frozenset[str] = frozenset(),
        gone: frozenset[str] = frozenset(),
    ):
        self.index = index
        self.gone = gone
        """URLs that answered 404/410 lately (:func:`newsarchive.crawlhistory.gone_urls`)."""
        self.job_articles = frozenset(canonical_url(u) for u in requested)
        """Articles the crawl frontier holds open (an earlier run requested them and has not
        stored them, or is to retry them): new, whatever the archive holds under another of
        their URLs (their other URLs are fetched, as an uninterrupted run would)."""
        self.recent: frozenset[str] = frozenset()
        if revisit_days > 0:
            now = now or datetime.now(UTC)
            since = (now - timedelta(days=revisit_days)).isoformat(timespec="seconds")
            stale = (now - timedelta(hours=revisit_after_hours)).isoformat(timespec="seconds")
            found = index.recent_article_urls(since, stale)
            self.recent = frozenset(canonical_url(u) for u in found)
        self._this_run: set[str] = set()
        """Articles let through as new by this run (so they stay new for its own decisions)."""

    def classify(self, url: str) -> Known:
        """``new`` (not archived, or open in the frontier), ``recent`` (archived, inside
        the revisit window) or ``known`` (archived)."""
        canon = canonical_url(url)
        if canon in self._this_run or canon in self.job_articles:
            self._this_run.add(canon)
            return "new"
        if canon in self.recent:
            return "recent"
        if url in self.gone:
            return "known"  # a broken link or a takedown, checked lately
        if self.index.has_url(canon) or (canon != url and self.index.has_url(url)):
            return "known"
        self._this_run.add(canon)
        return "new"


def _gone(db: Path, days: float) -> frozenset[str]:
    """URLs that answered 404/410 in the last ``days`` (0: none)."""
    if days <= 0:
        return frozenset()
    since = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    return crawlhistory.gone_urls(db, since=since)


class IncrementalMiddleware:
    """Spider middleware: skip known articles, stop paginating columns that hold nothing new."""

    def __init__(self, known: KnownArticles, stats: StatsCollector) -> None:
        self.known = known
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> IncrementalMiddleware:
        settings = crawler.settings
        if not settings.getbool("NEWSARCHIVE_INCREMENTAL", project.NEWSARCHIVE_INCREMENTAL):
            logger.info("incremental crawling is off (NEWSARCHIVE_INCREMENTAL)")
            raise NotConfigured  # no message: Scrapy would log a warning (a cron mail)
        db = settings.get("NEWSARCHIVE_DB")
        if not db or not Path(db).is_file():
            logger.info("no archive at %s yet: a full crawl", db)
            raise NotConfigured
        revisit = settings.getfloat("NEWSARCHIVE_REVISIT_DAYS", project.NEWSARCHIVE_REVISIT_DAYS)
        try:
            index = open_index(Path(db))
        except queries.ArchiveError as exc:
            raise NotConfigured(f"archive not readable: {exc}") from exc
        known = KnownArticles(
            index,
            revisit,
            revisit_after_hours=settings.getfloat(
                "NEWSARCHIVE_REVISIT_AFTER_HOURS", project.NEWSARCHIVE_REVISIT_AFTER_HOURS
            ),
            requested=open_urls(Path(db)),
            gone=_gone(
                Path(db),
                settings.getfloat(
                    "NEWSARCHIVE_GONE_RECHECK_DAYS", project.NEWSARCHIVE_GONE_RECHECK_DAYS
                ),
            ),
        )
        mw = cls(known, crawler.stats)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        logger.info(
            "incremental crawl against %s: %d articles in the %g-day revisit window",
            db,
            len(mw.known.recent),
            revisit,
        )
        return mw

    def spider_closed(self, spider: Spider) -> None:
        self.known.index.close()

    # -- the filter, shared by the sync and async hooks -----------------------------------

    def _inc(self, key: str) -> None:
        self.stats.inc_value(f"incremental/{key}")

    def _article(self, request: Request) -> tuple[bool, bool]:
        """``(keep the request, the article was already known)``. A request marked as taken up
        from the crawl frontier (page 1 of an article whose later page is to be retried) is
        kept."""
        if request.meta.get(TAKEN_UP):
            self._inc("articles_taken_up")
            return True, False
        state = self.known.classify(request.url)
        if state == "known":
            self._inc("articles_skipped")
            return False, True
        if state == "recent":
            self._inc("articles_revisited")
            return True, True
        self._inc("articles_new")
        return True, False

    def _finish(
        self, response: Response, held: list[Request], articles: int, known: int
    ) -> Iterator[Request]:
        """The held next-page requests of a list page, unless the page held nothing new."""
        request = response.request
        if request is not None and request.meta.get(TAKEN_UP):
            yield from held  # a page an earlier run left open: its column is read on
            return
        if held and articles > 0 and known == articles:
            logger.info(
                "%s: all %d articles already archived; not following its next page",
                response.url,
                articles,
            )
            for _ in held:
                self._inc("pagination_stopped")
            return
        yield from held

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Spider | None = None
    ) -> Iterator[Any]:
        held: list[Request] = []
        counts = [0, 0]
        for obj in result:
            if self._pass(response, obj, held, counts):
                yield obj
        yield from self._finish(response, held, *counts)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Spider | None = None
    ) -> AsyncIterator[Any]:
        held: list[Request] = []
        counts = [0, 0]
        async for obj in result:
            if self._pass(response, obj, held, counts):
                yield obj
        for request in self._finish(response, held, *counts):
            yield request

    def _pass(
        self,
        response: Response,
        obj: Any,
        held: list[Request],
        counts: list[int],
    ) -> bool:
        """Whether ``obj`` goes on now; next-page requests are held in ``held`` until the
        whole page is seen; ``counts`` = [articles on the page, of which already known]."""
        if not isinstance(obj, Request):
            return True
        kind = request_kind(obj, response)
        if kind == "list_next":
            held.append(obj)
            return False
        if kind != "article":
            return True
        keep, was_known = self._article(obj)
        counts[0] += 1
        counts[1] += was_known
        return keep
