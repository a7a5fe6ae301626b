"""Readers are never locked out by a crawl, and the write-ahead log stays small.

A reader opens the archive the documented way (``file:archive.db?mode=ro``) with no busy
timeout, as the ``sqlite3`` shell does by default, over and over in another process while a
real crawl starts, runs and closes: every read must succeed. (Before, 58 of 2,863 such
reads got "database is locked", all at crawl start and close.)
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from reliability_helpers import crawl_command, synthetic_article

from newsarchive import lock
from newsarchive.archive import Archive
from newsarchive.store import Store, connect, migrate, wal
from tools.faults import FaultSite

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"

READER = """
import json, sqlite3, sys, time
from pathlib import Path
db, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
ok, locked, recovery, other, wal_max = 0, 0, 0, {}, 0
while not stop.exists():
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=0)
        try:
            conn.execute("SELECT count(*) FROM crawl_runs").fetchone()
        finally:
            conn.close()
        ok += 1
    except sqlite3.Error as exc:
        if getattr(exc, "sqlite_errorcode", None) == 261:  # SQLITE_BUSY_RECOVERY
            recovery += 1  # another reader rebuilding -shm: rare, crawl or none (schema.md)
        elif "locked" in str(exc):
            locked += 1
        else:
            other[str(exc)] = other.get(str(exc), 0) + 1
    wal = db.with_name(db.name + "-wal")
    try:
        wal_max = max(wal_max, wal.stat().st_size)
    except OSError:
        pass
out.write_text(json.dumps(
    {"ok": ok, "locked": locked, "recovery": recovery, "other": other, "wal_max": wal_max}
))
"""


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site")
def test_a_reader_is_never_locked_out_at_crawl_start_or_close(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    stop, out = tmp_path / "stop", tmp_path / "reads.json"
    with FaultSite(SITE) as site:
        first = subprocess.run(crawl_command(db, site.url), capture_output=True, check=False)
        assert first.returncode in (0, 3), first.stderr[-2000:]
        reader = subprocess.Popen([sys.executable, "-c", READER, str(db), str(stop), str(out)])
        time.sleep(0.5)  # reading before the crawl starts ...
        second = subprocess.run(crawl_command(db, site.url), capture_output=True, check=False)
        time.sleep(0.5)  # ... and after it closed
        stop.touch()
        assert reader.wait(timeout=60) == 0
    assert second.returncode in (0, 3), second.stderr[-2000:]
    reads = json.loads(out.read_text())
    assert reads["locked"] == 0, reads
    assert reads["recovery"] <= 2, reads  # SQLite's own, about once in 20,000 opens
    assert reads["other"] == {}, reads
    assert reads["ok"] > 200, reads  # it did read all along
    # What stays beside the archive: the emptied log and its index (docs/schema.md).
    assert db.with_name("archive.db-wal").stat().st_size == 0
    assert db.with_name("archive.db-shm").is_file()


def test_the_log_is_bounded_and_emptied_at_close(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    conn = connect(db)
    try:
        assert conn.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 2000
        assert conn.execute("PRAGMA journal_size_limit").fetchone()[0] == 8 * 1024 * 1024
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()
    wal_file = db.with_name("archive.db-wal")
    largest = 0
    # Under the writer lock, as a crawl writes: its read-only connection held for the job
    # must not pin the log (it holds no snapshot).
    with lock.writer_lock(db), Store(db) as store:
        run = store.start_run("channel", channels=["gz"], options={})
        for start in range(0, 2400, 100):
            with store.group():
                for n in range(start, start + 100):
                    store.store_item(synthetic_article(n), run_id=run)
            largest = max(largest, wal_file.stat().st_size)
    assert db.stat().st_size > 12 * 1024 * 1024  # the archive grew well past the log's size
    # A checkpoint every 2,000 pages (8 MiB) plus at most one group's pages.
    assert largest < wal.JOURNAL_SIZE_LIMIT + 4 * 1024 * 1024, largest
    assert wal_file.stat().st_size == 0  # emptied at close, left in place
    check = sqlite3.connect(str(db))
    try:
        assert check.execute("SELECT count(*) FROM articles").fetchone()[0] == 2400
    finally:
        check.close()


def test_a_writing_connection_closes_without_touching_the_log(tmp_path: Path) -> None:
    """Closing a writing connection makes no checkpoint, so it never tries the exclusive lock
    that refused readers opening at that moment; only :func:`wal.close` empties the log."""
    db = tmp_path / "archive.db"
    conn = connect(db)
    migrate(conn)  # an archive: the writing commands refuse anything else
    conn.execute(
        "INSERT INTO schema_version (version, applied_at, description) VALUES (999, 'x', 'x')"
    )
    log = db.with_name("archive.db-wal")
    written = log.stat().st_size
    assert written > 0
    conn.conn.close()  # the last connection: SQLite would checkpoint and delete the log
    assert log.stat().st_size == written  # left as it was, replayed by the next opener
    again = connect(db)
    assert again.execute("SELECT max(version) FROM schema_version").fetchone() == (999,)
    wal.close(again.conn, db)
    assert log.stat().st_size == 0


def test_the_close_setting_is_made_on_this_python(tmp_path: Path) -> None:
    conn = sqlite3.connect(str(tmp_path / "a.db"))
    try:
        assert wal.keep_log_on_close(conn) is True
    finally:
        conn.close()


def test_an_archive_opened_for_writing_leaves_its_log_empty(tmp_path: Path) -> None:
    """``Archive(path, readonly=False)``: its close makes no checkpoint of its own (above), so
    it empties the log as a crawl does, and the database file alone holds what was written."""
    db = tmp_path / "archive.db"
    with Store(db) as store:
        store.start_run("channel", channels=["gz"], options={})
    with Archive(db, readonly=False) as archive:
        archive.connection.execute("UPDATE crawl_runs SET spider = 'edited'")
        archive.connection.commit()
        assert db.with_name("archive.db-wal").stat().st_size > 0
    assert db.with_name("archive.db-wal").stat().st_size == 0
    check = sqlite3.connect(f"{db.as_uri()}?immutable=1", uri=True)  # the file alone
    try:
        assert check.execute("SELECT spider FROM crawl_runs").fetchall() == [("edited",)]
    finally:
        check.close()
