"""docs/schema.md documents every table, view, column and index of a fresh archive."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from newsarchive.store import Store
from tools import schemadoc

DOC = Path(__file__).resolve().parent.parent / "docs" / "schema.md"
SCHEMA_SQL = DOC.with_name("schema.sql")
HEADING_RE = re.compile(r"^### `(\w+)` \((table|view|virtual table)\)$")
ROW_RE = re.compile(r"^\| `(\w+)` \| ([^|]*) \| (.*) \|$")


def documented() -> dict[str, tuple[str, list[tuple[str, str, str]]]]:
    """name → (kind, [(column, type, description)]) from docs/schema.md."""
    out: dict[str, tuple[str, list[tuple[str, str, str]]]] = {}
    current: str | None = None
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if m := HEADING_RE.match(line):
            current = m.group(1)
            assert current not in out, f"{current} documented twice"
            out[current] = (m.group(2), [])
        elif line.startswith("## "):
            current = None
        elif current and (m := ROW_RE.match(line)):
            out[current][1].append((m.group(1), m.group(2).strip(), m.group(3).strip()))
    return out


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> sqlite3.Connection:
    path = tmp_path_factory.mktemp("schema") / "fresh.db"
    Store(path).close()
    return sqlite3.connect(path)


def actual(conn: sqlite3.Connection) -> dict[str, tuple[str, list[tuple[str, str]]]]:
    out = {}
    for name, type_, sql in conn.execute("SELECT name, type, sql FROM sqlite_master"):
        if type_ not in ("table", "view") or name.startswith(("sqlite_", "articles_fts_")):
            continue
        kind = "virtual table" if sql.upper().startswith("CREATE VIRTUAL") else type_
        cols = [(r[1], r[2]) for r in conn.execute(f"PRAGMA table_info([{name}])")]
        out[name] = (kind, cols)
    return out


def test_every_table_and_view_is_documented_and_nothing_else(archive: sqlite3.Connection) -> None:
    assert set(documented()) == set(actual(archive))


def test_columns_types_and_order_match(archive: sqlite3.Connection) -> None:
    docs = documented()
    for name, (kind, cols) in actual(archive).items():
        doc_kind, doc_cols = docs[name]
        assert doc_kind == kind, name
        assert [c for c, _, _ in doc_cols] == [c for c, _ in cols], name
        for (column, doc_type, description), (_, db_type) in zip(doc_cols, cols, strict=True):
            assert len(description) > 5, f"{name}.{column} has no description"
            if kind == "table":
                assert doc_type == db_type, f"{name}.{column}: doc {doc_type}, db {db_type}"
            elif kind == "virtual table":
                assert doc_type == "(fts)"


def test_every_index_is_named(archive: sqlite3.Connection) -> None:
    text = DOC.read_text(encoding="utf-8").split("## Indexes", 1)[1]
    indexes = [
        r[0]
        for r in archive.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"
        )
    ]
    assert indexes
    for name in indexes:
        assert f"`{name}`" in text, name


def test_schema_sql_is_the_schema_of_a_fresh_archive(archive: sqlite3.Connection) -> None:
    """docs/schema.sql holds the current schema: regenerate it with
    ``python -m tools.schemadoc docs/schema.sql`` after a schema change."""
    text = SCHEMA_SQL.read_text(encoding="utf-8")
    assert text == schemadoc.schema_sql()
    assert all(f"\n{statement};\n" in text for statement in schemadoc.schema_statements(archive))
    assert text.count("\nCREATE ") == len(schemadoc.schema_statements(archive)) > 30
    for name in ("paragraphs", "keywords", "articles_flat"):
        assert f"CREATE TABLE {name} (" in text or f"CREATE VIEW {name} AS" in text


def test_schema_sql_builds_an_archive_with_the_same_tables(tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "from-doc.db")
    conn.executescript(SCHEMA_SQL.read_text(encoding="utf-8"))
    built = actual(conn)
    fresh = sqlite3.connect(tmp_path / "fresh.db")
    Store(tmp_path / "fresh.db").close()
    assert built == actual(fresh)
