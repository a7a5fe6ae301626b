"""``newsarchive backfill --common-crawl`` end to end against our own Common Crawl index +
data server on 127.0.0.1 (tools/ccserver.py): the sample site captured in January 2024 and
its edited-later overlay in September 2024, written as WARC files with warcio; each record is
fetched once by an HTTP range request; a second backfill fetches nothing."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive import urls
from newsarchive.webarchive import cdx, commoncrawl
from tools.ccserver import CRAWL, CommonCrawl, serve
from tools.warcsite import Page, site_pages

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
V2 = REPO / "newsarchive" / "sample_site_v2"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
EDITED_URL = "https://gz.news.cn/20240731/f9ec972a4abd4537e28cb9271fac1c2e/c.html"
MULTI = "https://gz.news.cn/2015-08/19/c_1117978327.htm"
T1, T2 = "20240115000000", "20240901000000"


def html(site: Path) -> list[Page]:
    return [p for p in site_pages(site) if p.content_type.startswith("text/html")]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, CommonCrawl]]:
    cc = CommonCrawl(page_size=7)  # several index pages per host
    cc.add(T1, html(SITE))
    cc.add(T2, html(V2))
    with serve(cc) as base:
        yield base, cc


def backfill(base: str, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "backfill", "gz", "--common-crawl", CRAWL, "--since", "2024-01-01",
         "--until", "2024-12-31", "--cdx", f"{base}/{CRAWL}-index", "--replay", f"{base}/data",
         "--delay", "0", "--db", str(db), *extra],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO,
    )  # fmt: skip


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def first_run(
    served: tuple[str, CommonCrawl], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str], dict[tuple[str, int], int]]:
    base, cc = served
    db = tmp_path_factory.mktemp("cc") / "archive.db"
    proc = backfill(base, db)
    return db, proc, dict(cc.ranges)


def test_each_record_is_fetched_once_by_range(
    served: tuple[str, CommonCrawl],
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[tuple[str, int], int]],
) -> None:
    _, cc = served
    _, proc, ranges = first_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert set(ranges.values()) == {1}
    by_place = {(str(r["filename"]), int(str(r["offset"]))): str(r["url"]) for r in cc.index}
    fetched = [by_place[place] for place in ranges]
    first_pages = {
        p.url
        for p in html(SITE)
        if urls.channel_of(p.url) == "gz"
        and urls.is_article_url(p.url)
        and urls.page_number(p.url) == 1
        and not p.url.startswith("http://big5.")  # big5.news.cn: a host no query asks for
    }
    assert first_pages <= set(fetched)
    assert fetched.count(EDITED_URL) == 2  # its two captures
    # the multi-page article's later pages, from the capture nearest in time
    assert {u for u in fetched if urls.page_number(u) > 1} >= {
        "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327_2.htm",
        "http://www.gz.xinhuanet.com/2015-08/19/c_1117978327_3.htm",
    }
    # the index was read page by page (showNumPages, then page=0…)
    assert cc.requests[f"/{CRAWL}-index"] > 2
    assert "captures listed" in proc.stdout


def test_the_overlay_edit_is_a_revision_with_its_provenance(
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[tuple[str, int], int]],
) -> None:
    db, _, _ = first_run
    ((article_id, revision, headline),) = rows(
        db, "SELECT id, revision, headline FROM articles WHERE canonical_url = ?", EDITED_URL
    )
    assert (revision, str(headline).endswith("（更新）")) == (2, True)
    assert rows(db, "SELECT replaced_at FROM revisions WHERE article_id = ?", article_id) == [
        ("2024-09-01T00:00:00+00:00",)
    ]
    found = rows(
        db,
        "SELECT o.origin, o.source, o.record_id, o.record_offset, o.captured_at "
        "FROM capture_origins o JOIN captures c ON c.id = o.capture_id WHERE c.url = ? "
        "ORDER BY o.captured_at",
        EDITED_URL,
    )
    assert [(r[0], r[2], r[4]) for r in found] == [
        ("commoncrawl", f"{T1} {EDITED_URL}", "2024-01-15T00:00:00+00:00"),
        ("commoncrawl", f"{T2} {EDITED_URL}", "2024-09-01T00:00:00+00:00"),
    ]
    assert str(found[0][1]).endswith(f"/data/crawl-data/{CRAWL}/segments/{T1}.warc.gz")
    assert isinstance(found[0][3], int)
    ((pages,),) = rows(db, "SELECT pages FROM articles WHERE canonical_url = ?", MULTI)
    assert pages == 3
    assert rows(db, "SELECT count(*) FROM article_urls WHERE url LIKE 'http://127.0.0.1%'") == [
        (0,)
    ]


def test_a_second_backfill_fetches_nothing_new(
    served: tuple[str, CommonCrawl],
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[tuple[str, int], int]],
) -> None:
    base, cc = served
    db, _, before = first_run
    captures = rows(db, "SELECT count(*) FROM captures")
    proc = backfill(base, db)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert dict(cc.ranges) == before
    assert rows(db, "SELECT count(*) FROM captures") == captures
    assert "fetched 0" in proc.stdout


def test_the_index_query_and_record_request() -> None:
    query = commoncrawl.query_url(
        cdx.common_crawl_index("CC-MAIN-2024-33"), "gz.news.cn", since="2024-01-01", until=None,
        page=None,
    )  # fmt: skip
    assert query.startswith("https://index.commoncrawl.org/CC-MAIN-2024-33-index?url=gz.news.cn")
    assert "showNumPages=true" in query and "filter=%3Dstatus%3A200" in query
    assert "from=20240101000000" in query
    listed = commoncrawl.parse(
        b'{"urlkey": "cn,news,gz)/", "timestamp": "20240801000000", "url": "https://gz.news.cn/",'
        b' "status": "200", "digest": "ABC", "length": "100", "offset": "2000",'
        b' "filename": "crawl-data/x.warc.gz"}\n'
    )
    assert [(c.original, c.offset, c.length, c.record_id) for c in listed] == [
        ("https://gz.news.cn/", 2000, 100, "20240801000000 https://gz.news.cn/")
    ]
    assert commoncrawl.record_request(cdx.COMMON_CRAWL_DATA, listed[0]) == (
        "https://data.commoncrawl.org/crawl-data/x.warc.gz",
        {"Range": "bytes=2000-2099"},
    )


def test_a_bad_crawl_id_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "backfill", "gz", "--common-crawl", "2024-33", "--db", str(tmp_path / "a.db")],
        capture_output=True, text=True, timeout=60, check=False, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "not a crawl id" in proc.stderr
    assert not (tmp_path / "a.db").exists()
