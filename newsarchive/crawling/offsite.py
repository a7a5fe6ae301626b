"""The crawl never talks to a host outside its channels: not through a link, a redirect, a
datasource or a robots.txt.

Two downloader middlewares (installed by ``newsarchive.settings``):

* :class:`ScopedRedirectMiddleware` (and :class:`ScopedMetaRefreshMiddleware`) replace
  Scrapy's redirect middlewares: a redirect whose target is outside the crawl's channels is
  not followed. The request fails with :class:`OffsiteRedirect` (error kind
  ``offsite_redirect``), recorded as a fetch that got no answer for the page asked for (never
  as a takedown: the other host's answer is never fetched), so a later run asks again.
  Scrapy follows a redirect first and checks the new request later, after its robots.txt
  middleware has already fetched the other host's robots.txt.
* :class:`ChannelHostsMiddleware`, first in the chain, refuses any request whose host is not
  one of the crawl's channels (:class:`OffsiteRequest`, error kind ``offsite``), and a
  robots.txt request for a host no allowed request went to. The spider's link rules already
  keep to the channels; this is the guarantee at the door, whatever produced the request.

The channels are the spider's ``scope`` (:class:`newsarchive.crawling.links.Scope`); a spider
without one (``reextract`` fetches nothing) is not restricted.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.downloadermiddlewares.redirect import MetaRefreshMiddleware, RedirectMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.utils.httpobj import urlparse_cached

from newsarchive.crawling.links import Scope

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class OffsiteRedirect(IgnoreRequest):
    """A redirect to a host outside the crawl's channels, not followed."""


class OffsiteRequest(IgnoreRequest):
    """A request for a host outside the crawl's channels, not sent."""


def crawl_scope(crawler: Crawler) -> Scope | None:
    """The running spider's channels, if it has any."""
    scope = getattr(crawler.spider, "scope", None)
    return scope if isinstance(scope, Scope) else None


def is_robots_txt(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlparse_cached(request).path == "/robots.txt"
    )


class _ScopedRedirect:
    """Mixin for Scrapy's redirect middlewares: refuse to follow a redirect off the channels."""

    crawler: Crawler

    def _redirect(self, redirected: Request, request: Request, reason: Any) -> Request:
        scope = crawl_scope(self.crawler)
        if scope is not None and not scope.allows_host(redirected.url):
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newsarchive/offsite_redirect_refused")
            logger.warning(
                "not following the redirect (%s) of %s to %s: outside the crawl's channels",
                reason,
                request.url,
                redirected.url,
            )
            raise OffsiteRedirect(f"{request.url} redirects off the channels to {redirected.url}")
        result: Request = super()._redirect(redirected, request, reason)  # type: ignore[misc]
        return result


class ScopedRedirectMiddleware(_ScopedRedirect, RedirectMiddleware):
    """Scrapy's 3xx redirect middleware that never leaves the crawl's channels."""


class ScopedMetaRefreshMiddleware(_ScopedRedirect, MetaRefreshMiddleware):
    """Scrapy's ``<meta http-equiv=refresh>`` middleware that never leaves the channels."""


class ChannelHostsMiddleware:
    """Refuses every request outside the crawl's channels, before anything is sent (even
    robots.txt: only for a host the crawl fetches pages from)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self._hosts: set[str] = set()
        """Hosts (``netloc``) an allowed request went to: their robots.txt may be fetched."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_request(self, request: Request) -> None:
        scope = crawl_scope(self.crawler)
        if scope is None:
            return
        netloc = urlparse_cached(request).netloc.lower()
        if is_robots_txt(request):
            if netloc in self._hosts:
                return
        elif scope.allows_host(request.url):
            self._hosts.add(netloc)
            return
        if self.crawler.stats is not None:
            self.crawler.stats.inc_value("newsarchive/offsite_refused")
        if request.meta.get("redirect_urls"):
            first = request.meta["redirect_urls"][0]
            raise OffsiteRedirect(f"{first} redirects off the channels to {request.url}")
        logger.warning("refused %s: outside the crawl's channels", request.url)
        raise OffsiteRequest(f"{request.url} is outside the crawl's channels")
