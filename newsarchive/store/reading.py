"""Reading whole articles back out of the archive: records and what ``show`` prints.

:func:`article_record` rebuilds the :class:`~newsarchive.records.Article` a row was stored from;
:func:`article_view` adds its URLs, revisions, events and captures.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from newsarchive.records import Article
from newsarchive.store import codec, origins
from newsarchive.store.queries import Filters


def article_record(conn: sqlite3.Connection, row: sqlite3.Row) -> Article:
    """Rebuild the :class:`~newsarchive.records.Article` stored in ``row`` (an ``articles`` row)."""
    article = codec.load(conn, int(row["id"]), row)
    assert article is not None  # the row is given
    return article


def article_by_id(conn: sqlite3.Connection, article_id: int) -> Article | None:
    """The record of article ``article_id``; ``None`` when there is no such row."""
    row = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
    return None if row is None else article_record(conn, row)


def table_names(conn: sqlite3.Connection) -> list[str]:
    """The archive's tables and views by name, without SQLite's and FTS5's internal ones."""
    return [
        str(r[0])
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"
            " AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'articles_fts_%' ORDER BY name"
        )
    ]


def iter_article_rows(
    conn: sqlite3.Connection, filters: Filters, *, limit: int | None = None
) -> Iterator[sqlite3.Row]:
    """``articles`` rows matching ``filters``, oldest publication first, streamed."""
    where, params = filters.where("a")
    sql = f"SELECT a.* FROM articles a WHERE {where} ORDER BY a.published_at, a.id"
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    yield from conn.execute(sql, params)


@dataclass(frozen=True, kw_only=True, slots=True)
class ArticleView:
    """One article with everything ``newsarchive show`` prints."""

    id: int
    article: Article
    status: str
    revision: int
    first_seen: str
    last_seen: str
    duplicate_of: int | None
    similarity: float | None
    urls: list[dict[str, Any]] = field(default_factory=list)
    """Every URL the article was seen under (``article_urls`` rows)."""
    revisions: list[dict[str, Any]] = field(default_factory=list)
    """Earlier versions (``revisions`` rows without the body), oldest first."""
    events: list[dict[str, Any]] = field(default_factory=list)
    """Takedowns and other events, oldest first."""
    captures: list[dict[str, Any]] = field(default_factory=list)
    """Fetches behind the article (no bodies), oldest first."""
    copies: list[int] = field(default_factory=list)
    """Ids of near-copies that point at this article."""


def article_view(conn: sqlite3.Connection, article_id: int) -> ArticleView | None:
    """Everything about one article, or ``None`` if there is no such id."""
    row = conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
    if row is None:
        return None
    url_rows = [
        dict(r)
        for r in conn.execute(
            "SELECT url, kind, first_seen, last_seen FROM article_urls WHERE article_id = ?"
            " ORDER BY first_seen, url",
            (article_id,),
        )
    ]
    revisions = [
        dict(r)
        for r in conn.execute(
            "SELECT revision, replaced_at, changed_fields, headline, published_at, source,"
            " content_hash, capture_id FROM revisions WHERE article_id = ? ORDER BY revision",
            (article_id,),
        )
    ]
    events = [
        dict(r)
        for r in conn.execute(
            "SELECT kind, at, url, status, detail, capture_id FROM events WHERE article_id = ?"
            " ORDER BY at, id",
            (article_id,),
        )
    ]
    capture_ids = {row["capture_id"]}
    capture_ids.update(r["capture_id"] for r in revisions)
    capture_ids.update(r["capture_id"] for r in events)
    capture_ids.update(
        r[0]
        for r in conn.execute(
            "SELECT capture_id FROM article_captures WHERE article_id = ?", (article_id,)
        )
    )
    capture_ids.discard(None)
    seen_urls = [u["url"] for u in url_rows] or [row["canonical_url"]]
    captures = [
        dict(r)
        for r in conn.execute(
            "SELECT id, url, final_url, status, size, sha256, encoding, fetched_at,"
            " last_fetched_at, fetch_count, outcome FROM captures"
            f" WHERE id IN ({', '.join('?' * len(capture_ids)) or 'NULL'})"
            f" OR url IN ({', '.join('?' * len(seen_urls))})"
            " ORDER BY fetched_at, id",
            [*sorted(capture_ids), *seen_urls],
        )
    ]
    where_from = origins.of_captures(conn, [int(c["id"]) for c in captures])
    for capture in captures:
        capture["origins"] = where_from.get(int(capture["id"]), [])
    copies = [
        int(r[0])
        for r in conn.execute(
            "SELECT id FROM articles WHERE duplicate_of = ? ORDER BY id", (article_id,)
        )
    ]
    return ArticleView(
        id=article_id,
        article=article_record(conn, row),
        status=row["status"],
        revision=row["revision"],
        first_seen=row["first_seen"],
        last_seen=row["last_seen"],
        duplicate_of=row["duplicate_of"],
        similarity=row["similarity"],
        urls=url_rows,
        revisions=revisions,
        events=events,
        captures=captures,
        copies=copies,
    )
