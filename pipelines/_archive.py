"""The archive shared by the item pipelines of one crawler.

Validate (to keep the captures of invalid records) and Store both write to the archive. They
share one :class:`~newsarchive.store.Store` and one ``crawl_runs`` row per crawler: the first
``open_spider`` opens the store and starts the run, the last ``close_spider`` finishes the run
and closes the store. The run's ``exit_status`` is Scrapy's ``finish_reason`` when the
``spider_closed`` signal delivers it after the pipelines closed.

Settings: ``NEWSARCHIVE_DB`` (path of the SQLite file; empty switches the archive off),
``NEWSARCHIVE_RUN_ID`` (an existing ``crawl_runs`` id to add to, e.g. created by the CLI; then
the pipelines neither start nor finish the run), ``NEWSARCHIVE_CHANNELS`` (recorded in the run),
``NEWSARCHIVE_FTS_BATCH`` (full-text index every that many new/changed articles, default 500;
see :mod:`newsarchive.store.fts`), ``NEWSARCHIVE_LOCK_WAIT`` (seconds to wait for another
run's writer lock, default 0).

The writes themselves go to a **store writer process** (:mod:`newsarchive.store.process`)
during a crawl: :meth:`Archive.put` hands an item over and returns once the writer has
committed it (in group commits), so Scrapy reports an item scraped only when the archive holds
it. The writer is started by the first ``open_spider`` and closed (it drains, commits and
exits) by the last ``close_spider``. ``NEWSARCHIVE_STORE_PROCESS`` (default on) switches it;
it is off without a Twisted reactor (``TWISTED_REACTOR_ENABLED=False``: ``newsarchive
ingest`` runs the pipelines in its own process and stores there, one transaction per item).
``NEWSARCHIVE_STORE_GROUP`` (items per commit, default 100), ``NEWSARCHIVE_STORE_GROUP_MS``
(the longest a group stays open, default 50) and ``NEWSARCHIVE_STORE_IN_FLIGHT`` (items
handed over and not yet committed, default 256; more wait) tune it.

One writer per archive: when no ``newsarchive`` command of this process holds the archive's
writer lock (:mod:`newsarchive.lock`) — a ``scrapy crawl`` or a Scrapyd job — the first
``open_spider`` takes it, and the ``spider_closed`` handler gives it back; a crawl that cannot
get it fails with :class:`~newsarchive.lock.ArchiveLocked` before writing anything.
"""

from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler

from newsarchive import lock
from newsarchive.records import PageItem
from newsarchive.store import DedupKeys, Store
from newsarchive.store.process import Ack, WriterProcess

logger = logging.getLogger(__name__)


@dataclass(kw_only=True, slots=True)
class Archive:
    """One crawler's open archive and crawl run."""

    path: str
    store: Store
    run_id: int
    owns_run: bool
    users: int = 0
    closed: bool = False
    writer: WriterProcess | None = None
    """The store writer process, when the crawl stores through one."""
    extra: dict[str, Any] = field(default_factory=dict)

    async def put(
        self, item: PageItem, *, invalid_reason: str | None = None, keys: DedupKeys | None = None
    ) -> Ack:
        """Store ``item`` (``Store.store_item``); returns once it is committed. Through the
        writer process when there is one (it computes the dedup keys itself), else here."""
        if self.writer is not None:
            return await self.writer.store(item, invalid_reason=invalid_reason)
        result = self.store.store_item(
            item, run_id=self.run_id, invalid_reason=invalid_reason, keys=keys
        )
        return Ack(result=result, too_short=False)


_OPEN: weakref.WeakKeyDictionary[Crawler, Archive] = weakref.WeakKeyDictionary()


def db_path(crawler: Crawler) -> str | None:
    """The archive path from ``NEWSARCHIVE_DB``, or ``None`` when it is not set."""
    value = crawler.settings.get("NEWSARCHIVE_DB")
    return str(value) if value else None


def uses_writer_process(crawler: Crawler) -> bool:
    """Whether this crawler's items are stored by a writer process (see the module
    docstring): an archive is set, ``NEWSARCHIVE_STORE_PROCESS`` is on and the asyncio
    reactor runs (the hand-over awaits on its event loop)."""
    settings = crawler.settings
    return (
        db_path(crawler) is not None
        and settings.getbool("NEWSARCHIVE_STORE_PROCESS", True)
        and settings.getbool("TWISTED_REACTOR_ENABLED", True)
        and "asyncio" in str(settings.get("TWISTED_REACTOR") or "")
    )


def _run_facts(crawler: Crawler) -> tuple[str, list[str], dict[str, Any]]:
    spider = crawler.spider
    name = getattr(spider, "name", None) or "unknown"
    options = getattr(spider, "options", None)
    to_args = getattr(options, "to_args", None)
    args: dict[str, Any] = dict(to_args()) if callable(to_args) else {}
    chans = crawler.settings.getlist("NEWSARCHIVE_CHANNELS") or list(
        getattr(options, "channels", ()) or ()
    )
    return str(name), [str(c) for c in chans], args


def acquire(crawler: Crawler) -> Archive:
    """Open (or share) the crawler's archive; every call needs a matching :func:`release`."""
    archive = _OPEN.get(crawler)
    if archive is None or archive.closed:
        path = db_path(crawler)
        if path is None:
            raise RuntimeError("NEWSARCHIVE_DB is not set")
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        give_back = None
        if not lock.is_held(path):
            give_back = lock.take(path, crawler.settings.getfloat("NEWSARCHIVE_LOCK_WAIT", 0.0))
        store = Store(path, fts_batch=crawler.settings.getint("NEWSARCHIVE_FTS_BATCH", 500))
        given = crawler.settings.getint("NEWSARCHIVE_RUN_ID", 0)
        if given:
            run_id, owns = given, False
        else:
            spider, chans, options = _run_facts(crawler)
            run_id, owns = store.start_run(spider, channels=chans, options=options), True
        archive = Archive(path=path, store=store, run_id=run_id, owns_run=owns)
        if give_back is not None:
            archive.extra["give_back_lock"] = give_back
        if uses_writer_process(crawler):
            archive.writer = _start_writer(crawler, archive)
        _OPEN[crawler] = archive
        crawler.signals.connect(_spider_closed(crawler), signal=signals.spider_closed, weak=False)
        logger.info("archive %s open, crawl run %d", path, run_id)
    archive.users += 1
    return archive


def release(crawler: Crawler) -> None:
    """Give back :func:`acquire`; the last one finishes the run and closes the store."""
    archive = _OPEN.get(crawler)
    if archive is None or archive.closed:
        return
    archive.users -= 1
    if archive.users > 0:
        return
    if archive.writer is not None:
        archive.writer.close()
        logger.info("store writer process finished: %d commit groups", archive.writer.groups)
    if archive.owns_run:
        reason = crawler.stats.get_value("finish_reason") if crawler.stats else None
        archive.store.finish_run(archive.run_id, exit_status=str(reason or "finished"))
    archive.store.close()
    archive.closed = True
    logger.info("archive %s closed, crawl run %d", archive.path, archive.run_id)


def _start_writer(crawler: Crawler, archive: Archive) -> WriterProcess:
    settings = crawler.settings
    writer = WriterProcess(
        archive.path,
        run_id=archive.run_id,
        fts_batch=settings.getint("NEWSARCHIVE_FTS_BATCH", 500),
        group_items=settings.getint("NEWSARCHIVE_STORE_GROUP", 100),
        group_ms=settings.getfloat("NEWSARCHIVE_STORE_GROUP_MS", 50.0),
        max_in_flight=settings.getint("NEWSARCHIVE_STORE_IN_FLIGHT", 256),
    )
    try:
        writer.start()
    except BaseException:
        archive.store.close()
        give_back = archive.extra.pop("give_back_lock", None)
        if give_back is not None:
            give_back()
        raise
    return writer


def _spider_closed(crawler: Crawler) -> Any:
    def handler(spider: Any = None, reason: str = "finished") -> None:
        archive = _OPEN.get(crawler)
        if archive is None:
            return
        try:
            _record_reason(archive, reason)
        finally:
            give_back = archive.extra.pop("give_back_lock", None)
            if give_back is not None and archive.closed:
                give_back()

    return handler


def _record_reason(archive: Archive, reason: str) -> None:
    """Write Scrapy's finish reason into the run the pipelines finished before it was known."""
    if not (archive.owns_run and archive.closed):
        return
    with Store(archive.path) as store:
        row = store.run(archive.run_id)
        if row["exit_status"] != reason:
            store.finish_run(archive.run_id, exit_status=reason, finished_at=row["finished_at"])
