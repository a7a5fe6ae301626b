"""Field quality of the generic fallback on general Chinese news pages, against trafilatura
and GNE, in one run.

    python -m bench.extract_quality [--split dev|heldout|both] [--misses] [--reskin]
    python -m bench.extract --generic-set          (the same tables)

The pages are the labelled set in tests/generic_pages (built by bench/generic_set/build.py:
portal, newspaper, government, WordPress and Discuz layouts; gold headline, publication day,
author, source and body). For every article page and every contender:

* **body F1**: F1 of the multisets of 4-character shingles of the body text (whitespace
  removed) against the gold body; a page the contender rejects scores 0;
* **day**: the publication day (``YYYY-MM-DD``, in the page's own offset) equals the gold day;
* **author**: the first author named equals the gold author (pages whose gold has one): ours
  is the first credit of the roles 作者, 记者, 摄影, 责任编辑, 编辑 in that order;
* **source** and **headline** (ours only: GNE has neither a source nor a way to say none);
* **rejected**: real articles the contender returns nothing for (ours: ``NotAnArticle``).

Non-article pages (error and list pages) are counted apart: ours must say "not an article"
with the right kind.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import statistics
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from newsarchive.extract import decode_page, extract_article
from newsarchive.records import Article, Credit
from tools.faults.pages import changed_template

REPO = Path(__file__).resolve().parent.parent
SET = REPO / "tests" / "generic_pages"
_DAY_RE = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_WS_RE = re.compile(r"\s+")
#: Which credit counts as "the author" when a page names several, in order.
AUTHOR_ROLES = ("作者", "记者", "摄影", "责任编辑", "编辑")


@dataclass(frozen=True, slots=True)
class Labelled:
    name: str
    data: bytes
    url: str
    gold: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class Fields:
    """What one contender read from one page (``None`` = nothing)."""

    article: bool
    body: str = ""
    day: str | None = None
    author: str | None = None
    source: str | None = None
    headline: str | None = None
    kind: str | None = None


def labelled(split: str, *, reskin: bool = False) -> list[Labelled]:
    """The pages of one split (``dev`` or ``heldout``) with their gold labels; ``reskin``:
    every class and id renamed and container tags changed
    (:func:`tools.faults.pages.changed_template`), the text untouched."""
    gold = json.loads((SET / "gold.json").read_text(encoding="utf-8"))
    pages = []
    for name, labels in sorted(gold.items()):
        if name.startswith(f"{split}/"):
            data = (SET / name).read_bytes()
            pages.append(
                Labelled(
                    name, changed_template(data) if reskin else data, str(labels["url"]), labels
                )
            )
    return pages


def shingles(text: str, n: int = 4) -> Counter[str]:
    flat = _WS_RE.sub("", text)
    return Counter(flat[i : i + n] for i in range(max(0, len(flat) - n + 1)))


def body_f1(candidate: str, truth: str) -> float:
    got, want = shingles(candidate), shingles(truth)
    overlap = sum((got & want).values())
    if not overlap:
        return 0.0
    precision = overlap / sum(got.values())
    recall = overlap / sum(want.values())
    return 2 * precision * recall / (precision + recall)


def day_of(text: str | None) -> str | None:
    """``YYYY-MM-DD`` of the first date in ``text`` (as written: no zone conversion)."""
    if not text:
        return None
    m = _DAY_RE.search(text)
    return f"{m[1]}-{int(m[2]):02d}-{int(m[3]):02d}" if m else None


def first_author(credits: tuple[Credit, ...]) -> str | None:
    for role in AUTHOR_ROLES:
        for credit in credits:
            if credit.role == role:
                return credit.name
    return None


def _first_name(text: str | None) -> str | None:
    if not text:
        return None
    parts = [p for p in re.split(r"[\s,，、;；/|]+", text) if p]
    return parts[0] if parts else None


def ours(page: Labelled) -> Fields:
    result = extract_article(page.data, page.url)
    if not isinstance(result, Article):
        return Fields(article=False, kind=result.kind)
    return Fields(
        article=True,
        body=result.body_text,
        day=(result.published_at or "")[:10] or None,
        author=first_author(result.credits),
        source=result.source,
        headline=result.headline,
    )


def trafilatura_fields(page: Labelled) -> Fields:
    import trafilatura  # noqa: PLC0415 (optional, test extra)

    text, _ = decode_page(page.data, None)
    doc = trafilatura.bare_extraction(text, url=page.url, with_metadata=True)
    if doc is None:
        return Fields(article=False)
    return Fields(
        article=bool(doc.text),
        body=doc.text or "",
        day=day_of(doc.date),
        author=_first_name(doc.author),
        headline=doc.title,
    )


def gne_fields(page: Labelled) -> Fields:
    from gne import GeneralNewsExtractor  # noqa: PLC0415 (optional, test extra)

    text, _ = decode_page(page.data, None)
    try:
        got = GeneralNewsExtractor().extract(text)
    except Exception as exc:  # GNE raises on pages it cannot handle; that scores 0
        logging.getLogger(__name__).debug("gne failed on %s: %s", page.name, exc)
        return Fields(article=False)
    content = str(got.get("content") or "")
    return Fields(
        article=bool(content),
        body=content,
        day=day_of(str(got.get("publish_time") or "")),
        author=_first_name(str(got.get("author") or "")),
        headline=str(got.get("title") or "") or None,
    )


CONTENDERS: dict[str, Callable[[Labelled], Fields]] = {
    "newsarchive": ours,
    "trafilatura": trafilatura_fields,
    "GNE": gne_fields,
}


@dataclass(frozen=True, slots=True)
class Scores:
    pages: int
    body_f1: float
    day: float
    author: float
    source: float
    headline: float
    rejected: int


def score(pages: list[Labelled], fn: Callable[[Labelled], Fields]) -> tuple[Scores, list[str]]:
    """Scores of one contender over the article pages, and one line per miss."""
    articles = [p for p in pages if p.gold["kind"] == "article"]
    f1s: list[float] = []
    day = author = source = headline = rejected = 0
    with_author = sum(1 for p in articles if p.gold["author"])
    misses: list[str] = []
    for page in articles:
        got = fn(page)
        f1s.append(body_f1(got.body, page.gold["body"] or ""))
        rejected += not got.article
        if got.day == page.gold["day"]:
            day += 1
        else:
            misses.append(f"{page.name}: day {got.day} != {page.gold['day']}")
        if page.gold["author"]:
            if got.author == page.gold["author"]:
                author += 1
            else:
                misses.append(f"{page.name}: author {got.author} != {page.gold['author']}")
        if got.source == page.gold["source"]:
            source += 1
        else:
            misses.append(f"{page.name}: source {got.source} != {page.gold['source']}")
        if got.headline == page.gold["headline"]:
            headline += 1
        if f1s[-1] < 0.87:
            misses.append(f"{page.name}: body F1 {f1s[-1]:.3f}")
    n = len(articles) or 1
    return (
        Scores(
            pages=len(articles),
            body_f1=statistics.fmean(f1s) if f1s else 0.0,
            day=day / n,
            author=author / (with_author or 1),
            source=source / n,
            headline=headline / n,
            rejected=rejected,
        ),
        misses,
    )


def verdicts(pages: list[Labelled]) -> tuple[int, int]:
    """(non-article pages ours labels with the right kind, non-article pages)."""
    others = [p for p in pages if p.gold["kind"] != "article"]
    right = sum(1 for p in others if ours(p).kind == p.gold["kind"])
    return right, len(others)


def report(split: str, *, show_misses: bool = False, reskin: bool = False) -> dict[str, Scores]:
    """Print the table for one split; return the scores by contender."""
    pages = labelled(split, reskin=reskin)
    results: dict[str, Scores] = {}
    how = ", re-skinned (classes, ids and container tags changed)" if reskin else ""
    print(f"\nGeneric set, {split}{how}: {len(pages)} pages")
    print("| contender | body F1 | day | author | source | headline | rejected |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, fn in CONTENDERS.items():
        try:
            scores, misses = score(pages, fn)
        except ImportError:
            print(f"| {name} | (not installed) | | | | | |")
            continue
        results[name] = scores
        src = f"{scores.source:.2f}" if name == "newsarchive" else "–"
        print(
            f"| {name} | {scores.body_f1:.3f} | {scores.day:.2f} | {scores.author:.2f} | {src} "
            f"| {scores.headline:.2f} | {scores.rejected} of {scores.pages} |"
        )
        if show_misses and name == "newsarchive":
            for line in misses:
                print(f"    {line}", file=sys.stderr)
    right, total = verdicts(pages)
    print(f"Non-article pages labelled with the right kind by newsarchive: {right} of {total}")
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "heldout", "both"), default="both")
    parser.add_argument("--misses", action="store_true", help="list our misses on stderr")
    parser.add_argument(
        "--reskin", action="store_true", help="rename every class and id, change container tags"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    for split in ("dev", "heldout") if args.split == "both" else (args.split,):
        report(split, show_misses=args.misses, reskin=args.reskin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
