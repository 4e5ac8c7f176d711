-- LPR hotlists (rtcc/storage/postgres/hotlists.py): lists, entries, hits, suppressed hits.
-- Same tables as rtcc/storage/sqlite/schema_hotlists.sql. Names, plates and times sort in
-- the "C" collation, as SQLite's binary one does.
CREATE TABLE IF NOT EXISTS hotlists (
    name          TEXT COLLATE "C" PRIMARY KEY,
    source        TEXT NOT NULL CHECK (source IN ('ncic', 'custom')),
    created_at    TEXT COLLATE "C" NOT NULL,
    refreshed_at  TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS hotlist_entries (
    id             TEXT PRIMARY KEY,
    list_name      TEXT COLLATE "C" NOT NULL REFERENCES hotlists (name) ON DELETE CASCADE,
    plate          TEXT COLLATE "C" NOT NULL,
    state          TEXT,
    list_type      TEXT NOT NULL,
    reason         TEXT NOT NULL,
    case_number    TEXT NOT NULL,
    owner          TEXT NOT NULL,
    vehicle        TEXT,
    added_by       TEXT NOT NULL,
    created_at     TEXT COLLATE "C" NOT NULL,
    seen_at        TEXT COLLATE "C" NOT NULL,
    expires_at     TEXT COLLATE "C" NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
    decided_by     TEXT,
    decided_at     TEXT COLLATE "C",
    reject_reason  TEXT
);
CREATE INDEX IF NOT EXISTS hotlist_entries_list ON hotlist_entries (list_name, status);
CREATE UNIQUE INDEX IF NOT EXISTS hotlist_entries_key
    ON hotlist_entries (list_name, plate, COALESCE(state, ''), list_type);
-- One row, bumped in the transaction of every change, so the matcher of any process
-- knows when to rebuild its index (a sequence would move before the change commits).
CREATE TABLE IF NOT EXISTS hotlist_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO hotlist_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TABLE IF NOT EXISTS hotlist_hits (
    seq             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
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
    lat             DOUBLE PRECISION,
    lon             DOUBLE PRECISION,
    read_at         TEXT COLLATE "C" NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL,
    origin          TEXT NOT NULL CHECK (origin IN ('server', 'device')),
    status          TEXT NOT NULL CHECK (status IN ('pending', 'confirmed', 'dismissed')),
    decided_by      TEXT,
    decided_at      TEXT COLLATE "C",
    dismiss_reason  TEXT
);
CREATE INDEX IF NOT EXISTS hotlist_hits_status ON hotlist_hits (status, seq);
-- Retention purges hits by read time.
CREATE INDEX IF NOT EXISTS hotlist_hits_read_at ON hotlist_hits (read_at);
CREATE TABLE IF NOT EXISTS hotlist_suppressed (
    list_name     TEXT COLLATE "C" NOT NULL,
    reason        TEXT COLLATE "C" NOT NULL,
    count         BIGINT NOT NULL,
    last_at       TEXT COLLATE "C" NOT NULL,
    last_message  TEXT NOT NULL,
    PRIMARY KEY (list_name, reason)
);
