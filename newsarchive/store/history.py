"""Read-only questions about what earlier crawls did: the ``crawl_runs`` ledger and the latest
capture of each URL.

The scheduling layer (:mod:`newsarchive.crawlhistory`,
:mod:`newsarchive.crawling.incremental`) asks these
through a read-only connection (:func:`newsarchive.store.queries.connect`), so they never block
the crawl's writer and never write. Every function takes an open connection and returns plain
values; the SQL lives here, beside the schema it reads.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from newsarchive.store.runs import COUNTERS

#: The ``crawl_runs`` columns :func:`runs` returns, in order.
RUN_COLUMNS = (
    "id",
    "started_at",
    "finished_at",
    "spider",
    "channels",
    "options",
    *COUNTERS,
    "errors_by_kind",
    "exit_status",
)


def runs(conn: sqlite3.Connection, *, limit: int | None) -> list[dict[str, Any]]:
    """The newest ``limit`` rows of ``crawl_runs`` (every row with ``None``), newest first,
    as ``{column: value}`` with the columns of :data:`RUN_COLUMNS`."""
    cursor = conn.execute(
        f"SELECT {', '.join(RUN_COLUMNS)} FROM crawl_runs ORDER BY id DESC LIMIT ?",
        (-1 if limit is None else limit,),
    )
    return [dict(zip(RUN_COLUMNS, row, strict=True)) for row in cursor]


def latest_error_captures(conn: sqlite3.Connection, *, since: str) -> list[tuple[str, int, str]]:
    """``(url, status, outcome_detail)`` of every URL whose latest capture is an error
    (``captures.outcome = 'error'``) whose row began (``fetched_at``) at or after ``since``
    (ISO 8601 UTC)."""
    rows = conn.execute(
        "SELECT c.url, c.status, c.outcome_detail FROM captures c"
        " WHERE c.outcome = 'error'"
        " AND julianday(c.fetched_at) >= julianday(?)"
        " AND c.last_fetched_at = (SELECT max(d.last_fetched_at) FROM captures d"
        "  WHERE d.url = c.url)",
        (since,),
    )
    return [(str(url), int(status), str(detail or "")) for url, status, detail in rows]


def latest_statuses(conn: sqlite3.Connection, *, since: str) -> list[tuple[str, int]]:
    """``(url, status)`` of every URL whose latest capture was fetched (``last_fetched_at``)
    at or after ``since`` (ISO 8601 UTC)."""
    rows = conn.execute(
        "SELECT c.url, c.status FROM captures c"
        " WHERE julianday(c.last_fetched_at) >= julianday(?)"
        " AND c.last_fetched_at = (SELECT max(d.last_fetched_at) FROM captures d"
        "  WHERE d.url = c.url)",
        (since,),
    )
    return [(str(url), int(status)) for url, status in rows]


def live_articles_to_revisit(
    conn: sqlite3.Connection, *, since: str, seen_before: str
) -> list[str]:
    """Canonical URLs of live articles published (or, without a date, first seen) at or
    after ``since`` and last fetched before ``seen_before`` (both ISO 8601)."""
    rows = conn.execute(
        "SELECT canonical_url FROM articles WHERE status = 'live'"
        " AND julianday(coalesce(published_at, first_seen)) >= julianday(?)"
        " AND julianday(last_seen) < julianday(?)",
        (since, seen_before),
    )
    return [str(r[0]) for r in rows]
