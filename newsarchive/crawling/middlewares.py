"""Downloader middlewares of the polite crawl: a User-Agent with a contact, retries with backoff.

Both replace a Scrapy built-in in ``newsarchive.settings`` (same position in the chain).
"""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

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


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retry middleware (5xx, 408, 429, timeouts, connection errors) that waits
    before each retry: ``NEWSARCHIVE_RETRY_BACKOFF`` seconds, doubled per attempt, at most
    ``NEWSARCHIVE_RETRY_BACKOFF_MAX``; a ``Retry-After`` header in seconds is honoured within
    that maximum. The wait holds only the retried request, not the download slot."""

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        self.backoff = float(settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF", 2.0))
        self.backoff_max = float(settings.getfloat("NEWSARCHIVE_RETRY_BACKOFF_MAX", 60.0))

    async def process_response(  # type: ignore[override]
        self, request: Request, response: Response, spider: Any = None
    ) -> Request | Response:
        result = super().process_response(request, response)
        if isinstance(result, Request):
            await self._wait(result, response.headers.get(b"Retry-After"))
        return result

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Any = None
    ) -> Request | Response | None:
        result = super().process_exception(request, exception)
        if isinstance(result, Request):
            await self._wait(result, None)
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

    async def _wait(self, retry: Request, retry_after: bytes | None) -> None:
        seconds = self.delay(int(retry.meta.get("retry_times", 1)), retry_after)
        if seconds <= 0:
            return
        logger.debug("waiting %.1fs before retrying %s", seconds, retry.url)
        await maybe_deferred_to_future(task.deferLater(_reactor(), seconds, lambda: None))


def _reactor() -> Any:
    # Imported late: importing the reactor module installs the default reactor, and Scrapy
    # installs the configured one first.
    from twisted.internet import reactor  # noqa: PLC0415

    return reactor
