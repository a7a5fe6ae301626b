"""A full disk at different points of a crawl: one clear error, exit 1, the archive intact, and
the next run with room completes.

The disk fills through a file-size limit on the crawl process (``RLIMIT_FSIZE`` with
``SIGXFSZ`` ignored, so a write past it fails with ``EFBIG`` the way it fails on a full disk;
see ``tests/test_reliability_disk.py``): while the archive is being created, and once the
write-ahead log has grown to the limit mid-crawl.
"""

from __future__ import annotations

import resource
import signal
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_helpers import clean_reference, crawl_command

from tools.faults import FaultSite
from tools.faults.compare import fingerprint, half_written, integrity_check

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no sample site"),
]


def _limit(size: int) -> Callable[[], None]:
    def full() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return full


@pytest.fixture(scope="module")
def site() -> object:
    with FaultSite(SITE) as served:
        yield served


@pytest.mark.parametrize(
    "full_at",
    [40 * 1024, 1500 * 1024],
    ids=["while-creating-the-archive", "mid-crawl-with-the-log-growing"],
)
def test_a_full_disk_is_one_error_and_the_next_run_completes(
    site: FaultSite, tmp_path: Path, full_at: int
) -> None:
    db = tmp_path / "archive.db"
    proc = subprocess.run(
        crawl_command(db, site.url),
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        preexec_fn=_limit(full_at),  # the test process starts no threads of its own here
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    lines = proc.stderr.splitlines()
    assert "Traceback" not in proc.stderr
    errors = [line for line in lines if line.startswith("error:")]
    assert len(errors) == 1 and "cannot be written (is the disk full" in errors[0], proc.stderr[
        -3000:
    ]
    assert len([line for line in lines if " ERROR " in line]) <= 1, proc.stderr[-3000:]
    assert integrity_check(db) == "ok"
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        tables = {name for (name,) in conn.execute("SELECT name FROM sqlite_master")}
    finally:
        conn.close()
    # The archive is created in one transaction: all of its tables, or none yet.
    assert tables == set() or {"articles", "captures", "crawl_runs"} <= tables
    if tables:
        assert half_written(db) == []
    # Room again: the next run stores every article an uninterrupted crawl stores.
    again = subprocess.run(
        crawl_command(db, site.url), capture_output=True, text=True, check=False, timeout=300
    )
    assert again.returncode in (0, 3), again.stderr[-3000:]
    assert fingerprint(db).articles == fingerprint(clean_reference(SITE)).articles
