"""The article extractor: pure functions from page bytes (or text) and URL to a record.

* :func:`extract_article` — one page → :class:`~newsarchive.records.Article` or
  :class:`~newsarchive.records.NotAnArticle`; never raises.
* :func:`join_pages` — the records of an old-era multi-page article → one record.
* :func:`extract_generic` — the same with the text-density fallback only (evaluation).
* :func:`decode_page` — bytes → ``(text, encoding)``, raising :class:`UndecodablePage`.

lxml parses the page and locates the template's containers; BeautifulSoup (over the lxml
parser) splits the body container into sections (:mod:`.body`). No network, no database, no
Scrapy. See ``docs/records.md`` for every field.
"""

from __future__ import annotations

from newsarchive.extract.article import extract_article, extract_generic
from newsarchive.extract.decode import UndecodablePage, decode_page
from newsarchive.extract.multipage import join_pages

__all__ = ["UndecodablePage", "decode_page", "extract_article", "extract_generic", "join_pages"]
