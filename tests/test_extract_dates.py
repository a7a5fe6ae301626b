"""Publication times (every printed form → ISO 8601, +08:00 unless the text gives its own
offset) and wire datelines."""

from __future__ import annotations

from datetime import date

import pytest

from newsarchive import urls
from newsarchive.extract.dates import (
    dateline_datetime,
    find_datetime,
    has_time_of_day,
    parse_dateline,
    parse_datetime,
)


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2023-11-27 10:46:00", "2023-11-27T10:46:00+08:00"),
        ("2019年12月10日 07:57", "2019-12-10T07:57:00+08:00"),
        ("  2019-12-10 07:57:40", "2019-12-10T07:57:40+08:00"),
        ("2023-11-27 10:46:00  來源:貴州日報", "2023-11-27T10:46:00+08:00"),
        ("2024/05/15", "2024-05-15T00:00:00+08:00"),
        ("2024-05-15", "2024-05-15T00:00:00+08:00"),
        ("2023-11-17 20:52:15", "2023-11-17T20:52:15+08:00"),
        ("发布时间：2012年11月26日10:05", "2012-11-26T10:05:00+08:00"),
        ("2023-11-27T02:46:00Z", "2023-11-27T02:46:00+00:00"),
        # A time with its own offset keeps it: a New York evening stays that evening.
        ("2023-11-27T21:30:00-05:00", "2023-11-27T21:30:00-05:00"),
        ("2023-11-27T21:30:00-0500", "2023-11-27T21:30:00-05:00"),
        ("2023-11-27T10:46:00+08:00", "2023-11-27T10:46:00+08:00"),
        ("2023-02-30 10:00", None),
        ("no date here", None),
        ("", None),
    ],
)
def test_parse_datetime(text: str, iso: str | None) -> None:
    assert parse_datetime(text) == iso


@pytest.mark.parametrize(
    ("text", "agency", "place", "date_text", "raw"),
    [
        ("新华社贵阳11月27日电（记者鲁毅）…", "新华社", "贵阳", "11月27日", "新华社贵阳11月27日电"),
        (
            "新華社貴陽11月27日電（記者 魯毅）…",
            "新華社",
            "貴陽",
            "11月27日",
            "新華社貴陽11月27日電",
        ),
        ("新华网贵阳11月27日电 …", "新华网", "贵阳", "11月27日", "新华网贵阳11月27日电"),
        ("　　新华社北京1月12日电\xa0 2020年…", "新华社", "北京", "1月12日", "新华社北京1月12日电"),
        ("本报讯（记者 冉光明）日前…", "本报", None, None, "本报讯"),
        ("本報訊　經過一個多月…", "本報", None, None, "本報訊"),
        ("本报贵阳5月16日讯 …", "本报", "贵阳", "5月16日", "本报贵阳5月16日讯"),
        ("新华社巴黎12月9日专电 …", "新华社", "巴黎", "12月9日", "新华社巴黎12月9日专电"),
        (
            "新华社北京11月27日新媒体专电 …",
            "新华社",
            "北京",
            "11月27日",
            "新华社北京11月27日新媒体专电",
        ),
        # Another outlet's news line (provincial channels repost local papers).
        (
            "贵州日报天眼新闻讯（记者 张三）今年以来…",
            "贵州日报天眼新闻",
            None,
            None,
            "贵州日报天眼新闻讯",
        ),
        ("人民网讯 据报道…", "人民网", None, None, "人民网讯"),
        ("中国日报网11月3日讯 …", "中国日报网", None, "11月3日", "中国日报网11月3日讯"),
    ],
)
def test_parse_dateline(
    text: str, agency: str, place: str | None, date_text: str | None, raw: str
) -> None:
    dateline = parse_dateline(text)
    assert dateline is not None
    assert (dateline.agency, dateline.place, dateline.date_text, dateline.raw) == (
        agency,
        place,
        date_text,
        raw,
    )


@pytest.mark.parametrize(
    "text",
    [
        "新华社记者日前从贵州省获悉",
        "新华社发（刘满仓摄）",
        "据新华社报道",
        "本报记者走访",
        "记者从贵州日报获悉",
        "网讯",
    ],
)
def test_not_a_dateline(text: str) -> None:
    assert parse_dateline(text) is None


def test_dateline_date_uses_the_url_year() -> None:
    dateline = parse_dateline("新华社贵阳11月27日电")
    assert dateline is not None
    day = urls.parse("http://www.gz.xinhuanet.com/2023-11/27/c_1130000001.htm").path_date
    assert day == date(2023, 11, 27)
    assert dateline_datetime(dateline, day.year) == "2023-11-27T00:00:00+08:00"
    assert dateline_datetime(dateline, None) is None


@pytest.mark.parametrize(
    ("url", "day"),
    [
        (
            "https://www.gz.news.cn/20241011/cf50417be9cf44fab175f37d5ebf7cd2/c.html",
            date(2024, 10, 11),
        ),
        ("http://news.xinhuanet.com/newscenter/2006-03/02/content_4247001.htm", date(2006, 3, 2)),
        ("https://new.qq.com/omn/20231222/20231222A0459300.html", date(2023, 12, 22)),
        ("http://big5.news.cn/gate/big5/gz.news.cn/20240622/x/c.html", date(2024, 6, 22)),
        ("http://m.xinhuanet.com/gz/2019-12/07/c_1125319425.htm", date(2019, 12, 7)),
        ("http://www.gz.xinhuanet.com/2016-13/45/c_1.htm", None),  # not a date
        ("https://gz.news.cn/20240231/cf50417be9cf44fab175f37d5ebf7cd2/c.html", None),
        ("http://gs.people.com.cn/n2/2015/0403/c806370-57023187.html", None),
        ("https://gz.news.cn/gzyw/index.htm", None),
    ],
)
def test_the_day_a_url_path_carries_article_or_not(url: str, day: date | None) -> None:
    """The extractor dates an undated page by ``urls.parse(url).path_date``, the project's
    one URL-date parser (issue 15): any path's ``/YYYY-MM/DD/`` or ``/YYYYMMDD/``."""
    assert urls.parse(url).path_date == day


def test_a_dateline_later_in_the_year_than_the_url_is_from_the_year_before() -> None:
    dateline = parse_dateline("新华社北京12月31日电")
    assert dateline is not None
    # Filed on New Year's Eve, published in the 2020-01/01 directory.
    assert dateline_datetime(dateline, 2020, 1) == "2019-12-31T00:00:00+08:00"
    assert dateline_datetime(dateline, 2020, 12) == "2020-12-31T00:00:00+08:00"


@pytest.mark.parametrize(
    ("text", "found"),
    [
        (
            "2022-09-29 16:09:32 来源：新华网",
            ("2022-09-29T16:09:32+08:00", "2022-09-29 16:09:32"),
        ),
        (
            "2009年06月03日 08:41:12\u3000来源：某某日报",
            ("2009-06-03T08:41:12+08:00", "2009年06月03日 08:41:12"),
        ),
        ("2006年03月02日\u3000来源：新华网", ("2006-03-02T00:00:00+08:00", "2006年03月02日")),
        ("来源：新华网", None),
        ("2009年13月40日", None),
    ],
)
def test_find_datetime_gives_the_time_and_its_text(
    text: str, found: tuple[str, str] | None
) -> None:
    assert find_datetime(text) == found


def test_has_time_of_day() -> None:
    assert has_time_of_day("2024-05-15 08:58")
    assert has_time_of_day("2012年11月26日10时05分")
    assert not has_time_of_day("2024年11月25日 星期一")
    assert not has_time_of_day("2024-05-15")
