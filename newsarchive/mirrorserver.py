"""Serve a site copy on 127.0.0.1, for ``newsarchive crawl --mirror URL``.

A site copy is a folder holding one folder per host, the layout ``wget --mirror`` writes
(``gz.news.cn/index.html``, ``www.gz.xinhuanet.com/2016-11/21/c_1119954709.htm``). The crawler
asks for ``https://gz.news.cn/2024-01/05/c_1.htm`` as ``GET /gz.news.cn/2024-01/05/c_1.htm``
(see :mod:`newsarchive.crawling.mirrorhandler`).

:class:`SiteCopy` is the one place that decides which file answers a request:

* the request names ``<host>/<path>``; a query comes as ``%3F…`` (wget's file naming) or as a
  plain ``?…``, and a file named with the query wins, else the query is ignored; a proxy-style
  absolute URL (``GET http://gz.news.cn/a.htm``) names the same file;
* a folder (or a path ending in ``/``, or a bare host) answers with its ``index.html``,
  ``index.htm`` or ``pc.htm``; names that climb out of the copy answer nothing;
* several folders can be stacked: the first holding the file wins (an overlay in front of a
  copy); an overlay's optional ``removed.json`` (a list of ``<host>/<path>`` names) takes
  files of the folders behind it away: those answer 404, as a page taken down since;
* ``Content-Type`` comes from the optional ``content-types.json`` at a folder's top
  (``<host>/<path>`` → header value), else from the file: HTML carries the charset its
  ``<meta>`` declares, JSON and text are UTF-8.

:class:`MirrorServer` answers with it over :mod:`http.server`, in a background thread.
``newsarchive demo`` serves the bundled sample site with it; ``python -m
newsarchive.mirrorserver COPY --port 8000`` serves any copy until interrupted.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import mimetypes
import re
import sys
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import unquote, urlsplit

logger = logging.getLogger(__name__)

INDEX_FILES = ("index.html", "index.htm", "pc.htm")
CONTENT_TYPES_FILE = "content-types.json"
REMOVED_FILE = "removed.json"
NOT_FOUND_BODY = (
    b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>404 Not Found</title></head>'
    b"<body><h1>404 Not Found</h1></body></html>"
)
_META_CHARSET_RE = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)


def request_key(target: str) -> tuple[str, str]:
    """(``<host>/<path>``, query) named by an HTTP request target.

    ``/gz.news.cn/a.htm%3Fp=2``, ``/gz.news.cn/a.htm?p=2`` and ``http://gz.news.cn/a.htm?p=2``
    all give ``("gz.news.cn/a.htm", "p=2")``.
    """
    if "://" in target:  # absolute form, as sent to a proxy
        parts = urlsplit(target)
        return f"{(parts.hostname or '').lower()}{parts.path or '/'}", parts.query
    raw_path, _, query = target.partition("?")
    path = unquote(raw_path)
    if "?" in path:  # wget's %3F
        path, _, query = path.partition("?")
    return path.lstrip("/"), query


def content_type_for(path: Path, head: bytes) -> str:
    """The ``Content-Type`` of a file, from its suffix and (HTML) the charset it declares."""
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


@dataclass(frozen=True)
class Found:
    """The file that answers a request."""

    path: Path
    #: its ``<host>/<path>`` name in the copy (``gz.news.cn/index.html``)
    name: str
    content_type: str


class SiteCopy:
    """One or more site-copy folders, stacked (the first holding a file wins)."""

    def __init__(self, roots: str | Path | Sequence[str | Path]) -> None:
        if isinstance(roots, str | Path):
            roots = [roots]
        self.roots: tuple[Path, ...] = tuple(Path(r).resolve() for r in roots)
        self._content_types: dict[str, str] = {}
        self._removed: dict[Path, frozenset[str]] = {}
        for root in reversed(self.roots):
            if not root.is_dir():
                raise FileNotFoundError(f"site copy {root} is not a folder")
            file = root / CONTENT_TYPES_FILE
            if file.is_file():
                self._content_types |= json.loads(file.read_text("utf-8"))
            removed = root / REMOVED_FILE
            if removed.is_file():
                self._removed[root] = frozenset(json.loads(removed.read_text("utf-8")))

    def find(self, key: str, query: str = "") -> Found | None:
        """The file answering ``<host>/<path>`` (and query), or ``None``."""
        relative = key.lstrip("/")
        if "/" not in relative:  # a bare host: its home page
            relative += "/"
        if relative == "/" or ".." in relative.split("/"):
            return None
        names = [f"{relative}?{query}"] if query else []
        if relative.endswith("/"):
            names += [relative + index for index in INDEX_FILES]
        else:
            names += [relative, *(f"{relative}/{index}" for index in INDEX_FILES)]
        for root in self.roots:
            if self._removed.get(root, frozenset()).intersection(names):
                return None  # taken away by this overlay
            for name in names:
                candidate = root / name
                if candidate.is_file() and candidate.resolve().is_relative_to(root):
                    ctype = self._content_types.get(name)
                    if ctype is None:
                        with candidate.open("rb") as f:
                            ctype = content_type_for(candidate, f.read(2048))
                    return Found(candidate, name, ctype)
        return None


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        self._reply(body=True)

    def do_HEAD(self) -> None:
        self._reply(body=False)

    def _reply(self, *, body: bool) -> None:
        status, ctype, data = self.server.mirror.answer(self.path)
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
    """Serve a :class:`SiteCopy` on ``host:port`` (0: a free port) in a background thread.

    >>> with MirrorServer("copy/") as server:   # doctest: +SKIP
    ...     server.url                           # 'http://127.0.0.1:PORT', for --mirror
    """

    def __init__(
        self, roots: str | Path | Sequence[str | Path], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.copy = SiteCopy(roots)
        self._host = host
        self._httpd = _HTTPServer((host, port), _Handler)
        self._httpd.mirror = self
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        """``http://127.0.0.1:<port>``: the value for ``--mirror``."""
        return f"http://{self._host}:{self.port}"

    def answer(self, target: str) -> tuple[HTTPStatus, str, bytes]:
        """(status, ``Content-Type``, body) for the request target ``target``."""
        found = self.copy.find(*request_key(target))
        if found is None:
            return HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", NOT_FOUND_BODY
        return HTTPStatus.OK, found.content_type, found.path.read_bytes()

    def start(self) -> Self:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.05},
                name=f"mirror:{self.port}",
                daemon=True,
            )
            self._thread.start()
            logger.debug("serving %s at %s", ", ".join(map(str, self.copy.roots)), self.url)
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


_HELP = """\
Serve a site copy (one folder per host, as wget --mirror writes it) on 127.0.0.1 and print
its URL, the value for: newsarchive crawl --mirror URL. Several copies can be stacked: the
first holding a file wins. Serves until you press Ctrl-C.
"""
_EXAMPLE = """\
example:
  python -m newsarchive.mirrorserver ~/copies --port 8000
  newsarchive crawl gz --mirror http://127.0.0.1:8000
"""


def main(argv: list[str] | None = None) -> int:
    """``python -m newsarchive.mirrorserver COPY… [--port N]``."""
    parser = argparse.ArgumentParser(
        prog="python -m newsarchive.mirrorserver",
        description=_HELP,
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "copies", nargs="+", type=Path, metavar="COPY", help="site-copy folders; the first wins"
    )
    parser.add_argument("--port", type=int, default=0, help="port (default 0: a free one)")
    args = parser.parse_args(argv)
    try:
        server = MirrorServer(args.copies, port=args.port)
    except FileNotFoundError as exc:
        parser.error(str(exc))
    except OSError as exc:
        parser.error(f"cannot listen on port {args.port}: {exc.strerror or exc}")
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    with server:
        sys.stdout.write(f"{server.url}\n")
        sys.stdout.flush()
        with contextlib.suppress(KeyboardInterrupt):
            threading.Event().wait()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
