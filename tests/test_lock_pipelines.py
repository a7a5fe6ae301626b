"""One writer per archive also under ``scrapy crawl`` and Scrapyd, where no ``newsarchive``
command took the lock: the store pipeline takes it itself."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

import pytest
from scrapy import Spider, signals
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler
from test_lock import Holder

from newsarchive import lock
from newsarchive.lock import ArchiveLocked
from newsarchive.settings import EXTENSIONS, ITEM_PIPELINES


class ChannelSpider(Spider):
    """A stand-in spider: the pipelines only read its name."""

    name = "channel"


def _open_pipelines(db: Path) -> tuple[object, ItemPipelineManager]:
    crawler = get_crawler(
        ChannelSpider,
        {
            "NEWSARCHIVE_DB": str(db),
            "ITEM_PIPELINES": ITEM_PIPELINES,
            "EXTENSIONS": EXTENSIONS,
            "NEWSARCHIVE_CHANNELS": ["gz"],
        },
    )
    crawler.spider = crawler._create_spider()
    manager = ItemPipelineManager.from_crawler(crawler)
    return crawler, manager


def test_pipelines_refuse_an_archive_another_run_is_writing(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    holder = Holder(db)
    try:
        crawler, manager = _open_pipelines(db)

        async def run() -> None:
            crawler.stats.open_spider()  # type: ignore[attr-defined]
            await manager.open_spider_async()

        with pytest.raises(ArchiveLocked, match=r"archive\.db"):
            asyncio.run(run())
        assert not db.exists()  # nothing written, not even the schema
    finally:
        holder.release()


def test_pipelines_hold_the_lock_for_the_crawl_and_give_it_back(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawler, manager = _open_pipelines(db)

    async def run() -> None:
        crawler.stats.open_spider()  # type: ignore[attr-defined]
        await manager.open_spider_async()
        crawler.signals.send_catch_log(  # type: ignore[attr-defined]
            signals.spider_opened,
            spider=crawler.spider,  # type: ignore[attr-defined]
        )
        assert lock.is_held(db)
        assert lock.read_holder(db) is not None
        await manager.close_spider_async()

    asyncio.run(run())
    assert not lock.is_held(db)
    crawler.signals.send_catch_log(  # type: ignore[attr-defined]
        signals.spider_closed,
        spider=crawler.spider,
        reason="finished",  # type: ignore[attr-defined]
    )
    with sqlite3.connect(db) as conn:
        # The run row is the crawl-run extension's: a run that fetched nothing failed.
        assert conn.execute("SELECT exit_status FROM crawl_runs").fetchall() == [("failed",)]
    with lock.writer_lock(db):  # free for the next run
        assert lock.is_held(db)
