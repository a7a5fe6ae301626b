"""The archive's write-ahead log: bounded while a crawl writes, never in a reader's way.

An archive is in WAL mode for good: readers (``sqlite3 'file:archive.db?mode=ro'``) read
while a crawl writes. Two SQLite habits got in their way, and both are avoided here:

* **The last connection to close checkpoints the log and deletes it** (with ``-shm``), under an
  exclusive lock on the database file. A reader opening the archive at that moment — at
  the end of every crawl and of every short write before it — got "database is locked"
  (readers without a busy timeout, as the ``sqlite3`` shell is by default). :func:`close`
  copies the log into the database first (a ``TRUNCATE`` checkpoint, which waits for
  readers instead of locking them out, and empties the log) and then closes the writing
  connection while a read-only one is still open, so the writer is never the last; the
  read-only one, closed last, leaves the files alone. ``archive.db-wal`` (empty) and
  ``archive.db-shm`` therefore stay beside the archive (docs/schema.md).
* **The first connection to open an archive rebuilds the log index** (``-shm``; "recovery",
  replaying the log) under exclusive locks on it; a reader arriving then was refused the same
  way. The log left by :func:`close` is empty, so there is little to replay, and while a job
  runs the writer lock keeps a read-only connection open (:func:`hold`), so none of the job's
  connections is the first (nor the last) one. Two readers without a busy timeout that open
  an archive nobody else has open can still meet this way (SQLite's ``SQLITE_BUSY_RECOVERY``,
  about once in 20,000 opens measured): give readers a busy timeout (``.timeout 1000`` in the
  shell) to never see it.

While a crawl writes, the log is checkpointed (``PASSIVE``: never waiting for, nor blocking,
a reader) every :data:`AUTOCHECKPOINT_PAGES` pages, and a log that grew past
:data:`JOURNAL_SIZE_LIMIT` while a reader held an old snapshot is cut back to that size once
it is reused. So the log stays a few MiB beside an archive of any size.
"""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

logger = logging.getLogger(__name__)

#: Log pages (4 KiB) after which a commit checkpoints the log (``PASSIVE``): ~8 MiB.
AUTOCHECKPOINT_PAGES = 2000
#: Bytes a log that has been checkpointed and is reused is truncated to.
JOURNAL_SIZE_LIMIT = 8 * 1024 * 1024
#: Milliseconds the final checkpoint waits for readers to leave the log.
CLOSE_WAIT_MS = 2000


def configure(conn: sqlite3.Connection) -> None:
    """The log settings of a writing connection (after WAL mode is on)."""
    conn.execute(f"PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}")
    conn.execute(f"PRAGMA journal_size_limit = {JOURNAL_SIZE_LIMIT}")


def close(conn: sqlite3.Connection, path: str | Path) -> None:
    """Close the writing connection ``conn`` to the archive at ``path`` without an exclusive
    lock a reader could run into; the log is left empty beside the archive."""
    if str(path) == ":memory:":
        conn.close()
        return
    _checkpoint(conn)
    keeper: sqlite3.Connection | None = None
    try:
        keeper = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        keeper.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.Error as exc:  # cannot read it (gone, unreadable): close plainly
        logger.debug("no read-only connection to %s kept while closing: %s", path, exc)
        if keeper is not None:
            keeper.close()
            keeper = None
    try:
        conn.close()
    finally:
        if keeper is not None:
            keeper.close()


def hold(path: str | Path) -> sqlite3.Connection | None:
    """A read-only connection that keeps the archive's log index (``-shm``) in use while a
    job opens and closes its writing connections (the writer lock holds one for the job):
    no connection in between is the first to open it, which would rebuild it under an
    exclusive lock, nor the last to close it. ``None`` when there is no archive yet or it
    cannot be read; the caller closes it after every other connection of the job."""
    target = Path(path)
    if str(path) == ":memory:" or not target.is_file() or target.stat().st_size == 0:
        return None
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
    except sqlite3.Error as exc:
        logger.debug("no read-only connection held on %s: %s", path, exc)
        conn.close()
        return None
    return conn


def _checkpoint(conn: sqlite3.Connection) -> None:
    """Copy the log into the database and empty it, waiting at most :data:`CLOSE_WAIT_MS`
    for readers; best effort (a full disk, a reader that stays: the log stays as it is and is
    replayed by the next writer)."""
    try:
        (previous,) = conn.execute("PRAGMA busy_timeout").fetchone()
        conn.execute(f"PRAGMA busy_timeout = {CLOSE_WAIT_MS}")
        try:
            busy, _, _ = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        finally:
            conn.execute(f"PRAGMA busy_timeout = {int(previous)}")
    except sqlite3.Error as exc:
        logger.debug("final checkpoint not done: %s", exc)
        return
    if busy:
        logger.debug("final checkpoint: readers still in the log; it is left for the next run")
