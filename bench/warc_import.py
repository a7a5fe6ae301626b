"""WARC import benchmark: a WARC of N generated article pages through ``newsarchive import``.

    python -m bench.warc_import                    # 10,000 articles (the reported configuration)
    python -m bench.warc_import --articles 1000    # a quick look
    python -m bench.warc_import --sizes 2000,10000 # memory against file size

Run from the repository's root (``tools/`` is not installed). Generates a site with
:func:`tools.sitegen.generate_site`, writes its files as one gzipped WARC with warcio (one
response record per file: article pages, lists, images, big5 copies), then imports it into a
new archive in a fresh process (the whole production path: scan, read, extractor, item
pipelines, every table and the full-text index, all in the import process) and reports
records/s, MiB/s, article pages/s, CPU per article page, the scan pass's share of the time, and
the peak resident memory of the import process. Target: ≥250 article pages/s, memory flat in
file size. Figures: docs/performance.md ("Web archive import").
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from newsarchive import urls
from tools.sitegen import generate_site
from tools.warcsite import Page, site_pages, write_warc

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
    "self_cpu": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
    "children_cpu": sum(resource.getrusage(resource.RUSAGE_CHILDREN)[:2]),
    # VmHWM, not ru_maxrss: Linux keeps across exec the peak of the process that forked this
    # one (here the benchmark, which has just built the site and its WARC in memory).
    "self_maxrss_kib": int(next(l.split()[1] for l in open("/proc/self/status")
                                if l.startswith("VmHWM:"))),
    "children_maxrss_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss,
}, default=str))
"""


#: Real Xinhua article pages weigh 14-35 KiB (/work/shared/xinhua/), generated ones ~6 KiB:
#: article pages are brought to this size with what pads real pages (a footer of links and
#: inline scripts), placed before ``</body>`` where the extractor's selectors do not look.
PAD_TO = 24 * 1024
_LINK = '<li><a href="https://www.news.cn/politics/index.htm">时政</a></li>\n'
_SCRIPT = "<script>var _hmt = _hmt || []; (function() { var hm = 1; })();</script>\n"


def _padded(page: Page, size: int) -> Page:
    if not page.content_type.startswith("text/html") or not urls.is_article_url(page.url):
        return page
    missing = size - len(page.body)
    if missing <= 0 or b"</body>" not in page.body:
        return page
    unit = (_LINK * 8 + _SCRIPT).encode()
    filler = b'<div class="foot"><ul>' + unit * (missing // len(unit) + 1) + b"</ul></div>"
    body = page.body.replace(b"</body>", filler[:missing] + b"</ul></div></body>", 1)
    return dataclasses.replace(page, body=body)


def build(tmp: Path, articles: int, pad_to: int) -> tuple[Path, int]:
    site = tmp / "site"
    started = time.monotonic()
    generate_site(site, n_articles=articles)
    warc = tmp / "site.warc.gz"
    write_warc(warc, (_padded(p, pad_to) for p in site_pages(site)))
    print(f"built {warc.stat().st_size / 2**20:.1f} MiB WARC of a {articles}-article site "
          f"in {time.monotonic() - started:.0f}s", file=sys.stderr)  # fmt: skip
    return warc, warc.stat().st_size


def measure(tmp: Path, articles: int, pad_to: int) -> dict[str, Any]:
    warc, size = build(tmp, articles, pad_to)
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
        "cpu_ms_per_article_page": round(1000 * float(out["self_cpu"]) / article_pages, 2),
        "children_cpu_ms_per_article_page": round(
            1000 * float(out["children_cpu"]) / article_pages, 2
        ),
        "peak_rss_mib": round(out["self_maxrss_kib"] / 1024, 1),
        "peak_rss_mib_while_importing": round(
            float(stats.get("newsarchive/import/maxrss_kib", 0)) / 1024, 1
        ),
        "children_peak_rss_mib": round(out["children_maxrss_kib"] / 1024, 1),
        "skipped": {k.rsplit("/", 1)[1]: v for k, v in stats.items() if "/import/skipped/" in k},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--sizes", help="comma-separated article counts (memory vs size)")
    parser.add_argument("--pad-kib", type=int, default=PAD_TO // 1024,
                        help="article pages padded to this size (0: as generated)")  # fmt: skip
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else [args.articles]
    results = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            results.append(measure(Path(tmp), n, args.pad_kib * 1024))
            print(json.dumps(results[-1], ensure_ascii=False), file=sys.stderr)
    load = Path("/proc/loadavg").read_text().split()[:3] if Path("/proc/loadavg").exists() else []
    print(json.dumps({"load_average": load, "results": results}, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
