"""The standard fault plan: one fault per article page of the sample site, and what a crawl
must make of each. Shared by ``tests/test_reliability_crawl.py`` and ``bench/faults.py``.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.faults.rules import Fault, Rule


@dataclass(frozen=True, slots=True)
class Planned:
    """A fault planned on one article page, and what the crawl must make of it."""

    name: str
    fault: Fault
    error: str | None
    """The ``errors_by_kind`` key it must be counted under; ``None``: the article is stored,
    intact."""
    attempts: tuple[int, int] = (1, 99)
    """Bounds on the requests the site sees for the page in one run (retries)."""
    description: str = ""


MB = 1024 * 1024

PLAN: tuple[Planned, ...] = (
    Planned("status_500", Fault(kind="status", status=500), "http_500", (4, 4),
            "HTTP 500 on every request"),
    Planned("status_503_once", Fault(kind="status", status=503, times=1), None, (2, 2),
            "HTTP 503 once, then the page"),
    Planned("timeout", Fault(kind="timeout", hold=60), "timeout", (4, 4),
            "connection held open, no response"),
    Planned("reset", Fault(kind="reset"), "download_failed", (2, 99),
            "connection reset, no response"),
    Planned("close_mid_body", Fault(kind="close_mid_body"), "data_loss", (2, 99),
            "full Content-Length, half the body, connection closed"),
    Planned("huge_50mb", Fault(kind="huge", size=50 * MB), "too_large", (1, 99),
            "a 50 MB page"),
    Planned("garbage", Fault(kind="garbage", seed=1, size=20_000), "undecodable", (1, 99),
            "20 kB of binary garbage as text/html"),
    Planned("charset_wrong", Fault(kind="charset_wrong"), None, (1, 99),
            "UTF-8 page labelled charset=gbk"),
    Planned("charset_missing", Fault(kind="charset_missing"), None, (1, 99),
            "no charset in header or <meta>"),
    Planned("gbk_as_utf8", Fault(kind="gbk_as_utf8"), None, (1, 99),
            "GBK bytes labelled UTF-8 (header and <meta>)"),
    Planned("trickle", Fault(kind="trickle", chunk=2048, delay=0.02), None, (1, 99),
            "slow trickle within the download timeout"),
    Planned("trickle_too_slow", Fault(kind="trickle", chunk=64, delay=0.5), "timeout", (2, 99),
            "trickle slower than the download timeout"),
    Planned("redirect_loop", Fault(kind="redirect_loop"), "redirect_loop", (1, 99),
            "302 A → A?_loop=1 → A …"),
    Planned("redirect_offchannel", Fault(kind="redirect_offchannel"), "offsite_redirect",
            (1, 99), "302 to another site serving a bait article"),
    Planned("captcha", Fault(kind="captcha"), "captcha", (1, 99),
            "a login/captcha page with status 200"),
    Planned("empty", Fault(kind="empty"), "empty", (1, 99), "status 200, empty body"),
    Planned("truncate", Fault(kind="truncate", fraction=0.6), "truncated", (1, 99),
            "HTML cut at 60 %, Content-Length matching the cut"),
    Planned("template_changed", Fault(kind="template_changed"), None, (1, 99),
            "markup renamed to an unknown template"),
)  # fmt: skip


def eligible_targets(manifest: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Single-page originals with no copies elsewhere in the sample site (so that a page's
    absence from the archive means exactly that page), in manifest order."""
    articles: Sequence[dict[str, Any]] = manifest.get("articles", ())
    copied = {a["of"] for a in articles if a["of"]}
    edited = set(manifest.get("edited_later") or [])
    return [
        a
        for a in articles
        if a["kind"] == "original"
        and a["pages"] == 1
        and not a["big5_url"]
        and not a["alias_urls"]
        and a["encoding"] == "utf-8"
        and a["key"] not in copied
        and a["key"] not in edited
    ]


def mirror_key(url: str) -> str:
    """The fault site's key of a real URL (``<host>/<path>[?query]``)."""
    return url.split("://", 1)[1]


def assign(
    manifest: Mapping[str, Any],
    *,
    seed: int | None = None,
    plan: Sequence[Planned] = PLAN,
    pinned: Mapping[str, str] | None = None,
    spare_columns: Collection[str] = (),
) -> tuple[dict[str, dict[str, Any]], list[Rule]]:
    """Plan name → target article, and the fault site rules that carry out the plan.

    ``seed=None`` takes the eligible articles in manifest order; a seed shuffles them so
    repeated trials fault different pages. ``pinned`` puts a planned fault on the article at
    a given URL; no other fault goes to an article of a ``spare_columns`` column (so that a
    later run sees those columns' first pages as fully known).
    """
    targets = eligible_targets(manifest)
    if seed is not None:
        random.Random(seed).shuffle(targets)
    pinned = dict(pinned or {})
    by_url = {str(t["url"]): t for t in targets}
    chosen = {name: by_url[url] for name, url in pinned.items()}
    rest = [
        t
        for t in targets
        if str(t["url"]) not in pinned.values() and t.get("column") not in spare_columns
    ]
    free = [p for p in plan if p.name not in chosen]
    if len(rest) < len(free):
        raise ValueError(f"{len(rest)} eligible articles for {len(free)} planned faults")
    chosen.update({p.name: t for p, t in zip(free, rest, strict=False)})
    rules = [Rule(mirror_key(str(chosen[p.name]["url"])), p.fault) for p in plan]
    return chosen, rules


def listed_beyond_first_page(
    root: Path, manifest: Mapping[str, Any], article: Mapping[str, Any]
) -> bool:
    """Whether ``article`` sits in a static column of the mirror tree at ``root`` but not on
    the column's first page (so only a run that paginates reaches it)."""
    kinds = {c["id"]: c["kind"] for c in manifest.get("columns", ())}
    column = root / mirror_key(str(article["column_url"]))
    if kinds.get(article.get("column")) != "static" or not column.is_file():
        return False
    path = mirror_key(str(article["url"])).split("/", 1)[1]
    return path not in column.read_text("utf-8", errors="replace")
