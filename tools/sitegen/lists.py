"""Non-article pages: channel indexes, column lists of both eras, datasources, topics, robots.

Static ≤2019 columns (``www.gz.xinhuanet.com/xwzx/gzyw.htm``) print their items as
``ul#showData0 li h3 a`` and paginate as ``gzyw_2.htm``, ``gzyw_3.htm`` … linked from a
``div.page`` pager (``下一页`` included). 2020+ columns (``gz.news.cn/gzyw/index.htm``) print an
empty ``<ul id="showData0" data="datasource:<hex>">``; their rows are in ``ds_<hex>.json`` beside
the page, one file per column, newest first, which the page's script pages through client-side
(``pageSize``) — the datasource itself is not paginated.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from tools.sitegen.plan import Column
from tools.sitegen.stories import Story
from tools.sitegen.templates import attr, esc

LIST_PAGE_SIZE = 10


@dataclass(frozen=True, kw_only=True, slots=True)
class Item:
    """One entry of a list: a story, a topic page, an off-site link or a dead link."""

    title: str
    url: str
    published: str
    """``YYYY-MM-DD HH:MM:SS``."""
    summary: str = ""
    kind: str = "article"
    """``article`` or ``link`` (a datasource ``Link`` row: topic pages, other sites)."""
    content_id: str = ""
    image: str = ""


def story_item(story: Story) -> Item:
    lead = next(b.text for b in story.blocks if b.kind == "p")
    if story.dateline and "）" in lead:
        lead = lead.split("）", 1)[1]
    img = next((b.text for b in story.blocks if b.kind == "img"), "")
    return Item(
        title=story.headline,
        url=story.url,
        published=story.published.strftime("%Y-%m-%d %H:%M:%S"),
        summary=lead[:60],
        content_id=story.article_id,
        image=story.url.rsplit("/", 1)[0] + "/" + img if img else "",
    )


def _head(title: str) -> str:
    return (
        '<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; '
        f'charset=utf-8" />\n<title>{esc(title)}</title>\n</head>\n<body>\n'
    )


def _nav(links: list[tuple[str, str]]) -> str:
    inner = "".join(f'<a href="{attr(u)}" target="_blank">{esc(n)}</a>' for n, u in links)
    return f'<div class="nav">{inner}</div>\n'


def static_column_pages(
    column: Column, items: list[Item], channel_name: str, nav: list[tuple[str, str]]
) -> dict[str, str]:
    """Every page of a static column: path (``host/stem.htm``, ``host/stem_2.htm``) → HTML."""
    pages = [items[i : i + LIST_PAGE_SIZE] for i in range(0, len(items), LIST_PAGE_SIZE)] or [[]]
    stem_name = column.stem.rsplit("/", 1)[-1]
    out = {}
    for n, chunk in enumerate(pages, start=1):

        def rel(k: int) -> str:
            return f"{stem_name}.htm" if k == 1 else f"{stem_name}_{k}.htm"

        pager = []
        if n > 1:
            pager.append(f'<a href="{rel(n - 1)}">上一页</a>')
        for k in range(1, len(pages) + 1):
            pager.append(f"<span>{k}</span>" if k == n else f'<a href="{rel(k)}">{k}</a>')
        if n < len(pages):
            pager.append(f'<a href="{rel(n + 1)}">下一页</a>')
        lis = "".join(
            f'<li class="clearfix"><h3><a href="{attr(it.url)}" target="_blank">{esc(it.title)}'
            f'</a></h3><p class="summary">{esc(it.summary)}</p><div class="info">'
            f'<span class="time">{it.published[:10]}</span></div></li>\n'
            for it in chunk
        )
        html = (
            _head(f"{column.name}-{channel_name}")
            + _nav(nav)
            + f'<div class="position"><a href="{attr(nav[0][1])}">{esc(channel_name)}</a> &gt; '
            f"{esc(column.name)}</div>\n"
            + f'<div class="main"><ul class="dataList" id="showData0">\n{lis}</ul>\n'
            + f'<div class="page" id="div_page">{" ".join(pager)}</div>\n'
            + '<div id="dataMoreBtn" class="moreBtn" style="display:none">加载更多</div>\n'
            + "</div>\n</body>\n</html>\n"
        )
        path = f"{column.host}/{column.stem}.htm" if n == 1 else f"{column.host}/{rel(n)}"
        if n > 1 and "/" in column.stem:
            path = f"{column.host}/{column.stem.rsplit('/', 1)[0]}/{rel(n)}"
        out[path] = html
    return out


def _publish_url(column: Column, url: str) -> str:
    path = url.split("://", 1)[1].split("/", 1)[1]
    if column.publish_url == "root":
        return "/" + path
    if column.publish_url == "column":
        return "../" * column.stem.count("/") + "../" + path
    return url


def datasource_rows(column: Column, items: list[Item]) -> list[dict[str, Any]]:
    rows = []
    for it in items:
        link = it.kind == "link"
        rows.append(
            {
                "contentId": it.content_id,
                "title": it.title,
                "showTitle": (
                    f'<a href="{attr(it.url)}" target="_blank">{esc(it.title)}</a>'
                    if link
                    else it.title
                ),
                "contentType": "Link" if link else "MultiMedia",
                "linkUrls": [it.url] if link else [],
                "publishUrl": "" if link else _publish_url(column, it.url),
                "publishTime": it.published,
                "titleImages": [{"imageUrl": it.image}] if it.image else [],
                "summary": it.summary,
                "author": "",
            }
        )
    return rows


def datasource_column(
    column: Column, items: list[Item], channel_name: str, nav: list[tuple[str, str]]
) -> dict[str, str]:
    """The 2020+ column page and its ``ds_<hex>.json``: path → text."""
    page = (
        _head(f"{column.name}-{channel_name}-新华网")
        + _nav(nav)
        + f'<div class="columBox"><div class="col-tit"><span>{esc(column.name)}</span></div>\n'
        + f'<ul id="showData0" class="list" data="datasource:{column.ds_id}"></ul>\n'
        + '<div class="xpage-more-btn" id="dataMoreBtn">加载更多</div>\n</div>\n'
        + "<script>\nvar xpage01 = new Xhwpage({ parentNode: '#showData0', btn: '#dataMoreBtn', "
        + f"startSize: 0, pageSize: 20, url: 'ds_{column.ds_id}.json' }});\n</script>\n"
        + "</body>\n</html>\n"
    )
    data = {"datasource": datasource_rows(column, items)}
    base = f"{column.host}/{column.stem}"
    return {
        f"{base}/index.htm": page,
        f"{base}/ds_{column.ds_id}.json": json.dumps(data, ensure_ascii=False, indent=1) + "\n",
    }


def index_page(
    *,
    title: str,
    nav: list[tuple[str, str]],
    blocks: list[tuple[str, list[Item]]],
    datasources: list[Column] = (),  # type: ignore[assignment]
) -> str:
    """A channel home page: navigation, static headline blocks, links to the datasource
    columns (no ``data="datasource:…"`` container here: one beside the home page would point
    at a ``ds_<hex>.json`` that lives in the column's folder)."""
    parts = [_head(title), _nav(nav)]
    for name, items in blocks:
        lis = "".join(
            f'<li><a href="{attr(it.url)}" target="_blank">{esc(it.title)}</a></li>\n'
            for it in items
        )
        parts.append(f'<div class="part"><h2>{esc(name)}</h2><ul>\n{lis}</ul></div>\n')
    for col in datasources:
        parts.append(
            f'<div class="part"><h2><a href="{attr(col.url)}">{esc(col.name)}</a></h2>'
            '<div class="more"><a href="' + attr(col.url) + '">更多</a></div></div>\n'
        )
    parts.append(
        '<div class="lib-foot"><p>制作单位：新华网股份有限公司</p></div>\n</body>\n</html>\n'
    )
    return "".join(parts)


def topic_page(*, title: str, slogan: str, nav: list[tuple[str, str]], items: list[Item]) -> str:
    """A special-topic (专题) page: a banner and link blocks; not an article."""
    lis = "".join(
        f'<li><a href="{attr(it.url)}" target="_blank">{esc(it.title)}</a>'
        f"<span>{it.published[:10]}</span></li>\n"
        for it in items
    )
    return (
        _head(title)
        + _nav(nav)
        + f'<div class="banner"><h1>{esc(title)}</h1><p class="slogan">{esc(slogan)}</p></div>\n'
        + f'<div class="zt-list"><h2>最新报道</h2><ul>\n{lis}</ul></div>\n'
        + '<div class="zt-list"><h2>图片集锦</h2><ul></ul></div>\n'
        + "</body>\n</html>\n"
    )


def robots(disallow: tuple[str, ...] = ()) -> str:
    lines = ["User-agent: *"]
    lines += [f"Disallow: {d}" for d in disallow] or ["Disallow:"]
    return "\n".join(lines) + "\n"
