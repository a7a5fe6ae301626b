"""The crawl: options, the Scrapy runner, link rules, the mirror transport, captures.

This package is the Scrapy side of the core (the spiders in ``spiders/`` use it); the pure
extractor and the record types never import it.

>>> from newsarchive.crawling import CrawlOptions, run_crawl
>>> options = CrawlOptions.from_args({"channels": "gz", "max_pages": "50"})
>>> result = run_crawl(options)  # doctest: +SKIP

Names are imported on first use, so that ``newsarchive.crawling.options`` (what the CLI needs
to check its arguments) is read without loading Scrapy.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from newsarchive.crawling.crawlrun import Progress
    from newsarchive.crawling.options import CrawlOptions, OptionError
    from newsarchive.crawling.runner import CrawlResult, build_settings, run_crawl, run_spider

_WHERE = {
    "CrawlOptions": "newsarchive.crawling.options",
    "OptionError": "newsarchive.crawling.options",
    "Progress": "newsarchive.crawling.crawlrun",
    "CrawlResult": "newsarchive.crawling.runner",
    "build_settings": "newsarchive.crawling.runner",
    "run_crawl": "newsarchive.crawling.runner",
    "run_spider": "newsarchive.crawling.runner",
}


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'newsarchive.crawling' has no attribute {name!r}")


__all__ = [
    "CrawlOptions",
    "CrawlResult",
    "OptionError",
    "Progress",
    "build_settings",
    "run_crawl",
    "run_spider",
]
