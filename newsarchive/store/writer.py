"""The archive's write side: the only module that writes SQL.

Public API (also re-exported as :mod:`newsarchive.store`)::

    with Store("archive.db") as store:             # WAL, foreign keys, busy timeout, migrated
        run_id = store.start_run("gz", channels=["gz"], options={"depth": 2})
        result = store.store_item(page_item, run_id=run_id)   # one transaction per item
        with store.group():                        # or: one transaction for several items
            for item in items:
                store.store_item(item, run_id=run_id)
        store.finish_run(run_id, exit_status="finished", errors_by_kind={"timeout": 2})

* :meth:`Store.store_item` stores a :class:`~newsarchive.records.PageItem`: its captures, then
  the article (dedup, revision, takedown bookkeeping) or the takedown event, in ONE
  transaction, and adds to the run's counters in the same transaction. Inside
  :meth:`Store.group` several items share one outer transaction (each still all or nothing,
  as a savepoint): one commit for the group (the crawl's writer process,
  the store pipeline, commits that way).
* Re-derivation: :meth:`Store.iter_reextract` yields the latest captures behind each article
  so a caller can run a newer extractor and store the result again as a ``PageItem``.

Outcomes (:data:`Outcome`): ``new`` (a new article row), ``updated`` (a known article whose
content changed: the old version moved to ``revisions``), ``unchanged`` (a known URL with the
same content: only ``last_seen`` moves), ``duplicate`` (the same content under a new URL, a
mirror copy or a reprint: the URL becomes an alias of the existing row), ``near_duplicate``
(a new row with ``duplicate_of`` and ``similarity`` set).

What a re-run changes (idempotency): ``articles.last_seen``, ``article_urls.last_seen``,
``captures.last_fetched_at`` and ``captures.fetch_count``, and a new ``crawl_runs`` row.
Nothing else: no new article, URL, section, credit, image, link, revision, event, LSH or FTS
row.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

import sqlite_utils

from newsarchive import textnorm, urls
from newsarchive.records import Article, FrontierNote, NotAnArticle, PageItem
from newsarchive.store import _articles, captures, frontier, fts, runs, wal
from newsarchive.store.migrations import connect, migrate
from newsarchive.store.results import (
    TAKEDOWN_ERRORS,
    CaptureOutcome,
    DedupKeys,
    ItemResult,
    Outcome,
    ReextractSource,
    StoreResult,
    utc_now,
)

logger = logging.getLogger(__name__)


#: Articles indexed per transaction when the full-text queue is worked off.
FTS_CHUNK = 5000


class Store:
    """One open archive. Not thread-safe: use one Store per thread or process."""

    def __init__(self, path: str | Path, *, fts_batch: int = 500) -> None:
        """Open (create, upgrade) the archive at ``path``. ``fts_batch``: index the full-text
        search table every that many new or changed articles (1 = with every item; see
        :mod:`newsarchive.store.fts`); always on :meth:`close`."""
        self.path = str(path)
        self.db: sqlite_utils.Database = connect(path)
        fts.register(self.db.conn)
        migrate(self.db)
        self.fts_batch = max(1, fts_batch)
        self._unindexed = fts.pending(self.db.conn)
        # Indexed text of queued articles whose folded text the caller's keys carried (only
        # after their transaction committed; at most ``fts_batch`` entries).
        self._fts_ready: dict[int, tuple[str, str, str]] = {}
        # Inside group(): what _queued is to see once the group has committed.
        self._group: list[tuple[StoreResult | None, DedupKeys | None]] | None = None
        if self._unindexed:
            self.flush_fts()

    # -- lifecycle ---------------------------------------------------------------------------

    def flush_fts(self) -> int:
        """Index the queued articles for full-text search now; returns how many.

        A long queue (an archive upgraded to a new index form, a killed crawl's batch) is
        indexed :data:`FTS_CHUNK` articles per transaction, with progress in the log, so the
        work done survives an interruption and the WAL stays small."""
        total = 0
        waiting = fts.pending(self.db.conn)
        try:
            while True:
                with self.db.atomic():
                    done = fts.flush(self.db.conn, self._fts_ready, limit=FTS_CHUNK)
                if not done:
                    break
                total += done
                if waiting > FTS_CHUNK:
                    logger.info("full-text index: %d of %d queued articles indexed", total, waiting)
        finally:
            self._fts_ready.clear()
        self._unindexed = 0
        return total

    @contextmanager
    def group(self) -> Iterator[None]:
        """One transaction around several :meth:`store_item` (or other write) calls: each call
        is a savepoint in it (a call that raises leaves no trace, the others stay), and the
        whole group is committed when the block ends, or rolled back when it raises. Queued
        full-text indexing happens after the commit. Groups do not nest.

        SQLite may roll back the whole transaction on its own after a failed write (disk full,
        I/O error): a caller that catches an item's exception inside the block must check
        :attr:`in_group` is still true before storing more in it."""
        if self._group is not None:
            raise RuntimeError("Store.group() does not nest")
        self._group = []
        try:
            with self.db.atomic():
                yield
        except BaseException:
            self._group = None
            raise
        done, self._group = self._group, None
        for result, keys in done:
            self._queued(result, keys)

    @property
    def in_group(self) -> bool:
        """Inside :meth:`group` with its transaction still open."""
        return self._group is not None and self.db.conn.in_transaction

    def _queued(self, result: StoreResult | None, keys: DedupKeys | None = None) -> None:
        """After a committed transaction: count an article queued for indexing and keep its
        indexed text when ``keys`` carry the folded text of the stored version. Inside
        :meth:`group`, once the group has committed."""
        if self._group is not None:
            self._group.append((result, keys))
            return
        if result is not None and result.outcome in ("new", "near_duplicate", "updated"):
            if (
                keys is not None
                and keys.folded_headline is not None
                and keys.folded_body is not None
            ):
                self._fts_ready[result.article_id] = (
                    keys.content_hash,
                    textnorm.folded_fts_text(keys.folded_headline),
                    textnorm.folded_fts_text(keys.folded_body),
                )
            self._unindexed += 1
            if self._unindexed >= self.fts_batch:
                self.flush_fts()

    def close(self) -> None:
        """Flush the full-text queue and close the connection. A flush that fails (disk full,
        read-only file) is logged, not raised: the queue stays in ``fts_pending`` and is
        indexed the next time the archive is opened for writing."""
        try:
            if fts.pending(self.db.conn):
                self.flush_fts()
        except sqlite3.Error as exc:
            logger.warning(
                "full-text index not updated (%s); %d articles stay queued in fts_pending",
                exc,
                fts.pending(self.db.conn),
            )
        finally:
            wal.close(self.db.conn, self.path)  # no lock a reader could run into

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- crawl runs --------------------------------------------------------------------------

    def start_run(
        self,
        spider: str,
        *,
        channels: Sequence[str] = (),
        options: Mapping[str, Any] | None = None,
        started_at: str | None = None,
    ) -> int:
        """Add a ``crawl_runs`` row; returns its id."""
        with self.db.atomic():
            return runs.start(self.db.conn, spider, channels, options or {}, started_at)

    def finish_run(
        self,
        run_id: int,
        *,
        exit_status: str,
        errors_by_kind: Mapping[str, int] | None = None,
        counters: Mapping[str, int] | None = None,
        finished_at: str | None = None,
    ) -> None:
        """Close a run: set ``finished_at`` and ``exit_status``. Counters are kept up to date by
        :meth:`store_item`. ``errors_by_kind`` is merged into the stored counts (kinds given
        here replace the stored count of that kind; ``errors`` becomes their sum), for errors
        that never became an item (e.g. download failures counted by the caller);
        ``counters`` (names of :data:`runs.COUNTERS`) replace stored values."""
        with self.db.atomic():
            runs.finish(
                self.db.conn,
                run_id,
                exit_status=exit_status,
                errors_by_kind=errors_by_kind,
                counters=counters,
                finished_at=finished_at,
            )

    def add_run_errors(self, run_id: int, errors_by_kind: Mapping[str, int]) -> None:
        """Count errors that never became an item (a damaged record of an imported file) in
        run ``run_id`` while it is going on: ``errors`` and ``errors_by_kind`` grow by them."""
        with self.db.atomic():
            for kind, n in errors_by_kind.items():
                for _ in range(n):
                    runs.count(
                        self.db.conn, run_id, runs.Delta(counts={"errors": 1}, error_kind=kind)
                    )

    def run(self, run_id: int) -> dict[str, Any]:
        """The ``crawl_runs`` row as a dict (JSON columns decoded)."""
        return runs.get(self.db.conn, run_id)

    # -- articles ----------------------------------------------------------------------------

    def _store_article(
        self,
        article: Article,
        capture_ids: Sequence[int],
        seen_at: str | None,
        keys: DedupKeys | None,
    ) -> StoreResult:
        conn = self.db.conn
        if seen_at is None and capture_ids:
            row = conn.execute(
                "SELECT fetched_at FROM captures WHERE id = ?", [capture_ids[0]]
            ).fetchone()
            seen_at = None if row is None else str(row[0])
        found = [article.canonical_url, article.url, *captures.item_urls(conn, capture_ids)]
        incoming = _articles.Incoming(
            article=article,
            capture_ids=tuple(capture_ids),
            item_urls=tuple(dict.fromkeys(u for u in found if u)),
            seen=seen_at or utc_now(),
            keys=keys or DedupKeys.of(article),
        )
        return _articles.store(conn, incoming)

    # -- items -------------------------------------------------------------------------------

    def store_item(
        self,
        item: PageItem,
        *,
        run_id: int | None = None,
        invalid_reason: str | None = None,
        keys: DedupKeys | None = None,
    ) -> ItemResult:
        """Store a whole :class:`PageItem` in one transaction.

        * an :class:`Article` → its captures (``article``, later pages ``article_page``) and
          the article; with ``invalid_reason`` only the captures (outcome ``invalid``);
        * a :class:`NotAnArticle` → captures with outcome ``not_article`` (detail: its kind);
        * ``result=None`` → captures with outcome ``error`` (detail: ``item.error``); for
          ``http_404``/``http_410``/``redirect_home`` on a known article URL also a
          ``taken_down`` event (once: not again while the article stays taken down, and not
          for a fetch older than the last time the article was seen alive).
        """
        result = item.result
        outcome: CaptureOutcome
        if isinstance(result, Article):
            outcome, detail = ("invalid" if invalid_reason else "article"), invalid_reason
        elif isinstance(result, NotAnArticle):
            outcome, detail = "not_article", result.kind
        else:
            outcome, detail = "error", item.error or "unknown"
        if outcome == "article" and keys is None:
            assert isinstance(result, Article)
            keys = DedupKeys.of(result)
        # A page is fetched when the server answered (a failed download's capture has status 0).
        delta = runs.Delta(counts={"pages_fetched": sum(1 for c in item.captures if c.status)})
        stored: StoreResult | None = None
        event_id: int | None = None
        with self.db.atomic():
            conn = self.db.conn
            ids = [
                captures.add(
                    conn,
                    c,
                    run_id,
                    "article_page" if i and outcome == "article" else outcome,
                    detail,
                )
                for i, c in enumerate(item.captures)
            ]
            frontier.record_item(conn, item, outcome=outcome, detail=detail, run_id=run_id)
            if outcome == "article":
                assert isinstance(result, Article)
                seen = item.captures[0].fetched_at if item.captures else None
                stored = self._store_article(result, ids, seen, keys)
                delta.outcome(stored)
            elif outcome == "invalid":
                delta.add("invalid")
            elif outcome == "not_article":
                delta.add("not_articles")
            else:
                delta.add("errors")
                delta.error_kind = detail
                if detail in TAKEDOWN_ERRORS and item.captures:
                    first = item.captures[0]
                    event_id = self._takedown(
                        first.url, first.fetched_at, first.status, str(detail), ids[0], run_id
                    )
                    if event_id is not None:
                        delta.add("takedowns")
            runs.count(conn, run_id, delta)
        self._queued(stored, keys)
        return ItemResult(
            capture_ids=tuple(ids), capture_outcome=outcome, article=stored, event_id=event_id
        )

    def store_note(self, note: FrontierNote, *, run_id: int | None = None) -> None:
        """Record a :class:`FrontierNote` (links found, requests ended without a page) in the
        crawl frontier, in one transaction (a savepoint inside :meth:`group`)."""
        with self.db.atomic():
            frontier.record_note(self.db.conn, note, run_id=run_id)

    # -- events ------------------------------------------------------------------------------

    def _takedown(  # noqa: PLR0917 (private; mirrors the events columns)
        self,
        url: str,
        at: str,
        status: int | None,
        detail: str,
        capture_id: int | None,
        run_id: int | None,
    ) -> int | None:
        article_id = self._article_for_url(url)
        if article_id is None:
            return None
        event = _articles.Event(
            at=at, url=url, status=status, detail=detail, capture_id=capture_id, run_id=run_id
        )
        return _articles.takedown(self.db.conn, article_id, event)

    # -- look-ups ----------------------------------------------------------------------------

    def _article_for_url(self, url: str) -> int | None:
        return _articles.find_by_urls(self.db.conn, [url, urls.canonical_url(url)])

    # -- re-derivation -----------------------------------------------------------------------

    def iter_reextract(self, outcomes: Sequence[str] = ("article",)) -> Iterator[ReextractSource]:
        """For every URL whose latest page-1 capture has one of ``outcomes`` (``article`` by
        default; add ``invalid``/``not_article`` to retry those), yield that capture plus the
        latest capture of each later page of the same article. Reads in id order, a batch at
        a time (memory stays flat)."""
        for cid in captures.iter_latest(self.db.conn, outcomes):
            yield captures.reextract_source(self.db.conn, cid)


__all__ = [
    "TAKEDOWN_ERRORS",
    "CaptureOutcome",
    "DedupKeys",
    "ItemResult",
    "Outcome",
    "ReextractSource",
    "Store",
    "StoreResult",
    "utc_now",
]
