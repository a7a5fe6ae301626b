"""Crawl benchmark: a generated site of N articles on loopback, crawled end to end in one process.

    python -m bench.crawl                 # 5,000 articles (the reported configuration)
    python -m bench.crawl --articles 500  # a quick look
    python -m bench.crawl --repeat 3      # three rounds, the median ratio decides
    python -m bench.crawl --reextract     # ... then `newsarchive reextract` of the archive
    python -m bench.crawl --polite 120    # ... and 120 pages at production politeness

Run from the repository's root: ``-m`` puts the root (and so ``tools/``, which is not
installed) on the import path and keeps ``bench/`` off it, so no benchmark script can shadow a
package that Scrapy or Twisted imports.

Generates a site with :func:`tools.sitegen.generate_site` into a temporary directory,
serves it with :class:`tools.mirror.CountingMirror` in its own process (so the server does
not compete with the crawler for the GIL), then runs crawls of channels gz and he, each in a
fresh process (a Twisted reactor cannot be restarted), politeness off:

* **full**: the production spider, settings, extractor and item pipelines into a new archive,
  all in the crawl process (fetch, extract, normalise, validate, dedup keys, SQLite);
* **extract**: extraction on, storage off;
* **baseline**: the same spider and transport with extraction and storage switched off
  (``NEWSARCHIVE_EXTRACT=False``, no item pipelines); article links are found by scanning
  ``href`` attributes instead of the extractor's related links.

Reports pages fetched, article pages fetched, articles stored, crawl seconds (Scrapy's
``elapsed_time_seconds``: from spider open to close, process start-up excluded), CPU per page,
**CPU per stored article** (the full crawl's CPU over the articles stored, and the part that
storing adds: full minus extract), and the ratio full ÷ baseline of article pages per second.

``--reextract`` then runs ``newsarchive reextract`` on the full crawl's archive (every stored
capture through today's extractor and the item pipelines, no fetching) and reports articles
re-extracted per second (wall and CPU). ``--polite N`` crawls N pages of the site with the
production politeness (one request a second per host, AutoThrottle) and reports how much of
one core the crawl process used: the CPU a real crawl leaves idle.
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newsarchive.crawling import CrawlOptions, run_crawl
from newsarchive.crawling.options import IMPOLITE_SETTINGS
from pipelines import store as _store  # noqa: F401  (imported before the CPU clock starts)
from spiders import channel as _channel  # noqa: F401
from tools.mirror import CountingMirror
from tools.sitegen import generate_site

CHANNELS = "gz,he"


def _serve(root: str, port_queue: Any, stop: Any) -> None:
    with CountingMirror(root) as server:
        port_queue.put(server.url)
        stop.wait()


def _child(mode: str, mirror: str, db: str) -> None:
    """Run one crawl in this (fresh) process and print its numbers as JSON."""
    logging.basicConfig(level=logging.WARNING)
    options = CrawlOptions.from_args(
        {"channels": CHANNELS, "mirror": mirror, "polite": "0", "db": db}
    )
    settings: dict[str, Any] = {**IMPOLITE_SETTINGS, "LOG_LEVEL": "WARNING"}
    if mode in ("baseline", "extract"):  # no storage
        settings |= {"ITEM_PIPELINES": {}, "NEWSARCHIVE_DB": ""}
        incremental = "newsarchive.crawling.incremental.IncrementalMiddleware"
        settings["SPIDER_MIDDLEWARES"] = {incremental: None}
    if mode == "baseline":  # and no extraction
        settings["NEWSARCHIVE_EXTRACT"] = False
    if mode.startswith("polite"):  # production politeness, a page budget
        options = CrawlOptions.from_args(
            {"channels": CHANNELS, "mirror": mirror, "db": db, "max_pages": mode.split(":")[1]}
        )
        settings = {"LOG_LEVEL": "WARNING"}
    cpu = time.process_time()
    result = run_crawl(options, settings=settings)
    cpu = time.process_time() - cpu
    stats = result.stats
    print(
        json.dumps(
            {
                "mode": mode,
                "finish_reason": result.finish_reason,
                "seconds": float(stats.get("elapsed_time_seconds", result.seconds)),
                "pages": int(stats.get("response_received_count", 0)),
                "items": int(stats.get("item_scraped_count", 0)),
                "article_items": result.progress.articles,
                "max_rss_mb": int(stats.get("memusage/max", 0)) // (1024 * 1024),
                "cpu_seconds": cpu,
                "article_pages": result.progress.article_pages,
            }
        )
    )


def _cpu_of(pid: int | None) -> float | None:
    """CPU seconds used so far by process ``pid`` (Linux ``/proc``; ``None`` elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _crawl(mode: str, mirror: str, db: Path, server_pid: int | None = None) -> dict[str, Any]:
    server_cpu = _cpu_of(server_pid)
    proc = subprocess.run(
        [sys.executable, "-m", "bench.crawl", "--child", mode, "--mirror", mirror, "--db", str(db)],
        cwd=Path(__file__).resolve().parent.parent,  # the repository's root, as -m needs
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"{mode} crawl failed (exit {proc.returncode})")
    run = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    after = _cpu_of(server_pid)
    run["server_cpu_seconds"] = (
        after - server_cpu if after is not None and server_cpu is not None else None
    )
    return run


def _article_pages(manifest: dict[str, Any]) -> int:
    count = 0
    for entry in manifest["articles"]:
        count += 1 + len(entry["alias_urls"]) + (1 if entry["big5_url"] else 0)
        count += len(entry["page_urls"])
    return count


def _reextract(db: Path) -> dict[str, float]:
    """``newsarchive reextract`` of ``db`` in its own process: seconds, CPU and articles."""
    with sqlite3.connect(db) as conn:
        articles = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    proc = subprocess.run(
        [
            sys.executable,
            "-P",
            "-c",
            "from newsarchive.cli import main; main()",
            "--quiet",
            "reextract",
            "--db",
            str(db),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"reextract failed (exit {proc.returncode})")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"articles": articles, "seconds": seconds, "cpu_seconds": cpu}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="rounds of baseline, extract and full crawls; the verdict takes the median ratio",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--mirror", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument(
        "--reextract",
        action="store_true",
        help="then run `newsarchive reextract` on the full crawl's archive",
    )
    parser.add_argument(
        "--polite",
        type=int,
        metavar="PAGES",
        help="then crawl PAGES pages with the production politeness and report the CPU used",
    )
    args = parser.parse_args()
    if args.child:
        _child(args.child, args.mirror, args.db)
        return

    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        site = Path(tmp) / "site"
        started = time.perf_counter()
        manifest = generate_site(
            site, channels=("gz", "he"), n_articles=args.articles, seed=args.seed
        )
        generated = time.perf_counter() - started
        distinct = manifest["counts"]["distinct_articles"]
        print(
            f"site: {distinct} distinct articles ({_article_pages(manifest)} article URLs incl. "
            f"aliases, big5 copies and later pages), generated in {generated:.1f}s"
        )
        ctx = multiprocessing.get_context("spawn")
        urls, stop = ctx.Queue(), ctx.Event()
        server = ctx.Process(target=_serve, args=(str(site), urls, stop), daemon=True)
        server.start()
        ratios: list[float] = []
        rates: list[float] = []
        try:
            mirror = urls.get(timeout=60)
            for round_ in range(1, args.repeat + 1):
                if args.repeat > 1:
                    print(f"-- round {round_} of {args.repeat}")
                db = Path(tmp) / f"round{round_}"
                db.mkdir()
                runs = [
                    _crawl(mode, mirror, db / f"{mode}.db", server.pid)
                    for mode in ("baseline", "extract", "full")
                ]
                ratio, rate = _report(runs, db / "full.db")
                ratios.append(ratio)
                rates.append(rate)
            if args.reextract:
                again = _reextract(Path(tmp) / "round1" / "full.db")
                print(
                    f"reextract: {again['articles']} articles in {again['seconds']:.1f}s = "
                    f"{again['articles'] / again['seconds']:.0f} articles/s "
                    f"(CPU {1000 * again['cpu_seconds'] / again['articles']:.2f} ms/article, "
                    f"process start-up included)"
                )
            if args.polite:
                polite = _crawl(f"polite:{args.polite}", mirror, Path(tmp) / "polite.db")
                busy = polite["cpu_seconds"] / polite["seconds"]
                print(
                    f"polite: {polite['pages']} pages in {polite['seconds']:.1f}s = "
                    f"{polite['pages'] / polite['seconds']:.2f} pages/s; the crawl process "
                    f"used {100 * busy:.1f} % of one core ({100 * (1 - busy / 2):.1f} % of the "
                    f"2 cores left idle)"
                )
        finally:
            stop.set()
            server.join(timeout=10)
    ratio, rate = statistics.median(ratios), statistics.median(rates)
    if args.repeat > 1:
        print(
            f"-- median of {args.repeat} rounds: ratio {ratio:.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}), {rate:.0f} articles/s"
        )


def _report(runs: list[dict[str, Any]], full_db: Path) -> tuple[float, float]:
    """Print one round's crawls; its ratio full/baseline and articles stored per second."""
    baseline, extract, full = runs
    with sqlite3.connect(full_db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    size = full_db.stat().st_size
    full_rate = full["article_pages"] / full["seconds"]
    base_rate = baseline["article_pages"] / baseline["seconds"]
    stored_rate = stored / full["seconds"]
    for run in runs:
        print(
            f"{run['mode']:>9}: {run['pages']} pages ({run['article_pages']} article pages) "
            f"in {run['seconds']:.1f}s = {run['article_pages'] / run['seconds']:.0f} article "
            f"pages/s; CPU {run['cpu_seconds']:.1f}s = "
            f"{1000 * run['cpu_seconds'] / run['pages']:.2f} ms/page"
            + (
                f"; server {1000 * run['server_cpu_seconds'] / run['pages']:.2f} ms/page"
                if run["server_cpu_seconds"] is not None
                else ""
            )
            + f"; max RSS {run['max_rss_mb']} MiB ({run['finish_reason']})"
        )
    print(
        f"archive: {stored} articles stored ({size / 1e6:.1f} MB) = "
        f"{stored_rate:.0f} articles/s end to end"
    )
    per_article = 1000 * full["cpu_seconds"] / stored
    storing = 1000 * (full["cpu_seconds"] - extract["cpu_seconds"]) / stored
    print(
        f"CPU per stored article, one process: {per_article:.2f} ms in all "
        f"(fetch, extract, store), of which storing {storing:.2f} ms (full minus extract)"
    )
    print(f"ratio full/baseline (article pages per second): {full_rate / base_rate:.2f}")
    return full_rate / base_rate, stored_rate


if __name__ == "__main__":
    main()
