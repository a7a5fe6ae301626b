"""Multi-page articles, both kinds.

* Old era (``c_<id>.htm``): each page is its own document; page 1 links the others
  (``c_<id>_2.htm`` …) in ``#div_currpage``. :func:`page_links` lists them for the spider,
  :func:`join_pages` joins the pages' records into one.
* c.html era: every page is in the one raw document, separated by ``<img id="xinhuabreak">``
  or a hidden ``<b>pagebreak</b>`` (Xinhua's ``pager.js`` splits on them in the browser).
  :func:`remove_page_breaks` takes the markers out of the body and counts the pages.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from functools import lru_cache

from lxml import etree

from newsarchive import urls
from newsarchive.extract import credits as credit_grammar
from newsarchive.extract.body import body_text
from newsarchive.extract.dom import HtmlElement, absolute, drop_tree, select
from newsarchive.records import Article, Image, Link, Section, people

__all__ = ["join_pages", "page_links", "remove_page_breaks", "url_info"]

_NO_URL = urls.UrlInfo(
    host="", path="", channel=None, big5=False, mobile=False, article_id=None, page=1
)


@lru_cache(maxsize=1024)
def url_info(url: str) -> urls.UrlInfo:
    """:func:`newsarchive.urls.parse`, memoised (a page asks about its own URL several times);
    an unparseable URL (``http://[::1``) has no host, channel or article id."""
    try:
        return urls.parse(url)
    except ValueError:
        return _NO_URL


#: The hidden ``<b style="display: none;">pagebreak</b>`` marker (any tag, for re-skinned pages).
_HAS_PAGEBREAK = etree.XPath(
    "boolean(.//text()[contains(., 'pagebreak') or contains(., 'PAGEBREAK') "
    "or contains(., 'PageBreak')])"
)
_IS_PAGEBREAK = "translate(normalize-space(.), 'PAGEBRK', 'pagebrk') = 'pagebreak'"
#: The innermost element whose whole text is the marker: in ``<p><b>pagebreak</b></p>`` the
#: ``<b>`` (one break), not both.
_PAGEBREAK_TEXT = etree.XPath(f".//*[{_IS_PAGEBREAK} and not(.//*[{_IS_PAGEBREAK}])]")


def remove_page_breaks(container: HtmlElement) -> int:
    """Remove c.html page-break markers from ``container``; returns the page count."""
    markers: list[HtmlElement] = [
        el
        for el in container.iter("img")
        if (el.get("id") or "").lower() == "xinhuabreak" or "xinhuabreak" in (el.get("src") or "")
    ]
    if _HAS_PAGEBREAK(container):
        markers += [el for el in _PAGEBREAK_TEXT(container) if isinstance(el, HtmlElement)]
    for marker in markers:
        if marker.getparent() is not None:
            drop_tree(marker)
    return 1 + len(markers)


def page_links(
    root: HtmlElement, links: etree.XPath | None, url: str, *, pager: Sequence[str] = ()
) -> tuple[str, ...]:
    """Absolute URLs of the *other* pages of an old-era multi-page article, in page order,
    from the links ``links`` selects (a template's pager group) and ``pager`` (hrefs of the
    pager inside the body: :func:`remove_pager`).

    Only links to the same article id (``c_<id>_N.htm``) count; ``下一页`` repeats are merged.
    """
    own = url_info(url)
    if own.article_id is None:
        return ()
    hrefs = [a.get("href") or "" for a in select(root, links)] if links is not None else []
    found: dict[int, str] = {}
    for href in (*hrefs, *pager):
        other = _other_page(url, own, href)
        if other is not None:
            found.setdefault(*other)
    if found and own.page != 1 and 1 not in found:
        # Pages ≥ 2 link page 1 as "c_<id>.htm" only sometimes; it is always that URL.
        found[1] = _page_one(url)
    return tuple(found[n] for n in sorted(found))


def _other_page(url: str, own: urls.UrlInfo, href: str) -> tuple[int, str] | None:
    """``(page number, absolute URL)`` when ``href`` links another page of ``url``'s article."""
    href = href.strip()
    if not href or href.startswith(("javascript:", "#")):
        return None
    target = absolute(url, href)
    info = url_info(target)
    if info.article_id != own.article_id or info.page == own.page:
        return None
    # A pager link written out in full on a big5 gateway copy: that copy's pages are behind
    # the same gateway (else traditional page 1 would be joined with simplified pages 2…N).
    return info.page, urls.same_gateway(url, target)


def remove_pager(container: HtmlElement, url: str) -> list[str]:
    """Remove the pager printed inside an old page's body (``[1] [2] … [6]`` links to the
    article's other pages and the next-page button, an image in such a link) and return
    the hrefs of its links: neither the pager nor the button is body text or an image."""
    own = url_info(url)
    if own.article_id is None:
        return []
    hrefs: list[str] = []
    for a in list(container.iter("a")):
        href = (a.get("href") or "").strip()
        if "c_" not in href and "c.htm" not in href:
            continue  # (an article page's own file name: c_<id>_N.htm, c.html?page=N)
        target = url_info(absolute(url, href))
        if target.article_id != own.article_id:
            continue
        hrefs.append(href)
        drop_tree(a)
    return hrefs


def _page_one(url: str) -> str:
    info = url_info(url)
    suffix = f"_{info.page}."
    head, _, tail = url.rpartition(suffix)
    return f"{head}.{tail}" if head else url


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(items))


def join_pages(first: Article, rest: Sequence[Article]) -> Article:
    """Join the records of an old-era multi-page article, page 1 first.

    Sections follow page order; a page that opens without a subheading continues the last
    section of the page before. Headline, date, source, dateline and the other header fields
    come from page 1 (the other pages repeat them). A paragraph repeated at a page seam is
    kept once. Images, related links, reporters, editors and credits are merged without
    duplicates. ``pages`` is ``1 + len(rest)`` and ``page_urls`` is empty.
    """
    sections: list[Section] = list(first.sections)
    for page in rest:
        for i, section in enumerate(page.sections):
            if i == 0 and section.heading is None and sections:
                last = sections[-1]
                paragraphs = list(last.paragraphs)
                for p in section.paragraphs:
                    if not paragraphs or paragraphs[-1] != p:
                        paragraphs.append(p)
                sections[-1] = Section(heading=last.heading, paragraphs=tuple(paragraphs))
            else:
                sections.append(section)
    pages = (first, *rest)
    images: dict[str, Image] = {}
    for page in pages:
        for image in page.images:
            if image.src not in images or images[image.src].caption is None:
                images[image.src] = image
    related: dict[str, Link] = {}
    for page in pages:
        for link in page.related:
            related.setdefault(link.url, link)
    joined_sections = tuple(sections)
    credits = credit_grammar.dedupe(c for p in pages for c in p.credits)
    return dataclasses.replace(
        first,
        sections=joined_sections,
        body_text=body_text(joined_sections),
        images=tuple(images.values()),
        related=tuple(related.values()),
        reporters=people(credits, "reporters"),
        editors=people(credits, "editors"),
        credits=credits,
        keywords=_unique(k for p in pages for k in p.keywords),
        pages=1 + len(rest),
        page_urls=(),
    )
