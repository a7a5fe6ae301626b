# ruff: noqa: E501 (markup and character pools read best on one line each)
"""Page layouts of Chinese news CMSs for the generic benchmark set (markup structure only;
the text comes from :mod:`text`). Each layout renders one :class:`Art` and says, by setting
the ``gold_*`` fields, what a careful reader finds on the rendered page."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from text import COMMENTS, SIDEBAR_TITLES


@dataclass
class Art:
    headline: str
    paragraphs: list[str]
    when: datetime
    author: str
    editor: str
    source: str
    place: str
    rng: random.Random
    gold_author: str | None = None
    gold_source: str | None = None
    gold_day: str | None = None
    gold_paragraphs: list[str] | None = None

    def f(self, fmt: str, when: datetime | None = None) -> str:
        return (when or self.when).strftime(fmt)

    def ps(self, indent: str = "\u3000\u3000", attrs: str = "") -> str:
        return "".join(f"<p{attrs}>{indent}{p}</p>\n" for p in self.paragraphs)

    def other_day(self, days: int) -> datetime:
        return self.when + timedelta(days=days)


INDENT_STYLE = ' style="text-indent:2em"'
ONE_P = ' class="one-p"'


@dataclass
class Rendered:
    url: str
    html: str


#: The header clock some portals print server-side: the day the page was fetched, not
#: the day it was published.
CLOCK = '<div class="today">今天是：2025年12月07日 星期日 <span id="weather"></span></div>'


def nav(site: str, *, clock: bool = False) -> str:
    items = ["首页", "要闻", "时政", "社会", "财经", "文旅", "教育", "健康", "视频", "专题"]
    links = "".join(f'<li><a href="/{i}/">{t}</a></li>' for i, t in enumerate(items))
    return (CLOCK if clock else "") + (
        f'<div class="top-bar"><span>{site}</span> <a href="/login">登录</a> <a href="/reg">注册</a>'
        f'</div>\n<div class="nav"><ul>{links}</ul></div>\n'
    )


def sidebar(a: Art, *, cls: str = "side", dated: bool = True, n: int = 8) -> str:
    titles = a.rng.sample(SIDEBAR_TITLES, n)
    items = []
    for i, t in enumerate(titles):
        other = a.other_day(a.rng.choice((-9, -5, -3, -2, -1, 1, 2)) + i % 2)
        stamp = f"<span>{a.f('%m-%d', other)}</span>" if dated else ""
        items.append(f'<li><a href="/n/{a.f("%Y%m%d", other)}/{1000 + i}.html">{t}</a>{stamp}</li>')
    return (
        f'<div class="{cls}"><h3>热点推荐</h3><ul>{"".join(items)}</ul>'
        f'<div class="epaper">数字报 第{a.f("%Y%m%d")}期 <a href="/epaper/{a.f("%Y%m%d")}/">往期回顾</a></div></div>\n'
    )


def ranking(a: Art) -> str:
    items = "".join(
        f'<li><em>{i + 1}</em><a href="/r/{i}.html">{t}</a></li>'
        for i, t in enumerate(a.rng.sample(SIDEBAR_TITLES, 6))
    )
    return f'<div class="rank"><h3>排行榜</h3><ol>{items}</ol></div>\n'


def related(a: Art, label: str = "相关新闻") -> str:
    items = "".join(
        f'<li><a href="/a/{a.f("%Y%m", a.other_day(-d))}/{d}.html">{t}</a>'
        f"<span>{a.f('%Y-%m-%d', a.other_day(-d))}</span></li>"
        for d, t in zip((3, 8, 15, 21), a.rng.sample(SIDEBAR_TITLES, 4), strict=True)
    )
    return f'<div class="related"><h3>{label}</h3><ul>{items}</ul></div>\n'


def share() -> str:
    return (
        '<div class="share-bar">分享到：<a class="wx">微信</a><a class="wb">微博</a>'
        '<a class="qq">QQ空间</a> <a href="javascript:window.print()">打印</a> 【字号 大 中 小】</div>\n'
    )


def comments(a: Art, n: int = 4) -> str:
    rows = []
    for i in range(n):
        later = a.other_day(i + 1)
        rows.append(
            f'<div class="cmt-item"><span class="nick">网友{a.rng.randint(1000, 9999)}</span>'
            f'<span class="cmt-time">{a.f("%Y-%m-%d %H:%M", later)}</span>'
            f"<p>{COMMENTS[(i + a.rng.randint(0, 5)) % len(COMMENTS)]}</p></div>"
        )
    return (
        f'<div class="comment-box"><h3>网友评论</h3>{"".join(rows)}'
        '<textarea placeholder="文明上网，理性发言"></textarea></div>\n'
    )


def footer(site: str) -> str:
    return (
        f'<div class="footer"><p><a href="/about">关于我们</a> | <a href="/contact">联系我们</a> | '
        f'<a href="/ad">广告服务</a></p><p>Copyright © 2003-2025 {site} 版权所有 '
        "未经授权禁止转载</p><p>备案号：京ICP备05012345号-1 违法和不良信息举报电话：010-12345678</p></div>\n"
    )


def page(title: str | None, head_extra: str, body: str, charset: str = "utf-8") -> str:
    title_html = f"<title>{title}</title>" if title is not None else ""
    return (
        "<!DOCTYPE html>\n<html>\n<head>\n"
        f'<meta http-equiv="Content-Type" content="text/html; charset={charset}" />\n'
        f"{title_html}\n"
        '<meta name="keywords" content="新闻,资讯" />\n'
        f"{head_extra}\n"
        '<link rel="stylesheet" href="/css/main.css" />\n'
        "<script>var _hmt = _hmt || [];</script>\n"
        f"</head>\n<body>\n{body}</body>\n</html>\n"
    )


# ---------------------------------------------------------------------------- layouts


def people(a: Art) -> Rendered:
    """人民网 style: ``rm_txt`` header with ``YYYY年MM月DD日HH:MM | 来源：``; ``(责编：…)``."""
    a.gold_author, a.gold_source = a.editor, "人民网－人民日报"
    body = (
        nav("人民网")
        + '<div class="layout rm_txt cf"><div class="col col-1 fl">'
        + '<div class="route"><a href="/">人民网</a>&gt;&gt;<a href="/gn/">时政</a></div>'
        + f"<h1>{a.headline}</h1>"
        + f'<div class="col-1-1 fl">{a.f("%Y年%m月%d日%H:%M")} | 来源：<a href="/">人民网－人民日报</a></div>'
        + '<div class="col-1-2 fr">小字号</div>'
        + f'<div class="rm_txt_con cf">{a.ps()}'
        + f'<div class="edit cf">(责编：{a.editor}、{a.author})</div></div>'
        + share()
        + related(a)
        + "</div>"
        + sidebar(a, cls="col col-2 fr")
        + "</div>"
        + footer("人民网")
    )
    head = f'<meta name="description" content="{a.paragraphs[0][:60]}" />'
    head += (
        f"<!--enpproperty <date>{a.f('%Y-%m-%d %H:%M:%S')}</date><author></author></enpproperty-->"
    )
    return Rendered(
        f"http://gs.people.com.cn/n2/{a.f('%Y/%m%d')}/c{a.rng.randint(100000, 999999)}-{a.rng.randint(10**7, 10**8)}.html",
        page(f"{a.headline}--甘肃频道--人民网", head, body),
    )


def thepaper(a: Art) -> Rendered:
    """澎湃 style: byline and time paragraphs in ``news_about``, ``<br>``-separated text."""
    a.gold_author, a.gold_source = a.author, "澎湃新闻"
    text = "<br/><br/>".join(a.paragraphs)
    body = (
        nav("澎湃新闻")
        + '<div class="main_lt"><div class="newscontent">'
        + f'<h1 class="news_title">{a.headline}</h1>'
        + f'<div class="news_about"><p>澎湃新闻记者 {a.author}</p>'
        + f"<p>{a.f('%Y-%m-%d %H:%M')}<span>来源：澎湃新闻</span></p></div>"
        + f'<div class="news_txt" data-size="standard">{text}</div>'
        + f'<div class="news_editor">责任编辑：{a.editor}</div>'
        + '<div class="news_keyword">#乡村 #民生</div>'
        + comments(a)
        + "</div></div>"
        + sidebar(a, cls="main_rt")
        + footer("澎湃新闻")
    )
    return Rendered(
        f"https://www.thepaper.cn/newsDetail_forward_{a.rng.randint(10**6, 10**7)}",
        page(f"{a.headline}_澎湃新闻-The Paper", "", body),
    )


def sina(a: Art) -> Rendered:
    """新浪 style: ``date-source`` line, ``article:published_time`` meta, editor paragraph."""
    a.gold_author, a.gold_source = a.editor, a.source
    head = (
        f'<meta property="og:title" content="{a.headline}" />'
        f'<meta property="article:published_time" content="{a.f("%Y-%m-%dT%H:%M:%S+08:00")}" />'
        f'<meta property="article:author" content="{a.source}" />'
    )
    body = (
        nav("新浪网")
        + f'<h1 class="main-title">{a.headline}</h1>'
        + '<div class="top-bar-wrap"><div class="date-source">'
        + f'<span class="date">{a.f("%Y年%m月%d日 %H:%M")}</span>'
        + f'<a href="/" class="source ent-source">{a.source}</a></div></div>'
        + f'<div class="article" id="article">{a.ps()}'
        + f'<p class="show_author">责任编辑：{a.editor} </p></div>'
        + share()
        + '<div class="article-bottom"><div class="keywords">文章关键词：<a>民生</a></div></div>'
        + comments(a, 3)
        + sidebar(a, cls="article-right")
        + footer("新浪网")
    )
    return Rendered(
        f"https://news.sina.com.cn/o/{a.f('%Y-%m-%d')}/doc-ihx{a.rng.randint(10**6, 10**7)}.shtml",
        page(f"{a.headline}|民生_新浪新闻", head, body),
    )


def netease(a: Art) -> Rendered:
    """网易 style: ``post_info`` line, ``post_body``, ``post_author`` with 本文来源 / 作者 / 责任编辑."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav("网易")
        + '<div class="post_main"><h1 class="post_title">'
        + f"{a.headline}</h1>"
        + f'<div class="post_info">{a.f("%Y-%m-%d %H:%M:%S")}　来源: <a href="/">{a.source}</a></div>'
        + f'<div class="post_body">{a.ps()}'
        + '<div class="post_author">'
        + f'本文来源：{a.source} 作者：{a.author} <span class="ep-editor">责任编辑：{a.editor}_NB1234</span>'
        + "</div></div>"
        + related(a, "相关推荐")
        + "</div>"
        + '<div class="post_side">'
        + ranking(a)
        + sidebar(a)
        + "</div>"
        + footer("网易")
    )
    return Rendered(
        f"https://www.163.com/news/article/H{a.rng.randint(10**6, 10**7)}.html",
        page(f"{a.headline}_网易新闻", "", body),
    )


def ifeng(a: Art) -> Rendered:
    """凤凰 style: ``timeBref`` spans, ``main_content``; the time also in a JSON blob."""
    a.gold_author, a.gold_source = None, a.source
    data = f'{{"docData":{{"newsTime":"{a.f("%Y-%m-%d %H:%M:%S")}","source":"{a.source}"}}}}'
    body = (
        nav("凤凰网")
        + f'<div class="artical"><h1 id="artical_topic" class="topic">{a.headline}</h1>'
        + f'<div class="timeBref"><span>{a.f("%Y年%m月%d日 %H:%M:%S")}</span>'
        + f'<span>来源：<a href="/">{a.source}</a></span></div>'
        + f'<div id="main_content" class="js_selection_area">{a.ps()}</div>'
        + share()
        + "</div>"
        + ranking(a)
        + comments(a, 2)
        + footer("凤凰网")
        + f"<script>var allData = {data};</script>"
    )
    return Rendered(
        f"https://news.ifeng.com/c/{a.rng.randint(10**6, 10**7)}abc",
        page(f"{a.headline}_凤凰网资讯_凤凰网", "", body),
    )


def cctv(a: Art) -> Rendered:
    """央视网 style: ``央视网消息`` line with ``来源：… | date``, ``zebian`` editor spans."""
    a.gold_author, a.gold_source = a.author, "央视网"  # 责任编辑 before 编辑
    body = (
        nav("央视网")
        + '<div class="cnt_bd"><h1>'
        + f"{a.headline}</h1>"
        + '<div class="function"><span class="info"><i>'
        + f'<a href="/">央视网</a></i><i>来源：央视网 | {a.f("%Y年%m月%d日 %H:%M")}</i></span></div>'
        + f'<div class="content_area" id="content_area">{a.ps()}</div>'
        + f'<div class="zebian"><span class="zb">编辑：{a.editor}</span><span>责任编辑：{a.author}</span></div>'
        + "</div>"
        + sidebar(a, cls="md_bd")
        + footer("央视网")
    )
    return Rendered(
        f"https://news.cctv.com/{a.f('%Y/%m/%d')}/ARTI{a.rng.randint(10**6, 10**7)}.shtml",
        page(f"{a.headline}_新闻频道_央视网(cctv.com)", "", body),
    )


def gmw(a: Art) -> Rendered:
    """光明网 style: ``m-con-source`` line, ``u-mainText``, ``[ 责编：… ]``, enpproperty."""
    a.gold_author, a.gold_source = a.author, "光明日报"
    enp = (
        f"<!--enpproperty <articleid>{a.rng.randint(10**7, 10**8)}</articleid>"
        f"<date>{a.f('%Y-%m-%d %H:%M:%S')}.0</date><author>{a.author}</author>"
        f"<title>{a.headline}</title><keyword>民生</keyword></enpproperty-->"
    )
    body = (
        nav("光明网")
        + f'<div class="m-title-box"><h1 class="u-title">{a.headline}</h1>'
        + f'<div class="m-con-source"><span class="m-con-time">{a.f("%Y-%m-%d %H:%M")}</span>'
        + ' <span class="m-con-source">来源：<a href="/">光明日报</a></span></div></div>'
        + f'<div class="u-mainText" id="articleBox"><p>作者：{a.author}</p>{a.ps()}</div>'
        + f'<div class="m-zbTool liability">[ 责编：{a.editor} ]</div>'
        + related(a)
        + sidebar(a, cls="g-right")
        + footer("光明网")
        + enp
    )
    return Rendered(
        f"https://news.gmw.cn/{a.f('%Y-%m/%d')}/content_{a.rng.randint(10**7, 10**8)}.htm",
        page(f"{a.headline}_光明网", "", body),
    )


def chinanews(a: Art) -> Rendered:
    """中国新闻网 style: ``content_left_time``, ``left_zw`` with a wire opening, ``【编辑:…】``."""
    a.gold_author, a.gold_source = a.author, "中国新闻网"
    first = f"中新网{a.place}{a.when.month}月{a.when.day}日电 (记者 {a.author})"
    a.gold_paragraphs = [first + a.paragraphs[0], *a.paragraphs[1:]]
    paras = "".join(f"<p>　　{p}</p>" for p in a.gold_paragraphs)
    body = (
        nav("中国新闻网")
        + f'<div class="content_left_title"><h1>{a.headline}</h1></div>'
        + f'<div class="content_left_time">{a.f("%Y年%m月%d日 %H:%M")}　来源：中国新闻网 '
        + '<a href="javascript:;" class="share">参与互动</a></div>'
        + f'<div class="left_zw" style="position:relative">{paras}</div>'
        + f'<div class="adEditor"><div class="left_name"><div class="left_name">【编辑:{a.editor}】</div></div></div>'
        + sidebar(a, cls="content_right")
        + footer("中国新闻网")
    )
    return Rendered(
        f"https://www.chinanews.com.cn/sh/{a.f('%Y/%m-%d')}/{a.rng.randint(10**6, 10**7)}.shtml",
        page(f"{a.headline}-中新网", "", body),
    )


def gov_table(a: Art) -> Rendered:
    """Government portal (TRS-like): 索引号 table with 成文日期 ≠ 发布日期, ``#zoom`` body,
    ``<!-- 发布日期 begin -->`` comments, TRS meta tags."""
    dept = f"{a.place}人民政府办公室"
    written = a.other_day(-6)
    a.gold_author, a.gold_source = None, dept
    head = (
        f'<meta name="ArticleTitle" content="{a.headline}" />'
        f'<meta name="PubDate" content="{a.f("%Y-%m-%d %H:%M")}" />'
        f'<meta name="ContentSource" content="{dept}" />'
        '<meta name="ColumnName" content="政务动态" />'
    )
    body = (
        f'<div class="header"><img src="/images/banner.jpg" alt="{a.place}人民政府" /></div>'
        + nav(f"{a.place}人民政府门户网站", clock=True)
        + '<div class="wz">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政务动态</div>'
        + '<table class="xxgk_table" width="100%"><tr><td>索引号：</td>'
        + f"<td>11{a.rng.randint(10**9, 10**10)}/{a.f('%Y')}-00{a.rng.randint(100, 999)}</td>"
        + f"<td>发布机构：</td><td>{dept}</td></tr>"
        + f"<tr><td>成文日期：</td><td>{a.f('%Y-%m-%d', written)}</td>"
        + f"<td>发布日期：</td><td><!-- 发布日期 begin -->{a.f('%Y-%m-%d')}<!-- 发布日期 end --></td></tr></table>"
        + f'<div class="article"><h2 class="tit">{a.headline}</h2>'
        + f'<div class="zoom" id="zoom"><div class="TRS_Editor">{a.ps(attrs=INDENT_STYLE)}</div></div>'
        + '<div class="print">【<a href="javascript:window.print()">打印本页</a>】【<a href="javascript:window.close()">关闭窗口</a>】</div>'
        + "</div>"
        + f'<div class="footer">主办：{a.place}人民政府办公室 网站标识码：{a.rng.randint(10**9, 10**10)} '
        + "ICP备案号：X ICP备12345678号 公网安备 12345678901234号</div>"
    )
    return Rendered(
        f"http://www.example-gov.gov.cn/zwgk/zwdt/{a.f('%Y%m')}/t{a.f('%Y%m%d')}_{a.rng.randint(10**6, 10**7)}.html",
        page(f"{a.headline}_政务动态_{a.place}人民政府", head, body),
    )


def gov_info(a: Art) -> Rendered:
    """Government portal: ``info`` spans ``时间：`` / ``来源：`` / ``作者：``, 浏览次数."""
    dept = f"{a.place}发展和改革局"
    a.gold_author, a.gold_source = a.author, dept
    body = (
        nav(f"{a.place}人民政府", clock=True)
        + '<div class="main"><div class="position">您现在的位置：首页 &gt; 部门动态</div>'
        + f'<div class="detail"><div class="detail-tit">{a.headline}</div>'
        + f'<div class="detail-info"><span>时间：{a.f("%Y-%m-%d")}</span>'
        + f"<span>来源：{dept}</span><span>作者：{a.author}</span>"
        + f'<span>浏览次数：<font id="hits">{a.rng.randint(100, 5000)}</font></span></div>'
        + f'<div class="detail-con"><div class="Custom_UnionStyle">{a.ps()}</div></div>'
        + "</div></div>"
        + sidebar(a, cls="list-right")
        + footer(f"{a.place}人民政府")
    )
    return Rendered(
        f"http://www.example-fgj.gov.cn/art/{a.f('%Y/%m/%d')}/art_{a.rng.randint(1000, 9999)}_{a.rng.randint(10**6, 10**7)}.html",
        page(f"{a.place}人民政府 部门动态 {a.headline}", "", body),
    )


def epaper(a: Art) -> Rendered:
    """Newspaper e-edition (founder/数字报): 引题/主题/副题, ``ozoom``, paper date in the
    header, ``作者：… 《 报 》（ date 第 03 版）`` line."""
    paper = a.source if a.source.endswith(("报", "日报")) else "江城日报"
    a.gold_author, a.gold_source = a.author, None
    body = (
        f'<div class="header"><span class="paper-date">{a.f("%Y年%m月%d日")} 星期{"一二三四五六日"[a.when.weekday()]}</span>'
        + f'<span class="paper-name">{paper}</span> <a href="../../../{a.f("%Y%m/%d")}/node_1.htm">往期回顾</a></div>'
        + '<table width="100%"><tr><td class="pagelist" valign="top">'
        + '<div class="banci"><a href="node_1.htm">第01版：要闻</a> <a href="node_2.htm">第02版：综合</a>'
        + ' <a href="node_3.htm">第03版：区县</a> <a href="node_4.htm">第04版：专版</a></div></td>'
        + '<td valign="top"><div class="article">'
        + '<h3 class="yinti">坚持问题导向 回应群众期盼</h3>'
        + f"<h1>{a.headline}</h1>"
        + '<h2 class="futi">多方协力推进 群众满意度提升</h2>'
        + f'<p class="sec">作者：本报记者 {a.author} 《 {paper} 》（ {a.f("%Y年%m月%d日")} 第 03 版）</p>'
        + f'<div id="ozoom"><founder-content>{a.ps()}</founder-content></div></div></td></tr></table>'
        + f'<div class="copyright">{paper}社版权所有 未经书面授权不得复制或建立镜像</div>'
    )
    return Rendered(
        f"http://epaper.example-daily.cn/html/{a.f('%Y-%m/%d')}/nw.D110000rmrb_{a.f('%Y%m%d')}_2-03.htm",
        page(f"{paper}数字报", "", body),
    )


def wordpress(a: Art) -> Rendered:
    """WordPress: ``time.entry-date`` with its own offset (a US-evening post: the day as
    the post prints it), ``author vcard``, comment list with later times."""
    local = a.when.astimezone(timezone(timedelta(hours=-5))).replace(hour=21)
    a.gold_author, a.gold_source, a.gold_day = a.author, None, local.date().isoformat()
    stamp = local.isoformat()
    head = (
        f'<meta property="og:title" content="{a.headline}" />'
        f'<meta property="article:published_time" content="{stamp}" />'
        f'<meta name="author" content="{a.author}" />'
    )
    cmts = "".join(
        f'<li class="comment"><article class="comment-body"><footer class="comment-meta">'
        f'<b class="fn">读者{i}</b><time datetime="{(local + timedelta(days=i + 1)).isoformat()}">'
        f"{(local + timedelta(days=i + 1)).strftime('%Y年%m月%d日 %H:%M')}</time></footer>"
        f'<div class="comment-content"><p>{COMMENTS[i]}</p></div></article></li>'
        for i in range(3)
    )
    body = (
        '<header id="masthead" class="site-header"><p class="site-title"><a href="/">海外华文时讯</a></p>'
        + '<nav class="main-navigation"><ul><li><a href="/">首页</a></li><li><a href="/category/news/">新闻</a></li></ul></nav></header>'
        + '<main id="main"><article class="post type-post status-publish">'
        + f'<header class="entry-header"><h1 class="entry-title">{a.headline}</h1>'
        + '<div class="entry-meta"><span class="posted-on">发布于 '
        + f'<time class="entry-date published" datetime="{stamp}">{local.strftime("%Y年%m月%d日")}</time></span>'
        + f' <span class="byline">作者 <span class="author vcard"><a class="url fn n" href="/author/x/">{a.author}</a></span></span></div></header>'
        + f'<div class="entry-content">{a.ps(indent="")}</div>'
        + '<footer class="entry-footer"><span class="cat-links">分类：<a href="/category/news/">新闻</a></span></footer>'
        + "</article>"
        + f'<div id="comments" class="comments-area"><h2 class="comments-title">3 条评论</h2><ol class="comment-list">{cmts}</ol></div>'
        + "</main>"
        + '<aside id="secondary" class="widget-area"><section class="widget widget_recent_entries"><h2>近期文章</h2><ul>'
        + "".join(f'<li><a href="/p/{i}">{t}</a></li>' for i, t in enumerate(SIDEBAR_TITLES[:5]))
        + "</ul></section></aside>"
        + '<footer class="site-footer">自豪地采用WordPress</footer>'
    )
    return Rendered(
        f"https://www.example-huawen.com/{local.strftime('%Y/%m/%d')}/post-{a.rng.randint(100, 999)}/",
        page(f"{a.headline} – 海外华文时讯", head, body),
    )


def discuz_portal(a: Art) -> Rendered:
    """Discuz! portal article view: ``h1.ph``, ``p.xg1`` with 发布者 / 原作者 / 来自."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        '<div id="toptb" class="cl"><a href="member.php?mod=register">立即注册</a> <a href="member.php?mod=logging">登录</a></div>'
        + '<div id="nv"><ul><li><a href="portal.php">门户</a></li><li><a href="forum.php">论坛</a></li></ul></div>'
        + '<div id="pt" class="bm cl"><a href="./">社区</a> <em>&rsaquo;</em> <a href="portal.php">资讯</a> <em>&rsaquo;</em> 查看内容</div>'
        + '<div id="ct" class="ct2 wp cl"><div class="mn"><div class="bm vw">'
        + f'<div class="h hm"><h1 class="ph">{a.headline}</h1>'
        + f'<p class="xg1"> {a.f("%Y-%-m-%-d %H:%M")}<span class="pipe">|</span> 发布者: <a href="home.php?uid=1">版主小编</a>'
        + f'<span class="pipe">|</span> 查看: {a.rng.randint(100, 9000)}<span class="pipe">|</span> 评论: 0'
        + f'<span class="pipe">|</span>原作者: {a.author}<span class="pipe">|</span>来自: {a.source}</p></div>'
        + f'<div class="d"><table cellpadding="0" cellspacing="0" class="vwtb"><tr><td id="article_content">{a.ps(indent="")}</td></tr></table></div>'
        + '<div class="o cl ptm pbm"><a class="oshr" href="#">分享</a> <a class="oshr ofav" href="#">收藏</a></div>'
        + "</div></div>"
        + f'<div class="sd pph">{sidebar(a)}</div></div>'
        + '<div id="ft" class="wp cl">Powered by <strong>Discuz!</strong> X3.4 © 2001-2025 Comsenz Inc.</div>'
    )
    return Rendered(
        f"https://bbs.example-city.com/portal.php?mod=view&aid={a.rng.randint(1000, 99999)}",
        page(f"{a.headline} - 资讯 - 城市社区 - Powered by Discuz!", "", body, charset="gbk"),
    )


def county(a: Art) -> Rendered:
    """County media centre (融媒体): one ``detail-info`` line with 发布时间 / 作者 / 来源 /
    阅读, a sidebar of digit-run issue numbers and short dates."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav(a.source, clock=True)
        + '<div class="container"><div class="left-part">'
        + f'<div class="article-title"><h2>{a.headline}</h2></div>'
        + f'<div class="article-info">发布时间：{a.f("%Y-%m-%d %H:%M:%S")}　作者：{a.author}　来源：{a.source}'
        + f'　阅读：<span id="readcount">{a.rng.randint(100, 9999)}</span></div>'
        + f'<div class="article-content">{a.ps()}</div>'
        + f'<div class="article-editor">编辑：{a.editor}　审核：{a.rng.choice("王李张")}某</div>'
        + "</div>"
        + sidebar(a, cls="right-part")
        + "</div>"
        + footer(a.source)
    )
    return Rendered(
        f"http://www.example-rmt.cn/content/{a.f('%Y-%m')}/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}-{a.source}", "", body),
    )


def no_title(a: Art) -> Rendered:
    """An app-share page with neither ``<title>`` nor ``<h1>``: the headline is in
    ``og:title`` and a ``div.art-tit``; the time in ``itemprop=datePublished``."""
    a.gold_author, a.gold_source = a.author, a.source
    head = (
        f'<meta property="og:title" content="{a.headline}" />'
        f'<meta itemprop="datePublished" content="{a.f("%Y-%m-%d %H:%M:%S")}" />'
        f'<meta itemprop="dateUpdate" content="{a.f("%Y-%m-%d %H:%M:%S", a.other_day(2))}" />'
    )
    body = (
        '<div class="app-banner"><a href="/download">打开客户端 阅读体验更佳</a></div>'
        + f'<div class="art-tit">{a.headline}</div>'
        + f'<div class="art-meta"><span class="src">{a.source}</span> <span class="auth">记者 {a.author}</span></div>'
        + f'<div class="art-body">{a.ps(indent="")}</div>'
        + '<div class="art-foot">本文为客户端原创内容 <a href="/download">下载客户端</a></div>'
        + comments(a, 2)
    )
    return Rendered(
        f"https://m.example-app.cn/share/{a.rng.randint(10**8, 10**9)}",
        page(None, head, body),
    )


def microdata(a: Art) -> Rendered:
    """schema.org NewsArticle microdata: ``itemprop`` headline/author/datePublished, with a
    ``dateModified`` of a later day; sidebar with newer dates than the article."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav("东港新闻网")
        + '<div itemscope itemtype="http://schema.org/NewsArticle" class="news-detail">'
        + f'<h1 itemprop="headline">{a.headline}</h1>'
        + f'<div class="meta"><span itemprop="author" itemscope itemtype="http://schema.org/Person"><span itemprop="name">{a.author}</span></span>'
        + f' <time itemprop="datePublished" datetime="{a.f("%Y-%m-%dT%H:%M:%S+08:00")}">{a.f("%m月%d日 %H:%M")}</time>'
        + f' <meta itemprop="dateModified" content="{a.f("%Y-%m-%dT%H:%M:%S+08:00", a.other_day(3))}" />'
        + f' <span class="source">来源：<span itemprop="publisher">{a.source}</span></span></div>'
        + f'<div itemprop="articleBody" class="content">{a.ps()}</div></div>'
        + sidebar(a)
        + footer("东港新闻网")
    )
    return Rendered(
        f"https://www.example-dg.cn/news/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline} - 东港新闻网", "", body),
    )


def date_after_body(a: Art) -> Rendered:
    """Date, source and author printed only after the body (``发布日期：``), sidebar dates
    before it."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav(a.source, clock=True)
        + sidebar(a, cls="leftlist")
        + f'<div class="wenzhang"><div class="bt">{a.headline}</div>'
        + f'<div class="nr">{a.ps()}</div>'
        + f'<div class="wzxx">发布日期：{a.f("%Y年%m月%d日")}　来源：{a.source}　作者：{a.author}</div></div>'
        + footer(a.source)
    )
    return Rendered(
        f"http://www.example-wz.cn/show.asp?id={a.rng.randint(1000, 9999)}",
        page(f"{a.headline}--{a.source}", "", body),
    )


def old_table(a: Art) -> Rendered:
    """2005–2010 table layout: ``td.bt`` title, date/source/author cell, ``<br>`` text."""
    a.gold_author, a.gold_source = a.author, a.source
    text = "<br>\n".join(f"　　{p}" for p in a.paragraphs)
    body = (
        f'<table width="778" align="center"><tr><td><img src="/images/logo.gif">{CLOCK}</td></tr>'
        + '<tr><td class="daohang"><a href="/">首页</a> | <a href="/news/">新闻中心</a> | <a href="/bbs/">论坛</a></td></tr></table>'
        + '<table width="778" align="center"><tr><td width="560" valign="top"><table width="100%">'
        + f'<tr><td class="bt" align="center"><b>{a.headline}</b></td></tr>'
        + f'<tr><td align="center" class="hui">{a.f("%Y-%m-%d %H:%M:%S")}　来源：<font color="#666666">{a.source}</font>　作者：{a.author}</td></tr>'
        + f'<tr><td class="zw">{text}</td></tr>'
        + f'<tr><td align="right">【编辑：{a.editor}】 【<a href="javascript:window.close()">关闭</a>】</td></tr></table></td>'
        + f'<td width="200" valign="top">{sidebar(a, cls="right")}</td></tr></table>'
        + '<table width="778" align="center"><tr><td class="copyright">版权所有 江城在线 Copyright 2005</td></tr></table>'
    )
    return Rendered(
        f"http://news.example-online.com/{a.f('%Y%m%d')}/{a.rng.randint(10**5, 10**6)}.htm",
        page(f"{a.headline}--江城在线", "", body, charset="gb2312"),
    )


def short_notice(a: Art) -> Rendered:
    """A short real article (one or two paragraphs): a 简讯/通知 with 发布时间."""
    a.gold_author, a.gold_source = a.editor, a.source
    body = (
        nav(a.source, clock=True)
        + '<div class="main"><div class="con">'
        + f"<h1>{a.headline}</h1>"
        + f'<div class="sub">发布时间：{a.f("%Y-%m-%d %H:%M")} 来源：{a.source}</div>'
        + f'<div class="txt">{a.ps()}</div>'
        + f'<div class="bj">责任编辑：{a.editor}</div>'
        + "</div></div>"
        + sidebar(a, n=10)
        + ranking(a)
        + footer(a.source)
    )
    return Rendered(
        f"http://www.example-short.cn/xw/{a.f('%Y%m')}/t{a.f('%Y%m%d')}_{a.rng.randint(1000, 9999)}.shtml",
        page(f"{a.headline}_{a.source}", "", body),
    )


def jsonld(a: Art) -> Rendered:
    """A modern portal whose times live in JSON-LD and a relative-looking visible stamp."""
    a.gold_author, a.gold_source = a.author, a.source
    ld = (
        '{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"{a.headline}","datePublished":"{a.f("%Y-%m-%dT%H:%M:%S+08:00")}",'
        f'"dateModified":"{a.f("%Y-%m-%dT%H:%M:%S+08:00", a.other_day(1))}",'
        f'"author":{{"@type":"Person","name":"{a.author}"}},'
        f'"publisher":{{"@type":"Organization","name":"{a.source}"}}}}'
    )
    body = (
        nav(a.source)
        + f'<div class="article-wrap"><h1 class="article-title">{a.headline}</h1>'
        + f'<div class="article-meta"><span class="author">文 / {a.author}</span> · <span class="media">{a.source}</span></div>'
        + f'<div class="article-content">{a.ps(indent="")}</div>'
        + '<div class="statement">声明：本文仅代表作者观点，不代表本站立场。</div></div>'
        + related(a, "推荐阅读")
        + footer(a.source)
    )
    return Rendered(
        f"https://www.example-portal.com/article/{a.rng.randint(10**8, 10**9)}.html",
        page(f"{a.headline}-{a.source}", f'<script type="application/ld+json">{ld}</script>', body),
    )


def sohu(a: Art) -> Rendered:
    """搜狐 style: ``meta itemprop=datePublished`` and ``og:release_date``, ``article#mp-editor``,
    ``返回搜狐，查看更多`` and 责任编辑 at the end."""
    a.gold_author, a.gold_source = a.editor, a.source
    head = (
        f'<meta itemprop="datePublished" content="{a.f("%Y-%m-%d %H:%M")}" />'
        f'<meta property="og:release_date" content="{a.f("%Y-%m-%d %H:%M")}" />'
        f'<meta name="mediaid" content="{a.source}" />'
    )
    body = (
        nav("搜狐")
        + f'<div class="text"><div class="text-title"><h1>{a.headline}</h1>'
        + f'<div class="article-info"><span class="time" id="news-time">{a.f("%Y-%m-%d %H:%M")}</span>'
        + f'<span data-role="original-link">来源: <a href="/">{a.source}</a></span></div></div>'
        + f'<article class="article" id="mp-editor">{a.ps(indent="")}'
        + '<p data-role="editor-name">责任编辑：<span>'
        + a.editor
        + "</span></p></article>"
        + '<div class="statement">平台声明：该文观点仅代表作者本人，搜狐号系信息发布平台。</div>'
        + '<a href="/" class="back-sohu">返回搜狐，查看更多</a></div>'
        + comments(a, 3)
        + sidebar(a, cls="sidebar")
        + footer("搜狐")
    )
    return Rendered(
        f"https://www.sohu.com/a/{a.rng.randint(10**8, 10**9)}_{a.rng.randint(10**5, 10**6)}",
        page(f"{a.headline}_{a.source}_搜狐", head, body),
    )


def qq(a: Art) -> Rendered:
    """腾讯 style: ``a_time`` / ``a_source`` / ``a_author`` spans, ``content-article`` with
    ``one-p`` paragraphs."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav("腾讯网")
        + '<div class="qq_conent clearfix"><div class="LEFT">'
        + f"<h1>{a.headline}</h1>"
        + '<div class="content clearfix"><div class="a_Info">'
        + f'<span class="a_source"><a href="/">{a.source}</a></span>'
        + f'<span class="a_author">作者：{a.author}</span>'
        + f'<span class="a_time">{a.f("%Y-%m-%d %H:%M")}</span></div>'
        + f'<div class="content-article">{a.ps(indent="", attrs=ONE_P)}</div>'
        + "</div></div>"
        + f'<div class="RIGHT">{ranking(a)}{sidebar(a)}</div></div>'
        + footer("腾讯网")
    )
    return Rendered(
        f"https://new.qq.com/omn/{a.f('%Y%m%d')}/{a.f('%Y%m%d')}A0{a.rng.randint(1000, 9999)}00.html",
        page(f"{a.headline}_腾讯新闻", "", body),
    )


def subheads(a: Art) -> Rendered:
    """A provincial portal with ``<strong>`` subheadings in the body, a photo with a
    caption, a credits paragraph ``（记者 …）`` closing the text, and ``文章来源：`` below."""
    half = len(a.paragraphs) // 2
    a.gold_author, a.gold_source = a.author, a.source
    heads = ["一、多方联动 形成合力", "二、久久为功 见到实效"]
    a.gold_paragraphs = [heads[0], *a.paragraphs[:half], heads[1], *a.paragraphs[half:]]
    paras = (
        f"<p><strong>{heads[0]}</strong></p>"
        + "".join(f"<p>　　{p}</p>" for p in a.paragraphs[:half])
        + '<p style="text-align:center"><img src="/uploads/pic1.jpg" /></p>'
        + f"<p><strong>{heads[1]}</strong></p>"
        + "".join(f"<p>　　{p}</p>" for p in a.paragraphs[half:])
    )
    body = (
        nav(a.source)
        + f'<div class="article"><h1 class="title">{a.headline}</h1>'
        + f'<div class="info"><span class="time">{a.f("%Y/%m/%d %H:%M")}</span>'
        + f' <span class="author">记者 {a.author}</span></div>'
        + f'<div class="content" id="content">{paras}</div>'
        + f'<div class="from">文章来源：{a.source}</div>'
        + f'<div class="editor">编辑：{a.editor}</div></div>'
        + related(a, "相关阅读")
        + sidebar(a)
        + footer(a.source)
    )
    return Rendered(
        f"https://www.example-prov.cn/news/{a.f('%Y%m%d')}/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}_{a.source}", "", body),
    )


# ------------------------------------------------- harder layouts (development only)


def forum_thread(a: Art) -> Rendered:
    """Discuz! forum thread: 发表于 stamps on the post and on later replies; the poster is a
    nickname, not a byline (no author)."""
    a.gold_author, a.gold_source = None, None
    text = "<br />\n".join(a.paragraphs)
    replies = "".join(
        f'<div id="post_{i}"><table class="plhin"><tr><td class="pls"><div class="authi">'
        f'<a class="xw1" href="space-uid-{i}.html">网友{i}{i}</a></div></td><td class="plc">'
        f'<div class="pti"><div class="authi"><em id="authorposton{i}">发表于 '
        f"{a.f('%Y-%-m-%-d %H:%M', a.other_day(i))}</em></div></div>"
        f'<td class="t_f" id="postmessage_{i}">{COMMENTS[i % len(COMMENTS)]}</td></td></tr></table></div>'
        for i in (2, 3, 4)
    )
    body = (
        '<div id="toptb"><a href="member.php?mod=logging">登录</a> <a href="member.php?mod=register">立即注册</a></div>'
        + '<div id="pt"><a href="./">论坛</a> <em>&rsaquo;</em> <a href="forum-2-1.html">本地新闻</a></div>'
        + f'<div id="postlist"><table><tr><td class="plc ptm pbn"><h1 class="ts"><span id="thread_subject">{a.headline}</span></h1></td></tr></table>'
        + '<div id="post_1"><table class="plhin"><tr><td class="pls"><div class="authi"><a class="xw1" href="space-uid-1.html">山水之间</a></div></td>'
        + f'<td class="plc"><div class="pti"><div class="authi"><em id="authorposton1">发表于 {a.f("%Y-%-m-%-d %H:%M")}</em>'
        + ' <a href="#">只看该作者</a></div></div>'
        + f'<table><tr><td class="t_f" id="postmessage_1">{text}</td></tr></table></td></tr></table></div>'
        + replies
        + "</div>"
        + '<div id="ft">Powered by Discuz! X3.4</div>'
    )
    return Rendered(
        f"https://bbs.example-town.com/thread-{a.rng.randint(10**5, 10**6)}-1-1.html",
        page(f"{a.headline} - 本地新闻 - 小城论坛", "", body, charset="gbk"),
    )


def update_clock(a: Art) -> Rendered:
    """A site-wide 更新时间 clock above the headline; the article prints 发布时间 later."""
    a.gold_author, a.gold_source = a.editor, a.source
    body = (
        '<div class="topinfo">网站更新时间：2025-12-07 08:00 <a href="/rss">订阅</a></div>'
        + nav(a.source)
        + f'<div class="news"><h1>{a.headline}</h1>'
        + f'<div class="news-info">来源：{a.source} | 发布时间：{a.f("%Y年%m月%d日 %H:%M")}</div>'
        + f'<div class="news-text">{a.ps()}</div>'
        + f'<div class="news-editor">（责任编辑：{a.editor}）</div></div>'
        + sidebar(a)
        + footer(a.source)
    )
    return Rendered(
        f"https://www.example-upd.cn/news/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}_{a.source}", "", body),
    )


def inline_byline(a: Art) -> Rendered:
    """Body opening with ``本报讯（记者 … 通讯员 …）``; a bare date under the headline."""
    paper = "江城日报"
    a.gold_author, a.gold_source = a.author, paper
    first = f"本报讯（记者 {a.author} 通讯员 {a.editor}）"
    a.gold_paragraphs = [first + a.paragraphs[0], *a.paragraphs[1:]]
    paras = "".join(f"<p>　　{p}</p>" for p in a.gold_paragraphs)
    body = (
        nav(paper)
        + f'<div class="detail"><h2 class="title">{a.headline}</h2>'
        + f'<p class="date">{a.f("%Y-%m-%d")} <span>{paper}</span></p>'
        + f'<div class="content">{paras}</div></div>'
        + f'<div class="source-line">稿件来源：{paper}</div>'
        + related(a)
        + footer(paper)
    )
    return Rendered(
        f"http://news.example-jc.cn/{a.f('%Y/%m%d')}/{a.rng.randint(10**5, 10**6)}.shtml",
        page(f"{a.headline}-{paper}", "", body),
    )


def notice_event(a: Art) -> Rendered:
    """A government notice whose body prints the event's 时间：/地点： lines; the publication
    day only after the body."""
    dept = f"{a.place}文化和旅游局"
    event = a.other_day(12)
    a.gold_author, a.gold_source = None, dept
    lines = [
        "各有关单位：",
        f"为丰富群众文化生活，经研究，定于{event.month}月{event.day}日举办{a.place}群众文艺汇演，现将有关事项通知如下。",
        f"时间：{event.year}年{event.month}月{event.day}日上午9时",
        f"地点：{a.place}文化广场",
        "请各单位按时组织人员参加，并做好安全保障工作。",
    ]
    a.gold_paragraphs = lines + a.paragraphs[:2]
    paras = "".join(f"<p>{p}</p>" for p in a.gold_paragraphs)
    body = (
        nav(f"{a.place}人民政府", clock=True)
        + f'<div class="content"><h1>{a.place}关于举办群众文艺汇演的通知</h1>'
        + f'<div class="con">{paras}</div>'
        + f'<div class="info-after"><span>发布日期：{a.f("%Y-%m-%d")}</span> <span>来源：{dept}</span></div></div>'
        + footer(f"{a.place}人民政府")
    )
    a.headline = f"{a.place}关于举办群众文艺汇演的通知"
    return Rendered(
        f"http://www.example-wl.gov.cn/tzgg/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}-{a.place}人民政府", "", body),
    )


def meta_only(a: Art) -> Rendered:
    """No ``<title>``, no ``<h1>``, no ``og:title``: TRS ``ArticleTitle`` and a ``div.title``;
    the author only in ``meta name=author``; the time in ``PubDate``."""
    a.gold_author, a.gold_source = a.author, a.source
    head = (
        f'<meta name="ArticleTitle" content="{a.headline}" />'
        f'<meta name="PubDate" content="{a.f("%Y-%m-%d %H:%M")}" />'
        f'<meta name="author" content="{a.author}" />'
        f'<meta name="ContentSource" content="{a.source}" />'
    )
    body = (
        f'<div class="wrap"><div class="title">{a.headline}</div>'
        + f'<div class="txt">{a.ps()}</div></div>'
        + sidebar(a)
    )
    return Rendered(
        f"http://www.example-trs.cn/art/{a.rng.randint(10**5, 10**6)}.html",
        page(None, head, body),
    )


def label_cells(a: Art) -> Rendered:
    """信息公开 table: labels and values in separate cells without colons."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav(a.source, clock=True)
        + f'<div class="xl"><div class="xl-tit">{a.headline}</div>'
        + '<table class="xl-info"><tr>'
        + f"<td>作者</td><td>{a.author}</td><td>来源</td><td>{a.source}</td>"
        + f"<td>发布时间</td><td>{a.f('%Y-%m-%d')}</td><td>点击数</td><td>{a.rng.randint(10, 999)}</td></tr></table>"
        + f'<div class="xl-con">{a.ps()}</div></div>'
        + sidebar(a)
        + footer(a.source)
    )
    return Rendered(
        f"http://www.example-xxgk.cn/xxgk/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}--{a.source}", "", body),
    )


def gallery(a: Art) -> Rendered:
    """A photo story: short captions under images, 2 short paragraphs; must not be empty."""
    a.gold_author, a.gold_source = a.author, a.source
    caps = a.paragraphs[:2]
    a.gold_paragraphs = caps
    pics = "".join(
        f'<div class="pic"><img src="/p/{i}.jpg" /><p class="cap">{c}</p></div>'
        for i, c in enumerate(caps)
    )
    body = (
        nav(a.source)
        + f'<div class="photo-page"><h1>{a.headline}</h1>'
        + f'<div class="meta">{a.f("%Y-%m-%d %H:%M")} 来源：{a.source} 摄影：{a.author}</div>'
        + f'<div class="photos">{pics}</div></div>'
        + sidebar(a, n=12)
        + ranking(a)
        + footer(a.source)
    )
    return Rendered(
        f"https://photo.example-pic.cn/{a.f('%Y%m%d')}/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}_图片频道_{a.source}", "", body),
    )


def left_list_labels(a: Art) -> Rendered:
    """A left column of other articles, each with its own ``发布时间：``, before the body;
    the article's date sits unlabelled under its headline."""
    a.gold_author, a.gold_source = a.editor, a.source
    items = "".join(
        f'<li><a href="/n/{1000 + i}.html">{t}</a><p>发布时间：{a.f("%Y-%m-%d", a.other_day(-2 - i))}</p></li>'
        for i, t in enumerate(a.rng.sample(SIDEBAR_TITLES, 5))
    )
    body = (
        nav(a.source)
        + f'<div class="left"><h3>最新动态</h3><ul class="newlist">{items}</ul></div>'
        + f'<div class="right"><h1 class="art-title">{a.headline}</h1>'
        + f'<p class="art-date">{a.f("%Y-%m-%d %H:%M")}　{a.source}</p>'
        + f'<div class="art-con">{a.ps()}</div>'
        + f'<p class="art-editor">[责任编辑：{a.editor}]</p></div>'
        + footer(a.source)
    )
    return Rendered(
        f"https://www.example-left.cn/show/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline}_{a.source}", "", body),
    )


def info_list(a: Art) -> Rendered:
    """Credits and time as list items (``<li>作者：</li><li>编辑：</li>``), the source as
    ``来源：`` after the body."""
    a.gold_author, a.gold_source = a.author, a.source
    body = (
        nav(a.source)
        + f'<div class="article"><h1>{a.headline}</h1>'
        + f'<ul class="article-info"><li>作者：{a.author}</li><li>编辑：{a.editor}</li>'
        + f"<li>发布时间：{a.f('%Y/%m/%d %H:%M')}</li><li>浏览：{a.rng.randint(10, 999)}</li></ul>"
        + f'<div class="article-body">{a.ps()}</div>'
        + f'<p class="article-source">来源：{a.source}</p></div>'
        + comments(a, 3)
        + footer(a.source)
    )
    return Rendered(
        f"https://www.example-li.cn/a/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline} - {a.source}", "", body),
    )


def closing_name(a: Art) -> Rendered:
    """A bare name in brackets closing the last paragraph (``…投入运营。（张某某）``) as
    the only author credit; date and source on one unlabelled line."""
    a.gold_author, a.gold_source = a.author, None
    last = a.paragraphs[-1] + f"（{a.author}）"
    a.gold_paragraphs = [*a.paragraphs[:-1], last]
    paras = "".join(f"<p>　　{p}</p>" for p in a.gold_paragraphs)
    body = (
        nav("东港新闻网")
        + f'<div class="main"><h1>{a.headline}</h1>'
        + f'<div class="sub">{a.f("%Y年%m月%d日 %H:%M")}</div>'
        + f'<div class="body">{paras}</div></div>'
        + sidebar(a)
        + footer("东港新闻网")
    )
    return Rendered(
        f"https://www.example-dg.cn/p/{a.rng.randint(10**5, 10**6)}.html",
        page(f"{a.headline} - 东港新闻网", "", body),
    )


# ------------------------------------------------------------------------ non-articles


def error_404(rng: random.Random) -> tuple[str, str, str]:
    body = (
        nav("江城新闻网")
        + '<div class="error-page"><img src="/images/404.png" alt="404" />'
        + "<h2>抱歉，您访问的页面不存在或已被删除！</h2>"
        + '<p><a href="/">返回首页</a> <span id="sec">5</span>秒后自动跳转</p></div>'
        + footer("江城新闻网")
    )
    return "http://www.example-jc.cn/n/20180403/999.html", page("404 页面不存在", "", body), "error"


def error_403(rng: random.Random) -> tuple[str, str, str]:
    body = "<center><h1>403 Forbidden</h1></center><hr><center>nginx</center>"
    return "http://www.example-gov.gov.cn/a/20180403.html", page("403 Forbidden", "", body), "error"


def error_closed(rng: random.Random) -> tuple[str, str, str]:
    body = (
        nav("临湖在线")
        + '<div class="tips"><p>该信息已过期或已被删除，无法访问。</p><p><a href="/">返回首页</a></p></div>'
        + footer("临湖在线")
    )
    return (
        "http://www.example-lh.cn/show.asp?id=20190404",
        page("提示信息_临湖在线", "", body),
        "error",
    )


def list_page(rng: random.Random) -> tuple[str, str, str]:
    items = "".join(
        f'<li><a href="/news/2019{m:02d}{d:02d}/{m * 100 + d}.html">{t}</a><span>2019-{m:02d}-{d:02d}</span></li>'
        for (m, d), t in zip(
            [
                (4, 3),
                (4, 2),
                (4, 1),
                (3, 30),
                (3, 28),
                (3, 27),
                (3, 25),
                (3, 21),
                (3, 20),
                (3, 18),
                (3, 15),
                (3, 12),
                (3, 10),
                (3, 8),
                (3, 5),
            ],
            SIDEBAR_TITLES,
            strict=True,
        )
    )
    body = (
        nav("东港新闻网")
        + f'<div class="list-main"><h2>本地新闻</h2><ul class="list">{items}</ul>'
        + '<div class="page"><a href="?p=1">1</a> <a href="?p=2">2</a> <a href="?p=2">下一页</a></div></div>'
        + footer("东港新闻网")
    )
    return "https://www.example-dg.cn/news/bdxw/", page("本地新闻_东港新闻网", "", body), "list"


Layout = Callable[[Art], Rendered]

#: (name, layout, the split of each page it renders)
LAYOUTS: list[tuple[str, Layout, tuple[str, ...]]] = [
    ("people", people, ("dev", "dev", "heldout")),
    ("thepaper", thepaper, ("dev", "dev", "heldout")),
    ("sina", sina, ("dev", "dev", "heldout")),
    ("netease", netease, ("dev", "dev", "heldout")),
    ("ifeng", ifeng, ("dev", "dev", "heldout")),
    ("cctv", cctv, ("dev", "dev", "heldout")),
    ("gmw", gmw, ("dev", "dev", "heldout")),
    ("chinanews", chinanews, ("dev", "dev", "heldout")),
    ("gov_table", gov_table, ("dev", "dev", "heldout")),
    ("gov_info", gov_info, ("dev", "dev", "heldout")),
    ("epaper", epaper, ("dev", "dev", "heldout")),
    ("wordpress", wordpress, ("dev", "dev", "heldout")),
    ("county", county, ("dev", "dev", "heldout")),
    ("no_title", no_title, ("dev", "dev", "heldout")),
    ("date_after_body", date_after_body, ("dev", "dev", "heldout")),
    ("old_table", old_table, ("dev", "dev", "heldout")),
    ("short_notice", short_notice, ("dev", "dev", "heldout", "heldout")),
    # Held out only: structures never seen while developing.
    ("discuz_portal", discuz_portal, ("heldout", "heldout")),
    ("microdata", microdata, ("heldout", "heldout")),
    ("jsonld", jsonld, ("heldout", "heldout")),
    ("sohu", sohu, ("heldout", "heldout")),
    ("qq", qq, ("heldout", "heldout")),
    ("subheads", subheads, ("heldout", "heldout")),
    # Development only: harder structures added after the first held-out measurement.
    ("forum_thread", forum_thread, ("dev", "dev")),
    ("update_clock", update_clock, ("dev", "dev")),
    ("inline_byline", inline_byline, ("dev", "dev")),
    ("notice_event", notice_event, ("dev", "dev")),
    ("meta_only", meta_only, ("dev", "dev")),
    ("label_cells", label_cells, ("dev", "dev")),
    ("gallery", gallery, ("dev", "dev")),
    ("left_list_labels", left_list_labels, ("dev", "dev")),
    ("info_list", info_list, ("dev", "dev")),
    ("closing_name", closing_name, ("dev", "dev")),
]

NON_ARTICLES: list[tuple[str, Callable[[random.Random], tuple[str, str, str]], str]] = [
    ("error_404", error_404, "dev"),
    ("list_page", list_page, "dev"),
    ("error_403", error_403, "heldout"),
    ("error_closed", error_closed, "heldout"),
]
