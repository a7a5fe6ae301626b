"""newsarchive: a faithful, queryable archive of Xinhua's provincial news channels."""

from __future__ import annotations

from newsarchive.extract import extract_article, join_pages
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

__version__ = "0.1.0"

__all__ = [
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
