"""``extract_article``: page bytes (or text) and URL in, one :class:`Article` or a typed
:class:`NotAnArticle` out.

Steps: decode (:mod:`.decode`) → one lxml parse (:mod:`.dom`) → pick the template whose
selector table matches (:mod:`.templates`), else the text-density fallback (:mod:`.generic`)
→ header fields (:mod:`.fields`, :mod:`.dates`) → body container cleaned in lxml, then
split by a BeautifulSoup tree of that container alone (:mod:`.body`, :mod:`.multipage`) →
credits (:mod:`.credits`) → script detection.

Pure: no network, no database, no globals beyond compiled selectors; never raises.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

from newsarchive import textnorm, urls
from newsarchive.extract import credits as credit_grammar
from newsarchive.extract import dates, fields, generic, generic_meta, multipage
from newsarchive.extract.body import Body, body_text, split_body
from newsarchive.extract.container import prune
from newsarchive.extract.decode import UndecodablePage, decode_page, normalise_charset
from newsarchive.extract.dom import HtmlElement, TooDeep, clean, parse_html, select, text_of
from newsarchive.extract.templates import ALL_LINKS, COMMON_DROP, TEMPLATES, Template
from newsarchive.records import (
    Article,
    Credit,
    Dateline,
    Link,
    NotAnArticle,
    Script,
    people,
)

logger = logging.getLogger(__name__)

__all__ = ["detect_script", "extract_article", "extract_generic"]

#: Hosts whose pages the Xinhua template tables apply to (real host, gateway removed).
_XINHUA_HOST_RE = re.compile(r"(?:^|\.)(?:news\.cn|xinhuanet\.com|xinhua\.org|newsxinhua\.com)$")
_XINHUA_TITLE_RE = re.compile(r"新华网|新華網|新华社|新華社|xinhuanet|news\.cn", re.I)
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip-compressed bytes"),
    (b"RIFF", "a RIFF (WebP/AVI) file"),
    (b"\x00\x00\x00", "binary data"),
)
_HTML_HINT_RE = re.compile(
    r"<\s*(?:html|head|body|div|p|title|meta|table|span|h1|!doctype)\b", re.I
)
_NON_SPACE_RE = re.compile(r"\S")
_TRADITIONAL_SAMPLE = 400
_CREDIT_LINE_MAX = 160
_DATELINE_PARAGRAPHS = 3
_canonical_url = lru_cache(maxsize=1024)(urls.canonical_url)


def extract_article(
    page: bytes | str, url: str, *, encoding: str | None = None
) -> Article | NotAnArticle:
    """Turn one fetched page into an :class:`Article`, or say why it is not one.

    ``page`` is the response body (bytes) or already-decoded text; ``url`` the page's URL
    (big5 gateway and mobile URLs allowed); ``encoding``, for bytes, the HTTP charset hint,
    which may be wrong, and for text the encoding it was decoded with (the record's
    ``encoding``). Never raises: undecodable bytes, non-HTML bodies, list, error and empty
    pages come back as :class:`NotAnArticle` with a ``kind`` and a reason.
    """
    try:
        return _extract(page, url, encoding)
    except Exception as exc:  # the extractor's promise is "never raises"; logged loudly
        logger.exception("extractor failure on %s", url)
        return NotAnArticle(
            url=url, kind="unsupported", reason=f"extractor error: {type(exc).__name__}: {exc}"
        )


def extract_generic(
    page: bytes | str, url: str, *, encoding: str | None = None
) -> Article | NotAnArticle:
    """Like :func:`extract_article` but always with the text-density fallback (no template
    tables): for evaluating the fallback on pages a template would otherwise claim."""
    try:
        decoded = _to_text(page, url, encoding)
        if isinstance(decoded, NotAnArticle):
            return decoded
        root = _parse(decoded[0], None, url)
        if isinstance(root, NotAnArticle):
            return root
        return _from_generic(root, url, decoded[1], decoded[0])
    except Exception as exc:  # same promise as extract_article
        logger.exception("generic extractor failure on %s", url)
        return NotAnArticle(
            url=url, kind="unsupported", reason=f"extractor error: {type(exc).__name__}: {exc}"
        )


def _extract(page: bytes | str, url: str, hint: str | None) -> Article | NotAnArticle:
    decoded = _to_text(page, url, hint)
    if isinstance(decoded, NotAnArticle):
        return decoded
    text, used_encoding = decoded
    utf8 = page if used_encoding == "utf-8" and isinstance(page, bytes) else None
    if utf8 is not None and utf8.startswith(b"\xef\xbb\xbf"):
        utf8 = None
    root = _parse(text, utf8, url)
    if isinstance(root, NotAnArticle):
        return root
    matched = _match_template(root, url)
    if matched is not None:
        template, headline, container = matched
        return _from_template(
            root,
            url,
            template,
            headline=headline,
            container=container,
            used_encoding=used_encoding,
            text=text,
        )
    return _from_generic(root, url, used_encoding, text)


def _parse(text: str, utf8: bytes | None, url: str) -> HtmlElement | NotAnArticle:
    """The page's lxml tree, or why there is none (no element; nesting too deep to parse
    whole, which is refused rather than stored short: issue 16)."""
    try:
        root = parse_html(text, utf8)
    except TooDeep as exc:
        return NotAnArticle(url=url, kind="too_deep", reason=str(exc))
    if root is None:
        return NotAnArticle(url=url, kind="empty", reason="no HTML elements in the page")
    return root


def _to_text(
    page: bytes | str, url: str, hint: str | None
) -> tuple[str, str | None] | NotAnArticle:
    """The page as text and the encoding used, or why it is not an HTML page."""
    used_encoding: str | None = None
    if isinstance(page, bytes | bytearray):
        data = bytes(page)
        for magic, what in _BINARY_MAGIC:
            if data.startswith(magic):
                return NotAnArticle(url=url, kind="unsupported", reason=f"not HTML: {what}")
        try:
            text, used_encoding = decode_page(data, hint)
        except UndecodablePage as exc:
            return NotAnArticle(url=url, kind="undecodable", reason=str(exc))
    else:
        text = page  # already decoded: ``hint`` names the encoding it was decoded with
        known = normalise_charset(hint)
        used_encoding = known[1] if known is not None else None
    start = _NON_SPACE_RE.search(text)  # (text.lstrip() would copy the whole page)
    if start is None:
        return NotAnArticle(url=url, kind="empty", reason="empty response body")
    head = text[start.start() : start.start() + 2048]
    if not _HTML_HINT_RE.search(text, 0, 65536):
        what = "looks like JSON" if head[0] in "{[" else "no HTML tags"
        return NotAnArticle(url=url, kind="unsupported", reason=f"not HTML: {what}")
    return text, used_encoding


def _is_xinhua(root: HtmlElement, url: str) -> bool:
    host = multipage.url_info(url).host
    if _XINHUA_HOST_RE.search(host):
        return True
    title = root.findtext(".//title") or ""
    return bool(_XINHUA_TITLE_RE.search(title))


def _match_template(root: HtmlElement, url: str) -> tuple[Template, str, HtmlElement] | None:
    """The first template whose signature matches and whose headline and body container
    are found, with that headline and container."""
    if not _is_xinhua(root, url):
        return None
    for template in TEMPLATES:
        if template.signature is not None and not template.signature(root):
            continue
        headline = fields.headline(root, template)
        if headline is None:
            continue
        container = _container(root, template, headline)
        if container is not None:
            return template, headline, container
    return None


def _container(root: HtmlElement, template: Template, headline: str) -> HtmlElement | None:
    """The first body container with text (``#detail #detailContent`` before ``#detail``).

    A container that holds the headline wraps the whole page (``div#content`` around the
    header and ``div.zw``): a container inside it that does not is the body."""
    for selector in template.body:
        for el in select(root, selector):
            if _has_content(el):
                if _holds_headline(el, template, headline):
                    inner = _inner_container(el, template, headline)
                    if inner is not None:
                        return inner
                return el
    return None


def _has_content(el: HtmlElement) -> bool:
    return any(t.strip() for t in el.itertext()) or el.find(".//img") is not None


def _holds_headline(el: HtmlElement, template: Template, headline: str) -> bool:
    if not headline or headline not in el.text_content():  # the common case, and cheap
        return False
    return any(text_of(h) == headline for sel in template.headline for h in select(el, sel))


def _inner_container(outer: HtmlElement, template: Template, headline: str) -> HtmlElement | None:
    for selector in template.body:
        for el in select(outer, selector):
            if el is outer or not _has_content(el):
                continue
            if not _holds_headline(el, template, headline):
                return el
    return None


def _credit_lines(root: HtmlElement, template: Template) -> list[Credit]:
    """Credits from every credit-line element of the template (nested matches read once)."""
    found: list[Credit] = []
    seen: set[HtmlElement] = set()
    for selector in template.credit_lines:
        for el in select(root, selector):
            if seen and (el in seen or any(a in seen for a in el.iterancestors())):
                continue
            seen.add(el)
            skip = select(el, template.credit_skip) if template.credit_skip is not None else []
            line = text_of(el, skip=skip)
            if len(line) <= _CREDIT_LINE_MAX:  # a credit line, not a block of text
                found.extend(credit_grammar.credit_line(line))
    return found


def _from_template(
    root: HtmlElement,
    url: str,
    template: Template,
    *,
    headline: str,
    container: HtmlElement,
    used_encoding: str | None,
    text: str,
) -> Article | NotAnArticle:
    subtitle = fields.first_subtitle(root, template.subtitle)
    published_at, published_raw = fields.published(root, template)
    source = fields.source(root, template)
    keywords = fields.keywords(root, template)
    line_credits = _credit_lines(root, template)
    if not any(c.role == "责任编辑" for c in line_credits) and _may_print_editor(text):
        line_credits += fields.editor_lines(root)
    related = fields.related_links(root, template.related, url)
    if published_at is None:
        published_at, published_raw = fields.meta_published(root)
    # From here on the container is cleaned in place: the pager printed inside the body
    # gives page_urls (with the template's pager outside it) and leaves the body.
    pager = multipage.remove_pager(container, url)
    page_urls = multipage.page_links(root, template.pagination, url, pager=pager)
    pages = multipage.remove_page_breaks(container) if _has_breaks(text) else 1
    prune(container, template.drop)
    body = split_body(container, url)
    if not body.sections:
        return NotAnArticle(url=url, kind="empty", reason=f"{template.name} page with no body text")
    return _assemble(
        url=url,
        headline=headline,
        subtitle=subtitle,
        published=(published_at, published_raw),
        source=source,
        body=body,
        extra_credits=line_credits,
        related=related,
        keywords=keywords,
        template=template.name,
        pages=pages,
        page_urls=page_urls,
        encoding=used_encoding,
    )


def _has_breaks(text: str) -> bool:
    """Whether the page can hold c.html page-break markers at all (a cheap substring test)."""
    return "xinhuabreak" in text or "agebreak" in text or "AGEBREAK" in text


def _may_print_editor(text: str) -> bool:
    """Whether any text node of the page can hold one of the phrases
    :func:`~.fields.editor_lines` looks for (责任编辑, 責任編輯, 责编, 責編): only the page's
    own characters or a character reference give them (a text node holding a phrase holds
    it in the markup too, written out or with a reference)."""
    return (
        "责任编辑" in text or "责编" in text or "責任編輯" in text or "責編" in text or "&#" in text
    )


def _from_generic(
    root: HtmlElement, url: str, used_encoding: str | None, text: str
) -> Article | NotAnArticle:
    headline, anchor = generic.generic_headline(root)
    machine = generic_meta.machine(root)  # before the density pass strips scripts
    keywords = fields.meta_keywords(root)
    links = generic.article_links(root, url)
    related = generic.related_block_links(root, url)
    # Whatever the pager's markup: every link to another page of this article id.
    page_urls = multipage.page_links(root, ALL_LINKS, url)
    body_el = root.find("body")
    pages = (
        multipage.remove_page_breaks(body_el if body_el is not None else root)
        if _has_breaks(text)
        else 1
    )
    editor_lines = fields.editor_lines(root) if _may_print_editor(text) else []
    candidate = generic.best_body(root, url)
    header = generic_meta.header(machine, root, candidate.element if candidate else None, anchor)
    body: Body | None = None
    if candidate is not None:
        prune(candidate.element, COMMON_DROP)
        body = generic.without_header_lines(split_body(candidate.element, url), headline)
    chars = sum(len(p) for s in body.sections for p in s.paragraphs) if body else 0
    paragraphs = sum(len(s.paragraphs) for s in body.sections) if body else 0
    info = multipage.url_info(url)
    index_url = bool(_XINHUA_HOST_RE.search(info.host)) and info.article_id is None
    verdict = generic.page_kind(
        root, links, chars, paragraphs, candidate, index_url=index_url, base_url=url
    )
    if verdict is not None:
        kind, reason, links = verdict
        return NotAnArticle(url=url, kind=kind, reason=reason, links=links)
    if body is None or not body.sections:
        return NotAnArticle(url=url, kind="empty", reason="no article text found")
    if not headline:
        return NotAnArticle(url=url, kind="empty", reason="no headline found")
    return _assemble(
        url=url,
        headline=headline,
        subtitle=None,
        published=header.published,
        source=header.source,
        body=body,
        extra_credits=editor_lines + header.credits,
        related=related,
        keywords=keywords,
        template="generic",
        pages=pages,
        page_urls=page_urls,
        encoding=used_encoding,
    )


def detect_script(text: str) -> Script:
    """``zh-Hant`` when a sample of ``text`` changes under traditional→simplified conversion
    (at least one ideograph in 25, and two)."""
    window = text[:_TRADITIONAL_SAMPLE]
    converted = textnorm.to_simplified(window)
    if converted == window:  # simplified text: the common case, decided without counting
        return "zh-Hans"
    if len(converted) == len(window):
        changed = sum(1 for a, b in zip(window, converted, strict=True) if a != b)
    else:
        changed = len(set(window) - set(converted))
    ideographs = len(window) - len(textnorm.CJK_RE.sub("", window))
    threshold = max(2, ideographs // 25)
    return "zh-Hant" if changed >= threshold else "zh-Hans"


def _assemble(
    *,
    url: str,
    headline: str,
    subtitle: str | None,
    published: tuple[str | None, str | None],
    source: str | None,
    body: Body,
    extra_credits: list[Credit],
    related: tuple[Link, ...],
    keywords: tuple[str, ...],
    template: str,
    pages: int,
    page_urls: tuple[str, ...],
    encoding: str | None,
) -> Article:
    info = multipage.url_info(url)
    try:
        canonical = _canonical_url(url)
    except ValueError:
        canonical = url
    # The dateline opens the story: the first paragraph, or the second or third after an
    # editor's note or a lead line (``【编者按】…``, a one-line summary).
    opening = [p for s in body.sections for p in s.paragraphs][:_DATELINE_PARAGRAPHS]
    dateline: Dateline | None = next(
        (d for p in opening if (d := dates.parse_dateline(p)) is not None), None
    )
    published_at, published_raw = published
    day = info.path_date  # urls.parse: the project's one reader of a URL's date
    if published_at is None and dateline is not None:
        published_at = dates.dateline_datetime(
            dateline, day.year if day else None, day.month if day else None
        )
        published_raw = dateline.date_text if published_at else None
    if published_at is None and day is not None:
        published_at = dates.dateline_datetime(
            Dateline(agency=None, place=None, date_text=f"{day.month}月{day.day}日", raw=""),
            day.year,
        )
        published_raw = day.isoformat() if published_at else None
    all_credits = credit_grammar.dedupe([*body.credits, *extra_credits])
    # The archive's one rule (records.PEOPLE_ROLES): 记者 are the reporters; 责任编辑 the
    # editors, or 编辑 on old table layouts that print only "编辑：…".
    reporters = people(all_credits, "reporters")
    editors = people(all_credits, "editors")
    text = body_text(body.sections)
    related_links = tuple({link.url: link for link in (*related, *body.related)}.values())
    return Article(
        url=url,
        canonical_url=canonical,
        channel=info.channel,
        xinhua_id=info.article_id,
        headline=clean(headline),
        subtitle=subtitle,
        published_at=published_at,
        published_at_raw=published_raw,
        source=source,
        dateline=dateline,
        reporters=reporters,
        credits=all_credits,
        editors=editors,
        sections=body.sections,
        images=body.images,
        related=related_links,
        body_text=text,
        script=detect_script(headline + text),
        template=template,
        pages=pages,
        page_urls=page_urls,
        encoding=encoding,
        keywords=keywords,
    )
