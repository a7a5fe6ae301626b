"""``newsarchive crawl … --redis URL``: one crawler process of a fleet.

The single-machine job (:func:`newsarchive.crawling.jobs.crawl`) takes the archive's writer
lock, opens a ``crawl_runs`` row and keeps resumable state beside the archive. A fleet member
does none of that: it never opens the archive. It runs the same spider with the same options,
settings and politeness, with the Redis overlay (:func:`newsarchive.distributed.redis_settings`)
on top, so

* its frontier and seen-set are the fleet's, in Redis (a stopped fleet resumes from there);
* its items go to the Redis item queue, for ``newsarchive ingest`` to store;
* its politeness is the fleet's: one delay and one concurrency limit per host for all
  members together (:mod:`newsarchive.distributed.politeness`);
* a request it took is leased, so the fleet gets it back if this process dies
  (:mod:`newsarchive.distributed.frontier`);
* it skips what the archive holds by the single crawl's rules, reading the index the writer
  published to Redis (:mod:`newsarchive.distributed.archived`).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import redis

from newsarchive.crawlhistory import INTERRUPT_REASONS
from newsarchive.crawling.options import IMPOLITE_SETTINGS, CrawlOptions
from newsarchive.crawling.runner import CrawlResult, Progress, build_settings, run_spider
from newsarchive.distributed import DEFAULT_PREFIX, redis_settings
from newsarchive.distributed.writer import fleet_pending
from newsarchive.exitcodes import ExitCode

#: Seen-set and fleet settings an operator may give as environment variables of the same name
#: (see :class:`newsarchive.distributed.bloom.BloomDupeFilter` and
#: :class:`newsarchive.distributed.fleet.FleetMonitor`).
FLEET_ENV = (
    "NEWSARCHIVE_SEEN_CAPACITY",
    "NEWSARCHIVE_SEEN_ERROR_RATE",
    "NEWSARCHIVE_SEEN_TTL",
    "NEWSARCHIVE_FLEET_SIZE",
    "NEWSARCHIVE_FLEET_WAIT",
    "NEWSARCHIVE_FLEET_LEASE",
    "NEWSARCHIVE_FLEET_STALE",
    "NEWSARCHIVE_FLEET_POLITE",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class FleetCrawlReport:
    """What one fleet member did (the archive's ``crawl_runs`` row is the writer's)."""

    result: CrawlResult
    exit_code: ExitCode
    fleet_pending: int = 0
    """Requests the fleet still had queued, put off or leased when this member stopped."""

    @property
    def pages_fetched(self) -> int:
        """Pages a server answered, as ``crawl_runs.pages_fetched`` counts them (robots.txt
        and downloads without a response not included)."""
        return self.result.progress.pages

    @property
    def items_pushed(self) -> int:
        return int(self.result.stats.get("newsarchive/redis/items_pushed", 0))

    @property
    def errors(self) -> int:
        """Pages that failed, as ``crawl_runs.errors`` counts them once ingested."""
        return self.result.progress.errors


def fleet_settings(
    options: CrawlOptions,
    redis_url: str,
    *,
    settings: Mapping[str, Any] | None = None,
    prefix: str = DEFAULT_PREFIX,
) -> dict[str, Any]:
    """The Scrapy setting overrides of a fleet member (what :func:`fleet_crawl` runs with)."""
    overrides = dict(settings or {})
    if not options.polite:
        overrides.update(IMPOLITE_SETTINGS)
    overrides.pop("JOBDIR", None)  # the fleet's frontier lives in Redis, not in a job dir
    overrides["NEWSARCHIVE_DB"] = ""  # a fleet member never opens the archive
    for name in FLEET_ENV:
        if os.environ.get(name):
            overrides.setdefault(name, os.environ[name])
    overrides.update(redis_settings(redis_url, prefix=prefix, base=build_settings(overrides)))
    return overrides


def fleet_crawl(
    options: CrawlOptions,
    redis_url: str,
    *,
    settings: Mapping[str, Any] | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    prefix: str = DEFAULT_PREFIX,
) -> FleetCrawlReport:
    """Run this process as one crawler of the fleet on *redis_url* until the fleet is done.

    Raises ``redis.ConnectionError`` when Redis does not answer. Exit code: ``INTERRUPTED``
    when stopped by a signal (its unfinished requests are back in the frontier), ``FAILURE``
    for any other unexpected finish, ``PARTIAL`` when some of this member's pages failed or
    the fleet still had requests queued or leased when it finished, else ``OK`` (also when
    the other members had already fetched everything).
    """
    server = redis.Redis.from_url(redis_url, socket_connect_timeout=10)
    try:
        server.ping()  # fail with a clear error before Scrapy starts (raises ConnectionError)
    finally:
        server.close()
    overrides = fleet_settings(options, redis_url, settings=settings, prefix=prefix)
    args = options.to_args()
    args.pop("db", None)
    result = run_spider("channel", args, settings=overrides, on_progress=on_progress)
    server = redis.Redis.from_url(redis_url, socket_connect_timeout=10)
    try:
        pending = fleet_pending(server, prefix)
    except redis.RedisError:
        pending = -1  # unknown: Redis went away
    finally:
        server.close()
    reason = result.finish_reason
    if reason in INTERRUPT_REASONS:
        code = ExitCode.INTERRUPTED
    elif reason != "finished" and not reason.startswith("closespider_"):
        code = ExitCode.FAILURE
    elif any(result.errors_by_kind.values()) or (reason == "finished" and pending != 0):
        # a member that ended while the fleet still had work it could not see to the end
        code = ExitCode.PARTIAL
    else:
        code = ExitCode.OK
    return FleetCrawlReport(result=result, exit_code=code, fleet_pending=pending)
