-- OpenRTCC embedded schema (SQLite). Times are fixed-width ISO 8601 UTC text.

CREATE TABLE IF NOT EXISTS events (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    dedup_key    TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    source_ref   TEXT,
    occurred_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    accuracy_m   REAL,
    entity_key   TEXT,
    payload      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_kind_seq ON events (kind, seq);

-- Append-only: an event is never rewritten. (Deletion is reserved for retention.)
CREATE TRIGGER IF NOT EXISTS events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

-- Where things happened (plate reads, shots, incidents, callers, cameras). AVL fixes are
-- left out: they are most of the volume, their live position is in entity_rtree, and their
-- history is asked for by unit and time, not by place.
CREATE VIRTUAL TABLE IF NOT EXISTS events_rtree USING rtree(
    seq, min_lat, max_lat, min_lon, max_lon
);
CREATE TRIGGER IF NOT EXISTS events_rtree_insert AFTER INSERT ON events
WHEN NEW.lat IS NOT NULL AND NEW.kind <> 'unit_position'
BEGIN
    INSERT INTO events_rtree VALUES (NEW.seq, NEW.lat, NEW.lat, NEW.lon, NEW.lon);
END;
CREATE TRIGGER IF NOT EXISTS events_rtree_delete AFTER DELETE ON events
BEGIN
    DELETE FROM events_rtree WHERE seq = OLD.seq;
END;

-- Latest state per entity (unit, camera, incident, call): the live picture.
CREATE TABLE IF NOT EXISTS entity_state (
    rid          INTEGER PRIMARY KEY,
    entity_key   TEXT NOT NULL UNIQUE,
    entity_type  TEXT NOT NULL,
    first_occurred_at TEXT NOT NULL,  -- when the entity was first seen (incident start)
    occurred_at  TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    event_id     TEXT NOT NULL,
    event_json   TEXT NOT NULL
);
CREATE VIRTUAL TABLE IF NOT EXISTS entity_rtree USING rtree(
    rid, min_lat, max_lat, min_lon, max_lon
);
CREATE TRIGGER IF NOT EXISTS entity_rtree_insert AFTER INSERT ON entity_state
WHEN NEW.lat IS NOT NULL
BEGIN
    INSERT INTO entity_rtree VALUES (NEW.rid, NEW.lat, NEW.lat, NEW.lon, NEW.lon);
END;
CREATE TRIGGER IF NOT EXISTS entity_rtree_update AFTER UPDATE OF lat, lon ON entity_state
BEGIN
    DELETE FROM entity_rtree WHERE rid = OLD.rid;
    INSERT INTO entity_rtree SELECT NEW.rid, NEW.lat, NEW.lat, NEW.lon, NEW.lon
    WHERE NEW.lat IS NOT NULL;
END;

CREATE TABLE IF NOT EXISTS alerts (
    id           TEXT PRIMARY KEY,
    rule         TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    severity     TEXT NOT NULL,
    title        TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    lat          REAL,
    lon          REAL,
    detail       TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_time ON alerts (created_at);

CREATE TABLE IF NOT EXISTS reject_counts (
    source       TEXT NOT NULL,
    field        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    count        INTEGER NOT NULL,
    last_at      TEXT NOT NULL,
    last_message TEXT NOT NULL,
    PRIMARY KEY (source, field, reason)
);

CREATE TABLE IF NOT EXISTS users (
    username      TEXT PRIMARY KEY,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    disabled      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,  -- consecutive; reset by a successful login
    locked_until  TEXT,                        -- set after too many failures
    mfa_secret    TEXT                         -- TOTP secret, in clear: needed to verify codes
);

CREATE TABLE IF NOT EXISTS sessions (
    token_hash   TEXT PRIMARY KEY,
    username     TEXT NOT NULL REFERENCES users(username),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL DEFAULT ''  -- last use (written at most once a minute)
);

CREATE TABLE IF NOT EXISTS api_keys (
    key_id       TEXT PRIMARY KEY,
    source       TEXT NOT NULL,
    key_hash     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked      INTEGER NOT NULL DEFAULT 0
);

-- Tamper-evident audit trail: each row's hash covers the previous row's hash.
CREATE TABLE IF NOT EXISTS audit (
    seq          INTEGER PRIMARY KEY,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    actor_kind   TEXT NOT NULL,
    role         TEXT NOT NULL,
    action       TEXT NOT NULL,
    resource     TEXT NOT NULL,
    outcome      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    purpose      TEXT,             -- stated purpose of a sensitive action (hashed when set)
    case_number  TEXT,
    prev_hash    TEXT NOT NULL,
    hash         TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'the audit trail is append-only');
END;

-- Messages a source sent that could not be used, kept (bounded) for inspection and replay.
CREATE TABLE IF NOT EXISTS dead_letters (
    id           INTEGER PRIMARY KEY,
    source       TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    field        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    message      TEXT NOT NULL,
    raw          BLOB NOT NULL,
    replayed_at  TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_source ON dead_letters (source, id);

-- Geofences users draw or upload: GeoJSON (lon/lat) plus its bounding box for prefiltering
-- (rtcc/storage/sql/geofences.py, shared with PostgreSQL).
CREATE TABLE IF NOT EXISTS geofences (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    geometry     TEXT NOT NULL,
    min_lon      REAL NOT NULL,
    min_lat      REAL NOT NULL,
    max_lon      REAL NOT NULL,
    max_lat      REAL NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS geofences_owner ON geofences (owner, seq);
-- One row, moved by every change, so a rule knows when to reload the set: (count, revision)
-- changes whenever the set does (as in PostgreSQL's 0032_geofences.sql).
CREATE TABLE IF NOT EXISTS geofence_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  INTEGER NOT NULL
);
INSERT INTO geofence_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE TRIGGER IF NOT EXISTS geofence_revision_insert AFTER INSERT ON geofences
BEGIN
    UPDATE geofence_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS geofence_revision_update AFTER UPDATE ON geofences
BEGIN
    UPDATE geofence_revision SET revision = revision + 1 WHERE id = 1;
END;
CREATE TRIGGER IF NOT EXISTS geofence_revision_delete AFTER DELETE ON geofences
BEGIN
    UPDATE geofence_revision SET revision = revision + 1 WHERE id = 1;
END;
