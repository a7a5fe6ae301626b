"""Opening an archive and upgrading its schema in place.

An archive's schema is ``schema.sql`` (version 1, the original contract) followed by every
migration in :data:`MIGRATIONS`, in order. A fresh archive runs them all; an older archive runs
only the ones it lacks, each in one transaction, recording itself in ``schema_version``. So a
new archive and an upgraded old one always have the same schema, and no step drops data.

Views are not versioned: :func:`migrate` recreates them from ``views.sql`` (its ``$name``
parts filled in by :func:`newsarchive.store.flat.view_parts`) whenever the archive's view
definitions differ from it, after the tables are current.

Use :func:`connect` to open an archive (WAL, foreign keys, busy timeout) and :func:`migrate` to
bring it to :data:`SCHEMA_VERSION`. :class:`newsarchive.store.Store` does both.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from string import Template

import sqlite_utils

from newsarchive import dedup, textnorm
from newsarchive.archivefile import check_archive
from newsarchive.records import people_of_pairs
from newsarchive.store import codec, flat, frontier, history, rows, wal

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
    for statement in _statements(name, _sql(name)):
        db.execute(statement)


def connect(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the SQLite file at ``path`` with the archive's settings:
    WAL journal (bounded: :mod:`newsarchive.store.wal`), ``synchronous=NORMAL``, foreign keys
    on, a 30 s busy timeout and a 64 MiB page cache. Raises
    :class:`newsarchive.archivefile.NotAnArchive`, leaving the file as it was, when ``path``
    holds something else than an archive (or nothing yet)."""
    check_archive(path)
    conn = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
    db = sqlite_utils.Database(conn)
    db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    if str(path) != ":memory:":
        wal.keep_log_on_close(conn)
        db.enable_wal()
        wal.configure(db.conn)  # the log bounded (checkpoint size, size limit)
    db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA cache_size = -65536")  # 64 MiB page cache
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
    """Index v1 articles for full-text search and near-copy detection. (Their record
    fingerprints are filled by v6, once the rows hold the whole record.)"""
    rows_ = db.execute(
        "SELECT id, headline, body_text, duplicate_of FROM articles WHERE minhash IS NULL"
    ).fetchall()
    for article_id, headline, body_text, duplicate_of in rows_:
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
    if rows_:
        logger.info("schema v2: indexed %d existing articles", len(rows_))


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


def _v6(db: sqlite_utils.Database) -> None:
    """A schema researchers can read: paragraphs and keywords get tables of their own;
    ``articles.reporters``/``editors`` (JSON copies of ``credits``) and ``articles.keywords``,
    ``sections.text``/``paragraphs`` go; every ``captures.headers`` is a list of pairs and every
    ``revisions.record`` names Xinhua's id ``xinhua_id``, as the record does."""
    conn = db.conn
    for name in db.view_names():  # they read the columns that go; migrate() recreates them
        db.execute(f"DROP VIEW IF EXISTS [{name}]")
    _run_script(db, "schema_v6.sql")
    _split_paragraphs(conn)
    conn.execute(
        "INSERT INTO keywords(article_id, position, keyword) "
        "SELECT a.id, j.key, j.value FROM articles a, json_each(a.keywords) j"
    )
    _check_people(conn)
    conn.execute(
        "UPDATE captures SET headers = (SELECT json_group_array(json_array(key, value)) "
        "FROM json_each(captures.headers)) WHERE json_type(headers) = 'object'"
    )
    last = 0
    while batch := conn.execute(
        "SELECT id, record FROM revisions WHERE id > ? "
        "AND json_type(record, '$.article_id') IS NOT NULL ORDER BY id LIMIT 500",
        [last],
    ).fetchall():
        for revision_id, record in batch:
            value = json.loads(record)
            value["xinhua_id"] = value.pop("article_id")
            conn.execute(
                "UPDATE revisions SET record = ? WHERE id = ?", [rows.dumps(value), revision_id]
            )
        last = batch[-1][0]
    for table, column in (
        ("articles", "reporters"),
        ("articles", "editors"),
        ("articles", "keywords"),
        ("sections", "text"),
        ("sections", "paragraphs"),
    ):
        conn.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
    for (article_id,) in conn.execute(
        "SELECT id FROM articles WHERE record_hash IS NULL"
    ).fetchall():  # articles from v1 archives
        article = codec.load(conn, article_id)
        assert article is not None
        conn.execute(
            "UPDATE articles SET record_hash = ? WHERE id = ?",
            [rows.record_hash(article), article_id],
        )


def _split_paragraphs(conn: sqlite3.Connection) -> None:
    """``sections.text`` (paragraphs joined by newlines) and ``sections.paragraphs`` (their
    number) into ``paragraphs`` rows; a section whose text does not split into its count
    stops the upgrade (nothing is changed)."""
    cursor = conn.execute("SELECT article_id, position, text, paragraphs FROM sections")
    done = 0
    while batch := cursor.fetchmany(5000):
        values = []
        for article_id, section, text, count in batch:
            parts = text.split("\n") if count else []
            if len(parts) != count:
                raise SchemaError(
                    f"article {article_id} section {section}: {count} paragraphs recorded, "
                    f"{len(parts)} in its text; not upgraded"
                )
            values += [(article_id, section, i, p) for i, p in enumerate(parts)]
        conn.executemany(
            "INSERT INTO paragraphs(article_id, section, position, text) VALUES (?, ?, ?, ?)",
            values,
        )
        done += len(batch)
    if done:
        logger.info("schema v6: %d sections split into paragraphs", done)


def _check_people(conn: sqlite3.Connection) -> None:
    """Log the articles whose stored reporter or editor lists differ from what the one rule
    (:func:`newsarchive.records.people`) draws from their credits: the lists go, the credits
    they came from stay."""
    differ = 0
    cursor = conn.execute("SELECT id, reporters, editors FROM articles")
    while batch := cursor.fetchmany(1000):
        for article_id, reporters, editors in batch:
            pairs = [
                (str(role), str(name))
                for role, name in conn.execute(
                    "SELECT role, name FROM credits WHERE article_id = ? ORDER BY position",
                    [article_id],
                )
            ]
            if list(people_of_pairs(pairs, "reporters")) != json.loads(reporters) or list(
                people_of_pairs(pairs, "editors")
            ) != json.loads(editors):
                differ += 1
    if differ:
        logger.info(
            "schema v6: %d articles had reporter/editor lists other than their credits say; "
            "they now follow the credits",
            differ,
        )


#: How far back the frontier step looks for failed pages to retry (the retry window the
#: captures-based retry it replaces used).
FRONTIER_SEED_DAYS = 7


def _frontier(db: sqlite_utils.Database) -> None:
    """The crawl frontier: every discovered list page and article URL and its state (see
    :mod:`newsarchive.store.frontier`). Self-contained: creates the table and its index, and
    seeds it with the pages an upgraded archive was to retry (their latest capture failed for
    a passing reason in the last :data:`FRONTIER_SEED_DAYS` days) as ``retry`` rows due at
    once; it changes no other table."""
    _run_script(db, "schema_frontier.sql")
    since = (datetime.now(UTC) - timedelta(days=FRONTIER_SEED_DAYS)).isoformat(timespec="seconds")
    seeded = 0
    for url, status, detail in history.latest_error_captures(db.conn, since=since):
        if frontier.retryable(status, detail):
            frontier.settle(db.conn, [url], status=status, error=detail, run_id=None)
            seeded += 1
    if seeded:
        logger.info("schema v7: %d failed pages recorded in the frontier to retry", seeded)


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
    Migration(
        version=6,
        description="paragraphs and keywords tables; reporters/editors drawn from credits; "
        "one JSON shape for captures.headers and revisions.record",
        apply=_v6,
    ),
    Migration(
        version=7,
        description="frontier: every discovered URL and its state (pending, done, retry, failed)",
        apply=_frontier,
    ),
    Migration(
        version=8,
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
            for statement in _expected_views():
                db.execute(statement)
    return start


def _statements(name: str, text: str) -> list[str]:
    out, buffer = [], ""
    for line in text.splitlines(keepends=True):
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
    text = Template(_sql("views.sql")).substitute(flat.view_parts())
    return sorted(_statements("views.sql", text))


def _view_sql(db: sqlite_utils.Database) -> list[str]:
    rows = db.execute("SELECT sql FROM sqlite_master WHERE type = 'view'").fetchall()
    return sorted(str(r[0]) for r in rows)
