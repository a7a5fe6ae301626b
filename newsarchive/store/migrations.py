"""Opening an archive and upgrading its schema in place.

An archive's schema is ``schema.sql`` (version 1, the original contract) followed by every
migration in :data:`MIGRATIONS`, in order. A fresh archive runs them all; an older archive runs
only the ones it lacks, each in one transaction, recording itself in ``schema_version``. So a
new archive and an upgraded old one always have the same schema, and no step drops data.

Views are not versioned: :func:`migrate` recreates them from ``views.sql`` whenever the
archive's view definitions differ from that file, after the tables are current.

Use :func:`connect` to open an archive (WAL, foreign keys, busy timeout) and :func:`migrate` to
bring it to :data:`SCHEMA_VERSION`. :class:`newsarchive.store.Store` does both.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import sqlite_utils

from newsarchive import dedup, textnorm
from newsarchive.store import _articles
from newsarchive.store import rows as rows_module

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 30_000


class SchemaError(Exception):
    """The archive's schema is newer than this code, or a migration failed."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Migration:
    """One schema step: ``apply`` runs inside a transaction and must keep every row."""

    version: int
    description: str
    apply: Callable[[sqlite_utils.Database], None]


def _sql(name: str) -> str:
    return resources.files("newsarchive.store").joinpath(name).read_text(encoding="utf-8")


def _run_script(db: sqlite_utils.Database, name: str) -> None:
    """Run the SQL file ``name`` statement by statement (``executescript`` would commit the
    open transaction first)."""
    for statement in _statements(name):
        db.execute(statement)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the SQLite file at ``path`` with the archive's settings:
    WAL journal, ``synchronous=NORMAL``, foreign keys on, a 30 s busy timeout, a 64 MiB page
    cache and a WAL checkpoint every 10,000 pages."""
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        db.enable_wal()
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
    # Checkpoint the WAL every ~40 MiB instead of ~4 MiB: index pages that many items touch
    # are copied back once per checkpoint, not once per item (a third of the commit cost).
    db.execute("PRAGMA wal_autocheckpoint = 10000")
    return db


def current_version(db: sqlite_utils.Database) -> int:
    """The archive's schema version: 0 for an empty file; 1 for a v1 archive even when its
    ``schema_version`` table was left empty."""
    if "schema_version" not in db.table_names():
        return 1 if "articles" in db.table_names() else 0
    row = db.execute("SELECT max(version) FROM schema_version").fetchone()
    if row[0] is None:
        return 1 if "articles" in db.table_names() else 0
    return int(row[0])


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _v1(db: sqlite_utils.Database) -> None:
    _run_script(db, "schema.sql")


def _v2(db: sqlite_utils.Database) -> None:
    articles = db.table("articles")
    columns = {c.name for c in articles.columns}
    for name in ("reporters", "editors"):
        if name not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {name} TEXT NOT NULL DEFAULT '[]'")
    for name in ("record_hash", "status_changed_at"):
        if name not in columns:
            db.execute(f"ALTER TABLE articles ADD COLUMN {name} TEXT")
    if "redirect_urls" not in {c.name for c in db.table("captures").columns}:
        db.execute("ALTER TABLE captures ADD COLUMN redirect_urls TEXT NOT NULL DEFAULT '[]'")
    _run_script(db, "schema_v2.sql")
    _backfill_v2(db)


def _backfill_v2(db: sqlite_utils.Database) -> None:
    """Index v1 articles for full-text search and near-copy detection; fill the flattened
    reporter and editor lists from ``credits``."""
    rows = db.execute(
        "SELECT id, headline, body_text, duplicate_of FROM articles WHERE minhash IS NULL"
    ).fetchall()
    for article_id, headline, body_text, duplicate_of in rows:
        db.execute(
            "INSERT OR REPLACE INTO articles_fts(rowid, headline, body) VALUES (?, ?, ?)",
            [article_id, textnorm.fts_text(headline), textnorm.fts_text(body_text)],
        )
        sig = dedup.signature(body_text)
        if sig is None:
            continue
        db.execute("UPDATE articles SET minhash = ? WHERE id = ?", [sig, article_id])
        if duplicate_of is None:
            db.conn.executemany(
                "INSERT OR IGNORE INTO lsh_buckets(bucket, article_id) VALUES (?, ?)",
                [(key, article_id) for key in dedup.band_keys(sig)],
            )
    for column, role in (("reporters", "记者"), ("editors", "责任编辑")):
        db.execute(
            f"""UPDATE articles SET {column} = (
                  SELECT coalesce(json_group_array(name), '[]') FROM (
                    SELECT name FROM credits c WHERE c.article_id = articles.id AND c.role = ?
                    ORDER BY position))
                WHERE {column} = '[]'""",
            [role],
        )
    for (article_id,) in db.execute("SELECT id FROM articles WHERE record_hash IS NULL").fetchall():
        record = _articles.load_record(db.conn, article_id)
        db.execute(
            "UPDATE articles SET record_hash = ? WHERE id = ?",
            [rows_module.record_hash(record), article_id],
        )
    if rows:
        logger.info("schema v2: indexed %d existing articles", len(rows))


def _v3(db: sqlite_utils.Database) -> None:
    _run_script(db, "schema_v3.sql")


def _v4(db: sqlite_utils.Database) -> None:
    """Fill ``articles.encoding`` from the article's capture: crawls before this version
    stored NULL there (the capture always had it)."""
    cursor = db.execute(
        """UPDATE articles SET encoding = (
              SELECT c.encoding FROM captures c WHERE c.id = articles.capture_id)
           WHERE encoding IS NULL AND capture_id IS NOT NULL"""
    )
    if cursor.rowcount:
        logger.info("schema v4: recorded the encoding of %d articles", cursor.rowcount)


def _v5(db: sqlite_utils.Database) -> None:
    """The full-text index form gained each CJK run's last character as a token (so that a
    one-character word is found wherever it stands): queue every article to be indexed
    again. The queue is worked off in batches by the Store that opened the archive (see
    :mod:`newsarchive.store.fts`); until then searches say how many articles wait."""
    cursor = db.execute("INSERT OR IGNORE INTO fts_pending(article_id) SELECT id FROM articles")
    if cursor.rowcount:
        logger.info("schema v5: %d articles queued for the new full-text index", cursor.rowcount)


def _origins(db: sqlite_utils.Database) -> None:
    """``capture_origins``: where each capture came from. Every capture stored so far was
    fetched by the crawler: each gets an origin row ``crawl``."""
    _run_script(db, "schema_v6_origins.sql")
    cursor = db.execute(
        "INSERT OR IGNORE INTO capture_origins(capture_id, origin, captured_at, run_id) "
        "SELECT id, 'crawl', fetched_at, run_id FROM captures"
    )
    if cursor.rowcount:
        logger.info("capture origins: %d crawled captures recorded", cursor.rowcount)


MIGRATIONS: tuple[Migration, ...] = (
    Migration(version=1, description="initial schema (schema.sql)", apply=_v1),
    Migration(
        version=2,
        description="full-text index, LSH buckets, article_captures, reporters/editors columns",
        apply=_v2,
    ),
    Migration(version=3, description="fts_pending: batched full-text indexing", apply=_v3),
    Migration(
        version=4,
        description="articles.encoding filled from the article's capture (was NULL for crawls)",
        apply=_v4,
    ),
    Migration(
        version=5,
        description="full-text index: each CJK run's last character is a token (re-indexed)",
        apply=_v5,
    ),
    # Issue 20 (web archives); its number is the next free one when branches merge.
    Migration(
        version=6,
        description="capture_origins: where each capture came from (crawl, warc, wayback)",
        apply=_origins,
    ),
)

#: The schema version this code writes.
SCHEMA_VERSION = MIGRATIONS[-1].version


def migrate(db: sqlite_utils.Database) -> int:
    """Bring ``db`` to :data:`SCHEMA_VERSION` in place; returns the version it started at.

    All steps run in one transaction: a reader sees the archive at its old version or at the
    new one, never half upgraded (nor a new archive half created), and an upgrade that fails
    leaves the archive as it was. Raises :class:`SchemaError` for an archive written by a
    newer newsarchive.
    """
    with db.atomic():
        return _migrate(db)


def _migrate(db: sqlite_utils.Database) -> int:
    start = current_version(db)
    if start > SCHEMA_VERSION:
        raise SchemaError(
            f"archive schema version {start} is newer than this newsarchive ({SCHEMA_VERSION})"
        )
    for step in MIGRATIONS:
        if step.version <= start:
            continue
        logger.info("migrating archive to schema v%d: %s", step.version, step.description)
        with db.atomic():
            step.apply(db)
            db.execute(
                "INSERT OR REPLACE INTO schema_version(version, applied_at, description) "
                "VALUES (?, ?, ?)",
                [step.version, _now(), step.description],
            )
    if start == 1 and current_version(db) >= 1:
        # A v1 archive created from the DDL alone has no row for version 1.
        db.execute(
            "INSERT OR IGNORE INTO schema_version(version, applied_at, description) "
            "VALUES (1, ?, ?)",
            [_now(), MIGRATIONS[0].description + " (recorded on upgrade)"],
        )
    if _view_sql(db) != _expected_views():
        with db.atomic():
            for name in db.view_names():
                db.execute(f"DROP VIEW IF EXISTS [{name}]")
            _run_script(db, "views.sql")
    return start


def _statements(name: str) -> list[str]:
    out, buffer = [], ""
    for line in _sql(name).splitlines(keepends=True):
        if not buffer and (not line.strip() or line.lstrip().startswith("--")):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            out.append(buffer.strip().rstrip(";"))
            buffer = ""
    if buffer.strip():
        raise SchemaError(f"{name}: incomplete statement at the end: {buffer[:80]!r}")
    return out


def _expected_views() -> list[str]:
    return sorted(_statements("views.sql"))


def _view_sql(db: sqlite_utils.Database) -> list[str]:
    rows = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view'").fetchall()
    return sorted(str(r[0]) for r in rows)
