"""The crawl's store writer process: items are stored by a child process, in group commits.

A crawl process spends about as much CPU on computing dedup keys and writing SQLite as on
crawling and extracting (see ``docs/performance.md``, "Crawl"). :class:`WriterProcess` moves
that work to a child process started with the ``spawn`` method (never ``fork``: the parent
runs a Twisted reactor and threads). The parent hands each item over with :meth:`submit`
and gets an :class:`Ack` back once the item is **committed**; the item pipelines complete
an item only then, so Scrapy's ``item_scraped`` (the resume journal's ``D`` line, the
progress counters) never reports an item the archive does not hold.

The child computes the item's :class:`~newsarchive.store.DedupKeys` (pure CPU) and calls
:meth:`Store.store_item <newsarchive.store.Store.store_item>` inside :meth:`Store.group
<newsarchive.store.Store.group>`: one transaction for up to ``group_items`` items or
``group_ms`` milliseconds after the group's first item, whichever comes first (a group ends
sooner when nothing more is waiting). Items are stored in the order they were submitted,
and each item sees every earlier one (committed, or earlier in its own group's
transaction), so deduplication decides exactly as in one process. Acknowledgements are sent
after the commit.

Failures:

* an item that fails on its own (a bug) is rolled back alone (a savepoint) and acknowledged
  with its exception; the rest of its group is committed;
* a commit that fails, or a write after which SQLite dropped the whole transaction (disk
  full, read-only file, I/O error), fails every item of the group with that exception;
  nothing of the group is acknowledged as stored;
* the child dies (killed, out of memory): every pending item, and every later
  :meth:`submit`, fails with :class:`WriterDied`;
* the parent dies (SIGKILL): the child sees end-of-file on its pipe, rolls back the
  uncommitted group and exits at once (full-text indexing still queued in ``fts_pending``
  is done by the next writer);
* SIGINT and SIGTERM are ignored by the child: a Ctrl-C or ``systemctl stop`` reaches the
  whole process group, and the parent's graceful shutdown still needs the child to store the
  items in flight. The parent's :meth:`close` drains: the child commits what it received,
  acknowledges it, flushes the full-text index, closes the archive and exits.

The child writes on behalf of the parent, which holds the archive's writer lock
(:mod:`newsarchive.lock`) for the whole crawl and waits for the child in :meth:`close`. The
lock is the parent's (``flock``, not inherited): when the parent is killed, the lock is free at
once while the child may still be rolling back for a moment; SQLite's own locking keeps a new
writer from writing alongside it (it waits on the busy timeout).
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import functools
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from newsarchive.records import Article, PageItem

logger = logging.getLogger(__name__)

_CLOSE = "close"
_CLOSE_MESSAGE = pickle.dumps(_CLOSE)


class WriterDied(RuntimeError):
    """The store writer process exited (or cannot be reached) before storing an item."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Ack:
    """What the writer reports for one committed item."""

    result: Any
    """The :class:`~newsarchive.store.ItemResult` of ``store_item``."""
    too_short: bool
    """The article's body is too short for near-copy detection (no MinHash signature)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Config:
    path: str
    run_id: int | None
    fts_batch: int
    group_items: int
    group_ms: float
    log_level: int = logging.INFO


# -- the child ------------------------------------------------------------------------------


def _child_main(config: _Config, inbox: Connection, outbox: Connection) -> None:
    """The writer process: store what arrives on ``inbox``, acknowledge on ``outbox``."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    root = logging.getLogger()
    root.handlers[:] = [_ForwardHandler(outbox)]
    root.setLevel(config.log_level)
    from newsarchive.store import Store  # noqa: PLC0415 (the child's own heavy import)

    try:
        store = Store(config.path, fts_batch=config.fts_batch)
    except Exception as exc:
        _send(outbox, ("failed", _portable(exc)))
        return
    _send(outbox, ("ready", os.getpid()))
    try:
        _serve(store, config, inbox, outbox)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        # The parent is gone: an open group was rolled back (a committed group whose answer
        # could not be sent stays: it is stored, just not journaled); exit, writing no more.
        logger.warning("store writer: the crawl process is gone; uncommitted items dropped")
        store.db.close()
        return
    store.close()
    _send(outbox, ("closed", None))


def _serve(store: Any, config: _Config, inbox: Connection, outbox: Connection) -> None:
    """Group-commit loop; returns on the parent's close message, raises EOFError when the
    parent is gone."""
    backlog: deque[tuple[int, PageItem, str | None]] = deque()
    closing = False
    while not closing:
        if not backlog:
            message = _recv(inbox)
            if message == _CLOSE:
                return
            backlog.extend(message)
        acks: list[tuple[int, Ack | None, BaseException | None]] = []
        deadline = time.monotonic() + config.group_ms / 1000
        try:
            with store.group():
                while True:
                    while backlog and len(acks) < config.group_items:
                        seq, item, reason = backlog.popleft()
                        acks.append((seq, *_store_one(store, config, item, reason)))
                        if not store.in_group:  # SQLite dropped the transaction
                            raise _GroupLost(acks[-1][2])
                    left = deadline - time.monotonic()
                    if len(acks) >= config.group_items or left <= 0 or not inbox.poll(left):
                        break
                    message = _recv(inbox)
                    if message == _CLOSE:
                        closing = True
                        break
                    backlog.extend(message)
        except (EOFError, KeyboardInterrupt):
            raise
        except BaseException as exc:
            cause = exc.cause if isinstance(exc, _GroupLost) and exc.cause else exc
            error = _portable(cause)
            acks = [(seq, None, error) for seq, _, _ in acks]
        _send(outbox, ("acks", acks))


class _ForwardHandler(logging.Handler):
    """Sends the child's log records to the parent, which hands them to its own logging
    (Scrapy's log file, the crawl's stderr): a spawned child has no logging set up."""

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
            _send(self.outbox, ("log", fields))


class _GroupLost(Exception):
    def __init__(self, cause: BaseException | None) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _store_one(
    store: Any, config: _Config, item: PageItem, reason: str | None
) -> tuple[Ack | None, BaseException | None]:
    from newsarchive.store import DedupKeys  # noqa: PLC0415 (imported by _child_main already)

    try:
        keys = None
        if isinstance(item.result, Article) and reason is None:
            keys = DedupKeys.of(item.result)
        result = store.store_item(item, run_id=config.run_id, invalid_reason=reason, keys=keys)
    except Exception as exc:
        return None, _portable(exc)
    return Ack(result=result, too_short=keys is not None and keys.signature is None), None


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it survives pickling, else a RuntimeError with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def _send(conn: Connection, message: Any) -> None:
    conn.send_bytes(pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL))


def _recv(conn: Connection) -> Any:
    return pickle.loads(conn.recv_bytes())


def _parent_log_level() -> int:
    """The lowest level this process's logging shows: the child forwards no record below it
    (Scrapy sets the root logger to DEBUG and filters in its handler, at ``LOG_LEVEL``)."""
    root = logging.getLogger()
    level = root.getEffectiveLevel()
    handler_levels = [h.level for h in root.handlers if h.level > logging.NOTSET]
    if handler_levels and len(handler_levels) == len(root.handlers):
        level = max(level, min(handler_levels))
    return level


def _relog(fields: dict[str, Any]) -> None:
    """Hand a record the child forwarded (see _ForwardHandler) to this process's logging."""
    record = logging.makeLogRecord(fields)
    logging.getLogger(record.name).handle(record)


# -- the parent -----------------------------------------------------------------------------


class WriterProcess:
    """The parent's handle on a store writer process (see the module docstring).

    Use from one asyncio event loop (the crawl's reactor loop): :meth:`store` is awaited there.
    :meth:`start` and :meth:`close` block.
    """

    def __init__(
        self,
        path: str,
        *,
        run_id: int | None,
        fts_batch: int = 500,
        group_items: int = 100,
        group_ms: float = 50.0,
        max_in_flight: int = 256,
    ) -> None:
        self.config = _Config(
            path=path,
            run_id=run_id,
            fts_batch=fts_batch,
            group_items=max(1, group_items),
            group_ms=max(0.0, group_ms),
            log_level=_parent_log_level(),
        )
        self.max_in_flight = max(1, max_in_flight)
        self.pid: int | None = None
        self.groups = 0
        """Acknowledgement messages received (one per committed or failed group)."""
        self._ctx = multiprocessing.get_context("spawn")
        self._process: Any = None
        self._to_child: Connection | None = None
        self._from_child: Connection | None = None
        # Pickled batches for the sender thread; None: send the close message and stop.
        self._outgoing: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
        self._batch: list[tuple[int, PageItem, str | None]] = []
        self._pending: dict[int, asyncio.Future[Ack]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        self._slots: asyncio.Semaphore | None = None
        self._seq = 0
        self._dead: WriterDied | None = None
        self._finished = threading.Event()  # the child said "closed", or its pipe ended
        self._clean = False  # ... and it was "closed"
        self._threads: list[threading.Thread] = []

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self, timeout: float = 120.0) -> None:
        """Start the child and wait until it has opened the archive; raises the child's error
        when it cannot (the same exception an in-process ``Store`` would raise)."""
        child_in, self._to_child = self._ctx.Pipe(duplex=False)
        self._from_child, child_out = self._ctx.Pipe(duplex=False)
        self._process = self._ctx.Process(
            target=_child_main,
            args=(self.config, child_in, child_out),
            name="newsarchive-store-writer",
            daemon=True,
        )
        self._process.start()
        child_in.close()
        child_out.close()
        deadline = time.monotonic() + timeout
        kind: str = "log"
        value: Any = None
        while kind == "log":  # opening the archive may log (a migration, a full-text flush)
            if not self._from_child.poll(max(0.0, deadline - time.monotonic())):
                self._process.kill()
                raise WriterDied(f"the store writer process did not start within {timeout:g}s")
            try:
                kind, value = _recv(self._from_child)
            except EOFError:
                self._process.join(5)
                raise WriterDied(
                    f"the store writer process exited at start (exit code {self._process.exitcode})"
                ) from None
            if kind == "log":
                _relog(value)
        if kind == "failed":
            self._process.join(5)
            raise value
        self.pid = int(value)
        atexit.register(self._abandon)
        for target, name in ((self._send_loop, "sender"), (self._recv_loop, "receiver")):
            thread = threading.Thread(target=target, name=f"store-writer-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        logger.info("store writer process %d started for %s", self.pid, self.config.path)

    def close(self, timeout: float = 600.0) -> None:
        """Let the child commit and acknowledge everything submitted, flush the full-text
        index and exit; wait for it (up to ``timeout`` seconds, then kill it)."""
        if self._process is None:
            return
        self._flush()
        self._outgoing.put(None)
        if not self._finished.wait(timeout):
            logger.error("store writer process %s did not finish in %gs; killed", self.pid, timeout)
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
        rolls back what it did not commit and exits, instead of outliving this process."""
        if self._process is not None and self._process.is_alive():
            self._close_pipes()
            self._process.join(10)

    @property
    def in_flight(self) -> int:
        """Items submitted and not acknowledged yet."""
        return len(self._pending)

    @property
    def died(self) -> WriterDied | None:
        """Why the writer is gone, when it died before :meth:`close`."""
        return self._dead

    # -- storing -----------------------------------------------------------------------------

    async def store(self, item: PageItem, *, invalid_reason: str | None = None) -> Ack:
        """Have ``item`` stored (as ``store_item(item, invalid_reason=…)`` would); returns once
        it is committed. At most ``max_in_flight`` items wait at a time (back-pressure).
        Raises what storing raised, or :class:`WriterDied`."""
        if self._loop is None:
            self._loop = asyncio.get_running_loop()
            self._slots = asyncio.Semaphore(self.max_in_flight)
        assert self._slots is not None
        async with self._slots:
            if self._dead is not None:
                raise self._dead
            self._seq += 1
            future: asyncio.Future[Ack] = self._loop.create_future()
            self._pending[self._seq] = future
            self._batch.append((self._seq, item, invalid_reason))
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
        """Write the pickled batches to the child (a full pipe blocks this thread only)."""
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
                kind, value = _recv(self._from_child)
            except (EOFError, OSError):
                self._finished.set()
                self._call(self._lost)
                return
            if kind == "closed":
                self._clean = True
                self._finished.set()
                return
            if kind == "log":
                _relog(value)
                continue
            self._call(functools.partial(self._acked, value))

    def _call(self, callback: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            callback()  # nothing submitted yet: no future to resolve on a loop
            return
        with contextlib.suppress(RuntimeError):  # the loop closed meanwhile
            loop.call_soon_threadsafe(callback)

    # -- on the event loop -------------------------------------------------------------------

    def _acked(self, acks: list[tuple[int, Ack | None, BaseException | None]]) -> None:
        self.groups += 1
        for seq, ack, error in acks:
            future = self._pending.pop(seq, None)
            if future is None or future.done():
                continue
            if error is not None:
                future.set_exception(error)
            else:
                assert ack is not None
                future.set_result(ack)

    def _lost(self) -> None:
        if self._clean or self._dead is not None:
            return
        process = self._process
        code = None
        if process is not None:
            process.join(2)
            code = process.exitcode
        self._dead = WriterDied(
            f"the store writer process (pid {self.pid}) exited unexpectedly "
            f"(exit code {code}); {len(self._pending)} items in flight were not stored"
        )
        logger.error("%s", self._dead)
        for future in self._pending.values():
            if not future.done():
                future.set_exception(self._dead)
        self._pending.clear()
