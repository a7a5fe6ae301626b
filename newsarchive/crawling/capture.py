"""Scrapy responses and download failures as the archive's evidence records.

Every page the spider fetches becomes a :class:`~newsarchive.records.Capture`: the URL as
requested and the final URL (real host names, also through a mirror), the status, the headers
with lower-cased names, the raw body and the UTC fetch time. Failed downloads become an
error kind as counted in ``crawl_runs.errors_by_kind``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Response
from w3lib.encoding import http_content_type_encoding

from newsarchive import urls
from newsarchive.crawling.offsite import OffsiteRedirect, OffsiteRequest
from newsarchive.crawling.robots import RobotsUnavailable
from newsarchive.records import Capture


def utc_now() -> str:
    """Now, ISO 8601 UTC with seconds (``2026-11-25T10:00:00+00:00``)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def requested_url(response: Response) -> str:
    """The URL the spider asked for (before redirects)."""
    chain = response.meta.get("redirect_urls") or ()
    return str(chain[0]) if chain else response.url


def charset_hint(response: Response) -> str | None:
    """The charset the ``Content-Type`` header declares, if any."""
    content_type = response.headers.get(b"Content-Type")
    if not content_type:
        return None
    return http_content_type_encoding(content_type.decode("latin-1"))


def to_capture(
    response: Response, *, encoding: str | None = None, fetched_at: str | None = None
) -> Capture:
    """The capture of ``response``; ``encoding`` is what the body was decoded with, if it was."""
    chain = tuple(str(u) for u in response.meta.get("redirect_urls") or ())
    headers: list[tuple[str, str]] = []
    for name, values in response.headers.items():
        key = name.decode("latin-1").lower()
        headers.extend((key, value.decode("latin-1")) for value in values)
    return Capture(
        url=chain[0] if chain else response.url,
        final_url=response.url,
        status=response.status,
        headers=tuple(headers),
        body=response.body,
        fetched_at=fetched_at or utc_now(),
        encoding=encoding,
        redirect_urls=chain[1:],
    )


def no_response(url: str) -> Capture:
    """The record of a fetch that got no response at all (timeout, DNS, refused, too large):
    status ``0``, no headers, empty body. It keeps the failed URL in the archive, so a later
    run or an operator can find and fetch it again."""
    return Capture(url=url, final_url=url, status=0, headers=(), body=b"", fetched_at=utc_now())


def is_redirect_home(response: Response) -> bool:
    """An article URL that was redirected to a page that is not an article (Xinhua answers a
    withdrawn article with a redirect to the channel's home page)."""
    chain = response.meta.get("redirect_urls") or ()
    if not chain:
        return False
    return urls.is_article_url(str(chain[0])) and not urls.is_article_url(response.url)


#: Download exception → error kind, most specific first.
_ERROR_KINDS: tuple[tuple[type[BaseException], str], ...] = (
    (DownloadTimeoutError, "timeout"),
    (CannotResolveHostError, "dns"),
    (DownloadConnectionRefusedError, "connection_refused"),
    (DownloadCancelledError, "too_large"),
    (ResponseDataLossError, "data_loss"),
    (DownloadFailedError, "download_failed"),
    (OffsiteRedirect, "offsite_redirect"),
    (OffsiteRequest, "offsite"),
    (RobotsUnavailable, "robots_unavailable"),
    (IgnoreRequest, "refused"),
)


#: IgnoreRequest messages (of Scrapy's middlewares) that name a more precise kind.
_IGNORED_KINDS: tuple[tuple[str, str], ...] = (
    ("Forbidden by robots.txt", "robots_forbidden"),
    ("max redirections", "redirect_loop"),
    # HttpCompressionMiddleware: a decompression bomb, over DOWNLOAD_MAXSIZE once inflated.
    ("during decompression", "too_large"),
)
#: Words in other exception class names (Twisted's, the OS's) → kind.
_NAMED_KINDS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("timeout",), "timeout"),
    (("dns", "lookup"), "dns"),
    (("refused", "connect"), "connection_failed"),
)


def error_kind(exc: BaseException) -> str:
    """The ``errors_by_kind`` key for a failed download."""
    kind = next((k for cls, k in _ERROR_KINDS if isinstance(exc, cls)), None)
    if kind == "refused":
        message = str(exc)
        kind = next((k for text, k in _IGNORED_KINDS if text in message), kind)
    if kind is not None:
        return kind
    name = type(exc).__name__.lower()
    for words, named in _NAMED_KINDS:
        if any(word in name for word in words):
            return named
    return "download_failed"


def stat_key(kind: str) -> str:
    """The Scrapy stats key counting an error kind."""
    return f"newsarchive/errors/{kind}"
