"""Common Crawl as a source for ``newsarchive backfill --common-crawl CRAWL-ID``: its index
server and how a capture's bytes are fetched. Pure functions, no I/O.

Common Crawl's index server (pywb's CDX server over each crawl's ZipNum index,
``https://index.commoncrawl.org/CC-MAIN-2024-33-index``) answers a query for every capture
under a host as JSON lines (``output=json``), one object per capture with the WARC file that
holds it (``filename``, relative to ``https://data.commoncrawl.org/``), the record's
``offset`` and ``length``. Large answers come in pages: ``showNumPages=true`` says how many,
``page=N`` asks for one. A capture's bytes are one gzipped WARC record, fetched with an HTTP
``Range`` request; they are read with warcio (:mod:`newsarchive.webarchive.warcfile`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from io import BytesIO
from urllib.parse import urlencode

from newsarchive.records import Capture, CaptureOrigin
from newsarchive.webarchive.cdx import CdxCapture, CdxError, day
from newsarchive.webarchive.warcfile import RecordError, RecordRef, read_capture

#: ``capture_origins.origin`` of a capture fetched from Common Crawl.
ORIGIN = "commoncrawl"


@dataclass(frozen=True, kw_only=True, slots=True)
class CcCapture(CdxCapture):
    """A capture Common Crawl's index lists, with where its WARC record is."""

    filename: str
    """The WARC file, relative to the data server (``crawl-data/CC-MAIN-…/….warc.gz``)."""
    offset: int
    """Byte offset of the record's gzip member in that file."""
    length: int
    """Bytes of the record's gzip member."""


def query_url(
    index: str, host: str, *, since: str | None, until: str | None, page: int | None
) -> str:
    """The query for the HTML 200 captures under ``host``: one page of the answer, or (with
    ``page=None``) how many pages there are."""
    params: list[tuple[str, str]] = [
        ("url", f"{host}/*"),
        ("output", "json"),
        ("filter", "=status:200"),
        ("filter", "=mime:text/html"),
    ]
    if since:
        params.append(("from", day(since, end=False)))
    if until:
        params.append(("to", day(until, end=True)))
    params.append(("showNumPages", "true") if page is None else ("page", str(page)))
    return f"{index}?{urlencode(params)}"


def pages(body: bytes) -> int:
    """The number of pages a ``showNumPages`` answer gives (1 when it gives none)."""
    try:
        answer = json.loads(body.decode("utf-8", "replace"))
    except json.JSONDecodeError as exc:
        raise CdxError(f"the index did not answer JSON: {body[:80]!r}") from exc
    if isinstance(answer, dict) and isinstance(answer.get("pages"), int):
        return max(0, int(answer["pages"]))
    return 1


def parse(body: bytes) -> list[CcCapture]:
    """The captures of one page of an answer (JSON lines)."""
    found: list[CcCapture] = []
    for line in body.decode("utf-8", "replace").splitlines():
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            found.append(
                CcCapture(
                    timestamp=str(row["timestamp"]),
                    original=str(row["url"]),
                    digest=str(row.get("digest") or ""),
                    filename=str(row["filename"]),
                    offset=int(row["offset"]),
                    length=int(row["length"]),
                )
            )
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
            raise CdxError(f"unreadable index line ({exc}): {line[:120]!r}") from None
    return found


def record_request(data: str, capture: CcCapture) -> tuple[str, dict[str, str]]:
    """The URL and headers that fetch the capture's WARC record (a ``Range`` request)."""
    last = capture.offset + capture.length - 1
    url = f"{data.rstrip('/')}/{capture.filename.lstrip('/')}"
    return url, {"Range": f"bytes={capture.offset}-{last}"}


def capture_of(record: bytes, capture: CcCapture, *, data: str) -> Capture:
    """The capture in the fetched WARC record (the page's real URL, the record's date).
    Raises :class:`~newsarchive.webarchive.warcfile.RecordError` when the bytes are not
    the whole record (cut short, malformed)."""
    if len(record) < capture.length:
        raise RecordError("truncated", f"{len(record)} of {capture.length} bytes")
    ref = RecordRef(
        path=capture.filename,
        offset=0,
        url=capture.original,
        date=capture.captured_at,
        record_id=capture.record_id,
        status=0,
    )
    stored = read_capture(ref, BytesIO(record))
    return Capture(
        url=stored.url,
        final_url=stored.url,
        status=stored.status,
        headers=stored.headers,
        body=stored.body,
        fetched_at=capture.captured_at,
        origin=CaptureOrigin(
            origin=ORIGIN,
            source=f"{data.rstrip('/')}/{capture.filename.lstrip('/')}",
            record_id=capture.record_id,
            offset=capture.offset,
            payload_digest=stored.origin.payload_digest if stored.origin else None,
        ),
    )
