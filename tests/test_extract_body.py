"""The body split: BeautifulSoup over the lxml parser builds the tree of the pruned body
container only, and the walker keeps what the markup means (our own Chinese text)."""

from __future__ import annotations

from urllib.parse import urljoin

import pytest

from newsarchive.extract import extract_article
from newsarchive.extract.body import Body, split_body
from newsarchive.extract.container import prune, soup_of
from newsarchive.extract.dom import absolute, parse_html
from newsarchive.extract.templates import COMMON_DROP, Drop
from newsarchive.records import Article

BASE = "http://www.news.cn/politics/2024-05/15/c_1130000001.htm"


def _split(inner: str, *, drop: Drop = COMMON_DROP) -> Body:
    page = f"<html><body><div id='detail'>{inner}</div></body></html>"
    root = parse_html(page, page.encode("utf-8"))  # as from UTF-8 page bytes
    assert root is not None
    container = root.get_element_by_id("detail")
    prune(container, drop)
    return split_body(container, BASE)


def _paragraphs(body: Body) -> list[str]:
    return [p for section in body.sections for p in section.paragraphs]


def test_the_soup_holds_the_container_only() -> None:
    root = parse_html(
        "<html><head><title>标题</title></head><body><div class='nav'>导航</div>"
        "<td id='c' class='zw'>正文第一段<br>第二段<p>第三段</p></td></body></html>"
    )
    assert root is not None
    soup, raw = soup_of(root.get_element_by_id("c"))
    assert soup is not None and raw == []
    assert soup.name == "div"  # stands for the container, whatever its own tag
    assert soup.get_text() == "正文第一段第二段第三段"
    assert soup.find(string="导航") is None and soup.find("title") is None


def test_each_container_gets_its_own_soup() -> None:
    # One BeautifulSoup per container: nothing of the first carries over to the second.
    first, second = (_split(f"<p>第{n}篇正文。</p><p>第二段。") for n in ("一", "二"))
    assert _paragraphs(first) == ["第一篇正文。", "第二段。"]
    assert _paragraphs(second) == ["第二篇正文。", "第二段。"]


def test_non_ascii_image_and_link_urls_are_kept_as_written() -> None:
    # libxml2's HTML serializer would percent-escape these; the record keeps the page's URL.
    body = _split(
        "<p>导语文字。</p><p><img src='图片/春耕 1.jpg'></p><p>图为春耕现场。</p>"
        "<p>相关新闻：</p><p><a href='../16/c_农业.htm'>农业新闻</a></p>"
    )
    assert [i.src for i in body.images] == [
        "http://www.news.cn/politics/2024-05/15/图片/春耕 1.jpg"
    ]
    assert body.images[0].caption == "图为春耕现场。"
    assert [(r.title, r.url) for r in body.related] == [
        ("农业新闻", "http://www.news.cn/politics/2024-05/16/c_农业.htm")
    ]


def test_a_page_attribute_named_like_the_raw_url_marker_is_not_trusted() -> None:
    body = _split(
        "<p>正文。</p><p><img data-newsarchive-raw-url='0' src='a.jpg'></p><p><img src='b.jpg'></p>"
    )
    assert [i.src.rsplit("/", 1)[1] for i in body.images] == ["a.jpg", "b.jpg"]


def test_comments_and_hidden_elements_give_only_the_text_after_them() -> None:
    body = _split(
        "<p>第一<!-- 注释 -->句<span style='display:none'>隐藏</span>话。</p>"
        "<span>甲<div style='display: none'>藏</div>\n<div style='display:none'>藏</div>乙。</span>"
    )
    assert _paragraphs(body) == ["第一句话。", "甲 乙。"]


def test_whitespace_at_block_boundaries_and_br_splits() -> None:
    body = _split("\n\n<p>\n 第一段，\n</p>\n\n<p>第二段<br>\n第三段</p>\n<b>粗</b> <b>体</b>\n")
    assert _paragraphs(body) == ["第一段，", "第二段", "第三段"]
    assert [s.heading for s in body.sections] == [None, "粗 体"]


def test_class_lists_entities_and_ruby_text_in_links() -> None:
    body = _split(
        "<p class='pic caption'>&nbsp;新华社北京5月15日电&#12288;正文&lt;一&gt;。</p>"
        "<p>相关阅读</p><p><a href='/x.htm'>汉<ruby>字<rt>zi</rt></ruby></a></p>"
    )
    assert _paragraphs(body) == ["新华社北京5月15日电 正文<一>。"]
    assert [(r.title, r.url) for r in body.related] == [("汉字zi", "http://www.news.cn/x.htm")]


def test_pruned_widgets_keep_their_tail_text_even_with_control_characters() -> None:
    body = _split("<p>正文<span class='share'>分享</span>继续，<script>x()</script>结束。</p>")
    assert _paragraphs(body) == ["正文继续，结束。"]
    # A tail lxml refuses to move as it is (a C0 control from the page bytes): the control
    # character is removed as the tail is merged.
    body = _split("<p>正文<span class='share'>分享</span>继续\x01，<script>x()</script>结束。</p>")
    assert _paragraphs(body) == ["正文继续，结束。"]


@pytest.mark.parametrize(
    "base",
    [
        BASE,
        "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html",
        "https://h.example.cn",
        "http://h.example.cn/a//b/./c/",
        "http://h.example.cn/a;p/b?q=1#f",
        "HTTP://H.example.cn/a/b",
        "http://[::1",
    ],
)
@pytest.mark.parametrize(
    "href",
    ["a.jpg", "../../x/c.html", "/x.htm", ".", "..", "./", "a//b", "中文.jpg", "a b.jpg",
     "//cdn.example.cn/a.jpg", "a.jpg?x=1", "mailto:x@y", "../../../../../z", "%E5%9B%BE.jpg"],
)  # fmt: skip
def test_absolute_agrees_with_urljoin(base: str, href: str) -> None:
    try:
        expected = urljoin(base, href)
    except ValueError:
        expected = href
    assert absolute(base, href) == expected


def test_a_dateline_line_with_its_byline_stays_in_the_body() -> None:
    body = _split("<p>新华社巴黎12月9日电（记者唐霁）</p><p>　　第一段正文。</p>")
    assert _paragraphs(body) == ["新华社巴黎12月9日电（记者唐霁）", "第一段正文。"]
    assert [(c.role, c.name) for c in body.credits] == [("记者", "唐霁")]
    body = _split("<p>新华社巴黎12月9日电（记者唐霁）<br>第一段正文。</p>")
    assert _paragraphs(body) == ["新华社巴黎12月9日电（记者唐霁）", "第一段正文。"]


def test_subheadings_that_open_with_a_role_word_stay_headings() -> None:
    body = _split(
        "<p>导语正文。</p><p><strong>记者手记</strong></p><p>手记正文。</p>"
        "<p style='font-weight: 700'>记者观察</p><p>观察正文。</p>"
    )
    assert [(s.heading, s.paragraphs) for s in body.sections] == [
        (None, ("导语正文。",)),
        ("记者手记", ("手记正文。",)),
        ("记者观察", ("观察正文。",)),
    ]
    assert body.credits == ()


def test_a_page_wide_container_gives_way_to_the_body_inside_it() -> None:
    page = """<html><head><meta charset="utf-8"><title>某县推进茶产业发展_新华网贵州频道</title>
    </head><body><div id="content">
    <div class="nav"><a href="/">首页</a><a href="/xw.htm">新闻</a></div>
    <div id="title">某县推进茶产业发展</div>
    <div class="info"><span class="time">2014-05-12 10:20:30</span> 来源：<span
    class="sourceText">贵州日报</span></div>
    <div class="zw"><p>　　新华社贵阳5月12日电（记者 张三）今年以来，某县推进茶产业发展。</p>
    <p>　　据介绍，该县通过引进龙头企业等方式提升茶叶品质。</p></div>
    <div class="hot"><h3>热点新闻</h3><ul><li><a href="/2014-05/11/c_1.htm">另一条新闻</a></li>
    </ul></div></div></body></html>"""
    record = extract_article(
        page.encode("utf-8"), "http://www.gz.xinhuanet.com/2014-05/12/c_1110000001.htm"
    )
    assert isinstance(record, Article)
    assert record.template == "provincial_old"
    assert [(s.heading, s.paragraphs) for s in record.sections] == [
        (
            None,
            (
                "新华社贵阳5月12日电（记者 张三）今年以来，某县推进茶产业发展。",
                "据介绍，该县通过引进龙头企业等方式提升茶叶品质。",
            ),
        )
    ]
    assert record.dateline is not None and record.dateline.place == "贵阳"


def test_a_caption_cut_before_its_photo_credit_is_completed() -> None:
    # The credit split off by <br> or its own paragraph: never a caption left "…记者".
    for split in ("<br>", "</p><p style='text-align:center'>"):
        body = _split(
            "<p>导语文字。</p><p><img src='a.jpg'></p><p style='text-align:center'>"
            f"游客在步道上休息。记者{split}孟雪松 摄</p><p>正文第二段。</p>"
        )
        assert [i.caption for i in body.images] == ["游客在步道上休息。记者 孟雪松 摄"]
        assert [(c.role, c.name) for c in body.credits] == [("摄影", "孟雪松")]
        assert _paragraphs(body) == ["导语文字。", "正文第二段。"]
    # A short line after a caption that credits nobody is the body's, not the caption's.
    body = _split(
        "<p><img src='a.jpg'></p><p style='text-align:center'>交通示意图</p><p>我们出发了。</p>"
    )
    assert [i.caption for i in body.images] == ["交通示意图"]
    assert _paragraphs(body) == ["我们出发了。"]


def test_a_bare_name_closing_the_last_paragraph_is_the_author() -> None:
    body = _split("<p>第一段。（不是署名）</p><p>最后一段，项目正式投入运营。（张某某）</p>")
    assert [(c.role, c.name) for c in body.credits] == [("作者", "张某某")]
    assert _paragraphs(body)[-1].endswith("（张某某）")  # printed text stays as printed
