"""robots.txt as RFC 9309 says, for every request.

Replaces Scrapy's ``RobotsTxtMiddleware`` (same position, ``newsarchive.settings``). What a
host's robots.txt fetch ends in decides what the crawl may fetch from it (RFC 9309 §2.3.1):

* 2xx: its rules;
* 4xx ("unavailable", 429 aside): no rules, everything is allowed;
* 5xx, 429, a timeout, a refused or reset connection, a redirect off the crawl's channels
  ("unreachable"): **nothing** from that host for now. Each request to it fails with
  :class:`RobotsUnavailable` (error kind ``robots_unavailable``, recorded like any fetch
  that got no response, so the next run requests those pages again), and robots.txt is
  asked again once ``NEWSARCHIVE_ROBOTS_RECHECK`` seconds have passed.

Scrapy 2.19 instead treats an unreachable robots.txt as "allow everything" (and logs a
traceback at ERROR), and with the asyncio reactor gives the rules only to the first of the
requests that waited for them, letting the others through unchecked. Here every waiter gets
the verdict, and an unreachable robots.txt is one WARNING line per host.

The robots.txt request itself goes through the other downloader middlewares: it is retried
like any page, and :class:`newsarchive.crawling.offsite.ChannelHostsMiddleware` lets it
through only for a host the crawl fetches pages from.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http.request import NO_CALLBACK
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

#: Statuses of a robots.txt answer that mean "unreachable" besides 5xx (RFC 9309 leaves
#: 429 to the crawler; like 5xx it asks the crawler to come back later).
UNREACHABLE_STATUSES = frozenset({429})


class RobotsUnavailable(IgnoreRequest):
    """A request not sent because its host's robots.txt could not be fetched (error kind
    ``robots_unavailable``): RFC 9309 says to fetch nothing from the host until it can."""


@dataclass(frozen=True, slots=True)
class Unreachable:
    """A host whose robots.txt could not be fetched: why, and when to ask again."""

    reason: str
    retry_at: float
    """``time.monotonic()`` after which robots.txt is fetched again."""


#: What a host's robots.txt gave: rules, ``None`` (no rules: everything allowed) or
#: unreachable.
Verdict = Any  # RobotParser | None | Unreachable (RobotParser is a Protocol of Scrapy's)


class RobotsMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware with RFC 9309's answer to an unreachable robots.txt
    ("fetch nothing for now") and the verdict given to every request that waited for it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.recheck = crawler.settings.getfloat("NEWSARCHIVE_ROBOTS_RECHECK", 600.0)
        self._verdicts: dict[str, Verdict | Deferred[Verdict]] = {}

    async def process_request(self, request: Request, spider: Any = None) -> None:
        if request.meta.get("dont_obey_robotstxt"):
            return
        if urlparse_cached(request).scheme not in ("http", "https"):
            return
        verdict = await self.verdict(request)
        if isinstance(verdict, Unreachable):
            self._stats.inc_value("robotstxt/unavailable_refused")
            raise RobotsUnavailable(
                f"robots.txt of {urlparse_cached(request).netloc} unavailable "
                f"({verdict.reason}): nothing is fetched from that host for now"
            )
        self.process_request_2(verdict, request)  # raises IgnoreRequest when forbidden

    async def robot_parser(self, request: Request) -> RobotParser | None:
        """Scrapy's hook: the rules for ``request``'s host (``None`` for none or unreachable)."""
        verdict = await self.verdict(request)
        return None if isinstance(verdict, Unreachable) else verdict

    async def verdict(self, request: Request) -> Verdict:
        """What ``request``'s host's robots.txt says, fetching it first if needed (once per
        host; later requests wait for that fetch)."""
        netloc = urlparse_cached(request).netloc
        known = self._verdicts.get(netloc)
        if isinstance(known, Deferred):
            mine: Deferred[Verdict] = Deferred()

            def relay(result: Verdict) -> Verdict:
                mine.callback(result)
                return result  # keep it for the next waiter

            known.addCallback(relay)
            return await maybe_deferred_to_future(mine)
        if netloc in self._verdicts and not (
            isinstance(known, Unreachable) and time.monotonic() >= known.retry_at
        ):
            return known
        waiting: Deferred[Verdict] = Deferred()
        self._verdicts[netloc] = waiting
        try:
            verdict = await self._fetch(request, netloc)
        except BaseException as exc:  # cancelled: let the next request fetch it again
            del self._verdicts[netloc]
            waiting.callback(Unreachable(f"fetch cancelled: {exc!r}", time.monotonic()))
            raise
        self._verdicts[netloc] = verdict
        waiting.callback(verdict)
        return verdict

    async def _fetch(self, request: Request, netloc: str) -> Verdict:
        url = urlparse_cached(request)
        robots = Request(
            f"{url.scheme}://{netloc}/robots.txt",
            priority=self.DOWNLOAD_PRIORITY,
            meta={"dont_obey_robotstxt": True},
            callback=NO_CALLBACK,
        )
        self._stats.inc_value("robotstxt/request_count")
        try:
            response = await self.crawler.engine.download_async(robots)
        except Exception as exc:  # every failure is "unreachable" (RFC 9309)
            return self._unreachable(netloc, f"{type(exc).__name__}: {exc}")
        return await self._answer(response, netloc, request)

    async def _answer(self, response: Response, netloc: str, request: Request) -> Verdict:
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{response.status}")
        status = response.status
        if status >= 500 or status in UNREACHABLE_STATUSES:
            return self._unreachable(netloc, f"HTTP {status}")
        if status >= 400:
            logger.info("robots.txt of %s: HTTP %d, no rules (everything allowed)", netloc, status)
            return None
        if status >= 300:  # a redirect Scrapy did not follow (too many, or to no URL)
            return self._unreachable(netloc, f"HTTP {status} not followed")
        parser = build_from_crawler(self._parserimpl, self.crawler, response.body)
        await self.crawler.signals.send_catch_log_async(
            signal=signals.robots_parsed,
            robotparser=parser,
            request=request,
        )
        return parser

    def _unreachable(self, netloc: str, reason: str) -> Unreachable:
        logger.warning(
            "robots.txt of %s unavailable (%s): fetching nothing from %s for now "
            "(asked again in %.0fs or by the next run)",
            netloc,
            reason,
            netloc,
            self.recheck,
        )
        self._stats.inc_value("robotstxt/unavailable")
        return Unreachable(reason, time.monotonic() + self.recheck)
