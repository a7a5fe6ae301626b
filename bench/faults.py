"""Crawl the sample site through the fault site, trial after trial, and count what was lost.

    python -m bench.faults [--trials 5] [--seed 1] [--timeout 3] [--json FILE]

Each trial faults a different set of article pages (``tools.faults.plan.PLAN``: one
page per fault, shuffled by the trial's seed) and runs the production command
``newsarchive crawl gz he --mirror URL`` (download timeout shortened to ``--timeout``), then
the same command against the healthy site. Per fault it checks: the page is stored intact
(recoverable faults) or not stored and counted under its error kind in ``crawl_runs``;
the requests it took; no article with wrong text anywhere; and whether the next run brought
the article back. Prints the table that ``docs/reliability.md`` reports.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from newsarchive.urls import canonical_url
from tools.faults import FaultSite
from tools.faults.plan import PLAN, assign, mirror_key

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
WRAPPER = """
import sys
import newsarchive.settings as settings
settings.DOWNLOAD_TIMEOUT = float(sys.argv[1])
from newsarchive.cli import main
main(sys.argv[2:], prog_name="newsarchive")
"""
ROW = """SELECT content_hash, headline, body_text FROM articles a WHERE a.id IN
    (SELECT article_id FROM article_urls WHERE url IN (?, ?) UNION
     SELECT id FROM articles WHERE canonical_url IN (?, ?))"""


def crawl(db: Path, mirror: str, timeout: float) -> int:
    argv = [sys.executable, "-c", WRAPPER, str(timeout), "crawl", "gz", "he", "--db", str(db),
            "--mirror", mirror, "--no-politeness", "--no-progress", "--quiet"]  # fmt: skip
    return subprocess.run(argv, capture_output=True, check=False).returncode


def query(db: Path, sql: str, params: tuple[object, ...] = ()) -> list[Any]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def row_for(db: Path, article: dict[str, Any]) -> tuple[str, str, str] | None:
    url, canonical = str(article["url"]), str(article["canonical_url"])
    rows = query(db, ROW, (url, canonical_url(url), url, canonical))
    return tuple(rows[0]) if rows else None


def snapshot(db: Path, target: Path) -> None:
    src, dst = sqlite3.connect(str(db)), sqlite3.connect(str(target))
    src.backup(dst)
    src.close()
    dst.close()


def trial(n: int, seed: int, work: Path, reference: Path, timeout: float) -> dict[str, Any]:
    manifest = json.loads((SITE / "MANIFEST.json").read_text("utf-8"))
    targets, rules = assign(manifest, seed=seed * 1000 + n)
    db, before_rerun = work / f"trial{n}.db", work / f"trial{n}-faulted.db"
    with FaultSite(SITE, rules) as site:
        exit_code = crawl(db, site.url, timeout)
        hits = {p.name: site.hits(mirror_key(str(targets[p.name]["url"]))) for p in PLAN}
    snapshot(db, before_rerun)
    by_kind = json.loads(query(before_rerun, "SELECT errors_by_kind FROM crawl_runs")[0][0])
    reference_hashes = {r[0] for r in query(reference, "SELECT content_hash FROM articles")}
    changed = row_for(before_rerun, targets["template_changed"])
    texts = query(before_rerun, "SELECT content_hash, headline || body_text FROM articles")
    wrong = [
        h
        for h, text in texts
        if (h not in reference_hashes and (changed is None or h != changed[0]))
        or "\ufffd" in text or "验证码" in text or "站外诱饵" in text
    ]  # fmt: skip
    with FaultSite(SITE) as site:
        crawl(db, site.url, timeout)
    outcome: dict[str, Any] = {"exit": exit_code, "wrong_rows": len(wrong), "faults": {}}
    for planned in PLAN:
        article = targets[planned.name]
        stored, expected = row_for(before_rerun, article), row_for(reference, article)
        assert expected is not None, planned.name
        if planned.error is None:
            ok = stored is not None and (
                stored == expected
                if planned.name != "template_changed"
                else all(p in stored[2] for p in expected[2].splitlines())
            )
        else:
            ok = stored is None and planned.error in by_kind
        low, high = planned.attempts
        after = row_for(db, article)
        recovered = after is not None and (
            after[0] == expected[0] or planned.name == "template_changed"
        )
        outcome["faults"][planned.name] = {
            "as_expected": ok,
            "attempts": hits[planned.name],
            "attempts_ok": low <= hits[planned.name] <= high,
            "lost_after_next_run": not recovered,
        }
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=3.0)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="faults-bench-"))
    reference = work / "reference.db"
    with FaultSite(SITE) as site:
        crawl(reference, site.url, args.timeout)
    results = []
    for n in range(1, args.trials + 1):
        result = trial(n, args.seed, work, reference, args.timeout)
        results.append(result)
        bad = [
            k for k, v in result["faults"].items() if not (v["as_expected"] and v["attempts_ok"])
        ]
        print(f"trial {n}: exit {result['exit']}, wrong rows {result['wrong_rows']}, "
              f"not as expected: {bad or 'none'}", flush=True)  # fmt: skip
    print(
        "\n| fault | trials | handled as expected | requests per trial | lost after the next run |"
    )
    print("|---|---|---|---|---|")
    for planned in PLAN:
        rows = [r["faults"][planned.name] for r in results]
        expected = sum(1 for r in rows if r["as_expected"] and r["attempts_ok"])
        lost = sum(1 for r in rows if r["lost_after_next_run"])
        attempts = Counter(r["attempts"] for r in rows)
        shown = ", ".join(f"{k}×{v}" if v > 1 else str(k) for k, v in sorted(attempts.items()))
        print(f"| {planned.name} | {len(rows)} | {expected} | {shown} | {lost} |")
    wrong = sum(r["wrong_rows"] for r in results)
    print(f"\narticle rows with wrong text in {len(results)} faulted crawls: {wrong}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1))
    failed = wrong or any(
        not (v["as_expected"] and v["attempts_ok"]) or v["lost_after_next_run"]
        for r in results
        for v in r["faults"].values()
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
