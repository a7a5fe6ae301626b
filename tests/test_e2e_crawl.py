"""End to end: real Scrapy, real HTTP on 127.0.0.1, the bundled sample site, a real archive.

``newsarchive crawl gz he --mirror URL`` runs in a subprocess (a Twisted reactor cannot be
restarted inside the test process) against :class:`tools.mirror.CountingMirror` serving
``newsarchive/sample_site``; the archive it writes is checked against the site's ``MANIFEST.json``.
"""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from tools.mirror import CountingMirror
from tools.sitegen import load_manifest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SITE = Path(__file__).resolve().parent.parent / "newsarchive" / "sample_site"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
NON_ARTICLE_KINDS = {"index", "column", "datasource", "topic"}


def run_cli(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=timeout, check=False
    )


@dataclass
class Crawl:
    db: Path
    proc: subprocess.CompletedProcess[str]
    requests: dict[str, int]
    """Mirror keys (``<host>/<path>``) the server was asked for, with counts."""
    manifest: dict[str, Any]

    def rows(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with sqlite3.connect(self.db) as conn:
            return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def server() -> Iterator[CountingMirror]:
    with CountingMirror(SITE) as site:
        yield site


@pytest.fixture(scope="module")
def crawl(server: CountingMirror, tmp_path_factory: pytest.TempPathFactory) -> Crawl:
    db = tmp_path_factory.mktemp("e2e") / "archive.db"
    server.reset()
    proc = run_cli("crawl", "gz", "he", "--mirror", server.url, "--db", str(db), "--no-politeness")
    return Crawl(db=db, proc=proc, requests=dict(server.requests), manifest=load_manifest(SITE))


def test_the_crawl_finishes_and_reports_the_broken_link_as_partial(crawl: Crawl) -> None:
    assert crawl.proc.returncode == 3, crawl.proc.stderr[-3000:]
    assert "articles new        72" in crawl.proc.stdout
    assert "errors              1 (http_404 1)" in crawl.proc.stdout
    (run,) = crawl.rows("SELECT spider, channels, exit_status, errors_by_kind FROM crawl_runs")
    assert run[:3] == ("channel", '["gz","he"]', "partial")
    assert json.loads(run[3]) == {"http_404": 1}


def _groups(manifest: dict[str, Any]) -> dict[str, set[str]]:
    """Story key → every URL it was published under. An exact copy (``duplicate``) belongs to
    its original's story; a reprint (near copy) is a story of its own."""
    groups: dict[str, set[str]] = {}
    for entry in manifest["articles"]:
        key = entry["of"] if entry["kind"] == "duplicate" else entry["key"]
        urls = {entry["url"], *entry["alias_urls"]} | ({entry["big5_url"]} - {None})
        groups.setdefault(key, set()).update(urls)
    return groups


def _row_of(crawl: Crawl, url: str) -> tuple[int, str, int | None]:
    found = crawl.rows(
        "SELECT a.id, a.canonical_url, a.duplicate_of FROM article_urls u "
        "JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
        (url,),
    )
    assert len(found) == 1, f"{url} recorded {len(found)} times"
    return found[0]


def test_the_archive_holds_exactly_the_sites_articles_once(crawl: Crawl) -> None:
    groups = _groups(crawl.manifest)
    assert len(groups) == 73  # 72 distinct stories and one reprint (a near copy)
    rows_of_group = {key: {_row_of(crawl, url)[0] for url in urls} for key, urls in groups.items()}
    assert all(len(ids) == 1 for ids in rows_of_group.values()), rows_of_group
    ids = [next(iter(v)) for v in rows_of_group.values()]
    assert len(set(ids)) == len(ids)  # no row shared by two stories
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == 73
    originals = crawl.rows("SELECT count(*) FROM articles WHERE duplicate_of IS NULL")[0][0]
    assert originals == crawl.manifest["counts"]["distinct_articles"] == 72
    hashes = crawl.rows(
        "SELECT content_hash, count(*) FROM articles GROUP BY content_hash HAVING count(*) > 1"
    )
    assert hashes == []


def test_reprints_are_linked_and_exact_copies_folded(crawl: Crawl) -> None:
    by_key = {a["key"]: a for a in crawl.manifest["articles"]}
    kinds = set()
    for entry in by_key.values():
        if entry["kind"] == "original":
            continue
        kinds.add(entry["kind"])
        original_row = _row_of(crawl, by_key[entry["of"]]["url"])
        own_row = _row_of(crawl, entry["url"])
        if entry["kind"] == "reprint":
            # a near copy: its own row, linked to the other one (whichever was crawled second
            # points at whichever was crawled first)
            assert own_row[0] != original_row[0]
            assert (own_row[2], original_row[2]) in {(original_row[0], None), (None, own_row[0])}
        else:  # the same text under another URL: one row for both
            assert own_row == original_row and own_row[2] is None
    assert kinds == {"reprint", "duplicate"}


def test_every_url_of_an_article_is_recorded_big5_and_host_aliases_included(
    crawl: Crawl,
) -> None:
    checked = 0
    for urls in _groups(crawl.manifest).values():
        rows = {_row_of(crawl, url) for url in urls}
        assert len(rows) == 1
        checked += len(urls)
    big5 = crawl.rows("SELECT count(*) FROM article_urls WHERE url LIKE '%/gate/big5/%'")[0][0]
    assert big5 == crawl.manifest["counts"]["big5_copies"] == 4
    assert checked >= 74 + 4 + 6


def test_a_mobile_copy_is_an_alias_of_its_article(crawl: Crawl) -> None:
    """``m.xinhuanet.com/gz/…`` serves a Guizhou page under the channel's path prefix: it is
    fetched, kept as a capture and recorded as a ``mobile`` URL of the same article."""
    mobile = [
        (entry, url)
        for entry in crawl.manifest["articles"]
        for url in entry["alias_urls"]
        if url.startswith("http://m.xinhuanet.com/gz/")
    ]
    assert len(mobile) == 1
    for entry, url in mobile:
        ((article_id, canonical, kind),) = crawl.rows(
            "SELECT a.id, a.canonical_url, u.kind FROM article_urls u "
            "JOIN articles a ON a.id = u.article_id WHERE u.url = ?",
            (url,),
        )
        assert (canonical, kind) == (entry["canonical_url"], "mobile")
        assert _row_of(crawl, entry["url"])[0] == article_id
        assert crawl.rows("SELECT outcome, status FROM captures WHERE url = ?", (url,)) == [
            ("article", 200)
        ]
        assert crawl.requests[url.split("://", 1)[1]] == 1


def test_multi_page_articles_are_joined_with_every_pages_text(crawl: Crawl) -> None:
    multi = [a for a in crawl.manifest["articles"] if a["pages"] > 1]
    assert {a["multipage"] for a in multi} >= {"old_pages", "pagebreak", "xinhuabreak"}
    for entry in multi:
        ((article_id, pages),) = crawl.rows(
            "SELECT id, pages FROM articles WHERE canonical_url = ?", (entry["canonical_url"],)
        )
        assert pages == entry["pages"], entry["key"]
        ((paragraphs,),) = crawl.rows(
            "SELECT count(*) FROM paragraphs WHERE article_id = ?", (article_id,)
        )
        assert paragraphs == entry["paragraphs"], entry["key"]
        for url in entry["page_urls"]:  # old-era pages: each fetched once, kept as evidence
            rows = crawl.rows("SELECT outcome, status FROM captures WHERE url = ?", (url,))
            assert rows == [("article_page", 200)], url
            assert crawl.requests[url.split("://", 1)[1]] == 1


def test_non_article_pages_and_the_broken_link_are_accounted_for(crawl: Crawl) -> None:
    pages = crawl.manifest["pages"]
    for page in pages:
        rows = crawl.rows(
            "SELECT outcome, outcome_detail, status FROM captures WHERE url = ?", (page["url"],)
        )
        if page["kind"] in NON_ARTICLE_KINDS:
            # Fetched once and kept; counted as a non-article (or, when the extractor takes
            # a list for an undated article, as an invalid record: never as an article).
            assert [r[0] for r in rows] in (["not_article"], ["invalid"]), page
        elif page["kind"] == "broken_link":
            assert rows == [("error", "http_404", 404)]
    ((not_articles, invalid, pages_fetched, errors),) = crawl.rows(
        "SELECT not_articles, invalid, pages_fetched, errors FROM crawl_runs"
    )
    expected = sum(1 for p in pages if p["kind"] in NON_ARTICLE_KINDS)
    assert not_articles + invalid == expected
    assert not_articles >= expected // 2
    assert errors == 1
    assert pages_fetched == crawl.rows("SELECT count(*) FROM captures")[0][0]


def test_the_crawl_never_leaves_the_channels_and_obeys_robots_through_the_mirror(
    crawl: Crawl,
) -> None:
    hosts = {key.split("/", 1)[0] for key in crawl.requests}
    assert "www.news.cn" not in hosts  # the off-site link in a column datasource
    assert hosts <= {
        "gz.news.cn", "www.gz.news.cn", "www.gz.xinhuanet.com",
        "he.news.cn", "www.he.news.cn", "www.he.xinhuanet.com", "big5.news.cn",
        "m.xinhuanet.com",
    }  # fmt: skip
    assert crawl.requests["gz.news.cn/robots.txt"] == 1
    disallowed = [p["url"] for p in crawl.manifest["pages"] if p["expected"] == "disallowed"]
    assert disallowed
    for url in disallowed:
        assert url.split("://", 1)[1] not in crawl.requests
        assert crawl.rows("SELECT 1 FROM captures WHERE url = ?", (url,)) == []


def test_captures_keep_real_urls_and_back_every_article(crawl: Crawl) -> None:
    leaked = crawl.rows("SELECT url FROM captures WHERE url LIKE '%127.0.0.1%'")
    assert leaked == []
    hosts = {urlsplit(u).hostname for (u,) in crawl.rows("SELECT final_url FROM captures")}
    assert "127.0.0.1" not in hosts
    missing = crawl.rows(
        "SELECT canonical_url FROM articles WHERE capture_id IS NULL "
        "OR capture_id NOT IN (SELECT id FROM captures)"
    )
    assert missing == []
    gbk = [a for a in crawl.manifest["articles"] if a["encoding"] != "utf-8"]
    assert gbk
    for entry in gbk:
        ((encoding, article_encoding),) = crawl.rows(
            "SELECT c.encoding, a.encoding FROM articles a JOIN captures c ON c.id = a.capture_id "
            "WHERE a.canonical_url = ?",
            (entry["canonical_url"],),
        )
        assert encoding == article_encoding == "gb18030", entry["key"]
    # Every article records the encoding its page was decoded with, as its capture does.
    assert (
        crawl.rows(
            "SELECT a.canonical_url FROM articles a JOIN captures c ON c.id = a.capture_id "
            "WHERE a.encoding IS NULL OR a.encoding IS NOT c.encoding"
        )
        == []
    )
    fetched = crawl.rows("SELECT fetched_at, headers FROM captures LIMIT 1")[0]
    assert fetched[0].endswith("+00:00")
    assert "content-type" in {name for name, _ in json.loads(fetched[1])}


def test_a_second_crawl_stores_nothing_new(crawl: Crawl, server: CountingMirror) -> None:
    before = crawl.rows("SELECT count(*) FROM articles")[0][0]
    revisions = crawl.rows("SELECT count(*) FROM revisions")[0][0]
    proc = run_cli(
        "-q", "crawl", "gz", "he", "--mirror", server.url, "--db", str(crawl.db), "--no-politeness"
    )
    assert proc.returncode in (0, 3), proc.stderr[-2000:]
    assert crawl.rows("SELECT count(*) FROM articles")[0][0] == before
    assert crawl.rows("SELECT count(*) FROM revisions")[0][0] == revisions
    last = crawl.rows("SELECT articles_new, articles_updated FROM crawl_runs ORDER BY id DESC")[0]
    assert last == (0, 0)
