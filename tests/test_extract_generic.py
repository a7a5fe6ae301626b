"""The text-density fallback: real pages with the templates switched off, against
trafilatura and GNE, and the not-an-article verdicts."""

from __future__ import annotations

import importlib.util
import statistics
from pathlib import Path
from types import ModuleType

import pytest

from newsarchive.extract import extract_article, extract_generic
from newsarchive.records import Article, NotAnArticle

REPO = Path(__file__).resolve().parent.parent


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_extract", REPO / "bench" / "extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()
PAGES = [p for p in BENCH.pages() if p[4]]  # pages with a reviewed body text


@pytest.mark.parametrize("page", PAGES, ids=[p[0] for p in PAGES])
def test_generic_matches_the_reviewed_record(page: tuple[str, bytes, str, str | None, str]) -> None:
    _name, data, url, hint, truth = page
    generic = extract_generic(data, url, encoding=hint)
    reference = extract_article(data, url, encoding=hint)
    assert isinstance(generic, Article) and isinstance(reference, Article)
    assert generic.template == "generic"
    assert BENCH.f1(generic.body_text, truth) >= 0.98, generic.body_text[:200]
    assert generic.headline == reference.headline
    assert generic.published_at == reference.published_at
    assert generic.source == reference.source
    assert generic.reporters == reference.reporters


def test_generic_beats_trafilatura_and_gne() -> None:
    pytest.importorskip("trafilatura")
    pytest.importorskip("gne")
    ours = [BENCH.f1(BENCH.ours_generic(d, u, h), t) for _n, d, u, h, t in PAGES]
    traf = [BENCH.f1(BENCH.trafilatura_body(d, u, h), t) for _n, d, u, h, t in PAGES]
    gne = [BENCH.f1(BENCH.gne_body(d, u, h), t) for _n, d, u, h, t in PAGES]
    assert statistics.fmean(ours) > statistics.fmean(traf)
    assert statistics.fmean(ours) > statistics.fmean(gne)
    assert min(ours) >= 0.98


NAV = "".join(
    f'<li><a href="/news/2023-06/0{i % 9 + 1}/c_11{i:08d}.htm">栏目新闻标题{i}</a></li>'
    for i in range(40)
)


def _page(body: str, title: str = "测试页面") -> str:
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def test_navigation_and_comments_do_not_win() -> None:
    article = "".join(
        f"<p>　　这是正文的第{n}段，记者在现场看到，工人们正在紧张施工，项目预计年底完工。</p>"
        for n in range(1, 7)
    )
    comments = "".join(
        f'<div class="cmt"><a href="/u/{n}">网友{n}</a>：说得好！</div>' for n in range(30)
    )
    html = _page(
        f'<div class="top"><ul>{NAV}</ul></div><div class="left"><h1>新建大桥主体完工</h1>'
        f'<div class="meta">2021-04-02 10:00 来源：某某日报</div><div class="c">{article}</div>'
        f'<div class="comments">{comments}</div></div><div class="right"><ul>{NAV}</ul></div>',
        title="新建大桥主体完工_某某网",
    )
    result = extract_article(html, "https://news.example.cn/a/20210402/1.html")
    assert isinstance(result, Article) and result.template == "generic"
    assert result.headline == "新建大桥主体完工"
    assert result.published_at == "2021-04-02T10:00:00+08:00"
    assert result.source == "某某日报"
    assert len(result.sections[0].paragraphs) == 6
    assert "网友" not in result.body_text and "栏目新闻" not in result.body_text


def test_br_separated_text_in_a_table_cell() -> None:
    text = "<br>".join(
        f"　　第{n}段：村里修通了水泥路，群众出行更方便了，农产品也卖得更远。" for n in range(1, 6)
    )
    html = _page(
        f'<table><tr><td><a href="/">首页</a> <a href="/a">新闻</a></td></tr><tr><td>'
        f"<b>山村通了水泥路</b></td></tr><tr><td>2008-09-10</td></tr>"
        f'<tr><td class="x">{text}</td></tr></table>',
        title="山村通了水泥路--某某网",
    )
    result = extract_article(html.encode("gbk"), "http://www.example.cn/news/2008/0910/3.html")
    assert isinstance(result, Article)
    assert result.encoding == "gb18030"
    assert result.headline == "山村通了水泥路"
    assert result.published_at == "2008-09-10T00:00:00+08:00"
    assert len(result.sections[0].paragraphs) == 5


@pytest.mark.parametrize(
    ("html", "kind"),
    [
        (_page(f'<div class="list"><ul>{NAV}</ul></div>', "要闻列表"), "list"),
        (_page("<p>抱歉，您访问的页面不存在！</p><a href='/'>返回首页</a>", "新华网"), "error"),
        (_page("<div>请输入验证码后继续访问</div><form><input name=code></form>"), "error"),
        (_page("<div>用户登录</div><form><input name=u><input name=p></form>", "请登录"), "error"),
        (_page("<div></div>"), "empty"),
        (
            '<html><body><div class="h-title">标题</div><div id="p-detail"></div></body></html>',
            "empty",
        ),
    ],
)
def test_not_an_article(html: str, kind: str) -> None:
    result = extract_article(html, "http://www.xinhuanet.com/politics/2020-01/01/c_1.htm")
    assert isinstance(result, NotAnArticle), result
    assert result.kind == kind
    assert result.reason
    if kind == "list":
        assert len(result.links) == 40
        assert all(link.startswith("http://www.xinhuanet.com/news/") for link in result.links)


def _paras(n: int, word: str = "正文") -> str:
    return "".join(
        f"<p>　　{word}第{i}段：当地持续推进乡村建设，修路、建校、引水，群众的获得感不断增强。</p>"
        for i in range(1, n + 1)
    )


MENU = "".join(f'<li><a href="/a/{i}.html">导航链接{i}</a></li>' for i in range(30))


@pytest.mark.parametrize(
    ("case", "html", "first", "last", "count"),
    [
        (
            "punctuated comments",
            f"<h1>乡村巨变</h1><div class='c'>{_paras(6)}</div><div id='cmts'>"
            + "".join(
                f"<div><span>网友{i}</span><p>写得很好，家乡变化真大，希望越来越好！点赞，加油。</p></div>"
                for i in range(25)
            )
            + "</div>",
            "正文第1段",
            "正文第6段",
            6,
        ),
        (
            "body split around an ad",
            f"<h1>乡村巨变</h1><div><div>{_paras(3)}</div><div class='ad'><a href='/ad'>"
            f"<img src='/ad.jpg'></a></div><div>{_paras(3, '续')}</div></div>",
            "正文第1段",
            "续第3段",
            6,
        ),
        (
            "inline keyword links",
            "<h1>乡村巨变</h1><div>"
            + "".join(
                f"<p>　　第{i}段：<a href='/k/{i}'>乡村振兴</a>实施以来，<a href='/k'>贵州</a>"
                "各地加快发展，农民收入持续增长，生活越来越好。</p>"
                for i in range(1, 7)
            )
            + "</div>",
            "第1段",
            "第6段",
            6,
        ),
        (
            "article with figure",
            "<article><h1>乡村巨变</h1><figure><img src='/x.jpg'><figcaption>村民在新路上行走。"
            f"</figcaption></figure>{_paras(5)}</article><aside>{_paras(1, '侧栏')}</aside>",
            "正文第1段",
            "正文第5段",
            5,
        ),
    ],
)
def test_layouts_of_other_outlets(case: str, html: str, first: str, last: str, count: int) -> None:
    page = _page(f"<ul>{MENU}</ul>{html}", title="乡村巨变-某某网")
    result = extract_article(page, "https://www.example.com/news/2022/0506/1.html")
    assert isinstance(result, Article), case
    paragraphs = [p for s in result.sections for p in s.paragraphs]
    assert len(paragraphs) == count, paragraphs
    assert paragraphs[0].startswith(first) and paragraphs[-1].startswith(last)
    assert "导航链接" not in result.body_text and "网友" not in result.body_text
    if result.images:
        assert result.images[0].caption == "村民在新路上行走。"


def test_unknown_layout_with_credit_line_outside_the_body() -> None:
    body = "".join(
        f"<p>　　第{i}段：省政协机关认真学习，扎实推进各项工作，群众满意度持续提升。</p>"
        for i in range(1, 6)
    )
    html = _page(
        f"<ul>{MENU}</ul><div class='tt'>加强思想政治建设</div>"
        "<div class='ii'>2023-11-27 10:46:00　來源:貴州日報</div>"
        f"<div class='zz'>{body}<p>　　最后一段。(記者 魯毅)</p></div>"
        "<div class='bj'>[責任編輯:王雪松 鄧嫻 ]</div><div class='xg'>相關閱讀</div>",
        title="加强思想政治建设-新华网",
    )
    result = extract_article(
        html, "http://big5.news.cn/gate/big5/www.gz.news.cn/2023-11/27/c_1.htm"
    )
    assert isinstance(result, Article) and result.template == "generic"
    assert result.headline == "加强思想政治建设"
    assert result.published_at == "2023-11-27T10:46:00+08:00"
    assert result.source == "貴州日報"
    assert result.editors == ("王雪松", "鄧嫻")
    assert result.reporters == ("魯毅",)
    assert result.channel == "gz"


def test_government_site_layout_with_widget_buttons() -> None:
    body = "".join(
        f"<p>　　第{i}段：县里召开会议，部署今年的重点工作，要求各部门抓好落实，确保完成任务。</p>"
        for i in range(1, 6)
    )
    html = _page(
        "<table><tr><td><a href='/'>首页</a></td></tr>"
        "<tr><td class='t'>县政府召开常务会议</td></tr>"
        "<tr><td>发布日期：2015-03-02 09:00 信息来源：县政府办</td></tr>"
        f"<tr><td>{body}<p>【打印本页】【关闭窗口】</p><p>【字体：大 中 小】</p></td></tr></table>",
        title="县政府召开常务会议_政务动态_青山县人民政府",
    )
    result = extract_article(html.encode("gbk"), "http://www.qingshan.gov.cn/zwdt/2015/0302/1.html")
    assert isinstance(result, Article)
    assert result.headline == "县政府召开常务会议"  # the title's first segment, as printed
    assert result.published_at == "2015-03-02T09:00:00+08:00"
    assert result.source == "县政府办"
    assert len(result.sections[0].paragraphs) == 5
    assert "打印" not in result.body_text and "字体" not in result.body_text


SAMPLE_SITE = REPO / "newsarchive" / "sample_site"
SAMPLE_PAGES = sorted(
    [*SAMPLE_SITE.glob("**/c_*.htm"), *SAMPLE_SITE.glob("**/c.html")]
    if SAMPLE_SITE.is_dir()
    else []
)


@pytest.mark.skipif(not SAMPLE_PAGES, reason="newsarchive/sample_site not present")
def test_reskinned_sample_site_pages_read_the_same() -> None:
    """Every sample-site article with all its classes and ids renamed and container tags
    changed (an unknown template) reads, through the fallback, as the template reads it."""
    from tools.faults.pages import changed_template  # noqa: PLC0415 (test-only helper)

    compared = 0
    for path in SAMPLE_PAGES:
        data = path.read_bytes()
        url = "http://" + path.relative_to(SAMPLE_SITE).as_posix()
        reference = extract_article(data, url)
        if not isinstance(reference, Article):
            continue
        reskinned = extract_article(changed_template(data), url)
        assert isinstance(reskinned, Article), (path, reskinned)
        assert reskinned.template == "generic"
        for field in ("headline", "published_at", "source", "editors", "reporters", "sections",
                      "images", "pages"):  # fmt: skip
            assert getattr(reskinned, field) == getattr(reference, field), (path, field)
        compared += 1
    assert compared >= 80


@pytest.mark.skipif(not SAMPLE_PAGES, reason="newsarchive/sample_site not present")
@pytest.mark.parametrize(
    "page",
    [
        "www.gz.xinhuanet.com/xwzx/gzyw.htm",  # titles with summaries and dates
        "www.gz.xinhuanet.com/xwzx/gzyw_2.htm",  # the column's page 2: one item
        "www.he.xinhuanet.com/xinwen/hbyw.htm",
    ],
)
def test_column_pages_with_summaries_are_lists(page: str) -> None:
    result = extract_article((SAMPLE_SITE / page).read_bytes(), f"http://{page}")
    assert isinstance(result, NotAnArticle), result
    assert result.kind == "list"
    assert result.links and all("/c_" in link for link in result.links)


def test_an_unknown_layout_still_lists_the_article_s_other_pages() -> None:
    page = """<html><head><title>某县推进茶产业发展_新华网贵州频道</title></head><body>
    <div class="btt"><h2>某县推进茶产业发展</h2></div>
    <div class="sj">2014年05月12日 10:20:30 来源：贵州日报</div>
    <div class="nrr"><p>　　本报讯 今年以来，某县多措并举推进茶产业发展，茶园面积持续扩大。</p>
    <p>　　据介绍，该县通过引进龙头企业、建设加工厂房、培训技术人员等方式提升茶叶品质。</p>
    <p>　　下一步，该县将继续加大投入，推动茶产业高质量发展，让更多群众吃上“茶饭”。</p></div>
    <div class="fy"><a href="c_1110000001_2.htm">2</a><a href="c_1110000001_3.htm">3</a>
    <a href="c_1110000001_2.htm">下一页</a><a href="c_1110000002.htm">另一篇</a></div>
    </body></html>"""
    record = extract_article(
        page.encode("utf-8"), url="http://www.gz.xinhuanet.com/2014-05/12/c_1110000001.htm"
    )
    assert isinstance(record, Article)
    assert record.template == "generic"
    assert record.page_urls == (
        "http://www.gz.xinhuanet.com/2014-05/12/c_1110000001_2.htm",
        "http://www.gz.xinhuanet.com/2014-05/12/c_1110000001_3.htm",
    )
    assert record.source == "贵州日报"
    assert record.dateline is not None and record.dateline.raw == "本报讯"
