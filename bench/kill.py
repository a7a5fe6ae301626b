"""SIGKILL a real crawl at random points, resume it, and compare with an uninterrupted crawl.

    python -m bench.kill [--trials 20] [--seed 1] [--site newsarchive/sample_site] [--slow 0.05]

Each trial: a fresh archive; ``newsarchive crawl gz he --mirror URL`` against the sample
site (served by the fault site with every page trickled, so the crawl lasts long enough to be
killed anywhere); SIGKILL after a random delay; ``PRAGMA integrity_check``; no article without
its sections; then the same command again (the resume) and a comparison of what the archive
holds (``tools.faults.compare.fingerprint``) with an uninterrupted crawl's. Prints one
line per trial and a summary; exit status 1 if any trial lost or corrupted anything.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.faults import Fault, FaultSite, Rule
from tools.faults.compare import Fingerprint, fingerprint, half_written, integrity_check

REPO = Path(__file__).resolve().parent.parent


def crawl_argv(db: Path, mirror: str) -> list[str]:
    return [
        sys.executable, "-c", "from newsarchive.cli import main; main()", "crawl", "gz", "he",
        "--db", str(db), "--mirror", mirror, "--no-politeness", "--no-progress", "--quiet",
    ]  # fmt: skip


def counts(db: Path) -> tuple[int, int] | str:
    """(captures, articles) in the archive (0s when it does not exist yet), or the error a
    reader gets."""
    if not db.exists():
        return 0, 0
    try:
        conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
        try:
            return (
                conn.execute("SELECT count(*) FROM captures").fetchone()[0],
                conn.execute("SELECT count(*) FROM articles").fetchone()[0],
            )
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"{type(exc).__name__}: {exc}"


def run_to_end(db: Path, mirror: str) -> tuple[int, float]:
    started = time.perf_counter()
    proc = subprocess.run(crawl_argv(db, mirror), capture_output=True, text=True, check=False)
    if proc.returncode not in (0, 3):
        print(proc.stderr[-3000:], file=sys.stderr)
    return proc.returncode, time.perf_counter() - started


def one_trial(
    trial: int, work: Path, mirror: str, *, reference: Fingerprint, seconds: float,
    rng: random.Random,
) -> dict[str, object]:  # fmt: skip
    """Kill one crawl, check it, resume it, compare with ``reference``."""
    total = len(reference.captured_urls)
    db = work / f"trial{trial}.db"
    # Two kinds of kill point: after a random number of stored pages (polled, so the
    # kill lands while pages are being written) or at a random time (start-up, schema
    # creation, the first requests, the end of the run).
    by_progress = trial % 4 != 0
    target = rng.randint(1, max(1, total - 1))
    delay = rng.uniform(0.2, seconds)
    proc = subprocess.Popen(
        crawl_argv(db, mirror), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    started = time.perf_counter()
    if by_progress:
        while proc.poll() is None and time.perf_counter() - started < 4 * seconds:
            found = counts(db)
            if isinstance(found, tuple) and found[0] >= target:
                break
            time.sleep(0.02)
    else:
        time.sleep(delay)
    delay = time.perf_counter() - started
    finished_first = proc.poll() is not None
    if not finished_first:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    found = counts(db)
    if isinstance(found, str):
        print(f"    a reader right after the kill: {found}")
        found = (-1, -1)
    at_kill = found
    integrity = integrity_check(db) if db.exists() else "ok (no file yet)"
    half = half_written(db) if at_kill[1] > 0 else []
    resume_code, _ = run_to_end(db, mirror)
    after = fingerprint(db)
    diff = reference.difference(after)
    ok = integrity.startswith("ok") and not half and not diff
    result: dict[str, object] = {
        "trial": trial,
        "kill_after_s": round(delay, 2),
        "kill_point": f"after {target} captures" if by_progress else "at a time",
        "finished_before_kill": finished_first,
        "captures_at_kill": at_kill[0],
        "articles_at_kill": at_kill[1],
        "integrity": integrity,
        "half_written": half,
        "resume_exit": resume_code,
        "equal": not diff,
        "difference": {k: [repr(x)[:200] for x in v] for k, v in diff.items()},
    }
    print(f"trial {trial:2d}: kill at {delay:5.2f} s ({at_kill[0]:3d} captures, "
          f"{at_kill[1]:3d} articles) integrity {integrity[:20]:<20} resume exit "
          f"{resume_code} → {'equal' if not diff else 'DIFFERENT'}")  # fmt: skip
    if not ok:
        for key, values in diff.items():
            print(f"    {key}: {len(values)} e.g. {repr(values[0])[:160]}")
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--site", type=Path, default=REPO / "newsarchive" / "sample_site")
    parser.add_argument("--slow", type=float, default=0.05, help="seconds between 4 KiB chunks")
    parser.add_argument("--json", type=Path, help="also write the trials here")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    work = Path(tempfile.mkdtemp(prefix="kill-bench-"))
    rules = [Rule("*", Fault(kind="trickle", chunk=4096, delay=args.slow))] if args.slow else []
    results = []
    with FaultSite(args.site, rules) as site:
        reference_db = work / "reference.db"
        code, seconds = run_to_end(reference_db, site.url)
        reference = fingerprint(reference_db)
        control_db = work / "control.db"
        run_to_end(control_db, site.url)
        control_equal = fingerprint(control_db) == reference
        print(f"uninterrupted crawl: exit {code}, {seconds:.1f} s, {len(reference.articles)} "
              f"articles; a second one equal: {control_equal}")  # fmt: skip
        for trial in range(1, args.trials + 1):
            results.append(
                one_trial(trial, work, site.url, reference=reference, seconds=seconds, rng=rng)
            )
    failed = [r for r in results if not (str(r["integrity"]).startswith("ok") and r["equal"])]
    killed = sum(1 for r in results if not r["finished_before_kill"])
    print(f"\n{len(results)} trials ({killed} killed mid-crawl): {len(failed)} lost or corrupted")
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 1 if failed or not control_equal else 0


if __name__ == "__main__":
    sys.exit(main())
