"""The Datasette plugin newsarchive registers when serving an archive.

* SQL functions on every connection (``prepare_connection``):

  - ``na_fts_query(q)`` — the user's search (words, "phrases", OR, -word) as the FTS5 expression
    for ``articles_fts MATCH`` (bigram phrases, either script); an empty or malformed ``q``
    matches nothing;
  - ``na_query_error(q)`` — why ``q`` is malformed (``NULL`` when it is fine): the canned search
    shows it as a result row, since SQLite cannot carry a function's error message;
  - ``na_snippet(body_text, q)`` — the body around the first match, matches wrapped in ``**``;
  - ``na_fold(text)`` — :func:`newsarchive.textnorm.fold` (simplified, lower-case);
  - ``na_simplified(text)`` / ``na_traditional(text)`` — the text in one script (OpenCC), to
    match a name or source printed in either script.

* A ``month`` facet type: ``"facets": [{"month": "published_at"}]`` or
  ``?_facet_month=published_at`` counts rows per ``YYYY-MM`` and filters with
  ``published_at__startswith``.
* ``?_search=`` and a search box on the ``articles`` and ``articles_flat`` pages, through
  ``na_fts_query`` (Datasette's own search would send the words to FTS5 unchanged, which finds
  nothing in a bigram index for words longer than two characters).
* ``render_cell``: ``snippet`` cells show their ``**`` marks as highlighted text.
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from typing import Any, TypeVar, cast

import datasette
from datasette.database import QueryInterrupted
from datasette.facets import Facet
from datasette.filters import FilterArguments
from datasette.utils import escape_sqlite, path_with_added_args, path_with_removed_args
from markupsafe import Markup, escape

from newsarchive.searchsyntax import QueryError, parse_query
from newsarchive.store.search import mark, snippet
from newsarchive.textnorm import fold, to_simplified, to_traditional

_MARK_RE = re.compile(r"\*\*(.+?)\*\*")

_F = TypeVar("_F", bound=Callable[..., Any])
hookimpl = cast(Callable[[_F], _F], datasette.hookimpl)  # Datasette's marker, typed
# Called after Datasette's own search filter, so that our search box settings win.
hookimpl_last = cast(Callable[[_F], _F], datasette.hookimpl(trylast=True))

#: Tables and views whose page searches ``articles_fts`` with ``?_search=`` (their id column).
SEARCHABLE = {"articles": "id", "articles_flat": "id"}


def na_fts_query(text: str | None) -> str:
    """The FTS5 expression for ``text``; ``'""'`` (matches nothing) for an empty or malformed
    query (:func:`na_query_error` says what is wrong with it)."""
    if text is None or not str(text).strip():
        return '""'
    try:
        return parse_query(str(text)).fts
    except QueryError:
        return '""'


def na_query_error(text: str | None) -> str | None:
    """Why ``text`` cannot be searched, or ``NULL`` when it can (or is empty)."""
    if text is None or not str(text).strip():
        return None
    try:
        parse_query(str(text))
    except QueryError as exc:
        return str(exc)
    return None


def na_snippet(body: str | None, text: str | None) -> str | None:
    """Body text around the first match of ``text``, each match wrapped in ``**``."""
    if body is None:
        return None
    try:
        terms = parse_query(str(text)).terms if text and str(text).strip() else ()
    except QueryError:
        terms = ()
    cut, spans = snippet(body, terms)
    return mark(cut, spans, "**", "**")


def na_fold(text: str | None) -> str | None:
    return None if text is None else fold(str(text))


def na_simplified(text: str | None) -> str | None:
    return None if text is None else to_simplified(str(text))


def na_traditional(text: str | None) -> str | None:
    return None if text is None else to_traditional(str(text))


def register_functions(conn: sqlite3.Connection) -> None:
    """Add the ``na_*`` functions to ``conn``."""
    conn.create_function("na_fts_query", 1, na_fts_query, deterministic=True)
    conn.create_function("na_query_error", 1, na_query_error, deterministic=True)
    conn.create_function("na_snippet", 2, na_snippet, deterministic=True)
    conn.create_function("na_fold", 1, na_fold, deterministic=True)
    conn.create_function("na_simplified", 1, na_simplified, deterministic=True)
    conn.create_function("na_traditional", 1, na_traditional, deterministic=True)


@hookimpl
def prepare_connection(conn: sqlite3.Connection) -> None:
    register_functions(conn)


@hookimpl
def render_cell(value: Any, column: str) -> Markup | None:
    if column != "snippet" or not isinstance(value, str) or "**" not in value:
        return None
    parts: list[str] = []
    pos = 0
    for m in _MARK_RE.finditer(value):
        parts.append(str(escape(value[pos : m.start()])))
        parts.append(f"<mark>{escape(m.group(1))}</mark>")
        pos = m.end()
    parts.append(str(escape(value[pos:])))
    return Markup("".join(parts))


@hookimpl_last
def filters_from_request(request: Any, table: str) -> FilterArguments | None:
    """``?_search=`` (and the search box) on ``articles`` and ``articles_flat``: full-text
    search in either script through :func:`na_fts_query`."""
    column = SEARCHABLE.get(table)
    if column is None:
        return None
    text = request.args.get("_search") or ""
    context: dict[str, Any] = {"supports_search": True}
    if not text.strip():
        return FilterArguments([], extra_context=context)
    problem = na_query_error(text)
    return FilterArguments(
        [
            f"[{column}] IN (SELECT rowid FROM articles_fts"
            " WHERE articles_fts MATCH na_fts_query(:na_search))"
        ],
        params={"na_search": text},
        human_descriptions=[
            f"cannot search: {problem}" if problem else f'search matches "{text}" (either script)'
        ],
        extra_context={**context, "search": text},
    )


class MonthFacet(Facet):  # type: ignore[misc]  # Datasette is untyped
    """Counts per ``YYYY-MM`` of an ISO date/time text column."""

    type = "month"

    async def suggest(self) -> list[dict[str, Any]]:
        return []

    async def facet_results(self) -> tuple[list[dict[str, Any]], list[str]]:
        results: list[dict[str, Any]] = []
        timed_out: list[str] = []
        args = dict(self.get_querystring_pairs())
        size = self.get_facet_size()
        for source_and_config in self.get_configs():
            config = source_and_config["config"]
            column = config.get("column") or config["simple"]
            col = escape_sqlite(column)
            sql = (
                f"SELECT substr({col}, 1, 7) AS value, count(*) AS count FROM ({self.sql})"
                f" WHERE {col} IS NOT NULL GROUP BY value ORDER BY value DESC LIMIT {size + 1}"
            )
            try:
                rows = await self.ds.execute(
                    self.database,
                    sql,
                    self.params,
                    truncate=False,
                    custom_time_limit=self.ds.setting("facet_time_limit_ms"),
                )
            except QueryInterrupted:
                timed_out.append(column)
                continue
            values = []
            key = f"{column}__startswith"
            for row in rows.rows[:size]:
                selected = args.get(key) == row["value"]
                toggle = (
                    path_with_removed_args(self.request, {key: row["value"]})
                    if selected
                    else path_with_added_args(self.request, {key: row["value"]})
                )
                values.append(
                    {
                        "value": row["value"],
                        "label": row["value"],
                        "count": row["count"],
                        "toggle_url": self.ds.absolute_url(self.request, toggle),
                        "selected": selected,
                    }
                )
            results.append(
                {
                    "name": f"{column} (month)",
                    "type": self.type,
                    "results": values,
                    "hideable": source_and_config["source"] != "metadata",
                    "toggle_url": path_with_removed_args(self.request, {"_facet_month": column}),
                    "truncated": len(rows.rows) > size,
                }
            )
        return results, timed_out


@hookimpl
def register_facet_classes() -> list[type]:
    return [MonthFacet]
