-- Retention (rtcc/storage/sqlite/retention.py): legal holds and purge certificates.
CREATE TABLE IF NOT EXISTS legal_holds (
    id           INTEGER PRIMARY KEY,
    case_number  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    event_ids    TEXT NOT NULL,   -- JSON list: evidence named on the hold
    created_by   TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    released_by  TEXT,
    released_at  TEXT
);
CREATE TABLE IF NOT EXISTS retention_certificates (
    id           INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    body         TEXT NOT NULL    -- JSON: policy, kinds purged, counts, ranges, digest, signature
);
CREATE TRIGGER IF NOT EXISTS retention_certificates_no_update
BEFORE UPDATE ON retention_certificates
BEGIN
    SELECT RAISE(ABORT, 'purge certificates are append-only');
END;
-- Purges find expired events by kind and time.
CREATE INDEX IF NOT EXISTS events_kind_occurred ON events (kind, occurred_at);
-- Live state rows removed by a purge take their spatial index entry with them.
CREATE TRIGGER IF NOT EXISTS entity_rtree_delete AFTER DELETE ON entity_state
BEGIN
    DELETE FROM entity_rtree WHERE rid = OLD.rid;
END;
