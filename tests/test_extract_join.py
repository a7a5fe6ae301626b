"""join_pages: the records of an old-era multi-page article become one record."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from newsarchive.extract import extract_article, join_pages
from newsarchive.extract.dom import parse_html
from newsarchive.extract.multipage import page_links, remove_page_breaks
from newsarchive.extract.templates import PROVINCIAL_OLD
from newsarchive.records import Article, Credit, Image, Link, Section

GOLDEN = Path(__file__).resolve().parent / "golden"


def _page(n: int) -> Article:
    manifest = tomllib.loads((GOLDEN / "manifest.toml").read_text(encoding="utf-8"))
    entry = next(e for e in manifest["page"] if e["file"] == f"old_gz_multipage_p{n}.html")
    result = extract_article((GOLDEN / entry["file"]).read_bytes(), entry["url"])
    assert isinstance(result, Article)
    return result


def test_page_one_lists_the_other_pages() -> None:
    first = _page(1)
    assert first.page_urls == (
        "http://www.gz.xinhuanet.com/2016-11/21/c_1119950001_2.htm",
        "http://www.gz.xinhuanet.com/2016-11/21/c_1119950001_3.htm",
    )
    assert first.pages == 1
    # Page 2 links page 1 (its canonical URL) and page 3.
    assert _page(2).page_urls[0] == "http://www.gz.xinhuanet.com/2016-11/21/c_1119950001.htm"


def test_joined_record() -> None:
    first, second, third = _page(1), _page(2), _page(3)
    joined = join_pages(first, [second, third])
    assert joined.pages == 3
    assert joined.page_urls == ()
    assert joined.headline == first.headline  # the repeated header is taken once
    assert joined.url == first.url
    assert [s.heading for s in joined.sections] == [None, "一片叶子富了一方百姓"]
    # Page 3 opens without a subheading: it continues page 2's section.
    assert joined.sections[1].paragraphs[-1].startswith("当地负责人表示")
    paragraphs = [p for s in joined.sections for p in s.paragraphs]
    assert len(paragraphs) == len(set(paragraphs)) == 6
    assert len(joined.images) == 2  # one per photo page, no duplicates
    assert joined.editors == ("罗晓燕",)  # repeated on every page, kept once
    assert joined.credits.count(Credit(role="责任编辑", name="罗晓燕")) == 1
    assert len(joined.related) == 2
    assert joined.body_text.count("一片叶子富了一方百姓") == 1
    assert joined.body_text.startswith("新华网贵阳11月21日电（记者 何晓东）")


def test_join_keeps_page_order_and_dedupes_seams() -> None:
    base = _page(1)
    one = dataclasses.replace(
        base,
        sections=(Section(heading=None, paragraphs=("甲", "乙")),),
        images=(Image(src="http://x/1.jpg", caption=None),),
        related=(Link(title="相关", url="http://x/r.htm"),),
    )
    two = dataclasses.replace(
        base,
        sections=(
            Section(heading=None, paragraphs=("乙", "丙")),  # "乙" repeated at the seam
            Section(heading="小标题", paragraphs=("丁",)),
        ),
        images=(
            Image(src="http://x/1.jpg", caption="图说"),
            Image(src="http://x/2.jpg", caption=None),
        ),
        related=(Link(title="相关", url="http://x/r.htm"),),
        reporters=("新人",),
        credits=(*base.credits, Credit(role="记者", name="新人")),
    )
    joined = join_pages(one, [two])
    assert joined.sections == (
        Section(heading=None, paragraphs=("甲", "乙", "丙")),
        Section(heading="小标题", paragraphs=("丁",)),
    )
    assert joined.body_text == "甲\n乙\n丙\n\n小标题\n丁"
    assert joined.images == (
        Image(src="http://x/1.jpg", caption="图说"),  # the captioned copy wins
        Image(src="http://x/2.jpg", caption=None),
    )
    assert joined.related == (Link(title="相关", url="http://x/r.htm"),)
    assert joined.reporters == ("何晓东", "新人")
    assert joined.pages == 2


def test_join_with_no_rest_is_the_page_itself() -> None:
    first = _page(1)
    joined = join_pages(first, [])
    assert joined.sections == first.sections
    assert joined.pages == 1 and joined.page_urls == ()


def test_each_hidden_page_break_counts_once_however_it_is_wrapped() -> None:
    root = parse_html(
        "<html><body><div id='c'><p>一</p><b style='display:none'>pagebreak</b><p>二</p>"
        "<p><b style='display:none'>pagebreak</b></p><p>三</p>"
        "<p><span><b style='display:none'>PageBreak</b></span></p><p>四</p></div></body></html>"
    )
    assert root is not None
    container = root.get_element_by_id("c")
    assert remove_page_breaks(container) == 4
    assert container.text_content() == "一二三四"


def test_a_big5_copy_lists_its_own_pages_behind_the_gateway() -> None:
    root = parse_html(
        "<html><body><div id='div_currpage'>"
        "<a href='http://www.gz.xinhuanet.com/2016-11/21/c_1119954709_2.htm'>2</a>"
        "<a href='/2016-11/21/c_1119954709_3.htm'>3</a></div></body></html>"
    )
    assert root is not None
    page_one = "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm"
    assert page_links(root, PROVINCIAL_OLD.pagination, page_one) == (
        "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-11/21/c_1119954709_2.htm",
        "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2016-11/21/c_1119954709_3.htm",
    )
