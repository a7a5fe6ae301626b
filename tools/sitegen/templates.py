# ruff: noqa: E501  (HTML templates: one line per line of the real markup they copy)
"""Article markup of the four Xinhua template families, filled with a :class:`Story`.

Each family copies the markup *structure* of real pages described in
``../shared/xinhua/STRUCTURE.md`` (the text is ours):

``provincial_old``
    Guizhou channel ≤2019 (``www.gz.xinhuanet.com/YYYY-MM/DD/c_<id>.htm``): ``h1#title``,
    ``span.time#pubtime``, ``span#source``, body ``div#Content > div.content``, editor
    ``span.editor`` = ``[责任编辑: 曾鹏] ``; multi-page articles are separate files
    ``c_<id>_N.htm`` linked from ``#div_currpage`` (and the hidden ``#div_page_roll1``).
``xl2019``
    The national 2019 template, used by Hebei ≤2020: ``.h-title``, ``.h-time``, ``em#source``,
    ``#p-detail`` with ``.lb``/``.tadd`` widgets, editor as bare text in ``.p-jc``.
``newpage2020``
    2020–2023 pages on old-style URLs: ``h1 > span.title``, split ``div.header-time``,
    ``div.source``, body in ``#detail`` (optionally wrapped in ``span#detailContent``) with
    ``#articleEdit`` *inside* ``#detail``; editor ``【责任编辑:…⏎】``.
``provincial_chtml``
    2023+ provincial ``/YYYYMMDD/<32hex>/c.html`` pages: ``h1#title > span``,
    ``div.source > span.time / span.sourceText``, ``#detail > span#detailContent``,
    ``#articleEdit span.editor`` = ``[作者: … 　责任编辑:⏎ … ]``. Multi-page articles are one
    document whose pages are split by ``<img id="xinhuabreak">`` or by a hidden
    ``<b style="display: none;">pagebreak</b>`` (Xinhua's ``pager.js`` splits client-side).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from html import escape

from tools.sitegen.stories import Block, Story

U3000 = "\u3000\u3000"
NBSP = "&nbsp;&nbsp;&nbsp;&nbsp;"
GIF_BREAK = "http://www.news.cn/2021detail/images/xinhuabreak.gif"


@dataclass(frozen=True, kw_only=True, slots=True)
class Context:
    """What a page shows around the story: navigation, its column, related links."""

    channel_name: str
    """``新华网贵州频道``."""
    home: str
    """The channel home page for this host era."""
    nav: tuple[tuple[str, str], ...]
    """(name, url) of the channel's columns."""
    column: tuple[str, str]
    """(name, url) of the story's column."""
    big5: str | None = None
    """The big5 gateway URL of this page, when the gateway copy exists."""
    simplified: str | None = None
    """On a big5 copy: the URL of the simplified original."""
    related: tuple[tuple[str, str, str], ...] = ()
    """(title, href, YYYY-MM-DD) of related stories."""


def esc(text: str) -> str:
    return escape(text, quote=False)


def attr(text: str) -> str:
    return escape(text, quote=True)


def _time(story: Story) -> str:
    return story.published.strftime("%Y-%m-%d %H:%M:%S")


def split_pages(blocks: tuple[Block, ...], pages: int) -> list[list[Block]]:
    """``blocks`` cut into ``pages`` runs of similar length; a caption stays with its image."""
    if pages <= 1:
        return [list(blocks)]
    size = -(-len(blocks) // pages)
    out: list[list[Block]] = [[]]
    for block in blocks:
        if len(out[-1]) >= size and len(out) < pages and block.kind != "cap":
            out.append([])
        out[-1].append(block)
    while len(out) < pages:
        out.append([out[-2].pop()])
    return out


# --- body paragraphs, per family --------------------------------------------------------


def _old_block(block: Block, story: Story) -> str:
    indent = NBSP if story.indent == "nbsp" else U3000
    if block.kind == "h":
        return f"<p><strong>{esc(block.text)}</strong></p>"
    if block.kind == "img":
        return (
            '<p align="center"><img style="WIDTH: 800px; HEIGHT: 536px" title="" border="0" '
            f'align="center" src="{block.text}" sourcedescription="编辑提供的本地文件" '
            'sourcename="本地文件"></p>'
        )
    if block.kind == "cap":
        return f'<p align="center"><font color="navy" face="楷体">{esc(block.text)}</font></p>'
    return f"<p>{indent}{esc(block.text)}</p>"


def _national_block(block: Block, story: Story) -> str:
    if block.kind == "h":
        return f"<p>{U3000}<strong>{esc(block.text)}</strong></p>"
    if block.kind == "img":
        return (
            '<p style="TEXT-ALIGN: center"><img style="MAX-WIDTH: 100%; MARGIN-LEFT: auto; '
            f'DISPLAY: block; MARGIN-RIGHT: auto" src="{block.text}" /></p>'
        )
    if block.kind == "cap":
        return (
            '<p style="TEXT-ALIGN: center"><span style="COLOR: rgb(51,127,229)">'
            f'<font color="navy" face="楷体">{esc(block.text)}</font></span></p>'
        )
    return f"<p>{U3000}{esc(block.text)}</p>"


def _chtml_block(block: Block, story: Story) -> str:
    if block.kind == "h":
        return f'<p style="text-align: center;"><strong>{esc(block.text)}</strong></p>'
    if block.kind == "img":
        return (
            '<p style="text-align: center;"><img style="display: block; margin-left: auto; '
            f'margin-right: auto;" src="{block.text}" data-name="{block.text}"></p>'
        )
    if block.kind == "cap":
        return f'<p style="text-align: center;">{esc(block.text)}</p>'
    return f'<p style="text-align: justify;">{U3000}{esc(block.text)}</p>'


def _body(blocks: list[Block], story: Story, render: Callable[[Block, Story], str]) -> str:
    return "\n".join(render(b, story) for b in blocks)


def _description(story: Story) -> str:
    lead = story.blocks[0].text
    if story.dateline and "）" in lead:
        lead = lead.split("）", 1)[1]
    return f"{story.headline}---{lead[:80]}"


def _related_old(ctx: Context) -> str:
    if not ctx.related:
        return ""
    items = "".join(
        f'<li><a href="{attr(href)}" target="_blank">{esc(title)}</a> <span>{date}</span></li>'
        for title, href, date in ctx.related
    )
    return f'<div class="xgxw"><h3>相关新闻</h3><ul>{items}</ul></div>'


def _nav(ctx: Context) -> str:
    links = "".join(f'<a href="{attr(u)}" target="_blank">{esc(n)}</a>' for n, u in ctx.nav)
    big5 = f'<a href="{attr(ctx.big5)}" class="big5">繁体</a>' if ctx.big5 else ""
    back = f'<a href="{attr(ctx.simplified)}" class="gb">简体</a>' if ctx.simplified else ""
    return f'<a href="{attr(ctx.home)}" target="_blank">首页</a>{links}{big5}{back}'


# --- provincial_old ---------------------------------------------------------------------


def _old_pager(story: Story, page: int, pages: int) -> str:
    base = story.url[: -len(".htm")]

    def href(n: int) -> str:
        return story.url if n == 1 else f"{base}_{n}.htm"

    def roll() -> str:
        parts = ["&nbsp;&nbsp; "]
        if page > 1:
            parts.append(f'<a href="{href(page - 1)}">上一页</a> ')
        for n in range(1, pages + 1):
            parts.append(f"<span>{n}</span> " if n == page else f'<a href="{href(n)}">{n}</a> ')
        if page < pages:
            parts.append(f'<a href="{href(page + 1)}">下一页</a>&nbsp;&nbsp; ')
        return "".join(parts)

    return (
        '<div width="100%"> <p> </p> <center> '
        f'<div id="div_page_roll1" style="display:none">{roll()}</div> '
        f'<div id="div_currpage">{roll()}</div> </center> <p></p> </div> '
        '<script language="javascript">function turnpage(page){  document.all("div_currpage")'
        '.innerHTML = document.all("div_page_roll"+page).innerHTML;}</script>'
    )


def _old_editor(story: Story) -> str:
    if story.editor_style == 1 and len(story.editors) > 1:
        return f"[责任编辑:{' '.join(story.editors)} ]"
    if story.editor_style == 2:
        return f"[责任编辑: {'、'.join(story.editors)}]"
    return f"[责任编辑: {' '.join(story.editors)}] "


def render_provincial_old(story: Story, ctx: Context) -> list[str]:
    charset = "gb2312" if story.encoding == "gbk" else "utf-8"
    chunks = split_pages(story.blocks, story.pages)
    out = []
    for page, blocks in enumerate(chunks, start=1):
        pager = _old_pager(story, page, len(chunks)) if len(chunks) > 1 else ""
        out.append(f"""<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" "http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">
<html xmlns="http://www.w3.org/1999/xhtml">
<head>
<meta http-equiv="Content-Type" content="text/html; charset={charset}" /><meta name="publishid" content="{story.article_id}.12.1002.0"/><meta name="pageid" content="11127.11144.0.0.1117123.0.0.0.0.0.115389.{story.article_id}"/>
<meta name="keywords" content="{attr(",".join(story.keywords))}" />
<meta name="description" content="{attr(_description(story))}" />
<title>{esc(story.headline)} - {esc(ctx.channel_name)}</title>
<link rel="stylesheet" type="text/css" href="http://www.gz.xinhuanet.com/static/css/xl2016.css" />
<script type="text/javascript" src="http://www.xinhuanet.com/global/js/jquery.min.js"></script>
</head>
<body>
<div class="topnav">{_nav(ctx)}</div>
<div class="position"><a href="{attr(ctx.home)}">{esc(ctx.channel_name)}</a>- <a href="{attr(ctx.column[1])}">{esc(ctx.column[0])}</a> &gt; <span class="curNews">正文</span></div>
<div id="center" class="clearfix">
<div class="bt"><h1 id="title">{esc(story.headline)}</h1></div>
<div class="info"><span class="time" id="pubtime">{_time(story)}</span>　来源： <span id="source" class="sourceText">{esc(story.source)}</span></div>
<div class="article" id="Content">
<div class="content">
{_body(blocks, story, _old_block)}
{pager}
</div>
</div>
<div class="bianji"><span class="editor">{esc(_old_editor(story))}</span></div>
{_related_old(ctx)}
</div>
<div class="footer"><p>新华网贵州频道 版权所有</p></div>
</body>
</html>
""")
    return out


# --- xl2019 -----------------------------------------------------------------------------


def render_xl2019(story: Story, ctx: Context) -> list[str]:
    editor = f"责任编辑：\n{' '.join(story.editors)}\n"
    if story.editor_style == 1:
        editor = f"责任编辑： {' '.join(story.editors)}\n"
    return [
        f"""<!DOCTYPE HTML>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><meta name="publishid" content="{story.article_id}.12.1002.0"/><meta name="pageid" content="1198.11100.0.0.113667.0.0.0.0.0.114344.{story.article_id}"/>
<meta name="keywords" content="{attr(",".join(story.keywords))}
" />
<meta name="description" content="{attr(_description(story))}" />
<title>
{esc(story.headline)}-{esc(ctx.channel_name)}
</title>
<link rel="stylesheet" type="text/css" href="http://www.xinhuanet.com/xl2019/css/main20190618.css" />
</head>
<body class="" name="">
<div class="nav"><div class="nav-wap">{_nav(ctx)}</div></div>
<div class="header">
<div class="h-p1">
<div class="news-position"> <a href="{attr(ctx.home)}" target="_blank">{esc(ctx.channel_name)}</a> <a href="{attr(ctx.column[1])}">{esc(ctx.column[0])}</a> 正文 </div>
</div>
<div class="h-p3 clearfix">
<div class="h-news">
<div class="h-title">
{esc(story.headline)}
</div>
<div class="h-info">
<span class="h-time"> {_time(story)}</span>
<span>
来源：
<em id="source"> {esc(story.source)}</em>
</span>
</div>
</div>
</div>
</div>
<div class="main">
<div class="part part1 clearfix" id="">
<div class="p-right left">
<div id="p-detail">
<div class="video-url" style="display:none">

</div>
<div class="lb">
<div class="standard_lb">
<span class="tj">图集</span> <span class="origin"></span>
<div class="swiper-container2" id="swiperContainer2"><div class="swiper-wrapper"> </div></div>
</div>
</div>
{_body(list(story.blocks), story, _national_block)}
<div class="tadd">
<div class="zan-wap"><a href="javascript:void(0);" class="zan"> </a><div class="zan-i">+1</div></div>
</div>
<div class="p-tags" id="">
<div class="p-kwap"></div>
<span class="p-jc">
<span class="tiyi1">
<a href="javascript:void(0);" class="advise">【纠错】</a>
<div class="tiyi01" id="advisebox01" style="display:none"></div>
</span>
{editor}</span>
</div>
</div>
<div class="relate-news">
{_related_old(ctx)}
</div>
</div>
</div>
</div>
<div class="footer"><div class="copyright">Copyright © 2000-{story.published.year} XINHUANET.com All Rights Reserved.</div></div>
</body>
</html>
"""
    ]


# --- newpage2020 ------------------------------------------------------------------------


def render_newpage2020(story: Story, ctx: Context) -> list[str]:
    p = story.published
    body = _body(list(story.blocks), story, _national_block)
    if story.detail_content:
        body = f'<span id="detailContent">\n{body}\n</span>'
    editors = " ".join(story.editors)
    return [
        f"""<!DOCTYPE HTML>
<html>
<head>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" /><meta name="publishid" content="{story.article_id}.12.2.0"/><meta name="source" content="新华社"/><meta name="pageid" content="1197.11100.0.0.115033.0.0.0.0.0.11338.{story.article_id}"/>
<meta name="keywords" content="{attr(",".join(story.keywords))}
" />
<meta name="description" content="{attr(_description(story))}" />
<title>
{esc(story.headline)}-{esc(ctx.channel_name)}-新华网
</title>
<link rel="stylesheet" href="https://www.news.cn/2021detail/css/detail2023.css" />
</head>
<body>
<div class="header domPC">
<div class="header-top clearfix">
<div class="header-nav left"><a href="{attr(ctx.home)}" target="_blank">{esc(ctx.channel_name)}</a> > <a class="curColumn" href="{attr(ctx.column[1])}">{esc(ctx.column[0])}</a> > 正文</div>
<div class="header-links right">{_nav(ctx)}</div>
</div>
<div class="header-cont clearfix">
<div class="header-time left">
<span class="year"><em> {p.year}</em></span><span class="day"><em> {p.month:02d}</em>/<em> {p.day:02d}</em></span><span class="time"> {p.strftime("%H:%M:%S")}</span>
</div>
<div class="source">
来源：{esc(story.source)}
</div>
<div class="head-line clearfix">
<h1>
<span class="title">
{esc(story.headline)}
</span>
<span class="btn-audio"></span>
</h1>
</div>
</div>
</div>
<div class="mheader domMobile">
<h1>
<span class="title">
{esc(story.headline)}
</span>
</h1>
<div class="info">
{_time(story)}
<span>
来源：
{esc(story.source)}
</span>
</div>
</div>
<div class="main clearfix">
<div class="main-left left">
<div id="detail">
{body}
<div id="articleEdit">
<span class="tiyi1 domPC">
<a href="javascript:void(0);" class="advise">【纠错】</a>
</span>
<span class="editor">
【责任编辑:{esc(editors)}
】
</span>
</div>
</div>
<!--相关新闻-->
{_related_old(ctx)}
<div class="nextpage clearfix">
<div class="nextpage-tit">阅读下一篇：</div>
<div class="nextpage-cont"><a href="#"></a></div>
</div>
</div>
</div>
<div class="foot"><script src="https://lib.xinhuanet.com/common/foot.js"></script></div>
<div style="display:none"><div id="fwl">0100300909000000000000000111057{story.article_id}</div></div>
</body>
</html>
"""
    ]


# --- provincial_chtml -------------------------------------------------------------------


def _chtml_editor(story: Story) -> str:
    editors = " ".join(story.editors)
    if story.authors:
        return (
            f"[作者: {' '.join(story.authors)} 　责任编辑:\n                            {editors} ]"
        )
    return f"[责任编辑:\n                            {editors} ]"


def _chtml_body(story: Story) -> str:
    chunks = split_pages(story.blocks, story.pages)
    parts = [_body(chunk, story, _chtml_block) for chunk in chunks]
    if story.multipage == "pagebreak":
        sep = '<b style="display: none;">pagebreak</b>'
    else:
        sep = f'<p style="text-align: center;"><img src="{GIF_BREAK}" id="xinhuabreak" /></p>'
    return sep.join(parts)


def _chtml_related(ctx: Context) -> str:
    return "".join(
        f'<li class="list-item clearfix"><div class="item-container"><a href="{attr(href)}" '
        f'target="_blank">{esc(title)}</a> <div class="item-time"><span>{date}</span></div>'
        "</div></li>"
        for title, href, date in ctx.related
    )


def render_provincial_chtml(story: Story, ctx: Context) -> list[str]:
    cid = story.article_id
    ds = f'data="datasource:{cid}" datatype="content"'
    tags = "".join(f'<span><a href="javascript:">{esc(k)}</a></span>' for k in story.keywords)
    return [
        f"""<!DOCTYPE html>
<html>
<head><meta name="source" content="{attr(story.source)}"> <meta name="publishdate" content="{story.published:%Y-%m-%d}"> <meta name="contentid" content="{cid}"> <meta name="subject" content=""> <meta name="catalogs" content="01007011001"> <meta name="pagetype" content="1"> <meta http-equiv="Content-Type" content="text/html; charset=utf-8"> <meta http-equiv="X-UA-Compatible" content="IE=edge"> <meta content="width=device-width, initial-scale=1.0, minimum-scale=1.0, maximum-scale=1.0,user-scalable=no" name="viewport">
<div {ds}><meta name="keywords" content="{attr(",".join(story.keywords))}"></div> <div {ds}><meta name="description" content="{attr(_description(story))}"></div> <title {ds}>
            {esc(story.headline)}-{esc(ctx.channel_name)}-新华网
        </title>
<script src="/2023js/jquery.min.js"></script>
</head>
<body>
<div id="pcHeader" class="domPC"><div class="con clearfix"><a href="{attr(ctx.home)}" class="logo" style="float:left"></a> <div class="nav">{_nav(ctx)}</div></div></div>
<div id="headerTitle"><div id="articleTit" class="clearfix" {ds}><div class="crumbs domPC clearfix"><span class="curDiv"><span class="curNews domPC" style="margin-right:4px;"><a href="{attr(ctx.column[1])}">{esc(ctx.column[0])}</a></span>
                        &gt;
                        正文
                    </span></div> <h1 id="title"><span>{esc(story.headline)}</span><span class="btn-audio"></span></h1> <audio id="audioDom" loop="loop" src="" style="display:none;"></audio> <div class="info clearfix"><div class="source"><span class="time">{_time(story)}</span><i class="domPC">来源：</i><span class="sourceText">{esc(story.source)}</span></div> <span id="ad2" class="sourceText domPCad" style="float:right;"></span></div></div></div>
<div id="center" class="clearfix"><div id="article"><div id="detail" class="article" {ds}><span id="detailContent">{_chtml_body(story)}</span> <div id="articleEdit"><div class="title">{tags}</div> <span class="editor">{esc(_chtml_editor(story))}</span></div></div>
<div class="part part2 clearfix domPC"><div id="part2-list" class="p-right left"><ul id="tj2" style="display: block;"><div class="xpage-content-list">{_chtml_related(ctx)}</div></ul></div></div></div></div>
<div class="lib-foot"><p>Copyright © 2000 - {story.published.year} {esc(story.host.removeprefix("www.").upper())}　All Rights Reserved.</p></div>
<script src="/2023js/pager.js"></script>
</body>
</html>
"""
    ]


RENDERERS: dict[str, Callable[[Story, Context], list[str]]] = {
    "provincial_old": render_provincial_old,
    "xl2019": render_xl2019,
    "newpage2020": render_newpage2020,
    "provincial_chtml": render_provincial_chtml,
}


def render_article(story: Story, ctx: Context) -> list[str]:
    """The HTML of every page file of ``story`` (one for all families but multi-page
    ``provincial_old``, which has one file per page)."""
    return RENDERERS[story.family](story, ctx)
