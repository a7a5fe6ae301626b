"""The extractor on real Xinhua pages (``../shared/xinhua``), asserting values read off them.

The folder sits beside the repository (``NEWSARCHIVE_REAL_PAGES`` names another place, e.g. for a
git worktree elsewhere); without it these tests are skipped with a reason.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from newsarchive.extract import extract_article
from newsarchive.records import Article, Credit

REAL = Path(
    os.environ.get("NEWSARCHIVE_REAL_PAGES")
    or Path(__file__).resolve().parent.parent.parent / "shared" / "xinhua"
)
pytestmark = pytest.mark.skipif(
    not REAL.is_dir(), reason=f"real Xinhua pages not present at {REAL} (../shared/xinhua)"
)


def _article(name: str, url: str) -> Article:
    result = extract_article((REAL / name).read_bytes(), url)
    assert isinstance(result, Article), result
    return result


def _no_widgets(article: Article) -> None:
    for junk in ("【纠错】", "责任编辑", "分享到", "下一页", "pagebreak", "function", "window."):
        assert junk not in article.body_text, junk


def test_xl2019_national_2019() -> None:
    a = _article(
        "gne_tests_xinhuanet_1_www.xinhuanet.com_world_2019-12-10_c_1125327450.html",
        "http://www.xinhuanet.com/world/2019-12/10/c_1125327450.htm",
    )
    assert a.template == "xl2019"
    assert a.headline == "法国全国大罢工再次严重影响交通"
    assert a.published_at == "2019-12-10T07:57:40+08:00"
    assert a.published_at_raw == "2019-12-10 07:57:40"
    assert a.source == "新华网"
    assert a.editors == ("尹世杰",)
    assert a.reporters == ("唐霁",)
    assert a.dateline is not None and (a.dateline.agency, a.dateline.place) == ("新华社", "巴黎")
    assert a.dateline.date_text == "12月9日"
    first = a.sections[0].paragraphs[0]
    assert first.startswith("新华社巴黎12月9日电（记者唐霁）法国9日再次爆发全国跨行业大罢工")
    assert len(a.sections) == 1 and len(a.sections[0].paragraphs) == 5
    assert a.sections[0].paragraphs[-1].endswith("总理菲利普将于11日宣布退休制度改革的总体架构。")
    assert a.keywords == ("法国", "巴黎", "退休", "制度")
    assert a.canonical_url == "https://www.news.cn/world/2019-12/10/c_1125327450.htm"
    assert a.xinhua_id == "1125327450" and a.channel is None
    assert a.script == "zh-Hans" and a.encoding == "utf-8"
    _no_widgets(a)


def test_xl2019_2020_bare_editor_and_plain_source() -> None:
    a = _article(
        "www.xinhuanet.com_politics_2020-07_08_c_1126212966.html",
        "http://www.xinhuanet.com/politics/2020-07/08/c_1126212966.htm",
    )
    assert a.template == "xl2019"
    assert a.headline.startswith("中共中央办公厅转发《中央宣传部、中央组织部关于认真组织学习")
    assert a.published_at == "2020-07-08T18:00:55+08:00"
    assert a.source == "新华网"  # the visible line; meta[name=source] says 新华社
    assert a.editors == ("邱丽芳",)
    assert a.reporters == ()
    paragraphs = a.sections[0].paragraphs
    assert paragraphs[0].startswith("新华社北京7月8日电 近日，中共中央办公厅转发了")
    assert len(paragraphs) == 8
    assert a.keywords[:3] == ("思想", "第三", "习近平谈治国理政")
    _no_widgets(a)


def test_newpage2020_raw_2023_articleedit_inside_detail() -> None:
    a = _article(
        "www.news.cn_fortune_2023-11_17_c_1129981476.html",
        "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm",
    )
    assert a.template == "newpage2020"
    assert a.headline == "短缺药品保供稳价 全力保障临床用药需求"
    assert a.published_at == "2023-11-17T20:52:15+08:00"
    assert a.source == "新华网"  # visible; meta says 新华社
    assert a.editors == ("张樵苏",)
    assert a.credits == (Credit(role="责任编辑", name="张樵苏"),)
    assert a.reporters == ()
    paragraphs = a.sections[0].paragraphs
    assert len(paragraphs) == 4
    assert paragraphs[0].startswith("新华社北京11月17日电 记者17日从国家卫生健康委获悉")
    assert paragraphs[-1].endswith("推动中药材供需总体平衡。")
    _no_widgets(a)


def test_newpage2020_2022_fragment_captions_and_reporters() -> None:
    a = _article(
        "excerpt_2022_www.news.cn_c_1129041895_detail_fragment.html",
        "http://www.news.cn/politics/2022-09/29/c_1129041895.htm",
    )
    assert a.headline == "新华全媒+丨牺牲77年，“无名烈士”被找回姓名"
    assert a.published_at == "2022-09-29T16:09:32+08:00"
    assert a.source == "新华网"
    assert a.reporters == ("王俊禄", "林光耀")
    assert len(a.images) == 6
    assert all(i.caption and i.caption.startswith("图为") for i in a.images)
    assert (
        a.images[0].src == "http://www.news.cn/politics/2022-09/29/1129041895_16644386878651n.jpg"
    )
    assert a.images[0].caption == "图为柯伟力。（受访者供图）"
    assert "图为" not in a.body_text  # captions are not body text
    assert all(s.heading is None for s in a.sections)
    assert a.sections[0].paragraphs[0].startswith("新华社杭州9月29日电（记者王俊禄、林光耀）")
    _no_widgets(a)


def test_provincial_chtml_hebei_2024() -> None:
    a = _article(
        "www.he.news.cn_20240515_d59c39d4160a4fe4b3084c3e4abfb450_c.html",
        "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html",
    )
    assert a.template == "provincial_chtml"
    assert a.channel == "he"
    assert a.xinhua_id == "20240515d59c39d4160a4fe4b3084c3e4abfb450"
    assert a.headline == "新华视界｜河北遵化：数字农机服务助力农业生产"
    assert a.published_at == "2024-05-15T08:58:52+08:00"
    assert a.source == "新华网"
    assert a.editors == ("杨丹宇",)
    assert Credit(role="作者", name="刘满仓") in a.credits
    assert Credit(role="摄影", name="刘满仓") in a.credits  # 新华社发（刘满仓摄）
    assert (
        a.sections[0].paragraphs[0]
        == "5月13日，在河北省遵化市东新庄镇一家庭农场，无人驾驶农机在播种玉米。"
    )
    assert "刘满仓摄" not in a.body_text  # the credit line is not body text
    assert a.images[0].src.startswith(
        "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/"
    )
    assert [link.title for link in a.related][:2] == [
        "黄骅港综合港区液体化工码头首根钢管桩沉桩完成",
        "邢台南和：大蒜收获忙",
    ]
    assert (
        a.related[0].url == "http://www.he.news.cn/20240524/b43825d34ccb413fbee81fc552de282c/c.html"
    )
    assert len(a.related) == 3  # the hidden copy of the list is not repeated
    assert a.keywords == ("遵化", "数字农机", "农业生产")
    _no_widgets(a)


def test_xl2019_2020_p_detail_fragment_editor() -> None:
    fragment = (REAL / "excerpt_2020_www.xinhuanet.com_p-detail_fragment.html").read_text()
    page = f'<html><body><div class="h-title">测试标题</div>{fragment}</body></html>'
    result = extract_article(page, "http://www.xinhuanet.com/politics/2020-01/12/c_1125452001.htm")
    assert isinstance(result, Article)
    assert result.template == "xl2019"
    assert result.editors == ("赵文涵",)
    assert len(result.sections[0].paragraphs) == 4
    assert result.dateline is not None and result.dateline.raw == "新华社北京1月12日电"
    assert result.sections[0].paragraphs[0].startswith("新华社北京1月12日电 2020年新春佳节来临之际")


def _gz_2016_capture() -> dict[str, str]:
    text = (
        REAL / "excerpt_2016_www.gz.xinhuanet.com_c_1119954709_multipage_json-escaped.txt"
    ).read_text()
    escaped = text[text.index('"') + 1 : text.rindex('"')]
    data: dict[str, str] = json.loads(json.loads(f'"{escaped}"'))
    return data


def test_provincial_old_gz_2016_pagination_and_photo_credit() -> None:
    capture = _gz_2016_capture()
    page = (
        f"<html><head><title>{capture['title']}_新华网贵州频道</title></head><body>"
        f'<h1 id="title">{capture["title"]}</h1><div class="info">来源：'
        f'<span id="source">{capture["sourceName"]}</span></div>{capture["content"]}'
        f'<span class="editor">{capture["author"]}</span></body></html>'
    )
    a = extract_article(page, "http://www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm")
    assert isinstance(a, Article)
    assert a.template == "provincial_old"
    assert a.headline == "【“飞阅”中国】航拍世界古银杏之乡 ——贵州妥乐"
    assert a.source == "新华网"
    assert a.editors == ("曾鹏",)
    assert a.page_urls == tuple(
        f"http://www.gz.xinhuanet.com/2016-11/21/c_1119954709_{n}.htm" for n in range(2, 9)
    )
    assert Credit(role="摄影", name="卢志佳") in a.credits
    assert a.images[0].caption is not None and a.images[0].caption.endswith("新华网 卢志佳 摄")
    assert a.body_text.startswith("贵州省盘县石桥镇妥乐村被誉为“世界古银杏之乡”")
    assert "下一页" not in a.body_text and "turnpage" not in a.body_text
    assert a.published_at == "2016-11-21T00:00:00+08:00"  # only the URL dates this capture


def test_seed_article_big5_text() -> None:
    """The founding seed article's text laid out as gz c.html markup: subheadings, —— list
    paragraphs that are not headings, the trailing (記者 魯毅) and the editor line."""
    lines = [
        ln.strip() for ln in (REAL / "seed_2023_gz_article_big5_text.txt").read_text().splitlines()
    ]
    lines = [ln for ln in lines if ln]
    headline = lines[3]
    date_line = lines[4]
    editor = next(ln for ln in lines if ln.startswith("[責任編輯"))
    body = lines[5 : lines.index(editor)]
    subheadings = {
        "強化理論武裝 把牢政治方向",
        "抓實主題教育 築牢思想根基",
        "狠抓作風建設 擦亮政治本色",
    }
    paragraphs = "".join(
        f"<p><strong>　　{ln}</strong></p>" if ln in subheadings else f"<p>　　{ln}</p>"
        for ln in body
    )
    time_text, source_text = date_line.split("來源:")
    page = (
        f"<html><head><title>{lines[0]}</title></head><body>"
        f'<h1 id="title"><span>{headline}</span></h1><div class="info"><div class="source">'
        f'<span class="time">{time_text.strip()}</span><i>來源：</i><span class="sourceText">'
        f'{source_text.strip()}</span></div></div><div id="detail"><span id="detailContent">'
        f'{paragraphs}</span><div id="articleEdit"><span class="editor">{editor}</span></div>'
        f"</div></body></html>"
    )
    a = extract_article(
        page, "http://big5.news.cn/gate/big5/www.gz.news.cn/2023-11/27/c_1130011111.htm"
    )
    assert isinstance(a, Article)
    assert a.headline.startswith("強化思想引領 凝聚奮進力量——貴州省政協機關")
    assert a.published_at == "2023-11-27T10:46:00+08:00"
    assert a.source == "貴州日報"
    assert a.script == "zh-Hant"
    assert a.channel == "gz"
    assert a.reporters == ("魯毅",)
    assert a.editors == ("王雪松", "鄧嫻")
    assert [s.heading for s in a.sections] == [
        None,
        "強化理論武裝 把牢政治方向",
        "抓實主題教育 築牢思想根基",
        "狠抓作風建設 擦亮政治本色",
    ]
    assert all(not p.startswith("——") for s in a.sections if s.heading for p in [s.heading])
    dash_paragraphs = [p for s in a.sections for p in s.paragraphs if p.startswith("——")]
    assert len(dash_paragraphs) == 9
    assert a.sections[-1].paragraphs[-1].endswith("(記者 魯毅)")  # kept as printed


def test_newpage2020_mobile_header_only() -> None:
    """The same 2023 page with its PC header removed: the mobile header carries the fields."""
    text = (REAL / "www.news.cn_fortune_2023-11_17_c_1129981476.html").read_text(encoding="utf-8")
    start, end = text.index('<div class="header domPC">'), text.index('<div class="adv domMob">')
    result = extract_article(
        text[:start] + text[end:], "http://www.news.cn/fortune/2023-11/17/c_1129981476.htm"
    )
    assert isinstance(result, Article) and result.template == "newpage2020"
    assert result.headline == "短缺药品保供稳价 全力保障临床用药需求"
    assert result.published_at == "2023-11-17T20:52:15+08:00"
    assert result.published_at_raw == "2023-11-17 20:52:15"
    assert result.source == "新华网"


def test_a_header_clock_does_not_win_over_the_article_s_time() -> None:
    # The Hebei c.html page with its source box re-skinned, so only the generic ``span.time``
    # selector finds the time, and a date-only clock printed in the page header before it.
    page = (REAL / "www.he.news.cn_20240515_d59c39d4160a4fe4b3084c3e4abfb450_c.html").read_text(
        "utf-8"
    )
    page = page.replace('<div class="source">', '<div class="src-box">', 1)
    page = re.sub(
        r"(<body[^>]*>)",
        r'\1<div class="top"><span class="time">2024年11月25日 星期一</span></div>',
        page,
        count=1,
    )
    result = extract_article(
        page.encode("utf-8"),
        "http://www.he.news.cn/20240515/d59c39d4160a4fe4b3084c3e4abfb450/c.html",
    )
    assert isinstance(result, Article)
    assert result.published_at == "2024-05-15T08:58:52+08:00"
    assert result.published_at_raw == "2024-05-15 08:58:52"


def test_2010_table_layout_reads_the_header_cell_and_the_editor_line() -> None:
    a = _article(
        "news.xinhuanet.com_food_2010-11_01_c_12723449.html",
        "http://news.xinhuanet.com/food/2010-11/01/c_12723449.htm",
    )
    assert a.template == "provincial_old"
    assert a.headline == "宗庆后：饮料业永远是朝阳"
    # Date, time and source share an unclassed table cell: the time is the page's, not midnight.
    assert a.published_at == "2010-11-01T09:10:04+08:00"
    assert a.published_at_raw == "2010年11月01日 09:10:04"
    assert a.source == "新京报"
    # "( 编辑： 朱英 ) 【字号 大 小】" in a right-aligned header div.
    assert a.editors == ("朱英",)
    assert Credit(role="编辑", name="朱英") in a.credits
    assert (
        a.images[0].caption
        == "昨日，双料中国首富宗庆后在胡润年度百富企业家峰会上沉思。记者 周晓东 摄"
    )
    assert Credit(role="摄影", name="周晓东") in a.credits
    assert "字号" not in a.body_text and "朱英" not in a.body_text
