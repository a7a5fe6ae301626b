"""Search latency and export rate on a synthetic archive of (by default) 1,000,000 articles.

The archive is built fast by direct bulk inserts into the real schema (created by
:func:`newsarchive.store.migrate`, so tables, indexes, views and the FTS5 table are exactly a
real archive's) and cached under ``bench/results/`` (git-ignored); ``--rebuild`` makes it anew.
Each synthetic article has a ~200-character body of Chinese words drawn from a Zipf-like
vocabulary of pseudo-words plus a few real words at chosen frequencies (``中国`` in ~40% of
articles, ``经济`` ~20%, ``高质量发展`` ~5%, ``乡村振兴`` ~2%, ``数字经济`` ~1%, ``茶产业`` ~0.1%),
1-3 reporters and an editor, one or two sections, 31 channels, dates over 2015-2025 rising
with the row id (as crawls store them); 5% of the articles are in traditional script.

Measured, in one run:

* search latency of :meth:`newsarchive.Archive.search` (parse, FTS5, BM25 ranking over the
  candidate set, snippets; limit 20, warm cache) for common queries: very common and rarer
  2-character words, 4-character words, quoted phrases, and searches filtered by channel or by
  a one-year date range — p50 and p99 per kind and overall;
* export: ``newsarchive export`` (default columns, CSV) against the ``sqlite3`` command-line
  shell running the same SQL with ``.mode csv`` to a file; wall time, rows/s and peak RSS of
  each, plus our peak RSS for a 1/10 export to show memory does not grow with rows.

    python bench/query.py [--articles 1000000] [--db PATH] [--rebuild] [--samples 60]
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from newsarchive import Archive, channels
from newsarchive.store import connect, migrate
from newsarchive.store.export import export_query
from newsarchive.store.queries import Filters
from newsarchive.textnorm import fts_text, to_traditional

RESULTS = Path(__file__).resolve().parent / "results"

#: Real words planted at fixed shares of the articles (the rest of the text is pseudo-words).
PLANTED: dict[str, float] = {
    "中国": 0.40,
    "经济": 0.20,
    "高质量发展": 0.05,
    "乡村振兴": 0.02,
    "数字经济": 0.01,
    "茶产业": 0.001,
}
SOURCES = ("新华网", "贵州日报", "人民日报", "云南日报", "四川日报", "新华社", "中国新闻网")


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    """Pseudo-words and their cumulative Zipf-like weights."""
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    words = ["".join(rng.choices(chars, k=rng.choice((2, 2, 2, 3, 4)))) for _ in range(30000)]
    weights = list(itertools.accumulate(1.0 / (rank + 20) for rank in range(len(words))))
    return words, weights


def _rows(n: int, seed: int = 7) -> Iterator[tuple[tuple[object, ...], ...]]:
    """Per article: (articles row, fts row, credit rows, section rows, url row)."""
    rng = random.Random(seed)
    words, cumulative = _vocabulary(rng)
    codes = list(channels.registry())
    channel_weights = list(itertools.accumulate(1.0 / (i + 3) for i in range(len(codes))))
    reporters = ["".join(rng.choices("张王李赵刘陈杨黄周吴徐孙马胡朱郭何罗高林", k=1))
                 + "".join(rng.choices("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂", k=2))
                 for _ in range(5000)]  # fmt: skip
    start = time.mktime((2015, 1, 1, 0, 0, 0, 0, 0, 0))
    span = time.mktime((2025, 12, 31, 0, 0, 0, 0, 0, 0)) - start
    for i in range(1, n + 1):
        moment = start + span * (i - 1) / n + rng.uniform(-86400 * 3, 86400 * 3)
        published = time.strftime("%Y-%m-%dT%H:%M:00+08:00", time.gmtime(moment))
        channel = rng.choices(codes, cum_weights=channel_weights)[0]
        body_words = rng.choices(words, cum_weights=cumulative, k=rng.randint(45, 75))
        for word, share in PLANTED.items():
            if rng.random() < share:
                body_words.insert(rng.randrange(len(body_words) + 1), word)
        cut = len(body_words) // 2
        body = "".join(body_words[:cut]) + "。" + "".join(body_words[cut:]) + "。"
        headline = "".join(rng.choices(words[:3000], k=4))
        if rng.random() < 0.05:
            body, headline = to_traditional(body), to_traditional(headline)
            script = "zh-Hant"
        else:
            script = "zh-Hans"
        names = rng.sample(reporters, rng.randint(1, 3))
        editor = rng.choice(reporters[:300])
        day = published[:10].replace("-", "")
        url = f"https://{channels.get(channel).canonical_host}/{day}/{i:032x}/c.html"
        seen = "2026-01-01T00:00:00+00:00"
        article = (
            i, url, channel, headline, published, published[:19].replace("T", " "),
            rng.choice(SOURCES), body, script, "provincial_chtml", f"{i:064x}", seen, seen, seen,
            json.dumps(names, ensure_ascii=False), json.dumps([editor], ensure_ascii=False),
        )  # fmt: skip
        fts = (i, fts_text(headline), fts_text(body))
        credits = (
            *((i, p, "记者", name) for p, name in enumerate(names)),
            (i, len(names), "责任编辑", editor),
        )
        sections: tuple[tuple[object, ...], ...] = ((i, 0, None, body, 2),)
        if rng.random() < 0.2:
            sections += ((i, 1, "".join(rng.choices(words[:500], k=3)), body[:40], 1),)
        yield article, fts, credits, sections, ((url, i, "canonical", seen, seen),)


def build(path: Path, n: int) -> None:
    """Write a synthetic archive of ``n`` articles to ``path``."""
    tmp = path.with_suffix(".building")
    tmp.unlink(missing_ok=True)
    db = connect(tmp)
    migrate(db)
    db.close()
    conn = sqlite3.connect(tmp, isolation_level=None)
    conn.execute("PRAGMA journal_mode = OFF")
    conn.execute("PRAGMA synchronous = OFF")
    conn.execute("PRAGMA cache_size = -1000000")
    started = time.perf_counter()
    batch: list[tuple[tuple[object, ...], ...]] = []

    def flush() -> None:
        conn.execute("BEGIN")
        conn.executemany(
            "INSERT INTO articles(id, canonical_url, channel, headline, published_at,"
            " published_at_raw, source, body_text, script, template, content_hash, first_seen,"
            " last_seen, updated_at, reporters, editors) VALUES"
            " (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            [b[0] for b in batch],
        )
        conn.executemany(
            "INSERT INTO articles_fts(rowid, headline, body) VALUES (?,?,?)", [b[1] for b in batch]
        )
        conn.executemany("INSERT INTO credits VALUES (?,?,?,?)", [c for b in batch for c in b[2]])
        conn.executemany(
            "INSERT INTO sections VALUES (?,?,?,?,?)", [s for b in batch for s in b[3]]
        )
        conn.executemany(
            "INSERT INTO article_urls VALUES (?,?,?,?,?)", [u for b in batch for u in b[4]]
        )
        conn.execute("COMMIT")
        batch.clear()

    for i, rows in enumerate(_rows(n), 1):
        batch.append(rows)
        if len(batch) == 20000:
            flush()
            if i % 100000 == 0:
                rate = i / (time.perf_counter() - started)
                print(f"  built {i:,} articles ({rate:,.0f}/s)", flush=True)
    if batch:
        flush()
    conn.execute("ANALYZE")
    conn.close()
    db = connect(tmp)  # back to WAL, as a real archive
    db.close()
    tmp.replace(path)
    print(f"built {n:,} articles in {time.perf_counter() - started:,.0f} s: {path}", flush=True)


def _pairs(rng: random.Random, words: list[str], n: int) -> list[tuple[str, str]]:
    return list(zip(rng.sample(words, n), rng.sample(words, n), strict=True))


def _queries(
    rng: random.Random, words: list[str]
) -> dict[str, list[tuple[str, dict[str, object]]]]:
    two = [w for w in words[:2000] if len(w) == 2]
    four = [w for w in words[:5000] if len(w) == 4]
    years = [str(y) for y in range(2015, 2026)]
    codes = list(channels.registry())[:10]
    return {
        "2-char, very common (中国 40%, 经济 20%)": [("中国", {}), ("經濟", {})],
        "2-char, vocabulary": [(w, {}) for w in rng.sample(two, 30)],
        "4-char (乡村振兴 2%, 数字经济 1%, vocabulary)": [("乡村振兴", {}), ("數字經濟", {})]
        + [(w, {}) for w in rng.sample(four, 20)],
        "phrase": [('"高质量发展"', {}), ('"中国 经济"', {})]
        + [(f'"{a}{b}"', {}) for a, b in _pairs(rng, two, 10)],
        "two words AND": [(f"{a} {b}", {}) for a, b in _pairs(rng, two, 15)],
        "filtered by channel": [("中国", {"channel": c}) for c in codes[:5]]
        + [(w, {"channel": rng.choice(codes)}) for w in rng.sample(two, 15)],
        "filtered by year": [("中国", {"since": y, "until": y}) for y in years[:5]]
        + [(w, {"since": rng.choice(years), "until": None}) for w in rng.sample(two, 15)],
        # A one-character word is a prefix query (its own token and every bigram it starts).
        "1-char (中, 国, 茶, vocabulary)": [("中", {}), ("国", {}), ("茶", {})]
        + [(w[-1], {}) for w in rng.sample(two, 17)],
    }  # fmt: skip


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def bench_search(path: Path, samples: int) -> dict[str, dict[str, float]]:
    rng = random.Random(11)
    words, _ = _vocabulary(random.Random(7))
    results: dict[str, dict[str, float]] = {}
    everything: list[float] = []
    with Archive(path) as archive:
        archive.search("中国")  # warm the page cache a little
        for kind, queries in _queries(rng, words).items():
            times: list[float] = []
            hits = 0
            while len(times) < samples:
                for query, kwargs in queries:
                    t0 = time.perf_counter()
                    found = archive.search(query, limit=20, **kwargs)  # type: ignore[arg-type]
                    times.append((time.perf_counter() - t0) * 1000)
                    hits += len(found)
                    if len(times) >= samples:
                        break
            everything += times
            results[kind] = {
                "p50_ms": _pct(times, 0.5), "p99_ms": _pct(times, 0.99),
                "max_ms": max(times), "mean_hits": hits / len(times),
            }  # fmt: skip
            print(f"  {kind:45s} p50 {results[kind]['p50_ms']:7.1f} ms  "
                  f"p99 {results[kind]['p99_ms']:7.1f} ms", flush=True)  # fmt: skip
        # Why the candidate cap: rank every match of the commonest word.
        from newsarchive.store.search import search  # noqa: PLC0415

        t0 = time.perf_counter()
        search(archive.connection, "中国", limit=20, max_candidates=None)
        results["中国 ranked over all matches (no cap)"] = {
            "p50_ms": (time.perf_counter() - t0) * 1000
        }
    results["all queries"] = {"p50_ms": _pct(everything, 0.5), "p99_ms": _pct(everything, 0.99)}
    return results


def _measured(cmd: list[str], stdout_path: Path | None = None) -> tuple[float, float]:
    """Run ``cmd`` in a fresh child, returning (seconds, peak RSS MiB) of that command alone."""
    runner = (
        "import resource, subprocess, sys, time, json\n"
        "out = open(sys.argv[1], 'wb') if sys.argv[1] != '-' else subprocess.DEVNULL\n"
        "t0 = time.perf_counter()\n"
        "subprocess.run(sys.argv[2:], stdout=out, check=True)\n"
        "print(json.dumps([time.perf_counter() - t0,"
        " resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024]))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", runner, str(stdout_path or "-"), *cmd],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    seconds, rss = json.loads(done.stdout.strip().splitlines()[-1])
    return float(seconds), float(rss)


def bench_export(path: Path, n: int, workdir: Path) -> dict[str, float]:
    sqlite3_cli = shutil.which("sqlite3")
    if sqlite3_cli is None:
        raise SystemExit("install the sqlite3 command-line shell (Debian: apt-get install sqlite3)")
    query = export_query(Filters())
    assert not query.params
    ours_csv = workdir / "ours.csv"
    cli_csv = workdir / "sqlite3.csv"
    newsarchive = [sys.executable, "-c", "from newsarchive.cli import main; main()", "-q"]
    ours_s, ours_rss = _measured(
        [*newsarchive, "export", "--db", str(path), "--out", str(ours_csv)]
    )
    cli_s, cli_rss = _measured(
        [sqlite3_cli, "-readonly", "-csv", "-header", str(path), query.sql], cli_csv
    )
    tenth_year = "2015"  # ~1/11 of the rows
    tenth_s, tenth_rss = _measured(
        [*newsarchive, "export", "--db", str(path), "--out", str(workdir / "tenth.csv"),
         "--since", tenth_year, "--until", tenth_year],
    )  # fmt: skip
    rows = sum(1 for _ in ours_csv.open("rb")) - 1
    result = {
        "rows": rows,
        "ours_s": ours_s, "ours_rows_per_s": rows / ours_s, "ours_peak_rss_mib": ours_rss,
        "sqlite3_s": cli_s, "sqlite3_rows_per_s": rows / cli_s, "sqlite3_peak_rss_mib": cli_rss,
        "speed_ratio": cli_s / ours_s,
        "ours_one_year_s": tenth_s, "ours_one_year_peak_rss_mib": tenth_rss,
        "ours_bytes": ours_csv.stat().st_size, "sqlite3_bytes": cli_csv.stat().st_size,
    }  # fmt: skip
    for f in (ours_csv, cli_csv, workdir / "tenth.csv"):
        f.unlink(missing_ok=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", type=Path, help="archive to build/use (default bench/results/)")
    parser.add_argument("--rebuild", action="store_true", help="build the archive anew")
    parser.add_argument("--samples", type=int, default=60, help="searches per query kind")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-search", action="store_true")
    args = parser.parse_args()
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = args.db or RESULTS / f"query-{args.articles}.db"
    if args.rebuild or not path.exists():
        build(path, args.articles)
    print(f"archive {path} ({path.stat().st_size / 2**30:.2f} GiB), {args.articles:,} articles")
    report: dict[str, object] = {"articles": args.articles, "db_bytes": path.stat().st_size}
    if not args.skip_search:
        report["search"] = bench_search(path, args.samples)
    if not args.skip_export:
        report["export"] = bench_export(path, args.articles, RESULTS)
        e = report["export"]
        assert isinstance(e, dict)
        print(f"  export ours {e['ours_rows_per_s']:,.0f} rows/s ({e['ours_peak_rss_mib']:.0f} MiB"
              f" peak; one year {e['ours_one_year_peak_rss_mib']:.0f} MiB), sqlite3 CLI"
              f" {e['sqlite3_rows_per_s']:,.0f} rows/s: ratio {e['speed_ratio']:.2f}")  # fmt: skip
    out = RESULTS / f"query-{args.articles}{'-export' if args.skip_search else ''}.json"
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), "utf-8")
    print(f"results in {out}")


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
