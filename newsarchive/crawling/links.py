"""Link rules of the channel spider: which URLs belong to a crawl, and what their dates are.

Pure functions of URL strings (no network, no Scrapy objects), so the rules are testable on
their own and the spider stays a thin list of callbacks.

A crawl's *scope* is a set of channels: a URL is in scope when :func:`newsarchive.urls.channel_of`
names one of them. That covers every host alias of the channel (``gz.news.cn``,
``www.gz.xinhuanet.com``, …), its path prefix on the shared mobile host
(``m.xinhuanet.com/gz/…``) and the big5 gateway copies of all of those
(``big5.news.cn/gate/big5/gz.news.cn/…``) — the latter only when the traditional mirror is on.
National pages (``www.news.cn``) and other channels are out of scope, so the spider never
leaves the channels it was asked for.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from posixpath import splitext
from urllib.parse import urljoin, urlsplit, urlunsplit

from newsarchive import urls

#: File extensions that are never pages (images, media, archives, documents, scripts).
IGNORED_EXTENSIONS: frozenset[str] = frozenset(
    (
        *("7z", "bz2", "rar", "tar", "xz", "zip", "gz", "tgz", "dmg", "iso", "apk", "jar", "exe"),
        *("bmp", "gif", "jpg", "jpeg", "png", "tif", "tiff", "svg", "ico", "webp", "avif", "heic"),
        *("mp3", "wma", "ogg", "wav", "aac", "mid", "m4a", "3gp", "asf", "avi", "mov", "mp4"),
        *("mpg", "rm", "rmvb", "swf", "wmv", "m4v", "flv", "webm"),
        *("pdf", "doc", "docx", "xls", "xlsx", "ppt", "pptx", "odt", "ods", "odp", "txt", "csv"),
        *("css", "js", "json", "xml", "rss", "bin"),
    )
)

_PAGE_SUFFIX_RE = re.compile(r"(/c_\d+)_\d+(\.s?html?)$")
#: A date as list pages print it beside an item: ``2016-09-07``, ``2016/09/07``, ``2016年9月7日``.
_TEXT_DATE_RE = re.compile(r"(20\d{2}|19\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")


_GATEWAY_HREF_RE = re.compile(
    r"""href\s*=\s*["']\s*((?:https?:)?//big5\.(?:news\.cn|xinhuanet\.com)/gate/big5/[^"'\s<>]+)""",
    re.I,
)


def gateway_links(page_text: str, base_url: str) -> list[str]:
    """Links to big5 gateway copies on a page (the 繁体 switch every Xinhua page carries)."""
    found: list[str] = []
    for m in _GATEWAY_HREF_RE.finditer(page_text):
        url = urljoin(base_url, m.group(1))
        if url not in found:
            found.append(url)
    return found


_HREF_RE = re.compile(r"""href\s*=\s*["']\s*([^"'\s<>#]+)""", re.I)


def article_hrefs(page_text: str, base_url: str) -> list[str]:
    """Every article URL a page links to, found by a cheap scan of ``href`` attributes (for
    crawling without the extractor: the crawl benchmark's baseline)."""
    found: list[str] = []
    for m in _HREF_RE.finditer(page_text):
        url = urls.join(base_url, m.group(1))
        if urls.is_article_url(url) and url not in found:
            found.append(url)
    return found


@dataclass(frozen=True, kw_only=True, slots=True)
class Scope:
    """What one crawl may fetch."""

    channels: frozenset[str]
    """Channel codes the crawl covers."""
    big5: bool = True
    """Whether big5 gateway copies of the channels' pages are in scope."""

    def allows(self, url: str) -> bool:
        """Whether ``url`` is an http(s) page of one of the crawl's channels."""
        if not is_page_url(url):
            return False
        return self.allows_host(url)

    def allows_host(self, url: str) -> bool:
        """Whether ``url`` lives on one of the crawl's channels (a host alias of the channel,
        its mobile prefix, a big5 gateway copy when those are in scope), whatever it names:
        the rule for anything the crawl may *request* (a datasource, a redirect target)."""
        if urlsplit(url).scheme not in ("http", "https"):
            return False
        info = urls.parse(url)
        if info.channel not in self.channels:
            return False
        return self.big5 or not info.big5


def is_page_url(url: str) -> bool:
    """Whether ``url`` is an http(s) URL that can be an HTML page (not an image, script, …)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    ext = splitext(parts.path)[1].lower().lstrip(".")
    return ext not in IGNORED_EXTENSIONS


def follow_url(url: str) -> str:
    """The URL to request for a link found on a page.

    Article URLs lose their fragment and query (``c.html?page=2`` is rendered client-side from
    the one document; old-era articles take no parameters), and an old-era ``c_<id>_<n>.htm``
    link becomes page 1, ``c_<id>.htm``: the spider reaches the other pages from page 1 and joins
    them. Other URLs only lose their fragment. Host and scheme are kept as found, so every alias
    the site links to is fetched and recorded.
    """
    parts = urlsplit(url.strip())
    if urls.is_article_url(url):
        path = _PAGE_SUFFIX_RE.sub(r"\1\2", parts.path)
        return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", parts.query, ""))


def text_date(text: str) -> date | None:
    """The first date printed in ``text`` (a list item's text, a datasource ``publishTime``)."""
    m = _TEXT_DATE_RE.search(text)
    if m is None:
        return None
    return _date(m.group(1), m.group(2), m.group(3))


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


@dataclass(frozen=True, kw_only=True, slots=True)
class Window:
    """An inclusive date window (either end open)."""

    since: date | None = None
    until: date | None = None

    @property
    def open(self) -> bool:
        """True when the window does not restrict anything."""
        return self.since is None and self.until is None

    def admits(self, day: date | None) -> bool:
        """Whether ``day`` is inside the window; an unknown date (``None``) is admitted."""
        if day is None:
            return True
        if self.since is not None and day < self.since:
            return False
        return not (self.until is not None and day > self.until)

    def before(self, day: date | None) -> bool:
        """Whether ``day`` is known and older than the window's start."""
        return day is not None and self.since is not None and day < self.since
