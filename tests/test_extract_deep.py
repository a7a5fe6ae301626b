"""No silent truncation (issue 16): a page nested deeper than libxml2's default limit (256) is
parsed whole, by lxml and by BeautifulSoup; deeper than the parser goes at all, it is refused
with its own kind, never stored short as if complete. Our own text in xl2019 markup."""

from __future__ import annotations

import pytest

from newsarchive.extract import extract_article, extract_generic
from newsarchive.records import Article, NotAnArticle

URL = "http://www.xinhuanet.com/local/2019-06/03/c_1124580001.htm"
PARAGRAPHS = [
    "新华社西宁6月3日电（记者周明远）青海湖畔的牧民今年首次用上了太阳能取暖设备。",
    "当地能源部门介绍，全县已有一千二百户牧民家庭完成改造，冬季取暖费用下降四成。",
    "牧民才让说，过去冬天要烧大量牛粪取暖，如今屋里暖和干净，孩子写作业也不再受烟熏。",
    "据了解，这一项目还将在明年覆盖周边三个乡镇，惠及更多高原群众。",
]


def _page(depth: int, tag: str = "font") -> bytes:
    first, second, third, fourth = PARAGRAPHS
    unclosed = f"<{tag} color='red'>" * depth
    return (
        "<html><head><meta charset='utf-8'><title>牧民用上太阳能取暖-新华网</title></head><body>"
        "<div class='h-news'><div class='h-title'>牧民用上太阳能取暖</div>"
        "<div class='h-info'><span class='h-time'>2019-06-03 09:12:30</span>"
        "<span>来源：<em id='source'>新华网</em></span></div></div>"
        f"<div id='p-detail'><p>　　{first}</p><p>　　{second}</p>{unclosed}"
        f"<p>　　{third}</p><p>　　{fourth}</p>"
        "</div><div class='p-tags'><span class='p-jc'>责任编辑： 李文</span></div></body></html>"
    ).encode()


@pytest.mark.parametrize("depth", [300, 1000, 2000])
def test_a_page_300_deep_and_more_keeps_its_whole_body(depth: int) -> None:
    result = extract_article(_page(depth), URL)
    assert isinstance(result, Article), result
    assert result.template == "xl2019"
    paragraphs = [p for s in result.sections for p in s.paragraphs]
    assert paragraphs == PARAGRAPHS
    assert result.body_text == "\n".join(PARAGRAPHS)
    assert result.editors == ("李文",)
    assert result.published_at == "2019-06-03T09:12:30+08:00"


def test_the_generic_fallback_sees_the_text_below_the_old_limit_too() -> None:
    # (Which block the text-density fallback picks is its own business; what lies below
    # depth 256 must be in the tree it scores.)
    result = extract_generic(_page(300), URL)
    assert isinstance(result, Article), result
    for paragraph in PARAGRAPHS[2:]:
        assert paragraph in result.body_text


def test_nesting_deeper_than_the_parser_goes_is_refused_with_its_own_kind() -> None:
    result = extract_article(_page(3000), URL)
    assert isinstance(result, NotAnArticle)
    assert result.kind == "too_deep"
    assert "2048" in result.reason
    assert isinstance(extract_generic(_page(3000), URL), NotAnArticle)


def test_a_deep_inline_run_inside_a_paragraph_is_walked_whole() -> None:
    # Unclosed inline tags inside one paragraph: the body walker and text_of go depth first
    # without recursion, so 1,500 levels of <span> are walked like 2.
    result = extract_article(_page(1500, tag="span"), URL)
    assert isinstance(result, Article), result
    assert [p for s in result.sections for p in s.paragraphs] == PARAGRAPHS
