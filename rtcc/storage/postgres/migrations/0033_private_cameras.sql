-- Private cameras registered by residents and businesses (rtcc/operations/private_cameras.py,
-- rtcc/storage/sql/private_cameras.py). Same tables as
-- rtcc/storage/sqlite/schema_private_cameras.sql. The owner's page is opened by a random
-- token; only its SHA-256 is kept.
CREATE TABLE IF NOT EXISTS private_cameras (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('registered', 'integrated')),
    sharing      TEXT CHECK (sharing IN ('always', 'alarm_only', 'registry_only')),
    label        TEXT NOT NULL,
    owner_name   TEXT NOT NULL,
    email        TEXT,
    phone        TEXT,
    address      TEXT NOT NULL,
    lat          DOUBLE PRECISION NOT NULL,
    lon          DOUBLE PRECISION NOT NULL,
    heading_deg  DOUBLE PRECISION,
    fov_deg      DOUBLE PRECISION NOT NULL,
    range_m      DOUBLE PRECISION NOT NULL,
    stream_url   TEXT,
    created_at   TEXT COLLATE "C" NOT NULL,
    withdrawn_at TEXT COLLATE "C"
);

-- Time-boxed access to one camera, tied to an incident or case number.
CREATE TABLE IF NOT EXISTS private_camera_grants (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    camera_id    TEXT NOT NULL REFERENCES private_cameras (id) ON DELETE CASCADE,
    case_number  TEXT NOT NULL,
    granted_by   TEXT NOT NULL,
    agency       TEXT NOT NULL,
    starts_at    TEXT COLLATE "C" NOT NULL,
    ends_at      TEXT COLLATE "C" NOT NULL CHECK (ends_at > starts_at),
    created_at   TEXT COLLATE "C" NOT NULL
);
CREATE INDEX IF NOT EXISTS private_camera_grants_camera
    ON private_camera_grants (camera_id, case_number, ends_at);

-- Recordings the owner's system reports: a time span and where the clip is fetched.
CREATE TABLE IF NOT EXISTS private_camera_segments (
    camera_id    TEXT NOT NULL REFERENCES private_cameras (id) ON DELETE CASCADE,
    starts_at    TEXT COLLATE "C" NOT NULL,
    ends_at      TEXT COLLATE "C" NOT NULL CHECK (ends_at > starts_at),
    clip_url     TEXT COLLATE "C" NOT NULL,  -- listed in byte order, as SQLite does
    reported_at  TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (camera_id, starts_at, clip_url)
);
-- Retention purges footage references by end time.
CREATE INDEX IF NOT EXISTS private_camera_segments_ends ON private_camera_segments (ends_at);

-- Every access to a private camera (and every refused attempt), for its owner to read.
CREATE TABLE IF NOT EXISTS private_camera_access (
    seq          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    camera_id    TEXT NOT NULL REFERENCES private_cameras (id) ON DELETE CASCADE,
    at           TEXT COLLATE "C" NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    agency       TEXT NOT NULL,
    case_number  TEXT,
    purpose      TEXT,
    range_start  TEXT COLLATE "C" NOT NULL,
    range_end    TEXT COLLATE "C" NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('allow', 'deny')),
    rule         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    grant_id     TEXT
);
CREATE INDEX IF NOT EXISTS private_camera_access_camera ON private_camera_access (camera_id, seq);

CREATE OR REPLACE FUNCTION private_camera_access_no_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the private camera access log is append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$;
DROP TRIGGER IF EXISTS private_camera_access_no_update ON private_camera_access;
CREATE TRIGGER private_camera_access_no_update BEFORE UPDATE ON private_camera_access
    FOR EACH ROW EXECUTE FUNCTION private_camera_access_no_update();
