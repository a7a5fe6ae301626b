"""URL rules: channels, the big5 gateway, mobile hosts, canonical URLs."""

from __future__ import annotations

from datetime import date

import pytest

from newsarchive import channels, urls


def test_registry_has_all_31_provincial_channels() -> None:
    reg = channels.registry()
    assert len(reg) == 31
    assert reg["gz"].name == "贵州频道"
    assert reg["gz"].province == "贵州省"
    assert "www.gz.xinhuanet.com" in reg["gz"].hosts
    assert len({h for ch in reg.values() for h in ch.hosts}) == 31 * 4


@pytest.mark.parametrize(
    ("url", "channel"),
    [
        ("http://www.gz.xinhuanet.com/2016-09/07/c_1119524655.htm", "gz"),
        ("https://gz.news.cn/2022-12/05/c_1129184967.htm", "gz"),
        ("https://www.gz.news.cn/20241011/cf50417be9cf44fab175f37d5ebf7cd2/c.html", "gz"),
        ("http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-09/07/c_1119524655.htm", "gz"),
        ("http://m.xinhuanet.com/gz/2019-12/07/c_1125319425.htm", "gz"),
        ("http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html", "he"),
        ("http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm", None),
        ("https://example.com/2019-12/10/c_1.htm", None),
    ],
)
def test_channel_of(url: str, channel: str | None) -> None:
    assert urls.channel_of(url) == channel


@pytest.mark.parametrize(
    "variant",
    [
        "http://www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm",
        "https://www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm",
        "http://gz.news.cn/2016-11/21/c_1119954709.htm",
        "https://www.gz.news.cn/2016-11/21/c_1119954709.htm?utm_source=wechat#top",
        "http://www.gz.xinhuanet.com/2016-11/21/c_1119954709_2.htm",
        "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm",
        "http://big5.news.cn/gate/big5/big5.xinhuanet.com/gate/big5/gz.news.cn/2016-11/21/c_1119954709.htm",
        "http://m.xinhuanet.com/gz/2016-11/21/c_1119954709.htm",
    ],
)
def test_canonical_url_folds_every_variant(variant: str) -> None:
    assert urls.canonical_url(variant) == "https://gz.news.cn/2016-11/21/c_1119954709.htm"


def test_canonical_url_new_era_drops_page_query() -> None:
    assert (
        urls.canonical_url(
            "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html?page=2"
        )
        == "https://he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html"
    )


def test_canonical_url_national_hosts_fold() -> None:
    assert (
        urls.canonical_url("http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm")
        == "https://www.news.cn/world/2019-12/10/c_1125327450.htm"
    )
    assert (
        urls.canonical_url("http://news.xinhuanet.com/auto/2017-09/22/c_1121706843.htm")
        == "https://www.news.cn/auto/2017-09/22/c_1121706843.htm"
    )
    # The English site is another site: its home page is not www.news.cn's.
    assert urls.canonical_url("http://english.news.cn/") == "https://english.news.cn/"


def test_non_article_url_keeps_content_query_drops_tracking() -> None:
    assert (
        urls.canonical_url("http://www.gz.xinhuanet.com/xwzx/list.htm?page=2&utm_source=x")
        == "https://gz.news.cn/xwzx/list.htm?page=2"
    )


def test_parse_reports_page_and_id() -> None:
    info = urls.parse("http://www.gz.xinhuanet.com/2016-11/21/c_1119954709_3.htm")
    assert (info.article_id, info.page, info.channel) == ("1119954709", 3, "gz")
    info = urls.parse("https://gz.news.cn/20240103/230fc867aaaa4bbbbccccddddeeeeffff/c.html")
    assert info.article_id is None  # 33 hex digits is not an article id
    info = urls.parse("https://gz.news.cn/20240103/230fc867aaaa4bbbbccccddddeeeefff/c.html")
    assert info.article_id == "20240103230fc867aaaa4bbbbccccddddeeeefff"


@pytest.mark.parametrize(
    ("url", "day"),
    [
        ("http://www.gz.xinhuanet.com/2016-09/07/c_1119524655.htm", date(2016, 9, 7)),
        ("http://www.gz.xinhuanet.com/2016-09/07/c_1119524655_3.htm", date(2016, 9, 7)),
        ("https://gz.news.cn/20241011/cf50417be9cf44fab175f37d5ebf7cd2/c.html", date(2024, 10, 11)),
        (
            "http://big5.news.cn/gate/big5/www.he.xinhuanet.com/xinwen/2017-10/26/c_1121413630.htm",
            date(2017, 10, 26),
        ),
        ("http://m.xinhuanet.com/gz/2019-12/07/c_1125319425.htm", date(2019, 12, 7)),
        ("https://gz.news.cn/gzyw/index.htm", None),
        ("http://www.gz.xinhuanet.com/2016-13/45/c_1.htm", None),  # not a date
        ("https://gz.news.cn/20240231/cf50417be9cf44fab175f37d5ebf7cd2/c.html", None),
        ("https://gz.news.cn/2016-09/07/content_1.htm", None),  # not an article URL
    ],
)
def test_parse_reads_the_date_an_article_url_carries(url: str, day: date | None) -> None:
    assert urls.parse(url).date == day


def test_real_url_strips_gateway() -> None:
    assert (
        urls.real_url("http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/a/b.htm")
        == "http://www.gz.xinhuanet.com/a/b.htm"
    )
    assert urls.big5_url("http://www.gz.xinhuanet.com/a/b.htm") == (
        "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/a/b.htm"
    )


GATEWAY_COLUMN = "http://big5.news.cn/gate/big5/gz.news.cn/gzyw/index.htm"


@pytest.mark.parametrize(
    ("href", "joined"),
    [
        # Root-relative links on a gateway page mean the inner site's pages, behind the gateway.
        (
            "/gzyw/20261003/f5929b00000000000000000000000000/c.html",
            "http://big5.news.cn/gate/big5/gz.news.cn/gzyw/20261003/"
            "f5929b00000000000000000000000000/c.html",
        ),
        ("../../../xinwen/index.htm", "http://big5.news.cn/gate/big5/gz.news.cn/xinwen/index.htm"),
        ("c.html?page=2", "http://big5.news.cn/gate/big5/gz.news.cn/gzyw/c.html?page=2"),
        ("http://www.gz.news.cn/a.htm", "http://www.gz.news.cn/a.htm"),  # absolute: as written
    ],
)
def test_join_on_a_gateway_page_stays_behind_the_gateway(href: str, joined: str) -> None:
    assert urls.join(GATEWAY_COLUMN, href) == joined


def test_join_elsewhere_is_urljoin() -> None:
    assert (
        urls.join("https://gz.news.cn/gzyw/index.htm", "/a/b.htm") == "https://gz.news.cn/a/b.htm"
    )
    assert urls.join("https://gz.news.cn/gzyw/index.htm", "../x.htm") == "https://gz.news.cn/x.htm"


def test_same_gateway() -> None:
    page = "http://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm"
    pager = "http://www.gz.xinhuanet.com/2016-11/21/c_1119954709_2.htm"
    assert urls.same_gateway(page, pager) == (
        "http://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/2016-11/21/c_1119954709_2.htm"
    )
    assert urls.same_gateway(urls.real_url(page), pager) == pager
