"""The fault site: a loopback HTTP server of a ``<host>/<path>`` site copy, with faults.

Which file answers a request (index files, queries, ``Content-Type``) is decided by the
product's :class:`newsarchive.mirrorserver.SiteCopy`, so ``newsarchive crawl … --mirror URL``
sees the same site from both servers, faults aside.
"""

from __future__ import annotations

import collections
import logging
import socket
import struct
import threading
from collections.abc import Iterable, Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from newsarchive.mirrorserver import Found, SiteCopy
from newsarchive.mirrorserver import request_key as mirror_request_key
from tools.faults import pages
from tools.faults.rules import Fault, RateFaults, Rule

logger = logging.getLogger(__name__)

RedirectStyle = Literal["real", "mirror"]
#: The query that marks the second URL of a ``redirect_loop`` (A → A?_loop=1 → A → …).
LOOP_QUERY = "_loop=1"


def request_key(target: str) -> str:
    """The fault site's key of a request target: ``/gz.news.cn/a.htm%3Fp=2`` →
    ``gz.news.cn/a.htm?p=2`` (what rules match and counters count; the query is kept)."""
    key, query = mirror_request_key(target)
    return f"{key}?{query}" if query else key


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request: object, client_address: object) -> None:
        # Clients that give up (timeouts, size limits) reset connections: expected here.
        logger.debug("connection from %s ended abruptly", client_address, exc_info=True)


class FaultSite:
    """A loopback HTTP server of the mirror tree ``root`` that injects faults.

    Use as a context manager (or :meth:`start` / :meth:`stop`); :attr:`url` is the value for
    ``--mirror``. Rules are tried in order and the first match wins; keys no rule matches go
    to ``rate`` (faults at a chosen rate). Counters: :meth:`hits` (requests per key) and
    :meth:`injected` (faults served per key), safe to read while the server runs.
    """

    def __init__(
        self,
        root: Path,
        rules: Sequence[Rule] = (),
        *,
        rate: RateFaults | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
        redirect_style: RedirectStyle = "real",
        redirect_scheme: str = "https",
    ) -> None:
        self.root = Path(root)
        self.copy = SiteCopy(self.root)
        self.rules = tuple(rules)
        self.rate = rate
        self.redirect_style = redirect_style
        self.redirect_scheme = redirect_scheme
        self._host = host
        self._port = port
        self._lock = threading.Lock()
        self._hits: collections.Counter[str] = collections.Counter()
        self._injected: collections.Counter[str] = collections.Counter()
        self._per_rule: collections.Counter[tuple[int, str]] = collections.Counter()
        self._log: list[tuple[str, str | None]] = []
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._bait_hosts = {
            (urlsplit(r.fault.target).hostname or "")
            for r in self.rules
            if r.fault.kind == "redirect_offchannel"
        }
        if rate is not None:
            self._bait_hosts |= {
                urlsplit(f.target).hostname or ""
                for f in rate.faults
                if f.kind == "redirect_offchannel"
            }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> FaultSite:
        handler = type("Handler", (_Handler,), {"site": self})
        server = _Server((self._host, self._port), handler)
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="faultsite", daemon=True
        )
        self._thread.start()
        logger.info("fault site serving %s at %s", self.root, self.url)
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._server = None

    def __enter__(self) -> FaultSite:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``, the value for the crawler's ``--mirror``."""
        if self._server is None:
            raise RuntimeError("the fault site is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # -- counters --------------------------------------------------------------------------

    def hits(self, key: str | None = None) -> int:
        """Requests received for ``key`` (``<host>/<path>[?query]``), or in all."""
        with self._lock:
            return self._hits[key] if key is not None else sum(self._hits.values())

    def injected(self, key: str | None = None) -> int:
        """Faults served for ``key``, or in all."""
        with self._lock:
            return self._injected[key] if key is not None else sum(self._injected.values())

    def log(self) -> list[tuple[str, str | None]]:
        """Every request as (key, fault kind or ``None`` for a normal answer), in order."""
        with self._lock:
            return list(self._log)

    def reset_counters(self) -> None:
        """Forget counts and "first N times" state (a fresh site for the next run)."""
        with self._lock:
            self._hits.clear()
            self._injected.clear()
            self._per_rule.clear()
            self._log.clear()

    # -- decisions -------------------------------------------------------------------------

    def decide(self, key: str) -> Fault | None:
        """Count the request for ``key`` and return the fault to inject, if any."""
        with self._lock:
            self._hits[key] += 1
            chosen: Fault | None = None
            slot: tuple[int, str] | None = None
            # The second URL of a redirect loop belongs to the page that started it.
            base = key.removesuffix("?" + LOOP_QUERY)
            for index, rule in enumerate(self.rules):
                if rule.matches(base):
                    chosen, slot = rule.fault, (index, key)
                    break
            if chosen is None and self.rate is not None:
                chosen, slot = self.rate.fault_for(base), (-1, key)
            if chosen is not None and slot is not None:
                if chosen.times is not None and self._per_rule[slot] >= chosen.times:
                    chosen = None
                else:
                    self._per_rule[slot] += 1
                    self._injected[key] += 1
            self._log.append((key, chosen.kind if chosen is not None else None))
            return chosen

    def is_bait_host(self, host: str) -> bool:
        return host in self._bait_hosts

    def redirect_location(self, key: str) -> str:
        if self.redirect_style == "mirror":
            return "/" + key
        return f"{self.redirect_scheme}://{key}"

    def wait_stopping(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; ``True`` if the site is stopping."""
        return self._stopping.wait(seconds)


class _Handler(BaseHTTPRequestHandler):
    site: FaultSite
    protocol_version = "HTTP/1.1"
    server_version = "newsarchive-faultsite/1"

    def log_message(self, format: str, *args: object) -> None:
        logger.debug("%s " + format, self.address_string(), *args)

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        key = request_key(self.path)
        fault = self.site.decide(key)
        host = key.split("/", 1)[0]
        if self.site.is_bait_host(host):
            self._send(200, pages.bait_article(host, key), "text/html; charset=utf-8")
            return
        path, _, query = key.partition("?")
        found = self.site.copy.find(path, query)
        if fault is None:
            if found is None:
                self._send(404, pages.error_page(404), "text/html; charset=utf-8")
            else:
                self._send(200, found.path.read_bytes(), found.content_type)
            return
        self._inject(fault, key, found)

    # -- faults ----------------------------------------------------------------------------

    def _inject(self, fault: Fault, key: str, found: Found | None) -> None:  # noqa: PLR0912  # one branch per kind reads best
        body = found.path.read_bytes() if found is not None else pages.error_page(404)
        ctype = found.content_type if found is not None else "text/html; charset=utf-8"
        kind = fault.kind
        if kind == "status":
            self._send(fault.status, pages.error_page(fault.status), "text/html; charset=utf-8")
        elif kind == "timeout":
            self.site.wait_stopping(fault.hold)
            self.close_connection = True
        elif kind == "reset":
            self._reset()
        elif kind == "close_mid_body":
            self._headers(200, ctype, len(body))
            self.wfile.write(body[: int(len(body) * fault.fraction)])
            self.wfile.flush()
            self._reset()
        elif kind == "truncate":
            self._send(200, pages.truncated(body, fault.fraction), ctype)
        elif kind == "charset_wrong":
            self._send(200, body, "text/html; charset=gbk")
        elif kind == "charset_missing":
            self._send(200, pages.without_charset(body), "text/html")
        elif kind == "gbk_as_utf8":
            self._send(200, pages.as_gbk_labelled_utf8(body), "text/html; charset=utf-8")
        elif kind == "garbage":
            self._send(200, pages.garbage(min(fault.size, 65536), fault.seed), "text/html")
        elif kind == "huge":
            self._send_huge(fault.size)
        elif kind == "redirect_loop":
            path, _, query = key.partition("?")
            target = path if query == LOOP_QUERY else f"{path}?{LOOP_QUERY}"
            self._redirect(self.site.redirect_location(target))
        elif kind == "redirect_offchannel":
            self._redirect(fault.target)
        elif kind == "captcha":
            self._send(200, pages.CAPTCHA_PAGE, "text/html; charset=utf-8")
        elif kind == "trickle":
            self._trickle(body, ctype, fault.chunk, fault.delay)
        elif kind == "template_changed":
            self._send(200, pages.changed_template(body), ctype)
        elif kind == "empty":
            self._send(200, b"", ctype)

    def _headers(
        self, status: int, ctype: str, length: int, extra: Iterable[tuple[str, str]] = ()
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(length))
        for name, value in extra:
            self.send_header(name, value)
        self.end_headers()

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        self._headers(status, ctype, len(body))
        if self.command != "HEAD":
            self.wfile.write(body)

    def _redirect(self, location: str) -> None:
        body = f'<html><body><a href="{location}">moved</a></body></html>'.encode()
        self._headers(302, "text/html; charset=utf-8", len(body), [("Location", location)])
        self.wfile.write(body)

    def _reset(self) -> None:
        """Close with a TCP reset (no FIN handshake), as a crashed server does."""
        self.close_connection = True
        try:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
        except OSError:
            pass

    def _send_huge(self, size: int) -> None:
        head, block, count = pages.huge_page(size)
        tail = b"</body></html>"
        total = len(head) + len(block) * count + len(tail)
        self._headers(200, "text/html; charset=utf-8", total)
        try:
            self.wfile.write(head)
            for _ in range(count):
                if self.site.wait_stopping(0):
                    break
                self.wfile.write(block)
            self.wfile.write(tail)
        except OSError:  # the client gave up at its size limit: the point of the fault
            self.close_connection = True

    def _trickle(self, body: bytes, ctype: str, chunk: int, delay: float) -> None:
        self._headers(200, ctype, len(body))
        try:
            for start in range(0, len(body), max(1, chunk)):
                self.wfile.write(body[start : start + chunk])
                self.wfile.flush()
                if self.site.wait_stopping(delay):
                    break
        except OSError:  # the client timed out: the point of the fault
            self.close_connection = True
