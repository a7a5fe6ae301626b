-- newsarchive archive schema, version 6 (applied after schema_v3.sql by migrations.py).
-- migrations.py moves the data into these tables and then drops articles.reporters,
-- articles.editors, articles.keywords, sections.text and sections.paragraphs.

-- The body's paragraphs: one row per paragraph, in order within its section.
CREATE TABLE IF NOT EXISTS paragraphs (
    article_id  INTEGER NOT NULL,
    section     INTEGER NOT NULL,
    position    INTEGER NOT NULL,
    text        TEXT NOT NULL,
    PRIMARY KEY (article_id, section, position),
    FOREIGN KEY (article_id, section) REFERENCES sections(article_id, position) ON DELETE CASCADE
);

-- Keyword tags the page declares, in order.
CREATE TABLE IF NOT EXISTS keywords (
    article_id  INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    keyword     TEXT NOT NULL,
    PRIMARY KEY (article_id, position)
);

CREATE INDEX IF NOT EXISTS idx_keywords_keyword ON keywords(keyword);
