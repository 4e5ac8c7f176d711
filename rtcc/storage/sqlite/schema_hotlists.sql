-- LPR hotlists (rtcc/storage/sqlite/hotlists.py): lists, entries, hits, suppressed hits.
CREATE TABLE IF NOT EXISTS hotlists (
    name          TEXT PRIMARY KEY,
    source        TEXT NOT NULL CHECK (source IN ('ncic', 'custom')),
    created_at    TEXT NOT NULL,
    refreshed_at  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS hotlist_entries (
    id             TEXT PRIMARY KEY,
    list_name      TEXT NOT NULL REFERENCES hotlists (name) ON DELETE CASCADE,
    plate          TEXT NOT NULL,
    state          TEXT,
    list_type      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    case_number    TEXT NOT NULL,
    owner          TEXT NOT NULL,
    vehicle        TEXT,
    added_by       TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    seen_at        TEXT NOT NULL,
    expires_at     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by     TEXT,
    decided_at     TEXT,
    reject_reason  TEXT
);
CREATE INDEX IF NOT EXISTS hotlist_entries_list ON hotlist_entries (list_name, status);
CREATE UNIQUE INDEX IF NOT EXISTS hotlist_entries_key
    ON hotlist_entries (list_name, plate, COALESCE(state, ''), list_type);
-- One row, bumped by every change, so the matcher knows when to rebuild its index.
CREATE TABLE IF NOT EXISTS hotlist_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  INTEGER NOT NULL
);
INSERT OR IGNORE INTO hotlist_revision (id, revision) VALUES (1, 0);
CREATE TABLE IF NOT EXISTS hotlist_hits (
    seq             INTEGER PRIMARY KEY AUTOINCREMENT,
    id              TEXT NOT NULL UNIQUE,
    event_id        TEXT NOT NULL,
    list_name       TEXT NOT NULL,
    entry           TEXT NOT NULL,
    plate_read      TEXT NOT NULL,
    state_read      TEXT,
    lookalike       INTEGER NOT NULL,
    positions       TEXT NOT NULL,
    image_ref       TEXT,
    reader_id       TEXT NOT NULL,
    lat             REAL,
    lon             REAL,
    read_at         TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    origin          TEXT NOT NULL CHECK (origin IN ('server', 'device')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'dismissed')),
    decided_by      TEXT,
    decided_at      TEXT,
    dismiss_reason  TEXT
);
CREATE INDEX IF NOT EXISTS hotlist_hits_status ON hotlist_hits (status, seq);
CREATE TABLE IF NOT EXISTS hotlist_suppressed (
    list_name     TEXT NOT NULL,
    reason        TEXT NOT NULL,
    count         INTEGER NOT NULL,
    last_at       TEXT NOT NULL,
    last_message  TEXT NOT NULL,
    PRIMARY KEY (list_name, reason)
);
