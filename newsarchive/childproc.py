"""What the crawl's helper processes share: :class:`ChildProcess` (the parent's handle:
spawn, batched requests answered on the asyncio loop, a dead child's clear failure),
pickled messages over pipes, and log records forwarded from a child to the parent's logging.

A child started with the ``spawn`` method (never ``fork``: the parent runs a Twisted reactor
and threads) has no logging set up. :class:`ForwardHandler` sends its records to the parent,
where :func:`relog` hands them to the parent's own loggers (Scrapy's log file, the crawl's
stderr) with their names and levels. Used by the store writer process
(:mod:`newsarchive.store.process`) and the extractor process
(:mod:`newsarchive.extract.process`).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import logging
import multiprocessing
import pickle
import queue
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any

logger = logging.getLogger(__name__)

__all__ = [
    "CLOSE",
    "ChildDied",
    "ChildProcess",
    "ForwardHandler",
    "forward_logging",
    "parent_log_level",
    "portable",
    "recv",
    "relog",
    "send",
]


def send(conn: Connection, message: Any) -> None:
    """Pickle ``message`` and write it to ``conn``."""
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def recv(conn: Connection) -> Any:
    """Read and unpickle one message from ``conn`` (``EOFError`` when the writer is gone)."""
    return pickle.loads(conn.recv_bytes())


def portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


class ForwardHandler(logging.Handler):
    """Sends the child's log records to the parent as ``("log", fields)`` messages."""

    def __init__(self, outbox: Connection) -> None:
        super().__init__()
        self.outbox = outbox

    def emit(self, record: logging.LogRecord) -> None:
        fields = {
            "name": record.name,
            "levelno": record.levelno,
            "levelname": record.levelname,
            "msg": record.getMessage(),
            "pathname": record.pathname,
            "lineno": record.lineno,
            "funcName": record.funcName,
            "created": record.created,
            "msecs": record.msecs,
            "process": record.process,
            "processName": record.processName,
        }
        if record.exc_info:
            fields["exc_text"] = logging.Formatter().formatException(record.exc_info)
        with contextlib.suppress(OSError, ValueError):  # the parent is gone: nowhere to log
            send(self.outbox, ("log", fields))


def forward_logging(outbox: Connection, level: int) -> None:
    """In a child: send every record at ``level`` or above to the parent."""
    root = logging.getLogger()
    root.handlers[:] = [ForwardHandler(outbox)]
    root.setLevel(level)


def parent_log_level() -> int:
    """The lowest level this process's logging shows: a child forwards no record below it
    (Scrapy sets the root logger to DEBUG and filters in its handler, at ``LOG_LEVEL``)."""
    root = logging.getLogger()
    level = root.getEffectiveLevel()
    handler_levels = [h.level for h in root.handlers if h.level > logging.NOTSET]
    if handler_levels and len(handler_levels) == len(root.handlers):
        level = max(level, min(handler_levels))
    return level


def relog(fields: dict[str, Any]) -> None:
    """Hand a record a child forwarded (see :class:`ForwardHandler`) to this process's
    logging."""
    record = logging.makeLogRecord(fields)
    logging.getLogger(record.name).handle(record)


class ChildDied(RuntimeError):
    """A helper process exited (or cannot be reached) before answering a request."""


#: The parent's message that ends a child's input.
CLOSE = "close"
_CLOSE_MESSAGE = pickle.dumps(CLOSE)


class ChildProcess:
    """The parent's handle on a spawned helper process that answers batched requests.

    The child is ``target(config, inbox, outbox)``, run in a process started with ``spawn``.
    It sends ``("ready", pid)`` (or ``("failed", exception)``) first, then for the requests
    it reads (lists of ``(seq, request)``, or :data:`CLOSE`) ``("replies", [(seq, reply,
    error)…])`` messages, any number of ``("log", fields)`` messages, and ``("closed",
    None)`` after :data:`CLOSE`.

    In the parent, :meth:`_submit` is awaited on one asyncio event loop (the crawl's reactor
    loop). Requests made in one turn of the loop are pickled together and handed to a sender
    thread (one thread switch per batch, not per request; a full pipe blocks that thread
    only); a receiver thread resolves the futures on the loop. At most ``max_in_flight``
    requests wait at a time (back-pressure). :meth:`start` and :meth:`close` block.

    If the child dies, every pending request, and every later one, fails with
    ``died_error`` (a :class:`ChildDied` subclass), once :meth:`_lost` has run."""

    label = "helper"
    """How messages name the process ("store writer", "extractor")."""
    died_error: type[ChildDied] = ChildDied

    def __init__(self, target: Callable[..., None], config: Any, *, max_in_flight: int) -> None:
        self.target = target
        self.config = config
        self.max_in_flight = max(1, max_in_flight)
        self.pid: int | None = None
        self.replies = 0
        """Reply messages received (one per batch the child answered)."""
        self._ctx = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._to_child: Connection | None = None
        self._from_child: Connection | None = None
        # Pickled batches for the sender thread; None: send the close message and stop.
        self._outgoing: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._batch: list[tuple[int, Any]] = []
        self._pending: dict[int, asyncio.Future[Any]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._seq = 0
        self._dead: ChildDied | None = None
        self._finished = threading.Event()  # the child said "closed", or its pipe ended
        self._clean = False  # ... and it was "closed"
        self._threads: list[threading.Thread] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> None:
        """Start the child and wait until it is ready; raises the child's error when it
        cannot start (what the work would raise in this process)."""
        child_in, self._to_child = self._ctx.Pipe(duplex=False)
        self._from_child, child_out = self._ctx.Pipe(duplex=False)
        self._process = self._ctx.Process(
            target=self.target,
            args=(self.config, child_in, child_out),
            name=f"newsarchive-{self.label.replace(' ', '-')}",
            daemon=True,
        )
        self._process.start()
        child_in.close()
        child_out.close()
        deadline = time.monotonic() + timeout
        kind: str = "log"
        value: Any = None
        while kind == "log":  # starting may log (a migration, a full-text flush)
            if not self._from_child.poll(max(0.0, deadline - time.monotonic())):
                self._process.kill()
                raise self.died_error(f"the {self.label} process did not start within {timeout:g}s")
            try:
                kind, value = recv(self._from_child)
            except EOFError:
                self._process.join(5)
                raise self.died_error(
                    f"the {self.label} process exited at start (exit code {self._process.exitcode})"
                ) from None
            if kind == "log":
                relog(value)
        if kind == "failed":
            self._process.join(5)
            raise value
        self.pid = int(value)
        atexit.register(self._abandon)
        for loop, role in ((self._send_loop, "sender"), (self._recv_loop, "receiver")):
            thread = threading.Thread(
                target=loop, name=f"{self.label.replace(' ', '-')}-{role}", daemon=True
            )
            thread.start()
            self._threads.append(thread)

    def close(self, timeout: float = 600.0) -> None:
        """Let the child answer everything submitted and exit; wait for it (up to
        ``timeout`` seconds, then kill it)."""
        if self._process is None:
            return
        self._flush()
        self._outgoing.put(None)
        if not self._finished.wait(timeout):
            logger.error(
                "%s process %s did not finish in %gs; killed", self.label, self.pid, timeout
            )
        self._process.join(timeout=5 if self._finished.is_set() else 0)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        if not self._clean and self._dead is None:
            self._lost()
        for thread in self._threads:
            thread.join(5)
        self._close_pipes()
        atexit.unregister(self._abandon)
        self._process = None

    def _close_pipes(self) -> None:
        for conn in (self._to_child, self._from_child):
            if conn is not None:
                with contextlib.suppress(OSError):
                    conn.close()

    def _abandon(self) -> None:
        """At interpreter exit without :meth:`close` (a crash): end the child's input, so it
        stops (rolling back what it did not finish) instead of outliving this process."""
        if self._process is not None and self._process.is_alive():
            self._close_pipes()
            self._process.join(10)

    @property
    def in_flight(self) -> int:
        """Requests submitted and not answered yet."""
        return len(self._pending)

    @property
    def died(self) -> ChildDied | None:
        """Why the child is gone, when it died before :meth:`close`."""
        return self._dead

    def unavailable(self, reason: str) -> None:
        """Mark the child as gone without it having run (it could not be started): every
        request fails at once with ``died_error(reason)``."""
        if self._dead is None:
            self._dead = self.died_error(reason)

    # -- requests ----------------------------------------------------------------------------

    async def _submit(self, request: Any) -> Any:
        """Send ``request`` and return the child's reply (or raise its error)."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._slots = asyncio.Semaphore(self.max_in_flight)
        assert self._slots is not None
        async with self._slots:
            if self._dead is not None:
                raise self._dead
            self._seq += 1
            future: asyncio.Future[Any] = self._loop.create_future()
            self._pending[self._seq] = future
            self._batch.append((self._seq, request))
            if len(self._batch) == 1:
                self._loop.call_soon(self._flush)
            return await future

    def _flush(self) -> None:
        """Hand everything submitted in this turn of the event loop to the sender thread as
        one pickled message (pickled here: one thread switch per message, not per item)."""
        batch, self._batch = self._batch, []
        if batch:
            self._outgoing.put(pickle.dumps(batch, protocol=pickle.HIGHEST_PROTOCOL))

    # -- threads -----------------------------------------------------------------------------

    def _send_loop(self) -> None:
        assert self._to_child is not None
        while True:
            data = self._outgoing.get()
            try:
                self._to_child.send_bytes(data if data is not None else _CLOSE_MESSAGE)
            except (OSError, ValueError):
                return  # the child is gone: the receiver reports it
            if data is None:
                return

    def _recv_loop(self) -> None:
        assert self._from_child is not None
        while True:
            try:
                kind, value = recv(self._from_child)
            except (EOFError, OSError):
                self._finished.set()
                self._call(self._lost)
                return
            if kind == "closed":
                self._clean = True
                self._finished.set()
                return
            if kind == "log":
                relog(value)
                continue
            self._call(functools.partial(self._replied, value))

    def _call(self, callback: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            callback()  # nothing submitted yet: no future to resolve on a loop
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(callback)

    # -- on the event loop -------------------------------------------------------------------

    def _replied(self, replies: list[tuple[int, Any, BaseException | None]]) -> None:
        self.replies += 1
        for seq, reply, error in replies:
            future = self._pending.pop(seq, None)
            if future is None or future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                future.set_result(reply)

    def _lost_message(self, code: int | None) -> str:
        return (
            f"the {self.label} process (pid {self.pid}) exited unexpectedly "
            f"(exit code {code}); {len(self._pending)} requests in flight were not answered"
        )

    def _lost(self) -> None:
        if self._clean or self._dead is not None:
            return
        process = self._process
        code = None
        if process is not None:
            process.join(2)
            code = process.exitcode
        self._dead = self.died_error(self._lost_message(code))
        logger.error("%s", self._dead)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(self._dead)
        self._pending.clear()
