-- Signed checkpoints of the audit trail: a Merkle root over the first `count` rows.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    id          INTEGER PRIMARY KEY,
    count       INTEGER NOT NULL,
    last_seq    INTEGER NOT NULL,
    last_hash   TEXT NOT NULL,
    root        TEXT NOT NULL,
    at          TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    signature   TEXT NOT NULL
);
CREATE TRIGGER IF NOT EXISTS audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints are append-only');
END;
