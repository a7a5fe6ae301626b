"""Where a command's log goes: stderr at the level ``-q``/``-v`` chose, and optionally a file
rotated by size (``--log-file``, ``[log] file``) that keeps the full log.

Levels are set on the handlers, not only on the root logger, because Scrapy sets its own
loggers to DEBUG: without a handler level its per-request lines would reach a ``--quiet``
cron mail.
"""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def console_level(*, quiet: bool, verbose: int) -> int:
    if quiet:
        return logging.WARNING
    return logging.DEBUG if verbose > 1 else logging.INFO


def configure(
    *,
    quiet: bool,
    verbose: int,
    log_file: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
) -> logging.Handler | None:
    """Set the stderr handlers' level and add the rotating file handler if asked; returns it.

    The file gets INFO and up (DEBUG with ``-vv``) whatever ``quiet`` says: cron stays quiet
    while the file keeps what happened.
    """
    root = logging.getLogger()
    level = console_level(quiet=quiet, verbose=verbose)
    if not root.handlers:
        logging.basicConfig(format=FORMAT)
    for handler in root.handlers:
        if not isinstance(handler, logging.handlers.RotatingFileHandler):
            handler.setLevel(level)
    file_handler: logging.Handler | None = None
    lowest = level
    if log_file is not None:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        file_handler = logging.handlers.RotatingFileHandler(
            log_file, maxBytes=max_bytes, backupCount=backups, encoding="utf-8"
        )
        file_level = logging.DEBUG if verbose > 1 else logging.INFO
        file_handler.setLevel(file_level)
        file_handler.setFormatter(logging.Formatter(FORMAT))
        root.addHandler(file_handler)
        lowest = min(level, file_level)
    root.setLevel(lowest)
    return file_handler
