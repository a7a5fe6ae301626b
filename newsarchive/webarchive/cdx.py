"""CDX servers (the Wayback Machine's CDX API, pywb, any compatible server): the queries
``newsarchive backfill`` sends and how it reads the answers. Pure functions, no I/O.

A query asks for every capture under one host (``url=HOST/*``) between two dates, as JSON
(``output=json``), HTML responses with status 200 only, adjacent identical captures collapsed
(``collapse=digest``), a page at a time (``showResumeKey=true``, ``limit``). The answer's
first row names the fields; a row ``[]`` followed by ``[resume key]`` says there is more.

A capture's bytes are fetched in the replay server's *identity* form,
``REPLAY/<timestamp>id_/<original URL>``: the bytes as archived, no rewriting.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlencode

from newsarchive import channels, urls

#: The Wayback Machine's CDX API and replay prefix (the defaults of ``backfill``).
WAYBACK_CDX = "https://web.archive.org/cdx/search/cdx"
WAYBACK_REPLAY = "https://web.archive.org/web"
#: Common Crawl's index server and the server of its WARC files (``backfill --common-crawl``).
COMMON_CRAWL_INDEX = "https://index.commoncrawl.org"
COMMON_CRAWL_DATA = "https://data.commoncrawl.org"
#: A Common Crawl crawl id (``CC-MAIN-2024-33``).
CRAWL_ID = re.compile(r"CC-MAIN-\d{4}-\d{2}")
PAGE_SIZE = 1000
_REPLAY_TS = re.compile(r"/(\d{14})id_/")
_FIELDS = ("urlkey", "timestamp", "original", "mimetype", "statuscode", "digest", "length")


class CdxError(ValueError):
    """A CDX answer that cannot be read."""


@dataclass(frozen=True, kw_only=True, slots=True)
class CdxCapture:
    """One capture a CDX server lists."""

    timestamp: str
    """14 digits, UTC (``20240731081500``)."""
    original: str
    """The page URL as captured."""
    digest: str
    """The payload digest the server gives (base32 SHA-1 for the Wayback Machine)."""

    @property
    def record_id(self) -> str:
        """The key of this capture in ``capture_origins.record_id``."""
        return f"{self.timestamp} {self.original}"

    @property
    def captured_at(self) -> str:
        return timestamp_iso(self.timestamp)


def common_crawl_index(crawl: str, server: str = COMMON_CRAWL_INDEX) -> str:
    """The CDX endpoint of one Common Crawl crawl (``CC-MAIN-2024-33`` →
    ``https://index.commoncrawl.org/CC-MAIN-2024-33-index``)."""
    return f"{server.rstrip('/')}/{crawl}-index"


def timestamp_iso(timestamp: str) -> str:
    """A 14-digit CDX timestamp as ISO 8601 UTC (``2024-07-31T08:15:00+00:00``)."""
    moment = datetime.strptime(timestamp[:14].ljust(14, "0"), "%Y%m%d%H%M%S")
    return moment.replace(tzinfo=UTC).isoformat(timespec="seconds")


def day(value: str, *, end: bool) -> str:
    """``YYYY-MM-DD`` (or ``YYYY``, ``YYYY-MM``) as a CDX ``from``/``to`` bound."""
    digits = value.replace("-", "")
    pattern = {4: "%Y", 6: "%Y%m", 8: "%Y%m%d"}.get(len(digits))
    try:
        if pattern is None or not digits.isdigit():
            raise ValueError(value)
        datetime.strptime(digits, pattern)
    except ValueError:
        raise ValueError(f"not a date: {value!r} (YYYY-MM-DD)") from None
    return digits.ljust(14, "9" if end else "0")


def url_prefixes(code: str) -> list[str]:
    """What to ask a CDX server for one channel: each of its hosts, and its folder on each
    shared mobile host (``m.xinhuanet.com/gz``)."""
    channel = channels.get(code)
    mobile = channel.mobile.strip("/")
    return [
        *channel.hosts,
        *(f"{host}/{mobile}" for host in sorted(channels.MOBILE_HOSTS) if mobile),
    ]


def query_url(
    cdx: str, host: str, *, since: str | None, until: str | None, resume: str | None = None
) -> str:
    """The CDX query for the captures under ``host``, one page."""
    params: list[tuple[str, str]] = [
        ("url", f"{host}/*"),
        ("output", "json"),
        ("fl", ",".join(_FIELDS)),
        ("filter", "statuscode:200"),
        ("filter", "mimetype:text/html"),
        ("collapse", "digest"),
        ("showResumeKey", "true"),
        ("limit", str(PAGE_SIZE)),
    ]
    if since:
        params.append(("from", day(since, end=False)))
    if until:
        params.append(("to", day(until, end=True)))
    if resume:
        params.append(("resumeKey", resume))
    return f"{cdx}?{urlencode(params)}"


def parse(body: bytes) -> tuple[list[CdxCapture], str | None]:
    """The captures of one answer and the resume key (``None`` on the last page)."""
    text = body.decode("utf-8", "replace").strip()
    if not text:
        return [], None
    try:
        rows = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CdxError(f"the CDX server did not answer JSON: {text[:80]!r}") from exc
    if not isinstance(rows, list) or not rows:
        return [], None
    header = [str(h) for h in rows[0]]
    resume: str | None = None
    found: list[CdxCapture] = []
    body_rows = rows[1:]
    if len(body_rows) >= 2 and body_rows[-2] == [] and len(body_rows[-1]) == 1:
        resume = str(body_rows[-1][0])
        body_rows = body_rows[:-2]
    for row in body_rows:
        if not row:
            continue
        record = dict(zip(header, row, strict=False))
        try:
            found.append(
                CdxCapture(
                    timestamp=str(record["timestamp"]),
                    original=str(record["original"]),
                    digest=str(record.get("digest") or ""),
                )
            )
        except KeyError as exc:
            raise CdxError(f"CDX row without {exc}: {row!r}") from None
    return found, resume


def replay_url(replay: str, timestamp: str, url: str) -> str:
    """The identity (``id_``) replay URL of a capture."""
    return f"{replay.rstrip('/')}/{timestamp}id_/{url}"


def replayed_timestamp(replay_url_: str, default: str) -> str:
    """The timestamp of the capture a replay server answered with (it redirects a request to
    the nearest capture it has)."""
    m = _REPLAY_TS.search(replay_url_)
    return m.group(1) if m else default


def wanted(capture: CdxCapture, channel: str) -> bool:
    """A capture ``backfill`` fetches: an article page (page 1) of ``channel``."""
    return (
        urls.channel_of(capture.original) == channel
        and urls.is_article_url(capture.original)
        and urls.page_number(capture.original) == 1
    )


def original_headers(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The archived response's headers: the Wayback Machine sends them as
    ``X-Archive-Orig-<name>``; other replay servers send them as they are."""
    prefix = "x-archive-orig-"
    orig = [(k[len(prefix) :], v) for k, v in headers if k.lower().startswith(prefix)]
    if not orig:
        return headers
    kept = [(k, v) for k, v in headers if k.lower() == "content-type"]
    return kept + [(k, v) for k, v in orig if k.lower() != "content-type"]
