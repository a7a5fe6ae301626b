"""Compare what two archives hold, for kill/resume and fault tests ("nothing lost").

Two crawls of one site can assign rows differently: ids, fetch times, run ids, and which of
two copies of a story gives the row its canonical URL depend on the order pages arrive in.
:func:`fingerprint` keeps only what the archive *holds*: each article's content keyed by its
content hash, with its sections, credits, images and every URL that leads to it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from newsarchive.urls import canonical_url

_ARTICLES = """SELECT id, content_hash, channel, headline, subtitle, published_at, source,
    dateline_raw, body_text, script, template, pages FROM articles"""
_CHILDREN = {
    "sections": "SELECT article_id, position, heading FROM sections",
    "paragraphs": "SELECT article_id, section, position, text FROM paragraphs",
    "credits": "SELECT article_id, position, role, name FROM credits",
    "images": "SELECT article_id, position, src, caption FROM images",
}
_URLS = """SELECT article_id, url FROM article_urls
    UNION SELECT id, canonical_url FROM articles"""


@dataclass(frozen=True)
class Fingerprint:
    """What an archive holds, independent of row ids and arrival order."""

    articles: frozenset[tuple[object, ...]]
    """Each article's content row, content hash first (no id, no canonical URL)."""
    children: frozenset[tuple[object, ...]]
    """(table, content hash, position, …) for every section, credit and image (image URLs in
    canonical form: two host aliases of one page resolve a relative ``src`` differently)."""
    urls: frozenset[tuple[str, str]]
    """(URL, content hash): every URL the archive maps to an article."""
    captured_urls: frozenset[str]
    """Every URL with at least one capture."""

    def difference(self, other: Fingerprint) -> dict[str, list[object]]:
        """What each side has that the other lacks, per part (empty lists when equal)."""
        out: dict[str, list[object]] = {}
        for name in ("articles", "children", "urls", "captured_urls"):
            mine, theirs = getattr(self, name), getattr(other, name)
            out[f"{name}: only here"] = sorted(mine - theirs, key=repr)[:20]
            out[f"{name}: only there"] = sorted(theirs - mine, key=repr)[:20]
        return {k: v for k, v in out.items() if v}


def connect_ro(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)


def fingerprint(path: Path) -> Fingerprint:
    """The :class:`Fingerprint` of the archive at ``path`` (opened read-only)."""
    conn = connect_ro(path)
    try:
        hashes: dict[int, str] = {}
        articles = set()
        for row in conn.execute(_ARTICLES):
            hashes[int(row[0])] = str(row[1])
            articles.add(tuple(row[1:]))
        children = set()
        for table, sql in _CHILDREN.items():
            for article_id, position, *values in conn.execute(sql):
                if table == "images":  # resolved against whichever copy's URL came first
                    values[0] = canonical_url(str(values[0]))
                children.add((table, hashes[int(article_id)], position, *values))
        urls = {(str(url), hashes[int(article_id)]) for article_id, url in conn.execute(_URLS)}
        captured = {str(r[0]) for r in conn.execute("SELECT DISTINCT url FROM captures")}
    finally:
        conn.close()
    return Fingerprint(
        articles=frozenset(articles),
        children=frozenset(children),
        urls=frozenset(urls),
        captured_urls=frozenset(captured),
    )


def integrity_check(path: Path) -> str:
    """``PRAGMA integrity_check`` of the archive (``"ok"`` when sound)."""
    conn = sqlite3.connect(str(path))
    try:
        return "; ".join(str(r[0]) for r in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def half_written(path: Path) -> list[int]:
    """Ids of articles stored without any section (every article has at least one)."""
    conn = connect_ro(path)
    try:
        rows = conn.execute(
            "SELECT id FROM articles a WHERE NOT EXISTS "
            "(SELECT 1 FROM sections s WHERE s.article_id = a.id)"
        ).fetchall()
    finally:
        conn.close()
    return [int(r[0]) for r in rows]
