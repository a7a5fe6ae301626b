"""The incremental middleware against a real archive: which requests a list page keeps."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler
from store_factory import article_item, error_item, make_article

from newsarchive.crawling.frontier import TAKEN_UP
from newsarchive.crawling.incremental import (
    IncrementalMiddleware,
    KnownArticles,
    is_next_page,
    open_index,
    request_kind,
)
from newsarchive.store import Store

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
LIST = "https://gz.news.cn/xwzx/gzyw.htm"
OLD = [f"http://www.gz.xinhuanet.com/2023-11/{d:02d}/c_11299990{d:02d}.htm" for d in (1, 2, 3)]
RECENT = "https://gz.news.cn/20261124/0123456789abcdef0123456789abcdef/c.html"
NEW = "https://gz.news.cn/20261125/fedcba9876543210fedcba9876543210/c.html"


@pytest.fixture
def archive(tmp_path: Path) -> Path:
    db = tmp_path / "archive.db"
    with Store(db) as store:
        for n, url in enumerate(OLD):
            store.store_item(
                article_item(
                    make_article(url, headline=f"旧闻第{n}条", body_text=f"正文{n}" * 80),
                    fetched_at="2026-11-20T00:00:00+00:00",
                )
            )
        store.store_item(
            article_item(
                make_article(
                    RECENT,
                    headline="昨天的新闻",
                    body_text="昨天" * 80,
                    published_at="2026-11-24T09:00:00+08:00",
                ),
                fetched_at="2026-11-24T02:00:00+00:00",
            )
        )
    return db


def middleware(db: Path, *, revisit: float = 3.0) -> IncrementalMiddleware:
    crawler = get_crawler(Spider)
    assert crawler.stats is not None
    known = KnownArticles(open_index(db), revisit, now=NOW)
    return IncrementalMiddleware(known, crawler.stats)


def page(*requests: Request) -> tuple[HtmlResponse, list[Any]]:
    response = HtmlResponse(LIST, body=b"<html></html>", encoding="utf-8")
    return response, [{"item": "a capture"}, *requests]


def article(url: str) -> Request:
    return Request(url, meta={"na_kind": "article"})


def next_page(n: int = 2) -> Request:
    return Request(LIST.replace(".htm", f"_{n}.htm"), meta={"na_kind": "list_next"})


def run(mw: IncrementalMiddleware, response: HtmlResponse, result: list[Any]) -> list[Any]:
    return list(mw.process_spider_output(response, result))


def urls_of(out: Iterable[Any]) -> list[str]:
    return [o.url for o in out if isinstance(o, Request)]


def test_known_articles_are_skipped_new_ones_kept(archive: Path) -> None:
    mw = middleware(archive)
    out = run(mw, *page(article(OLD[0]), article(NEW), next_page()))
    assert out[0] == {"item": "a capture"}
    assert urls_of(out) == [NEW, next_page().url]  # one new article: keep paginating
    assert mw.stats.get_value("incremental/articles_skipped") == 1
    assert mw.stats.get_value("incremental/articles_new") == 1


def test_any_alias_of_a_known_article_is_known(archive: Path) -> None:
    aliases = [
        "https://gz.news.cn/2023-11/01/c_1129999001.htm",  # new host, https
        "http://www.gz.news.cn/2023-11/01/c_1129999001_2.htm",  # page 2 spelling
        "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2023-11/01/c_1129999001.htm",
    ]
    mw = middleware(archive)
    assert [mw.known.classify(u) for u in aliases] == ["known", "known", "known"]


def test_a_page_of_known_articles_stops_pagination(archive: Path) -> None:
    mw = middleware(archive)
    out = run(mw, *page(next_page(), *(article(u) for u in OLD)))
    assert urls_of(out) == []
    assert mw.stats.get_value("incremental/pagination_stopped") == 1
    assert mw.stats.get_value("incremental/articles_skipped") == 3


def test_recent_articles_are_revisited_but_count_as_known(archive: Path) -> None:
    mw = middleware(archive, revisit=3)
    out = run(mw, *page(article(RECENT), article(OLD[1]), next_page()))
    assert urls_of(out) == [RECENT]  # fetched again, and no new article: stop paginating
    assert mw.stats.get_value("incremental/articles_revisited") == 1
    no_window = middleware(archive, revisit=0)
    assert urls_of(run(no_window, *page(article(RECENT)))) == []
    short = middleware(archive, revisit=0.5)  # published 27 hours before NOW
    assert short.known.classify(RECENT) == "known"
    # Fetched 34 hours before NOW: due again after 12 hours, not yet after 48.
    due = KnownArticles(open_index(archive), 3, now=NOW, revisit_after_hours=12)
    assert due.classify(RECENT) == "recent"
    fresh = KnownArticles(open_index(archive), 3, now=NOW, revisit_after_hours=48)
    assert fresh.classify(RECENT) == "known"


def test_pages_without_articles_and_other_requests_pass(archive: Path) -> None:
    mw = middleware(archive)
    other = Request("https://gz.news.cn/xwzx/index.htm", meta={"na_kind": "list"})
    out = run(mw, *page(other, next_page()))
    assert urls_of(out) == [other.url, next_page().url]


def test_unmarked_requests_are_classified_by_url(archive: Path) -> None:
    response = HtmlResponse(LIST, body=b"", encoding="utf-8")
    later = "http://www.gz.news.cn/2023-11/01/c_1129999001_2.htm"
    cases = {
        OLD[0]: "article",
        NEW: "article",
        later: None,  # a later page of a multi-page article is never judged
        "https://gz.news.cn/xwzx/gzyw_2.htm": "list_next",
        "https://www.gz.xinhuanet.com/xwzx/gzyw_5.htm": "list_next",  # host alias, any later page
        "https://gz.news.cn/xwzx/gzyw.htm": None,  # back to page 1
        "https://gz.news.cn/xwzx/gzld_2.htm": None,  # another column's page
        "https://gz.news.cn/other/gzyw_2.htm": None,
        "https://sh.news.cn/xwzx/gzyw_2.htm": None,
        "https://gz.news.cn/gzyw/ds_0123456789abcdef0123456789abcdef.json": None,
    }
    got = {url: request_kind(Request(url), response) for url in cases}
    assert got == cases
    with_state = Request(OLD[0], cb_kwargs={"state": object()})
    assert request_kind(with_state, response) is None
    second = HtmlResponse(LIST.replace(".htm", "_2.htm"), body=b"", encoding="utf-8")
    assert request_kind(Request(LIST.replace(".htm", "_3.htm")), second) == "list_next"
    assert request_kind(Request(LIST), second) is None
    assert is_next_page(LIST, LIST.replace(".htm", "_2.htm"))
    # Unmarked known articles are skipped and stop pagination just like marked ones.
    mw = middleware(archive)
    out = run(mw, *page(Request(OLD[0]), Request(LIST.replace(".htm", "_2.htm"))))
    assert urls_of(out) == []


def test_articles_new_in_this_run_stay_new(archive: Path) -> None:
    """An article let through earlier in the run (maybe stored by now) does not make a later
    list page look fully known."""
    mw = middleware(archive)
    run(mw, *page(article(NEW)))
    with Store(archive) as store:
        store.store_item(
            article_item(make_article(NEW, headline="今天的新闻", body_text="今天" * 80))
        )
    out = run(mw, *page(article(NEW), next_page()))
    assert urls_of(out) == [NEW, next_page().url]


def test_async_output_is_filtered_the_same_way(archive: Path) -> None:
    mw = middleware(archive)
    response, result = page(next_page(), article(OLD[0]), article(OLD[2]))

    async def source() -> AsyncIterator[Any]:
        for obj in result:
            yield obj

    async def collect() -> list[Any]:
        return [o async for o in mw.process_spider_output_async(response, source())]

    assert urls_of(asyncio.run(collect())) == []
    assert mw.stats.get_value("incremental/pagination_stopped") == 1


def test_from_crawler_needs_an_archive(tmp_path: Path, archive: Path) -> None:
    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(
            get_crawler(Spider, {"NEWSARCHIVE_DB": str(tmp_path / "none.db")})
        )
    with pytest.raises(NotConfigured):
        IncrementalMiddleware.from_crawler(
            get_crawler(Spider, {"NEWSARCHIVE_DB": str(archive), "NEWSARCHIVE_INCREMENTAL": False})
        )
    mw = IncrementalMiddleware.from_crawler(
        get_crawler(
            Spider,
            {
                "NEWSARCHIVE_DB": str(archive),
                "NEWSARCHIVE_REVISIT_DAYS": 0,
            },
        )
    )
    assert mw.known.recent == frozenset()
    assert mw.known.classify(OLD[2]) == "known"


def test_articles_open_in_the_frontier_count_as_new(archive: Path) -> None:
    """Articles an earlier run requested and did not store (or is to retry) are new, and so
    are their other URLs (as the uninterrupted run would fetch them); articles archived
    before stay known."""
    alias = "https://www.gz.news.cn/2023-11/02/c_1129999002.htm"  # of OLD[1], archived
    known = KnownArticles(open_index(archive), 0, now=NOW, requested=frozenset({OLD[1], NEW}))
    assert known.classify(OLD[1]) == "new"
    assert known.classify(alias) == "new"
    assert known.classify(OLD[0]) == "known"
    assert known.classify(NEW) == "new"


def test_pagination_goes_on_below_a_list_page_taken_up_from_the_frontier(archive: Path) -> None:
    mw = middleware(archive)
    output = page(article(OLD[0]), article(OLD[1]), next_page())
    assert urls_of(run(mw, *output)) == []  # all known: pagination stops
    taken_up = HtmlResponse(
        LIST, body=b"", encoding="utf-8", request=Request(LIST, meta={TAKEN_UP: True})
    )
    out = list(mw.process_spider_output(taken_up, iter(output[1])))
    assert urls_of(out) == [next_page().url]


def test_the_open_frontier_is_read_from_the_archive(archive: Path) -> None:
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with Store(archive) as store:
        store.store_item(error_item(NEW, "http_503", status=503, fetched_at=now))
        gone = "https://gz.news.cn/20261125/00000000000000000000000000000000/c.html"
        store.store_item(error_item(gone, "http_404", status=404, fetched_at=now))
    settings = {"NEWSARCHIVE_DB": str(archive), "NEWSARCHIVE_REVISIT_DAYS": 0}
    mw = IncrementalMiddleware.from_crawler(get_crawler(Spider, settings))
    assert mw.known.job_articles == {NEW}  # the 503 is to retry; the 404 failed for good
    assert mw.known.classify(gone) == "known"  # answered 404 lately: not requested again yet
    off = {**settings, "NEWSARCHIVE_GONE_RECHECK_DAYS": 0}
    again = IncrementalMiddleware.from_crawler(get_crawler(Spider, off))
    assert again.known.classify(gone) == "new"


def test_an_article_request_taken_up_from_the_frontier_is_kept(archive: Path) -> None:
    mw = middleware(archive)
    out = run(mw, *page(Request(OLD[0], meta={"na_kind": "article", TAKEN_UP: True})))
    assert urls_of(out) == [OLD[0]]  # known, but a later page of it is to be retried
    assert mw.stats.get_value("incremental/articles_taken_up") == 1
