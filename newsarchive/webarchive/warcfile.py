"""Reading WARC and ARC files (gzipped or not) with warcio, record by record.

Two steps, both streaming (a record's body is read in chunks and never held whole while
scanning):

* :func:`scan` walks a file once and says what each record is: a :class:`RecordRef` (an
  HTML response of a channel page, with its URL, ``WARC-Date``, offset, record id and payload
  digest; or a revisit record of a channel page, of the identical-payload-digest profile, whose
  payload is that of the response with the same digest) or a :class:`Skipped` reason
  (``revisit_unresolved``, ``not_html``, ``off_channel``, ``truncated``, …).
  A record whose payload ends before its ``Content-Length`` (a file cut short: warcio hands
  over the short bytes without an error) is ``truncated``; a record warcio cannot parse
  (a gzip member cut short inside the file) is ``malformed`` and the scan resumes at the next
  gzip member (or the next ``WARC/`` line of an uncompressed file).
* :func:`read_capture` reads one referenced record back (a seek to its offset) as a
  :class:`~newsarchive.records.Capture` with the page's real URL, the ``WARC-Date`` as fetch
  time, the HTTP headers and the body with transfer and content encodings undone.
"""

from __future__ import annotations

import gzip
import io
import logging
import zlib
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import IO, Any

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import ChunkedDataReader, DecompressingBufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser

from newsarchive import urls
from newsarchive.records import Capture, CaptureOrigin
from newsarchive.webarchive.wacz import open_source

logger = logging.getLogger(__name__)

#: Media types read as pages (everything else is counted as ``not_html``).
HTML_TYPES = ("text/html", "application/xhtml+xml")
_CHUNK = 1 << 16
_GZIP_MAGIC = b"\x1f\x8b\x08"
_HTTP_PARSER = StatusAndHeadersParser(["HTTP/1.0", "HTTP/1.1", "HTTP/2", "HTTP/2.0"], verify=False)
#: Header names whose meaning the stored body no longer has (its encodings are undone).
_DROPPED_HEADERS = frozenset({"transfer-encoding", "content-encoding"})


class RecordError(Exception):
    """A record that cannot be read as a page (truncated or malformed); ``kind`` says which."""

    def __init__(self, kind: str, message: str) -> None:
        super().__init__(message)
        self.kind = kind


@dataclass(frozen=True, kw_only=True, slots=True)
class RecordRef:
    """An HTML response record of a channel page, found by :func:`scan`."""

    path: str
    """The WARC/ARC file (absolute path)."""
    offset: int
    """Byte offset of the record (of its gzip member in a compressed file)."""
    url: str
    """The page URL (``WARC-Target-URI``)."""
    date: str
    """``WARC-Date`` as ISO 8601 UTC with seconds (``2024-07-31T08:15:00+00:00``)."""
    record_id: str
    """``WARC-Record-ID``; for an ARC record ``arc:<offset>``."""
    status: int
    """HTTP status of the response (0 for a revisit: its original's)."""
    digest: str | None = None
    """``WARC-Payload-Digest`` (``sha1:<base32>``), if the record has one."""
    revisit: bool = False
    """A revisit record (identical-payload-digest profile): no payload of its own; its
    payload is that of the record at :attr:`payload_path`/:attr:`payload_offset`."""
    payload_path: str | None = None
    """For a revisit, the file of the response record with the same payload, once found."""
    payload_offset: int | None = None
    """For a revisit, the offset of that response record."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Skipped:
    """A record not taken, and why (``kind``: see :data:`SKIP_KINDS`)."""

    kind: str
    url: str | None
    offset: int


#: Why a record is not taken. ``truncated`` and ``malformed`` are errors; the rest are not.
SKIP_KINDS: dict[str, str] = {
    "revisit_unresolved": (
        "a revisit record whose original (the response with the same payload digest) is in"
        " neither the files nor the archive, or of a profile other than identical-payload-digest"
    ),
    "not_html": "a response or resource that is not an HTML page (image, script, JSON, PDF)",
    "off_channel": "an HTML page of a host that is none of the archive's channels",
    "redirect": "an HTTP redirect (the target is a record of its own, if it was captured)",
    "other_record": "a warcinfo, request, metadata or conversion record",
    "truncated": "a record whose payload ends before its Content-Length (a file cut short)",
    "malformed": "a record warcio cannot parse (a damaged or cut gzip member, bad headers)",
}
ERROR_KINDS = frozenset({"truncated", "malformed"})


def warc_date(value: str | None) -> str | None:
    """``WARC-Date`` (``2024-07-31T08:15:00Z``, fractions allowed) or an ARC 14-digit date as
    ISO 8601 UTC with seconds; ``None`` when it is not a date."""
    if not value:
        return None
    text = value.strip()
    try:
        if text.isdigit() and len(text) >= 14:
            moment = datetime.strptime(text[:14], "%Y%m%d%H%M%S").replace(tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _media_type(headers: StatusAndHeaders | None, fallback: str | None) -> str:
    value = (headers.get_header("Content-Type") if headers is not None else None) or fallback
    return (value or "").split(";", 1)[0].strip().lower()


def _status(headers: StatusAndHeaders) -> int:
    try:
        return int(headers.get_statuscode())
    except (TypeError, ValueError):
        return 0


def _read_http(record: Any) -> tuple[StatusAndHeaders | None, int, int]:
    """Parse the HTTP head of a response record (``no_record_parse`` mode) and read the rest
    in chunks: ``(http headers or None, bytes read in total, expected length)``."""
    stream = record.raw_stream
    head: StatusAndHeaders | None = None
    read = 0
    if record.rec_type == "response":
        counted = _Counting(stream)
        head = _HTTP_PARSER.parse(counted)
        read = counted.count
    while chunk := stream.read(_CHUNK):
        read += len(chunk)
    return head, read, int(record.length or 0)


class _Counting:
    """A reader that counts what the header parser takes from it."""

    def __init__(self, stream: Any) -> None:
        self.stream = stream
        self.count = 0

    def readline(self, limit: int = -1) -> bytes:
        line: bytes = self.stream.readline(limit) if limit >= 0 else self.stream.readline()
        self.count += len(line)
        return line

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.stream.read(size)
        self.count += len(data)
        return data


def _iterate(stream: IO[bytes]) -> ArchiveIterator:
    return ArchiveIterator(stream, no_record_parse=True, arc2warc=True, check_digests=False)


def scan(
    source: str, *, on_record: Callable[[int], None] | None = None
) -> Iterator[RecordRef | Skipped]:
    """Every record of the file ``source`` (an absolute path, or a WARC inside a WACZ
    package: :func:`newsarchive.webarchive.wacz.sources`) as a :class:`RecordRef` or a
    :class:`Skipped` reason. ``on_record(offset)`` is called after each record (for a
    progress display)."""
    name = source
    with open_source(source) as fh:
        gzipped = fh.read(3) == _GZIP_MAGIC
        fh.seek(0)
        arc = _is_arc(fh, gzipped)
        start: int | None = 0
        while start is not None:
            fh.seek(start)
            start = yield from _scan_from(
                fh, name, start, gzipped=gzipped, arc=arc, on_record=on_record
            )


def _is_arc(fh: IO[bytes], gzipped: bool) -> bool:
    """An ARC file (it opens with a ``filedesc://`` record) rather than a WARC file."""
    try:
        head = gzip.GzipFile(fileobj=fh).read(11) if gzipped else fh.read(11)
    except (OSError, EOFError, zlib.error):
        return False
    return head == b"filedesc://"


def _scan_from(
    fh: IO[bytes],
    name: str,
    base: int,
    *,
    gzipped: bool,
    arc: bool,
    on_record: Callable[[int], None] | None,
) -> Generator[RecordRef | Skipped, None, int | None]:
    """Scan from ``base``; returns where to resume after a malformed record, or ``None``."""
    iterator = _iterate(fh)
    offset = base
    try:
        for record in iterator:
            offset = iterator.offset  # absolute: warcio starts at fh.tell()
            found = _classify(record, name, offset, arc=arc)
            if found is not None:
                yield found
            if on_record is not None:
                on_record(offset)
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, LookupError, zlib.error) as exc:
        # warcio moved its offset to the record it failed on (past the last good one)
        offset = max(offset, int(iterator.offset))
        logger.warning("%s: malformed record at offset %d: %s", name, offset, str(exc)[:200])
    else:
        return None
    yield Skipped(kind="malformed", url=None, offset=offset)
    return _resync(fh, offset + 1, gzipped)


def _resync(fh: IO[bytes], start: int, gzipped: bool) -> int | None:
    """The offset of the next gzip member (or ``WARC/`` record line) at or after ``start``."""
    marker = _GZIP_MAGIC if gzipped else b"\r\nWARC/"
    fh.seek(start)
    position, tail = start, b""
    while block := fh.read(1 << 20):
        data = tail + block
        found = data.find(marker)
        if found >= 0:
            hit = position - len(tail) + found
            return hit if gzipped else hit + 2
        tail = data[-(len(marker) - 1) :]
        position += len(block)
    return None


def _classify(  # noqa: PLR0911 (one return per kind of record)
    record: Any, name: str, offset: int, *, arc: bool = False
) -> RecordRef | Skipped | None:
    kind = record.rec_type
    url = record.rec_headers.get_header("WARC-Target-URI")
    if kind == "revisit":
        _drain(record)
        return _revisit(record, name, offset, url)
    if kind not in ("response", "resource"):
        _drain(record)
        return Skipped(kind="other_record", url=url, offset=offset)
    date = warc_date(record.rec_headers.get_header("WARC-Date"))
    if not url or date is None or record.length is None:
        _drain(record)
        return Skipped(kind="malformed", url=url, offset=offset)
    head, read, expected = _read_http(record)
    if read < expected:
        logger.warning("%s: record at offset %d (%s) is cut short", name, offset, url)
        return Skipped(kind="truncated", url=url, offset=offset)
    if kind == "response" and head is None:
        return Skipped(kind="malformed", url=url, offset=offset)
    status = 200 if head is None else _status(head)
    media = _media_type(head, record.rec_headers.get_header("Content-Type"))
    if 300 <= status < 400:
        return Skipped(kind="redirect", url=url, offset=offset)
    if status == 200 and media not in HTML_TYPES:
        return Skipped(kind="not_html", url=url, offset=offset)
    if urls.channel_of(url) is None:
        return Skipped(kind="off_channel", url=url, offset=offset)
    # An ARC record has no id (warcio makes up a new one each time): its offset is its id.
    given = None if arc else record.rec_headers.get_header("WARC-Record-ID")
    record_id = given or f"arc:{offset}"
    digest = record.rec_headers.get_header("WARC-Payload-Digest")
    return RecordRef(
        path=name,
        offset=offset,
        url=url,
        date=date,
        record_id=record_id,
        status=status,
        digest=digest,
    )


def _revisit(record: Any, name: str, offset: int, url: str | None) -> RecordRef | Skipped:
    """A revisit record of a channel page: a reference to resolve by its payload digest
    (identical-payload-digest profile) or, when it cannot be, ``revisit_unresolved``."""
    headers = record.rec_headers
    date = warc_date(headers.get_header("WARC-Date"))
    digest = headers.get_header("WARC-Payload-Digest")
    profile = headers.get_header("WARC-Profile") or ""
    if not url or date is None:
        return Skipped(kind="malformed", url=url, offset=offset)
    if urls.channel_of(url) is None:
        return Skipped(kind="off_channel", url=url, offset=offset)
    if not digest or not profile.endswith("identical-payload-digest"):
        logger.info("%s: revisit at offset %d (%s) has no payload digest to resolve (%s)",
                    name, offset, url, profile or "no profile")  # fmt: skip
        return Skipped(kind="revisit_unresolved", url=url, offset=offset)
    record_id = headers.get_header("WARC-Record-ID") or f"arc:{offset}"
    return RecordRef(
        path=name,
        offset=offset,
        url=url,
        date=date,
        record_id=record_id,
        status=0,
        digest=digest,
        revisit=True,
    )


def _drain(record: Any) -> None:
    while record.raw_stream.read(_CHUNK):
        pass


def read_capture(ref: RecordRef, fh: IO[bytes]) -> Capture:
    """The capture stored in the record ``ref`` points at (``fh``: its file, open for
    reading; for a resolved revisit, the file of its original). Raises :class:`RecordError`
    when the record is cut short or unreadable."""
    fh.seek(ref.offset if ref.payload_offset is None else ref.payload_offset)
    try:
        record = next(iter(_iterate(fh)))
        raw = record.raw_stream.read()
    except StopIteration:
        raise RecordError("malformed", f"no record at offset {ref.offset}") from None
    except (ArchiveLoadFailed, OSError, EOFError, ValueError, LookupError, zlib.error) as exc:
        raise RecordError("malformed", f"record at offset {ref.offset}: {exc}") from exc
    if len(raw) < int(record.length or 0):
        raise RecordError("truncated", f"record at offset {ref.offset} is cut short")
    digest = ref.digest or record.rec_headers.get_header("WARC-Payload-Digest")
    status, headers, body = _http_parts(record.rec_type, raw, record)
    return Capture(
        url=ref.url,
        final_url=ref.url,
        status=status,
        headers=headers,
        body=body,
        fetched_at=ref.date,
        origin=CaptureOrigin(
            origin="warc",
            source=ref.path,
            record_id=ref.record_id,
            offset=ref.offset,
            payload_digest=digest,
        ),
    )


def _http_parts(
    kind: str, raw: bytes, record: Any
) -> tuple[int, tuple[tuple[str, str], ...], bytes]:
    if kind != "response":  # a resource record: the bytes are the page
        media = record.rec_headers.get_header("Content-Type") or "text/html"
        return 200, (("content-type", media),), raw
    stream = io.BytesIO(raw)
    try:
        head = _HTTP_PARSER.parse(stream)
    except (ValueError, LookupError, EOFError) as exc:
        raise RecordError("malformed", f"bad HTTP head: {exc}") from exc
    pairs = tuple(
        (name.lower(), value)
        for name, value in head.headers
        if name.lower() not in _DROPPED_HEADERS
    )
    encoding = (head.get_header("Content-Encoding") or "").strip().lower() or None
    chunked = "chunked" in (head.get_header("Transfer-Encoding") or "").lower()
    try:
        body = _decoded(stream, encoding, chunked)
    except Exception as exc:  # zlib.error, brotli.error: decoders' errors share no base
        raise RecordError("malformed", f"body cannot be decoded ({encoding}): {exc}") from exc
    return _status(head), pairs, body


def _decoded(stream: io.BytesIO, encoding: str | None, chunked: bool) -> bytes:
    decomp = encoding if encoding in ("gzip", "deflate", "br") else None
    if encoding == "x-gzip":
        decomp = "gzip"
    reader: Any
    if chunked:
        reader = ChunkedDataReader(stream, decomp_type=decomp)
    elif decomp:
        reader = DecompressingBufferedReader(stream, decomp_type=decomp)
    else:
        return stream.read()
    return bytes(reader.read())
