"""The door checks of newsarchive.crawling.offsite, request by request."""

from __future__ import annotations

from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spiders import Spider
from scrapy.utils.test import get_crawler

from newsarchive.crawling.capture import error_kind
from newsarchive.crawling.links import Scope
from newsarchive.crawling.offsite import (
    ChannelHostsMiddleware,
    OffsiteRedirect,
    OffsiteRequest,
    ScopedMetaRefreshMiddleware,
    ScopedRedirectMiddleware,
)

ARTICLE = "https://gz.news.cn/2024-01/05/c_1130000001.htm"
METADATA = "http://169.254.169.254/latest/meta-data/"


def _crawler() -> Any:
    crawler = get_crawler(Spider)
    spider = Spider("channel")
    spider.scope = Scope(channels=frozenset({"gz"}), big5=True)  # type: ignore[attr-defined]
    crawler.spider = spider
    return crawler


def _robots(url: str) -> Request:
    return Request(url, meta={"dont_obey_robotstxt": True})


def test_requests_outside_the_channels_are_refused_before_anything_is_sent() -> None:
    mw = ChannelHostsMiddleware.from_crawler(_crawler())
    assert mw.process_request(Request(ARTICLE)) is None
    assert mw.process_request(Request("https://gz.news.cn/gzyw/ds_0123.json")) is None
    for url in (METADATA, "https://www.news.cn/politics/", "https://he.news.cn/index.htm"):
        with pytest.raises(OffsiteRequest) as refused:
            mw.process_request(Request(url))
        assert error_kind(refused.value) == "offsite"
    redirected = Request(METADATA, meta={"redirect_urls": [ARTICLE]})
    with pytest.raises(OffsiteRedirect) as refused_redirect:
        mw.process_request(redirected)
    assert error_kind(refused_redirect.value) == "offsite_redirect"
    assert mw.crawler.stats.get_value("newsarchive/offsite_refused") == 4


def test_robots_txt_only_for_a_host_the_crawl_fetches_pages_from() -> None:
    mw = ChannelHostsMiddleware.from_crawler(_crawler())
    with pytest.raises(OffsiteRequest):
        mw.process_request(_robots("http://169.254.169.254/robots.txt"))
    with pytest.raises(OffsiteRequest):  # a channel host, but no page asked of it yet
        mw.process_request(_robots("https://big5.news.cn/robots.txt"))
    mw.process_request(Request("https://big5.news.cn/gate/big5/gz.news.cn/2024-01/05/c_1.htm"))
    assert mw.process_request(_robots("https://big5.news.cn/robots.txt")) is None


def _redirect(status: int, location: str) -> Response:
    return Response(ARTICLE, status=status, headers={"Location": location})


def test_a_redirect_off_the_channels_is_not_followed() -> None:
    mw = ScopedRedirectMiddleware.from_crawler(_crawler())
    request = Request(ARTICLE)
    with pytest.raises(OffsiteRedirect, match=r"169\.254\.169\.254"):
        mw.process_response(request, _redirect(302, METADATA))
    followed = mw.process_response(request, _redirect(301, "https://gz.news.cn/"))
    assert isinstance(followed, Request) and followed.url == "https://gz.news.cn/"
    assert followed.meta["redirect_urls"] == [ARTICLE]  # a withdrawal: redirect_home, as before


def test_a_meta_refresh_off_the_channels_is_not_followed() -> None:
    mw = ScopedMetaRefreshMiddleware.from_crawler(_crawler())
    page = HtmlResponse(
        ARTICLE,
        body=f'<html><head><meta http-equiv="refresh" content="0;url={METADATA}"></head>'.encode(),
    )
    with pytest.raises(OffsiteRedirect):
        mw.process_response(Request(ARTICLE), page)
