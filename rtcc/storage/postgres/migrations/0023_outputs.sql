-- Outputs (rtcc/outputs): what each channel did with each alert.

-- Alerts a channel could not deliver after its retries (or refused outright), kept with
-- the alert's wire form so an operator can send them again once the far end is fixed.
CREATE TABLE IF NOT EXISTS output_dead_letters (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel    TEXT NOT NULL,
    alert_id   TEXT NOT NULL,
    alert      TEXT NOT NULL,
    failed_at  TEXT NOT NULL,
    attempts   INTEGER NOT NULL,
    reason     TEXT NOT NULL,
    retried_at TEXT
);
CREATE INDEX IF NOT EXISTS output_dead_letters_channel ON output_dead_letters (channel, id);
CREATE INDEX IF NOT EXISTS output_dead_letters_failed ON output_dead_letters (failed_at);

-- One row per alert and channel: delivered (when, after how many attempts) or not.
CREATE TABLE IF NOT EXISTS alert_deliveries (
    alert_id     TEXT NOT NULL,
    channel      TEXT COLLATE "C" NOT NULL,  -- listed in byte order, as SQLite does
    delivered_at TEXT,
    attempts     INTEGER NOT NULL,
    outcome      TEXT NOT NULL,
    recorded_at  TEXT NOT NULL,
    PRIMARY KEY (alert_id, channel)
);
