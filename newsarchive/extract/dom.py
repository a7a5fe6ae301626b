"""lxml helpers shared by the extractor: parsing, selecting with compiled selectors, clean text.

The whole page is parsed once by lxml (the cheap part; BeautifulSoup only ever sees the body
container, :mod:`.body`). Selectors come compiled from the tables of :mod:`.templates`
(lxml's ``CSSSelector`` and ``XPath``, compiled at import); nothing here caches anything
about a document.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence

import lxml.html
from lxml import etree

from newsarchive import urls

HtmlElement = lxml.html.HtmlElement

__all__ = [
    "HtmlElement",
    "TooDeep",
    "absolute",
    "clean",
    "drop_tree",
    "first_text",
    "meta_content",
    "parse_html",
    "select",
    "text_of",
]

_NON_SPACE_RE = re.compile(r"\S")
# Whitespace, the spaces Chinese pages indent with, zero-width marks and stray C0 controls.
_SPACE_RE = re.compile(
    r"[\s\u3000\xa0\u2002\u2003\u2009\u200b\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+"
)
# Characters libxml2 refuses: C0 controls other than tab/newline/return, lone surrogates.
_BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class TooDeep(ValueError):
    """The page nests elements deeper than libxml2 builds a tree for, even with
    ``huge_tree`` (2,048 levels): a tree of it would silently miss everything below."""


def select(root: HtmlElement, selector: etree.XPath) -> list[HtmlElement]:
    """Elements matching a compiled selector under ``root`` (itself included), in document
    order (a comma group: each alternative's matches merged in document order)."""
    return [el for el in selector(root) if isinstance(el, HtmlElement)]


def clean(text: str | None) -> str:
    """Collapse whitespace (ideographic spaces and no-break spaces included) and strip."""
    if not text:
        return ""
    return _SPACE_RE.sub(" ", text).strip()


def text_of(el: HtmlElement, *, skip: Iterable[HtmlElement] = ()) -> str:
    """The visible text of ``el`` with whitespace collapsed; ``skip`` subtrees left out."""
    skipped = set(skip)
    if not skipped:
        return clean("".join(el.itertext(None)))
    if el in skipped:
        return ""
    # Depth first with an explicit stack (a page may nest thousands deep): each element's
    # text, its children, then its tail; a skipped subtree gives only its tail.
    parts: list[str] = [el.text] if isinstance(el.tag, str) and el.text else []
    stack: list[tuple[HtmlElement, Iterator[HtmlElement]]] = [(el, iter(el))]
    while stack:
        node, children = stack[-1]
        child = next(children, None)
        if child is None:
            stack.pop()
            if stack and node.tail:
                parts.append(node.tail)
        elif child in skipped:
            if child.tail:
                parts.append(child.tail)
        else:
            if isinstance(child.tag, str) and child.text:
                parts.append(child.text)
            stack.append((child, iter(child)))
    return clean("".join(parts))


def first_text(root: HtmlElement, selectors: Sequence[etree.XPath]) -> str | None:
    """Text of the first non-empty match, trying selectors in order."""
    for selector in selectors:
        for el in select(root, selector):
            text = text_of(el)
            if text:
                return text
    return None


def _parser() -> lxml.html.HTMLParser:
    # huge_tree: libxml2's default depth limit (256) silently drops everything below it
    # (issue 16: 300 unclosed <font> kept 80 of 471 body characters). No ID hash
    # (collect_ids): no selector asks libxml2 for an element by id, and filling it costs ~7 %
    # of a parse. Every element a plain HtmlElement, chosen in C (lxml.html's default
    # lookup calls Python per element to give <form>, <input>… classes we never use).
    parser = lxml.html.HTMLParser(encoding="utf-8", collect_ids=False, huge_tree=True)
    parser.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement))
    return parser


_UTF8_PARSER = _parser()
_TOO_DEEP = "Excessive depth"


def parse_html(text: str, utf8: bytes | None = None) -> HtmlElement | None:
    """Parse a page; ``None`` when there is no element at all. Raises :class:`TooDeep` for a
    page nested deeper than the parser goes (never a tree that silently lacks its end).

    libxml2 parses UTF-8 bytes faster than a Python string, so the text is handed over as
    UTF-8 (``utf8``: the page's own bytes when they are that text in UTF-8), with the
    encoding fixed so that a stale ``<meta charset>`` in the page cannot override it."""
    if utf8 is None or b"\x00" in utf8:
        # libxml2 stops at a NUL byte and rejects other C0 controls in a Python string.
        text = _BAD_CHARS_RE.sub("", text)
        utf8 = text.encode("utf-8", errors="replace")
    if _NON_SPACE_RE.search(text) is None:
        return None
    try:
        root = lxml.html.document_fromstring(utf8, parser=_UTF8_PARSER)
    except (etree.ParserError, ValueError):
        return None
    if any(_TOO_DEEP in e.message for e in _UTF8_PARSER.error_log):
        raise TooDeep(f"elements nested deeper than libxml2 parses ({_depth_message()})")
    return root if isinstance(root, HtmlElement) else None


def _depth_message() -> str:
    return next(e.message for e in _UTF8_PARSER.error_log if _TOO_DEEP in e.message).strip()


def meta_content(root: HtmlElement, *names: str) -> str | None:
    """The first non-empty ``<meta name|property=… content=…>`` among ``names``."""
    wanted = {n.lower() for n in names}
    for meta in root.iter("meta"):
        key = (meta.get("name") or meta.get("property") or meta.get("itemprop") or "").lower()
        if key in wanted:
            value = clean(meta.get("content"))
            if value:
                return value
    return None


def absolute(base: str, href: str) -> str:
    """``href`` resolved against the page at ``base`` (:func:`newsarchive.urls.join`: big5
    gateway pages keep their links behind the gateway); unchanged when either is not a
    parseable URL."""
    try:
        return urls.join(base, href)
    except ValueError:
        return href


def drop_tree(el: HtmlElement) -> None:
    """Remove ``el`` and its subtree, keeping its tail text in place.

    lxml refuses to set text holding C0 control characters that libxml2 itself let through
    the parse, and its setter has already removed the old text when it refuses: the merged
    text is built first and cleaned of such characters when needed."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        previous = el.getprevious()
        merged = ((parent.text if previous is None else previous.tail) or "") + tail
        if _BAD_CHARS_RE.search(merged):
            merged = _BAD_CHARS_RE.sub("", merged)
        if previous is None:
            parent.text = merged
        else:
            previous.tail = merged
    parent.remove(el)
