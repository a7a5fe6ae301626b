-- Schema step: where each capture came from (issue 20). Documented in docs/schema.md.
CREATE TABLE IF NOT EXISTS capture_origins (
    id             INTEGER PRIMARY KEY,
    capture_id     INTEGER NOT NULL REFERENCES captures(id) ON DELETE CASCADE,
    origin         TEXT NOT NULL,
    source         TEXT NOT NULL DEFAULT '',
    record_id      TEXT NOT NULL DEFAULT '',
    record_offset  INTEGER,
    captured_at    TEXT NOT NULL,
    payload_digest TEXT,
    run_id         INTEGER REFERENCES crawl_runs(id),
    UNIQUE (capture_id, origin, source, record_id)
);

CREATE INDEX IF NOT EXISTS idx_capture_origins_record ON capture_origins(origin, record_id);
