"""Lists flattened to one text cell, the same way in the ``articles_flat`` view and the export.

One joining convention: several values (names, keywords, headings) are joined with
:data:`LIST_SEPARATOR` (``"; "``), a credit is ``role:name`` (:data:`ROLE_SEPARATOR`), in page
order. People columns follow :data:`newsarchive.records.PEOPLE_ROLES` (the rule the records
use); :func:`people_sql` is its SQL form.
"""

from __future__ import annotations

from newsarchive.records import PEOPLE_ROLES

#: Separator of several values in one cell (and what JSON Lines exports split on).
LIST_SEPARATOR = "; "
#: Between a credit's role and name.
ROLE_SEPARATOR = ":"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


_SEP = _literal(LIST_SEPARATOR)


def people_sql(kind: str, article: str = "a.id") -> str:
    """SQL for the names of one kind of people (a key of ``PEOPLE_ROLES``) of the article
    whose id is the SQL expression ``article``, joined; NULL when there are none."""
    tiers = [
        f"(SELECT group_concat(name, {_SEP}) FROM (SELECT name FROM credits"
        f" WHERE article_id = {article} AND role IN ({', '.join(map(_literal, tier))})"
        " GROUP BY name ORDER BY min(position)))"
        for tier in PEOPLE_ROLES[kind]
    ]
    return tiers[0] if len(tiers) == 1 else f"coalesce({', '.join(tiers)})"


def credits_sql(article: str = "a.id") -> str:
    """SQL for every credit of the article as ``role:name``, joined, in page order."""
    return (
        f"(SELECT group_concat(role || {_literal(ROLE_SEPARATOR)} || name, {_SEP})"
        f" FROM (SELECT role, name FROM credits WHERE article_id = {article} ORDER BY position))"
    )


def keywords_sql(article: str = "a.id") -> str:
    """SQL for the article's keywords, joined, in page order."""
    return (
        f"(SELECT group_concat(keyword, {_SEP}) FROM (SELECT keyword FROM keywords"
        f" WHERE article_id = {article} ORDER BY position))"
    )


def headings_sql(article: str = "a.id") -> str:
    """SQL for the article's section headings, joined, in body order."""
    return (
        f"(SELECT group_concat(heading, {_SEP}) FROM (SELECT heading FROM sections"
        f" WHERE article_id = {article} AND heading IS NOT NULL ORDER BY position))"
    )


#: The publication date ``YYYY-MM-DD`` (Beijing time): a cell spreadsheets read as a date.
PUBLISHED_DATE_SQL = "substr(a.published_at, 1, 10)"
#: The publication month ``YYYY-MM`` (Beijing time).
MONTH_SQL = "substr(a.published_at, 1, 7)"


def view_parts() -> dict[str, str]:
    """The ``$name`` substitutions of ``views.sql``."""
    return {
        **{kind: people_sql(kind) for kind in PEOPLE_ROLES},
        "credits": credits_sql(),
        "keywords": keywords_sql(),
        "published_date": PUBLISHED_DATE_SQL,
        "month": MONTH_SQL,
    }
