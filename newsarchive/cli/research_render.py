"""Terminal rendering for the research commands (rich; plain text when not a terminal)."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table
from rich.text import Text

from newsarchive.store.reading import ArticleView
from newsarchive.store.search import SearchHit
from newsarchive.store.stats import ArchiveStats


def _console() -> Console:
    # No console markup: archived text is printed as it is, brackets included ("[/b]" in a
    # paragraph is text, not a closing tag); styles come from Text objects only.
    console = Console(highlight=False, soft_wrap=True, markup=False)
    if not console.is_terminal:  # a file or a pipe: do not wrap tables at 80 columns
        console.width = 160
    return console


def search_results(
    query: str, hits: list[SearchHit], *, marks: tuple[str, str] = ("【", "】")
) -> None:
    console = _console()
    if not hits:
        console.print(f"no articles match {query}")
        return
    plain = not console.is_terminal
    for i, hit in enumerate(hits, 1):
        head = Text(f"{i}. ", style="bold")
        head.append(hit.headline, style="bold")
        meta = " · ".join(
            v for v in (hit.published_at, hit.channel, hit.source, f"id {hit.id}") if v
        )
        if hit.status != "live":
            meta += f" · {hit.status}"
        head.append(f"  [{meta}]", style="dim")
        console.print(head)
        if plain:
            console.print("   " + hit.marked_snippet(*marks))
        else:
            snippet = Text("   " + hit.snippet)
            for start, end in hit.highlights:
                snippet.stylize("bold black on yellow", start + 3, end + 3)
            console.print(snippet)
        console.print(f"   {hit.url}", style="cyan")


def stats(result: ArchiveStats) -> None:
    console = _console()
    console.print(
        f"articles {result.articles} (near copies folded; {result.near_copies} near copies"
        f" kept apart) · URLs {result.urls} · captures {result.captures}"
    )
    console.print(
        f"revisions {result.revisions} of {result.revised_articles} articles · takedowns"
        f" {result.takedowns} ({result.taken_down_now} still down) · status "
        + ", ".join(f"{k} {v}" for k, v in sorted(result.by_status.items()))
    )
    channels = Table(title="Articles per channel")
    for column in ("channel", "name", "articles", "near copies", "first", "last"):
        channels.add_column(
            column, justify="right" if column in ("articles", "near copies") else "left"
        )
    for c in result.by_channel:
        channels.add_row(
            c.channel or "-", c.name, str(c.articles), str(c.near_copies),
            (c.first_published or "")[:10], (c.last_published or "")[:10],
        )  # fmt: skip
    console.print(channels)
    months = Table(title="Articles per month")
    months.add_column("month")
    months.add_column("articles", justify="right")
    for month, count in result.by_month:
        months.add_row(month, str(count))
    console.print(months)
    runs = Table(title="Recent crawl runs")
    from newsarchive.crawlhistory import errors_text  # noqa: PLC0415 (one format for errors)

    for column in (
        "id", "spider", "started", "status", "pages_fetched", "articles_new",
        "articles_updated", "errors",
    ):  # fmt: skip
        runs.add_column(column)
    for r in result.runs:
        errors = errors_text(r.errors, r.errors_by_kind)
        runs.add_row(
            str(r.id), r.spider, r.started_at[:16].replace("T", " "), r.exit_status or "running?",
            str(r.pages_fetched), str(r.articles_new), str(r.articles_updated), errors,
        )  # fmt: skip
    console.print(runs)


def article(view: ArticleView) -> None:
    console = _console()
    a = view.article
    console.print(Text(a.headline, style="bold"))
    if a.subtitle:
        console.print(Text(a.subtitle, style="italic"))
    facts = [
        f"published {a.published_at or a.published_at_raw or 'unknown'}",
        f"source {a.source}" if a.source else "",
        f"channel {a.channel}" if a.channel else "national",
        f"id {view.id}",
        f"status {view.status}",
        f"revision {view.revision}",
    ]
    console.print(" · ".join(f for f in facts if f), style="dim")
    console.print(a.canonical_url, style="cyan")
    if view.duplicate_of is not None:
        console.print(f"near copy of article {view.duplicate_of} (similarity {view.similarity})")
    if a.credits:
        by_role: dict[str, list[str]] = {}
        for credit in a.credits:
            by_role.setdefault(credit.role, []).append(credit.name)
        console.print("; ".join(f"{role}：{'、'.join(names)}" for role, names in by_role.items()))
    if a.dateline:
        console.print(f"dateline {a.dateline.raw}", style="dim")
    console.print()
    _body(console, view)


def _body(console: Console, view: ArticleView) -> None:
    a = view.article
    for section in a.sections:
        if section.heading:
            console.print(Text(section.heading, style="bold underline"))
        for paragraph in section.paragraphs:
            console.print(paragraph)
        console.print()
    for image in a.images:
        console.print(Text(f"[image] {image.src} {image.caption or ''}", style="dim"))
    for link in a.related:
        console.print(Text(f"[related] {link.title} {link.url}", style="dim"))
    if a.keywords:
        console.print("keywords: " + "、".join(a.keywords))
    _history(console, view)


def _history(console: Console, view: ArticleView) -> None:
    console.print(Text("Revisions", style="bold"))
    if not view.revisions:
        console.print("  none: the article has not changed since first captured")
    for r in view.revisions:
        changed = "、".join(json.loads(r["changed_fields"])) if r["changed_fields"] else ""
        console.print(
            f"  revision {r['revision']} replaced {r['replaced_at']}: {r['headline']}"
            f" (changed: {changed})"
        )
    if view.events:
        console.print(Text("Events", style="bold"))
        for e in view.events:
            console.print(f"  {e['at']} {e['kind']} {e['detail'] or ''} {e['url']}")
    console.print(Text("URLs seen", style="bold"))
    for u in view.urls:
        console.print(f"  {u['url']} ({u['kind']}, first {u['first_seen']})")
    console.print(Text("Captures", style="bold"))
    for c in view.captures:
        console.print(
            f"  #{c['id']} {c['fetched_at']} HTTP {c['status']} {c['size']} bytes"
            f" sha256 {c['sha256'][:12]}… {c['url']}"
        )
        for o in c.get("origins", ()):
            where = f" {o['source']}" if o["source"] else ""
            record = f" record {o['record_id']}" if o["record_id"] else ""
            offset = f" at offset {o['record_offset']}" if o["record_offset"] is not None else ""
            console.print(f"      from {o['origin']}{where}{record}{offset}, {o['captured_at']}")
    if view.copies:
        console.print("near copies: " + ", ".join(str(i) for i in view.copies))
