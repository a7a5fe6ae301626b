"""The mirror transport: fetch real URLs from a ``<host>/<path>`` site copy.

``--mirror http://127.0.0.1:8000`` makes every request for ``https://gz.news.cn/a/b.htm`` go
to ``http://127.0.0.1:8000/gz.news.cn/a/b.htm`` (the layout ``wget --mirror`` writes and
:mod:`newsarchive.mirrorserver` serves). Everything above the transport keeps the real URL: the
request the spider made, the response URL its callbacks see, redirects (``Location`` headers
pointing into the mirror are mapped back), robots.txt (fetched as ``<host>/robots.txt`` from
the copy), the download slots (per real host), and every capture written to the archive.

It is a Scrapy download handler that wraps the standard HTTP/1.1 handler, installed for
``http`` and ``https`` by ``newsarchive.settings``. Without ``NEWSARCHIVE_MIRROR`` it is the
standard handler, unchanged: the production crawl and the demo differ only here.
"""

from __future__ import annotations

import logging
import weakref
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urljoin, urlsplit

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


def mirror_url(url: str, mirror: str) -> str:
    """Where ``url`` lives in the site copy at ``mirror``: ``<mirror>/<host[:port]>/<path>``.

    A query string is kept as part of the file name (``%3F`` + query), as ``wget`` saves it.
    """
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    path = parts.path or "/"
    if parts.query:
        path = f"{path}%3F{parts.query}"
    return f"{mirror.rstrip('/')}/{host}{path}"


def real_url(url: str, mirror: str, *, scheme: str = "http") -> str:
    """The real URL behind a URL into the site copy (inverse of :func:`mirror_url`).

    URLs outside the copy are returned unchanged. The copy does not record schemes, so the
    caller says which one to use (the scheme of the request being answered).
    """
    base = mirror.rstrip("/") + "/"
    if not url.startswith(base):
        return url
    rest = url[len(base) :]
    host, _, path = rest.partition("/")
    path = "/" + path
    query = ""
    if "%3F" in path or "%3f" in path:
        cut = path.lower().index("%3f")
        path, query = path[:cut], unquote(path[cut + 3 :])
    return f"{scheme}://{host}{path}" + (f"?{query}" if query else "")


#: The crawlers whose mirror was announced in the log.
_ANNOUNCED: weakref.WeakSet[Crawler] = weakref.WeakSet()


class MirrorDownloadHandler(HTTP11DownloadHandler):
    """The standard HTTP handler, pointed at ``NEWSARCHIVE_MIRROR`` when that is set."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        mirror: Any = crawler.settings.get("NEWSARCHIVE_MIRROR")
        self.mirror: str | None = str(mirror).rstrip("/") if mirror else None
        if self.mirror and crawler not in _ANNOUNCED:  # one handler per scheme; one line
            _ANNOUNCED.add(crawler)
            logger.info("fetching every page from the site copy at %s", self.mirror)

    async def download_request(self, request: Request) -> Response:
        if not self.mirror:
            return await super().download_request(request)
        target = request.replace(url=mirror_url(request.url, self.mirror))
        response = await super().download_request(target)
        location = response.headers.get(b"Location")
        if location:
            # Resolve against the URL actually fetched: a relative Location points into the copy.
            absolute = urljoin(target.url, location.decode("latin-1"))
            real = real_url(absolute, self.mirror, scheme=urlsplit(request.url).scheme)
            response.headers[b"Location"] = real.encode("latin-1")
        return response.replace(url=request.url)
