-- The supervisor review queue: patterns of use that misuse detection flagged.
CREATE TABLE IF NOT EXISTS review_items (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    key          TEXT NOT NULL UNIQUE,   -- re-running detection never queues a flag twice
    actor        TEXT NOT NULL,
    rule         TEXT NOT NULL,
    detail       TEXT NOT NULL,
    first_at     TEXT NOT NULL,
    last_at      TEXT NOT NULL,
    audit_seqs   TEXT NOT NULL,          -- JSON list of the audit rows behind the flag
    status       TEXT NOT NULL DEFAULT 'open',
    reviewed_by  TEXT,
    reviewed_at  TEXT,
    outcome      TEXT,
    note         TEXT
);
CREATE INDEX IF NOT EXISTS review_items_status ON review_items (status, id);
