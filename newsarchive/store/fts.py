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


def flush(conn: sqlite3.Connection) -> int:
    """Index every queued article (current text); returns how many. Call inside a
    transaction."""
    conn.execute("DELETE FROM articles_fts WHERE rowid IN (SELECT article_id FROM fts_pending)")
    cur = conn.execute(
        f"INSERT INTO articles_fts(rowid, headline, body) "
        f"SELECT a.id, {FUNCTION}(a.headline), {FUNCTION}(a.body_text) "
        "FROM fts_pending p JOIN articles a ON a.id = p.article_id ORDER BY a.id"
    )
    conn.execute("DELETE FROM fts_pending")
    if cur.rowcount:
        logger.debug("indexed %d articles for full-text search", cur.rowcount)
    return max(cur.rowcount, 0)
