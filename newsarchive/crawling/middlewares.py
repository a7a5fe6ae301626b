"""Downloader middlewares of the polite crawl: a User-Agent with a contact, retries with backoff.

Both replace a Scrapy built-in in ``newsarchive.settings`` (same position in the chain).
"""

from __future__ import annotations

import contextlib
import logging
import time
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import DontCloseSpider, IgnoreRequest

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

from newsarchive.config import user_agent

logger = logging.getLogger(__name__)


class ContactUserAgentMiddleware(UserAgentMiddleware):
    """Scrapy's User-Agent middleware with ``{contact}`` in ``USER_AGENT`` replaced by the
    ``NEWSARCHIVE_CONTACT`` setting, so site operators know whom to write to."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        contact = str(settings.get("NEWSARCHIVE_CONTACT") or "")
        middleware = cls(user_agent(str(settings.get("USER_AGENT") or ""), contact))
        crawler.signals.connect(middleware.spider_opened, signal=signals.spider_opened)
        return middleware


#: ``Request.meta`` key: the retry is not to be scheduled before this ``time.monotonic()``.
RETRY_NOT_BEFORE = "newsarchive_retry_not_before"


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware (5xx, 408, 429, timeouts, connection errors) that waits
    before each retry: ``NEWSARCHIVE_RETRY_BACKOFF`` seconds, doubled per attempt, at most
    ``NEWSARCHIVE_RETRY_BACKOFF_MAX``; a ``Retry-After`` header in seconds is honoured within
    that maximum.

    The wait holds no downloader slot: the retry request goes back to the engine at once,
    marked with the time it may be scheduled (:data:`RETRY_NOT_BEFORE`); when the engine
    schedules it (``request_scheduled``) too early, it is set aside on a timer and handed to
    the engine again when its time comes. Meanwhile every other request goes on, and the spider
    is not closed as idle while a retry waits. (A request fetched outside the scheduler, such as
    robots.txt, is retried at once.) A retry still waiting when the crawl stops is not made;
    its URL stays pending in the crawl frontier and the next run fetches it first.
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff = float(settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF", 2.0))
        self.backoff_max = float(settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_MAX", 60.0))
        self._crawler: Crawler | None = None
        self._waiting: dict[int, Any] = {}
        """Retries set aside, by ``id`` of the request: their timers (``IDelayedCall``)."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        middleware = cls(crawler.settings)
        middleware.crawler = crawler  # RetryMiddleware's own
        middleware._crawler = crawler
        crawler.signals.connect(middleware.request_scheduled, signal=signals.request_scheduled)
        crawler.signals.connect(middleware.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def process_response(
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            self._mark(result, response.headers.get(b"Retry-After"))
        return result

    def process_exception(
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            self._mark(result, None)
        return result

    def delay(self, attempt: int, retry_after: bytes | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1 for the first retry)."""
        if self.backoff <= 0:
            return 0.0
        wait = self.backoff * 2 ** max(0, attempt - 1)
        if retry_after:
            # Seconds; an HTTP date is not parsed (the computed backoff stands).
            with contextlib.suppress(ValueError):
                wait = max(wait, float(retry_after.decode("latin-1").strip()))
        return float(min(wait, self.backoff_max))

    def _mark(self, retry: Request, retry_after: bytes | None) -> None:
        seconds = self.delay(int(retry.meta.get("retry_times", 1)), retry_after)
        if seconds > 0:
            retry.meta[RETRY_NOT_BEFORE] = time.monotonic() + seconds

    # -- signals -----------------------------------------------------------------------------

    def request_scheduled(self, request: Request, **_: Any) -> None:
        """Set a retry aside until its time (raising ``IgnoreRequest`` keeps the engine from
        scheduling it now; nothing else sees it)."""
        not_before = request.meta.get(RETRY_NOT_BEFORE)
        if not_before is None:
            return
        wait = float(not_before) - time.monotonic()
        if wait <= 0 or self._crawler is None or self._crawler.engine is None:
            del request.meta[RETRY_NOT_BEFORE]
            return
        logger.debug("waiting %.1fs before retrying %s", wait, request.url)
        self._waiting[id(request)] = _reactor().callLater(wait, self._due, request)
        raise IgnoreRequest(f"retry of {request.url} waits {wait:.1f}s")

    def _due(self, request: Request) -> None:
        self._waiting.pop(id(request), None)
        request.meta.pop(RETRY_NOT_BEFORE, None)
        engine = self._crawler.engine if self._crawler is not None else None
        if engine is not None and getattr(engine, "spider", None) is not None:
            engine.crawl(request)

    def spider_idle(self, **_: Any) -> None:
        if self._waiting:
            raise DontCloseSpider(f"{len(self._waiting)} retries waiting")

    def spider_closed(self, **_: Any) -> None:
        waiting, self._waiting = self._waiting, {}
        for call in waiting.values():
            if call.active():
                call.cancel()
        if waiting:
            logger.warning("%d retries still waiting were not made", len(waiting))


def _reactor() -> Any:
    # Imported late: importing the reactor module installs the default reactor, and Scrapy
    # installs the configured one first.
    from twisted.internet import reactor  # noqa: PLC0415

    return reactor
