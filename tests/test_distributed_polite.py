"""Issue 19's proof that a fleet is as polite as one crawler: one member, then two members,
against a server on 127.0.0.1 that records when each request arrives, per host.

The configured politeness is a 0.2 s delay and one request at a time per host. Scrapy alone
applies it per process (two members: twice the load); with the fleet's turns in Redis
(:mod:`newsarchive.distributed.politeness`) two members send no host more than one does.
"""

from __future__ import annotations

import bisect
import logging
import os
import subprocess
import threading
import time
from collections import defaultdict
from http import HTTPStatus
from pathlib import Path

import pytest
import redis
from distributed_support import redis_url
from test_distributed_fleet import REPO, SITE, cli, fetched

from newsarchive.mirrorserver import request_key
from tools.mirror import CountingMirror as MirrorServer
from tools.sitegen import load_manifest

__all__ = ["redis_url"]  # fixture, imported for pytest

logger = logging.getLogger(__name__)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no bundled sample site"),
]

DELAY = 0.2
POLITE_ENV = {
    **os.environ,
    "PYTHONPATH": str(REPO),
    "NEWSARCHIVE_DELAY": str(DELAY),
    "NEWSARCHIVE_AUTOTHROTTLE": "off",
    "NEWSARCHIVE_CONCURRENCY": "1",
}


class ArrivalServer(MirrorServer):
    """The mirror server, also recording each request's arrival time and host."""

    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.arrivals: dict[str, list[float]] = defaultdict(list)
        self._times = threading.Lock()

    def answer(self, target: str) -> tuple[HTTPStatus, str, bytes]:
        key, _ = request_key(target)
        with self._times:
            self.arrivals[key.split("/", 1)[0]].append(time.monotonic())
        return super().answer(target)


def busiest_window(times: list[float], seconds: float) -> int:
    """The most requests that arrived within any *seconds*-long window."""
    times = sorted(times)
    return max(bisect.bisect_left(times, t + seconds) - i for i, t in enumerate(times))


def crawl_with(n: int, fleet_url: str) -> tuple[dict[str, list[float]], dict[str, int], list[int]]:
    server = redis.Redis.from_url(fleet_url)
    server.flushdb()
    codes = list(load_manifest(SITE)["start_pages"])
    with ArrivalServer(SITE) as site:
        members = [
            subprocess.Popen(
                cli("crawl", *codes, "--mirror", site.url, "--redis", fleet_url),
                env={**POLITE_ENV, "NEWSARCHIVE_FLEET_SIZE": str(n)},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(n)
        ]
        try:
            outputs = [m.communicate(timeout=300) for m in members]
        finally:
            for m in members:
                if m.poll() is None:
                    m.kill()
                    m.wait(timeout=10)
        arrivals = dict(site.arrivals)
        pages = fetched(site)
    for m, (_, err) in zip(members, outputs, strict=True):
        assert m.returncode in (0, 3), err[-3000:]
    pushed = [int(out.split(" items queued")[0].rsplit(" ", 1)[1]) for out, _ in outputs]
    server.flushdb()
    return arrivals, pages, pushed


def test_two_members_send_no_host_more_than_one_member_does(redis_url: str) -> None:
    fleet_url = redis_url.rsplit("/", 1)[0] + "/14"
    one, pages_one, _ = crawl_with(1, fleet_url)
    two, pages_two, pushed = crawl_with(2, fleet_url)
    assert all(n > 0 for n in pushed)  # both members did fetch
    assert pages_two == pages_one  # the same pages (robots.txt: once per member and host)
    for host, times in two.items():
        # never more than one request per DELAY from the whole fleet (+1 for the window's
        # edge; arrival jitter on a loaded machine is well below a delay)
        assert busiest_window(times, 2.0) <= 2.0 / DELAY + 1, host
        gaps = [b - a for a, b in zip(sorted(times), sorted(times)[1:], strict=False)]
        if len(times) >= 10:
            # the mean spacing at the server is at least the delay: the fleet's rate is at
            # most one member's configured rate (1/DELAY per second)
            assert sum(gaps) / len(gaps) >= DELAY * 0.95, host
    busiest = max(one, key=lambda h: len(one[h]))
    rate_one = (len(one[busiest]) - 1) / (max(one[busiest]) - min(one[busiest]))
    rate_two = (len(two[busiest]) - 1) / (max(two[busiest]) - min(two[busiest]))
    logger.warning(
        "%s: %.2f requests/s from one member, %.2f from two (configured: at most %.2f)",
        busiest,
        rate_one,
        rate_two,
        1 / DELAY,
    )
    assert rate_two <= 1 / DELAY * 1.05
    assert rate_two <= rate_one * 1.15  # two members: not more than one member's load
