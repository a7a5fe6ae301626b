"""The archive under stress: readers during writes, a full disk, a read-only archive.

These exercise the store directly (no crawl), with real SQLite files and real processes.
The crawl-level versions are in ``test_reliability_crawl.py``.
"""

from __future__ import annotations

import shutil
import sqlite3
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from reliability_helpers import (
    archive_content,
    can_drop_dac_override,
    drop_dac_override,
    file_digest,
    integrity,
    synthetic_article,
)

from newsarchive import Archive
from newsarchive.store import Store

TESTS = Path(__file__).resolve().parent

WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from reliability_helpers import synthetic_article
    from newsarchive.store import Store
    with Store(sys.argv[1]) as store:
        run = store.start_run("reliability", channels=["gz"])
        print("ready", flush=True)
        for n in range(int(sys.argv[2])):
            store.store_item(synthetic_article(n), run_id=run)
        store.finish_run(run, exit_status="finished")
    """
)


def half_written(conn: sqlite3.Connection) -> list[tuple[int, int, int]]:
    """Articles seen without all of their sections and credits, in one read snapshot."""
    rows = conn.execute(
        """SELECT a.id,
                  (SELECT count(*) FROM sections s WHERE s.article_id = a.id),
                  (SELECT count(*) FROM credits c WHERE c.article_id = a.id)
           FROM articles a"""
    ).fetchall()
    return [tuple(r) for r in rows if (r[1], r[2]) != (2, 3)]


@pytest.mark.slow
def test_readers_during_a_write_see_no_lock_and_no_half_article(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    total = 200
    with Store(db):
        pass  # create and migrate first, as a crawl does before it writes
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER.format(tests=str(TESTS)), str(db), str(total)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    assert writer.stdout.readline().strip() == "ready"
    errors: list[str] = []
    broken: list[tuple[int, int, int]] = []
    reads_mid_write = 0
    seen_counts: list[int] = []
    while True:
        finished = writer.poll() is not None
        # A researcher's two ways in: plain sqlite3 and the Python API (which also searches).
        try:
            plain = sqlite3.connect(str(db))
            try:
                broken += half_written(plain)
                count, counted = plain.execute(
                    "SELECT (SELECT count(*) FROM articles),"
                    " (SELECT coalesce(sum(articles_new), 0) FROM crawl_runs)"
                ).fetchone()
                assert count == counted  # run counters move in the article's transaction
            finally:
                plain.close()
            with Archive(db) as archive:
                broken += half_written(archive.connection)
                hits = archive.search("乡村公路", limit=5)
                # The full-text index is filled in batches (Store fts_batch), so it may lag
                # the articles table during a write; it never shows what is not there.
                assert len(hits) <= min(5, count)
        except sqlite3.OperationalError as exc:
            errors.append(str(exc))
        seen_counts.append(count)
        if 0 < count < total:
            reads_mid_write += 1
        if finished:
            break
    assert writer.wait() == 0
    assert errors == []
    assert broken == []
    assert reads_mid_write >= 5, f"the reader never overlapped the writer: {seen_counts[:20]}"
    assert seen_counts == sorted(seen_counts)  # never goes backwards
    assert seen_counts[-1] == total
    with Archive(db) as archive:  # the writer closed: every article is searchable
        assert len(archive.search("乡村公路", limit=1000)) == total


def _limit_pages(store: Store, extra: int) -> None:
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages + extra}")


def test_disk_full_fails_cleanly_and_keeps_everything_stored(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with Store(db) as store:
        run = store.start_run("reliability")
        for n in range(10):
            store.store_item(synthetic_article(n), run_id=run)
        before = archive_content(db)
        _limit_pages(store, 0)  # the disk is now full
        with pytest.raises(sqlite3.OperationalError, match="full"):
            for n in range(10, 200):
                store.store_item(synthetic_article(n), run_id=run)
    assert integrity(db) == "ok"
    after = archive_content(db)
    assert after == before  # nothing lost, nothing half-added
    with Store(db) as store:  # space freed: the same items store completely
        run = store.start_run("reliability")
        for n in range(10, 20):
            store.store_item(synthetic_article(n), run_id=run)
    assert len(archive_content(db)["articles"]) == 20
    assert integrity(db) == "ok"


def test_disk_full_at_every_point_of_an_item_is_all_or_nothing(tmp_path: Path) -> None:
    base = tmp_path / "base.db"
    with Store(base) as store:
        run = store.start_run("reliability")
        for n in range(5):
            store.store_item(synthetic_article(n), run_id=run)
    store_pages = sqlite3.connect(str(base)).execute("PRAGMA page_count").fetchone()[0]
    outcomes = set()
    for extra in range(12):
        db = tmp_path / f"full{extra}.db"
        shutil.copy(base, db)
        with Store(db) as store:
            pages = store.db.execute("PRAGMA page_count").fetchone()[0]
            assert pages >= store_pages
            store.db.execute(f"PRAGMA max_page_count = {pages + extra}")
            try:
                for n in range(5, 8):
                    store.store_item(synthetic_article(n), run_id=1)
                outcomes.add("stored")
            except sqlite3.OperationalError as exc:
                assert "full" in str(exc)
                outcomes.add("full")
        assert integrity(db) == "ok"
        conn = sqlite3.connect(str(db))
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        assert 5 <= stored <= 8
        assert half_written(conn) == []
        captured = conn.execute(
            "SELECT count(DISTINCT url) FROM captures WHERE url LIKE '%c_11290000%'"
        ).fetchone()[0]
        assert captured == stored  # no capture left behind by a rolled-back item
        counted = conn.execute("SELECT articles_new FROM crawl_runs WHERE id = 1").fetchone()[0]
        assert counted == stored
        conn.close()
    assert "full" in outcomes


READER = (
    "import sys; from newsarchive import Archive; "
    "print(len(Archive(sys.argv[1]).search('乡村公路')))"
)


def _make_read_only(tmp_path: Path, what: str) -> Path:
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "archive.db"
    with Store(db) as store:
        run = store.start_run("reliability")
        for n in range(3):
            store.store_item(synthetic_article(n), run_id=run)
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    if what == "folder":
        folder.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)
    return db


READ_ONLY_WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from reliability_helpers import synthetic_article
    from newsarchive.store import Store
    with Store(sys.argv[1]) as store:
        store.store_item(synthetic_article(99), run_id=None)
    """
)


@pytest.mark.skipif(not can_drop_dac_override(), reason="cannot make file modes bind root here")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_archive_refuses_writes_and_stays_intact(tmp_path: Path, what: str) -> None:
    db = _make_read_only(tmp_path, what)
    before = file_digest(db)
    try:
        proc = subprocess.run(
            [sys.executable, "-c", READ_ONLY_WRITER.format(tests=str(TESTS)), str(db)],
            capture_output=True,
            text=True,
            preexec_fn=drop_dac_override,  # single-threaded test process
            timeout=120,
            check=False,
        )
        assert proc.returncode != 0
        assert "readonly" in proc.stderr.lower() or "read-only" in proc.stderr.lower()
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert file_digest(db) == before
    assert integrity(db) == "ok"
    assert not db.with_name(db.name + "-journal").exists()


@pytest.mark.skipif(not can_drop_dac_override(), reason="cannot make file modes bind root here")
@pytest.mark.parametrize("what", ["file", "folder"])
def test_read_only_archive_can_still_be_searched(tmp_path: Path, what: str) -> None:
    db = _make_read_only(tmp_path, what)
    try:
        reader = subprocess.run(
            [sys.executable, "-c", READER, str(db)],
            capture_output=True,
            text=True,
            preexec_fn=drop_dac_override,  # single-threaded test process
            timeout=120,
            check=False,
        )
    finally:
        db.parent.chmod(0o755)
        db.chmod(0o644)
    assert reader.returncode == 0, reader.stderr
    assert reader.stdout.strip() == "3"


def test_fsize_limit_stops_a_writer_cleanly(tmp_path: Path) -> None:
    """A process that runs into a file-size limit (a full disk as the writer sees it)."""
    db = tmp_path / "archive.db"
    with Store(db) as store:
        run = store.start_run("reliability")
        for n in range(5):
            store.store_item(synthetic_article(n), run_id=run)
    before = archive_content(db)
    limit = db.stat().st_size + 8192

    def limited() -> None:
        import resource  # noqa: PLC0415  # only in the child
        import signal  # noqa: PLC0415

        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    script = WRITER.format(tests=str(TESTS))
    started = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-c", script, str(db), "300"],
        capture_output=True,
        text=True,
        preexec_fn=limited,  # single-threaded test process
        timeout=120,
        check=False,
    )
    assert time.monotonic() - started < 120
    assert proc.returncode != 0
    assert "disk" in proc.stderr.lower() or "full" in proc.stderr.lower()
    assert integrity(db) == "ok"
    after = archive_content(db)
    assert set(before["articles"]) <= set(after["articles"])
    conn = sqlite3.connect(str(db))
    assert half_written(conn) == []
    conn.close()
