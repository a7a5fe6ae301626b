"""The one mapping between an :class:`~newsarchive.records.Article` and its archive rows.

An article is one ``articles`` row plus its child rows (:data:`CHILD_TABLES`: sections and
their paragraphs, credits, keywords, images, related links). :func:`article_row` and
:func:`child_rows` shape a record into rows; :func:`write_children` / :func:`delete_children`
write them; :func:`load` rebuilds the record from them (the writer, when it keeps a replaced
version in ``revisions``; the read side, for ``show``, ``Archive.articles`` and migrations).

``reporters`` and ``editors`` are not stored: they are drawn from ``credits`` by
:func:`newsarchive.records.people`, the rule the extractor applies too.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from newsarchive.records import (
    Article,
    Credit,
    Dateline,
    Image,
    Link,
    Script,
    Section,
    people,
)

#: The per-article child tables and their columns after ``article_id``, in insert order
#: (a paragraph refers to its section).
CHILD_TABLES: dict[str, tuple[str, ...]] = {
    "sections": ("position", "heading"),
    "paragraphs": ("section", "position", "text"),
    "credits": ("position", "role", "name"),
    "keywords": ("position", "keyword"),
    "images": ("position", "src", "caption"),
    "related_links": ("position", "title", "url"),
}

_INSERT = {
    table: f"INSERT INTO {table}(article_id, {', '.join(cols)}) "
    f"VALUES ({', '.join('?' * (len(cols) + 1))})"
    for table, cols in CHILD_TABLES.items()
}
_SELECT = {
    table: f"SELECT {', '.join(cols)} FROM {table} WHERE article_id = ? "
    f"ORDER BY {'section, position' if table == 'paragraphs' else 'position'}"
    for table, cols in CHILD_TABLES.items()
}


def article_row(article: Article) -> dict[str, Any]:
    """The ``articles`` columns taken from the record itself (no ids, times or dedup keys)."""
    d = article.dateline
    return {
        "canonical_url": article.canonical_url,
        "channel": article.channel,
        "xinhua_id": article.xinhua_id,
        "headline": article.headline,
        "subtitle": article.subtitle,
        "published_at": article.published_at,
        "published_at_raw": article.published_at_raw,
        "source": article.source,
        "dateline_agency": d.agency if d else None,
        "dateline_place": d.place if d else None,
        "dateline_date_text": d.date_text if d else None,
        "dateline_raw": d.raw if d else None,
        "body_text": article.body_text,
        "script": article.script,
        "template": article.template,
        "pages": article.pages,
        "encoding": article.encoding,
    }


def child_rows(article: Article) -> dict[str, list[tuple[Any, ...]]]:
    """Rows for :data:`CHILD_TABLES`, without the ``article_id`` column."""
    return {
        "sections": [(i, s.heading) for i, s in enumerate(article.sections)],
        "paragraphs": [
            (i, j, p) for i, s in enumerate(article.sections) for j, p in enumerate(s.paragraphs)
        ],
        "credits": [(i, c.role, c.name) for i, c in enumerate(article.credits)],
        "keywords": list(enumerate(article.keywords)),
        "images": [(i, im.src, im.caption) for i, im in enumerate(article.images)],
        "related_links": [(i, r.title, r.url) for i, r in enumerate(article.related)],
    }


def write_children(conn: sqlite3.Connection, article_id: int, article: Article) -> None:
    """Insert the child rows of ``article`` (call :func:`delete_children` first to replace)."""
    for table, values in child_rows(article).items():
        if values:
            conn.executemany(_INSERT[table], [(article_id, *v) for v in values])


def delete_children(conn: sqlite3.Connection, article_id: int) -> None:
    """Delete every child row of the article (paragraphs before their sections)."""
    for table in ("paragraphs", *(t for t in CHILD_TABLES if t != "paragraphs")):
        conn.execute(f"DELETE FROM {table} WHERE article_id = ?", [article_id])


#: An ``articles`` row: a :class:`sqlite3.Row` or a dict.
Row = sqlite3.Row | Mapping[str, Any]


def article_from_rows(
    row: Row, children: Mapping[str, Sequence[Sequence[Any]]], url: str | None
) -> Article:
    """The record stored in ``row`` (an ``articles`` row) and its ``children`` (rows of
    :data:`CHILD_TABLES` in their columns' order); ``url``: page 1's fetched URL (the
    canonical URL when unknown)."""
    paragraphs: dict[int, list[str]] = {}
    for section, _, text in children["paragraphs"]:
        paragraphs.setdefault(section, []).append(text)
    credits = tuple(Credit(role=role, name=name) for _, role, name in children["credits"])
    dateline = None
    if row["dateline_raw"] is not None:
        dateline = Dateline(
            agency=row["dateline_agency"],
            place=row["dateline_place"],
            date_text=row["dateline_date_text"],
            raw=row["dateline_raw"],
        )
    script: Script = "zh-Hant" if row["script"] == "zh-Hant" else "zh-Hans"
    return Article(
        url=url or row["canonical_url"],
        canonical_url=row["canonical_url"],
        channel=row["channel"],
        xinhua_id=row["xinhua_id"],
        headline=row["headline"],
        subtitle=row["subtitle"],
        published_at=row["published_at"],
        published_at_raw=row["published_at_raw"],
        source=row["source"],
        dateline=dateline,
        reporters=people(credits, "reporters"),
        credits=credits,
        editors=people(credits, "editors"),
        sections=tuple(
            Section(heading=heading, paragraphs=tuple(paragraphs.get(position, ())))
            for position, heading in children["sections"]
        ),
        images=tuple(Image(src=src, caption=caption) for _, src, caption in children["images"]),
        related=tuple(Link(title=t, url=u) for _, t, u in children["related_links"]),
        body_text=row["body_text"],
        script=script,
        template=row["template"],
        pages=row["pages"],
        encoding=row["encoding"],
        keywords=tuple(keyword for _, keyword in children["keywords"]),
    )


def load(conn: sqlite3.Connection, article_id: int, row: Row | None = None) -> Article | None:
    """The current version of article ``article_id`` (``row``: its ``articles`` row, when the
    caller has it); ``None`` when there is no such article."""
    cursor = conn.cursor()
    cursor.row_factory = None
    if row is None:
        cursor.row_factory = sqlite3.Row
        row = cursor.execute("SELECT * FROM articles WHERE id = ?", [article_id]).fetchone()
        cursor.row_factory = None
        if row is None:
            return None
    children = {
        table: cursor.execute(sql, [article_id]).fetchall() for table, sql in _SELECT.items()
    }
    found = cursor.execute("SELECT url FROM captures WHERE id = ?", [row["capture_id"]]).fetchone()
    return article_from_rows(row, children, None if found is None else str(found[0]))
