"""Scrapy's duplicate filter, except that it never drops a redirect.

Xinhua answers a withdrawn article with a redirect to the channel's home page. The home page
was fetched already, so the stock filter would drop the redirected request, and the
withdrawal would never reach the archive. Redirected requests are still recorded as seen.
"""

from __future__ import annotations

from scrapy import Request
from scrapy.dupefilters import RFPDupeFilter


class RedirectAwareDupeFilter(RFPDupeFilter):
    """:class:`~scrapy.dupefilters.RFPDupeFilter` that lets every redirect through."""

    def request_seen(self, request: Request) -> bool:
        seen = super().request_seen(request)
        if seen and request.meta.get("redirect_urls"):
            return False
        return seen
