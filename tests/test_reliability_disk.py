"""A real crawl on a full disk and into a read-only archive: non-zero exit, clear error,
archive intact.

A full disk is a file-size limit on the crawl process (``RLIMIT_FSIZE``, with ``SIGXFSZ``
ignored, so writes past it fail the way they fail on a full disk: no root, no mount). A
read-only archive is ``chmod a-w`` on the file (or its folder); as root, the crawl runs
without the capabilities that override file modes (see ``drop_dac_override``).
"""

from __future__ import annotations

import resource
import signal
import sqlite3
import stat
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_helpers import (
    can_drop_dac_override,
    clean_reference,
    crawl_command,
    drop_dac_override,
    file_digest,
)

from tools.faults import FaultSite
from tools.faults.compare import fingerprint, half_written, integrity_check

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site"),
]

#: Room for the schema and a few pages, far less than the sample site's archive.
FULL_AT = 300 * 1024


@pytest.fixture(scope="module")
def site() -> object:
    with FaultSite(SITE) as served:
        yield served


@pytest.fixture(scope="module")
def reference() -> Path:
    return clean_reference(SITE)


def _copy(source: Path, target: Path) -> None:
    src, dst = sqlite3.connect(str(source)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()


def _disk_full() -> None:
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (FULL_AT, FULL_AT))


def _crawl(
    db: Path, site: FaultSite, preexec: Callable[[], None]
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(db, site.url),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        preexec_fn=preexec,  # the test process starts no threads of its own here
    )


@pytest.fixture(scope="module")
def full_disk(
    site: FaultSite, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    db = tmp_path_factory.mktemp("full") / "archive.db"
    return db, _crawl(db, site, _disk_full)


def test_full_disk_leaves_a_sound_archive_and_the_next_run_completes(
    full_disk: tuple[Path, subprocess.CompletedProcess[str]], site: FaultSite, reference: Path
) -> None:
    db, _ = full_disk
    assert db.exists()
    assert db.stat().st_size <= FULL_AT
    assert integrity_check(db) == "ok"
    assert half_written(db) == []
    before = fingerprint(db)
    assert len(before.articles) < len(fingerprint(reference).articles)  # it did run out
    # Space again: the next run stores everything, as an uninterrupted crawl would.
    proc = subprocess.run(crawl_command(db, site.url), capture_output=True, text=True, check=False)
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    after, expected = fingerprint(db), fingerprint(reference)
    assert after.articles == expected.articles
    assert after.children == expected.children
    # The full-disk run stops and drops its job state (its queue is no guide), so the next
    # run is an incremental one, not a resume: it skips a *known* article's other URLs, so an alias
    # URL may be missing, never an article.
    known = {content_hash for content_hash, *_ in after.articles}
    assert {h for _, h in expected.urls - after.urls} <= known


def test_full_disk_is_a_clear_error_and_a_non_zero_exit(
    full_disk: tuple[Path, subprocess.CompletedProcess[str]],
) -> None:
    _, proc = full_disk
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    # One clear error: the CLI's line, and one ERROR line in the log (the crawl stopping).
    assert len([line for line in lines if line.startswith("error:")]) == 1, proc.stderr[-3000:]
    assert "cannot be written (is the disk full" in proc.stderr
    assert len([line for line in lines if " ERROR " in line]) <= 1, proc.stderr[-3000:]


def _read_only(db: Path, what: str) -> None:
    db.chmod(stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    if what == "folder":
        db.parent.chmod(stat.S_IRUSR | stat.S_IXUSR | stat.S_IRGRP | stat.S_IXGRP)


def _writable(db: Path) -> None:
    db.parent.chmod(0o755)
    db.chmod(0o644)


@pytest.fixture(scope="module", params=["file", "folder"])
def read_only(
    request: pytest.FixtureRequest,
    site: FaultSite,
    reference: Path,
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, str, subprocess.CompletedProcess[str]]:
    if not can_drop_dac_override():
        pytest.skip("cannot make file modes bind root here")
    db = tmp_path_factory.mktemp("readonly") / "archive.db"
    _copy(reference, db)
    before = file_digest(db)
    _read_only(db, request.param)
    try:
        proc = _crawl(db, site, drop_dac_override)
    finally:
        _writable(db)
    return db, before, proc


def test_read_only_archive_exits_non_zero_and_stays_intact(
    read_only: tuple[Path, str, subprocess.CompletedProcess[str]], reference: Path
) -> None:
    db, before, proc = read_only
    assert proc.returncode != 0
    assert file_digest(db) == before
    assert integrity_check(db) == "ok"
    assert fingerprint(db) == fingerprint(reference)


def test_read_only_archive_is_a_clear_error(
    read_only: tuple[Path, str, subprocess.CompletedProcess[str]],
) -> None:
    _, _, proc = read_only
    assert "Traceback" not in proc.stderr
    assert "error:" in proc.stderr
    assert "read-only" in proc.stderr.lower() or "readonly" in proc.stderr.lower()
