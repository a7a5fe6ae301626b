"""What a scheduled run costs: a full crawl, a run with nothing new, a run after new articles.

    python -m bench.incremental_crawl                  # 5,000 articles (the reported configuration)
    python -m bench.incremental_crawl --articles 500   # a quick look

Generates a site with :func:`tools.sitegen.generate_site` in a temporary directory,
serves it with :class:`tools.mirror.CountingMirror` on 127.0.0.1 (requests counted at the
server), and runs ``newsarchive --quiet crawl gz he --mirror URL --no-politeness`` as an
operator's scheduler would (lock, job directory, ledger), three times on one archive:

1. **full**: into a new archive;
2. **nothing new**: the same site again;
3. **added**: after :func:`tools.sitegen.add_articles` published ``--added`` articles.

The revisit window is off (``NEWSARCHIVE_REVISIT_DAYS=0``) so that the numbers do not depend on
today's date against the site's dates; a window adds one request per recent article.
Reports requests, pages fetched and articles stored per run, and wall seconds per process
(start-up included: what a cron job costs).
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from tools.mirror import CountingMirror
from tools.sitegen import add_articles, generate_site


def _crawl(site: CountingMirror, db: Path) -> dict[str, Any]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSARCHIVE_")}
    env["NEWSARCHIVE_REVISIT_DAYS"] = "0"
    site.reset()
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", "from newsarchive.cli import main; main()", "--quiet", "crawl",
         "gz", "he", "--db", str(db), "--mirror", site.url, "--no-politeness", "--no-progress"],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if proc.returncode not in (0, 3):
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"crawl failed (exit {proc.returncode})")
    with sqlite3.connect(db) as conn:
        row = conn.execute(
            "SELECT pages_fetched, articles_new, articles_updated, articles_unchanged"
            " FROM crawl_runs ORDER BY id DESC LIMIT 1"
        ).fetchone()
        rows = conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    return {
        "rows": rows,
        "requests": site.total(),
        "pages": row[0],
        "new": row[1],
        "updated": row[2],
        "unchanged": row[3],
        "seconds": seconds,
        "exit": proc.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--added", type=int, default=20)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="newsarchive-bench-") as tmp:
        root = Path(tmp) / "site"
        manifest = generate_site(root, channels=("gz", "he"), n_articles=args.articles,
                                 seed=args.seed)  # fmt: skip
        db = Path(tmp) / "archive.db"
        with CountingMirror(root) as server:
            full = _crawl(server, db)
            again = _crawl(server, db)
            add_articles(root, args.added)
            added = _crawl(server, db)
    print(
        f"site: {manifest['counts']['distinct_articles']} distinct articles, "
        f"{len(manifest['files'])} files; then {args.added} added"
    )
    for name, run in (("full", full), ("nothing new", again), ("added", added)):
        print(
            f"{name:>12}: {run['requests']:>6} requests, {run['pages']:>6} pages, "
            f"{run['new']:>5} new, {run['updated']} updated, {run['unchanged']} unchanged, "
            f"{run['seconds']:6.1f}s (exit {run['exit']})"
        )
    print(
        f"nothing-new run: {again['requests'] / full['requests']:.1%} of the full run's "
        f"requests and {again['rows'] - full['rows']} new article rows; added run: "
        f"{added['rows'] - again['rows']} new article rows for {args.added} published "
        "(a near copy of an archived story is a row of its own, counted as a duplicate)"
    )


if __name__ == "__main__":
    main()
