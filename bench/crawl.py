"""Crawl benchmark: a generated site of N articles on loopback, crawled end to end.

    python -m bench.crawl                 # 5,000 articles (the reported configuration)
    python -m bench.crawl --articles 500  # a quick look
    python -m bench.crawl --repeat 3      # three rounds, the median ratio decides

Run from the repository's root: ``-m`` puts the root (and so ``tools/``, which is not
installed) on the import path and keeps ``bench/`` off it, so no benchmark script can shadow a
package that Scrapy or Twisted imports.

Generates a site with :func:`tools.sitegen.generate_site` into a temporary directory,
serves it with :class:`tools.mirror.CountingMirror` in its own process (so the server does
not compete with the crawler for the GIL), then runs two crawls of channels gz and he, each in
a fresh process (a Twisted reactor cannot be restarted), politeness off:

* **full**: the production spider, settings, extractor and item pipelines into a new archive.
  Pages are extracted by the extractor process (``NEWSARCHIVE_EXTRACT_PROCESS``) and items
  stored by the store writer process (``NEWSARCHIVE_STORE_PROCESS``), both the default; their
  CPU time ("child processes") is reported beside the crawl process's. ``--inprocess`` adds
  the same crawl extracting and storing in the crawl process, for comparison;
* **baseline**: the same spider and transport with extraction and storage switched off
  (``NEWSARCHIVE_EXTRACT=False``, no item pipelines); article links are found by scanning
  ``href`` attributes instead of the extractor's related links.

Reports pages fetched, article pages fetched, articles stored, crawl seconds (Scrapy's
``elapsed_time_seconds``: from spider open to close, process start-up excluded), articles per
second, and the ratio full ÷ baseline of article pages per second. Targets: ≥150 articles/s,
ratio ≥0.7.
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
    if mode == "inprocess":  # the full crawl extracting and storing in the crawl process
        settings["NEWSARCHIVE_STORE_PROCESS"] = False
        settings["NEWSARCHIVE_EXTRACT_PROCESS"] = False
    cpu = time.process_time()
    children = _children_cpu()
    result = run_crawl(options, settings=settings)
    cpu = time.process_time() - cpu
    children = _children_cpu() - children  # the store writer process, joined at the end
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
                "writer_cpu_seconds": children,
                "article_pages": result.progress.article_pages,
            }
        )
    )


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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
    parser.add_argument(
        "--child", choices=["full", "extract", "baseline", "inprocess"], help=argparse.SUPPRESS
    )
    parser.add_argument("--mirror", help=argparse.SUPPRESS)
    parser.add_argument("--db", help=argparse.SUPPRESS)
    parser.add_argument(
        "--inprocess",
        action="store_true",
        help="also run the full crawl extracting and storing in the crawl process (no child "
        "processes)",
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
                if args.inprocess and round_ == 1:
                    runs.append(_crawl("inprocess", mirror, db / "inprocess.db", server.pid))
                ratio, rate = _report(runs, db / "full.db")
                ratios.append(ratio)
                rates.append(rate)
        finally:
            stop.set()
            server.join(timeout=10)
    ratio, rate = statistics.median(ratios), statistics.median(rates)
    if args.repeat > 1:
        print(
            f"-- median of {args.repeat} rounds: ratio {ratio:.2f} "
            f"({', '.join(f'{r:.2f}' for r in ratios)}), {rate:.0f} articles/s"
        )
    print(
        f"targets: >=150 articles/s: {'met' if rate >= 150 else 'NOT met'}; "
        f"ratio >=0.7: {'met' if ratio >= 0.7 else 'NOT met'}"
    )


def _report(runs: list[dict[str, Any]], full_db: Path) -> tuple[float, float]:
    """Print one round's crawls; its ratio full/baseline and articles stored per second."""
    baseline, full = runs[0], runs[2]
    with sqlite3.connect(full_db) as conn:
        stored = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    size = full_db.stat().st_size
    full_rate = full["article_pages"] / full["seconds"]
    base_rate = baseline["article_pages"] / baseline["seconds"]
    stored_rate = stored / full["seconds"]
    for run in runs:
        writer = run["writer_cpu_seconds"]
        print(
            f"{run['mode']:>9}: {run['pages']} pages ({run['article_pages']} article pages) "
            f"in {run['seconds']:.1f}s = {run['article_pages'] / run['seconds']:.0f} article "
            f"pages/s; CPU {run['cpu_seconds']:.1f}s = "
            f"{1000 * run['cpu_seconds'] / run['pages']:.2f} ms/page"
            + (
                f" (+ child processes {1000 * writer / run['pages']:.2f} ms/page)"
                if writer >= 0.05
                else ""
            )
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
    print(f"ratio full/baseline (article pages per second): {full_rate / base_rate:.2f}")
    cpu_ratio = (baseline["cpu_seconds"] / baseline["pages"]) / (
        full["cpu_seconds"] / full["pages"]
    )
    print(f"ratio full/baseline by crawl-process CPU time per page: {cpu_ratio:.2f}")
    total_ratio = (
        (baseline["cpu_seconds"] + baseline["writer_cpu_seconds"]) / baseline["pages"]
    ) / ((full["cpu_seconds"] + full["writer_cpu_seconds"]) / full["pages"])
    print(f"ratio full/baseline by CPU time per page of all processes: {total_ratio:.2f}")
    return full_rate / base_rate, stored_rate


if __name__ == "__main__":
    main()
