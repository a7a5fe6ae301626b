"""The channel spider's callbacks, fed with responses built from the sample site's files.

No reactor and no network: each test builds the response Scrapy would hand the callback and
checks what the spider yields (items and requests).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scrapy import Request
from scrapy.exceptions import DownloadTimeoutError, IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from twisted.python.failure import Failure

from newsarchive.crawling.capture import error_kind
from newsarchive.crawling.frontier import TAKEN_UP
from newsarchive.crawling.options import CrawlOptions
from newsarchive.crawling.pages import is_truncated, soft_error
from newsarchive.crawling.reextract import item_from_source
from newsarchive.records import Article, Capture, FrontierNote, NotAnArticle, PageItem
from newsarchive.store import ReextractSource
from spiders.channel import ChannelSpider

SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"
HTML = {"Content-Type": "text/html; charset=utf-8"}
UTC_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")


def spider(**args: str) -> ChannelSpider:
    return ChannelSpider(options=CrawlOptions.from_args({"channels": "gz,he", **args}))


def file_of(url: str) -> Path:
    rest = url.split("://", 1)[1]
    path = SITE / rest
    if rest.endswith("/"):
        path = path / "index.html"
    return path


def response(
    url: str,
    *,
    body: bytes | None = None,
    status: int = 200,
    meta: dict[str, Any] | None = None,
    cls: type[TextResponse] = HtmlResponse,
    headers: dict[str, str] | None = None,
) -> Response:
    request = Request(url, meta=meta or {})
    data = file_of(url).read_bytes() if body is None else body
    return cls(url, status=status, body=data, headers=headers or HTML, request=request)


def split(output: Iterable[Any]) -> tuple[list[PageItem], list[Request]]:
    """What a callback yielded, items and requests apart."""
    items: list[PageItem] = []
    requests: list[Request] = []
    for thing in output:
        if isinstance(thing, PageItem):
            items.append(thing)
        else:
            assert isinstance(thing, Request)
            requests.append(thing)
    return items, requests


def test_a_list_page_is_captured_and_its_channel_links_followed() -> None:
    url = "http://www.gz.xinhuanet.com/pc.htm"
    items, requests = split(spider().parse(response(url)))
    assert len(items) == 1
    item = items[0]
    assert isinstance(item.result, NotAnArticle) and item.result.kind == "list"
    capture = item.captures[0]
    assert capture.url == capture.final_url == url
    assert capture.status == 200 and capture.encoding == "utf-8"
    assert capture.body == file_of(url).read_bytes()
    assert ("content-type", "text/html; charset=utf-8") in capture.headers
    assert all(name == name.lower() for name, _ in capture.headers)
    assert UTC_RE.match(capture.fetched_at)
    urls = {r.url for r in requests}
    assert "http://www.gz.xinhuanet.com/xwzx/gzyw.htm" in urls  # a column
    assert "https://gz.news.cn/" in urls  # the new-era home of the same channel
    assert "http://www.gz.xinhuanet.com/2019-10/15/c_1124505271.htm" in urls  # old-era article
    assert (
        "https://www.gz.xinhuanet.com/20250225/f9ba3531bfe22ac5dcb3ff89fb47a478/c.html" in urls
    )  # c.html article on an alias host
    articles = [r for r in requests if "/c_" in r.url or r.url.endswith("c.html")]
    lists = [r for r in requests if r not in articles]
    assert min(r.priority for r in articles) > max(r.priority for r in lists)
    assert len(urls) == len(requests)  # nothing requested twice


def test_a_second_sighting_of_a_link_is_not_requested_again() -> None:
    s = spider()
    url = "http://www.gz.xinhuanet.com/pc.htm"
    _, first = split(s.parse(response(url)))
    _, again = split(s.parse(response(url)))
    assert first and not again


def test_a_script_rendered_column_requests_its_datasource() -> None:
    items, requests = split(spider().parse(response("https://gz.news.cn/gzyw/index.htm")))
    assert len(items) == 1
    ds = [r for r in requests if r.url.endswith(".json")]
    assert [r.url for r in ds] == [
        "https://gz.news.cn/gzyw/ds_be63704db765e2ed5a5383c28c5550f2.json"
    ]
    assert ds[0].callback.__name__ == "parse_datasource"
    # the column page itself lists nothing: its items are only in the datasource
    assert not any(r.url.endswith("c.html") for r in requests)


def test_a_datasource_yields_its_rows_as_article_requests_and_a_list_item() -> None:
    url = "https://gz.news.cn/gzyw/ds_be63704db765e2ed5a5383c28c5550f2.json"
    resp = response(url, cls=TextResponse, headers={"Content-Type": "application/json"})
    items, requests = split(spider().parse_datasource(resp))
    assert len(items) == 1
    result = items[0].result
    assert isinstance(result, NotAnArticle) and result.kind == "list"
    assert items[0].captures[0].url == url
    assert len(result.links) >= 5
    assert "https://gz.news.cn/20260517/9efd45f177e236326482b9a983e117ea/c.html" in result.links
    urls = {r.url for r in requests}
    assert set(result.links) <= urls
    # the datasource links a national article: out of the channel, never requested
    assert not any("www.news.cn" in u for u in urls)
    assert not any("www.news.cn" in u for u in result.links)


def test_a_datasource_that_is_not_json_is_an_error_item() -> None:
    url = "https://gz.news.cn/gzyw/ds_be63704db765e2ed5a5383c28c5550f2.json"
    resp = response(url, body=b"<html>maintenance</html>")
    items, requests = split(spider().parse_datasource(resp))
    assert [i.error for i in items] == ["bad_datasource"] and not requests
    assert items[0].result is None and items[0].captures[0].body == b"<html>maintenance</html>"


def test_the_date_window_skips_articles_and_stops_at_stale_lists() -> None:
    s = spider(since="2019-01-01")
    _, requests = split(s.parse(response("http://www.gz.xinhuanet.com/xwzx/gzyw.htm")))
    dated = [r.url for r in requests if "/c_" in r.url]
    assert dated == [u for u in dated if re.search(r"/(2019|20[2-9]\d)-", u)]
    assert dated  # the 2019 items are still followed
    # page 2 of this column lists only a 2015 article: a stale list, its pagination not followed
    _, older = split(s.parse(response("http://www.gz.xinhuanet.com/xwzx/gzyw_2.htm")))
    assert older == []
    until = spider(until="2016-12-31")
    _, requests = split(until.parse(response("http://www.gz.xinhuanet.com/xwzx/gzyw.htm")))
    years = {int(m.group(1)) for r in requests if (m := re.search(r"/(\d{4})-\d\d/", r.url))}
    assert years and max(years) <= 2016
    assert any(r.url.endswith("gzyw_2.htm") for r in requests)  # older pages still followed


def test_the_page_budget_caps_requests() -> None:
    s = spider(max_pages="3")
    _, requests = split(s.parse(response("http://www.gz.xinhuanet.com/pc.htm")))
    assert len(requests) == 3


def test_an_old_era_multi_page_article_is_fetched_page_by_page_and_joined() -> None:
    s = spider()
    base = "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327"
    items, requests = split(s.parse(response(f"{base}.htm")))
    assert items == []  # nothing yielded before every page is in
    (second,) = [r for r in requests if r.callback.__name__ == "parse_next_page"]
    assert second.url == f"{base}_2.htm" and second.dont_filter
    assert all("c_1117978327" not in r.url for r in requests if r is not second)  # related
    items, requests = split(
        second.callback(response(f"{base}_2.htm"), **second.cb_kwargs)  # type: ignore[misc]
    )
    assert items == []
    (third,) = requests
    assert third.url == f"{base}_3.htm"
    items, requests = split(
        third.callback(response(f"{base}_3.htm"), **third.cb_kwargs)  # type: ignore[misc]
    )
    (item,) = items
    assert isinstance(item.result, Article)
    assert item.result.pages == 3 and item.result.page_urls == ()
    assert [c.url for c in item.captures] == [f"{base}.htm", f"{base}_2.htm", f"{base}_3.htm"]
    assert item.error is None
    # text that only pages 2 and 3 carry is in the joined body
    assert _last_paragraph(f"{base}_2.htm") in item.result.body_text
    assert _last_paragraph(f"{base}_3.htm") in item.result.body_text


def _last_paragraph(url: str) -> str:
    html = file_of(url).read_text("utf-8")
    paragraphs = re.findall(r"<p>\u3000\u3000([^<]{8,})</p>", html)
    assert paragraphs, url
    return paragraphs[-1].strip()


def test_a_failed_later_page_yields_the_pages_that_arrived_and_an_error_item() -> None:
    s = spider()
    base = "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327"
    _, requests = split(s.parse(response(f"{base}.htm")))
    (second,) = [r for r in requests if r.url == f"{base}_2.htm"]
    items, requests = split(
        second.callback(  # type: ignore[misc]
            response(f"{base}_2.htm", body=b"<html>404</html>", status=404), **second.cb_kwargs
        )
    )
    assert [i.error for i in items] == ["page_http_404"]
    assert items[0].captures[0].status == 404
    (third,) = requests
    # the third page times out
    failure = Failure(DownloadTimeoutError("took too long"))
    failure.request = third  # type: ignore[attr-defined]
    items, requests = split(third.errback(failure))  # type: ignore[misc]
    assert requests == []
    errors = [i for i in items if i.result is None]
    (joined,) = [i for i in items if isinstance(i.result, Article)]
    assert [e.error for e in errors] == ["page_timeout"]
    assert errors[0].captures[0].status == 0 and errors[0].captures[0].url == f"{base}_3.htm"
    assert joined.result.pages == 1 and joined.error == "missing_pages"  # type: ignore[union-attr]
    assert [c.url for c in joined.captures] == [f"{base}.htm"]


def test_an_http_error_is_an_error_item_with_its_capture() -> None:
    url = "http://www.gz.xinhuanet.com/2019-03/15/c_1124238891.htm"
    items, requests = split(spider().parse(response(url, body=b"gone", status=404)))
    assert requests == []
    (item,) = items
    assert item.result is None and item.error == "http_404"
    assert item.captures[0].status == 404 and item.captures[0].body == b"gone"


def test_an_article_redirected_to_the_home_page_is_a_redirect_home_item() -> None:
    article = "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    resp = response("https://gz.news.cn/", meta={"redirect_urls": [article]})
    items, requests = split(spider().parse(resp))
    assert requests == []
    (item,) = items
    assert item.error == "redirect_home" and item.result is None
    assert item.captures[0].url == article and item.captures[0].final_url == "https://gz.news.cn/"


def test_an_article_redirected_to_another_article_url_is_an_article() -> None:
    old = "http://gz.news.cn/2016-07/06/c_1119365030.htm"
    new = "http://www.gz.xinhuanet.com/2016-07/06/c_1119365030.htm"
    items, _ = split(spider().parse(response(new, meta={"redirect_urls": [old]})))
    assert isinstance(items[0].result, Article)
    assert items[0].captures[0].url == old and items[0].captures[0].final_url == new


def test_an_article_follows_its_big5_copy_only_when_the_mirror_is_on() -> None:
    url = "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    gateway = (
        "http://big5.news.cn/gate/big5/gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    )
    items, requests = split(spider().parse(response(url)))
    assert isinstance(items[0].result, Article)
    assert gateway in {r.url for r in requests}
    _, requests = split(spider(big5="0").parse(response(url)))
    assert gateway not in {r.url for r in requests}
    assert all("big5" not in r.url for r in requests)


def test_failed_downloads_keep_the_url_and_robots_refusals_are_not_errors() -> None:
    s = spider()
    request = Request("https://gz.news.cn/gzyw/index.htm")
    failure = Failure(DownloadTimeoutError("timed out"))
    failure.request = request  # type: ignore[attr-defined]
    (item,) = list(s.failed(failure))
    assert item.error == "timeout" and item.captures[0].url == request.url
    assert item.captures[0].status == 0 and item.captures[0].body == b""
    robots = Failure(IgnoreRequest("Forbidden by robots.txt"))
    robots.request = request  # type: ignore[attr-defined]
    # Not an error of the site (no capture, no error count): a note that settles the URL in
    # the crawl frontier, failed for good, so that it is not left pending.
    assert list(s.failed(robots)) == [
        FrontierNote(settled=(request.url,), error="robots_forbidden")
    ]


def test_a_redirect_out_of_the_channels_is_an_error_not_an_article() -> None:
    article = "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    foreign = "https://www.example.com/2024-01/01/c_1000000001.htm"
    body = file_of(article).read_bytes()  # a perfectly good article page, on the wrong site
    items, requests = split(
        spider().parse(response(foreign, body=body, meta={"redirect_urls": [article]}))
    )
    assert requests == []
    (item,) = items
    assert item.result is None and item.error == "offsite_redirect"
    assert item.captures[0].url == article and item.captures[0].final_url == foreign


def test_a_truncated_article_page_is_an_error() -> None:
    url = "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    body = file_of(url).read_bytes()
    items, _ = split(spider().parse(response(url, body=body[: len(body) * 6 // 10])))
    assert [(i.result, i.error) for i in items] == [(None, "truncated")]
    assert is_truncated(body[:5000]) and not is_truncated(body)
    assert not is_truncated(b'{"datasource": []')  # not HTML: nothing to judge


def test_error_pages_served_with_200_are_errors_where_an_article_was_expected() -> None:
    url = "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html"
    captcha = (
        "<!DOCTYPE html><html><head><title>安全验证</title></head><body>"
        "<p>请输入验证码后继续访问</p></body></html>"
    ).encode()
    items, _ = split(spider().parse(response(url, body=captcha)))
    assert [(i.result, i.error) for i in items] == [(None, "captcha")]
    empty = b"<!DOCTYPE html><html><head><title></title></head><body></body></html>"
    items, _ = split(spider().parse(response(url, body=empty)))
    assert [(i.result, i.error) for i in items] == [(None, "empty")]
    # an empty shell at a list URL is a non-article, not an error
    items, _ = split(spider().parse(response("https://he.news.cn/", body=empty)))
    assert isinstance(items[0].result, NotAnArticle) and items[0].error is None
    assert (
        soft_error(
            NotAnArticle(url=url, kind="error", reason="error page: prints '页面不存在'"),
            article_url=True,
        )
        == "soft_404"
    )


def test_download_failures_map_to_error_kinds() -> None:
    assert error_kind(DownloadTimeoutError("x")) == "timeout"
    assert error_kind(IgnoreRequest("max redirections reached")) == "redirect_loop"
    assert error_kind(IgnoreRequest("Forbidden by robots.txt")) == "robots_forbidden"
    assert error_kind(IgnoreRequest("other")) == "refused"
    assert error_kind(ConnectionRefusedError()) == "connection_failed"
    assert error_kind(RuntimeError("?")) == "download_failed"


def test_each_host_alias_of_a_multi_page_article_gets_all_its_pages() -> None:
    s = spider()
    base = "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327"
    body = file_of(f"{base}.htm").read_bytes()
    alias = "http://gz.xinhuanet.com/2015-08/19/c_1117978327.htm"  # prints the same page links
    for url in (f"{base}.htm", alias):
        _, requests = split(s.parse(response(url, body=body)))
        nexts = [r.url for r in requests if r.callback.__name__ == "parse_next_page"]
        assert nexts == [f"{base}_2.htm"], url


def _capture(url: str, body: bytes | None = None) -> Capture:
    data = file_of(url).read_bytes() if body is None else body
    return Capture(
        url=url,
        final_url=url,
        status=200,
        headers=(("content-type", "text/html; charset=utf-8"),),
        body=data,
        fetched_at="2026-11-25T10:00:00+00:00",
        encoding="utf-8",
    )


def test_reextract_joins_the_stored_pages_of_a_multi_page_article_again() -> None:
    base = "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327"
    pages = [_capture(f"{base}.htm"), _capture(f"{base}_2.htm"), _capture(f"{base}_3.htm")]
    source = ReextractSource(
        capture_ids=(1, 2, 3), captures=tuple(pages), article_id=7, outcome="article"
    )
    item = item_from_source(source)
    assert isinstance(item.result, Article) and item.result.pages == 3 and item.error is None
    assert item.captures == tuple(pages)
    assert _last_paragraph(f"{base}_3.htm") in item.result.body_text
    # a later page that no longer decodes: the article is re-derived from what is readable
    broken = ReextractSource(
        capture_ids=(1, 2),
        captures=(pages[0], _capture(f"{base}_2.htm", body=bytes(range(128, 256)) * 50)),
        article_id=7,
        outcome="article",
    )
    item = item_from_source(broken)
    assert isinstance(item.result, Article) and item.result.pages == 1
    assert item.error == "missing_pages" and item.captures == (pages[0],)


def test_a_later_page_reached_on_its_own_is_read_from_page_one() -> None:
    s = spider()
    base = "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327"
    items, requests = split(s.parse(response(f"{base}_2.htm")))
    assert items == []
    assert [r.url for r in requests] == [f"{base}.htm"]
    # once page 1 was requested in this run, nothing more
    assert split(s.parse(response(f"{base}_3.htm"))) == ([], [])
    gone = s.parse(response(f"{base}_3.htm", body=b"gone", status=404))
    ((item,), []) = split(gone)
    assert item.error == "page_http_404" and item.captures[0].status == 404
    # a later page taken up from the crawl frontier (left to retry): page 1 is read again,
    # marked so that the incremental filter lets it through although the article is known
    taken_up = spider().parse(response(f"{base}_2.htm", meta={TAKEN_UP: True}))
    (again,) = split(taken_up)[1]
    assert again.url == f"{base}.htm" and again.meta[TAKEN_UP] is True
