"""The store writer process (:mod:`newsarchive.store.process`) and group commits
(:meth:`Store.group`): the same archive as storing in one process, answers only after the
commit, groups that really group, and clear failures when either side dies."""

from __future__ import annotations

import asyncio
import logging
import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from store_factory import (
    LEAD,
    article_item,
    error_item,
    list_item,
    make_article,
    traditional,
)

from newsarchive.records import PageItem, Section
from newsarchive.store import Store
from newsarchive.store.process import Ack, WriterDied, WriterProcess
from newsarchive.store.runs import COUNTERS
from tools.faults.compare import fingerprint, half_written, integrity_check


def _url(i: int) -> str:
    return f"http://www.gz.xinhuanet.com/2023-11/{1 + i % 28:02d}/c_11299{i:05d}.htm"


_WORDS = (
    "茶园春茶产量出口茶农修剪施肥品牌市场旅游文化农民增收龙头企业绿色防控清洁鲜叶价格"
    "湄潭贵阳遵义安顺铜仁毕节高速铁路机场水库电站学校医院社区乡村振兴就业创业科技数字"
)
_WORDS_2 = [_WORDS[i : i + 2] for i in range(0, len(_WORDS), 2)]


def _text(i: int, words: int = 120) -> str:
    """Chinese text of our own, different enough from every other ``i`` (no near copies)."""
    pick = random.Random(i)
    return "，".join(pick.choice(_WORDS_2) for _ in range(words)) + "。"


def _items(n: int) -> list[PageItem]:
    """``n`` distinct articles, then a big5 copy and a repeat of the first, a list page and a
    404 for the second (a takedown): every dedup layer and outcome kind."""
    items = []
    for i in range(n):
        article = make_article(
            _url(i),
            headline=f"贵州茶产业稳步发展（之{i}）",
            sections=(Section(heading=None, paragraphs=(LEAD, _text(i))),),
        )
        items.append(article_item(article))
    first = items[0].result
    assert first is not None and not isinstance(first, str)
    big5 = "http://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/2023-11/01/c_1129900000.htm"
    items.append(article_item(traditional(make_article(_url(0)), big5)))
    items.append(article_item(make_article(_url(0)), fetched_at="2026-11-25T02:00:00+00:00"))
    items.append(list_item("http://www.gz.xinhuanet.com/index.htm"))
    items.append(error_item(_url(1), "http_404"))
    return items


def _in_process(db: Path, items: Sequence[PageItem]) -> list[str]:
    with Store(db) as store:
        run_id = store.start_run("test")
        results = [store.store_item(item, run_id=run_id) for item in items]
        store.finish_run(run_id, exit_status="finished")
    return [_summary(r) for r in results]


def _summary(result: object) -> str:
    article = getattr(result, "article", None)
    outcome = getattr(result, "capture_outcome", "?")
    return f"{outcome}/{article.outcome if article is not None else '-'}"


async def _store_all(writer: WriterProcess, items: Sequence[PageItem]) -> list[Ack]:
    return list(await asyncio.gather(*(writer.store(item) for item in items)))


def _through_writer(db: Path, items: Sequence[PageItem], **knobs: float) -> tuple[list[Ack], int]:
    with Store(db) as store:
        run_id = store.start_run("test")
    writer = WriterProcess(str(db), run_id=run_id, **knobs)  # type: ignore[arg-type]
    writer.start()
    try:
        acks = asyncio.run(_store_all(writer, items))
    finally:
        writer.close()
    with Store(db) as store:
        store.finish_run(run_id, exit_status="finished")
    return acks, writer.groups


def _count(db: Path, sql: str) -> int:
    conn = sqlite3.connect(str(db))
    try:
        return int(conn.execute(sql).fetchone()[0])
    finally:
        conn.close()


# -- Store.group ------------------------------------------------------------------------------


def test_a_group_is_one_transaction_and_a_failing_item_leaves_no_trace(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    items = _items(5)
    with Store(db) as store:
        run_id = store.start_run("test")
        watcher = sqlite3.connect(str(db))
        with store.group():
            store.store_item(items[0], run_id=run_id)
            # A bug in one item after part of it was written: rolled back alone.
            broken = PageItem(captures=(items[3].captures[0], object()), result=None)  # type: ignore[arg-type]
            with pytest.raises(AttributeError):
                store.store_item(broken, run_id=run_id)
            assert store.in_group
            store.store_item(items[1], run_id=run_id)
            # Nothing is visible to another connection before the group commits.
            assert watcher.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
        assert watcher.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert store.run(run_id)["articles_new"] == 2
        assert store.run(run_id)["pages_fetched"] == 2
        assert watcher.execute("SELECT count(*) FROM captures").fetchone()[0] == 2
        with pytest.raises(RuntimeError, match="boom"), store.group():
            store.store_item(items[2], run_id=run_id)
            raise RuntimeError("boom")
        assert watcher.execute("SELECT count(*) FROM articles").fetchone()[0] == 2
        assert store.run(run_id)["articles_new"] == 2
        watcher.close()
    # The full-text index covers exactly the committed articles.
    assert _count(db, "SELECT count(*) FROM fts_pending") == 0
    assert _count(db, "SELECT count(*) FROM articles_fts") == 2


def test_groups_do_not_nest(tmp_path: Path) -> None:
    with (
        Store(tmp_path / "a.db") as store,
        store.group(),
        pytest.raises(RuntimeError, match="nest"),
        store.group(),
    ):
        pass


# -- the writer process -----------------------------------------------------------------------


def test_the_writer_process_stores_what_one_process_stores(tmp_path: Path) -> None:
    items = _items(30)
    expected = _in_process(tmp_path / "one.db", items)
    acks, groups = _through_writer(tmp_path / "two.db", items)
    assert [_summary(a.result) for a in acks] == expected
    assert "article/duplicate" in expected and "error/-" in expected  # every kind ran
    assert fingerprint(tmp_path / "two.db") == fingerprint(tmp_path / "one.db")
    assert integrity_check(tmp_path / "two.db") == "ok"
    assert half_written(tmp_path / "two.db") == []
    # Counters in crawl_runs, kept by the writer in its transactions, agree too.
    sql = f"SELECT {', '.join(COUNTERS)}, errors, errors_by_kind FROM crawl_runs"
    one, two = (sqlite3.connect(str(tmp_path / f"{n}.db")) for n in ("one", "two"))
    assert one.execute(sql).fetchall() == two.execute(sql).fetchall()
    one.close()
    two.close()
    assert 1 <= groups <= len(items)


def test_group_commit_groups(tmp_path: Path) -> None:
    """Items handed over together are committed in groups of at most ``group_items``: the
    ack messages (one per commit) are far fewer than the items."""
    items = _items(60)
    acks, groups = _through_writer(tmp_path / "a.db", items, group_items=25, group_ms=2000)
    assert len(acks) == len(items)
    assert 3 <= groups <= 8  # ceil(64 / 25) = 3, whatever arrived late adds a few
    assert _count(tmp_path / "a.db", "SELECT count(*) FROM articles") == 60


def test_answers_come_after_the_commit(tmp_path: Path) -> None:
    """When an item's answer arrives, another connection already sees the item."""
    db = tmp_path / "a.db"
    with Store(db) as store:
        run_id = store.start_run("test")
    writer = WriterProcess(str(db), run_id=run_id, group_items=50, group_ms=200)
    writer.start()
    seen: list[int] = []

    async def one_by_one() -> None:
        reader = sqlite3.connect(str(db))
        for item in _items(12)[:12]:
            ack = await writer.store(item)
            assert ack.result.article is not None
            row = reader.execute(
                "SELECT count(*) FROM articles WHERE id = ?", [ack.result.article.article_id]
            ).fetchone()
            seen.append(int(row[0]))
        reader.close()

    try:
        asyncio.run(one_by_one())
    finally:
        writer.close()
    assert seen == [1] * 12


def test_a_killed_writer_fails_every_pending_item_clearly(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as store:
        run_id = store.start_run("test")
    writer = WriterProcess(str(db), run_id=run_id, group_items=1000, group_ms=60_000)
    writer.start()
    assert writer.pid is not None

    async def kill_midway() -> list[BaseException | Ack]:
        tasks = [asyncio.ensure_future(writer.store(item)) for item in _items(20)]
        await asyncio.sleep(0.5)  # all handed over, none committed (the group stays open)
        assert writer.pid is not None
        os.kill(writer.pid, signal.SIGKILL)
        results = await asyncio.gather(*tasks, return_exceptions=True)
        with pytest.raises(WriterDied):
            await writer.store(_items(1)[0])
        return results

    try:
        results = asyncio.run(kill_midway())
    finally:
        writer.close()
    assert all(isinstance(r, WriterDied) for r in results)
    assert "exited unexpectedly" in str(results[0])
    assert writer.died is not None
    # Nothing of the open group reached the archive, and the archive is sound.
    assert _count(db, "SELECT count(*) FROM articles") == 0
    assert integrity_check(db) == "ok"


def test_a_writer_that_cannot_open_the_archive_says_why(tmp_path: Path) -> None:
    (tmp_path / "not-a-db").write_bytes(b"this is not a database file, not at all" * 100)
    writer = WriterProcess(str(tmp_path / "not-a-db"), run_id=None)
    with pytest.raises(sqlite3.DatabaseError):
        writer.start()


_ORPHAN = textwrap.dedent(
    """
    import asyncio, os, sys
    sys.path.insert(0, sys.argv[2])
    from store_factory import article_item, make_article
    from newsarchive.store.process import WriterProcess

    async def main():
        writer = WriterProcess(sys.argv[1], run_id=None, group_items=1000, group_ms=60000)
        writer.start()
        print(writer.pid, flush=True)
        item = article_item(make_article())
        await asyncio.gather(writer.store(item), asyncio.sleep(60))

    if __name__ == "__main__":
        asyncio.run(main())
    """
)


def test_a_killed_crawl_process_leaves_no_writer_behind(tmp_path: Path) -> None:
    """SIGKILL of the parent: the writer sees its pipe end, rolls back its open group (the
    item it held is not in the archive) and exits."""
    db = tmp_path / "a.db"
    script = tmp_path / "orphan.py"
    script.write_text(_ORPHAN, "utf-8")
    tests = str(Path(__file__).resolve().parent)
    proc = subprocess.Popen(
        [sys.executable, str(script), str(db), tests], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    child = int(proc.stdout.readline())
    time.sleep(0.5)  # the item is in the writer's open group
    proc.kill()
    proc.wait(10)
    deadline = time.monotonic() + 10
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(child)
    assert integrity_check(db) == "ok"
    assert _count(db, "SELECT count(*) FROM articles") == 0


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return status.rsplit(")", 1)[1].split()[0] != "Z"  # a zombie has exited


def test_the_writers_log_records_reach_the_crawl_process_logging(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """A spawned child has no logging of its own: its records go to the parent's handlers
    (Scrapy's log), with their logger names, levels and messages."""
    big5 = "http://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/2023-11/01/c_1129900000.htm"
    copy_first = article_item(traditional(make_article(_url(0)), big5))
    original = article_item(make_article(_url(0)))
    caplog.set_level(logging.INFO)
    acks, _ = _through_writer(tmp_path / "a.db", [copy_first, original])
    assert [a.result.article.outcome for a in acks] == ["new", "duplicate"]
    forwarded = [r for r in caplog.records if r.name == "newsarchive.store._articles"]
    assert [(r.levelname, r.getMessage()) for r in forwarded] == [
        ("INFO", "article 1: the original page's text replaces the big5 copy's")
    ]
    assert forwarded[0].process != os.getpid()  # emitted in the writer process
    assert _count(tmp_path / "a.db", "SELECT count(*) FROM articles WHERE script = 'zh-Hans'") == 1
