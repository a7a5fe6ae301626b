"""What earlier crawls did, read back: the crawl ledger (one ``crawl_runs`` row per run, for
``newsarchive runs``), the URLs whose last fetch failed or was gone (for the next run), and the
rule that turns how a run ended into its exit status and exit code.

A row whose ``finished_at`` is empty belongs to a run that is still going or was killed
(SIGKILL, power loss): :func:`list_runs` marks the newest such row ``running`` when the
process holding the archive's writer lock is alive on this host, and every other one
``unfinished``.
"""

from __future__ import annotations

import json
import os
import socket
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from newsarchive import lock
from newsarchive.exitcodes import ExitCode
from newsarchive.store import frontier, history, queries
from newsarchive.store.runs import COUNTERS

_T = TypeVar("_T")

#: ``crawl_runs.exit_status`` for each exit code of a crawl.
EXIT_STATUS: dict[ExitCode, str] = {
    ExitCode.OK: "ok",
    ExitCode.PARTIAL: "partial",
    ExitCode.FAILURE: "failed",
    ExitCode.INTERRUPTED: "interrupted",
}

#: ``crawl_runs.exit_status`` of a run that stopped at its page budget (``--max-pages``) and
#: would otherwise be ``ok``: exit code 0, and the links it did not request are found again by
#: a later run. (A budget run that is ``partial`` stays ``partial``.)
BUDGET_STATUS = "budget"

#: Every ``exit_status`` a finished run can have, with the exit code it stands for.
STATUS_CODES: dict[str, ExitCode] = {
    **{status: code for code, status in EXIT_STATUS.items()},
    BUDGET_STATUS: ExitCode.OK,
}

#: The ``crawl_runs`` counters, in the order and with the names (the column's words) that the
#: crawl summary, the progress line and ``newsarchive runs`` show them under.
COUNTER_LABELS: dict[str, str] = {name: name.replace("_", " ") for name in COUNTERS}

#: The ``crawl_runs`` counters of pages stored as something else than an error.
STORED_COUNTERS = tuple(
    name for name in COUNTERS if name not in ("pages_fetched", "takedowns", "errors")
)


def error_kinds(by_kind: Mapping[str, int]) -> str:
    """Error kinds as every command prints them: ``http_404 1, timeout 2`` (most first)."""
    ordered = sorted(by_kind.items(), key=lambda kv: (-kv[1], kv[0]))
    return ", ".join(f"{kind} {n}" for kind, n in ordered)


def errors_text(errors: int, by_kind: Mapping[str, int]) -> str:
    """A run's errors as every command prints them: ``0``, or ``3 (http_404 1, timeout 2)``."""
    kinds = error_kinds(by_kind)
    return f"{errors} ({kinds})" if errors and kinds else str(errors)


#: Scrapy finish reasons that mean "stopped by a signal" (graceful shutdown).
INTERRUPT_REASONS = frozenset({"shutdown"})


@dataclass(frozen=True, kw_only=True, slots=True)
class Run:
    """One row of ``crawl_runs``."""

    id: int
    started_at: str
    finished_at: str | None
    spider: str
    channels: tuple[str, ...]
    options: Mapping[str, Any]
    pages_fetched: int
    articles_new: int
    articles_updated: int
    articles_unchanged: int
    duplicates: int
    not_articles: int
    invalid: int
    takedowns: int
    errors: int
    errors_by_kind: Mapping[str, int]
    exit_status: str | None
    running: bool = False
    """The run is going on now (its process holds the archive's lock)."""

    @property
    def status(self) -> str:
        """``exit_status``; for a run that has not recorded its end, ``running`` or
        ``unfinished`` (killed)."""
        if self.exit_status:
            return self.exit_status
        return "running" if self.running else "unfinished"

    @property
    def seconds(self) -> float | None:
        """Wall-clock duration, if the run finished."""
        if not self.finished_at:
            return None
        start = datetime.fromisoformat(self.started_at)
        end = datetime.fromisoformat(self.finished_at)
        return (end - start).total_seconds()

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["channels"] = list(self.channels)
        data["options"] = dict(self.options)
        data["errors_by_kind"] = dict(self.errors_by_kind)
        data["status"] = self.status
        data["seconds"] = self.seconds
        return data


class LedgerError(Exception):
    """The archive is missing, unreadable or has no ``crawl_runs`` table."""


def _read(db: Path, what: str, question: Callable[[sqlite3.Connection], _T]) -> _T:
    """The answer of ``question`` (one of :mod:`newsarchive.store.history`) over the archive
    ``db`` opened read-only (never a write, so it works while a crawl holds the writer lock);
    :class:`LedgerError` naming ``what`` on failure."""
    try:
        conn = queries.connect(db, readonly=True, current_schema=False)
    except queries.ArchiveError as exc:
        raise LedgerError(f"cannot read {what} of {db}: {exc}") from exc
    try:
        return question(conn)
    except sqlite3.DatabaseError as exc:
        raise LedgerError(f"cannot read {what} of {db}: {exc}") from exc
    finally:
        conn.close()


def list_runs(db: Path, *, limit: int | None = 20) -> list[Run]:
    """The newest ``limit`` runs (all with ``None``), newest first, read without writing
    (the archive is opened read-only, so this works while a crawl holds the writer lock)."""
    if not Path(db).is_file():
        raise LedgerError(f"no archive at {db} (give --db or set NEWSARCHIVE_DB)")
    rows = _read(db, "the crawl ledger", lambda conn: history.runs(conn, limit=limit))
    found = [
        Run(
            id=int(r["id"]),
            started_at=r["started_at"],
            finished_at=r["finished_at"],
            spider=r["spider"],
            channels=tuple(json.loads(r["channels"] or "[]")),
            options=json.loads(r["options"] or "{}"),
            pages_fetched=int(r["pages_fetched"]),
            articles_new=int(r["articles_new"]),
            articles_updated=int(r["articles_updated"]),
            articles_unchanged=int(r["articles_unchanged"]),
            duplicates=int(r["duplicates"]),
            not_articles=int(r["not_articles"]),
            invalid=int(r["invalid"]),
            takedowns=int(r["takedowns"]),
            errors=int(r["errors"]),
            errors_by_kind={str(k): int(v) for k, v in json.loads(r["errors_by_kind"]).items()},
            exit_status=r["exit_status"],
        )
        for r in rows
    ]
    # Only the newest run can be the one going on now.
    if found and found[0].finished_at is None and _writer_alive(Path(db)):
        found[0] = replace(found[0], running=True)
    return found


def _writer_alive(db: Path) -> bool:
    """Whether the process recorded as holding ``db``'s writer lock is alive on this host."""
    holder = lock.read_holder(db)
    if holder is None or holder.host != socket.gethostname():
        return False
    try:
        os.kill(holder.pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, another user's
    return True


def exit_code(
    finish_reason: str, *, pages_fetched: int, errors: int, stored: int | None = None
) -> ExitCode:
    """How a crawl ended, as the exit code a scheduler acts on.

    * stopped by SIGTERM/SIGINT → ``INTERRUPTED`` (the next run resumes);
    * nothing fetched (no server answered: a dead server, no network), every page failed
      (``stored``, the pages stored as anything but an error, is 0; without it, ``errors``
      reaching ``pages_fetched``), or an unexpected finish reason (a crash) → ``FAILURE``;
    * some pages failed → ``PARTIAL``; otherwise ``OK``. A page budget (``--max-pages``,
      Scrapy's ``closespider_*`` reasons) is a normal end.
    """
    if finish_reason in INTERRUPT_REASONS:
        return ExitCode.INTERRUPTED
    if finish_reason != "finished" and not finish_reason.startswith("closespider_"):
        return ExitCode.FAILURE
    all_failed = stored == 0 if stored is not None else errors >= pages_fetched
    if pages_fetched == 0 or all_failed:
        return ExitCode.FAILURE
    if errors > 0:
        return ExitCode.PARTIAL
    return ExitCode.OK


#: HTTP statuses that say "not here": a broken link, or a page taken down.
GONE_STATUSES = frozenset({404, 410})


def gone_urls(db: Path, *, since: str) -> frozenset[str]:
    """URLs whose latest fetch, at or after ``since``, answered 404 or 410: broken links and
    taken-down pages that a run need not request again until they are older than ``since``."""
    if not Path(db).is_file():
        return frozenset()
    rows = _read(db, "the captures", lambda conn: history.latest_statuses(conn, since=since))
    return frozenset(url for url, status in rows if status in GONE_STATUSES)


def frontier_work(db: Path) -> list[frontier.ChannelWork]:
    """Per channel, the crawl frontier's URLs by state (pending, to retry, failed for good,
    done), the next retry and the errors; read without writing. Empty for an archive from
    before the frontier."""
    if not Path(db).is_file():
        raise LedgerError(f"no archive at {db} (give --db or set NEWSARCHIVE_DB)")

    def question(conn: sqlite3.Connection) -> list[frontier.ChannelWork]:
        if conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'frontier'").fetchone() is None:
            return []
        return frontier.summary(conn)

    return _read(db, "the crawl frontier", question)
