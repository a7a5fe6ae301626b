"""One writer per archive: an OS file lock beside the archive.

``<archive>.lock`` is locked with ``flock`` (through :mod:`filelock`), so the lock dies with its
process, even on SIGKILL or power loss: there is never a stale lock to clean up by hand.
``<archive>.lock.holder`` records who holds it (pid, host, start time, command) so that the
run that cannot get the lock can say which process has it.

The lock belongs to the archive's real path (:func:`os.path.realpath`): an archive reached
through a symlink, or as ``./a.db`` and ``a.db``, has one lock, so it never has two writers.
Before taking it, :func:`writer_lock` checks the file is an archive (or nothing yet), so a
wrong ``--db`` is refused before anything is created beside it.
"""

from __future__ import annotations

import json
import logging
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import filelock

from newsarchive.archivefile import check_archive

logger = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class Holder:
    """The process that holds an archive's writer lock, as it recorded itself."""

    pid: int
    host: str
    since: str
    """ISO 8601 UTC time the lock was taken."""
    command: str

    def describe(self) -> str:
        return f"pid {self.pid} on {self.host} since {self.since} ({self.command})"


class ArchiveLocked(RuntimeError):
    """Another process holds the archive's writer lock."""

    def __init__(self, archive: Path, waited: float, holder: Holder | None) -> None:
        self.archive = archive
        self.waited = waited
        self.holder = holder
        who = holder.describe() if holder is not None else "another process"
        after = f" after waiting {waited:g}s" if waited > 0 else ""
        super().__init__(
            f"archive {archive} is locked by {who}{after}; "
            f"another crawl is writing it (use --wait SECONDS to wait for it)"
        )


def real_path(archive: Path | str) -> Path:
    """The archive's path with symlinks, ``.`` and ``..`` resolved: what its lock follows."""
    return Path(os.path.realpath(archive))


def lock_path(archive: Path) -> Path:
    """The lock file of ``archive`` (``archive.db`` → ``archive.db.lock``), beside the file
    the path really names (a symlink's target)."""
    real = real_path(archive)
    return real.with_name(real.name + ".lock")


def holder_path(archive: Path) -> Path:
    real = real_path(archive)
    return real.with_name(real.name + ".lock.holder")


def read_holder(archive: Path) -> Holder | None:
    """Who holds (or last held) the lock, if recorded and readable."""
    try:
        data = json.loads(holder_path(archive).read_text("utf-8"))
        return Holder(
            pid=int(data["pid"]),
            host=str(data["host"]),
            since=str(data["since"]),
            command=str(data["command"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _write_holder(archive: Path) -> None:
    data = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "since": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:500],
    }
    tmp = holder_path(archive).with_suffix(".tmp")
    tmp.write_text(json.dumps(data), "utf-8")
    tmp.replace(holder_path(archive))


#: Archives whose writer lock this process holds (resolved paths): a component inside a run
#: that already holds the lock (``newsarchive crawl``) must not take it a second time.
_HELD: set[Path] = set()


def is_held(archive: Path | str) -> bool:
    """Whether this process holds ``archive``'s writer lock."""
    return real_path(archive) in _HELD


def take(archive: Path | str, wait: float = 0.0) -> Callable[[], None]:
    """Take ``archive``'s writer lock outside a ``with`` block; returns the function that gives
    it back. For components with an open/close life cycle (the item pipelines under ``scrapy
    crawl`` or Scrapyd, where no ``newsarchive`` command took the lock)."""
    context = writer_lock(Path(archive), wait)
    context.__enter__()

    def give_back() -> None:
        context.__exit__(None, None, None)

    return give_back


@contextmanager
def writer_lock(archive: Path, wait: float = 0.0) -> Iterator[None]:
    """Hold ``archive``'s writer lock for the ``with`` block.

    Waits up to ``wait`` seconds for a current holder to finish (0: try once), then raises
    :class:`ArchiveLocked` naming the holder. The archive's directory is created if needed.
    Raises :class:`newsarchive.archivefile.NotAnArchive` (before creating anything) when
    ``archive`` is something else than an archive or nothing.
    """
    archive = Path(archive)
    check_archive(archive)
    real_path(archive).parent.mkdir(parents=True, exist_ok=True)
    lock = filelock.FileLock(lock_path(archive), timeout=wait)
    try:
        lock.acquire()
    except filelock.Timeout:
        raise ArchiveLocked(archive, wait, read_holder(archive)) from None
    key = real_path(archive)
    # Imported here: the store's modules are only needed once an archive is being written.
    from newsarchive.store import wal  # noqa: PLC0415

    keeper = None
    try:
        _HELD.add(key)
        _write_holder(archive)
        logger.info("writer lock on %s taken (pid %d)", archive, os.getpid())
        # Readers are never locked out while the job opens and closes connections.
        keeper = wal.hold(archive)
        yield
    finally:
        if keeper is not None:
            keeper.close()  # read-only, closed after the job's connections: files stay
        _HELD.discard(key)
        holder_path(archive).unlink(missing_ok=True)
        lock.release()
        logger.debug("writer lock on %s released", archive)
