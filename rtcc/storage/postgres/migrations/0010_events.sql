-- Events, live entity state, alerts and reject counters (rtcc/storage/postgres/events.py).
-- Same tables and columns as rtcc/storage/sqlite/schema.sql. Times are fixed-width ISO 8601
-- UTC text in the "C" collation, so they sort as times whatever the database's locale.

CREATE TABLE IF NOT EXISTS events (
    seq          BIGSERIAL PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    dedup_key    TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL,
    source       TEXT NOT NULL,
    source_ref   TEXT,
    occurred_at  TEXT COLLATE "C" NOT NULL,
    received_at  TEXT COLLATE "C" NOT NULL,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    accuracy_m   DOUBLE PRECISION,
    entity_key   TEXT,
    payload      TEXT NOT NULL,
    -- Where it happened, for PostGIS (NULL without a location): replaces the R*Tree.
    geom         geography(Point, 4326) GENERATED ALWAYS AS
                     (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED
);
CREATE INDEX IF NOT EXISTS events_kind_seq ON events (kind, seq);
-- Short correlation windows find events by kind and time (retention purges do too).
CREATE INDEX IF NOT EXISTS events_kind_occurred ON events (kind, occurred_at);
-- As in SQLite's events_rtree, AVL fixes are left out of the spatial index: they are most
-- of the volume and their live position is in entity_state.
CREATE INDEX IF NOT EXISTS events_geom ON events USING GIST (geom)
    WHERE kind <> 'unit_position';

-- Append-only: an event is never rewritten. (Deletion is reserved for retention.)
CREATE OR REPLACE FUNCTION events_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'events are append-only' USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
DROP TRIGGER IF EXISTS events_no_update ON events;
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
    FOR EACH ROW EXECUTE FUNCTION events_no_update();

-- Latest state per entity (unit, camera, incident, call): the live picture.
CREATE TABLE IF NOT EXISTS entity_state (
    rid          BIGSERIAL PRIMARY KEY,
    entity_key   TEXT NOT NULL UNIQUE,
    entity_type  TEXT NOT NULL,
    first_occurred_at TEXT COLLATE "C" NOT NULL,  -- when the entity was first seen
    occurred_at  TEXT COLLATE "C" NOT NULL,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    event_id     TEXT NOT NULL,
    event_json   TEXT NOT NULL,
    geom         geography(Point, 4326) GENERATED ALWAYS AS
                     (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED
);
CREATE INDEX IF NOT EXISTS entity_state_geom ON entity_state USING GIST (geom);

-- seq is not in the SQLite table: it stands in for SQLite's rowid, which orders alerts
-- created in the same microsecond (newest insert first).
CREATE TABLE IF NOT EXISTS alerts (
    id           TEXT PRIMARY KEY,
    rule         TEXT NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL,
    severity     TEXT NOT NULL,
    title        TEXT NOT NULL,
    event_id     TEXT NOT NULL,
    lat          DOUBLE PRECISION,
    lon          DOUBLE PRECISION,
    detail       TEXT NOT NULL,
    seq          BIGSERIAL NOT NULL
);
CREATE INDEX IF NOT EXISTS alerts_time ON alerts (created_at, seq);

CREATE TABLE IF NOT EXISTS reject_counts (
    source       TEXT COLLATE "C" NOT NULL,
    field        TEXT COLLATE "C" NOT NULL,
    reason       TEXT COLLATE "C" NOT NULL,
    count        BIGINT NOT NULL,
    last_at      TEXT NOT NULL,
    last_message TEXT NOT NULL,
    PRIMARY KEY (source, field, reason)
);
