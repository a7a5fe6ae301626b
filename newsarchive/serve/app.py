"""The Datasette instance ``newsarchive serve`` runs."""

from __future__ import annotations

import asyncio
import logging
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


def serve(path: str | Path, *, host: str = "127.0.0.1", port: int = 8001) -> None:
    """Serve the archive at ``path`` on ``host:port`` until interrupted."""
    import uvicorn  # noqa: PLC0415 (only the server needs it)

    ds = make_datasette(path)
    asyncio.run(ds.invoke_startup())
    if host not in ("127.0.0.1", "localhost", "::1"):
        logger.warning("serving on %s: reachable from other machines", host)
    logger.info("serving %s on http://%s:%d/", path, host, port)
    uvicorn.run(ds.app(), host=host, port=port, log_level="warning", lifespan="on")


__all__ = ["SETTINGS", "archive_tables", "make_datasette", "serve"]
