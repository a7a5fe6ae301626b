"""Build the labelled set of general Chinese news pages (tests/generic_pages/).

    python bench/generic_set/build.py [--out DIR]

Each layout (:mod:`portals`, :mod:`sites`, :mod:`harder`, listed in :mod:`layouts`)
copies the *markup structure* of one family of Chinese news CMSs (portal article pages,
newspaper e-editions, government portals, WordPress and Discuz sites, old table layouts)
with the furniture that trips extractors: navigation, sidebars and related lists printing
other days, digit runs like ``20180403``, share bars, comments with later
times, copyright footers. The text is ours (:mod:`text`), combined by a seeded generator, so
the output is deterministic. Gold labels go to ``gold.json`` beside the pages: headline,
publication day, author (the writer the page credits, else its editor), source, body.

The pages are split by layout: most layouts give two pages to ``dev`` and one to
``heldout``; six layouts are ``heldout`` only, so the held-out set also holds structures
never seen during development, and the harder layouts are ``dev`` only. The pages are
committed and reviewed like any golden file; tests/test_extract_generic_set.py checks that
this script still writes exactly them (``--out`` to a scratch directory).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from layouts import LAYOUTS, NON_ARTICLES, Art  # beside this script: on sys.path when run
from text import GIVEN, OUTLETS, PLACES, SURNAMES, TOPICS

OUT = Path(__file__).resolve().parents[2] / "tests" / "generic_pages"
CST = timezone(timedelta(hours=8))


@dataclass
class Page:
    name: str
    split: str
    url: str
    html: str
    charset: str = "utf-8"
    gold: dict[str, object] = field(default_factory=dict)


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2, 2))))


def _article(rng: random.Random, *, short: bool = False) -> Art:
    topic = rng.choice(list(TOPICS))
    place = rng.choice(PLACES)
    year = rng.randint(2008, 2025)
    when = datetime(
        year, rng.randint(1, 12), rng.randint(1, 28), rng.randint(6, 22), rng.randint(0, 59),
        rng.randint(0, 59), tzinfo=CST,
    )  # fmt: skip
    event = when - timedelta(days=rng.randint(3, 40))
    sentences = list(TOPICS[topic])
    rng.shuffle(sentences)
    fill = {
        "place": place,
        "year": str(year + 1),
        "event_date": f"{event.year}年{event.month}月{event.day}日"
        if rng.random() < 0.5
        else f"{event.month}月{event.day}日",
    }
    sentences = [s.format(**fill) for s in sentences]
    if short:
        paragraphs = [sentences[0] + sentences[1]] + ([sentences[2]] if rng.random() < 0.5 else [])
    else:
        count = rng.randint(4, 8)
        paragraphs = []
        pool = iter(sentences * 2)
        for _ in range(count):
            paragraphs.append("".join(next(pool) for _ in range(rng.choice((1, 2, 2, 3)))))
    headline_words = {
        "交通": "跨江大桥主体合龙",
        "农业": "春耕生产有序推进",
        "教育": "新教学楼投入使用",
        "医疗": "基层医疗服务能力提升",
        "经济": "一季度工业经济平稳增长",
        "文化": "博物馆新展厅开放",
        "环境": "湿地公园迎来候鸟",
        "社区": "老旧小区改造完工",
    }
    return Art(
        headline=f"{place}{headline_words[topic]}",
        paragraphs=paragraphs,
        when=when,
        author=_name(rng),
        editor=_name(rng),
        source=rng.choice(OUTLETS),
        place=place,
        rng=rng,
    )


def _charset(text: str) -> str:
    m = re.search(r"charset=([\w-]+)", text)
    return m.group(1) if m else "utf-8"


def build() -> list[Page]:
    pages: list[Page] = []
    for layout_index, (layout_name, layout, splits) in enumerate(LAYOUTS):
        for n, split in enumerate(splits):
            rng = random.Random(f"{layout_name}-{n}")
            art = _article(rng, short=layout_name.startswith("short"))
            if (layout_index + n) % 6 == 0:  # the 0403 digit run of 20180403 in a sidebar
                art.when = art.when.replace(month=4, day=3 + n % 2)
            rendered = layout(art)
            gold = {
                "kind": "article",
                "headline": art.headline,
                "day": art.gold_day or art.when.date().isoformat(),
                "author": art.gold_author,
                "source": art.gold_source,
                "body": "\n".join(art.gold_paragraphs or art.paragraphs),
                "layout": layout_name,
            }
            pages.append(
                Page(
                    f"{layout_index:02d}_{layout_name}_{n}",
                    split,
                    rendered.url,
                    rendered.html,
                    charset=_charset(rendered.html),
                    gold=gold,
                )
            )
    for index, (layout_name, make, split) in enumerate(NON_ARTICLES):
        rng = random.Random(f"non-{layout_name}")
        url, text, kind = make(rng)
        gold = {"kind": kind, "layout": layout_name}
        pages.append(
            Page(f"x{index:02d}_{layout_name}", split, url, text, charset=_charset(text), gold=gold)
        )
    return pages


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT, help=f"where to write (default {OUT})")
    out: Path = parser.parse_args(argv).out
    pages = build()
    labels: dict[str, dict[str, object]] = {}
    for split in ("dev", "heldout"):
        (out / split).mkdir(parents=True, exist_ok=True)
        for old in (out / split).glob("*.html"):
            old.unlink()
    for page in pages:
        (out / page.split / f"{page.name}.html").write_bytes(
            page.html.encode(page.charset, "xmlcharrefreplace")
        )
        labels[f"{page.split}/{page.name}.html"] = {"url": page.url, **page.gold}
    (out / "gold.json").write_text(
        json.dumps(labels, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    counts = {s: sum(1 for p in pages if p.split == s) for s in ("dev", "heldout")}
    print(f"wrote {len(pages)} pages to {out} ({counts})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
