"""Records through the REAL item pipelines (Scrapy's ItemPipelineManager built from a real
crawler with the project's ITEM_PIPELINES and the crawl-run extension) into a real SQLite
file."""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from scrapy import Spider, signals
from scrapy.exceptions import DropItem
from scrapy.pipelines import ItemPipelineManager
from scrapy.utils.test import get_crawler
from store_factory import (
    LEAD,
    PARAGRAPHS,
    SUB_PARAGRAPHS,
    URL,
    article_item,
    error_item,
    list_item,
    make_article,
    make_capture,
    traditional,
)

from newsarchive import textnorm, urls
from newsarchive.records import Credit, Image, Link, PageItem, Section
from newsarchive.settings import EXTENSIONS, ITEM_PIPELINES

CANON = "https://gz.news.cn/2023-11/27/c_1129999001.htm"
T1 = "2026-11-25T01:00:00+00:00"
T2 = "2026-11-26T01:00:00+00:00"
T3 = "2026-11-27T01:00:00+00:00"


class ChannelSpider(Spider):
    name = "channel"


@dataclasses.dataclass
class Crawl:
    stats: dict[str, Any]
    outputs: list[Any]
    dropped: list[str]


def crawl(db: Path, items: Sequence[PageItem]) -> Crawl:
    """Run ``items`` through the project's pipelines as one crawl into ``db``."""
    crawler = get_crawler(
        ChannelSpider,
        {
            "NEWSARCHIVE_DB": str(db),
            "ITEM_PIPELINES": ITEM_PIPELINES,
            "EXTENSIONS": EXTENSIONS,
            "NEWSARCHIVE_CHANNELS": ["gz"],
        },
    )
    crawler.spider = crawler._create_spider()
    manager = ItemPipelineManager.from_crawler(crawler)
    outputs: list[Any] = []
    dropped: list[str] = []

    async def run() -> None:
        crawler.stats.open_spider()
        await manager.open_spider_async()
        crawler.signals.send_catch_log(signals.spider_opened, spider=crawler.spider)
        for item in items:
            try:
                outputs.append(await manager.process_item_async(item))
            except DropItem as exc:
                dropped.append(str(exc))
        await manager.close_spider_async()
        crawler.signals.send_catch_log(
            signals.spider_closed, spider=crawler.spider, reason="finished"
        )

    asyncio.run(run())
    return Crawl(stats=crawler.stats.get_stats(), outputs=outputs, dropped=dropped)


def q(db: Path, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def at(item: PageItem, fetched_at: str) -> PageItem:
    return dataclasses.replace(
        item, captures=tuple(dataclasses.replace(c, fetched_at=fetched_at) for c in item.captures)
    )


# -- URL variants, big5, reprints ----------------------------------------------------------------

VARIANTS = {
    "http://www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm": "alias",
    "https://www.gz.news.cn/2023-11/27/c_1129999001.htm?spm=a.b.c": "alias",
    "http://m.xinhuanet.com/gz/2023-11/27/c_1129999001.htm": "mobile",
    "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm": "big5",
}


def test_every_url_variant_is_one_article(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    items = []
    for url in VARIANTS:
        art = make_article(url)
        if urls.parse(url).big5:
            art = traditional(art, url)
        items.append(article_item(art))
    page2 = URL.replace(".htm", "_2.htm")
    multipage = PageItem(
        captures=(make_capture(URL, body=b"page one"), make_capture(page2, body=b"page two")),
        result=make_article(URL, pages=2),
    )
    items.append(multipage)
    result = crawl(db, items)
    assert q(db, "SELECT id, canonical_url, script FROM articles") == [(1, CANON, "zh-Hans")]
    kinds = dict(q(db, "SELECT url, kind FROM article_urls"))
    assert kinds == {CANON: "canonical", **VARIANTS, page2: "page"}
    assert result.stats["newsarchive/articles/new"] == 1
    assert result.stats["newsarchive/articles/duplicate"] == 4  # each brought a new URL
    assert result.stats["newsarchive/captures/article"] == 6  # captures of article items
    assert q(db, "SELECT outcome, count(*) FROM captures GROUP BY 1") == [
        ("article", 5),
        ("article_page", 1),
    ]
    pages = q(db, "SELECT page, count(*) FROM article_captures GROUP BY page")
    assert pages == [(1, 5), (2, 1)]
    run = q(db, "SELECT spider, channels, articles_new, duplicates, pages_fetched FROM crawl_runs")
    assert run == [("channel", '["gz"]', 1, 4, 6)]
    assert all(isinstance(o, PageItem) for o in result.outputs)


def test_big5_first_then_original_and_exact_reprint(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    big5 = "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm"
    reprint_url = "http://www.news.cn/local/2023-11/28/c_1129999777.htm"
    crawl(
        db,
        [
            article_item(traditional(make_article(big5), big5)),
            article_item(make_article(URL)),
            article_item(make_article(reprint_url)),
        ],
    )
    assert q(db, "SELECT count(*) FROM articles") == [(1,)]
    assert q(db, "SELECT kind FROM article_urls WHERE url = ?", [reprint_url]) == [("reprint",)]
    assert q(db, "SELECT kind FROM article_urls WHERE url = ?", [big5]) == [("big5",)]
    # the original page's text replaced the big5 copy's in place: not an edit, no revision
    original = make_article(URL)
    assert q(db, "SELECT script, headline, body_text, revision FROM articles") == [
        ("zh-Hans", original.headline, original.body_text, 1)
    ]
    assert q(db, "SELECT count(*) FROM revisions") == [(0,)]
    assert q(db, "SELECT c.url FROM articles a JOIN captures c ON c.id = a.capture_id") == [(URL,)]
    assert q(db, "SELECT count(*) FROM article_captures") == [(3,)]  # the mirror's too
    # the traditional copy came first: the search still finds it in simplified script
    hits = q(
        db,
        "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ?",
        [textnorm.fts_phrase("茶产业")],
    )
    assert hits == [(1,)]


# -- near copies -------------------------------------------------------------------------------


def test_near_copy_gets_its_own_row_linked(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    copy_url = "http://www.news.cn/local/2023-11/28/c_1129999888.htm"
    copy = make_article(
        copy_url,
        headline="量价齐升！贵州茶产业交出亮眼成绩单",
        sections=(
            Section(heading=None, paragraphs=(LEAD, PARAGRAPHS[0])),  # one paragraph trimmed
            Section(heading="品牌建设提速", paragraphs=SUB_PARAGRAPHS),
            Section(heading=None, paragraphs=("（本文转载自新华网贵州频道，编者有删节）",)),
        ),
    )
    other = make_article(
        "http://www.gz.xinhuanet.com/2023-11/29/c_1129999555.htm",
        headline="贵州茶叶博览会在遵义开幕",
        sections=(
            Section(
                heading=None,
                paragraphs=(
                    "新华社贵阳11月29日电（记者赵六）第十届贵州茶叶博览会29日在遵义市开幕，"
                    "来自全国二十多个省份的八百余家茶企参展，展期五天。",
                    "本届博览会设置了茶文化展区、茶科技展区和茶旅融合展区，"
                    "并将举办斗茶大赛、茶艺表演等系列活动，预计吸引观众十万人次。",
                    "主办方介绍，博览会期间还将发布年度茶产业发展报告，签约一批招商引资项目。",
                ),
            ),
        ),
    )
    result = crawl(db, [article_item(make_article()), article_item(copy), article_item(other)])
    rows = q(db, "SELECT id, duplicate_of, similarity FROM articles ORDER BY id")
    assert [r[:2] for r in rows] == [(1, None), (2, 1), (3, None)]
    assert rows[1][2] is not None and 0.5 <= rows[1][2] < 1.0
    assert result.stats["newsarchive/articles/near_duplicate"] == 1
    assert result.stats["newsarchive/articles/new"] == 2
    # near copies are not LSH-indexed themselves; originals are
    assert q(db, "SELECT DISTINCT article_id FROM lsh_buckets ORDER BY 1") == [(1,), (3,)]


# -- revisions and takedowns -------------------------------------------------------------------


def edited() -> PageItem:
    art = make_article(
        headline="贵州茶产业今年实现量价齐升（更新）",
        sections=(Section(heading=None, paragraphs=(LEAD, PARAGRAPHS[0], "新增一段补充说明。")),),
        credits=(*make_article().credits[:2], Credit(role="责任编辑", name="赵六")),
        editors=("赵六",),
    )
    return at(article_item(art), T2)


def test_edited_article_keeps_old_version(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    result = crawl(db, [article_item(make_article()), edited()])
    assert result.stats["newsarchive/articles/updated"] == 1
    row = q(
        db,
        "SELECT a.headline, a.revision, a.first_seen, a.updated_at, f.editors"
        " FROM articles a JOIN articles_flat f USING (id)",
    )
    assert row == [("贵州茶产业今年实现量价齐升（更新）", 2, T1, T2, "赵六")]
    rev = q(db, "SELECT revision, replaced_at, changed_fields, headline, record FROM revisions")
    assert len(rev) == 1
    revision, replaced_at, changed, headline, record = rev[0]
    assert (revision, replaced_at, headline) == (1, T2, "贵州茶产业今年实现量价齐升")
    assert json.loads(changed) == ["headline", "editors", "credits", "sections", "body_text"]
    old = json.loads(record)
    assert old["editors"] == ["王五"] and len(old["sections"]) == 2
    assert old["sections"][1]["paragraphs"] == list(SUB_PARAGRAPHS)
    # the full-text index follows the current version
    assert q(
        db, "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", ['"补充 充说"']
    ) == [(1,)]
    assert q(db, "SELECT count(*) FROM sections") == [(1,)]


def test_takedown_then_restore(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    other_url = "http://www.gz.xinhuanet.com/2023-11/29/c_1129999555.htm"
    other = make_article(other_url, headline="另一篇稿件", body_text="正文" * 40)
    result = crawl(
        db,
        [
            article_item(make_article()),
            article_item(other),
            error_item(URL, "http_404", fetched_at=T2),
            error_item(
                other_url,
                "redirect_home",
                status=200,
                fetched_at=T2,
                final_url="http://www.gz.xinhuanet.com/",
            ),
            error_item(URL, "http_404", fetched_at=T2.replace("01:00", "02:00")),  # again: no event
            at(article_item(make_article()), T3),
        ],
    )
    events = q(db, "SELECT article_id, kind, at, status, detail FROM events ORDER BY id")
    assert events == [
        (1, "taken_down", T2, 404, "http_404"),
        (2, "taken_down", T2, 200, "redirect_home"),
        (1, "restored", T3, 200, None),
    ]
    assert q(db, "SELECT id, status FROM articles ORDER BY id") == [(1, "live"), (2, "taken_down")]
    assert result.stats["newsarchive/takedowns"] == 2
    assert result.stats["newsarchive/restored"] == 1
    assert q(db, "SELECT takedowns, errors, errors_by_kind FROM crawl_runs") == [
        (2, 3, '{"http_404":2,"redirect_home":1}')
    ]


# -- validation --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"headline": " \u3000 "}, "no_headline"),
        ({"body_text": "\n\n"}, "no_body"),
        ({"published_at": None}, "no_date"),
        ({"published_at": "2023-11-27 10:46"}, "bad_date"),
    ],
)
def test_invalid_records_are_dropped_but_captured(
    tmp_path: Path, overrides: dict[str, Any], reason: str
) -> None:
    db = tmp_path / "a.db"
    result = crawl(db, [article_item(make_article(**overrides))])
    assert result.stats[f"newsarchive/invalid/{reason}"] == 1
    assert len(result.dropped) == 1 and reason in result.dropped[0]
    assert q(db, "SELECT count(*) FROM articles") == [(0,)]
    assert q(db, "SELECT url, outcome, outcome_detail FROM captures") == [(URL, "invalid", reason)]
    assert q(db, "SELECT invalid, pages_fetched FROM crawl_runs") == [(1, 1)]


def test_normalise_cleans_whitespace_without_changing_text(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    art = make_article(
        headline="  贵州茶产业\u200b今年实现\n量价齐升 ",
        canonical_url=URL,  # not yet canonical: the pipeline recomputes it
        reporters=("张三", "张三", "李四"),
    )
    crawl(db, [article_item(art)])
    assert q(db, "SELECT headline, canonical_url, reporters FROM articles_flat") == [
        ("贵州茶产业今年实现 量价齐升", CANON, "张三; 李四")
    ]


def test_non_articles_keep_captures(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    crawl(db, [list_item("http://www.gz.xinhuanet.com/xwzx/gzld/zyjh4.htm")])
    assert q(db, "SELECT outcome, outcome_detail FROM captures") == [("not_article", "list")]
    assert q(db, "SELECT not_articles FROM crawl_runs") == [(1,)]


# -- idempotency -------------------------------------------------------------------------------

#: Columns a re-run may change; everything else must be identical.
MOVING = {
    "articles": {"last_seen"},
    "article_urls": {"last_seen"},
    "captures": {"last_fetched_at", "fetch_count"},
    # a replay settles the same URLs again: same states, one more attempt
    "frontier": {"attempts", "updated_at", "last_run_id"},
}
SKIP = {"crawl_runs", "schema_version"}


def dump(db: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows (FTS through its own table, not the shadow tables), sorted."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with sqlite3.connect(db) as conn:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master "
                "WHERE type = 'table' AND name NOT LIKE 'articles_fts_%'"
            )
        ]
        for name in names:
            if name in SKIP:
                continue
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info([{name}])")]
            keep = [c for c in cols if c not in MOVING.get(name, set())]
            select = ", ".join(["rowid", *keep] if name == "articles_fts" else keep)
            out[name] = sorted(conn.execute(f"SELECT {select} FROM [{name}]").fetchall(), key=repr)
    return out


def whole_crawl() -> list[PageItem]:
    big5 = "http://big5.news.cn/gate/big5/www.gz.xinhuanet.com/2023-11/27/c_1129999001.htm"
    return [
        article_item(make_article()),
        article_item(traditional(make_article(big5), big5)),
        article_item(make_article("http://m.xinhuanet.com/gz/2023-11/27/c_1129999001.htm")),
        article_item(make_article("http://www.news.cn/local/2023-11/28/c_1129999777.htm")),
        article_item(
            make_article(
                "http://www.news.cn/local/2023-11/28/c_1129999888.htm", headline="转载：茶产业"
            )
        ),
        article_item(make_article(published_at=None, url=URL.replace("001", "002"))),
        edited(),
        list_item("http://www.gz.xinhuanet.com/xwzx/gzld/zyjh4.htm"),
        error_item(
            "http://www.news.cn/local/2023-11/28/c_1129999888.htm", "http_404", fetched_at=T3
        ),
    ]


def test_replaying_the_same_crawl_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    crawl(db, whole_crawl())
    before = dump(db)
    assert len(before["articles"]) == 2 and len(before["revisions"]) == 1
    assert len(before["events"]) == 1
    crawl(db, whole_crawl())
    after = dump(db)
    assert after == before
    runs = q(
        db, "SELECT articles_new, articles_updated, articles_unchanged, duplicates FROM crawl_runs"
    )
    assert runs == [(1, 1, 0, 4), (0, 0, 6, 0)]  # near copies count as duplicates


def test_recrawl_later_moves_only_last_seen_and_fetch_counts(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    crawl(db, whole_crawl())
    before = dump(db)
    # the same world a week later: the edited version online, the near copy still gone
    same_world = [whole_crawl()[i] for i in (5, 6, 7, 8)]
    crawl(db, [at(item, "2026-12-01T00:00:00+00:00") for item in same_world])
    assert dump(db) == before
    assert q(db, "SELECT id, last_seen FROM articles ORDER BY id") == [
        (1, "2026-12-01T00:00:00+00:00"),
        (2, T1),
    ]
    assert q(db, "SELECT max(fetch_count) FROM captures") == [(2,)]


def test_host_alias_copy_with_its_own_image_urls_is_not_a_revision(tmp_path: Path) -> None:
    """Relative image URLs resolve against whichever host alias served the page."""
    db = tmp_path / "a.db"
    alias = "https://www.gz.news.cn/2023-11/27/c_1129999001.htm"
    copy = make_article(
        alias,
        images=(Image(src="https://www.gz.news.cn/2023-11/27/1.jpg", caption="图为茶园。"),),
        related=(Link(title="贵州茶叶出口创新高", url="https://gz.news.cn/2023-11/20/c_1.htm"),),
    )
    result = crawl(db, [article_item(make_article()), at(article_item(copy), T2)])
    assert "newsarchive/articles/updated" not in result.stats
    assert q(db, "SELECT count(*) FROM revisions") == [(0,)]
