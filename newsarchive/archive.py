"""The Python API for researchers: ``from newsarchive import Archive``.

::

    from newsarchive import Archive

    with Archive("data/archive.db") as archive:
        for hit in archive.search("乡村振兴", channel="gz", since="2023"):
            print(hit.published_at, hit.headline, hit.url)
        for article in archive.articles(reporter="鲁毅"):      # newsarchive.records.Article
            print(article.headline, [c.name for c in article.credits])
        df = archive.read_sql("SELECT channel, count(*) AS n FROM articles GROUP BY channel")

The archive is opened read-only by default, so exploring it can never change it (and a crawl
may keep writing to it meanwhile). Nothing here needs the schema's internals; ``read_sql`` is
there for everything else (the tables and views are documented in ``docs/schema.md``).
"""

from __future__ import annotations

import importlib
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from newsarchive.records import Article
from newsarchive.store import queries, reading, wal
from newsarchive.store.queries import Filters
from newsarchive.store.reading import ArticleView
from newsarchive.store.search import MAX_CANDIDATES, SearchHit, search
from newsarchive.store.search import count as count_matches
from newsarchive.store.stats import ArchiveStats, archive_stats


def _tuple(value: str | Iterable[str] | None) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    return tuple(value)


def make_filters(
    *,
    channel: str | Iterable[str] | None = None,
    since: str | None = None,
    until: str | None = None,
    source: str | Iterable[str] | None = None,
    reporter: str | None = None,
    include_duplicates: bool = False,
) -> Filters:
    """A :class:`~newsarchive.store.queries.Filters` from keyword arguments (one value or
    several for ``channel`` and ``source``)."""
    return Filters(
        channels=_tuple(channel),
        since=since,
        until=until,
        sources=_tuple(source),
        reporter=reporter,
        include_duplicates=include_duplicates,
    )


class Archive:
    """An open newsarchive SQLite archive.

    ``Archive(path)`` opens it read-only (``readonly=False`` allows writes through
    :attr:`connection`; the archive is normally written only by crawls). Raises
    :class:`newsarchive.store.queries.ArchiveError` when ``path`` is not an archive.
    """

    def __init__(self, path: str | Path, *, readonly: bool = True) -> None:
        self.path = Path(path)
        self.readonly = readonly
        self._conn = queries.connect(self.path, readonly=readonly)

    @property
    def connection(self) -> sqlite3.Connection:
        """The underlying :mod:`sqlite3` connection (rows are :class:`sqlite3.Row`)."""
        return self._conn

    def close(self) -> None:
        if self.readonly:
            self._conn.close()
        else:  # the log emptied into the file, as a crawl leaves it (store/wal.py)
            wal.close(self._conn, self.path)

    def __enter__(self) -> Archive:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Archive({str(self.path)!r})"

    def search(
        self,
        query: str,
        *,
        channel: str | Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | Iterable[str] | None = None,
        reporter: str | None = None,
        include_duplicates: bool = False,
        limit: int = 20,
        offset: int = 0,
    ) -> list[SearchHit]:
        """Full-text search in either script, best matches first.

        ``query``: words (all must appear), ``"quoted phrases"``, ``OR``, ``-excluded``.
        ``since``/``until``: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (inclusive) or ISO times.
        Raises :class:`newsarchive.searchsyntax.QueryError` for a malformed query.
        """
        filters = make_filters(
            channel=channel,
            since=since,
            until=until,
            source=source,
            reporter=reporter,
            include_duplicates=include_duplicates,
        )
        return search(self._conn, query, filters, limit=limit, offset=offset)

    def count(
        self,
        query: str,
        *,
        channel: str | Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | Iterable[str] | None = None,
        reporter: str | None = None,
        include_duplicates: bool = False,
        at_most: int = MAX_CANDIDATES,
    ) -> int:
        """How many articles :meth:`search` with the same query and filters can rank,
        counted up to ``at_most + 1`` (a result above ``at_most`` means "more than")."""
        filters = make_filters(
            channel=channel,
            since=since,
            until=until,
            source=source,
            reporter=reporter,
            include_duplicates=include_duplicates,
        )
        return count_matches(self._conn, query, filters, at_most=at_most)

    def articles(
        self,
        *,
        channel: str | Iterable[str] | None = None,
        since: str | None = None,
        until: str | None = None,
        source: str | Iterable[str] | None = None,
        reporter: str | None = None,
        include_duplicates: bool = False,
        limit: int | None = None,
    ) -> Iterator[Article]:
        """The matching articles as :class:`~newsarchive.records.Article` records, oldest
        publication first, read lazily."""
        filters = make_filters(
            channel=channel,
            since=since,
            until=until,
            source=source,
            reporter=reporter,
            include_duplicates=include_duplicates,
        )
        # A second connection-level cursor streams rows while article_record() queries.
        for row in reading.iter_article_rows(self._conn, filters, limit=limit):
            yield reading.article_record(self._conn, row)

    def article(self, ref: str | int) -> Article | None:
        """One article by id or by any URL it was seen under; ``None`` if unknown."""
        article_id = queries.resolve(self._conn, ref)
        if article_id is None:
            return None
        return reading.article_by_id(self._conn, article_id)

    def view(self, ref: str | int) -> ArticleView | None:
        """An article with its URLs, revisions, events and captures (what ``show`` prints)."""
        article_id = queries.resolve(self._conn, ref)
        return None if article_id is None else reading.article_view(self._conn, article_id)

    def stats(self) -> ArchiveStats:
        """Counts per channel and month, revisions, takedowns and recent crawl runs."""
        return archive_stats(self._conn)

    def read_sql(self, query: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Any:
        """Run ``query`` (with ``?`` or ``:name`` parameters) and return a ``pandas.DataFrame``.

        Needs pandas (``pip install pandas``); raises :class:`ImportError` saying so otherwise.
        """
        try:
            pd = importlib.import_module("pandas")  # optional dependency, imported on use
        except ImportError as exc:  # optional dependency
            raise ImportError("Archive.read_sql needs pandas: pip install pandas") from exc
        return pd.read_sql_query(query, self._conn, params=params)

    def tables(self) -> list[str]:
        """The archive's tables and views, for exploring with :meth:`read_sql`."""
        return reading.table_names(self._conn)
