"""Issue 8's proof: two crawler processes and one writer on a real Redis make the same archive as
one process, fetch no page twice, and lose nothing when the writer is SIGKILLed mid-drain.

Everything is real: the bundled sample site served by :class:`tools.mirror.CountingMirror` on
loopback, ``newsarchive crawl … --mirror URL --redis URL`` twice, ``newsarchive ingest`` as the
writer, and the single-process ``newsarchive crawl … --db`` as the reference.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from distributed_support import redis_url

from newsarchive.distributed import QueueKeys
from tools.mirror import CountingMirror
from tools.sitegen import load_manifest

__all__ = ["redis_url"]  # fixture, imported for pytest

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
CLI = "from newsarchive.cli import main; main()"
#: Polite settings without the delay: one request at a time per host (eight in all) keeps a
#: member from taking the whole frontier of this small site into its own downloader, so both
#: members get work; ``--no-politeness`` (32 at a time) lets the first one hoard it.
ENV = {
    **os.environ,
    "PYTHONPATH": str(REPO),
    "NEWSARCHIVE_DELAY": "0",
    "NEWSARCHIVE_AUTOTHROTTLE": "off",
    "NEWSARCHIVE_CONCURRENCY": "1",
}

pytestmark = [pytest.mark.redis, pytest.mark.e2e, pytest.mark.slow]


def cli(*args: str) -> list[str]:
    return [sys.executable, "-c", CLI, *args]


def archive_content(db: Path) -> dict[str, set[object]]:
    """The archive as row sets, with each article named by the set of URLs it holds.

    Row ids, timestamps and *which* copy of a duplicate group came first are left out: the
    store keeps the first-arriving reprint as the canonical row and marks the later of two
    near-duplicates, and arrival order differs between any two crawls (one process with 32
    concurrent requests included). The groups, their kinds, every field of every article,
    and which articles are near-duplicates of which, must be equal.
    """
    with sqlite3.connect(db) as conn:
        urls: dict[int, set[str]] = {}
        kinds: dict[int, list[str]] = {}
        for url, article_id, kind in conn.execute("SELECT url, article_id, kind FROM article_urls"):
            urls.setdefault(article_id, set()).add(url)
            kinds.setdefault(article_id, []).append(kind)
        name = {aid: frozenset(u) for aid, u in urls.items()}
        articles = {
            (name[row[0]], *row[1:])
            for row in conn.execute(
                "SELECT id, channel, headline, subtitle, published_at, source, body_text, "
                "script, template, pages, (SELECT group_concat(keyword, ';') FROM keywords k"
                " WHERE k.article_id = articles.id), revision, status FROM articles"
            )
        }
        near = {
            frozenset({name[a], name[b]})
            for a, b in conn.execute(
                "SELECT id, duplicate_of FROM articles WHERE duplicate_of IS NOT NULL"
            )
        }
        return {
            "articles": articles,
            "article_urls": {(name[a], tuple(sorted(k))) for a, k in kinds.items()},
            "near_duplicates": near,
            "sections": {
                (name[a], *rest)
                for a, *rest in conn.execute(
                    "SELECT article_id, section, position, text FROM paragraphs"
                )
            },
            "credits": {
                (name[a], *rest)
                for a, *rest in conn.execute("SELECT article_id, position, role, name FROM credits")
            },
        }


def article_count(db: Path) -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            return int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    except sqlite3.OperationalError:  # not migrated yet
        return 0


def fetched(site: CountingMirror) -> dict[str, int]:
    return {key: n for key, n in site.requests.items() if not key.endswith("/robots.txt")}


@pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no bundled sample site")
def test_two_crawlers_and_a_killed_writer_make_the_single_process_archive(
    tmp_path: Path, redis_url: str
) -> None:
    codes = list(load_manifest(SITE)["start_pages"])
    fleet_url = redis_url.rsplit("/", 1)[0] + "/10"  # a database of its own: default key names
    server = redis.Redis.from_url(fleet_url)
    server.flushdb()
    keys = QueueKeys.for_prefix("newsarchive")

    # The reference: one process, the normal single-machine crawl.
    reference = tmp_path / "single.db"
    with CountingMirror(SITE) as site:
        single = subprocess.run(
            cli("crawl", *codes, "--mirror", site.url, "--db", str(reference)),
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        single_fetched = fetched(site)
    assert single.returncode in (0, 3), single.stderr[-3000:]
    assert max(single_fetched.values()) == 1

    # The fleet: a writer draining in small batches while two crawlers share one frontier.
    db = tmp_path / "fleet.db"
    writer_cmd = cli("-q", "ingest", "--redis", fleet_url, "--db", str(db), "--batch", "3")
    started: list[subprocess.Popen[str]] = []
    try:
        fleet_fetched, robots, parked, outputs, crawlers = _run_fleet(
            codes, fleet_url=fleet_url, writer_cmd=writer_cmd, db=db, keys=keys, started=started
        )
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)
    for crawler, (_, err) in zip(crawlers, outputs, strict=True):
        assert crawler.returncode in (0, 3), err[-3000:]

    # No page fetched twice across the fleet, and the same pages as one process fetched.
    assert max(fleet_fetched.values()) == 1
    assert set(fleet_fetched) == set(single_fetched)
    assert all(n <= 2 for n in robots.values())  # each process reads robots.txt once
    # Both members did part of the work (the frontier really is shared).
    pushed = [int(out.split(" items queued")[0].rsplit(" ", 1)[1]) for out, _ in outputs]
    assert all(n > 0 for n in pushed), outputs

    # The restarted writer stores what the killed one had taken, then the rest of the queue.
    restarted = subprocess.run(
        [*writer_cmd, "--idle-timeout", "0"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert restarted.returncode == 0, restarted.stderr[-3000:]
    assert f"{parked} recovered" in restarted.stdout
    assert server.llen(keys.items) == 0
    assert server.llen(keys.processing) == 0
    assert server.llen(keys.dead) == 0

    assert archive_content(db) == archive_content(reference)
    server.flushdb()


def _run_fleet(
    codes: list[str],
    *,
    fleet_url: str,
    writer_cmd: list[str],
    db: Path,
    keys: QueueKeys,
    started: list[subprocess.Popen[str]],
) -> tuple[dict[str, int], dict[str, int], int, list[tuple[str, str]], list[subprocess.Popen[str]]]:
    """Run the fleet with a writer that is killed mid-batch; every process goes in *started*."""
    server = redis.Redis.from_url(fleet_url)
    with CountingMirror(SITE) as site:
        writer = subprocess.Popen(writer_cmd, env=ENV, text=True)
        started.append(writer)
        crawlers = [
            subprocess.Popen(
                cli("crawl", *codes, "--mirror", site.url, "--redis", fleet_url),
                # both members fetch from the first page on, whichever starts up faster
                env={**ENV, "NEWSARCHIVE_FLEET_SIZE": "2"},
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(2)
        ]
        started.extend(crawlers)
        # SIGKILL the writer in the middle of a batch (items taken, not yet acknowledged),
        # after it has stored something; restart it and kill again until a kill lands so.
        parked = 0
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not parked:
            while time.monotonic() < deadline and (
                article_count(db) < 5 or not server.llen(keys.processing)
            ):
                time.sleep(0.002)
            writer.send_signal(signal.SIGKILL)
            writer.wait(timeout=10)
            parked = int(server.llen(keys.processing))
            if not parked:
                writer = subprocess.Popen(writer_cmd, env=ENV, text=True)
                started.append(writer)
        assert parked > 0, "never caught the writer mid-batch"
        outputs = [c.communicate(timeout=300) for c in crawlers]
        fleet_fetched = fetched(site)
        robots = {k: n for k, n in site.requests.items() if k.endswith("/robots.txt")}
    return fleet_fetched, robots, parked, outputs, crawlers
