"""From a Scrapy response to what the spider yields: capture, decoded text, extraction result.

The spider's callbacks stay thin: they call :func:`read_page` and get back the capture, the
page text and the extractor's verdict (or the error kind when there is nothing to extract),
then decide what to follow with :func:`list_links`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from urllib.parse import urljoin

from parsel import Selector
from scrapy.http import Response

from newsarchive.crawling.capture import (
    charset_hint,
    is_redirect_home,
    to_capture,
    utc_now,
)
from newsarchive.crawling.links import text_date
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


def http_error(response: Response) -> str | None:
    """The error kind of a response that has no page to extract, or ``None``."""
    if response.status >= 300:
        return f"http_{response.status}"
    if is_redirect_home(response):
        return "redirect_home"
    return None


def read_page(response: Response, *, extract: bool = True) -> Page:
    """Capture ``response``; decode it and run the extractor unless it is an error."""
    fetched_at = utc_now()
    error = http_error(response)
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
    # The record's URL is the page's final URL; the capture keeps the requested one and the
    # redirect chain, and the store records them all as aliases.
    result = extract_article(text, response.url, encoding=encoding)
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
    root = base_url if not base else urljoin(base_url, base)
    for raw in selector.xpath("//a/@href").getall():
        href = raw.strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        url = urljoin(root, href)
        if url in seen:
            continue
        seen.add(url)
        found.append(PageLink(url=url, listed=dates.get(raw)))
    return found
