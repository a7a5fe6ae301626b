# ruff: noqa: E501 (markup and character pools read best on one line each)
"""The layouts of the generic benchmark set and the split of each page (markup structure only;
the text comes from :mod:`text`). Each layout renders one :class:`~common.Art` and says, by
setting the ``gold_*`` fields, what a careful reader finds on the rendered page."""

from __future__ import annotations

import random
from collections.abc import Callable

from common import Art, Rendered, footer, nav, page
from harder import (
    closing_name,
    forum_thread,
    gallery,
    info_list,
    inline_byline,
    label_cells,
    left_list_labels,
    meta_only,
    notice_event,
    update_clock,
)
from portals import cctv, chinanews, gmw, ifeng, netease, people, qq, sina, sohu, thepaper
from sites import (
    county,
    date_after_body,
    discuz_portal,
    epaper,
    gov_info,
    gov_table,
    jsonld,
    microdata,
    no_title,
    old_table,
    short_notice,
    subheads,
    wordpress,
)
from text import SIDEBAR_TITLES


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
