"""The channel spider's pure rules: channel boundary, link normalisation, dates, the column
datasource, crawl options, the mirror URL mapping, the polite middlewares' arithmetic."""

from __future__ import annotations

import json
from datetime import date

import pytest
from scrapy import Request
from scrapy.settings import Settings

from newsarchive.config import DEFAULT_CONTACT
from newsarchive.crawling.datasource import BadDatasource, datasource_urls, parse_datasource
from newsarchive.crawling.links import (
    Scope,
    Window,
    follow_url,
    gateway_links,
    is_page_url,
    text_date,
)
from newsarchive.crawling.middlewares import BackoffRetryMiddleware, user_agent
from newsarchive.crawling.mirrorhandler import mirror_url, real_url
from newsarchive.crawling.options import IMPOLITE_SETTINGS, CrawlOptions, OptionError
from newsarchive.crawling.runner import build_settings

GZ = Scope(channels=frozenset({"gz"}))


# -- channel boundary ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://gz.news.cn/",
        "http://www.gz.xinhuanet.com/xwzx/gzyw.htm",
        "https://www.gz.news.cn/20250111/666a5a95b9c64e445dd210906a0bd1ab/c.html",
        "http://gz.xinhuanet.com/2016-09/07/c_1119524655.htm",
        "http://m.xinhuanet.com/gz/2019-12/07/c_1125319425.htm",
        "http://big5.news.cn/gate/big5/gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html",
        "http://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/2016-04/29/c_1119070511.htm",
    ],
)
def test_scope_keeps_every_host_alias_mobile_prefix_and_gateway_of_the_channel(url: str) -> None:
    assert GZ.allows(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://he.news.cn/20240304/2bda020ae819ac2429d11d450a82bbc2/c.html",  # another channel
        "https://www.news.cn/politics/2024-03/05/c_1130086652.htm",  # national
        "http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm",
        "http://m.xinhuanet.com/he/2019-12/07/c_1125319425.htm",  # another channel, mobile
        "http://big5.news.cn/gate/big5/he.news.cn/",  # another channel, gateway
        "https://www.example.com/gz.news.cn/2016-09/07/c_1.htm",  # the host is what counts
        "https://gz.news.cn/2024-01/05/photo.jpg",  # not a page
        "https://gz.news.cn/static/app.js",
        "mailto:editor@gz.news.cn",
        "javascript:void(0)",
    ],
)
def test_scope_refuses_other_channels_national_pages_and_non_pages(url: str) -> None:
    assert not GZ.allows(url)


def test_scope_without_big5_refuses_gateway_copies_only() -> None:
    scope = Scope(channels=frozenset({"gz"}), big5=False)
    assert not scope.allows("http://big5.news.cn/gate/big5/gz.news.cn/2016-04/29/c_1.htm")
    assert scope.allows("https://gz.news.cn/2016-04/29/c_1.htm")


def test_is_page_url_ignores_media_and_scripts_but_keeps_pages() -> None:
    assert is_page_url("https://gz.news.cn/xwzx/")
    assert is_page_url("https://gz.news.cn/gzyw/index.htm")
    assert is_page_url("https://gz.news.cn/gzyw/index.shtml")
    assert not is_page_url("https://gz.news.cn/a/b.pdf")
    assert not is_page_url("ftp://gz.news.cn/a.htm")


# -- what gets requested ------------------------------------------------------------------------


def test_follow_url_sends_later_pages_to_page_one_and_drops_article_queries() -> None:
    assert (
        follow_url("http://www.gz.xinhuanet.com/2015-08/19/c_1117978327_3.htm#top")
        == "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327.htm"
    )
    assert (
        follow_url("https://gz.news.cn/20240503/b3434b81a924e727443272d22424c59b/c.html?page=2")
        == "https://gz.news.cn/20240503/b3434b81a924e727443272d22424c59b/c.html"
    )
    # host and scheme as found: every alias is fetched and recorded
    assert (
        follow_url("http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-04/29/c_1_2.htm")
        == "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-04/29/c_1.htm"
    )
    # list pages keep their query (pagination parameters), lose the fragment
    assert (
        follow_url("https://gz.news.cn/list.htm?page=2#x") == "https://gz.news.cn/list.htm?page=2"
    )


def test_gateway_links_finds_the_traditional_switch_link() -> None:
    html = (
        '<a href="https://gz.news.cn/">首页</a>'
        '<a class="big5" href="http://big5.news.cn/gate/big5/gz.news.cn/20240622/'
        '15a18f190c3f5cd01b35010e2fecad75/c.html">繁体</a>'
        "<a href='//big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/pc.htm'>繁</a>"
    )
    assert gateway_links(html, "https://gz.news.cn/x/c.html") == [
        "http://big5.news.cn/gate/big5/gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html",
        "https://big5.xinhuanet.com/gate/big5/www.gz.xinhuanet.com/pc.htm",
    ]


# -- dates and the window -----------------------------------------------------------------------


def test_text_date_reads_list_item_dates() -> None:
    assert text_date("石阡：社区食堂 2015-04-13") == date(2015, 4, 13)
    assert text_date("2024-05-15 08:58:52") == date(2024, 5, 15)
    assert text_date("发布于2019年3月5日") == date(2019, 3, 5)
    assert text_date("2016/01/28") == date(2016, 1, 28)
    assert text_date("没有日期") is None


def test_window_is_inclusive_and_admits_unknown_dates() -> None:
    window = Window(since=date(2020, 1, 1), until=date(2020, 12, 31))
    assert window.admits(date(2020, 1, 1)) and window.admits(date(2020, 12, 31))
    assert not window.admits(date(2019, 12, 31)) and not window.admits(date(2021, 1, 1))
    assert window.admits(None)
    assert window.before(date(2019, 12, 31)) and not window.before(None)
    assert Window().open and not window.open


# -- the column datasource ----------------------------------------------------------------------


def test_datasource_urls_beside_the_column_or_at_the_preview_prefix() -> None:
    html = (
        '<ul id="showData0" class="list" data="datasource:a6d618872de143bdafa2556915a7ae12"></ul>'
        '<div data="datasource:BE63704DB765E2ED5A5383C28C5550F2" preview="gzyw/ds_" '
        'class="xpage-content-list"></div>'
        # an article's own content marker (date + 32 hex) is not a column
        '<div data="datasource:20250225f9ba3531bfe22ac5dcb3ff89fb47a478" datatype="content">'
        '<ul data="datasource:a6d618872de143bdafa2556915a7ae12"></ul>'
    )
    assert datasource_urls(html, "https://www.news.cn/politics/index.htm") == [
        "https://www.news.cn/politics/ds_a6d618872de143bdafa2556915a7ae12.json",
        "https://www.news.cn/politics/gzyw/ds_be63704db765e2ed5a5383c28c5550f2.json",
    ]


def _ds_body() -> bytes:
    return json.dumps(
        {
            "datasource": [
                {
                    "contentId": "202605179efd45f177e236326482b9a983e117ea",
                    "title": "关岭：中药材种植",
                    "showTitle": "关岭白沙镇：中药材种植让山乡换新颜",
                    "contentType": "MultiMedia",
                    "linkUrls": [],
                    "publishUrl": "/20260517/9efd45f177e236326482b9a983e117ea/c.html",
                    "publishTime": "2026-05-17 20:53:59",
                },
                {
                    "title": "专题",
                    "contentType": "Link",
                    "linkUrls": ["../zt/2023/index.htm", "https://www.news.cn/x.htm"],
                    "publishUrl": "20250101/0123456789abcdef0123456789abcdef/c.html",
                    "publishTime": "2025-01-01 08:00:00",
                },
                {"title": "no url at all"},
                "not a row",
            ],
            "other": 1,
        },
        ensure_ascii=False,
    ).encode()


def test_parse_datasource_resolves_root_and_column_relative_urls_and_dates() -> None:
    rows = parse_datasource(
        _ds_body(), "https://gz.news.cn/gzyw/ds_be63704db765e2ed5a5383c28c5550f2.json"
    )
    assert len(rows) == 2
    first, link = rows
    assert first.urls == ("https://gz.news.cn/20260517/9efd45f177e236326482b9a983e117ea/c.html",)
    assert first.title == "关岭白沙镇：中药材种植让山乡换新颜"
    assert first.published == date(2026, 5, 17)
    assert link.urls == (
        "https://gz.news.cn/gzyw/20250101/0123456789abcdef0123456789abcdef/c.html",
        "https://gz.news.cn/zt/2023/index.htm",
        "https://www.news.cn/x.htm",
    )
    assert link.published == date(2025, 1, 1)


def test_parse_datasource_accepts_jsonp_and_bare_lists() -> None:
    url = "https://gz.news.cn/ds_x.json"
    jsonp = b'callback({"datasource": [{"publishUrl": "/a/c.html"}]});'
    assert parse_datasource(jsonp, url)[0].urls == ("https://gz.news.cn/a/c.html",)
    bare = '[{"publishUrl": "b.htm", "publishTime": "2020-02-02"}]'
    assert parse_datasource(bare, url)[0].published == date(2020, 2, 2)


@pytest.mark.parametrize("body", [b"<html>not json</html>", b'{"datasource": 3}', b"cb(nope)"])
def test_parse_datasource_refuses_what_no_column_script_reads(body: bytes) -> None:
    with pytest.raises(BadDatasource):
        parse_datasource(body, "https://gz.news.cn/ds_x.json")


# -- options ------------------------------------------------------------------------------------


def test_options_from_spider_arguments_and_back() -> None:
    options = CrawlOptions.from_args(
        {
            "channels": "gz, he,gz",
            "since": "2020-01-01",
            "until": "2024-12-31",
            "max_pages": "50",
            "start": "https://gz.news.cn/gzyw/index.htm http://www.he.xinhuanet.com/index.htm",
            "mirror": "http://127.0.0.1:8000/",
            "big5": "0",
            "db": "x.db",
            "polite": "false",
        }
    )
    assert options.channels == ("gz", "he")
    assert (options.since, options.until) == (date(2020, 1, 1), date(2024, 12, 31))
    assert options.max_pages == 50
    assert options.mirror == "http://127.0.0.1:8000"
    assert not options.big5 and not options.polite
    assert options.start_urls() == [
        "https://gz.news.cn/gzyw/index.htm",
        "http://www.he.xinhuanet.com/index.htm",
    ]
    assert CrawlOptions.from_args(options.to_args()) == options


def test_options_default_start_pages_come_from_the_registry_and_all_means_31() -> None:
    gz = CrawlOptions.from_args({"channels": "gz"})
    assert gz.start_urls() == ["https://gz.news.cn/", "http://www.gz.xinhuanet.com/pc.htm"]
    assert gz.big5 and gz.polite and gz.max_pages is None
    assert len(CrawlOptions.from_args({"channels": "all"}).channels) == 31
    inferred = CrawlOptions.from_args({"start": "https://he.news.cn/xinwen/index.htm"})
    assert inferred.channels == ("he",)


@pytest.mark.parametrize(
    ("since", "until", "first", "last"),
    [
        ("2024", "2024-05", date(2024, 1, 1), date(2024, 5, 31)),
        ("2024-02", "2024-02", date(2024, 2, 1), date(2024, 2, 29)),
        ("2023-12-31", "2024", date(2023, 12, 31), date(2024, 12, 31)),
        # a time is a day in Beijing time (+08:00), as search and export read it
        ("2024-03-04T20:00:00Z", "2024-03-06T01:00:00+08:00", date(2024, 3, 5), date(2024, 3, 6)),
    ],
)
def test_crawl_dates_take_the_forms_search_takes(
    since: str, until: str, first: date, last: date
) -> None:
    options = CrawlOptions.from_args({"channels": "gz", "since": since, "until": until})
    assert (options.since, options.until) == (first, last)
    assert CrawlOptions.from_args(options.to_args()) == options


def test_a_start_page_outside_every_channel_is_named_as_such() -> None:
    for args in (
        {"start": "https://www.example.com/x.htm"},
        {"channels": "gz", "start": "https://www.news.cn/index.htm"},
    ):
        with pytest.raises(OptionError, match="outside every channel") as info:
            CrawlOptions.from_args(args)
        assert "channels=" not in str(info.value)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ({"channels": "xx"}, "unknown channel"),
        ({}, "no channel"),
        ({"channels": "gz", "since": "2020-13-01"}, "not a date"),
        ({"channels": "gz", "until": "24"}, "YYYY, YYYY-MM, YYYY-MM-DD"),
        ({"channels": "gz", "since": "2021-01-01", "until": "2020-01-01"}, "after"),
        ({"channels": "gz", "max_pages": "0"}, "at least 1"),
        ({"channels": "gz", "max_pages": "ten"}, "whole number"),
        ({"channels": "gz", "start": "https://he.news.cn/"}, "not a page of channel"),
        ({"channels": "gz", "start": "gz.news.cn/"}, "absolute"),
        ({"channels": "gz", "mirror": "127.0.0.1:8000"}, "not an http"),
        ({"channels": "gz", "big5": "maybe"}, "boolean"),
        ({"channels": "gz", "colour": "red"}, "unknown spider argument"),
    ],
)
def test_options_refuse_bad_arguments_with_a_clear_reason(
    args: dict[str, str], message: str
) -> None:
    with pytest.raises(OptionError, match=message):
        CrawlOptions.from_args(args)


def test_apply_sets_settings_at_spider_priority_so_command_line_settings_win() -> None:
    settings = build_settings({"DOWNLOAD_DELAY": 5})
    CrawlOptions.from_args({"channels": "gz", "polite": "0", "db": "a.db"}).apply(settings)
    assert settings.get("NEWSARCHIVE_DB") == "a.db"
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getfloat("DOWNLOAD_DELAY") == 5  # -s DOWNLOAD_DELAY=5 beats polite=0
    assert settings.getlist("NEWSARCHIVE_CHANNELS") == ["gz"]


def test_project_settings_are_polite_by_default() -> None:
    settings = build_settings()
    assert settings.getbool("ROBOTSTXT_OBEY")
    assert settings.getbool("AUTOTHROTTLE_ENABLED")
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 64 * 1024 * 1024
    assert settings.getint("RETRY_TIMES") >= 2 and 503 in settings.getlist("RETRY_HTTP_CODES")
    assert not settings.getbool("HTTPCACHE_ENABLED")
    assert settings.get("USER_AGENT").endswith(f"+{DEFAULT_CONTACT})")  # filled in
    assert set(IMPOLITE_SETTINGS) >= {"AUTOTHROTTLE_ENABLED", "DOWNLOAD_DELAY"}


# -- mirror transport ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "mirrored"),
    [
        ("https://gz.news.cn/", "http://127.0.0.1:8000/gz.news.cn/"),
        (
            "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327_2.htm",
            "http://127.0.0.1:8000/www.gz.xinhuanet.com/2015-08/19/c_1117978327_2.htm",
        ),
        (
            "http://big5.news.cn/gate/big5/gz.news.cn/20240622/x/c.html",
            "http://127.0.0.1:8000/big5.news.cn/gate/big5/gz.news.cn/20240622/x/c.html",
        ),
        (
            "https://GZ.news.cn:8443/a.htm?page=2",
            "http://127.0.0.1:8000/gz.news.cn:8443/a.htm%3Fpage=2",
        ),
        ("https://gz.news.cn/robots.txt", "http://127.0.0.1:8000/gz.news.cn/robots.txt"),
    ],
)
def test_mirror_url_maps_real_urls_into_the_host_path_tree_and_back(
    url: str, mirrored: str
) -> None:
    assert mirror_url(url, "http://127.0.0.1:8000/") == mirrored
    back = real_url(mirrored, "http://127.0.0.1:8000", scheme=url.split(":", maxsplit=1)[0])
    assert back.lower() == url.lower()


def test_real_url_leaves_urls_outside_the_copy_alone() -> None:
    assert real_url("https://he.news.cn/", "http://127.0.0.1:8000") == "https://he.news.cn/"


# -- polite middlewares -------------------------------------------------------------------------


def test_user_agent_fills_in_the_contact() -> None:
    template = "newsarchive/0.1 (research; +{contact})"
    assert user_agent(template, "mailto:me@example.org") == (
        "newsarchive/0.1 (research; +mailto:me@example.org)"
    )
    assert "github.com" in user_agent(template, "")
    assert user_agent("fixed agent", "x") == "fixed agent"


def test_backoff_doubles_per_retry_honours_retry_after_and_caps() -> None:
    settings = Settings(
        {
            "RETRY_ENABLED": True,
            "RETRY_TIMES": 3,
            "RETRY_HTTP_CODES": [503],
            "RETRY_PRIORITY_ADJUST": -1,
            "RETRY_EXCEPTIONS": [],
            "RETRY_GIVE_UP_LOG_LEVEL": "ERROR",
            "NEWSARCHIVE_RETRY_BACKOFF": 2.0,
            "NEWSARCHIVE_RETRY_BACKOFF_MAX": 30.0,
        }
    )
    middleware = BackoffRetryMiddleware(settings)
    assert [middleware.delay(n, None) for n in (1, 2, 3, 4, 5)] == [2.0, 4.0, 8.0, 16.0, 30.0]
    assert middleware.delay(1, b"10") == 10.0
    assert middleware.delay(1, b"Wed, 21 Oct 2026 07:28:00 GMT") == 2.0
    assert middleware.delay(1, b"3600") == 30.0
    settings.set("NEWSARCHIVE_RETRY_BACKOFF", 0)
    assert BackoffRetryMiddleware(settings).delay(3, b"10") == 0.0
    assert Request("https://gz.news.cn/").meta.get("retry_times") is None


def test_datasource_urls_never_leave_the_pages_host() -> None:
    html = (
        '<div data="datasource:BE63704DB765E2ED5A5383C28C5550F2" '
        'preview="http://169.254.169.254/latest/ds_"></div>'
        '<div data="datasource:a6d618872de143bdafa2556915a7ae12" preview="//he.news.cn/ds_"></div>'
        '<ul data="datasource:0123456789abcdef0123456789abcdef"></ul>'
    )
    assert datasource_urls(html, "https://gz.news.cn/gzyw/index.htm") == [
        "https://gz.news.cn/gzyw/ds_0123456789abcdef0123456789abcdef.json"
    ]
