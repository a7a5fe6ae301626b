"""The Store write API against a real SQLite file."""

from __future__ import annotations

import dataclasses
import json
import zlib
from pathlib import Path

import pytest
from store_factory import URL, article_item, error_item, list_item, make_article, make_capture

from newsarchive import textnorm
from newsarchive.records import Capture, PageItem, Section
from newsarchive.store import Store, rows
from newsarchive.store.migrations import SCHEMA_VERSION


@pytest.fixture
def store(tmp_path: Path) -> Store:
    s = Store(tmp_path / "archive.db")
    yield s  # type: ignore[misc]
    s.close()


def test_open_sets_wal_foreign_keys_and_busy_timeout(store: Store) -> None:
    conn = store.db.conn
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == 30000
    versions = [r[0] for r in conn.execute("SELECT version FROM schema_version ORDER BY 1")]
    assert versions == list(range(1, SCHEMA_VERSION + 1))


def test_run_lifecycle_counts_items(store: Store) -> None:
    run = store.start_run("gz", channels=["gz"], options={"depth": 2})
    store.store_item(article_item(make_article()), run_id=run)
    store.store_item(list_item("http://www.gz.xinhuanet.com/xwzx/gzld/zyjh4.htm"), run_id=run)
    store.store_item(
        error_item("http://www.gz.xinhuanet.com/x.htm", "http_500", status=500), run_id=run
    )
    store.finish_run(run, exit_status="finished", errors_by_kind={"timeout": 2})
    row = store.run(run)
    assert row["channels"] == ["gz"] and row["options"] == {"depth": 2}
    assert row["pages_fetched"] == 3
    assert row["articles_new"] == 1
    assert row["not_articles"] == 1
    assert row["errors_by_kind"] == {"http_500": 1, "timeout": 2}
    assert row["errors"] == 3
    assert row["exit_status"] == "finished" and row["finished_at"]


def test_pages_fetched_counts_answered_pages_only(store: Store) -> None:
    run = store.start_run("channel", channels=["gz"])
    store.store_item(article_item(make_article()), run_id=run)
    store.store_item(error_item("http://www.gz.xinhuanet.com/gone.htm", "http_404"), run_id=run)
    no_response = error_item("http://www.gz.xinhuanet.com/x.htm", "timeout", status=0)
    store.store_item(no_response, run_id=run)
    row = store.run(run)
    assert (row["pages_fetched"], row["errors"]) == (2, 2)  # the timeout is an error, not a page


def test_an_article_reached_through_a_second_url_in_one_run_is_a_duplicate(
    store: Store,
) -> None:
    # The alias page names its canonical URL; the canonical page is then fetched in the same
    # run: a copy from a URL the article was not fetched from, not an unchanged article.
    alias = "http://www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm"
    canonical = make_article(alias).canonical_url
    assert canonical != alias
    run = store.start_run("channel", channels=["gz"])
    first = store.store_item(article_item(make_article(alias)), run_id=run).article
    own = make_article(canonical)
    second = store.store_item(article_item(own), run_id=run).article
    again = store.store_item(
        article_item(own, fetched_at="2026-11-26T01:00:00+00:00"), run_id=run
    ).article
    assert first is not None and second is not None and again is not None
    assert [first.outcome, second.outcome, again.outcome] == ["new", "duplicate", "unchanged"]
    row = store.run(run)
    assert (row["articles_new"], row["duplicates"], row["articles_unchanged"]) == (1, 1, 1)


def test_capture_dedup_on_url_and_bytes(store: Store) -> None:
    first = make_capture(URL, body=b"<html>a</html>", fetched_at="2026-11-25T01:00:00+00:00")
    again = dataclasses.replace(first, fetched_at="2026-11-26T01:00:00+00:00")

    def add(capture: Capture) -> int:
        (cid,) = store.store_item(PageItem(captures=(capture,), result=None, error="x")).capture_ids
        return cid

    a = add(first)
    assert add(first) == a  # the very same fetch stored twice: nothing moves
    assert add(again) == a
    row = store.db.execute(
        "SELECT body, size, fetch_count, fetched_at, last_fetched_at, headers FROM captures"
    ).fetchall()
    assert len(row) == 1
    body, size, count, fetched, last, headers = row[0]
    assert zlib.decompress(body) == b"<html>a</html>" and size == 14
    assert (count, fetched, last) == (2, first.fetched_at, again.fetched_at)
    assert json.loads(headers)[0] == ["content-type", "text/html; charset=utf-8"]
    other = add(dataclasses.replace(first, body=b"<html>b</html>"))
    assert other != a


def test_store_new_article_all_tables(store: Store) -> None:
    art = make_article()
    result = store.store_item(article_item(art))
    assert result.article is not None and result.article.outcome == "new"
    aid = result.article.article_id
    row = store.db.table("articles").get(aid)
    assert row["canonical_url"] == "https://gz.news.cn/2023-11/27/c_1129999001.htm"
    assert row["channel"] == "gz" and row["xinhua_id"] == "1129999001"
    assert row["dateline_place"] == "贵阳" and row["body_text"] == art.body_text
    assert row["first_seen"] == "2026-11-25T01:00:00+00:00" and row["status"] == "live"
    assert row["capture_id"] == result.capture_ids[0]
    q = store.db.execute
    assert q(
        "SELECT position, heading FROM sections WHERE article_id=? ORDER BY position", [aid]
    ).fetchall() == [(0, None), (1, "品牌建设提速")]
    paragraphs = q(
        "SELECT section, position, text FROM paragraphs WHERE article_id=? "
        "ORDER BY section, position",
        [aid],
    ).fetchall()
    assert paragraphs == [
        (i, j, p) for i, s in enumerate(art.sections) for j, p in enumerate(s.paragraphs)
    ]
    assert [p[:2] for p in paragraphs] == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1)]
    assert q("SELECT position, keyword FROM keywords WHERE article_id=?", [aid]).fetchall() == [
        (i, k) for i, k in enumerate(art.keywords)
    ]
    assert q("SELECT role, name FROM credits ORDER BY position").fetchall() == [
        ("记者", "张三"),
        ("记者", "李四"),
        ("责任编辑", "王五"),
    ]
    assert q("SELECT caption FROM images").fetchall() == [("图为茶园。",)]
    assert q("SELECT title FROM related_links").fetchall() == [("贵州茶叶出口创新高",)]
    assert dict(q("SELECT url, kind FROM article_urls").fetchall()) == {
        "https://gz.news.cn/2023-11/27/c_1129999001.htm": "canonical",
        URL: "alias",
    }
    search = "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?"
    assert q(search, [textnorm.fts_phrase("茶產業")]).fetchall() == []  # queued, not yet indexed
    assert store.flush_fts() == 1
    assert q(search, [textnorm.fts_phrase("茶產業")]).fetchall() == [(aid,)]
    flat = q(
        "SELECT published_date, month, reporters, editors, credits, keywords FROM articles_flat"
    ).fetchone()
    assert flat == (
        "2023-11-27",
        "2023-11",
        "张三; 李四",
        "王五",
        "记者:张三; 记者:李四; 责任编辑:王五",
        "; ".join(art.keywords),
    )
    assert store.db.execute("SELECT count(*) FROM keywords").fetchone()[0] == len(art.keywords) > 0
    assert q("SELECT count(*) FROM lsh_buckets WHERE article_id=?", [aid]).fetchone()[0] == 16


def test_a_takedown_of_any_spelling_of_a_known_url(store: Store) -> None:
    store.store_item(article_item(make_article()))
    unknown = store.store_item(error_item("http://example.com/x.htm", "http_404"))
    assert unknown.event_id is None
    mobile = "http://m.xinhuanet.com/gz/2023-11/27/c_1129999001.htm"
    gone = store.store_item(error_item(mobile, "http_404", fetched_at="2026-12-01T00:00:00+00:00"))
    assert gone.event_id is not None
    again = store.store_item(error_item(URL, "http_410", fetched_at="2026-12-02T00:00:00+00:00"))
    assert again.event_id is None  # already taken down
    assert store.db.execute("SELECT status, status_changed_at FROM articles").fetchall() == [
        ("taken_down", "2026-12-01T00:00:00+00:00")
    ]
    assert store.db.execute("SELECT kind, url, status, detail FROM events").fetchall() == [
        ("taken_down", mobile, 404, "http_404")
    ]


def test_a_page_gone_in_the_same_second_it_was_seen_is_a_takedown(store: Store) -> None:
    """Times are kept to the second: a 404 stored after the page was seen alive in that same
    second is the later observation (the demo's two visits can meet so); one from the second
    before is an out-of-order fetch and changes nothing."""
    seen = "2026-11-25T01:00:00+00:00"
    store.store_item(article_item(make_article(), fetched_at=seen))
    late = store.store_item(error_item(URL, "http_404", fetched_at="2026-11-25T00:59:59+00:00"))
    assert late.event_id is None
    gone = store.store_item(error_item(URL, "http_404", fetched_at=seen))
    assert gone.event_id is not None
    # …and a copy seen alive again in that second restores it.
    back = store.store_item(article_item(make_article(), fetched_at=seen))
    assert back.article is not None and back.article.restored
    assert store.db.execute("SELECT status FROM articles").fetchall() == [("live",)]


def test_reextract_yields_latest_capture_with_pages(store: Store) -> None:
    page2 = URL.replace(".htm", "_2.htm")
    art = make_article(pages=2)
    item = PageItem(
        captures=(make_capture(URL, body=b"p1"), make_capture(page2, body=b"p2")), result=art
    )
    res = store.store_item(item)
    later = PageItem(
        captures=(make_capture(URL, body=b"p1 new", fetched_at="2026-11-27T00:00:00+00:00"),),
        result=None,
        error="http_500",
    )
    store.store_item(later)
    sources = list(store.iter_reextract())
    assert len(sources) == 1  # a later failed fetch does not hide the last good capture
    src = sources[0]
    assert src.capture_ids == res.capture_ids
    assert [c.body for c in src.captures] == [b"p1", b"p2"]
    assert src.article_id == res.article.article_id  # type: ignore[union-attr]


def test_invalid_item_keeps_capture_only(store: Store) -> None:
    art = make_article(sections=(Section(heading=None, paragraphs=()),), body_text="")
    res = store.store_item(article_item(art), invalid_reason="no_body")
    assert res.article is None and res.capture_outcome == "invalid"
    assert store.db.execute("SELECT count(*) FROM articles").fetchone()[0] == 0
    assert store.db.execute("SELECT outcome, outcome_detail FROM captures").fetchall() == [
        ("invalid", "no_body")
    ]


def test_fts_is_flushed_in_batches_on_close_and_after_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "a.db"
    search = "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH '\"茶产 产业\"'"
    store = Store(path, fts_batch=2)
    store.store_item(article_item(make_article()))
    assert store.db.execute(search).fetchone()[0] == 0
    store.store_item(article_item(make_article(URL.replace("001", "002"), headline="另一篇")))
    assert store.db.execute(search).fetchone()[0] == 2  # the batch of 2 was indexed
    store.store_item(article_item(make_article(URL.replace("001", "003"), headline="第三篇")))
    store.db.conn.close()  # killed: no flush
    with Store(path) as reopened:  # the queue left behind is indexed on open
        assert reopened.db.execute(search).fetchone()[0] == 3
        assert reopened.db.execute("SELECT count(*) FROM fts_pending").fetchone()[0] == 0
    with Store(path, fts_batch=1) as store:
        store.store_item(article_item(make_article(URL.replace("001", "004"), headline="第四")))
        assert store.db.execute(search).fetchone()[0] == 4


def test_older_fetch_never_rolls_back(store: Store) -> None:
    store.store_item(
        article_item(make_article(headline="新标题"), fetched_at="2026-11-26T00:00:00+00:00")
    )
    old = store.store_item(article_item(make_article(), fetched_at="2026-11-25T00:00:00+00:00"))
    assert old.article is not None and old.article.outcome == "unchanged"
    assert store.db.execute("SELECT headline, revision FROM articles").fetchall() == [("新标题", 1)]


def test_batched_folding_equals_folding_each_field() -> None:
    """rows.comparable folds all short fields in one call; it must equal folding each."""

    def each(value: object) -> object:
        if isinstance(value, str):
            return textnorm.fold(value)
        if isinstance(value, dict):
            return {k: each(v) for k, v in value.items()}
        if isinstance(value, list):
            return [each(v) for v in value]
        return value

    art = make_article(
        headline=" 貴州 茶產業\u3000量價齊升 ",
        subtitle="ＡＢＣ　１２３ 新闻",
        source=" 贵州日报 ",
        editors=(" 王 五 ", "趙六"),
        keywords=("茶 产业", "  ", "a  b"),
    )
    record = art.to_dict()
    got = rows.comparable(art)
    for name in ("headline", "subtitle", "source", "editors", "keywords"):
        assert got[name] == each(record[name]), name
    assert got["editors"] == ["王五", "赵六"]


def test_a_differing_reprint_never_revises_the_original(store: Store) -> None:
    reprint_url = "http://www.news.cn/local/2023-11/28/c_1129999777.htm"
    store.store_item(article_item(make_article()))
    copy = make_article(reprint_url)
    first = store.store_item(article_item(copy))
    assert first.article is not None and first.article.outcome == "duplicate"
    other_links = make_article(reprint_url, related=())  # the reprint page's own links
    again = store.store_item(article_item(other_links, fetched_at="2026-12-01T00:00:00+00:00"))
    assert again.article is not None and again.article.outcome == "unchanged"
    assert store.db.execute("SELECT count(*) FROM revisions").fetchone()[0] == 0
    assert store.db.execute("SELECT count(*) FROM related_links").fetchone()[0] == 1
