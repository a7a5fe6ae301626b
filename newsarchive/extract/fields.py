"""Header fields: small functions of the parsed page that return ``None`` when nothing is found.

Each takes the page root and a template's selector table (:mod:`.templates`) and tries the
selectors in order.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from lxml import etree

from newsarchive.extract import dates
from newsarchive.extract.credits import credit_line
from newsarchive.extract.dom import (
    HtmlElement,
    absolute,
    clean,
    first_text,
    meta_content,
    select,
    text_of,
)
from newsarchive.extract.templates import META_PUBLISHED, SPLIT_TIME_PARTS, Template
from newsarchive.records import Credit, Link

__all__ = [
    "editor_lines",
    "first_subtitle",
    "headline",
    "keywords",
    "meta_keywords",
    "meta_published",
    "published",
    "related_links",
    "source",
    "source_from_text",
    "strip_site_suffix",
    "title_headline",
]

_SOURCE_PREFIX_RE = re.compile(r"^\s*(?:来源|來源|稿源|来自|來自)\s*[:：]?\s*")
_SOURCE_IN_TEXT_RE = re.compile(r"(?:来源|來源|稿源)\s*[:：]\s*([^\s|｜　]{1,30})")
_SOURCE_STOP_RE = re.compile(
    r"\s*(?:作者|编辑|編輯|责任编辑|責任編輯|记者|記者|时间|時間|发布|發佈|浏览|瀏覽|点击|點擊|"
    rf"阅读|閱讀|字号|字號|字体|字體|分享|打印|{dates.DATE_START}).*$"
)
#: Separators between the parts of ``<title>`` (kept by the split: capturing group).
_TITLE_SEP_RE = re.compile(r"(\s*[-_|｜—–]+\s*)")
#: A title part that names the site: ``新华网``, ``新华网河北频道``, ``_新華網``, ``xx.com``…
_SITE_PART_RE = re.compile(r"网|網|频道|頻道|报|報|新闻|新聞|news|\.cn|\.com", re.IGNORECASE)
_KEYWORD_SPLIT_RE = re.compile(r"[,，、;；\s]+")


def headline(root: HtmlElement, template: Template) -> str | None:
    """The headline as printed (first non-empty match of the template's selectors)."""
    for selector in template.headline:
        for el in select(root, selector):
            text = text_of(el)
            if text:
                return text
    return None


def strip_site_suffix(title: str) -> str:
    """A title without its site suffix (``标题-新华网河北频道-新华网`` → ``标题``)."""
    return _without_site_suffix(clean(title)) or clean(title)


def _without_site_suffix(title: str) -> str:
    """``title`` minus its trailing parts that name the site, in one linear pass (a single
    regex with nested quantifiers backtracks exponentially on titles of many parts)."""
    parts = _TITLE_SEP_RE.split(title)  # [text, sep, text, sep, text, …]
    end = len(parts)
    while end > 1 and _SITE_PART_RE.search(parts[end - 1]):
        end -= 2  # drop the part and the separator before it
    return "".join(parts[:end]).strip()


def title_headline(root: HtmlElement) -> str | None:
    """``<title>`` without the site suffix (``法国全国大罢工…-新华网`` → ``法国全国大罢工…``)."""
    title_el = root.find(".//title")
    if title_el is None:
        return None
    title = clean(title_el.text_content())
    stripped = _without_site_suffix(title)
    return stripped or title or None


def _split_time(container: HtmlElement) -> tuple[str, str] | None:
    """``span.year`` / ``span.day`` / ``span.time`` → (normalised text, raw text)."""
    parts = {}
    for cls, selector in zip(("year", "day", "time"), SPLIT_TIME_PARTS, strict=True):
        found = select(container, selector)
        if found:
            parts[cls] = text_of(found[0])
    if "year" not in parts or "day" not in parts:
        return None
    raw = " ".join(parts[c] for c in ("year", "day", "time") if parts.get(c))
    day = re.sub(r"\s+", "", parts["day"]).replace("/", "-")
    year = re.sub(r"\s+", "", parts["year"])
    return f"{year}-{day} {parts.get('time', '').strip()}".strip(), raw


def published(root: HtmlElement, template: Template) -> tuple[str | None, str | None]:
    """``(ISO 8601 +08:00, text as printed)`` from the template's date elements."""
    for selector in template.split_time:
        for container in select(root, selector):
            split = _split_time(container)
            if split is not None and (iso := dates.parse_datetime(split[0])) is not None:
                return iso, split[1]
    for selector in template.published:
        day_only: tuple[str, str] | None = None
        for el in select(root, selector):
            found = dates.find_datetime(text_of(el))
            if found is None:
                continue
            if dates.has_time_of_day(found[1]):
                return found
            # A date without a time (a header clock, ``2024年11月25日 星期一``) counts only
            # when no element of this selector prints a time.
            day_only = day_only or found
        if day_only is not None:
            return day_only
    return None, None


def meta_published(root: HtmlElement) -> tuple[str | None, str | None]:
    """Publication time from ``<meta>`` (``publishdate``, ``article:published_time``…)."""
    for name in META_PUBLISHED:
        raw = meta_content(root, name)
        if raw and (iso := dates.parse_datetime(raw)) is not None:
            return iso, raw
    return None, None


def _clean_source(text: str) -> str | None:
    text = _SOURCE_PREFIX_RE.sub("", clean(text))
    text = _SOURCE_STOP_RE.sub("", text).strip(" ：:|｜")
    return text or None


def source(root: HtmlElement, template: Template) -> str | None:
    """The visible 来源 as printed; ``meta[name=source]`` is deliberately not consulted."""
    for selector in template.source:
        for el in select(root, selector):
            text = text_of(el)
            if not text:
                continue
            if (m := _SOURCE_IN_TEXT_RE.search(text)) is not None:
                return _clean_source(m.group(1))
            if not dates.starts_like_a_date(text):
                cleaned = _clean_source(text)
                if cleaned:
                    return cleaned
    return source_in_text(root, template.source_context)


def source_in_text(root: HtmlElement, selectors: Sequence[etree.XPath]) -> str | None:
    """A ``来源：…`` line inside the given header blocks."""
    for selector in selectors:
        for el in select(root, selector):
            if (m := _SOURCE_IN_TEXT_RE.search(text_of(el))) is not None:
                return _clean_source(m.group(1))
    return None


def source_from_text(text: str) -> str | None:
    """The outlet of the first ``来源：…`` in ``text``."""
    if (m := _SOURCE_IN_TEXT_RE.search(text)) is not None:
        return _clean_source(m.group(1))
    return None


def first_subtitle(root: HtmlElement, selectors: Sequence[etree.XPath]) -> str | None:
    """The sub-headline, when the template prints one."""
    return first_text(root, selectors)


def meta_keywords(root: HtmlElement) -> tuple[str, ...]:
    """``meta[name=keywords]`` split on commas, 、 and spaces."""
    meta = meta_content(root, "keywords")
    if not meta:
        return ()
    return tuple(dict.fromkeys(k for k in _KEYWORD_SPLIT_RE.split(meta) if k))


def keywords(root: HtmlElement, template: Template) -> tuple[str, ...]:
    """Keyword tags: the template's tag list, else ``meta[name=keywords]``."""
    found: list[str] = []
    for selector in template.keywords:
        found.extend(t for el in select(root, selector) if (t := text_of(el)))
        if found:
            break
    if not found:
        return meta_keywords(root)
    return tuple(dict.fromkeys(found))


def related_links(root: HtmlElement, selector: etree.XPath, base_url: str) -> tuple[Link, ...]:
    """Related-reading links outside the body, absolute, first occurrence of each URL."""
    links: dict[str, Link] = {}
    for a in select(root, selector):
        href = (a.get("href") or "").strip()
        title = text_of(a)
        if not href or not title or href.lower().startswith(("javascript:", "#")):
            continue
        url = absolute(base_url, href)
        links.setdefault(url, Link(title=title, url=url))
    return tuple(links.values())


_EDITOR_TEXT = etree.XPath(
    "//body//text()[contains(., '责任编辑') or contains(., '責任編輯') or contains(., '责编')"
    " or contains(., '責編')]"
)


def editor_lines(root: HtmlElement) -> list[Credit]:
    """Credits from any short element printing a 责任编辑 line (``[责任编辑: 曾鹏]``,
    ``(责编：汤诗瑶、丁涛)``): for pages whose credit line sits outside the known selectors
    and outside the body container (the generic fallback, unseen layout variants)."""
    found: list[Credit] = []
    hits = _EDITOR_TEXT(root)
    for hit in hits if isinstance(hits, list) else ():
        parent = hit.getparent() if hasattr(hit, "getparent") else None
        if parent is not None and getattr(hit, "is_tail", False):
            parent = parent.getparent()  # tail text belongs to the element around its owner
        if (
            parent is None
            or not isinstance(parent.tag, str)  # a comment or processing instruction
            or parent.tag in ("script", "style", "title", "a")
        ):
            continue
        text = text_of(parent)
        if len(text) <= 80:
            found.extend(credit_line(text))
    return found
