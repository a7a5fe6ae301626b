"""Crawls that store through the writer process, end to end on the sample site: the same
archive as storing in the crawl process, a journal that only names committed pages when the
crawl is killed, and a clear failure when the writer dies."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from ops_support import (
    CHANNELS,
    Site,
    crawl_env,
    differences,
    runs,
    served_site,
    snapshot,
    wait_for,
)

from newsarchive.crawling.resume import Journal
from newsarchive.exitcodes import ExitCode
from newsarchive.store.runs import COUNTERS
from tools.faults.compare import integrity_check

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

DONE = (ExitCode.OK, ExitCode.PARTIAL)  # the sample site has a broken link (a 404)

#: ``newsarchive crawl`` with settings changed first (as ``-s NAME=VALUE`` would).
_WRAPPER = """
import json, sys
import newsarchive.settings as settings
for name, value in json.loads(sys.argv[1]).items():
    setattr(settings, name, value)
from newsarchive.cli import main
main(sys.argv[2:], prog_name="newsarchive")
"""


def _command(site: Site, db: Path, *, polite: bool = False, **settings: object) -> list[str]:
    return [
        sys.executable,
        "-c",
        _WRAPPER,
        json.dumps(settings),
        "--quiet",
        "crawl",
        *CHANNELS,
        "--db",
        str(db),
        "--mirror",
        site.url,
        *(() if polite else ("--no-politeness",)),
        "--no-progress",
    ]


def _run(site: Site, db: Path, **settings: object) -> tuple[int, str]:
    proc = subprocess.run(
        _command(site, db, **settings),
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=240,
        check=False,
        cwd=db.parent,
    )
    return proc.returncode, proc.stderr


def _start(
    site: Site, db: Path, *, polite: bool = False, **settings: object
) -> subprocess.Popen[str]:
    return subprocess.Popen(
        _command(site, db, polite=polite, **settings),
        env=crawl_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=db.parent,
        start_new_session=True,  # its own process group, as under systemd or a terminal
    )


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, IndexError):
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(stat.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def _holds_archive(pid: int) -> bool:
    """Whether process ``pid`` has an ``archive.db`` open (the store writer does, the
    extractor process never)."""
    try:
        fds = list(Path(f"/proc/{pid}/fd").iterdir())
    except (FileNotFoundError, PermissionError):
        return False
    for fd in fds:
        try:
            if str(fd.readlink()).endswith("archive.db"):
                return True
        except OSError:
            continue
    return False


def _helper_of(pid: int, *, writer: bool, timeout: float = 60) -> int:
    """The store writer process (``writer``) or the extractor process of the crawl process
    ``pid``: its two spawned children, told apart once one of them has the archive open."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        spawned = []
        for child in _children(pid):
            try:
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    spawned.append(child)
            except FileNotFoundError:
                continue
        holding = [child for child in spawned if _holds_archive(child)]
        if len(spawned) == 2 and len(holding) == 1:
            return holding[0] if writer else next(c for c in spawned if c not in holding)
        time.sleep(0.02)
    raise AssertionError(f"no {'store writer' if writer else 'extractor'} process appeared")


def _writer_of(pid: int, timeout: float = 60) -> int:
    """The store writer process of the crawl process ``pid``."""
    return _helper_of(pid, writer=True, timeout=timeout)


def _journaled_done(db: Path) -> frozenset[str]:
    root = db.with_name(db.name + ".jobs")
    done: set[str] = set()
    for job in root.iterdir():
        done |= Journal.read(job)[1]
    return frozenset(done)


def _journaled_done_or_none(db: Path) -> frozenset[str]:
    root = db.with_name(db.name + ".jobs")
    return _journaled_done(db) if root.is_dir() else frozenset()


def _captured(db: Path) -> set[str]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {str(r[0]) for r in conn.execute("SELECT url FROM captures")}
    finally:
        conn.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with served_site(tmp_path_factory.mktemp("writer")) as site:
        yield site


@pytest.fixture(scope="module")
def in_process(site: Site, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The archive of a crawl that extracts and stores in the crawl process (no extractor
    process, no writer process)."""
    db = tmp_path_factory.mktemp("inprocess") / "archive.db"
    code, err = _run(site, db, NEWSARCHIVE_STORE_PROCESS=False, NEWSARCHIVE_EXTRACT_PROCESS=False)
    assert code in DONE, err
    return db


def test_a_crawl_through_the_writer_equals_the_in_process_crawl(
    site: Site, in_process: Path, tmp_path: Path
) -> None:
    db = tmp_path / "archive.db"
    code, err = _run(site, db)  # the default: the extractor process and the writer process
    assert code in DONE, err
    assert differences(snapshot(db), snapshot(in_process)) == {}
    # Which of two copies of a page is "unchanged" and which a "duplicate" depends on fetch
    # order, which varies from run to run in either mode; their sum does not.
    mixed = {"articles_unchanged", "duplicates"}
    counters = (*(c for c in COUNTERS if c not in mixed), "errors", "errors_by_kind", "exit_status")
    got, want = runs(db)[-1], runs(in_process)[-1]
    assert {k: got[k] for k in counters} == {k: want[k] for k in counters}
    assert sum(got[k] for k in mixed) == sum(want[k] for k in mixed)
    assert got["articles_new"] > 50


def test_killed_mid_crawl_every_journaled_page_is_in_the_archive(
    site: Site, in_process: Path, tmp_path: Path
) -> None:
    """SIGKILL while the writer holds an open group (long groups make that likely): every
    page the journal calls done is in the archive, and the writer does not outlive the
    crawl."""
    db = tmp_path / "archive.db"
    site.server.reset()
    # Politeness on, with a short fixed delay: the crawl lasts a few seconds whatever the
    # machine's load, so the kill lands mid-crawl (unthrottled, a quick machine finished the
    # ~110 pages before the first group was journaled).
    proc = _start(
        site,
        db,
        polite=True,
        NEWSARCHIVE_STORE_GROUP_MS=400,
        NEWSARCHIVE_STORE_GROUP=1000,
        DOWNLOAD_DELAY=0.05,
        DOWNLOAD_DELAY_JITTER=0,
        AUTOTHROTTLE_ENABLED=False,
        CONCURRENT_REQUESTS_PER_DOMAIN=2,
    )
    writer = _writer_of(proc.pid)
    # Kill once a first group has been committed and journaled and more pages have come in
    # since (the next group is open then).
    deadline = time.monotonic() + 120
    while not _journaled_done_or_none(db) and proc.poll() is None:
        assert time.monotonic() < deadline, "nothing was journaled"
        time.sleep(0.01)
    assert wait_for(proc, site, site.server.total() + 10)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    deadline = time.monotonic() + 15
    while _alive(writer) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(writer), "the store writer outlived the killed crawl"
    done = _journaled_done(db)
    assert done, "nothing was journaled before the kill"
    assert done <= _captured(db)
    assert integrity_check(db) == "ok"
    # The next run completes the archive: the same articles, URLs and content. (Which script
    # a story's current row is in can differ: a killed run can leave both the original and
    # its big5 copy to the resumed one, which fetches them in either order.)
    code, err = _run(site, db)
    assert code in DONE, err
    got, want = snapshot(db), snapshot(in_process)
    for part in ("articles", "urls", "events", "captured_urls", "near_copies"):
        assert got[part] == want[part], part
    assert [r[:2] for r in got["current"]] == [r[:2] for r in want["current"]]


def test_a_dead_writer_stops_the_crawl_with_a_clear_error(site: Site, tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    site.server.reset()
    proc = _start(site, db, NEWSARCHIVE_STORE_GROUP_MS=200)
    writer = _writer_of(proc.pid)
    assert wait_for(proc, site, 40)
    os.kill(writer, signal.SIGKILL)
    _out, err = proc.communicate(timeout=120)
    assert proc.returncode == ExitCode.FAILURE, err
    assert "Traceback" not in err
    assert "error:" in err
    assert "store writer process" in err
    assert "the process storing the crawl's items stopped" in err
    assert "read-only" not in err
    assert integrity_check(db) == "ok"
    assert runs(db)[-1]["exit_status"] == "failed"


def test_sigterm_to_the_process_group_drains_the_writer(site: Site, tmp_path: Path) -> None:
    """SIGTERM to the crawl and its writer at once (``systemctl stop``, ``kill -TERM -pgid``):
    the writer keeps storing until the crawl's graceful stop has drained it, every journaled
    page is in the archive, the run is recorded as interrupted and nothing is left running."""
    db = tmp_path / "archive.db"
    site.server.reset()
    proc = _start(site, db, NEWSARCHIVE_STORE_GROUP_MS=300)
    writer = _writer_of(proc.pid)
    extractor = _helper_of(proc.pid, writer=False)
    assert wait_for(proc, site, 50)
    os.killpg(proc.pid, signal.SIGTERM)
    _out, err = proc.communicate(timeout=120)
    if proc.returncode in DONE:  # it finished before the signal was handled: nothing to test
        pytest.skip("the crawl finished before SIGTERM arrived")
    assert proc.returncode == ExitCode.INTERRUPTED, err
    assert not _alive(writer)
    assert not _alive(extractor)
    done = _journaled_done(db)
    assert done
    assert done <= _captured(db)
    assert runs(db)[-1]["exit_status"] == "interrupted"


def test_a_dead_extractor_process_loses_nothing(
    site: Site, in_process: Path, tmp_path: Path
) -> None:
    """SIGKILL to the extractor process mid-crawl: the pages it had and every later page are
    extracted in the crawl process, the crawl finishes normally and the archive equals the
    one of a crawl that never had an extractor process."""
    db = tmp_path / "archive.db"
    site.server.reset()
    proc = _start(site, db)
    extractor = _helper_of(proc.pid, writer=False)
    assert wait_for(proc, site, 40)
    os.kill(extractor, signal.SIGKILL)
    _out, err = proc.communicate(timeout=180)
    assert proc.returncode in DONE, err
    assert "extractor process" in err and "exited unexpectedly" in err
    assert "extracted in the crawl process" in err
    assert "Traceback" not in err
    assert differences(snapshot(db), snapshot(in_process)) == {}


_STATS = """
import json, sys
from newsarchive.crawling import CrawlOptions, run_crawl
from newsarchive.crawling.options import IMPOLITE_SETTINGS
options = CrawlOptions.from_args(
    {"channels": "gz,he", "mirror": sys.argv[1], "polite": "0", "db": sys.argv[2]}
)
settings = {**IMPOLITE_SETTINGS, "NEWSARCHIVE_DB": sys.argv[2], "LOG_LEVEL": "WARNING"}
settings["NEWSARCHIVE_STORE_PROCESS"] = sys.argv[3] == "1"
result = run_crawl(options, settings=settings)
stats = {k: v for k, v in result.stats.items() if k.startswith("newsarchive/")}
print(json.dumps({"stats": stats, "articles": result.progress.articles}))
"""


def _crawl_stats(site: Site, db: Path, writer: bool) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, "-c", _STATS, site.url, str(db), "1" if writer else "0"],
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=240,
        check=True,
        cwd=db.parent,
    )
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def test_scrapy_stats_and_progress_are_the_same_with_the_writer(site: Site, tmp_path: Path) -> None:
    """The crawl's stats (``newsarchive/articles/<outcome>``, ``newsarchive/dedup/…``, …)
    and progress counters keep their names and values when the writer process stores."""
    one = _crawl_stats(site, tmp_path / "one.db", writer=False)
    two = _crawl_stats(site, tmp_path / "two.db", writer=True)
    assert two["articles"] == one["articles"]
    got, want = dict(two["stats"]), dict(one["stats"])
    mixed = ("newsarchive/articles/unchanged", "newsarchive/articles/duplicate")
    assert sum(got.pop(k, 0) for k in mixed) == sum(want.pop(k, 0) for k in mixed)
    assert got == want
    assert want["newsarchive/articles/new"] > 50
    assert any(k.startswith("newsarchive/dedup/url_kind/") for k in got)
