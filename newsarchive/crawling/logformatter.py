"""Log lines about items that name the page, not the whole item.

Scrapy's default formatter prints every scraped or dropped item in full; a
:class:`~newsarchive.records.PageItem` holds the raw page bytes, so one line would be tens of
kilobytes. These lines carry the URL and the result kind instead.
"""

from __future__ import annotations

import logging
from typing import Any

from scrapy.logformatter import LogFormatter

from newsarchive.crawling.runner import storage_failure
from newsarchive.records import Article, NotAnArticle, PageItem


def describe_item(item: Any) -> str:
    """``<url> (article|list|error http_404 …)`` for a PageItem; the type name otherwise."""
    if not isinstance(item, PageItem):
        return type(item).__name__
    url = item.captures[0].url if item.captures else "?"
    result = item.result
    if isinstance(result, Article):
        kind = f"article, {result.pages} page(s)"
    elif isinstance(result, NotAnArticle):
        kind = f"not an article: {result.kind}"
    else:
        kind = f"error {item.error}"
    return f"{url} ({kind})"


class ItemLogFormatter(LogFormatter):
    """Scrapy's log formatter with one-line item descriptions."""

    def scraped(self, item: Any, response: Any, spider: Any) -> Any:
        entry = super().scraped(item, response, spider)
        entry["msg"] = "Scraped %(item)s"
        entry["args"] = {"item": describe_item(item)}
        return entry

    def dropped(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        entry = super().dropped(item, exception, response, spider)
        entry["level"] = logging.INFO  # counted in crawl_runs.invalid; not a crawler problem
        entry["msg"] = "Dropped %(item)s: %(exception)s"
        entry["args"] = {"item": describe_item(item), "exception": exception}
        return entry

    def item_error(self, item: Any, exception: BaseException, response: Any, spider: Any) -> Any:
        entry = super().item_error(item, exception, response, spider)
        entry["msg"] = "Error processing %(item)s"
        entry["args"] = {"item": describe_item(item)}
        if storage_failure(exception):
            # The archive cannot be written (disk full, read-only): the crawl says so once, at
            # ERROR, and stops (newsarchive.crawling.runner); the items still in flight are
            # not stored either, one INFO line each, not an ERROR apiece.
            entry["level"] = logging.INFO
            entry["msg"] = "Not stored (the archive cannot be written: %(exception)s): %(item)s"
            entry["args"] = {"item": describe_item(item), "exception": exception}
        return entry
