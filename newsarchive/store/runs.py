"""``crawl_runs`` bookkeeping for :class:`newsarchive.store.Store` (private helpers).

Counters move in the same transaction as the item that changes them, so an interrupted crawl
still has correct counts for everything it stored.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from newsarchive.store import rows
from newsarchive.store.results import StoreResult, utc_now

#: The integer counter columns of ``crawl_runs``.
COUNTERS = (
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

_OUTCOME_COUNTER = {
    "new": "articles_new",
    "updated": "articles_updated",
    "unchanged": "articles_unchanged",
    "duplicate": "duplicates",
    "near_duplicate": "duplicates",
}


@dataclass(kw_only=True, slots=True)
class Delta:
    """What one item adds to its run's counters."""

    counts: dict[str, int] = field(default_factory=dict)
    error_kind: str | None = None

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] = self.counts.get(name, 0) + n

    def outcome(self, result: StoreResult) -> None:
        self.add(_OUTCOME_COUNTER[result.outcome])


def start(
    conn: sqlite3.Connection,
    spider: str,
    channels: Sequence[str],
    options: Mapping[str, Any],
    started_at: str | None,
) -> int:
    cur = conn.execute(
        "INSERT INTO crawl_runs(started_at, spider, channels, options) VALUES (?,?,?,?)",
        [started_at or utc_now(), spider, rows.dumps(list(channels)), rows.dumps(dict(options))],
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def finish(
    conn: sqlite3.Connection,
    run_id: int,
    *,
    exit_status: str,
    errors_by_kind: Mapping[str, int] | None,
    counters: Mapping[str, int] | None,
    finished_at: str | None,
) -> None:
    sets: dict[str, Any] = {"finished_at": finished_at or utc_now(), "exit_status": exit_status}
    for name, value in (counters or {}).items():
        if name not in COUNTERS:
            raise ValueError(f"unknown crawl_runs counter {name!r}")
        sets[name] = int(value)
    if errors_by_kind is not None:
        row = conn.execute(
            "SELECT errors_by_kind FROM crawl_runs WHERE id = ?", [run_id]
        ).fetchone()
        stored = json.loads(row[0] if row else "{}")
        stored.update({k: int(v) for k, v in errors_by_kind.items()})
        sets["errors_by_kind"] = rows.dumps(stored)
        sets["errors"] = sum(stored.values())
    cur = conn.execute(
        f"UPDATE crawl_runs SET {', '.join(f'{k} = ?' for k in sets)} WHERE id = ?",
        [*sets.values(), run_id],
    )
    if cur.rowcount != 1:
        raise KeyError(f"no crawl run {run_id}")


def get(conn: sqlite3.Connection, run_id: int) -> dict[str, Any]:
    cur = conn.execute("SELECT * FROM crawl_runs WHERE id = ?", [run_id])
    names = [d[0] for d in cur.description]
    found = cur.fetchone()
    if found is None:
        raise KeyError(f"no crawl run {run_id}")
    row = dict(zip(names, found, strict=True))
    for name in ("channels", "options", "errors_by_kind"):
        row[name] = json.loads(row[name])
    return row


def count(conn: sqlite3.Connection, run_id: int | None, delta: Delta) -> None:
    """Add ``delta`` to run ``run_id`` (nothing without a run)."""
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
    conn.execute(f"UPDATE crawl_runs SET {', '.join(sets)} WHERE id = ?", [*params, run_id])
