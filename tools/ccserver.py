"""A small Common Crawl index + data server over site copies, for testing
``newsarchive backfill --common-crawl``.

The captures (pages at 14-digit timestamps) are written with warcio as one gzipped WARC file
per timestamp (``crawl-data/CC-MAIN-TEST/segments/<timestamp>.warc.gz``), one gzip member per
record. The server answers Common Crawl's index API (``/<CRAWL>-index?url=HOST/*&output=json``
with ``from``/``to``, exact ``filter=`` on ``status``/``mime``, ``showNumPages=true`` and
``page=N``, :attr:`CommonCrawl.page_size` lines a page) as JSON lines with ``filename``,
``offset`` and ``length``, and serves the WARC files under ``/data/`` with HTTP ``Range``
requests (``206``). Every request is counted by path (``requests``), ranges by file and offset
(``ranges``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tools.cdxserver import QuietHandler
from tools.warcsite import Page, warc_bytes

CRAWL = "CC-MAIN-2099-01"
_RANGE = re.compile(r"bytes=(\d+)-(\d+)")


@dataclass
class CommonCrawl:
    """The WARC files, their index, and what the server was asked."""

    page_size: int = 20
    files: dict[str, bytes] = field(default_factory=dict)
    index: list[dict[str, object]] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    ranges: Counter[tuple[str, int]] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, timestamp: str, pages: Iterable[Page]) -> None:
        """One WARC file of ``pages`` captured at ``timestamp`` (14 digits)."""
        name = f"crawl-data/{CRAWL}/segments/{timestamp}.warc.gz"
        date = (f"{timestamp[:4]}-{timestamp[4:6]}-{timestamp[6:8]}T{timestamp[8:10]}:"
                f"{timestamp[10:12]}:{timestamp[12:14]}Z")  # fmt: skip
        data = bytearray()
        for page in pages:
            stamped = Page(page.url, page.content_type, page.body, date, page.status)
            record = warc_bytes([stamped])
            self.index.append(
                {
                    "urlkey": page.url,
                    "timestamp": timestamp,
                    "url": page.url,
                    "mime": page.content_type.split(";")[0],
                    "status": str(page.status),
                    "digest": base64.b32encode(hashlib.sha1(page.body).digest()).decode(),
                    "length": str(len(record)),
                    "offset": str(len(data)),
                    "filename": name,
                }
            )
            data += record
        self.files[name] = bytes(data)
        self.index.sort(key=lambda r: (str(r["url"]), str(r["timestamp"])))

    def lines(self, query: dict[str, list[str]]) -> list[str]:
        wanted = query["url"][0].removesuffix("/*").lower()
        start = query.get("from", ["0"])[0].ljust(14, "0")
        end = query.get("to", ["9"])[0].ljust(14, "9")
        found = []
        for row in self.index:
            where = str(row["url"]).split("://", 1)[-1].lower()
            host = where.split("/", 1)[0]
            inside = where.startswith(wanted + "/") if "/" in wanted else host == wanted
            if not inside or not start <= str(row["timestamp"]) <= end:
                continue
            if not all(_matches(row, spec) for spec in query.get("filter", [])):
                continue
            found.append(json.dumps(row))
        return found


def _matches(row: dict[str, object], spec: str) -> bool:
    name, _, want = spec.removeprefix("=").partition(":")
    return str(row.get(name)) == want


def _handler(cc: CommonCrawl) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with cc.lock:
                cc.requests[parts.path] += 1
            if parts.path == f"/{CRAWL}-index":
                self._index(parse_qs(parts.query))
            elif parts.path.startswith("/data/"):
                self._data(parts.path[len("/data/") :])
            else:
                self._send(404, b"not found", {"Content-Type": "text/plain"})

        def _index(self, query: dict[str, list[str]]) -> None:
            lines = cc.lines(query)
            if "showNumPages" in query:
                pages = -(-len(lines) // cc.page_size)
                body = json.dumps({"pages": pages, "pageSize": cc.page_size, "blocks": pages})
                self._send(200, body.encode(), {"Content-Type": "application/json"})
                return
            page = int(query.get("page", ["0"])[0])
            chosen = lines[page * cc.page_size : (page + 1) * cc.page_size]
            answer = "".join(line + "\n" for line in chosen).encode()
            self._send(200, answer, {"Content-Type": "text/x-ndjson"})

        def _data(self, name: str) -> None:
            data = cc.files.get(name)
            found = _RANGE.fullmatch(self.headers.get("Range", ""))
            if data is None or found is None:
                self._send(404 if data is None else 416, b"", {"Content-Type": "text/plain"})
                return
            first, last = int(found.group(1)), int(found.group(2))
            with cc.lock:
                cc.ranges[(name, first)] += 1
            self._send(206, data[first : last + 1], {
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {first}-{last}/{len(data)}",
            })  # fmt: skip

    return Handler


@contextmanager
def serve(cc: CommonCrawl) -> Iterator[str]:
    """Serve ``cc`` on 127.0.0.1 (a free port); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(cc))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
