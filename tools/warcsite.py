"""WARC files of a site copy (``<host>/<path>`` tree), for tests and benchmarks.

:func:`site_pages` walks a site copy (the sample site, its edited-later overlay, a generated
site) as ``(url, content type, body)``; :func:`write_warc` writes response records (with
request records) with warcio, one gzip member per record, at the capture times given.
"""

from __future__ import annotations

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
