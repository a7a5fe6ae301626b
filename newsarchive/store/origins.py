"""Capture origins (``capture_origins``) for :class:`newsarchive.store.Store` (private
helpers): recording where a capture came from, and the look-ups that keep imports and
backfills incremental."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

from newsarchive.records import Capture
from newsarchive.store import rows

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


def of_captures(
    conn: sqlite3.Connection, capture_ids: Iterable[int]
) -> dict[int, list[dict[str, object]]]:
    """The origins of each capture (``capture_origins`` rows, oldest capture time first);
    empty for an archive older than the table."""
    ids = sorted(set(capture_ids))
    if (
        not ids
        or not conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'capture_origins'"
        ).fetchone()
    ):
        return {}
    found: dict[int, list[dict[str, object]]] = {}
    rows = conn.execute(
        "SELECT capture_id, origin, source, record_id, record_offset, captured_at, "
        f"payload_digest FROM capture_origins WHERE capture_id IN ({','.join('?' * len(ids))}) "
        "ORDER BY captured_at, id",
        ids,
    ).fetchall()
    for capture_id, origin, source, record_id, offset, captured_at, digest in rows:
        found.setdefault(int(capture_id), []).append(
            {
                "origin": origin,
                "source": source,
                "record_id": record_id,
                "record_offset": offset,
                "captured_at": captured_at,
                "payload_digest": digest,
            }
        )
    return found


def payload_by_digest(conn: sqlite3.Connection, digest: str) -> Capture | None:
    """The earliest stored capture a web archive gave with payload digest ``digest``
    (``sha1:<base32>``; the original a revisit record points at), or ``None``."""
    cursor = conn.execute(
        "SELECT c.* FROM capture_origins o JOIN captures c ON c.id = o.capture_id "
        "WHERE o.payload_digest = ? ORDER BY o.captured_at, o.id LIMIT 1",
        [digest],
    )
    row = cursor.fetchone()
    if row is None:
        return None
    names = [column[0] for column in cursor.description]
    return rows.capture_from_row(dict(zip(names, row, strict=True)))
