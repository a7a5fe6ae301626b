# ruff: noqa: E501 (markup and character pools read best on one line each)
"""Portal and national-outlet layouts (人民网, 澎湃, 新浪, 网易, 凤凰, 央视网, 光明网, 中国新闻网,
搜狐, 腾讯): markup structure only."""

from __future__ import annotations

from common import (
    ONE_P,
    Art,
    Rendered,
    comments,
    footer,
    nav,
    page,
    ranking,
    related,
    share,
    sidebar,
)


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
