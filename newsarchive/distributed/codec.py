"""The wire form of a :class:`~newsarchive.records.PageItem` on the Redis item queue.

One queued item is one UTF-8 JSON document, readable with ``redis-cli LINDEX``::

    {"v": 1,
     "captures": [{"url": ..., "final_url": ..., "status": 200, "headers": [["content-type", ...]],
                   "body_z": "<base64 of the zlib-compressed body>", "fetched_at": ...,
                   "encoding": "utf-8", "redirect_urls": []}],
     "result": {"type": "article", ...Article.to_dict()...}
               | {"type": "not_article", "url": ..., "kind": ..., "reason": ..., "links": [...]}
               | null,
     "error": null}

Bodies are compressed before base64 (HTML shrinks four- to sixfold), so a queued article costs
Redis roughly a third of its raw page size. :func:`decode_item` is the exact inverse of
:func:`encode_item`: ``decode_item(encode_item(x)) == x`` for every ``PageItem``.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any

from newsarchive.records import (
    Article,
    Capture,
    NotAnArticle,
    PageItem,
    article_from_dict,
)

#: Version of the wire form; :func:`decode_item` refuses any other.
WIRE_VERSION = 1


class BadQueueItem(ValueError):
    """A queued payload that is not a PageItem in a wire form this version reads."""


def encode_item(item: PageItem) -> bytes:
    """The queue payload for *item* (UTF-8 JSON bytes)."""
    doc = {
        "v": WIRE_VERSION,
        "captures": [_capture_to_dict(c) for c in item.captures],
        "result": _result_to_dict(item.result),
        "error": item.error,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def decode_item(payload: bytes | str) -> PageItem:
    """The :class:`PageItem` a payload from :func:`encode_item` stands for.

    Raises :class:`BadQueueItem` for anything else (not JSON, another wire version, missing or
    mistyped fields), so the writer can set the payload aside instead of crashing on it.
    """
    try:
        doc = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadQueueItem(f"not JSON: {exc}") from exc
    if not isinstance(doc, dict) or doc.get("v") != WIRE_VERSION:
        version = doc.get("v") if isinstance(doc, dict) else None
        raise BadQueueItem(f"unknown wire version {version!r} (this reader: {WIRE_VERSION})")
    try:
        return PageItem(
            captures=tuple(_capture_from_dict(c) for c in doc["captures"]),
            result=_result_from_dict(doc["result"]),
            error=doc.get("error"),
        )
    except (KeyError, TypeError, ValueError, zlib.error) as exc:
        raise BadQueueItem(f"malformed item: {exc!r}") from exc


def item_url(item: PageItem) -> str:
    """The URL an item is about (its first capture), for log lines."""
    return item.captures[0].url if item.captures else "<no capture>"


def _capture_to_dict(capture: Capture) -> dict[str, Any]:
    return {
        "url": capture.url,
        "final_url": capture.final_url,
        "status": capture.status,
        "headers": [list(pair) for pair in capture.headers],
        "body_z": base64.b64encode(zlib.compress(capture.body, 6)).decode("ascii"),
        "fetched_at": capture.fetched_at,
        "encoding": capture.encoding,
        "redirect_urls": list(capture.redirect_urls),
    }


def _capture_from_dict(data: dict[str, Any]) -> Capture:
    return Capture(
        url=data["url"],
        final_url=data["final_url"],
        status=int(data["status"]),
        headers=tuple((str(name), str(value)) for name, value in data["headers"]),
        body=zlib.decompress(base64.b64decode(data["body_z"], validate=True)),
        fetched_at=data["fetched_at"],
        encoding=data.get("encoding"),
        redirect_urls=tuple(data.get("redirect_urls", ())),
    )


def _result_to_dict(result: Article | NotAnArticle | None) -> dict[str, Any] | None:
    if result is None:
        return None
    kind = "article" if isinstance(result, Article) else "not_article"
    return {"type": kind, **result.to_dict()}


def _result_from_dict(data: dict[str, Any] | None) -> Article | NotAnArticle | None:
    if data is None:
        return None
    fields = dict(data)
    kind = fields.pop("type")
    if kind == "article":
        return article_from_dict(fields)
    if kind == "not_article":
        fields["links"] = tuple(fields.get("links", ()))
        return NotAnArticle(**fields)
    raise ValueError(f"unknown result type {kind!r}")
