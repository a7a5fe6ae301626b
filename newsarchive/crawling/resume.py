"""Resumable crawls: a Scrapy job directory kept beside the archive.

Each set of channels and start pages has its own job directory under the jobs root
(``<archive>.jobs/<channels>-<hash>``, see :func:`job_dir`). Scrapy keeps its request queue
and seen-request fingerprints there (``JOBDIR``), so a run stopped by SIGTERM/SIGINT continues
where it stopped. After a run that finished, the directory is removed, so the next scheduled
run starts fresh.

Scrapy writes its queue's index only when the spider closes, so after SIGKILL or power loss the
saved queue cannot be trusted. :class:`JobStateExtension` writes a ``stopped-cleanly`` marker
after Scrapy has saved its state; :func:`prepare` keeps the state only when that marker is
there and otherwise starts the job over from its start pages. Either way a job directory left
by an unfinished run puts the next run in *catch-up* mode (``NEWSARCHIVE_CATCH_UP``): the
incremental middleware re-reads every list page instead of stopping at known articles.

The job also keeps a journal (``journal.log``, :class:`Journal`), each line written to the OS
at once so that it survives SIGKILL: ``T <url>`` for every article request the incremental
middleware let through (the job's to-do list, including links found on article pages, such
as big5 copies and related articles) and ``D <url>`` for every page whose item went through
the pipelines. The store pipeline completes an item only once its transaction
(:mod:`pipelines.store`) has committed, so a ``D`` page is in the archive even
though the store commits items in groups. A resumed job re-reads the list pages, skips the
``D`` pages, and requests the ``T`` pages that have no ``D``: it fetches what the uninterrupted
job would have fetched, and no more. A page stored but not yet journaled when the process died
(or received by the writer but not yet committed, and rolled back) is fetched again: no
article is lost, and none is stored twice (each item is stored all or nothing and the store's
keys refuse duplicates).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured

from newsarchive.records import PageItem

logger = logging.getLogger(__name__)

#: Written by :class:`JobStateExtension` once Scrapy has saved the job's state.
CLEAN_MARKER = "stopped-cleanly"
#: Written by :func:`prepare`: what this job is, and when it began.
JOB_INFO = "newsarchive-job.json"
#: The job's to-do and done URLs (see :class:`Journal`).
JOURNAL = "journal.log"
#: Files of ours that survive dropping Scrapy's untrusted state.
_OURS = frozenset({JOB_INFO, JOURNAL})


@dataclass(frozen=True, kw_only=True, slots=True)
class JobState:
    """The job directory a run uses and what the previous run left in it."""

    path: Path
    resumed: bool
    """A previous run of this job did not finish: this run catches up."""
    kept_queue: bool
    """Scrapy's saved queue was kept (the previous run stopped gracefully)."""


def job_dir(root: Path, channels: Sequence[str], starts: Sequence[str] = ()) -> Path:
    """The job directory for crawling ``channels`` from ``starts`` (empty: the registry's
    start pages) under ``root``: stable across runs, distinct for different crawls."""
    key = json.dumps({"channels": sorted(channels), "start": sorted(starts)}, sort_keys=True)
    digest = hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]
    label = "-".join(sorted(channels))[:40] or "all"
    return root / f"{label}-{digest}"


def prepare(path: Path, description: dict[str, Any] | None = None) -> JobState:
    """Make ``path`` ready for a run and report whether it resumes an unfinished one.

    Scrapy state left by a run that did not stop cleanly (SIGKILL, power loss) is removed;
    the run then starts from its start pages in catch-up mode.
    """
    if not path.exists():
        path.mkdir(parents=True)
        _write_info(path, description)
        return JobState(path=path, resumed=False, kept_queue=False)
    marker = path / CLEAN_MARKER
    kept = marker.exists()
    if kept:
        marker.unlink()
        logger.info("resuming the unfinished crawl saved in %s", path)
    else:
        for child in path.iterdir():
            if child.name in _OURS:
                continue
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()
        logger.warning(
            "the previous crawl in %s was killed before it could save its queue; "
            "re-reading every list page and fetching only what the archive lacks",
            path,
        )
    if not (path / JOB_INFO).exists():
        _write_info(path, description)
    return JobState(path=path, resumed=True, kept_queue=kept)


def finish(state: JobState, finish_reason: str, *, prune_root: bool = False) -> None:
    """After a run: remove the job directory if the crawl finished, keep it otherwise.
    ``prune_root``: also remove the jobs root when that leaves it empty (for the default
    ``<archive>.jobs``, which newsarchive made; never for a root an operator configured)."""
    if finish_reason == "finished":
        shutil.rmtree(state.path, ignore_errors=True)
        logger.info("crawl finished; job state %s cleared", state.path)
        if prune_root:
            with contextlib.suppress(OSError):  # not empty: another job's state is kept
                state.path.parent.rmdir()
    else:
        logger.info("crawl stopped (%s); the next run resumes from %s", finish_reason, state.path)


def _write_info(path: Path, description: dict[str, Any] | None) -> None:
    info = {"created_at": datetime.now(UTC).isoformat(timespec="seconds"), **(description or {})}
    (path / JOB_INFO).write_text(json.dumps(info, ensure_ascii=False, indent=1), "utf-8")


class Journal:
    """Append-only record of a job's article requests (``T``) and stored pages (``D``)."""

    def __init__(self, jobdir: Path) -> None:
        self.path = jobdir / JOURNAL
        self._fd: int | None = None

    def write(self, kind: str, urls: Sequence[str]) -> None:
        lines = "".join(f"{kind} {u}\n" for u in urls if u and "\n" not in u)
        if not lines:
            return
        if self._fd is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        os.write(self._fd, lines.encode("utf-8"))  # one write: the kernel has it at once

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @staticmethod
    def read(jobdir: Path) -> tuple[frozenset[str], frozenset[str]]:
        """``(to-do, done)`` URLs recorded in ``jobdir`` (a torn last line is ignored)."""
        try:
            text = (jobdir / JOURNAL).read_text("utf-8", errors="replace")
        except FileNotFoundError:
            return frozenset(), frozenset()
        todo: set[str] = set()
        done: set[str] = set()
        for line in text.split("\n")[:-1]:  # the piece after the last newline is torn
            kind, _, url = line.partition(" ")
            if kind == "T" and url:
                todo.add(url)
            elif kind == "D" and url:
                done.add(url)
        return frozenset(todo), frozenset(done)


def scrapy_settings(state: JobState) -> dict[str, object]:
    """Settings overrides for a run using ``state``."""
    return {"JOBDIR": str(state.path), "NEWSARCHIVE_CATCH_UP": state.resumed}


class JobStateExtension:
    """Journals the pages a job stored, and marks the job directory once Scrapy has saved a
    gracefully stopped job's state.

    Enabled in ``EXTENSIONS``; inactive without ``JOBDIR``. ``item_scraped`` and
    ``item_dropped`` are sent after the item pipelines are done with an item (the store has
    committed it). Scrapy closes its scheduler (writing the
    queue index and seen fingerprints) before ``spider_closed`` is sent.
    """

    def __init__(self, jobdir: Path) -> None:
        self.jobdir = jobdir
        self.journal = Journal(jobdir)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> JobStateExtension:
        jobdir = crawler.settings.get("JOBDIR")
        if not jobdir:
            raise NotConfigured  # not a resumable job (no JOBDIR): nothing to report
        ext = cls(Path(jobdir))
        crawler.signals.connect(ext.item_done, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_done, signal=signals.item_dropped)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def item_done(self, item: Any, **_: Any) -> None:
        if not isinstance(item, PageItem):
            return
        self.journal.write("D", [c.url for c in item.captures])

    def spider_closed(self, spider: Spider, reason: str) -> None:
        self.journal.close()
        if reason == "finished" or not self.jobdir.is_dir():
            return
        (self.jobdir / CLEAN_MARKER).write_text(reason, "utf-8")
        logger.info("crawl state saved in %s (%s); the next run resumes it", self.jobdir, reason)
