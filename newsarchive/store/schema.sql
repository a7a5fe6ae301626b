-- newsarchive archive schema, version 1.
-- The researchers' API: every table and column is documented in docs/schema.md, and
-- tests/test_schema_docs.py fails when the two disagree. Change it only through a migration
-- (newsarchive/store/migrations.py) that upgrades an older archive in place.
--
-- Conventions: times are ISO 8601 text with offset (page times +08:00, fetch times UTC
-- +00:00); booleans are 0/1; JSON columns hold UTF-8 JSON text; ids are integers.

CREATE TABLE IF NOT EXISTS schema_version (
    version     INTEGER PRIMARY KEY,
    applied_at  TEXT NOT NULL,
    description TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS crawl_runs (
    id                 INTEGER PRIMARY KEY,
    started_at         TEXT NOT NULL,
    finished_at        TEXT,
    spider             TEXT NOT NULL,
    channels           TEXT NOT NULL DEFAULT '[]',
    options            TEXT NOT NULL DEFAULT '{}',
    pages_fetched      INTEGER NOT NULL DEFAULT 0,
    articles_new       INTEGER NOT NULL DEFAULT 0,
    articles_updated   INTEGER NOT NULL DEFAULT 0,
    articles_unchanged INTEGER NOT NULL DEFAULT 0,
    duplicates         INTEGER NOT NULL DEFAULT 0,
    not_articles       INTEGER NOT NULL DEFAULT 0,
    invalid            INTEGER NOT NULL DEFAULT 0,
    takedowns          INTEGER NOT NULL DEFAULT 0,
    errors             INTEGER NOT NULL DEFAULT 0,
    errors_by_kind     TEXT NOT NULL DEFAULT '{}',
    exit_status        TEXT
);

CREATE TABLE IF NOT EXISTS captures (
    id              INTEGER PRIMARY KEY,
    url             TEXT NOT NULL,
    final_url       TEXT NOT NULL,
    status          INTEGER NOT NULL,
    headers         TEXT NOT NULL DEFAULT '{}',
    body            BLOB NOT NULL,
    compression     TEXT NOT NULL DEFAULT 'zlib',
    size            INTEGER NOT NULL,
    sha256          TEXT NOT NULL,
    encoding        TEXT,
    fetched_at      TEXT NOT NULL,
    last_fetched_at TEXT NOT NULL,
    fetch_count     INTEGER NOT NULL DEFAULT 1,
    run_id          INTEGER REFERENCES crawl_runs(id),
    outcome         TEXT NOT NULL DEFAULT 'article',
    outcome_detail  TEXT,
    UNIQUE (url, sha256)
);

CREATE TABLE IF NOT EXISTS articles (
    id                 INTEGER PRIMARY KEY,
    canonical_url      TEXT NOT NULL UNIQUE,
    channel            TEXT,
    xinhua_id          TEXT,
    headline           TEXT NOT NULL,
    subtitle           TEXT,
    published_at       TEXT,
    published_at_raw   TEXT,
    source             TEXT,
    dateline_agency    TEXT,
    dateline_place     TEXT,
    dateline_date_text TEXT,
    dateline_raw       TEXT,
    body_text          TEXT NOT NULL,
    script             TEXT NOT NULL,
    template           TEXT NOT NULL,
    pages              INTEGER NOT NULL DEFAULT 1,
    encoding           TEXT,
    keywords           TEXT NOT NULL DEFAULT '[]',
    content_hash       TEXT NOT NULL,
    minhash            BLOB,
    duplicate_of       INTEGER REFERENCES articles(id),
    similarity         REAL,
    revision           INTEGER NOT NULL DEFAULT 1,
    status             TEXT NOT NULL DEFAULT 'live',
    first_seen         TEXT NOT NULL,
    last_seen          TEXT NOT NULL,
    updated_at         TEXT NOT NULL,
    capture_id         INTEGER REFERENCES captures(id)
);

CREATE TABLE IF NOT EXISTS article_urls (
    url         TEXT PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    first_seen  TEXT NOT NULL,
    last_seen   TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS sections (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    heading     TEXT,
    text        TEXT NOT NULL,
    paragraphs  INTEGER NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE IF NOT EXISTS credits (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    role        TEXT NOT NULL,
    name        TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE IF NOT EXISTS images (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    src         TEXT NOT NULL,
    caption     TEXT,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE IF NOT EXISTS related_links (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    url         TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE TABLE IF NOT EXISTS revisions (
    id             INTEGER PRIMARY KEY,
    article_id     INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    revision       INTEGER NOT NULL,
    replaced_at    TEXT NOT NULL,
    changed_fields TEXT NOT NULL,
    headline       TEXT NOT NULL,
    published_at   TEXT,
    source         TEXT,
    body_text      TEXT NOT NULL,
    content_hash   TEXT NOT NULL,
    record         TEXT NOT NULL,
    capture_id     INTEGER REFERENCES captures(id),
    UNIQUE (article_id, revision)
);

CREATE TABLE IF NOT EXISTS events (
    id          INTEGER PRIMARY KEY,
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    at          TEXT NOT NULL,
    url         TEXT NOT NULL,
    status      INTEGER,
    detail      TEXT,
    capture_id  INTEGER REFERENCES captures(id),
    run_id      INTEGER REFERENCES crawl_runs(id)
);

CREATE INDEX IF NOT EXISTS idx_articles_channel_published ON articles(channel, published_at);
CREATE INDEX IF NOT EXISTS idx_articles_published ON articles(published_at);
CREATE INDEX IF NOT EXISTS idx_articles_content_hash ON articles(content_hash);
CREATE INDEX IF NOT EXISTS idx_articles_source ON articles(source);
CREATE INDEX IF NOT EXISTS idx_articles_duplicate_of ON articles(duplicate_of);
CREATE INDEX IF NOT EXISTS idx_article_urls_article ON article_urls(article_id);
CREATE INDEX IF NOT EXISTS idx_credits_name ON credits(name, role);
CREATE INDEX IF NOT EXISTS idx_captures_url ON captures(url, fetched_at);
CREATE INDEX IF NOT EXISTS idx_captures_sha256 ON captures(sha256);
CREATE INDEX IF NOT EXISTS idx_revisions_article ON revisions(article_id);
CREATE INDEX IF NOT EXISTS idx_events_article ON events(article_id);
