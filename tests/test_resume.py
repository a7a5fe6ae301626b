"""Resumable crawls end to end: a crawl killed with SIGKILL (or stopped with SIGTERM) at
several points leaves its work pending in the archive's crawl frontier; run again, it ends
with the same archive as an uninterrupted crawl and nothing pending; and
two crawls on one archive never write at the same time."""

from __future__ import annotations

import os
import signal
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops_support import (
    Site,
    crawl,
    differences,
    runs,
    served_site,
    snapshot,
    start_crawl,
    wait_for,
)

from newsarchive.exitcodes import ExitCode
from newsarchive.lock import writer_lock

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DONE = (ExitCode.OK, ExitCode.PARTIAL)  # the sample site has a broken link (a 404)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with served_site(tmp_path_factory.mktemp("resume")) as site:
        yield site


@pytest.fixture(scope="module")
def reference(site: Site, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The archive of one uninterrupted crawl, and how many requests it took."""
    db = tmp_path_factory.mktemp("reference") / "archive.db"
    site.server.reset()
    result = crawl(site, db)
    assert result.returncode in DONE, result.stderr
    return {
        "snapshot": snapshot(db),
        "requests": site.server.total(),
        "articles_new": runs(db)[0]["articles_new"],
    }


def left(db: Path) -> dict[str, int]:
    """The crawl frontier's URLs by state."""
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT state, count(*) FROM frontier GROUP BY state").fetchall()
    finally:
        conn.close()
    return {str(state): int(n) for state, n in rows}


def test_sigkill_at_several_points_then_resume_gives_the_uninterrupted_archive(
    site: Site, reference: dict[str, Any], tmp_path: Path
) -> None:
    """Killed three times, early, midway and late (counted in requests each run made), then
    left to finish: the archive equals the uninterrupted crawl's."""
    db = tmp_path / "archive.db"
    stored = []
    for fraction in (0.15, 0.35, 0.5):
        site.server.reset()
        proc = start_crawl(site, db)
        reached = wait_for(proc, site, int(reference["requests"] * fraction))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        assert reached, f"the crawl ended before the kill point ({fraction})"
        assert proc.returncode == -signal.SIGKILL
        assert runs(db)[-1]["finished_at"] is None  # the ledger shows it never finished
        assert left(db).get("pending"), "the killed run left pending URLs in the frontier"
        stored.append(len(snapshot(db)["articles"]))
    assert stored == sorted(stored)  # each run went on from where the last one stopped
    assert stored[-1] < len(reference["snapshot"]["articles"])

    resumed = crawl(site, db)
    assert resumed.returncode in DONE, resumed.stderr
    assert differences(snapshot(db), reference["snapshot"]) == {}
    assert left(db).get("pending", 0) == 0  # the next run took up everything
    assert not db.with_name(db.name + ".jobs").exists()  # no state outside the archive
    ledger = runs(db)
    assert [r["exit_status"] for r in ledger][-1] in ("ok", "partial")
    assert [r["finished_at"] is None for r in ledger] == [True, True, True, False]
    # Nothing stored twice: every article was new in exactly one run.
    assert sum(r["articles_new"] for r in ledger) == reference["articles_new"]


def test_sigterm_stops_gracefully_and_the_next_run_resumes(
    site: Site, reference: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    site.server.reset()
    proc = start_crawl(site, db)
    assert wait_for(proc, site, int(reference["requests"] * 0.3))
    proc.send_signal(signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    if proc.returncode in DONE:  # it finished before the signal was handled: nothing to test
        pytest.skip("the crawl finished before SIGTERM arrived")
    assert proc.returncode == ExitCode.INTERRUPTED, err
    ledger = runs(db)
    assert ledger[-1]["exit_status"] == "interrupted"
    assert left(db).get("pending"), "the interrupted run left pending URLs in the frontier"

    resumed = crawl(site, db)
    assert resumed.returncode in DONE, resumed.stderr
    assert differences(snapshot(db), reference["snapshot"]) == {}
    assert left(db).get("pending", 0) == 0
    assert sum(r["articles_new"] for r in runs(db)) == reference["articles_new"]


def test_second_crawl_on_a_locked_archive_exits_locked(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    with writer_lock(db):  # another run is writing
        result = crawl(site, db)
    assert result.returncode == ExitCode.LOCKED
    assert f"locked by pid {os.getpid()}" in result.stderr
    assert not db.exists() or runs(db) == []  # nothing was done


def test_concurrent_crawls_one_waits_for_the_other(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    first = start_crawl(site, db, "--wait", "240")
    second = start_crawl(site, db, "--wait", "240")
    for proc in (first, second):
        proc.communicate(timeout=240)
        assert proc.returncode in DONE
    a, b = runs(db)
    # One ran after the other: the runs never overlapped.
    assert a["finished_at"] <= b["started_at"]
    assert a["articles_new"] > 0
    assert b["articles_new"] == 0
