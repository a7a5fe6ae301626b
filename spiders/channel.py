"""The channel spider: crawl Xinhua provincial channels from their registry start pages.

``scrapy crawl channel -a channels=gz`` (or ``newsarchive crawl gz``). Arguments, all
optional but ``channels``: ``since``, ``until`` (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``),
``max_pages``, ``start`` (URLs replacing the registry's start pages), ``big5`` (``0`` to leave
the traditional mirror out), ``mirror`` (a ``<host>/<path>`` site copy to fetch from), ``db``
(the archive), ``polite`` (``0`` for local mirrors and benchmarks). See
:class:`newsarchive.crawling.CrawlOptions`.

What it follows:

* from list pages (anything that is not an article URL: channel index, columns, their
  pagination): every link inside the crawl's channels (host aliases, mobile prefix, big5
  gateway), and the ``ds_<hex>.json`` datasource of script-rendered 2020+ columns;
* from articles: their related links, their big5 gateway copy (the 繁体 link every page
  carries, when the traditional mirror is on) and, for an old-era multi-page article, its
  other pages, which are fetched in order and joined into one record before anything is
  yielded.

Every response becomes one :class:`~newsarchive.records.PageItem` (HTTP errors and
redirects of an article to a non-article page included, as ``result=None`` with the error
kind), so the archive keeps every capture and ``crawl_runs`` counts every failure.

A multi-page article whose later page fails is yielded with the pages that did arrive
(``pages`` counts them), ``error="missing_pages"``, and a separate item for the failed page
(``page_http_404``, ``page_timeout``, …; not a takedown of the article).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from newsarchive import urls
from newsarchive.crawling.capture import error_kind, no_response, stat_key, to_capture
from newsarchive.crawling.datasource import (
    BadDatasource,
    datasource_urls,
    parse_datasource,
)
from newsarchive.crawling.frontier import TAKEN_UP
from newsarchive.crawling.links import article_hrefs, follow_url, gateway_links
from newsarchive.crawling.options import CrawlOptions
from newsarchive.crawling.pages import Page, http_error, list_links, read_page
from newsarchive.extract import join_pages
from newsarchive.records import Article, Capture, FrontierNote, NotAnArticle, PageItem

logger = logging.getLogger(__name__)

#: Scheduling priorities: finish started articles first, then what earlier runs left open
#: (the crawl frontier), then articles, then lists.
PRIORITY_NEXT_PAGE = 20
PRIORITY_TAKEN_UP = 15
PRIORITY_ARTICLE = 10
PRIORITY_DATASOURCE = 5
PRIORITY_LIST = 0


@dataclass(kw_only=True, slots=True)
class _Pages:
    """A multi-page article being assembled (carried in ``cb_kwargs``)."""

    first: Article
    captures: list[Capture]
    pending: list[str]
    rest: list[Article] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)


class ChannelSpider(Spider):
    name = "channel"
    # Every status reaches the callbacks: a 404 is a record (a takedown), not an exception.
    custom_settings = {"HTTPERROR_ALLOW_ALL": True}  # noqa: RUF012 (Scrapy's own attribute)

    def __init__(self, *, options: CrawlOptions, extract: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.options = options
        self.scope = options.scope
        self.window = options.window
        self.extract = extract
        self._requested: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> ChannelSpider:
        options = CrawlOptions.from_args(kwargs)
        options.apply(crawler.settings)
        settings = crawler.settings
        spider = cls(options=options, extract=settings.getbool("NEWSARCHIVE_EXTRACT", True))
        spider._set_crawler(crawler)
        return spider

    # -- requests ----------------------------------------------------------------------------

    def _request(
        self,
        url: str,
        *,
        priority: int,
        callback: Any = None,
        errback: Any = None,
        cb_kwargs: dict[str, Any] | None = None,
        exempt: bool = False,
        dont_filter: bool = False,
    ) -> Request | None:
        """A request for ``url`` unless this run requested it before or the page budget is
        spent. Scrapy's duplicate filter applies too (it persists across a resumed job) unless
        ``dont_filter`` (start pages). ``exempt`` requests (the later pages of an article being
        joined) are always made and not counted against the budget: two host aliases of one
        multi-page article may print the same page links, and each copy needs all its pages.
        """
        if url in self._requested and not exempt:
            return None
        budget = self.options.max_pages
        if budget is not None and len(self._requested) >= budget and not exempt:
            self._stat("newsarchive/budget_skipped")
            return None
        self._requested.add(url)
        return Request(
            url,
            callback=callback or self.parse,
            errback=errback or self.failed,
            cb_kwargs=cb_kwargs or {},
            priority=priority,
            dont_filter=dont_filter or exempt,
        )

    def _follow(self, url: str, *, listed: Any = None) -> Request | None:
        """A request for a link found on a page, if the link rules allow it."""
        if not self.scope.allows(url):
            return None
        target = follow_url(url)
        if urls.is_article_url(target):
            day = urls.parse(target).date or listed
            if not self.window.admits(day):
                self._stat("newsarchive/outside_window")
                return None
            # Originals before their big5 copies: the first copy stored is the row's text.
            big5 = urls.parse(target).big5
            return self._request(target, priority=PRIORITY_ARTICLE - (2 if big5 else 0))
        return self._request(target, priority=PRIORITY_LIST)

    def taken_up(self, url: str) -> Request | None:
        """A request for ``url``, which an earlier run left pending or to retry (see
        :mod:`newsarchive.crawling.frontier`), if this run's scope and budget allow it."""
        if not self.scope.allows(url):
            return None
        datasource = urls.parse(url).path.endswith(".json")
        big5 = urls.parse(url).big5
        return self._request(
            url,
            priority=PRIORITY_TAKEN_UP - (2 if big5 else 0),
            callback=self.parse_datasource if datasource else None,
            dont_filter=True,
        )

    async def start(self) -> AsyncIterator[Any]:
        for url in self.options.start_urls():
            request = self._request(url, priority=PRIORITY_LIST, dont_filter=True)
            if request is not None:
                yield request

    # -- callbacks ---------------------------------------------------------------------------

    def parse(self, response: Response) -> Iterator[Any]:
        """Any page: hand it to the extractor, yield the item, follow what the rules allow."""
        if urls.page_number(response.url) > 1:
            for thing in self._later_page(response):
                yield thing
            return
        page = read_page(response, extract=self.extract, scope=self.scope)
        result = page.result
        if isinstance(result, Article) and result.page_urls:
            state = _Pages(first=result, captures=[page.capture], pending=list(result.page_urls))
            for thing in self._next_page(state):
                yield thing
        else:
            yield PageItem(captures=(page.capture,), result=result, error=page.error)
        if page.error is not None:
            self._stat(stat_key(page.error))
            return
        for url in self._article_links(page, response):
            if urls.is_article_url(url) and (request := self._follow(url)):
                yield request
        if page.text is not None and not urls.is_article_url(response.url):
            for request in self._follow_list(response, page.text):
                yield request

    def _article_links(self, page: Page, response: Response) -> list[str]:
        """The article links to follow from a page: an article's related links and big5
        gateway copy (every ``href`` of an article page when extraction is off)."""
        result = page.result
        if isinstance(result, Article):
            related = [link.url for link in result.related]
            if self.scope.big5 and page.text is not None:
                related += gateway_links(page.text, response.url)
            return related
        if not self.extract and page.text is not None and urls.is_article_url(response.url):
            return article_hrefs(page.text, response.url)  # no extractor: scan the hrefs
        return []

    def _later_page(self, response: Response) -> Iterator[Any]:
        """A later page of an old-era article reached on its own (a --start URL, a retry of a
        failed page): it is only read as part of its article, from page 1; its failure is a
        failed page, never a takedown of the article."""
        if response.status >= 300:
            kind = f"page_http_{response.status}"
            self._stat(stat_key(kind))
            yield PageItem(captures=(to_capture(response),), result=None, error=kind)
            return
        self._stat("newsarchive/later_page_to_first")
        request = self._request(follow_url(response.url), priority=PRIORITY_ARTICLE)
        if request is not None:
            if response.meta.get(TAKEN_UP):  # a page left to retry: its article is read again
                request.meta[TAKEN_UP] = True
            yield request

    def _follow_list(self, response: Response, text: str) -> Iterator[Request]:
        for ds_url in datasource_urls(text, response.url):
            request = self._request(
                ds_url,
                priority=PRIORITY_DATASOURCE,
                callback=self.parse_datasource,
            )
            if request is not None:
                yield request
        links = list_links(text, response.url, with_dates=not self.window.open)
        articles = [link for link in links if urls.is_article_url(link.url)]
        dated = [
            d for link in articles if (d := urls.parse(link.url).date or link.listed) is not None
        ]
        # A list whose every dated item is older than --since: its pagination only goes
        # further back, so only its (in-window) article links are followed.
        stale = bool(dated) and all(self.window.before(day) for day in dated)
        for link in links:
            if stale and not urls.is_article_url(link.url):
                continue
            if (request := self._follow(link.url, listed=link.listed)) is not None:
                yield request

    def parse_datasource(self, response: Response) -> Iterator[Any]:
        """A column's ``ds_<hex>.json``: its rows are the column's items."""
        capture = to_capture(response)
        error = http_error(response, self.scope)
        if error is None:
            try:
                rows = parse_datasource(response.body, response.url)
            except BadDatasource as exc:
                logger.warning("bad datasource %s: %s", response.url, exc)
                error = "bad_datasource"
        if error is not None:
            self._stat(stat_key(error))
            yield PageItem(captures=(capture,), result=None, error=error)
            return
        requests: list[Request] = []
        links: list[str] = []
        for row in rows:
            for url in row.urls:
                if not self.scope.allows(url):
                    continue
                if urls.is_article_url(url):
                    links.append(url)
                if (request := self._follow(url, listed=row.published)) is not None:
                    requests.append(request)
        yield PageItem(
            captures=(capture,),
            result=NotAnArticle(
                url=response.url,
                kind="list",
                reason=f"datasource of a script-rendered column ({len(rows)} rows)",
                links=tuple(links),
            ),
        )
        yield from requests

    # -- multi-page articles -----------------------------------------------------------------

    def _next_page(self, state: _Pages) -> Iterator[Any]:
        """Request the next missing page of ``state``, or yield the joined article."""
        if state.pending:
            request = self._request(
                state.pending.pop(0),
                priority=PRIORITY_NEXT_PAGE,
                callback=self.parse_next_page,
                errback=self.next_page_failed,
                cb_kwargs={"state": state},
                exempt=True,
            )
            if request is not None:  # always, for exempt requests
                yield request
                return
        joined = join_pages(state.first, state.rest) if state.rest else state.first
        if state.missing:
            logger.warning(
                "article %s: joined %d page(s); missing %s",
                state.first.url,
                joined.pages,
                ", ".join(state.missing),
            )
            self._stat(stat_key("missing_pages"))
        yield PageItem(
            captures=tuple(state.captures),
            result=joined,
            error="missing_pages" if state.missing else None,
        )

    def parse_next_page(self, response: Response, state: _Pages) -> Iterator[Any]:
        page = read_page(response, scope=self.scope)
        if isinstance(page.result, Article):
            state.rest.append(page.result)
            state.captures.append(page.capture)
        else:
            kind = page.error or f"not_article_{getattr(page.result, 'kind', 'unknown')}"
            state.missing.append(response.url)
            self._stat(stat_key(f"page_{kind}"))
            yield PageItem(captures=(page.capture,), result=None, error=f"page_{kind}")
        yield from self._next_page(state)

    def next_page_failed(self, failure: Failure) -> Iterator[Any]:
        request = failure.request  # type: ignore[attr-defined]
        state: _Pages = request.cb_kwargs["state"]
        kind = error_kind(failure.value)  # type: ignore[arg-type]
        logger.warning("page %s of %s failed: %s", request.url, state.first.url, failure.value)
        state.missing.append(request.url)
        self._stat(stat_key(f"page_{kind}"))
        yield PageItem(captures=(no_response(request.url),), result=None, error=f"page_{kind}")
        yield from self._next_page(state)

    # -- failures ----------------------------------------------------------------------------

    def failed(self, failure: Failure) -> Iterator[PageItem | FrontierNote]:
        """A download that produced no response (timeout, DNS, refused, too large, robots).
        The record is under the URL first requested (before any redirect)."""
        request = failure.request  # type: ignore[attr-defined]
        kind = error_kind(failure.value)  # type: ignore[arg-type]
        self._stat(stat_key(kind))
        chain = request.meta.get("redirect_urls") or ()
        url = str(chain[0]) if chain else request.url
        if kind in ("robots_forbidden", "offsite"):  # not ours to fetch: settled, no error
            logger.info("not fetched (%s): %s", kind, request.url)
            yield FrontierNote(settled=(url,), error=kind)  # not an error of the site
            return
        # robots.txt unavailable: the robots middleware warned once for the host.
        level = logging.INFO if kind == "robots_unavailable" else logging.WARNING
        logger.log(level, "download failed %s: %s", request.url, failure.value)
        yield PageItem(captures=(no_response(url),), result=None, error=kind)

    def _stat(self, key: str) -> None:
        if getattr(self, "crawler", None) is not None and self.crawler.stats is not None:
            self.crawler.stats.inc_value(key)
