"""WACZ packages (Web Archive Collection Zipped, 1.1.1): written by ``newsarchive export
--format wacz``, read by ``newsarchive import``.

A WACZ is a ZIP file holding ``archive/data.warc.gz`` (the WARC of :mod:`.export`, stored
uncompressed in the ZIP so replay tools can read records by range), ``indexes/index.cdxj``
(its CDXJ index), ``pages/pages.jsonl`` (the HTML pages, one JSON line each after a header
line), ``datapackage.json`` (the Frictionless data package listing each file with its size and
``sha256:`` hash) and ``datapackage-digest.json`` (the hash of ``datapackage.json``).
Spec: https://specs.webrecorder.net/wacz/1.1.1/

On import, a ``.wacz`` stands for the WARC files inside it, each named ``PACKAGE.wacz#PATH``
(``/data/gz.wacz#archive/data.warc.gz``): the name recorded as a capture's source.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import IO

from warcio.archiveiterator import ArchiveIterator

from newsarchive.store.queries import Filters

logger = logging.getLogger(__name__)

WACZ_VERSION = "1.1.1"
WARC_MEMBER = "archive/data.warc.gz"
INDEX_MEMBER = "indexes/index.cdxj"
PAGES_MEMBER = "pages/pages.jsonl"
_SEPARATOR = "#"
_HTML = ("text/html", "application/xhtml+xml")


class NotAWacz(ValueError):
    """A ``.wacz`` file that is not a ZIP or holds no WARC file."""


@dataclass(frozen=True, kw_only=True, slots=True)
class WaczExport:
    """What :func:`export_wacz` wrote."""

    path: Path
    captures: int
    """Response records in the package's WARC."""
    pages: int
    """Entries of ``pages/pages.jsonl``."""


def is_wacz(path: Path | str) -> bool:
    return str(path).lower().endswith(".wacz")


def sources(path: Path) -> list[str]:
    """The WARC/ARC files ``path`` stands for: itself (absolute), or for a WACZ package the
    WARC files of its ``archive/`` folder (``PACKAGE#archive/NAME``). Raises
    :class:`NotAWacz` for a ``.wacz`` that is not a ZIP or holds none."""
    name = str(path.resolve())
    if not is_wacz(path):
        return [name]
    try:
        with zipfile.ZipFile(path) as package:
            members = [
                m for m in package.namelist() if m.startswith("archive/") and not m.endswith("/")
            ]
    except (zipfile.BadZipFile, OSError) as exc:
        raise NotAWacz(f"{path}: not a WACZ package ({exc})") from exc
    if not members:
        raise NotAWacz(f"{path}: a WACZ package with no WARC file in archive/")
    return [f"{name}{_SEPARATOR}{member}" for member in sorted(members)]


def open_source(source: str) -> IO[bytes]:
    """Open a file :func:`sources` named, for reading (seekable: a member of a WACZ is read
    from the ZIP in place)."""
    package, _, member = source.partition(_SEPARATOR)
    if member and is_wacz(package):
        with zipfile.ZipFile(package) as archive:  # the member keeps the file open
            return archive.open(member)
    return Path(source).open("rb")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def _pages(warc: Path, out: Path) -> int:
    """``pages/pages.jsonl``: one entry per HTML 200 response of the WARC."""
    count = 0
    with warc.open("rb") as fh, out.open("w", encoding="utf-8") as pages:
        header = {"format": "json-pages-1.0", "id": "pages", "title": "All Pages"}
        pages.write(json.dumps(header) + "\n")
        for record in ArchiveIterator(fh):
            if record.rec_type != "response" or record.http_headers is None:
                continue
            media = (record.http_headers.get_header("Content-Type") or "").split(";")[0]
            if record.http_headers.get_statuscode() != "200" or media.strip() not in _HTML:
                continue
            record_id = str(record.rec_headers.get_header("WARC-Record-ID"))
            entry = {
                "id": record_id.strip("<>").removeprefix("urn:uuid:"),
                "url": record.rec_headers.get_header("WARC-Target-URI"),
                "ts": record.rec_headers.get_header("WARC-Date"),
            }
            pages.write(json.dumps(entry, ensure_ascii=False) + "\n")
            count += 1
    return count


def _datapackage(folder: Path, members: list[str]) -> dict[str, object]:
    try:
        version = metadata.version("newsarchive")
    except metadata.PackageNotFoundError:
        version = "unknown"
    return {
        "profile": "data-package",
        "wacz_version": WACZ_VERSION,
        "title": "newsarchive export",
        "created": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
        "software": f"newsarchive {version}",
        "mainPageURL": None,
        "resources": [
            {
                "name": Path(member).name,
                "path": member,
                "hash": _sha256(folder / member),
                "bytes": (folder / member).stat().st_size,
            }
            for member in members
        ],
    }


def package(folder: Path, out: Path) -> None:
    """Zip the WACZ layout in ``folder`` (the WARC, index and pages written) into ``out``,
    adding ``datapackage.json`` and ``datapackage-digest.json``."""
    members = [WARC_MEMBER, INDEX_MEMBER, PAGES_MEMBER]
    data = json.dumps(_datapackage(folder, members), indent=2).encode()
    digest = {"path": "datapackage.json", "hash": f"sha256:{hashlib.sha256(data).hexdigest()}"}
    with zipfile.ZipFile(out, "w") as archive:
        # The WARC stored as it is (already gzipped): replay tools read its records by range.
        archive.write(folder / WARC_MEMBER, WARC_MEMBER, compress_type=zipfile.ZIP_STORED)
        for member in (INDEX_MEMBER, PAGES_MEMBER):
            archive.write(folder / member, member, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("datapackage.json", data, compress_type=zipfile.ZIP_DEFLATED)
        archive.writestr("datapackage-digest.json", json.dumps(digest, indent=2))


def export_wacz(
    conn: sqlite3.Connection, path: Path, *, archive: str, filters: Filters | None = None
) -> WaczExport:
    """Write the captures (as :func:`~newsarchive.webarchive.export.export_warc` selects
    them) as a WACZ package at ``path`` (built beside it, renamed into place)."""
    # Lazy: ``import`` reads WACZ files through this module, and never needs the exporter
    # (cdxj-indexer costs most of a second to import).
    from newsarchive.webarchive.export import write_index, write_warc  # noqa: PLC0415

    tmp = path.with_name(f".{path.name}.part")
    with tempfile.TemporaryDirectory(prefix=".wacz-", dir=path.parent) as name:
        folder = Path(name)
        for sub in ("archive", "indexes", "pages"):
            (folder / sub).mkdir()
        warc = folder / WARC_MEMBER
        try:
            with warc.open("wb") as out:
                responses, _ = write_warc(conn, out, archive=archive, filters=filters)
            write_index(warc, folder / INDEX_MEMBER, name=Path(WARC_MEMBER).name)
            pages = _pages(warc, folder / PAGES_MEMBER)
            package(folder, tmp)
            tmp.replace(path)
        finally:
            tmp.unlink(missing_ok=True)
    logger.info("exported %d captures to %s (WACZ)", responses, path)
    return WaczExport(path=path, captures=responses, pages=pages)
