"""The Datasette instance ``newsarchive serve`` runs."""

from __future__ import annotations

import asyncio
import logging
import socket
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newsarchive.serve import plugin
from newsarchive.serve.metadata import build_metadata
from newsarchive.store.queries import connect

logger = logging.getLogger(__name__)

#: Datasette settings for an archive: generous limits for Chinese full-text search.
SETTINGS: dict[str, Any] = {
    "sql_time_limit_ms": 5000,
    "facet_time_limit_ms": 1000,
    "default_page_size": 50,
    "max_returned_rows": 2000,
}

PLUGIN_NAME = "newsarchive"


def _register_plugin() -> None:
    from datasette.plugins import pm  # noqa: PLC0415 (Datasette loads its plugins on import)

    if pm.get_plugin(PLUGIN_NAME) is None:
        pm.register(plugin, name=PLUGIN_NAME)


def archive_tables(path: Path) -> list[str]:
    """The tables and views of the archive at ``path`` (checked to be an archive)."""
    conn = connect(path)
    try:
        return [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name"
            )
        ]
    finally:
        conn.close()


def make_datasette(path: str | Path) -> Any:
    """A :class:`datasette.app.Datasette` serving the archive at ``path`` read-only, with the
    newsarchive plugin and metadata. Raises
    :class:`newsarchive.store.queries.ArchiveError` when ``path`` is not an archive."""
    from datasette.app import Datasette  # noqa: PLC0415 (after our plugin is known)

    db = Path(path)
    tables = archive_tables(db)
    _register_plugin()
    metadata = build_metadata(db.stem, tables)
    return Datasette([str(db)], metadata=metadata, settings=SETTINGS)


class ServeError(Exception):
    """The server cannot start (the port is taken, the address is not this machine's)."""


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on ``host:port`` (port 0: a free port the system picks).

    Bound before the server starts, so a port in use is a clear :class:`ServeError` and the
    address announced is the one really listened on."""
    try:
        family, _, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except socket.gaierror as exc:
        raise ServeError(f"cannot listen on {host}: {exc.strerror}") from exc
    try:
        return socket.create_server(address[:2], family=family)
    except OSError as exc:
        raise ServeError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def url_of(sock: socket.socket) -> str:
    """``http://host:port/`` of a listening socket (IPv6 hosts in brackets)."""
    host, port = sock.getsockname()[:2]
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


def serve(
    path: str | Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8001,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the archive at ``path`` on ``host:port`` until interrupted (SIGINT/SIGTERM).

    ``on_ready`` is called with the server's URL once the port is bound. Raises
    :class:`ServeError` when the port cannot be bound and
    :class:`newsarchive.store.queries.ArchiveError` when ``path`` is not an archive."""
    import uvicorn  # noqa: PLC0415 (only the server needs it)

    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    sock = listen(host, port)
    url = url_of(sock)
    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("serving on %s: reachable from other machines", host)
    logger.debug("serving %s on %s", path, url)
    config = uvicorn.Config(ds.app(), log_level="warning", lifespan="on")
    if on_ready is not None:
        on_ready(url)
    uvicorn.Server(config).run(sockets=[sock])


__all__ = [
    "SETTINGS",
    "ServeError",
    "archive_tables",
    "listen",
    "make_datasette",
    "serve",
    "url_of",
]
