"""Keeping ``articles_fts`` in step with ``articles``, in batches.

Writing an FTS5 index row by row, one transaction per article, costs more than everything
else the store does for an article together (each commit writes a new index segment). So the
item transaction only queues the article in ``fts_pending``; :func:`flush` indexes the queue in
one transaction. :class:`newsarchive.store.Store` flushes every ``fts_batch`` queued articles,
when it closes, and when it opens (a queue left by a killed process). A revision removes the
old version from the index inside the item's own transaction, so the index never returns a
superseded text; the new text is searchable after the next flush.

The indexed form is :func:`newsarchive.textnorm.fts_text` of the headline and the body,
registered on the connection as the SQL function ``newsarchive_fts_text``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Mapping

from newsarchive import textnorm

logger = logging.getLogger(__name__)

FUNCTION = "newsarchive_fts_text"


def register(conn: sqlite3.Connection) -> None:
    """Make ``newsarchive_fts_text(text)`` available on ``conn``."""
    conn.create_function(
        FUNCTION, 1, lambda text: textnorm.fts_text(text or ""), deterministic=True
    )


def pending(conn: sqlite3.Connection) -> int:
    """How many articles wait to be indexed."""
    return int(conn.execute("SELECT count(*) FROM fts_pending").fetchone()[0])


def flush(
    conn: sqlite3.Connection,
    ready: Mapping[int, tuple[str, str, str]] | None = None,
    *,
    limit: int | None = None,
) -> int:
    """Index the queued articles (current text), the ``limit`` lowest ids of the queue or all
    of it; returns how many left the queue. Call inside a transaction.

    ``ready`` maps an article id to ``(content_hash, headline, body)``: the indexed form
    (:func:`textnorm.folded_fts_text`) the caller computed already from the folded text it
    hashed. It is used only while the row's ``content_hash`` (the hash of exactly that folded
    headline and body) is still that value; otherwise the text is computed here from the row.
    Rows go in in id order, so FTS5 keeps one growing segment per batch (a smaller rowid than
    the last one would flush its pending data early)."""
    ready = ready or {}
    row = conn.execute(
        "SELECT count(*), max(article_id) FROM (SELECT article_id FROM fts_pending "
        "ORDER BY article_id" + ("" if limit is None else f" LIMIT {int(limit)}") + ")"
    ).fetchone()
    count, upto = int(row[0]), row[1]
    if not count:
        return 0
    # The batch: every queued id up to ``upto`` (the queue's lowest ``limit`` ids).
    conn.execute(
        "DELETE FROM articles_fts WHERE rowid IN "
        "(SELECT article_id FROM fts_pending WHERE article_id <= ?)",
        [upto],
    )
    ids = [
        int(r[0])
        for r in conn.execute(
            "SELECT p.article_id FROM fts_pending p JOIN articles a ON a.id = p.article_id "
            "WHERE p.article_id <= ? ORDER BY p.article_id",
            [upto],
        )
    ]
    conn.executemany(
        "INSERT INTO articles_fts(rowid, headline, body) SELECT a.id, "
        f"CASE WHEN a.content_hash IS ?1 THEN ?2 ELSE {FUNCTION}(a.headline) END, "
        f"CASE WHEN a.content_hash IS ?1 THEN ?3 ELSE {FUNCTION}(a.body_text) END "
        "FROM articles a WHERE a.id = ?4",
        [(*ready.get(i, (None, None, None)), i) for i in ids],
    )
    conn.execute("DELETE FROM fts_pending WHERE article_id <= ?", [upto])
    if ids:
        logger.debug("indexed %d articles for full-text search", len(ids))
    return count
