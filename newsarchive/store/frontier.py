"""The crawl frontier: every list page and article URL a crawl discovered, and what became of it.

One row per URL as requested (``frontier.url``), in one of four states:

* ``pending``: requested (discovered on a stored page, a start page, or taken up again from
  an earlier run) and not stored yet;
* ``done``: its page is stored (an article, a list page, any page that is not an error);
* ``retry``: its last fetch failed for a passing reason (no response, 408, 429, 5xx, a
  success status with wrong content, an off-site redirect); due again at ``next_attempt_at``;
* ``failed``: failed for good (404, 410, a redirect loop, an invalid page, robots.txt, or
  :data:`MAX_ATTEMPTS` passing failures); ``last_error`` says why.

Writes happen in the transaction of the page item that settles a URL or discovers it
(:meth:`newsarchive.store.Store.store_item`): a SIGKILL at any moment leaves a page either
stored with its links pending, or still pending itself. :func:`due` is what the next run takes
up before anything else (:mod:`newsarchive.crawling.frontier`); :func:`left` decides whether a
run left work undone (exit status ``partial``); :func:`summary` is what ``newsarchive runs``
shows per channel.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Literal

from newsarchive import urls
from newsarchive.records import FrontierNote, PageItem

Kind = Literal["list", "article", "page"]
State = Literal["pending", "done", "retry", "failed"]

#: Passing failures of one URL (one per run that tried it) before it is failed for good.
MAX_ATTEMPTS = 8
#: Runs that may retry a failed URL at once; later attempts wait, doubling from an hour.
IMMEDIATE_RETRIES = 3
#: The longest wait between two attempts.
MAX_BACKOFF = timedelta(hours=24)

#: HTTP statuses that say "try again later" (0: no response at all: timeout, DNS, refused).
TRANSIENT_STATUSES = frozenset({0, 408, 429})

#: Error kinds worth fetching again whatever the status: a page served with a success status
#: whose content was wrong (a glitching server, a cut connection, a captcha wall), a response
#: refused for its size, a redirect off the crawl's hosts (the site may fix it), and a host
#: whose robots.txt did not answer (RFC 9309: nothing fetched from it for now).
RETRYABLE_ERRORS = frozenset(
    {
        "undecodable",
        "truncated",
        "captcha",
        "empty",
        "error_page",
        "soft_404",
        "too_large",
        "offsite_redirect",
        "robots_unavailable",
        "data_loss",
        "timeout",
        "download_failed",
        "dns_error",
        "connection_refused",
    }
)


def retryable(status: int | None, error: str | None) -> bool:
    """Whether a fetch that ended with ``status`` (``None``: no fetch) and the error kind
    ``error`` is worth trying again on a later run."""
    kind = (error or "").removeprefix("page_")
    if kind in RETRYABLE_ERRORS or kind.startswith("http_5"):
        return True
    return status is not None and (status in TRANSIENT_STATUSES or status >= 500)


def kind_of(url: str) -> Kind:
    """``article`` (page 1 of an article), ``page`` (a later page of one) or ``list``."""
    info = urls.parse(url)
    if info.article_id is None:
        return "list"
    return "article" if info.page == 1 else "page"


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def discover(
    conn: sqlite3.Connection, found: Iterable[str], *, run_id: int | None, now: str | None = None
) -> int:
    """Record ``found`` as pending: new rows, and rows an earlier run settled (this run
    requests them again). A row this run settled stays as it is: the page that discovered it
    can commit after its own answer did (its request left at once, the page's item waits
    for its group), and the answer stands. Returns how many rows changed."""
    at = now or _now()
    rows = [
        (u, urls.canonical_url(u), kind_of(u), urls.channel_of(u), at, run_id, at, run_id)
        for u in dict.fromkeys(found)
        if u
    ]
    if not rows:
        return 0
    before = conn.total_changes
    conn.executemany(
        """INSERT INTO frontier(url, canonical_url, kind, channel, state, attempts,
                                discovered_at, discovered_run_id, updated_at, last_run_id)
           VALUES (?, ?, ?, ?, 'pending', 0, ?, ?, ?, ?)
           ON CONFLICT(url) DO UPDATE SET state = 'pending', updated_at = excluded.updated_at,
                                          last_run_id = excluded.last_run_id
           WHERE frontier.state != 'pending'
             AND frontier.last_run_id IS NOT excluded.last_run_id""",
        rows,
    )
    return conn.total_changes - before


def _backoff(attempts: int) -> timedelta:
    """The wait after the ``attempts``-th passing failure of a URL."""
    if attempts <= IMMEDIATE_RETRIES:
        return timedelta(0)
    return min(timedelta(hours=2 ** (attempts - IMMEDIATE_RETRIES - 1)), MAX_BACKOFF)


def settle(
    conn: sqlite3.Connection,
    settled: Sequence[str],
    *,
    status: int | None,
    error: str | None,
    run_id: int | None,
    now: str | None = None,
) -> None:
    """Record what became of ``settled``: ``done`` without ``error``; otherwise ``retry``
    (:func:`retryable`, due after :func:`_backoff`) or ``failed`` with ``error`` as the
    reason. A URL the frontier did not hold (a start page, a page fetched outside it) gets a
    row."""
    at = now or _now()
    for url in dict.fromkeys(u for u in settled if u):
        row = conn.execute("SELECT attempts FROM frontier WHERE url = ?", [url]).fetchone()
        attempts = (int(row[0]) if row else 0) + 1
        state: State
        next_at: str | None = None
        reason = error
        if error is None:
            state = "done"
        elif retryable(status, error) and attempts < MAX_ATTEMPTS:
            state = "retry"
            next_at = (datetime.fromisoformat(at) + _backoff(attempts)).isoformat(
                timespec="seconds"
            )
        else:
            state = "failed"
            if retryable(status, error):
                reason = f"{error} (gave up after {attempts} attempts)"
        conn.execute(
            """INSERT INTO frontier(url, canonical_url, kind, channel, state, attempts,
                                    next_attempt_at, last_error, discovered_at,
                                    discovered_run_id, updated_at, last_run_id)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT(url) DO UPDATE SET state = excluded.state,
                   attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
                   last_error = excluded.last_error, updated_at = excluded.updated_at,
                   last_run_id = excluded.last_run_id""",
            [
                url,
                urls.canonical_url(url),
                kind_of(url),
                urls.channel_of(url),
                state,
                attempts,
                next_at,
                reason,
                at,
                run_id,
                at,
                run_id,
            ],
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class Due:
    """A URL a run takes up before anything else."""

    url: str
    kind: Kind
    state: State


def due(conn: sqlite3.Connection, channels: Sequence[str], *, now: str | None = None) -> list[Due]:
    """The URLs of ``channels`` left pending, and those whose retry is due at ``now``, oldest
    discovery first."""
    at = now or _now()
    marks = ", ".join("?" for _ in channels)
    rows = conn.execute(
        f"""SELECT url, kind, state FROM frontier
            WHERE channel IN ({marks})
              AND (state = 'pending' OR (state = 'retry' AND next_attempt_at <= ?))
            ORDER BY discovered_at, url""",
        [*channels, at],
    ).fetchall()
    return [Due(url=r[0], kind=r[1], state=r[2]) for r in rows]


def left(conn: sqlite3.Connection, channels: Sequence[str]) -> dict[str, int]:
    """Work ``channels`` still have: ``{"pending": n, "retry": m}`` (states with rows only)."""
    marks = ", ".join("?" for _ in channels)
    rows = conn.execute(
        f"""SELECT state, count(*) FROM frontier
            WHERE channel IN ({marks}) AND state IN ('pending', 'retry')
            GROUP BY state""",
        list(channels),
    ).fetchall()
    return {str(r[0]): int(r[1]) for r in rows}


@dataclass(frozen=True, kw_only=True, slots=True)
class ChannelWork:
    """The frontier of one channel, for ``newsarchive runs``."""

    channel: str
    pending: int
    retry: int
    failed: int
    done: int
    next_retry_at: str | None
    """When the earliest retry is due."""
    errors: dict[str, int]
    """``last_error`` → count, over the ``retry`` and ``failed`` rows."""


def summary(conn: sqlite3.Connection) -> list[ChannelWork]:
    """Per channel: how many URLs are in each state, the next retry, the errors."""
    counts: dict[str, dict[str, int]] = {}
    for channel, state, n in conn.execute(
        "SELECT coalesce(channel, ''), state, count(*) FROM frontier GROUP BY 1, 2"
    ):
        counts.setdefault(str(channel), {})[str(state)] = int(n)
    nexts = dict(
        conn.execute(
            "SELECT coalesce(channel, ''), min(next_attempt_at) FROM frontier "
            "WHERE state = 'retry' GROUP BY 1"
        ).fetchall()
    )
    errors: dict[str, dict[str, int]] = {}
    for channel, error, n in conn.execute(
        "SELECT coalesce(channel, ''), coalesce(last_error, '?'), count(*) FROM frontier "
        "WHERE state IN ('retry', 'failed') GROUP BY 1, 2 ORDER BY 3 DESC"
    ):
        errors.setdefault(str(channel), {})[str(error)] = int(n)
    return [
        ChannelWork(
            channel=channel,
            pending=c.get("pending", 0),
            retry=c.get("retry", 0),
            failed=c.get("failed", 0),
            done=c.get("done", 0),
            next_retry_at=nexts.get(channel),
            errors=errors.get(channel, {}),
        )
        for channel, c in sorted(counts.items())
    ]


def record_item(
    conn: sqlite3.Connection,
    item: PageItem,
    *,
    outcome: str,
    detail: str | None,
    run_id: int | None,
) -> None:
    """The frontier's part of storing ``item`` (call inside the item's transaction): its
    captured URLs are settled by the capture ``outcome`` (``article``/``not_article``: done;
    ``invalid``: failed; ``error``: by the error kind ``detail``), then the links it
    discovered are recorded pending."""
    error: str | None = None
    if outcome == "invalid":
        error = f"invalid_{detail}"
    elif outcome == "error":
        error = detail or "unknown"
    status = item.captures[0].status if item.captures else None
    settle(conn, [c.url for c in item.captures], status=status, error=error, run_id=run_id)
    discover(conn, item.discovered, run_id=run_id)


def record_note(conn: sqlite3.Connection, note: FrontierNote, *, run_id: int | None) -> None:
    """A :class:`~newsarchive.records.FrontierNote` (call inside a transaction)."""
    settle(conn, note.settled, status=None, error=note.error, run_id=run_id)
    discover(conn, note.discovered, run_id=run_id)
