"""Read-side SQL shared by search, export, stats, ``show`` and the :class:`~newsarchive.Archive`.

Everything here only reads. User input reaches SQL as bound parameters only; the few pieces of
SQL text that vary (column lists, filter clauses) are chosen from fixed strings in this module.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsarchive import channels, periods, urls
from newsarchive.store.migrations import SCHEMA_VERSION
from newsarchive.store.wal import keep_log_on_close
from newsarchive.textnorm import to_simplified, to_traditional

logger = logging.getLogger(__name__)


class ArchiveError(Exception):
    """The archive file is missing, unreadable or not a newsarchive archive."""


class FilterError(ValueError):
    """A filter value (date, channel) that cannot be used; the message says why."""


def _open(uri: str, *, as_uri: bool) -> tuple[sqlite3.Connection, bool]:
    conn = sqlite3.connect(uri, uri=as_uri, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    try:
        has_articles = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'articles'"
        ).fetchone()
    except sqlite3.DatabaseError:
        conn.close()
        raise
    return conn, has_articles is not None


def connect(
    path: str | Path, *, readonly: bool = True, current_schema: bool = True
) -> sqlite3.Connection:
    """Open the archive at ``path`` for reading (``readonly``: the file cannot be changed).

    A WAL archive in a folder this process cannot write (a read-only copy, a mounted snapshot)
    is opened ``immutable`` when no writer can be there: no ``-wal`` file with content beside it.
    Raises :class:`ArchiveError` when the file does not exist, cannot be read or holds no
    ``articles`` table, and (``current_schema``, for the research commands, which need every
    table and index of this version) when its schema version is not this newsarchive's:
    an older archive must be upgraded first (``newsarchive upgrade``). The crawl's own
    look-ups, which read tables every version has, pass ``current_schema=False``.
    """
    p = Path(path)
    if not p.is_file():
        raise ArchiveError(f"no archive at {p} (give --db or set NEWSARCHIVE_DB)")
    try:
        if readonly:
            try:
                conn, ok = _open(f"{p.resolve().as_uri()}?mode=ro", as_uri=True)
            except sqlite3.OperationalError:
                wal = p.with_name(p.name + "-wal")
                if os.access(p.parent, os.W_OK) or (wal.exists() and wal.stat().st_size > 0):
                    raise
                logger.info("%s: folder not writable, reading it as immutable", p)
                conn, ok = _open(f"{p.resolve().as_uri()}?immutable=1", as_uri=True)
        else:
            conn, ok = _open(str(p), as_uri=False)
            keep_log_on_close(conn)  # its close must not lock readers out (store/wal.py)
    except sqlite3.DatabaseError as exc:
        raise ArchiveError(f"{p} is not a readable SQLite archive: {exc}") from exc
    if not ok:
        conn.close()
        raise ArchiveError(f"{p} is not a newsarchive archive (it has no articles table)")
    version = _schema_version(conn) if current_schema else SCHEMA_VERSION
    if version != SCHEMA_VERSION:
        conn.close()
        if version > SCHEMA_VERSION:
            raise ArchiveError(
                f"{p} has schema version {version}, newer than this newsarchive's "
                f"({SCHEMA_VERSION}): upgrade newsarchive to read it"
            )
        raise ArchiveError(
            f"{p} has schema version {version}, older than this newsarchive's "
            f"({SCHEMA_VERSION}): run `newsarchive upgrade --db {p}` first (in place, nothing "
            "is lost)"
        )
    return conn


def _schema_version(conn: sqlite3.Connection) -> int:
    """As :func:`newsarchive.store.migrations.current_version`, on a plain connection."""
    try:
        row = conn.execute("SELECT max(version) FROM schema_version").fetchone()
    except sqlite3.OperationalError as exc:
        if "no such table" not in str(exc):
            raise ArchiveError(f"cannot read the schema version: {exc}") from exc
        return 1  # no schema_version table: a version 1 archive
    return int(row[0]) if row[0] is not None else 1


#: Sorts after every character of a stored time: ``2024-03-04`` + this ends that whole day.
_AFTER = "\uffff"


def _parse_bound(value: str, *, end: bool) -> str:
    """``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or a full ISO time (:func:`newsarchive.periods.parse`,
    the parser every command's dates go through) → a text bound comparable with
    ``published_at`` (ISO 8601 text in Beijing time): for ``end`` the bound sorts after every
    time in the period."""
    try:
        text = periods.parse(value).text
    except ValueError as exc:
        raise FilterError(str(exc)) from None
    return text + _AFTER if end else text


@dataclass(frozen=True, kw_only=True, slots=True)
class Filters:
    """Which articles a search or export covers. Every filter is optional."""

    channels: tuple[str, ...] = ()
    """Channel codes (``gz``); any of them."""
    since: str | None = None
    """Published on or after: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` or an ISO time."""
    until: str | None = None
    """Published on or before (the whole year/month/day given is included)."""
    sources: tuple[str, ...] = ()
    """来源 outlets as printed (either script matches); any of them."""
    reporter: str | None = None
    """A credited person's name (any role: reporter, author, photographer, editor…), either
    script."""
    include_duplicates: bool = False
    """Also return near-copies (rows with ``duplicate_of`` set); by default they are folded into
    the article they copy."""

    def where(self, alias: str = "a") -> tuple[str, list[Any]]:
        """A SQL condition on the ``articles`` table aliased ``alias`` and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        if self.channels:
            known = channels.registry()
            for code in self.channels:
                if code not in known:
                    raise FilterError(
                        f"unknown channel {code!r}; known channels: {', '.join(known)}"
                    )
            clauses.append(f"{alias}.channel IN ({', '.join('?' * len(self.channels))})")
            params.extend(self.channels)
        since = _parse_bound(self.since, end=False) if self.since else None
        until = _parse_bound(self.until, end=True) if self.until else None
        if since is not None and until is not None and since > until:
            raise FilterError(f"--since {self.since} is after --until {self.until}: no article")
        if since is not None:
            clauses.append(f"{alias}.published_at >= ?")
            params.append(since)
        if until is not None:
            clauses.append(f"{alias}.published_at < ?")
            params.append(until)
        if self.sources:
            variants = _script_variants(self.sources)
            clauses.append(f"{alias}.source IN ({', '.join('?' * len(variants))})")
            params.extend(variants)
        if self.reporter:
            variants = _script_variants((self.reporter.strip(),))
            clauses.append(
                f"EXISTS (SELECT 1 FROM credits c WHERE c.article_id = {alias}.id"
                f" AND c.name IN ({', '.join('?' * len(variants))}))"
            )
            params.extend(variants)
        if not self.include_duplicates:
            clauses.append(f"{alias}.duplicate_of IS NULL")
        return (" AND ".join(clauses) or "1"), params

    def id_set(self) -> tuple[str, list[Any]] | None:
        """A query for the ids of the articles the selective filters (channel, dates, source,
        reporter) pass, answered from indexes alone (``idx_articles_channel_published``,
        ``idx_articles_published``, ``idx_articles_source``, ``idx_credits_name``); ``None``
        when no selective filter is set. Near copies are not excluded here."""
        article_filters = Filters(
            channels=self.channels,
            since=self.since,
            until=self.until,
            sources=self.sources,
            include_duplicates=True,
        )
        parts: list[str] = []
        params: list[Any] = []
        if self.channels or self.since or self.until or self.sources:
            where, where_params = article_filters.where("a")
            parts.append(f"SELECT a.id AS id FROM articles a WHERE {where}")
            params.extend(where_params)
        if self.reporter:
            variants = _script_variants((self.reporter.strip(),))
            parts.append(
                "SELECT c.article_id AS id FROM credits c"
                f" WHERE c.name IN ({', '.join('?' * len(variants))})"
            )
            params.extend(variants)
        if not parts:
            return None
        return " INTERSECT ".join(parts), params


def _script_variants(values: tuple[str, ...]) -> list[str]:
    out: dict[str, None] = {}
    for value in values:
        for variant in (value, to_simplified(value), to_traditional(value)):
            out[variant] = None
    return list(out)


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    """Whether the archive has a table or view called ``name``."""
    row = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type IN ('table', 'view') AND name = ?", (name,)
    ).fetchone()
    return row is not None


def unindexed(conn: sqlite3.Connection) -> int:
    """Articles stored but not yet in the full-text index (queued in ``fts_pending`` by a crawl
    that has not flushed its batch); 0 for archives without the queue."""
    if not has_table(conn, "fts_pending"):
        return 0
    return int(conn.execute("SELECT count(*) FROM fts_pending").fetchone()[0])


# --- one article -----------------------------------------------------------------------------


_MAX_ROWID = 2**63 - 1


def resolve(conn: sqlite3.Connection, ref: str | int) -> int | None:
    """The article id for ``ref``: an id, or any URL the article was seen under (big5, mobile,
    ``http``, host aliases and page suffixes resolve through ``article_urls`` and
    :func:`newsarchive.urls.canonical_url`). ``None`` when nothing matches."""
    if isinstance(ref, int) or str(ref).strip().isdigit():
        number = int(ref)
        if not 0 < number <= _MAX_ROWID:
            return None
        row = conn.execute("SELECT id FROM articles WHERE id = ?", (number,)).fetchone()
        return int(row[0]) if row else None
    url = str(ref).strip()
    candidates = [url]
    try:
        candidates.append(urls.canonical_url(url))
    except ValueError:
        logger.debug("not a URL: %r", url)
    for candidate in candidates:
        row = conn.execute(
            "SELECT article_id FROM article_urls WHERE url = ?", (candidate,)
        ).fetchone()
        if row:
            return int(row[0])
        row = conn.execute(
            "SELECT id FROM articles WHERE canonical_url = ?", (candidate,)
        ).fetchone()
        if row:
            return int(row[0])
    return None
