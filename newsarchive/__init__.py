"""newsarchive: a faithful, queryable archive of Xinhua's provincial news channels."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from newsarchive.records import (
    Article,
    Capture,
    Credit,
    Dateline,
    Image,
    Link,
    NotAnArticle,
    Section,
)

if TYPE_CHECKING:
    from newsarchive.archive import Archive
    from newsarchive.extract import extract_article, join_pages

__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    # Archive and the extractor are imported on first use, so that importing the record types
    # stays free of SQLite and the command line starts at once.
    if name == "Archive":
        from newsarchive.archive import Archive  # noqa: PLC0415 (lazy: keeps records SQLite-free)

        return Archive
    if name in ("extract_article", "join_pages"):
        from newsarchive import extract  # noqa: PLC0415 (lazy: lxml, bs4, charset detection)

        return getattr(extract, name)
    raise AttributeError(f"module 'newsarchive' has no attribute {name!r}")


__all__ = [
    "Archive",
    "Article",
    "Capture",
    "Credit",
    "Dateline",
    "Image",
    "Link",
    "NotAnArticle",
    "Section",
    "__version__",
    "extract_article",
    "join_pages",
]
