"""The body container between the lxml tree and the split: widgets pruned in lxml, then the
container alone handed to BeautifulSoup.

* :func:`prune` removes the template's widgets (:class:`~.templates.Drop`) and the tags of
  :data:`~.templates.DROP_TAGS` from the container, in lxml.
* :func:`soup_of` serialises the pruned container and parses it with
  ``BeautifulSoup(markup, "lxml")`` (bs4's public API, ``huge_tree`` on as for the page
  itself): the tree the block walker of :mod:`.body` splits. A BeautifulSoup tree of a whole
  Xinhua page costs about 12 times its lxml parse; the container alone, about one parse.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag
from bs4.filter import SoupStrainer
from lxml import etree

from newsarchive.extract.dom import HtmlElement, drop_tree
from newsarchive.extract.templates import DROP_TAGS, Drop

__all__ = ["BLOCK_TAGS", "RAW_URL", "prune", "soup_of"]

#: Block-level elements: the walker of :mod:`.body` ends a block at each (and at ``<br>``).
BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "center", "table", "tbody", "thead", "tr", "td", "th", "section",
        "article", "figure", "figcaption", "pre", "header", "footer", "main", "aside", "hr",
    }
)  # fmt: skip
_BLOCK_NAMES = "|".join(sorted(BLOCK_TAGS, key=len, reverse=True))
#: A whitespace-only text node right before the end tag of a block element (the block's last
#: text: hidden blocks are not walked, others end a block there), or before the start tag of
#: a block element or ``<br>`` with no ``style`` (so not hidden: the walker ends the block
#: there). Trailing whitespace never reaches a block's text, so BeautifulSoup need not make a
#: string of it (fewer strings: a cheaper soup). (The serializer escapes ``<`` and ``>`` in
#: attribute values and text: a raw ``<`` starts a tag or a comment; scripts and styles are
#: pruned before.)
_SPACE_BEFORE_BREAK_RE = re.compile(
    rf">[ \t\n\r\f]+(?=</(?:{_BLOCK_NAMES})>"
    rf"|<(?:{_BLOCK_NAMES}|br)(?:/?>|\s(?![^>]*\bstyle=)[^>]*>))"
)
#: What libxml2's HTML serializer percent-escapes in ``src``/``href`` values.
_ESCAPED_URI_RE = re.compile(r"[^\x21-\x7e]")
#: The attribute carrying the index of a URL :func:`soup_of` kept aside.
RAW_URL = "data-newsarchive-raw-url"
#: Only the container's ``<div>`` and what is inside it become Tags (not the ``<html>`` and
#: ``<body>`` the parser puts around a fragment).
_WRAPPER = SoupStrainer("div")


def prune(container: HtmlElement, widgets: Drop) -> None:
    """Remove the tags of :data:`~.templates.DROP_TAGS` and every element ``widgets`` names
    (by class, id or id prefix) from ``container``, tails kept."""
    etree.strip_elements(container, *DROP_TAGS, with_tail=False)
    classes, ids, prefixes = widgets.classes, widgets.ids, widgets.id_prefixes
    doomed: list[HtmlElement] = []
    for el in container.iterdescendants():
        cls = el.get("class")
        ident = el.get("id")
        if (cls and not classes.isdisjoint(cls.split())) or (
            ident and (ident in ids or (prefixes and ident.startswith(prefixes)))
        ):
            doomed.append(el)
    if doomed:
        gone = set(doomed)
        for el in doomed:
            if not any(a in gone for a in el.iterancestors()):
                drop_tree(el)


def soup_of(container: HtmlElement) -> tuple[Tag | None, list[str]]:
    """The BeautifulSoup tree (``"lxml"`` parser) of ``container``'s contents, under a
    ``<div>`` standing for the container (its own tag and attributes never count), and the
    raw link/image URLs the markup handed to BeautifulSoup could not carry.

    libxml2's HTML serializer percent-escapes ``src``/``href`` values with non-ASCII
    characters, spaces or controls (``图.jpg`` → ``%E5%9B%BE.jpg``), which cannot be undone
    safely; such values are kept aside and the element carries their index in
    :data:`RAW_URL` (a marker set on every ``<img>``/``<a>`` that needs one, removed from
    every other, so a page's own attribute of that name is never read)."""
    raw: list[str] = []
    marked: list[HtmlElement] = []
    for el in container.iter("img", "a"):
        value = el.get("src" if el.tag == "img" else "href")
        if value is not None and _ESCAPED_URI_RE.search(value):
            el.set(RAW_URL, str(len(raw)))
            raw.append(value)
            marked.append(el)
        elif el.get(RAW_URL) is not None:
            del el.attrib[RAW_URL]
    tag = container.tag
    container.tag = "div"
    try:
        markup = etree.tostring(container, method="html", encoding="unicode", with_tail=False)
    finally:
        container.tag = tag
        for el in marked:
            del el.attrib[RAW_URL]
    markup = _SPACE_BEFORE_BREAK_RE.sub(">", markup)
    # (Reusing one tree builder and its lxml parser from soup to soup, as this module once
    # did, measured no faster: bs4's fixed cost per soup is elsewhere.)
    soup = BeautifulSoup(
        markup, "lxml", parse_only=_WRAPPER, multi_valued_attributes=None, huge_tree=True
    )
    first = soup.contents[0] if soup.contents else None
    return (first if type(first) is Tag else None), raw
