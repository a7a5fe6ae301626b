"""Capture origins (``capture_origins``) for :class:`newsarchive.store.Store` (private
helpers): recording where a capture came from, and the look-ups that keep imports and
backfills incremental."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from newsarchive.records import Capture

_COLUMNS = (
    "capture_id, origin, source, record_id, record_offset, captured_at, payload_digest, run_id"
)


def add(conn: sqlite3.Connection, capture_id: int, capture: Capture, run_id: int | None) -> None:
    """Record where ``capture`` came from. A capture read from a web archive records its
    origin (once per archive record); any other capture is recorded as ``crawl`` when it has
    no origin yet (a stored capture stored again, as re-extraction does, adds none)."""
    origin = capture.origin
    if origin is None:
        conn.execute(
            f"INSERT INTO capture_origins({_COLUMNS}) "
            "SELECT ?, 'crawl', '', '', NULL, ?, NULL, ? "
            "WHERE NOT EXISTS (SELECT 1 FROM capture_origins WHERE capture_id = ?)",
            [capture_id, capture.fetched_at, run_id, capture_id],
        )
        return
    conn.execute(
        f"INSERT OR IGNORE INTO capture_origins({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [
            capture_id,
            origin.origin,
            origin.source,
            origin.record_id,
            origin.offset,
            capture.fetched_at,
            origin.payload_digest,
            run_id,
        ],
    )


def known_records(conn: sqlite3.Connection, origin: str, record_ids: Iterable[str]) -> set[str]:
    """Which of ``record_ids`` of ``origin`` the archive already holds (any source)."""
    found: set[str] = set()
    batch: list[str] = []
    for record_id in record_ids:
        batch.append(record_id)
        if len(batch) == 500:
            found |= _known(conn, origin, batch)
            batch = []
    if batch:
        found |= _known(conn, origin, batch)
    return found


def _known(conn: sqlite3.Connection, origin: str, batch: list[str]) -> set[str]:
    marks = ",".join("?" for _ in batch)
    rows = conn.execute(
        f"SELECT record_id FROM capture_origins WHERE origin = ? AND record_id IN ({marks})",
        [origin, *batch],
    ).fetchall()
    return {str(r[0]) for r in rows}
