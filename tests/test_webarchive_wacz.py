"""``newsarchive export --format wacz`` and ``newsarchive import`` of a .wacz: a WACZ 1.1.1
package whose datapackage hashes verify, and which imports into an empty archive as the same
articles and revisions."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from tests.test_webarchive_export import (
    ARTICLES,
    EDITED,
    EDITED_URL,
    REVISIONS,
    SITE,
    V2,
    rows,
    run,
)
from tools.warcsite import Page, site_pages, write_warc

MEMBERS = {
    "archive/data.warc.gz",
    "indexes/index.cdxj",
    "pages/pages.jsonl",
    "datapackage.json",
    "datapackage-digest.json",
}


@pytest.fixture(scope="module")
def packaged(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    """An archive with revisions (imported), its WACZ export, and that re-imported."""
    tmp = tmp_path_factory.mktemp("wacz")
    edited = (V2 / EDITED).read_bytes()
    source = tmp / "source.warc.gz"
    write_warc(
        source, [*site_pages(SITE), Page(EDITED_URL, "text/html", edited, "2024-08-05T00:00:00Z")]
    )
    first = tmp / "first.db"
    assert run("import", str(source), "--db", str(first)).returncode == 0
    out = tmp / "out" / "archive.wacz"
    out.parent.mkdir()
    proc = run("export", "--format", "wacz", "--out", str(out), "--db", str(first))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert sorted(p.name for p in out.parent.iterdir()) == ["archive.wacz"]  # no leftovers
    second = tmp / "second.db"
    proc = run("import", str(out), "--db", str(second))
    assert proc.returncode == 0, proc.stderr[-2000:]
    return first, out, second


def test_wacz_round_trip_gives_the_same_articles(packaged: tuple[Path, Path, Path]) -> None:
    first, out, second = packaged
    articles = rows(first, ARTICLES)
    assert len(articles) == 74
    assert rows(second, ARTICLES) == articles
    assert rows(second, REVISIONS) == rows(first, REVISIONS) != []
    sources = {str(s) for (s,) in rows(second, "SELECT DISTINCT source FROM capture_origins")}
    assert sources == {f"{out.resolve()}#archive/data.warc.gz"}


def test_the_package_is_a_wacz_whose_hashes_verify(packaged: tuple[Path, Path, Path]) -> None:
    first, out, _ = packaged
    with zipfile.ZipFile(out) as package:
        assert set(package.namelist()) == MEMBERS
        assert package.getinfo("archive/data.warc.gz").compress_type == zipfile.ZIP_STORED
        datapackage = package.read("datapackage.json")
        meta = json.loads(datapackage)
        digest = json.loads(package.read("datapackage-digest.json"))
        assert digest == {
            "path": "datapackage.json",
            "hash": "sha256:" + hashlib.sha256(datapackage).hexdigest(),
        }
        assert meta["wacz_version"] == "1.1.1"
        assert meta["profile"] == "data-package"
        resources = {r["path"]: r for r in meta["resources"]}
        assert set(resources) == MEMBERS - {"datapackage.json", "datapackage-digest.json"}
        for path, resource in resources.items():
            data = package.read(path)
            assert resource["bytes"] == len(data)
            assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
        with package.open("archive/data.warc.gz") as fh:
            responses = [
                r.rec_headers.get_header("WARC-Target-URI")
                for r in ArchiveIterator(fh)
                if r.rec_type == "response"
            ]
        index = package.read("indexes/index.cdxj").decode().splitlines()
        pages = [json.loads(line) for line in package.read("pages/pages.jsonl").splitlines()]
    captures = rows(first, "SELECT count(*) FROM captures WHERE status > 0")[0][0]
    assert len(responses) == captures
    assert len(index) == captures
    assert all('"filename": "data.warc.gz"' in line for line in index)
    assert pages[0] == {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
    html = rows(
        first,
        "SELECT count(*) FROM captures WHERE status = 200 AND headers LIKE '%text/html%'",
    )[0][0]
    assert len(pages) - 1 == html > 70
    assert {p["url"] for p in pages[1:]} >= {EDITED_URL}
    assert [p["ts"] for p in pages[1:] if p["url"] == EDITED_URL] == [
        "2024-01-01T00:00:00Z",
        "2024-08-05T00:00:00Z",
    ]


def test_a_wacz_that_is_not_a_zip_is_a_one_line_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.wacz"
    bad.write_bytes(b"not a zip")
    proc = run("import", str(bad), "--db", str(tmp_path / "a.db"))
    assert proc.returncode == 1
    assert "not a WACZ package" in proc.stderr
    assert "Traceback" not in proc.stderr
