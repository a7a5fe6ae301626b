"""Selector tables, one per Xinhua template family.

Every CSS selector the extractor uses lives here, as ordered tuples: field code tries them in
order and the first non-empty match wins. A new template (or a variant of one) is a new entry,
not an ``if`` in the code. Facts behind each table: ``../shared/xinhua/STRUCTURE.md``
([V] = seen in a real saved page, [C] = seen in third-party crawler code).

A template *matches* a page when one of its ``signature`` selectors, one of its ``body``
selectors and one of its ``headline`` selectors all find something. Templates are tried in
:data:`TEMPLATES` order; the text-density fallback (:mod:`.generic`) runs when none matches.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, kw_only=True, slots=True)
class Template:
    """The selector table of one template family."""

    name: str
    """The value of ``Article.template``."""
    signature: tuple[str, ...]
    """Any one of these must match for the template to be considered."""
    headline: tuple[str, ...]
    subtitle: tuple[str, ...] = ()
    published: tuple[str, ...] = ()
    """Elements holding the whole date-time text."""
    split_time: tuple[str, ...] = ()
    """Containers of a split ``span.year`` / ``span.day`` / ``span.time`` header (tried first)."""
    source: tuple[str, ...] = ()
    """Elements holding the visible 来源 (``来源：`` prefix allowed)."""
    source_context: tuple[str, ...] = ()
    """Header blocks searched for a ``来源：…`` line when no ``source`` element matches."""
    body: tuple[str, ...]
    credit_lines: tuple[str, ...] = ()
    """Elements holding editor/author credit lines (``[责任编辑: …]``, ``责任编辑：…``)."""
    credit_skip: tuple[str, ...] = ()
    """Sub-elements of a credit line that are widgets, not text (``.tiyi1`` 【纠错】)."""
    drop: tuple[str, ...] = ()
    """Sub-trees of the body container that never reach the body."""
    pagination: tuple[str, ...] = ()
    """Links to the other pages of an old-era multi-page article."""
    related: tuple[str, ...] = ()
    """Related-reading links outside the body container."""
    keywords: tuple[str, ...] = ()
    """Keyword tag elements (each element's text is one keyword)."""


#: Widgets and noise that never reach the body, in every template.
COMMON_DROP: tuple[str, ...] = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "audio",
    "video",
    "object",
    "embed",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    ".tiyi1",
    ".advise",
    ".tadd",
    ".lb",
    ".video-url",
    ".zan-wap",
    ".share",
    ".bdsharebuttonbox",
    ".pageShare",
    "center.xinhuaPager",
    "#xinhuaPagerBox",
    "#div_currpage",
    "div[id^=div_page_roll]",
    "a.page-Article",
    ".page-nav",
)

#: 2020+ www.news.cn / www.xinhuanet.com ("newpage2020", detail2020/2021detail CSS) [V 2022, 2023].
NEWPAGE2020 = Template(
    name="newpage2020",
    signature=("div.header-time", "div.head-line span.title", "div.mheader span.title"),
    headline=(
        "div.head-line h1 span.title",
        "div.mheader h1 span.title",
        "h1 span.title",
    ),
    subtitle=("div.head-line .sub-title", "div.head-line .subtitle"),
    split_time=("div.header-time",),
    published=("div.mheader div.info", "div.header-time"),
    source=("div.header-cont div.source", "div.header div.source", "div.mheader div.info span"),
    source_context=("div.header-cont", "div.mheader div.info"),
    body=("#detail #detailContent", "#detail"),
    credit_lines=("#articleEdit span.editor", "#articleEdit span.zuozhe", "span.editor"),
    credit_skip=(".tiyi1",),
    drop=("#articleEdit", "div.nextpage", "div.bookList"),
    keywords=("#articleEdit div.title span a", "#articleEdit .keyword a"),
    related=("div.relatedNews li a", "div.xgxw li a"),
)

#: Provincial channel c.html pages, 2022+ (Hebei 2024 [V]; gz/gs/ha/hq same family [C]).
PROVINCIAL_CHTML = Template(
    name="provincial_chtml",
    signature=("h1#title > span", "div#headerTitle", "div.info div.source span.sourceText"),
    headline=("h1#title > span", "h1#title"),
    subtitle=("#articleTit .subtitle", "#subtitle"),
    published=("div.info div.source span.time", "div.source span.time", "span.time"),
    source=("div.info div.source span.sourceText", "div.source span.sourceText", "#source"),
    source_context=("div.info div.source",),
    body=("#detail #detailContent", "#detail"),
    credit_lines=("#articleEdit span.editor", "#articleEdit span.zuozhe"),
    credit_skip=(".tiyi1",),
    drop=("#articleEdit",),
    keywords=("#articleEdit div.title span a",),
    related=("li.list-item > div.item-container > a",),
)

#: 2017–2020 www.xinhuanet.com ("xl2019", main20190618.css) [V full pages 2019, 2020].
XL2019 = Template(
    name="xl2019",
    signature=("div.h-title", "span.h-time", "#p-detail"),
    headline=(".h-title",),
    published=(".h-time",),
    source=("#source", "span.aticle-src"),
    source_context=(".h-info",),
    body=("#p-detail",),
    credit_lines=(".p-jc", "span.editor"),
    credit_skip=(".tiyi1",),
    drop=(".p-tags", ".p-kwap", ".p-jc"),
    keywords=(".p-kwap a",),
)

#: Old-era provincial channel pages (~2012–2019, Guizhou and the other channels): one
#: family with many layouts [C: per-province XPaths, xinhuaNewsSpider; V: gz 2016 capture].
PROVINCIAL_OLD = Template(
    name="provincial_old",
    signature=(
        "#div_currpage",
        "td.bt",
        "div.zw",
        "div#Content",
        "div#content",
        "#Title",
        "#title",
        "#pubtime",
        "span.sourceText",
        "div#ArticleTit",
        "div.wz_bt",
        "div.nr_bt",
        "div#news_content",
    ),
    headline=(
        "#title",
        "#Title",
        "td.bt",
        "div.bt",
        "div#ArticleTit",
        "div.wz_bt",
        "div.nr_bt",
        "div#news_content_container h2",
        "div.h-title",
        "h1",
    ),
    subtitle=("#subtitle", "td.fbt", "div.fbt"),
    published=(
        "#pubtime",
        "span.time",
        "td.time",
        "div.time",
        "#Articlely",
        "div.nr_ly",
        "td.p2",
        "div.info",
        "td.xx",
    ),
    source=("#source", "span.sourceText", "span.source", "#Articlely .laiyuan a", "td.ly"),
    source_context=("div.info", "#Articlely", "div.nr_ly", "td.p2", "div.source", "td.xx"),
    body=(
        "div#Content",
        "div#content",
        "div.zw",
        "td.zw",
        "div.article",
        "div#ArticleCnt",
        "div#news_content",
        "div#xhw",
        "div.wz_nr",
        "div#nr_wz",
        "td.p1",
        "div.content",
    ),
    credit_lines=("span.editor", "div.editor", "td.editor", "td.zz", "td.bj"),
    credit_skip=(".tiyi1",),
    drop=("span.editor", "div.editor"),
    pagination=("#div_currpage a[href]", "a.page-Article[href]"),
    keywords=(),
)

#: The parts of a split date header (``split_time`` containers), in order: year, month/day,
#: time (``<span class="year"><em>2023</em></span><span class="day"><em>11</em>/<em>17</em>``).
SPLIT_TIME_PARTS: tuple[str, str, str] = ("span.year", "span.day", "span.time")

#: Tried in this order.
TEMPLATES: tuple[Template, ...] = (NEWPAGE2020, PROVINCIAL_CHTML, XL2019, PROVINCIAL_OLD)

#: ``<meta>`` names for the publication time, most specific first (all templates, generic).
META_PUBLISHED: tuple[str, ...] = (
    "article:published_time",
    "publishdate",
    "pubdate",
    "PubDate",
    "publish_date",
    "og:release_date",
    "datePublished",
    "weibo:article:create_at",
)

#: Related-reading blocks printed after the body (provincial pages) [I]: a heading element
#: whose text is 相关新闻/相关阅读…, and the links after it.
RELATED_BLOCKS: tuple[str, ...] = ("div.xgxw", "div.xgyd", "div.relate", "div.related", "#related")

#: Selectors for the generic fallback's headline, in order.
GENERIC_HEADLINE: tuple[str, ...] = ("h1", ".title h1", "h2.title", "div.title")
