-- Alert lifecycle (rtcc/pipeline/alert_lifecycle.py): the current state of each alert.
CREATE TABLE IF NOT EXISTS alert_states (
    alert_id         TEXT PRIMARY KEY,
    status           TEXT NOT NULL,
    acknowledged_by  TEXT,
    acknowledged_at  TEXT,
    assigned_to      TEXT,
    assigned_by      TEXT,
    assigned_at      TEXT,
    closed_by        TEXT,
    closed_at        TEXT,
    disposition      TEXT,
    note             TEXT
);
CREATE INDEX IF NOT EXISTS alert_states_closed ON alert_states (closed_at);
