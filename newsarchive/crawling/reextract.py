"""Re-derive records from stored captures: the extractor runs again on the archived bytes.

``newsarchive reextract`` runs the ``reextract`` spider, which downloads nothing: it reads the
latest captures behind every archived page (:meth:`newsarchive.store.Store.iter_reextract`),
turns each into the same :class:`~newsarchive.records.PageItem` a crawl would have yielded
(page 1 plus the article's later pages, joined) and hands it to the same item pipelines. The
store keeps captures idempotent (same URL, bytes and fetch time: no new row), so what changes
is only what the newer extractor reads differently: articles become revisions, new articles
appear where an older extractor saw none.
"""

from __future__ import annotations

import logging

from newsarchive.extract import extract_article, join_pages
from newsarchive.extract.decode import UndecodablePage, decode_page
from newsarchive.records import Article, Capture, PageItem
from newsarchive.store import ReextractSource

logger = logging.getLogger(__name__)

#: Capture outcomes re-extracted by default: articles, and pages an older extractor refused.
DEFAULT_OUTCOMES: tuple[str, ...] = ("article", "invalid", "not_article")


def _read(capture: Capture) -> tuple[str, str] | None:
    """``(text, encoding)`` of a capture's body, or ``None`` when it is undecodable."""
    try:
        return decode_page(capture.body, capture.encoding or _hint(capture))
    except UndecodablePage as exc:
        logger.warning("undecodable capture of %s: %s", capture.url, exc)
        return None


def _hint(capture: Capture) -> str | None:
    for name, value in capture.headers:
        if name == "content-type" and "charset=" in value.lower():
            return value.lower().split("charset=", 1)[1].split(";")[0].strip() or None
    return None


def item_from_source(source: ReextractSource) -> PageItem:
    """The item a crawl would have yielded for these captures, with today's extractor."""
    first = source.captures[0]
    read = _read(first)
    if read is None:
        return PageItem(captures=(first,), result=None, error="undecodable")
    result = extract_article(read[0], first.final_url, encoding=read[1])
    if not isinstance(result, Article) or len(source.captures) == 1:
        return PageItem(captures=(first,), result=result)
    rest: list[Article] = []
    used: list[Capture] = [first]
    for capture in source.captures[1:]:
        page = _read(capture)
        if page is None:
            continue
        other = extract_article(page[0], capture.final_url, encoding=page[1])
        if isinstance(other, Article):
            rest.append(other)
            used.append(capture)
    joined = join_pages(result, rest) if rest else result
    missing = len(result.page_urls) - len(rest)
    return PageItem(
        captures=tuple(used),
        result=joined,
        error="missing_pages" if missing > 0 else None,
    )
