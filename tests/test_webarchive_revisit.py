"""``newsarchive import`` of revisit records (identical-payload-digest profile): resolved to
the response with the same payload, in the files or already in the archive, and stored as a
capture of the page at the revisit's time (no new revision); unresolvable ones are counted."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.warcwriter import WARCWriter

from tools.warcsite import Page, write_warc

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
EDITED = "gz.news.cn/20240731/f9ec972a4abd4537e28cb9271fac1c2e/c.html"
URL = "https://" + EDITED


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, timeout=240, check=False, cwd=REPO
    )


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def skipped(output: str, kind: str) -> int:
    for line in output.splitlines():
        parts = line.split()
        if parts[:2] == ["skipped", kind]:
            return int(parts[2])
    return 0


def digest_of(path: Path) -> str:
    with path.open("rb") as fh:
        for record in ArchiveIterator(fh):
            if record.rec_type == "response":
                return str(record.rec_headers.get_header("WARC-Payload-Digest"))
    raise AssertionError("no response record")


def write_revisits(path: Path, revisits: list[tuple[str, str]]) -> list[str]:
    """Revisit records ``(payload digest, WARC-Date)`` of the page; their record ids."""
    ids = []
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True, warc_version="1.1")
        for digest, date in revisits:
            record = writer.create_revisit_record(
                URL,
                digest=digest,
                refers_to_uri=URL,
                refers_to_date="2024-07-31T04:00:00Z",
                warc_headers_dict={"WARC-Date": date},
            )
            writer.write_record(record)
            ids.append(str(record.rec_headers.get_header("WARC-Record-ID")))
    return ids


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path, list[str]]:
    tmp = tmp_path_factory.mktemp("revisit")
    original = tmp / "original.warc.gz"
    write_warc(original, [Page(URL, "text/html", (SITE / EDITED).read_bytes(),
                               "2024-07-31T04:00:00Z")])  # fmt: skip
    digest = digest_of(original)
    # given first, the revisits come before the original in the files but after it in time
    revisits = tmp / "revisits.warc.gz"
    nowhere = "sha1:" + "A" * 32
    ids = write_revisits(
        revisits, [(digest, "2024-09-01T00:00:00Z"), (nowhere, "2024-09-02T00:00:00Z")]
    )
    later = tmp / "later.warc.gz"  # a revisit whose original is only in the archive
    ids += write_revisits(later, [(digest, "2024-10-01T00:00:00Z")])
    return revisits, original, later, ids


def origins(db: Path) -> list[tuple[object, ...]]:
    return rows(
        db,
        "SELECT o.record_id, o.captured_at, o.payload_digest, c.fetched_at, c.last_fetched_at, "
        "c.fetch_count FROM capture_origins o JOIN captures c ON c.id = o.capture_id "
        "WHERE c.url = ? ORDER BY o.captured_at",
        URL,
    )


def test_a_revisit_becomes_a_capture_of_its_original_at_its_time(
    files: tuple[Path, Path, Path, list[str]], tmp_path: Path
) -> None:
    revisits, original, later, ids = files
    db = tmp_path / "archive.db"
    proc = run("import", str(revisits), str(original), "--db", str(db))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert skipped(proc.stdout, "revisit_unresolved") == 1  # the digest that is nowhere
    assert rows(db, "SELECT revision FROM articles WHERE canonical_url = ?", URL) == [(1,)]
    assert rows(db, "SELECT count(*) FROM revisions") == [(0,)]
    found = origins(db)
    digest = digest_of(original)
    assert [(r[1], r[2]) for r in found] == [
        ("2024-07-31T04:00:00+00:00", digest),
        ("2024-09-01T00:00:00+00:00", digest),
    ]
    assert found[1][0] == ids[0]  # the revisit's own record id
    # one capture (the same bytes), fetched at the original's time and again at the revisit's
    assert {r[3:] for r in found} == {("2024-07-31T04:00:00+00:00", "2024-09-01T00:00:00+00:00", 2)}

    # a later file's revisit, its original already in the archive
    proc = run("import", str(later), "--db", str(db))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert skipped(proc.stdout, "revisit_unresolved") == 0
    found = origins(db)
    assert [r[1] for r in found][-1] == "2024-10-01T00:00:00+00:00"
    assert found[-1][0] == ids[2]
    assert found[-1][4:] == ("2024-10-01T00:00:00+00:00", 3)
    assert rows(db, "SELECT count(*) FROM revisions") == [(0,)]


def test_a_revisit_without_its_original_is_counted_and_skipped(
    files: tuple[Path, Path, Path, list[str]], tmp_path: Path
) -> None:
    revisits, _, later, _ = files
    db = tmp_path / "archive.db"
    proc = run("import", str(revisits), str(later), "--db", str(db))
    assert skipped(proc.stdout, "revisit_unresolved") == 3
    assert "Traceback" not in proc.stderr
    assert rows(db, "SELECT count(*) FROM captures") == [(0,)]
    assert rows(db, "SELECT errors_by_kind FROM crawl_runs") in ([(None,)], [("{}",)])
