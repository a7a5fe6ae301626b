"""The mirror transport under redirects: a ``Location`` pointing into the site copy is mapped
back to the real host, so the redirect chain, the dedup filter and the records all see real
URLs. Real Scrapy in a subprocess against the fault-injecting site on 127.0.0.1."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tools.faults import Fault, FaultSite, Rule

pytestmark = pytest.mark.e2e

SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"
ARTICLE = "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
KEY = ARTICLE.split("://", 1)[1]


def test_a_redirect_into_the_copy_is_followed_under_the_real_url(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    rules = [Rule(KEY, Fault(kind="redirect_loop"))]
    with FaultSite(SITE, rules, redirect_style="mirror") as site:
        proc = subprocess.run(
            [
                sys.executable,
                "-c",
                "from newsarchive.cli import main; main()",
                "-q",
                "crawl",
                "gz",
                "--start",
                ARTICLE,
                "--mirror",
                site.url,
                "--db",
                str(db),
                "--no-politeness",
                "--max-pages",
                "1",
                "--no-big5",
            ],
            capture_output=True,
            text=True,
            timeout=240,
            check=False,
        )
        loops = site.hits(f"{KEY}?_loop=1")
        firsts = site.hits(KEY)
    # the one page of the crawl failed: "partial" or, by the ledger's rule, "failed"
    assert proc.returncode in (1, 3), proc.stderr[-3000:]
    # A → A?_loop=1 → A → …: both spellings were asked for, many times, under their own keys
    assert loops >= 5 and firsts >= 5
    with sqlite3.connect(db) as conn:
        (errors,) = conn.execute("SELECT errors_by_kind FROM crawl_runs").fetchone()
        urls = [u for (u,) in conn.execute("SELECT url FROM captures")]
    assert json.loads(errors) == {"redirect_loop": 1}
    assert urls == [ARTICLE]  # the failed URL is kept, with its real host


ROBOTS_WAITERS = """
import asyncio
from twisted.internet import asyncioreactor
asyncioreactor.install()
from twisted.internet import reactor
from twisted.internet.defer import Deferred
from scrapy import Request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware as Scrapys
from newsarchive.crawling.robots import RobotsMiddleware as Ours

async def waiters(cls):
    mw = cls.__new__(cls)
    being_fetched = Deferred()  # robots.txt of gz.news.cn
    mw._parsers = mw._verdicts = {"gz.news.cn": being_fetched}
    requests = [Request(f"https://gz.news.cn/preview/{i}.htm") for i in range(3)]
    tasks = [asyncio.ensure_future(mw.robot_parser(r)) for r in requests]
    await asyncio.sleep(0.01)
    being_fetched.callback("RULES")
    return [await t for t in tasks]

async def main():
    print(await waiters(Scrapys))
    print(await waiters(Ours))

def run():
    d = Deferred.fromFuture(asyncio.ensure_future(main()))
    d.addBoth(lambda _: reactor.stop())

reactor.callWhenRunning(run)
reactor.run()
"""


def test_every_request_waiting_for_robots_txt_gets_the_rules() -> None:
    """Scrapy 2.19 hands the parsed robots.txt to the first waiting request only; the others
    get None and are not checked. The crawl's middleware gives every waiter the rules."""
    out = subprocess.run(
        [sys.executable, "-c", ROBOTS_WAITERS],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.splitlines()
    assert out == ["['RULES', None, None]", "['RULES', 'RULES', 'RULES']"]
