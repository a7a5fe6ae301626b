"""``newsarchive export --format warc``: read back by warcio, indexed as CDXJ, imported into an
empty archive with the same articles, revisions and search results, replayed by pywb."""

from __future__ import annotations

import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import zlib
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive import urls
from newsarchive.archive import Archive
from tools.warcsite import Page, site_pages, write_warc

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
V2 = REPO / "newsarchive" / "sample_site_v2"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
EDITED = "gz.news.cn/20240731/f9ec972a4abd4537e28cb9271fac1c2e/c.html"
EDITED_URL = "https://" + EDITED
SEARCHES = ("刺梨", "石漠化", "数字乡村", "镇远", "乡村学校")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=240, check=False, cwd=REPO
    )


def rows(db: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchall()


ARTICLES = (
    "SELECT canonical_url, headline, published_at, body_text, content_hash, revision, "
    "duplicate_of IS NOT NULL, pages, first_seen FROM articles ORDER BY canonical_url"
)
REVISIONS = (
    "SELECT a.canonical_url, r.revision, r.headline, r.content_hash, r.replaced_at "
    "FROM revisions r JOIN articles a ON a.id = r.article_id ORDER BY 1, 2"
)


@pytest.fixture(scope="module")
def archives(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An archive with revisions (imported), its WARC export, and that re-imported."""
    tmp = tmp_path_factory.mktemp("export")
    edited = (V2 / EDITED).read_bytes()
    pages = [
        *site_pages(SITE),
        Page(EDITED_URL, "text/html", edited, "2024-08-05T00:00:00Z"),
        Page(
            EDITED_URL,
            "text/html",
            edited.replace("（更新）".encode(), "（再次更新）".encode()),
            "2024-08-20T00:00:00Z",
        ),
    ]
    source = tmp / "source.warc.gz"
    write_warc(source, pages)
    first = tmp / "first.db"
    assert run("import", str(source), "--db", str(first)).returncode == 0
    out = tmp / "out" / "archive.warc.gz"
    out.parent.mkdir()
    proc = run("export", "--format", "warc", "--out", str(out), "--db", str(first))
    assert proc.returncode == 0, proc.stderr[-2000:]
    second = tmp / "second.db"
    proc = run("import", str(out), "--db", str(second))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return first, out, second


def test_round_trip_keeps_articles_revisions_and_search_results(
    archives: tuple[Path, Path, Path],
) -> None:
    first, _, second = archives
    articles = rows(first, ARTICLES)
    assert len(articles) == 74
    assert rows(second, ARTICLES) == articles
    revisions = rows(first, REVISIONS)
    assert [(r[0], r[1]) for r in revisions] == [(EDITED_URL, 1), (EDITED_URL, 2)]
    assert rows(second, REVISIONS) == revisions
    with Archive(first) as a, Archive(second) as b:
        for term in SEARCHES:
            want = [(h.url, h.headline, h.score) for h in a.search(term, limit=100)]
            assert want, term
            assert [(h.url, h.headline, h.score) for h in b.search(term, limit=100)] == want


def test_the_warc_holds_every_capture_with_its_stored_bytes(
    archives: tuple[Path, Path, Path],
) -> None:
    first, out, _ = archives
    stored = {
        (str(url), str(fetched).replace("+00:00", "Z")): zlib.decompress(body)
        for url, fetched, body in rows(
            first, "SELECT final_url, fetched_at, body FROM captures WHERE status > 0"
        )
    }
    kinds: list[str] = []
    found: dict[tuple[str, str], bytes] = {}
    with out.open("rb") as fh:
        for record in ArchiveIterator(fh):
            kinds.append(record.rec_type)
            if record.rec_type == "warcinfo":
                info = record.content_stream().read().decode()
                assert "software: newsarchive" in info
                assert f"isPartOf: {first}" in info
            if record.rec_type == "response":
                key = (
                    record.rec_headers.get_header("WARC-Target-URI"),
                    record.rec_headers.get_header("WARC-Date"),
                )
                found[key] = record.content_stream().read()
                assert record.rec_headers.get_header("WARC-Type") == "response"
    assert kinds[0] == "warcinfo"
    assert found == stored
    # imported captures have no known request: no request records
    assert "request" not in kinds
    index = out.with_name("archive.cdxj").read_text("utf-8").splitlines()
    assert len(index) == len(stored)
    assert index == sorted(index)
    entry = json.loads(index[0].split(" ", 2)[2])
    assert entry["filename"] == "archive.warc.gz"
    assert int(entry["offset"]) > 0


def test_crawled_captures_get_request_records(tmp_path: Path) -> None:
    db = tmp_path / "crawl.db"
    assert run("demo", "--db", str(db)).returncode == 0
    out = tmp_path / "crawl.warc.gz"
    proc = run("export", "--format", "warc", "--out", str(out), "--db", str(db), "--channel", "he")
    assert proc.returncode == 0, proc.stderr
    requests: dict[str, str] = {}
    responses: dict[str, str] = {}
    with out.open("rb") as fh:
        for record in ArchiveIterator(fh):
            uri = record.rec_headers.get_header("WARC-Target-URI")
            if record.rec_type == "request":
                requests[record.rec_headers.get_header("WARC-Concurrent-To")] = uri
                assert record.http_headers.protocol == "GET"
            elif record.rec_type == "response":
                responses[record.rec_headers.get_header("WARC-Record-ID")] = uri
    assert responses and requests
    assert all(requests[rid] == uri for rid, uri in responses.items())
    # --channel he: the captures behind he's articles only
    assert {urls.channel_of(u) for u in responses.values()} == {"he"}
    he_captures = rows(
        db,
        "SELECT count(DISTINCT ac.capture_id) FROM article_captures ac "
        "JOIN articles a ON a.id = ac.article_id JOIN captures c ON c.id = ac.capture_id "
        "WHERE a.channel = 'he' AND c.status > 0",
    )[0][0]
    assert len(responses) == he_captures


def test_warc_export_needs_a_file(tmp_path: Path) -> None:
    db = tmp_path / "a.db"
    assert run("import", str(_tiny(tmp_path)), "--db", str(db)).returncode == 0
    proc = run("export", "--format", "warc", "--db", str(db))
    assert proc.returncode == 2
    assert "--format warc needs --out FILE" in proc.stderr


def _tiny(tmp: Path) -> Path:
    path = tmp / "tiny.warc.gz"
    write_warc(path, [Page(EDITED_URL, "text/html", (SITE / EDITED).read_bytes())])
    return path


def _wb_manager() -> Path | None:
    """pywb's ``wb-manager``: on PATH, or in the virtualenv $NEWSARCHIVE_PYWB names."""
    folder = os.environ.get("NEWSARCHIVE_PYWB")
    if folder and (Path(folder) / "bin" / "wb-manager").is_file():
        return Path(folder) / "bin" / "wb-manager"
    found = shutil.which("wb-manager")
    return Path(found) if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.slow
def test_pywb_replays_the_exported_warc(tmp_path: Path) -> None:
    manager = _wb_manager()
    if manager is None:
        pytest.skip(
            "pywb is not installed: it pins redis<3 and fakeredis<1, which conflict with "
            "newsarchive's redis>=5; install it in its own virtualenv and set NEWSARCHIVE_PYWB"
        )
    db = tmp_path / "a.db"
    assert run("import", str(_tiny(tmp_path)), "--db", str(db)).returncode == 0
    out = tmp_path / "export.warc.gz"
    assert run("export", "--format", "warc", "--out", str(out), "--db", str(db)).returncode == 0
    root = tmp_path / "pywb"
    root.mkdir()
    for args in (["init", "news"], ["add", "news", str(out)]):
        subprocess.run([str(manager), *args], cwd=root, check=True, capture_output=True)
    port = _free_port()
    server = subprocess.Popen(
        [str(manager.with_name("wayback")), "--port", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/news/2024id_/{EDITED_URL}"
        body = b""
        for _ in range(100):
            try:
                with urllib.request.urlopen(url, timeout=10) as response:
                    body = response.read()
                break
            except OSError:
                time.sleep(0.2)
        assert body == (SITE / EDITED).read_bytes()
    finally:
        server.terminate()
        server.wait(timeout=20)
