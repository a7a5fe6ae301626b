"""One writer per archive: the lock file beside the archive."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from newsarchive.lock import ArchiveLocked, lock_path, read_holder, writer_lock

HOLD = """
import sys
from pathlib import Path
from newsarchive.lock import writer_lock
with writer_lock(Path(sys.argv[1])):
    print("locked", flush=True)
    sys.stdin.read()
print("released", flush=True)
"""


class Holder:
    """Another process holding the lock until told to let go."""

    def __init__(self, archive: Path) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-c", HOLD, str(archive)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.proc.stdout is not None
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Path]:
    yield tmp_path / "sub" / "archive.db"


def test_uncontended_lock_records_holder_and_cleans_up(archive: Path) -> None:
    with writer_lock(archive):
        holder = read_holder(archive)
        assert holder is not None
        assert holder.pid == os.getpid()
        assert lock_path(archive).exists()
    assert read_holder(archive) is None
    with writer_lock(archive):  # free again
        pass


def test_second_writer_is_refused_with_the_holder_named(archive: Path) -> None:
    holder = Holder(archive)
    try:
        with pytest.raises(ArchiveLocked) as info, writer_lock(archive):
            pass
        assert info.value.holder is not None
        assert info.value.holder.pid == holder.proc.pid
        assert f"pid {holder.proc.pid}" in str(info.value)
        assert str(info.value).endswith(": another run is writing it")  # the CLI adds what to do
        with pytest.raises(ArchiveLocked, match=r"after waiting 0\.2s"), writer_lock(archive, 0.2):
            pass
    finally:
        holder.release()
    with writer_lock(archive):
        assert read_holder(archive).pid == os.getpid()  # type: ignore[union-attr]


def test_waiting_writer_proceeds_when_the_holder_finishes(archive: Path) -> None:
    holder = Holder(archive)
    asked = threading.Event()

    def let_go() -> None:
        asked.set()
        holder.release()

    timer = threading.Timer(0.3, let_go)
    timer.start()
    try:
        with writer_lock(archive, wait=60):
            assert asked.is_set()  # the lock came only after the holder let go
            assert read_holder(archive).pid == os.getpid()  # type: ignore[union-attr]
    finally:
        timer.join()


def test_a_killed_holder_leaves_no_stale_lock(archive: Path) -> None:
    holder = Holder(archive)
    holder.kill()
    assert read_holder(archive) is not None  # its note is left behind…
    with writer_lock(archive):  # …but the OS released the lock itself
        assert read_holder(archive).pid == os.getpid()  # type: ignore[union-attr]
