"""The ``backfill`` spider: a channel's historical captures from a CDX server and its replay
server (``newsarchive backfill CHANNEL… --since --until``).

It asks the CDX server for every capture under each of the channel's hosts (page by page),
keeps the article pages of the channel not already in the archive (``capture_origins``: a
capture imported before is not fetched again), then fetches them oldest first in the replay
server's identity form (``<timestamp>id_/<url>``), politely (the crawl's delay, retries with
backoff, ``Retry-After`` honoured on 429 and 5xx). The extractor sees the page's real URL and
the capture time, never the replay URL. An old-era multi-page article's later pages are
fetched from the same time and joined, as in a crawl.

With ``source="commoncrawl"`` (``--common-crawl CRAWL-ID``) the CDX server is a Common Crawl
index (JSON lines, in pages: :mod:`newsarchive.webarchive.commoncrawl`) and each capture is
one gzipped WARC record fetched from the data server with a ``Range`` request; a multi-page
article's later pages are the captures of them the index lists nearest in time.
"""

from __future__ import annotations

import dataclasses
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

from newsarchive import urls
from newsarchive.crawling.pages import read_page
from newsarchive.extract import join_pages
from newsarchive.records import Article, Capture, CaptureOrigin, PageItem
from newsarchive.store import origins
from newsarchive.store.queries import connect
from newsarchive.webarchive import cdx, commoncrawl
from newsarchive.webarchive.importing import page_of
from newsarchive.webarchive.warcfile import RecordError


class BackfillSpider(Spider):
    name = "backfill"

    def __init__(
        self,
        *,
        channels: str = "",
        since: str = "",
        until: str = "",
        cdx_url: str = cdx.WAYBACK_CDX,
        replay: str = cdx.WAYBACK_REPLAY,
        db: str = "",
        source: str = "wayback",
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.codes = [c for c in channels.split(",") if c]
        self.since = since or None
        self.until = until or None
        self.cdx_url = cdx_url
        self.replay = replay
        self.db = db
        self.found: dict[str, cdx.CdxCapture] = {}
        self.common_crawl = source == commoncrawl.ORIGIN
        self.origin = commoncrawl.ORIGIN if self.common_crawl else "wayback"
        #: Common Crawl: the later pages' captures the index lists, by URL, oldest first.
        self.later_pages: dict[str, list[commoncrawl.CcCapture]] = {}
        self.cc_pages: list[int] = []
        self.queries: list[tuple[str, str]] = [
            (code, prefix) for code in self.codes for prefix in cdx.url_prefixes(code)
        ]

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BackfillSpider:
        kwargs.setdefault("db", str(crawler.settings.get("NEWSARCHIVE_DB") or ""))
        spider = cls(*args, **kwargs)
        spider._set_crawler(crawler)
        return spider

    # -- the CDX queries, one after another ---------------------------------------------------

    async def start(self) -> AsyncIterator[Any]:
        request = self._next_query()
        if request is not None:
            yield request

    def _next_query(self, resume: str | None = None) -> Request | None:
        if not self.queries:
            return None
        code, host = self.queries[0]
        if self.common_crawl:
            return self._cc_query(code, host)
        url = cdx.query_url(self.cdx_url, host, since=self.since, until=self.until, resume=resume)
        return Request(url, callback=self.parse_cdx, dont_filter=True, cb_kwargs={"code": code})

    def parse_cdx(self, response: Response, code: str) -> Iterator[Any]:
        stats = self.crawler.stats
        try:
            listed, resume = cdx.parse(response.body)
        except cdx.CdxError as exc:
            self.logger.error("%s: %s", response.url, exc)
            stats.inc_value("newsarchive/errors/cdx_unreadable")
            listed, resume = [], None
        stats.inc_value("newsarchive/backfill/listed", len(listed))
        seen_digest: dict[str, str] = {}
        for capture in sorted(listed, key=lambda c: (c.original, c.timestamp)):
            if not cdx.wanted(capture, code):
                stats.inc_value("newsarchive/backfill/skipped/not_article")
                continue
            if capture.digest and seen_digest.get(capture.original) == capture.digest:
                stats.inc_value("newsarchive/backfill/skipped/same_digest")
                continue
            seen_digest[capture.original] = capture.digest
            self.found[capture.record_id] = capture
        if resume is None:
            self.queries.pop(0)
        following = self._next_query(resume)
        if following is not None:
            yield following
            return
        yield from self._fetches()

    # -- Common Crawl's index: how many pages, then page by page ------------------------------

    def _cc_query(self, code: str, host: str) -> Request:
        page = self.cc_pages[0] if self.cc_pages else None
        url = commoncrawl.query_url(
            self.cdx_url, host, since=self.since, until=self.until, page=page
        )
        callback = self.parse_cc_pages if page is None else self.parse_cc
        return Request(url, callback=callback, errback=self.cc_failed, dont_filter=True,
                       cb_kwargs={"code": code})  # fmt: skip

    def parse_cc_pages(self, response: Response, code: str) -> Iterator[Any]:
        try:
            self.cc_pages = list(range(commoncrawl.pages(response.body)))
        except cdx.CdxError as exc:
            self.logger.error("%s: %s", response.url, exc)
            self.crawler.stats.inc_value("newsarchive/errors/cdx_unreadable")
            self.cc_pages = []
        yield from self._cc_next()

    def parse_cc(self, response: Response, code: str) -> Iterator[Any]:
        stats = self.crawler.stats
        try:
            listed = commoncrawl.parse(response.body)
        except cdx.CdxError as exc:
            self.logger.error("%s: %s", response.url, exc)
            stats.inc_value("newsarchive/errors/cdx_unreadable")
            listed = []
        stats.inc_value("newsarchive/backfill/listed", len(listed))
        for capture in listed:
            if cdx.wanted(capture, code):
                self.found[capture.record_id] = capture
            elif (
                urls.channel_of(capture.original) == code and urls.page_number(capture.original) > 1
            ):
                self.later_pages.setdefault(capture.original, []).append(capture)
            else:
                stats.inc_value("newsarchive/backfill/skipped/not_article")
        self.cc_pages.pop(0)
        yield from self._cc_next()

    def cc_failed(self, failure: Failure) -> Iterator[Any]:
        self.logger.error("index query failed: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("newsarchive/errors/cdx_unreadable")
        self.cc_pages = []
        yield from self._cc_next()

    def _cc_next(self) -> Iterator[Any]:
        if not self.cc_pages:
            self.queries.pop(0)
        following = self._next_query()
        if following is not None:
            yield following
            return
        for refs in self.later_pages.values():
            refs.sort(key=lambda c: c.timestamp)
        yield from self._fetches()

    def _cc_request(self, capture: commoncrawl.CcCapture, **kwargs: Any) -> Request:
        url, headers = commoncrawl.record_request(self.replay, capture)
        return Request(url, headers=headers, dont_filter=True, **kwargs)

    def _cc_item(self, response: Response, capture: commoncrawl.CcCapture) -> PageItem | None:
        """The page in a fetched WARC record; ``None`` (counted) when it is not whole."""
        try:
            if response.status not in (200, 206):
                raise RecordError("malformed", f"HTTP {response.status}")
            stored = commoncrawl.capture_of(response.body, capture, data=self.replay)
        except RecordError as exc:
            self.logger.warning("%s: record of %s unreadable: %s", response.url,
                                capture.original, exc)  # fmt: skip
            self.crawler.stats.inc_value(f"newsarchive/errors/record_{exc.kind}")
            return None
        return page_of(stored)[1]

    # -- the captures, oldest first -----------------------------------------------------------

    def _fetches(self) -> Iterator[Request]:
        stats = self.crawler.stats
        known: set[str] = set()
        if self.db and Path(self.db).is_file():
            conn = connect(self.db, readonly=True, current_schema=False)
            try:
                known = origins.known_records(conn, self.origin, self.found)
            finally:
                conn.close()
        stats.set_value("newsarchive/backfill/already_imported", len(known))
        todo = sorted(
            (c for key, c in self.found.items() if key not in known),
            key=lambda c: (c.timestamp, c.original),
        )
        stats.set_value("newsarchive/backfill/to_fetch", len(todo))
        for n, capture in enumerate(todo):
            if isinstance(capture, commoncrawl.CcCapture):
                yield self._cc_request(
                    capture,
                    callback=self.parse_cc_record,
                    errback=self.failed,
                    cb_kwargs={"capture": capture},
                    priority=-n,
                )
                continue
            yield Request(
                cdx.replay_url(self.replay, capture.timestamp, capture.original),
                callback=self.parse_capture,
                errback=self.failed,
                cb_kwargs={"capture": capture},
                priority=-n,  # oldest first: revisions in time order
                dont_filter=True,
            )

    def _capture(self, response: Response, listed: cdx.CdxCapture, url: str) -> PageItem:
        timestamp = cdx.replayed_timestamp(response.url, listed.timestamp)
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, values in response.headers.items()
            for v in values
        ]
        real = response.replace(
            url=url,
            headers=cdx.original_headers(headers),
            request=Request(url),
        )
        page = read_page(real, extract=True)
        digest = listed.digest if timestamp == listed.timestamp else ""
        capture: Capture = dataclasses.replace(
            page.capture,
            fetched_at=cdx.timestamp_iso(timestamp),
            origin=CaptureOrigin(
                origin="wayback",
                source=self.cdx_url,
                record_id=f"{timestamp} {url}",
                payload_digest=f"sha1:{digest}" if digest else None,
            ),
        )
        return PageItem(captures=(capture,), result=page.result, error=page.error)

    def parse_capture(self, response: Response, capture: cdx.CdxCapture) -> Iterator[Any]:
        self.crawler.stats.inc_value("newsarchive/backfill/fetched")
        item = self._capture(response, capture, capture.original)
        result = item.result
        if isinstance(result, Article) and result.page_urls:
            state = {"first": item, "rest": [], "captures": [item.captures[0]]}
            yield from self._continue(state, list(result.page_urls), capture)
            return
        yield item

    def parse_cc_record(self, response: Response, capture: commoncrawl.CcCapture) -> Iterator[Any]:
        self.crawler.stats.inc_value("newsarchive/backfill/fetched")
        item = self._cc_item(response, capture)
        if item is None:
            return
        result = item.result
        if isinstance(result, Article) and result.page_urls:
            state = {"first": item, "rest": [], "captures": [item.captures[0]]}
            yield from self._continue(state, list(result.page_urls), capture)
            return
        yield item

    def _later(
        self, state: dict[str, Any], pending: list[str], capture: cdx.CdxCapture
    ) -> Request | None:
        url = pending[0]
        if self.common_crawl:
            listed = self.later_pages.get(url)
            if not listed:
                return None
            nearest = min(listed, key=lambda c: abs(int(c.timestamp) - int(capture.timestamp)))
            return self._cc_request(
                nearest,
                callback=self.parse_later,
                errback=self.later_failed,
                cb_kwargs={"state": state, "pending": pending, "capture": capture},
                meta={"listed": nearest},
                priority=1,
            )
        return Request(
            cdx.replay_url(self.replay, capture.timestamp, url),
            callback=self.parse_later,
            errback=self.later_failed,
            cb_kwargs={"state": state, "pending": pending, "capture": capture},
            priority=1,
            dont_filter=True,
        )

    def parse_later(
        self,
        response: Response,
        state: dict[str, Any],
        pending: list[str],
        capture: cdx.CdxCapture,
    ) -> Iterator[Any]:
        if self.common_crawl:
            item = self._cc_item(response, response.meta["listed"])
        else:
            listed = dataclasses.replace(capture, original=pending[0], digest="")
            item = self._capture(response, listed, pending[0])
        if item is not None and isinstance(item.result, Article) and item.error is None:
            state["rest"].append(item.result)
            state["captures"].append(item.captures[0])
        yield from self._continue(state, pending[1:], capture)

    def later_failed(self, failure: Failure) -> Iterator[Any]:
        kwargs = failure.request.cb_kwargs  # type: ignore[attr-defined]
        yield from self._continue(kwargs["state"], kwargs["pending"][1:], kwargs["capture"])

    def _continue(
        self, state: dict[str, Any], pending: list[str], capture: cdx.CdxCapture
    ) -> Iterator[Any]:
        while pending:
            request = self._later(state, pending, capture)
            if request is not None:
                yield request
                return
            pending = pending[1:]
        first: PageItem = state["first"]
        assert isinstance(first.result, Article)
        rest: list[Article] = state["rest"]
        missing = len(first.result.page_urls) - len(rest)
        yield PageItem(
            captures=tuple(state["captures"]),
            result=join_pages(first.result, rest) if rest else first.result,
            error="missing_pages" if missing > 0 else None,
        )

    def failed(self, failure: Failure) -> None:
        self.logger.warning("capture not fetched: %s", failure.getErrorMessage())
        self.crawler.stats.inc_value("newsarchive/errors/replay_failed")
