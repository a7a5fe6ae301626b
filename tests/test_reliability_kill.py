"""A real crawl killed with SIGKILL, then resumed; and a reader working while a crawl writes.

The reference crawl runs while this process reads the archive the way researchers do (plain
``sqlite3`` and :class:`newsarchive.Archive`); then a second crawl is killed part-way, checked
and resumed. ``bench/kill.py`` runs the same with 20+ random kill points.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from reliability_helpers import crawl_command

from newsarchive import Archive
from tools.faults import FaultSite, Rule
from tools.faults.compare import Fingerprint, fingerprint, half_written, integrity_check

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site"),
]

#: Pages at full speed: the crawl still takes a couple of seconds of writes, enough to read
#: during it many times, and the kill is aimed by polling the archive's capture count
#: (``bench/kill.py`` trickles pages to spread 20+ kills over the whole run).
SLOW: list[Rule] = []


@dataclass
class ReaderLog:
    reads: int = 0
    reads_mid_write: int = 0
    errors: list[str] = field(default_factory=list)
    half_written: list[int] = field(default_factory=list)
    seen: dict[int, tuple[str, int, int]] = field(default_factory=dict)
    """article id → (content hash, sections, credits) as last seen by the reader."""


def _read_once(db: Path, log: ReaderLog) -> int:
    """One round of researcher queries; returns the article count seen."""
    plain = sqlite3.connect(str(db), timeout=5)
    try:
        rows = plain.execute(
            """SELECT a.id, a.content_hash,
                      (SELECT count(*) FROM sections s WHERE s.article_id = a.id),
                      (SELECT count(*) FROM credits c WHERE c.article_id = a.id)
               FROM articles a"""
        ).fetchall()
    finally:
        plain.close()
    for article_id, content_hash, sections, credits in rows:
        if sections == 0:
            log.half_written.append(article_id)
        log.seen[article_id] = (content_hash, sections, credits)
    with Archive(db) as archive:
        archive.search("贵州")
        archive.stats()
    return len(rows)


def read_while(proc: subprocess.Popen[bytes], db: Path) -> ReaderLog:
    log = ReaderLog()
    while proc.poll() is None:
        if not db.exists():
            time.sleep(0.05)
            continue
        try:
            count = _read_once(db, log)
        except sqlite3.OperationalError as exc:
            if "no such table" not in str(exc):  # before the crawl created the schema
                log.errors.append(str(exc))
            continue
        except Exception as exc:  # e.g. ArchiveError before the schema exists
            if "no such table" in str(exc) or "not a newsarchive archive" in str(exc):
                continue
            raise
        log.reads += 1
        if count > 0:
            log.reads_mid_write += 1
        time.sleep(0.01)
    return log


@dataclass
class KillRun:
    reference: Fingerprint
    reference_db: Path
    reader: ReaderLog
    captures_at_kill: int
    total_captures: int
    integrity_after_kill: str
    half_after_kill: list[int]
    resume_exit: int
    resumed: Fingerprint


def _captures(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM captures").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


@pytest.fixture(scope="module")
def killed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[KillRun]:
    tmp = tmp_path_factory.mktemp("kill")
    reference_db, db = tmp / "reference.db", tmp / "killed.db"
    with FaultSite(SITE, SLOW) as site:
        out = (tmp / "reference.log").open("w")
        proc = subprocess.Popen(crawl_command(reference_db, site.url), stdout=out, stderr=out)
        reader = read_while(proc, reference_db)
        out.close()
        assert proc.wait() in (0, 3), (tmp / "reference.log").read_text()[-3000:]
        reference = fingerprint(reference_db)
        total = len(reference.captured_urls)
        proc = subprocess.Popen(
            crawl_command(db, site.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        started = time.monotonic()
        while proc.poll() is None and _captures(db) < total // 3:
            assert time.monotonic() - started < 120
            time.sleep(0.02)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        at_kill = _captures(db)
        integrity, half = integrity_check(db), half_written(db)
        resume = subprocess.run(crawl_command(db, site.url), capture_output=True, check=False)
    yield KillRun(
        reference=reference,
        reference_db=reference_db,
        reader=reader,
        captures_at_kill=at_kill,
        total_captures=total,
        integrity_after_kill=integrity,
        half_after_kill=half,
        resume_exit=resume.returncode,
        resumed=fingerprint(db),
    )


def test_readers_during_a_crawl_see_no_lock_and_no_half_article(killed: KillRun) -> None:
    log = killed.reader
    assert log.errors == []  # no "database is locked"
    assert log.half_written == []
    assert log.reads_mid_write >= 3, log
    # What the reader saw of an article is the article as finally stored (unless revised).
    conn = sqlite3.connect(str(killed.reference_db))
    final = {
        row[0]: (row[1], row[2], row[3])
        for row in conn.execute(
            """SELECT a.id, a.content_hash,
                      (SELECT count(*) FROM sections s WHERE s.article_id = a.id),
                      (SELECT count(*) FROM credits c WHERE c.article_id = a.id)
               FROM articles a"""
        )
    }
    conn.close()
    for article_id, seen in log.seen.items():
        if final[article_id][0] == seen[0]:
            assert final[article_id] == seen


def test_killed_mid_crawl_the_archive_is_sound(killed: KillRun) -> None:
    assert 0 < killed.captures_at_kill < killed.total_captures
    assert killed.integrity_after_kill == "ok"
    assert killed.half_after_kill == []


def test_the_resumed_archive_equals_an_uninterrupted_one(killed: KillRun) -> None:
    assert killed.resume_exit in (0, 3)
    assert killed.reference.difference(killed.resumed) == {}
    assert killed.resumed == killed.reference
