"""A small static HTTP server of a ``<host>/<path>`` mirror tree, on 127.0.0.1.

The tree is the layout ``wget --mirror`` writes (``data/sample-site/gz.news.cn/index.html``,
``data/sample-site/www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm``). A request names its
file in one of two ways:

* path prefix: ``GET /gz.news.cn/2024-01/05/c_1.htm`` (what ``--mirror URL`` sends: see
  :mod:`newsarchive.crawling.mirror`); a query may come as ``%3F…`` (wget's file naming) or as a
  plain ``?…``; a file named with the query wins, else the query is ignored;
* real host: ``GET /2024-01/05/c_1.htm`` with ``Host: gz.news.cn`` (a proxy or a resolver
  pointing real names at the server), used when the first path segment is not a host folder.

A folder (or a path ending in ``/``) answers with its ``index.html``, ``index.htm`` or
``pc.htm``. Several roots can be stacked: the first holding the file wins (serve an overlay such
as ``data/sample-site-v2`` in front of ``data/sample-site``). ``Content-Type`` comes from the
optional ``content-types.json`` at a root (``<host>/<path>`` → header value), else from the
file: HTML carries the charset its ``<meta>`` declares, JSON and text are UTF-8.

Every request is counted per mirror key (``<host>/<path>``, query dropped) in
:attr:`MirrorServer.requests`, for tests that check what a crawl fetched.
"""

from __future__ import annotations

import collections
import json
import logging
import mimetypes
import re
import threading
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

INDEX_FILES = ("index.html", "index.htm", "pc.htm")
CONTENT_TYPES_FILE = "content-types.json"
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1", ""})
NOT_FOUND_BODY = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
    b"<body><h1>404 Not Found</h1></body></html>"
)


def mirror_key(url: str) -> str:
    """The mirror key of a real URL: ``https://gz.news.cn/a/b.htm?x=1`` → ``gz.news.cn/a/b.htm``."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}"


def content_type_for(path: Path, head: bytes) -> str:
    """The ``Content-Type`` for a file, from its suffix and (HTML) its declared charset."""
    suffix = path.suffix.lower()
    if suffix in {".htm", ".html", ".shtml"}:
        m = _META_CHARSET_RE.search(head)
        charset = m.group(1).decode("ascii").lower() if m else "utf-8"
        return f"text/html; charset={charset}"
    if suffix == ".json":
        return "application/json; charset=utf-8"
    if suffix == ".txt":
        return "text/plain; charset=utf-8"
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, *, body: bool) -> None:
        mirror = self.server.mirror
        key, query = mirror.request_key(self.path, self.headers.get("Host", ""))
        mirror.count(key)
        found = mirror.resolve(key, query)
        if found is None:
            self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", NOT_FOUND_BODY, body)
            return
        path, file_key = found
        data = path.read_bytes()
        self._send(HTTPStatus.OK, mirror.content_type(file_key, path, data), data, body)

    def _send(self, status: HTTPStatus, ctype: str, data: bytes, body: bool) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if body:
            self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s - " + format, self.address_string(), *args)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    mirror: MirrorServer

    def handle_error(self, request: object, client_address: object) -> None:
        # A client that hangs up mid-response (a crawler's size limit, a timeout) is expected.
        logger.debug("connection from %s ended abruptly", client_address, exc_info=True)


class MirrorServer:
    """Serve mirror tree(s) on ``127.0.0.1`` in a background thread.

    >>> with MirrorServer("data/sample-site") as site:   # doctest: +SKIP
    ...     site.url_for("https://gz.news.cn/")          # 'http://127.0.0.1:PORT/gz.news.cn/'
    """

    def __init__(
        self, roots: str | Path | Sequence[str | Path], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        if isinstance(roots, str | Path):
            roots = [roots]
        self.roots: tuple[Path, ...] = tuple(Path(r).resolve() for r in roots)
        for root in self.roots:
            if not root.is_dir():
                raise FileNotFoundError(f"mirror root {root} is not a directory")
        self._content_types: dict[str, str] = {}
        for root in reversed(self.roots):
            file = root / CONTENT_TYPES_FILE
            if file.is_file():
                self._content_types |= json.loads(file.read_text("utf-8"))
        self.requests: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()
        self._host = host
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.mirror = self
        self._thread: threading.Thread | None = None

    # --- lifecycle ------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``--mirror``."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"mirror:{self.port}",
                daemon=True,
            )
            self._thread.start()
            logger.info("serving %s at %s", ", ".join(map(str, self.roots)), self.url)
        return self

    def close(self) -> None:
        """Stop serving, close the socket, wait for the thread."""
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join()
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # --- addressing -----------------------------------------------------------------------

    def url_for(self, real_url: str) -> str:
        """Where the server answers for ``real_url`` (path-prefix form, query kept)."""
        parts = urlsplit(real_url)
        query = f"?{parts.query}" if parts.query else ""
        return f"{self.url}/{mirror_key(real_url)}{query}"

    def _is_host_dir(self, name: str) -> bool:
        return "." in name and any((root / name).is_dir() for root in self.roots)

    def request_key(self, target: str, host_header: str) -> tuple[str, str]:
        """(mirror key, query) of a request target and its ``Host`` header."""
        if "://" in target:  # absolute-form (proxy) request
            parts = urlsplit(target)
            return mirror_key(target), parts.query
        raw_path, _, query = target.partition("?")
        path = unquote(raw_path)
        if "?" in path:  # wget-style %3F
            path, _, query = path.partition("?")
        first = path.lstrip("/").split("/", 1)[0]
        host = host_header.rsplit(":", 1)[0].strip("[]").lower()
        if not self._is_host_dir(first) and host not in _LOCAL_HOSTS:
            return f"{host}/{path.lstrip('/')}", query
        return path.lstrip("/"), query

    def resolve(self, key: str, query: str = "") -> tuple[Path, str] | None:
        """(file, key of the file) behind ``key`` in the first root holding it, or ``None``."""
        relative = key.lstrip("/")
        if "/" not in relative:  # a bare host: its home page
            relative += "/"
        if relative == "/" or ".." in relative.split("/"):
            return None
        names = [f"{relative}?{query}"] if query else []
        if relative.endswith("/"):
            names += [relative + i for i in INDEX_FILES]
        else:
            names += [relative, *(f"{relative}/{i}" for i in INDEX_FILES)]
        for root in self.roots:
            for name in names:
                candidate = root / name
                if candidate.is_file() and candidate.resolve().is_relative_to(root):
                    return candidate, name
        return None

    def content_type(self, key: str, path: Path, data: bytes) -> str:
        return self._content_types.get(key) or content_type_for(path, data[:2048])

    # --- counting -------------------------------------------------------------------------

    def count(self, key: str) -> None:
        with self._lock:
            self.requests[key] += 1

    def hits(self, url_or_key: str) -> int:
        """How many requests named this real URL or mirror key (queries ignored)."""
        key = mirror_key(url_or_key) if "://" in url_or_key else url_or_key.split("?", 1)[0]
        with self._lock:
            return self.requests[key]

    def total(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()


def main(argv: list[str] | None = None) -> int:
    """``python -m newsarchive.mirror ROOT… [--port N]``: serve until interrupted."""
    import argparse  # noqa: PLC0415 (only the command line needs it)
    import sys  # noqa: PLC0415

    parser = argparse.ArgumentParser(prog="python -m newsarchive.mirror", description=__doc__)
    parser.add_argument("roots", nargs="+", type=Path, help="mirror trees, first wins")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    server = MirrorServer(args.roots, port=args.port).start()
    sys.stdout.write(f"{server.url}\n")
    sys.stdout.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
