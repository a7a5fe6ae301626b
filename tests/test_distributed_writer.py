"""The fleet's writer: reliable queue, same pipelines as a crawl, killed and restarted mid-drain."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest
import redis
from distributed_support import redis_prefix, redis_url
from test_distributed import ARTICLE, _capture

from newsarchive.distributed import QueueKeys
from newsarchive.distributed.archived import ArchiveKeys, RedisArchiveIndex
from newsarchive.distributed.codec import encode_item
from newsarchive.distributed.writer import WriterBusy, WriterLock, ingest
from newsarchive.exitcodes import ExitCode
from newsarchive.records import NotAnArticle, PageItem, Section
from newsarchive.urls import canonical_url

__all__ = ["redis_prefix", "redis_url"]  # fixtures, imported for pytest

CLI = "from newsarchive.cli import main; main()"

TABLES = {
    "articles": "SELECT canonical_url, headline, published_at, body_text, pages, duplicate_of "
    "IS NOT NULL FROM articles",
    "article_urls": "SELECT url, kind, (SELECT canonical_url FROM articles a WHERE a.id = "
    "article_id) FROM article_urls",
    "sections": "SELECT (SELECT canonical_url FROM articles a WHERE a.id = article_id), position,"
    " heading FROM sections",
    "paragraphs": "SELECT (SELECT canonical_url FROM articles a WHERE a.id = article_id),"
    " section, position, text FROM paragraphs",
    "credits": "SELECT (SELECT canonical_url FROM articles a WHERE a.id = article_id), position,"
    " role, name FROM credits",
}


def rows(db: Path) -> dict[str, set[tuple[object, ...]]]:
    """The archive's content as row sets, independent of row ids and insertion order."""
    with sqlite3.connect(db) as conn:
        return {name: set(conn.execute(sql).fetchall()) for name, sql in TABLES.items()}


def page_items(n: int) -> list[PageItem]:
    """``n`` distinct article items, a list page and a mirror copy (a duplicate) of item 0."""
    items = []
    for i in range(n):
        url = f"http://www.gz.xinhuanet.com/2019-05/{1 + i % 28:02d}/c_11244{i:05d}.htm"
        article = replace(
            ARTICLE,
            url=url,
            canonical_url=url.replace("http://www.gz.xinhuanet.com", "https://gz.news.cn"),
            xinhua_id=f"11244{i:05d}",
            headline=f"黔东南州第{i}届春季茶叶采摘节开幕",
            body_text=f"新华社凯里电 第{i}届采茶节今天开幕，{i}户茶农参加。\n\n今年春茶产量增加。",
            sections=(
                Section(
                    heading=None,
                    paragraphs=(f"新华社凯里电 第{i}届采茶节今天开幕，{i}户茶农参加。",),
                ),
                Section(heading=None, paragraphs=("今年春茶产量增加。",)),
            ),
            page_urls=(),
            pages=1,
        )
        items.append(PageItem(captures=(_capture(url, f"<p>{i}</p>".encode()),), result=article))
    listing = "http://www.gz.xinhuanet.com/szyw/index.htm"
    items.append(
        PageItem(
            captures=(_capture(listing, b"<ul></ul>"),),
            result=NotAnArticle(url=listing, kind="list", reason="column", links=()),
        )
    )
    first = items[0].result
    assert first is not None
    big5 = "http://big5.xinhuanet.com/gate/big5/" + first.url.removeprefix("http://")
    items.append(
        PageItem(captures=(_capture(big5, b"<p>0</p>"),), result=replace(first, url=big5))  # type: ignore[arg-type]
    )
    return items


def push(server: redis.Redis, keys: QueueKeys, items: list[PageItem]) -> None:
    for item in items:
        server.lpush(keys.items, encode_item(item))


def test_writer_stores_what_the_pipelines_store_and_is_idempotent(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = QueueKeys.for_prefix(redis_prefix)
    items = page_items(12)
    push(server, keys, items)
    server.lpush(keys.items, b"this is not an item")
    db = tmp_path / "archive.db"
    report = ingest(redis_url, db, batch=5, idle_timeout=0, prefix=redis_prefix)
    assert report.items == len(items) + 1
    assert report.dead == 1
    assert server.lrange(keys.dead, 0, -1) == [b"this is not an item"]
    assert server.llen(keys.items) == 0
    assert not server.exists(keys.processing)
    stored = rows(db)
    assert len(stored["articles"]) == 12
    assert len(stored["article_urls"]) == 25  # canonical + fetched URL each, and the big5 copy
    assert len(stored["credits"]) == 24
    with sqlite3.connect(db) as conn:
        run = conn.execute(
            "SELECT id, spider, articles_new, duplicates, exit_status, options FROM crawl_runs"
        ).fetchall()
    assert run[0][:5] == (report.run_id, "ingest", 12, 1, "partial")  # partial: one dead item
    assert json.loads(run[0][5])["redis"] == redis_url
    # The same items delivered again (at-least-once): the archive does not change.
    push(server, keys, items)
    again = ingest(redis_url, db, batch=7, idle_timeout=0, prefix=redis_prefix)
    assert again.items == len(items)
    assert rows(db) == stored
    with sqlite3.connect(db) as conn:
        second = conn.execute(
            "SELECT articles_new, articles_unchanged, exit_status FROM crawl_runs WHERE id = ?",
            [again.run_id],
        ).fetchone()
    assert second == (0, 13, "ok")  # 12 articles and the big5 copy, all known


def test_writer_first_stores_what_a_killed_writer_left_in_processing(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = QueueKeys.for_prefix(redis_prefix)
    items = page_items(6)
    # A killed writer had moved the first three items to the processing list.
    for item in items[:3]:
        server.lpush(keys.processing, encode_item(item))
    push(server, keys, items[3:])
    db = tmp_path / "archive.db"
    report = ingest(redis_url, db, batch=100, idle_timeout=0, prefix=redis_prefix)
    assert report.recovered == 3
    assert report.items == len(items)
    assert len(rows(db)["articles"]) == 6


def test_only_one_writer_drains_a_queue(tmp_path: Path, redis_url: str, redis_prefix: str) -> None:
    server = redis.Redis.from_url(redis_url)
    server.set(f"{redis_prefix}:writer", b"otherhost:1", ex=30)
    with pytest.raises(WriterBusy, match="otherhost"):
        ingest(redis_url, tmp_path / "a.db", idle_timeout=0, prefix=redis_prefix, lock_wait=0.2)


@pytest.mark.redis
@pytest.mark.slow
def test_writer_killed_mid_drain_and_restarted_loses_nothing(
    tmp_path: Path, redis_url: str
) -> None:
    """SIGKILL the ``newsarchive ingest`` process while it drains, start it again: the archive
    is the one an uninterrupted writer makes."""
    # The CLI uses the default prefix, so this test owns a whole Redis database.
    url = redis_url.rsplit("/", 1)[0] + "/9"
    server = redis.Redis.from_url(url)
    server.flushdb()
    keys = QueueKeys.for_prefix("newsarchive")
    items = page_items(200)
    reference = tmp_path / "reference.db"
    push(server, keys, items)
    ingest(url, reference, batch=50, idle_timeout=0)
    assert len(rows(reference)["articles"]) == 200

    push(server, keys, items)
    db = tmp_path / "killed.db"
    cmd = [sys.executable, "-c", CLI, "-q", "ingest", "--redis", url, "--db", str(db)]
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    writer = subprocess.Popen([*cmd, "--batch", "40"], env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.llen(keys.items) > 120:
        time.sleep(0.01)
    while time.monotonic() < deadline and not server.llen(keys.processing):
        time.sleep(0.001)
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)
    left, parked = server.llen(keys.items), server.llen(keys.processing)
    assert 0 < left < len(items)
    assert parked > 0  # killed mid-batch: these were taken and maybe stored, not acknowledged
    restarted = subprocess.run(
        [*cmd, "--idle-timeout", "0"],
        check=False,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert restarted.returncode == 0, restarted.stderr
    assert f"{parked} recovered" in restarted.stdout
    assert server.llen(keys.items) == 0 and server.llen(keys.processing) == 0
    assert rows(db) == rows(reference)
    server.flushdb()


def test_ingest_stops_cleanly_on_sigterm(tmp_path: Path, redis_url: str) -> None:
    url = redis_url.rsplit("/", 1)[0] + "/8"
    server = redis.Redis.from_url(url)
    server.flushdb()
    keys = QueueKeys.for_prefix("newsarchive")
    push(server, keys, page_items(3))
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    writer = subprocess.Popen(
        [sys.executable, "-c", CLI, "-q", "ingest", "--redis", url, "--db", str(tmp_path / "a.db")],
        env=env,
        stdout=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (
        server.llen(keys.items) or server.exists(keys.processing)
    ):
        time.sleep(0.05)
    writer.send_signal(signal.SIGTERM)
    out, _ = writer.communicate(timeout=30)
    assert writer.returncode == 5  # INTERRUPTED: stopped by a signal, nothing lost
    assert out.startswith("ingested 5 items")
    assert len(rows(tmp_path / "a.db")["articles"]) == 3
    assert not server.exists("newsarchive:writer")  # the lock is released
    server.flushdb()


def test_a_drained_queue_is_not_done_while_the_fleet_still_holds_requests(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = QueueKeys.for_prefix(redis_prefix)
    items = page_items(2)
    push(server, keys, items)
    # a member took a request (a lease) and has not finished it: its page may still come
    server.zadd(f"{redis_prefix}:channel:requests:leases", {"1": time.time() * 1000 + 30_000})
    db = tmp_path / "archive.db"
    report = ingest(redis_url, db, idle_timeout=0, prefix=redis_prefix)
    assert report.items == len(items) and report.fleet_pending == 1
    assert report.exit_code == ExitCode.PARTIAL
    with sqlite3.connect(db) as conn:
        (status,) = conn.execute(
            "SELECT exit_status FROM crawl_runs WHERE id = ?", [report.run_id]
        ).fetchone()
    assert status == "partial"
    # the lease done (or returned and fetched), the same drain is complete
    server.delete(f"{redis_prefix}:channel:requests:leases")
    again = ingest(redis_url, db, idle_timeout=0, prefix=redis_prefix)
    assert again.fleet_pending == 0 and again.exit_code == ExitCode.OK


def test_the_writer_publishes_the_archive_for_incremental_members(
    tmp_path: Path, redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    keys = QueueKeys.for_prefix(redis_prefix)
    items = page_items(3)
    push(server, keys, items)
    ingest(redis_url, tmp_path / "archive.db", idle_timeout=0, prefix=redis_prefix)
    index = RedisArchiveIndex(server, ArchiveKeys.for_prefix(redis_prefix))
    for item in items[:3]:
        assert item.result is not None
        assert index.has_url(item.result.url)
        assert index.has_url(canonical_url(item.result.url))
    assert not index.has_url("http://www.gz.xinhuanet.com/2019-05/01/c_1124499999.htm")
    published = server.hgetall(ArchiveKeys.for_prefix(redis_prefix).published)
    assert int(published[b"urls"]) == server.scard(ArchiveKeys.for_prefix(redis_prefix).urls)


def test_the_writer_lock_is_owned_extended_and_never_overwrites_another(
    redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    key = f"{redis_prefix}:writer"
    lock = WriterLock(server, key, ttl=2)
    lock.acquire(wait=0)
    assert server.get(key) == lock.token.encode()
    time.sleep(2.5)  # past the TTL: the keeper extended it
    assert lock.keep_alive() and server.get(key) == lock.token.encode()
    # another writer took the key (ours had expired while this process was frozen, say)
    server.set(key, b"otherhost:9:abc", ex=30)
    deadline = time.monotonic() + 5
    while lock.keep_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not lock.keep_alive()  # noticed: this writer stops
    lock.release()
    assert server.get(key) == b"otherhost:9:abc"  # the other writer's lock is untouched
    with pytest.raises(WriterBusy, match="otherhost"):
        WriterLock(server, key).acquire(wait=0.2)
