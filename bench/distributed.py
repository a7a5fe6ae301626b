# ruff: noqa: E402  (the clock starts before the imports: process start-up is measured)
"""Distributed-crawling benchmark: one vs two crawler processes sharing a Redis frontier.

    python -m bench.distributed                 # 5,000 articles (the reported configuration)
    python -m bench.distributed --articles 500  # a quick look
    python -m bench.distributed --redis redis://127.0.0.1:6390/15   # an existing server
    python -m bench.distributed --articles 500 --politeness 20   # requests per host per second

Run from the repository's root: ``-m`` puts the root (and so ``tools/``, which is not
installed) on ``sys.path`` and keeps ``bench/`` off it, where a script could shadow a package
Twisted imports.

Generates a site with :func:`tools.sitegen.generate_site` (channels gz and he), serves it
with :class:`tools.mirror.CountingMirror` in its own process, and uses a Redis server: the
one given with ``--redis`` (its database is flushed!) or a private ``redis-server`` started on a
free loopback port. Then, for a fleet of 1 and of 2 crawler processes, politeness off:

1. the fleet crawls the site: each member is ``fleet_crawl`` (what ``newsarchive crawl …
   --mirror URL --redis URL`` runs) in a fresh process, all started at once;
2. ``ingest`` (what ``newsarchive ingest --idle-timeout 0`` runs) drains the queue into a new
   archive.

For comparison it first runs the single-machine crawl (``newsarchive crawl … --db``: crawl and
store in one process, no Redis) on the same site.

Reports per fleet size: crawl wall time (first start to last exit, process start-up included),
each member's Scrapy ``elapsed_time_seconds`` and pages, pages fetched per second of wall time,
the most requests any page got at the server (1 = nothing fetched twice), the Redis memory of
the item queue and the seen-set, and the writer's time and articles per second; CPU seconds
per page (independent of what else the machine runs) and the load average during the run.

``--politeness S`` measures the load a fleet puts on the site instead: fleets of 1, 2 and 3
members, default (polite) settings, with the fleet-wide turns in Redis and, for comparison,
with ``NEWSARCHIVE_FLEET_POLITE=0`` (each member polite on its own, as before issue 19); the
server records each request's arrival, and the report gives, for the first S seconds after the
first request, the requests per host per second of the busiest host, the shortest gap between
two of its requests and all requests.
"""

from __future__ import annotations

import time
from http import HTTPStatus

_PROCESS_STARTED = time.time()  # before the heavy imports: start-up is part of what we measure

import argparse
import itertools
import json
import logging
import multiprocessing
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

import redis

from newsarchive.crawling import CrawlOptions, jobs
from newsarchive.crawling.options import IMPOLITE_SETTINGS
from newsarchive.distributed import QueueKeys
from newsarchive.distributed.jobs import fleet_crawl
from newsarchive.distributed.writer import ingest
from newsarchive.mirrorserver import MirrorServer, request_key
from tools.mirror import CountingMirror
from tools.sitegen import generate_site

CHANNELS = "gz,he"
#: This script as a child process (``-m``: see the module docstring), run in the root.
_CHILD = (sys.executable, "-m", "bench.distributed", "--child")
REPO = Path(__file__).resolve().parent.parent


def _serve(root: str, port_queue: Any, stop: Any, counts_queue: Any) -> None:
    with CountingMirror(root) as server:
        port_queue.put(server.url)
        stop.wait()
        counts_queue.put(dict(server.requests))


def _counting_server(site: Path) -> tuple[Any, Any, Any, Any]:
    ctx = multiprocessing.get_context("spawn")
    urls, stop, counts = ctx.Queue(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=_serve, args=(str(site), urls, stop, counts), daemon=True)
    proc.start()
    return proc, urls.get(timeout=60), stop, counts


def _child(mirror: str, redis_url: str, db: str | None) -> None:
    """One fleet member (or, with *db*, the single-machine crawl) in this fresh process;
    prints its numbers as JSON."""
    logging.basicConfig(level=logging.WARNING)
    options = CrawlOptions.from_args({"channels": CHANNELS, "mirror": mirror, "polite": "0"})
    settings: dict[str, Any] = {**IMPOLITE_SETTINGS, "LOG_LEVEL": "WARNING"}
    cpu = time.process_time()
    startup = time.time() - _PROCESS_STARTED
    if db is not None:
        job = jobs.crawl(options, db=Path(db), settings=settings)
        print(
            json.dumps(
                {
                    "finish_reason": job.result.finish_reason,
                    "seconds": float(job.result.stats.get("elapsed_time_seconds", 0)),
                    "pages": int(job.result.stats.get("response_received_count", 0)),
                    "cpu_seconds": time.process_time() - cpu,
                    "startup": startup,
                }
            )
        )
        return
    report = fleet_crawl(options, redis_url, settings=settings)
    stats = report.result.stats
    print(
        json.dumps(
            {
                "finish_reason": report.result.finish_reason,
                "seconds": float(stats.get("elapsed_time_seconds", report.result.seconds)),
                "pages": report.pages_fetched,
                "items": report.items_pushed,
                "cpu_seconds": time.process_time() - cpu,
                "startup": startup,
            }
        )
    )


def _single(site: Path, db: Path) -> dict[str, Any]:
    proc, mirror, stop, counts = _counting_server(site)
    try:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        out = subprocess.run(
            [*_CHILD, "--mirror", mirror, "--db", str(db)],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
        )
        wall = time.perf_counter() - started
    finally:
        stop.set()
        counts.get(timeout=30)
        proc.join(timeout=10)
    if out.returncode != 0:
        sys.stderr.write(out.stderr[-4000:])
        raise SystemExit(f"single-machine crawl failed (exit {out.returncode})")
    run = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    with sqlite3.connect(db) as conn:
        stored = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    return {"wall": wall, "load": load, "stored": stored, **run}


def _fleet(n: int, site: Path, redis_url: str, db: Path) -> dict[str, Any]:
    server = redis.Redis.from_url(redis_url)
    server.flushdb()
    proc, mirror, stop, counts = _counting_server(site)
    try:
        load = os.getloadavg()[0]
        started = time.perf_counter()
        members = [
            subprocess.Popen(
                [*_CHILD, "--mirror", mirror, "--redis", redis_url],
                cwd=REPO,
                env={**os.environ, "NEWSARCHIVE_FLEET_SIZE": str(n)},  # fetch once all joined
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
            for _ in range(n)
        ]
        outputs = [m.communicate() for m in members]
        wall = time.perf_counter() - started
    finally:
        stop.set()
        requests = counts.get(timeout=30)
        proc.join(timeout=10)
    for member, (_, err) in zip(members, outputs, strict=True):
        if member.returncode not in (0, 3):
            sys.stderr.write(err[-4000:])
            raise SystemExit(f"fleet member failed (exit {member.returncode})")
    runs = [json.loads(out.strip().splitlines()[-1]) for out, _ in outputs]
    keys = QueueKeys.for_prefix("newsarchive")
    queue_bytes = int(server.memory_usage(keys.items, samples=0) or 0)
    seen_bytes = int(server.strlen("newsarchive:channel:seen"))
    items = int(server.llen(keys.items))
    written = time.perf_counter()
    report = ingest(redis_url, db, batch=200, idle_timeout=0)
    write_seconds = time.perf_counter() - written
    with sqlite3.connect(db) as conn:
        stored = int(conn.execute("SELECT count(*) FROM articles").fetchone()[0])
    pages = {k: v for k, v in requests.items() if not k.endswith("/robots.txt")}
    return {
        "crawlers": n,
        "load": (load + os.getloadavg()[0]) / 2,
        "wall": wall,
        "members": runs,
        "pages": sum(r["pages"] for r in runs),
        "distinct_pages": len(pages),
        "max_fetches": max(pages.values()),
        "items": items,
        "queue_mib": queue_bytes / 2**20,
        "seen_mib": seen_bytes / 2**20,
        "write_seconds": write_seconds,
        "ingested": report.items,
        "stored": stored,
    }


def _serve_timed(root: str, port_queue: Any, stop: Any, out: Any) -> None:
    arrivals: list[tuple[float, str]] = []

    class Timed(MirrorServer):
        def answer(self, target: str) -> tuple[HTTPStatus, str, bytes]:
            key, _ = request_key(target)
            arrivals.append((time.monotonic(), key.split("/", 1)[0]))
            return super().answer(target)

    with Timed(root) as server:
        port_queue.put(server.url)
        stop.wait()
        out.put(list(arrivals))


def _load(n: int, fleet_polite: bool, site: Path, redis_url: str, window: float) -> dict[str, Any]:
    """Requests per host while *n* members crawl for *window* seconds (then stopped)."""
    redis.Redis.from_url(redis_url).flushdb()
    ctx = multiprocessing.get_context("spawn")
    urls, stop, out = ctx.Queue(), ctx.Event(), ctx.Queue()
    proc = ctx.Process(target=_serve_timed, args=(str(site), urls, stop, out), daemon=True)
    proc.start()
    mirror = urls.get(timeout=60)
    env = {
        **os.environ,
        "NEWSARCHIVE_FLEET_SIZE": str(n),
        "NEWSARCHIVE_FLEET_POLITE": "1" if fleet_polite else "0",
    }
    cmd = [sys.executable, "-c", "from newsarchive.cli import main; main()", "-q", "crawl"]
    members = [
        subprocess.Popen(
            [*cmd, *CHANNELS.split(","), "--mirror", mirror, "--redis", redis_url],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(n)
    ]
    try:
        time.sleep(window + 15)  # start-up, then the window
    finally:
        for member in members:
            member.terminate()
        for member in members:
            member.wait(timeout=60)
        stop.set()
        arrivals = out.get(timeout=30)
        proc.join(timeout=10)
    start = min(t for t, _ in arrivals)
    hosts: dict[str, list[float]] = {}
    for t, host in arrivals:
        if t < start + window:
            hosts.setdefault(host, []).append(t)
    busiest = max(hosts, key=lambda h: len(hosts[h]))
    times = sorted(hosts[busiest])
    gaps = [b - a for a, b in itertools.pairwise(times)]
    return {
        "members": n,
        "fleet_polite": fleet_polite,
        "requests": sum(len(t) for t in hosts.values()),
        "busiest": busiest,
        "busiest_rate": len(times) / window,
        "min_gap": min(gaps) if gaps else float("nan"),
    }


def _politeness(site: Path, redis_url: str, window: float) -> None:
    sizes = (1, 2, 3)
    rows = [_load(n, polite, site, redis_url, window) for polite in (True, False) for n in sizes]
    print(f"politeness, default settings, first {window:.0f}s after the first request:")
    for r in rows:
        how = "fleet-wide turns" if r["fleet_polite"] else "per member (old)"
        print(
            f"  {r['members']} member(s), {how}: {r['requests']} requests; busiest host "
            f"{r['busiest']}: {r['busiest_rate']:.2f} requests/s, shortest gap {r['min_gap']:.2f}s"
        )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _private_redis(workdir: Path) -> tuple[subprocess.Popen[bytes], str]:
    binary = shutil.which("redis-server")
    if binary is None:
        raise SystemExit(
            "redis-server is not installed (apt-get install redis-server) and no --redis"
        )
    port = _free_port()
    proc = subprocess.Popen(
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(workdir), "--save", ""],
        stdout=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    for _ in range(100):
        try:
            redis.Redis.from_url(url).ping()
            return proc, url
        except redis.ConnectionError:
            time.sleep(0.05)
    raise SystemExit("private redis-server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--redis", help="use this Redis (its database is flushed)")
    parser.add_argument(
        "--politeness", type=float, metavar="S", help="measure the load on the site for S seconds"
    )
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--mirror", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.mirror, args.redis, args.db)
        return

    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        site = Path(tmp) / "site"
        manifest = generate_site(
            site, channels=("gz", "he"), n_articles=args.articles, seed=args.seed
        )
        private = None
        redis_url = args.redis
        if redis_url is None:
            private, redis_url = _private_redis(Path(tmp))
        try:
            if args.politeness:
                _politeness(site, redis_url, args.politeness)
                return
            single = _single(site, Path(tmp) / "single.db")
            results = [_fleet(n, site, redis_url, Path(tmp) / f"fleet{n}.db") for n in (1, 2)]
        finally:
            if private is not None:
                private.terminate()
                private.wait(timeout=10)

    print(
        f"site: {manifest['counts']['distinct_articles']} distinct articles (channels {CHANNELS})"
    )
    print(
        f"single machine, no Redis: crawl+store wall {single['wall']:.1f}s; "
        f"{single['pages']} pages in {single['seconds']:.1f}s (CPU {single['cpu_seconds']:.1f}s = "
        f"{1000 * single['cpu_seconds'] / single['pages']:.1f} ms/page); "
        f"process start-up {single['startup']:.1f}s; {single['stored']} articles stored; "
        f"load average {single['load']:.1f}"
    )
    for r in results:
        members = "; ".join(
            f"{m['pages']} pages in {m['seconds']:.1f}s (CPU {m['cpu_seconds']:.1f}s, "
            f"start-up {m['startup']:.1f}s)"
            for m in r["members"]
        )
        print(
            f"{r['crawlers']} crawler(s): crawl wall {r['wall']:.1f}s = "
            f"{r['pages'] / r['wall']:.0f} pages/s; members: {members}; "
            f"distinct pages {r['distinct_pages']}, most fetches of one page {r['max_fetches']}"
        )
        cpu = sum(m["cpu_seconds"] for m in r["members"])
        print(
            f"   crawler CPU {cpu:.1f}s = {1000 * cpu / r['pages']:.1f} ms/page; "
            f"load average {r['load']:.1f}"
        )
        print(
            f"   queue: {r['items']} items, {r['queue_mib']:.1f} MiB in Redis; seen-set "
            f"{r['seen_mib']:.1f} MiB; writer: {r['ingested']} items in {r['write_seconds']:.1f}s"
            f" = {r['ingested'] / r['write_seconds']:.0f} items/s, {r['stored']} articles stored"
        )
    one, two = results
    print(f"speed-up of the crawl with 2 crawlers: {one['wall'] / two['wall']:.2f}x (wall time)")


if __name__ == "__main__":
    main()
