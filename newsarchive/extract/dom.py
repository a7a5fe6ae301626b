"""lxml helpers shared by the extractor: parsing, compiled CSS selectors, clean text.

The whole page is parsed once by lxml (the cheap part; BeautifulSoup only ever sees the body
container, :mod:`.body`); CSS selectors from the template tables are answered from a
per-document id/class index (:mod:`.cssindex`), with cssselect's compiled XPath (cached per
process) as the fallback.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from functools import cache
from urllib.parse import urljoin

import lxml.html
from lxml import etree
from lxml.cssselect import CSSSelector

from newsarchive import urls
from newsarchive.extract import cssindex

HtmlElement = lxml.html.HtmlElement

_NON_SPACE_RE = re.compile(r"\S")
# Whitespace, the spaces Chinese pages indent with, zero-width marks and stray C0 controls.
_SPACE_RE = re.compile(
    r"[\s\u3000\xa0\u2002\u2003\u2009\u200b\ufeff\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+"
)
# Characters libxml2 refuses: C0 controls other than tab/newline/return, lone surrogates.
_BAD_CHARS_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
_CJK_GAP_RE = re.compile(
    r"(?<=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])\s+"
    r"(?=[\u3400-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef])"
)


@cache
def css(selector: str) -> CSSSelector:
    """The compiled form of a CSS selector (HTML semantics: case-insensitive tag names)."""
    return CSSSelector(selector, translator="html")


def select(root: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching a CSS selector (comma groups allowed) under ``root``, itself included.

    Answered from the document's id/class index (:mod:`.cssindex`); selectors it cannot
    read fall back to the compiled cssselect XPath."""
    found = cssindex.query(root, selector)
    if found is None:
        found = [el for el in css(selector)(root) if isinstance(el, HtmlElement)]
    return found


def select_any(root: HtmlElement, selectors: Sequence[str]) -> bool:
    """Whether any of ``selectors`` matches (one evaluation for the whole table)."""
    return bool(selectors) and bool(select(root, ", ".join(selectors)))


def select_first(root: HtmlElement, selectors: Sequence[str]) -> HtmlElement | None:
    """The first element of the first selector that matches anything (table order wins)."""
    for selector in selectors:
        found = select(root, selector)
        if found:
            return found[0]
    return None


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
    parts: list[str] = []
    _collect(el, skipped, parts, top=True)
    return clean("".join(parts))


def _collect(el: HtmlElement, skipped: set[HtmlElement], parts: list[str], *, top: bool) -> None:
    if el in skipped:
        if not top and el.tail:
            parts.append(el.tail)
        return
    if isinstance(el.tag, str) and el.text:
        parts.append(el.text)
    for child in el:
        _collect(child, skipped, parts, top=False)
    if not top and el.tail:
        parts.append(el.tail)


def first_text(root: HtmlElement, selectors: Sequence[str]) -> str | None:
    """Text of the first non-empty match, trying selectors in order."""
    for selector in selectors:
        for el in select(root, selector):
            text = text_of(el)
            if text:
                return text
    return None


def join_cjk(text: str) -> str:
    """Remove spaces between two CJK characters (``鲁 毅`` → ``鲁毅``)."""
    return _CJK_GAP_RE.sub("", text)


# No libxml2 ID hash (``collect_ids``): nothing here asks libxml2 for an element by id (the
# id/class index of :mod:`.cssindex` answers selectors), and filling it costs ~7 % of a parse.
_UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8", collect_ids=False)
# Every element is a plain HtmlElement, chosen in C: lxml.html's default lookup calls Python
# for each element proxy (to give <form>, <input>… their own classes, which we never use).
_UTF8_PARSER.set_element_class_lookup(etree.ElementDefaultClassLookup(element=HtmlElement))


def parse_html(text: str, utf8: bytes | None = None) -> HtmlElement | None:
    """Parse a page; ``None`` when there is no element at all.

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
    return root if isinstance(root, HtmlElement) else None


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
    """``href`` resolved against ``base``; unchanged when either is not a parseable URL."""
    if href.startswith(("http://", "https://")):
        return href
    if "/gate/big5/" in base:  # a big5 gateway page: its links mean the inner site's pages
        try:
            return urls.join(base, href)
        except ValueError:
            return href
    if (joined := _join_path(base, href)) is not None:
        return joined
    try:
        return urljoin(base, href)
    except ValueError:
        return href


#: A base URL :func:`_join_path` handles: lower-case http(s), an ASCII host (letters, digits,
#: ``-._~!$&'()*+,=:@%``), a path without parameters, query, fragment, whitespace or controls
#: (``urljoin`` would alter or reject the others).
_PLAIN_BASE_RE = re.compile(
    r"(https?://[A-Za-z0-9\-._~!$&'()*+,=:@%]+)(/[^?#;\\\s\x00-\x1f\x7f]*)?"
)
#: A relative reference that is a bare path (``a.jpg``, ``../../x/c.html``, ``/x.htm``).
_PLAIN_PATH_RE = re.compile(r"(?!//)[^:?#;\\\s\x00-\x1f\x7f]+")


def _join_path(base: str, href: str) -> str | None:
    """``urljoin(base, href)`` for the common case of a path-only ``href`` and a plain
    ``base`` (the same steps as ``urllib.parse.urljoin``, without parsing both URLs in
    full); ``None`` for anything else."""
    site = _PLAIN_BASE_RE.fullmatch(base)
    if site is None or _PLAIN_PATH_RE.fullmatch(href) is None:
        return None
    base_parts = (site.group(2) or "").split("/")
    if base_parts[-1] != "":
        del base_parts[-1]
    if href[0] == "/":
        segments = href.split("/")
    else:
        segments = base_parts + href.split("/")
        segments[1:-1] = filter(None, segments[1:-1])
    resolved: list[str] = []
    for seg in segments:
        if seg == "..":
            if resolved:
                resolved.pop()
        elif seg != ".":
            resolved.append(seg)
    if segments[-1] in (".", ".."):
        resolved.append("")
    path = "/".join(resolved) or "/"
    return site.group(1) + (path if path[0] == "/" else "/" + path)


def xml_incompatible(text: str | None) -> bool:
    """Whether lxml would refuse to set ``text`` as element text (C0 controls, lone
    surrogates, U+FFFE/U+FFFF)."""
    return bool(text) and _BAD_CHARS_RE.search(text or "") is not None


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
        if xml_incompatible(merged):
            merged = _BAD_CHARS_RE.sub("", merged)
        if previous is None:
            parent.text = merged
        else:
            previous.tail = merged
    parent.remove(el)


def drop(elements: Iterable[HtmlElement]) -> None:
    """Remove elements from the tree, keeping their tail text in place."""
    for el in list(elements):
        if el.getparent() is not None:
            cssindex.forget(el)
            drop_tree(el)
