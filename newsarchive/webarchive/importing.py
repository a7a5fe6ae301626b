"""Web archive files through the crawl's extractor: the items ``newsarchive import`` yields.

``newsarchive import FILE…`` runs the ``warcimport`` spider, which downloads nothing. It
first scans every file (:func:`plan`: one streaming pass that writes a small reference per
page record to a temporary SQLite file, never a body, so memory stays flat whatever the size
of the files), then reads the pages back in ``WARC-Date`` order, whatever order
the files and records come in, so a page captured at several times becomes revisions in time
order. Each page becomes the same :class:`~newsarchive.records.PageItem` a crawl would have
yielded (:func:`newsarchive.crawling.pages.read_page` judges it: HTTP errors, error pages
served as 200, pages cut short), with the real page URL and the capture time, and goes
through the item pipelines the settings name. An old-era multi-page article is joined when
its later pages are in the files (the capture of each later page nearest in time to page 1).
"""

from __future__ import annotations

import dataclasses
import logging
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

from scrapy.http import HtmlResponse, Request

from newsarchive import urls
from newsarchive.crawling.pages import Page, read_page
from newsarchive.extract import join_pages
from newsarchive.records import Article, Capture, CaptureOrigin, PageItem
from newsarchive.webarchive import wacz
from newsarchive.webarchive.warcfile import RecordError, RecordRef, Skipped, read_capture, scan

logger = logging.getLogger(__name__)


class ImportPlan:
    """What :func:`plan` found in the files. The page records' references are kept in a
    private temporary SQLite file (deleted when the plan is closed), not in memory: the
    import's memory does not grow with the number of records. Use it as a context manager."""

    def __init__(self) -> None:
        self.skipped: Counter[str] = Counter()
        """Records not taken, by kind (:data:`newsarchive.webarchive.warcfile.SKIP_KINDS`)."""
        self.records = 0
        """Records scanned."""
        self.bytes = 0
        """Bytes of the files scanned."""
        self.pages = 0
        """Page records to import (single pages and first pages)."""
        self._paths: list[str] = []
        self._pending: list[tuple[object, ...]] = []
        # "": a temporary database on disk, private to this connection, deleted on close.
        self._db = sqlite3.connect("", isolation_level=None)
        self._db.execute(f"PRAGMA cache_size = -{_PLAN_CACHE_KIB}")
        self._db.execute(
            "CREATE TABLE refs (later INTEGER, key TEXT, date TEXT, url TEXT, path INTEGER, "
            "record_offset INTEGER, record_id TEXT, status INTEGER, digest TEXT, "
            "revisit INTEGER, payload_path INTEGER, payload_offset INTEGER)"
        )

    def __enter__(self) -> ImportPlan:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def add(self, ref: RecordRef) -> None:
        """Keep ``ref`` (a first or single page, or a later page of a multi-page article)."""
        if ref.path not in self._paths:
            self._paths.append(ref.path)
        later = urls.page_number(ref.url) > 1
        self.pages += not later
        self._pending.append(
            (later, _key(ref.url), ref.date, ref.url, self._paths.index(ref.path),
             ref.offset, ref.record_id, ref.status, ref.digest, ref.revisit, None, None)
        )  # fmt: skip
        if len(self._pending) >= _PLAN_BATCH:
            self._flush()

    def _flush(self) -> None:
        self._db.execute("BEGIN")
        marks = ", ".join("?" * len(self._pending[0])) if self._pending else ""
        if marks:
            self._db.executemany(f"INSERT INTO refs VALUES ({marks})", self._pending)
        self._db.execute("COMMIT")
        self._pending.clear()

    def finish(self) -> None:
        """Index what was added (call once, after the last :meth:`add`)."""
        self._flush()
        self._db.execute("CREATE INDEX refs_order ON refs(later, date, url, path, record_offset)")
        self._db.execute("CREATE INDEX refs_key ON refs(later, key, date, path, record_offset)")
        self._db.execute("CREATE INDEX refs_digest ON refs(revisit, digest)")
        # A revisit's payload is that of a response with its digest: of the same page if there
        # is one, else of any page (the same bytes), the earliest.
        self._db.execute(
            "WITH best AS (SELECT r.rowid AS rid, o.path, o.record_offset, row_number() OVER "
            "(PARTITION BY r.rowid ORDER BY o.key <> r.key, o.date, o.path, o.record_offset) AS n "
            "FROM refs r JOIN refs o ON o.revisit = 0 AND o.digest = r.digest "
            "WHERE r.revisit = 1) "
            "UPDATE refs SET payload_path = best.path, payload_offset = best.record_offset "
            "FROM best WHERE best.rid = refs.rowid AND best.n = 1"
        )

    def _ref(self, row: tuple[Any, ...]) -> RecordRef:
        date, url, path, offset, record_id, status, digest, revisit, payload_path, payload_at = row
        return RecordRef(
            path=self._paths[path], offset=offset, url=url, date=date, record_id=record_id,
            status=status, digest=digest, revisit=bool(revisit),
            payload_path=None if payload_path is None else self._paths[payload_path],
            payload_offset=payload_at,
        )  # fmt: skip

    def page_refs(self) -> Iterator[RecordRef]:
        """The page records to import (single pages and first pages), in ``WARC-Date``
        order (then URL, file, offset), read from disk as they are used."""
        rows = self._db.execute(
            f"SELECT {_REF_COLUMNS} FROM refs WHERE later = 0 "
            "ORDER BY date, url, path, record_offset"
        )
        for row in rows:
            yield self._ref(row)

    def later_pages(self, url: str) -> list[RecordRef]:
        """The records of the later page ``url`` (``c_<id>_2.htm`` …), in date order."""
        rows = self._db.execute(
            f"SELECT {_REF_COLUMNS} FROM refs WHERE later = 1 AND key = ? "
            "ORDER BY date, path, record_offset",
            [_key(url)],
        ).fetchall()
        return [self._ref(row) for row in rows]


_REF_COLUMNS = (
    "date, url, path, record_offset, record_id, status, digest, revisit, payload_path, "
    "payload_offset"
)
#: References written to the plan's file at a time, and its page cache (KiB).
_PLAN_BATCH = 1000
_PLAN_CACHE_KIB = 4096


def _key(url: str) -> str:
    return url.split("://", 1)[-1]


def plan(
    files: Sequence[Path],
    *,
    channels: Sequence[str] = (),
    on_record: Callable[[int], None] | None = None,
) -> ImportPlan:
    """Scan ``files``: the page records to import (of ``channels`` only, when given; else of
    every channel) and the count of every record skipped."""
    found = ImportPlan()
    wanted = set(channels)
    try:
        for path in files:
            found.bytes += path.stat().st_size
            for source in wacz.sources(path):
                for entry in scan(source, on_record=on_record):
                    found.records += 1
                    if isinstance(entry, Skipped):
                        found.skipped[entry.kind] += 1
                    elif wanted and urls.channel_of(entry.url) not in wanted:
                        found.skipped["off_channel"] += 1
                    else:
                        found.add(entry)
        found.finish()
    except BaseException:
        found.close()
        raise
    return found


class _Files:
    """Open file handles by path (a few files at a time)."""

    def __init__(self, stack: ExitStack) -> None:
        self.stack = stack
        self.open: dict[str, IO[bytes]] = {}

    def __call__(self, path: str) -> IO[bytes]:
        if path not in self.open:
            self.open[path] = self.stack.enter_context(wacz.open_source(path))
        return self.open[path]


def _response(stored: Capture) -> HtmlResponse:
    return HtmlResponse(
        url=stored.url,
        status=stored.status,
        headers=list(stored.headers),
        body=stored.body,
        request=Request(stored.url),
    )


def _item(stored: Capture, page: Page) -> tuple[Capture, PageItem]:
    """The item a crawl would have made of the page (one page, not joined), with the web
    archive's capture time, headers and provenance."""
    capture = dataclasses.replace(
        page.capture, headers=stored.headers, fetched_at=stored.fetched_at, origin=stored.origin
    )
    return capture, PageItem(captures=(capture,), result=page.result, error=page.error)


#: The payload the archive already holds under a payload digest (a revisit's original), or
#: ``None``: :func:`newsarchive.store.origins.payload_by_digest` over the archive.
Archived = Callable[[str], Capture | None]


def _stored(ref: RecordRef, files: _Files, archived: Archived | None) -> Capture:
    """The capture ``ref`` stands for; a revisit's is its original's payload, fetched at the
    revisit's time, with the revisit's provenance."""
    if not ref.revisit:
        return read_capture(ref, files(ref.path))
    if ref.payload_path is not None:
        try:
            return read_capture(ref, files(ref.payload_path))
        except RecordError as exc:
            raise RecordError(
                "revisit_unresolved", f"revisit of {ref.url} at {ref.date}: original: {exc}"
            ) from exc
    original = archived(ref.digest) if archived is not None and ref.digest else None
    if original is None:
        raise RecordError(
            "revisit_unresolved",
            f"revisit of {ref.url} at {ref.date}: no response with payload {ref.digest} "
            "in the files or the archive",
        )
    origin = CaptureOrigin(
        origin="warc",
        source=ref.path,
        record_id=ref.record_id,
        offset=ref.offset,
        payload_digest=ref.digest,
    )
    return dataclasses.replace(
        original, url=ref.url, final_url=ref.url, fetched_at=ref.date, origin=origin
    )


def page_of(stored: Capture) -> tuple[Capture, PageItem]:
    """The page a web archive's capture holds, judged and extracted as a crawl's would be
    (one page, not joined), keeping the capture's time, headers and provenance."""
    return _item(stored, read_page(_response(stored), extract=True))


def _read(
    ref: RecordRef, files: _Files, archived: Archived | None = None
) -> tuple[Capture, PageItem]:
    return page_of(_stored(ref, files, archived))


def _nearest(refs: list[RecordRef], date: str) -> RecordRef:
    """The capture of a later page taken nearest to page 1's (ISO dates in UTC sort as text:
    the last one at or before it, else the first after it)."""
    before = [r for r in refs if r.date <= date]
    return before[-1] if before else refs[0]


def items(
    found: ImportPlan, skipped: Counter[str], archived: Archived | None = None
) -> Iterator[PageItem]:
    """The items of the plan's pages, in date order; records that turn out unreadable (cut
    short, malformed, an HTML page that stops before its end) are counted in ``skipped``, as
    are revisits whose original is in neither the files nor the archive (``archived``)."""
    with ExitStack() as stack:
        files = _Files(stack)
        for ref in found.page_refs():
            try:
                capture, item = _read(ref, files, archived)
            except RecordError as exc:
                level = logging.INFO if exc.kind == "revisit_unresolved" else logging.WARNING
                logger.log(level, "%s: %s", ref.path, exc)
                skipped[exc.kind] += 1
                continue
            if _complete(ref, item, skipped):
                yield _joined(
                    capture, item, found=found, files=files, skipped=skipped, archived=archived
                )


def _complete(ref: RecordRef, item: PageItem, skipped: Counter[str]) -> bool:
    """Whether the page is whole (an HTML page that stops before its end is counted as
    ``truncated`` and never stored)."""
    if item.error != "truncated":
        return True
    logger.warning("%s: %s at offset %d is cut short", ref.path, ref.url, ref.offset)
    skipped["truncated"] += 1
    return False


def _joined(
    capture: Capture,
    item: PageItem,
    *,
    found: ImportPlan,
    files: _Files,
    skipped: Counter[str],
    archived: Archived | None,
) -> PageItem:
    result = item.result
    if not isinstance(result, Article) or not result.page_urls:
        return item
    rest: list[Article] = []
    used = [capture]
    for page_url in result.page_urls:
        refs = found.later_pages(page_url)
        if not refs:
            continue
        try:
            other_capture, other = _read(_nearest(refs, capture.fetched_at), files, archived)
        except RecordError as exc:
            skipped[exc.kind] += 1
            continue
        if isinstance(other.result, Article) and other.error is None:
            rest.append(other.result)
            used.append(other_capture)
    joined = join_pages(result, rest) if rest else result
    missing = len(result.page_urls) - len(rest)
    return PageItem(
        captures=tuple(used), result=joined, error="missing_pages" if missing > 0 else None
    )
