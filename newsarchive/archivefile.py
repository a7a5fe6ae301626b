"""Is this file a newsarchive archive? Asked before anything writes to it.

A writing command (crawl, demo, reextract, upgrade, ingest) given the wrong ``--db`` must
refuse it with one line and leave it as it was, byte for byte: another program's SQLite
database would otherwise be "upgraded" and filled with archive tables, a text file would end
in a traceback. :func:`check_archive` is the one place that decides; the writer lock
(:func:`newsarchive.lock.writer_lock`) and the store's connection
(:func:`newsarchive.store.migrations.connect`) call it before they create or change anything.

What may be written:

* a path where nothing is yet, or an empty file (a new archive is created there);
* an SQLite database without tables (``sqlite3 new.db 'VACUUM'``): the same, initialised;
* an SQLite database holding the archive's core tables (``articles``, ``captures``,
  ``crawl_runs``: every schema version has them, and a new archive is created in one
  transaction, so no archive exists with only some of them).

Anything else (a directory, a device, a text file, a database with other tables) is
:class:`NotAnArchive`. Reading the file to decide never writes: the database is opened
read-only.

The file is only ever read **through SQLite**, never with ``open()``: closing any other file
descriptor on the database drops every POSIX lock this process's SQLite connections hold on
it (SQLite's "How To Corrupt An SQLite Database File", §2.2). A crawl keeps connections open
while it opens more, so a header read here let a reader's connection believe it was the
last one and checkpoint the log under the writer: readers saw "database disk image is
malformed" mid-crawl (``tests/test_safety_db.py`` shows the lost lock).
"""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

#: SQLite's result code for a file that is not a database.
SQLITE_NOTADB = 26
#: Tables every newsarchive archive has had since schema version 1.
CORE_TABLES = frozenset({"articles", "captures", "crawl_runs"})


class NotAnArchive(sqlite3.DatabaseError):
    """The path holds something that is not a newsarchive archive; nothing was written.

    A :class:`sqlite3.DatabaseError`, as SQLite's own "file is not a database" is, so code
    that handles that handles this too."""


def check_archive(path: str | Path) -> None:
    """Return if ``path`` may be written as an archive; raise :class:`NotAnArchive` (with a
    one-line message naming the path and what is there) if not.

    ``:memory:`` (an in-memory database) always may."""
    if str(path) == ":memory:":
        return
    target = Path(path)
    try:
        info = target.stat()
    except FileNotFoundError:
        return  # nothing there yet (a dangling symlink too: the archive is created behind it)
    except OSError as exc:
        raise NotAnArchive(f"{path} cannot be examined: {exc.strerror or exc}") from exc
    if stat.S_ISDIR(info.st_mode):
        raise NotAnArchive(f"{path} is a directory, not a newsarchive archive")
    if not stat.S_ISREG(info.st_mode):
        raise NotAnArchive(f"{path} is not a regular file, not a newsarchive archive")
    if info.st_size == 0:
        return
    tables = _tables(target)
    if not tables or tables >= CORE_TABLES:
        return
    shown = ", ".join(sorted(tables)[:5]) + (", …" if len(tables) > 5 else "")
    raise NotAnArchive(
        f"{path} is an SQLite database of another program (tables: {shown}), not a "
        f"newsarchive archive; refusing to write to it"
    )


def _tables(path: Path) -> set[str]:
    """The table names of the SQLite database at ``path``, read without writing.

    A WAL archive in a read-only folder cannot be opened read-only (SQLite would have to
    create its ``-shm`` file): its tables are then read from the database file alone
    (``immutable=1``), which is enough to tell an archive; if even that fails, the first
    error stands and the caller reports it as it reports any SQLite error."""
    base = path.resolve().as_uri()
    try:
        return _table_names(f"{base}?mode=ro")
    except sqlite3.OperationalError as exc:
        if "locked" in str(exc):
            raise  # a writer holds it: not a question of what the file is
        try:
            return _table_names(f"{base}?mode=ro&immutable=1")
        except sqlite3.DatabaseError:
            raise exc from None
    except sqlite3.DatabaseError as exc:
        if exc.sqlite_errorcode == SQLITE_NOTADB:
            raise NotAnArchive(
                f"{path} is not a newsarchive archive (not an SQLite database); "
                "refusing to write to it"
            ) from exc
        raise NotAnArchive(f"{path} cannot be read as an SQLite database: {exc}") from exc


def _table_names(uri: str) -> set[str]:
    conn = sqlite3.connect(uri, uri=True, timeout=30.0)
    try:
        rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    finally:
        conn.close()
    return {str(name) for (name,) in rows}
