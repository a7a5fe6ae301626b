"""Issue 19's proof that a fleet loses nothing: ``kill -9`` of a member at three points of the
crawl (restarted at once, as an operator or systemd would) and of the writer at two points,
and the archive is still the single-machine one.

A member killed while it holds leased requests (list pages among them) leaves them in
``…:requests:leases``; when the leases expire (``NEWSARCHIVE_FLEET_LEASE``, 3 s here) the next
take by any member returns them to the frontier. The writer's kill is covered by its processing
list. Everything is real: the bundled sample site on loopback, ``newsarchive crawl --redis``
members, ``newsarchive ingest``, Redis.
"""

from __future__ import annotations

import logging
import random
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from distributed_support import redis_url
from test_distributed_fleet import ENV, SITE, archive_content, article_count, cli, fetched

from newsarchive.distributed import QueueKeys
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

MEMBER_ENV = {
    **ENV,
    "NEWSARCHIVE_FLEET_SIZE": "2",
    "NEWSARCHIVE_FLEET_LEASE": "3",
    "NEWSARCHIVE_FLEET_STALE": "5",
}
FRONTIER = "newsarchive:channel:requests"


def wait_until(condition: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.002)


def kill_mid_batch(
    writer: subprocess.Popen[str], holding: Callable[[], bool], idle: Callable[[], bool]
) -> None:
    """SIGKILL ``writer`` at a moment it holds a batch (``holding()``): it is frozen
    (SIGSTOP) to look, and let go again (SIGCONT) until it is caught holding one; a writer
    that only ever holds a batch for a moment is still caught, on a busy machine too. When
    nothing is left for it to take (``idle()``: the members finished, the queue is empty; a
    busy machine can get there before the late kill point) it is killed idle instead."""
    deadline = time.monotonic() + 120
    while True:
        writer.send_signal(signal.SIGSTOP)
        if holding() or idle():
            break
        writer.send_signal(signal.SIGCONT)
        if time.monotonic() > deadline:
            raise AssertionError("the writer never held a batch while members were crawling")
        time.sleep(random.uniform(0.001, 0.02))
    writer.send_signal(signal.SIGKILL)
    writer.wait(timeout=10)


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, set[str]]]:
    """The single-machine archive of the sample site and the pages its crawl fetched."""
    db = tmp_path_factory.mktemp("single") / "single.db"
    codes = list(load_manifest(SITE)["start_pages"])
    with MirrorServer(SITE) as site:
        single = subprocess.run(
            cli("crawl", *codes, "--mirror", site.url, "--db", str(db)),
            env=ENV,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        pages = set(fetched(site))
    assert single.returncode in (0, 3), single.stderr[-3000:]
    yield db, pages


@pytest.mark.parametrize(
    "case",
    [
        # (Redis database, member killed at this share of the pages, writer killed at this
        # many articles stored, or this share of them, or not killed)
        pytest.param((11, 0.02, 5), id="member-at-start-pages,writer-early"),
        pytest.param((12, 0.45, None), id="member-mid-crawl"),
        pytest.param((13, 0.85, 0.6), id="member-near-the-end,writer-late"),
    ],
)
def test_killed_members_and_writers_lose_nothing(
    tmp_path: Path,
    redis_url: str,
    reference: tuple[Path, set[str]],
    case: tuple[int, float, float | None],
) -> None:
    database, member_at, writer_at = case
    single_db, single_pages = reference
    stored_by_single = article_count(single_db)
    codes = list(load_manifest(SITE)["start_pages"])
    fleet_url = redis_url.rsplit("/", 1)[0] + f"/{database}"  # the CLI uses the default prefix
    server = redis.Redis.from_url(fleet_url)
    server.flushdb()
    keys = QueueKeys.for_prefix("newsarchive")
    db = tmp_path / "fleet.db"
    writer_cmd = cli("-q", "ingest", "--redis", fleet_url, "--db", str(db), "--batch", "3")
    started: list[subprocess.Popen[str]] = []

    def member(site: MirrorServer) -> subprocess.Popen[str]:
        proc = subprocess.Popen(
            cli("crawl", *codes, "--mirror", site.url, "--redis", fleet_url),
            env=MEMBER_ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        started.append(proc)
        return proc

    try:
        with MirrorServer(SITE) as site:
            if writer_at is not None:
                started.append(subprocess.Popen(writer_cmd, env=ENV, text=True))
            victim, survivor = member(site), member(site)
            # kill -9 a member once the fleet fetched this share of the site, while requests
            # are leased (taken, not finished)
            wait_until(lambda: site.total() >= member_at * len(single_pages), 120, "the kill point")
            wait_until(lambda: bool(server.zcard(f"{FRONTIER}:leases")), 30, "a leased request")
            # Near the end one member may already have finished (a busy machine): kill the
            # one still working, so a kill with requests leased is what is tested.
            if victim.poll() is not None and survivor.poll() is None:
                victim, survivor = survivor, victim
            assert victim.poll() is None, "both members finished before the kill point"
            victim.send_signal(signal.SIGKILL)
            assert victim.wait(timeout=10) == -signal.SIGKILL
            leased_at_kill = int(server.zcard(f"{FRONTIER}:leases"))
            restarted = member(site)
            parked = 0
            if writer_at is not None:
                writer = started[0]
                at = writer_at if writer_at >= 1 else writer_at * stored_by_single
                wait_until(lambda: article_count(db) >= at, 120, "the writer's kill point")
                kill_mid_batch(
                    writer,
                    holding=lambda: bool(server.llen(keys.processing)),
                    idle=lambda: (
                        survivor.poll() is not None
                        and restarted.poll() is not None
                        and not server.llen(keys.items)
                    ),
                )
                parked = int(server.llen(keys.processing))
                if writer_at >= 1:  # early: members are still crawling, a batch is caught
                    assert parked > 0
            outputs = [p.communicate(timeout=300) for p in (survivor, restarted)]
            fleet_pages = fetched(site)
        for proc, (out, err) in zip((survivor, restarted), outputs, strict=True):
            assert proc.returncode in (0, 3), err[-3000:]
            assert "fleet member finished" in out
    finally:
        for proc in started:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)

    final = subprocess.run(
        [*writer_cmd, "--idle-timeout", "0"],
        env=ENV,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert final.returncode == 0, final.stderr[-3000:]
    if parked:
        assert f"{parked} recovered" in final.stdout
    # nothing left anywhere: no request queued, put off or leased; no item queued or dead
    for key in (FRONTIER, f"{FRONTIER}:later", f"{FRONTIER}:leases"):
        assert server.zcard(key) == 0, key
    assert server.hlen(f"{FRONTIER}:taken") == 0
    for key in (keys.items, keys.processing, keys.dead):
        assert server.llen(key) == 0, key
    # every page the single machine fetched, list pages included, was fetched by the fleet
    assert set(fleet_pages) == single_pages
    assert archive_content(db) == archive_content(single_db)
    again = sum(1 for n in fleet_pages.values() if n > 1)
    logger.warning(
        "kill at %.0f%%: %d leased at the kill, %d pages fetched twice, writer parked %d",
        member_at * 100,
        leased_at_kill,
        again,
        parked,
    )
    assert leased_at_kill > 0
    server.flushdb()
