"""Pure conversions between records and archive rows, and revision comparison.

No SQL here: :mod:`newsarchive.store.writer` executes; this module only shapes values.

A *revision* is a change in what the article says, judged on folded text
(:func:`newsarchive.textnorm.fold`) so that the big5 mirror copy of an unchanged article is
not a revision. :data:`COMPARED_FIELDS` lists what counts; :func:`record_hash` fingerprints
exactly those fields and :func:`changed_fields` names the ones that differ.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
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


def comparable(record: Mapping[str, Any], folded_body: str | None = None) -> dict[str, object]:
    """The compared fields of an article dict (:meth:`Article.to_dict` shape), folded; image
    and link URLs are compared by :func:`newsarchive.urls.canonical_url` (a page read under
    another host alias or through the big5 gateway resolves them against that host).
    ``sections`` compares the structure (folded headings and paragraph counts): the text
    itself is ``body_text``.
    ``folded_body`` is ``fold(record["body_text"])`` when the caller has it already."""
    out: dict[str, object] = {}
    folded_body = (
        folded_body if folded_body is not None else textnorm.fold(record.get("body_text") or "")
    )
    for name in COMPARED_FIELDS:
        value = record.get(name)
        if name == "body_text":
            out[name] = None  # compared folded, below
            continue
        if name == "sections":
            value = [[s["heading"], len(s["paragraphs"])] for s in value or ()]
        elif name == "images":
            value = [
                {"src": urls.canonical_url(i["src"]), "caption": i.get("caption")}
                for i in value or ()
            ]
        elif name == "related":
            value = [
                {"title": r["title"], "url": urls.canonical_url(r["url"])} for r in value or ()
            ]
        elif name == "dateline" and value is not None:
            value = value.get("raw")
        out[name] = value
    folded = _fold_tree(out)
    assert isinstance(folded, dict)
    folded["body_text"] = folded_body
    return folded


def record_hash(record: Mapping[str, Any], folded_body: str | None = None) -> str:
    """SHA-256 (hex) of :func:`comparable`: equal for unchanged content in either script."""
    text = dumps(comparable(record, folded_body))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def article_record_hash(article: Article, folded_body: str | None = None) -> str:
    """:func:`record_hash` of ``article.to_dict()``, the same value, built from the record's
    attributes without converting the whole record (its paragraphs) to a dict first."""
    fields_ = COMPARED_FIELDS
    assert fields_[9] == "body_text"  # the order below is COMPARED_FIELDS's
    out: dict[str, object] = {
        "headline": article.headline,
        "subtitle": article.subtitle,
        "published_at": article.published_at,
        "source": article.source,
        "dateline": None if article.dateline is None else article.dateline.raw,
        "reporters": list(article.reporters),
        "editors": list(article.editors),
        "credits": [
            {f.name: getattr(c, f.name) for f in dataclasses.fields(c)} for c in article.credits
        ],
        "sections": [[s.heading, len(s.paragraphs)] for s in article.sections],
        "body_text": None,
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
    text = dumps(folded)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changed_fields(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[str]:
    """The :data:`COMPARED_FIELDS` whose folded values differ, in that order."""
    a, b = comparable(old), comparable(new)
    return [name for name in COMPARED_FIELDS if a[name] != b[name]]


def article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` columns taken from the record itself (no ids, times or dedup keys)."""
    d = article.dateline
    return {
        "canonical_url": article.canonical_url,
        "channel": article.channel,
        "xinhua_id": article.xinhua_id,
        "headline": article.headline,
        "subtitle": article.subtitle,
        "published_at": article.published_at,
        "published_at_raw": article.published_at_raw,
        "source": article.source,
        "dateline_agency": d.agency if d else None,
        "dateline_place": d.place if d else None,
        "dateline_date_text": d.date_text if d else None,
        "dateline_raw": d.raw if d else None,
        "body_text": article.body_text,
        "script": article.script,
        "template": article.template,
        "pages": article.pages,
        "encoding": article.encoding,
        "keywords": dumps(list(article.keywords)),
        "reporters": dumps(list(article.reporters)),
        "editors": dumps(list(article.editors)),
    }


def child_rows(article: Article) -> dict[str, list[tuple[Any, ...]]]:
    """Rows for the per-article child tables, without the ``article_id`` column, in order
    ``(position, …)``."""
    return {
        "sections": [
            (i, s.heading, "\n".join(s.paragraphs), len(s.paragraphs))
            for i, s in enumerate(article.sections)
        ],
        "credits": [(i, c.role, c.name) for i, c in enumerate(article.credits)],
        "images": [(i, im.src, im.caption) for i, im in enumerate(article.images)],
        "related_links": [(i, r.title, r.url) for i, r in enumerate(article.related)],
    }


def record_from_rows(
    article: Mapping[str, Any], children: Mapping[str, Sequence[Mapping[str, Any]]]
) -> dict[str, Any]:
    """Rebuild the :meth:`Article.to_dict` form of the current version from its rows
    (used to keep the replaced version in ``revisions.record``)."""
    dateline = None
    if article["dateline_raw"] is not None:
        dateline = {
            "agency": article["dateline_agency"],
            "place": article["dateline_place"],
            "date_text": article["dateline_date_text"],
            "raw": article["dateline_raw"],
        }
    return {
        "url": article["canonical_url"],
        "canonical_url": article["canonical_url"],
        "channel": article["channel"],
        "xinhua_id": article["xinhua_id"],
        "headline": article["headline"],
        "subtitle": article["subtitle"],
        "published_at": article["published_at"],
        "published_at_raw": article["published_at_raw"],
        "source": article["source"],
        "dateline": dateline,
        "reporters": json.loads(article["reporters"]),
        "credits": [{"role": c["role"], "name": c["name"]} for c in children["credits"]],
        "editors": json.loads(article["editors"]),
        "sections": [
            {"heading": s["heading"], "paragraphs": s["text"].split("\n") if s["text"] else []}
            for s in children["sections"]
        ],
        "images": [{"src": i["src"], "caption": i["caption"]} for i in children["images"]],
        "related": [{"title": r["title"], "url": r["url"]} for r in children["related_links"]],
        "body_text": article["body_text"],
        "script": article["script"],
        "template": article["template"],
        "pages": article["pages"],
        "page_urls": [],
        "encoding": article["encoding"],
        "keywords": json.loads(article["keywords"]),
    }


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
        headers=_header_pairs(json.loads(row["headers"])),
        body=bytes(body),
        fetched_at=row["fetched_at"],
        encoding=row["encoding"],
        redirect_urls=tuple(json.loads(row.get("redirect_urls") or "[]")),
    )


def _header_pairs(value: object) -> tuple[tuple[str, str], ...]:
    if isinstance(value, dict):  # a v1 archive written as an object
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, list):
        return tuple((str(k), str(v)) for k, v in value)
    raise ValueError("captures.headers is neither a JSON object nor a list of pairs")
