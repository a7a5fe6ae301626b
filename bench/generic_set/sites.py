# ruff: noqa: E501 (markup and character pools read best on one line each)
"""Government, newspaper, county, WordPress, Discuz and other site layouts, the held-out
structured-data pages: markup structure only."""

from __future__ import annotations

from datetime import timedelta, timezone

from common import (
    CLOCK,
    INDENT_STYLE,
    Art,
    Rendered,
    comments,
    footer,
    nav,
    page,
    ranking,
    related,
    sidebar,
)
from text import COMMENTS, SIDEBAR_TITLES


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
