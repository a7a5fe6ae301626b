"""Completeness trials: stop a crawl every way we know, run it again, count what is missing.

    python -m bench.completeness [--articles 1500] [--seed 7] [--kills 10] [--disk-full 5]
                                 [--faults/--no-faults] [--server-down 2] [--json PATH]

A site of ``--articles`` articles is generated (:func:`tools.sitegen.generate_site`) and
served by the fault site on 127.0.0.1. One uninterrupted, fault-free crawl is the reference.
Then each trial starts from an empty archive, stops or hurts the first crawl, and runs the
same ``newsarchive crawl gz he`` command again (at most ``--max-reruns`` times) until it
exits 0:

* ``kill``: SIGKILL of the crawl process after 1/(n+1), 2/(n+1) … of the reference's captures;
* ``disk_full``: the first crawl under a file-size limit (``RLIMIT_FSIZE``, ``SIGXFSZ``
  ignored) at 1/(n+1) … of the reference archive's size; the reruns have room;
* ``faults``: one crawl with every fault of the standard plan (:mod:`tools.faults.plan`,
  every fault kind of the fault site, one article each), the reruns without faults;
* ``server_down``: the server dies (every request, on open connections too, answered with a
  TCP reset) after a share of the reference's captures, for the rest of the first crawl.

After every run: the articles of the reference missing from the archive (none of their URLs
known) and the frontier's pending and retryable URLs. A trial passes when nothing is missing after
the last run and every run that left work undone (articles missing, or work in the frontier)
exited non-zero. Whether the last archive equals the reference
(:func:`tools.faults.compare.fingerprint`) is shown too: it does after kills and full
disks (runs that never reached their end: the next run fetches their articles' other URLs as
the uninterrupted crawl did). After a run that reached its end (faults, a dead server) the
next is incremental: an alias URL of an article already stored is not fetched again, and the
article served in an unknown template stays as the generic extractor read it; complete, not
byte-equal. Prints one line per trial and a summary; exit status 1 if
any trial failed.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tools.faults import Fault, FaultSite, Rule
from tools.faults.compare import fingerprint, integrity_check
from tools.faults.plan import PLAN, assign
from tools.sitegen import generate_site, load_manifest

#: The test knob of tests/reliability_helpers.py: a 3 s download timeout, so that a held
#: connection costs seconds.
WRAPPER = """
import sys
import newsarchive.settings as settings
settings.DOWNLOAD_TIMEOUT = 3.0
from newsarchive.cli import main
main(sys.argv[1:], prog_name="newsarchive")
"""


def crawl_argv(db: Path, mirror: str) -> list[str]:
    return [
        sys.executable, "-c", WRAPPER, "crawl", "gz", "he", "--db", str(db), "--mirror", mirror,
        "--no-politeness", "--no-progress", "--quiet",
    ]  # fmt: skip


def _read(db: Path, sql: str) -> list[tuple[Any, ...]]:
    if not db.exists():
        return []
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=30)
    try:
        return conn.execute(sql).fetchall()
    except sqlite3.OperationalError:
        return []
    finally:
        conn.close()


def article_urls(db: Path) -> dict[str, int]:
    """Every URL an article is known under → the article's id."""
    return {str(r[0]): int(r[1]) for r in _read(db, "SELECT url, article_id FROM article_urls")}


def missing_from(reference: dict[str, int], db: Path) -> int:
    """Articles of ``reference`` (URL → article) with none of their URLs in ``db``'s archive
    (which copy gave an article its canonical URL depends on arrival order, so articles are
    matched by any of their URLs)."""
    have = set(article_urls(db))
    found = {article for url, article in reference.items() if url in have}
    return len(set(reference.values()) - found)


def captures(db: Path) -> int:
    rows = _read(db, "SELECT count(*) FROM captures")
    return int(rows[0][0]) if rows else 0


def open_work(db: Path) -> int:
    rows = _read(db, "SELECT count(*) FROM frontier WHERE state IN ('pending', 'retry')")
    return int(rows[0][0]) if rows else 0


@dataclass
class Run:
    exit: int
    missing: int
    open_work: int

    @property
    def undone(self) -> bool:
        return self.missing > 0 or self.open_work > 0


@dataclass
class Trial:
    kind: str
    point: str
    runs: list[Run] = field(default_factory=list)
    integrity: str = ""
    equal: bool = False
    difference: dict[str, int] = field(default_factory=dict)

    @property
    def missing(self) -> int:
        return self.runs[-1].missing if self.runs else -1

    @property
    def silent(self) -> list[int]:
        """Runs (1-based) that exited 0 while work was left undone."""
        return [n for n, r in enumerate(self.runs, 1) if r.exit == 0 and r.undone]

    @property
    def passed(self) -> bool:
        """Nothing missing after the last run, and no run exited 0 with work left."""
        return self.missing == 0 and not self.silent

    def line(self) -> str:
        exits = " → ".join(f"{r.exit}({r.missing} missing)" for r in self.runs)
        verdict = "ok" if self.passed else "FAILED"
        same = "equal" if self.equal else f"differs {self.difference}"
        return f"{self.kind:<11} {self.point:<26} exits {exits}  {verdict}, {same}"


class Bench:
    def __init__(self, site: Path, work: Path, max_reruns: int) -> None:
        self.site = site
        self.work = work
        self.max_reruns = max_reruns
        self.reference_db = work / "reference.db"
        self.reference_articles: dict[str, int] = {}
        self.reference_captures = 0
        self.reference_bytes = 0
        self.seconds = 0.0

    def reference(self) -> None:
        with FaultSite(self.site) as served:
            started = time.perf_counter()
            code = self._run(self.reference_db, served.url)
            self.seconds = time.perf_counter() - started
        self.reference_articles = article_urls(self.reference_db)
        self.reference_captures = captures(self.reference_db)
        self.reference_bytes = self.reference_db.stat().st_size
        print(f"reference: exit {code}, {len(set(self.reference_articles.values()))} articles, "
              f"{self.reference_captures} captures, {self.reference_bytes} bytes, "
              f"{self.seconds:.0f} s")  # fmt: skip

    def _run(self, db: Path, mirror: str, preexec: Callable[[], None] | None = None) -> int:
        proc = subprocess.run(
            crawl_argv(db, mirror),
            capture_output=True,
            text=True,
            check=False,
            preexec_fn=preexec,
        )
        return proc.returncode

    def _record(self, trial: Trial, db: Path, code: int) -> None:
        missing = missing_from(self.reference_articles, db)
        trial.runs.append(Run(exit=code, missing=missing, open_work=open_work(db)))

    def _finish(self, trial: Trial, db: Path) -> Trial:
        """Run again (fault-free) until a run exits 0, then compare with the reference."""
        with FaultSite(self.site) as served:
            for _ in range(self.max_reruns):
                if trial.runs and trial.runs[-1].exit == 0:
                    break
                self._record(trial, db, self._run(db, served.url))
        trial.integrity = integrity_check(db)
        diff = fingerprint(self.reference_db).difference(fingerprint(db))
        trial.equal = not diff
        trial.difference = {k: len(v) for k, v in diff.items()}
        print(trial.line(), flush=True)
        return trial

    def kill(self, n: int, of: int) -> Trial:
        target = max(1, self.reference_captures * n // (of + 1))
        trial = Trial(kind="kill", point=f"after {target} captures")
        db = self.work / f"kill{n}.db"
        with FaultSite(self.site) as served:
            proc = subprocess.Popen(
                crawl_argv(db, served.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            while proc.poll() is None and captures(db) < target:
                time.sleep(0.02)
            if proc.poll() is None:
                os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        self._record(trial, db, proc.returncode)
        return self._finish(trial, db)

    def disk_full(self, n: int, of: int) -> Trial:
        limit = self.reference_bytes * n // (of + 1)
        trial = Trial(kind="disk_full", point=f"files limited to {limit} B")
        db = self.work / f"full{n}.db"

        def full() -> None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

        with FaultSite(self.site) as served:
            self._record(trial, db, self._run(db, served.url, full))
        return self._finish(trial, db)

    def faults(self, seed: int) -> Trial:
        _chosen, rules = assign(load_manifest(self.site), seed=seed)
        trial = Trial(kind="faults", point=f"{len(PLAN)} faults, seed {seed}")
        db = self.work / "faults.db"
        with FaultSite(self.site, rules) as served:
            self._record(trial, db, self._run(db, served.url))
        return self._finish(trial, db)

    def server_down(self, n: int, of: int, scale: float = 1.0) -> Trial:
        target = max(1, int(self.reference_captures * n / (of + 1) * scale))
        trial = Trial(kind="server_down", point=f"after {target} captures")
        db = self.work / f"down{n}.db"
        with FaultSite(self.site) as served:
            proc = subprocess.Popen(
                crawl_argv(db, served.url), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
            )
            while proc.poll() is None and captures(db) < target:
                time.sleep(0.02)
            # The server dies: from now on every request (on open connections too) is
            # answered with a TCP reset and no response.
            served.rules = (Rule("*", Fault(kind="reset")),)
            proc.wait()
        self._record(trial, db, proc.returncode)
        return self._finish(trial, db)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=1500)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--disk-full", type=int, default=5)
    parser.add_argument("--server-down", type=int, default=2)
    parser.add_argument(
        "--down-scale",
        type=float,
        default=1.0,
        help="bring the server-down points earlier (0.5: at half the captures): a small site "
        "is fetched well before its pages are stored",
    )
    parser.add_argument("--faults", action=argparse.BooleanOptionalAction, default=True)
    parser.add_argument("--max-reruns", type=int, default=4)
    parser.add_argument("--site", type=Path, help="an existing generated site to use")
    parser.add_argument("--json", type=Path, help="also write the trials here")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="completeness-"))
    site = args.site
    if site is None:
        site = work / "site"
        generate_site(site, n_articles=args.articles, seed=args.seed)
    bench = Bench(site, work, args.max_reruns)
    started = time.perf_counter()
    bench.reference()
    trials: list[Trial] = []
    for n in range(1, args.kills + 1):
        trials.append(bench.kill(n, args.kills))
    for n in range(1, args.disk_full + 1):
        trials.append(bench.disk_full(n, args.disk_full))
    if args.faults:
        trials.append(bench.faults(args.seed))
    for n in range(1, args.server_down + 1):
        trials.append(bench.server_down(n, args.server_down, args.down_scale))
    failed = [t for t in trials if not t.passed]
    undone = sum(1 for t in trials for r in t.runs if r.undone)
    nonzero = sum(1 for t in trials for r in t.runs if r.undone and r.exit != 0)
    equal = sum(1 for t in trials if t.equal)
    print(f"{len(trials)} trials in {time.perf_counter() - started:.0f} s: "
          f"{len(trials) - len(failed)} complete ({equal} equal to the reference), "
          f"{sum(t.missing for t in trials)} articles missing after the last run; "
          f"{undone} runs left work undone, {nonzero} of them exited non-zero")  # fmt: skip
    if args.json:
        data = {
            "reference": {
                "articles": len(set(bench.reference_articles.values())),
                "captures": bench.reference_captures,
                "bytes": bench.reference_bytes,
                "seconds": round(bench.seconds, 1),
            },
            "trials": [
                {**asdict(t), "missing": t.missing, "silent": t.silent, "passed": t.passed}
                for t in trials
            ],
        }
        args.json.write_text(json.dumps(data, indent=1), "utf-8")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
