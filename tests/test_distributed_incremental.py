"""Issue 19: a fleet crawls incrementally by the single crawl's rules.

The writer publishes the archive to Redis (:mod:`newsarchive.distributed.archived`); a second
fleet crawl over the complete archive requests exactly what a second single-machine crawl
requests (list pages, revisits, nothing archived), counted at the server.
"""

from __future__ import annotations

import logging
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import redis
from distributed_support import redis_url
from test_distributed_fleet import ENV, SITE, archive_content, cli, fetched

from newsarchive.crawling.frontier import open_urls  # the single crawl's retry rule
from newsarchive.distributed.archived import ArchiveKeys
from newsarchive.urls import is_article_url
from tools.mirror import CountingMirror as MirrorServer
from tools.sitegen import load_manifest

__all__ = ["redis_url"]  # fixture, imported for pytest

logger = logging.getLogger(__name__)

pytestmark = [
    pytest.mark.redis,
    pytest.mark.e2e,
    pytest.mark.slow,
    pytest.mark.skipif(not (SITE / "MANIFEST.json").is_file(), reason="no bundled sample site"),
]

SEEN = ("newsarchive:channel:seen", "newsarchive:channel:seen:params", "newsarchive:channel:new")


def mirror_key(url: str) -> str:
    """``https://gz.news.cn/a/b.htm?x=1`` → ``gz.news.cn/a/b.htm``: a URL as the mirror sees it."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}"


def run(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        cli(*args), env=env or ENV, capture_output=True, text=True, timeout=300, check=False
    )
    assert done.returncode in (0, 3), done.stderr[-3000:]
    return done


def fleet(codes: list[str], site: MirrorServer, fleet_url: str) -> None:
    members = [
        subprocess.Popen(
            cli("crawl", *codes, "--mirror", site.url, "--redis", fleet_url),
            env={**ENV, "NEWSARCHIVE_FLEET_SIZE": "2"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        outputs = [m.communicate(timeout=300) for m in members]
    finally:
        for m in members:
            if m.poll() is None:
                m.kill()
                m.wait(timeout=10)
    for m, (_, err) in zip(members, outputs, strict=True):
        assert m.returncode in (0, 3), err[-3000:]


def test_a_second_fleet_run_fetches_what_a_second_single_run_fetches(
    tmp_path: Path, redis_url: str
) -> None:
    tmp = tmp_path
    codes = list(load_manifest(SITE)["start_pages"])
    fleet_url = redis_url.rsplit("/", 1)[0] + "/15"
    server = redis.Redis.from_url(fleet_url)
    server.flushdb()

    single_db = tmp / "single.db"
    with MirrorServer(SITE) as site:
        run(["crawl", *codes, "--mirror", site.url, "--db", str(single_db)])
        # pages that failed transiently (a timeout on a loaded machine) are retried next time
        single_failed = {mirror_key(u) for u in open_urls(single_db) if is_article_url(u)}
        site.reset()
        run(["crawl", *codes, "--mirror", site.url, "--db", str(single_db)])
        single_second = fetched(site)

    db = tmp / "fleet.db"
    ingest = ["-q", "ingest", "--redis", fleet_url, "--db", str(db), "--idle-timeout", "0"]
    with MirrorServer(SITE) as site:
        fleet(codes, site, fleet_url)
        run(ingest)  # stores the crawl, then publishes the archive for the next one
        first = fetched(site)
        stored = archive_content(db)
        published = server.hgetall(ArchiveKeys.for_prefix().published)
        failed = server.smembers(ArchiveKeys.for_prefix().failed)
        fleet_failed = {mirror_key(u.decode()) for u in failed}
        assert int(published[b"urls"]) >= len(stored["articles"])
        server.delete(*SEEN)  # the next crawl (as after the seen-set's expiry)
        site.reset()
        fleet(codes, site, fleet_url)
        second = fetched(site)
        run(ingest)

    # the same rules, the same requests
    # (less the pages each retried because they failed transiently in its first run)
    expected = set(single_second) - single_failed
    assert set(second) - fleet_failed == expected, sorted((set(second) - fleet_failed) ^ expected)
    recent = {u.decode() for u in server.smembers(ArchiveKeys.for_prefix().recent)}
    articles = {key for key in set(second) - fleet_failed if is_article_url(f"http://{key}")}
    assert all(any(url.endswith(key) for url in recent) for key in articles)  # revisits only
    assert len(second) * 3 < len(first)
    logger.warning(
        "fleet runs: first %d pages, second %d (single machine second: %d), %d revisits, "
        "%d and %d retried failures",
        len(first),
        len(second),
        len(single_second),
        len(articles),
        len(fleet_failed),
        len(single_failed),
    )
    assert archive_content(db) == stored  # nothing new, nothing lost
    assert archive_content(db) == archive_content(single_db)
    server.flushdb()
