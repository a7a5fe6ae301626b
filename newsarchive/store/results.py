"""Result and key types of the archive's write API (re-exported by :mod:`newsarchive.store`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal

from newsarchive import dedup, textnorm
from newsarchive.records import Article, Capture
from newsarchive.store import rows

Outcome = Literal["new", "updated", "unchanged", "duplicate", "near_duplicate"]
#: ``captures.outcome`` values.
CaptureOutcome = Literal["article", "article_page", "not_article", "invalid", "error"]
#: Item errors that mean "the page is gone" for a known article URL.
TAKEDOWN_ERRORS: frozenset[str] = frozenset({"http_404", "http_410", "redirect_home"})


def utc_now() -> str:
    """Now as ISO 8601 UTC with offset, seconds precision."""
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True, kw_only=True, slots=True)
class DedupKeys:
    """The pure dedup keys of one article (computed by the dedupe pipeline or on demand)."""

    content_hash: str
    record_hash: str
    signature: bytes | None
    folded_headline: str | None = field(default=None, compare=False, repr=False)
    """:func:`textnorm.fold` of the headline, kept so the store indexes it for full-text
    search without folding again (``None``: the store folds it when indexing)."""
    folded_body: str | None = field(default=None, compare=False, repr=False)
    """:func:`textnorm.fold` of the body, likewise."""

    @classmethod
    def of(cls, article: Article) -> DedupKeys:
        """Compute the keys (the body is folded once for all three and for the index)."""
        body = textnorm.fold(article.body_text)
        headline = textnorm.fold(article.headline)
        return cls(
            content_hash=dedup.folded_content_hash(headline, body),
            record_hash=rows.record_hash(article, folded_body=body),
            signature=dedup.folded_signature(body),
            folded_headline=headline,
            folded_body=body,
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class StoreResult:
    """What storing one article did."""

    article_id: int
    outcome: Outcome
    changed_fields: tuple[str, ...] = ()
    """For ``updated``: the fields that changed (see :data:`rows.COMPARED_FIELDS`)."""
    duplicate_of: int | None = None
    """For ``duplicate`` the existing row (same as ``article_id``); for ``near_duplicate`` the
    article it copies."""
    similarity: float | None = None
    restored: bool = False
    """The article had been taken down and is live again (a ``restored`` event was added)."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ItemResult:
    """What storing one :class:`PageItem` did."""

    capture_ids: tuple[int, ...]
    capture_outcome: CaptureOutcome
    article: StoreResult | None = None
    event_id: int | None = None
    """A ``taken_down`` event recorded for a known article URL."""


@dataclass(frozen=True, kw_only=True, slots=True)
class ReextractSource:
    """The captures behind one article page, for re-running the extractor."""

    capture_ids: tuple[int, ...]
    """Page 1 first, then later pages in page order."""
    captures: tuple[Capture, ...]
    article_id: int | None
    """The article the page 1 capture was stored as (``None`` if it never was one)."""
    outcome: str
