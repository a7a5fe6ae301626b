"""Archive ingest benchmark: articles/s through the real write path, and memory as it grows.

Each synthetic article (about 1,100 characters of Chinese body text in three sections, three
credits, an image, a related link, and a ~12 KB HTML capture) goes through exactly what the
store pipeline does: :meth:`newsarchive.store.DedupKeys.of` (fold, SHA-256, MinHash) and
:meth:`newsarchive.store.Store.store_item` (one transaction: capture, article row, sections,
credits, images, links, URLs, article_captures, FTS5, LSH buckets, run counters). A share of
the items are the mirror copy of an earlier article (``--revisit``) or a near copy with a
changed headline and a dropped paragraph (``--near``), so every dedup layer is exercised.

Only the store calls are timed (generating the synthetic records is not), as wall time and
as this process's CPU time (``items/CPU-s``: what one free core would do, the honest figure on
a shared machine; the 1-minute load average is printed beside it). Memory is the process's
resident set size (``VmRSS``) at each checkpoint, and the peak (``ru_maxrss``).

    python bench/archive.py --sizes 10000,100000 [--db /tmp/bench.db] [--checkpoint 10000]
    python bench/archive.py --sizes 10000 --group 100   # group commit, as the crawl does
    python bench/archive.py --split 5000                 # where the CPU goes, and the ceilings

``--split`` measures the parts of one article's ingest one by one, as CPU time of this process:
the dedup keys (pure CPU: fold, SHA-256, MinHash), the full-text index text
(``textnorm.fts_text``), FTS5 alone (that text inserted into a bare table created with the
archive's own ``articles_fts`` definition, 500 articles per transaction, as the store
flushes), and the store's SQLite work
with the keys given (group commits of 100, the cheapest way the store writes). From them it
prints the highest rate each arrangement could reach: one process doing everything, a writer
process fed by a second core that does all the pure CPU work (perfect overlap, no hand-over
cost), and FTS5 by itself.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import itertools
import os
import random
import resource
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from newsarchive import textnorm, urls
from newsarchive.records import (
    Article,
    Capture,
    Credit,
    Dateline,
    Image,
    Link,
    PageItem,
    Section,
)
from newsarchive.store import DedupKeys, Store

CHANNELS = ("gz", "sh", "js", "he", "sc", "gd", "hb", "ha", "sd", "zj")
BOILERPLATE = ("<div class='nav'>" + "<a href='/x.htm'>导航栏目</a>" * 200 + "</div>") * 2


def _vocabulary(rng: random.Random) -> tuple[list[str], list[float]]:
    chars = [chr(c) for c in range(0x4E00, 0x4E00 + 3500)]
    words = ["".join(rng.choices(chars, k=rng.choice((1, 2, 2, 2, 3, 4)))) for _ in range(20000)]
    cumulative = list(itertools.accumulate(1.0 / (rank + 10) for rank in range(len(words))))
    return words, cumulative  # Zipf-like word frequencies


class Generator:
    """Deterministic synthetic articles (seeded), each one distinct."""

    def __init__(self, seed: int = 1) -> None:
        self.rng = random.Random(seed)
        self.words, self.cum_weights = _vocabulary(self.rng)

    def paragraph(self, chars: int) -> str:
        out: list[str] = []
        size = 0
        while size < chars:
            words = self.rng.choices(self.words, cum_weights=self.cum_weights, k=12)
            sentence = "".join(words) + self.rng.choice("，。；")
            out.append(sentence)
            size += len(sentence)
        return "".join(out)[:-1] + "。"

    def article(self, n: int) -> Article:
        channel = CHANNELS[n % len(CHANNELS)]
        day = f"2023-{n % 12 + 1:02d}/{n % 28 + 1:02d}"
        url = f"http://www.{channel}.xinhuanet.com/{day}/c_{1100000000 + n}.htm"
        lead = "新华社电（记者张三）" + self.paragraph(220)
        sections = (
            Section(heading=None, paragraphs=(lead, self.paragraph(200), self.paragraph(180))),
            Section(
                heading=self.paragraph(10), paragraphs=(self.paragraph(200), self.paragraph(150))
            ),
            Section(heading=self.paragraph(10), paragraphs=(self.paragraph(150),)),
        )
        body = "\n\n".join(
            "\n".join(([s.heading] if s.heading else []) + list(s.paragraphs)) for s in sections
        )
        return Article(
            url=url,
            canonical_url=urls.canonical_url(url),
            channel=channel,
            xinhua_id=str(1100000000 + n),
            headline=self.paragraph(18)[:24],
            subtitle=None,
            published_at=f"2023-{n % 12 + 1:02d}-{n % 28 + 1:02d}T10:{n % 60:02d}:00+08:00",
            published_at_raw=None,
            source="新华网",
            dateline=Dateline(agency="新华社", place=None, date_text=None, raw="新华社电"),
            reporters=("张三",),
            credits=(
                Credit(role="记者", name="张三"),
                Credit(role="记者", name=f"李{n % 97}"),
                Credit(role="责任编辑", name=f"王{n % 31}"),
            ),
            editors=(f"王{n % 31}",),
            sections=sections,
            images=(Image(src=url.replace(".htm", "_1.jpg"), caption="图为现场。"),),
            related=(Link(title="相关阅读", url=url.replace(".htm", "_r.htm")),),
            body_text=body,
            script="zh-Hans",
            template="provincial_old",
            pages=1,
            encoding="utf-8",
            keywords=("经济", channel),
        )


def _item(article: Article, n: int) -> PageItem:
    html = f"<html><head><title>{article.headline}</title></head><body>{BOILERPLATE}"
    html += f"<h1>{article.headline}</h1><div id='detail'>{article.body_text}</div></body></html>"
    capture = Capture(
        url=article.url,
        final_url=article.url,
        status=200,
        headers=(("content-type", "text/html; charset=utf-8"),),
        body=html.encode("utf-8"),
        fetched_at=f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}+00:00",
        encoding="utf-8",
    )
    return PageItem(captures=(capture,), result=article)


def items(total: int, *, revisit: float, near: float, seed: int = 1) -> Iterator[PageItem]:
    """``total`` page items: new articles, big5 mirror re-visits and near copies."""
    gen = Generator(seed)
    recent: list[Article] = []
    made = 0
    while made < total:
        roll = gen.rng.random()
        if recent and roll < revisit:
            base = gen.rng.choice(recent)
            art = dataclasses.replace(base, url=urls.big5_url(base.url))
        elif recent and roll < revisit + near:
            base = gen.rng.choice(recent)
            n = 900_000_000 + made
            url = f"http://www.news.cn/local/2023-01/01/c_{n}.htm"
            sections = base.sections[:1] + base.sections[2:]  # a section trimmed
            art = dataclasses.replace(
                base,
                url=url,
                canonical_url=urls.canonical_url(url),
                channel=None,
                headline="转载：" + base.headline,
                sections=sections,
                body_text="\n\n".join(
                    "\n".join(([s.heading] if s.heading else []) + list(s.paragraphs))
                    for s in sections
                ),
            )
        else:
            art = gen.article(made)
            recent.append(art)
            if len(recent) > 1000:
                recent.pop(0)
        yield _item(art, made)
        made += 1


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def run(  # noqa: PLR0917 (a benchmark's knobs)
    size: int, db: Path, checkpoint: int, revisit: float, near: float, group: int = 1
) -> None:
    outcomes: Counter[str] = Counter()
    spent = 0.0
    window = 0.0
    cpu = 0.0
    with Store(db) as store:
        run_id = store.start_run("bench")
        outer: contextlib.ExitStack | None = None
        for i, item in enumerate(items(size, revisit=revisit, near=near), start=1):
            t0, c0 = time.perf_counter(), time.process_time()
            if group > 1 and outer is None:
                outer = contextlib.ExitStack()
                outer.enter_context(store.group())  # items become savepoints in it
            assert isinstance(item.result, Article)
            keys = DedupKeys.of(item.result)
            result = store.store_item(item, run_id=run_id, keys=keys)
            if outer is not None and (i % group == 0 or i == size):
                outer.close()  # commit the group
                outer = None
            elapsed = time.perf_counter() - t0
            cpu += time.process_time() - c0
            spent += elapsed
            window += elapsed
            if result.article is not None:
                outcomes[result.article.outcome] += 1
            if i % checkpoint == 0:
                print(
                    f"  {i:>9,} items  {checkpoint / window:7,.0f} items/s (last {checkpoint:,})"
                    f"  {i / spent:7,.0f} items/s (all)  {i / cpu:7,.0f} items/CPU-s"
                    f"  RSS {rss_mib():6.1f} MiB  load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
                window = 0.0
        store.finish_run(run_id, exit_status="finished")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size_mib = sum(p.stat().st_size for p in db.parent.glob(db.name + "*")) / 2**20
    print(
        f"{size:,} items in {spent:.1f} s of store time: {size / spent:,.0f} items/s "
        f"({size / cpu:,.0f} items per CPU-second); "
        f"peak RSS {peak:.1f} MiB; archive {size_mib:,.0f} MiB; outcomes {dict(outcomes)}"
    )


def _fts_alone(definition: str, path: Path, texts: list[tuple[str, str]]) -> float:
    """CPU ms per article of inserting ``texts`` (index text) into a bare ``articles_fts``."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute(definition)
        c0 = time.process_time()
        for start in range(0, len(texts), 500):
            conn.execute("BEGIN")
            conn.executemany(
                "INSERT INTO articles_fts(rowid, headline, body) VALUES (?, ?, ?)",
                [(start + i + 1, h, b) for i, (h, b) in enumerate(texts[start : start + 500])],
            )
            conn.execute("COMMIT")
        return (time.process_time() - c0) / len(texts) * 1000
    finally:
        conn.close()


def _small_vocabulary(texts: list[tuple[str, str]], seed: int = 1) -> list[tuple[str, str]]:
    """Index texts as long as ``texts`` (in tokens) made of 120 recurring sentences: the
    vocabulary FTS5 sees stays tiny, so this is its cost per token at the least."""
    gen = Generator(seed + 1)
    pool = [textnorm.fts_text(gen.paragraph(40)).split() for _ in range(120)]
    out = []
    for headline, body in texts:
        want = len(body.split())
        tokens: list[str] = []
        while len(tokens) < want:
            tokens += gen.rng.choice(pool)
        out.append((headline, " ".join(tokens[:want])))
    return out


def _with_option(definition: str, option: str) -> str:
    """``CREATE VIRTUAL TABLE … fts5(…)`` with one more option."""
    end = definition.rindex(")")
    return f"{definition[:end]}, {option}{definition[end:]}"


def _unigrams(keys: DedupKeys) -> tuple[str, str]:
    """The folded headline and body as space-separated characters (a unigram index)."""
    return (
        " ".join((keys.folded_headline or "").replace(" ", "")),
        " ".join((keys.folded_body or "").replace(" ", "")),
    )


def split(size: int, revisit: float, near: float) -> None:
    """Print the CPU cost of each part of an article's ingest and the rates they allow."""
    made = list(items(size, revisit=revisit, near=near))
    articles = [item.result for item in made if isinstance(item.result, Article)]
    c0 = time.process_time()
    keys = [DedupKeys.of(article) for article in articles]
    keys_ms = (time.process_time() - c0) / size * 1000
    c0 = time.process_time()
    texts = [
        (
            textnorm.folded_fts_text(k.folded_headline or ""),
            textnorm.folded_fts_text(k.folded_body or ""),
        )
        for k in keys
    ]
    text_ms = (time.process_time() - c0) / size * 1000
    with tempfile.TemporaryDirectory(prefix="na-bench-") as tmp:
        with Store(Path(tmp) / "schema.db") as store:
            (definition,) = store.db.conn.execute(
                "SELECT sql FROM sqlite_master WHERE name = 'articles_fts'"
            ).fetchone()
        fts_ms = _fts_alone(definition, Path(tmp) / "fts.db", texts)
        floor_ms = _fts_alone(definition, Path(tmp) / "floor.db", _small_vocabulary(texts))
        # Index forms the archive does not use, for comparison (see docs/performance.md).
        variants = {
            "detail=column (no phrase search)": _fts_alone(
                _with_option(definition, "detail=column"), Path(tmp) / "column.db", texts
            ),
            "detail=none (no phrase search)": _fts_alone(
                _with_option(definition, "detail=none"), Path(tmp) / "none.db", texts
            ),
            "character unigrams": _fts_alone(
                definition, Path(tmp) / "unigram.db", [_unigrams(k) for k in keys]
            ),
        }
        with Store(Path(tmp) / "bench.db") as store:
            run_id = store.start_run("bench")
            c0 = time.process_time()
            for start in range(0, size, 100):
                with store.group():
                    for item, k in zip(
                        made[start : start + 100], keys[start : start + 100], strict=True
                    ):
                        store.store_item(item, run_id=run_id, keys=k)
            store.flush_fts()
            store_ms = (time.process_time() - c0) / size * 1000
    # The store builds the index text itself (after each commit): it is part of store_ms.
    writer_ms = store_ms - text_ms
    print(f"CPU ms per article ({size:,} articles, load {os.getloadavg()[0]:.1f}):")
    print(f"  dedup keys (fold, SHA-256, MinHash)             {keys_ms:6.3f}")
    print(f"  full-text index text (textnorm.fts_text)        {text_ms:6.3f}")
    print(f"  store, keys given, group commit of 100          {store_ms:6.3f}")
    print(f"  FTS5 alone: this index text, bare table         {fts_ms:6.3f}")
    print(f"  FTS5 alone: as many tokens, tiny vocabulary     {floor_ms:6.3f}")
    for name, ms in variants.items():
        print(f"  FTS5 alone, {name:<36s}{ms:6.3f}")
    rates = {
        "one process, everything": keys_ms + store_ms,
        "writer + a core of pure CPU work (no hand-over)": max(writer_ms, keys_ms + text_ms),
        "  the same, FTS5 at its tiny-vocabulary cost": max(
            writer_ms - fts_ms + floor_ms, keys_ms + text_ms
        ),
        "FTS5 alone, nothing else stored": fts_ms,
    }
    print("highest rates these allow:")
    for name, ms in rates.items():
        print(f"  {name:<48s} {1000 / ms:7,.0f} articles/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sizes", default="10000,100000", help="comma-separated item counts")
    parser.add_argument("--db", type=Path, help="archive path (default: a temp file per size)")
    parser.add_argument("--checkpoint", type=int, default=10000)
    parser.add_argument("--revisit", type=float, default=0.05, help="share of mirror re-visits")
    parser.add_argument("--near", type=float, default=0.03, help="share of near copies")
    parser.add_argument(
        "--group",
        type=int,
        default=1,
        help="items per transaction (default 1, what `newsarchive ingest` does; the crawl's "
        "store writer process commits up to 100 items at a time: Store.group)",
    )
    parser.add_argument(
        "--split",
        type=int,
        metavar="N",
        help="instead of the runs: time the parts of an article's ingest over N articles",
    )
    args = parser.parse_args()
    if args.split:
        split(args.split, args.revisit, args.near)
        return
    for size in (int(s) for s in args.sizes.split(",")):
        with tempfile.TemporaryDirectory(prefix="na-bench-") as tmp:
            db = args.db or Path(tmp) / "bench.db"
            print(f"== {size:,} items into {db}")
            run(size, db, min(args.checkpoint, size), args.revisit, args.near, args.group)


if __name__ == "__main__":
    main()
