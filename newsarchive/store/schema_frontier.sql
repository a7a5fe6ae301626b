-- newsarchive archive schema: the crawl frontier (applied by migrations.py, see _frontier).

-- Every list page and article URL a crawl discovered, and what became of it. Written in the
-- same transaction as the page item that discovered it or settled it (newsarchive/store/frontier.py),
-- so a crawl killed at any moment leaves pending exactly what it has not stored.
CREATE TABLE IF NOT EXISTS frontier (
    url              TEXT PRIMARY KEY,
    canonical_url    TEXT NOT NULL,
    kind             TEXT NOT NULL CHECK (kind IN ('list', 'article', 'page')),
    channel          TEXT,
    state            TEXT NOT NULL CHECK (state IN ('pending', 'done', 'retry', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT,
    last_error       TEXT,
    discovered_at    TEXT NOT NULL,
    discovered_run_id INTEGER REFERENCES crawl_runs(id),
    updated_at       TEXT NOT NULL,
    last_run_id      INTEGER REFERENCES crawl_runs(id)
);
CREATE INDEX IF NOT EXISTS frontier_state ON frontier(state, channel);
