"""Schema versions: a v1 archive (built from the v1 DDL) is upgraded in place, data intact."""

from __future__ import annotations

import sqlite3
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from store_factory import PARAGRAPHS, article_item, make_article

from newsarchive import textnorm
from newsarchive.cli import main
from newsarchive.records import Section
from newsarchive.store import SCHEMA_VERSION, SchemaError, Store, migrations

V1_DDL = Path(migrations.__file__).with_name("schema.sql")
CANON = "https://gz.news.cn/2023-11/27/c_1129999001.htm"
T0 = "2025-01-01T00:00:00+00:00"


def build_v1(path: Path) -> None:
    """A v1 archive as the v1 code would have left it (no schema_version row either)."""
    art = make_article()
    conn = sqlite3.connect(path)
    conn.executescript(V1_DDL.read_text(encoding="utf-8"))
    conn.execute(
        "INSERT INTO crawl_runs(id, started_at, spider, pages_fetched, articles_new) "
        "VALUES (1, ?, 'channel', 1, 1)",
        [T0],
    )
    body = b"<html>v1 page</html>"
    conn.execute(
        "INSERT INTO captures(id, url, final_url, status, headers, body, size, sha256, "
        "fetched_at, last_fetched_at, run_id) VALUES (1, ?, ?, 200, ?, ?, ?, 'x', ?, ?, 1)",
        [art.url, art.url, '{"content-type": "text/html"}', zlib.compress(body), len(body), T0, T0],
    )
    d = art.dateline
    assert d is not None
    conn.execute(
        "INSERT INTO articles(id, canonical_url, channel, xinhua_id, headline, subtitle, "
        "published_at, published_at_raw, source, dateline_agency, dateline_place, "
        "dateline_date_text, dateline_raw, body_text, script, template, pages, encoding, "
        "keywords, content_hash, first_seen, last_seen, updated_at, capture_id) "
        "VALUES (1,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        [
            CANON, art.channel, art.article_id, art.headline, art.subtitle, art.published_at,
            art.published_at_raw, art.source, d.agency, d.place, d.date_text, d.raw,
            art.body_text, art.script, art.template, art.pages, art.encoding,
            '["茶产业","贵州"]', "v1-hash", T0, T0, T0,
        ],
    )  # fmt: skip
    conn.execute(
        "INSERT INTO article_urls VALUES (?, 1, 'canonical', ?, ?), (?, 1, 'alias', ?, ?)",
        [CANON, T0, T0, art.url, T0, T0],
    )
    for i, s in enumerate(art.sections):
        conn.execute(
            "INSERT INTO sections VALUES (1, ?, ?, ?, ?)",
            [i, s.heading, "\n".join(s.paragraphs), len(s.paragraphs)],
        )
    for i, c in enumerate(art.credits):
        conn.execute("INSERT INTO credits VALUES (1, ?, ?, ?)", [i, c.role, c.name])
    for i, im in enumerate(art.images):
        conn.execute("INSERT INTO images VALUES (1, ?, ?, ?)", [i, im.src, im.caption])
    for i, r in enumerate(art.related):
        conn.execute("INSERT INTO related_links VALUES (1, ?, ?, ?)", [i, r.title, r.url])
    conn.execute(
        "INSERT INTO events(article_id, kind, at, url, status) VALUES (1, 'taken_down', ?, ?, 404)",
        [T0, art.url],
    )
    conn.execute("UPDATE articles SET status = 'live'")
    conn.commit()
    conn.close()


def table_rows(path: Path, table: str, columns: str = "*") -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute(f"SELECT {columns} FROM {table} ORDER BY 1, 2").fetchall()


V1_TABLES = (
    "crawl_runs", "captures", "article_urls", "sections", "credits", "images", "related_links",
    "revisions", "events",
)  # fmt: skip


def test_v1_archive_upgrades_in_place(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    build_v1(db)
    before = {t: table_rows(db, t) for t in V1_TABLES}
    v1_article_columns = [r[1] for r in sqlite3.connect(db).execute("PRAGMA table_info(articles)")]
    v1_articles = table_rows(db, "articles", ", ".join(v1_article_columns))
    with Store(db) as store:
        assert migrations.current_version(store.db) == SCHEMA_VERSION
        row = store.db.table("articles").get(1)
        assert row["reporters"] == '["张三","李四"]' and row["editors"] == '["王五"]'
        assert row["record_hash"] and row["minhash"] is not None
        hits = store.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
            [textnorm.fts_phrase("湄潭縣")],
        ).fetchall()
        assert hits == [(1,)]
        # the v1 article is recognised when fetched again: same content → unchanged
        result = store.store_item(article_item(make_article()))
        assert result.article is not None and result.article.outcome == "unchanged"
        # …and a near copy of it is linked to it through the backfilled LSH buckets
        copy = make_article(
            "http://www.news.cn/local/2023-11/28/c_1129999888.htm", headline="转载：茶产业"
        )
        near = store.store_item(article_item(copy))
        assert near.article is not None and near.article.duplicate_of == 1
    after = {t: table_rows(db, t) for t in V1_TABLES}
    for t in ("crawl_runs", "events"):
        assert after[t] == before[t], t
    for t in ("sections", "credits", "images", "related_links"):  # article 1's rows
        assert [r for r in after[t] if r[0] == 1] == before[t], t
    assert after["captures"][0][:9] == before["captures"][0][:9]
    # the re-fetch moved last_seen only
    assert {r[:4] for r in before["article_urls"]} <= {r[:4] for r in after["article_urls"]}
    assert table_rows(db, "articles", ", ".join(v1_article_columns))[0][:20] == v1_articles[0][:20]
    versions = [v for (v,) in sqlite3.connect(db).execute("SELECT version FROM schema_version")]
    assert sorted(versions) == list(range(1, SCHEMA_VERSION + 1))


def test_fresh_and_upgraded_schemas_are_identical(tmp_path: Path) -> None:
    build_v1(tmp_path / "old.db")
    Store(tmp_path / "old.db").close()
    Store(tmp_path / "new.db").close()

    def schema(path: Path) -> list[tuple[str, str]]:
        with sqlite3.connect(path) as conn:
            return conn.execute(
                "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY name"
            ).fetchall()

    assert schema(tmp_path / "old.db") == schema(tmp_path / "new.db")


def test_reopening_is_a_no_op(tmp_path: Path) -> None:
    Store(tmp_path / "a.db").close()
    Store(tmp_path / "a.db").close()
    rows = table_rows(tmp_path / "a.db", "schema_version", "version, applied_at")
    assert [v for v, _ in rows] == list(range(1, SCHEMA_VERSION + 1))


def test_v4_fills_the_encoding_of_crawled_articles_from_their_captures(tmp_path: Path) -> None:
    """Crawls before v4 left ``articles.encoding`` NULL; the upgrade takes the capture's."""
    db = tmp_path / "v3.db"
    with Store(db) as store:
        store.store_item(article_item(make_article()))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE captures SET encoding = 'gb18030'")
        conn.execute("UPDATE articles SET encoding = NULL")
        conn.execute("DELETE FROM schema_version WHERE version >= 4")
    Store(db).close()
    assert table_rows(db, "articles", "id, encoding") == [(1, "gb18030")]
    versions = table_rows(db, "schema_version", "version, applied_at")
    assert [v for v, _ in versions] == list(range(1, SCHEMA_VERSION + 1))


def test_v5_reindexes_so_a_one_character_word_is_found_wherever_it_stands(
    tmp_path: Path,
) -> None:
    db = tmp_path / "v4.db"
    sections = (Section(heading=None, paragraphs=(*PARAGRAPHS, "茶农们都说今年生意兴隆。")),)
    with Store(db) as store:
        store.store_item(article_item(make_article(sections=sections)))
    query = textnorm.fts_phrase("隆")  # 隆 only ends a run: the v4 form had no token for it
    with sqlite3.connect(db) as conn:
        (body,) = conn.execute("SELECT body_text FROM articles WHERE id = 1").fetchone()
        v4_text = " ".join(
            b for run in textnorm.CJK_RE.findall(textnorm.fold(body)) for b in _v4_bigrams(run)
        )
        conn.execute("UPDATE articles_fts SET body = ? WHERE rowid = 1", [v4_text])
        conn.execute("DELETE FROM schema_version WHERE version >= 5")
        v4_hits = conn.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [query]
        ).fetchall()
    assert v4_hits == []
    with Store(db) as store:  # upgrades to v5 and works off the re-index queue
        assert migrations.current_version(store.db) == SCHEMA_VERSION
        assert store.db.execute("SELECT count(*) FROM fts_pending").fetchone()[0] == 0
        (indexed,) = store.db.execute("SELECT body FROM articles_fts WHERE rowid = 1").fetchone()
        assert indexed == textnorm.fts_text(body)
        hits = store.db.execute(
            "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?", [query]
        ).fetchall()
        assert hits == [(1,)]


def _v4_bigrams(run: str) -> list[str]:
    return [run] if len(run) == 1 else [run[i : i + 2] for i in range(len(run) - 1)]


def test_newer_archive_is_refused(tmp_path: Path) -> None:
    Store(tmp_path / "a.db").close()
    with sqlite3.connect(tmp_path / "a.db") as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, ?, 'from the future')", [T0])
    with pytest.raises(SchemaError, match="newer"):
        Store(tmp_path / "a.db")


def test_research_commands_ask_for_an_upgrade_which_does_it(tmp_path: Path) -> None:
    db = tmp_path / "v1.db"
    build_v1(db)
    runner = CliRunner()
    refused = runner.invoke(main, ["-q", "search", "湄潭县", "--db", str(db)])
    assert refused.exit_code == 1
    assert f"schema version 1, older than this newsarchive's ({SCHEMA_VERSION})" in refused.stderr
    assert f"newsarchive upgrade --db {db}" in refused.stderr
    assert "Traceback" not in refused.output
    upgraded = runner.invoke(main, ["-q", "upgrade", "--db", str(db)])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stdout.strip() == f"{db}: upgraded from schema version 1 to {SCHEMA_VERSION}"
    again = runner.invoke(main, ["-q", "upgrade", "--db", str(db)])
    assert again.stdout.strip().endswith("current; nothing to do")
    found = runner.invoke(main, ["-q", "search", "湄潭县", "--db", str(db), "--format", "json"])
    assert found.exit_code == 0, found.output
    assert '"id": 1' in found.stdout
    missing = runner.invoke(main, ["-q", "upgrade", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no archive at" in missing.stderr
