# ruff: noqa: E501 (markup and character pools read best on one line each)
"""The development-only harder layouts (forum thread, site clock, inline byline, notice with
event times, meta-only page, label cells, photo story, labelled sidebar, list-item credits,
closing name): markup structure only."""

from __future__ import annotations

from common import (
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
