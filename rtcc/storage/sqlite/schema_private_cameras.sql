-- Private cameras registered by residents and businesses (rtcc/operations/private_cameras.py).
-- The owner's page is opened by a random token; only its SHA-256 is kept.
CREATE TABLE IF NOT EXISTS private_cameras (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    token_hash   TEXT NOT NULL UNIQUE,
    kind         TEXT NOT NULL CHECK (kind IN ('registered', 'integrated')),
    sharing      TEXT CHECK (sharing IN ('always', 'alarm_only', 'registry_only')),
    label        TEXT NOT NULL,
    owner_name   TEXT NOT NULL,
    email        TEXT,
    phone        TEXT,
    address      TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    heading_deg  REAL,
    fov_deg      REAL NOT NULL,
    range_m      REAL NOT NULL,
    stream_url   TEXT,
    created_at   TEXT NOT NULL,
    withdrawn_at TEXT
);

-- Time-boxed access to one camera, tied to an incident or case number.
CREATE TABLE IF NOT EXISTS private_camera_grants (
    seq          INTEGER PRIMARY KEY,
    id           TEXT NOT NULL UNIQUE,
    camera_id    TEXT NOT NULL REFERENCES private_cameras (id) ON DELETE CASCADE,
    case_number  TEXT NOT NULL,
    granted_by   TEXT NOT NULL,
    agency       TEXT NOT NULL,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL CHECK (ends_at > starts_at),
    created_at   TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS private_camera_grants_camera
    ON private_camera_grants (camera_id, case_number, ends_at);

-- Recordings the owner's system reports: a time span and where the clip is fetched.
CREATE TABLE IF NOT EXISTS private_camera_segments (
    camera_id    TEXT NOT NULL REFERENCES private_cameras (id) ON DELETE CASCADE,
    starts_at    TEXT NOT NULL,
    ends_at      TEXT NOT NULL CHECK (ends_at > starts_at),
    clip_url     TEXT NOT NULL,
    reported_at  TEXT NOT NULL,
    PRIMARY KEY (camera_id, starts_at, clip_url)
) WITHOUT ROWID;

-- Every access to a private camera (and every refused attempt), for its owner to read.
CREATE TABLE IF NOT EXISTS private_camera_access (
    seq          INTEGER PRIMARY KEY,
    camera_id    TEXT NOT NULL REFERENCES private_cameras (id) ON DELETE CASCADE,
    at           TEXT NOT NULL,
    actor        TEXT NOT NULL,
    role         TEXT NOT NULL,
    agency       TEXT NOT NULL,
    case_number  TEXT,
    purpose      TEXT,
    range_start  TEXT NOT NULL,
    range_end    TEXT NOT NULL,
    outcome      TEXT NOT NULL CHECK (outcome IN ('allow', 'deny')),
    rule         TEXT NOT NULL,
    reason       TEXT NOT NULL,
    grant_id     TEXT
);
CREATE INDEX IF NOT EXISTS private_camera_access_camera ON private_camera_access (camera_id, seq);

CREATE TRIGGER IF NOT EXISTS private_camera_access_no_update
BEFORE UPDATE ON private_camera_access
BEGIN
    SELECT RAISE(ABORT, 'the private camera access log is append-only');
END;
