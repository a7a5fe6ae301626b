"""The generic fallback's header fields, one structure each (issue 17): labelled times
wherever they stand, machine times with their own offset, no event dates, credits and
source from labelled lines, headlines without <title>/<h1>, error pages vs date digits."""

from __future__ import annotations

import pytest

from newsarchive.extract import extract_article
from newsarchive.records import Article, NotAnArticle

URL = "https://news.example.cn/a/123.html"
TEXT = "".join(
    f"<p>　　第{n}段：镇里新修的水渠已经通水，沿线三个村的两千多亩农田告别了靠天吃饭的日子。</p>"
    for n in range(1, 5)
)
NAV = "".join(f'<li><a href="/c/{i}.html">栏目{i}</a></li>' for i in range(12))


def _article(html: str) -> Article:
    result = extract_article(html, URL)
    assert isinstance(result, Article), result
    assert result.template == "generic"
    return result


def _page(body: str, head: str = "<title>新修水渠通水_某某网</title>") -> str:
    return f"<html><head>{head}</head><body><ul class='menu'>{NAV}</ul>{body}</body></html>"


def test_a_time_with_its_own_offset_keeps_it() -> None:
    head = (
        "<title>新修水渠通水</title>"
        '<meta property="article:published_time" content="2018-04-03T21:15:00-05:00">'
    )
    result = _article(_page(f"<h1>新修水渠通水</h1><div>{TEXT}</div>", head))
    assert result.published_at == "2018-04-03T21:15:00-05:00"


@pytest.mark.parametrize(
    ("info", "expected"),
    [
        ("<div>发布时间：2019-06-10 08:30</div>", "2019-06-10T08:30:00+08:00"),
        (
            "<table><tr><td>成文日期：</td><td>2019-06-01</td><td>发布日期：</td>"
            "<td><!-- 发布日期 begin -->2019-06-10<!-- 发布日期 end --></td></tr></table>",
            "2019-06-10T00:00:00+08:00",
        ),
        ("<div>今天是：2025年12月07日 星期日</div><span>时间：2019年06月10日</span>", None),
    ],
)
def test_labelled_times_before_the_body(info: str, expected: str | None) -> None:
    result = _article(_page(f"{info}<h1>新修水渠通水</h1><div class='c'>{TEXT}</div>"))
    assert result.published_at == (expected or "2019-06-10T00:00:00+08:00")


def test_a_labelled_time_after_the_body_and_never_an_event_date() -> None:
    body = (
        "<h1>新修水渠通水</h1><div class='c'><p>　　2017年3月5日，水渠工程开工建设。</p>"
        f"{TEXT}</div><div class='info'>发布日期：2019年06月10日　来源：某某县水务局"
        "　作者：王晓明</div>"
    )
    result = _article(_page(body))
    assert result.published_at == "2019-06-10T00:00:00+08:00"
    assert result.source == "某某县水务局"
    assert ("作者", "王晓明") in {(c.role, c.name) for c in result.credits}
    assert "发布日期" not in result.body_text


def test_credits_from_meta_and_labelled_cells() -> None:
    head = '<title>新修水渠通水_某某网</title><meta name="author" content="李建国">'
    info = "<table><tr><td>编辑</td><td>张丽</td><td>来源</td><td>某某日报</td></tr></table>"
    result = _article(_page(f"<h1>新修水渠通水</h1>{info}<div class='c'>{TEXT}</div>", head))
    credits = {(c.role, c.name) for c in result.credits}
    assert {("作者", "李建国"), ("编辑", "张丽")} <= credits
    assert result.source == "某某日报"


def test_an_outlet_in_meta_author_is_not_a_person() -> None:
    head = '<title>新修水渠通水_某某网</title><meta name="author" content="某某日报">'
    result = _article(_page(f"<h1>新修水渠通水</h1><div class='c'>{TEXT}</div>", head))
    assert result.credits == ()


def test_a_headline_without_title_or_h1() -> None:
    head = '<meta property="og:title" content="新修水渠通水">'
    result = _article(_page(f"<div class='t'>新修水渠通水</div><div class='c'>{TEXT}</div>", head))
    assert result.headline == "新修水渠通水"


def test_a_date_digit_run_is_not_an_error_code_and_a_short_article_is_kept() -> None:
    body = (
        '<div class="top"><a href="/login">登录</a> <a href="/reg">注册</a></div>'
        "<h1>新修水渠通水</h1><div>发布时间：2018-04-03</div>"
        "<div class='c'><p>镇里新修的水渠已经通水。沿线农田告别了靠天吃饭的日子。</p></div>"
        "<div class='side'>第20180403期 <a href='/e/20180403/'>往期</a></div>"
    )
    result = _article(_page(body))
    assert result.body_text == "镇里新修的水渠已经通水。沿线农田告别了靠天吃饭的日子。"


@pytest.mark.parametrize(
    "body",
    [
        "<h1>403 Forbidden</h1><hr><center>nginx</center>",
        "<div><p>该信息已过期或已被删除，无法访问。</p><a href='/'>返回首页</a></div>",
    ],
)
def test_error_pages_are_errors(body: str) -> None:
    result = extract_article(
        f"<html><head><title>提示</title></head><body>{body}</body></html>", URL
    )
    assert isinstance(result, NotAnArticle) and result.kind == "error", result


def test_unclassed_comments_and_footer_lines_are_not_body_text() -> None:
    comments = "".join(
        f"<div><b>网友{n}</b> 2019-06-1{n} 10:00<p>说得好，支持！</p></div>" for n in range(3)
    )
    body = (
        f"<h1>新修水渠通水</h1><div>发布时间：2019-06-10</div><div>{TEXT}"
        f"<h3>网友评论</h3>{comments}<p>Copyright © 2003-2025 某某网 版权所有</p></div>"
    )
    result = _article(_page(body))
    assert result.body_text.endswith("告别了靠天吃饭的日子。")
    assert "网友" not in result.body_text and "版权所有" not in result.body_text


def test_a_one_sentence_article_among_many_title_links_is_an_article() -> None:
    side = "".join(
        f'<li><a href="/n/2019061{n % 10}/{n}.html">全市重点项目第{n}批集中开工</a></li>'
        for n in range(12)
    )
    body = (
        "<h1>新修水渠通水</h1><div>发布时间：2019-06-10</div>"
        "<div class='c'><p>镇里新修的水渠今天正式通水。</p></div>"
        f"<ul class='x'>{side}</ul>"
    )
    result = _article(_page(body))
    assert result.body_text == "镇里新修的水渠今天正式通水。"


def test_a_page_of_title_links_and_no_sentence_is_a_list() -> None:
    items = "".join(
        f'<li><a href="/n/2019061{n % 10}/{n}.html">全市重点项目第{n}批集中开工</a>'
        f"<span>2019-06-1{n % 10}</span></li>"
        for n in range(12)
    )
    result = extract_article(_page(f"<h2>本地新闻</h2><ul class='x'>{items}</ul>"), URL)
    assert isinstance(result, NotAnArticle) and result.kind == "list", result
