"""Storing one article: dedup layers, revisions, restores. Called by
:class:`newsarchive.store.writer.Store` inside its transaction (private module: use the Store).

Decision order for an incoming article:

1. URL identity: a row with the same ``canonical_url``, or any item URL already in
   ``article_urls`` → the same article. Same folded content (``record_hash``) → ``unchanged``
   (``duplicate`` if the item was fetched from a URL the article was not fetched from before,
   e.g. the big5 mirror, or its canonical page after an alias page, also in one run); different
   content from a fetch newer than the current version → ``updated`` (old version to
   ``revisions``); an older fetch than the current version → ``unchanged`` (never rolls back).
   Only the article's own page revises it: a differing copy from a ``reprint`` URL (another
   canonical URL) or from the big5 mirror of an original-script version is kept as a capture
   only (also when re-derived), so two copies never alternate as revisions.
2. Exact content: a row with the same ``content_hash`` under another canonical URL →
   ``duplicate``; the item's URLs become ``reprint`` aliases of that row.
3. Near copy: LSH bucket candidates whose MinHash similarity reaches
   :data:`newsarchive.dedup.NEAR_THRESHOLD` → a new row with ``duplicate_of``/``similarity``
   (``near_duplicate``). Otherwise a new row (``new``) whose buckets join ``lsh_buckets``.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from newsarchive import dedup, urls
from newsarchive.records import Article
from newsarchive.store import codec, rows
from newsarchive.store.results import DedupKeys, Outcome, StoreResult

logger = logging.getLogger(__name__)


def _time(value: str) -> datetime:
    return datetime.fromisoformat(value)


@dataclass(frozen=True, kw_only=True, slots=True)
class Incoming:
    """One article on its way in, with everything the decision needs."""

    article: Article
    capture_ids: tuple[int, ...]
    item_urls: tuple[str, ...]
    """Every URL of the item (article URL, canonical URL, capture and redirect URLs)."""
    seen: str
    """Page 1's fetch time (UTC)."""
    keys: DedupKeys


@dataclass(frozen=True, kw_only=True, slots=True)
class Event:
    """A takedown observation: the page at ``url`` answered ``detail`` at ``at``."""

    at: str
    url: str
    status: int | None
    detail: str
    capture_id: int | None
    run_id: int | None


def takedown(conn: sqlite3.Connection, article_id: int, event: Event) -> int | None:
    """Record a ``taken_down`` event and set the article's status, unless it is already taken
    down or the observation is older than the last time the article was seen alive (a
    replayed or out-of-order fetch). Times are kept to the second: an observation in the same
    second as the last one is taken as the later (they are stored in the order they were
    made), so a page gone a second after it was seen is still a takedown. Returns the event
    id or ``None``."""
    status, changed_at, last_seen = conn.execute(
        "SELECT status, status_changed_at, last_seen FROM articles WHERE id = ?", [article_id]
    ).fetchone()
    at = _time(event.at)
    if status == "taken_down" or at < _time(last_seen):
        return None
    if changed_at is not None and at < _time(changed_at):
        return None
    cur = conn.execute(
        "INSERT INTO events(article_id, kind, at, url, status, detail, capture_id, run_id) "
        "VALUES (?, 'taken_down', ?, ?, ?, ?, ?, ?)",
        [
            article_id,
            event.at,
            event.url,
            event.status,
            event.detail,
            event.capture_id,
            event.run_id,
        ],
    )
    conn.execute(
        "UPDATE articles SET status = 'taken_down', status_changed_at = ? WHERE id = ?",
        [event.at, article_id],
    )
    assert cur.lastrowid is not None
    return int(cur.lastrowid)


def find_by_urls(conn: sqlite3.Connection, candidates: Sequence[str]) -> int | None:
    """The article whose canonical URL or recorded alias is one of ``candidates``."""
    for url in dict.fromkeys(candidates):
        row = conn.execute("SELECT id FROM articles WHERE canonical_url = ?", [url]).fetchone()
        if row is None:
            row = conn.execute(
                "SELECT article_id FROM article_urls WHERE url = ?", [url]
            ).fetchone()
        if row is not None:
            return int(row[0])
    return None


def store(conn: sqlite3.Connection, new: Incoming) -> StoreResult:
    """Apply the decision order above; returns what happened."""
    existing = find_by_urls(conn, [new.article.canonical_url, *new.item_urls])
    if existing is not None:
        return _known(conn, existing, new)
    row = conn.execute(
        "SELECT id FROM articles WHERE content_hash = ? ORDER BY id LIMIT 1",
        [new.keys.content_hash],
    ).fetchone()
    if row is not None:
        article_id = int(row[0])
        _touch(conn, article_id, new.seen)
        _link(conn, article_id, new)
        return StoreResult(article_id=article_id, outcome="duplicate", duplicate_of=article_id)
    bands = None if new.keys.signature is None else dedup.band_keys(new.keys.signature)
    near_id, sim = _near(conn, new.keys.signature, bands)
    article_id = _insert(conn, new, near_id, sim, bands)
    _link(conn, article_id, new)
    if near_id is not None:
        return StoreResult(
            article_id=article_id, outcome="near_duplicate", duplicate_of=near_id, similarity=sim
        )
    return StoreResult(article_id=article_id, outcome="new")


def _near(
    conn: sqlite3.Connection, sig: bytes | None, keys: list[int] | None
) -> tuple[int | None, float | None]:
    if sig is None or keys is None:
        return None, None
    marks = ",".join("?" for _ in keys)
    found = conn.execute(
        f"SELECT a.id, a.minhash FROM articles a WHERE a.id IN "
        f"(SELECT DISTINCT article_id FROM lsh_buckets WHERE bucket IN ({marks}))",
        keys,
    ).fetchall()
    best: tuple[int | None, float | None] = (None, None)
    for candidate_id, candidate_sig in found:
        if candidate_sig is None or len(candidate_sig) != len(sig):
            continue
        sim = dedup.similarity(sig, candidate_sig)
        if sim >= dedup.NEAR_THRESHOLD and (best[1] is None or sim > best[1]):
            best = (int(candidate_id), sim)
    return best


def _insert(
    conn: sqlite3.Connection,
    new: Incoming,
    near_id: int | None,
    sim: float | None,
    bands: list[int] | None,
) -> int:
    row = codec.article_row(new.article)
    row.update(
        content_hash=new.keys.content_hash,
        record_hash=new.keys.record_hash,
        minhash=new.keys.signature,
        duplicate_of=near_id,
        similarity=sim,
        first_seen=new.seen,
        last_seen=new.seen,
        updated_at=new.seen,
        capture_id=new.capture_ids[0] if new.capture_ids else None,
    )
    cur = conn.execute(
        f"INSERT INTO articles({', '.join(row)}) VALUES ({', '.join('?' for _ in row)})",
        list(row.values()),
    )
    assert cur.lastrowid is not None
    article_id = int(cur.lastrowid)
    _write_children(conn, article_id, new.article)
    if near_id is None and bands is not None:
        _index_lsh(conn, article_id, bands)
    return article_id


def _write_children(conn: sqlite3.Connection, article_id: int, article: Article) -> None:
    codec.write_children(conn, article_id, article)
    conn.execute("INSERT OR IGNORE INTO fts_pending(article_id) VALUES (?)", [article_id])


def _index_lsh(conn: sqlite3.Connection, article_id: int, bands: list[int]) -> None:
    conn.executemany(
        "INSERT OR IGNORE INTO lsh_buckets(bucket, article_id) VALUES (?, ?)",
        [(key, article_id) for key in bands],
    )


def _touch(conn: sqlite3.Connection, article_id: int, seen: str) -> None:
    conn.execute(
        "UPDATE articles SET last_seen = ? WHERE id = ? AND last_seen < ?",
        [seen, article_id, seen],
    )


def _link(conn: sqlite3.Connection, article_id: int, new: Incoming) -> None:
    canonical = conn.execute(
        "SELECT canonical_url FROM articles WHERE id = ?", [article_id]
    ).fetchone()[0]
    seen = new.seen
    conn.executemany(
        "INSERT INTO article_urls(url, article_id, kind, first_seen, last_seen) "
        "VALUES (?, ?, ?, ?, ?) ON CONFLICT(url) DO UPDATE SET "
        "first_seen = min(first_seen, excluded.first_seen), "
        "last_seen = max(last_seen, excluded.last_seen)",
        [
            (u, article_id, dedup.url_kind(u, canonical), seen, seen)
            for u in dict.fromkeys([canonical, *new.item_urls])
        ],
    )
    conn.executemany(
        "INSERT OR IGNORE INTO article_captures(article_id, capture_id, page, first_seen) "
        "VALUES (?, ?, ?, ?)",
        [(article_id, cid, page, seen) for page, cid in enumerate(new.capture_ids, start=1)],
    )


def _known(conn: sqlite3.Connection, article_id: int, new: Incoming) -> StoreResult:
    record_hash, status, changed_at, updated_at, canonical = conn.execute(
        "SELECT record_hash, status, status_changed_at, updated_at, canonical_url "
        "FROM articles WHERE id = ?",
        [article_id],
    ).fetchone()
    restored = False
    if status == "taken_down" and (changed_at is None or _time(new.seen) >= _time(changed_at)):
        _restore(conn, article_id, new)
        restored = True
    changed: list[str] = []
    outcome: Outcome = "duplicate" if _new_url(conn, article_id, new) else "unchanged"
    if record_hash != new.keys.record_hash:
        if _time(new.seen) < _time(updated_at):
            logger.debug("article %d: fetch at %s is older than its version", article_id, new.seen)
        elif new.article.canonical_url != canonical:
            logger.info(
                "article %d: reprint %s now differs; kept as a capture", article_id, new.article.url
            )
        elif _stale_mirror(conn, article_id, new):
            logger.info("article %d: big5 mirror copy differs from the original", article_id)
        else:
            changed = _revise(conn, article_id, new)
            outcome = "updated"
    elif new.article.canonical_url == canonical and _mirror_text_replaced(conn, article_id, new):
        logger.info("article %d: the original page's text replaces the big5 copy's", article_id)
    _touch(conn, article_id, new.seen)
    _link(conn, article_id, new)
    return StoreResult(
        article_id=article_id,
        outcome=outcome,
        changed_fields=tuple(changed),
        duplicate_of=article_id if outcome == "duplicate" else None,
        restored=restored,
    )


def _new_url(conn: sqlite3.Connection, article_id: int, new: Incoming) -> bool:
    """Whether ``new`` is a copy of a known article from a URL the article was not fetched
    from before (a ``duplicate``, not ``unchanged``): the big5 mirror, a host alias, or its
    own canonical page after an alias page named it, also within one run. Compared by the
    URLs (requested and final) of the captures; without captures on either side (a record
    without one, an article stored before captures were linked to it), by the URLs on
    record."""
    fetched = _fetched_urls(conn, article_id) if new.capture_ids else set()
    if not fetched:
        known = {
            r[0]
            for r in conn.execute("SELECT url FROM article_urls WHERE article_id = ?", [article_id])
        }
        return any(u not in known for u in new.item_urls)
    marks = ",".join("?" * len(new.capture_ids))
    arrived = conn.execute(
        f"SELECT url, final_url FROM captures WHERE id IN ({marks})", list(new.capture_ids)
    )
    return any(u and u not in fetched for row in arrived for u in row)


def _fetched_urls(conn: sqlite3.Connection, article_id: int) -> set[str]:
    """The URLs (requested and final) of the captures linked to the article."""
    return {
        u
        for row in conn.execute(
            "SELECT c.url, c.final_url FROM article_captures ac "
            "JOIN captures c ON c.id = ac.capture_id WHERE ac.article_id = ?",
            [article_id],
        )
        for u in row
        if u
    }


def _restore(conn: sqlite3.Connection, article_id: int, new: Incoming) -> None:
    conn.execute(
        "INSERT INTO events(article_id, kind, at, url, status, capture_id) "
        "SELECT ?, 'restored', ?, ?, c.status, c.id FROM (SELECT 1) "
        "LEFT JOIN captures c ON c.id = ?",
        [article_id, new.seen, new.article.url, new.capture_ids[0] if new.capture_ids else None],
    )
    conn.execute(
        "UPDATE articles SET status = 'live', status_changed_at = ? WHERE id = ?",
        [new.seen, article_id],
    )


def _stale_mirror(conn: sqlite3.Connection, article_id: int, new: Incoming) -> bool:
    """A big5 gateway copy that differs from a current original-script version: the mirror
    lags behind the original, so it does not make a revision (its capture is kept)."""
    if not urls.parse(new.article.url).big5:
        return False
    row = conn.execute("SELECT script FROM articles WHERE id = ?", [article_id]).fetchone()
    return bool(row is not None and row[0] == "zh-Hans")


def _mirror_text_replaced(conn: sqlite3.Connection, article_id: int, new: Incoming) -> bool:
    """When the article's current text came from the big5 gateway (its copy arrived first)
    and ``new`` is the original page with the same content: the original's text (its script,
    as published) becomes the current version, in place. Not a revision: the content is the
    same once folded, and the mirror's capture stays linked to the article as evidence."""
    if urls.parse(new.article.url).big5:
        return False
    row = conn.execute(
        "SELECT c.url FROM articles a JOIN captures c ON c.id = a.capture_id WHERE a.id = ?",
        [article_id],
    ).fetchone()
    if row is None or not urls.parse(row[0]).big5:
        return False
    _revise(conn, article_id, new, keep_old=False)
    return True


def _revise(
    conn: sqlite3.Connection, article_id: int, new: Incoming, *, keep_old: bool = True
) -> list[str]:
    """Make ``new`` the article's current version; the old one goes to ``revisions`` unless
    ``keep_old`` is false (the same content in another form: see _mirror_text_replaced)."""
    article, keys, seen, capture_ids = new.article, new.keys, new.seen, new.capture_ids
    revision, content_hash, old_capture, duplicate_of = conn.execute(
        "SELECT revision, content_hash, capture_id, duplicate_of FROM articles WHERE id = ?",
        [article_id],
    ).fetchone()
    changed: list[str] = []
    if keep_old:
        old = codec.load(conn, article_id)
        assert old is not None  # the caller found the row
        changed = rows.changed_fields(old, article)
        conn.execute(
            "INSERT INTO revisions(article_id, revision, replaced_at, changed_fields, headline, "
            "published_at, source, body_text, content_hash, record, capture_id) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
            [
                article_id,
                revision,
                seen,
                rows.dumps(changed),
                old.headline,
                old.published_at,
                old.source,
                old.body_text,
                content_hash,
                rows.dumps(old.to_dict()),
                old_capture,
            ],
        )
    row = codec.article_row(article)
    del row["canonical_url"]
    row.update(
        content_hash=keys.content_hash,
        record_hash=keys.record_hash,
        minhash=keys.signature,
        revision=revision + 1 if keep_old else revision,
        updated_at=seen,
        capture_id=capture_ids[0] if capture_ids else old_capture,
    )
    conn.execute(
        f"UPDATE articles SET {', '.join(f'{k} = ?' for k in row)} WHERE id = ?",
        [*row.values(), article_id],
    )
    codec.delete_children(conn, article_id)
    if keep_old:  # else the folded text, which is what the index holds, is the same
        conn.execute("DELETE FROM articles_fts WHERE rowid = ?", [article_id])
    _write_children(conn, article_id, article)
    if duplicate_of is None:
        conn.execute("DELETE FROM lsh_buckets WHERE article_id = ?", [article_id])
        if keys.signature is not None:
            _index_lsh(conn, article_id, dedup.band_keys(keys.signature))
    return changed
