"""Normalise: one Unicode and whitespace form for every text field, never a change of meaning.

* every string is NFC-normalised (canonical composition only: full-width punctuation, which
  carries meaning in Chinese typesetting, stays as printed — folding for comparison happens in
  :mod:`newsarchive.dedup`, not here);
* zero-width characters (U+200B–U+200D, U+2060, U+FEFF) are removed;
* one-line fields (headline, names, captions, link titles, …) have whitespace runs collapsed
  to one space and are trimmed; ideographic spaces (U+3000) used as indentation are stripped;
* paragraphs are trimmed and collapsed the same way; empty paragraphs and empty sections go;
  ``body_text`` is trimmed line by line with at most one blank line between blocks;
* ``canonical_url`` is recomputed with :func:`newsarchive.urls.canonical_url` (idempotent),
  ``channel`` filled from the URL when missing; reporters, editors and keywords lose exact
  repeats (order kept).

Setting: ``NEWSARCHIVE_NORMALISE`` (default on).
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive import urls
from newsarchive.records import Article, Credit, Dateline, Image, Link, PageItem, Section

_ZERO_WIDTH_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_SPACE_RE = re.compile(r"[\s\u3000]+")
_BLANK_LINES_RE = re.compile(r"\n{3,}")


#: What :func:`line` would change besides NFC: a zero-width character, any whitespace but a
#: lone ASCII space between other characters.
_NOT_LINE_RE = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff]|[^\S ]|  |^ | $")


def line(text: str) -> str:
    """A one-line field: NFC, no zero-width characters, whitespace collapsed, trimmed."""
    if _NOT_LINE_RE.search(text) is None and unicodedata.is_normalized("NFC", text):
        return text  # already a line (the extractor's fields nearly always are): no copies
    text = _ZERO_WIDTH_RE.sub("", unicodedata.normalize("NFC", text))
    return _SPACE_RE.sub(" ", text).strip()


def maybe_line(text: str | None) -> str | None:
    """:func:`line` for an optional field; an empty result becomes ``None``."""
    if text is None:
        return None
    return line(text) or None


def block(text: str) -> str:
    """A multi-line field: each line normalised with :func:`line`, at most one blank line."""
    text = _ZERO_WIDTH_RE.sub("", unicodedata.normalize("NFC", text))
    lines = [line(x) for x in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip("\n")


def _unique(values: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v for v in (line(x) for x in values) if v))


def normalise_article(article: Article) -> Article:
    """The normalised copy of ``article`` (see module docstring); idempotent."""
    sections = []
    for s in article.sections:
        paragraphs = tuple(p for p in (line(x) for x in s.paragraphs) if p)
        heading = maybe_line(s.heading)
        if paragraphs or heading:
            sections.append(Section(heading=heading, paragraphs=paragraphs))
    d = article.dateline
    dateline = None
    if d is not None:
        dateline = Dateline(
            agency=maybe_line(d.agency),
            place=maybe_line(d.place),
            date_text=maybe_line(d.date_text),
            raw=line(d.raw),
        )
    canonical = urls.canonical_url(article.canonical_url or article.url)
    return dataclasses.replace(
        article,
        url=article.url.strip(),
        canonical_url=canonical,
        channel=article.channel or urls.channel_of(canonical),
        headline=line(article.headline),
        subtitle=maybe_line(article.subtitle),
        published_at_raw=maybe_line(article.published_at_raw),
        source=maybe_line(article.source),
        dateline=dateline,
        reporters=_unique(article.reporters),
        credits=tuple(
            Credit(role=line(c.role), name=name) for c in article.credits if (name := line(c.name))
        ),
        editors=_unique(article.editors),
        sections=tuple(sections),
        images=tuple(
            Image(src=i.src.strip(), caption=maybe_line(i.caption)) for i in article.images
        ),
        related=tuple(Link(title=line(r.title), url=r.url.strip()) for r in article.related),
        body_text=block(article.body_text),
        keywords=_unique(article.keywords),
    )


class NormalisePipeline:
    """Replace each item's :class:`Article` with its normalised copy."""

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NormalisePipeline:
        if not crawler.settings.getbool("NEWSARCHIVE_NORMALISE", True):
            raise NotConfigured("NEWSARCHIVE_NORMALISE is off")
        return cls()

    def process_item(self, item: Any, spider: Any = None) -> Any:
        if isinstance(item, PageItem) and isinstance(item.result, Article):
            return dataclasses.replace(item, result=normalise_article(item.result))
        return item
