"""``newsarchive import``: WARC files built with warcio from the sample site, with the damage
real files have (a gzip member cut short, a file cut short, revisits, images, other hosts, the
same page at three times, files given out of date order)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.warcwriter import WARCWriter

from tools.warcsite import Page, site_pages, warc_bytes, write_warc

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
V2 = REPO / "newsarchive" / "sample_site_v2"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]

EDITED = "gz.news.cn/20240731/f9ec972a4abd4537e28cb9271fac1c2e/c.html"
EDITED_URL = "https://" + EDITED
OLD = "www.gz.xinhuanet.com/2015-04/13/c_1117430129.htm"
CUT = "gz.news.cn/20240203/869dd0f9e1457ad03b04dadeb39410dc/c.html"
TAIL = "gz.news.cn/20240503/b3434b81a924e727443272d22424c59b/c.html"
MULTI = "www.gz.xinhuanet.com/2015-08/19/c_1117978327"
IMAGE = "gz.news.cn/2022-07/15/1128824499_165791221800011n.jpg"


#: The imported archive, the import's output and the files given.
Imported = tuple[Path, subprocess.CompletedProcess[str], list[Path]]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=240, check=False, cwd=REPO
    )


def page(relative: str, date: str, *, site: Path = SITE, body: bytes | None = None) -> Page:
    content = body if body is not None else (site / relative).read_bytes()
    ctype = "image/jpeg" if relative.endswith(".jpg") else "text/html"
    return Page(f"https://{relative}" if "news.cn" in relative else f"http://{relative}",
                ctype, content, date)  # fmt: skip


def v3_body() -> bytes:
    return (V2 / EDITED).read_bytes().replace("（更新）".encode(), "（再次更新）".encode())


def build(tmp: Path) -> list[Path]:
    """Three files, given newest first: the edited page at three times across them."""
    newest = tmp / "c-newest.warc.gz"
    write_warc(newest, [page(EDITED, "2024-08-20T00:00:00Z", body=v3_body())])
    # middle file: the v2 edit, an old-era page, a multi-page article, an image, a page of
    # another host, a revisit; then a page whose gzip member is cut in half, then one more page
    middle = tmp / "b-middle.warc.gz"
    write_warc(
        middle,
        [
            page(EDITED, "2024-08-05T00:00:00Z", site=V2),
            page(OLD, "2016-01-01T00:00:00Z"),
            page(f"{MULTI}.htm", "2016-01-01T00:00:00Z"),
            page(f"{MULTI}_2.htm", "2016-01-01T00:01:00Z"),
            page(f"{MULTI}_3.htm", "2016-01-01T00:02:00Z"),
            page(IMAGE, "2024-08-05T00:00:00Z"),
            Page(
                "https://www.example.com/2024/news.html",
                "text/html",
                (SITE / EDITED).read_bytes(),
                "2024-08-05T00:00:00Z",
            ),
        ],
    )
    with middle.open("ab") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        fh.write(
            warc_bytes([page(CUT, "2024-08-05T00:00:00Z")])[:1500]
        )  # a gzip member cut short inside the file
        revisit = writer.create_revisit_record(
            EDITED_URL,
            digest="sha1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
            refers_to_uri=EDITED_URL,
            refers_to_date="2024-08-05T00:00:00Z",
        )
        writer.write_record(revisit)
    with middle.open("ab") as fh:
        fh.write(warc_bytes([page(TAIL, "2024-08-05T00:00:00Z")]))
    # oldest file, uncompressed: the first version; its last record is cut short
    oldest = tmp / "a-oldest.warc"
    write_warc(
        oldest,
        [page(EDITED, "2024-07-31T04:00:00Z"), page(OLD, "2016-01-01T00:00:00Z")],
        gzip=False,
    )
    short = tmp / "short.warc"
    write_warc(short, [page("gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html",
                            "2024-08-01T00:00:00Z")], gzip=False)  # fmt: skip
    with oldest.open("ab") as fh:
        fh.write(short.read_bytes()[:-3000])
    short.unlink()
    return [newest, middle, oldest]


def count(output: str, name: str) -> int:
    m = re.search(rf"^\s+skipped {name}\s+(\d+)", output, re.M)
    return int(m.group(1)) if m else 0


@pytest.fixture(scope="module")
def imported(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    tmp = tmp_path_factory.mktemp("warc")
    files = build(tmp)
    db = tmp / "archive.db"
    return db, run("import", *map(str, files), "--db", str(db)), files


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def test_import_counts_what_it_took_and_skipped(imported: Imported) -> None:
    db, proc, _ = imported
    out = proc.stdout
    assert proc.returncode == 3, proc.stderr[-3000:]  # some records were damaged: partial
    assert "Traceback" not in proc.stderr
    assert count(out, "revisit_unresolved") == 1  # its digest is nowhere
    assert count(out, "not_html") == 1
    assert count(out, "off_channel") == 1
    assert count(out, "truncated") + count(out, "malformed") == 2
    ((spider, errors, pages),) = rows(
        db, "SELECT spider, errors_by_kind, pages_fetched FROM crawl_runs"
    )
    assert spider == "import"
    assert sum(json.loads(str(errors)).values()) == 2
    # EDITED ×3, OLD ×2 (same bytes: one capture), the multi-page article's 3 pages, TAIL
    assert pages == 3 + 2 + 3 + 1


def test_damaged_records_are_never_stored(imported: Imported) -> None:
    db, _, _ = imported
    stored = {str(u) for (u,) in rows(db, "SELECT url FROM captures")}
    assert f"https://{CUT}" not in stored
    assert "https://gz.news.cn/20240622/15a18f190c3f5cd01b35010e2fecad75/c.html" not in stored
    assert "https://www.example.com/2024/news.html" not in stored
    assert f"https://{TAIL}" in stored  # the page after the cut member was still read


def test_three_captures_become_revisions_in_time_order(imported: Imported) -> None:
    db, _, _ = imported
    ((article_id, headline, revision, first_seen),) = rows(
        db,
        "SELECT id, headline, revision, first_seen FROM articles WHERE canonical_url = ?",
        EDITED_URL,
    )
    assert revision == 3
    assert str(headline).endswith("（再次更新）")
    assert first_seen == "2024-07-31T04:00:00+00:00"
    history = rows(
        db,
        "SELECT revision, headline, replaced_at FROM revisions WHERE article_id = ? "
        "ORDER BY revision",
        article_id,
    )
    assert [r[0] for r in history] == [1, 2]
    assert not str(history[0][1]).endswith("更新）")
    assert str(history[1][1]).endswith("（更新）")
    assert [r[2] for r in history] == ["2024-08-05T00:00:00+00:00", "2024-08-20T00:00:00+00:00"]


def test_each_capture_keeps_its_provenance(imported: Imported) -> None:
    db, _, files = imported
    found = rows(
        db,
        "SELECT o.origin, o.source, o.record_id, o.record_offset, o.captured_at, "
        "o.payload_digest FROM capture_origins o JOIN captures c ON c.id = o.capture_id "
        "WHERE c.url = ? ORDER BY o.captured_at",
        EDITED_URL,
    )
    assert [r[4] for r in found] == [
        "2024-07-31T04:00:00+00:00",
        "2024-08-05T00:00:00+00:00",
        "2024-08-20T00:00:00+00:00",
    ]
    assert {r[0] for r in found} == {"warc"}
    assert [Path(str(r[1])).name for r in found] == [f.name for f in reversed(files)]
    assert all(str(r[2]).startswith("<urn:uuid:") for r in found)
    assert found[0][3] == 0 and found[2][3] == 0  # first record of its file
    assert all(str(r[5]).startswith("sha1:") for r in found)
    # the old-era page is in two files with the same bytes: one capture, two origins
    old = rows(
        db,
        "SELECT count(DISTINCT c.id), count(*) FROM capture_origins o "
        "JOIN captures c ON c.id = o.capture_id WHERE c.url = ?",
        f"http://{OLD}",
    )
    assert old == [(1, 2)]


def test_a_multipage_article_is_joined(imported: Imported) -> None:
    db, _, _ = imported
    ((article_id, pages),) = rows(
        db,
        "SELECT id, pages FROM articles WHERE canonical_url = ?",
        "https://gz.news.cn/2015-08/19/c_1117978327.htm",
    )
    assert pages == 3
    linked = rows(
        db, "SELECT page FROM article_captures WHERE article_id = ? ORDER BY page", article_id
    )
    assert [p for (p,) in linked] == [1, 2, 3]


def test_importing_again_changes_nothing(imported: Imported, tmp_path: Path) -> None:
    db, _, files = imported
    copy = tmp_path / "again.db"
    shutil.copy(db, copy)
    before = (
        rows(copy, "SELECT count(*) FROM captures"),
        rows(copy, "SELECT count(*) FROM revisions"),
    )
    proc = run("import", *map(str, files), "--db", str(copy))
    assert proc.returncode == 3
    after = (
        rows(copy, "SELECT count(*) FROM captures"),
        rows(copy, "SELECT count(*) FROM revisions"),
    )
    assert after == before
    assert rows(copy, "SELECT count(*) FROM capture_origins") == rows(
        db, "SELECT count(*) FROM capture_origins"
    )


def test_import_of_the_crawled_site_adds_captures_to_the_same_articles(tmp_path: Path) -> None:
    db = tmp_path / "archive.db"
    crawl = run("demo", "--db", str(db))
    assert crawl.returncode == 0, crawl.stderr[-2000:]
    articles = rows(db, "SELECT id, canonical_url FROM articles ORDER BY id")
    warc = tmp_path / "site.warc.gz"
    write_warc(warc, site_pages(SITE))
    proc = run("import", str(warc), "--db", str(db))
    assert proc.returncode == 0, proc.stderr[-2000:]
    # every crawled article is still one row; the import added only the robots-disallowed
    # preview page the crawler never fetched
    after = rows(db, "SELECT id, canonical_url FROM articles ORDER BY id")
    assert after[: len(articles)] == articles
    assert [str(u) for _, u in after[len(articles) :]] == [
        "https://gz.news.cn/preview/20250301/10d911c322688012b3c7c267883565be/c.html"
    ]
    origins = dict(rows(db, "SELECT origin, count(*) FROM capture_origins GROUP BY origin"))
    # the demo's two visits (run 1, and run 2 for what changed later)
    crawled = rows(db, "SELECT count(*) FROM captures WHERE run_id IN (1, 2)")[0][0]
    assert origins["crawl"] == crawled
    assert origins["warc"] >= 100
    # crawled and archived bytes are the same: the captures carry both origins
    both = rows(
        db,
        "SELECT count(*) FROM (SELECT capture_id FROM capture_origins "
        "GROUP BY capture_id HAVING count(DISTINCT origin) = 2)",
    )
    assert both[0][0] >= 90


def test_a_missing_file_is_a_one_line_error(tmp_path: Path) -> None:
    proc = run("import", str(tmp_path / "none.warc.gz"), "--db", str(tmp_path / "a.db"))
    assert proc.returncode == 1
    assert proc.stderr.strip().startswith("error: no such file")
    assert "Traceback" not in proc.stderr


def test_show_lists_where_each_capture_came_from(imported: Imported) -> None:
    db, _, files = imported
    proc = run("show", EDITED_URL, "--db", str(db))
    assert proc.returncode == 0, proc.stderr
    origins = [line.strip() for line in proc.stdout.splitlines() if "from warc" in line]
    assert len(origins) == 3
    assert origins[0].startswith(f"from warc {files[2].resolve()} record <urn:uuid:")
    assert origins[0].endswith("at offset 0, 2024-07-31T04:00:00+00:00")
    shown = json.loads(run("show", EDITED_URL, "--db", str(db), "--format", "json").stdout)
    assert [o["origin"] for c in shown["captures"] for o in c["origins"]] == ["warc"] * 3
