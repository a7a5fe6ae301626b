"""Datasette metadata for an archive: table and column descriptions, facets, canned queries.

Descriptions are read from ``docs/schema.md`` (the schema reference a test keeps in step with
the archive), so the browser and the documentation never say different things. The parser reads
each ``#``-heading that names a table or view in backticks, the paragraph under it as the
table's description, and Markdown table rows whose first cell is a column name in backticks as
``column → description`` (the last cell of the row).
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from newsarchive.store.search import HEADLINE_WEIGHT, JOIN_CANDIDATES

logger = logging.getLogger(__name__)

#: Where the schema reference lives in a source checkout.
SCHEMA_DOC = Path(__file__).resolve().parents[2] / "docs" / "schema.md"

_HEADING_RE = re.compile(r"^#{2,4}\s+.*?`([A-Za-z_][A-Za-z0-9_]*)`")
_ROW_RE = re.compile(r"^\|\s*`([A-Za-z_][A-Za-z0-9_]*)`\s*\|(.*)\|\s*$")


def parse_schema_doc(text: str) -> dict[str, dict[str, Any]]:
    """``{table: {"description": str, "columns": {column: description}}}`` from
    ``docs/schema.md`` text (see the module docstring for the shape it reads)."""
    tables: dict[str, dict[str, Any]] = {}
    current: dict[str, Any] | None = None
    paragraph: list[str] = []
    for line in text.splitlines():
        if m := _HEADING_RE.match(line):
            current = tables.setdefault(m.group(1), {"description": "", "columns": {}})
            paragraph = []
            continue
        if line.startswith("#"):
            current = None
            continue
        if current is None:
            continue
        if m := _ROW_RE.match(line.strip()):
            cells = [c.strip() for c in m.group(2).split("|")]
            current["columns"][m.group(1)] = _plain(cells[-1]) if cells else ""
            continue
        stripped = line.strip()
        if not current["description"]:
            if stripped and not stripped.startswith(("|", "```", "-", "*")):
                paragraph.append(stripped)
            elif paragraph:
                current["description"] = _plain(" ".join(paragraph))
                paragraph = []
    return tables


def _plain(text: str) -> str:
    return text.replace("`", "").strip()


def schema_docs(path: Path = SCHEMA_DOC) -> dict[str, dict[str, Any]]:
    """The parsed schema reference, or ``{}`` (logged) when the file is not there."""
    try:
        return parse_schema_doc(path.read_text("utf-8"))
    except FileNotFoundError:
        logger.warning("no %s: serving without column descriptions", path)
        return {}


_SEARCH_SQL = f"""
SELECT * FROM (
SELECT a.id, a.published_at, a.channel, a.headline,
       na_snippet(a.body_text, :q) AS snippet, a.source, a.canonical_url, a.status
FROM (
    SELECT f.rowid AS id, bm25(articles_fts, {HEADLINE_WEIGHT}, 1.0) AS score
    FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid
    WHERE articles_fts MATCH na_fts_query(:q)
      AND a.duplicate_of IS NULL
      AND (:channel = '' OR a.channel = :channel)
    ORDER BY f.rowid DESC LIMIT {JOIN_CANDIDATES}
) AS m JOIN articles a ON a.id = m.id
ORDER BY m.score, a.published_at DESC
LIMIT 100
)
UNION ALL
SELECT NULL, NULL, NULL, 'Cannot search: ' || na_query_error(:q), NULL, NULL, NULL, NULL
WHERE na_query_error(:q) IS NOT NULL
"""

CANNED_QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles (either script)",
        "description": (
            "Full-text search of headlines and bodies. Words must all appear; use "
            '"quoted phrases", OR and -word. Simplified and traditional queries find both '
            "scripts. Optional channel code (gz, yn, …)."
        ),
        "sql": _SEARCH_SQL,
        "hide_sql": True,
    },
    "articles_by_reporter": {
        "title": "Articles by a credited person",
        "description": "Every article crediting this name (either script), with the role.",
        "sql": """
SELECT a.id, a.published_at, a.channel, c.role, c.name, a.headline, a.source, a.canonical_url
FROM credits c JOIN articles a ON a.id = c.article_id
WHERE c.name IN (:name, na_simplified(:name), na_traditional(:name))
ORDER BY a.published_at DESC
LIMIT 500
""",
    },
    "articles_by_source": {
        "title": "Articles by source (来源)",
        "description": "Articles whose 来源 line names this outlet (either script).",
        "sql": """
SELECT a.id, a.published_at, a.channel, a.headline, a.source, a.canonical_url
FROM articles a
WHERE a.source IN (:source, na_simplified(:source), na_traditional(:source))
  AND a.duplicate_of IS NULL
ORDER BY a.published_at DESC
LIMIT 500
""",
    },
    "takedowns": {
        "title": "Taken-down articles",
        "description": "Articles whose page later vanished (404, redirect to a home page).",
        "sql": """
SELECT e.at AS taken_down_at, e.detail, e.status AS http_status, a.id, a.published_at,
       a.channel, a.headline, a.status AS current_status, e.url
FROM events e JOIN articles a ON a.id = e.article_id
WHERE e.kind = 'taken_down'
ORDER BY e.at DESC
""",
    },
    "revisions": {
        "title": "Edited articles",
        "description": "Earlier versions of articles that changed after first capture.",
        "sql": """
SELECT r.article_id, r.revision, r.replaced_at, r.changed_fields,
       r.headline AS old_headline, a.headline AS current_headline, a.channel, a.canonical_url
FROM revisions r JOIN articles a ON a.id = r.article_id
ORDER BY r.replaced_at DESC
""",
    },
    "near_copies": {
        "title": "Near copies (reprints)",
        "description": "Articles that copy another one with small changes, and the original.",
        "sql": """
SELECT d.id, d.headline, d.channel, d.published_at, d.similarity,
       o.id AS original_id, o.headline AS original_headline, o.channel AS original_channel
FROM articles d JOIN articles o ON o.id = d.duplicate_of
ORDER BY d.similarity DESC
""",
    },
    "articles_per_month": {
        "title": "Articles per month and channel",
        "description": "Counts by publication month (near copies folded).",
        "sql": """
SELECT substr(published_at, 1, 7) AS month, channel, count(*) AS articles
FROM articles WHERE duplicate_of IS NULL
GROUP BY month, channel ORDER BY month DESC, articles DESC
""",
    },
    "crawl_runs": {
        "title": "Recent crawl runs and their errors",
        "description": "The last 50 crawls with their counters and errors by kind.",
        "sql": """
SELECT id, spider, started_at, finished_at, exit_status, pages_fetched, articles_new,
       articles_updated, errors, errors_by_kind
FROM crawl_runs ORDER BY started_at DESC LIMIT 50
""",
    },
}

#: Per-table Datasette options besides descriptions.
TABLE_OPTIONS: dict[str, dict[str, Any]] = {
    "articles": {
        "facets": ["channel", "source", {"month": "published_at"}],
        "sort_desc": "published_at",
        "label_column": "headline",
    },
    "articles_flat": {"facets": ["channel", "source", "month"], "sort_desc": "published_at"},
    "article_credits": {"facets": ["role", "channel"]},
    "credits": {"facets": ["role"]},
    "events": {"facets": ["kind"]},
    "captures": {"facets": ["outcome", "status"], "sort_desc": "fetched_at"},
    "crawl_runs": {"sort_desc": "started_at"},
}

#: Internal tables hidden from the table list (still queryable with SQL).
HIDDEN_PREFIXES = ("articles_fts", "lsh_buckets")


def build_metadata(
    database: str, tables: list[str], docs: dict[str, dict[str, Any]] | None = None
) -> dict[str, Any]:
    """Datasette metadata for the archive served as ``database`` holding ``tables`` (tables
    and views)."""
    docs = schema_docs() if docs is None else docs
    table_meta: dict[str, Any] = {}
    for name in tables:
        meta: dict[str, Any] = {}
        doc = docs.get(name)
        if doc:
            if doc["description"]:
                meta["description"] = doc["description"]
            if doc["columns"]:
                meta["columns"] = dict(doc["columns"])
        meta.update(TABLE_OPTIONS.get(name, {}))
        if name.startswith(HIDDEN_PREFIXES):
            meta["hidden"] = True
        if meta:
            table_meta[name] = meta
    return {
        "title": "newsarchive",
        "description": (
            "Xinhua provincial news channels, archived. Search with the 'search' query "
            "(either script); every table and column is described on its page."
        ),
        "databases": {
            database: {
                "description": "The newsarchive SQLite archive (schema in docs/schema.md).",
                "tables": table_meta,
                "queries": CANNED_QUERIES,
            }
        },
    }
