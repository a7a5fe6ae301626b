"""Fleet-wide politeness: one host's delay and concurrency hold for the whole fleet.

Scrapy applies ``DOWNLOAD_DELAY`` and ``CONCURRENT_REQUESTS_PER_DOMAIN`` per process, so N
members would send a host N times what one crawler sends. :class:`FleetPoliteness`, a
downloader middleware placed after every other request-side middleware (robots.txt included),
asks Redis for a *turn* before each request goes out:

* ``<prefix>:polite:<host>:next`` (string): the earliest Redis server time (ms) at which the
  next request to *host* may start; each granted turn moves it ``delay`` further on;
* ``<prefix>:polite:<host>:inflight`` (sorted set): tokens of the requests to *host* in flight
  anywhere in the fleet, scored by when they are taken for lost (``DOWNLOAD_TIMEOUT`` + 30 s,
  so a killed member frees its turns).

One Lua script checks both and takes the turn atomically, so two members can never take the
same one. A request that must wait a short while (up to ``NEWSARCHIVE_FLEET_HOLD`` seconds,
default 2) waits in the middleware: it is not yet in a Scrapy download slot, so requests for
other hosts go ahead meanwhile. One that would wait longer goes back to Redis (the frontier's
``later`` set, due when the host is expected free) instead of occupying this member.

In a fleet the settings mean: ``DOWNLOAD_DELAY`` seconds at least between two requests to one
host from the whole fleet (AutoThrottle's starting delay if AutoThrottle is on, see
:func:`newsarchive.distributed.fleet_delay`; ``NEWSARCHIVE_FLEET_DELAY`` overrides it), at most
``CONCURRENT_REQUESTS_PER_DOMAIN`` of them in flight at once. Scrapy's own per-process delay
and AutoThrottle are switched off in a fleet member
(:func:`newsarchive.distributed.redis_settings`): they would delay a request *after* it took
its turn and so bunch requests together.
"""

from __future__ import annotations

import logging
import uuid
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import redis
from scrapy import Request
from scrapy.exceptions import NotConfigured
from scrapy.utils.defer import maybe_deferred_to_future
from twisted.internet import task

from newsarchive.distributed import DEFAULT_PREFIX, fleet_delay
from newsarchive.distributed.fleet import DEFER_META

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

#: Meta key of the turn a request holds while in flight.
TURN_META = "na_turn"

#: KEYS: next, inflight; ARGV: delay ms, concurrency, token, lost-after ms.
#: Returns 0 (go: the turn is taken) or the milliseconds to wait before asking again.
_TURN = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now)
local delay = tonumber(ARGV[1])
local nxt = tonumber(redis.call('GET', KEYS[1]) or '0')
if nxt > now then return nxt - now end
if redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[2]) then
  return math.max(delay, 50)
end
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[4]), ARGV[3])
redis.call('PEXPIRE', KEYS[2], tonumber(ARGV[4]))
redis.call('SET', KEYS[1], now + delay, 'PX', delay + 60000)
return 0
"""


def host_of(url: str) -> str:
    """The politeness key of *url*: its host name, lower case (Scrapy's download slot)."""
    return (urlsplit(url).hostname or "").lower()


class FleetPoliteness:
    """Downloader middleware: a fleet-wide turn per host before each request (see above)."""

    def __init__(
        self,
        server: redis.Redis,
        prefix: str,
        *,
        delay: float,
        concurrency: int,
        hold: float,
        lost_after: float,
        stats: Any = None,
    ) -> None:
        self.server = server
        self.prefix = prefix
        self.delay_ms = max(0, int(delay * 1000))
        self.concurrency = max(1, concurrency)
        self.hold = hold
        self.lost_after_ms = int(lost_after * 1000)
        self.stats = stats
        self._turn = server.register_script(_TURN)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FleetPoliteness:
        settings = crawler.settings
        url = settings.get("NEWSARCHIVE_REDIS_URL")
        if not url:
            raise NotConfigured("no Redis URL")
        if not settings.getbool("NEWSARCHIVE_FLEET_POLITE", True):
            raise NotConfigured("fleet politeness off (NEWSARCHIVE_FLEET_POLITE)")
        return cls(
            redis.Redis.from_url(url),
            settings.get("NEWSARCHIVE_REDIS_PREFIX", DEFAULT_PREFIX),
            delay=fleet_delay(settings),
            concurrency=settings.getint(
                "NEWSARCHIVE_FLEET_PER_HOST", settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN", 1)
            ),
            hold=settings.getfloat("NEWSARCHIVE_FLEET_HOLD", 2.0),
            lost_after=settings.getfloat("DOWNLOAD_TIMEOUT", 180.0) + 30.0,
            stats=crawler.stats,
        )

    def keys(self, host: str) -> list[str]:
        return [f"{self.prefix}:polite:{host}:next", f"{self.prefix}:polite:{host}:inflight"]

    def take_turn(self, host: str, token: str) -> float:
        """Take a turn for *host* (0.0) or learn how many seconds to wait before asking again."""
        wait_ms = int(
            self._turn(
                keys=self.keys(host),
                args=[self.delay_ms, self.concurrency, token, self.lost_after_ms],
            )
        )
        return wait_ms / 1000

    def end_turn(self, host: str, token: str) -> None:
        self.server.zrem(self.keys(host)[1], token)

    async def process_request(self, request: Request, spider: Any = None) -> Request | None:
        host = host_of(request.url)
        if not host:
            return None
        token = uuid.uuid4().hex
        waited = 0.0
        while True:
            wait = self.take_turn(host, token)
            if wait <= 0:
                request.meta[TURN_META] = (host, token)
                if self.stats is not None and waited:
                    self.stats.inc_value("newsarchive/fleet/polite_wait_s", round(waited, 3))
                return None
            if waited + wait > self.hold:
                # Put off through Redis instead of occupying this member.
                deferred = request.replace(dont_filter=True)
                deferred.meta[DEFER_META] = {"seconds": wait, "dont_filter": request.dont_filter}
                return deferred
            waited += wait
            await maybe_deferred_to_future(task.deferLater(_reactor(), wait, lambda: None))

    def process_response(self, request: Request, response: Response, spider: Any = None) -> Any:
        self._end(request)
        return response

    def process_exception(self, request: Request, exception: Exception, spider: Any = None) -> None:
        self._end(request)

    def _end(self, request: Request) -> None:
        turn = request.meta.pop(TURN_META, None)
        if turn is not None:
            host, token = turn
            self.end_turn(host, token)


def _reactor() -> Any:
    # Imported late: importing the reactor module installs the default reactor, and Scrapy
    # installs the configured one first.
    from twisted.internet import reactor  # noqa: PLC0415

    return cast(Any, reactor)
