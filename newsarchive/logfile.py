"""Where a command's log goes: stderr at the level ``-q``/``-v`` chose, and optionally a file
rotated by size (``--log-file``, ``[log] file``) that keeps the full log.

On the console a plain run shows warnings and errors only: a command's own output (progress,
summary) is printed by the CLI, and INFO diagnostics (Scrapy's version banner, middlewares,
stats dump; the project's own) appear with ``-v``, DEBUG with ``-vv``. Every console record is
one line (:class:`ConsoleFormatter`): an exception is appended as ``(Type: message)`` and its
traceback goes to the log file only, or to the console with ``-vv``.

Levels are set on the handlers, not only on the root logger, because Scrapy sets its own
loggers to DEBUG: without a handler level its per-request lines would reach a ``--quiet``
cron mail.
"""

from __future__ import annotations

import logging
import logging.handlers
import sys
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

#: Marks the stderr handler this module installed (its formatter is ours to set).
_CONSOLE = "newsarchive_console"


def console_level(*, quiet: bool, verbose: int) -> int:
    """WARNING for a plain or ``--quiet`` run, INFO with ``-v``, DEBUG with ``-vv``."""
    if quiet or verbose <= 0:
        return logging.WARNING
    return logging.DEBUG if verbose > 1 else logging.INFO


def one_line(text: str) -> str:
    """``text`` on one line: a traceback printed into a message (Twisted's "Unhandled error")
    is cut to the lines before it and its last line (``Type: message``); other line breaks
    become spaces."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        return ""
    for i, line in enumerate(lines):
        if line.startswith("Traceback (most recent call last)"):
            return " ".join([*lines[:i], lines[-1]])
    return " ".join(lines)


class ConsoleFormatter(logging.Formatter):
    """Every record on one line (``tracebacks=False``): an exception is appended to the
    message as ``(Type: message)``, without its traceback; a WARNING or worse spread over
    several lines is joined into one. With ``tracebacks=True`` (``-vv``) records are formatted
    as usual, tracebacks included."""

    def __init__(self, *, tracebacks: bool = False) -> None:
        super().__init__(FORMAT)
        self.tracebacks = tracebacks

    def format(self, record: logging.LogRecord) -> str:
        if self.tracebacks:
            return super().format(record)
        message = record.getMessage()
        if record.levelno >= logging.WARNING:
            message = one_line(message)
        exc = record.exc_info[1] if record.exc_info else None
        if exc is not None:
            message += f" ({type(exc).__name__}: {one_line(str(exc))})"
        elif record.exc_text:
            message += f" ({one_line(record.exc_text)})"
        # A copy: the file handler formats the same record, traceback included.
        copy = logging.makeLogRecord(record.__dict__)
        copy.msg, copy.args = message, None
        copy.exc_info, copy.exc_text, copy.stack_info = None, None, None
        return super().format(copy)


def _not_py_warnings(record: logging.LogRecord) -> bool:
    return record.name != "py.warnings"


_PY_WARNINGS = _not_py_warnings


def configure(
    *,
    quiet: bool,
    verbose: int,
    log_file: Path | None = None,
    max_bytes: int = 10 * 1024 * 1024,
    backups: int = 5,
) -> logging.Handler | None:
    """Set the stderr handlers' level (and one-line format) and add the rotating file handler
    if asked; returns it.

    Without any handler on the root logger a stderr handler is installed (a host such as
    pytest that has its own keeps them, only their level is set). The file gets INFO and up
    (DEBUG with ``-vv``) whatever ``quiet`` says: cron stays quiet while the file keeps what
    happened, tracebacks included.
    """
    root = logging.getLogger()
    level = console_level(quiet=quiet, verbose=verbose)
    if not root.handlers:
        console = logging.StreamHandler(sys.stderr)
        setattr(console, _CONSOLE, True)
        root.addHandler(console)
    for handler in root.handlers:
        if getattr(handler, _CONSOLE, False):
            handler.setFormatter(ConsoleFormatter(tracebacks=verbose > 1))
            # Python's warnings (a library's deprecations) are for developers: with -v.
            if verbose > 0:
                handler.removeFilter(_PY_WARNINGS)
            else:
                handler.addFilter(_PY_WARNINGS)
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
