"""Distributed crawling, unit level: wire codec, Bloom seen-set, Redis push pipeline, settings."""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import re
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import redis
from distributed_support import redis_prefix, redis_url
from hypothesis import given, settings
from hypothesis import strategies as st
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.settings import Settings
from scrapy.utils.test import get_crawler

from newsarchive.crawling import CrawlOptions
from newsarchive.distributed import QueueKeys, fleet_delay, redis_settings
from newsarchive.distributed.archived import (
    ArchiveKeys,
    FleetIncrementalMiddleware,
    add_archived,
)
from newsarchive.distributed.bloom import (
    BloomDupeFilter,
    BloomParams,
    RedisBloomFilter,
    bit_positions,
)
from newsarchive.distributed.codec import BadQueueItem, decode_item, encode_item
from newsarchive.distributed.fleet import FleetMonitor, StartThroughSeenSet
from newsarchive.distributed.frontier import LeasedPriorityQueue
from newsarchive.distributed.jobs import fleet_settings
from newsarchive.distributed.politeness import FleetPoliteness
from newsarchive.records import (
    Article,
    Capture,
    Credit,
    Dateline,
    Image,
    Link,
    NotAnArticle,
    PageItem,
    Section,
)
from spiders.channel import ChannelSpider

__all__ = ["redis_prefix", "redis_url"]  # fixtures, imported for pytest

ARTICLE = Article(
    url="http://www.gz.xinhuanet.com/2019-05/06/c_1124456789.htm",
    canonical_url="https://gz.news.cn/2019-05/06/c_1124456789.htm",
    channel="gz",
    xinhua_id="1124456789",
    headline="黔东南州举办春季茶叶采摘节",
    subtitle=None,
    published_at="2019-05-06T09:30:00+08:00",
    published_at_raw="2019-05-06 09:30:00",
    source="新华网",
    dateline=Dateline(agency="新华社", place="凯里", date_text="5月6日", raw="新华社凯里5月6日电"),
    reporters=("王小明",),
    credits=(Credit(role="记者", name="王小明"), Credit(role="责任编辑", name="李华")),
    editors=("李华",),
    sections=(
        Section(heading=None, paragraphs=("新华社凯里5月6日电（记者王小明）采茶节开幕。",)),
        Section(heading="茶农增收", paragraphs=("今年春茶产量比去年增加一成。", "价格稳定。")),
    ),
    images=(Image(src="http://www.gz.xinhuanet.com/2019-05/06/1.jpg", caption="图为采茶现场。"),),
    related=(Link(title="另一条新闻", url="http://www.gz.xinhuanet.com/2019-05/05/c_1.htm"),),
    body_text="新华社凯里5月6日电（记者王小明）采茶节开幕。\n\n茶农增收\n今年春茶产量比去年增加一成。\n价格稳定。",
    script="zh-Hans",
    template="provincial_old",
    pages=2,
    encoding="gb18030",
    keywords=("茶叶", "黔东南"),
)


def _capture(url: str, body: bytes, **kw: object) -> Capture:
    return Capture(
        url=url,
        final_url=url,
        status=200,
        headers=(("content-type", "text/html; charset=gbk"), ("server", "nginx")),
        body=body,
        fetched_at="2026-11-25T10:00:00+00:00",
        **kw,  # type: ignore[arg-type]
    )


# --- wire codec --------------------------------------------------------------------------------


def test_article_item_round_trips_exactly() -> None:
    gbk = "黔东南州举办春季茶叶采摘节".encode("gbk")
    item = PageItem(
        captures=(
            _capture(ARTICLE.url, b"<html>" + gbk + b"\xff\x00</html>", encoding="gb18030"),
            _capture(
                ARTICLE.url.replace(".htm", "_2.htm"),
                b"page two",
                redirect_urls=("http://gz.news.cn/a", "http://gz.news.cn/b"),
            ),
        ),
        result=ARTICLE,
    )
    payload = encode_item(item)
    assert decode_item(payload) == item
    doc = json.loads(payload)
    assert doc["v"] == 1
    assert doc["result"]["type"] == "article"
    assert doc["result"]["headline"] == "黔东南州举办春季茶叶采摘节"  # readable in redis-cli
    assert "body" not in doc["captures"][0]  # bodies travel compressed


def test_not_article_and_error_items_round_trip() -> None:
    listing = PageItem(
        captures=(_capture("http://gz.news.cn/szyw/index.htm", b"<ul></ul>"),),
        result=NotAnArticle(
            url="http://gz.news.cn/szyw/index.htm",
            kind="list",
            reason="a column page",
            links=("http://gz.news.cn/20240515/0123456789abcdef0123456789abcdef/c.html",),
        ),
    )
    failed = PageItem(
        captures=(replace(_capture("http://gz.news.cn/x.htm", b"gone"), status=404),),
        result=None,
        error="http_404",
    )
    for item in (listing, failed):
        assert decode_item(encode_item(item)) == item


@settings(max_examples=60, deadline=None)
@given(body=st.binary(max_size=4096), status=st.integers(100, 599), text=st.text(max_size=50))
def test_any_capture_bytes_round_trip(body: bytes, status: int, text: str) -> None:
    item = PageItem(
        captures=(replace(_capture("http://gz.news.cn/a.htm", body), status=status),),
        result=None,
        error=text or None,
    )
    assert decode_item(encode_item(item)) == item


@pytest.mark.parametrize(
    "payload",
    [b"not json", b'{"v": 99, "captures": []}', b'{"v": 1}', b"[1, 2]", b"\xff\xfe"],
)
def test_foreign_payloads_are_refused_with_a_reason(payload: bytes) -> None:
    with pytest.raises(BadQueueItem):
        decode_item(payload)


# --- Bloom filter sizing ------------------------------------------------------------------------


def test_bloom_sizing_follows_the_textbook_formulas() -> None:
    params = BloomParams.for_capacity(10_000_000, 1e-6)
    assert params.bits == 287_551_752
    assert params.hashes == 20
    assert round(params.memory_bytes / 2**20, 1) == 34.3
    assert params.false_positive_rate(10_000_000) == pytest.approx(1e-6, rel=0.05)
    assert params.false_positive_rate(1_000_000) < 1e-15
    assert params.false_positive_rate(20_000_000) > 1e-4  # overfilled: the log warns
    with pytest.raises(ValueError, match="at most"):
        BloomParams.for_capacity(10**10, 1e-9)
    with pytest.raises(ValueError):
        BloomParams.for_capacity(100, 1.5)


# --- Bloom filter in Redis ----------------------------------------------------------------------


def _fingerprints(n: int, tag: str) -> list[bytes]:
    return [hashlib.sha1(f"{tag}-{i}".encode()).digest() for i in range(n)]


def test_bitmap_bloom_has_no_false_negatives_and_the_stated_false_positive_rate(
    redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    params = BloomParams.for_capacity(5000, 0.01)
    bloom = RedisBloomFilter(server, f"{redis_prefix}:seen", params)
    urls = _fingerprints(5000, "seen")
    claimed = sum(bloom.add(u) for u in urls)
    # Filling it, a few new URLs collide with earlier ones: these are pages a crawl would miss.
    missed = len(urls) - claimed
    assert 0 < missed < 0.01 * len(urls)
    # Everything added is seen (no false negatives): a crawl never fetches a page twice.
    assert all(bloom.contains(u) for u in urls)
    assert not any(bloom.add(u) for u in urls[:1000])
    # Fresh URLs against the full filter: the false-positive rate is the one promised.
    fresh = _fingerprints(5000, "fresh")
    false_positives = sum(bloom.contains(u) for u in fresh)
    assert 0.005 < false_positives / len(fresh) < 0.015
    assert server.strlen(f"{redis_prefix}:seen") <= params.memory_bytes


def test_the_bit_positions_keep_the_designed_false_positive_rate_while_a_filter_fills() -> None:
    """2,000 filters (salts) sized for 100 URLs at 1e-4, each filled with 100 URLs: the URLs
    taken as already seen match the formula (0.00088 per fill: 3 in these 2,000 fills), not
    the 0.0285 per fill of plain double hashing (57) nor the 0.005 of enhanced double hashing
    (10)."""
    params = BloomParams.for_capacity(100, 1e-4)
    urls = _fingerprints(100, "fill")
    designed = sum(params.false_positive_rate(i) for i in range(len(urls)))
    fills, misses = 2000, 0
    for salt in range(fills):
        seen = bytearray(params.bits)
        for url in urls:
            positions = bit_positions(url, salt.to_bytes(8, "big"), params.bits, params.hashes)
            misses += all(seen[p] for p in positions)
            for p in positions:
                seen[p] = 1
    assert designed == pytest.approx(0.00088, rel=0.05)
    assert misses / fills < 3 * designed


def test_coverage_of_a_crawl_depends_on_the_filter_size(redis_url: str, redis_prefix: str) -> None:
    """The effect on coverage: the share of a crawl's distinct URLs it would fetch."""
    server = redis.Redis.from_url(redis_url)
    urls = _fingerprints(5000, "page")

    def coverage(n: int, capacity: int, rate: float, name: str) -> float:
        params = BloomParams.for_capacity(capacity, rate)
        bloom = RedisBloomFilter(server, f"{redis_prefix}:{name}", params)
        return sum(bloom.add(u) for u in urls[:n]) / n

    assert coverage(2000, 2000, 1e-6, "right-sized") == 1.0  # expected misses: 0.002 pages
    # At p=0.01 a few URLs are taken as seen while the filter fills (about 0.2% of them).
    assert 0.99 <= coverage(5000, 5000, 0.01, "loose") < 1.0
    # Ten times more URLs than it was sized for: two pages in three are never fetched.
    assert 0.2 < coverage(2000, 200, 0.01, "undersized") < 0.5


def test_two_crawlers_never_both_claim_a_url(redis_url: str, redis_prefix: str) -> None:
    params = BloomParams.for_capacity(10_000, 1e-6)
    urls = _fingerprints(3000, "race")
    claims: dict[int, list[bytes]] = {0: [], 1: []}

    def crawler(n: int) -> None:
        bloom = RedisBloomFilter(redis.Redis.from_url(redis_url), f"{redis_prefix}:seen", params)
        order = urls if n == 0 else urls[::-1]
        claims[n] = [u for u in order if bloom.add(u)]

    threads = [threading.Thread(target=crawler, args=(n,)) for n in (0, 1)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not set(claims[0]) & set(claims[1])
    assert len(claims[0]) + len(claims[1]) == len(urls)
    assert claims[0] and claims[1]


def test_fleet_members_adopt_the_first_members_filter_and_salt(
    redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    key = f"{redis_prefix}:seen"
    first = RedisBloomFilter(server, key, BloomParams.for_capacity(1000, 1e-3), ttl=60)
    second = RedisBloomFilter(server, key, BloomParams.for_capacity(5000, 1e-6), ttl=60)
    assert second.params == first.params
    assert second.salt == first.salt
    assert first.add(b"url-1")
    assert not second.add(b"url-1")
    assert 0 < server.ttl(key) <= 60
    assert 0 < server.ttl(f"{key}:params") <= 60
    first.clear()
    assert not server.exists(key, f"{key}:params")


def test_dupefilter_filters_requests_across_processes(redis_url: str, redis_prefix: str) -> None:
    settings = Settings(redis_settings(redis_url, prefix=redis_prefix))
    settings.set("NEWSARCHIVE_SEEN_CAPACITY", 1000)

    class Spider:
        name = "channel"

    Spider.settings = settings  # type: ignore[attr-defined]
    one = BloomDupeFilter.from_spider(Spider)
    two = BloomDupeFilter.from_spider(Spider)
    assert one.key == f"{redis_prefix}:channel:seen"
    assert not one.request_seen(Request("https://gz.news.cn/2024-05/15/c_1.htm"))
    assert two.request_seen(Request("https://gz.news.cn/2024-05/15/c_1.htm"))
    assert two.request_seen(Request("https://gz.news.cn/2024-05/15/c_1.htm#comments"))
    assert not two.request_seen(Request("https://gz.news.cn/2024-05/15/c_2.htm"))
    # a withdrawn article redirects to the (seen) home page: that request must go through
    home = "https://gz.news.cn/"
    assert not one.request_seen(Request(home))
    assert two.request_seen(Request(home))
    assert not two.request_seen(Request(home, meta={"redirect_urls": [home + "c_9.htm"]}))
    one.close("finished")  # closing one member keeps the fleet's seen-set
    assert two.request_seen(Request("https://gz.news.cn/2024-05/15/c_2.htm"))


# --- settings overlay ---------------------------------------------------------------------------


def test_redis_settings_switch_scheduler_dupefilter_and_pipelines_only() -> None:
    settings = Settings()
    settings.setmodule("newsarchive.settings")
    before = settings.copy_to_dict()
    overlay = redis_settings("redis://127.0.0.1:6390/3", prefix="fleet", base=settings)
    settings.setdict(overlay, priority="cmdline")
    assert settings["SCHEDULER"] == "newsarchive.distributed.fleet.FleetScheduler"
    assert settings["DUPEFILTER_CLASS"] == "newsarchive.distributed.bloom.BloomDupeFilter"
    assert settings.getbool("SCHEDULER_PERSIST")
    assert settings["SCHEDULER_QUEUE_KEY"] == "fleet:%(spider)s:requests"
    assert dict(settings.getdict("ITEM_PIPELINES")) == {
        "pipelines.redis_queue.RedisQueuePipeline": 900
    }
    assert "newsarchive.distributed.fleet.FleetMonitor" in settings.getdict("EXTENSIONS")
    assert settings["SCHEDULER_QUEUE_CLASS"] == (
        "newsarchive.distributed.frontier.LeasedPriorityQueue"
    )
    # politeness moves from each process to the fleet: the configured delay becomes the
    # fleet-wide one (AutoThrottle's starting delay while AutoThrottle is on: 2 s), the
    # per-process delay and AutoThrottle go off
    assert before["AUTOTHROTTLE_ENABLED"] and before["DOWNLOAD_DELAY"] == 1.0
    assert settings.getfloat("NEWSARCHIVE_FLEET_DELAY") == before["AUTOTHROTTLE_START_DELAY"] == 2
    no_throttle = Settings({"DOWNLOAD_DELAY": 1.5, "AUTOTHROTTLE_ENABLED": False})
    assert fleet_delay(no_throttle) == 1.5
    assert fleet_delay(Settings({"NEWSARCHIVE_FLEET_DELAY": 0.5})) == 0.5
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    # everything else (transport, middlewares) is untouched
    after = settings.copy_to_dict()
    for name in ("DOWNLOAD_HANDLERS", "ROBOTSTXT_OBEY", "USER_AGENT"):
        assert after[name] == before[name]
    # the project's downloader middlewares stay, the fixed robots.txt middleware among them,
    # and the fleet's turn-taking comes after all of them
    ours = after["DOWNLOADER_MIDDLEWARES"].pop("newsarchive.distributed.politeness.FleetPoliteness")
    assert ours > max(v for v in before["DOWNLOADER_MIDDLEWARES"].values() if v is not None)
    assert after["DOWNLOADER_MIDDLEWARES"] == before["DOWNLOADER_MIDDLEWARES"]
    assert after["DOWNLOADER_MIDDLEWARES"]["newsarchive.crawling.robots.RobotsMiddleware"] == 100
    assert QueueKeys.for_prefix("fleet").processing == "fleet:items:processing"


def test_fleet_member_settings_keep_the_crawl_and_drop_the_archive(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NEWSARCHIVE_SEEN_CAPACITY", "2000000")
    options = CrawlOptions.from_args({"channels": "gz", "polite": "0"})
    settings = fleet_settings(
        options,
        "redis://10.0.0.5:6379/2",
        settings={"JOBDIR": "/var/lib/x.jobs", "NEWSARCHIVE_DB": "/srv/archive.db"},
    )
    assert settings["NEWSARCHIVE_DB"] == ""  # never opens the archive
    assert "JOBDIR" not in settings  # the frontier is in Redis
    assert settings["NEWSARCHIVE_SEEN_CAPACITY"] == "2000000"
    assert settings["AUTOTHROTTLE_ENABLED"] is False  # --no-politeness still applies
    assert settings["REDIS_URL"] == "redis://10.0.0.5:6379/2"
    # the project's own components stay, ours are added
    incremental = "newsarchive.crawling.incremental.IncrementalMiddleware"
    assert incremental in settings["SPIDER_MIDDLEWARES"]
    assert "newsarchive.distributed.fleet.StartThroughSeenSet" in settings["SPIDER_MIDDLEWARES"]
    assert "newsarchive.crawling.crawlrun.CrawlRunExtension" in settings["EXTENSIONS"]
    assert "newsarchive.distributed.fleet.FleetMonitor" in settings["EXTENSIONS"]


def test_start_requests_go_through_the_seen_set() -> None:
    start = [Request("https://gz.news.cn/", dont_filter=True), {"an": "item"}]

    async def collect() -> list[Any]:
        async def source() -> AsyncIterator[Any]:
            for x in start:
                yield x

        return [x async for x in StartThroughSeenSet().process_start(source())]

    out = asyncio.run(collect())
    assert out[0].dont_filter is False
    assert out[0].url == "https://gz.news.cn/"
    assert out[1] == {"an": "item"}


def test_members_started_before_and_after_the_archive_was_published_agree_on_new(
    redis_url: str, redis_prefix: str, caplog: pytest.LogCaptureFixture
) -> None:
    """A member started before the writer published its archive still records the articles
    it lets through, so a member started after (a killed one, restarted) counts an article
    stored during this crawl as new: it fetches its alias URL and pages the column on, as
    the single crawl does (the CI failure of the fleet's kill trial: an alias page and a
    column's second page never fetched)."""
    member = {
        "NEWSARCHIVE_REDIS_URL": redis_url,
        "NEWSARCHIVE_REDIS_PREFIX": redis_prefix,
        "NEWSARCHIVE_REVISIT_DAYS": 0,
    }
    canonical = "https://gz.news.cn/2016-07/06/c_1119365030.htm"
    alias = "http://www.gz.xinhuanet.com/2016-07/06/c_1119365030.htm"
    caplog.set_level(logging.INFO, logger="newsarchive.distributed.archived")
    early = FleetIncrementalMiddleware.from_crawler(get_crawler(ChannelSpider, member))
    assert [r.getMessage() for r in caplog.records] == [
        "no archive published in Redis yet: a full crawl"
    ]
    assert early.known.classify(canonical) == "new"
    # the writer publishes, then stores the article under both its URLs
    server = redis.Redis.from_url(redis_url)
    keys = ArchiveKeys.for_prefix(redis_prefix)
    server.hset(keys.published, mapping={"at": "2026-12-07T23:40:00+00:00"})
    add_archived(server, [canonical, alias], redis_prefix)
    caplog.clear()
    late = FleetIncrementalMiddleware.from_crawler(get_crawler(ChannelSpider, member))
    assert [r.getMessage() for r in caplog.records] == [
        "incremental fleet crawl against the archive published at 2026-12-07T23:40:00+00:00: "
        "0 articles to revisit"
    ]
    assert late.known.classify(alias) == "new"
    assert late.known.classify(canonical) == "new"
    # an article archived before this crawl (no member let it through) is known
    add_archived(server, ["https://gz.news.cn/2015-08/19/c_1117978327.htm"], redis_prefix)
    assert late.known.classify("http://www.gz.xinhuanet.com/2015-08/19/c_1117978327.htm") == (
        "known"
    )
    for mw in (early, late):
        mw.known.index.close()
    server.close()


def test_docs_name_every_redis_key_the_code_uses(repo_root: Path) -> None:
    text = (repo_root / "docs" / "distributed.md").read_text("utf-8")
    table = text.split("## What the queues hold", 1)[1].split("### Delivery", 1)[0]
    documented = set(re.findall(r"^\| `(newsarchive:[^`]+)`", table, flags=re.MULTILINE))
    settings = redis_settings("redis://127.0.0.1:6390/0")
    keys = QueueKeys.for_prefix()
    frontier = settings["SCHEDULER_QUEUE_KEY"] % {"spider": "<spider>"}
    queue = LeasedPriorityQueue(
        redis.Redis(), type("Spider", (), {"name": "<spider>"})(), frontier
    )  # no connection is made: the key names only
    polite = FleetPoliteness(
        redis.Redis(), "newsarchive", delay=1, concurrency=1, hold=1, lost_after=1
    )
    archive = ArchiveKeys.for_prefix()
    used = {
        *queue.keys,
        queue.seq_key,
        settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": "<spider>"},
        settings["SCHEDULER_DUPEFILTER_KEY"] % {"spider": "<spider>"} + ":params",
        "newsarchive:<spider>:crawlers",  # FleetMonitor
        "newsarchive:<spider>:new",  # FleetRunArticles
        "newsarchive:writer",  # WriterLock
        *polite.keys("<host>"),
        keys.items,
        keys.processing,
        keys.dead,
        archive.urls,
        archive.recent,
        archive.gone,
        archive.failed,
        archive.published,
    }
    assert documented == used


def test_fleet_monitor_holds_a_member_open_while_the_fleet_has_work(
    redis_url: str, redis_prefix: str
) -> None:
    server = redis.Redis.from_url(redis_url)
    settings = Settings(redis_settings(redis_url, prefix=redis_prefix))
    settings.set("NEWSARCHIVE_FLEET_GRACE", 0.3)

    class Crawler:
        engine = None

    Crawler.settings = settings  # type: ignore[attr-defined]

    class Spider:
        name = "channel"

    monitor = FleetMonitor(Crawler, server, redis_prefix)  # type: ignore[arg-type]
    monitor.spider_opened(Spider)
    crawlers = f"{redis_prefix}:channel:crawlers"
    frontier = f"{redis_prefix}:channel:requests"
    assert json.loads(server.hget(crawlers, monitor.member))["state"] == "busy"

    # requests still queued: stay
    server.zadd(frontier, {b"a pickled request": 0})
    with pytest.raises(DontCloseSpider):
        monitor.spider_idle(Spider)
    assert json.loads(server.hget(crawlers, monitor.member))["state"] == "idle"
    server.delete(frontier)
    # a live sibling is busy (it may be about to queue links): stay
    server.hset(crawlers, "other:1", json.dumps({"state": "busy", "at": time.time()}))
    with pytest.raises(DontCloseSpider):
        monitor.spider_idle(Spider)
    # the sibling crashed long ago: it holds nobody open; still the grace period to wait out
    server.hset(crawlers, "other:1", json.dumps({"state": "busy", "at": time.time() - 60}))
    with pytest.raises(DontCloseSpider):
        monitor.spider_idle(Spider)
    time.sleep(0.35)
    monitor.spider_idle(Spider)  # frontier empty, fleet idle for the grace period: close
    monitor.spider_closed(Spider, "finished")
    assert not server.hexists(crawlers, monitor.member)
