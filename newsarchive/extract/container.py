"""The body container between the lxml tree and the split: widgets pruned in lxml, then the
container alone handed to BeautifulSoup (over the lxml parser).

* :func:`prune` removes the template's widget selectors from the container, in lxml (the
  document's id/class index finds them; libxml2 strips them in one pass).
* :func:`soup_of` serialises the pruned container and builds its BeautifulSoup tree, the tree
  the block walker of :mod:`.body` splits. Building a BeautifulSoup tree of a whole Xinhua
  page costs about 12 times its lxml parse; on whole pages the container alone, about half.
"""

from __future__ import annotations

import re
import threading
from functools import cache
from typing import Any

from bs4 import BeautifulSoup, Tag
from bs4.builder import LXMLTreeBuilder  # type: ignore[attr-defined]  # in bs4.builder.__all__, registered at import time
from bs4.element import AttributeDict
from bs4.filter import SoupStrainer
from lxml import etree

from newsarchive.extract import cssindex
from newsarchive.extract.dom import HtmlElement, drop_tree, select, xml_incompatible

__all__ = ["BLOCK_TAGS", "RAW_URL", "prune", "soup_of"]

#: Block-level elements: the walker of :mod:`.body` ends a block at each (and at ``<br>``).
BLOCK_TAGS = frozenset(
    {
        "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
        "blockquote", "center", "table", "tbody", "thead", "tr", "td", "th", "section",
        "article", "figure", "figcaption", "pre", "header", "footer", "main", "aside", "hr",
    }
)  # fmt: skip
_TAG_RE = re.compile(r"[a-z][a-z0-9]*")
#: What libxml2's HTML serializer percent-escapes in ``src``/``href`` values.
_ESCAPED_URI_RE = re.compile(r"[^\x21-\x7e]")
#: The attribute carrying the index of a URL :func:`soup_of` kept aside.
RAW_URL = "data-newsarchive-raw-url"
#: The placeholder tag of the elements :func:`prune` removes (a page's own element of that
#: name is detected: :func:`_strippable`).
_DROPPED = "newsarchive-dropped"
_BLOCK_NAMES = "|".join(sorted(BLOCK_TAGS, key=len, reverse=True))
#: A whitespace-only text node right before the end tag of a block element (the block's last
#: text: hidden blocks are not walked, others end a block there), or before the start tag of
#: a block element or ``<br>`` with no ``style`` (so not hidden: the walker ends the block
#: there). Trailing whitespace never reaches a block's text, so BeautifulSoup need not make a
#: string of it. (The serializer escapes ``<`` and ``>`` in attribute values and text: a raw
#: ``<`` starts a tag or a comment; scripts and styles are pruned before.)
_SPACE_BEFORE_BREAK_RE = re.compile(
    rf">[ \t\n\r\f]+(?=</(?:{_BLOCK_NAMES})>"
    rf"|<(?:{_BLOCK_NAMES}|br)(?:/?>|\s(?![^>]*\bstyle=)[^>]*>))"
)


def prune(container: HtmlElement, selectors: tuple[str, ...]) -> None:
    """Remove every element matching ``selectors`` from ``container`` (tails kept).

    The matches are answered from the document's id/class index, renamed to a placeholder
    tag and stripped by libxml2 together with the bare tag names, in one C-level pass (an
    lxml ``drop_tree`` per element costs more than the whole strip). Where a tail to merge
    holds characters lxml refuses (C0 controls: :func:`~.dom.drop_tree` cleans them), or the
    page itself has an element of the placeholder's name, they are dropped one by one."""
    bare_tags, others = _drop_plan(selectors)
    tags = list(bare_tags)
    doomed = [el for el in select(container, others) if el is not container] if others else []
    if doomed:
        if _strippable(container, doomed):
            for el in doomed:
                el.tag = _DROPPED
            tags.append(_DROPPED)
        else:
            for el in doomed:
                if el.getparent() is not None:
                    drop_tree(el)
    if tags:
        etree.strip_elements(container, *tags, with_tail=False)
    cssindex.forget(container)


@cache
def _drop_plan(selectors: tuple[str, ...]) -> tuple[tuple[str, ...], str]:
    """``selectors`` as the bare tag names libxml2 strips and one selector group for the rest."""
    tags = tuple(s for s in selectors if _TAG_RE.fullmatch(s))
    return tags, ", ".join(s for s in selectors if not _TAG_RE.fullmatch(s))


def _strippable(container: HtmlElement, doomed: list[HtmlElement]) -> bool:
    """Whether libxml2 can remove ``doomed`` and merge their tails exactly as
    :func:`~.dom.drop_tree` would (see :func:`prune`)."""
    if next(container.iter(_DROPPED), None) is not None:
        return False
    for el in doomed:
        previous = el.getprevious()
        parent = el.getparent()
        target = (
            previous.tail if previous is not None else parent.text if parent is not None else ""
        )
        if xml_incompatible(el.tail) or xml_incompatible(target):
            return False
    return True


class _ContainerTreeBuilder(LXMLTreeBuilder):  # type: ignore[misc]  # base untyped for mypy, see import
    """BeautifulSoup's ``"lxml"`` tree builder for container markup: attribute values as
    written (``class`` not split into a list), every string a plain
    :class:`~bs4.element.NavigableString` (no special classes for ``<rt>``, ``<rp>`` or
    ``<script>`` text), and one lxml ``HTMLParser`` reused from soup to soup (lxml inspects
    the target's ``start`` signature each time it makes a parser for a Python target, which
    costs about as much as the tree of a short body)."""

    def __init__(self) -> None:
        super().__init__(
            multi_valued_attributes={}, string_containers={}, attribute_dict_class=AttributeDict
        )
        self.parsers: dict[str | None, Any] = {}

    # lxml's HTML parser reports no namespaces, and its attribute names and values are always
    # ``str``: the XML builder's namespace bookkeeping and attribute re-typing (two dict
    # copies and several calls per element, about a third of the soup's cost) do nothing
    # for it. A name in Clark notation (``{uri}name``), which only XML parsing gives, still
    # takes the full path.
    def start(self, tag: str, attrib: dict[str, str], nsmap: Any = None) -> None:
        if nsmap or tag[:1] == "{":
            super().start(tag, attrib, nsmap or {})
            return
        self.soup.handle_starttag(
            tag, None, None, AttributeDict(attrib), namespaces=self.active_namespace_prefixes[-1]
        )

    def end(self, tag: str) -> None:
        if tag[:1] == "{" or len(self.nsmaps) > 1:
            super().end(tag)
            return
        soup = self.soup
        soup.endData()
        soup.handle_endtag(tag, None)

    def default_parser(self, encoding: str | None) -> Any:
        parser = self.parsers.get(encoding)
        if parser is None:
            parser = self.parsers[encoding] = etree.HTMLParser(
                target=self, recover=True, huge_tree=self.huge_tree, encoding=encoding
            )
        return parser


_local = threading.local()
_WRAPPER = SoupStrainer("div")


def _builder() -> _ContainerTreeBuilder:
    """This thread's tree builder (a builder, and its parser, serve one soup at a time)."""
    builder: _ContainerTreeBuilder | None = getattr(_local, "builder", None)
    if builder is None:
        builder = _local.builder = _ContainerTreeBuilder()
    return builder


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
    # Only the container's <div> and what is inside it become Tags (not the <html> and
    # <body> libxml2 puts around a fragment).
    builder = _builder()
    try:
        soup = BeautifulSoup(markup, builder=builder, parse_only=_WRAPPER)
    except Exception:
        builder.parsers.clear()  # a parser left mid-document is not reused
        raise
    first = soup.contents[0] if soup.contents else None
    return (first if type(first) is Tag else None), raw
