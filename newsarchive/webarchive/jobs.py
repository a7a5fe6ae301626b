"""The jobs behind ``newsarchive import`` and ``newsarchive backfill``: the archive's writer
lock, a ``crawl_runs`` row, the spider through the item pipelines (as
:mod:`newsarchive.crawling.jobs` runs a crawl)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from newsarchive.crawling import jobs
from newsarchive.crawling.jobs import JobReport, ProgressCallback


def import_files(
    *,
    db: Path,
    files: Sequence[Path],
    channels: Sequence[str] = (),
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
) -> JobReport:
    """Import the pages of the WARC/ARC files and WACZ packages ``files`` (of ``channels``
    only, when given) into the archive at ``db`` (created if needed). Raises
    :class:`FileNotFoundError` naming a file that does not exist,
    :class:`~newsarchive.crawling.jobs.CrawlFailed` naming a ``.wacz`` that is not one."""
    from newsarchive.webarchive import wacz  # noqa: PLC0415 (lazy: start-up time)

    for path in files:
        if not path.is_file():
            raise FileNotFoundError(f"no such file: {path}")
        try:
            wacz.sources(path)
        except wacz.NotAWacz as exc:
            raise jobs.CrawlFailed(str(exc)) from None
    args = {
        "files": os.pathsep.join(str(p.resolve()) for p in files),
        "channels": ",".join(channels),
    }
    return jobs._job(  # the crawl's job machinery: lock, run row, exit code
        "import",
        args,
        db=db,
        settings={"ROBOTSTXT_OBEY": False},
        on_progress=on_progress,
        lock_wait=lock_wait,
    )


def backfill(
    *,
    db: Path,
    channels: Sequence[str],
    since: str | None,
    until: str | None,
    cdx_url: str,
    replay: str,
    delay: float,
    source: str = "wayback",
    on_progress: ProgressCallback | None = None,
    lock_wait: float = 0.0,
) -> JobReport:
    """Fetch the channels' historical captures a CDX server lists (those not imported yet)
    from its replay server and store them through the item pipelines. ``source``:
    ``wayback`` (a Wayback-style CDX API and ``id_`` replay) or ``commoncrawl`` (a Common
    Crawl index; ``replay`` is then the server of its WARC files, read by range)."""
    args = {
        "channels": ",".join(channels),
        "since": since or "",
        "until": until or "",
        "cdx_url": cdx_url,
        "replay": replay,
        "source": source,
    }
    settings = {
        "ROBOTSTXT_OBEY": False,  # a CDX API and its replay are there to be queried
        "DOWNLOAD_DELAY": delay,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "CONCURRENT_REQUESTS": 1,
    }
    return jobs._job(
        "backfill",
        args,
        db=db,
        settings=settings,
        on_progress=on_progress,
        lock_wait=lock_wait,
    )
