"""The single writer of a Redis fleet: drain the item queue into the archive.

Delivery is at least once, with the reliable-queue pattern:

1. ``LMOVE <prefix>:items <prefix>:items:processing RIGHT LEFT`` takes the oldest items one by
   one, each parked in the processing list in the same atomic step, up to ``batch`` of them.
   An item is always in exactly one of the two lists, so a writer killed at any instant loses
   nothing.
2. The ``ingest`` spider (:mod:`spiders.ingest`) yields them from its ``start()``, so Scrapy's
   own item pipeline manager runs each through whatever ``ITEM_PIPELINES`` the project settings
   name (the same pipelines as a single-machine crawl; the store commits each item).
3. Once Scrapy has reported every item of the batch (scraped, dropped or failed), the batch is
   acknowledged: the processing list is deleted.

A writer that starts and finds a non-empty processing list (its predecessor was killed between
1 and 3) processes those items first. Some of them may already be in the archive; storing them
again is harmless because the store is idempotent. An item that cannot be decoded, or that a
pipeline fails on with an unexpected error, is moved to ``<prefix>:items:dead`` with a logged
reason instead of blocking the queue.

Only one writer may drain a queue: it holds ``<prefix>:writer``, a :class:`redis.lock.Lock`
(token, atomic extend and release, ``LOCK_TTL`` seconds, extended every second by a keeper
thread). A second writer waits for it up to ``lock_wait`` seconds (long enough for the lock of
a killed writer to expire), then gives up with :class:`WriterBusy`. A writer whose lock was
lost (frozen past the TTL, or cut off from Redis) stops at once without acknowledging anything.

The writer also publishes what the archive holds for the members' incremental crawling
(:mod:`newsarchive.distributed.archived`), when it starts and when it stops.

After draining, the writer looks at the fleet's frontier: requests still queued, put off or
leased (``<prefix>:*:requests*``) mean the crawl is not over, and the archive is not complete
yet: :attr:`IngestReport.fleet_pending`, and ``newsarchive ingest`` exits non-zero.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import threading
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

import redis
from redis.exceptions import LockError
from redis.lock import Lock
from scrapy.crawler import AsyncCrawlerRunner
from scrapy.settings import Settings

from newsarchive.crawlhistory import EXIT_STATUS
from newsarchive.distributed import DEFAULT_PREFIX, QueueKeys
from newsarchive.distributed.archived import publish
from newsarchive.exitcodes import ExitCode
from newsarchive.store import Store

logger = logging.getLogger(__name__)

LOCK_TTL = 5


class WriterBusy(RuntimeError):
    """Another writer is draining the same queue."""


@dataclass(kw_only=True, slots=True)
class IngestReport:
    """What one ``ingest`` run did."""

    items: int = 0
    """Items taken off the queue and run through the pipelines."""
    recovered: int = 0
    """Of those, items found in the processing list at start (left by a killed writer)."""
    dropped: int = 0
    """Items a pipeline dropped (``DropItem``: duplicates, invalid records)."""
    dead: int = 0
    """Items moved to the dead-letter list."""
    batches: int = 0
    stopped_by_signal: bool = False
    lost_lock: bool = False
    """Another writer took the queue over (this one stalled past the lock's TTL)."""
    fleet_pending: int = 0
    """Requests still in the fleet's frontier, put off or leased when the writer stopped:
    the crawl is not over, the archive not complete yet."""
    finish_reason: str = ""
    run_id: int = 0
    """The archive's ``crawl_runs`` row of this ingest (spider ``ingest``)."""

    @property
    def exit_code(self) -> ExitCode:
        if self.lost_lock or self.finish_reason not in ("finished", "shutdown"):
            return ExitCode.FAILURE
        if self.stopped_by_signal or self.finish_reason == "shutdown":
            return ExitCode.INTERRUPTED
        if self.dead or self.fleet_pending:
            return ExitCode.PARTIAL
        return ExitCode.OK


class WriterLock:
    """``<prefix>:writer``: redis-py's :class:`~redis.lock.Lock`, its token naming the holder
    (``host:pid:random``) so ``redis-cli GET`` tells who drains the queue.

    A keeper thread extends it every second (redis-py's atomic, ownership-checked ``extend``),
    so a writer busy in a long pipeline step or a slow start keeps it, and only a writer that
    is gone (killed, frozen, cut off from Redis) loses it, ``ttl`` seconds later.
    """

    def __init__(self, server: redis.Redis, key: str, ttl: int = LOCK_TTL) -> None:
        self.server = server
        self.key = key
        self.ttl = ttl
        self.lock = Lock(server, key, timeout=ttl, sleep=0.2, thread_local=False)
        self.token = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._lost = threading.Event()
        self._keeper: threading.Thread | None = None

    def acquire(self, wait: float) -> None:
        if not self.lock.acquire(blocking=True, blocking_timeout=wait, token=self.token):
            holder = self.server.get(self.key)
            raise WriterBusy(f"another writer ({holder!r}) holds {self.key}")
        self._keeper = threading.Thread(target=self._keep, name="writer-lock", daemon=True)
        self._keeper.start()

    def _keep(self) -> None:
        while not self._stop.wait(1.0):
            try:
                self.lock.extend(self.ttl, replace_ttl=True)
            except (LockError, redis.RedisError) as exc:
                logger.error("lost %s (%s); this writer stops", self.key, exc)
                self._lost.set()
                return

    def keep_alive(self) -> bool:
        """``False`` once the lock is no longer ours (another writer may have taken over)."""
        return not self._lost.is_set()

    def release(self) -> None:
        self._stop.set()
        if self._keeper is not None:
            self._keeper.join(timeout=5)
        with contextlib.suppress(LockError):  # expired or taken over: nothing of ours left
            self.lock.release()


def _public_url(server: redis.Redis) -> str:
    """``redis://host:port/db`` of *server*, without a password, for the run's options."""
    kwargs = server.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
    return f"redis://{where}/{kwargs.get('db', 0)}"


class ReliableQueue:
    """The item queue plus its processing list (see the module docstring)."""

    def __init__(self, server: redis.Redis, keys: QueueKeys) -> None:
        self.server = server
        self.keys = keys

    def pending(self) -> int:
        """Items left in the processing list by an earlier writer."""
        return int(self.server.llen(self.keys.processing))

    def take(self, batch: int) -> list[bytes]:
        """Up to *batch* payloads, oldest first, parked in the processing list (without
        waiting). Returns what is already in the processing list if it is not empty (recovery).
        """
        parked = cast(list[bytes], self.server.lrange(self.keys.processing, 0, -1))
        if parked:
            return parked[::-1]
        first = self.server.lmove(self.keys.items, self.keys.processing, "RIGHT", "LEFT")
        if first is None:
            return []
        pipe = self.server.pipeline(transaction=False)
        for _ in range(batch - 1):
            pipe.lmove(self.keys.items, self.keys.processing, "RIGHT", "LEFT")
        return [cast(bytes, first), *(p for p in pipe.execute() if p is not None)]

    def bury(self, payload: bytes) -> None:
        """Keep an unprocessable payload in the dead-letter list."""
        self.server.lpush(self.keys.dead, payload)

    def ack(self) -> None:
        """Everything in the processing list is stored: forget it."""
        self.server.delete(self.keys.processing)


def fleet_pending(server: redis.Redis, prefix: str = DEFAULT_PREFIX) -> int:
    """Requests in every frontier under *prefix*: ready, put off or leased by a member."""
    total = 0
    for key in server.scan_iter(match=f"{prefix}:*:requests*", count=1000):
        name = key.decode() if isinstance(key, bytes) else str(key)
        if name.endswith((":requests", ":requests:later", ":requests:leases")):
            total += int(server.zcard(name))
    return total


def project_settings(db: str | Path, overrides: dict[str, Any] | None = None) -> Settings:
    """The crawl's own Scrapy settings, pointed at the archive *db*, for the ingest spider
    (no Twisted reactor: it runs on a fresh asyncio loop, so one process may ingest twice)."""
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.set("NEWSARCHIVE_DB", str(db), priority="cmdline")
    settings.set("TWISTED_REACTOR_ENABLED", False, priority="cmdline")
    settings.set("LOG_ENABLED", False, priority="cmdline")  # our loggers go to the CLI's setup
    for name, value in (overrides or {}).items():
        settings.set(name, value, priority="cmdline")
    return settings


def ingest(
    redis_url: str,
    db: str | Path,
    *,
    batch: int = 100,
    idle_timeout: float | None = None,
    prefix: str = DEFAULT_PREFIX,
    lock_wait: float = LOCK_TTL + 2,
    settings_overrides: dict[str, Any] | None = None,
    stop: threading.Event | None = None,
) -> IngestReport:
    """Drain ``<prefix>:items`` into the archive *db* until stopped.

    Stops when *stop* is set (the CLI sets it on SIGTERM/SIGINT; the current batch is finished
    first) or, if *idle_timeout* is given, once the queue has been empty that many seconds
    (``0``: drain what is queued now and return).
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    server = redis.Redis.from_url(redis_url)
    server.ping()
    keys = QueueKeys.for_prefix(prefix)
    lock = WriterLock(server, f"{prefix}:writer")
    lock.acquire(lock_wait)
    try:
        return _run(
            server,
            keys,
            lock,
            db,
            redis_url=redis_url,
            prefix=prefix,
            batch=batch,
            idle_timeout=idle_timeout,
            settings_overrides=settings_overrides,
            stop=stop or threading.Event(),
        )
    finally:
        lock.release()
        server.close()


def _run(
    server: redis.Redis,
    keys: QueueKeys,
    lock: WriterLock,
    db: str | Path,
    *,
    redis_url: str,
    prefix: str,
    batch: int,
    idle_timeout: float | None,
    settings_overrides: dict[str, Any] | None,
    stop: threading.Event,
) -> IngestReport:
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:
        run_id = store.start_run(
            "ingest", options={"redis": _public_url(server), "queue": keys.items, "batch": batch}
        )
    overrides = {**(settings_overrides or {}), "NEWSARCHIVE_RUN_ID": run_id}
    settings = project_settings(db, overrides)
    publish(server, Path(db), settings, prefix)
    runner = AsyncCrawlerRunner(settings)
    crawler = runner.create_crawler("ingest")
    report = IngestReport(run_id=run_id, finish_reason="unknown")
    spider_args = {
        "redis_url": redis_url,
        "prefix": prefix,
        "batch": batch,
        "idle_timeout": idle_timeout,
        "stop": stop,
        "keep_alive": lock.keep_alive,
    }
    logger.info("ingesting %s into %s", keys.items, db)
    try:
        asyncio.run(_crawl(runner, crawler, spider_args))
    finally:
        try:
            stats = dict(crawler.stats.get_stats())
            spider = crawler.spider
        except RuntimeError:  # the crawl never started
            stats, spider = {}, None
        report.items = int(stats.get("newsarchive/ingest/items", 0))
        report.recovered = int(stats.get("newsarchive/ingest/recovered", 0))
        report.dropped = int(stats.get("newsarchive/ingest/dropped", 0))
        report.dead = int(stats.get("newsarchive/ingest/dead", 0))
        report.batches = int(stats.get("newsarchive/ingest/batches", 0))
        report.finish_reason = str(stats.get("finish_reason", "unknown"))
        report.stopped_by_signal = stop.is_set()
        report.lost_lock = bool(getattr(spider, "lost_lock", False))
        report.fleet_pending = fleet_pending(server, prefix)
        if report.fleet_pending:
            logger.warning(
                "the fleet still has %d requests queued or in flight: the archive is not "
                "complete yet",
                report.fleet_pending,
            )
        with Store(db) as store:
            store.finish_run(run_id, exit_status=EXIT_STATUS[report.exit_code])
        if not report.lost_lock:
            publish(server, Path(db), settings, prefix)
    logger.info(
        "ingest done: %d items in %d batches (%d recovered, %d dropped, %d dead)",
        report.items,
        report.batches,
        report.recovered,
        report.dropped,
        report.dead,
    )
    return report


async def _crawl(runner: AsyncCrawlerRunner, crawler: Any, spider_args: dict[str, Any]) -> None:
    await runner.crawl(crawler, **spider_args)
