-- newsarchive archive schema, version 2 (applied after schema.sql by migrations.py).
-- The columns articles.reporters, articles.editors, articles.record_hash and
-- articles.status_changed_at are added by migrations.py (ALTER TABLE) before this file runs.

-- Every capture behind an article: page 1 and later pages, mirror copies, re-fetches.
CREATE TABLE IF NOT EXISTS article_captures (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    capture_id  INTEGER NOT NULL REFERENCES captures(id),
    page        INTEGER NOT NULL DEFAULT 1,
    first_seen  TEXT NOT NULL,
    PRIMARY KEY (article_id, capture_id)
) WITHOUT ROWID;

-- Near-copy detection state: one row per (LSH band bucket, article) for articles that are not
-- themselves near copies. Lives on disk, so memory stays flat as the archive grows.
CREATE TABLE IF NOT EXISTS lsh_buckets (
    bucket      INTEGER NOT NULL,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    PRIMARY KEY (bucket, article_id)
) WITHOUT ROWID;

-- Full-text index: rowid = articles.id; columns hold textnorm.fts_text() of the headline and
-- body (folded to simplified script, CJK runs as overlapping bigrams and, since schema v5,
-- each run's last character).
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    headline, body, tokenize = 'unicode61'
);

CREATE INDEX IF NOT EXISTS idx_article_captures_capture ON article_captures(capture_id);
CREATE INDEX IF NOT EXISTS idx_lsh_buckets_article ON lsh_buckets(article_id);
CREATE INDEX IF NOT EXISTS idx_articles_status ON articles(status);
CREATE INDEX IF NOT EXISTS idx_captures_outcome ON captures(outcome, url);
CREATE INDEX IF NOT EXISTS idx_events_kind_at ON events(kind, at);
