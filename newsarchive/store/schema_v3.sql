-- newsarchive archive schema, version 3 (applied after schema_v2.sql by migrations.py).

-- Articles waiting to be (re-)indexed in articles_fts: the full-text index is written in
-- batches (newsarchive/store/fts.py). Empty whenever no writer is running.
CREATE TABLE IF NOT EXISTS fts_pending (
    article_id  INTEGER PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);
