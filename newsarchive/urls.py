"""URL rules: article URL patterns, the big5 gateway, mobile hosts, and canonical URLs.

Pure functions of a URL string; no network.

Two article URL eras exist (see ``../shared/xinhua/STRUCTURE.md`` §1):

* old: ``/YYYY-MM/DD/c_<id>.htm`` with ``c_<id>_<n>.htm`` for page *n* of a multi-page article;
* new: ``/YYYYMMDD/<32 hex>/c.html`` (``?page=N`` is rendered client-side: one document).
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, url_query_cleaner

from newsarchive import channels

OLD_ARTICLE_RE = re.compile(r"/(\d{4}-\d{2})/(\d{2})/c_(\d+)(?:_(\d+))?\.s?html?$")
NEW_ARTICLE_RE = re.compile(r"/(\d{8})/([0-9a-f]{32})/c\.html$")
BIG5_PREFIX_RE = re.compile(r"^/gate/big5/([^/]+)(/.*)?$")
#: A day written as a directory of any path: ``/2006-03/02/`` (``content_….htm`` pages, images)
#: or ``/20231222/`` (c.html pages, other sites' ``/omn/20231222/….html``).
PATH_DATE_RE = re.compile(r"/((?:19|20)\d{2})-(\d{2})/(\d{2})/|/((?:19|20)\d{2})(\d{2})(\d{2})/")

#: Query parameters that only track a click and never select content.
TRACKING_PARAMS: tuple[str, ...] = (
    "utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content",
    "spm", "from", "isappinstalled", "share", "share_token", "tt_from", "timestamp",
    "source", "wd", "eqid", "fbclid", "gclid",
)  # fmt: skip


@dataclass(frozen=True, kw_only=True, slots=True)
class UrlInfo:
    """What a URL says about the page behind it."""

    host: str
    """The real host (the gateway's inner host for big5 URLs), lower-case, no port."""
    path: str
    """The real path (gateway prefix and mobile channel prefix removed)."""
    channel: str | None
    """The channel code, or ``None`` for national and unknown hosts."""
    big5: bool
    """Reached through the traditional-script gateway."""
    mobile: bool
    """Reached through a mobile host."""
    article_id: str | None
    """``c_<id>`` number or ``YYYYMMDD`` + 32 hex, if the path is an article URL."""
    page: int
    """The page number of a multi-page URL (``c_<id>_3.htm`` → 3); 1 otherwise."""
    date: datetime.date | None = None
    """The day an article URL carries (``/2016-09/07/c_…``, ``/20240103/<hex>/c.html``);
    ``None`` for other URLs and for impossible dates (``/2016-13/45/``)."""
    path_date: datetime.date | None = None
    """The first day any URL's path carries as a directory (:data:`PATH_DATE_RE`), article
    URL or not (``/2006-03/02/content_4247001.htm``, ``/omn/20231222/….html``): what the
    extractor dates a page by when the page prints no date. ``None`` without one and for
    impossible dates."""


@lru_cache(maxsize=8192)
def parse(url: str) -> UrlInfo:
    """Split ``url`` into the facts the archive keys on.

    Memoised (the answer is immutable and depends on the URL and the channel registry
    alone): a crawl asks about each link several times (scope, article shape, date window,
    page number), about 35 times a page."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower().rstrip(".")
    path = parts.path or "/"
    big5 = False
    mobile = False
    if host in channels.BIG5_HOSTS:
        # The gateway can be nested (big5.news.cn/gate/big5/big5.xinhuanet.com/gate/big5/…).
        while (m := BIG5_PREFIX_RE.match(path)) is not None:
            big5 = True
            host = m.group(1).lower().split(":")[0]
            path = m.group(2) or "/"
    channel = channels.channel_for_host(host)
    if channel is None and host in channels.MOBILE_HOSTS:
        segment = path.strip("/").split("/", 1)[0]
        if segment in channels.registry():
            mobile = True
            channel = segment
            path = path[len(segment) + 1 :] or "/"
    elif host.startswith("m.") and channels.channel_for_host(host[2:]) is not None:
        mobile = True
        channel = channels.channel_for_host(host[2:])
    article_id: str | None = None
    page = 1
    day: datetime.date | None = None
    if (m := OLD_ARTICLE_RE.search(path)) is not None:
        article_id = m.group(3)
        page = int(m.group(4)) if m.group(4) else 1
        day = _day(m.group(1)[:4], m.group(1)[5:], m.group(2))
    elif (m := NEW_ARTICLE_RE.search(path)) is not None:
        article_id = m.group(1) + m.group(2)
        day = _day(m.group(1)[:4], m.group(1)[4:6], m.group(1)[6:])
    path_day: datetime.date | None = None
    if (m := PATH_DATE_RE.search(path)) is not None:
        path_day = _day(*(g for g in m.groups() if g is not None))
    return UrlInfo(
        host=host,
        path=path,
        channel=channel,
        big5=big5,
        mobile=mobile,
        article_id=article_id,
        page=page,
        date=day,
        path_date=path_day,
    )


def _day(year: str, month: str, day: str) -> datetime.date | None:
    try:
        return datetime.date(int(year), int(month), int(day))
    except ValueError:
        return None


def is_article_url(url: str) -> bool:
    """Whether ``url`` has the shape of an article page of either era."""
    return parse(url).article_id is not None


def channel_of(url: str) -> str | None:
    """The channel code of ``url`` (``gz`` for ``www.gz.xinhuanet.com``, big5 and mobile
    copies included); ``None`` for national pages and other hosts."""
    return parse(url).channel


@lru_cache(maxsize=8192)
def canonical_url(url: str) -> str:
    """The identity URL of the page behind ``url``.

    Folds ``http``/``https``, every host alias of a channel to its canonical host (national
    hosts to ``www.news.cn``), strips the big5 gateway and mobile prefixes, removes the
    ``_N`` page suffix of old multi-page articles, drops the query of article URLs (and only
    tracking parameters of other URLs) and the fragment. A URL that is not a web address
    (``file:``, ``data:``) is its own identity and comes back unchanged. Memoised as
    :func:`parse` is (storing one article asks about its URLs about six times).
    """
    if urlsplit(url.strip()).scheme.lower() not in ("http", "https", ""):
        return url
    info = parse(url)
    if info.channel is not None:
        host = channels.get(info.channel).canonical_host
    elif info.host in channels.NATIONAL_HOSTS:
        host = "www.news.cn"
    else:
        host = info.host
    path = info.path
    if info.article_id is not None:
        m = OLD_ARTICLE_RE.search(path)
        if m is not None and m.group(4):
            path = path[: m.start(4) - 1] + path[m.end(4) :]
        if path.endswith((".html", ".shtml")) and OLD_ARTICLE_RE.search(path):
            path = path[: path.rindex(".")] + ".htm"
        return urlunsplit(("https", host, path, "", ""))
    query = urlsplit(url.strip()).query
    cleaned = url_query_cleaner(
        urlunsplit(("https", host, path, query, "")), TRACKING_PARAMS, remove=True
    )
    return canonicalize_url(cleaned, keep_fragments=False)


def real_url(url: str) -> str:
    """``url`` with the big5 gateway prefix removed (host and path of the original page)."""
    parts = urlsplit(url)
    info = parse(url)
    if not info.big5:
        return url
    return urlunsplit((parts.scheme or "http", info.host, info.path, parts.query, ""))


def big5_url(url: str, gateway: str = "big5.news.cn") -> str:
    """The traditional-script gateway URL for ``url``."""
    parts = urlsplit(url)
    return urlunsplit(("http", gateway, f"/gate/big5/{parts.netloc}{parts.path}", parts.query, ""))


def join(base: str, href: str) -> str:
    """``href`` resolved against the page at ``base``, as the page's links work.

    On a big5 gateway page (``http://big5.news.cn/gate/big5/gz.news.cn/gzyw/index.htm``) a
    root-relative link (``/gzyw/20261003/…/c.html``) or one climbing above the inner site's
    root means the inner site's page: it is resolved against the original page and put back
    behind the same gateway. Anything else is :func:`urllib.parse.urljoin`.
    """
    gateway_page = "/gate/big5/" in base and parse(base).big5
    if not gateway_page or href.startswith(("http://", "https://", "//")):
        return urljoin(base, href)
    return same_gateway(base, urljoin(real_url(base), href))


def same_gateway(page_url: str, url: str) -> str:
    """``url`` behind the big5 gateway that ``page_url`` came through (unchanged when
    ``page_url`` is not a gateway URL or ``url`` already is one)."""
    if not parse(page_url).big5 or parse(url).big5:
        return url
    return big5_url(url, gateway=urlsplit(page_url).hostname or "big5.news.cn")


def page_number(url: str) -> int:
    """The page number of an old-era multi-page URL (1 for page 1 and for other URLs)."""
    return parse(url).page
