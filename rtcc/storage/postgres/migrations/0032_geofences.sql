-- Geofences users draw or upload (rtcc/storage/sql/geofences.py): GeoJSON (lon/lat)
-- plus its bounding box. Same table as in rtcc/storage/sqlite/schema.sql; the matching
-- is done in memory (rtcc.analysis.geofence), so no PostGIS column is needed here.
CREATE TABLE IF NOT EXISTS geofences (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    name         TEXT NOT NULL,
    owner        TEXT NOT NULL,
    geometry     TEXT NOT NULL,
    min_lon      DOUBLE PRECISION NOT NULL,
    min_lat      DOUBLE PRECISION NOT NULL,
    max_lon      DOUBLE PRECISION NOT NULL,
    max_lat      DOUBLE PRECISION NOT NULL,
    created_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS geofences_owner ON geofences (owner, seq);

-- (count, max seq) can miss a change here: seq is drawn before commit, so a delete plus
-- a late-committing insert may leave both as they were. A counter row moved by a trigger,
-- in the transaction of the change, moves exactly when the set changes (SQLite keeps the
-- same row, so the store reads it on both backends).
CREATE TABLE IF NOT EXISTS geofence_revision (
    id        INTEGER PRIMARY KEY CHECK (id = 1),
    revision  BIGINT NOT NULL
);
INSERT INTO geofence_revision (id, revision) VALUES (1, 0) ON CONFLICT (id) DO NOTHING;
CREATE OR REPLACE FUNCTION geofence_revision_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE geofence_revision SET revision = revision + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
DROP TRIGGER IF EXISTS geofence_revision_bump ON geofences;
CREATE TRIGGER geofence_revision_bump AFTER INSERT OR UPDATE OR DELETE ON geofences
    FOR EACH ROW EXECUTE FUNCTION geofence_revision_bump();
