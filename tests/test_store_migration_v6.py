"""Schema v6: an archive written by the v5 code (tests/fixtures/archive_v5.db, made by
tests/fixtures/make_archive_v5.py) is upgraded in place, every value kept."""

from __future__ import annotations

import json
import logging
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from newsarchive.records import Article, Capture, PageItem
from newsarchive.store import Store, codec, migrations, rows
from newsarchive.store.migrations import SCHEMA_VERSION

FIXTURE = Path(__file__).parent / "fixtures" / "archive_v5.db"
GOLDEN = Path(__file__).parent / "golden"
#: articles.id → the golden record it was stored from (see make_archive_v5.py).
STORED = {
    1: "big5_gz_chtml_2023.json",
    2: "old_gz_multipage.joined.json",
    3: "old_gz_table_gbk.json",
    4: "xl2019_provincial_2020.json",
}
#: Tables v6 leaves alone: every row the same before and after.
UNCHANGED = (
    "crawl_runs", "credits", "images", "related_links", "article_urls", "article_captures",
    "events", "lsh_buckets", "fts_pending",
)  # fmt: skip


def golden(article_id: int) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / STORED[article_id]).read_text(encoding="utf-8"))
    return data


def dump(path: Path, sql: str) -> list[dict[str, Any]]:
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql)]
    finally:
        conn.close()


def table(path: Path, name: str) -> list[dict[str, Any]]:
    """Every row of table ``name``, in a stable order."""
    return sorted(dump(path, f"SELECT * FROM {name}"), key=lambda r: [repr(v) for v in r.values()])


@pytest.fixture
def upgraded(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    """The v5 archive's rows, and the archive upgraded to the current version."""
    db = tmp_path / "archive.db"
    shutil.copyfile(FIXTURE, db)
    before = {t: table(db, t) for t in (*UNCHANGED, "sections", "revisions")}
    before["articles"] = dump(db, "SELECT * FROM articles ORDER BY id")
    before["captures"] = dump(db, "SELECT * FROM captures ORDER BY id")
    before["articles_fts"] = dump(db, "SELECT rowid, * FROM articles_fts ORDER BY rowid")
    assert dump(db, "SELECT max(version) AS v FROM schema_version") == [{"v": 5}]
    with caplog.at_level(logging.INFO, logger="newsarchive.store.migrations"):
        Store(db).close()
    assert "schema v6: 1 articles had reporter/editor lists" in caplog.text
    return db, before


def test_every_row_of_the_unchanged_tables_survives(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, before = upgraded
    for name in UNCHANGED:
        assert table(db, name) == before[name], name
    assert before["credits"] and before["article_urls"] and before["events"]
    assert dump(db, "SELECT rowid, * FROM articles_fts ORDER BY rowid") == before["articles_fts"]
    assert [r["version"] for r in dump(db, "SELECT version FROM schema_version")] == list(
        range(1, SCHEMA_VERSION + 1)
    )


def test_articles_keep_every_column_but_the_json_copies(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, before = upgraded
    after = dump(db, "SELECT * FROM articles ORDER BY id")
    assert len(after) == len(before["articles"]) == 4
    for old, new in zip(before["articles"], after, strict=True):
        gone = {k: old.pop(k) for k in ("reporters", "editors", "keywords")}
        assert new == old
        # the keywords moved to their own table, in order
        keywords = dump(
            db, f"SELECT keyword FROM keywords WHERE article_id = {old['id']} ORDER BY position"
        )
        assert [k["keyword"] for k in keywords] == json.loads(gone["keywords"])
    assert dump(db, "SELECT count(*) AS n FROM keywords") == [{"n": 8}]


def test_sections_become_sections_and_paragraphs(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, before = upgraded
    after = table(db, "sections")
    assert after == [
        {"article_id": s["article_id"], "position": s["position"], "heading": s["heading"]}
        for s in before["sections"]
    ]
    paragraphs = dump(db, "SELECT * FROM paragraphs ORDER BY article_id, section, position")
    expected = [
        {"article_id": s["article_id"], "section": s["position"], "position": i, "text": text}
        for s in before["sections"]
        for i, text in enumerate(s["text"].split("\n") if s["paragraphs"] else [])
    ]
    assert paragraphs == expected
    assert len(paragraphs) == sum(s["paragraphs"] for s in before["sections"]) > 20


def test_captures_headers_are_one_shape(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, before = upgraded
    after = dump(db, "SELECT * FROM captures ORDER BY id")
    assert len(after) == len(before["captures"]) == 7
    for old, new in zip(before["captures"], after, strict=True):
        old_headers, new_headers = json.loads(old.pop("headers")), json.loads(new.pop("headers"))
        assert new == old
        if isinstance(old_headers, dict):  # the version 1 shape
            assert new_headers == [[k, v] for k, v in old_headers.items()]
        else:
            assert new_headers == old_headers
    first = dump(db, "SELECT headers FROM captures WHERE id = 1")[0]["headers"]
    assert first == '[["content-type","text/html"],["server","nginx"]]'
    with Store(db) as store:  # every capture reads back
        sources = list(store.iter_reextract())
    assert [s.captures[0].headers[0][0] for s in sources] == ["content-type"] * len(sources)


def test_revision_records_name_xinhua_id(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, before = upgraded
    (old,) = before["revisions"]
    (new,) = dump(db, "SELECT * FROM revisions")
    old_record, new_record = json.loads(old.pop("record")), json.loads(new.pop("record"))
    assert new == old
    old_record["xinhua_id"] = old_record.pop("article_id")
    assert new_record == old_record
    assert new_record["xinhua_id"] == "1126300001"
    assert new_record["headline"] == golden(4)["headline"]


def test_every_article_reads_back_as_the_record_it_was_stored_from(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, _ = upgraded
    conn = sqlite3.connect(db)
    for article_id in STORED:
        record = codec.load(conn, article_id)
        assert record is not None
        expected = golden(article_id)
        if article_id == 4:  # revised in the fixture
            expected["headline"] += "（更新）"
            expected["keywords"].append("更新")
        assert record.to_dict() == expected, article_id
    # article 3's editors column was left [] by an old backfill: its credits say otherwise
    record = codec.load(conn, 3)
    assert record is not None and record.editors == tuple(golden(3)["editors"]) != ()
    conn.close()


def test_an_upgraded_article_fetched_again_is_unchanged(
    upgraded: tuple[Path, dict[str, list[dict[str, Any]]]],
) -> None:
    db, _ = upgraded
    with Store(db) as store:
        for article_id in STORED:
            record = codec.load(store.db.conn, article_id)
            assert isinstance(record, Article)
            (fingerprint,) = store.db.execute(
                "SELECT record_hash FROM articles WHERE id = ?", [article_id]
            ).fetchone()
            assert fingerprint == rows.record_hash(record), article_id
            capture = Capture(
                url=record.url,
                final_url=record.url,
                status=200,
                headers=(),
                body=b"<html>fetched again</html>",
                fetched_at="2026-12-01T01:00:00+00:00",
            )
            result = store.store_item(PageItem(captures=(capture,), result=record))
            assert result.article is not None
            assert (result.article.article_id, result.article.outcome) == (article_id, "unchanged")


def test_a_section_whose_text_does_not_match_its_count_stops_the_upgrade(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    shutil.copyfile(FIXTURE, db)
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE sections SET paragraphs = paragraphs + 1 WHERE article_id = 2")
    with pytest.raises(migrations.SchemaError, match="article 2 section 0"):
        Store(db)
    # nothing changed: still version 5, the columns still there
    assert dump(db, "SELECT max(version) AS v FROM schema_version") == [{"v": 5}]
    assert "text" in [r["name"] for r in dump(db, "PRAGMA table_info(sections)")]
