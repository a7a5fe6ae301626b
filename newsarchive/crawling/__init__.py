"""The crawl: options, the Scrapy runner, link rules, the mirror transport, captures.

This package is the Scrapy side of the core (the spiders in ``spiders/`` use it); the pure
extractor and the record types never import it.

>>> from newsarchive.crawling import CrawlOptions, run_crawl
>>> options = CrawlOptions.from_args({"channels": "gz", "max_pages": "50"})
>>> result = run_crawl(options)  # doctest: +SKIP
"""

from __future__ import annotations

from newsarchive.crawling.crawlrun import Progress
from newsarchive.crawling.options import CrawlOptions, OptionError
from newsarchive.crawling.runner import CrawlResult, build_settings, run_crawl, run_spider

__all__ = [
    "CrawlOptions",
    "CrawlResult",
    "OptionError",
    "Progress",
    "build_settings",
    "run_crawl",
    "run_spider",
]
