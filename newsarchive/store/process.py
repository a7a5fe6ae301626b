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

import logging
import os
import signal
import time
from collections import deque
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from newsarchive.childproc import (
    CLOSE,
    ChildDied,
    ChildProcess,
    forward_logging,
    parent_log_level,
    portable,
    recv,
    send,
)
from newsarchive.records import Article, PageItem

logger = logging.getLogger(__name__)


class WriterDied(ChildDied):
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
    forward_logging(outbox, config.log_level)
    from newsarchive.store import Store  # noqa: PLC0415 (the child's own heavy import)

    try:
        store = Store(config.path, fts_batch=config.fts_batch)
    except Exception as exc:
        send(outbox, ("failed", portable(exc)))
        return
    send(outbox, ("ready", os.getpid()))
    try:
        _serve(store, config, inbox, outbox)
    except (EOFError, BrokenPipeError, ConnectionResetError):
        # The parent is gone: an open group was rolled back (a committed group whose answer
        # could not be sent stays: it is stored, just not journaled); exit, writing no more.
        logger.warning("store writer: the crawl process is gone; uncommitted items dropped")
        store.db.close()
        return
    store.close()
    send(outbox, ("closed", None))


def _serve(store: Any, config: _Config, inbox: Connection, outbox: Connection) -> None:
    """Group-commit loop; returns on the parent's close message, raises EOFError when the
    parent is gone."""
    backlog: deque[tuple[int, tuple[PageItem, str | None]]] = deque()
    closing = False
    while not closing:
        if not backlog:
            message = recv(inbox)
            if message == CLOSE:
                return
            backlog.extend(message)
        acks: list[tuple[int, Ack | None, BaseException | None]] = []
        deadline = time.monotonic() + config.group_ms / 1000
        try:
            with store.group():
                while True:
                    while backlog and len(acks) < config.group_items:
                        seq, (item, reason) = backlog.popleft()
                        acks.append((seq, *_store_one(store, config, item, reason)))
                        if not store.in_group:  # SQLite dropped the transaction
                            raise _GroupLost(acks[-1][2])
                    left = deadline - time.monotonic()
                    if len(acks) >= config.group_items or left <= 0 or not inbox.poll(left):
                        break
                    message = recv(inbox)
                    if message == CLOSE:
                        closing = True
                        break
                    backlog.extend(message)
        except (EOFError, KeyboardInterrupt):
            raise
        except BaseException as exc:
            cause = exc.cause if isinstance(exc, _GroupLost) and exc.cause else exc
            error = portable(cause)
            acks = [(seq, None, error) for seq, _, _ in acks]
        send(outbox, ("replies", acks))


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
        return None, portable(exc)
    return Ack(result=result, too_short=keys is not None and keys.signature is None), None


# -- the parent -----------------------------------------------------------------------------


class WriterProcess(ChildProcess):
    """The parent's handle on a store writer process (see the module docstring).

    Use from one asyncio event loop (the crawl's reactor loop): :meth:`store` is awaited there.
    :meth:`start` and :meth:`close` block (:class:`~newsarchive.childproc.ChildProcess`).
    """

    label = "store writer"
    died_error = WriterDied

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
        config = _Config(
            path=path,
            run_id=run_id,
            fts_batch=fts_batch,
            group_items=max(1, group_items),
            group_ms=max(0.0, group_ms),
            log_level=parent_log_level(),
        )
        super().__init__(_child_main, config, max_in_flight=max_in_flight)

    def start(self, timeout: float = 120.0) -> None:
        """Start the child and wait until it has opened the archive; raises the child's error
        when it cannot (the same exception an in-process ``Store`` would raise)."""
        super().start(timeout)
        logger.info("store writer process %d started for %s", self.pid, self.config.path)

    def close(self, timeout: float = 600.0) -> None:
        """Let the child commit and acknowledge everything submitted, flush the full-text
        index and exit; wait for it (up to ``timeout`` seconds, then kill it)."""
        super().close(timeout)

    @property
    def groups(self) -> int:
        """Acknowledgement messages received (one per committed or failed group)."""
        return self.replies

    async def store(self, item: PageItem, *, invalid_reason: str | None = None) -> Ack:
        """Have ``item`` stored (as ``store_item(item, invalid_reason=…)`` would); returns once
        it is committed. At most ``max_in_flight`` items wait at a time (back-pressure).
        Raises what storing raised, or :class:`WriterDied`."""
        ack: Ack = await self._submit((item, invalid_reason))
        return ack

    def _lost_message(self, code: int | None) -> str:
        return (
            f"the store writer process (pid {self.pid}) exited unexpectedly "
            f"(exit code {code}); {len(self._pending)} items in flight were not stored"
        )
