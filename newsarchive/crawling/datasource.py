"""The datasource behind Xinhua's script-rendered 2020+ column pages.

A 2020+ column page ships an empty list, ``<ul id="showData0" class="list"
data="datasource:<32 hex>">``, that a script fills from ``ds_<32 hex>.json`` in the same
directory as the page (``../shared/xinhua/STRUCTURE.md`` §6). The JSON holds the rows under
a top-level ``datasource`` key; each row names its page in ``publishUrl`` (absolute, root- or
column-relative) and, for link items, the target in ``linkUrls``, with ``publishTime``
(``2024-05-15 08:58:52``, Beijing time).

Pure functions: page text or JSON bytes in, URLs and rows out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from newsarchive import urls
from newsarchive.crawling.links import text_date

#: An element that a column script fills: ``data="datasource:<32 hex>"``, optionally with
#: ``preview="<dir>/ds_"``, the path prefix of its JSON relative to the page (index pages
#: embed the lists of columns that live in other directories).
_TAG_RE = re.compile(
    r"""<[a-zA-Z][^>]*?\bdata\s*=\s*["']\s*datasource\s*:\s*([0-9a-fA-F]{32})\s*["'][^>]*>"""
)
_PREVIEW_RE = re.compile(r"""\bpreview\s*=\s*["']([^"'<>]*)["']""")
_JSONP_RE = re.compile(r"^\s*[\w.$]*\s*\((.*)\)\s*;?\s*$", re.S)


class BadDatasource(ValueError):
    """The datasource body is not the JSON a column script reads."""


@dataclass(frozen=True, kw_only=True, slots=True)
class DatasourceRow:
    """One item of a column, as its datasource lists it."""

    urls: tuple[str, ...]
    """Absolute URLs of the item: ``publishUrl`` then ``linkUrls``, resolved, unique."""
    title: str | None
    """``showTitle`` or ``title``."""
    published: date | None
    """The date of ``publishTime``."""


def datasource_urls(page_text: str, page_url: str) -> list[str]:
    """The datasource JSON URLs a page declares, in page order, unique.

    ``ds_<id>.json`` beside the page, or ``<preview><id>.json`` when the element carries a
    ``preview`` prefix (``preview="gzyw/ds_"`` on a channel index). Only URLs on the page's
    own host (behind the same big5 gateway): a prefix naming another host is left out.
    """
    found: list[str] = []
    for m in _TAG_RE.finditer(page_text):
        ds_id = m.group(1).lower()
        preview = _PREVIEW_RE.search(m.group(0))
        prefix = preview.group(1).strip() if preview and preview.group(1).strip() else "ds_"
        url = urls.join(page_url, f"{prefix}{ds_id}.json")
        if urls.parse(url).host != urls.parse(page_url).host:
            continue  # a prefix naming another host: never fetched
        if url not in found:
            found.append(url)
    return found


def parse_datasource(body: bytes | str, ds_url: str) -> list[DatasourceRow]:
    """The rows of a datasource JSON fetched from ``ds_url``.

    Accepts the plain JSON object, a bare list of rows, and a JSONP-wrapped body. Raises
    :class:`BadDatasource` for anything else.
    """
    text = body.decode("utf-8-sig", errors="replace") if isinstance(body, bytes) else body
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError:
        m = _JSONP_RE.match(text)
        if m is None:
            raise BadDatasource("not JSON") from None
        try:
            data = json.loads(m.group(1))
        except json.JSONDecodeError as exc:
            raise BadDatasource(f"not JSON inside the callback: {exc}") from None
    rows: Any
    if isinstance(data, dict):
        rows = data.get("datasource")
        if rows is None and isinstance(data.get("data"), dict):
            rows = data["data"].get("list")
    else:
        rows = data
    if not isinstance(rows, list):
        raise BadDatasource("no list of rows under 'datasource'")
    return [row for raw in rows if (row := _row(raw, ds_url)) is not None]


def _row(raw: object, ds_url: str) -> DatasourceRow | None:
    if not isinstance(raw, dict):
        return None
    found: list[str] = []
    candidates: list[object] = [raw.get("publishUrl"), raw.get("LinkUrl")]
    links = raw.get("linkUrls")
    if isinstance(links, list):
        candidates.extend(links)
    elif isinstance(links, str):
        candidates.append(links)
    for value in candidates:
        if isinstance(value, str) and value.strip():
            url = urls.join(ds_url, value.strip())
            if url not in found:
                found.append(url)
    if not found:
        return None
    title = raw.get("showTitle") or raw.get("title") or raw.get("Title")
    when = raw.get("publishTime") or raw.get("PubTime")
    return DatasourceRow(
        urls=tuple(found),
        title=title.strip() if isinstance(title, str) and title.strip() else None,
        published=text_date(when) if isinstance(when, str) else None,
    )
