-- Partner agencies, the scoped shares granted to them, and request signatures already used
-- (rtcc/storage/sql/sharing.py). Same tables and columns as schema_sharing.sql.
CREATE TABLE IF NOT EXISTS partners (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    public_key_pem  TEXT NOT NULL,
    created_at      TEXT COLLATE "C" NOT NULL
);
CREATE TABLE IF NOT EXISTS shares (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    kinds       TEXT NOT NULL,   -- JSON list of event kinds
    area        TEXT NOT NULL,   -- GeoJSON (Multi)Polygon
    purposes    TEXT NOT NULL,   -- JSON list of purpose codes
    until       TEXT COLLATE "C" NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT COLLATE "C" NOT NULL,
    revoked_at  TEXT COLLATE "C"
);
CREATE INDEX IF NOT EXISTS shares_partner ON shares (partner_id, id);
CREATE TABLE IF NOT EXISTS partner_signatures (
    signature   TEXT PRIMARY KEY,  -- a request signature is good once (replay refused)
    seen_at     TEXT COLLATE "C" NOT NULL
);
-- Old signatures are swept on every request.
CREATE INDEX IF NOT EXISTS partner_signatures_seen ON partner_signatures (seen_at);
