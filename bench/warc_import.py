"""WARC import benchmark: a WARC of N generated article pages through ``newsarchive import``.

    python -m bench.warc_import                    # 10,000 articles (the reported configuration)
    python -m bench.warc_import --articles 1000    # a quick look
    python -m bench.warc_import --sizes 2000,10000 # memory against file size

Run from the repository's root (``tools/`` is not installed). Generates a site with
:func:`tools.sitegen.generate_site`, writes its files as one gzipped WARC with warcio (one
response record per file: article pages, lists, images, big5 copies), then imports it into a
new archive in a fresh process (the whole production path: scan, read, extractor, item
pipelines, every table and the full-text index) and reports records/s, MiB/s, article pages/s,
the scan pass's share of the time, and the peak resident memory of the import process and of
its children (the store writer and extractor processes). Target: ≥250 article pages/s.
"""

from __future__ import annotations

import argparse
import json
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.sitegen import generate_site
from tools.warcsite import site_pages, write_warc

_IMPORT = """
import json, resource, sys, time
from pathlib import Path
from newsarchive.webarchive import jobs
started = time.monotonic()
report = jobs.import_files(db=Path(sys.argv[1]), files=[Path(sys.argv[2])])
seconds = time.monotonic() - started
stats = {k: v for k, v in report.result.stats.items() if k.startswith("newsarchive/")}
print(json.dumps({
    "seconds": seconds,
    "crawl_seconds": report.result.seconds,
    "stats": stats,
    "run": {k: report.run[k] for k in ("pages_fetched", "articles_new", "duplicates",
            "not_articles", "errors")},
    "self_maxrss_kib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
    "children_maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}, default=str))
"""


def build(tmp: Path, articles: int) -> tuple[Path, int]:
    site = tmp / "site"
    started = time.monotonic()
    generate_site(site, n_articles=articles)
    warc = tmp / "site.warc.gz"
    write_warc(warc, site_pages(site))
    print(f"built {warc.stat().st_size / 2**20:.1f} MiB WARC of a {articles}-article site "
          f"in {time.monotonic() - started:.0f}s", file=sys.stderr)  # fmt: skip
    return warc, warc.stat().st_size


def measure(tmp: Path, articles: int) -> dict[str, Any]:
    warc, size = build(tmp, articles)
    db = tmp / "archive.db"
    proc = subprocess.run(
        [sys.executable, "-c", _IMPORT, str(db), str(warc)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-3000:])
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    stats = out["stats"]
    records = int(stats.get("newsarchive/import/records", 0))
    pages = int(out["run"]["pages_fetched"])
    with sqlite3.connect(db) as conn:
        article_pages = conn.execute(
            "SELECT count(*) FROM captures WHERE outcome IN ('article', 'article_page')"
        ).fetchone()[0]
        rows = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    seconds = float(out["seconds"])
    return {
        "articles_generated": articles,
        "warc_mib": round(size / 2**20, 1),
        "records": records,
        "pages_stored": pages,
        "article_pages": article_pages,
        "article_rows": rows,
        "seconds": round(seconds, 1),
        "scan_seconds": round(float(stats.get("newsarchive/import/scan_seconds", 0)), 1),
        "records_per_s": round(records / seconds, 1),
        "mib_per_s": round(size / 2**20 / seconds, 2),
        "article_pages_per_s": round(article_pages / seconds, 1),
        "peak_rss_mib": round(out["self_maxrss_kib"] / 1024, 1),
        "children_peak_rss_mib": round(out["children_maxrss_kib"] / 1024, 1),
        "skipped": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if "/import/skipped/" in k},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--sizes", help="comma-separated article counts (memory vs size)")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.articles]
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(Path(tmp), n))
            print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr)
    print(json.dumps(results, indent=2, ensure_ascii=False))
    _ = resource  # the import process reports its own peak memory


if __name__ == "__main__":
    main()
