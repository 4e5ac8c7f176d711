-- People (password hashes, sessions, provider identities) and machine sources (API keys).
-- Times are fixed-width ISO 8601 UTC text, as the SQLite backend writes them.
CREATE TABLE IF NOT EXISTS users (
    username         TEXT COLLATE "C" PRIMARY KEY,  -- listed in byte order, as SQLite does
    password_hash    TEXT NOT NULL,
    role             TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    disabled         INTEGER NOT NULL DEFAULT 0,
    failed_logins    INTEGER NOT NULL DEFAULT 0,  -- consecutive; reset by a successful login
    locked_until     TEXT,                        -- set after too many failures
    mfa_secret       TEXT,                        -- TOTP secret, in clear: needed to verify codes
    external_issuer  TEXT,                        -- identity provider (OIDC) of the account
    external_subject TEXT,
    unit             TEXT,
    camera_groups    TEXT NOT NULL DEFAULT '[]'   -- JSON list
);
CREATE UNIQUE INDEX IF NOT EXISTS users_external_identity
    ON users (external_issuer, external_subject) WHERE external_issuer IS NOT NULL;

CREATE TABLE IF NOT EXISTS sessions (
    token_hash   TEXT PRIMARY KEY,
    username     TEXT COLLATE "C" NOT NULL REFERENCES users (username),
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL DEFAULT ''  -- last use (written at most once a minute)
);
CREATE INDEX IF NOT EXISTS sessions_username ON sessions (username);
CREATE INDEX IF NOT EXISTS sessions_expires ON sessions (expires_at);

CREATE TABLE IF NOT EXISTS api_keys (
    key_id       TEXT PRIMARY KEY,
    source       TEXT COLLATE "C" NOT NULL,  -- listed in byte order, as SQLite does
    key_hash     TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    revoked      INTEGER NOT NULL DEFAULT 0
);
