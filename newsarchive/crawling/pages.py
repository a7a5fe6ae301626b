"""From a Scrapy response to what the spider yields: capture, decoded text, extraction result.

The spider's callbacks stay thin: they call :func:`read_page` and get back the capture, the
page text and the extractor's verdict (or the error kind when there is nothing to extract),
then decide what to follow with :func:`list_links`. Each page is decoded once
(:func:`newsarchive.extract.decode.decode_page`); the extractor gets the text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from parsel import Selector
from scrapy.http import Response

from newsarchive import urls
from newsarchive.crawling.capture import (
    charset_hint,
    is_redirect_home,
    requested_url,
    to_capture,
    utc_now,
)
from newsarchive.crawling.links import Scope, text_date
from newsarchive.extract import extract_article
from newsarchive.extract.decode import UndecodablePage, decode_page
from newsarchive.records import Article, Capture, NotAnArticle

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class Page:
    """One fetched page, read."""

    capture: Capture
    text: str | None
    """The decoded page text; ``None`` for error responses and undecodable bodies."""
    result: Article | NotAnArticle | None
    """The extractor's result; ``None`` on error or when extraction is switched off."""
    error: str | None
    """The error kind when there is nothing to extract (``http_404``, ``redirect_home``,
    ``undecodable``, …)."""


#: Words of an error page served with status 200 that mean "log in / prove you are human".
_CAPTCHA_RE = re.compile(
    r"captcha|验证码|驗證碼|人机验证|人機驗證|安全验证|安全驗證|登录|登錄|login|access\s*denied|"
    r"forbidden|403|访问过于频繁|訪問過於頻繁|too\s*many\s*requests",
    re.I,
)
_NOT_FOUND_RE = re.compile(
    r"404|not\s*found|不存在|没有找到|沒有找到|找不到|已删除|已刪除|已被删除|已被刪除", re.I
)


def http_error(response: Response, scope: Scope | None = None) -> str | None:
    """The error kind of a response that has no page to extract, or ``None``.

    ``http_<status>`` for a status ≥ 300 (a redirect Scrapy did not follow included);
    ``redirect_home`` for an article URL redirected to a non-article page (a withdrawal);
    ``offsite_redirect`` for a redirect that left the crawl's channels (never stored as theirs);
    ``truncated`` for an article page whose HTML stops before ``</body>``/``</html>``.
    """
    if response.status >= 300:
        return f"http_{response.status}"
    if is_redirect_home(response):
        return "redirect_home"
    if scope is not None and response.meta.get("redirect_urls") and not scope.allows(response.url):
        return "offsite_redirect"
    if urls.is_article_url(requested_url(response)) and is_truncated(response.body):
        return "truncated"
    return None


def is_truncated(body: bytes) -> bool:
    """An HTML page cut short: neither ``</body>`` nor ``</html>`` in its last 8 KiB (every
    complete Xinhua page ends with them; a short read with a matching Content-Length does not)."""
    head = body[:1024].lstrip().lower()
    if not head.startswith((b"<!doctype html", b"<html", b"<head", b"<meta")):
        return False  # not an HTML document (JSON, a fragment): nothing to judge
    tail = body[-8192:].lower()
    return b"</body" not in tail and b"</html" not in tail


def soft_error(result: NotAnArticle, *, article_url: bool) -> str | None:
    """The error kind of a page served with status 200 that is really an error, or ``None``.

    An extractor verdict ``error`` (a captcha, login or "page not found" page) is an error
    wherever it is served: ``captcha`` or ``soft_404`` or ``error_page``. ``empty`` (no text) is
    an error only where an article was expected: lists and indexes may be empty shells.
    """
    if result.kind == "error":
        if _CAPTCHA_RE.search(result.reason):
            return "captcha"
        if _NOT_FOUND_RE.search(result.reason):
            return "soft_404"
        return "error_page"
    if result.kind == "empty" and article_url:
        return "empty"
    return None


def read_page(response: Response, *, extract: bool = True, scope: Scope | None = None) -> Page:
    """Capture ``response``; decode it and run the extractor unless it is an error.

    ``scope``: the crawl's channels; a redirect out of them is an error, not a page."""
    read = _decoded(response, scope, extract=extract)
    if isinstance(read, Page):
        return read
    capture, text = read
    # The record's URL is the page's final URL; the capture keeps the requested one and the
    # redirect chain, and the store records them all as aliases.
    result = extract_article(text, response.url, encoding=capture.encoding)
    return _judged(response, capture, text, result)


def _decoded(
    response: Response, scope: Scope | None, *, extract: bool
) -> Page | tuple[Capture, str]:
    """The page when there is nothing to extract (an error, or extraction off), else the
    capture and text of the page to extract."""
    fetched_at = utc_now()
    error = http_error(response, scope)
    if error is not None:
        return Page(
            capture=to_capture(response, fetched_at=fetched_at), text=None, result=None, error=error
        )
    try:
        text, encoding = decode_page(response.body, charset_hint(response))
    except UndecodablePage as exc:
        logger.warning("undecodable page %s: %s", response.url, exc)
        return Page(
            capture=to_capture(response, fetched_at=fetched_at),
            text=None,
            result=None,
            error="undecodable",
        )
    capture = to_capture(response, encoding=encoding, fetched_at=fetched_at)
    if not extract:
        return Page(capture=capture, text=text, result=None, error=None)
    return capture, text


def _judged(
    response: Response, capture: Capture, text: str, result: Article | NotAnArticle
) -> Page:
    """The page with the extractor's verdict (an error page served with status 200 is an
    error, see :func:`soft_error`)."""
    if isinstance(result, NotAnArticle):
        kind = soft_error(result, article_url=urls.is_article_url(requested_url(response)))
        if kind is not None:
            logger.info("%s is an error page (%s): %s", response.url, kind, result.reason)
            return Page(capture=capture, text=text, result=None, error=kind)
    return Page(capture=capture, text=text, result=result, error=None)


@dataclass(frozen=True, kw_only=True, slots=True)
class PageLink:
    """A link on a list page."""

    url: str
    """Absolute URL, resolved against the page URL."""
    listed: date | None
    """The date printed beside the link in its list item, or ``None``."""


def list_links(text: str, base_url: str, *, with_dates: bool) -> list[PageLink]:
    """Every ``<a href>`` of a page in order, resolved; with the date of its ``<li>`` when
    ``with_dates`` (only needed when a date window is set)."""
    selector = Selector(text=text, base_url=base_url)
    dates: dict[str, date] = {}
    if with_dates:
        for li in selector.xpath("//li[.//a[@href]]"):
            day = text_date(" ".join(li.xpath(".//text()").getall()))
            if day is not None:
                for href in li.xpath(".//a/@href").getall():
                    dates.setdefault(href, day)
    found: list[PageLink] = []
    seen: set[str] = set()
    base = selector.xpath("//base/@href").get()
    root = base_url if not base else urls.join(base_url, base)
    for raw in selector.xpath("//a/@href").getall():
        href = raw.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urls.join(root, href)
        if url in seen:
            continue
        seen.add(url)
        found.append(PageLink(url=url, listed=dates.get(raw)))
    return found
