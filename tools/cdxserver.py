"""A small CDX + replay server over site copies, for testing ``newsarchive backfill``.

It answers the Wayback Machine's CDX API (``/cdx?url=HOST/*&output=json&fl=…&from=…&to=…``,
``filter``, ``collapse=digest``, ``limit`` + ``showResumeKey``/``resumeKey``) and its identity
replay form (``/web/<timestamp>id_/<url>``: the archived bytes; another timestamp is
redirected to the nearest capture, as the Wayback Machine does). Every request is counted by
path; ``throttle`` replay requests are first answered ``429`` with ``Retry-After: 1``.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from tools.warcsite import Page


@dataclass(frozen=True, slots=True)
class Snapshot:
    timestamp: str
    page: Page

    @property
    def digest(self) -> str:
        return base64.b32encode(hashlib.sha1(self.page.body).digest()).decode()


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


@dataclass
class Archive:
    """The captures the server holds, and what it was asked."""

    snapshots: list[Snapshot] = field(default_factory=list)
    requests: Counter[str] = field(default_factory=Counter)
    throttle: set[str] = field(default_factory=set)
    """Replay paths answered 429 once before they are served."""
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, timestamp: str, pages: Iterable[Page]) -> None:
        self.snapshots.extend(Snapshot(timestamp, p) for p in pages)
        self.snapshots.sort(key=lambda s: (_host(s.page.url), s.page.url, s.timestamp))

    def cdx_rows(self, query: dict[str, list[str]]) -> list[list[str]]:
        prefix = query["url"][0]
        wanted = prefix.removesuffix("/*").lower()
        start = query.get("from", ["0"])[0].ljust(14, "0")
        end = query.get("to", ["9"])[0].ljust(14, "9")
        fields = query.get("fl", ["urlkey,timestamp,original,mimetype,statuscode,digest"])
        names = fields[0].split(",")
        rows: list[list[str]] = []
        last: dict[str, str] = {}
        for snap in self.snapshots:
            where = snap.page.url.split("://", 1)[-1].lower()
            inside = (
                where.startswith(wanted + "/") if "/" in wanted else _host(snap.page.url) == wanted
            )
            if not inside or not start <= snap.timestamp <= end:
                continue
            values = {
                "urlkey": snap.page.url,
                "timestamp": snap.timestamp,
                "original": snap.page.url,
                "mimetype": snap.page.content_type.split(";")[0],
                "statuscode": str(snap.page.status),
                "digest": snap.digest,
                "length": str(len(snap.page.body)),
            }
            if not all(_matches(values, f) for f in query.get("filter", [])):
                continue
            if "collapse" in query and last.get(snap.page.url) == snap.digest:
                continue
            last[snap.page.url] = snap.digest
            rows.append([values[n] for n in names])
        return [names, *rows]

    def find(self, timestamp: str, url: str) -> Snapshot | None:
        found = [s for s in self.snapshots if s.page.url == url]
        if not found:
            return None
        return min(found, key=lambda s: abs(int(s.timestamp) - int(timestamp)))


def _matches(values: dict[str, str], spec: str) -> bool:
    name, _, want = spec.partition(":")
    return values.get(name) == want


class QuietHandler(BaseHTTPRequestHandler):
    """A request handler that logs nothing and answers with :meth:`_send` (the test servers'
    common part)."""

    def log_message(self, format: str, *args: object) -> None:
        return

    def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _handler(archive: Archive) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            with archive.lock:
                archive.requests[self.path] += 1
            if parts.path == "/cdx":
                self._cdx(parse_qs(parts.query))
            elif parts.path.startswith("/web/"):
                self._replay(self.path[len("/web/") :])
            else:
                self._send(404, b"not found", {"Content-Type": "text/plain"})

        def _cdx(self, query: dict[str, list[str]]) -> None:
            rows = archive.cdx_rows(query)
            limit = int(query.get("limit", ["0"])[0] or 0)
            offset = int(query.get("resumeKey", ["0"])[0] or 0)
            header, body = rows[0], rows[1:]
            page = body[offset : offset + limit] if limit else body[offset:]
            out: list[list[str]] = [header, *page]
            if limit and offset + limit < len(body) and "showResumeKey" in query:
                out += [[], [str(offset + limit)]]
            self._send(200, json.dumps(out).encode(), {"Content-Type": "application/json"})

        def _replay(self, rest: str) -> None:
            stamp, _, url = rest.partition("id_/")
            if self.path in archive.throttle:
                with archive.lock:
                    archive.throttle.discard(self.path)
                self._send(429, b"slow down", {"Retry-After": "1", "Content-Type": "text/plain"})
                return
            snap = archive.find(stamp, url)
            if snap is None:
                self._send(404, b"not archived", {"Content-Type": "text/plain"})
            elif snap.timestamp != stamp:
                location = f"/web/{snap.timestamp}id_/{url}"
                self._send(302, b"", {"Location": location, "Content-Type": "text/plain"})
            else:
                self._send(200, snap.page.body, {"Content-Type": snap.page.content_type})

    return Handler


@contextmanager
def serve(archive: Archive) -> Iterator[str]:
    """Serve ``archive`` on 127.0.0.1 (a free port); yields the base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(archive))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
