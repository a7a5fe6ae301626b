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
  Even a writing connection that is not the last one *tries* that exclusive lock as it
  closes, and holds SQLite's "pending" lock for the microseconds between the try and the
  file's close: a reader opening then was refused too (244 of 57,000 opens against a
  writer closing 1,800 times a second). :func:`keep_log_on_close` turns that try off
  (``SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE``) on every writing connection; then none were.
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

import _sqlite3
import ctypes
import functools
import logging
import platform
import sqlite3
import sys
from pathlib import Path
from typing import Any

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


#: ``SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE`` (sqlite3.h), for Pythons without ``setconfig``.
_NO_CKPT_ON_CLOSE = 1006


def keep_log_on_close(conn: sqlite3.Connection) -> bool:
    """Make closing the writing connection ``conn`` leave the log alone: no checkpoint, and
    so no try for the exclusive lock that refuses readers opening at that moment (module
    docstring). The log is emptied by :func:`close` instead. True when it is set.

    Python 3.12 has ``Connection.setconfig``. On CPython 3.11 the same SQLite call is made
    through ``ctypes`` on the connection's ``sqlite3 *`` handle (the first field of
    CPython 3.11's connection object), once the handle is confirmed by asking SQLite for the
    connection's file name; where that cannot be done (another Python, a static SQLite), it
    is skipped: readers without a busy timeout can then, rarely, meet a writer's close."""
    setconfig = getattr(conn, "setconfig", None)
    if setconfig is not None:
        setconfig(sqlite3.SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, True)  # type: ignore[attr-defined]
        return True
    try:
        return _db_config_no_checkpoint(conn)
    except (OSError, AttributeError, ValueError) as exc:  # no such symbol, no such library
        logger.debug("cannot keep the log on close: %s", exc)
        return False


def _db_config_no_checkpoint(conn: sqlite3.Connection) -> bool:
    if (
        sys.implementation.name != "cpython"
        or sys.version_info[:2] != (3, 11)
        # variadic arguments passed as fixed ones: the same registers except on Apple arm64
        or (sys.platform == "darwin" and platform.machine() == "arm64")
    ):
        return False
    filename, db_config = _sqlite_functions()
    handle = ctypes.c_void_p.from_address(id(conn) + object.__basicsize__).value
    expected = conn.execute("PRAGMA database_list").fetchone()[2]
    if not handle or (filename(handle, b"main") or b"").decode() != expected:
        return False
    done = ctypes.c_int(-1)
    return db_config(handle, _NO_CKPT_ON_CLOSE, 1, ctypes.byref(done)) == 0 and done.value == 1


@functools.cache
def _sqlite_functions() -> tuple[Any, Any]:
    """``sqlite3_db_filename`` and ``sqlite3_db_config`` of the SQLite the ``sqlite3`` module
    runs on (its symbols resolve through the extension module)."""
    lib = ctypes.CDLL(_sqlite3.__file__)
    filename = lib.sqlite3_db_filename
    filename.restype = ctypes.c_char_p
    filename.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    db_config = lib.sqlite3_db_config
    db_config.restype = ctypes.c_int
    db_config.argtypes = [
        ctypes.c_void_p,
        ctypes.c_int,
        ctypes.c_int,
        ctypes.POINTER(ctypes.c_int),
    ]
    return filename, db_config


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
