-- Tamper-evident audit trail: each row's hash covers the previous row's hash.
-- `seq` is assigned by the appender under an advisory lock (not a sequence), so it has
-- no gaps: a gap is what a deleted row looks like to verification.
CREATE TABLE IF NOT EXISTS audit (
    seq          BIGINT PRIMARY KEY,
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
CREATE INDEX IF NOT EXISTS audit_action_at ON audit (action, at);
CREATE INDEX IF NOT EXISTS audit_actor_kind ON audit (actor_kind, seq);

CREATE OR REPLACE FUNCTION audit_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE OR REPLACE TRIGGER audit_no_update BEFORE UPDATE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_no_update();

-- Signed checkpoints of the audit trail: a Merkle root over the first `count` rows.
CREATE TABLE IF NOT EXISTS audit_checkpoints (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    count       BIGINT NOT NULL,
    last_seq    BIGINT NOT NULL,
    last_hash   TEXT NOT NULL,
    root        TEXT NOT NULL,
    at          TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    signature   TEXT NOT NULL
);

CREATE OR REPLACE FUNCTION audit_checkpoints_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit checkpoints are append-only'
        USING ERRCODE = 'integrity_constraint_violation';
END
$$;
CREATE OR REPLACE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
    FOR EACH ROW EXECUTE FUNCTION audit_checkpoints_no_update();
