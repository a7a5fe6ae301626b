"""The crawl frontier's order: a page is never recorded done without the links found on it.

The next run takes up only the URLs the frontier holds pending, so the links of a stored page
must be recorded in the page's own transaction. Scrapy starts storing a response's items
while it is still reading the rest of the callback's output once that output holds more than
``2 * CONCURRENT_ITEMS`` objects (an article with many related links): the frontier
middleware holds the items back until the output ends and hands them the links. And a run
taking up an original and its big5 copy leaves the copy to the original's page.
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

from newsarchive.crawling.frontier import FrontierMiddleware, take_up_order
from newsarchive.records import FrontierNote, PageItem
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


def _frontier_middleware(db: Path) -> FrontierMiddleware:
    return FrontierMiddleware.from_crawler(get_crawler(Spider, {"NEWSARCHIVE_DB": str(db)}))


def test_an_item_leaves_the_middleware_carrying_every_link_of_its_page(archive: Path) -> None:
    """The spider yields an article's item first, then its links; the item leaves the
    frontier middleware last, with every link, so that the store records them pending in the
    item's own transaction."""
    mw = _frontier_middleware(archive)
    item = article_item(make_article(ARTICLE))
    response = HtmlResponse(ARTICLE, body=b"<html></html>", encoding="utf-8")

    def output() -> Iterator[Any]:
        yield item
        for url in LINKS:
            yield Request(url, meta={"na_kind": "article"})
        yield Request(ARTICLE.replace("c.html", "c_2.html"), cb_kwargs={"state": "joining"})

    seen = list(mw.process_spider_output(response, output()))
    assert [o.url for o in seen[:-1]] == [*LINKS, ARTICLE.replace("c.html", "c_2.html")]
    last = seen[-1]
    assert isinstance(last, PageItem)
    assert last.captures == item.captures
    assert last.discovered == tuple(LINKS)  # a multi-page continuation is not recorded
    with Store(archive) as store:
        store.store_item(last)
        states = dict(store.db.execute("SELECT url, state FROM frontier").fetchall())
    assert states == {ARTICLE: "done", **dict.fromkeys(LINKS, "pending")}


def test_links_of_a_response_without_an_item_go_in_a_note(archive: Path) -> None:
    mw = _frontier_middleware(archive)
    response = HtmlResponse(ARTICLE, body=b"<html></html>", encoding="utf-8")
    out = list(mw.process_spider_output(response, [Request(LINKS[0]), Request(LINKS[1])]))
    assert out[-1] == FrontierNote(discovered=(LINKS[0], LINKS[1]))
    assert list(mw.process_spider_output(response, [])) == []


def test_a_run_leaves_a_big5_copy_to_its_pending_original() -> None:
    alias = "https://gz.news.cn/2016-04/29/c_1119070511.htm"  # the original on its new host
    lone = (
        "http://big5.news.cn/gate/big5/gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    )
    assert take_up_order([BIG5, ORIGINAL, lone]) == sorted([ORIGINAL, lone])
    assert take_up_order([alias, BIG5]) == [alias]
    assert take_up_order([BIG5]) == [BIG5]  # its original is stored: nothing to race


#: A real Scrapy crawl (the project's middleware and extension, a local server): one page
#: whose callback yields its item and then 40 article links. Prints the frontier.
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
        "SPIDER_MIDDLEWARES": {"newsarchive.crawling.incremental.IncrementalMiddleware": 950,
                               "newsarchive.crawling.frontier.FrontierMiddleware": 900},
        "ITEM_PIPELINES": {"pipelines.store.StorePipeline": 300},
        "NEWSARCHIVE_DB": str(work / "archive.db"),
        "CONCURRENT_ITEMS": 8,
        "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
        "ROBOTSTXT_OBEY": False,
        "LOG_LEVEL": "ERROR",
    })
    process.crawl(Links)
    process.start()
    import sqlite3
    for url, state in sqlite3.connect(work / "archive.db").execute(
            "SELECT url, state FROM frontier ORDER BY url"):
        print(state, url)
    """
)


@pytest.mark.slow
def test_a_real_crawl_records_every_link_of_a_page_with_the_page(tmp_path: Path) -> None:
    """Each link is recorded, and the page is done; the links stay pending, as their
    callback yields no page item (a real crawl's always does)."""
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
    assert len([line for line in lines if line.startswith("pending ") and "/link" in line]) == 40
    assert [line for line in lines if line.endswith("/page")] == [lines[-1]]
    assert lines[-1].startswith("done ")


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site")
def test_a_resumed_job_stores_an_original_before_its_big5_copy(tmp_path: Path) -> None:
    """A run killed after the original and its big5 copy were both recorded pending (found on
    a related article's page, say) left both in the frontier. The next run must not race the
    two: the original is stored first and the big5 copy stays a copy, as in an uninterrupted
    crawl (the original's page arrives slowly here, so a big5 request sent at the start would
    win)."""
    db = tmp_path / "archive.db"
    with Store(db) as store:
        store.store_note(FrontierNote(discovered=(ORIGINAL, BIG5)))  # …and then SIGKILL
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
