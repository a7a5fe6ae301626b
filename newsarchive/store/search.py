"""Full-text search over the archive's ``articles_fts`` index.

The index holds :func:`newsarchive.textnorm.fts_text` tokens (bigrams and each run's last
character), so queries go through
:func:`newsarchive.searchsyntax.parse_query` (bigram phrases, both scripts folded to
simplified) and the
readable snippet is cut in Python from ``articles.body_text`` around the first match.

Ranking: BM25 (FTS5's ``bm25()``, the headline weighted :data:`HEADLINE_WEIGHT` times the body)
over a bounded candidate set. The index is read newest-first (highest rowid first) and at most
:data:`MAX_CANDIDATES` matching articles that pass the filters are ranked (:data:`JOIN_CANDIDATES`
when the filters must be checked row by row); for a rare word that is every match, for a very
common one (``中国`` in a million articles) it is the most recently stored ones. Ties go to the
newer article. This keeps a search of the commonest words within the latency budget at a million
articles (see ``docs/performance.md``); ``max_candidates=None`` ranks every match.
"""

from __future__ import annotations

import logging
import sqlite3
import unicodedata
from dataclasses import dataclass

from newsarchive.searchsyntax import ParsedQuery, parse_query
from newsarchive.store.queries import Filters
from newsarchive.textnorm import to_simplified

logger = logging.getLogger(__name__)

#: How many matching articles (newest first) are ranked by BM25 at most.
MAX_CANDIDATES = 5_000
#: The same for the join walk, where each candidate costs a row lookup (see _candidates).
JOIN_CANDIDATES = 2_000
#: Filters passing at most this many articles are answered from an id set (see _candidates)…
ID_SET_SMALL = 30_000
#: …and up to this many when their ids are clustered (within this share of the id range).
ID_SET_CAP = 150_000
CLUSTERED_SPAN = 0.5
#: BM25 weight of the headline column relative to the body.
HEADLINE_WEIGHT = 4.0
#: Characters of body text shown around the first match.
SNIPPET_CHARS = 90


@dataclass(frozen=True, kw_only=True, slots=True)
class SearchHit:
    """One search result."""

    id: int
    """``articles.id``."""
    headline: str
    published_at: str | None
    channel: str | None
    source: str | None
    url: str
    """The article's canonical URL."""
    status: str
    """``articles.status`` (``live``, or how it vanished)."""
    score: float
    """BM25 score; lower is a better match (FTS5 convention)."""
    snippet: str
    """Body text around the first match, newlines as spaces, ``…`` where cut."""
    highlights: tuple[tuple[int, int], ...]
    """``(start, end)`` offsets in :attr:`snippet` of every matched term."""

    def marked_snippet(self, before: str = "**", after: str = "**") -> str:
        """The snippet with every match wrapped in ``before``/``after``."""
        return mark(self.snippet, self.highlights, before, after)


def mark(text: str, spans: tuple[tuple[int, int], ...], before: str, after: str) -> str:
    out: list[str] = []
    pos = 0
    for start, end in spans:
        out.extend((text[pos:start], before, text[start:end], after))
        pos = end
    out.append(text[pos:])
    return "".join(out)


def _folded(text: str) -> str:
    """``text`` folded character by character (same length), for locating query terms."""
    simplified = to_simplified(text)
    if len(simplified) != len(text):  # a multi-character conversion: fall back to per character
        simplified = "".join(s if len(s := to_simplified(ch)) == 1 else ch for ch in text)
    if not unicodedata.is_normalized("NFKC", simplified):
        simplified = "".join(
            n if len(n := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in simplified
        )
    lowered = simplified.lower()
    return lowered if len(lowered) == len(text) else simplified


def snippet(
    body: str, terms: tuple[str, ...], width: int = SNIPPET_CHARS
) -> tuple[str, tuple[tuple[int, int], ...]]:
    """A window of ``body`` around the first occurrence of any of ``terms`` (folded forms) and
    the spans of every term occurrence inside it. Without a match: the opening of ``body``."""
    folded = _folded(body)
    first = -1
    for term in terms:
        pos = folded.find(term) if term else -1
        if pos >= 0 and (first < 0 or pos < first):
            first = pos
    start = 0 if first < 0 else max(0, first - width // 3)
    end = min(len(body), start + width)
    start = max(0, min(start, end - width))
    spans: list[tuple[int, int]] = []
    window = folded[start:end]
    for term in terms:
        if not term:
            continue
        pos = window.find(term)
        while pos >= 0:
            spans.append((pos, min(pos + len(term), len(window))))
            pos = window.find(term, pos + len(term))
    merged: list[tuple[int, int]] = []
    for s, e in sorted(spans):
        if merged and s <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(e, merged[-1][1]))
        else:
            merged.append((s, e))
    text = body[start:end].replace("\r", " ").replace("\n", " ")
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(body) else ""
    shift = len(prefix)
    return (
        prefix + text + suffix,
        tuple((s + shift, e + shift) for s, e in merged),
    )


def _bm25_sql(conn: sqlite3.Connection) -> str:
    columns = conn.execute("SELECT count(*) FROM pragma_table_info('articles_fts')").fetchone()[0]
    if columns >= 2:
        weights = ", ".join([str(HEADLINE_WEIGHT), *["1.0"] * (columns - 1)])
        return f"bm25(articles_fts, {weights})"
    return "bm25(articles_fts)"


def _candidates(
    conn: sqlite3.Connection,
    parsed: ParsedQuery,
    filters: Filters,
    max_candidates: int | None,
) -> tuple[str, list[object]] | None:
    """The SQL (and arguments) choosing the ranked candidate set, by one of two plans; ``None``
    when the filters pass no article at all.

    * Join scan: walk the index's matches newest first, look each up in ``articles`` and keep
      those the filters pass. Cheap when the filters pass many articles (or there are none).
    * Id set: when the selective filters (channel, dates, source, reporter) pass at most
      :data:`ID_SET_SMALL` articles, or at most :data:`ID_SET_CAP` whose ids are clustered (a
      date range, as crawls store articles roughly in time order), their ids come from indexes
      alone; the index walk is limited to the ids' range and keeps matches whose id is in the
      set, with no lookups in the wide ``articles`` table. This keeps a common word in one
      small channel or one year fast; a large channel spread over all ids is faster walked.
    """
    bm25 = _bm25_sql(conn)
    cap = "" if max_candidates is None else "LIMIT ?"
    cap_args: list[object] = [] if max_candidates is None else [max_candidates]
    copies = (
        ""
        if filters.include_duplicates
        else " AND +f.rowid NOT IN (SELECT id FROM articles WHERE duplicate_of IS NOT NULL)"
    )
    id_set = filters.id_set()
    if id_set is not None:
        set_sql, set_params = id_set
        # Only a date range is likely to be clustered in id order; for other filters count no
        # further than the small-set limit (the count itself costs a walk of the index).
        limit_count = ID_SET_CAP if (filters.since or filters.until) else ID_SET_SMALL
        count, low, high = conn.execute(
            f"SELECT count(*), min(id), max(id) FROM ({set_sql} LIMIT ?)",
            [*set_params, limit_count + 1],
        ).fetchone()
        if count == 0:
            return None
        top = conn.execute("SELECT max(rowid) FROM articles").fetchone()[0] or 1
        clustered = (high - low) <= CLUSTERED_SPAN * top
        if count <= ID_SET_SMALL or (count <= limit_count and clustered):
            sql = (
                f"SELECT f.rowid AS id, {bm25} AS score FROM articles_fts f"
                " WHERE articles_fts MATCH ? AND f.rowid BETWEEN ? AND ?"
                f" AND +f.rowid IN ({set_sql}){copies}"
                f" ORDER BY f.rowid DESC {cap}"
            )
            return sql, [parsed.fts, low, high, *set_params, *cap_args]
    if id_set is None:  # no filter but near copies: no lookups in the wide rows at all
        sql = (
            f"SELECT f.rowid AS id, {bm25} AS score FROM articles_fts f"
            f" WHERE articles_fts MATCH ?{copies} ORDER BY f.rowid DESC {cap}"
        )
        return sql, [parsed.fts, *cap_args]
    where, params = filters.where("a")
    if max_candidates is not None:
        cap_args = [min(max_candidates, JOIN_CANDIDATES)]
    sql = (
        f"SELECT f.rowid AS id, {bm25} AS score"
        " FROM articles_fts f CROSS JOIN articles a ON a.id = f.rowid"
        f" WHERE articles_fts MATCH ? AND {where} ORDER BY f.rowid DESC {cap}"
    )
    return sql, [parsed.fts, *params, *cap_args]


def search(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    filters: Filters | None = None,
    *,
    limit: int = 20,
    offset: int = 0,
    max_candidates: int | None = MAX_CANDIDATES,
) -> list[SearchHit]:
    """The best ``limit`` articles for ``query`` (see the module docstring for the ranking).

    Raises :class:`newsarchive.searchsyntax.QueryError` for a malformed query and
    :class:`newsarchive.store.queries.FilterError` for a bad filter.
    """
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    filters = filters or Filters()
    planned = _candidates(conn, parsed, filters, max_candidates)
    if planned is None:
        return []
    candidates_sql, args = planned
    # Rank inside the candidate set first, then read only the rows shown (ties: newer id first).
    sql = f"""
        WITH candidates AS ({candidates_sql}),
        ranked AS (SELECT id, score FROM candidates ORDER BY score, id DESC LIMIT ? OFFSET ?)
        SELECT a.id, a.headline, a.published_at, a.channel, a.source, a.canonical_url,
               a.status, a.body_text, ranked.score
        FROM ranked JOIN articles a ON a.id = ranked.id
        ORDER BY ranked.score, ranked.id DESC
    """
    args.extend((limit, offset))
    logger.debug("search %r as %r", parsed.text, parsed.fts)
    hits = []
    for row in conn.execute(sql, args):
        text, spans = snippet(row["body_text"], parsed.terms)
        hits.append(
            SearchHit(
                id=row["id"],
                headline=row["headline"],
                published_at=row["published_at"],
                channel=row["channel"],
                source=row["source"],
                url=row["canonical_url"],
                status=row["status"],
                score=float(row["score"]),
                snippet=text,
                highlights=spans,
            )
        )
    return hits


def count(
    conn: sqlite3.Connection,
    query: str | ParsedQuery,
    filters: Filters | None = None,
    *,
    at_most: int = MAX_CANDIDATES,
) -> int:
    """How many articles match ``query`` and ``filters`` (near copies folded unless the
    filters include them), counted up to ``at_most + 1``: a result above ``at_most`` means
    "more than ``at_most``" (counting every match of a common word in a million articles
    would cost more than the search itself)."""
    parsed = query if isinstance(query, ParsedQuery) else parse_query(query)
    planned = _candidates(conn, parsed, filters or Filters(), None)
    if planned is None:
        return 0
    sql, args = planned
    row = conn.execute(
        f"SELECT count(*) FROM (SELECT 1 FROM ({sql}) LIMIT ?)", [*args, at_most + 1]
    )
    return int(row.fetchone()[0])


def relevance(hits: list[SearchHit]) -> list[int]:
    """Each hit's BM25 score as a whole percentage of the best hit's (100 for the best, less
    for weaker matches): a figure a person can compare, unlike FTS5's raw scores
    (``-1.87e-06``). ``hits`` must be one search's results, best first."""
    if not hits or hits[0].score == 0:
        return [100] * len(hits)
    best = hits[0].score
    return [max(0, min(100, round(100 * h.score / best))) for h in hits]
