"""CDX queries and answers (:mod:`newsarchive.webarchive.cdx`) and WARC dates."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest

from newsarchive.webarchive import cdx
from newsarchive.webarchive.warcfile import warc_date


def test_the_query_asks_for_html_200_captures_of_a_host_page_by_page() -> None:
    url = cdx.query_url(cdx.WAYBACK_CDX, "gz.news.cn", since="2016-01", until="2016-12-31")
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == cdx.WAYBACK_CDX
    assert query["url"] == ["gz.news.cn/*"]
    assert query["filter"] == ["statuscode:200", "mimetype:text/html"]
    assert query["from"] == ["20160100000000"]
    assert query["to"] == ["20161231999999"]
    assert query["collapse"] == ["digest"]
    assert "resumeKey" not in query
    resumed = parse_qs(urlsplit(cdx.query_url("http://x/cdx", "h", since=None, until=None,
                                              resume="abc")).query)  # fmt: skip
    assert resumed["resumeKey"] == ["abc"] and "from" not in resumed


def test_a_channel_is_asked_for_under_every_host_and_its_mobile_folder() -> None:
    prefixes = cdx.url_prefixes("gz")
    assert prefixes[0] == "gz.news.cn"
    assert "www.gz.xinhuanet.com" in prefixes
    assert "m.xinhuanet.com/gz" in prefixes


def test_an_answer_is_read_with_its_resume_key() -> None:
    rows = [
        ["urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length"],
        ["cn,news,gz)/a", "20160101120000", "http://gz.news.cn/a.htm", "text/html", "200",
         "AAAA", "10"],
        [],
        ["next-page"],
    ]  # fmt: skip
    found, resume = cdx.parse(json.dumps(rows).encode())
    assert resume == "next-page"
    assert [(c.timestamp, c.original, c.digest) for c in found] == [
        ("20160101120000", "http://gz.news.cn/a.htm", "AAAA")
    ]
    assert found[0].captured_at == "2016-01-01T12:00:00+00:00"
    assert found[0].record_id == "20160101120000 http://gz.news.cn/a.htm"
    assert cdx.parse(json.dumps(rows[:2]).encode())[1] is None
    assert cdx.parse(b"") == ([], None)
    with pytest.raises(cdx.CdxError):
        cdx.parse(b"<html>rate limited</html>")


def test_replay_urls_and_the_timestamp_a_redirect_went_to() -> None:
    url = cdx.replay_url("https://web.archive.org/web/", "20160101120000", "http://gz.news.cn/a")
    assert url == "https://web.archive.org/web/20160101120000id_/http://gz.news.cn/a"
    moved = "https://web.archive.org/web/20160105000000id_/http://gz.news.cn/a"
    assert cdx.replayed_timestamp(moved, "20160101120000") == "20160105000000"


def test_wayback_headers_are_read_as_the_archived_ones() -> None:
    headers = [
        ("Content-Type", "text/html; charset=utf-8"),
        ("X-Archive-Orig-Server", "nginx"),
        ("X-Archive-Orig-Date", "Fri, 01 Jan 2016 12:00:00 GMT"),
        ("Server", "wayback"),
    ]
    assert cdx.original_headers(headers) == [
        ("Content-Type", "text/html; charset=utf-8"),
        ("Server", "nginx"),
        ("Date", "Fri, 01 Jan 2016 12:00:00 GMT"),
    ]
    plain = [("Content-Type", "text/html")]
    assert cdx.original_headers(plain) == plain


@pytest.mark.parametrize("bad", ["2016-13", "20161", "yesterday", "2016-02-30"])
def test_bad_dates_are_refused(bad: str) -> None:
    with pytest.raises(ValueError, match="not a date"):
        cdx.day(bad, end=False)


@pytest.mark.parametrize(
    ("value", "iso"),
    [
        ("2024-07-31T08:15:00Z", "2024-07-31T08:15:00+00:00"),
        ("2024-07-31T08:15:00.123456Z", "2024-07-31T08:15:00+00:00"),
        ("2024-07-31T16:15:00+08:00", "2024-07-31T08:15:00+00:00"),
        ("20240731081500", "2024-07-31T08:15:00+00:00"),
        ("not a date", None),
        (None, None),
    ],
)
def test_warc_dates(value: str | None, iso: str | None) -> None:
    assert warc_date(value) == iso
