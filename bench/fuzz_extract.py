"""Fuzz the extractor: at least 100,000 mutated real-template pages, none may raise.

    python -m bench.fuzz_extract [--inputs 100000] [--workers 2] [--seed 1] [--out DIR]

Hypothesis draws each input (``tools.faults.mutate``: byte flips, markup and encoding
tokens, truncation, splices, re-encoding, deep nesting, odd charset hints, pages given as text)
from the golden fixtures, the real Xinhua pages in ``../shared/xinhua`` and the sample site.
Every exception is counted and its input saved under ``--out`` (default a temp folder) for a
regression test; the run goes on. Exit status 1 if any input raised.
"""

from __future__ import annotations

import argparse
import hashlib
import multiprocessing
import signal
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings

from newsarchive.extract import extract_article
from newsarchive.records import Article, NotAnArticle
from tools.faults.mutate import extractor_inputs, seed_pages

#: An input still being extracted after this many seconds counts as a hang (a failure).
HANG_SECONDS = 10
#: Inputs per hypothesis run.
CHUNK = 2000
#: How the extractor's last-resort handler labels an exception it swallowed.
SAFETY_NET = "extractor error:"
#: URLs that are not valid URLs at all (the crawler never passes one; reported apart).
ODD_URLS = ("", "not a url", "http://[::1")
REPO = Path(__file__).resolve().parent.parent
SEED_FOLDERS = (
    REPO / "tests" / "golden",
    REPO.parent / "shared" / "xinhua",
    REPO / "newsarchive" / "sample_site",
)


def worker(job: tuple[int, int, str]) -> dict[str, object]:
    inputs, worker_seed, out = job
    pages = seed_pages(SEED_FOLDERS, limit=200)
    stats: dict[str, object] = {"inputs": 0, "articles": 0, "crashes": [], "seeds": len(pages)}
    crashes: list[str] = []
    internal: dict[str, int] = {}

    def hang(signum: int, frame: object) -> None:
        raise TimeoutError(f"extraction took more than {HANG_SECONDS} s")

    signal.signal(signal.SIGALRM, hang)

    def make_run(chunk_seed: int) -> Callable[[], None]:
        @seed(chunk_seed)
        @settings(
            max_examples=CHUNK,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            phases=["generate"],
        )
        @given(extractor_inputs(pages))
        def run(case: tuple[bytes | str, str, str | None]) -> None:
            page, url, hint = case
            stats["inputs"] = int(stats["inputs"]) + 1  # type: ignore[call-overload]
            signal.alarm(HANG_SECONDS)
            try:
                result = extract_article(page, url, encoding=hint)
                if not isinstance(result, Article | NotAnArticle):
                    raise TypeError(f"returned {type(result).__name__}")
            except Exception:  # the harness records every failure (and hang) and goes on
                raw = page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page
                name = hashlib.sha256(raw).hexdigest()[:16]
                Path(out, f"{name}.bin").write_bytes(raw)
                Path(out, f"{name}.txt").write_text(f"{url}\n{hint}\n{traceback.format_exc()}")
                crashes.append(name)
                return
            finally:
                signal.alarm(0)
            if isinstance(result, Article):
                stats["articles"] = int(stats["articles"]) + 1  # type: ignore[call-overload]
            elif result.reason.startswith(SAFETY_NET):
                # Did not raise, but only thanks to the extractor's last-resort handler: a bug.
                kind = result.reason.removeprefix(SAFETY_NET).strip()[:80]
                key = f"{kind} (url {url!r})" if url in ODD_URLS else kind
                internal[key] = internal.get(key, 0) + 1
                if internal[key] == 1:
                    raw = page.encode("utf-8", "surrogatepass") if isinstance(page, str) else page
                    name = "internal-" + hashlib.sha256(raw).hexdigest()[:16]
                    Path(out, f"{name}.bin").write_bytes(raw)
                    Path(out, f"{name}.txt").write_text(f"{url}\n{hint}\n{result.reason}\n")

        return run

    # Many short hypothesis runs, each with its own seed: one run of 50,000 examples spends
    # most of its time in hypothesis's own bookkeeping, which grows with the run.
    for chunk in range(-(-inputs // CHUNK)):
        make_run(worker_seed * 100_000 + chunk)()
    stats["crashes"] = crashes
    stats["internal"] = internal
    return stats


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="fuzz-extract-"))
    out.mkdir(parents=True, exist_ok=True)
    share = -(-args.inputs // args.workers)
    jobs = [(share, args.seed * 1000 + n, str(out)) for n in range(args.workers)]
    started = time.perf_counter()
    # spawn, not fork: a forked copy of a process whose libraries hold locks can deadlock.
    with multiprocessing.get_context("spawn").Pool(args.workers) as pool:
        results = pool.map(worker, jobs)
    elapsed = time.perf_counter() - started
    total = sum(int(r["inputs"]) for r in results)  # type: ignore[call-overload]
    articles = sum(int(r["articles"]) for r in results)  # type: ignore[call-overload]
    crashes = [c for r in results for c in r["crashes"]]  # type: ignore[attr-defined]
    internal: dict[str, int] = {}
    for r in results:
        for key, n in r["internal"].items():  # type: ignore[attr-defined]
            internal[key] = internal.get(key, 0) + n
    print(f"seed pages: {results[0]['seeds']}")
    print(f"inputs: {total}  (articles {articles}, not articles {total - articles})")
    print(f"exceptions or hangs over {HANG_SECONDS} s: {len(crashes)}  (inputs saved in {out})")
    print(f"time: {elapsed:.0f} s, {total / elapsed:.0f} inputs/s on {args.workers} workers")
    print(f"exceptions swallowed by the extractor's safety net: {sum(internal.values())}")
    for key, n in sorted(internal.items(), key=lambda kv: -kv[1]):
        print(f"  {n:6d}  {key}")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
