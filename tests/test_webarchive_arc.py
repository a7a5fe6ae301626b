"""``newsarchive import`` of ARC v1 files (the Internet Archive's format before WARC), gzipped
and not, built from the sample site."""

from __future__ import annotations

import gzip
import sqlite3
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from tools.warcsite import Page, write_arc

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "newsarchive" / "sample_site"
CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
EDITED = "gz.news.cn/20240731/f9ec972a4abd4537e28cb9271fac1c2e/c.html"
OLD = "www.gz.xinhuanet.com/2015-04/13/c_1117430129.htm"
IMAGE = "gz.news.cn/2022-07/15/1128824499_165791221800011n.jpg"


def rows(db: Path, sql: str, *params: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def skipped(output: str, kind: str) -> int:
    for line in output.splitlines():
        parts = line.split()
        if parts[:2] == ["skipped", kind]:
            return int(parts[2])
    return 0


def pages() -> list[Page]:
    day = "2024-07-31T04:00:00Z"
    return [
        Page(f"https://{EDITED}", "text/html", (SITE / EDITED).read_bytes(), day),
        Page(f"http://{OLD}", "text/html", (SITE / OLD).read_bytes(), "2016-01-01T00:00:00Z"),
        Page(f"https://{IMAGE}", "image/jpeg", (SITE / IMAGE).read_bytes(), day),
        Page("https://www.example.com/news.html", "text/html", b"<html></html>", day),
    ]


def record_offsets(path: Path, compressed: bool) -> dict[str, int]:
    """Where each record of the ARC file starts (its gzip member, when compressed)."""
    data = path.read_bytes()
    found: dict[str, int] = {}
    if compressed:
        offset = 0
        while offset < len(data):
            member = gzip.GzipFile(fileobj=_At(data, offset))
            first = member.readline().decode()
            found[first.split(" ", 1)[0]] = offset
            following = data.find(b"\x1f\x8b\x08", offset + 1)
            offset = following if following >= 0 else len(data)
        return found
    for url in (f"https://{EDITED}", f"http://{OLD}"):
        found[url] = data.index(f"\n{url} 127.0.0.1 ".encode()) + 1
    return found


class _At:
    def __init__(self, data: bytes, offset: int) -> None:
        self.data, self.pos = data, offset

    def read(self, size: int = -1) -> bytes:
        end = len(self.data) if size < 0 else self.pos + size
        chunk = self.data[self.pos : end]
        self.pos += len(chunk)
        return chunk


@pytest.mark.parametrize("compressed", [True, False], ids=["arc.gz", "arc"])
def test_an_arc_file_is_imported(tmp_path: Path, compressed: bool) -> None:
    arc = tmp_path / ("site.arc.gz" if compressed else "site.arc")
    write_arc(arc, pages(), gzip=compressed)
    db = tmp_path / "archive.db"
    proc = subprocess.run(
        [*CLI, "import", str(arc), "--db", str(db)],
        capture_output=True, text=True, timeout=240, check=False, cwd=REPO,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert (skipped(proc.stdout, "not_html"), skipped(proc.stdout, "off_channel")) == (1, 1)
    assert skipped(proc.stdout, "other_record") == 1  # the filedesc:// version block
    assert rows(db, "SELECT canonical_url, headline FROM articles ORDER BY canonical_url") == [
        ("https://gz.news.cn/2015-04/13/c_1117430129.htm", "石阡：返乡青年带火冷链仓储"),
        (f"https://{EDITED}", "镇远：7所乡村学校迎来新校舍"),
    ]
    found = rows(
        db,
        "SELECT c.url, c.body, c.compression, o.origin, o.source, o.record_id, o.record_offset, "
        "o.captured_at FROM captures c JOIN capture_origins o ON o.capture_id = c.id "
        "ORDER BY o.captured_at",
    )
    offsets = record_offsets(arc, compressed)
    assert [(r[0], r[7]) for r in found] == [
        (f"http://{OLD}", "2016-01-01T00:00:00+00:00"),
        (f"https://{EDITED}", "2024-07-31T04:00:00+00:00"),
    ]
    for url, body, compression, origin, source, record_id, offset, _ in found:
        assert compression == "zlib"
        assert zlib.decompress(bytes(body)) == (SITE / str(url).split("://", 1)[1]).read_bytes()
        assert (origin, source) == ("warc", str(arc.resolve()))
        assert offset == offsets[str(url)]
        assert record_id == f"arc:{offset}"
