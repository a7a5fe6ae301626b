"""The product's site-copy server, counting what it was asked for (tests and benchmarks).

:class:`CountingMirror` is :class:`newsarchive.mirrorserver.MirrorServer` with every request
counted per ``<host>/<path>`` (query dropped) in :attr:`CountingMirror.requests`, for checks
of what a crawl fetched.
"""

from __future__ import annotations

import collections
import threading
from collections.abc import Sequence
from http import HTTPStatus
from pathlib import Path
from urllib.parse import urlsplit

from newsarchive.mirrorserver import MirrorServer, request_key


def mirror_key(url: str) -> str:
    """The key of a real URL: ``https://gz.news.cn/a/b.htm?x=1`` → ``gz.news.cn/a/b.htm``."""
    parts = urlsplit(url)
    return f"{(parts.hostname or '').lower()}{parts.path or '/'}"


class CountingMirror(MirrorServer):
    """A :class:`MirrorServer` that counts requests per key."""

    def __init__(
        self, roots: str | Path | Sequence[str | Path], *, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        super().__init__(roots, host=host, port=port)
        self.requests: collections.Counter[str] = collections.Counter()
        self._lock = threading.Lock()

    def answer(self, target: str) -> tuple[HTTPStatus, str, bytes]:
        key, _ = request_key(target)
        with self._lock:
            self.requests[key] += 1
        return super().answer(target)

    def url_for(self, real_url: str) -> str:
        """Where the server answers for ``real_url`` (path-prefix form, query kept)."""
        query = urlsplit(real_url).query
        return f"{self.url}/{mirror_key(real_url)}" + (f"?{query}" if query else "")

    def hits(self, url_or_key: str) -> int:
        """Requests that named this real URL or key (queries ignored)."""
        key = mirror_key(url_or_key) if "://" in url_or_key else url_or_key.split("?", 1)[0]
        with self._lock:
            return self.requests[key]

    def total(self) -> int:
        with self._lock:
            return sum(self.requests.values())

    def reset(self) -> None:
        with self._lock:
            self.requests.clear()
