"""The crawl frontier in the archive: states, retries, the same transaction as the item, what a
run takes up first, and the exit status of a run that left work."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
import subprocess
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from reliability_helpers import crawl_command
from scrapy import Request
from scrapy.utils.test import get_crawler
from store_factory import article_item, error_item, list_item, make_article

from newsarchive.cli import main
from newsarchive.crawling.crawlrun import CrawlRunExtension
from newsarchive.crawling.frontier import TAKEN_UP, FrontierMiddleware, due_urls
from newsarchive.crawling.links import Scope
from newsarchive.crawling.options import CrawlOptions
from newsarchive.records import FrontierNote
from newsarchive.store import Store, frontier
from newsarchive.urls import big5_url, channel_of
from spiders.channel import PRIORITY_TAKEN_UP, ChannelSpider
from tools.faults import Fault, FaultSite, Rule
from tools.faults.plan import eligible_targets, mirror_key
from tools.sitegen import load_manifest

LIST = "https://gz.news.cn/xwzx/gzyw.htm"
LIST_2 = "https://gz.news.cn/xwzx/gzyw_2.htm"
A = "https://gz.news.cn/20261125/00000000000000000000000000000001/c.html"
B = "https://gz.news.cn/20261125/00000000000000000000000000000002/c.html"
HE = "https://he.news.cn/20261125/00000000000000000000000000000003/c.html"


def states(store: Store) -> dict[str, tuple[str, int, str | None]]:
    rows = store.db.execute("SELECT url, state, attempts, last_error FROM frontier").fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_a_stored_page_settles_itself_and_records_its_links_pending(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        store.store_item(dataclasses.replace(list_item(LIST), discovered=(A, B, LIST_2)))
        assert states(store) == {
            LIST: ("done", 1, None),
            A: ("pending", 0, None),
            B: ("pending", 0, None),
            LIST_2: ("pending", 0, None),
        }
        row = store.db.execute(
            "SELECT canonical_url, kind, channel FROM frontier WHERE url = ?", [LIST_2]
        ).fetchone()
        assert row == (LIST_2, "list", "gz")
        store.store_item(article_item(make_article(A)))
        store.store_item(error_item(B, "http_503", status=503))
        assert states(store)[A] == ("done", 1, None)
        assert states(store)[B] == ("retry", 1, "http_503")
        assert frontier.left(store.db.conn, ["gz"]) == {"pending": 1, "retry": 1}
        assert frontier.left(store.db.conn, ["he"]) == {}


def test_an_item_rolled_back_leaves_its_links_unrecorded(tmp_path: Path) -> None:
    """Same transaction: when the item's write fails, neither it nor its links are recorded."""
    with Store(tmp_path / "a.db") as store:
        store.store_item(dataclasses.replace(list_item(LIST), discovered=(A,)))
        with pytest.raises(RuntimeError), store.group():
            store.store_item(dataclasses.replace(article_item(make_article(A)), discovered=(B,)))
            raise RuntimeError("disk full, say")
        assert states(store) == {LIST: ("done", 1, None), A: ("pending", 0, None)}


@pytest.mark.parametrize(
    ("error", "status", "state"),
    [
        ("http_500", 500, "retry"),
        ("timeout", 0, "retry"),
        ("captcha", 200, "retry"),
        ("offsite_redirect", 302, "retry"),
        ("http_404", 404, "failed"),
        ("redirect_loop", 302, "failed"),
        ("page_http_502", 502, "retry"),
    ],
)
def test_passing_failures_are_retried_others_fail_for_good(
    tmp_path: Path, error: str, status: int, state: str
) -> None:
    with Store(tmp_path / "a.db") as store:
        store.store_item(error_item(A, error, status=status))
        assert states(store)[A] == (state, 1, error)


def test_retries_back_off_then_give_up(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        conn = store.db.conn
        now = datetime(2026, 11, 25, tzinfo=UTC)
        waits = []
        for n in range(1, frontier.MAX_ATTEMPTS):
            at = now.isoformat(timespec="seconds")
            frontier.settle(conn, [A], status=500, error="http_500", run_id=None, now=at)
            (next_at,) = conn.execute(
                "SELECT next_attempt_at FROM frontier WHERE url = ?", [A]
            ).fetchone()
            waits.append((datetime.fromisoformat(next_at) - now) / timedelta(hours=1))
            assert [d.url for d in frontier.due(conn, ["gz"], now=at)] == (
                [A] if n <= frontier.IMMEDIATE_RETRIES else []
            )
        assert waits == [0, 0, 0, 1, 2, 4, 8]
        frontier.settle(conn, [A], status=500, error="http_500", run_id=None)
        assert states(store)[A] == ("failed", 8, "http_500 (gave up after 8 attempts)")
        assert frontier.left(conn, ["gz"]) == {}


def test_an_invalid_article_and_a_robots_refusal_fail_for_good(tmp_path: Path) -> None:
    with Store(tmp_path / "a.db") as store:
        store.store_item(article_item(make_article(A)), invalid_reason="no_body")
        store.store_note(FrontierNote(settled=(B,), error="robots_forbidden"))
        assert states(store)[A] == ("failed", 1, "invalid_no_body")
        assert states(store)[B] == ("failed", 1, "robots_forbidden")


def test_a_run_takes_up_open_urls_first_within_its_scope(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    copy = big5_url(A)
    with Store(db) as store:
        store.store_note(FrontierNote(discovered=(LIST_2, A, copy, HE)))
        store.store_item(error_item(B, "http_500", status=500))
    assert sorted(due_urls(db, ["gz"])) == sorted([LIST_2, A, copy, B])
    spider = ChannelSpider(options=CrawlOptions.from_args({"channels": "gz", "big5": "0"}))
    crawler = get_crawler(ChannelSpider, {"NEWSARCHIVE_DB": str(db)})
    crawler.spider = spider
    mw = FrontierMiddleware.from_crawler(crawler)

    async def start() -> AsyncIterator[Any]:
        yield Request(LIST)

    async def collect() -> list[Any]:
        return [r async for r in mw.process_start(start())]

    out = asyncio.run(collect())
    # The big5 copy waits for its original's page (and the mirror is off); he is not in scope.
    assert [r.url for r in out] == [A, B, LIST_2, LIST]
    assert all(r.meta.get(TAKEN_UP) for r in out[:3])
    assert all(r.priority == PRIORITY_TAKEN_UP for r in out[:3])
    assert spider.taken_up(A) is None  # requested once per run
    assert spider.scope == Scope(channels=frozenset({"gz"}), big5=False)


def _closed_run(db: Path, channels: str) -> str | None:
    """The exit status the crawl-run extension gives a finished run with one stored page."""
    spider = ChannelSpider(options=CrawlOptions.from_args({"channels": channels}))
    crawler = get_crawler(ChannelSpider, {"NEWSARCHIVE_DB": str(db)})
    crawler.spider = spider
    ext = CrawlRunExtension(crawler)
    ext.spider_opened()
    assert ext.run_id is not None
    with Store(db) as store:
        store.store_item(list_item(LIST), run_id=ext.run_id)
    ext.spider_closed(reason="finished")
    return ext.exit_status


def test_a_run_with_work_left_in_its_channels_is_partial(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.store_note(FrontierNote(discovered=(HE,)))
    assert _closed_run(db, "gz") == "ok"  # he's pending URL is not this run's
    assert _closed_run(db, "he") == "partial"
    with Store(db) as store:
        store.store_item(article_item(make_article(HE)))
    assert _closed_run(db, "he") == "ok"


def test_runs_shows_the_work_left_per_channel(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    with Store(db) as store:
        store.store_item(dataclasses.replace(list_item(LIST), discovered=(A, B, HE)))
        store.store_item(error_item(A, "http_500", status=500))
        store.store_item(error_item(B, "http_404", status=404))
    runner = CliRunner()
    table = runner.invoke(main, ["runs", "--db", str(db)])
    assert table.exit_code == 0, table.output
    lines = table.output.splitlines()
    assert lines[0] == "no crawl runs recorded"
    assert lines[2] == "work left per channel (crawl frontier):"
    assert lines[4].split()[:3] == ["gz", "0", "1"]
    assert lines[4].endswith("http_404 1, http_500 1")  # as the crawl summary writes them
    assert lines[5].split() == ["he", "1", "0", "0", "0"]
    json_out = runner.invoke(main, ["runs", "--db", str(db), "--work", "--format", "json"])

    work = {w["channel"]: w for w in json.loads(json_out.output)}
    assert work["gz"]["retry"] == 1 and work["gz"]["failed"] == 1 and work["gz"]["done"] == 1
    assert work["gz"]["errors"] == {"http_500": 1, "http_404": 1}
    assert work["he"]["pending"] == 1


def test_an_archive_from_before_the_frontier_has_nothing_open(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    sqlite3.connect(db).close()
    assert due_urls(db, ["gz"]) == []


def test_a_link_answered_before_its_page_committed_stays_answered(tmp_path: Path) -> None:
    """The request for a link leaves at once; the page that found it is stored with its group,
    which can be after the link's own answer. The answer stands in that run; a later run that
    requests the URL again makes it pending."""
    with Store(tmp_path / "a.db") as store:
        run = store.start_run("channel", channels=["gz"])
        store.store_item(article_item(make_article(A)), run_id=run)
        store.store_item(dataclasses.replace(list_item(LIST), discovered=(A,)), run_id=run)
        assert states(store)[A] == ("done", 1, None)
        later = store.start_run("channel", channels=["gz"])
        store.store_item(dataclasses.replace(list_item(LIST), discovered=(A,)), run_id=later)
        assert states(store)[A] == ("pending", 1, None)


SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"


@pytest.mark.e2e
@pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site")
def test_a_crawl_that_leaves_a_page_to_retry_says_so_and_the_next_takes_it_up(
    tmp_path: Path,
) -> None:
    """An article served empty (status 200): the run is partial and its summary names the
    work left; `runs --work` shows it; the next run fetches it first and ends ok."""
    db = tmp_path / "archive.db"
    target = str(eligible_targets(load_manifest(SITE))[0]["url"])

    def crawl(site: FaultSite) -> subprocess.CompletedProcess[str]:
        argv = crawl_command(db, site.url, "gz", "he")
        return subprocess.run(argv, capture_output=True, text=True, check=False)

    with FaultSite(SITE, [Rule(mirror_key(target), Fault(kind="empty"))]) as site:
        first = crawl(site)
    assert first.returncode == 3, first.stderr[-2000:]
    assert "work left: 1 retry (the next run takes it up first" in first.stdout
    work = CliRunner().invoke(main, ["runs", "--db", str(db), "--work", "--format", "json"])
    errors = {w["channel"]: w["errors"] for w in json.loads(work.output)}
    assert errors[channel_of(target) or ""]["empty"] == 1
    with FaultSite(SITE) as site:
        second = crawl(site)
        hits = site.hits(mirror_key(target))
    assert second.returncode == 0, second.stdout + second.stderr[-2000:]
    assert "work left" not in second.stdout
    assert hits == 1
    with Store(db) as store:
        assert states(store)[target][0] == "done"


def test_an_upgraded_archive_keeps_retrying_its_failed_pages(tmp_path: Path) -> None:
    """Schema step 6 seeds the frontier with the pages whose latest capture failed for a
    passing reason lately (the retry the frontier replaced), not with 404s or old failures."""
    db = tmp_path / "old.db"
    now = datetime.now(UTC)
    recent = (now - timedelta(days=1)).isoformat(timespec="seconds")
    old = (now - timedelta(days=30)).isoformat(timespec="seconds")
    with Store(db) as store:
        store.store_item(error_item(A, "http_503", status=503, fetched_at=recent))
        store.store_item(error_item(B, "http_404", status=404, fetched_at=recent))
        store.store_item(error_item(HE, "timeout", status=0, fetched_at=old))
    with sqlite3.connect(db) as conn:  # the archive as version 6 left it
        conn.execute("DROP TABLE frontier")
        conn.execute("DELETE FROM schema_version WHERE version >= 7")
    with Store(db) as store:
        assert states(store) == {A: ("retry", 1, "http_503")}
        assert [d.url for d in frontier.due(store.db.conn, ["gz", "he"])] == [A]
