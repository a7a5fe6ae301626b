"""Captures (HTTP fetches) for :class:`newsarchive.store.Store` (private helpers): storing
them deduplicated on ``(url, sha256)``, and reading them back for re-extraction."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence

from newsarchive import urls
from newsarchive.records import Capture
from newsarchive.store import origins, rows
from newsarchive.store.results import ReextractSource


def add(
    conn: sqlite3.Connection,
    capture: Capture,
    run_id: int | None,
    outcome: str,
    detail: str | None,
) -> int:
    """Insert ``capture`` or, for the same bytes from the same URL, move ``last_fetched_at``
    and ``fetch_count`` (not for a replay of the very same fetch); returns the capture id."""
    row = rows.capture_row(capture)
    row.update(
        last_fetched_at=capture.fetched_at, run_id=run_id, outcome=outcome, outcome_detail=detail
    )
    cur = conn.execute(
        f"INSERT INTO captures({', '.join(row)}) VALUES ({', '.join('?' for _ in row)}) "
        "ON CONFLICT(url, sha256) DO UPDATE SET "
        "last_fetched_at = max(last_fetched_at, excluded.fetched_at), "
        "fetch_count = fetch_count + (excluded.fetched_at <> captures.fetched_at "
        "AND excluded.fetched_at <> captures.last_fetched_at), "
        "outcome = excluded.outcome, outcome_detail = excluded.outcome_detail "
        "RETURNING id",
        list(row.values()),
    )
    capture_id = int(cur.fetchone()[0])
    origins.add(conn, capture_id, capture, run_id)
    return capture_id


def item_urls(conn: sqlite3.Connection, capture_ids: Sequence[int]) -> list[str]:
    """Every URL of the captures: requested, final and intermediate redirect URLs."""
    found: list[str] = []
    for cid in capture_ids:
        row = conn.execute(
            "SELECT url, final_url, redirect_urls FROM captures WHERE id = ?", [cid]
        ).fetchone()
        if row is not None:
            found += [row[0], row[1], *rows.json_list(row[2])]
    return found


def iter_latest(conn: sqlite3.Connection, outcomes: Sequence[str]) -> Iterator[int]:
    """Ids of captures with one of ``outcomes`` that are the latest page-1 capture of their
    URL, in id order, read 200 at a time."""
    marks = ",".join("?" for _ in outcomes)
    last = 0
    while batch := conn.execute(
        f"SELECT c.id FROM captures c WHERE c.id > ? AND c.outcome IN ({marks}) "
        "AND NOT EXISTS (SELECT 1 FROM captures d WHERE d.url = c.url "
        " AND d.outcome IN ('article', 'not_article', 'invalid') "
        " AND (d.last_fetched_at > c.last_fetched_at "
        "  OR (d.last_fetched_at = c.last_fetched_at AND d.id > c.id))) "
        "ORDER BY c.id LIMIT 200",
        [last, *outcomes],
    ).fetchall():
        for (cid,) in batch:
            yield int(cid)
        last = int(batch[-1][0])


def reextract_source(conn: sqlite3.Connection, capture_id: int) -> ReextractSource:
    """The captures behind one page-1 capture: it, then the latest capture of each later page
    of the article it was stored as."""
    conn.row_factory = sqlite3.Row
    try:
        first = conn.execute("SELECT * FROM captures WHERE id = ?", [capture_id]).fetchone()
        link = conn.execute(
            "SELECT article_id FROM article_captures WHERE capture_id = ? AND page = 1 "
            "ORDER BY article_id LIMIT 1",
            [capture_id],
        ).fetchone()
        article_id = None if link is None else int(link[0])
        pages = []
        if article_id is not None:
            pages = conn.execute(
                "SELECT c.* FROM article_captures ac JOIN captures c ON c.id = ac.capture_id "
                "WHERE ac.article_id = ? AND ac.page > 1 AND c.outcome = 'article_page' "
                "ORDER BY ac.page, c.last_fetched_at DESC, c.id DESC",
                [article_id],
            ).fetchall()
        latest: dict[str, sqlite3.Row] = {}
        for page in pages:
            latest.setdefault(page["url"], page)
        chosen = [first, *sorted(latest.values(), key=lambda r: urls.page_number(r["url"]))]
        return ReextractSource(
            capture_ids=tuple(int(r["id"]) for r in chosen),
            captures=tuple(rows.capture_from_row(dict(r)) for r in chosen),
            article_id=article_id,
            outcome=str(first["outcome"]),
        )
    finally:
        conn.row_factory = None
