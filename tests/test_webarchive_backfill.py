"""``newsarchive backfill`` end to end against our own CDX + replay server on 127.0.0.1, over
the sample site (captured in January 2024) and its edited-later overlay (September 2024)."""

from __future__ import annotations

import re
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive import urls
from tools.cdxserver import Archive, serve
from tools.warcsite import site_pages

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
V2 = REPO / "newsarchive" / "sample_site_v2"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
EDITED_URL = "https://gz.news.cn/20240731/f9ec972a4abd4537e28cb9271fac1c2e/c.html"
T1, T2 = "20240115000000", "20240901000000"


def html(site: Path) -> list[object]:
    return [p for p in site_pages(site) if p.content_type.startswith("text/html")]


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[str, Archive]]:
    archive = Archive()
    archive.add(T1, html(SITE))  # type: ignore[arg-type]
    archive.add(T2, html(V2))  # type: ignore[arg-type]
    archive.throttle.add(f"/web/{T2}id_/{EDITED_URL}")
    with serve(archive) as base:
        yield base, archive


def backfill(base: str, db: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "backfill", "gz", "--since", "2024-01-01", "--until", "2024-12-31",
         "--cdx", f"{base}/cdx", "--replay", f"{base}/web", "--delay", "0",
         "--db", str(db), *extra],
        capture_output=True, text=True, timeout=300, check=False, cwd=REPO,
    )  # fmt: skip


def replayed(archive: Archive) -> dict[str, int]:
    """Replay requests by the page URL they asked for."""
    found: dict[str, int] = {}
    for path, n in archive.requests.items():
        if path.startswith("/web/"):
            url = path.split("id_/", 1)[1]
            found[url] = found.get(url, 0) + n
    return found


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture(scope="module")
def first_run(
    served: tuple[str, Archive], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, subprocess.CompletedProcess[str], dict[str, int]]:
    base, archive = served
    db = tmp_path_factory.mktemp("backfill") / "archive.db"
    proc = backfill(base, db)
    return db, proc, replayed(archive)


def test_backfill_fetches_each_capture_once(
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[str, int]],
) -> None:
    db, proc, fetched = first_run
    assert proc.returncode == 0, proc.stderr[-3000:]
    gz_pages = {
        p.url  # type: ignore[attr-defined]
        for p in html(SITE)
        if urls.channel_of(p.url) == "gz"  # type: ignore[attr-defined]
        and urls.is_article_url(p.url)  # type: ignore[attr-defined]
        and not p.url.startswith("http://big5.")  # type: ignore[attr-defined]
    }
    first_pages = {u for u in gz_pages if urls.page_number(u) == 1}
    assert first_pages <= set(fetched)
    # once per capture: the edited page twice (two captures) plus the one 429 retry
    assert fetched[EDITED_URL] == 3
    assert {n for url, n in fetched.items() if url != EDITED_URL} == {1}
    articles = {str(u) for (u,) in rows(db, "SELECT canonical_url FROM articles")}
    assert {urls.canonical_url(u) for u in first_pages} - articles <= {
        "https://gz.news.cn/2021-03/02/c_1126672497.htm",  # the duplicate: an alias
        "https://gz.news.cn/preview/20250301/10d911c322688012b3c7c267883565be/c.html",
    }
    assert "captures listed" in proc.stdout


def test_the_overlay_edit_becomes_a_revision_at_capture_time(
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[str, int]],
) -> None:
    db, _, _ = first_run
    ((article_id, revision, headline),) = rows(
        db, "SELECT id, revision, headline FROM articles WHERE canonical_url = ?", EDITED_URL
    )
    assert revision == 2
    assert str(headline).endswith("（更新）")
    history = rows(db, "SELECT replaced_at FROM revisions WHERE article_id = ?", article_id)
    assert history == [("2024-09-01T00:00:00+00:00",)]
    origins = rows(
        db,
        "SELECT o.origin, o.record_id, o.captured_at, o.payload_digest, c.url "
        "FROM capture_origins o JOIN captures c ON c.id = o.capture_id "
        "WHERE c.url = ? ORDER BY o.captured_at",
        EDITED_URL,
    )
    assert [(o[0], o[1], o[2]) for o in origins] == [
        ("wayback", f"{T1} {EDITED_URL}", "2024-01-15T00:00:00+00:00"),
        ("wayback", f"{T2} {EDITED_URL}", "2024-09-01T00:00:00+00:00"),
    ]
    assert all(re.fullmatch(r"sha1:[A-Z2-7]{32}", str(o[3])) for o in origins)
    # the extractor saw the real URL, never the replay URL
    replay = rows(db, "SELECT count(*) FROM article_urls WHERE url LIKE 'http://127.0.0.1%'")
    assert replay == [(0,)]


def test_a_multipage_article_is_joined_from_the_same_time(
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[str, int]],
) -> None:
    db, _, _ = first_run
    ((pages,),) = rows(
        db,
        "SELECT pages FROM articles WHERE canonical_url = ?",
        "https://gz.news.cn/2015-08/19/c_1117978327.htm",
    )
    assert pages == 3


def test_a_second_backfill_fetches_nothing_new(
    served: tuple[str, Archive],
    first_run: tuple[Path, subprocess.CompletedProcess[str], dict[str, int]],
) -> None:
    base, archive = served
    db, _, before = first_run
    captures = rows(db, "SELECT count(*) FROM captures")
    proc = backfill(base, db)
    assert proc.returncode == 0, proc.stderr[-3000:]
    after = replayed(archive)
    assert sum(after.values()) == sum(before.values())
    assert rows(db, "SELECT count(*) FROM captures") == captures
    assert re.search(r"already imported (\d+)", proc.stdout)
    assert "fetched 0" in proc.stdout
    ((spider, pages),) = rows(
        db, "SELECT spider, pages_fetched FROM crawl_runs ORDER BY id DESC LIMIT 1"
    )
    assert (spider, pages) == ("backfill", 0)


def test_a_bad_date_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [*CLI, "backfill", "gz", "--since", "2024-13", "--db", str(tmp_path / "a.db")],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 2
    assert "not a date" in proc.stderr or "--since" in proc.stderr
    assert not (tmp_path / "a.db").exists()
