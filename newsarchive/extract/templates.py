"""Selector tables, one per Xinhua template family, compiled once at import.

Every CSS selector the extractor uses lives here, as ordered tuples of lxml
:class:`~lxml.cssselect.CSSSelector` objects compiled when this module is imported (as
trafilatura's ``xpaths.py`` keeps compiled XPath): field code tries them in order and the
first non-empty match wins. A selector written with its tag name (``div#detail`` rather than
``#detail``) is several times cheaper to evaluate (libxml2 tests the name before the
predicate), so entries name the tag the real pages use, and tag-less forms come last as
fallbacks. A new template (or a variant of one) is a new entry, not an ``if`` in the code.
Facts behind each table: ``../shared/xinhua/STRUCTURE.md`` ([V] = seen in a real saved page,
[C] = seen in third-party crawler code).

A template *matches* a page when its ``signature`` group finds something, one of its
``headline`` selectors finds text and one of its ``body`` selectors a container with content.
Templates are tried in :data:`TEMPLATES` order; the text-density fallback (:mod:`.generic`)
runs when none matches.
"""

from __future__ import annotations

from dataclasses import dataclass

from cssselect.parser import Class, Hash
from cssselect.xpath import XPathExpr
from lxml import etree
from lxml.cssselect import CSSSelector, LxmlHTMLTranslator

#: A compiled selector: a ``CSSSelector`` (itself an ``etree.XPath``) or a hand-written XPath.
Selector = etree.XPath


class AttributeAxisTranslator(LxmlHTMLTranslator):
    """lxml's HTML translator, with ``#id`` and ``.class`` tested on the attribute axis.

    ``#source`` becomes ``descendant-or-self::*/@id[. = 'source']/parent::*`` where the
    stock translation is ``descendant-or-self::*[@id = 'source']``: the same elements in
    document order (an attribute's parent is its element), but libxml2 tests only the
    elements that carry the attribute instead of evaluating a predicate on every element
    (measured on the real Xinhua pages: 53 → 15 µs for ``#source``, 75 → 32 µs for a
    tag-less ``.class``; a selector with its tag name gains less). Conditions already on the
    element (``div.a#b``, ``a[href].x``) stay on it. Pseudo-classes are refused by
    :func:`css` (``:not(.x)`` and ``:nth-of-type`` build on the element's name and condition,
    which this translation moves into the path): write those as :func:`xpath`."""

    def xpath_hash(self, id_selector: Hash) -> XPathExpr:
        xpath = self.xpath(id_selector.selector)
        return _on_attribute(xpath, f"@id[. = {self.xpath_literal(id_selector.id)}]")

    def xpath_class(self, class_selector: Class) -> XPathExpr:
        name = class_selector.class_name
        xpath = self.xpath(class_selector.selector)
        if not name or not name.strip():  # (never in the tables: the stock translation)
            return self.xpath_attrib_includes(xpath, "@class", name)
        token = self.xpath_literal(f" {name} ")
        return _on_attribute(
            xpath,
            f"@class[contains(., {self.xpath_literal(name)})]"
            f"[contains(concat(' ', normalize-space(.), ' '), {token})]",
        )


def _on_attribute(xpath: XPathExpr, attribute_step: str) -> XPathExpr:
    element = f"{xpath.element}[{xpath.condition}]" if xpath.condition else xpath.element
    xpath.element = f"{element}/{attribute_step}/parent::*"
    xpath.condition = ""
    return xpath


_TRANSLATOR = AttributeAxisTranslator()


def css(*selectors: str) -> tuple[Selector, ...]:
    """Compile CSS selectors (HTML semantics: case-insensitive tag names; ids and classes
    tested on the attribute axis, :class:`AttributeAxisTranslator`), keeping their order."""
    for selector in selectors:
        if ":" in selector:
            raise ValueError(f"no pseudo-classes in the selector tables' CSS: {selector!r}")
    return tuple(CSSSelector(s, translator=_TRANSLATOR) for s in selectors)


def with_class(*names: str, other: str = "", quick: tuple[str, ...] = ()) -> str:
    """XPath predicates: the element has any of the class ``names`` (whole tokens, as CSS
    ``.name`` means), or meets ``other`` (``@id='related'``).

    For groups written as one XPath, which walks the page once where a CSS comma group walks
    it once per alternative. Two predicates: a cheap substring test that fails fast on
    nearly every element, then the exact token test on the few that pass (libxml2 evaluates
    a predicate per element, and string functions are what cost). ``quick``: substrings
    shared by the names, when fewer than the names (``head`` for ``header-time`` and
    ``head-line``)."""
    fast = [f"contains(@class, '{part}')" for part in quick or names]
    exact = [f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')" for name in names]
    if other:
        fast.append(other)
        exact.append(other)
    return f"[{' or '.join(fast)}][{' or '.join(exact)}]"


def on_class(path: str, *names: str, quick: tuple[str, ...] = ()) -> str:
    """XPath: the elements ``path`` selects that have any of the class ``names`` (whole
    tokens, as CSS ``.name`` means), tested on the attribute axis as
    :class:`AttributeAxisTranslator` tests ``.class``: ``path/@class[…][…]/parent::*``, the
    same elements in document order as ``path`` + :func:`with_class`, with only the elements
    that carry a ``class`` tested (measured on the real Xinhua pages: the 2020+ signature,
    30-58 → 23-41 us a page). ``quick`` as for :func:`with_class`."""
    fast = " or ".join(f"contains(., '{part}')" for part in quick or names)
    exact = " or ".join(
        f"contains(concat(' ', normalize-space(.), ' '), ' {name} ')" for name in names
    )
    return f"{path}/@class[{fast}][{exact}]/parent::*"


def xpath(expression: str) -> Selector:
    """Compile a hand-written XPath (evaluated with the element searched as context)."""
    return etree.XPath(expression)


@dataclass(frozen=True, slots=True)
class Drop:
    """Widgets and noise inside a body container, by class and id.

    Matched in one walk of the (small) container in Python (a set look-up per element):
    an XPath group of these costs several times more, each alternative walking the container
    with string predicates."""

    classes: frozenset[str]
    ids: frozenset[str]
    id_prefixes: tuple[str, ...] = ()

    def __add__(self, other: Drop) -> Drop:
        return Drop(
            classes=self.classes | other.classes,
            ids=self.ids | other.ids,
            id_prefixes=self.id_prefixes + other.id_prefixes,
        )


def widgets(*, classes: str = "", ids: str = "", id_prefixes: str = "") -> Drop:
    """A :class:`Drop` from space-separated class names, ids and id prefixes."""
    return Drop(
        classes=frozenset(classes.split()),
        ids=frozenset(ids.split()),
        id_prefixes=tuple(id_prefixes.split()),
    )


#: Widgets and noise that never reach the body, in every template: 【纠错】 (``span.tiyi1``,
#: ``a.advise``), likes and shares, the photo-gallery swiper (``div.lb``), the hidden video
#: URL, old and c.html pagers (``#div_currpage``, ``div#div_page_roll1``,
#: ``center.xinhuaPager``, ``a.page-Article``).
COMMON_DROP = widgets(
    classes="tiyi1 advise tadd lb video-url zan-wap share bdsharebuttonbox pageShare "
    "xinhuaPager page-Article page-nav",
    ids="xinhuaPagerBox div_currpage",
    id_prefixes="div_page_roll",
)


@dataclass(frozen=True, kw_only=True, slots=True)
class Template:
    """The compiled selector table of one template family."""

    name: str
    """The value of ``Article.template``."""
    signature: Selector | None
    """One group (one walk of the page): the template is considered when it matches. ``None``
    when the headline and body selectors tell the template apart by themselves (each walk
    of the page costs; a signature they imply only adds one)."""
    headline: tuple[Selector, ...]
    subtitle: tuple[Selector, ...] = ()
    published: tuple[Selector, ...] = ()
    """Elements holding the whole date-time text."""
    split_time: tuple[Selector, ...] = ()
    """Containers of a split ``span.year`` / ``span.day`` / ``span.time`` header (tried first)."""
    source: tuple[Selector, ...] = ()
    """Elements holding the visible 来源 (``来源：`` prefix allowed)."""
    source_context: tuple[Selector, ...] = ()
    """Header blocks searched for a ``来源：…`` line when no ``source`` element matches."""
    body: tuple[Selector, ...]
    credit_lines: tuple[Selector, ...] = ()
    """Elements holding editor/author credit lines (``[责任编辑: …]``, ``责任编辑：…``)."""
    credit_skip: Selector | None = None
    """Sub-elements of a credit line that are widgets, not text (``.tiyi1`` 【纠错】)."""
    drop: Drop = COMMON_DROP
    """Sub-trees of the body container that never reach the body (:data:`COMMON_DROP`
    included; the bare tag names of :data:`DROP_TAGS` go separately)."""
    pagination: Selector | None = None
    """Links to the other pages of an old-era multi-page article (one group)."""
    related: Selector
    """Related-reading links outside the body container (one group, :data:`RELATED_BLOCKS`
    included)."""
    keywords: tuple[Selector, ...] = ()
    """Keyword tag elements (each element's text is one keyword)."""


#: Elements that never reach the body, in every template, by tag name alone (libxml2 strips
#: them in one pass: ``etree.strip_elements``).
DROP_TAGS: tuple[str, ...] = (
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
)

#: 【纠错】 inside a credit line (``span.tiyi1`` [V]).
(TIYI,) = css(".tiyi1")

#: Related-reading blocks printed after the body (provincial pages) [I]: a heading element
#: whose text is 相关新闻/相关阅读…, and the links after it. Their links, with a template's
#: own related lists (class names), are one group: ``descendant::div[…]//a[@href]``.
RELATED_BLOCKS: tuple[str, ...] = ("xgxw", "xgyd", "relate", "related")


def _related(*classes: str, extra: str = "") -> Selector:
    # Every class here holds 'xg' or 'relate' (relatedNews too): two substring tests per
    # class attribute. The blocks are walked on the attribute axis (divs with a matching
    # class, then divs with id="related"), which measured 67 -> 47 us a page against one
    # walk with a predicate on every div; the union gives the same divs in document order.
    names = (*RELATED_BLOCKS, *classes)
    assert all("xg" in c or "relate" in c for c in names)
    exact = " or ".join(f"contains(concat(' ', normalize-space(.), ' '), ' {n} ')" for n in names)
    blocks = (
        f"(descendant::div/@class[contains(., 'xg') or contains(., 'relate')][{exact}]/parent::*"
        " | descendant::div/@id[. = 'related']/parent::*)"
    )
    return xpath(f"{blocks}//a[@href]{extra}")


#: 2020+ www.news.cn / www.xinhuanet.com ("newpage2020", detail2020/2021detail CSS) [V 2022, 2023].
NEWPAGE2020 = Template(
    name="newpage2020",
    # (One walk of the divs, one substring test each, rules the other families out: cheaper
    # than trying its two headline selectors on every page.)
    signature=xpath(
        on_class("descendant::div", "header-time", "head-line", "mheader", quick=("head",))
    ),
    headline=css(
        "div.head-line h1 span.title",
        "div.mheader h1 span.title",
        "h1 span.title",
    ),
    subtitle=(
        xpath(on_class(on_class("descendant::div", "head-line") + "//*", "sub-title", "subtitle")),
    ),
    split_time=css("div.header-time"),
    published=css("div.mheader div.info", "div.header-time"),
    source=css("div.header-cont div.source", "div.header div.source", "div.mheader div.info span"),
    source_context=css("div.header-cont", "div.mheader div.info"),
    body=css("div#detail span#detailContent", "div#detail", "#detail #detailContent", "#detail"),
    # (#articleEdit span.editor, span.zuozhe and any span.editor: one walk of the spans.)
    credit_lines=(xpath(on_class("descendant::span", "editor", "zuozhe")),),
    credit_skip=TIYI,
    drop=COMMON_DROP + widgets(classes="nextpage bookList", ids="articleEdit"),
    keywords=css("div#articleEdit div.title span a", "div#articleEdit .keyword a"),
    related=_related("relatedNews"),
)

#: Provincial channel c.html pages, 2022+ (Hebei 2024 [V]; gz/gs/ha/hq same family [C]).
PROVINCIAL_CHTML = Template(
    name="provincial_chtml",
    # (Its headline is h1#title: the signature is that h1, a walk of the few h1 elements.)
    signature=xpath("descendant::h1[@id='title']"),
    headline=css("h1#title > span", "h1#title"),
    subtitle=css("div#articleTit .subtitle", "#articleTit .subtitle", "#subtitle"),
    published=css("div.info div.source span.time", "div.source span.time", "span.time"),
    source=css("div.info div.source span.sourceText", "div.source span.sourceText", "#source"),
    source_context=css("div.info div.source"),
    body=css("div#detail span#detailContent", "div#detail", "#detail #detailContent", "#detail"),
    credit_lines=css("div#articleEdit span.editor", "div#articleEdit span.zuozhe"),
    credit_skip=TIYI,
    drop=COMMON_DROP + widgets(ids="articleEdit"),
    keywords=css("div#articleEdit div.title span a"),
    related=_related(
        extra=f" | descendant::li{with_class('list-item')}/div{with_class('item-container')}/a"
    ),
)

#: 2017–2020 www.xinhuanet.com ("xl2019", main20190618.css) [V full pages 2019, 2020].
XL2019 = Template(
    name="xl2019",
    # (Its headline, .h-title, and body, #p-detail, are two of the family's three marks.)
    signature=None,
    headline=css("div.h-title", ".h-title"),
    published=css("span.h-time", "div.h-time", ".h-time"),
    source=css("em#source", "span.aticle-src", "span#source", "#source"),
    source_context=css("div.h-info", ".h-info"),
    body=css("div#p-detail", "#p-detail"),
    credit_lines=css("span.p-jc", "span.editor"),
    credit_skip=TIYI,
    drop=COMMON_DROP + widgets(classes="p-tags p-kwap p-jc"),
    keywords=css("div.p-kwap a"),
    related=_related(),
)

#: Header cells of 2005–2012 table layouts, which carry no class [V: 2010 national page]: the
#: innermost short ``td`` or ``div`` holding ``来源`` (``2009年06月03日 08:41:12　来源：<font>…``,
#: a centred ``<div>2006年03月02日　来源：新华网</div>``).
#: (Elements by name test, a union, rather than a predicate on every element; ``descendant::``
#: rather than ``.//``: the same elements, 43 → 21 µs a page over the real, golden and generic
#: pages.)
_SHORT = "string-length(normalize-space(.)) < 120"
_LEAF = "not(descendant::td or descendant::div)"
OLD_HEADER_CELLS = xpath(
    f"(descendant::td | descendant::div)[{_LEAF}][contains(., '来源')][{_SHORT}]"
)
#: Credit cells and lines of the same layouts: ``作者： 记者张某某`` / ``编辑： 李某某`` cells, the
#: editor in the header (``<div align="right">( 编辑：王某 )``).
_OLD_CREDIT_START = " or ".join(
    f"starts-with(normalize-space(.), '{start}')"
    for start in ("作者", "编辑", "责任编辑", "( 编辑", "(编辑", "（编辑", "（ 编辑")
)
#: (Each start holds 作 or 编, and a character is never split between text nodes: one
#: ``contains`` of each rules out nearly every cell before the seven ``starts-with``; with the
#: union as above, 99 → 40 µs a page, the same elements.)
OLD_CREDIT_CELLS = xpath(
    f"(descendant::td | descendant::div | descendant::span)[{_LEAF}]"
    f"[contains(., '作') or contains(., '编')][{_OLD_CREDIT_START}][{_SHORT}]"
)

#: Old-era provincial channel pages (~2005–2019, the national site and the channels): one
#: family with many layouts [C: per-province XPaths, xinhuaNewsSpider; V: gz 2016 capture,
#: 2010 national page].
PROVINCIAL_OLD = Template(
    name="provincial_old",
    # (Ids and classes on the attribute axis: only the elements carrying one are tested.)
    signature=xpath(
        "descendant::*/@id[. = 'div_currpage' or . = 'Title' or . = 'title' or . = 'pubtime'"
        " or ((. = 'Content' or . = 'content' or . = 'ArticleTit' or . = 'news_content')"
        " and parent::div)]/parent::*"
        f" | {on_class('descendant::div', 'zw', 'wz_bt', 'nr_bt')}"
        f" | {on_class('descendant::td', 'bt')} | {on_class('descendant::span', 'sourceText')}"
    ),
    headline=css(
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
    subtitle=css("#subtitle", "td.fbt", "div.fbt"),
    published=(
        *css(
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
        OLD_HEADER_CELLS,
    ),
    source=css("#source", "span.sourceText", "span.source", "#Articlely .laiyuan a", "td.ly"),
    source_context=(
        *css("div.info", "#Articlely", "div.nr_ly", "td.p2", "div.source", "td.xx"),
        OLD_HEADER_CELLS,
    ),
    body=css(
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
    credit_lines=(
        *css("span.editor", "div.editor", "td.editor", "td.zz", "td.bj"),
        OLD_CREDIT_CELLS,
    ),
    credit_skip=TIYI,
    drop=COMMON_DROP + widgets(classes="editor"),
    pagination=xpath(
        "descendant::*[@id='div_currpage']//a[@href]"
        f" | descendant::a[@href]{with_class('page-Article')}"
    ),
    related=_related(),
)

#: The parts of a split date header (``split_time`` containers), in order: year, month/day,
#: time (``<span class="year"><em>2023</em></span><span class="day"><em>11</em>/<em>17</em>``).
SPLIT_TIME_PARTS: tuple[Selector, ...] = css("span.year", "span.day", "span.time")

#: Tried in this order.
TEMPLATES: tuple[Template, ...] = (NEWPAGE2020, PROVINCIAL_CHTML, XL2019, PROVINCIAL_OLD)

#: Every link of a page: the pager of a page of no known template is whichever links point
#: at another page of the same article.
ALL_LINKS = xpath("descendant::a[@href]")

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
