-- Messages a source sent that could not be used, kept (bounded) for inspection and replay.
CREATE TABLE IF NOT EXISTS dead_letters (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    source       TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    field        TEXT NOT NULL,
    reason       TEXT NOT NULL,
    message      TEXT NOT NULL,
    raw          BYTEA NOT NULL,
    replayed_at  TEXT
);
CREATE INDEX IF NOT EXISTS dead_letters_source ON dead_letters (source, id);
