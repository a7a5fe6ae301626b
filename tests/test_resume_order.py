"""The resume journal's order: a page's ``D`` line never comes before the ``T`` lines of the
links found on it.

A resumed job skips every page journaled ``D`` (:mod:`newsarchive.crawling.resume`), so the links of
such a page are followed only if they were journaled ``T`` before the crawl died. Scrapy
starts storing a response's items while it is still reading the rest of the callback's output
once that output holds more than ``2 * CONCURRENT_ITEMS`` objects (an article with many
related links): without the middleware holding items back, the ``D`` line of an article could
be written before the ``T`` lines of its later links, and a SIGKILL between the two lost them.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from reliability_helpers import crawl_command
from scrapy import Request, Spider
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from store_factory import article_item, make_article

from newsarchive.crawling import resume
from newsarchive.crawling.incremental import (
    IncrementalMiddleware,
    KnownArticles,
    open_index,
    resume_requests,
)
from newsarchive.store import Store
from newsarchive.urls import canonical_url
from tools.faults import Fault, FaultSite, Rule

ARTICLE = "https://gz.news.cn/20261125/00112233445566778899aabbccddeeff/c.html"
LINKS = [f"https://gz.news.cn/20261124/{n:032x}/c.html" for n in range(1, 41)]
SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"
#: A sample-site article with a big5 copy (linked from its page only).
ORIGINAL = "http://www.gz.xinhuanet.com/2016-04/29/c_1119070511.htm"
BIG5 = "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-04/29/c_1119070511.htm"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    Store(db).close()
    return db


def test_an_item_leaves_the_middleware_after_every_request_of_its_page_is_journaled(
    archive: Path, tmp_path: Path
) -> None:
    crawler = get_crawler(Spider)
    assert crawler.stats is not None
    jobdir = tmp_path / "job"
    journal = resume.Journal(jobdir)
    mw = IncrementalMiddleware(
        KnownArticles(open_index(archive), 0), crawler.stats, journal=journal
    )
    item = article_item(make_article(ARTICLE))
    response = HtmlResponse(ARTICLE, body=b"<html></html>", encoding="utf-8")

    def output() -> Iterator[Any]:
        yield item  # the spider yields the article first, then its related links
        for url in LINKS:
            yield Request(url, meta={"na_kind": "article"})

    journaled_when_item_left: frozenset[str] | None = None
    seen: list[Any] = []
    for obj in mw.process_spider_output(response, output()):
        if obj is item:  # what Scrapy would now store and journal as D
            journaled_when_item_left = resume.Journal.read(jobdir)[0]
        seen.append(obj)
    journal.close()
    assert journaled_when_item_left == frozenset(LINKS)
    assert seen[-1] is item
    assert [o.url for o in seen[:-1]] == LINKS  # requests still go on at once, in order


def test_without_a_journal_items_are_not_held(archive: Path) -> None:
    crawler = get_crawler(Spider)
    assert crawler.stats is not None
    mw = IncrementalMiddleware(KnownArticles(open_index(archive), 0), crawler.stats)
    item = article_item(make_article(ARTICLE))
    response = HtmlResponse(ARTICLE, body=b"<html></html>", encoding="utf-8")
    out = list(mw.process_spider_output(response, [item, Request(LINKS[0])]))
    assert out[0] is item


def test_a_resumed_job_leaves_a_big5_copy_to_its_pending_original() -> None:
    alias = "https://gz.news.cn/2016-04/29/c_1119070511.htm"  # the original on its new host
    lone = (
        "http://big5.news.cn/gate/big5/gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    )
    assert resume_requests([BIG5, ORIGINAL, lone]) == sorted([ORIGINAL, lone])
    assert resume_requests([alias, BIG5]) == [alias]
    assert resume_requests([BIG5]) == [BIG5]  # its original is stored: nothing to race


#: A real Scrapy crawl (the project's middleware and extension, a local server): one page
#: whose callback yields its item and then 40 article links. Prints the journal.
_CRAWL = textwrap.dedent(
    """
    import sys, threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from pathlib import Path
    from scrapy import Request, Spider
    from scrapy.crawler import CrawlerProcess
    from newsarchive.records import Capture, NotAnArticle, PageItem
    from newsarchive.store import Store

    work = Path(sys.argv[1])
    Store(work / "archive.db").close()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><body>page</body></html>")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_port}"

    class Links(Spider):
        name = "links"

        async def start(self):
            yield Request(base + "/page", callback=self.page)

        def page(self, response):
            capture = Capture(url=response.url, final_url=response.url, status=200,
                              headers=(), body=response.body,
                              fetched_at="2026-11-25T01:00:00+00:00", encoding="utf-8")
            yield PageItem(captures=(capture,),
                           result=NotAnArticle(url=response.url, kind="list", reason="test"))
            for n in range(40):
                yield Request(f"{base}/link{n}", meta={"na_kind": "article"},
                              callback=self.leaf)

        def leaf(self, response):
            return []

    process = CrawlerProcess({
        "SPIDER_MIDDLEWARES": {"newsarchive.crawling.incremental.IncrementalMiddleware": 950},
        "EXTENSIONS": {"newsarchive.crawling.resume.JobStateExtension": 0},
        "JOBDIR": str(work / "job"),
        "NEWSARCHIVE_DB": str(work / "archive.db"),
        "CONCURRENT_ITEMS": 8,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
    })
    process.crawl(Links)
    process.start()
    print((work / "job" / "journal.log").read_text("utf-8"), end="")
    """
)


@pytest.mark.slow
def test_a_real_crawl_journals_every_link_of_a_page_before_the_page(tmp_path: Path) -> None:
    script = tmp_path / "crawl.py"  # a file: Scrapy reads the callbacks' source
    script.write_text(_CRAWL, "utf-8")
    proc = subprocess.run(
        [sys.executable, str(script), str(tmp_path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.splitlines()
    done = [i for i, line in enumerate(lines) if line.startswith("D ") and line.endswith("/page")]
    links = [i for i, line in enumerate(lines) if line.startswith("T ") and "/link" in line]
    assert len(done) == 1 and len(links) == 40, lines
    assert max(links) < done[0], lines  # before the fix: 8 of the 40 came after the D line


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site")
def test_a_resumed_job_stores_an_original_before_its_big5_copy(tmp_path: Path) -> None:
    """A job killed after an article's page was read (its big5 link journaled) but before the
    article was stored has both on its to-do list. The resumed job must not race the two: the
    original is stored first and the big5 copy stays a copy, as in an uninterrupted crawl (the
    original's page arrives slowly here, so a big5 request sent at the start would win)."""
    db = tmp_path / "archive.db"
    Store(db).close()
    job = resume.job_dir(db.with_name(db.name + ".jobs"), ["gz"])
    resume.prepare(job)
    journal = resume.Journal(job)
    journal.write("T", [ORIGINAL, BIG5])  # …and then SIGKILL
    journal.close()
    slow = [Rule(ORIGINAL.split("://")[1], Fault(kind="trickle", chunk=512, delay=0.2))]
    with FaultSite(SITE, slow) as site:
        proc = subprocess.run(
            crawl_command(db, site.url, "gz", timeout=30),
            capture_output=True,
            text=True,
            check=False,
        )
    assert proc.returncode in (0, 3), proc.stderr[-3000:]
    conn = sqlite3.connect(db)
    try:
        article_id, script, revision = conn.execute(
            "SELECT id, script, revision FROM articles WHERE canonical_url = ?",
            (canonical_url(ORIGINAL),),
        ).fetchone()
        revisions = conn.execute(
            "SELECT count(*) FROM revisions WHERE article_id = ?", (article_id,)
        ).fetchone()[0]
        urls = {
            r[0]
            for r in conn.execute(
                "SELECT url FROM article_urls WHERE article_id = ?", (article_id,)
            )
        }
    finally:
        conn.close()
    assert (script, revision, revisions) == ("zh-Hans", 1, 0)
    assert {ORIGINAL, BIG5} <= urls
