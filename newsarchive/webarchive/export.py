"""The archive's captures as a WARC 1.1 file, with a CDXJ index beside it
(``newsarchive export --format warc``).

The file opens with a ``warcinfo`` record naming the tool and the archive; then, oldest
capture first, one ``response`` record per capture (the stored status, headers and bytes, the
capture's time as ``WARC-Date``), preceded by a ``request`` record for the captures
newsarchive's crawler fetched (a plain ``GET``: what it asked for; a capture read from a web
archive has no known request). One gzip member per record. The index (``FILE.cdxj``, sorted,
by webrecorder's ``cdxj-indexer``) lets pywb or any replay tool find each record.

Which captures: every capture with a response (status > 0) when no filter is given; with
``--channel/--since/--until`` (or the other article filters) the captures behind the
selected articles, near copies included (each is an article of its own).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http import HTTPStatus
from importlib import metadata
from io import BytesIO
from pathlib import Path
from typing import BinaryIO
from urllib.parse import urlsplit

from cdxj_indexer.main import CDXJIndexer
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsarchive.store.queries import Filters

logger = logging.getLogger(__name__)

#: Headers that no longer describe the stored body (its encodings were undone; its length
#: is written again).
_REPLACED = frozenset({"content-length", "transfer-encoding", "content-encoding"})


@dataclass(frozen=True, kw_only=True, slots=True)
class WarcExport:
    """What :func:`export_warc` wrote."""

    path: Path
    index: Path
    captures: int
    """Response records written (one per capture)."""
    requests: int
    """Request records written."""


def index_path(path: Path) -> Path:
    """The CDXJ index beside ``path`` (``x.warc.gz`` → ``x.cdxj``)."""
    name = path.name
    for suffix in (".warc.gz", ".warc", ".gz"):
        if name.endswith(suffix):
            return path.with_name(name[: -len(suffix)] + ".cdxj")
    return path.with_name(name + ".cdxj")


def _selection(conn: sqlite3.Connection, filters: Filters | None) -> tuple[str, list[object]]:
    if filters is None or filters == Filters(include_duplicates=filters.include_duplicates):
        return "c.status > 0", []
    where, params = Filters(
        channels=filters.channels,
        since=filters.since,
        until=filters.until,
        sources=filters.sources,
        reporter=filters.reporter,
        include_duplicates=True,
    ).where("a")
    return (
        "c.status > 0 AND c.id IN (SELECT ac.capture_id FROM article_captures ac "
        f"JOIN articles a ON a.id = ac.article_id WHERE {where})",
        list(params),
    )


def _rows(
    conn: sqlite3.Connection, filters: Filters | None, batch: int = 500
) -> Iterator[tuple[int, str, int, str, bytes, str, str, str | None]]:
    """Captures in time order, a batch at a time (memory stays flat)."""
    where, params = _selection(conn, filters)
    has_origins = bool(
        conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'capture_origins'"
        ).fetchone()
    )
    origin = (
        "(SELECT group_concat(DISTINCT o.origin) FROM capture_origins o WHERE o.capture_id = c.id)"
        if has_origins
        else "'crawl'"
    )
    last: tuple[str, int] = ("", 0)
    while True:
        found = conn.execute(
            f"SELECT c.id, c.final_url, c.status, c.headers, c.body, c.compression, "
            f"c.fetched_at, {origin} FROM captures c WHERE {where} "
            "AND (c.fetched_at > ? OR (c.fetched_at = ? AND c.id > ?)) "
            f"ORDER BY c.fetched_at, c.id LIMIT {batch}",
            [*params, last[0], last[0], last[1]],
        ).fetchall()
        if not found:
            return
        yield from found
        last = (str(found[-1][6]), int(found[-1][0]))


def _warc_date(iso: str) -> str:
    return iso.replace("+00:00", "Z")


def _http_headers(status: int, headers_json: str, size: int) -> StatusAndHeaders:
    value = json.loads(headers_json)
    pairs = value.items() if isinstance(value, dict) else value
    kept = [(str(k), str(v)) for k, v in pairs if str(k).lower() not in _REPLACED]
    kept.append(("content-length", str(size)))
    try:
        phrase = HTTPStatus(status).phrase
    except ValueError:
        phrase = "Unknown"
    return StatusAndHeaders(f"{status} {phrase}", kept, protocol="HTTP/1.1")


def _request(url: str) -> StatusAndHeaders:
    parts = urlsplit(url)
    target = parts.path or "/"
    if parts.query:
        target += "?" + parts.query
    return StatusAndHeaders(
        f"GET {target} HTTP/1.1",
        [("Host", parts.netloc)],
        protocol="HTTP/1.1",
        is_http_request=True,
    )


def write_warc(
    conn: sqlite3.Connection,
    out: BinaryIO,
    *,
    archive: str,
    filters: Filters | None = None,
) -> tuple[int, int]:
    """Write the WARC to ``out``; returns ``(responses, requests)`` written."""
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    try:
        version = metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        version = "unknown"
    info = {
        "software": f"newsarchive {version} (warcio {metadata.version('warcio')})",
        "format": "WARC File Format 1.1",
        "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
        "isPartOf": archive,
        "description": "Captures of a newsarchive archive of Xinhua's provincial channels",
    }
    writer.write_record(writer.create_warcinfo_record(Path(archive).name, info))
    responses = requests = 0
    for cid, url, status, headers, body, compression, fetched_at, origins in _rows(conn, filters):
        payload = zlib.decompress(body) if compression == "zlib" else bytes(body)
        date = _warc_date(str(fetched_at))
        response = writer.create_warc_record(
            str(url),
            "response",
            payload=BytesIO(payload),
            http_headers=_http_headers(int(status), str(headers), len(payload)),
            warc_headers_dict={"WARC-Date": date, "WARC-Source-URI": f"newsarchive:capture/{cid}"},
        )
        if "crawl" in str(origins or "").split(","):
            request = writer.create_warc_record(
                str(url),
                "request",
                payload=BytesIO(b""),
                http_headers=_request(str(url)),
                warc_headers_dict={"WARC-Date": date},
            )
            request.rec_headers.add_header(
                "WARC-Concurrent-To", response.rec_headers.get_header("WARC-Record-ID")
            )
            writer.write_record(request)
            requests += 1
        writer.write_record(response)
        responses += 1
    return responses, requests


def write_index(warc: Path, index: Path, *, name: str | None = None) -> None:
    """The sorted CDXJ index of ``warc`` at ``index``; its lines name the file ``name``
    (default: ``warc``'s own name), relative to the index's folder."""
    indexer = CDXJIndexer(
        output=str(index),
        inputs=[str(warc)],
        sort=True,
        filename=name or warc.name,
        records="response",
    )
    indexer.process_all()


def export_warc(
    conn: sqlite3.Connection, path: Path, *, archive: str, filters: Filters | None = None
) -> WarcExport:
    """Write the captures to ``path`` (through a temporary file renamed into place) and
    the CDXJ index beside it."""
    index = index_path(path)
    tmp = path.with_name(f".{path.name}.part")
    tmp_index = index.with_name(f".{index.name}.part")
    try:
        with tmp.open("wb") as out:
            responses, requests = write_warc(conn, out, archive=archive, filters=filters)
        write_index(tmp, tmp_index, name=path.name)
        tmp.replace(path)
        tmp_index.replace(index)
    finally:
        tmp.unlink(missing_ok=True)
        tmp_index.unlink(missing_ok=True)
    logger.info("exported %d captures to %s (index %s)", responses, path, index)
    return WarcExport(path=path, index=index, captures=responses, requests=requests)
