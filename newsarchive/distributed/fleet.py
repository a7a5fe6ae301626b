"""The Scrapy components that make several crawler processes behave as one crawl.

* :class:`StartThroughSeenSet` sends start requests through the shared seen-set. Scrapy marks
  start requests ``dont_filter=True``; in a fleet that would fetch every start page once per
  process.
* :class:`FleetScheduler` is scrapy-redis's scheduler on a leased frontier
  (:mod:`newsarchive.distributed.frontier`): a request a member took is acknowledged only once
  Scrapy is done with its response, and returns to the frontier if the member dies. Requests
  that bypass the duplicate filter (``dont_filter``: later pages of a multi-page article,
  retries) are still recorded in the seen-set, so no other member fetches the same URL from a
  link.
* fleet-wide politeness (one delay and one concurrency limit per host for the whole fleet) is
  :mod:`newsarchive.distributed.politeness`.
* robots.txt goes through the single-machine crawl's
  :class:`newsarchive.crawling.robots.RobotsMiddleware` (project settings),
  which gives every request waiting for a host's robots.txt the rules.
* :class:`FleetMonitor` keeps a crawler alive while the fleet still has work. With a shared
  frontier a process that runs out of queued requests is not done: a sibling may be parsing a
  page whose links are about to land in the queue. Each process records its state in the Redis
  hash ``<prefix>:<spider>:crawlers`` (``{"state": "busy"|"idle", "at": <unix time>}``, refreshed
  every two seconds) and closes only when the frontier is empty and every live sibling has been
  idle for ``NEWSARCHIVE_FLEET_GRACE`` seconds (default 2), and no member holds a lease (a dead
  member's leases come back to the frontier when they expire). A sibling that stopped refreshing
  for ``NEWSARCHIVE_FLEET_STALE`` seconds (default 15; a crashed process) no longer counts.
  With ``NEWSARCHIVE_FLEET_SIZE=N`` a member queues its start requests but fetches nothing
  until N members have joined (or ``NEWSARCHIVE_FLEET_WAIT`` seconds, default 60, passed).
"""

from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, cast

import redis
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy_redis.scheduler import Scheduler
from twisted.internet import task

from newsarchive.distributed.bloom import BloomDupeFilter
from newsarchive.distributed.frontier import LeasedPriorityQueue

#: Meta key of a request fleet politeness put off: ``{"seconds": …, "dont_filter": …}``.
DEFER_META = "na_defer"

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

#: Seconds between two looks at the fleet while this process waits for work.
POLL_INTERVAL = 0.25


class StartThroughSeenSet:
    """Spider middleware: start requests are filtered by the shared seen-set like any other."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StartThroughSeenSet:
        if not crawler.settings.get("NEWSARCHIVE_REDIS_URL"):
            raise NotConfigured("no Redis URL")
        return cls()

    async def process_start(self, start: AsyncIterator[Any]) -> AsyncIterator[Any]:
        async for item_or_request in start:
            yield _filtered(item_or_request)


def _filtered(item_or_request: Any) -> Any:
    if isinstance(item_or_request, Request) and item_or_request.dont_filter:
        return item_or_request.replace(dont_filter=False)
    return item_or_request


class FleetScheduler(Scheduler):  # type: ignore[misc]  # scrapy-redis is untyped
    """scrapy-redis's scheduler on a leased frontier
    (:class:`~newsarchive.distributed.frontier.LeasedPriorityQueue`).

    * ``dont_filter`` requests are recorded in the seen-set too;
    * a request taken from the frontier is acknowledged once Scrapy's scraper has finished with
      its response or failure (callback output scheduled, items through the pipelines), and
      a retry or redirect that replaces it is queued and acknowledged in one transaction;
    * a request put off by :class:`~newsarchive.distributed.politeness.FleetPoliteness`
      (``meta["na_defer"]``: seconds) goes to the frontier's ``later`` set, bypassing the
      seen-set;
    * leases are renewed every third of ``NEWSARCHIVE_FLEET_LEASE``; a member that stops
      returns its unfinished leases to the frontier.
    """

    crawler: Crawler | None = None
    queue: LeasedPriorityQueue

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetScheduler:
        scheduler = cast(FleetScheduler, super().from_crawler(crawler))
        scheduler.crawler = crawler
        crawler.signals.connect(scheduler._hook_scraper, signal=signals.spider_opened)
        crawler.signals.connect(scheduler._release_leaked, signal=signals.spider_idle)
        return scheduler

    def open(self, spider: Any) -> Any:
        result = super().open(spider)
        if not isinstance(self.queue, LeasedPriorityQueue):
            raise NotConfigured("FleetScheduler needs SCHEDULER_QUEUE_CLASS LeasedPriorityQueue")
        if not isinstance(self.df, BloomDupeFilter):
            raise NotConfigured("FleetScheduler needs DUPEFILTER_CLASS BloomDupeFilter")
        self.queue.reclaim()
        self._renewal = task.LoopingCall(self.queue.renew)
        self._renewal.start(self.queue.lease_ms / 3000, now=False)
        return result

    def close(self, reason: str) -> Any:
        renewal = getattr(self, "_renewal", None)
        if renewal is not None and renewal.running:
            renewal.stop()
        released = self.queue.release_all()
        if self.stats is not None and released:
            self.stats.set_value("newsarchive/fleet/released", released)
        if self.stats is not None:
            self.stats.set_value("newsarchive/fleet/reclaimed", self.queue.reclaimed)
        return super().close(reason)

    def enqueue_request(self, request: Request) -> bool:
        defer = request.meta.pop(DEFER_META, None)
        if defer is not None:
            request.dont_filter = bool(defer.get("dont_filter", False))
            self.queue.defer(request, float(defer["seconds"]))
            if self.stats is not None:
                self.stats.inc_value("newsarchive/fleet/deferred")
            return True
        # Claimed in the seen-set and queued in one step (LeasedPriorityQueue.push). Queued
        # even if seen: dont_filter requests (claimed all the same) and redirected ones (as
        # the single crawl's filter: a withdrawal answered by a redirect to a page fetched
        # before must reach the archive). A replaced lease is acknowledged in that step too.
        force = bool(request.dont_filter or request.meta.get("redirect_urls"))
        claim = self.df.claim(request)
        new = self.df.bloom.claimed(self.queue.push(request, claim=claim, force=force))
        if not (new or force):
            self.df.log(request, self.spider)
            return False
        if self.stats is not None:
            self.stats.inc_value("scheduler/enqueued/redis", spider=self.spider)
        return True

    def has_pending_requests(self) -> bool:
        """Only requests ready in the frontier: leased and put-off ones keep the member alive
        through :class:`FleetMonitor` instead, which polls sooner than Scrapy's heartbeat."""
        return self.queue.ready() > 0

    def _hook_scraper(self, spider: Any) -> None:
        """Acknowledge each request when Scrapy's scraper is done with it.

        ``ScraperSlot.finish_response(result, request)`` is called once the callback's or
        errback's whole output went through (requests scheduled, items through every
        pipeline): the one moment a page is done. Scrapy sends no signal then, so the slot's
        method is wrapped.
        """
        assert self.crawler is not None and self.crawler.engine is not None
        slot = self.crawler.engine.scraper.slot
        if slot is None:
            raise RuntimeError("the scraper has no slot at spider_opened")
        finish = slot.finish_response
        queue = self.queue

        def finish_and_ack(result: Any, request: Request) -> None:
            finish(result, request)
            queue.ack(request)

        slot.finish_response = finish_and_ack  # type: ignore[method-assign]

    def _release_leaked(self, spider: Any) -> None:
        """An idle member holds no request; a lease it still has leaked: give it back."""
        if self.queue.held:
            logger.warning("idle but holding %d leases; returning them", len(self.queue.held))
            self.queue.release_all()


class FleetMonitor:
    """Extension: hold the spider open while the fleet has work; see the module docstring."""

    def __init__(self, crawler: Crawler, server: redis.Redis, prefix: str) -> None:
        self.crawler = crawler
        self.server = server
        self.prefix = prefix
        self.grace = crawler.settings.getfloat("NEWSARCHIVE_FLEET_GRACE", 2.0)
        self.stale = crawler.settings.getfloat("NEWSARCHIVE_FLEET_STALE", 15.0)
        self.size = crawler.settings.getint("NEWSARCHIVE_FLEET_SIZE", 0)
        self.wait = crawler.settings.getfloat("NEWSARCHIVE_FLEET_WAIT", 60.0)
        self._waiting_since = 0.0
        self.member = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
        self.busy = True
        self.idle_since: float | None = None
        self.hash_key = ""
        self.queue_key = ""
        self._last_write = 0.0

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetMonitor:
        url = crawler.settings.get("NEWSARCHIVE_REDIS_URL")
        if not url:
            raise NotConfigured("no Redis URL")
        prefix = crawler.settings.get("NEWSARCHIVE_REDIS_PREFIX", "newsarchive")
        monitor = cls(crawler, redis.Redis.from_url(url), prefix)
        crawler.signals.connect(monitor.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(monitor.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(monitor.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(monitor.working, signal=signals.request_reached_downloader)
        crawler.signals.connect(monitor.working, signal=signals.response_received)
        return monitor

    def spider_opened(self, spider: Any) -> None:
        self.hash_key = f"{self.prefix}:{spider.name}:crawlers"
        queue_key = self.crawler.settings.get("SCHEDULER_QUEUE_KEY", "%(spider)s:requests")
        self.queue_key = queue_key % {"spider": spider.name}
        self._write()
        logger.info("fleet member %s joined %s", self.member, self.hash_key)
        if self.size > 1:
            self.crawler.engine.pause()  # start requests are queued; nothing is fetched yet
            self._waiting_since = time.time()
            self._wait_for_fleet()

    def _wait_for_fleet(self) -> None:
        """Hold downloads until ``NEWSARCHIVE_FLEET_SIZE`` members have joined (at most
        ``NEWSARCHIVE_FLEET_WAIT`` seconds), so that a fleet started together shares the work
        from the first page instead of a fast starter taking it all."""
        members = int(self.server.hlen(self.hash_key))
        waited = time.time() - self._waiting_since
        if members >= self.size or waited >= self.wait:
            if members < self.size:
                logger.warning(
                    "fleet: %d of %d members after %.0fs; crawling anyway",
                    members,
                    self.size,
                    waited,
                )
            self.crawler.engine.unpause()
            self._poll_soon(0.0)  # look at the frontier now, not at the next 5 s heartbeat
            return
        _reactor().callLater(0.1, self._wait_for_fleet)

    def working(self, *args: Any, **kwargs: Any) -> None:
        if not self.busy:
            self.busy = True
            self.idle_since = None
            self._write()
        elif time.time() - self._last_write > 2.0:
            self._write()

    def spider_idle(self, spider: Any) -> None:
        now = time.time()
        if self.busy:
            self.busy = False
            self.idle_since = now
            self._write()
        elif now - self._last_write > 2.0:
            self._write()
        if self._queued() > 0 or self._busy_siblings(now):
            self.idle_since = now
            self._poll_soon()
            raise DontCloseSpider("the fleet still has work")
        if self.idle_since is None or now - self.idle_since < self.grace:
            self.idle_since = self.idle_since or now
            self._poll_soon()
            raise DontCloseSpider("waiting out the fleet's grace period")
        logger.info("fleet member %s: frontier empty and fleet idle; closing", self.member)

    def spider_closed(self, spider: Any, reason: str) -> None:
        if self.hash_key:
            self.server.hdel(self.hash_key, self.member)

    def _write(self) -> None:
        if not self.hash_key:
            return
        self._last_write = time.time()
        state = {"state": "busy" if self.busy else "idle", "at": self._last_write}
        self.server.hset(self.hash_key, self.member, json.dumps(state))

    def _queued(self) -> int:
        """Requests in the frontier, put off for politeness, or leased by any member (a dead
        member's leases come back to the frontier when they expire: wait for them)."""
        pipe = self.server.pipeline(transaction=False)
        for key in (self.queue_key, f"{self.queue_key}:later", f"{self.queue_key}:leases"):
            pipe.zcard(key)
        return sum(int(n) for n in pipe.execute())

    def _busy_siblings(self, now: float) -> bool:
        for member, raw in self.server.hgetall(self.hash_key).items():
            name = member.decode() if isinstance(member, bytes) else member
            if name == self.member:
                continue
            state = json.loads(raw)
            silent = now - float(state["at"])
            if silent > 20 * self.stale:  # long dead: forget it
                self.server.hdel(self.hash_key, member)
            if silent > self.stale:
                continue  # a crashed sibling: it holds nobody open
            if state["state"] == "busy":
                return True
        return False

    def _poll_soon(self, delay: float = POLL_INTERVAL) -> None:
        """Ask the engine to look at the frontier again shortly instead of in 5 s.

        Scrapy only re-checks an idle spider on its 5-second heartbeat; ``_slot.nextcall`` is
        the engine's own "look again" hook (private, hence the guard).
        """
        engine = self.crawler.engine
        slot = getattr(engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            _reactor().callLater(delay, nextcall.schedule)


def _reactor() -> Any:
    # Imported late: importing the reactor module installs the default reactor (and a process
    # that later runs Scrapy without one, like the ingest writer, could no longer do so).
    from twisted.internet import reactor  # noqa: PLC0415

    return cast(Any, reactor)
