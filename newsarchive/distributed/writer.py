"""The single writer of a Redis fleet: drain the item queue into the archive.

Delivery is at least once, with the reliable-queue pattern:

1. ``BLMOVE <prefix>:items <prefix>:items:processing RIGHT LEFT`` takes the oldest item and, in
   the same atomic step, parks it in the processing list (then up to ``batch - 1`` more with
   ``LMOVE``). An item is always in exactly one of the two lists, so a writer killed at any
   instant loses nothing.
2. Each item runs through the project's item pipelines, the same ones a single-machine crawl
   uses (normalise → validate → store); the store commits each item in its own
   transaction.
3. Only then is the batch acknowledged: the processing list is deleted.

A writer that starts and finds a non-empty processing list (its predecessor was killed between
1 and 3) processes those items first. Some of them may already be in the archive; storing them
again is harmless because the store is idempotent (a known URL with the same content is
``unchanged``; see :mod:`newsarchive.store.writer`). An item that cannot be decoded, or that a
pipeline fails on with an unexpected error, is moved to ``<prefix>:items:dead`` with a logged
reason instead of blocking the queue.

Only one writer may drain a queue: the writer holds ``<prefix>:writer`` (``SET NX`` with a
5-second expiry, refreshed every second). A second writer waits for it up to ``lock_wait``
seconds (long enough for the lock of a killed writer to expire), then gives up with
:class:`WriterBusy`; a lock whose holder was a process on this host that no longer exists is
taken over at once.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import socket
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import redis
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.settings import Settings
from scrapy.statscollectors import MemoryStatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import build_from_crawler, load_object

from newsarchive.crawlhistory import EXIT_STATUS
from newsarchive.distributed import DEFAULT_PREFIX, QueueKeys
from newsarchive.distributed.codec import BadQueueItem, decode_item, item_url
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
    dropped: Counter[str] = field(default_factory=Counter)
    """Items a pipeline dropped, by pipeline class name."""
    dead: int = 0
    """Items moved to the dead-letter list."""
    batches: int = 0
    stopped_by_signal: bool = False
    run_id: int = 0
    """The archive's ``crawl_runs`` row of this ingest (spider ``ingest``)."""


class WriterLock:
    """``<prefix>:writer``: who is draining the queue, expiring unless refreshed."""

    def __init__(self, server: redis.Redis, key: str, ttl: int = LOCK_TTL) -> None:
        self.server = server
        self.key = key
        self.ttl = ttl
        self.me = f"{socket.gethostname()}:{os.getpid()}".encode()
        self._refreshed = 0.0

    def acquire(self, wait: float) -> None:
        deadline = time.monotonic() + wait
        while not self.server.set(self.key, self.me, nx=True, ex=self.ttl):
            if self._take_over_from_dead_holder():
                break
            if time.monotonic() >= deadline:
                holder = self.server.get(self.key)
                raise WriterBusy(f"another writer ({holder!r}) holds {self.key}")
            logger.info("waiting for %s (held by %r)", self.key, self.server.get(self.key))
            time.sleep(0.5)
        self._refreshed = time.monotonic()

    def _take_over_from_dead_holder(self) -> bool:
        """Take the lock at once from a writer on this host whose process is gone (killed)."""
        holder = self.server.get(self.key)
        if not isinstance(holder, bytes):
            return False
        host, _, pid = holder.decode(errors="replace").rpartition(":")
        if host != socket.gethostname() or not pid.isdigit() or _alive(int(pid)):
            return False
        with self.server.pipeline() as pipe:
            try:
                cast(Any, pipe).watch(self.key)
                if pipe.get(self.key) != holder:
                    return False
                pipe.multi()
                pipe.set(self.key, self.me, ex=self.ttl)
                pipe.execute()
            except redis.WatchError:
                return False
        logger.warning("took over %s from writer %s, which is no longer running", self.key, holder)
        return True

    def refresh(self) -> None:
        """Extend the lock; cheap to call often (writes at most once a second)."""
        now = time.monotonic()
        if now - self._refreshed >= 1.0:
            self.server.set(self.key, self.me, ex=self.ttl)
            self._refreshed = now

    def release(self) -> None:
        if self.server.get(self.key) == self.me:
            self.server.delete(self.key)


def _public_url(server: redis.Redis) -> str:
    """``redis://host:port/db`` of *server*, without a password, for the run's options."""
    kwargs = server.connection_pool.connection_kwargs
    where = kwargs.get("path") or f"{kwargs.get('host', '?')}:{kwargs.get('port', '?')}"
    return f"redis://{where}/{kwargs.get('db', 0)}"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


class ReliableQueue:
    """The item queue plus its processing list (see the module docstring)."""

    def __init__(self, server: redis.Redis, keys: QueueKeys) -> None:
        self.server = server
        self.keys = keys

    def pending(self) -> int:
        """Items left in the processing list by an earlier writer."""
        return int(self.server.llen(self.keys.processing))

    def take(self, batch: int, timeout: float) -> list[bytes]:
        """Up to *batch* payloads, oldest first, parked in the processing list.

        Returns what is already in the processing list if it is not empty (recovery), else
        waits up to *timeout* seconds for the first item.
        """
        parked = cast(list[bytes], self.server.lrange(self.keys.processing, 0, -1))
        if parked:
            return parked[::-1]
        # BLMOVE takes fractional seconds; redis-py's annotation says int.
        first = self.server.blmove(
            self.keys.items, self.keys.processing, cast(int, timeout), "RIGHT", "LEFT"
        )
        if first is None:
            return []
        taken = [first]
        if batch > 1:
            pipe = self.server.pipeline(transaction=False)
            for _ in range(batch - 1):
                pipe.lmove(self.keys.items, self.keys.processing, "RIGHT", "LEFT")
            taken += [p for p in pipe.execute() if p is not None]
        return cast(list[bytes], taken)

    def bury(self, payload: bytes) -> None:
        """Keep an unprocessable payload in the dead-letter list."""
        self.server.lpush(self.keys.dead, payload)

    def ack(self) -> None:
        """Everything in the processing list is stored: forget it."""
        self.server.delete(self.keys.processing)


class PipelineChain:
    """The project's item pipelines, run outside a Scrapy crawl, in ``ITEM_PIPELINES`` order."""

    def __init__(self, settings: Any, spider_name: str = "ingest") -> None:
        spidercls = type("IngestSpider", (Spider,), {"name": spider_name})
        self.crawler = Crawler(spidercls, settings)
        self.crawler.stats = MemoryStatsCollector(self.crawler)
        self.crawler.spider = cast(Any, spidercls).from_crawler(self.crawler)
        self.spider = self.crawler.spider
        self.pipelines: list[Any] = []
        paths = build_component_list(self.crawler.settings.getwithbase("ITEM_PIPELINES"))
        for path in paths:
            try:
                self.pipelines.append(build_from_crawler(load_object(path), self.crawler))
            except NotConfigured as exc:
                logger.info("pipeline %s is off: %s", path, exc)
        self._loop = asyncio.new_event_loop()

    @property
    def names(self) -> list[str]:
        return [type(p).__name__ for p in self.pipelines]

    def open(self) -> None:
        for pipeline in self.pipelines:
            self._call(pipeline, "open_spider")

    def close(self) -> None:
        try:
            for pipeline in reversed(self.pipelines):
                self._call(pipeline, "close_spider")
        finally:
            self._loop.close()

    def process(self, item: Any) -> str | None:
        """Run *item* through every pipeline; the name of the pipeline that dropped it, if one
        did (``DropItem``), else ``None``."""
        for pipeline in self.pipelines:
            method = getattr(pipeline, "process_item", None)
            if method is None:
                continue
            try:
                item = self._run(method, item)
            except DropItem as exc:
                logger.debug("%s dropped an item: %s", type(pipeline).__name__, exc)
                return type(pipeline).__name__
        return None

    def _call(self, pipeline: Any, name: str) -> None:
        method = getattr(pipeline, name, None)
        if method is not None:
            self._run(method)

    def _run(self, method: Any, *args: Any) -> Any:
        if _wants_spider(method):
            args = (*args, self.spider)
        result = method(*args)
        if inspect.isawaitable(result):
            result = self._loop.run_until_complete(_awaited(result))
        return result


async def _awaited(awaitable: Any) -> Any:
    return await awaitable


def _wants_spider(method: Any) -> bool:
    try:
        parameter = inspect.signature(method).parameters.get("spider")
    except (TypeError, ValueError):
        return False
    return parameter is not None and parameter.default is inspect.Parameter.empty


def project_settings(db: str | Path, overrides: dict[str, Any] | None = None) -> Any:
    """The crawl's own Scrapy settings, pointed at the archive *db*."""
    settings = Settings()
    settings.setmodule("newsarchive.settings", priority="project")
    settings.set("NEWSARCHIVE_DB", str(db), priority="cmdline")
    settings.set("TWISTED_REACTOR_ENABLED", False, priority="cmdline")
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
        return _drain(
            server,
            keys,
            lock,
            db,
            batch=batch,
            idle_timeout=idle_timeout,
            settings_overrides=settings_overrides,
            stop=stop,
        )
    finally:
        lock.release()
        server.close()


def _drain(
    server: redis.Redis,
    keys: QueueKeys,
    lock: WriterLock,
    db: str | Path,
    *,
    batch: int,
    idle_timeout: float | None,
    settings_overrides: dict[str, Any] | None,
    stop: threading.Event | None,
) -> IngestReport:
    queue = ReliableQueue(server, keys)
    report = IngestReport(recovered=queue.pending())
    if report.recovered:
        logger.warning(
            "%d items left in %s by an interrupted writer; storing them again (idempotent)",
            report.recovered,
            keys.processing,
        )
    Path(db).parent.mkdir(parents=True, exist_ok=True)
    with Store(db) as store:
        report.run_id = store.start_run(
            "ingest", options={"redis": _public_url(server), "queue": keys.items, "batch": batch}
        )
    overrides = {**(settings_overrides or {}), "NEWSARCHIVE_RUN_ID": report.run_id}
    chain = PipelineChain(project_settings(db, overrides))
    logger.info("ingesting %s into %s through %s", keys.items, db, " → ".join(chain.names))
    code = ExitCode.FAILURE
    chain.open()
    idle_since = time.monotonic()
    try:
        while not (stop is not None and stop.is_set()):
            wait = 1.0 if idle_timeout is None else min(1.0, idle_timeout)
            payloads = queue.take(batch, timeout=max(wait, 0.01))
            lock.refresh()
            if not payloads:
                if idle_timeout is not None and time.monotonic() - idle_since >= idle_timeout:
                    break
                continue
            _process_batch(chain, queue, lock, payloads, report)
            queue.ack()
            report.batches += 1
            idle_since = time.monotonic()
        report.stopped_by_signal = stop is not None and stop.is_set()
        code = ExitCode.INTERRUPTED if report.stopped_by_signal else ExitCode.OK
        if report.dead:
            code = ExitCode.PARTIAL
    finally:
        chain.close()
        with Store(db) as store:
            store.finish_run(report.run_id, exit_status=EXIT_STATUS[code])
    logger.info(
        "ingest done: %d items in %d batches (%d recovered, %d dropped, %d dead)",
        report.items,
        report.batches,
        report.recovered,
        sum(report.dropped.values()),
        report.dead,
    )
    return report


def _process_batch(
    chain: PipelineChain,
    queue: ReliableQueue,
    lock: WriterLock,
    payloads: Sequence[bytes],
    report: IngestReport,
) -> None:
    for payload in payloads:
        lock.refresh()
        report.items += 1
        try:
            item = decode_item(payload)
        except BadQueueItem as exc:
            logger.error("unreadable queue item moved to the dead list: %s", exc)
            queue.bury(payload)
            report.dead += 1
            continue
        try:
            dropped_by = chain.process(item)
        except Exception:
            logger.exception("storing %s failed; item moved to the dead list", item_url(item))
            queue.bury(payload)
            report.dead += 1
            continue
        if dropped_by is not None:
            report.dropped[dropped_by] += 1
