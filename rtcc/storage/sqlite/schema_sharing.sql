-- Partner agencies, the scoped shares granted to them, and request signatures already used.
CREATE TABLE IF NOT EXISTS partners (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    public_key_pem  TEXT NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS shares (
    id          INTEGER PRIMARY KEY,
    partner_id  TEXT NOT NULL REFERENCES partners (id),
    kinds       TEXT NOT NULL,   -- JSON list of event kinds
    area        TEXT NOT NULL,   -- GeoJSON (Multi)Polygon
    purposes    TEXT NOT NULL,   -- JSON list of purpose codes
    until       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    revoked_at  TEXT
);
CREATE TABLE IF NOT EXISTS partner_signatures (
    signature   TEXT PRIMARY KEY,  -- a request signature is good once (replay refused)
    seen_at     TEXT NOT NULL
);
