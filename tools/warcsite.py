"""WARC files of a site copy (``<host>/<path>`` tree), for tests and benchmarks.

:func:`site_pages` walks a site copy (the sample site, its edited-later overlay, a generated
site) as ``(url, content type, body)``; :func:`write_warc` writes response records (with
request records) with warcio, one gzip member per record, at the capture times given.
"""

from __future__ import annotations

import gzip as _gzip
import json
import mimetypes
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import BinaryIO

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter


@dataclass(frozen=True, slots=True)
class Page:
    url: str
    content_type: str
    body: bytes
    date: str = "2024-01-01T00:00:00Z"
    status: int = 200


def url_of(relative: str) -> str:
    """The URL of a site-copy path: https for news.cn hosts, http for the xinhuanet era."""
    host = relative.split("/", 1)[0]
    scheme = "https" if host.endswith("news.cn") and not host.startswith("big5.") else "http"
    return f"{scheme}://{relative}"


def site_pages(site: Path) -> Iterator[Page]:
    """Every file of the site copy as a page (``MANIFEST.json``/``V2.json`` left out)."""
    types_file = site / "content-types.json"
    types = json.loads(types_file.read_text("utf-8")) if types_file.is_file() else {}
    for path in sorted(site.rglob("*")):
        if not path.is_file() or path.parent == site:
            continue
        relative = path.relative_to(site).as_posix()
        guessed = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        yield Page(url_of(relative), types.get(relative, guessed), path.read_bytes())


def write_warc(path: Path, pages: Iterable[Page], *, gzip: bool = True) -> None:
    """Write ``pages`` as WARC 1.1 response records to ``path``."""
    with path.open("wb") as fh:
        _write(fh, pages, gzip=gzip)


def warc_bytes(pages: Iterable[Page], *, gzip: bool = True) -> bytes:
    """``pages`` as the bytes of a WARC file."""
    buffer = BytesIO()
    _write(buffer, pages, gzip=gzip)
    return buffer.getvalue()


def _write(fh: BinaryIO, pages: Iterable[Page], *, gzip: bool) -> None:
    writer = WARCWriter(fh, gzip=gzip, warc_version="1.1")
    for page in pages:
        headers = StatusAndHeaders(
            f"{page.status} OK" if page.status == 200 else f"{page.status} Not Found",
            [("Content-Type", page.content_type), ("Content-Length", str(len(page.body)))],
            protocol="HTTP/1.1",
        )
        record = writer.create_warc_record(
            page.url,
            "response",
            payload=BytesIO(page.body),
            http_headers=headers,
            warc_headers_dict={"WARC-Date": page.date},
        )
        writer.write_record(record)


def write_arc(path: Path, pages: Iterable[Page], *, gzip: bool = True) -> None:
    """Write ``pages`` as an ARC v1 file (the Internet Archive's format before WARC; warcio
    reads it but does not write it): a ``filedesc://`` version block, then one record per
    page (``URL IP-address Archive-date Content-type Archive-length``, then the HTTP response),
    each a gzip member of its own when ``gzip``."""
    with path.open("wb") as fh:
        block = b"1 0 newsarchive-tests\nURL IP-address Archive-date Content-type Archive-length\n"
        fh.write(_arc_record(f"filedesc://{path.name}", "20240101000000", "text/plain", block,
                             gzip=gzip))  # fmt: skip
        for page in pages:
            reason = "OK" if page.status == 200 else "Not Found"
            head = (
                f"HTTP/1.1 {page.status} {reason}\r\nContent-Type: {page.content_type}\r\n"
                f"Content-Length: {len(page.body)}\r\n\r\n"
            ).encode()
            date = page.date.replace("-", "").replace(":", "").replace("T", "")[:14]
            fh.write(_arc_record(page.url, date, page.content_type, head + page.body, gzip=gzip))


def _arc_record(url: str, date: str, content_type: str, body: bytes, *, gzip: bool) -> bytes:
    media = content_type.split(";", 1)[0]
    record = f"{url} 127.0.0.1 {date} {media} {len(body)}\n".encode() + body + b"\n"
    return _gzip.compress(record) if gzip else record
