"""Send every request through the configured proxy (``NEWSARCHIVE_PROXY``).

A downloader middleware placed before Scrapy's ``HttpProxyMiddleware``, which does the actual
proxying (including ``Proxy-Authorization`` from credentials in the URL). Requests that name
their own proxy in ``meta["proxy"]`` keep it. Inactive when the setting is empty.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

logger = logging.getLogger(__name__)


class ProxyMiddleware:
    def __init__(self, proxy: str) -> None:
        self.proxy = proxy

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProxyMiddleware:
        proxy = str(crawler.settings.get("NEWSARCHIVE_PROXY") or "").strip()
        if not proxy:
            raise NotConfigured  # no proxy: nothing to do, nothing to report
        parts = urlsplit(proxy)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"NEWSARCHIVE_PROXY {proxy!r} is not an http(s)://host:port URL")
        logger.info("sending every request through the proxy at %s", parts.hostname)
        return cls(proxy)

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        request.meta.setdefault("proxy", self.proxy)
