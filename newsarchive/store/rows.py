"""Pure conversions for the archive: the revision fingerprint, captures ↔ rows, JSON text.

No SQL here: the store executes; this module only shapes values (an article's rows are
:mod:`newsarchive.store.codec`'s).

A *revision* is a change in what the article says, judged on folded text
(:func:`newsarchive.textnorm.fold`) so that the big5 mirror copy of an unchanged article is
not a revision. :data:`COMPARED_FIELDS` lists what counts; :func:`record_hash` fingerprints
exactly those fields and :func:`changed_fields` names the ones that differ.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from newsarchive import textnorm, urls
from newsarchive.records import Article, Capture

#: Article fields whose change makes a new revision (``changed_fields`` uses these names).
COMPARED_FIELDS: tuple[str, ...] = (
    "headline",
    "subtitle",
    "published_at",
    "source",
    "dateline",
    "reporters",
    "editors",
    "credits",
    "sections",
    "body_text",
    "images",
    "related",
    "keywords",
)


def dumps(value: object) -> str:
    """Compact, deterministic JSON (UTF-8 characters kept as is)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def json_list(value: str | None) -> list[Any]:
    """A JSON array column as a list (``[]`` for NULL)."""
    return list(json.loads(value)) if value else []


_SEP = "\ue000"  # a private-use character: fold() keeps it, it is never whitespace or CJK


def _collect(value: object, found: list[str]) -> None:
    if isinstance(value, str):
        found.append(value)
        return
    if isinstance(value, Mapping):
        items: Iterable[object] = value.values()
    elif isinstance(value, list | tuple):
        items = value
    else:
        return
    for v in items:  # leaves inline: most values are strings or None
        if type(v) is str:
            found.append(v)
        elif v is not None:
            _collect(v, found)


def _rebuild(value: object, folded: Iterator[str]) -> object:
    if isinstance(value, str):
        return next(folded)
    if isinstance(value, Mapping):
        return {
            k: next(folded) if type(v) is str else v if v is None else _rebuild(v, folded)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [
            next(folded) if type(v) is str else v if v is None else _rebuild(v, folded)
            for v in value
        ]
    return value


def _fold_tree(value: object) -> object:
    """``value`` with every string replaced by its :func:`textnorm.fold` (one fold call for
    all of them: the per-call cost dominates for the many short fields of an article)."""
    strings: list[str] = []
    _collect(value, strings)
    if not strings:
        return value
    joined = textnorm.fold(_SEP.join(s.replace(_SEP, "") for s in strings))
    parts = [p.strip() for p in joined.split(_SEP)]
    if len(parts) != len(strings):  # cannot happen; stay correct if it ever does
        parts = [textnorm.fold(s) for s in strings]
    return _rebuild(value, iter(parts))


def comparable(article: Article, folded_body: str | None = None) -> dict[str, object]:
    """The :data:`COMPARED_FIELDS` of ``article``, folded: image and link URLs compared by
    :func:`newsarchive.urls.canonical_url` (a page read under another host alias or through the
    big5 gateway resolves them against that host); ``sections`` as the structure (folded
    headings and paragraph counts: the text itself is ``body_text``); ``dateline`` as printed.
    ``folded_body`` is ``fold(article.body_text)`` when the caller has it already."""
    out: dict[str, object] = {
        "headline": article.headline,
        "subtitle": article.subtitle,
        "published_at": article.published_at,
        "source": article.source,
        "dateline": None if article.dateline is None else article.dateline.raw,
        "reporters": list(article.reporters),
        "editors": list(article.editors),
        "credits": [{"role": c.role, "name": c.name} for c in article.credits],
        "sections": [[s.heading, len(s.paragraphs)] for s in article.sections],
        "body_text": None,  # folded whole, below
        "images": [
            {"src": urls.canonical_url(i.src), "caption": i.caption} for i in article.images
        ],
        "related": [{"title": r.title, "url": urls.canonical_url(r.url)} for r in article.related],
        "keywords": list(article.keywords),
    }
    folded = _fold_tree(out)
    assert isinstance(folded, dict)
    folded["body_text"] = (
        folded_body if folded_body is not None else textnorm.fold(article.body_text or "")
    )
    return folded


def record_hash(article: Article, folded_body: str | None = None) -> str:
    """The revision fingerprint (``articles.record_hash``): SHA-256 (hex) of :func:`comparable`,
    equal for unchanged content in either script."""
    text = dumps(comparable(article, folded_body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changed_fields(old: Article, new: Article) -> list[str]:
    """The :data:`COMPARED_FIELDS` whose folded values differ, in that order."""
    a, b = comparable(old), comparable(new)
    return [name for name in COMPARED_FIELDS if a[name] != b[name]]


def capture_row(capture: Capture) -> dict[str, Any]:
    """The ``captures`` columns of one fetch (body zlib-compressed, headers as JSON pairs)."""
    return {
        "url": capture.url,
        "final_url": capture.final_url,
        "status": capture.status,
        "headers": dumps([[k, v] for k, v in capture.headers]),
        "body": zlib.compress(capture.body, 6),
        "compression": "zlib",
        "size": len(capture.body),
        "sha256": hashlib.sha256(capture.body).hexdigest(),
        "encoding": capture.encoding,
        "fetched_at": capture.fetched_at,
        "redirect_urls": dumps(list(capture.redirect_urls)),
    }


def capture_from_row(row: Mapping[str, Any]) -> Capture:
    """Rebuild the :class:`Capture` from its ``captures`` row (body decompressed)."""
    body = row["body"]
    if row["compression"] == "zlib":
        body = zlib.decompress(body)
    elif row["compression"] not in ("", "none", None):
        raise ValueError(f"unknown capture compression {row['compression']!r}")
    return Capture(
        url=row["url"],
        final_url=row["final_url"],
        status=row["status"],
        headers=tuple((str(k), str(v)) for k, v in json.loads(row["headers"])),
        body=bytes(body),
        fetched_at=row["fetched_at"],
        encoding=row["encoding"],
        redirect_urls=tuple(json.loads(row.get("redirect_urls") or "[]")),
    )
