# ruff: noqa: E501 (markup and character pools read best on one line each)
"""Shared furniture of the generic-set layouts: the article being rendered (:class:`Art`)
and the navigation, sidebars, comments and footers every portal wraps it in."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

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
