"""RobotsMiddleware: RFC 9309's answers, one fetch per host, and asking again later.

The middleware runs against a stand-in for Scrapy's engine that answers robots.txt requests
as told (and counts them); the real crawl is tested in ``tests/test_safety_crawl.py``.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from newsarchive.crawling import robots
from newsarchive.crawling.robots import RobotsMiddleware, RobotsUnavailable

RULES = b"User-agent: *\nDisallow: /preview/\n"


class Engine:
    """Answers each robots.txt request with the next of ``answers`` (a Response or an
    exception to raise)."""

    def __init__(self, *answers: Response | BaseException) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    async def download_async(self, request: Request) -> Response:
        self.asked.append(request.url)
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def _middleware(engine: Engine, **settings: Any) -> RobotsMiddleware:
    crawler = get_crawler(Spider, {"ROBOTSTXT_OBEY": True, **settings})
    crawler.spider = Spider("channel")
    crawler.engine = engine  # type: ignore[assignment]
    return RobotsMiddleware.from_crawler(crawler)


def _answer(status: int, body: bytes = b"") -> Response:
    return TextResponse("https://gz.news.cn/robots.txt", status=status, body=body, encoding="utf-8")


def _fetch(mw: RobotsMiddleware, url: str) -> str:
    """``allowed``, or the error kind the request fails with."""

    async def go() -> None:
        await mw.process_request(Request(url))

    try:
        asyncio.run(go())
    except RobotsUnavailable:
        return "robots_unavailable"
    except IgnoreRequest:
        return "robots_forbidden"
    return "allowed"


def test_rules_are_fetched_once_and_obeyed() -> None:
    engine = Engine(_answer(200, RULES))
    mw = _middleware(engine)
    assert _fetch(mw, "https://gz.news.cn/2024-01/05/c_1.htm") == "allowed"
    assert _fetch(mw, "https://gz.news.cn/preview/c_2.htm") == "robots_forbidden"
    assert engine.asked == ["https://gz.news.cn/robots.txt"]


@pytest.mark.parametrize("status", [400, 401, 403, 404, 410])
def test_a_4xx_robots_txt_means_no_rules(status: int) -> None:
    mw = _middleware(Engine(_answer(status, RULES)))
    assert _fetch(mw, "https://gz.news.cn/preview/c_2.htm") == "allowed"


@pytest.mark.parametrize(
    "answer",
    [
        _answer(500),
        _answer(503, RULES),
        _answer(429),
        DownloadTimeoutError("took longer than 30 seconds"),
        ConnectionRefusedError("refused"),
    ],
    ids=["500", "503", "429", "timeout", "refused"],
)
def test_an_unreachable_robots_txt_means_nothing_from_that_host(
    answer: Response | BaseException,
) -> None:
    engine = Engine(answer)
    mw = _middleware(engine)
    assert _fetch(mw, "https://gz.news.cn/2024-01/05/c_1.htm") == "robots_unavailable"
    assert _fetch(mw, "https://gz.news.cn/index.htm") == "robots_unavailable"
    assert len(engine.asked) == 1  # not asked again for every request
    assert mw.crawler.stats is not None
    assert mw.crawler.stats.get_value("robotstxt/unavailable") == 1
    assert mw.crawler.stats.get_value("robotstxt/unavailable_refused") == 2


def test_an_unreachable_robots_txt_is_asked_again_later(monkeypatch: pytest.MonkeyPatch) -> None:
    engine = Engine(_answer(503), _answer(200, RULES))
    mw = _middleware(engine, NEWSARCHIVE_ROBOTS_RECHECK=60.0)
    now = [1000.0]
    monkeypatch.setattr(robots.time, "monotonic", lambda: now[0])
    assert _fetch(mw, "https://gz.news.cn/a.htm") == "robots_unavailable"
    now[0] += 59
    assert _fetch(mw, "https://gz.news.cn/a.htm") == "robots_unavailable"
    assert len(engine.asked) == 1
    now[0] += 2
    assert _fetch(mw, "https://gz.news.cn/a.htm") == "allowed"
    assert _fetch(mw, "https://gz.news.cn/preview/b.htm") == "robots_forbidden"
    assert len(engine.asked) == 2


def test_hosts_are_judged_separately() -> None:
    engine = Engine(_answer(503), _answer(404))
    mw = _middleware(engine)
    assert _fetch(mw, "https://gz.news.cn/a.htm") == "robots_unavailable"
    assert _fetch(mw, "http://www.gz.xinhuanet.com/a.htm") == "allowed"
    assert engine.asked == [
        "https://gz.news.cn/robots.txt",
        "http://www.gz.xinhuanet.com/robots.txt",
    ]
