"""The archive's write side: the only module that writes SQL.

Public API (also re-exported as :mod:`newsarchive.store`)::

    with Store("archive.db") as store:             # WAL, foreign keys, busy timeout, migrated
        run_id = store.start_run("gz", channels=["gz"], options={"depth": 2})
        result = store.store_item(page_item, run_id=run_id)   # one transaction per item
        store.finish_run(run_id, exit_status="finished", errors_by_kind={"timeout": 2})

* :meth:`Store.store_item` stores a :class:`~newsarchive.records.PageItem`: its captures, then
  the article (dedup, revision, takedown bookkeeping) or the takedown event, in ONE
  transaction, and adds to the run's counters in the same transaction.
* :meth:`Store.add_capture` / :meth:`Store.store_article` / :meth:`Store.record_event` are the
  same steps one at a time (each its own transaction) for callers without a ``PageItem``
  (``newsarchive reextract``, tests, imports).
* Look-ups for incremental crawling: :meth:`Store.has_url`, :meth:`Store.article_for_url`,
  :meth:`Store.recent_article_urls`.
* Re-derivation: :meth:`Store.iter_reextract` yields the latest captures behind each article
  so a caller can run a newer extractor and store the result again with
  :meth:`Store.store_article`.

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

import json
import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

import sqlite_utils

from newsarchive import urls
from newsarchive.records import Article, Capture, NotAnArticle, PageItem
from newsarchive.store import _articles, rows
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

_COUNTERS = (
    "pages_fetched",
    "articles_new",
    "articles_updated",
    "articles_unchanged",
    "duplicates",
    "not_articles",
    "invalid",
    "takedowns",
    "errors",
)


@dataclass(kw_only=True, slots=True)
class _Delta:
    counts: dict[str, int] = field(default_factory=dict)
    error_kind: str | None = None

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


class Store:
    """One open archive. Not thread-safe: use one Store per thread or process."""

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.db: sqlite_utils.Database = connect(path)
        migrate(self.db)

    # -- lifecycle ---------------------------------------------------------------------------

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def _q(self, sql: str, params: Sequence[Any] = ()) -> list[Any]:
        return self.db.conn.execute(sql, params).fetchall()

    def _one(self, sql: str, params: Sequence[Any] = ()) -> Any:
        row = self.db.conn.execute(sql, params).fetchone()
        return None if row is None else row[0]

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
            cur = self.db.conn.execute(
                "INSERT INTO crawl_runs(started_at, spider, channels, options) VALUES (?,?,?,?)",
                [
                    started_at or utc_now(),
                    spider,
                    rows.dumps(list(channels)),
                    rows.dumps(dict(options or {})),
                ],
            )
        assert cur.lastrowid is not None
        return int(cur.lastrowid)

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
        :meth:`store_item`; ``counters``/``errors_by_kind`` given here *replace* the stored
        values (for callers that count elsewhere, e.g. download errors that never became an
        item)."""
        sets = {"finished_at": finished_at or utc_now(), "exit_status": exit_status}
        for name, value in (counters or {}).items():
            if name not in _COUNTERS:
                raise ValueError(f"unknown crawl_runs counter {name!r}")
            sets[name] = str(int(value))
        if errors_by_kind is not None:
            stored = json.loads(
                self._one("SELECT errors_by_kind FROM crawl_runs WHERE id=?", [run_id]) or "{}"
            )
            stored.update({k: int(v) for k, v in errors_by_kind.items()})
            sets["errors_by_kind"] = rows.dumps(stored)
            sets["errors"] = str(sum(stored.values()))
        with self.db.atomic():
            self.db.table("crawl_runs").update(run_id, sets)

    def run(self, run_id: int) -> dict[str, Any]:
        """The ``crawl_runs`` row as a dict (JSON columns decoded)."""
        row = dict(self.db.table("crawl_runs").get(run_id))
        for name in ("channels", "options", "errors_by_kind"):
            row[name] = json.loads(row[name])
        return row

    def _count(self, run_id: int | None, delta: _Delta) -> None:
        if run_id is None or (not delta.counts and delta.error_kind is None):
            return
        sets = [f"{name} = {name} + ?" for name in delta.counts]
        params: list[Any] = list(delta.counts.values())
        if delta.error_kind is not None:
            path = '$."' + delta.error_kind.replace('"', "") + '"'
            sets.append(
                "errors_by_kind = json_set(errors_by_kind, ?, "
                "coalesce(json_extract(errors_by_kind, ?), 0) + 1)"
            )
            params += [path, path]
        self.db.conn.execute(
            f"UPDATE crawl_runs SET {', '.join(sets)} WHERE id = ?", [*params, run_id]
        )

    # -- captures ----------------------------------------------------------------------------

    def _add_capture(
        self, capture: Capture, run_id: int | None, outcome: str, detail: str | None
    ) -> int:
        row = rows.capture_row(capture)
        row.update(
            last_fetched_at=capture.fetched_at,
            run_id=run_id,
            outcome=outcome,
            outcome_detail=detail,
        )
        cols = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        cur = self.db.conn.execute(
            f"INSERT INTO captures({cols}) VALUES ({marks}) "
            "ON CONFLICT(url, sha256) DO UPDATE SET "
            "last_fetched_at = max(last_fetched_at, excluded.fetched_at), "
            "fetch_count = fetch_count + (excluded.fetched_at <> captures.fetched_at "
            "AND excluded.fetched_at <> captures.last_fetched_at), "
            "outcome = excluded.outcome, outcome_detail = excluded.outcome_detail "
            "RETURNING id",
            list(row.values()),
        )
        return int(cur.fetchone()[0])

    def add_capture(
        self,
        capture: Capture,
        *,
        run_id: int | None = None,
        outcome: CaptureOutcome = "article",
        detail: str | None = None,
    ) -> int:
        """Store one fetch; returns its capture id. Identical bytes from the same URL are one
        row: a re-fetch bumps ``last_fetched_at`` and ``fetch_count`` (not when the very same
        fetch, same ``fetched_at``, is stored again) and stores no new body."""
        with self.db.atomic():
            return self._add_capture(capture, run_id, outcome, detail)

    # -- articles ----------------------------------------------------------------------------

    def store_article(
        self,
        article: Article,
        capture_ids: Sequence[int] = (),
        *,
        run_id: int | None = None,
        seen_at: str | None = None,
        keys: DedupKeys | None = None,
        rederived: bool = False,
    ) -> StoreResult:
        """Store ``article`` (one transaction); ``capture_ids`` are its captures, page 1 first.
        ``seen_at`` (UTC) defaults to page 1's fetch time, else now.

        ``rederived=True`` (for ``newsarchive reextract``) lets a record re-derived from an
        older capture replace the current version; otherwise a fetch older than the current
        version never rolls it back."""
        with self.db.atomic():
            delta = _Delta()
            result = self._store_article(article, capture_ids, seen_at, keys, rederived)
            _count_outcome(delta, result)
            self._count(run_id, delta)
            return result

    def _fetch_time(self, capture_ids: Sequence[int]) -> str | None:
        if not capture_ids:
            return None
        value = self._one("SELECT fetched_at FROM captures WHERE id = ?", [capture_ids[0]])
        return None if value is None else str(value)

    def _item_urls(self, article: Article, capture_ids: Sequence[int]) -> list[str]:
        found = [article.canonical_url, article.url]
        for cid in capture_ids:
            row = self._q("SELECT url, final_url, redirect_urls FROM captures WHERE id=?", [cid])
            if row:
                url, final_url, redirects = row[0]
                found += [url, final_url, *json.loads(redirects)]
        return list(dict.fromkeys(u for u in found if u))

    def _store_article(
        self,
        article: Article,
        capture_ids: Sequence[int],
        seen_at: str | None,
        keys: DedupKeys | None,
        rederived: bool = False,
    ) -> StoreResult:
        seen = seen_at or self._fetch_time(capture_ids) or utc_now()
        keys = keys or DedupKeys.of(article)
        item_urls = self._item_urls(article, capture_ids)
        incoming = _articles.Incoming(
            article=article,
            capture_ids=tuple(capture_ids),
            item_urls=tuple(item_urls),
            seen=seen,
            keys=keys,
            rederived=rederived,
        )
        return _articles.store(self.db.conn, incoming)

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
          ``taken_down`` event (once: not again while the article stays taken down).
        """
        delta = _Delta()
        result = item.result
        with self.db.atomic():
            outcome: CaptureOutcome
            if isinstance(result, Article):
                outcome = "invalid" if invalid_reason else "article"
                detail = invalid_reason
            elif isinstance(result, NotAnArticle):
                outcome, detail = "not_article", result.kind
            else:
                outcome, detail = "error", item.error or "unknown"
            ids: list[int] = []
            for i, capture in enumerate(item.captures):
                kind: str = outcome
                if i > 0 and outcome == "article":
                    kind = "article_page"
                ids.append(self._add_capture(capture, run_id, kind, detail))
            delta.add("pages_fetched", len(item.captures))
            stored: StoreResult | None = None
            event_id: int | None = None
            if isinstance(result, Article) and not invalid_reason:
                seen = item.captures[0].fetched_at if item.captures else None
                stored = self._store_article(result, ids, seen, keys)
                _count_outcome(delta, stored)
            elif isinstance(result, Article):
                delta.add("invalid")
            elif isinstance(result, NotAnArticle):
                delta.add("not_articles")
            else:
                delta.add("errors")
                delta.error_kind = detail
                if detail in TAKEDOWN_ERRORS and item.captures:
                    first = item.captures[0]
                    event_id = self._takedown(
                        first.url,
                        at=first.fetched_at,
                        status=first.status,
                        detail=detail,
                        capture_id=ids[0],
                        run_id=run_id,
                    )
                    if event_id is not None:
                        delta.add("takedowns")
            self._count(run_id, delta)
        return ItemResult(
            capture_ids=tuple(ids), capture_outcome=outcome, article=stored, event_id=event_id
        )

    # -- events ------------------------------------------------------------------------------

    def _takedown(
        self,
        url: str,
        *,
        at: str,
        status: int | None,
        detail: str,
        capture_id: int | None,
        run_id: int | None,
    ) -> int | None:
        article_id = self._article_for_url(url)
        if article_id is None:
            return None
        return _articles.takedown(
            self.db.conn,
            article_id,
            _articles.Event(
                at=at,
                url=url,
                status=status,
                detail=detail,
                capture_id=capture_id,
                run_id=run_id,
            ),
        )

    def record_event(
        self,
        url: str,
        kind: Literal["taken_down"],
        *,
        at: str | None = None,
        status: int | None = None,
        detail: str | None = None,
        capture_id: int | None = None,
        run_id: int | None = None,
    ) -> int | None:
        """Record that the known article at ``url`` was taken down (``detail``: ``http_404``,
        ``redirect_home``, …); returns the event id, or ``None`` when ``url`` is not a known
        article or it is already marked taken down. The article row is kept, its ``status``
        becomes ``taken_down``; storing it again later adds a ``restored`` event."""
        if kind != "taken_down":
            raise ValueError(f"unknown event kind {kind!r}")
        with self.db.atomic():
            event_id = self._takedown(
                url,
                at=at or utc_now(),
                status=status,
                detail=detail or kind,
                capture_id=capture_id,
                run_id=run_id,
            )
            self._count(run_id, _Delta(counts={"takedowns": 1} if event_id else {}))
            return event_id

    # -- look-ups ----------------------------------------------------------------------------

    def _article_for_url(self, url: str) -> int | None:
        return _articles.find_by_urls(self.db.conn, [url, urls.canonical_url(url)])

    def article_for_url(self, url: str) -> int | None:
        """The id of the article shown at ``url`` (any spelling: canonical URL or any alias
        recorded in ``article_urls``), or ``None``."""
        return self._article_for_url(url)

    def has_url(self, url: str) -> bool:
        """Whether ``url`` (any spelling) is a known article."""
        return self._article_for_url(url) is not None

    def recent_article_urls(self, since: str) -> list[str]:
        """Canonical URLs of live articles published (or, without a date, first seen) at or
        after ``since`` (ISO 8601, any offset), newest first — for re-checking recent
        articles for edits and takedowns."""
        found = self._q(
            "SELECT canonical_url FROM articles WHERE status = 'live' "
            "AND julianday(coalesce(published_at, first_seen)) >= julianday(?) "
            "ORDER BY julianday(coalesce(published_at, first_seen)) DESC, id DESC",
            [since],
        )
        return [r[0] for r in found]

    # -- re-derivation -----------------------------------------------------------------------

    def iter_reextract(self, outcomes: Sequence[str] = ("article",)) -> Iterator[ReextractSource]:
        """For every URL whose latest page-1 capture has one of ``outcomes`` (``article`` by
        default; add ``invalid``/``not_article`` to retry those), yield that capture plus the
        latest capture of each later page of the same article. Reads in id order, one URL
        at a time (memory stays flat)."""
        marks = ",".join("?" for _ in outcomes)
        last = 0
        while batch := self._q(
            f"SELECT c.id FROM captures c WHERE c.id > ? AND c.outcome IN ({marks}) "
            "AND NOT EXISTS (SELECT 1 FROM captures d WHERE d.url = c.url "
            " AND d.outcome IN ('article', 'not_article', 'invalid') "
            " AND (d.last_fetched_at > c.last_fetched_at "
            "  OR (d.last_fetched_at = c.last_fetched_at AND d.id > c.id))) "
            "ORDER BY c.id LIMIT 200",
            [last, *outcomes],
        ):
            for (cid,) in batch:
                yield _articles.reextract_source(self.db.conn, int(cid))
            last = int(batch[-1][0])


def _count_outcome(delta: _Delta, result: StoreResult) -> None:
    name = {
        "new": "articles_new",
        "updated": "articles_updated",
        "unchanged": "articles_unchanged",
        "duplicate": "duplicates",
        "near_duplicate": "duplicates",
    }[result.outcome]
    delta.add(name)


def result_dict(result: StoreResult) -> dict[str, Any]:
    """A JSON-ready form of a :class:`StoreResult` (for logs and the CLI)."""
    return asdict(result)


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
