"""Distributed crawling on Redis: many crawler processes, one frontier, one writer.

``newsarchive crawl … --redis redis://HOST:PORT/DB`` applies :func:`redis_settings` on top of the
normal crawl settings. Then

* the frontier and the seen-set live in Redis (scrapy-redis's scheduler as
  :class:`~newsarchive.distributed.fleet.FleetScheduler`, with our Bloom-filter duplicate
  filter :class:`~newsarchive.distributed.bloom.BloomDupeFilter`), so any number of crawler
  processes share them and each page is fetched once across the fleet;
* the crawler writes no SQLite: its only item pipeline,
  :class:`pipelines.redis_queue.RedisQueuePipeline`, pushes each
  :class:`~newsarchive.records.PageItem` (record and captures) to the item queue;
* one writer, ``newsarchive ingest`` (:func:`newsarchive.distributed.writer.ingest`), drains that
  queue through the normal pipelines into the archive.

Redis keys (``prefix`` defaults to ``newsarchive``; ``<spider>`` is the spider's name)::

    <prefix>:<spider>:requests       zset   the frontier (scrapy-redis priority queue)
    <prefix>:<spider>:requests:*     leases, taken, seq, later (newsarchive.distributed.frontier)
    <prefix>:polite:<host>:*         next, inflight: fleet-wide turns per host (….politeness)
    <prefix>:archive:*               the archive published for incremental members (….archived)
    <prefix>:<spider>:seen           string the seen-set, a Bloom filter bitmap
    <prefix>:<spider>:seen:params    string its size, hash count and salt (JSON)
    <prefix>:<spider>:crawlers       hash   fleet members and their busy/idle state
    <prefix>:items                   list   queued PageItems (JSON), pushed left, taken right
    <prefix>:items:processing        list   items the writer has taken but not yet committed
    <prefix>:items:dead              list   items the writer could not read or store
    <prefix>:writer                  string the writer's redis-py Lock

docs/distributed.md documents every key.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_PREFIX = "newsarchive"


@dataclass(frozen=True, kw_only=True, slots=True)
class QueueKeys:
    """The Redis keys of the item queue under one prefix."""

    items: str
    processing: str
    dead: str

    @classmethod
    def for_prefix(cls, prefix: str = DEFAULT_PREFIX) -> QueueKeys:
        return cls(
            items=f"{prefix}:items",
            processing=f"{prefix}:items:processing",
            dead=f"{prefix}:items:dead",
        )


def redis_settings(url: str, *, prefix: str = DEFAULT_PREFIX, base: Any = None) -> dict[str, Any]:
    """The Scrapy settings that turn a crawl into a member of a Redis fleet.

    Component dicts (``SPIDER_MIDDLEWARES``, ``EXTENSIONS``) hold
    our additions merged into
    those of *base* (Scrapy ``Settings``; ``None``: ours alone). ``ITEM_PIPELINES`` is
    replaced: a fleet crawler pushes items to Redis and stores nothing itself.
    """
    components: dict[str, dict[str, Any]] = {
        "SPIDER_MIDDLEWARES": {
            "newsarchive.distributed.fleet.StartThroughSeenSet": 10,
            # the single crawl's IncrementalMiddleware (950) is off without an archive
            "newsarchive.distributed.archived.FleetIncrementalMiddleware": 951,
        },
        "DOWNLOADER_MIDDLEWARES": {"newsarchive.distributed.politeness.FleetPoliteness": 900},
        "EXTENSIONS": {"newsarchive.distributed.fleet.FleetMonitor": 500},
    }
    politeness: dict[str, Any] = {}
    if base is not None:
        components = {name: {**base.getdict(name), **ours} for name, ours in components.items()}
    if base is not None and base.getbool("NEWSARCHIVE_FLEET_POLITE", True):
        # The fleet takes over the per-host delay and concurrency (fleet-wide, in Redis);
        # Scrapy's per-process delay and AutoThrottle would only bunch requests together.
        politeness = {
            "NEWSARCHIVE_FLEET_DELAY": fleet_delay(base),
            "DOWNLOAD_DELAY": 0,
            "DOWNLOAD_DELAY_JITTER": 0,
            "RANDOMIZE_DOWNLOAD_DELAY": False,
            "AUTOTHROTTLE_ENABLED": False,
        }
    return {
        "NEWSARCHIVE_REDIS_URL": url,
        "NEWSARCHIVE_REDIS_PREFIX": prefix,
        "REDIS_URL": url,
        "SCHEDULER": "newsarchive.distributed.fleet.FleetScheduler",
        "SCHEDULER_PERSIST": True,  # one member closing must not flush the fleet's frontier
        "SCHEDULER_QUEUE_CLASS": "newsarchive.distributed.frontier.LeasedPriorityQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:%(spider)s:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:%(spider)s:seen",
        "DUPEFILTER_CLASS": "newsarchive.distributed.bloom.BloomDupeFilter",
        "ITEM_PIPELINES": {"pipelines.redis_queue.RedisQueuePipeline": 900},
        **politeness,
        **components,
    }


def fleet_delay(settings: Any) -> float:
    """The fleet-wide delay between two requests to one host for Scrapy *settings*:
    ``NEWSARCHIVE_FLEET_DELAY`` if set, else ``DOWNLOAD_DELAY``, raised to AutoThrottle's
    starting delay when AutoThrottle is on (a member cannot run AutoThrottle fleet-wide, so
    the fleet keeps to its most cautious point: never faster than one crawler starts)."""
    given = settings.getfloat("NEWSARCHIVE_FLEET_DELAY", -1.0)
    if given >= 0:
        return float(given)
    delay = settings.getfloat("DOWNLOAD_DELAY", 0.0)
    if settings.getbool("AUTOTHROTTLE_ENABLED"):
        delay = max(delay, settings.getfloat("AUTOTHROTTLE_START_DELAY", 5.0))
    return float(delay)


def apply_redis(settings: Any, url: str, *, prefix: str = DEFAULT_PREFIX) -> None:
    """Switch Scrapy *settings* (a mutable ``scrapy.settings.Settings``) to Redis mode in place.

    Without a call to this function nothing about a crawl changes.
    """
    for name, value in redis_settings(url, prefix=prefix, base=settings).items():
        settings.set(name, value, priority="cmdline")


__all__ = ["DEFAULT_PREFIX", "QueueKeys", "apply_redis", "fleet_delay", "redis_settings"]
