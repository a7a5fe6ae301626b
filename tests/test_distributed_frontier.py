"""The leased frontier and the fleet-wide turns per host, on a real Redis."""

from __future__ import annotations

import asyncio
import itertools
import time
from typing import Any

import pytest
import redis
from distributed_support import redis_prefix, redis_url
from scrapy import Request
from scrapy.settings import Settings

from newsarchive.distributed.bloom import BloomDupeFilter, BloomParams, RedisBloomFilter
from newsarchive.distributed.fleet import DEFER_META, FleetScheduler
from newsarchive.distributed.frontier import LEASE_META, LeasedPriorityQueue
from newsarchive.distributed.politeness import FleetPoliteness, host_of

__all__ = ["redis_prefix", "redis_url"]  # fixtures, imported for pytest

pytestmark = pytest.mark.redis


class Spider:
    name = "channel"

    def __init__(self, lease: float) -> None:
        self.settings = Settings({"NEWSARCHIVE_FLEET_LEASE": lease})

    def parse(self, response: Any) -> None:  # a callback requests can name
        return None


def queue(redis_url: str, prefix: str, lease: float = 30.0) -> LeasedPriorityQueue:
    server = redis.Redis.from_url(redis_url)
    return LeasedPriorityQueue(server, Spider(lease), f"{prefix}:%(spider)s:requests")


def test_a_taken_request_is_leased_not_lost_and_comes_back_when_its_member_dies(
    redis_url: str, redis_prefix: str
) -> None:
    dead = queue(redis_url, redis_prefix, lease=0.3)
    alive = queue(redis_url, redis_prefix, lease=0.3)
    dead.push(Request("https://gz.news.cn/list.htm", priority=5))
    dead.push(Request("https://gz.news.cn/a.htm"))
    taken = dead.pop()
    assert taken is not None and taken.url == "https://gz.news.cn/list.htm"  # priority first
    assert taken.meta[LEASE_META] in dead.held
    assert len(alive) == 2  # one ready, one leased: both still the fleet's work
    assert alive.ready() == 1 and (len(alive) - alive.ready()) == 1
    # the holder is "killed" (never renews); once the lease expires another member gets it
    second = alive.pop()
    assert second is not None and second.url == "https://gz.news.cn/a.htm"
    time.sleep(0.4)
    again = alive.pop()
    assert again is not None and again.url == "https://gz.news.cn/list.htm"
    assert again.priority == 5  # back with its priority
    assert alive.reclaimed == 2  # the dead member's lease and alive's own unrenewed one
    assert alive.pop() is not None  # a.htm, reclaimed too (alive never renewed it either)


def test_renewed_leases_stay_and_acked_ones_are_gone(redis_url: str, redis_prefix: str) -> None:
    member = queue(redis_url, redis_prefix, lease=0.3)
    other = queue(redis_url, redis_prefix, lease=0.3)
    member.push(Request("https://gz.news.cn/a.htm"))
    member.push(Request("https://gz.news.cn/b.htm"))
    a, b = member.pop(), member.pop()
    assert a is not None and b is not None
    for _ in range(4):  # 0.6 s, twice the lease, renewed every 0.15 s
        time.sleep(0.15)
        assert member.renew() == []
    assert other.pop() is None and other.reclaimed == 0
    member.ack(a)
    assert LEASE_META not in a.meta and len(member.held) == 1
    assert member.release_all() == 1  # stopping: b goes back to the frontier at once
    back = other.pop()
    assert back is not None and back.url == "https://gz.news.cn/b.htm"
    other.ack(back)
    assert len(other) == 0


def test_a_retry_replaces_its_lease_in_one_step(redis_url: str, redis_prefix: str) -> None:
    member = queue(redis_url, redis_prefix)
    member.push(Request("https://gz.news.cn/a.htm"))
    taken = member.pop()
    assert taken is not None
    retry = taken.replace(dont_filter=True)  # Scrapy's retry copies meta, the lease included
    member.push(retry)
    assert member.held == set()
    assert (len(member) - member.ready()) == 0 and member.ready() == 1


def test_a_deferred_request_waits_in_later_then_returns(redis_url: str, redis_prefix: str) -> None:
    member = queue(redis_url, redis_prefix)
    member.push(Request("https://gz.news.cn/a.htm"))
    taken = member.pop()
    assert taken is not None
    member.defer(taken, 0.3)
    assert member.held == set() and member.ready() == 0 and (len(member) - member.ready()) == 1
    assert member.pop() is None  # not due yet
    time.sleep(0.35)
    back = member.pop()
    assert back is not None and back.url == "https://gz.news.cn/a.htm"


def politeness(redis_url: str, prefix: str, delay: float, per_host: int) -> FleetPoliteness:
    return FleetPoliteness(
        redis.Redis.from_url(redis_url),
        prefix,
        delay=delay,
        concurrency=per_host,
        hold=2.0,
        lost_after=0.5,
    )


def test_turns_are_spaced_by_the_delay_across_members(redis_url: str, redis_prefix: str) -> None:
    members = [politeness(redis_url, redis_prefix, delay=0.2, per_host=4) for _ in range(3)]
    granted: list[float] = []
    deadline = time.monotonic() + 1.05
    n = 0
    while time.monotonic() < deadline:  # three members asking as fast as they can
        for member in members:
            n += 1
            if member.take_turn("gz.news.cn", f"t{n}") == 0:
                granted.append(time.monotonic())
                member.end_turn("gz.news.cn", f"t{n}")
    assert n > 30  # they really did ask often
    # at most t = 0, 0.2, 0.4, 0.6, 0.8, 1.0: one member's rate, not three
    assert 4 <= len(granted) <= 6
    gaps = [b - a for a, b in itertools.pairwise(granted)]
    assert min(gaps) >= 0.19
    # another host has its own turns
    assert members[0].take_turn("he.news.cn", "x") == 0


def test_in_flight_requests_per_host_are_capped_fleet_wide(
    redis_url: str, redis_prefix: str
) -> None:
    a = politeness(redis_url, redis_prefix, delay=0.0, per_host=2)
    b = politeness(redis_url, redis_prefix, delay=0.0, per_host=2)
    assert a.take_turn("gz.news.cn", "1") == 0
    assert b.take_turn("gz.news.cn", "2") == 0
    assert a.take_turn("gz.news.cn", "3") > 0  # two in flight across the fleet: wait
    b.end_turn("gz.news.cn", "2")
    assert a.take_turn("gz.news.cn", "3") == 0
    # a member killed with a turn in flight frees it after lost_after (0.5 s here)
    time.sleep(0.55)
    assert b.take_turn("gz.news.cn", "4") == 0
    assert b.take_turn("gz.news.cn", "5") == 0


def test_a_long_wait_goes_back_to_redis_instead_of_holding_the_member(
    redis_url: str, redis_prefix: str
) -> None:
    mw = politeness(redis_url, redis_prefix, delay=5.0, per_host=1)
    first = Request("https://gz.news.cn/a.htm")
    assert asyncio.run(mw.process_request(first)) is None
    second = Request("https://gz.news.cn/b.htm", meta={LEASE_META: "7"})
    deferred = asyncio.run(mw.process_request(second))  # no wait: too long
    assert isinstance(deferred, Request) and deferred.url == second.url
    assert 4.0 < deferred.meta[DEFER_META]["seconds"] <= 5.0
    assert deferred.meta[DEFER_META]["dont_filter"] is False
    assert deferred.meta[LEASE_META] == "7"  # the scheduler acknowledges it when deferring
    assert host_of("HTTP://GZ.News.cn:80/x") == "gz.news.cn"


def seen_set(redis_url: str, prefix: str) -> BloomDupeFilter:
    server = redis.Redis.from_url(redis_url)
    key = f"{prefix}:seen"
    bloom = RedisBloomFilter(server, key, BloomParams.for_capacity(10_000, 1e-6), ttl=60)
    return BloomDupeFilter(server, key, bloom=bloom)


def scheduler(q: LeasedPriorityQueue, df: BloomDupeFilter) -> FleetScheduler:
    sched = FleetScheduler.__new__(FleetScheduler)  # the parts enqueue_request uses
    sched.queue, sched.df, sched.stats, sched.spider = q, df, None, None
    return sched


def queued_urls(q: LeasedPriorityQueue) -> list[str]:
    urls = []
    while (request := q.pop()) is not None:
        urls.append(request.url)
        q.ack(request)
    return urls


def test_a_page_is_claimed_and_queued_in_one_step(redis_url: str, redis_prefix: str) -> None:
    q = queue(redis_url, redis_prefix)
    df = seen_set(redis_url, redis_prefix)
    sched = scheduler(q, df)
    assert sched.enqueue_request(Request("https://gz.news.cn/a.htm"))
    assert not sched.enqueue_request(Request("https://gz.news.cn/a.htm"))  # seen: not queued
    assert df.bloom.contains(
        bytes.fromhex(df.request_fingerprint(Request("https://gz.news.cn/a.htm")))
    )
    # queued even if seen: dont_filter, and a redirect (a withdrawal must reach the archive)
    assert sched.enqueue_request(Request("https://gz.news.cn/a.htm", dont_filter=True))
    redirected = Request("https://gz.news.cn/a.htm", meta={"redirect_urls": ["https://x/"]})
    assert sched.enqueue_request(redirected)
    assert sorted(queued_urls(q)) == ["https://gz.news.cn/a.htm"] * 3
    assert df.bloom.added == 1


def test_a_member_killed_between_claim_and_queue_cannot_lose_the_page(
    redis_url: str, redis_prefix: str
) -> None:
    """The claim and the queueing are one Redis script: a member dies before it (the page is
    neither claimed nor queued, and its parent's re-parse queues it) or after it (both). The
    two steps as separate commands, as scrapy-redis's scheduler sends them, lost the page:
    claimed by a member killed before it queued it, and filtered when the parent's page,
    whose lease came back, was parsed again."""
    q = queue(redis_url, redis_prefix)
    df = seen_set(redis_url, redis_prefix)
    page = Request("https://gz.news.cn/2016-07/06/c_1119365030.htm")
    claim = df.claim(page)
    # the script's step, not sent: nothing changed, the re-parse queues the page
    assert not df.bloom.contains(bytes.fromhex(df.request_fingerprint(page)))
    assert scheduler(q, df).enqueue_request(page.copy())
    assert queued_urls(q) == [page.url]
    # the old two steps, cut between them: claimed, never queued, and then filtered for good
    other = Request("https://gz.news.cn/2016-07/06/c_1119365031.htm")
    assert df.request_seen(other) is False  # claimed ... and the member dies here
    assert not scheduler(q, df).enqueue_request(other.copy())
    assert queued_urls(q) == []
    assert claim.positions and len(claim.positions) == df.bloom.params.hashes


def test_the_scheduler_puts_a_deferred_request_off_and_settles_its_lease(
    redis_url: str, redis_prefix: str
) -> None:
    q = queue(redis_url, redis_prefix)
    q.push(Request("https://gz.news.cn/a.htm"))
    taken = q.pop()
    assert taken is not None
    deferred = taken.replace(dont_filter=True)
    deferred.meta[DEFER_META] = {"seconds": 0.2, "dont_filter": False}
    sched = scheduler(q, seen_set(redis_url, redis_prefix))
    assert sched.enqueue_request(deferred)
    assert q.held == set() and q.ready() == 0 and (len(q) - q.ready()) == 1  # in "later" only
    time.sleep(0.25)
    back = q.pop()
    assert back is not None and back.url == "https://gz.news.cn/a.htm"
    assert back.dont_filter is False and DEFER_META not in back.meta


def test_a_leased_request_the_seen_set_rejects_is_settled_not_leaked(
    redis_url: str, redis_prefix: str
) -> None:
    q = queue(redis_url, redis_prefix)
    q.push(Request("https://gz.news.cn/a.htm"))
    taken = q.pop()
    assert taken is not None
    # a redirect to a page fetched before: Scrapy hands the new request, lease and all, back
    redirected = taken.replace(url="https://gz.news.cn/")
    df = seen_set(redis_url, redis_prefix)
    df.request_seen(Request("https://gz.news.cn/"))  # fetched before
    sched = scheduler(q, df)
    assert not sched.enqueue_request(redirected)
    assert q.held == set() and len(q) == 0
