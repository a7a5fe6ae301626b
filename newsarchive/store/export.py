"""Streaming export of articles to CSV (RFC 4180) and JSON Lines.

Rows are read from one cursor in batches and written as they come, so memory stays flat however
large the archive is. Four tables can be exported (``table``):

* ``articles`` — one row per article. People are exported as one column per kind
  (:data:`newsarchive.records.PEOPLE_ROLES`: ``reporters``, ``editors``, ``photographers``, …,
  drawn from the credits by the records' own rule) plus ``credits`` with every ``role:name``
  pair; the body's structure as ``section_headings``; ``body_text`` only when asked for. Lists
  are joined as in the ``articles_flat`` view (:mod:`newsarchive.store.flat`: ``"; "``) in CSV
  and are arrays in JSON Lines. ``published_date`` is the publication date ``YYYY-MM-DD``
  (Beijing time), which spreadsheets read as a date; ``published_at`` stays the full ISO time.
* ``credits`` — the long format: one row per credited person per article.
* ``sections`` — one row per body section (heading, paragraph count, text) per article.
* ``paragraphs`` — one row per body paragraph per article.

CSV cells that a spreadsheet would run as a formula (starting with ``=``, ``+``, ``-``, ``@``,
tab or carriage return) are prefixed with ``'``. ``excel=True`` adds the UTF-8 byte-order mark
so Excel opens Chinese text correctly, and writes ``month`` as the text formula ``="2015-04"``
(Excel would otherwise turn ``2015-04`` into the date 1 April 2015). JSON Lines is written
unchanged.
"""

from __future__ import annotations

import csv
import json
import logging
import re
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TextIO

from newsarchive.records import PEOPLE_ROLES, people_of_pairs
from newsarchive.store import flat
from newsarchive.store.flat import LIST_SEPARATOR
from newsarchive.store.queries import Filters

logger = logging.getLogger(__name__)

Format = Literal["csv", "jsonl"]
Table = Literal["articles", "credits", "sections", "paragraphs"]

_PLAIN = (
    "id",
    "canonical_url",
    "channel",
    "xinhua_id",
    "headline",
    "subtitle",
    "published_at",
    "published_at_raw",
    "source",
    "dateline_agency",
    "dateline_place",
    "dateline_date_text",
    "dateline_raw",
    "script",
    "template",
    "pages",
    "encoding",
    "duplicate_of",
    "similarity",
    "revision",
    "status",
    "first_seen",
    "last_seen",
    "updated_at",
    "body_text",
)


#: Every column the ``articles`` export can hold: name → SQL expression over ``articles a``.
ARTICLE_COLUMNS: dict[str, str] = {
    **{name: f"a.{name}" for name in _PLAIN},
    "published_date": flat.PUBLISHED_DATE_SQL,
    "month": flat.MONTH_SQL,
    **{kind: flat.people_sql(kind) for kind in PEOPLE_ROLES},
    "credits": flat.credits_sql(),
    "keywords": flat.keywords_sql(),
    "section_headings": flat.headings_sql(),
    "images": "(SELECT count(*) FROM images WHERE article_id = a.id)",
    "body_chars": "length(a.body_text)",
}

# Every credit of the article in page order as role U+001E name, pairs joined by U+001F.
_PACKED_CREDITS = (
    "(SELECT group_concat(role || char(30) || name, char(31)) FROM (SELECT role, name"
    " FROM credits WHERE article_id = a.id ORDER BY position))"
)

#: Columns holding several values (joined in CSV, arrays in JSON Lines).
LIST_COLUMNS = frozenset({*PEOPLE_ROLES, "credits", "keywords", "section_headings"})

#: The ``articles`` export's columns when none are chosen (``body_text`` added on request).
DEFAULT_COLUMNS: tuple[str, ...] = (
    "id",
    "published_at",
    "published_date",
    "channel",
    "source",
    "headline",
    "subtitle",
    "reporters",
    "authors",
    "correspondents",
    "photographers",
    "editors",
    "credits",
    "keywords",
    "section_headings",
    "dateline_place",
    "canonical_url",
    "status",
    "revision",
    "duplicate_of",
)

_LONG_TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "credits": (
        ("article_id", "published_at", "channel", "headline", "position", "role", "name"),
        "SELECT c.article_id, a.published_at, a.channel, a.headline, c.position, c.role, c.name"
        " FROM articles a JOIN credits c ON c.article_id = a.id",
    ),
    "sections": (
        ("article_id", "published_at", "channel", "headline", "position", "heading",
         "paragraphs", "text"),
        "SELECT s.article_id, a.published_at, a.channel, a.headline, s.position, s.heading,"
        " (SELECT count(*) FROM paragraphs p WHERE p.article_id = s.article_id"
        "  AND p.section = s.position),"
        " (SELECT group_concat(text, char(10)) FROM (SELECT text FROM paragraphs p"
        "  WHERE p.article_id = s.article_id AND p.section = s.position ORDER BY p.position))"
        " FROM articles a JOIN sections s ON s.article_id = a.id",
    ),
    "paragraphs": (
        ("article_id", "published_at", "channel", "headline", "section", "position", "text"),
        "SELECT p.article_id, a.published_at, a.channel, a.headline, p.section, p.position,"
        " p.text FROM articles a JOIN paragraphs p ON p.article_id = a.id",
    ),
}  # fmt: skip
_LONG_ORDER = {
    "credits": "c.position",
    "sections": "s.position",
    "paragraphs": "p.section, p.position",
}

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_CHARS = frozenset(_FORMULA_START)
_MONTH = re.compile(r"\d{4}-\d{2}")


class ExportError(ValueError):
    """An export that cannot be made as asked (unknown column, format or table)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ExportQuery:
    """The SQL behind one export: run it, and name the output columns."""

    sql: str
    """Plain SQL producing exactly :attr:`columns` (what ``sqlite3`` could run)."""
    params: tuple[Any, ...]
    columns: tuple[str, ...]
    fast_sql: str | None = None
    """The same rows with the people columns packed into one last column (every credit once,
    instead of one correlated subquery per role), unpacked by :func:`_rows`; ``None`` when the
    export has no people column."""
    plain_slots: tuple[int, ...] = ()
    """For :attr:`fast_sql`: the output position of each of its columns but the last."""
    people_slots: tuple[tuple[str, int], ...] = ()
    """For :attr:`fast_sql`: ``(kind of people, output position)`` of every people column."""


def export_query(
    filters: Filters | None = None,
    *,
    table: Table = "articles",
    columns: Sequence[str] | None = None,
    include_body: bool = False,
) -> ExportQuery:
    """The query for an export of ``table`` over the articles ``filters`` select."""
    filters = filters or Filters()
    where, params = filters.where("a")
    if table in _LONG_TABLES:
        if columns:
            raise ExportError(f"--columns applies to the articles table, not {table}")
        names, select = _LONG_TABLES[table]
        sql = f"{select} WHERE {where} ORDER BY a.published_at, a.id, {_LONG_ORDER[table]}"
        return ExportQuery(sql=sql, params=tuple(params), columns=names)
    if table != "articles":
        raise ExportError(
            f"unknown table {table!r}; choose articles, credits, sections or paragraphs"
        )
    chosen = list(columns) if columns else list(DEFAULT_COLUMNS)
    if include_body and "body_text" not in chosen:
        chosen.append("body_text")
    unknown = [c for c in chosen if c not in ARTICLE_COLUMNS]
    if unknown:
        raise ExportError(
            f"unknown column(s) {', '.join(unknown)}; known: {', '.join(ARTICLE_COLUMNS)}"
        )
    select = ", ".join(f"{ARTICLE_COLUMNS[c]} AS {c}" for c in chosen)
    sql = f"SELECT {select} FROM articles a WHERE {where} ORDER BY a.published_at, a.id"
    people = [i for i, c in enumerate(chosen) if c in PEOPLE_ROLES]
    if not people:
        return ExportQuery(sql=sql, params=tuple(params), columns=tuple(chosen))
    plain = [i for i, c in enumerate(chosen) if c not in PEOPLE_ROLES]
    fast_select = ", ".join([*(f"{ARTICLE_COLUMNS[chosen[i]]}" for i in plain), _PACKED_CREDITS])
    return ExportQuery(
        sql=sql,
        params=tuple(params),
        columns=tuple(chosen),
        fast_sql=f"SELECT {fast_select} FROM articles a WHERE {where}"
        " ORDER BY a.published_at, a.id",
        plain_slots=tuple(plain),
        people_slots=tuple((chosen[i], i) for i in people),
    )


def _rows(conn: sqlite3.Connection, query: ExportQuery, batch: int = 2000) -> Iterator[Any]:
    """The export's rows (tuples or lists, one value per column), streamed."""
    cursor = conn.cursor()
    cursor.row_factory = None  # plain tuples: faster than sqlite3.Row for streaming
    cursor.arraysize = batch
    if query.fast_sql is None:
        cursor.execute(query.sql, query.params)
        while rows := cursor.fetchmany():
            yield from rows
        return
    cursor.execute(query.fast_sql, query.params)
    width = len(query.columns)
    plain = query.plain_slots
    people = query.people_slots
    while rows := cursor.fetchmany():
        for row in rows:
            out: list[Any] = [None] * width
            for i, value in zip(plain, row, strict=False):
                out[i] = value
            packed = row[-1]
            if packed:
                pairs = [
                    (role, name)
                    for role, _, name in (p.partition("\x1e") for p in packed.split("\x1f"))
                ]
                for kind, slot in people:
                    names = people_of_pairs(pairs, kind)
                    if names:
                        out[slot] = LIST_SEPARATOR.join(names)
            yield out


def neutralise(value: object) -> object:
    """``value`` made safe for a spreadsheet cell: text starting like a formula gets a ``'``."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def write_csv(
    conn: sqlite3.Connection, query: ExportQuery, out: TextIO, *, excel: bool = False
) -> int:
    """Write the export as RFC 4180 CSV (``\\r\\n`` line ends, header row) to ``out``, a text
    stream opened with ``newline=""``; returns the number of data rows."""
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(query.columns)
    count = 0
    danger = _FORMULA_CHARS

    def safe(rows: Iterable[tuple[Any, ...]]) -> Iterator[Sequence[Any]]:
        # Most rows have no formula-like cell: check first, rebuild only the rare row that does.
        nonlocal count
        for row in rows:
            count += 1
            for v in row:
                if v.__class__ is str and v[:1] in danger:
                    yield ["'" + x if x.__class__ is str and x[:1] in danger else x for x in row]
                    break
            else:
                yield row

    rows = safe(_rows(conn, query))
    if excel and "month" in query.columns:
        rows = _month_as_text(rows, query.columns.index("month"))
    writer.writerows(rows)
    logger.debug("exported %d rows as CSV", count)
    return count


def _month_as_text(rows: Iterable[Sequence[Any]], slot: int) -> Iterator[Sequence[Any]]:
    """``rows`` with the month cell (``YYYY-MM``) as Excel's text formula ``="YYYY-MM"``."""
    for row in rows:
        value = row[slot]
        if isinstance(value, str) and _MONTH.fullmatch(value):
            cells = list(row)
            cells[slot] = f'="{value}"'
            yield cells
        else:
            yield row


def write_jsonl(conn: sqlite3.Connection, query: ExportQuery, out: TextIO) -> int:
    """Write the export as JSON Lines (one UTF-8 object per line); list columns become arrays.
    Returns the number of rows."""
    names = query.columns
    lists = [i for i, name in enumerate(names) if name in LIST_COLUMNS]
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    for row in _rows(conn, query):
        values = list(row)
        for i in lists:
            v = values[i]
            values[i] = v.split(LIST_SEPARATOR) if v else []
        out.write(dumps(dict(zip(names, values, strict=True))))
        out.write("\n")
        count += 1
    logger.debug("exported %d rows as JSON Lines", count)
    return count


def export(
    conn: sqlite3.Connection,
    out: TextIO,
    *,
    format: Format = "csv",
    filters: Filters | None = None,
    table: Table = "articles",
    columns: Sequence[str] | None = None,
    include_body: bool = False,
    excel: bool = False,
) -> int:
    """Export articles matching ``filters`` to ``out``; returns the number of rows written."""
    query = export_query(filters, table=table, columns=columns, include_body=include_body)
    if format == "csv":
        return write_csv(conn, query, out, excel=excel)
    if format == "jsonl":
        if excel:
            raise ExportError("--excel applies to CSV only")
        return write_jsonl(conn, query, out)
    raise ExportError(f"unknown format {format!r}; choose csv or jsonl")
