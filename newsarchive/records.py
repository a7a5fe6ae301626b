"""The record types: what an article page becomes, and what a fetched page was.

Every type here is a frozen, keyword-only dataclass. An :class:`Article` is built in exactly
one place, the extractor (:mod:`newsarchive.extract`); pipelines and the store only read it or
derive new ones with :func:`dataclasses.replace`.

Conventions for every field below:

* Text is Unicode as printed on the page, in the page's own script (simplified or traditional);
  whitespace is collapsed and leading ideographic indentation (U+3000) stripped.
* Times are ISO 8601 strings with their UTC offset. Xinhua prints Beijing time without a zone,
  so times taken from a page carry ``+08:00`` (Asia/Shanghai). Times made by newsarchive itself
  (fetch times) are UTC with ``+00:00``.
* URLs are absolute ``http(s)`` URLs.
* Sequences are tuples, in page order.

The JSON form (:meth:`Article.to_dict`) uses the same field names; tuples become lists and
nested records become objects. ``docs/records.md`` documents every field and a test keeps the
two in step.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, cast

Script = Literal["zh-Hans", "zh-Hant"]

#: Why a page is not an article (the ``kind`` of :class:`NotAnArticle`).
NotArticleKind = Literal[
    "list",  # a channel index, column or other list of links
    "error",  # an error, login, captcha or "page not found" page served as 200
    "empty",  # an article shell with no headline or no body
    "undecodable",  # bytes that decode to no text in any plausible encoding
    "unsupported",  # not HTML at all (an image, a PDF, JSON)
    "too_deep",  # elements nested deeper than the HTML parser builds (2,048 levels): refused
]


@dataclass(frozen=True, kw_only=True, slots=True)
class Dateline:
    """The dateline that opens a wire story, e.g. ``新华社贵阳11月27日电``."""

    agency: str | None
    """The issuing agency as printed (``新华社``, ``新華社``, ``新华网``); ``None`` if absent."""
    place: str | None
    """The place name as printed (``贵阳``); ``None`` if absent."""
    date_text: str | None
    """The date as printed, without year normally (``11月27日``); ``None`` if absent."""
    raw: str
    """The whole dateline as printed, including ``电`` (``新华社贵阳11月27日电``)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Credit:
    """One credited person."""

    role: str
    """The role in simplified script as a canonical label: ``记者``, ``通讯员``,
    ``实习生``, ``摄影``, ``作者``, ``编辑``, ``责任编辑``, ``校对``, ``视频``, ``制图``,
    ``策划``, ``统筹``, …"""
    name: str
    """The person's name as printed (page script), inner spaces removed (``鲁毅``)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Section:
    """A run of body paragraphs under one in-body subheading."""

    heading: str | None
    """The subheading as printed; ``None`` for the lead section before the first subheading."""
    paragraphs: tuple[str, ...]
    """The section's paragraphs, in order, as plain text."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Image:
    """An image in the article body."""

    src: str
    """Absolute URL of the image (relative ``src`` resolved against the page URL)."""
    caption: str | None
    """The caption paragraph that goes with the image (``图为…``), or ``None``."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Link:
    """A related-reading link printed with the article."""

    title: str
    """The link text."""
    url: str
    """Absolute URL of the linked page."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Article:
    """One news article, as extracted from one page (or several joined pages)."""

    url: str
    """The URL the page was fetched from (page 1 for joined multi-page articles)."""
    canonical_url: str
    """The article's identity URL (:func:`newsarchive.urls.canonical_url`): https, the
    channel's current host, no big5 gateway, no mobile host, no page suffix, no query."""
    channel: str | None
    """The provincial channel code from the URL (``gz``, ``he``, ``nmg``); ``None`` for
    national (www.news.cn / www.xinhuanet.com) and foreign pages."""
    xinhua_id: str | None
    """Xinhua's id from the URL: the ``c_<id>`` number (old era) or the 8-digit date plus
    32 hex digits (c.html era); ``None`` if the URL has neither."""
    headline: str
    """The headline as printed."""
    subtitle: str | None
    """A sub-headline (副标题 / 引题) when the page prints one, else ``None``."""
    published_at: str | None
    """Publication time, ISO 8601 with offset (``2023-11-27T10:46:00+08:00``); seconds are
    ``00`` when the page prints none; ``None`` when no date could be parsed."""
    published_at_raw: str | None
    """The publication time exactly as printed on the page, for audit."""
    source: str | None
    """The 来源 outlet as printed (``贵州日报``, ``新华网``); the visible line wins over
    ``meta[name=source]``. ``None`` if the page prints none."""
    dateline: Dateline | None
    """The wire dateline of the first paragraph, if any."""
    reporters: tuple[str, ...]
    """Reporter names (记者) from the dateline byline and in-body bylines, in order, unique:
    ``people(credits, "reporters")`` (see :func:`people`)."""
    credits: tuple[Credit, ...]
    """Every credited person with their role (reporters and editors included), in order."""
    editors: tuple[str, ...]
    """The 责任编辑 (responsible editor) names; on pages that print only ``编辑``, those:
    ``people(credits, "editors")`` (see :func:`people`)."""
    sections: tuple[Section, ...]
    """The body: ordered sections; the first has ``heading=None`` when the body opens with text."""
    images: tuple[Image, ...]
    """Body images with their captions, in order."""
    related: tuple[Link, ...]
    """Related-reading links printed with the article."""
    body_text: str
    """The sections as plain text: each heading and paragraph on its own line, sections separated
    by a blank line. Captions, credits lines and widgets are not part of it."""
    script: Script
    """``zh-Hant`` when the body is in traditional characters (the big5 mirror),
    else ``zh-Hans``."""
    template: str
    """The template family that matched (``provincial_old``, ``provincial_chtml``, ``xl2019``,
    ``newpage2020``, …) or ``generic`` for the text-density fallback."""
    pages: int
    """How many pages were joined into this record (1 for a single page)."""
    page_urls: tuple[str, ...] = ()
    """For an old-era multi-page article read from page 1: the absolute URLs of the *other*
    pages (``c_<id>_2.htm`` …) still to be fetched and joined; empty once joined."""
    encoding: str | None = None
    """The character encoding the page bytes were decoded with (``utf-8``, ``gb18030``,
    ``big5``); ``None`` when the extractor was given text."""
    keywords: tuple[str, ...] = ()
    """Keyword tags the page declares (``meta[name=keywords]`` or the tag list)."""

    def to_dict(self) -> dict[str, Any]:
        """The JSON-ready form: tuples as lists, nested records as dicts."""
        return cast(dict[str, Any], _to_jsonable(self))


@dataclass(frozen=True, kw_only=True, slots=True)
class NotAnArticle:
    """The typed result for a page that is not an article."""

    url: str
    """The page URL."""
    kind: NotArticleKind
    """Why, as a category (see :data:`NotArticleKind`)."""
    reason: str
    """A human-readable reason, for logs and the ``extract`` command."""
    links: tuple[str, ...] = ()
    """For ``kind="list"``: absolute URLs of article links found on the page."""

    def to_dict(self) -> dict[str, Any]:
        return cast(dict[str, Any], _to_jsonable(self))


@dataclass(frozen=True, kw_only=True, slots=True)
class CaptureOrigin:
    """Where a capture came from, when not from newsarchive's own crawler: a record of a web
    archive (stored in the ``capture_origins`` table)."""

    origin: str
    """``warc`` (a WARC/ARC file or WACZ package given to ``newsarchive import``), ``wayback``
    (a CDX server's capture fetched by ``newsarchive backfill``), ``commoncrawl`` (a Common
    Crawl record fetched by ``backfill --common-crawl``), ``crawl`` (newsarchive's crawler)."""
    source: str = ""
    """The WARC/ARC file (absolute path; ``PACKAGE.wacz#archive/NAME`` inside a WACZ), the CDX
    server URL, or the Common Crawl WARC file's URL; empty for a crawl."""
    record_id: str = ""
    """The ``WARC-Record-ID`` (``<urn:uuid:…>``), or for a CDX capture its 14-digit timestamp
    and original URL separated by a space; empty for a crawl."""
    offset: int | None = None
    """Byte offset of the record in the (compressed) file; ``None`` when not from a file."""
    payload_digest: str | None = None
    """The archive's payload digest as it gave it (``sha1:<base32>``), if it gave one."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Capture:
    """One HTTP fetch, kept as evidence behind every archived row."""

    url: str
    """The URL as requested, with real host names (also when fetched through a mirror)."""
    final_url: str
    """The URL after redirects (real host names)."""
    status: int
    """HTTP status code of the final response."""
    headers: tuple[tuple[str, str], ...]
    """Response headers as (name, value) pairs, names lower-cased, in order received."""
    body: bytes
    """The raw response body, as received (decompressed transfer encoding, no charset decoding)."""
    fetched_at: str
    """When the response arrived, ISO 8601 UTC (``2026-11-25T10:00:00+00:00``)."""
    encoding: str | None = None
    """The encoding the body was decoded with for extraction, if it was decoded."""
    redirect_urls: tuple[str, ...] = field(default=())
    """Intermediate URLs when the request was redirected, in order."""
    origin: CaptureOrigin | None = None
    """Where the capture came from when it was read from a web archive; ``None`` for a fetch
    by newsarchive's crawler (recorded as origin ``crawl``) and for a stored capture read
    back (re-extraction keeps the origins already recorded)."""


#: Who counts as what: every people list (the record's ``reporters`` and ``editors``, the
#: export's people columns, the ``articles_flat`` view) is drawn from the credits by this table
#: through :func:`people` (or, in SQL, :func:`newsarchive.store.flat.people_sql`). Each entry
#: is a list of role tiers: the names come from the first tier any credit of the article has.
PEOPLE_ROLES: dict[str, tuple[tuple[str, ...], ...]] = {
    "reporters": (("记者",),),
    "authors": (("作者",),),
    "correspondents": (("通讯员",),),
    "interns": (("实习生",),),
    "photographers": (("摄影", "摄影记者", "图片"),),
    "video": (("视频", "摄像"),),
    "graphics": (("制图", "设计"),),
    # Old table layouts print only "编辑：…", the page's one editor credit.
    "editors": (("责任编辑",), ("编辑",)),
    "proofreaders": (("校对",),),
    "planners": (("策划", "统筹", "监制"),),
}


def people_of_pairs(pairs: Sequence[tuple[str, str]], kind: str) -> tuple[str, ...]:
    """:func:`people` over ``(role, name)`` pairs in page order."""
    for tier in PEOPLE_ROLES[kind]:
        names = tuple(dict.fromkeys(name for role, name in pairs if role in tier))
        if names:
            return names
    return ()


def people(credits: Iterable[Credit], kind: str) -> tuple[str, ...]:
    """The names of one kind of people (a key of :data:`PEOPLE_ROLES`: ``reporters``,
    ``editors``, ``photographers``, …) among ``credits``: the credits whose role is in the
    first tier of that kind any credit has, in page order, each name once."""
    return people_of_pairs([(c.role, c.name) for c in credits], kind)


def _to_jsonable(value: object) -> object:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _to_jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, tuple | list):
        return [_to_jsonable(v) for v in value]
    if isinstance(value, bytes):
        raise TypeError("bytes are not JSON; drop Capture.body before serialising")
    return value


def article_from_dict(data: dict[str, Any]) -> Article:
    """Rebuild an :class:`Article` from :meth:`Article.to_dict` output (e.g. a JSON file).
    JSON written before the field was renamed ``xinhua_id`` (``article_id``) is read too."""
    fields = dict(data)
    if "article_id" in fields and "xinhua_id" not in fields:
        fields["xinhua_id"] = fields.pop("article_id")
    if fields.get("dateline") is not None:
        fields["dateline"] = Dateline(**fields["dateline"])
    fields["credits"] = tuple(Credit(**c) for c in fields.get("credits", ()))
    fields["sections"] = tuple(
        Section(heading=s["heading"], paragraphs=tuple(s["paragraphs"]))
        for s in fields.get("sections", ())
    )
    fields["images"] = tuple(Image(**i) for i in fields.get("images", ()))
    fields["related"] = tuple(Link(**r) for r in fields.get("related", ()))
    for name in ("reporters", "editors", "page_urls", "keywords"):
        fields[name] = tuple(fields.get(name, ()))
    return Article(**fields)


@dataclass(frozen=True, kw_only=True, slots=True)
class PageItem:
    """What a spider hands to the item pipelines for one fetched page.

    For an old-era multi-page article the spider fetches the other pages first and yields one
    item whose ``result`` is the joined :class:`Article` and whose ``captures`` hold every page,
    page 1 first.
    """

    captures: tuple[Capture, ...]
    """The fetches behind this item, page 1 first (at least one)."""
    result: Article | NotAnArticle | None
    """The extraction result; ``None`` when there was nothing to extract (HTTP error status,
    a redirect to a home page, a failed download)."""
    error: str | None = None
    """For ``result=None``: the error kind (``http_404``, ``http_500``, ``redirect_home``,
    ``timeout``, ``undecodable``, ``too_large``, …) as counted in ``crawl_runs.errors_by_kind``."""
    invalid: str | None = None
    """Set by the validate pipeline for an :class:`Article` that cannot be archived as one
    (``no_headline``, ``no_body``, ``no_date``, ``bad_date``, ``no_url``): the store keeps its
    captures (outcome ``invalid``) and then drops the item."""
    discovered: tuple[str, ...] = ()
    """The links this page made the crawl request (list pages, articles; set by
    :class:`newsarchive.crawling.frontier.FrontierMiddleware`): the store records them in the
    crawl frontier as pending in this item's own transaction, so a page is never counted
    stored without the links found on it."""


@dataclass(frozen=True, kw_only=True, slots=True)
class FrontierNote:
    """Frontier bookkeeping with no page to store: links found by a response that yielded no
    :class:`PageItem` (a later page of an article sending the crawl to page 1), or a request
    that ended without a page (robots.txt forbids it)."""

    discovered: tuple[str, ...] = ()
    """URLs the crawl requested: recorded pending."""
    settled: tuple[str, ...] = ()
    """URLs the crawl is done with, for the reason in ``error``."""
    error: str | None = None
    """Why ``settled`` ended without a page (``robots_forbidden``); ``None``: they are done."""
