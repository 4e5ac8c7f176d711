-- Retention (rtcc/storage/postgres/retention.py): legal holds and purge certificates.
-- Same tables and columns as schema_retention.sql. Its index on events (kind, occurred_at)
-- is made with the events table, in 0010_events.sql.
CREATE TABLE IF NOT EXISTS legal_holds (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_number  TEXT NOT NULL,
    reason       TEXT NOT NULL,
    event_ids    TEXT NOT NULL,   -- JSON list: evidence named on the hold
    created_by   TEXT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    released_by  TEXT,
    released_at  TEXT COLLATE "C"
);
CREATE TABLE IF NOT EXISTS retention_certificates (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           TEXT COLLATE "C" NOT NULL,
    body         TEXT NOT NULL    -- JSON: policy, kinds purged, counts, ranges, digest, signature
);
CREATE OR REPLACE FUNCTION retention_certificates_no_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'purge certificates are append-only';
END
$$;
CREATE OR REPLACE TRIGGER retention_certificates_no_update
BEFORE UPDATE ON retention_certificates
FOR EACH ROW EXECUTE FUNCTION retention_certificates_no_update();
