"""``--db`` is safe: a writing command refuses what is not an archive, and one archive has one
lock whatever path names it.

Each command runs as a subprocess (the real CLI); a crawl that got past the check would meet
a closed port on 127.0.0.1 (no network), and the file is compared byte for byte before and
after.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from reliability_helpers import can_drop_dac_override, drop_dac_override

from newsarchive import lock
from newsarchive.archivefile import NotAnArchive, check_archive
from newsarchive.store import Store

CLI = [sys.executable, "-c", "from newsarchive.cli import main; main()"]
DEAD = "http://127.0.0.1:9"  # the discard port: nothing listens, nothing is fetched

#: Each writing command, as the argv after ``newsarchive`` for an archive path.
COMMANDS: dict[str, Callable[[Path], list[str]]] = {
    "crawl": lambda db: ["crawl", "gz", "--db", str(db), "--mirror", DEAD, "--max-pages", "1"],
    "demo": lambda db: ["demo", "--db", str(db)],
    "reextract": lambda db: ["reextract", "--db", str(db)],
    "upgrade": lambda db: ["upgrade", "--db", str(db)],
    "ingest": lambda db: ["ingest", "--redis", "redis://127.0.0.1:9/0", "--db", str(db)],
}


def _foreign_sqlite(path: Path) -> None:
    conn = sqlite3.connect(str(path))
    conn.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
    conn.execute("INSERT INTO customers(name) VALUES ('Ada')")
    conn.commit()
    conn.close()


def _text_file(path: Path) -> None:
    path.write_text("name,city\nAda,London\n", "utf-8")


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(argv: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *argv],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        **kwargs,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize(
    ("kind", "make", "says"),
    [
        ("foreign_sqlite", _foreign_sqlite, "SQLite database of another program"),
        ("text_file", _text_file, "not an SQLite database"),
    ],
)
def test_a_writing_command_refuses_a_file_that_is_not_an_archive(
    tmp_path: Path, command: str, kind: str, make: Callable[[Path], None], says: str
) -> None:
    db = tmp_path / "other.db"
    make(db)
    before = _sha256(db)
    proc = _run(COMMANDS[command](db))
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    # One line (demo and reextract also draw their progress spinner on stderr).
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
    assert len(errors) == 1, proc.stderr
    assert errors[0].startswith(f"error: {db}") and says in errors[0], errors
    assert _sha256(db) == before
    # Nothing was created beside it either: no lock, no -wal or -shm, no job folder.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.db"]


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_writing_command_refuses_a_directory(tmp_path: Path, command: str) -> None:
    folder = tmp_path / "archive.db"
    (folder / "inside").mkdir(parents=True)
    proc = _run(COMMANDS[command](folder))
    # click refuses a directory where the option says "a file" (2, bad options); the
    # archive check refuses it elsewhere (1). Either way: one line, nothing written.
    assert proc.returncode in (1, 2), proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "directory" in proc.stderr.lower() or "no archive" in proc.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["archive.db"]
    assert [p.name for p in folder.iterdir()] == ["inside"]


def test_an_empty_file_and_a_table_less_database_may_become_archives(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    blank = tmp_path / "blank.db"
    sqlite3.connect(str(blank)).close()
    conn = sqlite3.connect(str(blank))
    conn.execute("PRAGMA user_version = 0")
    conn.close()
    for path in (empty, blank, tmp_path / "new.db"):
        with Store(path) as store:
            assert store.start_run("channel", channels=["gz"], options={}) == 1
        check_archive(path)  # now an archive: still accepted


def test_the_check_names_what_it_found(tmp_path: Path) -> None:
    foreign = tmp_path / "crm.db"
    _foreign_sqlite(foreign)
    with pytest.raises(NotAnArchive, match=r"tables: customers\)"):
        check_archive(foreign)
    with pytest.raises(NotAnArchive, match="is a directory"):
        check_archive(tmp_path)
    check_archive(":memory:")


def test_upgrade_of_an_archive_in_a_read_only_folder_is_one_line(tmp_path: Path) -> None:
    if not can_drop_dac_override():
        pytest.skip("cannot make file modes bind root here")
    folder = tmp_path / "ro"
    folder.mkdir()
    db = folder / "archive.db"
    with Store(db):
        pass
    before = _sha256(db)
    folder.chmod(stat.S_IRUSR | stat.S_IXUSR)
    try:
        proc = _run(["upgrade", "--db", str(db)], preexec_fn=drop_dac_override)
    finally:
        folder.chmod(0o755)
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    errors = [line for line in proc.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "cannot be upgraded" in errors[0], proc.stderr
    assert _sha256(db) == before


def test_the_lock_follows_the_real_path(tmp_path: Path) -> None:
    real = tmp_path / "data" / "archive.db"
    real.parent.mkdir()
    with Store(real):
        pass
    link = tmp_path / "link.db"
    link.symlink_to(real)
    dotted = Path(os.path.relpath(real.parent, Path.cwd())) / "." / "archive.db"
    assert lock.lock_path(link) == lock.lock_path(real) == lock.lock_path(dotted)
    assert lock.lock_path(link) == real.with_name("archive.db.lock")
    with lock.writer_lock(real):
        for other in (link, dotted):
            with pytest.raises(lock.ArchiveLocked), lock.writer_lock(other):
                pass  # pragma: no cover (must not be reached)
    assert not (tmp_path / "link.db.lock").exists()


def test_a_second_writer_through_a_symlink_is_refused_by_the_cli(tmp_path: Path) -> None:
    real = tmp_path / "archive.db"
    with Store(real):
        pass
    link = tmp_path / "elsewhere.db"
    link.symlink_to(real)
    with lock.writer_lock(real):
        proc = _run(["upgrade", "--db", str(link)])
    assert proc.returncode == 4, proc.stderr
    assert f"archive {link} is locked by pid {os.getpid()}" in proc.stderr


@pytest.mark.parametrize(
    ("args", "hint"),
    [
        (["crawl", "gz", "--mirror", "http://127.0.0.1:9/"], "(use --wait SECONDS to wait for it)"),
        (["demo"], "(try again when it has finished, or give another --db)"),
        (["reextract"], "(set lock_wait in the settings file (or NEWSARCHIVE_LOCK_WAIT)"),
        (["upgrade"], "(run upgrade again when it has finished)"),
    ],
)
def test_a_locked_archive_says_what_this_command_can_do(
    tmp_path: Path, args: list[str], hint: str
) -> None:
    archive = tmp_path / "archive.db"
    with Store(archive):
        pass
    with lock.writer_lock(archive):
        proc = _run([*args, "--db", str(archive)])
    assert proc.returncode == 4, proc.stderr
    (line,) = [x for x in proc.stderr.splitlines() if x.startswith("error: ")]
    assert line.startswith(f"error: archive {archive} is locked by pid {os.getpid()}")
    assert hint in line
    assert "Traceback" not in proc.stderr


def test_the_check_leaves_this_process_s_sqlite_locks_alone(tmp_path: Path) -> None:
    """Checking an archive this process has open must not drop the connection's POSIX locks
    (closing any other descriptor of the file would): else another process's connection,
    closing, believes it is the last one, checkpoints and deletes the log under the writer
    (readers of a crawl saw "database disk image is malformed")."""
    db = tmp_path / "archive.db"
    store = Store(db)
    store.db.execute("CREATE TABLE scratch (x)")
    wal = db.with_name(db.name + "-wal")
    assert wal.stat().st_size > 0  # the insert is in the log, not yet in the database
    try:
        check_archive(db)
        other = (
            "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
            "c.execute('SELECT 1 FROM articles'); c.close()"
        )
        subprocess.run([sys.executable, "-c", other, str(db)], check=True)
        # The other connection was not the last one: the log is still there and still read.
        assert wal.exists() and wal.stat().st_size > 0
    finally:
        store.close()
