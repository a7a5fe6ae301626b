"""The crawl-run extension's rule for an archive that cannot be written: SQLite's result code
(and the OS errno) decide, never the message text."""

from __future__ import annotations

import errno
import sqlite3
from pathlib import Path

import pytest

from newsarchive.crawling.crawlrun import storage_failure, storage_problem


def _error(conn: sqlite3.Connection, sql: str) -> sqlite3.Error:
    with pytest.raises(sqlite3.Error) as caught:
        conn.execute(sql)
    return caught.value


def test_a_full_archive_is_told_by_sqlites_code(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("CREATE TABLE t (x TEXT)")
    conn.execute("PRAGMA max_page_count = 3")  # a "disk" of three pages
    exc = _error(conn, "INSERT INTO t VALUES (zeroblob(100000))")
    assert exc.sqlite_errorcode == sqlite3.SQLITE_FULL  # type: ignore[attr-defined]
    assert storage_problem(exc) == "full"


def test_a_read_only_archive_is_told_by_sqlites_code(tmp_path: Path) -> None:
    sqlite3.connect(tmp_path / "a.db").execute("CREATE TABLE t (x)").connection.commit()
    conn = sqlite3.connect(f"file:{tmp_path / 'a.db'}?mode=ro", uri=True)
    exc = _error(conn, "INSERT INTO t VALUES (1)")
    assert storage_problem(exc) == "readonly"


def test_an_io_error_code_counts_whatever_the_message_says() -> None:
    exc = sqlite3.OperationalError("something odd")
    exc.sqlite_errorcode = sqlite3.SQLITE_IOERR_WRITE  # type: ignore[attr-defined]
    assert storage_problem(exc) == "io"  # an extended code: its primary code decides


def test_problems_with_one_item_or_a_bug_are_not_storage_failures(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "a.db")
    conn.execute("CREATE TABLE t (x UNIQUE)")
    conn.execute("INSERT INTO t VALUES (1)")
    assert not storage_failure(_error(conn, "INSERT INTO t VALUES (1)"))  # constraint
    assert not storage_failure(_error(conn, "SELECT nope FROM t"))  # no such column
    # Message text means nothing: the old substring rule called this one a full disk.
    assert not storage_failure(_error(conn, "SELECT 'disk is full' FROM missing_table"))
    assert not storage_failure(sqlite3.OperationalError("database or disk is full"))  # no code
    assert not storage_failure(ValueError("bad record"))


def test_os_errors_by_errno() -> None:
    assert storage_problem(OSError(errno.ENOSPC, "No space left on device")) == "full"
    assert storage_problem(OSError(errno.EROFS, "Read-only file system")) == "readonly"
    assert storage_problem(OSError(errno.EIO, "Input/output error")) == "io"
    assert storage_problem(OSError(errno.ENOENT, "No such file")) is None
