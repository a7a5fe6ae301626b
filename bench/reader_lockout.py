"""Readers against a writer's closes: how often a reader with no busy timeout is refused.

    python bench/reader_lockout.py                 # 8 s, with newsarchive's close setting
    python bench/reader_lockout.py --plain         # the same writer without it
    python bench/reader_lockout.py --seconds 20

One process opens the archive read-only (``file:…?mode=ro``, no busy timeout, as the
``sqlite3`` shell does) in a loop; another holds a read-only connection for the whole run (as a
crawl's writer lock does) and opens, writes through and closes a writing connection as fast as
it can: every close of a writing connection is a moment a crawl goes through at its start and
close. Printed: the writer's closes and the reader's opens, refusals ("database is locked",
SQLITE_BUSY) and log-index rebuilds met (SQLITE_BUSY_RECOVERY). SQLite's habit measured here,
and what :func:`newsarchive.store.wal.keep_log_on_close` turns off, is described in
``newsarchive/store/wal.py``."""

from __future__ import annotations

import argparse
import multiprocessing
import sqlite3
import tempfile
import time
from pathlib import Path

from newsarchive.store import wal

SQLITE_BUSY_RECOVERY = 261


def reader(db: Path, until: float, out: multiprocessing.Queue[tuple[int, int, int]]) -> None:
    ok = locked = recovery = 0
    while time.time() < until:
        try:
            conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True, timeout=0)
            try:
                conn.execute("SELECT count(*) FROM t").fetchone()
            finally:
                conn.close()
            ok += 1
        except sqlite3.Error as exc:
            if getattr(exc, "sqlite_errorcode", None) == SQLITE_BUSY_RECOVERY:
                recovery += 1
            else:
                locked += 1
    out.put((ok, locked, recovery))


def writer(db: Path, until: float, keep_log: bool, out: multiprocessing.Queue[int]) -> None:
    keeper = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    keeper.execute("SELECT count(*) FROM t").fetchone()
    closes = 0
    while time.time() < until:
        conn = sqlite3.connect(str(db), timeout=5)
        if keep_log and not wal.keep_log_on_close(conn):
            raise SystemExit("this Python cannot set SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE")
        conn.execute("INSERT INTO t VALUES (?)", (closes,))
        conn.commit()
        conn.close()
        closes += 1
    keeper.close()
    out.put(closes)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--plain", action="store_true", help="writer without the close setting")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "archive.db"
        conn = sqlite3.connect(str(db))
        conn.execute("PRAGMA journal_mode = wal")
        conn.execute("CREATE TABLE t (x)")
        conn.commit()
        conn.close()
        until = time.time() + args.seconds
        reads: multiprocessing.Queue[tuple[int, int, int]] = multiprocessing.Queue()
        closes: multiprocessing.Queue[int] = multiprocessing.Queue()
        procs = [
            multiprocessing.Process(target=reader, args=(db, until, reads)),
            multiprocessing.Process(target=writer, args=(db, until, not args.plain, closes)),
        ]
        for proc in procs:
            proc.start()
        ok, locked, recovery = reads.get()
        closed = closes.get()
        for proc in procs:
            proc.join()
    setting = "without the setting" if args.plain else "with keep_log_on_close"
    print(f"writer ({setting}): {closed} closes of a writing connection in {args.seconds:g} s")
    print(
        f"reader: {ok + locked + recovery} opens, {locked} refused (database is locked), "
        f"{recovery} met a log-index rebuild"
    )


if __name__ == "__main__":
    main()
