"""``from newsarchive import Archive``: search, records back out of the archive, pandas."""

from __future__ import annotations

import dataclasses
import sqlite3
from pathlib import Path

import pytest
import research_archive
from store_factory import make_article

from newsarchive import Archive
from newsarchive.records import Article
from newsarchive.searchsyntax import QueryError
from newsarchive.store.queries import ArchiveError


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> Archive:
    return Archive(research_archive.built(tmp_path_factory))


def test_search_with_filters(archive: Archive) -> None:
    ids = research_archive.ids()
    hits = archive.search("鄉村振興")
    assert {h.id for h in hits} == {ids["yunnan"], ids["digital"]}
    assert [h.id for h in archive.search("乡村振兴", channel=["yn", "he"])] == [ids["yunnan"]]
    assert [h.headline for h in archive.search("地铁", since="2024-01-10", until="2024-01-10")] == [
        "贵阳地铁三号线全线开通初期运营"
    ]
    assert archive.search("乡村振兴", limit=1, offset=1)[0].id in {ids["yunnan"], ids["digital"]}
    with pytest.raises(QueryError):
        archive.search('"unbalanced')


def test_article_round_trips_to_the_record_that_was_stored(archive: Archive) -> None:
    stored = make_article(research_archive.TEA_URL)
    got = archive.article(research_archive.TEA_BIG5_URL)
    assert isinstance(got, Article)
    # Every field comes back as extracted (url: the capture URL of the current version).
    assert dataclasses.replace(got, url=stored.url) == stored
    assert archive.article(999_999) is None


def test_articles_iterates_records_with_filters(archive: Archive) -> None:
    all_articles = list(archive.articles())
    assert [a.published_at for a in all_articles] == sorted(a.published_at for a in all_articles)
    assert len(all_articles) == 6
    by_reporter = list(archive.articles(reporter="鲁毅"))
    assert [a.headline for a in by_reporter] == ["貴州數字經濟加快發展"]
    assert by_reporter[0].script == "zh-Hant"
    assert by_reporter[0].reporters == ("魯毅",)
    assert [a.channel for a in archive.articles(channel="he")] == ["he"]
    assert [a.source for a in archive.articles(source="云南日报")] == ["云南日报"]
    assert len(list(archive.articles(limit=2))) == 2
    yunnan = next(iter(archive.articles(channel="yn")))
    assert [s.heading for s in yunnan.sections] == [None, "特色产业带动增收"]
    assert [(c.role, c.name) for c in yunnan.credits] == [
        ("记者", "赵六"), ("摄影", "孙七"), ("责任编辑", "周八"),
    ]  # fmt: skip


def test_read_sql_returns_a_dataframe(archive: Archive) -> None:
    df = archive.read_sql(
        "SELECT channel, count(*) AS n FROM articles WHERE published_at >= ? GROUP BY channel"
        " ORDER BY channel",
        ["2024"],
    )
    assert list(df.columns) == ["channel", "n"]
    assert df.to_dict("records") == [
        {"channel": "gz", "n": 3}, {"channel": "he", "n": 1}, {"channel": "yn", "n": 1},
    ]  # fmt: skip
    assert "articles_flat" in archive.tables() and "articles_fts_data" not in archive.tables()


def test_archive_is_read_only_and_checks_the_file(archive: Archive, tmp_path: Path) -> None:
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        archive.connection.execute("DELETE FROM articles")
    with pytest.raises(ArchiveError, match="no archive"):
        Archive(tmp_path / "missing.db")
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).execute("CREATE TABLE t(x)").connection.close()
    with pytest.raises(ArchiveError, match="not a newsarchive archive"):
        Archive(empty)
    with Archive(archive.path) as again:
        assert again.stats().articles == 6
